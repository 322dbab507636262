"""What Snorkel's own tests do, done through lf: memoized mappers on list columns, integer
column labels, LFs called on ``df.iloc[0]``, float label matrices and (n, 1) gold labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, analysis
from lf.errors import ParameterError
from lf.models import MODELS

snorkel_labeling = pytest.importorskip("snorkel.labeling")
snorkel_preprocess = pytest.importorskip("snorkel.preprocess")


class _Hits:
    def __init__(self) -> None:
        self.n = 0


def test_snorkel_memoized_preprocessor_works_on_a_list_column_through_apply():
    hits = _Hits()

    @snorkel_preprocessor_memo(hits)
    def n_tags(x):
        x.n_tags = len(x.tags)
        return x

    @snorkel_labeling.labeling_function(pre=[n_tags])
    def many_tags(x):
        return 1 if x.n_tags > 1 else 0

    df = pd.DataFrame({"text": ["a", "b", "a", "c"], "tags": [["x", "y"], [], ["x", "y"], {"k": 1}]})
    expected = snorkel_labeling.PandasLFApplier([many_tags]).apply(df, progress_bar=False)
    n_tags.reset_cache()
    hits.n = 0
    L = lf.apply([many_tags], df, progress=False)
    np.testing.assert_array_equal(L.array, expected)
    assert hits.n == 3  # rows 0 and 2 are equal: the memo served the second one
    assert df["tags"].tolist() == [["x", "y"], [], ["x", "y"], {"k": 1}]


def snorkel_preprocessor_memo(hits: _Hits):
    def wrap(f):
        def counted(x):
            hits.n += 1
            return f(x)

        counted.__name__ = f.__name__
        return snorkel_preprocess.preprocessor(memoize=True)(counted)

    return wrap


def test_rows_with_lists_and_dicts_hash_by_value():
    from lf.core import make_rows

    a, b = make_rows(["t", "d"], [[["x"], ["x"]], [{"k": [1]}, {"k": [1]}]])
    assert a == b and hash(a) == hash(b)
    c = make_rows(["t"], [[np.array([1.0, 2.0])]])[0]
    d = make_rows(["t"], [[np.array([1.0, 2.0])]])[0]
    assert c == d and hash(c) == hash(d)


def test_unhashable_field_is_named_when_a_row_is_hashed():
    from lf.core import make_rows

    class Thing:
        __hash__ = None  # type: ignore[assignment]

    row = make_rows(["doc"], [[Thing()]])[0]
    with pytest.raises(ParameterError, match=r"Row field 'doc' holds a Thing, which cannot be hashed"):
        hash(row)


def test_integer_column_labels_reach_lf_and_snorkel_lfs_unchanged():
    X = np.array([[0.1, 5.0], [0.9, 1.0], [0.5, 7.0]])
    df = pd.DataFrame(X)  # columns 0 and 1, integers

    @lf.labeling_function()
    def big_second(x):
        return 1 if x[1] > 4 else 0

    @snorkel_labeling.labeling_function()
    def s_small_first(x):
        return 1 if x[0] < 0.5 else 0

    L = lf.apply([big_second, s_small_first], df, progress=False)
    expected = snorkel_labeling.PandasLFApplier([s_small_first]).apply(df, progress_bar=False)
    assert L.array[:, 0].tolist() == [1, 0, 1]
    np.testing.assert_array_equal(L.array[:, 1:], expected)


def test_integer_and_string_column_labels_do_not_share_cache_entries(tmp_path):
    @lf.labeling_function()
    def first(x):
        return 1 if x[1] > 0 else 0

    ints = pd.DataFrame({1: [1, 0]})
    assert lf.apply([first], ints, cache=tmp_path, progress=False).array[:, 0].tolist() == [1, 0]
    with pytest.raises(lf.LFError, match=r"no field 1"):
        lf.apply([first], pd.DataFrame({"1": [1, 0]}), cache=tmp_path, progress=False)


def test_lf_with_preprocessor_called_on_a_series():
    df = pd.DataFrame({"text": ["Hello World"], "n": [3]})

    @lf.preprocessor()
    def lower(x):
        x.low = x.text.lower()
        return x

    @lf.labeling_function(pre=[lower])
    def says_hello(x):
        return 1 if "hello" in x.low and x.n == 3 else ABSTAIN

    assert says_hello(df.iloc[0]) == 1
    assert list(df.columns) == ["text", "n"]


# -- float label matrices and (n, 1) gold, as Snorkel's tests build them ---------------------


def _float_matrix() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    L = -1 * np.ones((300, 4))  # float64, as in Snorkel's tests
    for j, acc in enumerate((0.9, 0.8, 0.75, 0.7)):
        fires = rng.random(300) < 0.7
        right = rng.random(300) < acc
        L[fires, j] = np.where(right[fires], y[fires], 1 - y[fires])
    return L, y


def _model(name):
    kind = MODELS[name]
    return kind(random_state=0) if "random_state" in kind._param_names() else kind()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_fits_and_predicts_float_matrices_like_int_ones(name):
    L, _ = _float_matrix()
    int_model = _model(name).fit(L.astype(np.int64))
    float_model = _model(name).fit(L)
    np.testing.assert_allclose(float_model.predict_proba(L), int_model.predict_proba(L.astype(np.int64)))


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("bad, shown", [(0.5, "0.5"), (np.nan, "nan"), (np.inf, "inf")])
def test_every_model_rejects_non_integral_labels_by_value_and_place(name, bad, shown):
    L, _ = _float_matrix()
    L[7, 2] = bad
    with pytest.raises(ParameterError, match=rf"integer labels.*Got {shown} at row 7, column 2"):
        MODELS[name]().fit(L)
    fitted = MODELS[name]().fit(np.where(np.isfinite(L), np.round(L), -1).astype(np.int64))
    with pytest.raises(ParameterError, match=rf"Got {shown} at row 7, column 2"):
        fitted.predict_proba(L)


def test_summarize_and_analysis_take_float_matrices_and_column_gold_like_snorkel():
    from snorkel.labeling import LFAnalysis

    L, y = _float_matrix()
    ours = lf.summarize(L, y=y.reshape(-1, 1).astype(float))
    reference = lf.summarize(L.astype(np.int64), y=y)
    pd.testing.assert_frame_equal(ours, reference)
    theirs = LFAnalysis(L).lf_summary(Y=y)
    np.testing.assert_allclose(ours["coverage"], theirs["Coverage"])
    np.testing.assert_allclose(ours["conflicts"], theirs["Conflicts"])
    np.testing.assert_array_equal(ours["correct"], theirs["Correct"])
    np.testing.assert_array_equal(analysis.lf_correct(L, y[:, None]), theirs["Correct"])


@pytest.mark.parametrize("bad, shown", [(0.5, "0.5"), (np.nan, "nan"), (np.inf, "inf")])
def test_gold_and_summaries_reject_non_integral_values_by_name(bad, shown):
    L, y = _float_matrix()
    gold = y.astype(float)
    gold[11] = bad
    with pytest.raises(ParameterError, match=rf"`y` must hold integer labels.*Got {shown} at position 11"):
        lf.summarize(L, y=gold)
    L[3, 1] = bad
    with pytest.raises(ParameterError, match=rf"Got {shown} at row 3, column 1"):
        lf.summarize(L)
    with pytest.raises(ParameterError, match=rf"Got {shown} at row 3, column 1"):
        analysis.lf_coverages(L)


def test_select_takes_column_gold():
    from lf.models.select import select

    L, y = _float_matrix()
    chosen = select(["MajorityVoter"], L[:200], L[200:], y[200:, None].astype(float))
    assert chosen.name == "MajorityVoter"

