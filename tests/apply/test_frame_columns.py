"""Column labels of a DataFrame as pandas has them: numbers, twice the same name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, keyword_lf, labeling_function
from lf.errors import DataError


@labeling_function()
def first_is_a(x):
    return 1 if x.text == "a b" else ABSTAIN


def test_text_and_id_columns_named_by_a_frames_integer_labels() -> None:
    # pd.DataFrame(X) numbers its columns 0, 1 ...: text_column=0 is its first column
    frame = pd.DataFrame(np.array([["a b", "r1"], ["c", "r2"]], dtype=object))
    L = lf.apply([keyword_lf("b", ["b"], 1), first_is_a], frame, text_column=0, id_column=1)
    assert L.array.tolist() == [[1, 1], [ABSTAIN, ABSTAIN]]
    assert L.row_ids.tolist() == ["r1", "r2"]
    with pytest.raises(DataError, match=r"`text_column` '0' is not a column of the data\. Available columns: 0, 1\."):
        lf.apply([first_is_a], frame, text_column="0")


def test_duplicated_column_names_are_a_data_error_for_batch_lfs_too() -> None:
    frame = pd.DataFrame([["a b", "x"], ["c", "a"]], columns=["text", "text"])
    for lfs in ([keyword_lf("b", ["b"], 1)], [first_is_a]):
        with pytest.raises(DataError, match=r"The data has duplicated column names \(text\); an LF reads fields by name"):
            lf.apply(lfs, frame)
    later = [pd.DataFrame({"text": ["a b"]}), frame]  # the second frame of an iterable
    with pytest.raises(DataError, match=r"duplicated column names \(text\)"):
        lf.apply([keyword_lf("b", ["b"], 1)], later)
