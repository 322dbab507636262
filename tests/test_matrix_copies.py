"""A LabelMatrix's labels cannot change under its kept patterns: not through the arrays it
hands out, nor a copy, nor the arrays it was made from."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest

import lf
from lf import LabelMatrix

A = np.array([[0, 1, -1], [1, 1, 0], [0, -1, -1], [1, 1, 0]], dtype=np.int8)


def _lm() -> LabelMatrix:
    return LabelMatrix(A, names=["a", "b", "c"], labels=["HAM", "SPAM"], row_ids=[10, 11, 12, 13])


@pytest.mark.parametrize("clone", [lambda L: pickle.loads(pickle.dumps(L)), copy.deepcopy], ids=["pickle", "deepcopy"])
def test_a_pickled_or_deep_copied_matrix_stays_read_only(clone) -> None:
    L = _lm()
    before = lf.summarize(L)["coverage"].tolist()  # patterns computed and kept
    back = clone(L)
    assert back == L
    with pytest.raises(ValueError, match="read-only"):
        back.array[2, 2] = 1  # would leave its kept patterns, and every statistic, stale
    with pytest.raises(ValueError, match="read-only"):
        back.row_ids[0] = 99
    assert lf.summarize(back)["coverage"].tolist() == before


def test_np_array_of_a_matrix_is_a_writable_copy() -> None:
    # Snorkel users write `L = np.array(L); L[L == 2] = -1`
    L = _lm()
    L.patterns()
    arr = np.array(L)
    arr[arr == 0] = -1
    assert L.array.tolist() == A.tolist()
    assert np.asarray(L) is L.array and not np.asarray(L).flags.writeable
    assert np.array(L, dtype=np.int64).tolist() == A.tolist()
    assert L.patterns().counts.sum() == 4 and lf.analysis.label_coverage(L) == 1.0


def test_row_ids_do_not_follow_the_callers_array() -> None:
    ids = np.array([10, 11, 12, 13])
    L = LabelMatrix(A, row_ids=ids)
    ids[0] = 99
    assert L.row_ids.tolist() == [10, 11, 12, 13]
    with pytest.raises(ValueError, match="read-only"):
        L.row_ids[1] = 7
    frame = pd.DataFrame({"id": [1, 2], "text": ["a", "b"]})
    M = lf.apply([lf.LabelingFunction("a", lambda x: 1 if x.text == "a" else -1)], frame)
    frame.loc[0, "id"] = 777
    assert M.row_ids.tolist() == [1, 2]


def test_matrices_naming_their_classes_otherwise_are_not_equal() -> None:
    L = LabelMatrix(A, labels=["HAM", "SPAM"])
    assert L == LabelMatrix(A, labels=("HAM", "SPAM"))
    assert L != LabelMatrix(A, labels=["SPAM", "HAM"])  # class 1 is another label in each
    assert (L == LabelMatrix(A, labels=["SPAM", "HAM"])) is False


def test_the_kept_patterns_are_read_only() -> None:
    # `rows, counts, _ = L.patterns(); rows[rows == -1] = 0` changed the patterns every
    # later statistic and model fit of L reads.
    L = _lm()
    before = lf.summarize(L)["coverage"].tolist()
    for clone in (L, pickle.loads(pickle.dumps(L))):
        for arr in (*clone.patterns(), *clone.patterns(inverse=False)[:2]):
            with pytest.raises(ValueError, match="read-only"):
                arr[...] = 0
        assert lf.summarize(clone)["coverage"].tolist() == before
