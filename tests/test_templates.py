"""keyword_lf / regex_lf: vectorised (RE2) batch LFs, checked against Python's ``re``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lf
from lf import ABSTAIN, keyword_lf, regex_lf
from lf.errors import DataError, LFDefinitionError, LFOutputError


def _run(template, texts, column="text"):
    return lf.apply([template], pd.DataFrame({column: texts}), progress=False, cardinality=3).array[:, 0].tolist()


def test_templates_are_batch_lfs_returning_one_label_per_row():
    kw = keyword_lf("kw_free", ["free"], 1)
    assert isinstance(kw, lf.LabelingFunction) and kw.batch and kw.name == "kw_free"
    out = kw(pd.DataFrame({"text": ["free stuff", "nothing"]}))
    assert np.asarray(out).tolist() == [1, ABSTAIN]


def test_keyword_whole_word_by_default():
    assert _run(keyword_lf("k", ["free"], 1), ["free", "for free!", "freedom", "carefree", "free-for-all"]) == [
        1, 1, ABSTAIN, ABSTAIN, 1,
    ]


def test_keyword_substring_when_whole_word_false():
    assert _run(keyword_lf("k", ["free"], 1, whole_word=False), ["freedom", "carefree", "fre e"]) == [1, 1, ABSTAIN]


def test_keyword_case_insensitive_by_default_and_case_sensitive_on_request():
    texts = ["FREE", "Free", "free"]
    assert _run(keyword_lf("k", ["free"], 1), texts) == [1, 1, 1]
    assert _run(keyword_lf("k", ["free"], 1, case_sensitive=True), texts) == [ABSTAIN, ABSTAIN, 1]


def test_keyword_any_of_several_and_multi_word_keywords():
    kw = keyword_lf("k", ["check out", "subscribe"], 2)
    assert _run(kw, ["please check  out", "check out my", "Subscribe!", "checkout"]) == [ABSTAIN, 2, 2, ABSTAIN]


def test_keyword_regex_metacharacters_are_literal():
    kw = keyword_lf("k", ["a.b", "(x)"], 1, whole_word=False)
    assert _run(kw, ["a.b", "axb", "f(x)", "x"]) == [1, ABSTAIN, 1, ABSTAIN]


def test_keyword_with_non_word_characters_at_its_edges_matches_as_a_whole_word():
    # Keywords such as "c++", "$$$" or "!!!" are whole words in any reasonable reading of the
    # text "I love c++ a lot"; a `\b...\b` wrapper never matches them when they are followed
    # by a space or the end of the text.
    kw = keyword_lf("k", ["c++", "$$$"], 1)
    assert _run(kw, ["I love c++ a lot", "win $$$ now", "c++", "abc"]) == [1, 1, 1, ABSTAIN]


def test_keyword_with_non_ascii_letters_matches_whole_words_only():
    # Non-English corpora (the shared Yoruba / Hausa sets): a keyword ending in a non-ASCII
    # letter must match that word, in any case, and must not match inside a longer word.
    kw = keyword_lf("k", ["café", "ọjọ́"], 1)
    texts = ["un café noir", "café", "CAFÉ", "ọjọ́ kan", "cafés", "xcafé"]
    assert _run(kw, texts) == [1, 1, 1, 1, ABSTAIN, ABSTAIN]


def test_keyword_column_option_reads_another_column():
    kw = keyword_lf("k", ["spam"], 1, column="CONTENT")
    assert _run(kw, ["spam here", "ham"], column="CONTENT") == [1, ABSTAIN]


def test_regex_matches_anywhere_case_insensitive_by_default():
    rx = regex_lf("r", r"check\s+(?:it|this)\s+out", 1)
    assert _run(rx, ["Check this out!", "so check it   out", "checkout"]) == [1, 1, ABSTAIN]
    rx_cs = regex_lf("r", r"^Check", 1, case_sensitive=True)
    assert _run(rx_cs, ["Check", "check", "a Check"]) == [1, ABSTAIN, ABSTAIN]


def test_missing_text_values_abstain():
    kw = keyword_lf("k", ["a"], 1)
    assert _run(kw, ["a b", None, np.nan, "a"]) == [1, ABSTAIN, ABSTAIN, 1]


def test_chunk_whose_texts_are_all_missing_abstains(tmp_path):
    # A chunk of a large corpus can hold only missing texts: pandas then types the column as
    # object (all None) or float64 (all NaN, e.g. from read_csv chunks). The template must
    # abstain on those rows, not fail.
    kw = keyword_lf("k", ["a"], 1)
    parts = [pd.DataFrame({"text": ["a", "b"]}), pd.DataFrame({"text": [None, None]})]
    L = lf.apply([kw], parts, progress=False)
    assert L.array[:, 0].tolist() == [1, ABSTAIN, ABSTAIN, ABSTAIN]
    path = tmp_path / "gaps.csv"
    path.write_text('id,text\n1,a b\n2,b\n3,\n4,\n5,a\n')
    with pd.read_csv(path, chunksize=2) as reader:  # the middle chunk's text is float64 NaN
        L = lf.apply([kw], reader, progress=False)
    assert L.array[:, 0].tolist() == [1, ABSTAIN, ABSTAIN, ABSTAIN, 1]


def test_template_label_can_exceed_one():
    assert _run(keyword_lf("k", ["x"], 2), ["x"]) == [2]


def test_template_label_out_of_range_for_cardinality_fails_naming_the_lf_and_value():
    kw = keyword_lf("k_three", ["x"], 3)
    with pytest.raises(LFOutputError, match=r"'k_three' returned 3 on row 0.*0\.\.1"):
        lf.apply([kw], pd.DataFrame({"text": ["x"]}), cardinality=2, progress=False)


def test_missing_column_fails_naming_lf_column_and_available_columns_even_when_abstaining():
    kw = keyword_lf("k_body", ["x"], 1, column="body")
    df = pd.DataFrame({"text": ["x"], "id": [1]})
    for on_error in ("raise", "abstain"):
        with pytest.raises(DataError, match=r"'k_body' reads column 'body'.*Available columns: text, id"):
            lf.apply([kw], df, on_error=on_error, progress=False)


def test_non_text_column_fails_naming_the_dtype():
    kw = keyword_lf("k_num", ["1"], 1, column="n")
    with pytest.raises(DataError, match=r"'k_num' needs a text column; 'n' has dtype int64"):
        lf.apply([kw], pd.DataFrame({"n": [1, 2]}), progress=False)


def test_a_text_column_holding_bytes_fails_naming_the_value_its_row_and_the_fix():
    # an object column mixing str and bytes (a text read without decoding)
    df = pd.DataFrame({"text": ["free money", b"free money", "hi"]}, index=[10, 11, 12])
    with pytest.raises(DataError, match=r"'k' needs a text column; 'text' has dtype object, holding b'free money' \(bytes\) "
                       r"in the row of index 11\. Make every value of the column a str or missing first"):
        lf.apply([keyword_lf("k", ["free"], 1)], df, progress=False)


@pytest.mark.parametrize(
    "pattern",
    [r"foo(?=bar)", r"(?<!x)foo", r"(a)\1"],
    ids=["lookahead", "lookbehind", "backreference"],
)
def test_regex_rejects_patterns_re2_cannot_run_and_says_what_to_do(pattern):
    with pytest.raises(LFDefinitionError, match=r"'r'.*not valid RE2 syntax.*row LF with Python's `re`"):
        regex_lf("r", pattern, 1)


def test_regex_rejects_invalid_pattern():
    with pytest.raises(LFDefinitionError, match=r"pattern '\(unclosed' is not valid"):
        regex_lf("r", "(unclosed", 1)


@pytest.mark.parametrize("pattern", ["", None])
def test_regex_needs_a_non_empty_pattern(pattern):
    with pytest.raises(LFDefinitionError, match=r"'r'.*`pattern` must be a non-empty string"):
        regex_lf("r", pattern, 1)


def test_keyword_lf_rejects_a_single_string_of_keywords():
    with pytest.raises(LFDefinitionError, match=r"'k'.*list of strings, not one string 'free'"):
        keyword_lf("k", "free", 1)


@pytest.mark.parametrize("keywords", [[], ["free", ""]])
def test_keyword_lf_rejects_empty_keywords(keywords):
    with pytest.raises(LFDefinitionError, match=r"'k'.*non-empty list of non-empty strings"):
        keyword_lf("k", keywords, 1)


@pytest.mark.parametrize("label", [-1, True, 1.0, "1"])
def test_template_label_must_be_a_non_negative_int(label):
    with pytest.raises(LFDefinitionError, match=r"'k'.*`label` must be an int >= 0. Got"):
        keyword_lf("k", ["x"], label)


def test_template_name_must_be_a_non_empty_string():
    with pytest.raises(LFDefinitionError, match="non-empty string name"):
        regex_lf("", "x", 1)


# -- equivalence with Python's re (ASCII, case-insensitive) ---------------------------------

_ALPHABET = "abcFREEfrlSONGsong  .,!-_'0123\t\nxyz"
_KEYWORDS = ["free", "song", "fre", "a b", "x_y", "so"]


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=_ALPHABET, max_size=25), min_size=1, max_size=20),
    keywords=st.lists(st.sampled_from(_KEYWORDS), min_size=1, max_size=3, unique=True),
    whole_word=st.booleans(),
    case_sensitive=st.booleans(),
)
def test_keyword_lf_agrees_with_python_re_on_ascii_text(texts, keywords, whole_word, case_sensitive):
    kw = keyword_lf("k", keywords, 1, whole_word=whole_word, case_sensitive=case_sensitive)
    body = "|".join(re.escape(w) for w in keywords)
    pattern = rf"\b(?:{body})\b" if whole_word else body
    flags = re.ASCII | (0 if case_sensitive else re.IGNORECASE)
    expected = [1 if re.search(pattern, t, flags) else ABSTAIN for t in texts]
    assert np.asarray(kw(pd.DataFrame({"text": texts}))).tolist() == expected


def test_categorical_text_column_matches_like_plain_text(tmp_path):
    texts = ["buy now", "nice song", None, "buy now"]
    frame = pd.DataFrame({"text": pd.Categorical(texts)})
    kw = keyword_lf("k", ["buy"], 1)
    assert lf.apply([kw], frame, progress=False).array[:, 0].tolist() == [1, ABSTAIN, ABSTAIN, 1]
    path = tmp_path / "cat.parquet"
    frame.to_parquet(path)  # stored as a dictionary column
    assert lf.apply([kw], path, progress=False).array[:, 0].tolist() == [1, ABSTAIN, ABSTAIN, 1]


def test_a_lone_surrogate_in_a_frames_text_is_named_as_the_datas_not_blamed_on_the_template() -> None:
    """Half a character ("\\ud800", from a bad decode) reached pyarrow's UTF-8 encoder and came
    back as an LFRuntimeError telling the user to fix the keyword LF."""
    df = pd.DataFrame({"text": pd.Series(["fine", "bad \ud800 text"], dtype=object, index=[10, 11])})
    with pytest.raises(DataError, match=r"in the row of index 11: its text 'bad \\ud800 text' holds a lone surrogate"):
        lf.apply([lf.keyword_lf("k", ["fine"], 1)], df, progress=False)


# -- the same votes as the one RE2 pattern with the Unicode class, in any script ------------

_MIXED = "ab sKk\u212aſßéọ\u0301\u0345ıİi_1٣\u2160Ⓐⓐ—“”¡\u00a0😀\n.-"
_MIXED_KEYWORDS = ["k", "s", "ss", "é", "ọjọ", "i", "a b", "ß", "ab", "—", "😀"]


def _one_pattern(kw, texts):
    """What the LF's own whole pattern gives, in one RE2 call: the Unicode class at its edges."""
    import pyarrow as pa
    import pyarrow.compute as pc

    hit = pc.match_substring_regex(pa.array(texts, pa.string()), kw.f.pattern, ignore_case=kw.f.ignore_case)
    return np.where(hit.fill_null(False).to_numpy(zero_copy_only=False), 1, ABSTAIN).tolist()


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(st.lists(st.text(alphabet=_MIXED, max_size=12), min_size=1, max_size=12), min_size=1, max_size=3),
    keywords=st.lists(st.sampled_from(_MIXED_KEYWORDS), min_size=1, max_size=3, unique=True),
    case_sensitive=st.booleans(),
)
def test_keyword_lf_votes_as_its_unicode_pattern_chunk_after_chunk(chunks, keywords, case_sensitive):
    # edges are checked with an ASCII class and the characters met so far, looked up once per
    # LF: one LF over several chunks, and its copy in another process, vote as the pattern does
    import pickle

    kw = keyword_lf("k", keywords, 1, case_sensitive=case_sensitive)
    for texts in chunks:
        assert np.asarray(kw(pd.DataFrame({"text": texts}))).tolist() == _one_pattern(kw, texts)
    again = pickle.loads(pickle.dumps(kw))
    for texts in chunks:
        assert np.asarray(again(pd.DataFrame({"text": texts + [None]}))).tolist() == _one_pattern(kw, texts) + [ABSTAIN]


