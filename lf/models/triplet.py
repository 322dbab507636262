"""``TripletModel``: closed-form method of moments (Fu et al., "Fast and Three-rious", ICML 2020).

For conditionally independent LFs and a binary latent class, the covariance of two LF
outputs factorises: ``Cov(X_i, X_j) = v_i v_j``. Any triplet of LFs then gives
``v_i^2 = Cov(X_i, X_j) Cov(X_i, X_k) / Cov(X_j, X_k)``; the sign comes from assuming every
LF is better than random. Here ``X`` are vote indicators (``1[lambda_j = l]``; their
covariance lets an LF fire more often on one class than on another, as keyword LFs do), and
all triplets are pooled by least squares on magnitudes, as Fu et al. take absolute values:
``v_i^2 = sum_jk |C_ij C_ik C_jk| / sum_jk C_jk^2``. Binary tasks are solved directly; with
``k > 2`` classes each class is solved one-vs-rest ("votes c" against "votes another
class"). No iterative training: a few ``(2m) x (2m)`` matrix products per class.

With ``p = P(Y = c)`` and ``delta = v / sqrt(p (1 - p))``:
``P(X = 1 | Y = c) = E[X] + (1 - p) delta``. These rates are the model's ``mu``.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.models._registry import register
from lf.models._stats import moments, one_blas_thread
from lf.models._vote_checks import names_of, quoted
from lf.models._vote_classes import vote_classes
from lf.models.base import BaseLabelModel, ReversedVotesWarning, as_number
from lf.models.matrix_completion import (
    moment_counts,
    mu_posterior,
    set_rates,
    underdetermined_warning,
)

__all__ = ["TripletModel"]

FloatArray = npt.NDArray[np.float64]
ABSTAIN_MODES = ("ignore", "model")


def pooled_loadings(C: FloatArray, group: npt.NDArray[np.intp]) -> FloatArray:
    """``|v|`` for a rank-one covariance ``C_ij = v_i v_j`` (``i, j`` in different groups).

    Pools every triplet by least squares, on magnitudes as Fu et al. do:
    ``v_i^2 = sum_jk |C_ij C_ik C_jk| / sum_jk C_jk^2`` over pairs ``j, k`` outside ``i``'s
    group (entries within a group must already be 0).
    """
    A = np.abs(C)  # as in Fu et al.: magnitudes, signs come from the better-than-random assumption
    num = ((A @ A) * A).sum(axis=1)
    sq = C**2
    row = sq.sum(axis=1)
    per_group = np.bincount(group, weights=row)
    den = sq.sum() - 2.0 * per_group[group]
    v2 = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.asarray(np.sqrt(np.maximum(v2, 0.0)), float)


def triplet_rates(O: FloatArray, n: float, m: int, k: int, p: FloatArray) -> FloatArray:
    """``mu[j, l, y] = P(lambda_j = l | Y = y)`` from co-occurrence counts, in closed form.

    For each class ``c`` (only ``c = 1`` when ``k = 2``, which is then exact), every LF gives
    two indicators, "votes c" (evidence for ``c``) and "votes another class" (evidence
    against); their covariance is factorised as rank one in ``1[Y = c]``. The rate of
    "votes c" on class ``c`` and on the other classes follows from the loading ``delta``.
    """
    E = O / n
    mean = np.diag(E).copy()
    C = E - np.outer(mean, mean)
    label = np.tile(np.arange(k), m)
    lf_of = np.repeat(np.arange(m), k)
    group = np.repeat(np.arange(m), 2)
    mu = np.zeros((m * k, k))
    for c in range(1, 2) if k == 2 else range(k):
        T = np.zeros((2 * m, m * k))  # rows: (LF j, votes c), (LF j, votes other)
        T[2 * lf_of + (label != c), np.arange(m * k)] = 1.0
        Cc = T @ C @ T.T
        Cc[group[:, None] == group[None, :]] = 0.0  # an LF with itself: no triplet information
        pc = float(np.clip(p[c], 1e-6, 1 - 1e-6))
        sign = np.tile([1.0, -1.0], m)
        delta = pooled_loadings(Cc, group) * sign / np.sqrt(pc * (1.0 - pc))
        if k == 2:  # the two indicators of an LF are exactly its two labels
            d_ind = delta[2 * lf_of + (label != c)]
            mu[:, c] = mean + (1.0 - pc) * d_ind
            mu[:, 1 - c] = mean - pc * d_ind
        else:
            own = np.flatnonzero(label == c)
            d_c = delta[2 * np.arange(m)]
            mu[own, :] = (mean[own] - pc * d_c)[:, None]
            mu[own, c] = mean[own] + (1.0 - pc) * d_c
    return np.clip(mu, 0.0, 1.0).reshape(m, k, k)


@register("triplet")
class TripletModel(BaseLabelModel):
    """Closed-form triplet label model (no iterative training; needs 3 or more LFs).

    Parameters
    ----------
    abstain:
        ``"ignore"`` (default): only votes count and a row no LF labels gets the class
        balance; ``"model"``: abstentions are evidence when scoring.
    eps:
        Floor on estimated probabilities when scoring.

    Learned attributes: ``mu_`` (``m x k x k``), ``accuracies_``, ``class_balance_``
    (given, or estimated from vote shares), ``cardinality_``, ``n_lfs_``. ``fit`` warns
    with an ``UnderdeterminedWarning`` when the votes give fewer statistics than rates (as
    ``LabelModel`` counts them, see ``lf.models.matrix_completion.moment_counts``): one LF
    per class always does, and the accuracies learned then are far off. It warns with a
    ``ReversedVotesWarning`` for each vote the other LFs' votes contradict (found as
    ``LabelModel`` finds the votes it learns as worse than random): the closed form counts
    it for its own class.
    """

    _min_lfs: ClassVar[int] = 3
    mu_: FloatArray  # set by fit (set_rates)
    accuracies_: FloatArray
    n_lfs_: int
    _rate_tables: ClassVar[tuple[str, ...]] = ("mu_",)
    _state: ClassVar[tuple[str, ...]] = ("cardinality_", "class_balance_", "n_lfs_", "mu_", "accuracies_")

    def __init__(self, *, abstain: str = "ignore", eps: float = 1e-3) -> None:
        self.abstain = abstain
        self.eps = eps

    def _check_params(self) -> None:
        if self.abstain not in ABSTAIN_MODES:
            raise ParameterError(f"`abstain` must be one of {ABSTAIN_MODES}. Got {self.abstain!r}.")
        if not 0.0 < as_number(self.eps) < 0.5:
            raise ParameterError(f"`eps` must be a number in (0, 0.5). Got {self.eps!r}.")

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, class_balance: FloatArray | None) -> None:
        """Estimate ``mu_`` from second moments of ``L`` (3 or more LFs)."""
        mom = moments(A, k, class_balance, self._shared_counts(A, k))
        O, n, p = mom.O, mom.n, mom.p
        m = A.shape[1]
        with one_blas_thread():
            mu = triplet_rates(O, n, m, k, p)
        # Its rates are a function of the same statistics as LabelModel's moment fit (vote
        # rates and the agreements of LFs' votes; the balance is given or the vote shares):
        # fewer of them than rates leaves the closed form's one-vs-rest assumptions to decide.
        statistics, unknowns = moment_counts(O, m, k, [], False)
        if statistics < unknowns:
            warnings.warn(underdetermined_warning(statistics, unknowns, False, model="TripletModel",
                                                  basis="assumptions"), stacklevel=3)
        set_rates(self, k, m, p, mu)
        if n > 0:
            self._warn_reversed(L, vote_classes(O / n, n, m, k), k)

    def _warn_reversed(self, L: Any, targets: npt.NDArray[np.intp], k: int) -> None:
        """Name each vote the other LFs' votes contradict (``lf.models._vote_classes``, as
        LabelModel finds them): the closed form takes its sign from the assumption that every
        LF is better than random, and counts such a vote for its own class."""
        moved = np.flatnonzero(targets != np.tile(np.arange(k), self.n_lfs_))
        if not moved.size:
            return
        names, labels = names_of(L, k)
        for r in moved:
            j, vote, goes = int(r // k), int(r % k), int(targets[r])
            lf = quoted(names[j]) if names is not None else f"in column {j}"
            warnings.warn(ReversedVotesWarning(
                f"TripletModel takes every LF as better than random, but the other LFs' votes say the "
                f"{labels[vote]} votes of LF {lf} go with {labels[goes]}, as a worse-than-random LF's do: its "
                f"learned accuracy ({self.accuracies_[j]:.2f}) is far off and they count for the wrong class. "
                "Fix or drop the LF, or use LabelModel, which learns it as worse than random."
            ), stacklevel=4)

    def predict_proba(self, L: Any) -> FloatArray:
        """``P(Y = y | votes)`` per row under conditional independence (``n x k``)."""
        return mu_posterior(self._check_L(L), self.mu_, self.class_balance_, self.abstain, self.eps)
