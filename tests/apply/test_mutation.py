"""LFs and preprocessors never change the caller's data or what another LF sees.

Mutating LFs (``x.tags.append(...)``, ``x.extra = ...``, a batch LF editing its frame) and a
mutating preprocessor run in random orders on both engines: every order gives the matrix the
LFs give one at a time, and the caller's DataFrame stays as it was.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lf
from lf import ABSTAIN, LabelingFunction, Row, labeling_function, preprocessor
from lf.core import make_rows


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": ["free money", "hello", "win a prize now", "ok", "buy", "see you"],
            "tags": [["a"], [], ["b", "c"], ["d"], [], [["nested"]]],
            "meta": [{"n": 1}, {"n": 2}, {}, {"n": 0}, {"k": [1]}, {"n": 5}],
            "n": [1, 2, 3, 4, 5, 6],
        }
    )


@preprocessor()
def grow(x):
    """Changes the row's containers in place, then adds a field."""
    x.tags.append("pre")
    x.meta["seen"] = x.meta.get("seen", 0) + 1
    x.size = len(x.tags)
    return x


@labeling_function()
def appends(x):
    x.tags.append("lf")
    x.extra = True
    x["text"] = "changed"
    return 1 if len(x.tags) > 2 else 0


@labeling_function()
def reads(x):
    if "extra" in x or x.text == "changed":
        return 1
    return 0 if len(x.tags) >= 1 and "seen" not in x.meta else ABSTAIN


@labeling_function()
def nested(x):
    if x.tags and isinstance(x.tags[0], list):
        x.tags[0].append("deep")
        return 1 if len(x.tags[0]) > 1 else 0
    return ABSTAIN


@labeling_function(pre=[grow])
def after_grow(x):
    x.tags.append("again")
    x.meta.clear()
    return 1 if x.size > 2 else 0


@labeling_function(pre=[grow])
def after_grow_reads(x):
    return 1 if len(x.tags) == x.size and x.meta.get("seen") == 1 else 0


@labeling_function(batch=True)
def batch_edits(df):
    for tags in df["tags"]:
        tags.append("batch")
    df["added"] = 1
    df["text"] = "batch"
    return (df["tags"].map(len) > 2).astype(int).to_numpy()


@labeling_function(batch=True)
def batch_reads(df):
    return np.where(("added" in df.columns) | (df["text"] == "batch") | (df["tags"].map(len) > 2), 1, 0)


LFS = [appends, reads, nested, after_grow, after_grow_reads, batch_edits, batch_reads]


def _deep_snapshot(df: pd.DataFrame) -> pd.DataFrame:
    # pandas' deep copy shares the lists and dicts inside object columns; pickling does not
    return pickle.loads(pickle.dumps(df))


def _alone(lfs: list[LabelingFunction]) -> dict[str, list[int]]:
    """Each LF's labels when it runs by itself on a fresh copy of the data."""
    return {f.name: lf.apply([f], _frame(), progress=False).array[:, 0].tolist() for f in lfs}


EXPECTED = _alone(LFS)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(LFS),
    engine=st.sampled_from(["local", "pool"]),
    chunk_size=st.sampled_from([2, 4, 6]),
)
def test_any_lf_order_and_engine_gives_the_matrix_of_the_lfs_alone(order, engine, chunk_size):
    df = _frame()
    before = _deep_snapshot(df)
    L = lf.apply(order, df, engine=engine, n_jobs=2, chunk_size=chunk_size, progress=False)
    got = {name: L.array[:, j].tolist() for j, name in enumerate(L.names)}
    assert got == EXPECTED
    pd.testing.assert_frame_equal(df, before)


