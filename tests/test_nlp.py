"""spaCy LFs (lf.nlp): one parse per chunk with only the needed components, the Doc cache,
identical matrices across engines and caches, and one-line errors."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN
from lf.apply.cache import lf_fingerprint
from lf.doc_cache import clear_doc_cache, doc_cache_info, is_doc_cache
from lf.errors import DataError, LFDefinitionError, MissingExtraError, ParameterError

spacy = pytest.importorskip("spacy")
from spacy.language import Language
from spacy.tokens import Doc

from lf.nlp import SpacyPreprocessor, nlp_labeling_function

MODEL = os.environ["LF_SPACY_MODEL"]
ROOT = Path(__file__).resolve().parents[1]
HAM, SPAM = 0, 1


class _Counter:
    """A pipeline component that counts the Docs it is given."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, doc):  # type: ignore[no-untyped-def]
        self.calls += 1
        return doc


@Language.factory("lf_test_counter")
def _make_counter(nlp, name):  # type: ignore[no-untyped-def]
    return _Counter()


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return spacy.load(MODEL)


@pytest.fixture(scope="module")
def all_comments(datasets_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p) for p in sorted((datasets_dir / "youtube_raw").glob("*.csv"))]
    return pd.concat(frames, ignore_index=True).rename(columns={"CONTENT": "text"})


@pytest.fixture(scope="module")
def comments(all_comments: pd.DataFrame) -> pd.DataFrame:
    return all_comments.iloc[:400].reset_index(drop=True)


def _lfs(**kw):  # type: ignore[no-untyped-def]
    @nlp_labeling_function(needs=("ner",), **kw)
    def names_person(x):  # type: ignore[no-untyped-def]
        return HAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN

    @nlp_labeling_function(needs=("ner",), **kw)
    def names_org(x):  # type: ignore[no-untyped-def]
        return SPAM if any(e.label_ in ("ORG", "PRODUCT") for e in x.doc.ents) else ABSTAIN

    @nlp_labeling_function(needs=("pos",), **kw)
    def imperative(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.doc) and x.doc[0].tag_ == "VB" else ABSTAIN

    @nlp_labeling_function(needs=(), **kw)
    def many_tokens(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.doc) > 30 else ABSTAIN

    return [names_person, names_org, imperative, many_tokens]


def test_engines_and_the_doc_cache_give_the_same_matrix(comments: pd.DataFrame, tmp_path: Path) -> None:
    local = lf.apply(_lfs(), comments, chunk_size=150, progress=False)
    assert (local.array != ABSTAIN).any(axis=0).all(), "every LF votes somewhere"
    pool = lf.apply(_lfs(), comments, n_jobs=2, chunk_size=150, progress=False)
    np.testing.assert_array_equal(pool.array, local.array)
    cold = lf.apply(_lfs(doc_cache=tmp_path / "docs"), comments, chunk_size=150, progress=False)
    warm = lf.apply(_lfs(doc_cache=tmp_path / "docs"), comments, chunk_size=100, progress=False)
    np.testing.assert_array_equal(cold.array, local.array)
    np.testing.assert_array_equal(warm.array, local.array)
    assert sum(p["docs"] for p in doc_cache_info(tmp_path / "docs")) == comments["text"].nunique()


