"""LabelingFunction, the decorators, preprocessors and the per-row Row record."""

from __future__ import annotations

import copy
import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction, Preprocessor, Row, labeling_function, preprocessor
from lf.core import make_rows, missing_field
from lf.errors import LFDefinitionError, LFError, LFRuntimeError


def _row(**fields):
    return make_rows(list(fields), [[v] for v in fields.values()])[0]


# -- ABSTAIN and Row -------------------------------------------------------------------------


def test_abstain_is_minus_one():
    assert ABSTAIN == -1
    assert lf.ABSTAIN == -1


def test_make_rows_builds_one_row_per_position_with_attribute_and_item_access():
    rows = make_rows(["text", "n"], [["a", "b", "c"], [1, 2, 3]])
    assert len(rows) == 3
    assert [r.text for r in rows] == ["a", "b", "c"]
    assert [r["n"] for r in rows] == [1, 2, 3]
    assert all(isinstance(r, Row) for r in rows)


def test_row_missing_field_names_the_field_and_lists_available_ones():
    x = _row(text="hi", author="bob")
    with pytest.raises(AttributeError) as info:
        _ = x.txt
    # Python's own error (Row has no __getattr__, so field reads stay fast); an LF run
    # words it as below
    assert missing_field(info.value) == "The row has no field 'txt'. Available fields: 'text', 'author'."
    with pytest.raises(KeyError, match=r"no field 'txt'.*'text', 'author'"):
        x["txt"]
    with pytest.raises(LFRuntimeError, match=r"AttributeError: The row has no field 'txt'\. Available fields: 'text'"):
        lf.apply([LabelingFunction("typo", lambda r: 1 if r.txt else 0)], pd.DataFrame({"text": ["a"]}), progress=False)


def test_other_attribute_errors_keep_their_own_message():
    x = _row(text="hi")
    for bad in (lambda: x.__wrapped__, lambda: "hi".nope):
        with pytest.raises(AttributeError) as info:
            bad()
        assert missing_field(info.value) is None
    with pytest.raises(LFRuntimeError, match=r"AttributeError: 'str' object has no attribute 'nope'"):
        lf.apply([LabelingFunction("s", lambda r: r.text.nope)], pd.DataFrame({"text": ["a"]}), progress=False)


def test_row_get_contains_keys_and_setting_fields():
    x = _row(text="hi")
    assert x.get("text") == "hi"
    assert x.get("nope", 5) == 5
    assert "text" in x and "nope" not in x
    x.tokens = ["hi"]
    x["n"] = 1
    assert list(x.keys()) == ["text", "tokens", "n"]
    assert x["tokens"] == ["hi"] and x.n == 1


def test_row_copy_is_independent_of_the_original():
    x = _row(text="hi")
    for y in (x.copy(), copy.copy(x)):
        y.extra = 1
        y.text = "changed"
        assert x.text == "hi"
        assert "extra" not in x


def test_row_equality_hash_and_repr():
    a, b = _row(text="hi", n=1), _row(text="hi", n=1)
    assert a == b and hash(a) == hash(b)
    assert a != _row(text="hi", n=2)
    assert repr(a) == "Row(text='hi', n=1)"


def test_row_survives_pickle_roundtrip_as_snorkel_mappers_do():
    x = _row(text="hi", n=3)
    y = pickle.loads(pickle.dumps(x))
    assert y == x and y.text == "hi"


def test_row_dunder_lookups_raise_attribute_error_not_a_field_error():
    x = _row(text="hi")
    assert not hasattr(x, "__missing_dunder__")


# -- labeling_function -----------------------------------------------------------------------


def test_decorator_names_the_lf_after_the_function_and_calls_it_on_dicts_and_rows():
    @labeling_function()
    def has_link(x):
        return 1 if "http" in x.text else ABSTAIN

    assert isinstance(has_link, LabelingFunction)
    assert has_link.name == "has_link"
    assert has_link.batch is False
    assert has_link({"text": "see http://x"}) == 1
    assert has_link(_row(text="nothing")) == ABSTAIN
    assert repr(has_link) == "LabelingFunction('has_link', row)"


def test_decorator_explicit_name():
    @labeling_function("custom")
    def f(x):
        return 0

    assert f.name == "custom"


def test_bare_decorator_fails_saying_to_add_parentheses():
    # the words Snorkel's own test looks for, as a ValueError
    with pytest.raises(ValueError, match=r"@labeling_function is missing parentheses: write @labeling_function\(\).*def my_lf"):

        @labeling_function
        def my_lf(x):
            return 0


