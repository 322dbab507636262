"""Dependent LFs in the LabelModel: cliques with one joint class-conditional factor each.

Pairs of LFs declared (or found) dependent are grouped by union-find into cliques. Inside a
clique nothing is assumed about how the LFs' votes relate given ``Y``: the clique enters the
model through one factor ``P(votes of the clique | Y)`` over its vote patterns (ABSTAIN
included), so two LFs that copy each other count as one piece of evidence. LFs outside any
clique keep their own vote rates. The factors are learned by EM over the matrix's distinct
rows with every other LF's vote rates and the class balance held fixed (pure numerics here;
the estimator is :class:`lf.models.LabelModel`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import DataError, ParameterError
from lf.models._em import unseen_classes
from lf.models._stats import fast_patterns, onehot

__all__ = [
    "Cliques", "better_than_random", "clique_posterior", "fit_cliques", "fit_factors", "group", "inside_mask",
    "marginals", "resolve_pairs",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]
_CODE_BITS = 62  # a clique's vote pattern is one int64 code in base k + 1
EM_STEPS = 20
_FLOOR = 1e-9  # log floor of the full likelihood the factors are fitted under


class Cliques(NamedTuple):
    """Fitted clique factors, as flat arrays (they persist as they are)."""

    members: list[list[int]]  # LF indices of each clique, ascending
    codes: npt.NDArray[np.int64]  # pattern codes, clique after clique
    tables: FloatArray  # P(pattern | Y) for each code (rows) and class (columns)
    sizes: npt.NDArray[np.int64]  # how many codes each clique has


def resolve_pairs(dependencies: Any, names: Sequence[str] | None, m: int) -> list[tuple[int, int]]:
    """LF index pairs (``i < j``, in the order given, without repeats) of declared dependencies.

    Pairs name LFs by name (only when the matrix has names) or by column index.
    """
    if isinstance(dependencies, (str, bytes)) or not isinstance(dependencies, (list, tuple)):
        raise ParameterError(
            "`dependencies` must be None, 'auto' or a list of LF pairs such as [('lf_a', 'lf_b')]. "
            f"Got {dependencies!r}."
        )
    out: list[tuple[int, int]] = []
    for pair in dependencies:
        if isinstance(pair, (str, bytes)) or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ParameterError(
                f"Each dependency must be a pair of two LFs, e.g. ('lf_a', 'lf_b'). Got {pair!r}."
            )
        i, j = (_lf_index(x, names, m) for x in pair)
        if i == j:
            raise ParameterError(
                f"The dependency {tuple(pair)!r} pairs an LF with itself; name two different LFs."
            )
        key = (min(i, j), max(i, j))
        if key not in out:
            out.append(key)
    return out


def _lf_index(lf: Any, names: Sequence[str] | None, m: int) -> int:
    if isinstance(lf, (int, np.integer)) and not isinstance(lf, bool):
        if 0 <= int(lf) < m:
            return int(lf)
        raise ParameterError(f"The dependency names LF index {lf!r}; the matrix has LFs 0 to {m - 1}.")
    if isinstance(lf, str):
        if names is None:
            raise ParameterError(
                f"The dependency names the LF {lf!r}, but the matrix is a bare array without LF "
                "names: give column indices, e.g. (0, 3), or fit on a LabelMatrix."
            )
        if lf in names:
            return list(names).index(lf)
        raise ParameterError(f"The dependency names an unknown LF {lf!r}. The matrix's LFs: {', '.join(names)}.")
    raise ParameterError(f"An LF in `dependencies` must be a name or a column index. Got {lf!r}.")


def max_clique_size(k: int) -> int:
    """The most LFs one clique can hold with ``k`` classes (its patterns must fit in int64)."""
    return max(1, int(_CODE_BITS // math.log2(k + 1)))


def group(pairs: Sequence[tuple[int, int]], m: int, k: int, *, cap: int | None = None) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Cliques (union-find over ``pairs``, taken in order) and the pairs inside them.

    With ``cap``, a pair that would join two cliques into one above ``cap`` LFs is skipped;
    without it, a clique too large to code is a ParameterError.
    """
    parent = list(range(m))
    size = [1] * m

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    limit = max_clique_size(k)
    for i, j in pairs:
        a, b = root(i), root(j)
        if a == b:
            continue
        if size[a] + size[b] > (limit if cap is None else min(cap, limit)):
            if cap is not None:
                continue
            raise ParameterError(
                f"The declared dependencies join {size[a] + size[b]} LFs into one group; with {k} "
                f"classes a group holds at most {limit}. Declare fewer dependent pairs."
            )
        parent[b] = a
        size[a] += size[b]
    found: dict[int, list[int]] = {}
    for j in range(m):
        found.setdefault(root(j), []).append(j)
    members = sorted((g for g in found.values() if len(g) > 1), key=lambda g: g[0])
    used = [(i, j) for i, j in pairs if root(i) == root(j)]
    return members, used


