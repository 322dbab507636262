"""LF pairs that fire together far more often than a fitted model's independence predicts.

A label model that assumes the LFs independent given the class counts two LFs that fire
together by construction (the same keyword, the same heuristic) as two pieces of evidence.
:func:`correlated_pairs` compares, for every pair of LFs and every pair of their votes, the
rows where both cast those votes with what the model's vote rates and class balance predict,
and keeps the pairs with a vote combination far above it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import LabelMatrix, as_label_array
from lf.models._stats import agreement_counts

__all__ = ["CorrelatedPair", "correlated_pairs", "dependent_pairs", "pair_misfit", "vote_rates"]


class CorrelatedPair(NamedTuple):
    first: str
    second: str
    votes: tuple[int, int]  # the labels the two LFs cast together
    rows: int  # rows where they do
    expected: float  # what conditional independence under the model predicts
    z: float  # (rows - expected) / sqrt(expected)


def vote_rates(model: Any) -> npt.NDArray[np.float64]:
    """``m x k x k`` ``P(lambda_j = l | Y = y)`` of a fitted model that has them."""
    k = int(model.cardinality_)
    if hasattr(model, "mu_"):
        return np.asarray(model.mu_, np.float64).reshape(-1, k, k)
    if hasattr(model, "confusion_"):
        return np.asarray(model.confusion_, np.float64)[:, 1:, :]
    raise ParameterError(
        f"{type(model).__name__} has no class-conditional vote rates to compare agreement with; "
        "use LabelModel, DawidSkene, TripletModel or SnorkelLabelModel."
    )


def correlated_pairs(
    L: Any, model: Any, *, min_ratio: float = 2.0, min_z: float = 5.0, min_rows: int = 10
) -> list[CorrelatedPair]:
    """Pairs with a vote combination at least ``min_ratio`` times and ``min_z`` standard
    errors above what ``model`` (fitted on ``L``) predicts, on ``min_rows`` rows or more;
    most significant first. ``predicted`` uses ``m x k x m x k`` memory: meant for reports."""
    A, k = as_label_array(L, getattr(L, "cardinality", None) or model.cardinality_)
    mu = vote_rates(model)
    m = A.shape[1]
    if mu.shape != (m, k, k):
        raise ParameterError(f"The model was fitted on {mu.shape[0]} LFs; the matrix has {m}.")
    names = list(L.names) if isinstance(L, LabelMatrix) else [f"lf_{j}" for j in range(m)]
    found = dependent_pairs(A, k, mu, np.asarray(model.class_balance_, np.float64),
                            min_ratio=min_ratio, min_z=min_z, min_rows=min_rows)
    return [CorrelatedPair(names[i], names[j], votes, rows, expected, z) for i, j, votes, rows, expected, z in found]


def dependent_pairs(
    A: Any, k: int, mu: npt.NDArray[np.float64], p: npt.NDArray[np.float64], *,
    min_ratio: float = 2.0, min_z: float = 5.0, min_rows: int = 10,
) -> list[tuple[int, int, tuple[int, int], int, float, float]]:
    """:func:`correlated_pairs` by LF index, from vote rates ``mu`` and class balance ``p``:
    ``(i, j, votes, rows, expected, z)`` with ``i < j``, most significant first."""
    m = A.shape[1]
    O, pat = agreement_counts(A, k)
    n = float(pat.counts.sum())
    # Rows where LF i votes a and LF j votes b, observed and predicted by the model.
    observed = O.reshape(m, k, m, k)
    predicted = n * np.einsum("iay,y,jby->iajb", mu, p, mu)
    z = (observed - predicted) / np.sqrt(np.maximum(predicted, 1.0))
    z[(observed < min_rows) | (observed < min_ratio * predicted)] = -np.inf
    out = []
    for i, j in zip(*np.triu_indices(m, 1)):
        cell = z[i, :, j, :]
        a, b = np.unravel_index(int(cell.argmax()), cell.shape)
        if cell[a, b] >= min_z:
            out.append((int(i), int(j), (int(a), int(b)), round(float(observed[i, a, j, b])),
                        float(predicted[i, a, j, b]), float(cell[a, b])))
    return sorted(out, key=lambda c: -c[5])


def pair_misfit(O: npt.NDArray[np.float64], n: float, mu: npt.NDArray[np.float64], p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``m x m`` Pearson statistic of each LF pair: ``sum (observed - predicted)^2 / predicted``
    over the pair's ``k x k`` vote combinations, predicted by conditional independence under
    vote rates ``mu`` and balance ``p`` from agreement counts ``O`` of ``n`` rows (0 on the
    diagonal). Fewer co-votes than predicted count too (LFs that exclude each other)."""
    m, k = mu.shape[0], mu.shape[1]
    predicted = n * np.einsum("iay,y,jby->iajb", mu, p, mu).reshape(m * k, m * k)
    chi = (O - predicted) ** 2 / np.maximum(predicted, 1.0)
    B = chi.reshape(m, k, m, k).sum(axis=(1, 3))
    np.fill_diagonal(B, 0.0)
    return np.asarray(B, np.float64)
