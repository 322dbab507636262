"""The report's typed per-LF record: plain arrays, the same numbers as summarize()."""

from __future__ import annotations

import numpy as np

from lf import LabelMatrix, summarize
from lf.report.record import record_of
from lf.summary import lf_record


def _L() -> LabelMatrix:
    A = np.array([[0, -1, 1], [0, 0, -1], [-1, -1, -1], [1, 1, 1]], np.int8)
    return LabelMatrix(A, names=["a", "b", "c"], errors=[0, 2, 0], seconds=[0.1, 0.2, 0.3])


def test_the_record_round_trips_through_the_summary_frame():
    L, y = _L(), np.array([0, 0, 1, 1])
    for gold in (None, y):
        rec = lf_record(L, y=gold)
        back = record_of(summarize(L, y=gold))
        assert rec.names == back.names == ("a", "b", "c")
        assert rec.polarity == back.polarity == ((0, 1), (0, 1), (1,))
        for field in ("coverage", "overlaps", "conflicts", "emp_acc", "learned_acc", "seconds", "errors"):
            np.testing.assert_array_equal(getattr(rec, field), getattr(back, field))
        if gold is None:
            assert rec.correct is None and back.correct is None
        else:
            assert rec.correct.dtype == np.int64 and rec.correct.tolist() == back.correct.tolist() == [3, 2, 1]


def test_rows_are_plain_values_with_none_for_missing():
    row = next(lf_record(_L()).rows())
    assert row == {
        "name": "a", "polarity": [0, 1], "coverage": 0.75, "overlaps": 0.75, "conflicts": 0.25,
        "correct": None, "incorrect": None, "emp_acc": None, "emp_acc_n": None, "emp_acc_low": None,
        "emp_acc_high": None, "learned_acc": None, "errors": 0, "seconds": 0.1,
    }
