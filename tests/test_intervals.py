"""Wilson intervals: known values, edges, and where an interval contains 0.5."""

from __future__ import annotations

import numpy as np
import pytest

from lf.intervals import format_interval, straddles, wilson


def test_known_values():
    low, high = wilson(np.array([40, 0, 10]), np.array([50, 10, 10]))
    assert low[0] == pytest.approx(0.6696, abs=1e-4) and high[0] == pytest.approx(0.8876, abs=1e-4)
    # all wrong / all right: one bound sits on the edge, the other is far from it at n=10
    assert low[1] == 0.0 and high[1] == pytest.approx(0.2775, abs=1e-4)
    assert high[2] == pytest.approx(1.0) and low[2] == pytest.approx(0.7225, abs=1e-4)


def test_nothing_measured_is_nan_not_zero():
    low, high = wilson(0, 0)
    assert np.isnan(low) and np.isnan(high)
    assert format_interval(float("nan"), float(low), float(high), 0) == "-"


def test_interval_narrows_with_more_rows():
    w_small = np.subtract(*wilson(8, 10)[::-1])
    w_large = np.subtract(*wilson(800, 1000)[::-1])
    assert w_large < w_small / 5


def test_straddles_half():
    low, high = wilson(np.array([6, 45, 0]), np.array([10, 50, 0]))
    assert straddles(low, high).tolist() == [True, False, False]
    assert format_interval(0.9, float(low[1]), float(high[1]), 50) == "0.90 [0.79, 0.96] n=50"


def test_no_success_or_all_successes_give_exact_bounds():
    """0 correct of n has a lower bound of exactly 0 (it printed as 2.8e-17 for 0 of 50),
    n of n an upper bound of exactly 1."""
    n = np.arange(1, 500)
    low, _ = wilson(np.zeros_like(n), n)
    _, high = wilson(n, n)
    assert (low == 0.0).all() and (high == 1.0).all()
