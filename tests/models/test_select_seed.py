"""``select``'s ``random_state`` seeds the folds and the bootstrap: a value that is not a
seed is a ParameterError naming it, not numpy's TypeError, nor a bool read as 1."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lf.errors import ParameterError
from lf.models import select


@pytest.mark.parametrize("seed", [-1, "x", 1.5, True, None])
def test_a_random_state_that_is_not_a_seed_is_refused(seed: Any) -> None:
    # Before: ValueError/TypeError from numpy's SeedSequence, True taken as 1, None drew anew.
    rng = np.random.default_rng(0)
    A, D, y = rng.integers(-1, 2, (100, 4)), rng.integers(-1, 2, (20, 4)), rng.integers(0, 2, 20)
    with pytest.raises(ParameterError, match=r"`random_state` must be an integer >= 0\. Got"):
        select(["MajorityVoter"], A, D, y, random_state=seed)


def test_the_same_seed_chooses_alike() -> None:
    rng = np.random.default_rng(1)
    A, D, y = rng.integers(-1, 2, (100, 4)), rng.integers(-1, 2, (30, 4)), rng.integers(0, 2, 30)
    one = select(["MajorityVoter", "DawidSkene"], A, D, y, random_state=np.int64(7))
    two = select(["MajorityVoter", "DawidSkene"], A, D, y, random_state=7)
    assert one.scores == two.scores and one.intervals == two.intervals
