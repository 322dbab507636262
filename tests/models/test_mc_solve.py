"""The matrix-completion solver: rows of mu for votes an LF never casts are fixed, not fitted."""

from __future__ import annotations

import tracemalloc
import warnings
from typing import Any

import numpy as np
import pytest

import lf.models._mc_solve as mc_solve
import lf.models.matrix_completion as mc
from lf.models import LabelModel
from lf.models._mc_loss import PairBlocks, Scratch
from lf.models._mc_solve import agreement_accuracies, fit_rates, loss_then_gradient_in_x, objective
from lf.models.base import ConvergenceWarning, UnderdeterminedWarning


def _partial_votes(generate: Any) -> np.ndarray:
    """5 LFs over 4 classes; LF j votes only some labels (its other votes become ABSTAIN)."""
    L, _ = generate(3_000, 5, 4, accuracies=np.array([0.8, 0.7, 0.75, 0.85, 0.65]),
                    propensities=np.full(5, 0.6), seed=3)
    emits = [{0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 1, 2, 3}]
    for j, labels in enumerate(emits):
        L[~np.isin(L[:, j], list(labels)), j] = -1
    return L


def _agreements(L: np.ndarray, k: int) -> np.ndarray:
    """``(m k) x (m k)`` counts of rows where LF i votes a and LF j votes b."""
    A = L.astype(np.int64)
    onehot = np.zeros((len(A), A.shape[1] * k))
    for j in range(A.shape[1]):
        voted = A[:, j] >= 0
        onehot[np.flatnonzero(voted), j * k + A[voted, j]] = 1.0
    return onehot.T @ onehot


def test_rows_never_voted_are_fixed_and_the_optimum_is_the_full_problems(generate, monkeypatch):
    calls: list[tuple[tuple[Any, ...], dict[str, Any], Any]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        out = fit_rates(*args, **kwargs)
        calls.append((args, kwargs, out))
        return out

    monkeypatch.setattr(mc, "fit_rates", recording)
    LabelModel().fit(_partial_votes(generate), cardinality=4)
    (args, kwargs, (mu, res)), = calls
    m, k = 5, 4
    fitted = kwargs["fitted"]
    assert fitted.sum() == 2 * 4 + 4  # four LFs vote 2 labels, one votes all 4
    assert res.x.size == fitted.sum() * (1 + k)  # the optimizer saw only those rows
    np.testing.assert_array_equal(mu[~fitted], 0.0)

    full_mu, full_res = fit_rates(*args, **{**kwargs, "fitted": np.ones(m * k, bool)})
    assert full_res.x.size == m * k * (1 + k)
    np.testing.assert_allclose(mu, full_mu, atol=1e-7)
    assert res.fun == pytest.approx(full_res.fun, rel=1e-9, abs=1e-12)


def test_agreement_accuracies_recover_each_lfs_share_of_right_votes(generate):
    acc = np.array([0.9, 0.6, 0.75, 0.5])
    L, _ = generate(20_000, 4, 100, accuracies=acc, propensities=np.array([0.5, 0.7, 0.4, 0.9]), seed=5)
    np.testing.assert_allclose(agreement_accuracies(_agreements(L, 100), 4, 100), acc, atol=0.02)


def test_the_start_moves_off_the_prior_only_when_the_prior_is_capped(generate):
    O = np.eye(30)  # any counts: with 10 classes the prior (0.03) is not capped
    problem = mc._prepare(O, 3, 10, 0.03, 1e-2, "chi2", True)
    assert problem.accuracy is None
    assert mc._start(problem.accuracy, np.full(30, 0.05), np.full(10, 0.1), 3, 10, 0.03) is None

    acc, k, m = np.array([0.8, 0.7, 0.9]), 100, 3
    L, _ = generate(5_000, m, k, accuracies=acc, propensities=np.full(m, 0.5), seed=2)
    O = _agreements(L, k) / len(L)
    p, d = np.full(k, 1.0 / k), np.diag(O).copy()
    D0, S0 = mc._init_params(d, p, m, k, 0.03)
    accuracy = mc._prepare(O, m, k, 0.03, 1e-2, "chi2", True).accuracy
    assert accuracy is not None
    D1, S1 = mc._start(accuracy, d, p, m, k, 0.03)

    def accuracies(D: np.ndarray, S: np.ndarray) -> np.ndarray:
        return mc.lf_accuracies((D[:, None] * S).reshape(m, k, k), p)

    np.testing.assert_allclose(accuracies(D0, S0), 1 / 3, atol=0.01)  # the capped prior: 2 wrong per right
    np.testing.assert_allclose(accuracies(D1, S1), acc, atol=0.03)
    np.testing.assert_allclose((D1[:, None] * S1) @ p, d)  # the vote rates as observed


def _evaluated_points(generate: Any, monkeypatch: Any) -> list[tuple[np.ndarray, Any]]:
    """The points (and the problem) the projected L-BFGS evaluates on 3 LFs x 100 classes
    (pair blocks), one LF never voting 10 of the labels (rows not fitted)."""
    L, _ = generate(2_000, 3, 100, accuracies=np.array([0.8, 0.7, 0.6]), propensities=np.full(3, 0.6), seed=7)
    L[L[:, 2] < 10, 2] = -1
    seen: list[tuple[np.ndarray, Any]] = []
    real = mc_solve.loss_then_gradient_in_x

    def recording(x: np.ndarray, pr: Any) -> Any:
        seen.append((x.copy(), pr))
        return real(x, pr)

    monkeypatch.setattr(mc_solve, "LARGE", 0)
    monkeypatch.setattr(mc_solve, "loss_then_gradient_in_x", recording)
    with warnings.catch_warnings():  # thin data: some votes never cast, underdetermined
        warnings.simplefilter("ignore", UnderdeterminedWarning)
        with pytest.warns(ConvergenceWarning):  # ten iterations are enough points
            LabelModel(max_iter=10).fit(L, cardinality=100)
    pr = seen[0][1]
    assert isinstance(pr.fw, PairBlocks) and pr.rows is not None and len(seen) > 5
    return seen


def test_a_deferred_gradient_is_its_own_points_whatever_was_evaluated_since(generate, monkeypatch):
    seen = _evaluated_points(generate, monkeypatch)
    (x1, pr), (x2, _) = seen[1], seen[-1]
    want1, want2 = (objective(x, pr._replace(scratch=Scratch())) for x in (x1, x2))  # arrays of their own
    val1, gradient1 = loss_then_gradient_in_x(x1, pr)
    val2, gradient2 = loss_then_gradient_in_x(x2, pr)  # reuses the arrays x1's gradient reads
    assert (val1, val2) == (want1[0], want2[0])
    np.testing.assert_array_equal(gradient1(), want1[1])
    np.testing.assert_array_equal(gradient2(), want2[1])
    np.testing.assert_array_equal(gradient2(), want2[1])  # asked twice: the same


def test_an_evaluation_reuses_its_arrays(generate, monkeypatch):
    x, pr = _evaluated_points(generate, monkeypatch)[-1]
    loss_then_gradient_in_x(x, pr)[1]()
    tracemalloc.start()
    try:
        loss_then_gradient_in_x(x, pr)[1]()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the gradient it returns, arrays of k or rows entries, numpy's 64 KB reduction buffer
    assert peak < x.nbytes + 2**17
