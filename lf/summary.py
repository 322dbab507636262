"""``lf.summarize``: one row per LF, the table users read to decide which LF to fix next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lf import analysis
from lf.matrix import LabelMatrix, PatternTable, as_label_array

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COLUMNS", "summarize", "totals"]

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
    Everything is computed from the matrix's distinct rows with their counts.
    """
    import pandas as pd

    if not isinstance(L, (LabelMatrix, PatternTable)):
        L = LabelMatrix(as_label_array(L)[0])
        names = [f"lf_{j}" for j in range(L.m)]
        plain = True
    else:
        names, plain = list(L.names), False
    m = len(names)
    data: dict[str, Any] = {
        "polarity": analysis.lf_polarities(L),
        "coverage": analysis.lf_coverages(L),
        "overlaps": analysis.lf_overlaps(L),
        "conflicts": analysis.lf_conflicts(L),
    }
    if y is not None or (isinstance(L, PatternTable) and L.gold is not None):
        data["correct"] = analysis.lf_correct(L, y)
        data["incorrect"] = analysis.lf_incorrect(L, y)
        data["emp_acc"] = analysis.lf_empirical_accuracies(L, y)
    else:
        data["correct"] = pd.array([pd.NA] * m, dtype="Int64")
        data["incorrect"] = pd.array([pd.NA] * m, dtype="Int64")
        data["emp_acc"] = np.full(m, np.nan)
    learned = getattr(model, "accuracies_", None)
    data["learned_acc"] = np.asarray(learned, float) if learned is not None else np.full(m, np.nan)
    if not plain and L.errors is not None and L.seconds is not None:
        data["errors"] = L.errors
        data["seconds"] = L.seconds
    else:
        data["errors"] = np.zeros(m, np.int64)
        data["seconds"] = np.full(m, np.nan)
    return pd.DataFrame(data, index=pd.Index(names, name="lf"), columns=list(COLUMNS))


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
