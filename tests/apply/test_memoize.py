"""``preprocessor(memoize=True)``, as Snorkel users write it: one call per distinct row (or
``memoize_key``) of a chunk, the same labels, and no LF's write reaching another row."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.fingerprint import lf_fingerprint
from lf.errors import LFDefinitionError, LFRuntimeError, ParameterError

NUMS = [3, 43, 12, 9, 3]  # the last row repeats the first
EXPECTED = [[-1, -1], [0, 0], [-1, 0], [-1, 0], [-1, -1]]  # worked out by hand


class Calls:
    def __init__(self) -> None:
        self.n = 0

    def square(self, v: int) -> int:
        self.n += 1
        return v * v


@lf.labeling_function()
def big(x):
    return 0 if x.num > 42 else -1


def _lfs(calls: Calls, **memo):
    @lf.preprocessor(**memo)
    def square(x):
        x.num_squared = calls.square(x.num)
        return x

    @lf.labeling_function(pre=[square])
    def big_square(x):
        return 0 if x.num_squared > 42 else -1

    return [big, big_square]


@pytest.mark.parametrize("data", [[SimpleNamespace(num=n) for n in NUMS], pd.DataFrame({"num": NUMS})], ids=["records", "frame"])
def test_a_memoized_preprocessor_runs_once_per_distinct_row_as_in_snorkel(data):
    calls = Calls()
    assert lf.apply(_lfs(calls, memoize=True), data, progress=False).array.tolist() == EXPECTED
    assert calls.n == 4  # Snorkel's count: the repeated row is not computed again
    plain = Calls()
    assert lf.apply(_lfs(plain), data, progress=False).array.tolist() == EXPECTED
    assert plain.n == 5


def test_memoize_key_joins_rows_with_the_same_key_and_the_memo_ends_with_the_chunk():
    calls = Calls()
    df = pd.DataFrame({"uid": ["a", "b", "a", "a"], "num": [8, 9, 1, 2]})
    lf.apply(_lfs(calls, memoize=True, memoize_key=lambda x: x.uid), df, progress=False)
    assert calls.n == 2  # the rows keyed "a" share the first one's output, as in Snorkel
    again = Calls()
    lf.apply(_lfs(again, memoize=True, memoize_key=lambda x: x.uid), df, chunk_size=2, progress=False)
    assert again.n == 3  # chunks [a, b] and [a, a]: nothing is kept from one chunk to the next


def test_rows_sharing_a_memoized_output_do_not_share_what_an_lf_writes():
    @lf.preprocessor(memoize=True)
    def tags(x):
        x.tags = ["t"]
        return x

    @lf.labeling_function(pre=[tags])
    def grows(x):
        x.tags.append("more")
        x.seen = getattr(x, "seen", 0) + 1
        return len(x.tags) + x.seen

    L = lf.apply([grows], pd.DataFrame({"num": [1, 1, 1]}), progress=False)
    assert L.array[:, 0].tolist() == [3, 3, 3]  # each row sees the output as it was made


def test_memoize_inputs_are_checked():
    with pytest.raises(LFDefinitionError, match="`memoize` must be True or False"):
        lf.preprocessor(memoize="yes")(lambda x: x)
    with pytest.raises(LFDefinitionError, match="`memoize_key` must be a function of the row"):
        lf.preprocessor(memoize=True, memoize_key="uid")(lambda x: x)

    @lf.preprocessor(memoize=True, memoize_key=lambda x: [x.num])
    def listed(x):
        return x

    @lf.labeling_function(pre=[listed])
    def one(x):
        return 0

    with pytest.raises(LFDefinitionError, match="`memoize_key` returned a list, which cannot be a key"):
        lf.apply([one], pd.DataFrame({"num": [1, 2]}), progress=False)

    @lf.preprocessor(memoize=True)
    def plain(x):
        return x

    @lf.labeling_function(pre=[plain])
    def two(x):
        return 0

    class Box:
        __hash__ = None

    with pytest.raises(ParameterError, match="cannot be hashed.*memoize=True"):
        lf.apply([two], [SimpleNamespace(num=1, box=Box())], progress=False)


def test_a_failing_memoize_key_is_the_rows_failure():
    @lf.preprocessor(memoize=True, memoize_key=lambda x: 1 // x.num)
    def keyed(x):
        return x

    @lf.labeling_function(pre=[keyed])
    def one(x):
        return 0

    df = pd.DataFrame({"num": [1, 0, 1]})
    with pytest.raises(LFRuntimeError, match="Preprocessor 'keyed'"):
        lf.apply([one], df, progress=False)
    L = lf.apply([one], df, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [0, -1, 0] and L.errors.tolist() == [1]


def test_memoizing_and_its_key_enter_the_cache_fingerprint():
    def build(**memo):
        @lf.preprocessor(**memo)
        def p(x):
            return x

        @lf.labeling_function(pre=[p])
        def g(x):
            return 0

        return g

    prints = {lf_fingerprint(build()), lf_fingerprint(build(memoize=True)),
              lf_fingerprint(build(memoize=True, memoize_key=lambda x: x.a)),
              lf_fingerprint(build(memoize=True, memoize_key=lambda x: x.b))}
    assert len(prints) == 4 and None not in prints
    assert np.all(np.asarray(lf.apply([build(memoize=True)], pd.DataFrame({"a": [1]}), progress=False).array) == 0)


def test_rows_only_equal_under_python_equality_do_not_share_an_output():
    # True == 1 == 1.0 and 0.0 == -0.0 in a dict: sharing the first row's output gave later
    # rows its value, so the labels changed with the chunk size and the row order
    calls = Calls()

    @lf.preprocessor(memoize=True)
    def shown(x):
        calls.n += 1
        x.shown = repr(x.v)
        return x

    @lf.labeling_function(pre=[shown])
    def looks_true(x):
        return 1 if x.shown in ("True", "-0.0", "nan") else 0

    values = [True, 1, 1.0, 0.0, -0.0, float("nan"), np.nan, float("nan")]
    df = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    whole = lf.apply([looks_true], df, progress=False).array[:, 0].tolist()
    assert whole == [1, 0, 0, 0, 1, 1, 1, 1]
    assert calls.n == 6  # the NaNs, unequal to each other, are still one value
    assert lf.apply([looks_true], df, chunk_size=1, progress=False).array[:, 0].tolist() == whole
    floats = pd.DataFrame({"v": [0.0, -0.0]})
    assert lf.apply([looks_true], floats, progress=False).array[:, 0].tolist() == [0, 1]


def test_rows_given_a_memoized_output_keep_it_for_every_lf_of_the_chain():
    """The copies of a memoized output were made through the rows' write journal: undoing
    the first LF's writes emptied them, and the next LF saw rows without fields."""

    @lf.preprocessor(memoize=True)
    def square(x):
        x.tags = [x.num]
        x.sq = x.num * x.num
        return x

    @lf.labeling_function(pre=[square])
    def first(x):
        x.tags.append(0)
        return 0 if x.sq > 5 else -1

    @lf.labeling_function(pre=[square])
    def second(x):
        return 1 if x.get("sq", 0) > 5 and len(x.tags) == 1 else 0

    @lf.labeling_function(pre=[square])
    def third(x):
        vars(x)["sq"] = 0
        return len(list(x.keys()))

    df = pd.DataFrame({"num": [3, 3, 1, 3]})
    lfs = [first, second, third]
    alone = np.column_stack([lf.apply([f], df, progress=False).array[:, 0] for f in lfs])
    assert alone.tolist() == [[0, 1, 3], [0, 1, 3], [-1, 0, 3], [0, 1, 3]]
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2]):
        for chunk_size in (1, 2, 4):
            L = lf.apply([lfs[i] for i in order], df, chunk_size=chunk_size, progress=False)
            assert L.array.tolist() == alone[:, order].tolist(), (order, chunk_size)
