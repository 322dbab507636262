"""How sure a number estimated from gold rows is: Wilson score intervals for proportions.

An accuracy measured on 50 gold rows is a count (``correct`` of ``n``), not a fact; every
place that shows one also shows ``n`` and a 95% interval from here. Pure numpy, no state.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError

__all__ = ["Z95", "format_bounds", "format_fraction", "format_interval", "straddles", "wilson"]

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile: a two-sided 95% interval

FloatArray = npt.NDArray[np.float64]


def wilson(successes: Any, n: Any, *, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval ``(low, high)`` for ``successes`` out of ``n`` (arrays or scalars).

    Unlike the normal approximation it stays inside [0, 1] and is honest at 0 or n
    successes and small ``n``. Where ``n`` is 0 both bounds are NaN (nothing was measured).
    ``successes`` outside ``0 .. n`` (or ``n`` below 0) is a ParameterError: its bounds would
    be NaN on one side.
    """
    k = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        outside = ~((k >= 0) & (k <= m))  # NaN too
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        bad_k, bad_n = (float(a.ravel()[first]) for a in np.broadcast_arrays(k, m))
        raise ParameterError(
            f"`successes` must be between 0 and `n` (a count of rows out of n). Got {bad_k:g} of {bad_n:g}."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / m
        z2 = z * z
        centre = (p + z2 / (2 * m)) / (1 + z2 / m)
        half = z * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m)) / (1 + z2 / m)
        # At 0 or n successes the bound is exactly 0 or 1 (rounding left 2.8e-17 for 0 of 50).
        low = np.where(m > 0, np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0)), np.nan)
        high = np.where(m > 0, np.where(k >= m, 1.0, np.clip(centre + half, 0.0, 1.0)), np.nan)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def straddles(low: Any, high: Any, value: Any = 0.5) -> npt.NDArray[np.bool_]:
    """Where the interval ``[low, high]`` contains ``value`` (one, or one per interval;
    False where any is NaN)."""
    lo = np.asarray(low, dtype=np.float64)
    hi = np.asarray(high, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray((lo <= value) & (value <= hi), dtype=np.bool_)


def format_fraction(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals, or as many more (up to 9) as it takes for a value
    strictly between 0 and 1 not to read as 0 or 1: an LF right on 4,999 of 5,000 rows is
    ``0.9998``, not a perfect ``1.000``. NaN (nothing measured: a matrix without rows) is ``-``."""
    if math.isnan(value):
        return "-"
    text = f"{value:.{digits}f}"
    while 0.0 < value < 1.0 and float(text) in (0.0, 1.0) and digits < 9:
        digits += 1
        text = f"{value:.{digits}f}"
    return text


def format_bounds(low: float, high: float, digits: int = 2) -> tuple[str, str]:
    """An interval's ends with ``digits`` decimals; a low end short of 1 that would read as
    1 is rounded down (``0.99``), a high end above 0 that would read as 0 up (``0.01``), so
    the interval shown holds the one computed: 4,999 right of 5,000 is ``[0.99, 1.00]``,
    not ``[1.00, 1.00]``."""
    lo, hi = f"{low:.{digits}f}", f"{high:.{digits}f}"
    if low < 1.0 and float(lo) == 1.0:
        lo = f"{1 - 10.0**-digits:.{digits}f}"
    if high > 0.0 and float(hi) == 0.0:
        hi = f"{10.0**-digits:.{digits}f}"
    return lo, hi


def format_interval(value: float, low: float, high: float, n: int, digits: int = 2) -> str:
    """``0.82 [0.69, 0.90] n=50``; ``-`` when nothing was measured. The value as
    :func:`format_fraction` shows it, the ends as :func:`format_bounds` does."""
    if n <= 0 or not np.isfinite(value):
        return "-"
    lo, hi = format_bounds(low, high, digits)
    return f"{format_fraction(value, digits)} [{lo}, {hi}] n={n:,}"
