"""Wilson intervals on simulated counts hold the true share about 95% of the time, and
counts that cannot be counts are refused rather than given a NaN bound."""

from __future__ import annotations

import numpy as np
import pytest

from lf.errors import ParameterError
from lf.intervals import wilson


@pytest.mark.parametrize("n", [30, 200])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_the_interval_holds_the_true_share_about_95_percent_of_the_time(n: int, p: float) -> None:
    right = np.random.default_rng(n + int(p * 10)).binomial(n, p, 20_000)
    low, high = wilson(right, n)
    assert 0.92 <= float(((low <= p) & (p <= high)).mean()) <= 0.98


@pytest.mark.parametrize(("successes", "n"), [(5, 3), (-1, 3), (1, -2), (np.nan, 3), ([1, 7], [5, 5])])
def test_successes_outside_0_to_n_are_refused(successes: object, n: object) -> None:
    # Before: (nan, 1.0) for 5 of 3, (0.0, nan) for -1 of 3: a bound nothing could read.
    with pytest.raises(ParameterError, match=r"`successes` must be between 0 and `n`.*Got"):
        wilson(successes, n)


def test_nothing_measured_is_still_nan() -> None:
    low, high = wilson([0, 3], [0, 3])
    assert np.isnan(low[0]) and np.isnan(high[0]) and high[1] == 1.0
