"""A fitted model's labels per distinct row of votes, looked up for every row written.

``lf.label`` scores the model on the pattern table (its distinct rows) and writes the
labels row by row. Both take the model's answer from here, once per distinct row of
votes, so the accuracy printed is the one of the file written, and a model whose rule
draws (``MajorityVoter(tie_break="random")``) gives the same row of votes the same label
whatever the chunk size, the engine or the number of processes (as Snorkel's seeded
``"random"`` tie policy does).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import DataError
from lf.matrix import LabelMatrix, PatternTable, row_patterns

__all__ = ["PatternPredictions"]


def _keys(votes: npt.NDArray[Any]) -> list[bytes]:
    wide = np.ascontiguousarray(votes, dtype=np.int16)  # int8 chunks and int16 tables alike
    return [row.tobytes() for row in wide]


class PatternPredictions:
    """``(probabilities, labels)`` of ``model`` for each distinct row of votes of ``table``."""

    def __init__(self, model: Any, table: PatternTable) -> None:
        # the table's rows without their gold (a row of votes may come with several)
        votes = row_patterns(np.asarray(table.rows).reshape(len(table.rows), table.m), table.cardinality, inverse=False).rows
        self.names, self.cardinality, self.label_names = table.names, table.cardinality, table.labels
        self.proba, self.labels = model.predict_both(self._matrix(votes))
        self.prior = np.asarray(model.class_balance_, np.float64)  # an uncovered row's probabilities
        self._index = {key: i for i, key in enumerate(_keys(votes))}

    def _matrix(self, votes: npt.NDArray[Any], row_ids: Any = None) -> LabelMatrix:
        return LabelMatrix(votes, names=self.names, cardinality=self.cardinality, labels=self.label_names, row_ids=row_ids)

    def of(self, votes: npt.NDArray[Any]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """The probabilities and labels of each row of ``votes`` (rows of the table's run)."""
        if not len(votes):
            return self.proba[:0], self.labels[:0]
        # the chunk's distinct rows by their base-(k+1) codes (np.unique(axis=0) compares rows
        # one by one: 50 ms a 20,000-row chunk, a quarter of lf label's time on 1M rows)
        pat = row_patterns(np.asarray(votes), self.cardinality)
        try:
            at = np.array([self._index[key] for key in _keys(pat.rows)], dtype=np.intp)
        except KeyError:
            raise DataError("The stored label matrix holds a row of votes the run did not count; label again.") from None
        where = at[pat.inverse]
        return self.proba[where], self.labels[where]

    def write(
        self, writer: Any, stored: Path, size: int, filter_abstain: bool, uncovered: str, offset: int = 0
    ) -> tuple[Counter[str], int]:
        """The labels of the matrix ``stored`` (rows from ``offset`` on) to ``writer``, chunk
        by chunk; returns the count of each label written and of rows left without one."""
        from lf.output import labels_frame
        from lf.writers import int_ids_with_gaps, read_matrix_chunks

        counts: Counter[str] = Counter()
        unlabeled = 0
        gaps = int_ids_with_gaps(stored)
        for votes, ids in read_matrix_chunks(stored, self.names, size):
            n = votes.shape[0]
            L = self._matrix(votes, ids if ids is not None else np.arange(offset, offset + n))
            proba, best = self.of(votes)
            frame = labels_frame(L, proba, filter_abstain=filter_abstain, uncovered=uncovered, prior=self.prior, predictions=best)
            writer.write(frame.astype({"id": "Int64"}) if gaps else frame)
            counts.update({str(k): int(v) for k, v in frame["label"].value_counts().items()})
            unlabeled += int(frame["label"].isna().sum())
            offset += n
        return counts, unlabeled
