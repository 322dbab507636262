"""``lf.summarize``: one row per LF, the table users read to decide which LF to fix next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lf import analysis
from lf.matrix import LabelMatrix, PatternTable, as_label_array

if TYPE_CHECKING:
    import pandas as pd

    from lf.report.record import LFRecord

__all__ = ["COLUMNS", "lf_record", "summarize", "totals"]

COLUMNS = (
    "polarity",
    "coverage",
    "overlaps",
    "conflicts",
    "correct",
    "incorrect",
    "emp_acc",
    "learned_acc",
    "errors",
    "seconds",
)


def summarize(L: LabelMatrix | Any, y: Any = None, model: Any = None) -> pd.DataFrame:
    """Per-LF statistics as a DataFrame indexed by LF name.

    Columns: ``polarity`` (labels emitted), ``coverage``, ``overlaps``, ``conflicts``
    (fractions of all rows, as in Snorkel's LFAnalysis), ``correct``, ``incorrect``,
    ``emp_acc`` (need gold labels ``y``; otherwise missing), ``learned_acc`` (a fitted
    model's ``accuracies_``; otherwise NaN), ``errors`` (rows whose call raised under
    ``on_error="abstain"``) and ``seconds`` (time spent in the LF while applying).

    ``L`` may be a :class:`~lf.matrix.PatternTable` (its own gold labels stand for ``y``).
    Everything is computed from the matrix's distinct rows with their counts; the frame is
    a view of :func:`lf_record`.
    """
    import pandas as pd

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
    return pd.DataFrame(data, index=pd.Index(list(rec.names), name="lf"), columns=list(COLUMNS))


def lf_record(L: LabelMatrix | Any, y: Any = None, model: Any = None) -> LFRecord:
    """The numbers of :func:`summarize` as a typed record of per-LF arrays."""
    from lf.report.record import LFRecord

    if not isinstance(L, (LabelMatrix, PatternTable)):
        L = LabelMatrix(as_label_array(L)[0])
        names, plain = [f"lf_{j}" for j in range(L.m)], True
    else:
        names, plain = list(L.names), False
    m = len(names)
    gold = y is not None or (isinstance(L, PatternTable) and L.gold is not None)
    learned = getattr(model, "accuracies_", None)
    has_cost = not plain and L.errors is not None and L.seconds is not None
    return LFRecord(
        names=tuple(names),
        polarity=tuple(tuple(p) for p in analysis.lf_polarities(L)),
        coverage=analysis.lf_coverages(L),
        overlaps=analysis.lf_overlaps(L),
        conflicts=analysis.lf_conflicts(L),
        correct=analysis.lf_correct(L, y) if gold else None,
        incorrect=analysis.lf_incorrect(L, y) if gold else None,
        emp_acc=analysis.lf_empirical_accuracies(L, y) if gold else np.full(m, np.nan),
        learned_acc=np.asarray(learned, float) if learned is not None else np.full(m, np.nan),
        errors=np.asarray(L.errors, np.int64) if has_cost else np.zeros(m, np.int64),
        seconds=np.asarray(L.seconds, np.float64) if has_cost else np.full(m, np.nan),
    )


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
