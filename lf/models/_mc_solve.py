"""The matrix-completion fit over its parameters ``x = [D, S]`` (``mu = D * S``).

Rows of ``mu`` (an LF and a label) that the LF never votes are not handed to the optimizer:
their vote rate and every agreement entry in their row are 0, so at ``D = 0`` each term of
the loss that involves them is 0 whatever the other rows are (their gradient in ``S`` is 0
and in ``D`` it is >= 0, at the bound). The optimum has them at ``D = 0``, ``S = S0``,
which is where the full problem starts and keeps them (L-BFGS-B moves a variable only
along its own gradient and its own past steps, all 0), so they are fixed there and the
optimizer sees only the voted rows. An LF that votes one label of ``k``
leaves ``1 + k`` variables instead of ``k (1 + k)``; L-BFGS-B's cost per iteration grows
with the number of variables.

Past ``LARGE`` variables scipy's L-BFGS-B costs more than the loss: Python loops over the
variables to set up the bounds (0.35 s at 3 LFs x 200 classes: 120,000 variables), and
scalar loops over its memory on every iteration (10-20 ms there). There the projected
L-BFGS of ``_pqn`` (whole-array numpy) takes over, handed the loss's value with its
gradient deferred (``loss_then_gradient_in_x``). Measured on generated matrices of
5,000-18,000 variables (164 sparse LFs x 9 classes among them: 14,760) it reached a loss as
low or lower in half the iterations, 1.1-2.6x faster, with the same labels under any
renaming of the classes. Smaller problems, every WRENCH set's among them (chemprot:
2,860), keep L-BFGS-B, the solver their published figures were measured with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, OptimizeResult, minimize

from lf.models._mc_loss import Gradient, Scratch, Weights, loss_then_gradient
from lf.models._pqn import minimize_box

__all__ = ["LARGE", "Problem", "agreement_accuracies", "fit_rates", "objective"]

FloatArray = npt.NDArray[np.float64]
Objective = Callable[[FloatArray], tuple[float, FloatArray]]
LARGE = 5_000  # variables from which the projected L-BFGS replaces scipy's L-BFGS-B


class Problem(NamedTuple):
    """The loss's data, restricted to the rows of ``mu`` that are fitted."""

    fw: Weights
    d: FloatArray  # vote rate of each fitted row
    wd: FloatArray  # its weight
    p: FloatArray  # class balance
    D0: FloatArray  # prior of the fitted rows
    S0: FloatArray  # ... (n_rows x k, 1 on the row's own label)
    rows: npt.NDArray[np.intp] | None  # fitted rows of mu (None: every row)
    diag: npt.NDArray[np.intp]  # flat index of S[row, own label] (fixed at 1)
    m: int
    k: int
    l2: float
    scratch: Scratch  # the evaluations' temporaries, reused


def fit_rates(
    fw: Weights,
    d: FloatArray,
    wd: FloatArray,
    p: FloatArray,
    D0: FloatArray,
    S0: FloatArray,
    m: int,
    k: int,
    l2: float,
    *,
    fitted: npt.NDArray[np.bool_],
    max_iter: int,
    tol: float,
    start: tuple[FloatArray, FloatArray] | None = None,
    targets: npt.NDArray[np.intp] | None = None,
    tied: bool = False,
) -> tuple[FloatArray, Any]:
    """``mu`` (``mk x k``) minimising the loss, whose prior is ``D0, S0``, from ``start``
    (default: the prior). ``S`` is fixed at 1 in the column of the class each row
    ``j * k + l`` points to (``targets``; default ``l``): that vote fires on no class more
    often than on it. ``tied``: one ``S`` for every other class of a row (a vote's rate is
    the same on every class it does not point to; the prior's ``S0`` is already so).

    Only the ``fitted`` rows are optimised; the others are fixed at ``D = 0``, ``S = S0``
    (exact for the rows whose agreement entries are all 0, see the module docstring).
    """
    rows = None if fitted.all() else np.flatnonzero(fitted)
    sel = slice(None) if rows is None else rows
    label = (np.tile(np.arange(k), m) if targets is None else targets)[sel]
    diag = np.arange(label.size) * k + label
    pr = Problem(fw, d[sel], wd[sel], p, D0[sel], S0[sel], rows, diag, m, k, l2, Scratch())
    mu = np.zeros((m * k, k))
    if label.size == 0:  # no LF votes anything: nothing to fit
        return mu, OptimizeResult(x=np.zeros(0), nit=0, success=True)
    D_start, S_start = (D0, S0) if start is None else start
    x0 = np.concatenate([D_start[sel], S_start[sel].ravel()])
    lower = np.zeros_like(x0)
    lower[label.size + diag] = 1.0  # S[row, own label] is fixed at 1
    if tied:
        res = _tied_fit(pr, x0, k, max_iter, tol)
    elif x0.size > LARGE:
        res = minimize_box(
            lambda x: loss_then_gradient_in_x(x, pr), x0, lower, np.ones_like(x0), max_iter=max_iter, ftol=tol, gtol=tol * 1e-3
        )
    else:
        res = _lbfgsb(lambda x: objective(x, pr), x0, Bounds(lower, np.ones_like(x0)), max_iter, tol)
    n_rows = label.size
    mu[sel] = res.x[:n_rows, None] * res.x[n_rows:].reshape(n_rows, k)
    return mu, res


