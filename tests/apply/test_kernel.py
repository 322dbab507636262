"""label_chunk: the one function that calls LFs (preprocessor memo, error handling, output checks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction, Row, keyword_lf, labeling_function, preprocessor
from lf.apply.kernel import label_chunk
from lf.errors import DataError, LFOutputError, LFRuntimeError


@pytest.fixture
def chunk():
    return pd.DataFrame({"id": ["a", "b", "c", "d"], "text": ["free money", "hello", "bad row", "FREE"]})


def _lf(name, f, **kw):
    return LabelingFunction(name, f, **kw)


def test_labels_have_one_column_per_lf_in_order(chunk):
    lfs = [
        _lf("free", lambda x: 1 if "free" in x.text.lower() else ABSTAIN),
        keyword_lf("kw_hello", ["hello"], 0),
        _lf("len", lambda x: 0 if len(x["text"]) < 6 else ABSTAIN),
    ]
    res = label_chunk(lfs, chunk, cardinality=2)
    assert res.labels.dtype == np.int8
    assert res.labels.tolist() == [[1, -1, -1], [-1, 0, 0], [-1, -1, -1], [1, -1, 0]]
    assert res.errors.tolist() == [0, 0, 0]
    assert res.errors.dtype == np.int64
    assert res.seconds.shape == (3,) and (res.seconds >= 0).all()


def test_int16_storage_for_large_cardinality(chunk):
    res = label_chunk([_lf("c", lambda x: 150)], chunk, cardinality=200)
    assert res.labels.dtype == np.int16 and res.labels[:, 0].tolist() == [150] * 4


def test_row_lfs_get_rows_with_attribute_and_item_access_not_series(chunk):
    seen = []

    def f(x):
        seen.append(x)
        return ABSTAIN

    label_chunk([_lf("f", f)], chunk, cardinality=2)
    assert all(isinstance(x, Row) for x in seen)
    assert [(x.id, x["text"]) for x in seen] == list(zip(chunk["id"], chunk["text"]))


def test_batch_lf_gets_a_copy_of_the_chunk_and_may_return_a_series_or_list(chunk):
    got = []

    def f(df):
        got.append(df)
        return (df["text"].str.len() > 5).map({True: 1, False: -1})

    res = label_chunk([_lf("b", f, batch=True), _lf("bl", lambda df: [0] * len(df), batch=True)], chunk, cardinality=2)
    pd.testing.assert_frame_equal(got[0], chunk)  # a copy: what the LF does to it stays there
    assert got[0] is not chunk
    assert res.labels.tolist() == [[1, 0], [-1, 0], [1, 0], [-1, 0]]


def test_resources_are_bound(chunk):
    f = _lf("kw", lambda x, words: 1 if x.text in words else ABSTAIN, resources={"words": {"hello"}})
    assert label_chunk([f], chunk, cardinality=2).labels[:, 0].tolist() == [-1, 1, -1, -1]


def test_numpy_integer_outputs_are_accepted(chunk):
    res = label_chunk([_lf("np", lambda x: np.int64(1)), _lf("np8", lambda x: np.int8(-1))], chunk, cardinality=2)
    assert res.labels.tolist() == [[1, -1]] * 4


# -- preprocessors ---------------------------------------------------------------------------


def test_shared_preprocessor_runs_once_per_row_however_many_lfs_use_it(chunk):
    calls = {"lower": 0, "tokens": 0}

    @preprocessor()
    def lower(x):
        calls["lower"] += 1
        x.low = x.text.lower()
        return x

    @preprocessor()
    def tokens(x):
        calls["tokens"] += 1
        x.toks = x.low.split()
        return x

    lfs = [
        _lf("a", lambda x: 1 if "free" in x.low else ABSTAIN, pre=[lower]),
        _lf("b", lambda x: 0 if "hello" in x.low else ABSTAIN, pre=[lower]),
        _lf("c", lambda x: 0 if len(x.toks) == 1 else ABSTAIN, pre=[lower, tokens]),
        _lf("d", lambda x: 1 if "low" in x else 0),  # no pre: must not see preprocessor fields
    ]
    res = label_chunk(lfs, chunk, cardinality=2)
    assert calls == {"lower": 4, "tokens": 4}
    assert res.labels.tolist() == [[1, -1, -1, 0], [-1, 0, 0, 0], [-1, -1, -1, 0], [1, -1, 0, 0]]
    assert "low" not in chunk.columns


# -- errors ----------------------------------------------------------------------------------


def _boom(x):
    if x.text == "bad row":
        raise ValueError("cannot parse")
    return 1


def test_raise_names_the_lf_row_position_id_exception_and_fix(chunk):
    with pytest.raises(LFRuntimeError) as info:
        label_chunk([_lf("parse_lf", _boom)], chunk, cardinality=2, row_offset=100, id_column="id")
    msg = str(info.value)
    assert "Labeling function 'parse_lf' raised on row 102 (id 'c')" in msg
    assert "test_kernel.py" in msg  # where in the user's code it raised
    assert "ValueError: cannot parse" in msg
    assert "on_error='abstain'" in msg
    assert isinstance(info.value.__cause__, ValueError)
    assert isinstance(info.value, RuntimeError)


def test_raise_without_ids_names_the_position(chunk):
    with pytest.raises(LFRuntimeError, match=r"'parse_lf' raised on row 2\b.*: ValueError: cannot parse"):
        label_chunk([_lf("parse_lf", _boom)], chunk, cardinality=2)


def test_abstain_counts_failing_rows_and_keeps_the_others(chunk):
    res = label_chunk([_lf("ok", lambda x: 0), _lf("parse_lf", _boom)], chunk, cardinality=2, on_error="abstain")
    assert res.labels.tolist() == [[0, 1], [0, 1], [0, -1], [0, 1]]
    assert res.errors.tolist() == [0, 1]


def test_preprocessor_error_names_the_preprocessor_the_lf_and_the_row(chunk):
    @preprocessor()
    def parse(x):
        _boom(x)
        x.parsed = True
        return x

    f = _lf("uses_parse", lambda x: 1, pre=[parse])
    with pytest.raises(LFRuntimeError, match=r"Preprocessor 'parse' \(used by LF 'uses_parse'\) raised on row 2 \(id 'c'\).*: ValueError: cannot parse"):
        label_chunk([f], chunk, cardinality=2, id_column="id")


def test_preprocessor_failure_under_abstain_abstains_and_counts_for_every_lf_using_it(chunk):
    @preprocessor()
    def parse(x):
        _boom(x)
        x.n = len(x.text)
        return x

    lfs = [
        _lf("reads_field", lambda x: 1 if x.n > 4 else 0, pre=[parse]),
        _lf("constant", lambda x: 0, pre=[parse]),  # does not touch the row at all
    ]
    res = label_chunk(lfs, chunk, cardinality=2, on_error="abstain")
    assert res.labels.tolist() == [[1, 0], [1, 0], [-1, -1], [0, 0]]
    assert res.errors.tolist() == [1, 1]


def test_batch_lf_error_names_the_chunk_rows(chunk):
    def bad(df):
        raise KeyError("nope")

    with pytest.raises(LFRuntimeError, match=r"Batch labeling function 'bad' raised on the chunk of row 10 \(id 'a'\) to row 13 \(id 'd'\).*: KeyError"):
        label_chunk([_lf("bad", bad, batch=True)], chunk, cardinality=2, row_offset=10, id_column="id")
    res = label_chunk([_lf("bad", bad, batch=True)], chunk, cardinality=2, on_error="abstain")
    assert res.labels[:, 0].tolist() == [-1] * 4 and res.errors.tolist() == [4]


def test_lf_errors_from_batch_lfs_are_not_swallowed_by_abstain(chunk):
    kw = keyword_lf("kw", ["x"], 1, column="missing")
    with pytest.raises(DataError, match="reads column 'missing'"):
        label_chunk([kw], chunk, cardinality=2, on_error="abstain")


# -- output checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, hint",
    [
        ("SPAM", "in 0..1: the label's id (its index in LABELS), not its name."),
        (None, "in 0..1: an LF that does not vote returns ABSTAIN, not None."),
        (False, "in 0..1: a condition is not a label; return a label id if it holds, else ABSTAIN."),
        (np.True_, "in 0..1: a condition is not a label; return a label id if it holds, else ABSTAIN."),
        (1.0, "in 0..1."),
    ],
)
def test_a_label_name_a_condition_or_none_returned_says_what_to_return_instead(chunk, value, hint):
    # the mistakes of a first LF: `return "SPAM"`, `return "http" in x.text`, no `return ABSTAIN`
    f = _lf("first", lambda x: value)
    with pytest.raises(LFOutputError) as info:
        label_chunk([f], chunk, cardinality=2, on_error="raise", id_column="id")
    assert str(info.value).endswith(hint)


@pytest.mark.parametrize(
    "value, shown",
    [(None, r"None \(NoneType\)"), (1.0, r"1\.0 \(float\)"), (True, r"True \(bool\)"), ("1", r"'1' \(str\)")],
)
def test_non_int_output_on_every_row_names_lf_value_row_and_allowed_range(chunk, value, shown):
    f = _lf("weird", lambda x: value)
    for on_error in ("raise", "abstain"):
        with pytest.raises(LFOutputError, match=rf"'weird' returned {shown} on row 0 \(id 'a'\); it must return ABSTAIN \(-1\) or an int in 0\.\.1"):
            label_chunk([f], chunk, cardinality=2, on_error=on_error, id_column="id")


@pytest.mark.parametrize(
    "value, shown",
    [(None, r"None \(NoneType\)"), (1.0, r"1\.0 \(float\)"), (True, r"True \(bool\)"), ("1", r"'1' \(str\)")],
)
def test_one_bad_output_among_ints_names_that_row_and_value(chunk, value, shown):
    # The LF returns ints on every row but one; the error must point at that row and value
    # (not at a neighbour whose int was coerced to float/str by numpy, and a bool must not
    # silently pass as 1).
    f = _lf("weird", lambda x: value if x.text == "hello" else 0)
    with pytest.raises(LFOutputError, match=rf"'weird' returned {shown} on row 1 \(id 'b'\)"):
        label_chunk([f], chunk, cardinality=2, id_column="id")


@pytest.mark.parametrize("value", [2, -2, 1000])
def test_out_of_range_output_names_lf_value_and_range(chunk, value):
    f = _lf("oor", lambda x: value if x.text == "bad row" else 0)
    with pytest.raises(LFOutputError, match=rf"'oor' returned {value} on row 2, out of range.*0\.\.1"):
        label_chunk([f], chunk, cardinality=2)


def test_huge_int_output_is_reported_as_an_lf_output_error(chunk):
    f = _lf("huge", lambda x: 10**20)
    with pytest.raises(LFOutputError, match=r"'huge' returned 100000000000000000000"):
        label_chunk([f], chunk, cardinality=2)


def test_batch_lf_with_wrong_length_is_reported(chunk):
    f = _lf("short_batch", lambda df: np.zeros(len(df) - 1, int), batch=True)
    with pytest.raises(LFOutputError, match=r"'short_batch' returned 3 values .* chunk of 4 rows; a batch LF must return one label per row"):
        label_chunk([f], chunk, cardinality=2)
    g = _lf("scalar_batch", lambda df: 1, batch=True)
    with pytest.raises(LFOutputError, match=r"'scalar_batch' returned a scalar"):
        label_chunk([g], chunk, cardinality=2)


def test_batch_lf_returning_booleans_is_rejected(chunk):
    f = _lf("mask", lambda df: (df["text"] == "hello").to_numpy(), batch=True)
    with pytest.raises(LFOutputError, match=r"'mask' returned False \(bool\) on row 0"):
        label_chunk([f], chunk, cardinality=2)


def test_each_row_lf_runs_once_per_row_even_when_a_row_raises(chunk):
    # An expensive LF (a model call, an API lookup) must not be re-run on the rows before
    # the one that raised: under on_error="abstain" that doubles its cost on such chunks.
    calls = []

    def costly(x):
        calls.append(x.id)
        return _boom(x)

    res = label_chunk([_lf("costly", costly)], chunk, cardinality=2, on_error="abstain", id_column="id")
    assert res.labels[:, 0].tolist() == [1, 1, -1, 1] and res.errors.tolist() == [1]
    assert calls == ["a", "b", "c", "d"]


def test_only_templates_leave_the_calling_thread() -> None:
    import threading

    seen: list[str] = []

    def user_batch(df):  # may hold state that is not thread-safe: must stay on the caller
        seen.append(threading.current_thread().name)
        return [ABSTAIN] * len(df)

    lfs = [
        LabelingFunction("user_batch", user_batch, batch=True),
        lf.keyword_lf("kw", ["a"], 1),
        lf.regex_lf("rx", "b", 0),
    ]
    chunk = pd.DataFrame({"text": ["a", "b", "c"]})
    one = label_chunk(lfs, chunk, cardinality=2, threads=1)
    many = label_chunk(lfs, chunk, cardinality=2, threads=4)
    assert seen == [threading.current_thread().name] * 2
    assert one.labels.tolist() == many.labels.tolist() == [[ABSTAIN, 1, ABSTAIN], [ABSTAIN, ABSTAIN, 0], [ABSTAIN] * 3]


def test_rows_after_many_failures_cost_linear_time() -> None:
    calls: list[int] = []

    def always_fails(x):
        calls.append(1)
        raise ValueError("no")

    rows = pd.DataFrame({"text": ["t"] * 5000})
    res = label_chunk([LabelingFunction("f", always_fails)], rows, cardinality=2, on_error="abstain")
    assert res.errors.tolist() == [5000] and len(calls) == 5000
    assert (res.labels == ABSTAIN).all()


def _frame_indexed(index: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"text": ["long text", "no", "x"]}, index=index)


@pytest.mark.parametrize("index", [[0, 1, 2], ["m1", "m2", "m3"], [10, 11, 12]])
def test_a_batch_lf_series_is_aligned_on_the_chunk_index_not_read_by_position(index: list[object]) -> None:
    @labeling_function(batch=True)
    def long_reversed(df):
        return (df["text"].str.len() > 5).astype(int).iloc[::-1]  # right labels, other order

    @labeling_function(batch=True)
    def from_array(df):
        return pd.Series((df["text"].str.len() > 5).astype(int).to_numpy())  # a fresh 0..n-1 index

    L = lf.apply([long_reversed, from_array], _frame_indexed(index))
    assert np.asarray(L).tolist() == [[1, 1], [0, 0], [0, 0]]


def test_a_batch_lf_series_on_other_rows_is_an_error() -> None:
    @labeling_function(batch=True)
    def elsewhere(df):
        return pd.Series([1, 0, 1], index=["a", "b", "c"])

    with pytest.raises(LFOutputError, match=r"'elsewhere' returned a Series whose index is not the chunk's rows"):
        lf.apply([elsewhere], _frame_indexed(["m1", "m2", "m3"]))


def test_a_batch_lf_series_on_a_shuffled_frame_is_never_read_two_ways() -> None:
    # A shuffled frame (df.sample(frac=1)) has an index that is a permutation of 0..n-1. A
    # Series the LF sorted by that index holds 0..n-1 in order, as labels: it was read by
    # position when the chunk was the whole frame (n_jobs=1), by label in smaller chunks
    # (n_jobs=2), so the two runs gave different matrices without a sign.
    df = pd.DataFrame({"n": np.arange(1_000)}).sample(frac=1, random_state=0)
    truth = (df["n"].to_numpy() % 2).tolist()

    @labeling_function(batch=True)
    def odd_sorted(d):
        return d["n"].sort_index() % 2  # right labels, index order

    @labeling_function(batch=True)
    def odd_merged(d):
        return d.merge(pd.DataFrame({"n": np.arange(1_000), "odd": np.arange(1_000) % 2}), on="n")["odd"]  # positions

    with pytest.raises(LFOutputError, match=r"'odd_sorted' returned a Series indexed 0\.\.999 in order"):
        lf.apply([odd_sorted], df, progress=False)  # one chunk: by position, or by label?
    L = lf.apply([odd_sorted, odd_merged], df, n_jobs=2, progress=False)  # chunks of 125 rows
    assert L.array[:, 0].tolist() == truth and L.array[:, 1].tolist() == truth
    assert lf.apply([odd_merged], df, progress=False).array[:, 0].tolist() == truth


def test_a_batch_lf_series_counted_0_to_n_is_read_by_position() -> None:
    # pandas 2 indexes a Series made from a dict {0: .., 1: ..} 0..n-1 (not a RangeIndex):
    # on a chunk whose index is not 0..n-1 those are positions, in every chunk.
    @labeling_function(batch=True)
    def odd_numbered(d):
        return pd.Series(d["n"].to_numpy() % 2, index=np.arange(len(d)))

    df = pd.DataFrame({"n": np.arange(300)})
    L = lf.apply([odd_numbered], df, chunk_size=100, progress=False)
    assert L.array[:, 0].tolist() == (np.arange(300) % 2).tolist()


def test_a_batch_lf_returning_a_dataframe_is_an_error_whatever_the_chunk_size() -> None:
    # A DataFrame iterates over its column names: on a one-row chunk (n_jobs=2 cuts a small
    # frame so) its single column name 0 was taken for the row's label, silently, while the
    # whole frame in one chunk (n_jobs=1) failed on the count.
    @labeling_function(batch=True)
    def framed(d):
        return pd.DataFrame((d["n"].to_numpy() % 2).reshape(-1, 1))

    df = pd.DataFrame({"n": [1, 3, 5, 7, 9]})
    for n_jobs in (1, 2):
        with pytest.raises(LFOutputError, match=r"'framed' returned a DataFrame \(1 column\)"):
            lf.apply([framed], df, n_jobs=n_jobs, progress=False)
    with pytest.raises(LFOutputError, match=r"'framed' returned a DataFrame"):
        label_chunk([framed], df.iloc[:1], cardinality=2)


def test_a_frame_without_columns_still_has_its_rows() -> None:
    # 5 rows, no columns: row LFs are called 5 times on rows without fields (they were
    # called on none, and the error blamed a batch LF for returning 0 values)
    frame = pd.DataFrame(index=range(5))
    out = label_chunk([LabelingFunction("const", lambda x: 1 if not list(x.keys()) else 0)], frame, cardinality=2)
    assert out.labels[:, 0].tolist() == [1] * 5
    with pytest.raises(LFRuntimeError, match=r"no field 'text': it has no fields at all \(the data has no columns\)"):
        label_chunk([LabelingFunction("reads", lambda x: x.text)], frame, cardinality=2)
