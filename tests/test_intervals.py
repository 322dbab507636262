"""Wilson intervals: known values, edges, and where an interval contains 0.5."""

from __future__ import annotations

import numpy as np
import pytest

from lf.intervals import format_fraction, format_interval, straddles, wilson


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


def test_a_fraction_short_of_0_or_1_never_reads_as_it():
    """4,999 right of 5,000 printed as 1.000 [1.00, 1.00] read as a perfect LF, sure of it."""
    low, high = wilson(4999, 5000)
    assert format_interval(4999 / 5000, float(low), float(high), 5000) == "0.9998 [0.99, 1.00] n=5,000"
    low, high = wilson(1, 5000)  # and the other way round: the high end is not 0.00
    assert format_interval(1 / 5000, float(low), float(high), 5000) == "0.0002 [0.00, 0.01] n=5,000"
    assert format_fraction(3 / 100_000) == "0.00003" and format_fraction(0.99996, 2) == "0.99996"
    # exact ends and ordinary values are as before
    assert [format_fraction(v) for v in (0.0, 1.0, 0.25, 0.9994)] == ["0.000", "1.000", "0.250", "0.999"]
    assert format_interval(0.8, 0.69, 0.9, 50) == "0.80 [0.69, 0.90] n=50"