def _tied_fit(pr: Problem, x0: FloatArray, k: int, max_iter: int, tol: float) -> Any:
    """The fit over ``[D, s]``, ``S[row] = s[row]`` off the row's own class (1 there): the
    loss and its gradient are the full ones, the gradient in ``s`` summed over the classes
    ``s`` stands for. The result's ``x`` is the full ``[D, S]``."""
    n_rows = pr.d.size
    off = np.ones((n_rows, k))
    off.ravel()[pr.diag] = 0.0

    def full(t: FloatArray) -> FloatArray:
        S = t[n_rows:, None] * off
        S.ravel()[pr.diag] = 1.0
        return np.concatenate([t[:n_rows], S.ravel()])

    def fun(t: FloatArray) -> tuple[float, FloatArray]:
        val, g = objective(full(t), pr)
        return val, np.concatenate([g[:n_rows], (g[n_rows:].reshape(n_rows, k) * off).sum(axis=1)])

    S_start = x0[n_rows:].reshape(n_rows, k)
    t0 = np.concatenate([x0[:n_rows], (S_start * off).sum(axis=1) / max(k - 1, 1)])
    bounds = Bounds(np.zeros_like(t0), np.ones_like(t0))
    if x0.size > LARGE:  # as the projected L-BFGS there: tol relative to max(loss, 1)
        res = _restarting(fun, t0, bounds, max_iter, tol, 1.0)
    else:
        res = _lbfgsb(fun, t0, bounds, max_iter, tol)
    res.x = full(res.x)
    return res


def _lbfgsb(fun: Objective, x0: FloatArray, bounds: Bounds, max_iter: int, tol: float) -> Any:
    """scipy's L-BFGS-B on ``fun`` (loss and gradient) to a reduction of the loss of ``tol``
    *relative to the loss*.

    L-BFGS-B stops when an iteration lowers ``f`` by at most ``ftol * max(|f|, 1)``. The
    loss is 1 at ``mu = 0`` and far below 1 at the optimum (0.0055 on WRENCH chemprot), so
    that test is absolute there: it stopped 1.4% above the optimum, at a point of a flat
    valley that depended on the order of the classes (renaming them changed 1.2-1.7% of
    chemprot's test labels, probabilities by up to 0.89). A second run from where the first
    stopped, with the loss scaled to 1 there, makes ``tol`` relative (chemprot: at most
    0.25% of its test labels change under renaming; its fit takes 0.5 s instead of 0.11 s).
    """
    res = _restarting(fun, x0, bounds, max_iter, tol, 1.0)
    if res.success and 0.0 < res.fun < 1.0 and res.nit < max_iter:
        again = _restarting(fun, res.x, bounds, max_iter - res.nit, tol, 1.0 / res.fun)
        again.nit += res.nit
        res = again
    return res


def _restarting(fun: Objective, x0: FloatArray, bounds: Bounds, max_iter: int, tol: float, scale: float) -> Any:
    """L-BFGS-B on ``scale`` times the loss, restarted once after a failed line search.

    The line search fails ("ABNORMAL") when no step lowers the loss in floating point, e.g.
    at an optimum on the bounds with a gradient still pointing out of them; whether it
    happened depended on the order of the classes (one matrix: classes 0 and 1 converged,
    class 2 did not, at the same loss to 1e-14). A restart from that point with a fresh
    memory either moves on or confirms it: when it cannot lower the loss by more than
    ``tol`` (relative, as L-BFGS-B's own test), the fit has converged.
    """
    def run(x: FloatArray, iters: int) -> Any:
        def scaled(v: FloatArray) -> tuple[float, FloatArray]:
            f, g = fun(v)
            return f * scale, g * scale

        opts = {"maxiter": iters, "ftol": tol, "gtol": tol * 1e-3}
        out = minimize(scaled, x, jac=True, method="L-BFGS-B", bounds=bounds, options=opts)
        out.fun = float(out.fun) / scale
        return out

    res = run(x0, max_iter)
    if res.success or not str(res.message).startswith("ABNORMAL") or res.nit >= max_iter:
        return res
    again = run(res.x, max_iter - res.nit)
    again.nit += res.nit
    if not again.success and again.fun >= res.fun - tol * max(abs(res.fun), abs(again.fun), 1.0 / scale):
        again.success = True
        again.message = f"{res.message} (a restart lowered the loss by less than tol: converged)"
    return again


