"""``fit_patterns`` for a model that fits on rows (one an installed package registers, or
SnorkelLabelModel) rebuilds the rows: a table of more rows than memory holds is a
DataError naming the count and the models that fit from patterns, not numpy's MemoryError."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lf.errors import DataError
from lf.matrix import PatternTable
from lf.models import BaseLabelModel


class Prior(BaseLabelModel):
    """The class balance on every row: a model that reads its rows."""

    def _fit(self, L: Any, A: Any, k: int, class_balance: Any) -> None:
        self.cardinality_ = k
        self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance
        self.rows_seen_ = A.shape[0]

    def predict_proba(self, L: Any) -> Any:
        return np.tile(self.class_balance_, (self._check_L(L).shape[0], 1))


ROWS = np.array([[0, 1, -1], [1, 1, 1], [-1, -1, -1]])


def test_a_table_of_more_rows_than_memory_is_a_data_error_naming_them() -> None:
    table = PatternTable(ROWS, np.array([10**15, 3, 1]), ("a", "b", "c"), 2)
    with pytest.raises(DataError, match=r"Prior fits on rows.*1,000,000,000,000,004 rows of 3 LFs.*LabelModel"):
        Prior().fit_patterns(table)


def test_a_table_that_fits_is_rebuilt_as_its_rows() -> None:
    model = Prior().fit_patterns(PatternTable(ROWS, np.array([5, 3, 1]), ("a", "b", "c"), 2))
    assert model.rows_seen_ == 9
