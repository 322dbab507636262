"""How sure a number estimated from gold rows is: Wilson score intervals for proportions.

An accuracy measured on 50 gold rows is a count (``correct`` of ``n``), not a fact; every
place that shows one also shows ``n`` and a 95% interval from here. Pure numpy, no state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Z95", "format_interval", "straddles", "wilson"]

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile: a two-sided 95% interval

FloatArray = npt.NDArray[np.float64]


def wilson(successes: Any, n: Any, *, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval ``(low, high)`` for ``successes`` out of ``n`` (arrays or scalars).

    Unlike the normal approximation it stays inside [0, 1] and is honest at 0 or n
    successes and small ``n``. Where ``n`` is 0 both bounds are NaN (nothing was measured).
    """
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        z2 = z * z
        centre = (p + z2 / (2 * m)) / (1 + z2 / m)
        half = z * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m)) / (1 + z2 / m)
        # At 0 or n successes the bound is exactly 0 or 1 (rounding left 2.8e-17 for 0 of 50).
        low = np.where(m > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        high = np.where(m > 0, np.where(k >= m, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def straddles(low: Any, high: Any, value: float = 0.5) -> npt.NDArray[np.bool_]:
    """Where the interval ``[low, high]`` contains ``value`` (False where it is NaN)."""
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray((lo <= value) & (value <= hi), dtype=np.bool_)


def format_interval(value: float, low: float, high: float, n: int, digits: int = 2) -> str:
    """``0.82 [0.69, 0.90] n=50``; ``-`` when nothing was measured."""
    if n <= 0 or not np.isfinite(value):
        return "-"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}] n={n:,}"