def test_bare_preprocessor_decorator_fails_saying_to_add_parentheses():
    with pytest.raises(LFDefinitionError, match=r"@preprocessor\(\).*def lower"):

        @preprocessor
        def lower(x):
            return x


@pytest.mark.parametrize("bad", [3, b"name"])
def test_decorator_rejects_non_string_name(bad):
    with pytest.raises(LFDefinitionError, match=r"`name` must be a string or None"):
        labeling_function(bad)


def test_resources_are_passed_as_keyword_arguments():
    @labeling_function(resources={"words": {"spam"}, "label": 1})
    def kw(x, words, label):
        return label if x.text in words else ABSTAIN

    assert kw({"text": "spam"}) == 1
    assert kw({"text": "ham"}) == ABSTAIN


def test_signature_mismatch_with_resources_is_reported_at_definition():
    with pytest.raises(LFDefinitionError, match=r"'needs_db' must accept one row.*\['words'\]"):

        @labeling_function(resources={"words": {"a"}})
        def needs_db(x, db):
            return 0


def test_lf_without_row_argument_is_reported_at_definition():
    with pytest.raises(LFDefinitionError, match=r"'no_args'"):

        @labeling_function()
        def no_args():
            return 0


def test_batch_lf_gets_a_dataframe():
    import pandas as pd

    @labeling_function(batch=True)
    def short(df):
        return (df["text"].str.len() < 4).map({True: 0, False: -1}).to_numpy()

    assert short.batch
    assert short(pd.DataFrame({"text": ["ab", "abcdef"]})).tolist() == [0, -1]
    assert repr(short) == "LabelingFunction('short', batch)"



def test_batch_lf_called_on_one_row_gives_that_rows_label():
    @labeling_function(batch=True)
    def short(df):
        return np.where(df["text"].str.len() < 4, 0, -1)

    for row in ({"text": "ab"}, pd.DataFrame({"text": ["ab"]}).iloc[0], SimpleNamespace(text="ab")):
        assert short(row) == 0 and type(short(row)) is int
    assert short({"text": "abcdef"}) == -1

    @labeling_function(batch=True)
    def two_labels(df):
        return np.array([0, 0])

    with pytest.raises(LFDefinitionError, match=r"'two_labels'.*shape \(2,\) for one row"):
        two_labels({"text": "ab"})



def test_snorkels_pre_for_a_preprocessor_is_refused_saying_where_it_goes():
    with pytest.raises(LFDefinitionError, match=r"takes no `pre`.*pre=\[first, second\]"):
        preprocessor(pre=[Preprocessor("first", lambda x: x)])


def test_a_snorkel_preprocessor_in_an_lf_lfs_pre_is_refused_saying_where_it_runs():
    from snorkel.preprocess import preprocessor as snorkel_preprocessor

    @snorkel_preprocessor()
    def lower(x):
        x.text = x.text.lower()
        return x

    with pytest.raises(LFDefinitionError, match=r"a Snorkel preprocessor: it runs in a Snorkel LF"):
        LabelingFunction("f", lambda x: 0, pre=[lower])


def test_batch_lf_with_preprocessors_is_rejected():
    @preprocessor()
    def p(x):
        return x

    with pytest.raises(LFDefinitionError, match=r"'b'.*`pre` is for row LFs"):
        LabelingFunction("b", lambda df: df, pre=[p], batch=True)


@pytest.mark.parametrize("name", ["", None, 5])
def test_lf_needs_a_non_empty_string_name(name):
    with pytest.raises(LFDefinitionError, match="non-empty string name"):
        LabelingFunction(name, lambda x: 0)


def test_lf_needs_a_callable():
    with pytest.raises(LFDefinitionError, match=r"'x'.*`f` must be callable.*'not callable'"):
        LabelingFunction("x", "not callable")


def test_pre_items_must_be_preprocessors():
    with pytest.raises(LFDefinitionError, match=r"'x'.*@lf.preprocessor\(\)"):
        LabelingFunction("x", lambda x: 0, pre=[lambda x: x])


def test_snorkels_positional_resources_and_pre_are_taken():
    """Snorkel's LabelingFunction(name, f, resources, pre): the same positions here."""

    @preprocessor()
    def doubled(x):
        x.num = 2 * x.num
        return x

    listed = LabelingFunction("listed", lambda x, db: 0 if x.num in db else ABSTAIN, {"db": [6]}, [doubled])
    assert (listed({"num": 3}), listed({"num": 6})) == (0, ABSTAIN)


