"""A spaCy pipeline edited in code after loading (its vocabulary, stop words, tokenizer, a
component of the user's own, a ``token._`` attribute) is another pipeline: a second run
after the edit, with the LF-label cache or the Doc cache, labels as a run without them.

Each case writes an LF module that loads the real pipeline and applies the edit, applies
it with both caches, edits the module on disk, and applies it again (the module reloaded,
as a second ``lf apply --cache`` would)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf

spacy = pytest.importorskip("spacy")

MODEL = os.environ["LF_SPACY_MODEL"]
TEXTS = pd.DataFrame({"text": ["foo bar is", "the widget broke", "call me maybe", "I love Paris", "a gadget"]})

MODULE = """
import spacy
from spacy.language import Language
from spacy.tokens import Span, Token
from lf import ABSTAIN
from lf.nlp import nlp_labeling_function

nlp = spacy.load({model!r})
{setup}

@nlp_labeling_function(model=nlp, needs={needs!r}, doc_cache={docs!r})
def target(x):
    return 1 if {test} else ABSTAIN
"""

COMPONENT = """
WORD = {word!r}

@Language.component("lf_test_words", assigns=["doc.ents"])
def words(doc):
    doc.ents = [Span(doc, t.i, t.i + 1, label="HIT") for t in doc if t.lower_ == WORD]
    return doc

nlp.add_pipe("lf_test_words", last=True)
"""

STOPS = "sum(t.is_stop for t in x.doc) >= 2"
HIT = 'any(e.label_ == "HIT" and e.text == "gadget" for e in x.doc.ents)'
# name -> (setup before, setup after, needs, the LF's test)
CASES = {
    "lexeme_flag": ("", 'nlp.vocab["foo"].is_stop = True', (), STOPS),
    "defaults_stop_words": ("", 'nlp.Defaults.stop_words.add("foo")', (), STOPS),
    "lexeme_norm": ("", 'nlp.vocab["foo"].norm_ = "widget"', (), 'any(t.norm_ == "widget" for t in x.doc)'),
    "tokenizer_special_case": (
        "", 'nlp.tokenizer.add_special_case("maybe", [{"ORTH": "may"}, {"ORTH": "be"}])', (), "len(x.doc) >= 4",
    ),
    "token_extension_getter": (
        'BRANDS = {"widget"}\nToken.set_extension("lf_test_brand", getter=lambda t: t.lower_ in BRANDS, force=True)',
        'BRANDS = {"gadget"}\nToken.set_extension("lf_test_brand", getter=lambda t: t.lower_ in BRANDS, force=True)',
        (), 'any(t._.lf_test_brand and t.text == "gadget" for t in x.doc)',
    ),
}


@pytest.fixture(autouse=True)
def _undo_global_edits():  # type: ignore[no-untyped-def]
    """The stop words of a language and ``token._`` attributes are global in spaCy."""
    from spacy.lang.en import English

    yield
    English.Defaults.stop_words.discard("foo")
    if spacy.tokens.Token.has_extension("lf_test_brand"):
        spacy.tokens.Token.remove_extension("lf_test_brand")


def _write(path: Path, setup: str, needs: tuple[str, ...], test: str, docs: Path | None) -> None:
    path.write_text(textwrap.dedent(MODULE).format(
        model=MODEL, setup=setup, needs=needs, test=test, docs=None if docs is None else str(docs),
    ))


def _run(module: Path, cache: Path | None) -> lf.LabelMatrix:
    return lf.apply(lf.load_lfs(module), TEXTS, cardinality=2, progress=False, cache=cache)


@pytest.mark.parametrize("doc_cache", [False, True], ids=["label_cache", "both_caches"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_edit_of_the_loaded_pipeline_is_never_answered_from_a_cache(tmp_path: Path, case: str, doc_cache: bool) -> None:
    before, after, needs, test = CASES[case]
    module, cache, docs = tmp_path / "spacy_lfs.py", tmp_path / "cache", tmp_path / "docs" if doc_cache else None
    _write(module, before, needs, test, docs)
    first = _run(module, cache)
    assert _run(module, cache).cache_stats.reused == 1  # an unchanged pipeline is reused
    _write(module, after, needs, test, docs)
    cached = _run(module, cache)
    _write(module, after, needs, test, None)
    fresh = _run(module, None)
    np.testing.assert_array_equal(cached.array, fresh.array)  # nothing stale
    assert not np.array_equal(first.array, fresh.array)  # the edit does change the labels
    assert cached.cache_stats.computed == 1 and cached.cache_stats.uncacheable == ()


def test_a_doc_cache_hit_does_not_bring_back_an_edited_norm(tmp_path: Path) -> None:
    """A stored Doc keeps each token's norm: read back after the word's norm was edited,
    it would give the old one."""
    module, docs = tmp_path / "norm_lfs.py", tmp_path / "docs"
    test = 'any(t.norm_ == "widget" for t in x.doc)'
    _write(module, "", (), test, docs)
    _run(module, None)
    _write(module, 'nlp.vocab["foo"].norm_ = "widget"', (), test, docs)
    assert _run(module, None).array[:, 0].tolist() == [1, 1, -1, -1, -1]


def test_words_a_run_adds_to_the_vocabulary_do_not_change_the_key(tmp_path: Path) -> None:
    """Parsing adds words (and strings) to the vocabulary; the state of the pipeline is the
    same, and a later run on the same texts reuses what the first stored."""
    module, cache = tmp_path / "grow_lfs.py", tmp_path / "cache"
    _write(module, "", ("ents",), "len(x.doc.ents) > 0", tmp_path / "docs")
    (target,) = lf.load_lfs(module)
    nlp = target.pre[-1].pipeline.spec
    lf.apply([target], TEXTS, cardinality=2, progress=False, cache=cache)
    words, strings = len(nlp.vocab), len(nlp.vocab.strings)
    other = pd.DataFrame({"text": [f"zqx{i} met Jonas Brandtmeier in Ulaanbaatar" for i in range(50)]})
    lf.apply([target], other, cardinality=2, progress=False, cache=cache)
    for word in ("zqx1", "zqx2", "Brandtmeier"):
        nlp.vocab[word]  # added as a parse or the user's code would
    assert len(nlp.vocab) > words and len(nlp.vocab.strings) > strings
    again = lf.apply([target], TEXTS, cardinality=2, progress=False, cache=cache)
    assert again.cache_stats.reused == 1 and again.cache_stats.computed == 0


def test_a_component_with_state_it_cannot_read_is_not_cached(tmp_path: Path) -> None:
    """A component object holding an object that is not plain data, with no to_bytes: its
    LFs run every time and its Docs are not stored; the cache's summary names them."""
    setup = textwrap.dedent("""
        class Opaque:
            pass

        class Marker:
            def __init__(self):
                self.model = Opaque()

            def __call__(self, doc):
                return doc

        @Language.factory("lf_test_opaque", assigns=["doc.ents"])
        def make_marker(nlp, name):
            return Marker()

        nlp.add_pipe("lf_test_opaque", last=True)
    """)
    module, cache, docs = tmp_path / "opaque_lfs.py", tmp_path / "cache", tmp_path / "docs"
    _write(module, setup, ("ents",), "len(x.doc.ents) > 0", docs)
    _run(module, cache)
    again = _run(module, cache)
    assert again.cache_stats.uncacheable == ("target",) and again.cache_stats.reused == 0
    assert "not cacheable: target (its spaCy pipeline or doc._ attributes hold state" in str(again.cache_stats)
    assert lf.doc_cache.doc_cache_info(docs) == []