def objective(x: FloatArray, pr: Problem) -> tuple[float, FloatArray]:
    """Loss and gradient in ``x = [D, S]`` of the fitted rows (see the module docstring of
    ``matrix_completion`` for the terms)."""
    val, gradient = loss_then_gradient_in_x(x, pr)
    return val, gradient()


def loss_then_gradient_in_x(x: FloatArray, pr: Problem) -> tuple[float, Gradient]:
    """The loss in ``x``, and a function that computes its gradient there (see
    ``loss_then_gradient``: a line search needs only the values of the points it rejects).

    Both work in ``pr.scratch``; a gradient asked for after a later evaluation evaluates
    ``x`` again.
    """
    m, k, n_rows, work = pr.m, pr.k, pr.d.size, pr.scratch
    work.epoch += 1
    epoch = work.epoch
    D = x[:n_rows]
    S = x[n_rows:].reshape(n_rows, k)
    mu_rows = np.multiply(D[:, None], S, out=work.get("mu_rows", S.shape))
    mu = mu_rows
    if pr.rows is not None:  # the other rows are 0, and never written
        mu = work.get("mu", (m * k, k), zeros=True)
        mu[pr.rows] = mu_rows
    val, loss_gradient = loss_then_gradient(mu, pr.p, pr.fw, m, k, work)  # the weights are zero on an LF with itself
    over = np.maximum(mu.reshape(m, k, k).sum(axis=1) - 1.0, 0.0)  # P(LF j votes | y) > 1
    e2 = mu_rows @ pr.p - pr.d
    r2 = pr.wd * e2
    dD = D - pr.D0
    dS = np.subtract(S, pr.S0, out=work.get("dS", S.shape))  # 0 on the fixed S[row, own label] = 1 = S0
    val += float(r2 @ e2 + (over**2).sum())
    val += pr.l2 * float(dD @ dD + np.vdot(dS, dS))

    def gradient() -> FloatArray:
        if work.epoch != epoch:
            return loss_then_gradient_in_x(x, pr)[1]()
        g = loss_gradient()
        if over.any():
            g += np.repeat(2.0 * over, k, axis=0)
        if pr.rows is not None:
            g = np.take(g, pr.rows, axis=0, out=work.get("g_rows", S.shape), mode="clip")  # "raise" copies via a buffer
        g += np.multiply((2.0 * r2)[:, None], pr.p, out=work.get("outer", S.shape))
        out = np.empty_like(x)
        out[:n_rows] = np.einsum("ij,ij->i", g, S) + 2.0 * pr.l2 * dD
        gS = out[n_rows:].reshape(n_rows, k)
        np.multiply(g, D[:, None], out=gS)
        gS += np.multiply(dS, 2.0 * pr.l2, out=work.get("dS2", S.shape))
        gS.ravel()[pr.diag] = 0.0
        return out

    return val, gradient


def agreement_accuracies(O: FloatArray, m: int, k: int) -> FloatArray:
    """Each LF's share of right votes, from how often pairs of LFs agree when both vote.

    With many classes two LFs agree by chance almost never, so the share of agreements
    among the rows both label is about ``a_i * a_j``; ``log a`` is fitted to those shares by
    least squares over the pairs that agree at least once (exact for three LFs: the triplet
    formula). NaN for an LF in no such pair.
    """
    blocks = O.reshape(m, k, m, k)
    both = blocks.sum(axis=(1, 3))
    agree = np.einsum("iljl->ij", blocks)
    i, j = np.nonzero(np.triu(agree > 0, 1))
    if i.size == 0:
        return np.full(m, np.nan)
    A = np.zeros((i.size, m))
    A[np.arange(i.size), i] = A[np.arange(i.size), j] = 1.0
    log_a = np.linalg.lstsq(A, np.log(agree[i, j] / both[i, j]), rcond=None)[0]
    paired = np.bincount(np.concatenate([i, j]), minlength=m) > 0
    return np.where(paired, np.clip(np.exp(log_a), 1.0 / k, 1.0), np.nan)
