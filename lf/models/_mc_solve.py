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

Past ``LARGE`` variables (e.g. 3 LFs x 200 classes: 120,000) scipy's L-BFGS-B costs more
than the loss: about 0.35 s of Python loops over the variables to set up the bounds, and
10-20 ms per iteration of scalar loops over its memory. There the projected L-BFGS of
``_pqn`` (whole-array numpy, about 1 ms per iteration) takes over; smaller problems, all
of WRENCH's among them, keep L-BFGS-B.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, OptimizeResult, minimize

from lf.models._mc_loss import FactoredWeights, PairBlocks, weighted_loss
from lf.models._pqn import minimize_box

__all__ = ["Problem", "agreement_accuracies", "fit_rates", "objective"]

FloatArray = npt.NDArray[np.float64]
LARGE = 50_000  # variables from which the projected L-BFGS replaces scipy's L-BFGS-B


class Problem(NamedTuple):
    """The loss's data, restricted to the rows of ``mu`` that are fitted."""

    fw: FactoredWeights | PairBlocks
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


def fit_rates(
    fw: FactoredWeights | PairBlocks,
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
) -> tuple[FloatArray, Any]:
    """``mu`` (``mk x k``) minimising the loss, whose prior is ``D0, S0``, from ``start``
    (default: the prior). ``S`` is fixed at 1 in the column of the class each row
    ``j * k + l`` points to (``targets``; default ``l``): that vote fires on no class more
    often than on it.

    Only the ``fitted`` rows are optimised; the others are fixed at ``D = 0``, ``S = S0``
    (exact for the rows whose agreement entries are all 0, see the module docstring).
    """
    rows = None if fitted.all() else np.flatnonzero(fitted)
    sel = slice(None) if rows is None else rows
    label = (np.tile(np.arange(k), m) if targets is None else targets)[sel]
    diag = np.arange(label.size) * k + label
    pr = Problem(fw, d[sel], wd[sel], p, D0[sel], S0[sel], rows, diag, m, k, l2)
    mu = np.zeros((m * k, k))
    if label.size == 0:  # no LF votes anything: nothing to fit
        return mu, OptimizeResult(x=np.zeros(0), nit=0, success=True)
    D_start, S_start = (D0, S0) if start is None else start
    x0 = np.concatenate([D_start[sel], S_start[sel].ravel()])
    lower = np.zeros_like(x0)
    lower[label.size + diag] = 1.0  # S[row, own label] is fixed at 1
    if x0.size > LARGE:
        res = minimize_box(
            lambda x: objective(x, pr), x0, lower, np.ones_like(x0), max_iter=max_iter, ftol=tol, gtol=tol * 1e-3
        )
    else:
        res = minimize(
            objective,
            x0,
            args=(pr,),
            jac=True,
            method="L-BFGS-B",
            bounds=Bounds(lower, np.ones_like(x0)),
            options={"maxiter": max_iter, "ftol": tol, "gtol": tol * 1e-3},
        )
    n_rows = label.size
    mu[sel] = res.x[:n_rows, None] * res.x[n_rows:].reshape(n_rows, k)
    return mu, res


def objective(x: FloatArray, pr: Problem) -> tuple[float, FloatArray]:
    """Loss and gradient in ``x = [D, S]`` of the fitted rows (see the module docstring of
    ``matrix_completion`` for the terms)."""
    m, k, n_rows = pr.m, pr.k, pr.d.size
    D = x[:n_rows]
    S = x[n_rows:].reshape(n_rows, k)
    mu_rows = D[:, None] * S
    mu = mu_rows
    if pr.rows is not None:
        mu = np.zeros((m * k, k))
        mu[pr.rows] = mu_rows
    val, g = weighted_loss(mu, pr.p, pr.fw, m, k)  # the weights are zero on an LF with itself
    over = np.maximum(mu.reshape(m, k, k).sum(axis=1) - 1.0, 0.0)  # P(LF j votes | y) > 1
    if over.any():
        g += np.repeat(2.0 * over, k, axis=0)
    if pr.rows is not None:
        g = g[pr.rows]
    e2 = mu_rows @ pr.p - pr.d
    r2 = pr.wd * e2
    dD, dS = D - pr.D0, S - pr.S0  # dS is 0 on the fixed S[row, own label] = 1 = S0
    val += float(r2 @ e2 + (over**2).sum())
    val += pr.l2 * float(dD @ dD + np.vdot(dS, dS))
    g += np.outer(2.0 * r2, pr.p)
    out = np.empty_like(x)
    out[:n_rows] = np.einsum("ij,ij->i", g, S) + 2.0 * pr.l2 * dD
    gS = out[n_rows:].reshape(n_rows, k)
    np.multiply(g, D[:, None], out=gS)
    dS *= 2.0 * pr.l2
    gS += dS
    gS.ravel()[pr.diag] = 0.0
    return val, out


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
