"""The matrix-completion solver: rows of mu for votes an LF never casts are fixed, not fitted."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import lf.models.matrix_completion as mc
from lf.models import LabelModel
from lf.models._mc_solve import fit_rates


def _partial_votes(generate: Any) -> np.ndarray:
    """5 LFs over 4 classes; LF j votes only some labels (its other votes become ABSTAIN)."""
    L, _ = generate(3_000, 5, 4, accuracies=np.array([0.8, 0.7, 0.75, 0.85, 0.65]),
                    propensities=np.full(5, 0.6), seed=3)
    emits = [{0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 1, 2, 3}]
    for j, labels in enumerate(emits):
        L[~np.isin(L[:, j], list(labels)), j] = -1
    return L


def test_rows_never_voted_are_fixed_and_the_optimum_is_the_full_problems(generate, monkeypatch):
    calls: list[tuple[tuple[Any, ...], dict[str, Any], Any]] = []

    def recording(*args: Any, **kwargs: Any) -> Any:
        out = fit_rates(*args, **kwargs)
        calls.append((args, kwargs, out))
        return out

    monkeypatch.setattr(mc, "fit_rates", recording)
    LabelModel().fit(_partial_votes(generate), cardinality=4)
    (args, kwargs, (mu, res)), = calls
    m, k = 5, 4
    fitted = kwargs["fitted"]
    assert fitted.sum() == 2 * 4 + 4  # four LFs vote 2 labels, one votes all 4
    assert res.x.size == fitted.sum() * (1 + k)  # the optimizer saw only those rows
    np.testing.assert_array_equal(mu[~fitted], 0.0)

    full_mu, full_res = fit_rates(*args, **{**kwargs, "fitted": np.ones(m * k, bool)})
    assert full_res.x.size == m * k * (1 + k)
    np.testing.assert_allclose(mu, full_mu, atol=1e-7)
    assert res.fun == pytest.approx(full_res.fun, rel=1e-9, abs=1e-12)
