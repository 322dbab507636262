"""Real data: lf.apply on the UCI YouTube CSVs gives Snorkel's PandasLFApplier matrix.

The templates (RE2 via pyarrow) are compared with row LFs written with Python's ``re``
(``re.ASCII | re.IGNORECASE``), and Snorkel LFs (with a Snorkel preprocessor and resources)
run unchanged through ``lf.apply``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN

SPAM, HAM = 1, 0
FLAGS = re.ASCII | re.IGNORECASE

# (name, label, RE2 template, equivalent Python pattern)
TEMPLATES = [
    ("kw_subscribe", SPAM, lf.keyword_lf("kw_subscribe", ["subscribe", "subscribers", "channel"], SPAM, column="CONTENT"),
     r"\b(?:subscribe|subscribers|channel)\b"),
    ("kw_music", HAM, lf.keyword_lf("kw_music", ["song", "love", "lyrics", "voice", "beat"], HAM, column="CONTENT"),
     r"\b(?:song|love|lyrics|voice|beat)\b"),
    ("kw_views", HAM, lf.keyword_lf("kw_views", ["billion", "views"], HAM, column="CONTENT", whole_word=False),
     r"(?:billion|views)"),
    ("re_check_out", SPAM, lf.regex_lf("re_check_out", r"check\W+(?:out|my|it)", SPAM, column="CONTENT"),
     r"check\W+(?:out|my|it)"),
    ("re_please", SPAM, lf.regex_lf("re_please", r"\b(?:please|plz|pls)\b", SPAM, column="CONTENT"),
     r"\b(?:please|plz|pls)\b"),
    ("re_link", SPAM, lf.regex_lf("re_link", r"https?://|www\.|\.com\b", SPAM, column="CONTENT"),
     r"https?://|www\.|\.com\b"),
]


def _row_lfs():
    """Plain row LFs, written once and wrapped both as lf LFs and as Snorkel LFs."""

    def short_comment(x):
        return HAM if len(x.CONTENT.split()) < 5 else ABSTAIN

    def many_exclaims(x):
        return SPAM if x.CONTENT.count("!") >= 3 else ABSTAIN

    def author_digits(x):
        return SPAM if sum(c.isdigit() for c in x.AUTHOR) >= 2 else ABSTAIN

    def all_caps_word(x):
        return SPAM if any(len(w) > 3 and w.isupper() for w in x.CONTENT.split()) else ABSTAIN

    return [short_comment, many_exclaims, author_digits, all_caps_word]


def _re_equivalent(name, label, pattern):
    rx = re.compile(pattern, FLAGS)

    def f(x):
        return label if rx.search(x.CONTENT) else ABSTAIN

    f.__name__ = name
    return f


@pytest.fixture(scope="module")
def youtube_df(youtube_raw_files):
    df = pd.concat([pd.read_csv(p) for p in youtube_raw_files], ignore_index=True)
    assert len(df) == 1956
    return df


def _snorkel_matrix(funcs, df):
    from snorkel.labeling import LabelingFunction as SnorkelLF
    from snorkel.labeling import PandasLFApplier

    return PandasLFApplier([SnorkelLF(f.__name__, f) for f in funcs]).apply(df, progress_bar=False)


def test_row_lfs_and_templates_on_youtube_csvs_equal_snorkel(youtube_raw_files, youtube_df):
    rows = _row_lfs()
    lfs = [lf.LabelingFunction(f.__name__, f) for f in rows] + [t[2] for t in TEMPLATES]
    reference = rows + [_re_equivalent(n, lab, pat) for n, lab, _, pat in TEMPLATES]
    expected = _snorkel_matrix(reference, youtube_df)

    L = lf.apply(lfs, youtube_raw_files, chunk_size=300, progress=False, id_column="COMMENT_ID")
    assert L.names == tuple(f.__name__ for f in reference)
    assert L.row_ids.tolist() == youtube_df["COMMENT_ID"].tolist()
    assert (L.array != ABSTAIN).sum(axis=0).min() > 20  # every LF fires on real rows
    diff = np.argwhere(L.array != expected)
    details = [(int(r), L.names[c], youtube_df["CONTENT"][r][:80], int(L.array[r, c]), int(expected[r, c])) for r, c in diff[:10]]
    assert diff.size == 0, f"{len(diff)} cells differ from Snorkel (row, lf, text, lf, snorkel): {details}"


def test_youtube_dataframe_local_and_pool_equal_the_file_run(youtube_raw_files, youtube_df):
    lfs = [lf.LabelingFunction(f.__name__, f) for f in _row_lfs()] + [t[2] for t in TEMPLATES]
    from_files = lf.apply(lfs, youtube_raw_files, progress=False)
    assert lf.apply(lfs, youtube_df, chunk_size=500, progress=False) == from_files
    assert lf.apply(lfs, youtube_df, chunk_size=250, n_jobs=2, progress=False) == from_files


def test_snorkel_lf_with_preprocessor_and_resources_runs_unchanged(youtube_raw_files, youtube_df):
    from snorkel.labeling import LabelingFunction as SnorkelLF
    from snorkel.labeling import PandasLFApplier
    from snorkel.labeling import labeling_function as snorkel_labeling_function
    from snorkel.preprocess import preprocessor as snorkel_preprocessor

    @snorkel_preprocessor()
    def tokenize(x):
        x.words = set(re.findall(r"[a-z']+", x.CONTENT.lower()))
        return x

    @snorkel_preprocessor(pre=[tokenize])
    def count_words(x):
        x.n_words = len(x.words)
        return x

    @snorkel_labeling_function(pre=[tokenize], resources={"spam_words": {"subscribe", "free", "money", "channel"}})
    def s_spam_words(x, spam_words):
        return SPAM if x.words & spam_words else ABSTAIN

    s_short = SnorkelLF("s_short", lambda x, limit: HAM if x.n_words < limit else ABSTAIN,
                        resources={"limit": 4}, pre=[count_words])

    @snorkel_labeling_function()
    def s_author_name(x):
        return HAM if x["AUTHOR"].istitle() else ABSTAIN

    s_lfs = [s_spam_words, s_short, s_author_name]
    expected = PandasLFApplier(s_lfs).apply(youtube_df, progress_bar=False)
    assert (expected != ABSTAIN).any(axis=0).all()
    for data in (youtube_df, youtube_raw_files):
        L = lf.apply(s_lfs, data, progress=False)
        assert L.names == ("s_spam_words", "s_short", "s_author_name")
        np.testing.assert_array_equal(L.array, expected)
    mixed = lf.apply(s_lfs + [TEMPLATES[0][2]], youtube_df, n_jobs=2, chunk_size=400, progress=False)
    np.testing.assert_array_equal(mixed.array[:, :3], expected)



def test_templates_and_batch_lfs_run_in_snorkel_appliers_as_in_lf_apply(youtube_raw_files, youtube_df):
    from snorkel.labeling import PandasLFApplier

    @lf.labeling_function(batch=True)
    def long_comment(df):
        return np.where(df["CONTENT"].str.len() > 200, SPAM, ABSTAIN)

    lfs = [t[2] for t in TEMPLATES] + [long_comment]
    L = lf.apply(lfs, youtube_df, progress=False)
    assert (L.array != ABSTAIN).sum(axis=0).min() > 20
    np.testing.assert_array_equal(PandasLFApplier(lfs).apply(youtube_df, progress_bar=False), L.array)



@pytest.mark.filterwarnings("ignore:Input has data type int8:FutureWarning")  # Snorkel's scipy call, on lf's int8 matrix
def test_lfs_matrix_handed_to_snorkel_gives_lfs_numbers(youtube_df):
    from snorkel.labeling import LFAnalysis
    from snorkel.labeling.model import MajorityLabelVoter

    lfs = [lf.LabelingFunction(f.__name__, f) for f in _row_lfs()] + [t[2] for t in TEMPLATES]
    L = lf.apply(lfs, youtube_df, progress=False)
    y = youtube_df["CLASS"].to_numpy()
    with pytest.raises(lf.errors.ParameterError, match=r"np\.asarray\(L\).*Snorkel's LFAnalysis"):
        LFAnalysis(L)
    ours = lf.summarize(L, y)
    theirs = LFAnalysis(np.asarray(L), lfs).lf_summary(Y=y)
    assert list(theirs.index) == list(ours.index)
    for col, mine in [("Coverage", "coverage"), ("Overlaps", "overlaps"), ("Conflicts", "conflicts"),
                      ("Correct", "correct"), ("Incorrect", "incorrect"), ("Emp. Acc.", "emp_acc")]:
        np.testing.assert_allclose(theirs[col].to_numpy(float), ours[mine].to_numpy(float), err_msg=col)
    assert theirs["Polarity"].tolist() == ours["polarity"].tolist()
    voter = lf.models.MajorityVoter(tie_break="abstain").fit(L)
    np.testing.assert_array_equal(MajorityLabelVoter(cardinality=2).predict(np.asarray(L)), voter.predict(L))


SNORKEL_MODULE = '''
import re

from snorkel.labeling import LabelingFunction, labeling_function
from snorkel.preprocess import preprocessor

LABELS = ["HAM", "SPAM"]


@preprocessor()
def lower_words(x):
    x.lower_words = re.findall(r"[a-z0-9']+", x.CONTENT.lower())
    return x


@labeling_function(pre=[lower_words], resources=dict(promo={"subscribe", "channel", "check", "free"}))
def s_promo(x, promo):
    return 1 if promo.intersection(x.lower_words) else -1


@labeling_function(pre=[lower_words])
def s_tiny(x):
    return 0 if len(x.lower_words) <= 3 else -1


s_link = LabelingFunction("s_link", lambda x, marker: 1 if marker in x.CONTENT else -1, resources={"marker": "http"})
'''


def test_load_lfs_finds_snorkel_lfs_in_a_module_file_and_apply_equals_pandas_applier(tmp_path, youtube_raw_files, youtube_df):
    import runpy

    from snorkel.labeling import LabelingFunction as SnorkelLF
    from snorkel.labeling import PandasLFApplier

    path = tmp_path / "snorkel_rules.py"
    path.write_text(SNORKEL_MODULE)
    lfs = lf.load_lfs(path)
    assert lfs.names == ("s_promo", "s_tiny", "s_link")
    assert lfs.labels == ("HAM", "SPAM")
    originals = [v for v in runpy.run_path(str(path)).values() if isinstance(v, SnorkelLF)]
    expected = PandasLFApplier(originals).apply(youtube_df, progress_bar=False)
    assert (expected != ABSTAIN).any(axis=0).all()
    L = lf.apply(lfs, youtube_raw_files, chunk_size=700, progress=False)
    assert L.labels == ("HAM", "SPAM")
    np.testing.assert_array_equal(L.array, expected)
