"""TripletModel names an LF whose votes the other LFs' contradict.

Its closed form takes each LF's sign from the assumption that every LF is better than
random. An LF voting SPAM mostly on HAM rows (17% right) was learned as 95% right and
counted for SPAM: accuracy on the covered rows 0.61, against 0.77 for majority vote and
0.87 for the LabelModel (which learns it as worse than random), without a word.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lf
from lf.models import LabelModel, MajorityVoter, ReversedVotesWarning, TripletModel


def with_a_reversed_lf(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    specs = [(1, 0.5, 0.1), (0, 0.5, 0.1), (1, 0.4, 0.1), (0, 0.4, 0.1), (1, 0.1, 0.5)]  # the last: SPAM on HAM rows
    L = np.full((n, 5), -1, np.int8)
    for j, (c, on, off) in enumerate(specs):
        L[rng.random(n) < np.where(y == c, on, off), j] = c
    return L, y


def test_the_reversed_lf_is_named_with_what_it_costs():
    L, y = with_a_reversed_lf()
    M = lf.LabelMatrix(L, names=["a", "b", "c", "d", "contrarian"], cardinality=2, labels=["HAM", "SPAM"])
    with pytest.warns(ReversedVotesWarning) as caught:
        model = TripletModel().fit(M)
    said = [w for w in caught if w.category is ReversedVotesWarning]
    assert len(said) == 1
    text = str(said[0].message)
    assert "the SPAM votes of LF 'contrarian' go with HAM, as a worse-than-random LF's do" in text
    assert f"learned accuracy ({model.accuracies_[4]:.2f}) is far off" in text and "use LabelModel" in text
    covered = (L != -1).any(axis=1)
    right = (L[:, 4] == y)[L[:, 4] != -1].mean()
    assert right < 0.2 and model.accuracies_[4] > 0.9  # what the warning is about
    triplet = (model.predict(M) == y)[covered].mean()
    assert triplet + 0.1 < (MajorityVoter().fit(M).predict(M) == y)[covered].mean()
    assert triplet + 0.2 < (LabelModel().fit(M).predict(M) == y)[covered].mean()


def test_lfs_better_than_random_fit_without_a_word():
    L, _ = with_a_reversed_lf()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TripletModel().fit(L[:, :4])


def test_select_says_it_only_for_the_model_it_chooses():
    """Candidates are fitted once per fold: the TripletModel, not chosen, says nothing."""
    from lf.models import select

    L, y = with_a_reversed_lf()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chosen = select(None, L[:10_000], L[10_000:10_500], y[10_000:10_500])
    assert chosen.name != "TripletModel"
    assert not [w for w in caught if w.category is ReversedVotesWarning]
