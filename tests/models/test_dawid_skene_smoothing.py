"""DawidSkene's ``smoothing`` (pseudo-counts) so large that they overflow once spread over a
class's outcomes is refused at fit, as infinity is: the probabilities came out NaN."""

from __future__ import annotations

import numpy as np
import pytest

from lf.errors import ParameterError
from lf.models import DawidSkene


@pytest.mark.parametrize("k", [2, 50])
@pytest.mark.parametrize("smoothing", [1e308, 1.7e308, 1e302])
def test_pseudo_counts_that_overflow_are_refused(k: int, smoothing: float) -> None:
    # Before: 1e308 with two classes (1e307 with fifty) fitted and gave NaN probabilities.
    A = np.random.default_rng(0).integers(-1, k, (300, 4))
    with pytest.raises(ParameterError, match=r"`smoothing` must be a finite number >= 0\. Got 1\.?\d*e\+30\d \(above 1e\+300 the pseudo-counts overflow\)"):
        DawidSkene(smoothing=smoothing).fit(A, cardinality=k)


def test_large_but_safe_pseudo_counts_still_give_probabilities() -> None:
    A = np.random.default_rng(0).integers(-1, 50, (300, 4))
    P = DawidSkene(smoothing=1e250).fit(A, cardinality=50).predict_proba(A)
    assert np.isfinite(P).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
