"""Shared numerics for the label models: distinct rows, co-occurrence counts, scoring.

Pure functions over plain arrays (numpy / scipy only). Everything a model learns from is
computed on the matrix's distinct rows with their counts, so cost follows the number of
patterns, not the number of rows.
"""

from __future__ import annotations

import contextlib
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

from lf.errors import ParameterError
from lf.matrix import LabelMatrix, Patterns, WeightedRows, as_label_array, row_patterns
from lf.models._dense_counts import dense_counts, dense_is_cheaper, dense_vote_tally

__all__ = [
    "MatrixCounts",
    "Moments",
    "active_votes",
    "agreement_counts",
    "check_matrix",
    "cooccurrence",
    "fast_patterns",
    "moments",
    "one_blas_thread",
    "onehot",
    "posterior",
    "resolve_class_balance",
    "rows_for",
    "score_rows",
    "shares_of_tally",
    "vote_shares",
    "vote_tally",
]

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]

def one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread for the block (threadpoolctl, a dependency of lf's).

    The models' matrix products are small: several BLAS threads per process on a shared
    machine cost far more in contention than they save (2 cores, BLAS free to use both:
    the 2,000 x 3 LFs x 200 classes fit took 11.6 s instead of 2.5 s, the 1,749 x 164
    sparse LFs one 21.4 s instead of 1.5 s, while another process kept the cores busy).
    """
    from threadpoolctl import threadpool_limits

    limits: contextlib.AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def check_lf_count(model: str, min_lfs: int, m: int, what: str = "") -> None:
    """``model`` needs ``min_lfs`` LFs: say so, and what works with fewer."""
    if m < min_lfs:
        raise ParameterError(
            f"{model} needs at least {min_lfs} LFs. Got {what + ' ' if what else ''}{m}. Write more LFs, or "
            "use a model that works with fewer: MajorityVoter ('mv') or DawidSkene."
        )


def check_matrix(L: Any, cardinality: int | None, *, min_lfs: int = 1, model: str = "model") -> tuple[IntArray, int]:
    """Validate a matrix for ``fit``: 2-d, labels in range, enough LFs and rows."""
    if cardinality is not None and (
        isinstance(cardinality, (bool, np.bool_)) or not isinstance(cardinality, (int, np.integer)) or cardinality < 2
    ):
        raise ParameterError(f"`cardinality` must be an integer >= 2 (the number of classes). Got {cardinality!r}.")
    if isinstance(L, LabelMatrix) and cardinality is not None and cardinality != L.cardinality:
        raise ParameterError(
            f"`cardinality` is {cardinality} but the LabelMatrix has cardinality {L.cardinality}."
        )
    A, k = as_label_array(L, cardinality)
    n, m = A.shape
    check_lf_count(model, min_lfs, m, "a matrix with")
    if n == 0:
        raise ParameterError(f"{model} cannot be fitted on an empty label matrix (0 rows).")
    return A, k


def resolve_class_balance(class_balance: Any, k: int) -> FloatArray | None:
    """``None`` stays ``None`` (estimate it); anything else is validated."""
    from lf.models.base import check_class_balance

    return None if class_balance is None else check_class_balance(class_balance, k)


class Moments(NamedTuple):
    """What the moment-based models (matrix completion, triplet) fit from."""

    A: IntArray
    k: int
    O: FloatArray  # agreement counts (m*k x m*k)
    n: float  # rows counted in O
    p: FloatArray  # class balance: given, or estimated from vote shares
    rows: IntArray  # the rows counted: distinct ones (or all of them, when grouping costs more)
    counts: npt.NDArray[np.int64]  # how many times each occurs


class MatrixCounts:
    """Counts of one checked matrix that a fit and the checks after it share, each taken on
    first use and then kept: at 1,000,000 x 20 dense LFs the agreement counts cost a
    quarter of a second, and the moment fit and the overconfidence check both read them.

    Made by ``fit`` for its matrix and dropped when ``fit`` returns; :meth:`for_matrix`
    hands the kept counts out only for that very matrix object (whose array the model never
    writes), so no count outlives, or is read for, another matrix.
    """

    def __init__(self, A: IntArray, k: int) -> None:
        self.A, self.k = A, k
        self._agreement: tuple[FloatArray, Patterns] | None = None
        self._tally: FloatArray | None = None  # votes by label and votes per row, if counted

    def for_matrix(self, A: IntArray, k: int) -> MatrixCounts:
        """These counts if they are ``A``'s with ``k`` classes, else fresh ones for ``A``."""
        return self if A is self.A and k == self.k else MatrixCounts(A, k)

    def agreement(self) -> tuple[FloatArray, Patterns]:
        """:func:`agreement_counts` of the matrix."""
        if self._agreement is None:
            O, pat, self._tally = _agreement_and_tally(self.A, self.k)
            self._agreement = O, pat
        return self._agreement

    def votes(self) -> tuple[FloatArray, int]:
        """:func:`vote_tally` of the matrix: read off the agreement counts' diagonal when
        they have been taken (the same integers), else tallied."""
        if self._agreement is None:
            return vote_tally(self.A, self.k)
        O, pat = self._agreement
        m = self.A.shape[1]
        return np.diag(O).reshape(m, self.k).copy(), int(pat.counts.sum())

    def vote_shares(self) -> FloatArray:
        """:func:`vote_shares` of the matrix, from the tally its agreement counts came with
        when they were counted on the dense path (the same integers)."""
        pat = self.agreement()[1]
        if self._tally is not None:
            return shares_of_tally(self._tally)
        return vote_shares(pat.rows, pat.counts, self.k)


def vote_tally(A: IntArray, k: int) -> tuple[FloatArray, int]:
    """``m x k`` votes of each LF for each class, and the number of rows (a pattern table's
    rows count as many times as they stand for; its rows with a count of 0 not at all)."""
    m = A.shape[1]
    counts = A.counts if isinstance(A, WeightedRows) and A.counts.shape == (A.shape[0],) else None
    tally = np.zeros(m * (k + 1))
    shift = (np.arange(m) * (k + 1) + 1).astype(np.int32)
    for s in range(0, A.shape[0], _CHUNK):  # bounded int32 temporaries
        codes = np.asarray(A[s : s + _CHUNK]).astype(np.int32) + shift
        w = None if counts is None else np.repeat(counts[s : s + _CHUNK].astype(np.float64), m)
        tally += np.bincount(codes.ravel(), weights=w, minlength=tally.size)
    n = int(counts.sum()) if counts is not None else A.shape[0]
    return tally.reshape(m, k + 1)[:, 1:].copy(), n


def moments(A: IntArray, k: int, p: FloatArray | None, counts: MatrixCounts | None = None) -> Moments:
    """Agreement counts of a checked matrix, and the class balance (given, else vote shares).
    ``counts``: those a fit shares with its checks (see :class:`MatrixCounts`)."""
    shared = MatrixCounts(A, k) if counts is None else counts.for_matrix(A, k)
    O, pat = shared.agreement()
    if p is None:
        p = shared.vote_shares()
    return Moments(A, k, O, float(pat.counts.sum()), p, pat.rows, pat.counts)


# Distinct rows with counts and inverse: the one implementation lives in lf.matrix.
fast_patterns = row_patterns


# Measured on numpy 2.x: hashing + sorting a row costs about as much as ~10-20 vote pairs in
# ``cooccurrence`` or ~200 multiply-adds when scoring. Below that, grouping rows into patterns
# costs more than it saves, so the work is done on the rows directly (same result: every
# statistic here is a count-weighted sum over rows).
PAIRS_PER_HASH = 20.0
SCORE_OPS_PER_HASH = 200.0
_CHUNK = 1 << 18


_SAMPLE = 1 << 15


def rows_for(A: IntArray, k: int, *, work_per_row: float, inverse: bool = True) -> Patterns:
    """Distinct rows (:func:`fast_patterns`) when that saves work, else every row with count 1.

    Grouping pays when the work per row outweighs hashing it and rows repeat: on a large
    matrix a sample of rows is grouped first, and if most of its rows are distinct (dense
    LFs, many patterns) the rows are used as they are.
    """
    if isinstance(A, WeightedRows):  # rows that stand for counted patterns: group them
        return fast_patterns(A, k, inverse=inverse)
    n = A.shape[0]
    if work_per_row > 1.0 and n > 1 and not _mostly_distinct(A, k, work_per_row):
        return fast_patterns(A, k, inverse=inverse)
    return Patterns(A, np.ones(n, np.int64), np.arange(n if inverse else 0, dtype=np.intp))


def _mostly_distinct(A: IntArray, k: int, work_per_row: float) -> bool:
    """Whether grouping would save less than it costs: the distinct share of a sample of rows
    (evenly spaced, so the result does not depend on a random draw) times the work saved."""
    n = A.shape[0]
    if n <= 4 * _SAMPLE:
        return False
    sample = A[:: n // _SAMPLE][:_SAMPLE]
    distinct = fast_patterns(sample, k, inverse=False).rows.shape[0] / sample.shape[0]
    return bool(distinct * (1.0 + 1.0 / work_per_row) > 1.0)


def pair_work(A: IntArray) -> float:
    """Mean number of vote pairs per row (what ``cooccurrence`` spends per row), per hash cost."""
    if A.shape[0] == 0:
        return 0.0
    active = np.count_nonzero(A[: min(A.shape[0], 65536)] != -1, axis=1).astype(np.float64)
    return float((active * (active + 1) / 2).mean()) / PAIRS_PER_HASH


def score_work(A: IntArray, k: int) -> float:
    """Scoring cost per row (votes x classes), per hash cost."""
    if A.shape[0] == 0:
        return 0.0
    active = np.count_nonzero(A[: min(A.shape[0], 65536)] != -1, axis=1)
    return float(active.mean()) * k / SCORE_OPS_PER_HASH


def agreement_counts(A: IntArray, k: int) -> tuple[FloatArray, Patterns]:
    """Co-occurrence counts of ``A`` (see :func:`cooccurrence`) and the rows they came from.

    Uses the distinct rows when the vote pairs per row make hashing worth it; otherwise
    counts straight from the rows, in chunks.
    """
    O, pat, _ = _agreement_and_tally(A, k)
    return O, pat


def _agreement_and_tally(A: IntArray, k: int) -> tuple[FloatArray, Patterns, FloatArray | None]:
    """:func:`agreement_counts`, and the vote tally of :func:`vote_shares` when the dense
    path counted it in the same pass (else ``None``)."""
    work = pair_work(A)
    pat = rows_for(A, k, work_per_row=work, inverse=False)
    if pat.rows is not A:
        return cooccurrence(pat.rows, pat.counts, k), pat, None
    if dense_is_cheaper(A.shape[1], k, work * PAIRS_PER_HASH):
        O, tally = dense_counts(A, k)
        return O, pat, tally
    O = np.zeros((A.shape[1] * k, A.shape[1] * k))
    for s in range(0, A.shape[0], _CHUNK):
        O += cooccurrence(A[s : s + _CHUNK], pat.counts[s : s + _CHUNK], k)
    return O, pat, None


def active_votes(rows: IntArray, k: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Column codes ``j*k + label`` of the non-abstain votes, row by row, and votes per row."""
    m = rows.shape[1]
    mask = rows != -1
    active = mask.sum(axis=1, dtype=np.int64)
    small = np.dtype(np.int16 if m * k < np.iinfo(np.int16).max else np.int32)
    codes = rows.astype(small) + (np.arange(m) * k).astype(small)
    return np.compress(mask.ravel(), codes.ravel()).astype(np.int32), active


def onehot(rows: IntArray, k: int, weights: npt.ArrayLike | None = None) -> sparse.csr_matrix:
    """``U x (m*k)`` sparse one-hot of the non-abstain votes (column ``j*k + label``)."""
    u, m = rows.shape
    indices, active = active_votes(rows, k)
    indptr = np.zeros(u + 1, np.int64)
    np.cumsum(active, out=indptr[1:])
    data = np.ones(indices.size) if weights is None else np.repeat(np.asarray(weights, float), active)
    return sparse.csr_matrix((data, indices, indptr), shape=(u, m * k))


def cooccurrence(rows: IntArray, counts: npt.NDArray[np.int64], k: int) -> FloatArray:
    """``(m*k) x (m*k)`` weighted counts of rows where LF i votes a and LF j votes b.

    Rows are grouped by how many LFs vote on them; each group's vote pairs go through one
    ``bincount``. The diagonal holds each (LF, label) count. Counts are summed as exact
    integers in float64, so scaling all counts scales the result exactly.
    """
    m = rows.shape[1]
    mk = m * k
    active = (rows != -1).sum(axis=1, dtype=np.int16)
    order = np.argsort(active, kind="stable")  # rows with the same number of votes together
    codes, _ = active_votes(rows[order], k)
    weight = counts[order].astype(np.float64)
    sizes, first, size_counts = np.unique(active[order], return_index=True, return_counts=True)
    out = np.zeros(mk * mk)
    pending: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
    size = 0
    pos = 0
    for a, f, q in zip(sizes.tolist(), first.tolist(), size_counts.tolist()):
        if a == 0:
            continue
        block = codes[pos : pos + q * a].reshape(q, a).astype(np.int64)
        pos += q * a
        s, t = np.triu_indices(a)
        pairs = block[:, s] * mk + block[:, t]
        pending.append((pairs.ravel(), np.broadcast_to(weight[f : f + q, None], pairs.shape).ravel()))
        size += pairs.size
        if size >= max(mk * mk, 1 << 20):  # bounded memory, and few m*k x m*k passes
            out += _tally(pending, mk * mk)
            pending, size = [], 0
    if pending:
        out += _tally(pending, mk * mk)
    O = out.reshape(mk, mk)
    return O + np.triu(O, 1).T


def _tally(pending: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]], size: int) -> FloatArray:
    pairs = np.concatenate([p for p, _ in pending])
    weights = np.concatenate([w for _, w in pending])
    if np.all(weights == 1.0):  # rows, not patterns: plain counts are faster
        return np.asarray(np.bincount(pairs, minlength=size), np.float64)
    return np.asarray(np.bincount(pairs, weights=weights, minlength=size), np.float64)


def vote_shares(rows: IntArray, counts: npt.NDArray[np.int64], k: int) -> FloatArray:
    """Class balance guess without gold labels: mean vote shares over rows some LF labels.

    Vote counts are tallied as exact integers per (votes in the row, label) before dividing,
    so the result depends only on the distribution of rows (a repeated dataset gives the same).
    """
    m = rows.shape[1]
    sample = rows[: min(rows.shape[0], 65536)]
    dense = sample.size > 0 and np.count_nonzero(sample != -1) >= 0.2 * sample.size
    if dense and np.all(counts == 1):  # plain rows, many votes: a bincount per LF, no gather
        tally = dense_vote_tally(rows, k)
    else:
        mask = rows != -1
        active = mask.sum(axis=1)
        labels = np.compress(mask.ravel(), rows.ravel()).astype(np.int64)
        weights = np.repeat(counts, active).astype(np.float64)
        flat = np.bincount(np.repeat(active, active) * k + labels, weights=weights, minlength=(m + 1) * k)
        tally = np.asarray(flat, np.float64).reshape(m + 1, k)
    return shares_of_tally(tally)


def shares_of_tally(tally: FloatArray) -> FloatArray:
    """Mean vote shares over covered rows from the ``(m+1) x k`` tally of votes for each
    label by the number of LFs voting on the row (see :func:`vote_shares`)."""
    m, k = tally.shape[0] - 1, tally.shape[1]
    per_row = tally[1:] / np.arange(1, m + 1)[:, None]
    covered = float(per_row.sum(axis=1).round().sum())  # rows some LF labels (exact integers)
    if covered == 0:
        return np.full(k, 1.0 / k)
    p = np.maximum(per_row.sum(axis=0) / covered, 1e-3)  # every class keeps some mass
    return np.asarray(p / p.sum(), float)


def score_rows(rows: IntArray, log_table: FloatArray, log_prior: FloatArray) -> FloatArray:
    """Normalised posteriors ``P(Y | row)`` from per-(LF, vote) log factors.

    ``log_table`` is ``m x (k+1) x k``: row 0 is the factor for ABSTAIN, row ``1+l`` for a vote
    ``l``. The score of a row is ``log_prior + sum_j log_table[j, vote_j + 1]``.
    """
    u, m = rows.shape
    k = log_prior.size
    base = log_prior + log_table[:, 0, :].sum(axis=0)
    diff = (log_table[:, 1:, :] - log_table[:, :1, :]).reshape(m * k, k)
    S = onehot(rows, k) @ diff + base if u else np.zeros((0, k))
    S -= S.max(axis=1, keepdims=True)
    np.exp(S, out=S)
    S /= S.sum(axis=1, keepdims=True)
    return np.asarray(S)


def posterior(A: IntArray, log_table: FloatArray, log_prior: FloatArray) -> FloatArray:
    """:func:`score_rows` for every row of ``A``, through the distinct rows when that pays."""
    k = log_prior.size
    pat = rows_for(A, k, work_per_row=score_work(A, k))
    if pat.rows is not A:
        return score_rows(pat.rows, log_table, log_prior)[pat.inverse]
    out = np.empty((A.shape[0], k))
    for s in range(0, A.shape[0], _CHUNK):  # bounded temporaries
        out[s : s + _CHUNK] = score_rows(A[s : s + _CHUNK], log_table, log_prior)
    return out
