"""``LabelModel(dependencies="auto")``: which LF pairs to treat as dependent.

A dependent pair distorts the whole moment fit (it is explained by making other LFs more or
less accurate than they are), so its own misfit under that fit can be small while innocent
pairs look bad. The search therefore tests a pair *left out*: for each of the few pairs that
fit worst now, the vote rates are fitted again without the pair's agreement entries, and the
pair's Pearson statistic against what that fit predicts is its evidence. The strongest pair
is accepted when the statistic is beyond chance (``chi2`` with ``k^2`` degrees of freedom at
``P_VALUE``) and large per row (``MIN_EFFECT``, so that a large corpus does not make every
small departure a dependency); then the search goes on from the fit with it left out.
Accepted pairs join cliques of at most ``max_size`` LFs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.models._cliques import group, resolve_pairs
from lf.models.dependencies import pair_misfit

__all__ = ["AUTO_CLIQUE_SIZE", "CANDIDATES", "MIN_EFFECT", "P_VALUE", "search_pairs", "settle_cliques"]

FloatArray = npt.NDArray[np.float64]
Rates = tuple[FloatArray, FloatArray, Any]  # mu, class balance, the optimizer's result
AUTO_CLIQUE_SIZE = 3  # dependencies="auto" groups at most this many LFs into one clique
P_VALUE = 1e-6
MIN_EFFECT = 0.01  # Pearson statistic per row (phi^2) a pair needs to count as dependent
CANDIDATES = 5  # worst-fitting pairs tested left out in each round


def settle_cliques(
    dependencies: Any, names: Sequence[str] | None, O: FloatArray, n: float, k: int,
    fit_rates: Callable[[list[list[int]]], Rates],
) -> tuple[list[list[int]], list[tuple[int, int]], Rates]:
    """Cliques, the pairs inside them and the rates fitted with them left out, for
    ``LabelModel(dependencies=...)``: ``None``, declared pairs, or ``"auto"`` (searched
    after a fit with none). ``fit_rates(cliques)`` is the model's moment fit."""
    m = O.shape[0] // k
    auto = isinstance(dependencies, str)
    pairs = [] if auto or dependencies is None else resolve_pairs(dependencies, names, m)
    members, used = group(pairs, m, k)
    rates = fit_rates(members)
    if auto:
        found = search_pairs(O, n, k, rates[:2], lambda g: fit_rates(g)[:2], max_size=AUTO_CLIQUE_SIZE)
        members, used = group(found, m, k, cap=AUTO_CLIQUE_SIZE)
        if members:
            rates = fit_rates(members)
    return members, used, rates


def search_pairs(
    O: FloatArray,
    n: float,
    k: int,
    rates: tuple[FloatArray, FloatArray],
    refit: Callable[[list[list[int]]], tuple[FloatArray, FloatArray]],
    *,
    max_size: int,
) -> list[tuple[int, int]]:
    """Dependent pairs ``(i, j)``, ``i < j``, strongest first.

    ``rates`` is ``(mu, p)`` of the fit with no dependencies; ``refit(cliques)`` fits them
    again with the agreement entries inside ``cliques`` left out.
    """
    from scipy.stats import chi2  # only here: scipy.stats is slow to import

    m = O.shape[0] // k
    # Degrees of freedom from the classes some LF votes: a declared class no LF votes yet
    # adds only empty cells, and must not make the test stricter.
    voted = max(int((np.diag(O).reshape(m, k).sum(axis=0) > 0).sum()), 2)
    critical = max(float(chi2.isf(P_VALUE, voted * voted)), MIN_EFFECT * n)
    pairs: list[tuple[int, int]] = []
    mu, p = rates
    for _ in range(m):
        best: tuple[float, int, int, tuple[FloatArray, FloatArray]] | None = None
        for i, j in _candidates(pair_misfit(O, n, mu, p), pairs, m, k, max_size):
            fit = refit(group([*pairs, (i, j)], m, k, cap=max_size)[0])
            stat = float(pair_misfit(O, n, *fit)[i, j])
            if best is None or stat > best[0]:
                best = (stat, i, j, fit)
        if best is None or best[0] < critical:
            break
        pairs.append((best[1], best[2]))
        mu, p = best[3]
    return pairs


def _candidates(
    misfit: FloatArray, pairs: list[tuple[int, int]], m: int, k: int, max_size: int
) -> list[tuple[int, int]]:
    """The ``CANDIDATES`` worst-fitting pairs that may still join (not in one clique already,
    and the union within ``max_size``)."""
    members, _ = group(pairs, m, k, cap=max_size)
    clique = {j: frozenset(g) for g in members for j in g}
    allowed = []
    for i, j in itertools.combinations(range(m), 2):
        a, b = clique.get(i, frozenset({i})), clique.get(j, frozenset({j}))
        if a != b and len(a | b) <= max_size and misfit[i, j] > 0:
            allowed.append((float(misfit[i, j]), i, j))
    return [(i, j) for _, i, j in sorted(allowed, reverse=True)[:CANDIDATES]]
