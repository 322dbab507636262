"""Agreement counts of a dense label matrix in one pass over its columns.

When most rows are distinct and many LFs vote on each row, grouping rows into patterns saves
nothing and listing each row's vote pairs costs a sort and a gather per row. Here LFs are
packed ``c`` to a group into one small integer code per row (``(k+1)^c`` values, ABSTAIN
included), and each pair of groups is tallied by one ``bincount`` of a combined code; the
``(k+1)^c x (k+1)^c`` tables are then summed down to the per-LF-pair blocks. The counts are
exact integers, the same as :func:`lf.models._stats.cooccurrence` gives on unit counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["dense_cooccurrence", "dense_is_cheaper", "dense_vote_tally"]

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]

MAX_PAIR_BINS = 1 << 14  # bins per bincount of a pair of groups: small enough for the cache
_CHUNK = 1 << 18


def group_size(k: int) -> int:
    """LFs per group: the most whose pair tables stay within ``MAX_PAIR_BINS`` bins (>= 1)."""
    b, c = k + 1, 1
    while b ** (2 * (c + 1)) <= MAX_PAIR_BINS:
        c += 1
    return c


def dense_is_cheaper(m: int, k: int, pairs_per_row: float) -> bool:
    """Whether a ``bincount`` per pair of groups beats listing each row's vote pairs.

    One bincount element costs at most a fifth of a listed pair (measured on numpy 2.x: a
    listed pair needs the sort, gather and code arithmetic per row).
    """
    g = -(-m // group_size(k))
    return g * (g + 1) / 2 <= 5.0 * pairs_per_row


def _codes(A: IntArray, k: int, cols: list[int]) -> npt.NDArray[np.integer[Any]]:
    """One base-(k+1) code per row for the LFs ``cols`` (first LF most significant)."""
    b = k + 1
    dtype = np.dtype(np.uint8) if b ** len(cols) <= 256 else np.dtype(np.int32)
    code: npt.NDArray[np.integer[Any]] = np.zeros(A.shape[0], dtype)
    for col in cols:
        code = code * b + (A[:, col] + 1).astype(dtype)
    return np.asarray(code, dtype)


def dense_cooccurrence(A: IntArray, k: int) -> FloatArray:
    """``(m*k) x (m*k)`` counts of rows where LF i votes a and LF j votes b (unit row counts).

    Memory: the group codes (at most one byte per row and group when ``k < 15``) and one
    pair table at a time.
    """
    n, m = A.shape
    b, c = k + 1, group_size(k)
    groups = [list(range(s, min(s + c, m))) for s in range(0, m, c)]
    codes = [_codes(A, k, g) for g in groups]
    sizes = [b ** len(g) for g in groups]
    O = np.zeros((m * k, m * k))
    for g in range(len(groups)):
        _decode(O, np.bincount(codes[g], minlength=sizes[g]), groups[g], None, b, k)
        for h in range(g + 1, len(groups)):
            t = np.zeros(sizes[g] * sizes[h], np.int64)
            for s in range(0, n, _CHUNK):  # bounded int32 temporaries
                joint = codes[g][s : s + _CHUNK].astype(np.int32) * sizes[h] + codes[h][s : s + _CHUNK]
                t += np.bincount(joint, minlength=sizes[g] * sizes[h])
            _decode(O, t, groups[g], groups[h], b, k)
    return O + np.triu(O, 1).T


def _decode(O: FloatArray, t: npt.NDArray[np.int64], cols: list[int], other: list[int] | None, b: int, k: int) -> None:
    """Sum a group table down to the LF-pair blocks of ``O`` (upper triangle and diagonal)."""
    if other is None:
        T = t[: b ** len(cols)].reshape((b,) * len(cols)).astype(np.float64)
        for x, i in enumerate(cols):
            own = T.sum(axis=tuple(a for a in range(len(cols)) if a != x))
            O[i * k + np.arange(k), i * k + np.arange(k)] = own[1:]
            for y in range(x + 1, len(cols)):
                j = cols[y]
                M = T.sum(axis=tuple(a for a in range(len(cols)) if a not in (x, y)))
                O[i * k : i * k + k, j * k : j * k + k] = M[1:, 1:]
        return
    T = t.reshape((b,) * (len(cols) + len(other))).astype(np.float64)
    axes = len(cols) + len(other)
    for x, i in enumerate(cols):
        for y, j in enumerate(other):
            M = T.sum(axis=tuple(a for a in range(axes) if a not in (x, len(cols) + y)))
            O[i * k : i * k + k, j * k : j * k + k] = M[1:, 1:]


def dense_vote_tally(A: IntArray, k: int) -> FloatArray:
    """``(m+1) x k`` counts of votes for each label, by the number of LFs voting on the row."""
    n, m = A.shape
    b = k + 1
    tally = np.zeros((m + 1) * b, np.int64)
    for s in range(0, n, _CHUNK):
        chunk = A[s : s + _CHUNK]
        base = np.count_nonzero(chunk != -1, axis=1).astype(np.int32) * b + 1
        for j in range(m):
            tally += np.bincount(base + chunk[:, j], minlength=(m + 1) * b)
    return np.asarray(tally.reshape(m + 1, b)[:, 1:], np.float64)
