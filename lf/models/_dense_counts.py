"""Agreement counts and vote tally of a dense label matrix in one pass over its columns.

When most rows are distinct and many LFs vote on each row, grouping rows into patterns saves
nothing and listing each row's vote pairs costs a sort and a gather per row. Here LFs are
packed ``c`` to a group into one small integer code per row (``(k+1)^c`` values, ABSTAIN
included), and each pair of groups is tallied by one ``bincount`` of a combined code; the
``(k+1)^c x (k+1)^c`` tables are then summed down to the per-LF-pair blocks. A group with
itself is tallied together with the number of LFs voting on the row, which gives the vote
tally by votes per row (what the vote-share balance guess needs) from the same pass. Rows
are taken a chunk at a time: memory is the tables and one chunk's codes. The counts are
exact integers, the same as :func:`lf.models._stats.cooccurrence` gives on unit counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["dense_counts", "dense_is_cheaper", "dense_vote_tally"]

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

    Measured on numpy 2.x, per row: a pair of groups costs about 6 ns; listing the vote
    pairs costs about 200 ns for the row (its mask, sort and gather) plus 35 ns per pair.
    The rule keeps to the side of listing near the crossing (1,000,000 rows: 20 LFs, k=10
    with 9 pairs a row, 0.29 s by groups against 0.68 s listed; 30 LFs, k=5 with 4 pairs,
    0.47 s against 0.28 s).
    """
    g = -(-m // group_size(k))
    return g * (g + 1) / 2 <= 30.0 + 5.0 * pairs_per_row


class _Groups:
    """Rows of the matrix with the LFs in groups of ``group_size(k)``: each group's code per
    row (first LF most significant digit, base ``k + 1``, ABSTAIN as 0) and the number of
    LFs voting on each row. Made for a chunk of rows at a time: one byte per row and group
    (``k < 127``; a group code has at most 128 values then)."""

    def __init__(self, A: IntArray, k: int) -> None:
        n, m = A.shape
        self.m, self.b, c = m, k + 1, group_size(k)
        self.cols = [list(range(s, min(s + c, m))) for s in range(0, m, c)]
        self.sizes = [self.b ** len(g) for g in self.cols]
        self.codes = [self._code(A, g) for g in self.cols]
        self.active: npt.NDArray[Any] = np.zeros(n, np.int32)
        for g, code in zip(self.cols, self.codes):
            digits = np.indices((self.b,) * len(g)).reshape(len(g), -1)
            voting = np.count_nonzero(digits, axis=0).astype(np.int32)  # LFs voting, by code
            self.active += voting[code]

    def _code(self, A: IntArray, cols: list[int]) -> npt.NDArray[Any]:
        dtype = np.dtype(np.uint8) if self.b ** len(cols) <= 256 else np.dtype(np.int32)
        code: npt.NDArray[Any] = (A[:, cols[0]] + 1).astype(dtype)
        for col in cols[1:]:
            np.multiply(code, self.b, out=code, dtype=dtype)
            np.add(code, (A[:, col] + 1).astype(dtype), out=code)
        return code

    def own_table(self, g: int) -> npt.NDArray[np.int64]:
        """Counts of rows by votes per row and group ``g``'s code (``(m+1) * size``, flat)."""
        size = self.sizes[g]
        return np.bincount(self.active * size + self.codes[g], minlength=(self.m + 1) * size)

    def pair_table(self, g: int, h: int) -> npt.NDArray[np.int64]:
        """Counts of rows by group ``g``'s code and group ``h``'s (``size_g * size_h``, flat)."""
        bins = self.sizes[g] * self.sizes[h]
        joint = np.multiply(self.codes[g], self.sizes[h], dtype=np.uint16 if bins <= 1 << 16 else np.int64)
        joint += self.codes[h]
        return np.bincount(joint, minlength=bins)


def dense_counts(A: IntArray, k: int) -> tuple[FloatArray, FloatArray]:
    """``(m*k) x (m*k)`` counts of rows where LF i votes a and LF j votes b (unit row counts),
    and :func:`dense_vote_tally`, from one pass over the columns, a chunk of rows at a time."""
    n, m = A.shape
    tables: dict[tuple[int, int], npt.NDArray[np.int64]] = {}  # (g, g): own table, (g, h): pair
    for s in range(0, max(n, 1), _CHUNK):
        grp = _Groups(A[s : s + _CHUNK], k)
        for g in range(len(grp.sizes)):
            for h in range(g, len(grp.sizes)):
                t = grp.own_table(g) if h == g else grp.pair_table(g, h)
                tables[g, h] = tables[g, h] + t if (g, h) in tables else t
    b, cols = grp.b, grp.cols
    O = np.zeros((m * k, m * k))
    tally = np.zeros((m + 1, k))
    for (g, h), t in tables.items():
        if g == h:
            T = t.reshape(m + 1, -1)
            _add_tally(tally, T, len(cols[g]), b)
            _decode(O, T.sum(axis=0), cols[g], None, b, k)
        else:
            _decode(O, t, cols[g], cols[h], b, k)
    return O + np.triu(O, 1).T, tally


def dense_vote_tally(A: IntArray, k: int) -> FloatArray:
    """``(m+1) x k`` counts of votes for each label, by the number of LFs voting on the row."""
    m = A.shape[1]
    tally = np.zeros((m + 1, k))
    for s in range(0, A.shape[0], _CHUNK):
        grp = _Groups(A[s : s + _CHUNK], k)
        for g in range(len(grp.sizes)):
            _add_tally(tally, grp.own_table(g).reshape(m + 1, -1), len(grp.cols[g]), grp.b)
    return tally


def _add_tally(tally: FloatArray, own: npt.NDArray[np.int64], c: int, b: int) -> None:
    """Add each LF's votes by label, by votes per row, from a group's ``own_table``."""
    T = own.reshape((own.shape[0],) + (b,) * c).astype(np.float64)
    for x in range(c):
        tally += T.sum(axis=tuple(1 + a for a in range(c) if a != x))[:, 1:]


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
