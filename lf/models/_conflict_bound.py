"""Learned accuracies the LFs' own conflicts rule out, checked once per fit.

Where two LFs vote different classes on a row, one of them is wrong: their conflicts are
a lower bound on their wrong votes that needs no gold label. A model whose learned
accuracies leave two LFs far fewer wrong votes than they have conflicts is surer of them,
and of its labels, than the votes allow. On generated binary rows with 7% positives and
82% uncovered, LabelModel and TripletModel learned every LF as 99-100% right (70-84% in
truth) and gave the covered rows a mean probability of 0.97-0.99 for an accuracy of 0.80
(ECE 0.19), without a word; two of the LabelModel's LFs disagreed on 282 rows where its
learned accuracies allowed them 11 wrong votes in all (tests/models/test_conflict_bound.py).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.models._vote_checks import names_of
from lf.models.base import OverconfidenceWarning

__all__ = ["Excess", "conflict_excess", "pair_counts", "warn_overconfident"]

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]
DENSE_CLASSES = 32  # up to this many classes, agreements are counted by one product per class
Z = 4.0  # conflicts beyond the allowed wrong votes by this many Poisson deviations (and 4)


class Excess(NamedTuple):
    """The pair of LFs whose conflicts exceed the wrong votes their accuracies allow most."""

    first: int
    second: int
    conflicts: int  # rows where both vote and disagree: one of them is wrong on each
    allowed: float  # their wrong votes in all, as the learned accuracies put them


def pair_counts(A: IntArray, k: int) -> tuple[FloatArray, FloatArray]:
    """``m x m`` rows where both LFs vote (the diagonal: where each votes) and where they
    disagree, counted on the distinct rows: one
    product for the rows both vote on, one per class (or one sparse product past
    ``DENSE_CLASSES`` classes) for those where they agree."""
    from lf.models._stats import fast_patterns, onehot

    pat = fast_patterns(A, k, inverse=False)
    # float32 products (exact to 2**24 rows a cell; a bound that needs 4 deviations does
    # not need more): float64 took 8 times as long on a loaded 2-core machine
    rows, w = np.asarray(pat.rows), pat.counts.astype(np.float32)
    m = rows.shape[1]
    F = (rows != -1).astype(np.float32)
    both = (F.T @ (F * w[:, None])).astype(np.float64)
    if k <= DENSE_CLASSES:
        same = np.zeros((m, m))
        for c in range(k):
            X = (rows == c).astype(np.float32)
            same += X.T @ (X * w[:, None])
    else:
        O = (onehot(rows, k).T @ onehot(rows, k, w)).tocoo()
        keep = O.row % k == O.col % k
        same = np.bincount((O.row[keep] // k) * m + O.col[keep] // k, O.data[keep], m * m).reshape(m, m)
    return both, np.asarray(both - same, np.float64)


def conflict_excess(
    A: IntArray, k: int, accuracies: FloatArray, apart: npt.NDArray[np.bool_] | None = None
) -> Excess | None:
    """The pair whose conflicts exceed, by the most, the wrong votes its learned accuracies
    allow (``votes * (1 - accuracy)`` each), beyond ``Z`` Poisson deviations and ``Z``
    rows; None when no pair does. ``apart``: ``m x m``, the pairs the model takes as
    independent (None: all). An LF without an accuracy (it never votes) makes no claim."""
    acc = np.asarray(accuracies, np.float64)
    both, conflicts = pair_counts(A, k)
    wrong = np.where(np.isnan(acc), np.inf, np.diag(both) * (1.0 - np.nan_to_num(acc, nan=1.0)))
    allowed = wrong[:, None] + wrong[None, :]
    with np.errstate(invalid="ignore"):
        excess = conflicts - (allowed + Z * np.sqrt(allowed) + Z)
    excess = np.triu(np.where(np.isfinite(excess), excess, -1.0), 1)
    if apart is not None:
        excess = np.where(apart, excess, -1.0)
    a, b = np.unravel_index(int(np.argmax(excess)), excess.shape)
    if excess[a, b] <= 0:
        return None
    return Excess(int(a), int(b), round(float(conflicts[a, b])), float(allowed[a, b]))


def warn_overconfident(model: Any, L: Any, A: IntArray, k: int) -> None:
    """Warn when the fitted ``model``'s ``accuracies_`` are ruled out by the LFs' conflicts."""
    accuracies = getattr(model, "accuracies_", None)
    if accuracies is None or np.shape(accuracies) != (A.shape[1],):
        return
    m = A.shape[1]
    apart = np.ones((m, m), bool)
    for group in getattr(model, "clique_members_", None) or []:  # modelled as dependent
        apart[np.ix_(group, group)] = False
    found = conflict_excess(A, k, np.asarray(accuracies, np.float64), apart)
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
