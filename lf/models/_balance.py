"""The class balance without gold labels: maximum likelihood of the mixture weights.

``LabelModel`` starts from the LFs' mean vote shares, which measure how often each class is
*voted*, not how often it occurs: an LF that fires on most rows of its class pulls the
shares toward that class, and a class whose LFs fire rarely is under-counted. Second
moments cannot correct it (``mu P mu^T`` fits any balance once ``mu`` adapts), but the
votes' joint distribution can: with the vote rates ``mu`` held at the moment fit, the
log-likelihood of the rows under conditionally independent LFs (ABSTAIN an outcome),

    sum_rows log sum_y p_y P(row | Y = y; mu),

is concave in ``p``, and its maximum is the fixed point ``p <- mean posterior`` (EM for
mixture weights). :func:`map_balance` adds ``pseudo_rows`` rows distributed as the vote
shares (a Dirichlet prior): a pull that vanishes as ``n`` grows and keeps the estimate near
the shares where the likelihood says little (LFs that each vote one class).

Pure numerics over the distinct rows and their counts; per-row work is two matrix-vector
products per iteration.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from lf.models._stats import onehot

__all__ = ["SAMPLE_ROWS", "class_loglik", "map_balance", "sample_rows", "weighted_sample"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]
SAMPLE_ROWS = 1 << 16  # more distinct rows than twice this: an evenly spaced sample of them
_FLOOR = 1e-6  # least probability of an outcome (a vote, or ABSTAIN) under a class


def class_loglik(rows: IntArray | Any, mu: FloatArray) -> FloatArray:
    """``log P(row | Y = y)`` (``rows x k``) under conditional independence, ABSTAIN an
    outcome with probability ``1 - sum_l mu[j, l, y]``. ``rows``: the votes, or their
    one-hot matrix (:func:`lf.models._stats.onehot`) when it is used again and again."""
    m, k, _ = mu.shape
    abstain = np.log(np.clip(1.0 - mu.sum(axis=1), _FLOOR, 1.0))  # m x k
    votes = np.log(np.clip(mu, _FLOOR, 1.0)) - abstain[:, None, :]
    H = rows if sparse.issparse(rows) else onehot(rows, k)
    return np.asarray(H @ votes.reshape(m * k, k) + abstain.sum(axis=0), np.float64)


def sample_rows(rows: IntArray, counts: npt.NDArray[np.int64]) -> tuple[IntArray, FloatArray]:
    """The rows and counts (as floats) to estimate from: all of them, or on more than
    ``2 * SAMPLE_ROWS`` distinct rows an evenly spaced sample (no random draw), its counts
    scaled to the same total."""
    c = counts.astype(np.float64)
    if rows.shape[0] <= 2 * SAMPLE_ROWS:
        return rows, c
    step = rows.shape[0] // SAMPLE_ROWS
    picked = c[::step]
    return rows[::step], picked * (c.sum() / picked.sum())


def weighted_sample(rows: IntArray, counts: FloatArray, size: int) -> tuple[IntArray, FloatArray]:
    """At most ``size`` of the distinct ``rows`` with counts (as floats) standing for all of
    them: the rows themselves when there are no more, else a systematic sample in
    proportion to the counts (``size`` evenly spaced points over the cumulated counts, no
    random draw), each row picked counting ``total / size`` per point that fell on it. A sum
    over rows weighted by counts keeps its expectation; an evenly spaced sample of the
    distinct rows does not (frequent rows weigh as much as rare ones there: it moved a
    learned balance by 0.015)."""
    if rows.shape[0] <= size:
        return rows, counts
    total = float(counts.sum())
    points = (np.arange(size) + 0.5) * (total / size)
    hit = np.minimum(np.searchsorted(np.cumsum(counts), points, side="right"), rows.shape[0] - 1)
    picked, times = np.unique(hit, return_counts=True)
    return rows[picked], np.asarray(times * (total / size), np.float64)


def map_balance(
    loglik: FloatArray,
    counts: FloatArray,
    p: FloatArray,
    prior: FloatArray,
    pseudo_rows: float,
    *,
    tol: float = 1e-7,
    max_iter: int = 1000,
) -> FloatArray:
    """Class balance maximising ``sum_r counts_r log sum_y p_y exp(loglik_ry)`` plus
    ``pseudo_rows * sum_y prior_y log p_y``, by the EM fixed point from ``p``.

    Each step is monotone; it stops when no share moves by more than ``tol``.
    """
    F = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    n = float(counts.sum())
    weight = counts / np.maximum(F @ p, 1e-300)
    for _ in range(max_iter):
        new = (p * (F.T @ weight) + pseudo_rows * prior) / (n + pseudo_rows)
        done = float(np.abs(new - p).max()) < tol
        p = new
        if done:
            break
        weight = counts / np.maximum(F @ p, 1e-300)
    return np.asarray(p / p.sum(), np.float64)