# spaCy keeps the first function registered under a component's name: an edited
# component runs in a new process only, as a second `lf apply` is.
CLI_CASES = {
    "lexeme_flag": ("", 'nlp.vocab["foo"].is_stop = True', (), STOPS, [-1, -1, 1, -1, -1], [1, -1, 1, -1, -1]),
    "function_component": (
        COMPONENT.format(word="widget"), COMPONENT.format(word="gadget"), ("ents",), HIT,
        [-1, -1, -1, -1, -1], [-1, -1, -1, -1, 1],
    ),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_a_second_lf_apply_after_an_edit_labels_anew(tmp_path: Path, case: str) -> None:
    """Two real ``lf apply --cache`` processes with the edit between them."""
    before, after, needs, test, labels_before, labels_after = CLI_CASES[case]
    data, module, cache = tmp_path / "data.csv", tmp_path / "cli_lfs.py", tmp_path / "cache"
    TEXTS.to_csv(data, index=False)

    def apply(out: str) -> list[int]:
        args = [sys.executable, "-m", "lf", "apply", str(data), "--lfs", str(module), "-o", str(tmp_path / out), "--cache", str(cache)]
        subprocess.run(args, check=True, capture_output=True, timeout=300)
        return pd.read_parquet(tmp_path / out).iloc[:, 0].tolist()

    _write(module, before, needs, test, tmp_path / "docs")
    assert apply("first.parquet") == labels_before
    _write(module, after, needs, test, tmp_path / "docs")
    assert apply("second.parquet") == labels_after


def test_a_text_changed_under_the_same_id_is_parsed_again(tmp_path: Path) -> None:
    """Docs are found by their text, never by the row's id or position."""
    module, docs = tmp_path / "id_lfs.py", tmp_path / "docs"
    _write(module, "", ("ents",), 'any(e.label_ == "GPE" for e in x.doc.ents)', docs)
    rows = pd.DataFrame({"id": ["a", "b"], "text": ["I love Paris", "hello there"]})
    assert _run_on(module, rows) == [1, -1]
    rows.loc[0, "text"], rows.loc[1, "text"] = "hello there", "I love Paris"
    assert _run_on(module, rows) == [-1, 1]
    rows.loc[0, "text"] = "I love Berlin"
    assert _run_on(module, rows) == [1, 1]


def _run_on(module: Path, rows: pd.DataFrame) -> list[int]:
    return lf.apply(lf.load_lfs(module), rows, cardinality=2, progress=False).array[:, 0].tolist()  # type: ignore[no-any-return]


def test_docs_parsed_under_another_thinc_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library computing the models' layers (thinc), numpy and the CPU / GPU ops enter
    the key with spaCy's version: their numerics decide entities and tags at the margin."""
    import importlib.metadata

    module, docs = tmp_path / "thinc_lfs.py", tmp_path / "docs"
    _write(module, "", ("ents",), "len(x.doc.ents) > 0", docs)
    _run(module, None)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1" if name == "thinc" else real(name))
    _run(module, None)
    pipelines = lf.doc_cache.doc_cache_info(docs)
    assert len(pipelines) == 2 and sum(p["docs"] for p in pipelines) == 2 * TEXTS["text"].nunique()
    assert {p["thinc"] for p in pipelines} == {"0.0.1", real("thinc")}