@pytest.mark.slow
def test_dask_workers_give_the_same_matrix(comments: pd.DataFrame, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from lf.apply.dask import DaskEngine

    local = lf.apply(_lfs(), comments, chunk_size=100, progress=False)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as client:
        remote = lf.apply(_lfs(), comments, engine=DaskEngine(client), chunk_size=100, progress=False)
        cached = lf.apply(_lfs(doc_cache=tmp_path / "d"), comments, engine=DaskEngine(client), chunk_size=100, progress=False)
        loaded = client.run(lambda: [id(p) for p, _ in importlib.import_module("lf._spacy")._LOADED.values()])
    assert all(len(ids) == 1 for ids in loaded.values()), loaded  # one pipeline per worker, reused
    np.testing.assert_array_equal(remote.array, local.array)
    np.testing.assert_array_equal(cached.array, local.array)
    assert doc_cache_info(tmp_path / "d"), "the workers wrote the shared Doc cache"


def test_only_the_needed_components_run_and_each_text_is_parsed_once(nlp) -> None:  # type: ignore[no-untyped-def]
    nlp.add_pipe("lf_test_counter", last=True)
    try:
        counter = nlp.get_pipe("lf_test_counter")
        texts = ["Taylor Swift sang in Paris.", "lol", "Taylor Swift sang in Paris.", "Subscribe to me", "lol"]
        df = pd.DataFrame({"text": texts})

        @nlp_labeling_function(model=nlp, needs=("ner",))
        def parsed(x):  # type: ignore[no-untyped-def]
            return SPAM if x.doc.has_annotation("TAG") or x.doc.has_annotation("LEMMA") else HAM

        @nlp_labeling_function(model=nlp, needs=("ents",))
        def person(x):  # type: ignore[no-untyped-def]
            return SPAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN

        L = lf.apply([parsed, person], df, progress=False)
        assert counter.calls == 0  # not needed: never run
        assert L.array[:, 0].tolist() == [HAM] * 5  # NER and its sentences: no tagger ran
        assert L.array[:, 1].tolist() == [SPAM, ABSTAIN, SPAM, ABSTAIN, ABSTAIN]

        counted = SpacyPreprocessor(nlp, needs=("lf_test_counter",))
        lf.apply([lf.LabelingFunction("n", lambda x: ABSTAIN, pre=[counted])], df, progress=False)
        assert counter.calls == 3  # one per distinct text of the chunk
    finally:
        nlp.remove_pipe("lf_test_counter")


def test_a_named_pipeline_is_loaded_once_per_process() -> None:
    first, second = SpacyPreprocessor(needs=("ner",)), SpacyPreprocessor(MODEL, needs=())
    assert first.pipeline.loaded()[0] is second.pipeline.loaded()[0]


def test_needs_pull_in_their_dependencies_only() -> None:
    assert SpacyPreprocessor(needs=("ner",)).components() == ("tok2vec", "parser", "ner")
    assert SpacyPreprocessor(needs=("pos",)).components() == ("tok2vec", "tagger", "parser", "attribute_ruler")
    assert SpacyPreprocessor(needs=("tag",)).components() == ("tok2vec", "tagger")
    assert SpacyPreprocessor(needs=("dep",)).components() == ("tok2vec", "parser")
    assert SpacyPreprocessor(needs=()).components() == ()


def test_each_need_gives_what_the_whole_pipeline_gives(nlp, all_comments: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """The NER keeps an entity inside a sentence, and en_core_web_sm's sentences are the
    parser's; its attribute ruler maps some tags to a part of speech by dependency label.
    ``needs=("ner",)`` ran the NER without the parser (other entities in 10 of the 1,956
    comments) and ``("pos",)`` the tagger and ruler without it ("is" as ROOT is a VERB,
    not AUX: another POS in a token of 446 comments), without a sign."""
    texts = all_comments["text"].iloc[400:700].tolist()  # two of those 10 comments
    whole = list(nlp.pipe(texts))
    reads = {
        "ner": lambda d: [(e.start, e.end, e.label_) for e in d.ents],
        "pos": lambda d: [t.pos_ for t in d],
        "lemma": lambda d: [t.lemma_ for t in d],
    }
    for need, read in reads.items():
        docs = SpacyPreprocessor(nlp, needs=(need,)).map_rows([lf.core.as_row({"text": t}) for t in texts], {})
        differ = [t for t, d, w in zip(texts, docs, whole) if read(d.doc) != read(w)]  # type: ignore[union-attr]
        assert not differ, (need, len(differ), differ[:2])


if not Doc.has_extension("lf_test_verbs"):
    Doc.set_extension("lf_test_verbs", default=0)


@Language.component("lf_test_verb_counter", requires=["token.pos"], assigns=["doc._.lf_test_verbs"])
def _verb_counter(doc):  # type: ignore[no-untyped-def]
    doc._.lf_test_verbs = sum(t.pos_ == "VERB" for t in doc)
    return doc


def test_a_component_gets_every_earlier_component_assigning_what_it_requires() -> None:
    """A component requiring ``token.pos`` got the last earlier component assigning it only:
    after an attribute ruler tagging slang, that ruler alone, so every other token had no
    part of speech and the component counted no verb, without a sign."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("attribute_ruler", name="slang").add_patterns([{"patterns": [[{"LOWER": "lol"}]], "attrs": {"POS": "INTJ"}}])
    nlp.add_pipe("lf_test_verb_counter")
    text = "lol I love this song and I watch it every day"
    assert nlp(text)._.lf_test_verbs == 2

    @nlp_labeling_function(model=nlp, needs=("lf_test_verb_counter",))
    def verbs(x):  # type: ignore[no-untyped-def]
        return min(x.doc._.lf_test_verbs, 3)

    assert lf.apply([verbs], pd.DataFrame({"text": [text]}), progress=False).array.tolist() == [[2]]


def test_the_ner_gets_the_entities_a_ruler_before_it_sets() -> None:
    """spaCy's way to fix entities is an entity ruler added before the NER, which keeps
    them: ``needs=("ner",)`` ran the NER without it, so the ruler's entities were gone."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("entity_ruler", before="ner").add_patterns([{"label": "PRODUCT", "pattern": "Gangnam Style"}])
    text = "Psy sang Gangnam Style in Seoul"
    assert ("Gangnam Style", "PRODUCT") in [(e.text, e.label_) for e in nlp(text).ents]

    @nlp_labeling_function(model=nlp, needs=("ner",))
    def names_a_product(x):  # type: ignore[no-untyped-def]
        return SPAM if any(e.label_ == "PRODUCT" for e in x.doc.ents) else HAM

    assert lf.apply([names_a_product], pd.DataFrame({"text": [text]}), progress=False).array.tolist() == [[SPAM]]


def test_a_component_that_retokenizes_always_runs() -> None:
    """``merge_entities`` makes "New York City" one token: an LF counting tokens with
    ``needs=("tag",)`` got the tokenizer's tokens, not the pipeline's, without a sign."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("merge_entities")
    text = "I moved to New York City last year"
    assert len(nlp(text)) == 5  # "New York City" and "last year" are one token each

    @nlp_labeling_function(model=nlp, needs=("tag",))
    def tokens(x):  # type: ignore[no-untyped-def]
        return min(len(x.doc), 9)

    assert SpacyPreprocessor(nlp, needs=()).components()[-2:] == ("ner", "merge_entities")
    assert lf.apply([tokens], pd.DataFrame({"text": [text]}), progress=False).array.tolist() == [[5]]


def test_an_annotation_need_runs_every_component_assigning_it() -> None:
    """An entity ruler added to a trained pipeline (spaCy's way to add entities) assigns
    ``doc.ents`` too: ``needs=("ents",)`` ran the last such component alone, so after
    ``add_pipe("entity_ruler")`` the NER's people and places were gone, without a sign."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PRODUCT", "pattern": "widget"}])
    text = "Barack Obama bought the widget in Paris"
    wanted = [(e.text, e.label_) for e in nlp(text).ents]
    assert {label for _, label in wanted} >= {"PERSON", "PRODUCT"}

    @nlp_labeling_function(model=nlp, needs=("ents",))
    def entities(x):  # type: ignore[no-untyped-def]
        got = [(e.text, e.label_) for e in x.doc.ents]
        return 1 if got == wanted else 0

    assert entities.pre[-1].components() == ("tok2vec", "parser", "ner", "entity_ruler")
    assert lf.apply([entities], pd.DataFrame({"text": [text]}), cardinality=2, progress=False).array.tolist() == [[1]]


def test_an_lf_reading_an_annotation_its_doc_never_has_is_refused(comments: pd.DataFrame) -> None:
    """``token.pos_`` of a parse without the tagger is "", ``doc.ents`` without the NER is
    (): a Snorkel LF moved with the import alone (default ``needs=("ner",)``) that reads the
    part of speech abstained on every row, without a sign."""
    rows = comments.iloc[:40]

    def verb_first(x):  # type: ignore[no-untyped-def]
        return SPAM if any(t.pos_ == "VERB" for t in x.doc[:1]) else ABSTAIN

    with pytest.raises(LFDefinitionError, match=r"'verb_first' reads pos .*needs=\('ner', 'pos'\)"):
        lf.apply([nlp_labeling_function()(verb_first)], rows, progress=False)
    declared = lf.apply([nlp_labeling_function(needs=("ner", "pos"))(verb_first)], rows, progress=False)
    assert (declared.array == SPAM).any()
    # read through the parse another LF of the run needs: the Doc has it, so it labels
    shared = lf.apply([nlp_labeling_function()(verb_first), _lfs()[2]], rows, progress=False)
    np.testing.assert_array_equal(shared.array[:, 0], declared.array[:, 0])


def _merging_lfs(copy: bool):  # type: ignore[no-untyped-def]
    @nlp_labeling_function(needs=("ner",))
    def merged_names(x):  # type: ignore[no-untyped-def]
        doc = x.doc.copy() if copy else x.doc
        with doc.retokenize() as retokenizer:
            for entity in doc.ents:
                retokenizer.merge(entity)
        return HAM if any(t.ent_type_ == "PERSON" for t in doc) else ABSTAIN

    @nlp_labeling_function(needs=())
    def short(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.doc) <= 5 else ABSTAIN

    return [merged_names, short]


def test_an_lf_changing_the_doc_it_shares_is_refused(tmp_path: Path) -> None:
    """The LFs of a chunk share each Doc. An LF merging the entities in place made the LFs
    after it count the merged tokens: the matrix changed with the order of the LFs, and a
    run where the LF cache answered for the merging LF gave other labels than a fresh one."""
    texts = pd.DataFrame({"text": ["Barack Obama visited New York City", "hello there", "Apple opened a shop in Los Angeles"]})
    with pytest.raises(LFDefinitionError, match=r"'merged_names' changed its tokens .*doc = x\.doc\.copy\(\)"):
        lf.apply(_merging_lfs(copy=False), texts, cache=tmp_path / "c", progress=False)
    forward = lf.apply(_merging_lfs(copy=True), texts, progress=False).array
    backward = lf.apply(_merging_lfs(copy=True)[::-1], texts, progress=False).array
    np.testing.assert_array_equal(backward[:, ::-1], forward)
    assert forward.tolist() == [[HAM, ABSTAIN], [ABSTAIN, SPAM], [ABSTAIN, ABSTAIN]]


def test_a_changed_pipeline_or_component_set_invalidates_both_caches(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"text": ["Taylor Swift sang in Paris.", "Check my channel"]})
    folder = tmp_path / "docs"

    def person(**kw):  # type: ignore[no-untyped-def]
        @nlp_labeling_function("person", doc_cache=folder, **kw)
        def f(x):  # type: ignore[no-untyped-def]
            return HAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN

        return f

    ner, pos = person(model=nlp, needs=("ner",)), person(model=nlp, needs=("ner", "pos"))
    lf.apply([ner], df, progress=False)
    lf.apply([pos], df, progress=False)
    runs = {tuple(c.split(":")[0] for c in p["components"]) for p in doc_cache_info(folder)}
    assert runs == {("tok2vec", "parser", "ner"), ("tok2vec", "tagger", "parser", "attribute_ruler", "ner")}
    assert lf_fingerprint(ner) != lf_fingerprint(pos) and lf_fingerprint(ner) is not None

    other = spacy.load(MODEL)
    other.meta["version"] = "9.9.9"  # a new release of the pipeline
    bumped = person(model=other, needs=("ner",))
    assert lf_fingerprint(bumped) != lf_fingerprint(ner)
    L = lf.apply([bumped], df, progress=False)
    assert len(doc_cache_info(folder)) == 3 and L.array[:, 0].tolist() == [HAM, ABSTAIN]
    assert {p["version"] for p in doc_cache_info(folder)} == {nlp.meta["version"], "9.9.9"}
    assert is_doc_cache(folder) and not is_doc_cache(tmp_path)
    assert clear_doc_cache(folder) > 0 and doc_cache_info(folder) == []
    with pytest.raises(DataError, match="not a Doc cache folder"):
        clear_doc_cache(tmp_path)  # never deletes a folder it did not write


def test_the_label_cache_reuses_nlp_lfs(comments: pd.DataFrame, tmp_path: Path) -> None:
    first = lf.apply(_lfs(), comments, cache=tmp_path / "c", progress=False)
    again = lf.apply(_lfs(), comments, cache=tmp_path / "c", progress=False)
    np.testing.assert_array_equal(again.array, first.array)
    assert (again.seconds == first.seconds).all()  # reused, not run again


def _reads_ents(vote: int):  # type: ignore[no-untyped-def]
    @nlp_labeling_function(model=MODEL, needs=(), name="reads_ents")
    def reads_ents(x):  # needs no ner, yet reads the entities another LF's ner finds
        return vote if x.doc.ents else ABSTAIN

    return reads_ents


def test_an_lf_reading_the_parse_of_another_lf_gets_it_from_a_cached_run_too(tmp_path: Path) -> None:
    @nlp_labeling_function(model=MODEL, needs=("ner",))
    def has_entity(x):
        return SPAM if x.doc.ents else ABSTAIN

    texts = pd.DataFrame({"text": ["Barack Obama visited Paris", "hello there", "Apple opened a shop in London"]})
    lf.apply([has_entity, _reads_ents(SPAM)], texts, cache=tmp_path / "c", progress=False)
    # has_entity comes from the cache, its ner does not run: reads_ents still sees the entities
    edited = lf.apply([has_entity, _reads_ents(HAM)], texts, cache=tmp_path / "c", progress=False)
    assert edited.cache_stats.reused == 1
    np.testing.assert_array_equal(edited.array, lf.apply([has_entity, _reads_ents(HAM)], texts, progress=False).array)
    assert edited.array[:, 1].tolist() == [HAM, ABSTAIN, HAM]
    # without has_entity, nothing runs ner: its labels made with ner are not reused, and an LF
    # reading entities no component finds is refused
    with pytest.raises(LFDefinitionError, match="'reads_ents' reads ents"):
        lf.apply([_reads_ents(HAM)], texts, cache=tmp_path / "c", progress=False)


def test_the_doc_cache_stays_under_its_size_cap(comments: pd.DataFrame, tmp_path: Path) -> None:
    from lf.doc_cache import DocCache

    cache = DocCache(tmp_path / "docs", max_bytes=600_000)  # 50 Docs with their tensors: about 350 kB
    L = lf.apply(_lfs(doc_cache=cache), comments, chunk_size=50, progress=False)
    np.testing.assert_array_equal(L.array, lf.apply(_lfs(), comments, progress=False).array)
    stored = sum(p["bytes"] for p in doc_cache_info(cache.folder))
    assert 0 < stored <= 600_000


def test_lf_cache_info_and_clear_cover_the_doc_cache(comments: pd.DataFrame, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from lf.cli import main

    folder = tmp_path / "docs"
    lf.apply(_lfs(doc_cache=folder), comments.head(60), chunk_size=30, progress=False)
    docs = sum(r["docs"] for r in doc_cache_info(folder))
    assert docs > 0
    assert main(["cache", "info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"Doc cache {folder}" in out and f"{docs:,} Docs in" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert main(["cache", "clear", str(folder)]) == 0
    assert "removed the cached Docs" in capsys.readouterr().out
    assert sum(r["docs"] for r in doc_cache_info(folder)) == 0
    again = lf.apply(_lfs(doc_cache=folder), comments.head(60), chunk_size=30, progress=False)  # still a cache
    np.testing.assert_array_equal(again.array, lf.apply(_lfs(), comments.head(60), progress=False).array)


def test_errors_are_one_line(tmp_path: Path) -> None:
    df = pd.DataFrame({"text": ["hello there"]})
    with pytest.raises(ParameterError, match=r"`needs` names 'nerr'.*Components: tok2vec, tagger") as exc:
        lf.apply([SpacyPreprocessor_lf(needs=("nerr",))], df, progress=False)
    assert "\n" not in str(exc.value)
    with pytest.raises(MissingExtraError, match=r"python -m spacy download no_such_pipeline_xyz") as exc2:
        lf.apply([SpacyPreprocessor_lf(model="no_such_pipeline_xyz")], df, progress=False)
    assert "\n" not in str(exc2.value)
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match=r"Doc cache folder .*file/docs' is not writable") as exc3:
        SpacyPreprocessor(doc_cache=tmp_path / "file" / "docs")
    assert "\n" not in str(exc3.value)


def test_a_need_for_a_disabled_component_says_how_to_enable_it() -> None:
    """en_core_web_sm ships its ``senter`` disabled: the error listed the running components
    only, as if the pipeline had none."""
    with pytest.raises(ParameterError, match=r"'senter' is disabled in it: .*nlp\.enable_pipe\('senter'\)"):
        SpacyPreprocessor(needs=("senter",)).components()
    nlp = spacy.load(MODEL)
    nlp.enable_pipe("senter")
    assert "senter" in SpacyPreprocessor(nlp, needs=("senter",)).components()


def SpacyPreprocessor_lf(**kw):  # type: ignore[no-untyped-def]
    return lf.LabelingFunction("uses_spacy", lambda x: ABSTAIN, pre=[SpacyPreprocessor(**kw)])


def test_cli_reports_a_missing_pipeline_in_one_line(tmp_path: Path) -> None:
    module = tmp_path / "nlp_lfs.py"
    module.write_text(
        "from lf import ABSTAIN\nfrom lf.nlp import nlp_labeling_function\n"
        "@nlp_labeling_function(model='no_such_pipeline_xyz')\ndef person(x):\n    return ABSTAIN\n"
    )
    (tmp_path / "d.csv").write_text("text\nhello\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "lf", "apply", str(tmp_path / "d.csv"), "--lfs", str(module), "-o", str(tmp_path / "L.parquet")],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "python -m spacy download no_such_pipeline_xyz" in proc.stderr


def test_rows_without_text_fail_like_any_preprocessor() -> None:
    df = pd.DataFrame({"text": ["Taylor Swift", None]})
    lfs = _lfs()[:1]
    L = lf.apply(lfs, df, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [HAM, ABSTAIN] and L.errors.tolist() == [1]
    with pytest.raises(lf.errors.LFRuntimeError, match=r"Preprocessor 'spacy' \(used by LF 'names_person'\) raised on row 1"):
        lf.apply(lfs, df, progress=False)


def test_a_text_over_the_pipelines_max_length_fails_its_row_alone() -> None:
    """spaCy refuses a text longer than ``nlp.max_length`` with a ValueError: it ended the
    whole run, outside lf's errors, also under ``on_error="abstain"``."""
    nlp = spacy.load(MODEL)
    nlp.max_length = 100
    df = pd.DataFrame({"text": ["Taylor Swift sang in Paris", "la " * 40, "Paris is nice"]})

    @nlp_labeling_function(model=nlp, needs=())
    def wordy(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.doc) > 3 else HAM

    L = lf.apply([wordy], df, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [SPAM, ABSTAIN, HAM] and L.errors.tolist() == [1]
    with pytest.raises(lf.errors.LFRuntimeError, match=r"raised on row 1: ValueError: the text is 120 characters long, "
                       r"over the pipeline's nlp.max_length \(100\)"):
        lf.apply([wordy], df, progress=False)


@Language.component("lf_test_fussy")
def _fussy(doc):  # type: ignore[no-untyped-def]
    if "boom" in doc.text:
        raise RuntimeError("cannot take a boom")
    return doc


def test_a_text_a_component_fails_on_fails_its_row_alone(tmp_path: Path) -> None:
    """A component raising on one text raised out of ``nlp.pipe`` for the whole chunk: the
    run ended with the component's bare error, also under ``on_error="abstain"``."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("lf_test_fussy")
    df = pd.DataFrame({"text": ["Taylor Swift sang in Paris", "boom boom", "Paris is nice"]})

    @nlp_labeling_function(model=nlp, needs=("lf_test_fussy",), doc_cache=tmp_path / "docs")
    def wordy(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.doc) > 3 else HAM

    L = lf.apply([wordy], df, on_error="abstain", progress=False)
    assert L.array[:, 0].tolist() == [SPAM, ABSTAIN, HAM] and L.errors.tolist() == [1]
    assert sum(p["docs"] for p in doc_cache_info(tmp_path / "docs")) == 2  # the others are kept
    with pytest.raises(lf.errors.LFRuntimeError, match=r"raised on row 1: RuntimeError: cannot take a boom"):
        lf.apply([wordy], df, progress=False)


def test_snorkel_spacy_lfs_run_unchanged_with_snorkels_matrix(comments: pd.DataFrame) -> None:
    pytest.importorskip("snorkel")
    from snorkel.labeling import PandasLFApplier
    from snorkel.labeling import labeling_function as snorkel_lf
    from snorkel.labeling.lf.nlp import nlp_labeling_function as snorkel_nlp_lf
    from snorkel.preprocess.nlp import SpacyPreprocessor as SnorkelSpacy

    @snorkel_nlp_lf(language=MODEL)
    def s_person(x):  # type: ignore[no-untyped-def]
        return HAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN

    @snorkel_lf(pre=[SnorkelSpacy("text", "parsed", language=MODEL, memoize=True)])
    def s_verb_first(x):  # type: ignore[no-untyped-def]
        return SPAM if len(x.parsed) and x.parsed[0].pos_ == "VERB" else ABSTAIN

    rows = comments[["text"]].iloc[:150]
    expected = PandasLFApplier([s_person, s_verb_first]).apply(rows, progress_bar=False)
    got = lf.apply([s_person, s_verb_first], rows, progress=False)
    np.testing.assert_array_equal(got.array, expected)
    ours = lf.apply(_lfs()[:1], rows, progress=False)  # the two-line migration of s_person
    np.testing.assert_array_equal(ours.array[:, 0], expected[:, 0])


def test_snorkels_spacy_arguments_are_refused_naming_lfs_own() -> None:
    """Snorkel's tests build ``SpacyPreprocessor("text", "doc")`` and pass ``language=``,
    ``disable=``, ``memoize=``: each is a ParameterError saying what lf takes instead
    (before: Python's bare TypeError, outside lf's errors)."""
    with pytest.raises(ParameterError, match=r"SpacyPreprocessor takes the pipeline as its one positional argument.*"
                       r"SpacyPreprocessor\(text_field='text', doc_field='doc', needs=\("):
        SpacyPreprocessor("text", "doc")  # type: ignore[misc]
    cases = {
        "language": r"`language` is `model=` here",
        "disable": r"say what the LF reads with `needs=`.*only those components run",
        "memoize": r"each distinct text of a chunk is parsed once",
        "gpu": r"call spacy.require_gpu\(\)",
    }
    for name, match in cases.items():
        with pytest.raises(ParameterError, match=rf"SpacyPreprocessor takes no `{name}` \(Snorkel's\): {match}"):
            SpacyPreprocessor(text_field="text", doc_field="doc", **{name: None})  # type: ignore[arg-type]
        with pytest.raises(ParameterError, match=rf"nlp_labeling_function takes no `{name}` \(Snorkel's\): {match}"):
            nlp_labeling_function(**{name: None})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"SpacyPreprocessor has no argument 'need'. Its arguments: model, needs, "):
        SpacyPreprocessor(need=("ner",))  # type: ignore[call-arg]
