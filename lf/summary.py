"""``lf.summarize``: one row per LF, the table users read to decide which LF to fix next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lf import analysis
from lf.intervals import wilson
from lf.matrix import LabelMatrix, as_label_array

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "gold_labels", "summarize", "totals"]

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


def summarize(L: LabelMatrix | Any, y: Any = None, model: Any = None) -> pd.DataFrame:
    """Per-LF statistics as a DataFrame indexed by LF name.

    Columns: ``polarity`` (labels emitted), ``coverage``, ``overlaps``, ``conflicts``
    (fractions of all rows, as in Snorkel's LFAnalysis), ``correct``, ``incorrect``,
    ``emp_acc`` (need gold labels ``y``; otherwise missing) with ``emp_acc_n`` (the gold rows
    it is measured on: the rows the LF labels) and its 95% Wilson interval ``emp_acc_low`` /
    ``emp_acc_high``, ``learned_acc`` (a fitted
    model's ``accuracies_``; otherwise NaN), ``errors`` (rows whose call raised under
    ``on_error="abstain"``) and ``seconds`` (time spent in the LF while applying).

    ``y`` holds one gold label per row: class ids or label names (``L.labels``), as the
    CLI's ``--gold`` takes them.
    """
    import pandas as pd

    A, k = as_label_array(L)
    m = A.shape[1]
    if y is not None:
        y = gold_labels(L, y, k)
    names = list(L.names) if isinstance(L, LabelMatrix) else [f"lf_{j}" for j in range(m)]
    data: dict[str, Any] = {
        "polarity": analysis.lf_polarities(A),
        "coverage": analysis.lf_coverages(A),
        "overlaps": analysis.lf_overlaps(A),
        "conflicts": analysis.lf_conflicts(A),
    }
    if y is not None:
        data["correct"] = analysis.lf_correct(A, y)
        data["incorrect"] = analysis.lf_incorrect(A, y)
        data["emp_acc"] = analysis.lf_empirical_accuracies(A, y)
        measured = data["correct"] + data["incorrect"]
        data["emp_acc_n"] = measured
        data["emp_acc_low"], data["emp_acc_high"] = wilson(data["correct"], measured)
    else:
        data["correct"] = pd.array([pd.NA] * m, dtype="Int64")
        data["incorrect"] = pd.array([pd.NA] * m, dtype="Int64")
        data["emp_acc"] = np.full(m, np.nan)
        data["emp_acc_n"] = pd.array([pd.NA] * m, dtype="Int64")
        data["emp_acc_low"] = np.full(m, np.nan)
        data["emp_acc_high"] = np.full(m, np.nan)
    learned = getattr(model, "accuracies_", None)
    data["learned_acc"] = np.asarray(learned, float) if learned is not None else np.full(m, np.nan)
    if isinstance(L, LabelMatrix):
        data["errors"] = L.errors
        data["seconds"] = L.seconds
    else:
        data["errors"] = np.zeros(m, np.int64)
        data["seconds"] = np.full(m, np.nan)
    return pd.DataFrame(data, index=pd.Index(names, name="lf"), columns=list(COLUMNS))


def gold_labels(L: LabelMatrix | Any, y: Any, k: int) -> Any:
    """Gold ``y`` as class ids: label names of ``L`` (any case) or ids, one per row, checked."""
    from lf.errors import ParameterError
    from lf.gold import gold_ids

    labels = list(L.labels) if isinstance(L, LabelMatrix) and L.labels else None
    values = y if hasattr(y, "factorize") else np.asarray(y, dtype=object if isinstance(y, list) else None)
    n = int(L.shape[0]) if hasattr(L, "shape") else len(L)
    if np.ndim(values) != 1 or len(values) != n:
        raise ParameterError(f"`y` must hold one gold label per row: {n} rows, got shape {np.shape(values)}.")
    return gold_ids(values, labels, k, what="`y`")


def totals(L: LabelMatrix | Any) -> dict[str, float]:
    """Whole-matrix numbers: rows, LFs, and the coverage / overlap / conflict fractions."""
    A, k = as_label_array(L)
    return {
        "rows": int(A.shape[0]),
        "lfs": int(A.shape[1]),
        "cardinality": int(k),
        "coverage": analysis.label_coverage(A),
        "overlap": analysis.label_overlap(A),
        "conflict": analysis.label_conflict(A),
    }
