"""A Doc read from the Doc cache is the Doc a parse gives: what LFs read of it beyond the
token attributes (the tensor behind ``token.vector`` and ``doc.similarity``, values custom
components store in ``doc._``) comes back too, so a warm cache labels as a cold one."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN
from lf.doc_cache import DocCache

spacy = pytest.importorskip("spacy")
from spacy.language import Language
from spacy.tokens import Doc

from lf.nlp import nlp_labeling_function

MODEL = os.environ["LF_SPACY_MODEL"]
DEMO = Path(__file__).resolve().parents[1] / "datasets" / "demo" / "comments.csv"

if not Doc.has_extension("lf_test_shout"):
    Doc.set_extension("lf_test_shout", default=None)


@Language.component("lf_test_shouting")
def _shouting(doc: Doc) -> Doc:
    letters = [c for c in doc.text if c.isalpha()]
    doc._.lf_test_shout = sum(c.isupper() for c in letters) / max(len(letters), 1)
    return doc


@pytest.fixture(scope="module")
def comments() -> pd.DataFrame:
    return pd.read_csv(DEMO, usecols=["text"]).iloc[:300]


def _vector_lfs(doc_cache: Path | None) -> list[lf.LabelingFunction]:
    @nlp_labeling_function(needs=("tagger",), doc_cache=doc_cache)
    def first_token_leans(x):  # type: ignore[no-untyped-def]
        return 1 if x.doc[0].vector.sum() > 0 else 0

    @nlp_labeling_function(needs=("tagger",), doc_cache=doc_cache)
    def near_a_question(x):  # type: ignore[no-untyped-def]
        return 1 if x.doc.vector_norm and x.doc.vector[0] > 0 else ABSTAIN

    return [first_token_leans, near_a_question]


def test_the_tensor_behind_token_vectors_comes_back_from_the_doc_cache(comments: pd.DataFrame, tmp_path: Path) -> None:
    fresh = lf.apply(_vector_lfs(None), comments, progress=False)
    assert len({tuple(c) for c in fresh.array.T.tolist()}) == 2 and (fresh.array == 1).any(axis=0).all()
    cold = lf.apply(_vector_lfs(tmp_path / "docs"), comments, progress=False)
    warm = lf.apply(_vector_lfs(tmp_path / "docs"), comments, progress=False)
    np.testing.assert_array_equal(cold.array, fresh.array)
    np.testing.assert_array_equal(warm.array, fresh.array)


def test_values_a_component_stores_on_the_doc_come_back_from_the_doc_cache(comments: pd.DataFrame, tmp_path: Path) -> None:
    nlp = spacy.load(MODEL)
    nlp.add_pipe("lf_test_shouting", last=True)

    def lfs(doc_cache: Path | None) -> list[lf.LabelingFunction]:
        @nlp_labeling_function(model=nlp, needs=("lf_test_shouting",), doc_cache=doc_cache)
        def shouting(x):  # type: ignore[no-untyped-def]
            return 1 if x.doc._.lf_test_shout > 0.5 else 0

        return [shouting]

    fresh = lf.apply(lfs(None), comments, progress=False)
    assert set(fresh.array.ravel().tolist()) == {0, 1}
    lf.apply(lfs(tmp_path / "docs"), comments, progress=False)
    warm = lf.apply(lfs(tmp_path / "docs"), comments, progress=False)
    np.testing.assert_array_equal(warm.array, fresh.array)


def test_docs_holding_values_msgpack_cannot_store_are_parsed_not_cached(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    docs = [nlp("one text"), nlp("another")]
    docs[0].user_data["opaque"] = object()
    cache = DocCache(tmp_path / "docs")
    description = {"name": "blank", "components": []}
    cache.put(description, [d.text for d in docs], docs)
    assert cache.get(description, [d.text for d in docs], nlp.vocab) == {}
    assert set(docs[0].user_data) == {"opaque"}  # the caller's Docs are left as they were


def _vector_by_length(doc: Doc) -> np.ndarray:
    return np.full(3, len(doc), dtype=np.float32)


@Language.component("lf_test_length_vectors")
def _length_vectors(doc: Doc) -> Doc:
    doc.user_hooks["vector"] = _vector_by_length  # as sentence-encoder packages do
    return doc


def test_docs_whose_components_set_hooks_are_parsed_not_cached(tmp_path: Path) -> None:
    """A segment keeps no ``doc.user_hooks``: a Doc read back had spaCy's own ``doc.vector``
    (empty here, the tensor's mean elsewhere), not the component's, so a warm run labeled
    other rows than a cold one."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("lf_test_length_vectors")
    df = pd.DataFrame({"text": ["Taylor Swift sang in Paris", "hi there"]})

    @nlp_labeling_function(model=nlp, needs=("lf_test_length_vectors",), doc_cache=tmp_path / "docs")
    def long_by_vector(x):  # type: ignore[no-untyped-def]
        return 1 if x.doc.vector.size and x.doc.vector[0] > 2 else 0

    cold = lf.apply([long_by_vector], df, progress=False)
    warm = lf.apply([long_by_vector], df, progress=False)
    assert cold.array[:, 0].tolist() == warm.array[:, 0].tolist() == [1, 0]


@pytest.mark.parametrize("damage", ["truncated", "empty", "keys_of_another_segment", "a_changed_tensor_byte"])
def test_a_damaged_segment_is_parsed_again_with_a_warning(comments: pd.DataFrame, tmp_path: Path, damage: str) -> None:
    from lf.apply.cache import LFCacheWarning

    fresh = lf.apply(_vector_lfs(None), comments, chunk_size=100, progress=False)
    lf.apply(_vector_lfs(tmp_path / "docs"), comments, chunk_size=100, progress=False)
    first, second = sorted((tmp_path / "docs").glob("*/*.spacy"))[:2]
    if damage == "truncated":
        first.write_bytes(first.read_bytes()[:100])
    elif damage == "empty":
        first.write_bytes(b"")
    elif damage == "a_changed_tensor_byte":  # still reads: the Docs came back with another tensor
        data = bytearray(first.read_bytes())
        data[len(data) // 2] ^= 0xFF
        first.write_bytes(bytes(data))
    else:  # a segment's Docs swapped for another's: found by text, so none is taken for another
        first.write_bytes(second.read_bytes())
    if damage == "keys_of_another_segment":
        warm = lf.apply(_vector_lfs(tmp_path / "docs"), comments, chunk_size=100, progress=False)
    else:
        with pytest.warns(LFCacheWarning, match="Doc cache segment .* is damaged"):
            warm = lf.apply(_vector_lfs(tmp_path / "docs"), comments, chunk_size=100, progress=False)
        assert first.exists()  # written again by the parse that replaced it
    np.testing.assert_array_equal(warm.array, fresh.array)