@pytest.mark.parametrize(("pattern", "fix"), [(r"^a{,3}$", "'{0,3}'"), (r"x{,}", "'{0,}'")])
def test_regex_refuses_an_open_repeat_re2_reads_as_text(pattern, fix):
    # Python's `re` reads "a{,3}" as 0 to 3 a's; RE2 matches the text "a{,3}" itself, so the
    # LF voted on almost no row, without a word.
    with pytest.raises(LFDefinitionError, match=rf"'r': pattern .* has '{{,\d*}}', which RE2 reads as that text.*Write {re.escape(fix)}"):
        regex_lf("r", pattern, 1)


def test_regex_keeps_braces_escaped_or_in_a_class_as_text():
    assert _run(regex_lf("r", r"a\{,3}", 1), ["a{,3}", "aa"]) == [1, ABSTAIN]
    assert _run(regex_lf("r", r"[{,3}]", 1), ["{", "x"]) == [1, ABSTAIN]
    assert _run(regex_lf("r", r"^a{0,3}$", 1), ["", "aaa", "aaaa"]) == [1, 1, ABSTAIN]


def test_regex_classes_and_dollar_are_re2s_as_the_docs_say():
    # \w, \d, \s are ASCII in RE2 (Python's `re` reads them in any script), the Unicode
    # classes the README names instead match any script, and $ is the text's end only
    texts = ["café", "١٢٣", "x\u00a0y", "foo\n", "foo\r\nbar"]
    assert _run(regex_lf("r", r"^\w+$", 1), texts) == [ABSTAIN] * 5
    assert _run(regex_lf("r", r"^[\pL\pM\pN_]+$", 1), texts) == [1, 1, ABSTAIN, ABSTAIN, ABSTAIN]
    assert _run(regex_lf("r", r"\d|x\sy", 1), texts) == [ABSTAIN] * 5
    assert _run(regex_lf("r", r"\pN|x[\s\pZ]y", 1), texts) == [ABSTAIN, 1, 1, ABSTAIN, ABSTAIN]
    assert _run(regex_lf("r", r"foo$", 1), texts) == [ABSTAIN] * 5
    assert _run(regex_lf("r", r"(?m)foo$", 1), texts) == [ABSTAIN] * 3 + [1, ABSTAIN]


@pytest.mark.parametrize("keyword", [" free ", "free ", "\tfree"])
def test_keyword_padded_with_spaces_is_refused_as_a_whole_word(keyword):
    # " free " as a whole word fired on "a  free  b" but never on "get free stuff"
    with pytest.raises(LFDefinitionError, match=rf"'k': keyword {re.escape(repr(keyword))} has spaces at its edge.*Write 'free'"):
        keyword_lf("k", ["cash", keyword], 1)


def test_keyword_padded_with_spaces_matches_as_text_when_whole_word_is_off():
    assert _run(keyword_lf("k", [" free "], 1, whole_word=False), ["get free stuff", "free", "freedom"]) == [1, ABSTAIN, ABSTAIN]
