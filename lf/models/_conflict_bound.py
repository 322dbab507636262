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

from lf.models._stats import MatrixCounts
from lf.models._vote_checks import names_of, quoted
from lf.models.base import OverconfidenceWarning

__all__ = ["Excess", "conflict_excess", "copied_lfs", "pair_counts", "warn_copies", "warn_overconfident"]

IntArray = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]
AGREEMENT_CELLS = 2048  # LF-vote columns up to which pairs are read off the m*k x m*k agreement counts
Z = 4.0  # conflicts beyond the allowed wrong votes by this many Poisson deviations (and 4)


class Excess(NamedTuple):
    """The pair of LFs whose conflicts exceed the wrong votes their accuracies allow most."""

    first: int
    second: int
    conflicts: int  # rows where both vote and disagree: one of them is wrong on each
    allowed: float  # their wrong votes in all, as the learned accuracies put them


def pair_counts(A: IntArray, k: int, counts: MatrixCounts | None = None) -> tuple[FloatArray, FloatArray]:
    """``m x m`` rows where both LFs vote (the diagonal: where each votes) and where they
    disagree. Up to ``AGREEMENT_CELLS`` LF-vote columns, both come from the agreement
    counts the moment fits use (their ``k x k`` blocks summed, and their diagonals), which
    count each row's vote pairs once instead of one product per class (1,000,000 x 20 LFs,
    k = 10: 0.2 s against 1.4 s); past it, from one sparse product, in ``m x m`` memory
    beside it. ``counts``: those the fit shares with its checks (see
    :class:`~lf.models._stats.MatrixCounts`)."""
    from lf.models._stats import fast_patterns, onehot

    m = A.shape[1]
    if m * k <= AGREEMENT_CELLS:
        shared = MatrixCounts(A, k) if counts is None else counts.for_matrix(A, k)
        O = shared.agreement()[0].reshape(m, k, m, k)
        both = O.sum(axis=(1, 3))
        same = np.einsum("iaja->ij", O)
    else:
        pat = fast_patterns(A, k, inverse=False)
        rows, w = np.asarray(pat.rows), pat.counts.astype(np.float64)
        S = (onehot(rows, k).T @ onehot(rows, k, w)).tocoo()
        pair = (S.row // k) * m + S.col // k
        both = np.bincount(pair, S.data, m * m).reshape(m, m)
        keep = S.row % k == S.col % k
        same = np.bincount(pair[keep], S.data[keep], m * m).reshape(m, m)
    return np.asarray(both, np.float64), np.asarray(both - same, np.float64)


def conflict_excess(
    A: IntArray, k: int, accuracies: FloatArray, apart: npt.NDArray[np.bool_] | None = None,
    counts: MatrixCounts | None = None,
) -> Excess | None:
    """The pair whose conflicts exceed, by the most, the wrong votes its learned accuracies
    allow (``votes * (1 - accuracy)`` each), beyond ``Z`` Poisson deviations and ``Z``
    rows; None when no pair does. ``apart``: ``m x m``, the pairs the model takes as
    independent (None: all). An LF without an accuracy (it never votes) makes no claim."""
    acc = np.asarray(accuracies, np.float64)
    both, conflicts = pair_counts(A, k, counts)
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


def modelled_apart(model: Any, m: int) -> npt.NDArray[np.bool_]:
    """``m x m``: the pairs of LFs the fitted ``model`` takes as independent given the class
    (all but those of one of its dependency cliques)."""
    apart = np.ones((m, m), bool)
    for group in getattr(model, "clique_members_", None) or []:  # modelled as dependent
        apart[np.ix_(group, group)] = False
    return apart


def warn_overconfident(model: Any, L: Any, counts: MatrixCounts) -> None:
    """Warn when the fitted ``model``'s ``accuracies_`` are ruled out by the LFs' conflicts
    in the matrix of ``counts`` (the one it was fitted on)."""
    A, k = counts.A, counts.k
    accuracies = getattr(model, "accuracies_", None)
    if accuracies is None or np.shape(accuracies) != (A.shape[1],):
        return
    m = A.shape[1]
    apart = modelled_apart(model, m)
    found = conflict_excess(A, k, np.asarray(accuracies, np.float64), apart, counts)
    if found is None:
        return
    names, _ = names_of(L, k)
    a, b = (quoted(names[x]) if names is not None else f"in column {x}" for x in (found.first, found.second))
    warnings.warn(OverconfidenceWarning(
        f"{type(model).__name__}: LFs {a} and {b} disagree on {found.conflicts:,} rows, so one of them is "
        f"wrong on each, but their learned accuracies ({accuracies[found.first]:.3f} and "
        f"{accuracies[found.second]:.3f}) leave them about {found.allowed:,.0f} wrong votes in all: the model "
        "is surer of its LFs, and of its labels, than the votes allow. Check its labels against a few gold "
        "labels, or compare models on them (select(), --model auto with --dev-data)."
    ), stacklevel=3)  # the caller of fit


COPY_ROWS = 20  # rows the copies vote on, at least, before they are called copies


def copied_lfs(A: IntArray, n: int, votes: FloatArray, apart: npt.NDArray[np.bool_]) -> list[list[int]]:
    """Groups of two or more LFs (column indices) that give the same vote on every row of
    ``A`` (of ``n`` rows, ``MIN_ROWS`` or more) and vote on ``COPY_ROWS`` or more of them,
    leaving out pairs ``apart`` marks as modelled together. ``votes`` is the ``m x k``
    tally of each LF's votes per class: only LFs of equal tallies can be copies, and only
    their columns are compared (most matrices have none, and comparing every column of a
    1,000,000-row matrix cost seconds). ``A`` may hold distinct rows only: copies there
    are copies everywhere."""
    from lf.models._vote_checks import MIN_ROWS

    if n < MIN_ROWS:
        return []
    by_tally: dict[bytes, list[int]] = {}
    for j in np.flatnonzero(np.asarray(votes).sum(axis=1) >= COPY_ROWS):
        by_tally.setdefault(np.asarray(votes[j], np.float64).tobytes(), []).append(int(j))
    groups = []
    for alike in by_tally.values():
        while len(alike) > 1:
            first, column = alike[0], A[:, alike[0]]
            members = [first] + [j for j in alike[1:] if np.array_equal(A[:, j], column)]
            alike = [j for j in alike if j not in members]
            if len(members) > 1 and apart[np.ix_(members, members)][np.triu_indices(len(members), 1)].any():
                groups.append(members)
    return sorted(groups)


def warn_copies(model: Any, L: Any, counts: MatrixCounts) -> None:
    """Warn when LFs of the matrix of ``counts`` (the one ``model`` was fitted on) are
    copies of each other: a model that takes the LFs as independent given the class counts
    each copy as evidence of its own, so their vote weighs as many times as there are
    copies and the labels are surer than the votes allow. On WRENCH youtube (test split)
    with one LF copied three times, DawidSkene's mean probability rose from 0.91 to 1.00
    and its accuracy fell from 0.84 to 0.62, without a word."""
    A, k = counts.A, counts.k
    votes, n = counts.votes()
    m = A.shape[1]
    apart = modelled_apart(model, m)
    names, _ = names_of(L, k)
    for group in copied_lfs(A, n, votes, apart):
        if names is not None:
            shown = "LFs " + ", ".join(quoted(names[j]) for j in group)
            pairs = ",".join(f"{names[group[0]]}:{names[j]}" for j in group[1:])
            fix = f", or have the LabelModel model them as dependent (--dependencies {pairs})"
        else:
            shown, fix = "the LFs in columns " + ", ".join(map(str, group)), ""
        warnings.warn(OverconfidenceWarning(
            f"{type(model).__name__}: {shown} give the same vote on every row, yet the "
            f"model counts each as evidence of its own: their vote weighs {len(group)} times, and the "
            f"labels are surer than the votes allow. Keep one of them{fix}."
        ), stacklevel=3)  # the caller of fit
