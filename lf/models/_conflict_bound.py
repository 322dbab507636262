"""Learned accuracies the LFs' own conflicts rule out, checked once per fit.

Where two LFs vote different classes on a row, one of them is wrong: their conflicts are
a lower bound on their wrong votes that needs no gold label. A model whose learned
accuracies leave two LFs far fewer wrong votes than they have conflicts is surer of them,
and of its labels, than the votes allow. On generated binary rows with 7% positives and
82% uncovered, LabelModel and TripletModel learned every LF as 99-100% right (70-84% in
truth) and gave the covered rows a mean probability of 0.97-0.99 for an accuracy of 0.80
(ECE 0.19), without a word; a pair of their LFs disagreed on about 90 rows where the
learned accuracies allowed about 60 wrong votes in all.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.matrix import WeightedRows
from lf.models._vote_checks import names_of
from lf.models.base import OverconfidenceWarning

__all__ = ["Excess", "conflict_excess", "warn_overconfident"]

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]
MAX_PAIRS = 500  # pairs whose conflicts are counted, those that could break the bound most
Z = 4.0  # conflicts beyond the allowed wrong votes by this many Poisson deviations (and 4)


class Excess(NamedTuple):
    """The pair of LFs whose conflicts exceed the wrong votes their accuracies allow most."""

    first: int
    second: int
    conflicts: int  # rows where both vote and disagree: one of them is wrong on each
    allowed: float  # their wrong votes in all, as the learned accuracies put them


def _rows_counts(A: IntArray) -> tuple[IntArray, FloatArray]:
    if isinstance(A, WeightedRows) and A.counts.shape == (A.shape[0],):
        return np.asarray(A), A.counts.astype(np.float64)
    return np.asarray(A), np.ones(A.shape[0])


def conflict_excess(
    A: IntArray, accuracies: FloatArray, apart: npt.NDArray[np.bool_] | None = None
) -> Excess | None:
    """The pair whose conflicts exceed, by the most, the wrong votes its learned accuracies
    allow (``votes * (1 - accuracy)`` each), beyond ``Z`` Poisson deviations; None when no
    pair does. ``apart``: ``m x m``, the pairs the model takes as independent (None: all)."""
    rows, w = _rows_counts(A)
    F = (rows != -1).astype(np.float64)
    both = F.T @ (F * w[:, None])
    wrong = np.diag(both) * (1.0 - np.nan_to_num(np.asarray(accuracies, np.float64), nan=1.0))
    wrong[np.isnan(np.asarray(accuracies, np.float64))] = np.inf  # no accuracy: no claim
    allowed = wrong[:, None] + wrong[None, :]
    slack = np.triu(both - allowed, 1)
    if apart is not None:
        slack = np.where(apart, slack, 0.0)
    i, j = np.nonzero(slack > 0)
    order = np.argsort(-slack[i, j], kind="stable")[:MAX_PAIRS]
    best: Excess | None = None
    for a, b in zip(i[order], j[order]):
        ra, rb = rows[:, a], rows[:, b]
        conflicts = float(w @ ((ra != -1) & (rb != -1) & (ra != rb)))
        room = allowed[a, b]
        if conflicts > room + Z * math.sqrt(room) + Z and (best is None or conflicts - room > best.conflicts - best.allowed):
            best = Excess(int(a), int(b), round(conflicts), float(room))
    return best


def warn_overconfident(model: Any, L: Any, A: IntArray, k: int) -> None:
    """Warn when the fitted ``model``'s ``accuracies_`` are ruled out by the LFs' conflicts."""
    accuracies = getattr(model, "accuracies_", None)
    if accuracies is None or np.shape(accuracies) != (A.shape[1],):
        return
    m = A.shape[1]
    apart = np.ones((m, m), bool)
    for group in getattr(model, "clique_members_", None) or []:  # modelled as dependent
        apart[np.ix_(group, group)] = False
    found = conflict_excess(A, np.asarray(accuracies, np.float64), apart)
    if found is None:
        return
    names, _ = names_of(L, k)
    a, b = (repr(names[x]) if names is not None else f"in column {x}" for x in (found.first, found.second))
    warnings.warn(OverconfidenceWarning(
        f"{type(model).__name__}: LFs {a} and {b} disagree on {found.conflicts:,} rows, so one of them is "
        f"wrong on each, but their learned accuracies ({accuracies[found.first]:.3f} and "
        f"{accuracies[found.second]:.3f}) leave them about {found.allowed:,.0f} wrong votes in all: the model "
        "is surer of its LFs, and of its labels, than the votes allow. Check its labels against a few gold "
        "labels, or compare models on them (select(), --model auto with --dev-data)."
    ), stacklevel=3)  # the caller of fit
