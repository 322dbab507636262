"""lf.apply over the local and process-pool engines: identical matrices, errors, ids, options."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction, keyword_lf, labeling_function, preprocessor, regex_lf
from lf.apply.kernel import label_chunk
from lf.errors import DataError, LFDefinitionError, LFRuntimeError

WORDS = ["free", "money", "song", "love", "check", "out", "my", "channel", "http://x.io", "the", "best", "lol"]


@pytest.fixture(scope="module")
def corpus():
    rng = np.random.default_rng(7)
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(1, 8))) for _ in range(503)]
    texts[250] = "EXPLODE " + texts[250]
    texts[251] = "EXPLODE"
    return pd.DataFrame({"cid": [f"id{i}" for i in range(503)], "text": texts, "n": np.arange(503)})


def _make_lfs(fail: bool = False):
    threshold = 3  # captured by a closure

    @preprocessor()
    def tokens(x):
        x.toks = x.text.split()
        return x

    @labeling_function(pre=[tokens])
    def short(x):
        return 0 if len(x.toks) < threshold else ABSTAIN

    @labeling_function(resources={"spam": {"free", "money"}})
    def spammy(x, spam):
        return 1 if spam & set(x.text.split()) else ABSTAIN

    @labeling_function(batch=True)
    def even_n(df):
        return np.where(df["n"].to_numpy() % 2 == 0, 0, ABSTAIN)

    lfs = [
        short,
        spammy,
        even_n,
        LabelingFunction("lambda_song", lambda x: 0 if "song" in x.text else ABSTAIN),
        keyword_lf("kw_channel", ["my channel", "check out"], 1),
        regex_lf("re_link", r"https?://", 1),
    ]
    if fail:

        def explode(x):
            if x.text.startswith("EXPLODE"):
                raise ValueError(f"cannot handle {x.cid}")
            return 1 if "love" in x.text else ABSTAIN

        lfs.append(LabelingFunction("explodes", explode))
    return lfs


def _apply(lfs, data, **kw):
    kw.setdefault("progress", False)
    return lf.apply(lfs, data, **kw)


def _assert_same(a, b):
    assert a == b
    assert np.array_equal(a.array, b.array)
    assert a.array.dtype == b.array.dtype
    assert np.array_equal(a.errors, b.errors)
    if a.row_ids is None:
        assert b.row_ids is None
    else:
        assert a.row_ids.tolist() == b.row_ids.tolist()


def test_local_engine_equals_calling_the_kernel_on_the_whole_frame(corpus):
    lfs = _make_lfs()
    L = _apply(lfs, corpus, chunk_size=64)
    ref = label_chunk(lfs, corpus, cardinality=2)
    assert np.array_equal(L.array, ref.labels)
    assert L.names == tuple(x.name for x in lfs)
    assert L.cardinality == 2
    assert (L.array != ABSTAIN).any(axis=0).all()  # every LF fires somewhere: the check is not vacuous


@pytest.mark.parametrize("chunk_size", [1_000, 64, 7])
def test_pool_matrix_identical_to_local_including_lambdas_and_closures(corpus, chunk_size):
    lfs = _make_lfs()
    local = _apply(lfs, corpus, chunk_size=chunk_size, id_column="cid")
    pool = _apply(lfs, corpus, chunk_size=chunk_size, id_column="cid", engine="pool", n_jobs=2)
    _assert_same(local, pool)
    assert pool.row_ids.tolist() == corpus["cid"].tolist()


def test_n_jobs_above_one_uses_the_pool_by_default_and_minus_one_means_all_cpus(corpus):
    lfs = _make_lfs()
    ref = _apply(lfs, corpus, chunk_size=100)
    _assert_same(ref, _apply(lfs, corpus, chunk_size=100, n_jobs=2))
    _assert_same(ref, _apply(lfs, corpus, chunk_size=100, n_jobs=-1))


@pytest.mark.parametrize("engine", ["local", "pool"])
def test_error_from_an_lf_names_lf_global_row_and_id(corpus, engine):
    with pytest.raises(LFRuntimeError) as info:
        _apply(_make_lfs(fail=True), corpus, chunk_size=100, engine=engine, n_jobs=2, id_column="cid")
    msg = str(info.value)
    assert "Labeling function 'explodes' raised on row 250 (id 'id250')" in msg
    assert "ValueError: cannot handle id250" in msg
    assert "on_error='abstain'" in msg


@pytest.mark.parametrize("engine", ["local", "pool"])
def test_on_error_abstain_counts_failures_identically(corpus, engine):
    L = _apply(_make_lfs(fail=True), corpus, chunk_size=50, engine=engine, n_jobs=2, on_error="abstain")
    j = L.names.index("explodes")
    assert L.errors.tolist() == [0] * j + [2]
    assert L.array[250, j] == ABSTAIN and L.array[251, j] == ABSTAIN
    expected = [1 if "love" in t else ABSTAIN for t in corpus["text"]]
    expected[250] = expected[251] = ABSTAIN
    assert L.array[:, j].tolist() == expected
    summary = lf.summarize(L)
    assert summary.loc["explodes", "errors"] == 2


def test_on_error_abstain_pool_equals_local(corpus):
    lfs = _make_lfs(fail=True)
    _assert_same(
        _apply(lfs, corpus, chunk_size=33, on_error="abstain"),
        _apply(lfs, corpus, chunk_size=33, on_error="abstain", engine="pool", n_jobs=2),
    )


@pytest.mark.parametrize("engine", ["local", "pool"])
@pytest.mark.parametrize("progress", [True, False, None])
def test_progress_settings_do_not_change_the_result(corpus, engine, progress):
    lfs = _make_lfs()
    ref = _apply(lfs, corpus, chunk_size=100)
    _assert_same(ref, lf.apply(lfs, corpus, chunk_size=100, engine=engine, n_jobs=2, progress=progress))


def test_seconds_are_recorded_per_lf_in_both_engines(corpus):
    def slow(x):
        if x.n % 100 == 0:
            time.sleep(0.01)
        return ABSTAIN

    lfs = [LabelingFunction("slow", slow), LabelingFunction("fast", lambda x: ABSTAIN)]
    for engine in ("local", "pool"):
        L = _apply(lfs, corpus, chunk_size=100, engine=engine, n_jobs=2)
        assert L.seconds[0] >= 0.05 - 1e-3, engine
        assert 0 <= L.seconds[1] < L.seconds[0], engine


def test_iterable_of_frames_equals_one_frame(corpus):
    lfs = _make_lfs()
    parts = (corpus.iloc[i : i + 120] for i in range(0, len(corpus), 120))
    _assert_same(_apply(lfs, corpus, chunk_size=50), _apply(lfs, parts, chunk_size=50))


def test_custom_engine_object_is_used(corpus):
    class Recording:
        name = "recording"

        def __init__(self):
            self.offsets = []

        def map_chunks(self, lfs, tasks, settings):
            for task in tasks:
                self.offsets.append(task.offset)
                yield settings.label(lfs, task)

    eng = Recording()
    lfs = _make_lfs()
    L = _apply(lfs, corpus, engine=eng, chunk_size=200)
    assert eng.offsets == [0, 200, 400]
    _assert_same(L, _apply(lfs, corpus, chunk_size=200))


class _Faulty:
    """Engines that break the contract in one way each."""

    name = "faulty"

    def __init__(self, fault):
        self.fault = fault

    def map_chunks(self, lfs, tasks, settings):
        for i, task in enumerate(tasks):
            res = settings.label(lfs, task)
            if self.fault == "drops the last" and task.offset == 400:
                return
            if self.fault == "skips one" and i == 1:
                continue
            if self.fault == "cuts rows" and i == 2:
                res = res._replace(labels=res.labels[:-1])
            yield res


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("drops the last", "no result for the chunk at row 400"),
        ("skips one", "103 rows of labels for the chunk of 200 rows at row 200"),
        ("cuts rows", "102 rows of labels for the chunk of 103 rows at row 400"),
    ],
)
def test_an_engine_breaking_the_contract_is_an_error_not_a_shorter_or_shifted_matrix(corpus, fault, said):
    # chunks of 200, 200 and 103 rows: dropping one, or a row of one, would have given a shorter matrix
    # whose later labels sit on other rows
    with pytest.raises(lf.errors.ParameterError, match=rf"The engine _Faulty returned ({said})"):
        _apply(_make_lfs(), corpus, engine=_Faulty(fault), chunk_size=200)


def test_snorkel_lf_with_preprocessor_and_resources_runs_in_the_pool(corpus):
    from snorkel.labeling import LabelingFunction as SnorkelLF
    from snorkel.preprocess import preprocessor as snorkel_preprocessor

    @snorkel_preprocessor()
    def upper(x):
        x.up = x.text.upper()
        return x

    s_lf = SnorkelLF("s_free", lambda x, word: 1 if word in x.up else ABSTAIN, resources={"word": "FREE"}, pre=[upper])
    local = _apply([s_lf], corpus, chunk_size=100)
    pool = _apply([s_lf], corpus, chunk_size=100, engine="pool", n_jobs=2)
    _assert_same(local, pool)
    assert local.array[:, 0].tolist() == [1 if "free" in t else ABSTAIN for t in corpus["text"]]


# -- labels, cardinality, columns ------------------------------------------------------------


def test_cardinality_inferred_from_labels_seen_or_given(corpus):
    three = LabelingFunction("three", lambda x: 2 if "song" in x.text else ABSTAIN)
    assert _apply([three], corpus).cardinality == 3
    assert _apply([three], corpus, cardinality=5).cardinality == 5
    L = _apply([three], corpus, labels=["A", "B", "C"])
    assert L.labels == ("A", "B", "C") and L.cardinality == 3
    with pytest.raises(ValueError, match=r"`cardinality` is 2 but 3 label names were given"):
        _apply([three], corpus, labels=["A", "B", "C"], cardinality=2)
    with pytest.raises(ValueError, match=r"`cardinality` must be an integer >= 2. Got 1"):
        _apply([three], corpus, cardinality=1)


def test_text_column_is_exposed_as_text():
    df = pd.DataFrame({"CONTENT": ["free stuff", "song"], "other": [1, 2]})
    L = _apply([keyword_lf("kw", ["free"], 1), LabelingFunction("r", lambda x: 0 if x.text == "song" else -1)], df, text_column="CONTENT")
    assert L.array.tolist() == [[1, -1], [-1, 0]]


def test_text_column_errors():
    df = pd.DataFrame({"CONTENT": ["a"], "text": ["b"]})
    kw = keyword_lf("kw", ["a"], 1)
    with pytest.raises(DataError, match=r"`text_column` 'body' is not a column of the data. Available columns: CONTENT, text"):
        _apply([kw], df, text_column="body")
    with pytest.raises(DataError, match=r"already has a 'text' column"):
        _apply([kw], df, text_column="CONTENT")


def test_id_column_must_exist():
    with pytest.raises(DataError, match=r"`id_column` 'uid' is not a column.*Available columns: text"):
        _apply([keyword_lf("kw", ["a"], 1)], pd.DataFrame({"text": ["a"]}), id_column="uid")


@pytest.mark.parametrize("missing", ["id", "gold"])
def test_a_later_file_without_a_column_the_first_has_is_named_not_a_key_error(tmp_path, missing):
    from lf.label import label

    first = pd.DataFrame({"id": ["a", "b"], "text": ["free", "song"], "gold": [1, 0]})
    first.to_parquet(tmp_path / "1.parquet")
    first.assign(id=["c", "d"]).drop(columns=[missing]).to_parquet(tmp_path / "2.parquet")
    kw = keyword_lf("kw", ["free"], 1)
    data = str(tmp_path / "*.parquet")
    expected = rf"Column '{missing}' is missing from row 2 on, though the data before has it"
    with pytest.raises(DataError, match=expected):
        label([kw, keyword_lf("kw2", ["song"], 0)], data, output=tmp_path / "out.csv", gold="gold", chunk_size=1, model="MajorityVoter")
    assert not (tmp_path / "out.csv").exists()
    if missing == "id":
        with pytest.raises(DataError, match=expected):
            lf.apply([kw], data, chunk_size=1)


# -- argument validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"on_error": "skip"}, ValueError, r"`on_error` must be 'raise' or 'abstain'. Got 'skip'."),
        ({"n_jobs": 0}, ValueError, r"`n_jobs` must be an integer >= 1.*Got 0\."),
        ({"n_jobs": 1.5}, ValueError, r"`n_jobs` must be an integer"),
        ({"chunk_size": 0}, ValueError, r"`chunk_size` must be an integer >= 1. Got 0."),
        ({"chunk_size": True}, ValueError, r"`chunk_size` must be an integer"),
        ({"engine": "spark"}, ValueError, r"`engine` must be one of 'local', 'pool', 'dask' or an engine object. Got 'spark'."),
        ({"engine": object()}, ValueError, r"`engine` must be one of"),
    ],
)
def test_invalid_arguments_name_parameter_value_and_allowed(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _apply([keyword_lf("kw", ["a"], 1)], pd.DataFrame({"text": ["a"]}), **kwargs)


def test_invalid_lf_lists():
    df = pd.DataFrame({"text": ["a"]})
    a = keyword_lf("a", ["a"], 1)
    with pytest.raises(LFDefinitionError, match=r"`lfs` is empty"):
        _apply([], df)
    with pytest.raises(LFDefinitionError, match=r"names must be unique. Duplicated: a"):
        _apply([a, keyword_lf("a", ["b"], 1)], df)
    with pytest.raises(LFDefinitionError, match=r"Expected a labeling function.*Got <function"):
        _apply([a, lambda x: 1], df)
    # a module path, as the CLI's --lfs takes, names the function that loads it
    with pytest.raises(LFDefinitionError, match=r"`lfs` must be a list of labeling functions. Got the path 'a.py': load .* lf.load_lfs\('a.py'\)"):
        _apply("a.py", df)
    with pytest.raises(LFDefinitionError, match=r"Got the path 'a.py': .*lf.load_lfs\('a.py'\)"):
        _apply(Path("a.py"), df)
    with pytest.raises(LFDefinitionError, match=r"`lfs` must be a list of labeling functions. Got int"):
        _apply(3, df)
    L = _apply(a, df)  # a single LF is accepted
    assert L.names == ("a",)


def test_empty_data_is_an_error():
    with pytest.raises(DataError, match="no rows"):
        _apply([keyword_lf("kw", ["a"], 1)], pd.DataFrame({"text": pd.Series([], dtype=object)}))


def test_unsupported_data_type_is_an_error():
    with pytest.raises(DataError, match=re.escape("Cannot read data of type int")):
        _apply([keyword_lf("kw", ["a"], 1)], 42)


def test_an_id_column_is_used_by_default_like_the_cli():
    df = pd.DataFrame({"id": ["x9", "x3", "x7"], "text": ["a", "b", "a"]})
    lfs = [keyword_lf("kw", ["a"], 1)]
    assert lf.apply(lfs, df, progress=False).row_ids.tolist() == ["x9", "x3", "x7"]
    assert lf.apply(lfs, df, id_column=None, progress=False).row_ids is None
    assert lf.apply(lfs, df[["text"]], progress=False).row_ids is None  # no id column: no ids
    chunks = (df.iloc[i : i + 2] for i in range(0, 3, 2))  # an iterator of frames works too
    assert lf.apply(lfs, chunks, progress=False).row_ids.tolist() == ["x9", "x3", "x7"]