def check_saved(cliques: Cliques, dependencies: Any, names: Sequence[str] | None, m: int, k: int) -> None:
    """The cliques of a model file as a fit leaves them, else a DataError naming what differs
    (a file edited by hand): the cliques its ``dependencies`` form, and per clique ascending
    codes of its members' patterns with one row of probabilities each."""
    try:
        expected, _ = group(resolve_pairs(list(dependencies), names, m), m, k)
    except ParameterError as exc:
        raise DataError(f"dependencies_ {dependencies!r}: {exc}") from None
    if cliques.members != expected:
        raise DataError(f"clique_members_ {cliques.members!r} are not the cliques {expected!r} of dependencies_ {dependencies!r}")
    codes, tables, sizes = np.asarray(cliques.codes), np.asarray(cliques.tables), np.asarray(cliques.sizes)
    if sizes.shape != (len(expected),) or (sizes < 0).any() or sizes.sum() != codes.size or tables.shape != (codes.size, k):
        raise DataError("clique_codes_, clique_tables_ and clique_sizes_ must hold one pattern per row, clique after clique")
    start = 0
    for g, size in zip(expected, sizes.tolist()):
        mine, start = codes[start : start + size], start + size
        if mine.size and ((np.diff(mine) <= 0).any() or mine[0] < 0 or mine[-1] >= (k + 1) ** len(g)):
            raise DataError(f"clique_codes_ of the clique {g} must be ascending, from 0 to {(k + 1) ** len(g) - 1}")
    if not (np.isfinite(tables) & (tables >= 0) & (tables <= 1)).all():
        raise DataError("clique_tables_ must be probabilities")


def inside_mask(members: list[list[int]], m: int, k: int) -> npt.NDArray[np.bool_]:
    """``mk x mk``: True on the agreement entries between two LFs of the same clique."""
    clique = np.full(m, -1)
    for c, g in enumerate(members):
        clique[g] = c
    lab = np.repeat(clique, k)
    return np.asarray((lab[:, None] == lab[None, :]) & (lab[:, None] >= 0))


def _codes(rows: IntArray, members: list[int], k: int) -> npt.NDArray[np.int64]:
    sub = rows[:, members].astype(np.int64) + 1
    return np.asarray(sub @ (k + 1) ** np.arange(len(members), dtype=np.int64), np.int64)


