"""Shared helpers for the label-model tests: generated matrices with known LF accuracies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def _generate(
    n: int,
    m: int,
    k: int,
    *,
    accuracies: np.ndarray,
    propensities: np.ndarray,
    balance: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Conditionally independent LFs: LF j votes with prob. ``propensities[j]`` (whatever the
    class), is right with prob. ``accuracies[j]`` and otherwise votes a uniform wrong class."""
    rng = np.random.default_rng(seed)
    p = np.full(k, 1.0 / k) if balance is None else np.asarray(balance, float)
    y = rng.choice(k, size=n, p=p)
    L = np.full((n, m), -1, np.int8 if k < 128 else np.int16)
    for j in range(m):
        fires = rng.random(n) < propensities[j]
        right = rng.random(n) < accuracies[j]
        wrong = (y + rng.integers(1, k, size=n)) % k
        L[:, j] = np.where(fires, np.where(right, y, wrong), -1)
    return L, y


@pytest.fixture
def easy() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2 000 rows, 5 binary LFs of known accuracy."""
    acc = np.array([0.9, 0.8, 0.75, 0.7, 0.85])
    L, y = _generate(2000, 5, 2, accuracies=acc, propensities=np.full(5, 0.5), seed=1)
    return L, y, acc


@pytest.fixture
def generate():  # type: ignore[no-untyped-def]
    """The generator above, as a fixture (test modules do not import conftest)."""
    return _generate


@pytest.fixture
def wrench(datasets_dir: Path):  # type: ignore[no-untyped-def]
    """``wrench(name)`` -> that WRENCH folder under the shared datasets (``datasets_dir``)."""

    def find(name: str) -> Path:
        folder = datasets_dir / name
        assert folder.is_dir(), f"WRENCH folder not found: {folder}"
        return folder

    return find
