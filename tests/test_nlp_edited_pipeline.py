"""An edited or retrained spaCy pipeline under the same name and version is another
pipeline: neither the Doc cache nor the LF-label cache hands back what the old one gave."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lf

spacy = pytest.importorskip("spacy")

from lf.nlp import nlp_labeling_function

TEXTS = pd.DataFrame({"text": ["buy the widget now", "the gadget is great", "nothing here"]})


def _ruler(pattern: str):  # type: ignore[no-untyped-def]
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PRODUCT", "pattern": pattern}])
    return nlp


def _product_lf(nlp, doc_cache: Path | None):  # type: ignore[no-untyped-def]
    @nlp_labeling_function(name="product", model=nlp, needs=("ents",), doc_cache=doc_cache)
    def product(x):  # type: ignore[no-untyped-def]
        return 1 if any(e.label_ == "PRODUCT" for e in x.doc.ents) else -1

    return product


def _votes(nlp, tmp_path: Path, *, doc_cache: bool, cache: bool) -> list[int]:  # type: ignore[no-untyped-def]
    product = _product_lf(nlp, tmp_path / "docs" if doc_cache else None)
    L = lf.apply([product], TEXTS, cardinality=2, progress=False, cache=str(tmp_path / "labels") if cache else None)
    return L.array[:, 0].tolist()


@pytest.mark.parametrize("doc_cache, cache", [(True, False), (False, True), (True, True)])
def test_new_patterns_under_the_same_pipeline_name_give_new_labels(tmp_path: Path, doc_cache: bool, cache: bool) -> None:
    assert _votes(_ruler("widget"), tmp_path, doc_cache=doc_cache, cache=cache) == [1, -1, -1]
    assert _votes(_ruler("gadget"), tmp_path, doc_cache=doc_cache, cache=cache) == [-1, 1, -1]


def test_patterns_added_to_the_same_pipeline_object_are_seen(tmp_path: Path) -> None:
    nlp = _ruler("widget")
    assert _votes(nlp, tmp_path, doc_cache=True, cache=True) == [1, -1, -1]
    nlp.get_pipe("entity_ruler").add_patterns([{"label": "PRODUCT", "pattern": "gadget"}])
    assert _votes(nlp, tmp_path, doc_cache=True, cache=True) == [1, 1, -1]


def test_an_unchanged_pipeline_still_reuses_both_caches(tmp_path: Path) -> None:
    _votes(_ruler("widget"), tmp_path, doc_cache=True, cache=False)
    product = _product_lf(_ruler("widget"), tmp_path / "docs")
    first = lf.apply([product], TEXTS, cardinality=2, progress=False, cache=str(tmp_path / "labels"))
    again = lf.apply([_product_lf(_ruler("widget"), tmp_path / "docs")], TEXTS, cardinality=2, progress=False, cache=str(tmp_path / "labels"))
    assert first == again and again.cache_stats is not None and again.cache_stats.reused == 1
    assert lf.doc_cache.doc_cache_info(tmp_path / "docs")[0]["docs"] == len(TEXTS)


def test_cache_info_lists_each_state_of_the_pipeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lf.cli import main

    for pattern in ("widget", "gadget"):
        _votes(_ruler(pattern), tmp_path, doc_cache=True, cache=False)
    capsys.readouterr()
    assert main(["cache", "info", str(tmp_path / "docs")]) == 0
    out = capsys.readouterr().out
    assert "pipelines 2" in out
    states = {line.rsplit("state ", 1)[1] for line in out.splitlines() if ", state " in line}
    assert len(states) == 2
