"""``lf.summarize``: one row per LF, the table users read to decide which LF to fix next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lf import analysis
from lf.analysis import gold_labels
from lf.intervals import wilson
from lf.matrix import LabelMatrix, PatternTable, as_label_array

if TYPE_CHECKING:
    import pandas as pd

    from lf.report.record import LFRecord

__all__ = ["COLUMNS", "gold_labels", "lf_record", "summarize", "totals"]

COLUMNS = (
    "polarity",
    "coverage",
    "overlaps",
    "conflicts",
    "correct",
    "incorrect",
    "emp_acc",
    "emp_acc_n",
    "emp_acc_low",
    "emp_acc_high",
    "learned_acc",
    "errors",
    "seconds",
)


_SNORKEL_SUMMARY = {
    "Y": "gold labels are `y`: summarize(L, y).",
    "est_weights": "pass the fitted model instead: summarize(L, y, model=model) (its accuracies_ "
    "become the learned_acc column).",
}


def summarize(L: LabelMatrix | Any, y: Any = None, model: Any = None, **unknown: Any) -> pd.DataFrame:
    """Per-LF statistics as a DataFrame indexed by LF name.

    Columns: ``polarity`` (labels emitted), ``coverage``, ``overlaps``, ``conflicts``
    (fractions of all rows, as in Snorkel's LFAnalysis), ``correct``, ``incorrect``,
    ``emp_acc`` (need gold labels ``y``; otherwise missing) with ``emp_acc_n`` (the gold rows
    it is measured on: the rows the LF labels) and its 95% Wilson interval ``emp_acc_low`` /
    ``emp_acc_high``, ``learned_acc`` (a fitted
    model's ``accuracies_``; otherwise NaN), ``errors`` (rows whose call raised under
    ``on_error="abstain"``) and ``seconds`` (time spent in the LF while applying).

    ``y`` holds one gold label per row: class ids or label names (``L.labels``), as the
    CLI's ``--gold`` takes them; with a plain array ``L`` (no cardinality of its own) a gold
    class id no LF emits is a class too, as in Snorkel. ``L`` may be a :class:`~lf.matrix.PatternTable` (its own
    gold labels stand for ``y``). Everything is computed from the matrix's distinct rows
    with their counts; the frame is a view of :func:`lf_record`.
    """
    import pandas as pd

    if unknown:
        from lf.errors import ParameterError

        name = min(unknown)
        why = _SNORKEL_SUMMARY.get(name)
        if why is not None:
            raise ParameterError(f"summarize takes no `{name}` (Snorkel's lf_summary argument): {why}")
        raise ParameterError(f"summarize has no argument {name!r}. Its arguments: L, y, model.")
    rec = lf_record(L, y=y, model=model)
    m = len(rec.names)
    missing = pd.array([pd.NA] * m, dtype="Int64")
    data: dict[str, Any] = {
        "polarity": [list(p) for p in rec.polarity],
        "coverage": rec.coverage,
        "overlaps": rec.overlaps,
        "conflicts": rec.conflicts,
        "correct": missing if rec.correct is None else rec.correct,
        "incorrect": missing if rec.incorrect is None else rec.incorrect,
        "emp_acc": rec.emp_acc,
        "learned_acc": rec.learned_acc,
        "errors": rec.errors,
        "seconds": rec.seconds,
    }
    data["emp_acc_n"] = missing if rec.emp_acc_n is None else rec.emp_acc_n
    data["emp_acc_low"] = rec.emp_acc_low if rec.emp_acc_low is not None else np.full(m, np.nan)
    data["emp_acc_high"] = rec.emp_acc_high if rec.emp_acc_high is not None else np.full(m, np.nan)
    return pd.DataFrame(data, index=pd.Index(list(rec.names), name="lf"), columns=list(COLUMNS))


def lf_record(L: LabelMatrix | Any, y: Any = None, model: Any = None) -> LFRecord:
    """The numbers of :func:`summarize` as a typed record of per-LF arrays."""
    from lf.report.record import LFRecord

    if not isinstance(L, (LabelMatrix, PatternTable)):
        A, k = as_label_array(L)
        L = LabelMatrix(A, cardinality=max(k, _gold_classes(y)))  # a class only gold holds counts too
        names, plain = [f"lf_{j}" for j in range(L.m)], True
    else:
        names, plain = list(L.names), False
    m = len(names)
    if y is not None:  # read once, as lf.analysis reads it
        L = analysis.gold_patterns(L, y)
    gold = isinstance(L, PatternTable) and L.gold is not None
    correct = analysis.lf_correct(L) if gold else None
    incorrect = analysis.lf_incorrect(L) if gold else None
    measured = None if correct is None or incorrect is None else correct + incorrect
    low, high = wilson(correct, measured) if measured is not None else (None, None)
    learned = _learned_accuracies(model, names, plain)
    has_cost = not plain and L.errors is not None and L.seconds is not None
    return LFRecord(
        names=tuple(names),
        polarity=tuple(tuple(p) for p in analysis.lf_polarities(L)),
        coverage=analysis.lf_coverages(L),
        overlaps=analysis.lf_overlaps(L),
        conflicts=analysis.lf_conflicts(L),
        correct=correct,
        incorrect=incorrect,
        emp_acc=analysis.lf_empirical_accuracies(L) if gold else np.full(m, np.nan),
        learned_acc=np.asarray(learned, float) if learned is not None else np.full(m, np.nan),
        errors=np.asarray(L.errors, np.int64) if has_cost else np.zeros(m, np.int64),
        seconds=np.asarray(L.seconds, np.float64) if has_cost else np.full(m, np.nan),
        emp_acc_n=measured,
        emp_acc_low=None if low is None else np.asarray(low, np.float64),
        emp_acc_high=None if high is None else np.asarray(high, np.float64),
    )


def _gold_classes(y: Any) -> int:
    """For a plain array ``L`` (no cardinality of its own): 1 + the largest class id in gold
    ``y`` when it holds ids, so a class no LF emits is still a class (0 otherwise)."""
    if y is None:
        return 0
    ids = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y).ravel()
    whole = ids.dtype.kind in "iu" or (ids.dtype.kind == "f" and bool(np.isfinite(ids).all() and (ids % 1 == 0).all()))
    return int(ids.max()) + 1 if whole and ids.size and ids.min() >= 0 else 0


def _learned_accuracies(model: Any, names: list[str], plain: bool) -> Any:
    """The model's ``accuracies_``, checked to be those of these LFs in this order."""
    from lf.errors import DataError, ParameterError

    if model is None:
        return None
    if callable(getattr(model, "_check_fitted", None)):
        model._check_fitted()  # an unfitted model learned nothing: NotFittedError, not NaN
    learned = getattr(model, "accuracies_", None)
    if learned is None and not callable(getattr(model, "predict_proba", None)):
        raise ParameterError(
            f"`model` must be a fitted label model (its accuracies_ fill learned_acc). Got "
            f"{type(model).__name__} {str(model)[:60]!r}. Snorkel's est_weights: pass the model they came from."
        )
    if learned is None:
        return None  # a model that learns no accuracies (majority vote)
    fitted = getattr(model, "lf_names_", None)
    if not plain and fitted is not None and list(fitted) != names:
        missing, new = [n for n in fitted if n not in names], [n for n in names if n not in fitted]
        detail = f"missing {missing}, new {new}" if missing or new else "same LFs in another order"
        raise DataError(
            f"`model` {type(model).__name__} was fitted on other LFs than the matrix's ({detail}), so its "
            "learned accuracies are not theirs. Fit the model on this matrix."
        )
    if np.shape(learned) != (len(names),):
        raise ParameterError(
            f"`model` {type(model).__name__} has {np.size(learned)} learned accuracies for a matrix of "
            f"{len(names)} LFs. Fit the model on this matrix."
        )
    return learned


def totals(L: LabelMatrix | Any) -> dict[str, float]:
    """Whole-matrix numbers: rows, LFs, and the coverage / overlap / conflict fractions."""
    if not isinstance(L, (LabelMatrix, PatternTable)):
        L = LabelMatrix(as_label_array(L)[0])
    return {
        "rows": int(L.n),
        "lfs": int(L.m),
        "cardinality": int(L.cardinality),
        "coverage": analysis.label_coverage(L),
        "overlap": analysis.label_overlap(L),
        "conflict": analysis.label_conflict(L),
    }