def test_three_runs_give_three_equal_matrices_and_leave_the_data_alone():
    df = _frame()
    before = _deep_snapshot(df)
    runs = [lf.apply(LFS, df, progress=False) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    pd.testing.assert_frame_equal(df, before)


def test_preprocessor_edits_in_place_stay_in_its_output():
    x = make_rows(["num", "d"], [[8], [{"my_key": 1}]])[0]

    @preprocessor()
    def modify_in_place(x):
        x.d["my_key"] = 0
        x.d_new = x.d
        return x

    out = modify_in_place(x)
    assert x.num == 8 and x.d == {"my_key": 1} and "d_new" not in x
    assert out.num == 8 and out.d == {"my_key": 0} and out.d_new == {"my_key": 0}


@pytest.mark.parametrize("kind", ["dict", "row", "series"])
def test_calling_an_lf_never_changes_what_it_was_given(kind):
    fields = {"text": "hi", "tags": ["a", ["b"]], "meta": {"k": {"v": 1}}}
    given_x = {
        "dict": lambda: {k: pickle.loads(pickle.dumps(v)) for k, v in fields.items()},
        "row": lambda: make_rows(list(fields), [[pickle.loads(pickle.dumps(v))] for v in fields.values()])[0],
        "series": lambda: pd.DataFrame([fields]).iloc[0],
    }[kind]()

    @labeling_function()
    def mutates(x):
        x.tags.append("lf")
        x.tags[1].append("deep")
        x.meta["k"]["v"] = 2
        x.text = "changed"
        return 1

    for f in (mutates, LabelingFunction("with_pre", mutates.f, pre=[grow])):
        assert f(given_x) == 1
        assert given_x["text"] == "hi"
        assert list(given_x["tags"]) == ["a", ["b"]]
        assert dict(given_x["meta"]) == {"k": {"v": 1}}
        if kind != "series":
            assert "extra" not in given_x and "size" not in given_x


def test_calling_a_batch_lf_never_changes_the_frame():
    df = _frame()
    before = _deep_snapshot(df)
    batch_edits(df)
    pd.testing.assert_frame_equal(df, before)


def test_lf_writes_to_its_row_are_undone_before_the_next_lf():
    seen = []

    @labeling_function()
    def writer(x):
        x.extra = 1
        x["text"] = "changed"
        del x.n
        return 0

    @labeling_function()
    def reader(x):
        seen.append((x.text, "extra" in x, "n" in x, type(x).__name__, isinstance(x, Row)))
        return 0

    lf.apply([writer, reader], pd.DataFrame({"text": ["a", "b"], "n": [1, 2]}), progress=False)
    assert seen == [("a", False, True, "Row", True), ("b", False, True, "Row", True)]


def _clobber(x):
    vars(x)["n"] = 0  # past the row's write hooks, from a helper of the LF's module
    return x


def test_writes_past_the_rows_hooks_are_undone_too():
    """``vars(x)[k] = v``, ``x.__dict__.update``, ``object.__setattr__``: writes the
    journal's ``__setattr__`` does not see reached the next LF, so the labels depended on
    the LFs' order."""

    @labeling_function()
    def through_vars(x):
        vars(x)["text"] = "spam"
        return ABSTAIN

    @labeling_function()
    def through_dict(x):
        x.__dict__.update(text="spam", added=1)
        return ABSTAIN

    @labeling_function()
    def through_object(x):
        object.__setattr__(x, "text", "spam")
        return ABSTAIN

    @labeling_function()
    def through_helper(x):
        return ABSTAIN if _clobber(x) else 0

    @labeling_function()
    def reader(x):
        return 1 if x.text == "spam" or "added" in x or x.n == 0 else 0

    df = pd.DataFrame({"text": ["a", "b"], "n": [1, 2]})
    for writer in (through_vars, through_dict, through_object, through_helper):
        L = lf.apply([writer, reader], df, progress=False)
        assert L.array[:, 1].tolist() == [0, 0], writer.name
    assert df.text.tolist() == ["a", "b"] and df.n.tolist() == [1, 2]


def test_opaque_objects_in_the_callers_data_are_copied_not_shared():
    class Box:
        def __init__(self):
            self.items = []

    boxes = [Box(), Box()]
    df = pd.DataFrame({"text": ["a", "b"], "box": boxes})

    @labeling_function()
    def fills(x):
        x.box.items.append(1)
        return 0

    lf.apply([fills], df, progress=False)
    assert [b.items for b in boxes] == [[], []]


def test_rows_carry_any_column_name_and_writes_to_them_are_undone():
    """Rows store string-named fields as attributes (a faster build): names that are not
    identifiers, keywords, Row's own method names and non-string labels all read back as
    the column's value, field and item alike, and one LF's writes never reach the next."""
    df = pd.DataFrame({"my col": ["a", "b"], "": [1, 2], "class": [3, 4], "keys": ["k", "l"], "text": ["x", "y"]})
    seen = []

    @labeling_function()
    def writer(x):
        setattr(x, "my col", "changed")
        x[""] = -1
        del x.text
        x.added = True
        return 0

    @labeling_function()
    def reader(x):
        seen.append((getattr(x, "my col"), x["my col"], x[""], getattr(x, "class"), x.keys, x["keys"], x.text, "added" in x, list(vars(x))))
        return 0

    lf.apply([writer, reader], df, progress=False)
    names = ["my col", "", "class", "keys", "text"]
    assert seen == [("a", "a", 1, 3, "k", "k", "x", False, names), ("b", "b", 2, 4, "l", "l", "y", False, names)]

    seen.clear()
    odd = pd.DataFrame({"__init__": ["a", "b"], 1: [5, 6]})  # names kept in a plain field dict

    @labeling_function()
    def odd_reader(x):
        seen.append((x["__init__"], x[1]))
        return 0

    lf.apply([writer, odd_reader], odd.assign(text=["x", "y"]), progress=False)
    assert seen == [("a", 5), ("b", 6)]

    seen.clear()
    wide = df.assign(**{f"extra{i}": [i, -i] for i in range(8)})  # more fields than kept inline
    lf.apply([writer, reader], wide, progress=False)
    assert [s[:8] for s in seen] == [("a", "a", 1, 3, "k", "k", "x", False), ("b", "b", 2, 4, "l", "l", "y", False)]
    assert seen[0][8] == list(wide.columns)
