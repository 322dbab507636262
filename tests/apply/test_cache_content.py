"""The cache reuses a chunk's labels only when every LF would see the same values.

Each case is two frames whose values hash alike in pandas but differ for an LF (a type, a
sign, a time zone). Applying the first with the cache must not answer for the second: the
cached run on the second equals an uncached run on it, cell for cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, labeling_function


@labeling_function()
def is_true(x):
    return 1 if x.v is True else 0


@labeling_function()
def is_none(x):
    return 1 if x.v is None else 0


@labeling_function()
def is_str(x):
    return 1 if isinstance(x.v, str) else 0


@labeling_function()
def as_text(x):
    return 1 if str(x.v).startswith("-") else 0


@labeling_function()
def morning(x):
    return 1 if x.v.hour < 12 else 0


@labeling_function(batch=True)
def first_code(df):
    return (df["v"].cat.codes == 0).astype(int).to_numpy()


@labeling_function()
def many_tags(x):
    return 1 if len(x.v) > 1 else ABSTAIN


_UTC = pd.to_datetime(["2020-01-01 05:00", "2020-01-01 06:00"]).tz_localize("UTC")
CASES = {
    "bool_vs_int": (is_true, [True, False], [1, 0]),
    "none_vs_nan": (is_none, pd.Series([None, "a"], dtype=object), pd.Series([np.nan, "a"], dtype=object)),
    "str_vs_int_objects": (is_str, pd.Series(["1", "2"], dtype=object), pd.Series([1, 2], dtype=object)),
    "zero_vs_negative_zero": (as_text, [0.0, 1.0], [-0.0, 1.0]),
    "same_instant_other_zone": (morning, _UTC, _UTC.tz_convert("Asia/Tokyo")),
    "category_order": (
        first_code,
        pd.Categorical(["a", "b"], categories=["a", "b"]),
        pd.Categorical(["a", "b"], categories=["b", "a"]),
    ),
    "list_items": (many_tags, pd.Series([[1, 2], [3]]), pd.Series([[1], [3, 4]])),
    # pandas hashes a missing string as the text "nan" (str) or "<NA>" (string)
    "missing_vs_the_text_nan": (is_str, pd.array([None, "a"], dtype="str"), pd.array(["nan", "a"], dtype="str")),
    "missing_vs_the_text_NA": (is_str, pd.array([None, "a"], dtype="string"), pd.array(["<NA>", "a"], dtype="string")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cache_tells_apart_values_pandas_hashes_alike(case, tmp_path):
    func, before, after = CASES[case]
    a = pd.DataFrame({"text": ["p", "q"], "v": before})
    b = pd.DataFrame({"text": ["p", "q"], "v": after})
    first = lf.apply([func], a, cache=tmp_path / "c")
    assert np.array_equal(first, lf.apply([func], a))
    expected = lf.apply([func], b)
    assert not np.array_equal(first, expected)  # the case is a real difference for the LF
    assert np.array_equal(lf.apply([func], b, cache=tmp_path / "c"), expected)


def test_nested_parquet_column_is_cached_and_reused(tmp_path):
    path = tmp_path / "nested.parquet"
    pd.DataFrame({"text": ["a", "b", "c"], "v": [[1, 2], [3], [4, 5, 6]]}).to_parquet(path)
    first = lf.apply([many_tags], path, cache=tmp_path / "c")
    again = lf.apply([many_tags], path, cache=tmp_path / "c")
    assert np.array_equal(first, [[1], [ABSTAIN], [1]])
    assert np.array_equal(again, first)
    assert (again.cache_stats.reused, again.cache_stats.computed) == (1, 0)
    pd.DataFrame({"text": ["a", "b", "c"], "v": [[1], [3], [4, 5, 6]]}).to_parquet(path)
    edited = lf.apply([many_tags], path, cache=tmp_path / "c")
    assert np.array_equal(edited, [[ABSTAIN], [ABSTAIN], [1]])


def test_a_parquet_file_rewritten_with_a_missing_text_now_written_is_labeled_again(tmp_path):
    """The comment "nan" (a grandmother, in British English) where a text was missing."""
    path = tmp_path / "comments.parquet"
    pd.DataFrame({"text": ["my nan loves it", None, "great"]}).to_parquet(path)
    first = lf.apply([is_text], path, cache=tmp_path / "c")
    pd.DataFrame({"text": ["my nan loves it", "nan", "great"]}).to_parquet(path)
    again = lf.apply([is_text], path, cache=tmp_path / "c")
    assert np.asarray(first).ravel().tolist() == [1, 0, 1]
    assert np.asarray(again).ravel().tolist() == [1, 1, 1]


@labeling_function()
def is_text(x):
    return 1 if isinstance(x.text, str) else 0


def test_value_the_key_cannot_encode_runs_every_time(tmp_path):
    class Box:
        def __init__(self, n):
            self.n = n

    @labeling_function()
    def big(x):
        return 1 if x.v.n > 1 else 0

    a = pd.DataFrame({"text": ["p"], "v": [Box(2)]})
    first = lf.apply([big], a, cache=tmp_path / "c")
    a.loc[0, "v"].n = 0  # same object identity and repr, other content
    second = lf.apply([big], a, cache=tmp_path / "c")
    assert (np.asarray(first)[0, 0], np.asarray(second)[0, 0]) == (1, 0)
    assert second.cache_stats.reused == 0


@labeling_function(batch=True)
def known_ids(df):
    return np.array([1 if i == "m2" else 0 for i in df.index])


def test_a_batch_lf_reading_the_index_is_not_answered_for_another_index(tmp_path):
    a = pd.DataFrame({"text": ["hi", "hi"]}, index=["m1", "m2"])
    b = pd.DataFrame({"text": ["hi", "hi"]}, index=["m2", "m1"])
    assert np.asarray(lf.apply([known_ids], a, cache=tmp_path / "c")).ravel().tolist() == [0, 1]
    assert np.asarray(lf.apply([known_ids], b, cache=tmp_path / "c")).ravel().tolist() == [1, 0]


def test_the_same_rows_at_another_position_reuse_their_labels(tmp_path):
    rows = pd.DataFrame({"text": ["a", "b", "c", "d"], "v": [True, False, True, True]})
    lf.apply([is_true], rows, chunk_size=2, cache=tmp_path / "c")
    shifted = pd.concat([rows.iloc[2:], rows.iloc[:2]], ignore_index=True)
    again = lf.apply([is_true], shifted, chunk_size=2, cache=tmp_path / "c")
    assert (again.cache_stats.reused, again.cache_stats.computed) == (2, 0)
    assert np.array_equal(again, lf.apply([is_true], shifted))


@labeling_function(batch=True)
def even_position(df):
    return np.where(np.asarray(df.index) % 2 == 0, 1, 0)


@labeling_function()
def is_true_text(x):
    return 1 if x.text == "t1" else 0


def test_a_batch_lf_reading_a_range_index_is_not_answered_for_rows_at_another_position(tmp_path):
    # Rows 5.. of a frame have the same texts, chunk for chunk, as rows 0..; their index,
    # which a batch LF reads, holds other positions.
    rows = pd.DataFrame({"text": [f"t{i % 5}" for i in range(40)]})
    lf.apply([even_position, is_true_text], rows, chunk_size=10, cache=tmp_path / "c")
    later = rows.iloc[5:]
    again = lf.apply([even_position, is_true_text], later, chunk_size=10, cache=tmp_path / "c")
    assert np.array_equal(again, lf.apply([even_position, is_true_text], later, chunk_size=10))
    # the row LF, which sees no index, still reuses its labels of the same rows
    assert (again.cache_stats.reused, again.cache_stats.computed) == (3, 5)
