"""TripletModel says when its LFs give it fewer statistics than rates to learn.

Its closed form maps the same statistics as LabelModel's moment fit (each vote's rate and
the agreements of two LFs' votes) to each vote's rate on each class. With one LF per class
there are fewer of them than rates, and what it printed as learned accuracies was far off
(0.68-0.70 for LFs 83% right with 3 classes, 0.23-0.26 for LFs 53% right with 10), without
a word.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lf.models import LabelModel, TripletModel, UnderdeterminedWarning


def one_lf_per_class(k: int, n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    L = np.full((n, k), -1, np.int8)
    for j in range(k):
        L[rng.random(n) < np.where(y == j, 0.5, 0.05), j] = j
    return L, y


def true_accuracies(L: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([(L[L[:, j] != -1, j] == y[L[:, j] != -1]).mean() for j in range(L.shape[1])])


@pytest.mark.parametrize("k", [3, 10])
def test_one_lf_per_class_warns_and_its_accuracies_are_off(k):
    L, y = one_lf_per_class(k)
    with pytest.warns(UnderdeterminedWarning) as caught:
        model = TripletModel().fit(L, cardinality=k)
    text = str(caught[0].message)
    statistics, unknowns = k + k * (k - 1) // 2, k * k
    assert text.startswith(f"TripletModel: the LFs' votes give {statistics} agreement statistics for {unknowns} unknowns")
    assert "learned accuracies rest on the model's assumptions, not on the data" in text
    assert "class balance" not in text.split(":")[1]  # not learned: given, or the vote shares
    # what the warning is about: the accuracies it learned are far from the LFs' own
    assert np.abs(model.accuracies_ - true_accuracies(L, y)).min() > 0.1
    with pytest.warns(UnderdeterminedWarning):  # a given balance does not add statistics
        TripletModel().fit(L, cardinality=k, class_balance=np.full(k, 1.0 / k))


def test_enough_statistics_fit_without_a_word(generate):
    """Three LFs casting both votes: 6 vote rates and 3 x 4 pair rates for 12 rates. Three
    LFs casting one vote each: 3 + 3 for 6, enough for the Triplet (the balance is not
    learned), one short for the LabelModel, which learns the balance too."""
    L, _ = generate(5000, 3, 2, accuracies=np.full(3, 0.8), propensities=np.full(3, 0.5), seed=4)
    one_vote = np.where(L == np.array([1, 1, 0]), L, -1).astype(np.int8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TripletModel().fit(L, cardinality=2)
        TripletModel().fit(one_vote, cardinality=2)
    with pytest.warns(UnderdeterminedWarning, match="LabelModel: .* 6 agreement statistics for 7 unknowns"):
        LabelModel().fit(one_vote, cardinality=2)
