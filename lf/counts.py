"""Pattern counts accumulated chunk by chunk (or partition by partition): additive, exact.

A run that never holds its label matrix keeps these instead: each chunk's distinct rows
(with the gold label as one more column, when there is one) and how often each occurs.
Counts from any split of the rows merge into the same :class:`~lf.matrix.PatternTable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import PatternTable, row_patterns

__all__ = ["PatternCounter", "chunk_patterns"]


def chunk_patterns(
    labels: npt.NDArray[np.integer[Any]], gold: npt.NDArray[np.int64] | None = None
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int64]]:
    """Distinct rows of one chunk (gold appended as the last column) with their counts."""
    cols = labels.astype(np.int16) if gold is None else np.column_stack([labels.astype(np.int16), gold.astype(np.int16)])
    if cols.shape[0] == 0:
        return cols, np.zeros(0, np.int64)
    top = int(cols.max()) if cols.size else 1
    pat = row_patterns(cols, max(2, top + 1), inverse=False)
    return np.asarray(pat.rows, np.int16), pat.counts


class PatternCounter:
    """Adds up pattern counts; :meth:`table` gives them as a PatternTable in lexicographic order."""

    def __init__(self, m: int, *, gold: bool = False) -> None:
        self.m = m
        self.gold = gold
        self._index: dict[bytes, int] = {}
        self._rows: list[npt.NDArray[np.int16]] = []
        self._counts: list[int] = []

    def add(self, labels: npt.NDArray[np.integer[Any]], gold: npt.NDArray[np.int64] | None = None) -> None:
        """Count one chunk's rows (with their gold labels when the counter keeps gold)."""
        if self.gold != (gold is not None):
            raise ParameterError("Gold labels must be given exactly when the PatternCounter keeps them (gold=True).")
        rows, counts = chunk_patterns(labels, gold)
        self.merge(rows, counts)

    def merge(self, rows: npt.NDArray[np.int16], counts: npt.NDArray[np.int64]) -> None:
        """Add counts of distinct rows (from :func:`chunk_patterns`, on any machine)."""
        index, known = self._index, self._counts
        for row, c in zip(rows, counts.tolist()):
            key = row.tobytes()
            at = index.get(key)
            if at is None:
                index[key] = len(known)
                self._rows.append(row)
                known.append(c)
            else:
                known[at] += c

    @property
    def n(self) -> int:
        return int(sum(self._counts))

    def table(
        self,
        names: Sequence[str],
        cardinality: int,
        *,
        labels: Sequence[str] | None = None,
        errors: npt.ArrayLike | None = None,
        seconds: npt.ArrayLike | None = None,
    ) -> PatternTable:
        width = self.m + (1 if self.gold else 0)
        rows = np.array(self._rows, np.int16).reshape(len(self._rows), width)
        counts = np.array(self._counts, np.int64)
        order = np.lexsort(rows.T[::-1]) if len(rows) else np.zeros(0, np.intp)
        rows, counts = rows[order], counts[order]
        dtype = np.int8 if cardinality <= 127 else np.int16
        return PatternTable(
            np.ascontiguousarray(rows[:, : self.m], dtype=dtype),
            counts,
            tuple(names),
            int(cardinality),
            labels=tuple(labels) if labels else None,
            errors=None if errors is None else np.asarray(errors, np.int64),
            seconds=None if seconds is None else np.asarray(seconds, np.float64),
            gold=rows[:, self.m].astype(np.int64) if self.gold else None,
        )
