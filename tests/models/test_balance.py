"""The no-gold class balance of LabelModel: the mixture-weight likelihood (lf.models._balance)."""

from __future__ import annotations

import numpy as np

from lf.models._balance import SAMPLE_ROWS, class_loglik, map_balance, sample_rows


def _mixture(seed: int, n: int, p: np.ndarray, m: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``m`` conditionally independent binary LFs (abstain 40%), and their rates."""
    rng = np.random.default_rng(seed)
    y = rng.choice(p.size, n, p=p)
    acc = rng.uniform(0.65, 0.9, m)
    mu = np.zeros((m, 2, 2))
    for j in range(m):
        mu[j] = 0.6 * np.array([[acc[j], 1 - acc[j]], [1 - acc[j], acc[j]]])
    fired = rng.random((n, m)) < 0.6
    right = rng.random((n, m)) < acc
    return np.where(fired, np.where(right, y[:, None], 1 - y[:, None]), -1), mu


def test_true_rates_give_back_the_mixture_weights() -> None:
    # With the true rates the likelihood's maximum is the true balance (up to sampling),
    # from a start far from it, with or without a weak pull toward another guess.
    truth = np.array([0.85, 0.15])
    L, mu = _mixture(0, 40_000, truth)
    ll = class_loglik(L, mu)
    counts = np.ones(len(L))
    free = map_balance(ll, counts, np.array([0.5, 0.5]), np.array([0.5, 0.5]), 0.0)
    assert np.abs(free - truth).max() < 0.01, free
    pulled = map_balance(ll, counts, np.array([0.5, 0.5]), np.array([0.5, 0.5]), 40_000.0)
    assert 0.6 < pulled[0] < free[0]  # as many pseudo-rows as rows: about half way


def test_counts_weigh_rows_as_repeats() -> None:
    L, mu = _mixture(1, 2_000, np.array([0.7, 0.3]))
    rows, counts = np.unique(L, axis=0, return_counts=True)
    start, prior = np.array([0.5, 0.5]), np.array([0.6, 0.4])
    grouped = map_balance(class_loglik(rows, mu), counts.astype(float), start, prior, 100.0)
    every = map_balance(class_loglik(L, mu), np.ones(len(L)), start, prior, 100.0)
    np.testing.assert_allclose(grouped, every, atol=1e-9)


def test_many_distinct_rows_are_sampled_evenly_with_the_same_total() -> None:
    n = 2 * SAMPLE_ROWS + 10
    rows = np.arange(n)[:, None] % 7 - 1
    counts = np.full(n, 3, np.int64)
    use, c = sample_rows(rows, counts)
    assert SAMPLE_ROWS <= len(use) < 2 * SAMPLE_ROWS
    assert np.isclose(c.sum(), counts.sum())
    again = sample_rows(rows, counts)
    assert np.array_equal(again[0], use)  # no random draw
    small, c_small = sample_rows(rows[:100], counts[:100])
    assert small.shape == (100, 1) and np.array_equal(c_small, np.full(100, 3.0))