def _votes_of(codes: npt.NDArray[np.int64], size: int, k: int) -> npt.NDArray[np.int64]:
    """The members' votes (-1 = ABSTAIN) coded in ``codes``: ``len(codes) x size``."""
    return np.stack([(codes // (k + 1) ** s) % (k + 1) - 1 for s in range(size)], axis=1)


def _independent(votes: npt.NDArray[np.int64], table: FloatArray, members: list[int]) -> FloatArray:
    """Sum of the members' own log factors for each pattern (``table``: m x (k+1) x k)."""
    return np.asarray(sum(table[j][votes[:, s] + 1] for s, j in enumerate(members)))


def fit_cliques(
    rows: IntArray,
    counts: npt.NDArray[np.int64],
    full: FloatArray,
    log_prior: FloatArray,
    members: list[list[int]],
    *,
    steps: int,
    smoothing: float,
    targets: npt.NDArray[np.intp] | None = None,
) -> Cliques:
    """EM for each clique's ``P(pattern | Y)`` over the distinct ``rows`` (with ``counts``).

    ``full`` holds every LF's log factors with ABSTAIN as an outcome (``m x (k+1) x k``); the
    LFs outside the cliques and ``log_prior`` stay fixed. The factors start as the product
    of the members' own rates and are re-estimated with ``smoothing`` pseudo-rows per pattern;
    after each step every member stays better than random (:func:`better_than_random`; a
    vote ``l`` of LF ``j`` counts as right on class ``targets[j, l]``, default ``l``).
    """
    k = log_prior.size
    if targets is None:
        targets = np.tile(np.arange(k), (full.shape[0], 1))
    table = full.copy()
    inv, codes = [], []
    for g in members:
        uniq, where = np.unique(_codes(rows, g, k), return_inverse=True)
        codes.append(uniq)
        inv.append(where.ravel())
        table[g] = 0.0
    base = _scores(rows, table) + log_prior
    votes = [_votes_of(u, len(g), k) for u, g in zip(codes, members)]
    unseen = unseen_classes(rows, counts, k)  # classes no LF votes: the members abstain there
    logs = [_independent(v, full, g) for v, g in zip(votes, members)]
    weight = counts.astype(np.float64)[:, None]
    tables = [np.exp(lg) for lg in logs]
    for _ in range(steps):
        S = base + sum(lg[idx] for lg, idx in zip(logs, inv))
        S = np.exp(S - S.max(axis=1, keepdims=True))
        W = S / S.sum(axis=1, keepdims=True) * weight
        for c, idx in enumerate(inv):
            num = np.stack([np.bincount(idx, weights=W[:, y], minlength=codes[c].size) for y in range(k)], axis=1)
            fresh = _abstain_on(unseen, (num + smoothing) / (num.sum(axis=0) + smoothing * codes[c].size), codes[c])
            tables[c] = better_than_random(fresh, votes[c], np.exp(full[members[c]]), targets[members[c]])
            with np.errstate(divide="ignore"):  # a class no LF votes: patterns with votes are impossible
                logs[c] = np.log(tables[c])
    return Cliques(
        [list(g) for g in members],
        np.concatenate(codes).astype(np.int64) if codes else np.zeros(0, np.int64),
        np.vstack(tables) if tables else np.zeros((0, k)),
        np.array([u.size for u in codes], np.int64),
    )


def _abstain_on(unseen: npt.NDArray[np.bool_], table: FloatArray, codes: npt.NDArray[np.int64]) -> FloatArray:
    """A clique factor whose members all abstain on the classes no LF votes (code 0): left
    free, EM makes such a class a spare cluster of patterns (as in :mod:`lf.models._em`),
    which moved the other classes' factors and labels."""
    if unseen.any() and codes.size and codes[0] == 0:
        table[:, unseen] = 0.0
        table[0, unseen] = 1.0
    return table


def marginals(table: FloatArray, votes: npt.NDArray[np.int64], k: int) -> FloatArray:
    """``s x (k+1) x k``: ``P(member's vote | Y)`` of each member (row 0: ABSTAIN) of a
    clique factor ``table`` (patterns x classes) whose patterns hold ``votes``."""
    hot = np.eye(k + 1)[votes.T + 1]  # s x patterns x (k+1)
    return np.asarray(hot.transpose(0, 2, 1) @ table)


def better_than_random(
    table: FloatArray, votes: npt.NDArray[np.int64], own: FloatArray, targets: npt.NDArray[np.intp] | None = None,
    *, sweeps: int = 200,
) -> FloatArray:
    """The clique factor ``table`` with every member better than random, as in the moment fit.

    Nothing in EM stops a member's votes from drifting toward the other classes: with the
    other LFs fixed, a pattern seen mostly without them is explained by the clique itself
    and can swing to the prior's class (a 0.94-accurate spam LF of the WRENCH YouTube set,
    co-firing with a weak ham LF, came out voting spam more often on ham). A member whose
    marginal ``P(vote = l | Y)`` is highest on a class other than ``l`` (other than
    ``targets[t, l]``, the class the moment fit points that vote to, when given: ``s x k``)
    for some label ``l`` it emits gets its marginal from its own factor ``own`` (``s x (k+1)
    x k``: ``P(vote | Y)`` from the moment fit, which holds the constraint), by iterative
    proportional fitting of each class's column; the others keep what EM learned.
    """
    k = table.shape[1]
    marg = marginals(table, votes, k)[:, 1:, :]  # s x k (vote) x k (class)
    cast = marg.sum(axis=2) > 0
    if targets is None:
        targets = np.tile(np.arange(k), (votes.shape[1], 1))
    diag = np.take_along_axis(marg, targets[:, :, None], axis=2)[:, :, 0]
    bad = [t for t in range(votes.shape[1]) if (diag[t][cast[t]] < marg[t].max(axis=1)[cast[t]] * (1 - 1e-9)).any()]
    if not bad:
        return table
    out = table.copy()
    hot = np.eye(k + 1)[votes[:, bad].T + 1]  # bad members x patterns x (k+1)
    for _ in range(sweeps):  # one sweep is exact for one member; several converge (IPF)
        before = out.copy()
        for t, onehot_t in zip(bad, hot):
            current = onehot_t.T @ out
            scale = np.divide(own[t], current, out=np.ones_like(current), where=current > 0)
            out *= onehot_t @ scale
            out /= out.sum(axis=0, keepdims=True)
        if np.abs(out - before).max() < 1e-10:
            break
    return out


def _scores(rows: IntArray, table: FloatArray) -> FloatArray:
    """Unnormalised log scores ``sum_j table[j, vote_j + 1]`` of each row (ABSTAIN: row 0)."""
    m, _, k = table.shape
    diff = (table[:, 1:, :] - table[:, :1, :]).reshape(m * k, k)
    return np.asarray(np.asarray(onehot(rows, k) @ diff) + table[:, 0, :].sum(axis=0), np.float64)


def fit_factors(
    A: IntArray, k: int, mu: FloatArray, p: FloatArray, members: list[list[int]],
    targets: npt.NDArray[np.intp] | None = None,
) -> Cliques:
    """The cliques' factors (:func:`fit_cliques`) under the model with vote rates ``mu``
    and balance ``p``, ABSTAIN an outcome; no cliques: empty arrays. ``targets`` (``m x
    k``): the class each vote points to in the moment fit (default: its own)."""
    if not members:
        return Cliques([], np.zeros(0, np.int64), np.zeros((0, k)), np.zeros(0, np.int64))
    full = np.empty((mu.shape[0], k + 1, k))
    full[:, 1:, :] = mu
    full[:, 0, :] = 1.0 - mu.sum(axis=1)
    full = np.log(np.clip(full, _FLOOR, 1.0))
    with np.errstate(divide="ignore"):
        log_prior = np.log(p)
    pat = fast_patterns(A, k, inverse=False)
    return fit_cliques(pat.rows, pat.counts, full, log_prior, members, steps=EM_STEPS, smoothing=0.1, targets=targets)


def clique_posterior(A: IntArray, table: FloatArray, balance: FloatArray, cliques: Cliques, eps: float, abstain: str) -> FloatArray:
    """``P(Y | votes)`` of every row of ``A``: the members' own factors in ``table`` are
    replaced by their clique's factor (see :func:`clique_terms`)."""
    k = balance.size
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.asarray(balance, np.float64))
    pat = fast_patterns(A, k, inverse=True)
    own = table.copy()
    for g in cliques.members:
        own[g] = 0.0
    S = _scores(pat.rows, own) + log_prior
    start = 0
    for g, size in zip(cliques.members, cliques.sizes.tolist()):
        codes, probs = cliques.codes[start : start + size], cliques.tables[start : start + size]
        start += size
        S += clique_terms(_codes(pat.rows, g, k), codes, probs, table, g, k, eps, abstain)
    S = np.exp(S - S.max(axis=1, keepdims=True))
    return np.asarray(S / S.sum(axis=1, keepdims=True))[pat.inverse]


def clique_terms(
    mine: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], probs: FloatArray, table: FloatArray,
    members: list[int], k: int, eps: float, abstain: str,
) -> FloatArray:
    """Log factor of one clique for the patterns ``mine`` (``len(mine) x k``).

    ``abstain="model"``: ``P(pattern | Y)``. ``"ignore"``: ``P(the votes cast | Y)``, summed
    over whatever the abstaining members did (as an LF's own factor is ``P(vote | Y)``), so a
    clique whose members all abstain adds nothing. Votes the fit never saw together fall back
    to the members' own factors.
    """
    s = len(members)
    unique, back = np.unique(mine, return_inverse=True)
    votes = _votes_of(unique, s, k)
    if abstain == "ignore":
        seen_votes = _votes_of(codes, s, k)
        match = ((votes[:, None, :] == -1) | (votes[:, None, :] == seen_votes[None, :, :])).all(axis=2)
        mass = match.astype(np.float64) @ probs
        seen = match.any(axis=1)
    else:
        at = np.clip(np.searchsorted(codes, unique), 0, max(codes.size - 1, 0))
        seen = codes[at] == unique if codes.size else np.zeros(unique.size, bool)
        mass = probs[at] if codes.size else np.zeros((unique.size, k))
    term = _independent(votes, table, members)
    term[seen] = np.log(np.clip(mass[seen], eps, 1.0))
    return np.asarray(term[back.ravel()])
