"""Majority vote: the baseline every label model must beat."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from lf.core import ABSTAIN
from lf.errors import ParameterError
from lf.models._registry import register
from lf.models.base import BaseLabelModel

__all__ = ["MajorityVoter", "vote_counts"]

TIE_BREAKS = ("abstain", "random", "prior")


def vote_counts(L: npt.NDArray[np.integer[Any]], k: int) -> npt.NDArray[np.int64]:
    """n x k: how many LFs vote each class on each row."""
    n, m = L.shape
    counts = np.zeros((n, k), np.int64)
    if k <= 32:
        for c in range(k):
            counts[:, c] = (L == c).sum(axis=1)
    else:
        rows = np.arange(n)
        for j in range(m):
            hit = L[:, j] != ABSTAIN
            np.add.at(counts, (rows[hit], L[hit, j].astype(np.intp)), 1)
    return counts


@register("majority", "mv")
class MajorityVoter(BaseLabelModel):
    """Each row gets the class most LFs vote for.

    Parameters
    ----------
    tie_break:
        How ``predict`` settles ties (and rows no LF labels): ``"prior"`` (default) takes
        the tied class with the highest class balance (lowest index among equals);
        ``"random"`` draws uniformly among the tied classes with ``random_state``;
        ``"abstain"`` returns ABSTAIN (-1). ``predict(L, abstain="uncovered" | "ties")``
        abstains on those rows whatever the tie break (``"ties"``: rows where two or more
        classes get the most votes).
    random_state:
        Seed (or ``numpy.random.Generator``) for ``tie_break="random"``.

    ``predict_proba`` splits a row's probability among its tied top classes (in proportion
    to the class balance under ``"prior"``, equally otherwise); a row no LF labels gets the
    class balance.
    """

    _state: ClassVar[tuple[str, ...]] = ("cardinality_", "class_balance_", "n_lfs_")
    _balance_weighs_votes: ClassVar[bool] = False  # it only settles ties
    n_lfs_: int | None  # None: loaded from a file saved before the count was kept

    def __init__(self, *, tie_break: str = "prior", random_state: Any = None) -> None:
        self.tie_break = tie_break
        self.random_state = random_state

    def _check_params(self) -> None:
        if self.tie_break not in TIE_BREAKS:
            raise ParameterError(f"`tie_break` must be one of {', '.join(map(repr, TIE_BREAKS))}. Got {self.tie_break!r}.")
        try:  # what numpy takes as a seed (a Generator is used as it is, not advanced)
            np.random.default_rng(None if isinstance(self.random_state, bool) else self.random_state)
            ok = not isinstance(self.random_state, bool)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ParameterError(
                f"`random_state` must be None, a non-negative int seed or a numpy Generator. Got {self.random_state!r}."
            )

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, class_balance: npt.NDArray[np.float64] | None) -> None:
        self.cardinality_ = k
        self.n_lfs_ = A.shape[1]  # predicting on another number of LFs is refused
        self.class_balance_ = np.full(k, 1.0 / k) if class_balance is None else class_balance

    def _loaded(self) -> None:
        """A model saved before the number of LFs was kept predicts on any number, as then."""
        if not hasattr(self, "n_lfs_"):
            self.n_lfs_ = None

    def _top(self, A: npt.NDArray[np.integer[Any]]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        counts = vote_counts(A, self.cardinality_)
        best = counts.max(axis=1, keepdims=True)
        return counts == best, best[:, 0] == 0

    def predict_proba(self, L: Any) -> npt.NDArray[np.float64]:
        tied, empty = self._top(self._check_L(L))
        weights = self.class_balance_ if self.tie_break == "prior" else np.ones(self.cardinality_)
        proba = tied * weights
        proba[empty] = self.class_balance_
        sums = proba.sum(axis=1, keepdims=True)
        zero = sums[:, 0] == 0  # tied classes all have prior 0: split evenly
        proba[zero] = tied[zero]
        return np.asarray(proba / proba.sum(axis=1, keepdims=True), dtype=np.float64)

    def _ties(self, A: npt.NDArray[np.integer[Any]], proba: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Rows where two or more classes get the most votes."""
        tied, empty = self._top(A)
        return np.asarray((tied.sum(axis=1) > 1) & ~empty)

    def _decide(self, A: npt.NDArray[np.integer[Any]], proba: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        tied, empty = self._top(A)
        if self.tie_break == "abstain":
            out = tied.argmax(axis=1)
            return np.asarray(np.where(empty | (tied.sum(axis=1) > 1), ABSTAIN, out), dtype=np.int64)
        if self.tie_break == "prior":
            score = np.where(empty[:, None], self.class_balance_, tied * (1.0 + self.class_balance_))
            return np.asarray(score.argmax(axis=1), dtype=np.int64)
        rng = np.random.default_rng(self.random_state)
        score = np.where(empty[:, None], True, tied) * rng.random(tied.shape)
        return np.asarray(score.argmax(axis=1), dtype=np.int64)