def test_a_constructed_lf_whose_function_does_not_take_its_resources_fails_at_definition():
    """As the decorator does: not one 'missing argument' failure per row, which
    on_error='abstain' would count as that many abstains."""

    def needs_db(x, db):
        return 0 if x.num in db else ABSTAIN

    with pytest.raises(LFDefinitionError, match=r"Labeling function 'n' must accept one row .*\[\]: .*'db'"):
        LabelingFunction("n", needs_db)
    with pytest.raises(LFDefinitionError, match=r"'m' must accept one row .*\['words'\]"):
        LabelingFunction("m", lambda x: 0, resources={"words": {"a"}})
    with pytest.raises(LFDefinitionError, match=r"Preprocessor 'p' must accept one row .*\[\]"):
        Preprocessor("p", lambda x, db: x)


@pytest.mark.parametrize("bad", [{"db"}, [("db", 1)], {1: "x"}])
def test_resources_that_are_not_keyword_names_are_a_definition_error(bad):
    with pytest.raises(LFDefinitionError, match=r"'n': `resources` must be a dict of keyword names"):
        LabelingFunction("n", lambda x, **kw: 0, resources=bad)


def test_pre_that_is_not_a_list_is_a_definition_error_naming_the_lf():
    @preprocessor()
    def same(x):
        return x

    for bad in (same, lambda x: x):
        with pytest.raises(LFDefinitionError, match=r"'n': `pre` must be a list of preprocessors"):
            LabelingFunction("n", lambda x: 0, pre=bad)
        with pytest.raises(LFDefinitionError, match=r"'g': `pre` must be a list of preprocessors"):
            labeling_function("g", pre=bad)(lambda x: 0)


def test_definition_errors_are_type_errors_and_lf_errors():
    with pytest.raises(TypeError):
        LabelingFunction("", lambda x: 0)
    assert issubclass(LFDefinitionError, LFError)


# -- preprocessors ---------------------------------------------------------------------------


def test_preprocessor_adds_fields_on_a_copy_and_lf_sees_them():
    @preprocessor()
    def lower(x):
        x.low = x.text.lower()
        return x

    @labeling_function(pre=[lower])
    def has_free(x):
        return 1 if "free" in x.low else ABSTAIN

    original = _row(text="FREE stuff")
    assert has_free(original) == 1
    assert "low" not in original  # the caller's row is untouched
    assert isinstance(lower, Preprocessor) and lower.name == "lower"


def test_preprocessors_run_in_order():
    @preprocessor()
    def first(x):
        x.trace = ["first"]
        return x

    @preprocessor()
    def second(x):
        x.trace = x.trace + ["second"]
        return x

    @labeling_function(pre=[first, second])
    def f(x):
        return len(x.trace)

    assert f({"text": ""}) == 2


def test_preprocessor_resources():
    @preprocessor(resources={"suffix": "!"})
    def shout(x, suffix):
        x.loud = x.text.upper() + suffix
        return x

    @labeling_function(pre=[shout])
    def f(x):
        return 1 if x.loud == "HI!" else 0

    assert f({"text": "hi"}) == 1


def test_preprocessor_that_forgets_to_return_the_row_is_named():
    @preprocessor()
    def forgot(x):
        x.a = 1

    with pytest.raises(LFDefinitionError, match=r"'forgot' must return the row.*Got NoneType"):
        forgot(_row(text="a"))


def test_preprocessor_needs_a_callable():
    with pytest.raises(LFDefinitionError, match=r"'p'.*expected a function"):
        Preprocessor("p", 42)


def test_preprocessor_works_when_the_data_has_a_column_named_like_a_row_method():
    # Ad datasets often have a "copy" column (the ad text); fields must not break preprocessors.
    import pandas as pd

    @preprocessor()
    def add_len(x):
        x.n = len(x.text)
        return x

    lfs = [
        LabelingFunction("long", lambda x: 1 if x.n > 3 else 0, pre=[add_len]),
        LabelingFunction("buy", lambda x: 1 if "buy" in x["copy"] else 0),
    ]
    df = pd.DataFrame({"text": ["hello", "hi"], "copy": ["buy now", "nice"], "keys": [1, 2], "get": [3, 4]})
    L = lf.apply(lfs, df, progress=False)
    assert L.array.tolist() == [[1, 1], [0, 0]]
