"""``DawidSkene``: EM over class-conditional confusion matrices (Dawid & Skene, 1979).

Each LF ``j`` has a confusion matrix ``P(lambda_j = l | Y = y)``. EM alternates the
posterior over the true class of every distinct row (E-step) with count-weighted,
Dirichlet-smoothed confusion matrices and class balance (M-step), starting from the
majority vote. Work per iteration follows the number of distinct rows, not ``n``.

Keyword LFs usually vote a single class, so "the LF abstained" is informative: with
``abstain="model"`` (default) ABSTAIN is one more outcome of each confusion matrix. The
classic model (``abstain="ignore"``) drops abstentions; it cannot tell anything from an LF
that only ever votes one class.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from lf.errors import ParameterError
from lf.models._em import e_step, log_table, m_step, pin_unseen, unseen_classes, without
from lf.models._registry import register
from lf.models._stats import (
    fast_patterns,
    one_blas_thread,
    onehot,
    posterior,
)
from lf.models.base import BaseLabelModel, ConvergenceWarning, as_number

__all__ = ["DawidSkene"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]
ABSTAIN_MODES = ("model", "ignore")
_MAX_SMOOTHING = 1e300  # pseudo-counts per outcome, times up to 32,768 outcomes, stay finite


def _majority_posterior(X: sparse.csr_matrix, m: int, k: int, prior: FloatArray) -> FloatArray:
    """Start of EM: ties split evenly, rows no LF labels get ``prior``."""
    votes = np.asarray(X @ np.tile(np.eye(k), (m, 1)))
    top = votes.max(axis=1, keepdims=True)
    q = np.where(top > 0, (votes == top).astype(float), prior)
    return np.asarray(q / q.sum(axis=1, keepdims=True))


def run_em(
    rows: IntArray,
    counts: npt.NDArray[np.int64],
    k: int,
    p: FloatArray | None,
    *,
    smoothing: float,
    abstain: str,
    max_iter: int,
    tol: float,
) -> tuple[FloatArray, FloatArray, int, bool]:
    """EM on distinct rows; returns (confusion, class balance, iterations, converged).

    A class no LF ever votes is pinned to "every LF abstains on it" (with a learned
    balance, to a prior of 0): left free, EM uses it as a spare cluster and labels rows
    with a class nothing voted for (rows with a single vote, say).
    """
    m = rows.shape[1]
    X = onehot(rows, k)
    c = counts.astype(float)
    n = c.sum()
    unseen = unseen_classes(rows, counts, k)
    balance = without(np.full(k, 1.0 / k), unseen) if p is None else p
    q = _majority_posterior(X, m, k, balance)
    prev = -np.inf
    conf = np.zeros((m, k + 1, k))
    for it in range(1, max_iter + 1):
        W = q * c[:, None]
        conf = pin_unseen(m_step(X, W, m, k, smoothing, abstain), unseen)
        if p is None:
            balance = without((W.sum(axis=0) + smoothing) / (n + k * smoothing), unseen)
        with np.errstate(divide="ignore"):
            log_prior = np.log(balance)
        q, loglik = e_step(X, c, log_table(conf, abstain), log_prior)
        # Relative change, but absolute near a log-likelihood of 0 (data the model explains
        # almost perfectly), where a relative test could never be met.
        if abs(loglik - prev) <= tol * max(abs(loglik), 1.0):
            return conf, balance, it, True
        prev = loglik
    return conf, balance, max_iter, False


@register("dawid_skene", "ds")
class DawidSkene(BaseLabelModel):
    """Dawid-Skene EM label model.

    Parameters
    ----------
    abstain:
        ``"model"`` (default): ABSTAIN is an outcome of each LF's confusion matrix (an
        abstention is evidence). ``"ignore"``: the classic model over votes only; a row no LF
        labels gets the class balance.
    smoothing:
        Dirichlet pseudo-counts: ``smoothing`` per outcome (ABSTAIN included with
        ``abstain="model"``) for each class of each LF's confusion matrix, spread over the
        outcomes as the LF's own shares of them (a pull toward "this LF says nothing about
        the class", so an LF that never votes changes no label), and ``smoothing`` per
        class on the class counts when the class balance is learned. ``0`` gives plain
        maximum likelihood. A count in rows, so unlike the moment models the fit depends on
        ``n``: the same rows repeated twice weigh it half as much (with ``0``, they give the
        same model).
    max_iter:
        Maximum number of EM iterations; reaching it before ``tol`` sets ``converged_`` to
        False and warns (``lf.models.ConvergenceWarning``).
    tol:
        Stop when the log-likelihood changes by less than ``tol`` (relative; absolute when
        its magnitude is below 1).

    A class no LF votes on the training matrix is learned as one every LF abstains on: with
    a learned class balance it gets a prior of 0 (nothing in the votes points to it); with a
    given one, only rows no LF votes on can get it.

    Learned attributes: ``confusion_`` (``m x (k+1) x k``; ``confusion_[j, 0, y]`` is
    ``P(ABSTAIN | Y = y)``, ``confusion_[j, 1 + l, y]`` is ``P(lambda_j = l | Y = y)``),
    ``accuracies_`` (``P(lambda_j = Y | lambda_j votes)``), ``class_balance_`` (learned
    unless given), ``cardinality_``, ``n_lfs_``, ``n_iter_``, ``converged_``.
    """

    _rate_tables: ClassVar[tuple[str, ...]] = ("confusion_",)
    _state: ClassVar[tuple[str, ...]] = (
        "cardinality_",
        "class_balance_",
        "n_lfs_",
        "confusion_",
        "accuracies_",
        "n_iter_",
        "converged_",
    )

    def __init__(
        self,
        *,
        abstain: str = "model",
        smoothing: float = 0.1,
        max_iter: int = 1000,
        tol: float = 1e-6,
    ) -> None:
        self.abstain = abstain
        self.smoothing = smoothing
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        if self.abstain not in ABSTAIN_MODES:
            raise ParameterError(f"`abstain` must be one of {ABSTAIN_MODES}. Got {self.abstain!r}.")
        # inf, or a number whose pseudo-counts overflow once spread over a class's k + 1
        # outcomes (1e308 with two classes): every posterior NaN
        if not 0.0 <= as_number(self.smoothing) <= _MAX_SMOOTHING:
            raise ParameterError(
                f"`smoothing` must be a finite number >= 0. Got {self.smoothing!r}"
                + (f" (above {_MAX_SMOOTHING:g} the pseudo-counts overflow)." if as_number(self.smoothing) > _MAX_SMOOTHING else ".")
            )
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ParameterError(f"`max_iter` must be a positive integer. Got {self.max_iter!r}.")
        if not 0.0 < as_number(self.tol) < np.inf:
            raise ParameterError(f"`tol` must be a finite number > 0. Got {self.tol!r}.")

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, p: FloatArray | None) -> None:
        """Run EM on the distinct rows of ``L``; a given class balance stays fixed."""
        pat = fast_patterns(A, k, inverse=False)
        with one_blas_thread():
            conf, balance, n_iter, converged = run_em(
                pat.rows,
                pat.counts,
                k,
                p,
                smoothing=float(self.smoothing),
                abstain=self.abstain,
                max_iter=int(self.max_iter),
                tol=float(self.tol),
            )
        votes = conf[:, 1:, :]
        vote_rate = (votes * balance).sum(axis=(1, 2))
        right = (np.einsum("jll->jl", votes) * balance).sum(axis=1)
        self.cardinality_ = k
        self.n_lfs_ = A.shape[1]
        self.class_balance_ = np.asarray(balance, float)
        self.confusion_ = conf
        with np.errstate(invalid="ignore", divide="ignore"):
            accuracies = np.where(vote_rate > 0, right / np.where(vote_rate > 0, vote_rate, 1.0), np.nan)
        # Smoothing gives an LF that never voted some vote mass; its accuracy is unknown, not 1/k.
        self.accuracies_ = np.where((A != -1).any(axis=0), accuracies, np.nan)
        self.n_iter_ = int(n_iter)
        self.converged_ = bool(converged)
        if not converged:
            warnings.warn(
                ConvergenceWarning(
                    f"DawidSkene did not converge in max_iter={self.max_iter} EM iterations (the "
                    f"log-likelihood still moved by more than tol={self.tol}); raise `max_iter`."
                ),
                stacklevel=3,
            )

    def predict_proba(self, L: Any) -> FloatArray:
        """Posterior ``P(Y = y | votes)`` per row (``n x k``)."""
        A = self._check_L(L)
        table = log_table(np.asarray(self.confusion_, float), self.abstain)
        with np.errstate(divide="ignore"):
            log_prior = np.log(np.asarray(self.class_balance_, float))
        return posterior(A, table, log_prior)
