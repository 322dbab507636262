"""The factored matrix-completion loss equals the dense weighted sum it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from lf.models._mc_loss import (
    DenseWeights,
    factor_weights,
    loss_weights,
    pair_blocks,
    weighted_loss,
)


@pytest.mark.parametrize(("m", "k", "density"), [(5, 3, 0.9), (20, 4, 0.05), (3, 7, 0.3), (4, 2, 0.0), (3, 200, 0.02)])
def test_value_and_gradient_match_the_dense_sum(m: int, k: int, density: float) -> None:
    rng = np.random.default_rng(m * k)
    mk = m * k
    O = rng.random((mk, mk)) * (rng.random((mk, mk)) < density)
    O = (O + O.T) / 2
    W = 1.0 / (O + 0.01)
    W[rng.random((mk, mk)) < 0.1] = 0.0  # left-out cells
    W = np.minimum(W, W.T)
    W[np.kron(np.eye(m), np.ones((k, k))).astype(bool)] = 0.0  # never an LF with itself
    mu, p = rng.random((mk, k)), rng.dirichlet(np.ones(k))
    E = (mu * p) @ mu.T - O
    want_val, want_grad = float((W * E * E).sum()), 4.0 * (W * E) @ (mu * p)
    for weights in (factor_weights(W, O, m, k), pair_blocks(W, O, m, k), DenseWeights(W, O)):
        val, grad = weighted_loss(mu, p, weights, m, k)
        assert val == pytest.approx(want_val, rel=1e-12)
        np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-12 * np.abs(want_grad).max())


def test_the_cheapest_form_is_chosen_by_size() -> None:
    def form(m: int, k: int) -> type:
        mk = m * k
        return type(loss_weights(np.ones((mk, mk)), np.ones((mk, mk)), m, k))

    assert form(20, 10) is DenseWeights  # 200 x 200: taken whole
    assert form(3, 200).__name__ == "PairBlocks"
    assert form(164, 9).__name__ == "FactoredWeights"
