"""The LabelModel says when its LFs give it fewer agreement statistics than unknowns.

Then no data can pin the learned accuracies (and an estimated class balance) down: they
rest on the model's prior. One LF per class, as in WRENCH yoruba and hausa, always does it;
the printed labels and accuracies would otherwise look as sure as any others.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lf.models import LabelModel, UnderdeterminedWarning
from lf.models._stats import moments
from lf.models.matrix_completion import moment_counts


def one_lf_per_class(k: int, n: int = 3000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    L = np.full((n, k), -1, np.int8)
    for j in range(k):
        L[rng.random(n) < np.where(y == j, 0.6, 0.05), j] = j
    return L


def counts(L: np.ndarray, k: int, members: list[list[int]] | None = None, learn: bool = True) -> tuple[int, int]:
    return moment_counts(moments(L, k, None).O, L.shape[1], k, members or [], learn)


@pytest.mark.parametrize("k", [3, 5, 7])
def test_one_lf_per_class_is_always_underdetermined(k):
    L = one_lf_per_class(k)
    # k rates and one rate per pair of LFs, against k rates per LF and k - 1 shares
    assert counts(L, k) == (k + k * (k - 1) // 2, k * k + k - 1)
    assert counts(L, k, learn=False) == (k + k * (k - 1) // 2, k * k)
    with pytest.warns(UnderdeterminedWarning) as caught:
        LabelModel(off_class="free").fit(L, cardinality=k)
    text = str(caught[0].message)
    assert f"give {k + k * (k - 1) // 2} agreement statistics for {k * k + k - 1} unknowns" in text
    assert "accuracies and class balance rest on the model's prior" in text and "class_balance=" in text
    with pytest.warns(UnderdeterminedWarning, match=f"for {k * k} unknowns") as caught:
        LabelModel(off_class="free").fit(L, cardinality=k, class_balance=np.full(k, 1.0 / k))
    assert "class balance" not in str(caught[0].message)  # given: only the accuracies


def test_three_lfs_that_vote_one_class_each_are_too_few_for_two_classes(generate):
    """Two SPAM LFs and one HAM LF: 3 vote rates and 3 pair rates for 6 rates and a share."""
    L, _ = generate(4000, 3, 2, accuracies=np.full(3, 0.8), propensities=np.full(3, 0.5), seed=3)
    L = np.where(L == np.array([1, 1, 0]), L, -1).astype(np.int8)
    assert counts(L, 2) == (6, 7)
    with pytest.warns(UnderdeterminedWarning, match="6 agreement statistics for 7 unknowns"):
        LabelModel().fit(L, cardinality=2)
    L[:200, 2] = 1  # the HAM LF votes SPAM too: 4 vote rates and 1 + 2 + 2 pair rates
    assert counts(L, 2) == (9, 9)


def test_votes_never_cast_and_cliques_give_no_statistics(generate):
    L, _ = generate(4000, 4, 2, accuracies=np.full(4, 0.8), propensities=np.full(4, 0.5), seed=1)
    assert counts(L, 2) == (4 * 2 + 6 * 4, 4 * 2 * 2 + 1)
    assert counts(L, 2, [[0, 1]]) == (8 + 5 * 4, 17)  # the pair inside the clique is left out
    L[L[:, 3] == 0, 3] = -1  # LF 3 never votes class 0: one vote fewer, and its pairs
    assert counts(L, 2) == (7 + 3 * 4 + 3 * 2, 7 * 2 + 1)


def test_enough_lfs_per_class_fit_without_a_word(generate):
    L, _ = generate(4000, 6, 3, accuracies=np.full(6, 0.75), propensities=np.full(6, 0.4), seed=2)
    unipolar = np.where(L == np.arange(6) % 3, L, -1).astype(np.int8)  # two LFs per class
    assert counts(unipolar, 3) == (6 + 15, 6 * 3 + 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LabelModel().fit(unipolar, cardinality=3)
        LabelModel().fit(L, cardinality=3)


def test_em_steps_fit_the_whole_likelihood_and_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LabelModel(em_steps=5).fit(one_lf_per_class(3), cardinality=3)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 8), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_lfs_that_cast_every_vote_are_never_underdetermined(m, k, seed):
    """m >= 3 LFs each casting all k votes: 3 pairs of LFs alone give 3 k^2 statistics,
    more than the m k^2 + k - 1 unknowns allow to fall short of."""
    rng = np.random.default_rng(seed)
    L = rng.integers(-1, k, (300, m)).astype(np.int8)
    L[:k] = np.arange(k)[:, None]  # every vote cast by every LF at least once
    statistics, unknowns = counts(L, k)
    assert statistics == m * k + m * (m - 1) // 2 * k * k and statistics >= unknowns


def test_pairs_of_a_class_that_never_fire_together_are_no_statistics():
    """LFs 0 and 1 fire on one half of the rows, LFs 2 and 3 on the other: the two LFs of a
    class never fire together, and the fit leaves such cells out (inconsistent_cells). They
    were counted: 10 statistics for 9 unknowns, no warning, while the learned accuracies
    (0.92-0.95 for LFs 85% right) moved by up to 0.09 with the class balance given."""
    rng = np.random.default_rng(0)
    n = 4000
    y = rng.integers(0, 2, n)
    half = rng.integers(0, 2, n)
    L = np.full((n, 4), -1, np.int8)
    for j, (cls, part) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        vote = np.where(rng.random(n) < 0.85, y, 1 - y)
        L[(half == part) & (rng.random(n) < 0.6) & (vote == cls), j] = cls
    assert counts(L, 2) == (10, 9)  # every cell of the votes cast
    with pytest.warns(UnderdeterminedWarning, match="8 agreement statistics for 9 unknowns"):
        LabelModel().fit(L, cardinality=2)
