"""`lf suggest` picks LFs that label rows no earlier pick or existing LF labels: a phrase
of a picked word (`a song` after `song`) or a narrower copy of an existing LF is left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

import lf
from lf.suggest import suggest


def _corpus(n: int = 400) -> pd.DataFrame:
    """Spam says 'free' or 'winner', ham says 'song', amid random filler words."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        spam = i % 2 == 1
        cue = ("free" if i % 4 == 1 else "winner") if spam else "song"
        rows.append({"text": " ".join(rng.choice(["the", "a", "video", "today"], 3)) + f" {cue} the", "gold": "SPAM" if spam else "HAM"})
    return pd.DataFrame(rows)


def _mostly_inside(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a.sum() and (a & b).sum() / a.sum() > 0.8)


def test_no_pick_labels_mostly_rows_an_earlier_pick_of_its_label_labels() -> None:
    corpus = _corpus()
    found = suggest(corpus, corpus.sample(100, random_state=1), "gold")
    assert {"song", "free", "winner"} <= {s.pattern for s in found.items}
    L = lf.apply(found.lfs(), corpus, cardinality=2, progress=False).array
    for j, s in enumerate(found.items):
        for i, t in enumerate(found.items[:j]):
            assert not (s.label == t.label and _mostly_inside(L[:, j] != -1, L[:, i] != -1)), (s.pattern, t.pattern)


def test_narrower_copies_of_existing_lfs_are_not_suggested() -> None:
    corpus = _corpus()
    existing = lf.LFSet([lf.keyword_lf("spam_free", ["free"], 1), lf.regex_lf("spam_win", r"\bwinner\b", 1)], labels=["HAM", "SPAM"])
    found = suggest(corpus, corpus, "gold", lfs=existing)
    assert "song" in {s.pattern for s in found.items}
    mine = lf.apply(list(existing), corpus, cardinality=2, progress=False).array != -1
    L = lf.apply(found.lfs(), corpus, cardinality=2, progress=False).array
    for j, s in enumerate(found.items):
        if s.label == 1:
            assert not any(_mostly_inside(L[:, j] != -1, mine[:, e]) for e in range(2)), s.pattern
