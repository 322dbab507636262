"""The projected L-BFGS (``lf.models._pqn``) against scipy's L-BFGS-B on the same problems."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.optimize import Bounds, minimize, rosen, rosen_der

import lf.models._mc_solve as mc_solve
from lf.models import LabelModel
from lf.models._pqn import minimize_box


def _box_quadratic(n: int, seed: int) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """A strictly convex quadratic whose minimum in [0, 1]^n has many variables at a bound."""
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(n, n)) / np.sqrt(n)
    H = B @ B.T + 0.1 * np.eye(n)
    c = rng.normal(size=n) * 2.0

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        return float(0.5 * x @ H @ x - c @ x), H @ x - c

    return fun, np.full(n, 0.5), np.zeros(n), np.ones(n)


def _deferred(fun: Any) -> Any:
    """``fun`` (value and gradient) as ``minimize_box`` takes it: the gradient on demand."""
    def value_then_gradient(x: np.ndarray) -> tuple[float, Any]:
        f, g = fun(x)
        return f, lambda: g
    return value_then_gradient


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_same_minimum_as_l_bfgs_b_in_a_box(seed):
    fun, x0, lo, hi = _box_quadratic(60, seed)
    ref = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi), options={"ftol": 1e-15, "gtol": 1e-12})
    res = minimize_box(_deferred(fun), x0, lo, hi, max_iter=2000, ftol=1e-15, gtol=1e-12)
    assert res.success
    at_bound = (ref.x == 0) | (ref.x == 1)
    assert 5 < at_bound.sum() < 55  # the bounds matter
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert res.fun <= ref.fun + 1e-10


@pytest.mark.parametrize("bounds", ["fixed inside the box", "bounds differing by variable"])
def test_fixed_variables_and_uneven_bounds_keep_l_bfgs_b_minimum(bounds):
    fun, x0, lo, hi = _box_quadratic(60, 4)
    if bounds == "fixed inside the box":  # the others share [0, 1]: clipped to scalars
        lo[::7] = hi[::7] = np.linspace(0.2, 0.8, lo[::7].size)
        hi[3] = lo[3] = 1.5  # x0 outside: clipped to its bound at the start
    else:
        lo, hi = lo - np.linspace(0.0, 0.5, 60), hi + np.linspace(0.5, 0.0, 60)
    ref = minimize(fun, np.clip(x0, lo, hi), jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi),
                   options={"ftol": 1e-15, "gtol": 1e-12})
    res = minimize_box(_deferred(fun), x0, lo, hi, max_iter=2000, ftol=1e-15, gtol=1e-12)
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    fixed = lo == hi
    np.testing.assert_array_equal(res.x[fixed], lo[fixed])  # exactly where they were put
    assert res.fun <= ref.fun + 1e-10


def test_only_the_points_the_line_search_accepts_have_their_gradient_computed():
    lo, hi = np.full(20, -0.5), np.full(20, 0.8)  # Rosenbrock's valley, cut by the box
    gradients = 0

    def value_then_gradient(x: np.ndarray) -> tuple[float, Any]:
        def gradient() -> np.ndarray:
            nonlocal gradients
            gradients += 1
            return np.asarray(rosen_der(x))
        return float(rosen(x)), gradient

    res = minimize_box(value_then_gradient, np.zeros(20), lo, hi, max_iter=2000, ftol=1e-15, gtol=1e-10)
    ref = minimize(rosen, np.zeros(20), jac=rosen_der, method="L-BFGS-B", bounds=Bounds(lo, hi),
                   options={"ftol": 1e-15, "gtol": 1e-10})
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    assert gradients == res.nit + 1 < res.nfev  # the start and one point per iteration; some rejected


def test_stops_at_once_on_a_point_that_is_already_optimal_and_reports_max_iter():
    fun, _, lo, hi = _box_quadratic(20, 3)
    ref = minimize(fun, np.full(20, 0.5), jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi),
                   options={"ftol": 1e-15, "gtol": 1e-13})
    done = minimize_box(_deferred(fun), ref.x, lo, hi, max_iter=50, ftol=1e-12, gtol=1e-6)
    assert (done.nit, done.success) == (0, True)
    cut = minimize_box(_deferred(fun), np.full(20, 0.5), lo, hi, max_iter=2, ftol=0.0, gtol=0.0)
    assert (cut.nit, cut.success, cut.message) == (2, False, "max_iter reached")


def test_label_model_fit_is_the_same_with_either_solver(generate, monkeypatch):
    acc = np.array([0.8, 0.65, 0.9, 0.7])
    L, _ = generate(4_000, 4, 6, accuracies=acc, propensities=np.array([0.5, 0.7, 0.3, 0.6]), seed=4)
    lbfgsb = LabelModel(tol=1e-10).fit(L, cardinality=6)
    monkeypatch.setattr(mc_solve, "LARGE", 0)  # every problem is "large": the projected L-BFGS
    projected = LabelModel(tol=1e-10).fit(L, cardinality=6)
    np.testing.assert_allclose(projected.mu_, lbfgsb.mu_, atol=2e-4)
    np.testing.assert_allclose(projected.accuracies_, lbfgsb.accuracies_, atol=1e-4)


def test_many_sparse_lfs_take_the_projected_solver_and_lose_nothing_by_it(generate, monkeypatch):
    """80 sparse LFs x 8 classes (5,760 variables) are past ``LARGE``: the default fit is the
    projected L-BFGS. Its labels are L-BFGS-B's (but near ties: both stop in a flat valley),
    they do not depend on the classes' names, and its loss is no higher."""
    rng = np.random.default_rng(11)
    m, k = 80, 8
    L, y = generate(3_000, m, k, accuracies=rng.uniform(0.55, 0.95, m), propensities=rng.uniform(0.02, 0.1, m), seed=11)
    calls: list[str] = []
    real_box, real_lbfgsb = mc_solve.minimize_box, mc_solve._lbfgsb

    def losses(name: str, real: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            res = real(*args, **kwargs)
            calls.append(f"{name} {res.fun}")
            return res

        return run

    monkeypatch.setattr(mc_solve, "minimize_box", losses("projected", real_box))
    monkeypatch.setattr(mc_solve, "_lbfgsb", losses("lbfgsb", real_lbfgsb))
    projected = LabelModel().fit(L, cardinality=k)
    assert len(calls) == 1 and calls[0].startswith("projected")
    perm = rng.permutation(k)
    renamed = np.where(L == -1, -1, perm[np.maximum(L, 0)]).astype(L.dtype)
    back = np.argsort(perm)[LabelModel().fit(renamed, cardinality=k).predict(renamed)]
    np.testing.assert_array_equal(back, projected.predict(L))
    monkeypatch.setattr(mc_solve, "LARGE", 10**9)
    lbfgsb = LabelModel().fit(L, cardinality=k)
    assert calls[-1].startswith("lbfgsb")
    assert float(calls[0].split()[1]) <= float(calls[-1].split()[1]) * (1 + 1e-4)
    covered = (L != -1).any(axis=1)  # uncovered rows take the balance's argmax: a near tie here
    assert (lbfgsb.predict(L) == projected.predict(L))[covered].mean() >= 0.99
    assert (projected.predict(L) == y).mean() >= (lbfgsb.predict(L) == y).mean() - 0.005
