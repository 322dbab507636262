"""Pure functions over a label matrix ``L`` (n x m, ABSTAIN = -1), gold labels ``y`` and models.

Definitions follow Snorkel's ``LFAnalysis`` where Snorkel has the number:

* coverage: fraction of rows the LF labels;
* overlaps: fraction of rows the LF labels and at least one other LF labels too;
* conflicts: fraction of rows the LF labels and some other LF gives a different label;
* correct / incorrect: labeled rows where the LF equals / differs from the gold label;
* empirical accuracy: correct / labeled (NaN for an LF that labels nothing, where Snorkel
  reports 0).

Only numpy is used here; :func:`lf.summarize` turns these into a DataFrame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from lf.matrix import as_gold_array, as_label_array

__all__ = [
    "agreement_matrix",
    "conflict_matrix",
    "label_conflict",
    "label_coverage",
    "label_overlap",
    "lf_conflicts",
    "lf_correct",
    "lf_coverages",
    "lf_empirical_accuracies",
    "lf_incorrect",
    "lf_overlaps",
    "lf_polarities",
]

FloatArray = npt.NDArray[np.float64]
_BLOCK = 262_144  # rows per block in the m x m products, to bound memory


def _arr(L: Any) -> npt.NDArray[np.integer[Any]]:
    return as_label_array(L)[0]


def _labeled(L: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.bool_]:
    return np.asarray(L != -1, dtype=bool)


def _votes_per_row(L: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.int64]:
    return np.asarray(_labeled(L).sum(axis=1), dtype=np.int64)


def _conflicted_rows(L: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.bool_]:
    """Rows where at least two LFs give different (non-abstain) labels."""
    if L.shape[1] == 0:
        return np.zeros(L.shape[0], bool)
    hi = L.max(axis=1)
    lo = np.where(L == -1, np.int32(np.iinfo(np.int32).max), L.astype(np.int32)).min(axis=1)
    return np.asarray((hi >= 0) & (lo != hi), dtype=bool)


def _mean0(mask: npt.NDArray[np.bool_]) -> FloatArray:
    if mask.shape[0] == 0:
        return np.full(mask.shape[1], np.nan)
    return np.asarray(mask.mean(axis=0), dtype=np.float64)


def lf_coverages(L: Any) -> FloatArray:
    """Per LF: fraction of rows it labels."""
    return _mean0(_labeled(_arr(L)))


def lf_overlaps(L: Any) -> FloatArray:
    """Per LF: fraction of rows it labels together with at least one other LF."""
    A = _arr(L)
    return _mean0(_labeled(A) & (_votes_per_row(A) > 1)[:, None])


def lf_conflicts(L: Any) -> FloatArray:
    """Per LF: fraction of rows it labels where some other LF gives a different label."""
    A = _arr(L)
    return _mean0(_labeled(A) & _conflicted_rows(A)[:, None])


def lf_polarities(L: Any) -> list[list[int]]:
    """Per LF: the sorted distinct labels it emits."""
    A = _arr(L)
    return [sorted(int(v) for v in np.unique(A[:, j]) if v != -1) for j in range(A.shape[1])]


def _gold(A: npt.NDArray[np.integer[Any]], y: Any) -> npt.NDArray[np.int64]:
    """Gold labels: one per row, shape (n,) or (n, 1), integers (or floats holding them)."""
    return as_gold_array(y, A.shape[0])


def lf_correct(L: Any, y: Any) -> npt.NDArray[np.int64]:
    """Per LF: number of labeled rows where the LF's label equals ``y``."""
    A = _arr(L)
    return np.asarray((_labeled(A) & (A == _gold(A, y)[:, None])).sum(axis=0), dtype=np.int64)


def lf_incorrect(L: Any, y: Any) -> npt.NDArray[np.int64]:
    """Per LF: number of labeled rows where the LF's label differs from ``y``."""
    A = _arr(L)
    return np.asarray((_labeled(A) & (A != _gold(A, y)[:, None])).sum(axis=0), dtype=np.int64)


def lf_empirical_accuracies(L: Any, y: Any) -> FloatArray:
    """Per LF: correct / labeled rows (NaN when the LF labels nothing)."""
    A = _arr(L)
    correct = lf_correct(A, y)
    covered = _labeled(A).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(covered > 0, correct / np.maximum(covered, 1), np.nan)


def label_coverage(L: Any) -> float:
    """Fraction of rows at least one LF labels."""
    A = _arr(L)
    return float((_votes_per_row(A) > 0).mean()) if A.shape[0] else float("nan")


def label_overlap(L: Any) -> float:
    """Fraction of rows at least two LFs label."""
    A = _arr(L)
    return float((_votes_per_row(A) > 1).mean()) if A.shape[0] else float("nan")


def label_conflict(L: Any) -> float:
    """Fraction of rows where LFs disagree."""
    A = _arr(L)
    return float(_conflicted_rows(A).mean()) if A.shape[0] else float("nan")


def _pair_counts(A: npt.NDArray[np.integer[Any]], k: int) -> tuple[FloatArray, FloatArray]:
    """(rows both LFs label, rows both label with the same label), as m x m counts."""
    m = A.shape[1]
    both = np.zeros((m, m))
    same = np.zeros((m, m))
    for start in range(0, A.shape[0], _BLOCK):
        block = A[start : start + _BLOCK]
        V = (block != -1).astype(np.float32)
        both += V.T @ V
        for c in range(k):
            X = (block == c).astype(np.float32)
            same += X.T @ X
    return both, same


def agreement_matrix(L: Any, cardinality: int | None = None) -> FloatArray:
    """m x m: fraction of rows where LFs i and j both vote and agree (diagonal: coverage)."""
    A, k = as_label_array(L, cardinality)
    n = max(A.shape[0], 1)
    return np.asarray(_pair_counts(A, k)[1] / n, dtype=np.float64)


def conflict_matrix(L: Any, cardinality: int | None = None) -> FloatArray:
    """m x m: fraction of rows where LFs i and j both vote and disagree (diagonal: 0)."""
    A, k = as_label_array(L, cardinality)
    n = max(A.shape[0], 1)
    both, same = _pair_counts(A, k)
    return np.asarray((both - same) / n, dtype=np.float64)
