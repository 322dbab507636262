"""Pure functions over a label matrix ``L`` (n x m, ABSTAIN = -1), gold labels ``y`` and models.

Definitions follow Snorkel's ``LFAnalysis`` where Snorkel has the number:

* coverage: fraction of rows the LF labels;
* overlaps: fraction of rows the LF labels and at least one other LF labels too;
* conflicts: fraction of rows the LF labels and some other LF gives a different label;
* correct / incorrect: labeled rows where the LF equals / differs from the gold label;
* empirical accuracy: correct / labeled (NaN for an LF that labels nothing, where Snorkel
  reports 0).

Gold labels ``y``, one on every row, are read by :func:`gold_labels` here and in
:func:`lf.summarize` alike: class ids (any integer dtype, pandas' nullable ones, whole
floats), or label names of the matrix. -1 (a row without gold, which ``model.score``
leaves out) is refused, as is a missing value (Snorkel counts such rows in its empirical
accuracy's denominator but not in its Incorrect column), and so are numbers where the
label names are numbers that are not their own class ids (``["1", "0"]``).

Every number is a count-weighted sum over the matrix's distinct rows (its patterns,
computed once per :class:`~lf.LabelMatrix` and kept), so the cost follows the number of
patterns, not of rows. ``L`` may also be a :class:`~lf.matrix.PatternTable` (patterns with
counts, as a streaming or distributed run accumulates them). Only numpy is used here;
:func:`lf.summarize` turns these into a DataFrame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import (
    LabelMatrix,
    PatternTable,
    as_gold_array,
    as_label_array,
    check_gold_range,
    row_patterns,
)

__all__ = [
    "agreement_matrix",
    "conflict_matrix",
    "gold_labels",
    "gold_patterns",
    "identical_lfs",
    "label_conflict",
    "label_coverage",
    "label_overlap",
    "lf_chance_accuracies",
    "lf_conflicts",
    "lf_correct",
    "lf_coverages",
    "lf_empirical_accuracies",
    "lf_empirical_probs",
    "lf_incorrect",
    "lf_overlaps",
    "lf_polarities",
    "near_copies",
]

FloatArray = npt.NDArray[np.float64]
NEAR_COPY = 0.8  # share of the rows either LF votes on where both give the same vote
NEAR_COPY_ROWS = 20  # rows either votes on, at least
_BLOCK = 262_144  # patterns per block in the m x m products, to bound memory
IntArray = npt.NDArray[np.integer[Any]]


class _Weighted:
    """Distinct rows, how many rows each stands for, and (with gold) each one's gold label."""

    __slots__ = ("counts", "gold", "k", "n", "rows")

    def __init__(self, rows: IntArray, counts: npt.NDArray[np.int64], k: int, gold: npt.NDArray[np.int64] | None) -> None:
        self.rows, self.counts, self.k, self.gold = rows, counts, k, gold
        self.n = int(counts.sum())

    def frac(self, mask: npt.NDArray[np.bool_]) -> FloatArray:
        """Per column: the fraction of all rows where ``mask`` holds (NaN without rows)."""
        if self.n == 0:
            return np.full(mask.shape[1], np.nan)
        return np.asarray(self.total(mask) / self.n, dtype=np.float64)

    def total(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.asarray(self.counts @ mask.astype(np.int64), dtype=np.int64)


def _weighted(L: Any, y: Any = None, cardinality: int | None = None) -> _Weighted:
    if isinstance(L, PatternTable):
        if y is not None:
            raise ParameterError("A PatternTable carries its gold labels: pass `y` when building it, not here.")
        rows, k = as_label_array(L.rows, L.cardinality)  # labels in range, as a LabelMatrix has them
        return _Weighted(rows, L.counts, k, L.gold)
    A, k = as_label_array(L, cardinality)
    if y is None:
        pat = L.patterns(inverse=False) if isinstance(L, LabelMatrix) else row_patterns(A, k, inverse=False)
        return _Weighted(pat.rows, pat.counts, k, None)
    gold = gold_labels(L if isinstance(L, LabelMatrix) else A, y, k if isinstance(L, LabelMatrix) or cardinality is not None else None)
    pat = L.patterns() if isinstance(L, LabelMatrix) else row_patterns(A, k)
    if gold.size == 0:
        return _Weighted(pat.rows, pat.counts, k, gold)
    lo = int(gold.min())
    span = int(gold.max()) - lo + 1
    keys, counts = np.unique(pat.inverse.astype(np.int64) * span + (gold - lo), return_counts=True)
    return _Weighted(pat.rows[keys // span], counts.astype(np.int64), k, keys % span + lo)


def _labeled(L: IntArray) -> npt.NDArray[np.bool_]:
    return np.asarray(L != -1, dtype=bool)


def _votes_per_row(L: IntArray) -> npt.NDArray[np.int64]:
    return np.asarray(_labeled(L).sum(axis=1), dtype=np.int64)


def _conflicted_rows(L: IntArray) -> npt.NDArray[np.bool_]:
    """Rows where at least two LFs give different (non-abstain) labels."""
    if L.shape[1] == 0:
        return np.zeros(L.shape[0], bool)
    hi = L.max(axis=1)
    lo = np.where(L == -1, np.int32(np.iinfo(np.int32).max), L.astype(np.int32)).min(axis=1)
    return np.asarray((hi >= 0) & (lo != hi), dtype=bool)


def lf_coverages(L: Any) -> FloatArray:
    """Per LF: fraction of rows it labels."""
    w = _weighted(L)
    return w.frac(_labeled(w.rows))


def lf_overlaps(L: Any, *, normalize_by_coverage: bool = False) -> FloatArray:
    """Per LF: fraction of rows it labels together with at least one other LF.

    ``normalize_by_coverage`` (Snorkel's option): the fraction of the rows the LF labels
    instead (NaN for an LF that labels nothing, where Snorkel gives 0)."""
    w = _weighted(L)
    labeled = _labeled(w.rows)
    overlaps = w.total(labeled & (_votes_per_row(w.rows) > 1)[:, None])
    return _share(w, overlaps, w.total(labeled) if normalize_by_coverage else None)


def lf_conflicts(L: Any, *, normalize_by_overlaps: bool = False) -> FloatArray:
    """Per LF: fraction of rows it labels where some other LF gives a different label.

    ``normalize_by_overlaps`` (Snorkel's option): the fraction of the rows where it overlaps
    instead (NaN for an LF that never labels with another, where Snorkel gives 0)."""
    w = _weighted(L)
    labeled = _labeled(w.rows)
    conflicts = w.total(labeled & _conflicted_rows(w.rows)[:, None])
    return _share(w, conflicts, w.total(labeled & (_votes_per_row(w.rows) > 1)[:, None]) if normalize_by_overlaps else None)


def _share(w: _Weighted, part: npt.NDArray[np.int64], whole: npt.NDArray[np.int64] | None) -> FloatArray:
    """``part / whole`` per LF (NaN where ``whole`` is 0); ``whole`` None: of all rows."""
    if whole is None:
        return np.asarray(part / w.n, np.float64) if w.n else np.full(part.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(whole > 0, part / np.maximum(whole, 1), np.nan), np.float64)


def lf_polarities(L: Any) -> list[list[int]]:
    """Per LF: the sorted distinct labels it emits."""
    R = _weighted(L).rows
    return [sorted(int(v) for v in np.unique(R[:, j]) if v != -1) for j in range(R.shape[1])]


def gold_labels(L: Any, y: Any, k: int | None) -> npt.NDArray[np.int64]:
    """Gold ``y`` as class ids ``0..k-1`` (``k`` None: any id >= 0), one per row of ``L``.

    ``y`` (shape (n,) or (n, 1)) holds class ids, of any integer dtype (pandas' nullable
    ones too) or whole floats, or label names of ``L`` (any case), as the CLI's ``--gold``.
    -1 (no gold label, as ``model.score`` takes it) is refused: counted, it would be a label
    every LF gets wrong; so are missing values, and numbers where ``L``'s label names are
    numbers that are not their own class ids (:func:`lf.gold.refuse_ambiguous_numbers`)."""
    from lf.gold import gold_ids, refuse_ambiguous_numbers, refuse_reordered_gold

    refuse_reordered_gold(L, y)
    labels = list(L.labels) if isinstance(L, (LabelMatrix, PatternTable)) and L.labels else None
    n = int(L.shape[0]) if hasattr(L, "shape") else len(L)
    values = y
    if hasattr(y, "factorize"):  # pandas: numbers without gaps as numbers, whatever the dtype
        if getattr(y.dtype, "kind", "O") in "biuf" and not y.isna().any():
            values = y.to_numpy()
    else:
        values = np.asarray(y)
        if isinstance(y, list) and values.dtype.kind not in "biuf":
            values = np.asarray(y, dtype=object)  # [0, "HAM"]: not the texts "0", "HAM"
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        gold = as_gold_array(values, n)
        refuse_ambiguous_numbers(labels, "`y`")
        check_gold_range(gold, k, name="y", matrix="L", missing=False)
        return gold
    if np.ndim(values) == 2 and np.shape(values)[1] == 1:  # a column vector, as Snorkel's tests pass
        values = np.asarray(values).ravel()
    if np.ndim(values) != 1 or len(values) != n:
        raise ParameterError(f"`y` must hold one gold label per row: {n} rows, got shape {np.shape(values)}.")
    return gold_ids(values, labels, k, what="`y`")


def gold_patterns(L: LabelMatrix | PatternTable, y: Any) -> PatternTable:
    """``L`` summed up as its distinct (row, gold label) pairs, ``y`` read once by
    :func:`gold_labels`: every function here takes it in place of ``L`` and ``y``."""
    if isinstance(L, PatternTable):
        if y is not None:
            raise ParameterError("A PatternTable carries its gold labels: pass `y` when building it, not here.")
        return L
    w = _weighted(L, y)
    return PatternTable(
        w.rows, w.counts, tuple(L.names), L.cardinality, labels=L.labels, errors=L.errors, seconds=L.seconds,
        gold=w.gold, lf_fingerprints=L.lf_fingerprints,
    )


def _with_gold(L: Any, y: Any, cardinality: int | None = None) -> tuple[_Weighted, npt.NDArray[np.int64]]:
    w = _weighted(L, y, cardinality)
    if w.gold is None:
        raise ParameterError("Gold labels are needed: pass `y` (one gold label per row).")
    return w, w.gold


def lf_correct(L: Any, y: Any = None) -> npt.NDArray[np.int64]:
    """Per LF: number of labeled rows where the LF's label equals ``y``."""
    w, gold = _with_gold(L, y)
    return w.total(_labeled(w.rows) & (w.rows == gold[:, None]))


def lf_incorrect(L: Any, y: Any = None) -> npt.NDArray[np.int64]:
    """Per LF: number of labeled rows where the LF's label differs from ``y``."""
    w, gold = _with_gold(L, y)
    return w.total(_labeled(w.rows) & (w.rows != gold[:, None]))


def lf_empirical_accuracies(L: Any, y: Any = None) -> FloatArray:
    """Per LF: correct / labeled rows (NaN when the LF labels nothing)."""
    w, gold = _with_gold(L, y)
    correct = w.total(_labeled(w.rows) & (w.rows == gold[:, None]))
    covered = w.total(_labeled(w.rows))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(covered > 0, correct / np.maximum(covered, 1), np.nan)


def lf_chance_accuracies(L: Any, y: Any = None) -> FloatArray:
    """Per LF: the accuracy its votes would have by chance, each vote right as often as its
    class is among the gold rows (the mean gold share of the classes it votes, weighted by
    its votes); NaN when the LF labels nothing. An LF whose empirical accuracy is not above
    it tells nothing about the class: 0.5 for two balanced classes, 0.1 for ten, 0.92 for a
    vote for the common class of a 92/8 split."""
    w, gold = _with_gold(L, y)
    k = max(w.k, int(gold.max()) + 1 if gold.size else 0)
    shares = np.bincount(gold, weights=w.counts, minlength=k) / max(w.n, 1)
    votes = np.stack([w.total(w.rows == c) for c in range(k)], axis=1).astype(np.float64)  # m x k
    labeled = votes.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(labeled > 0, votes @ shares / np.maximum(labeled, 1.0), np.nan), np.float64)


def lf_empirical_probs(L: Any, y: Any = None, cardinality: int | None = None) -> FloatArray:
    """Per LF, ``P(outcome = l | Y = c)`` counted on gold: an ``m x (k+1) x k`` array whose
    outcome 0 is ABSTAIN and outcome ``l + 1`` the label ``l`` (Snorkel's
    ``lf_empirical_probs``, the tables a label model learns). A class no gold row holds has
    NaN. ``cardinality``: ``k`` for a plain array (Snorkel's ``k``; a LabelMatrix knows its
    own); without it, a plain array's classes are those its labels or gold hold."""
    w, gold = _with_gold(L, y, cardinality)
    known = isinstance(L, (LabelMatrix, PatternTable)) or cardinality is not None
    k = w.k if known or not gold.size else max(w.k, int(gold.max()) + 1)
    m = w.rows.shape[1]
    table = np.zeros((m, k + 1, k))
    for j in range(m):
        np.add.at(table[j], (w.rows[:, j].astype(np.intp) + 1, gold), w.counts)
    per_class = np.bincount(gold, weights=w.counts, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(per_class > 0, table / per_class, np.nan), np.float64)


def _row_frac(L: Any, rows: Any) -> float:
    w = _weighted(L)
    return float(w.counts[rows(w.rows)].sum() / w.n) if w.n else float("nan")


def label_coverage(L: Any) -> float:
    """Fraction of rows at least one LF labels."""
    return _row_frac(L, lambda R: _votes_per_row(R) > 0)


def label_overlap(L: Any) -> float:
    """Fraction of rows at least two LFs label."""
    return _row_frac(L, lambda R: _votes_per_row(R) > 1)


def label_conflict(L: Any) -> float:
    """Fraction of rows where LFs disagree."""
    return _row_frac(L, _conflicted_rows)


def _pair_counts(w: _Weighted) -> tuple[FloatArray, FloatArray]:
    """(rows both LFs label, rows both label with the same label), as m x m counts."""
    m = w.rows.shape[1]
    both = np.zeros((m, m))
    same = np.zeros((m, m))
    c = w.counts.astype(np.float64)[:, None]  # exact: counts stay far below 2**53
    for start in range(0, w.rows.shape[0], _BLOCK):
        block, cb = w.rows[start : start + _BLOCK], c[start : start + _BLOCK]
        V = (block != -1).astype(np.float64)
        both += V.T @ (V * cb)
        for label in range(w.k):
            X = (block == label).astype(np.float64)
            same += X.T @ (X * cb)
    return both, same


def agreement_matrix(L: Any, cardinality: int | None = None) -> FloatArray:
    """m x m: fraction of rows where LFs i and j both vote and agree (diagonal: coverage)."""
    w = _weighted(L, cardinality=cardinality)
    return np.asarray(_pair_counts(w)[1] / max(w.n, 1), dtype=np.float64)


def conflict_matrix(L: Any, cardinality: int | None = None) -> FloatArray:
    """m x m: fraction of rows where LFs i and j both vote and disagree (diagonal: 0)."""
    w = _weighted(L, cardinality=cardinality)
    both, same = _pair_counts(w)
    return np.asarray((both - same) / max(w.n, 1), dtype=np.float64)


def identical_lfs(L: Any) -> list[list[int]]:
    """Groups of two or more LFs (column indices, ascending) that give the same vote on
    every row and vote on some row: copies that a label model assuming the LFs independent
    counts as separate evidence. Computed on the distinct rows."""
    R = _weighted(L).rows
    if R.shape[0] == 0:
        return []
    voting = np.flatnonzero((R != -1).any(axis=0))
    columns, which = np.unique(R[:, voting].T, axis=0, return_inverse=True)
    groups = [voting[which.ravel() == g].tolist() for g in range(columns.shape[0])]
    return sorted(g for g in groups if len(g) > 1)


def near_copies(L: Any, share: float = NEAR_COPY) -> list[tuple[int, int, int, int]]:
    """``(i, j, same, either)`` for each pair of LFs (``i < j``, not identical) that give the
    same vote on at least ``share`` of the rows either votes on (``same`` of ``either``,
    ``either >= NEAR_COPY_ROWS``), most alike first.

    LFs independent given the class rarely do: two LFs that each vote on a fraction ``c``
    of a class's rows and never elsewhere share ``c / (2 - c)`` of their rows, 0.8 only
    when both find 89% of the class. Copies of one rule, a keyword list and its superset,
    do; a label model assuming independence counts each as separate evidence (three 5%-noisy
    copies of an LF, 69-73% right, were learned as 93-100% right)."""
    w = _weighted(L)
    both, same = _pair_counts(w)
    votes = np.diag(both)
    either = votes[:, None] + votes[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(either > 0, same / np.where(either > 0, either, 1), 0.0)
    i, j = np.nonzero(np.triu((ratio >= share) & (either >= NEAR_COPY_ROWS) & (same < either), 1))
    order = np.argsort(-ratio[i, j], kind="stable")
    return [(int(i[o]), int(j[o]), int(np.rint(same[i[o], j[o]])), int(np.rint(either[i[o], j[o]]))) for o in order]
