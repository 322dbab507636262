"""spaCy Docs shared by the rows of a chunk with the same text and by the LFs of a run
(one parse per chunk): an LF changing one is refused, whoever would read it next."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import lf
from lf import ABSTAIN, labeling_function
from lf.errors import LFDefinitionError

pytest.importorskip("spacy")
from spacy.tokens import Token

from lf.nlp import SpacyPreprocessor, nlp_labeling_function

MODEL = os.environ["LF_SPACY_MODEL"]
HAM, SPAM = 0, 1
TEXTS = pd.DataFrame({"text": ["Barack Obama visited Paris."] * 3 + ["hello there", "Apple is big."]})


def _names_then_wipes(doc):  # type: ignore[no-untyped-def]
    found = len(doc.ents)
    doc.ents = []
    return SPAM if found else HAM


def test_an_lf_changing_the_doc_its_rows_of_equal_text_share_is_refused() -> None:
    """Rows with the same text share one Doc: an LF clearing its entities on the first row
    labeled the two copies after it HAM, where each row parsed alone is SPAM."""

    @nlp_labeling_function(model=MODEL, needs=("ner",))
    def wipes(x):  # type: ignore[no-untyped-def]
        return _names_then_wipes(x.doc)

    with pytest.raises(LFDefinitionError, match=r"'wipes' changed its token annotations or entities .*x\.doc\.copy\(\)"):
        lf.apply([wipes], TEXTS, progress=False)

    @nlp_labeling_function(model=MODEL, needs=("ner",))
    def copies(x):  # type: ignore[no-untyped-def]
        return _names_then_wipes(x.doc.copy())

    alone = [lf.apply([copies], TEXTS.iloc[[i]], progress=False).array[0, 0] for i in range(len(TEXTS))]
    assert lf.apply([copies], TEXTS, progress=False).array[:, 0].tolist() == alone == [SPAM] * 3 + [HAM, SPAM]


def test_an_lf_changing_a_doc_of_a_preprocessor_it_shares_with_another_lf_is_refused() -> None:
    """Two LFs with one SpacyPreprocessor get one Doc per row: the second read the entities
    the first had cleared, and labeled no row, with no sign."""
    spacy_pre = SpacyPreprocessor(MODEL, needs=("ner",))

    @labeling_function(pre=[spacy_pre])
    def wipes(x):  # type: ignore[no-untyped-def]
        return _names_then_wipes(x.doc)

    @labeling_function(pre=[spacy_pre])
    def names(x):  # type: ignore[no-untyped-def]
        return SPAM if x.doc.ents else ABSTAIN

    with pytest.raises(LFDefinitionError, match=r"'wipes' changed"):
        lf.apply([wipes, names], TEXTS.iloc[[0, 3, 4]], progress=False)
    assert lf.apply([names], TEXTS.iloc[[0, 3, 4]], progress=False).array[:, 0].tolist() == [SPAM, ABSTAIN, SPAM]


def test_an_lf_setting_a_token_extension_on_a_shared_doc_is_refused() -> None:
    Token.set_extension("lf_test_seen", default=False, force=True)
    try:

        @nlp_labeling_function(model=MODEL, needs=())
        def marks_seen(x):  # type: ignore[no-untyped-def]
            seen = x.doc[0]._.lf_test_seen
            x.doc[0]._.lf_test_seen = True
            return HAM if seen else SPAM

        with pytest.raises(LFDefinitionError, match=r"'marks_seen' changed doc\.user_data"):
            lf.apply([marks_seen], TEXTS, progress=False)
    finally:
        Token.remove_extension("lf_test_seen")


def test_an_lf_setting_sentence_starts_or_norms_on_a_shared_doc_is_refused() -> None:
    """Sentence starts and norms were not compared: an LF splitting the tokenizer's Doc
    into sentences, or rewriting a norm, went unnoticed by the rows sharing the Doc."""

    @nlp_labeling_function(model=MODEL, needs=())
    def splits(x):  # type: ignore[no-untyped-def]
        started = x.doc[1].is_sent_start
        x.doc[1].is_sent_start = True
        return HAM if started else SPAM

    @nlp_labeling_function(model=MODEL, needs=())
    def norms(x):  # type: ignore[no-untyped-def]
        seen = x.doc[0].norm_ == "seen"
        x.doc[0].norm_ = "seen"
        return HAM if seen else SPAM

    for changes in (splits, norms):
        with pytest.raises(LFDefinitionError, match=rf"'{changes.name}' changed its token annotations"):
            lf.apply([changes], TEXTS, progress=False)
