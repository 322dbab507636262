"""`lf.summarize(L, model=...)`: learned accuracies are shown only next to the LFs they were
learned for; a model fitted on other LFs, or on these in another order, is an error."""

from __future__ import annotations

import numpy as np
import pytest

import lf
from lf.errors import DataError, ParameterError
from lf.models import LabelModel


@pytest.fixture
def L() -> lf.LabelMatrix:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=600)
    acc = np.array([0.95, 0.6, 0.8, 0.7])
    votes = np.where(rng.random((600, 4)) < acc, y[:, None], 1 - y[:, None])
    return lf.LabelMatrix(np.where(rng.random((600, 4)) < 0.7, votes, -1), names=["a", "b", "c", "d"])


def test_learned_accuracies_sit_next_to_their_own_lfs(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    assert lf.summarize(L, model=model)["learned_acc"].tolist() == pytest.approx(list(model.accuracies_))
    assert lf.summarize(L.array, model=model)["learned_acc"].tolist() == pytest.approx(list(model.accuracies_))


def test_a_model_of_the_same_lfs_in_another_order_is_refused(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    swapped = lf.LabelMatrix(L.array[:, [1, 0, 2, 3]], names=["b", "a", "c", "d"])
    with pytest.raises(DataError, match="same LFs in another order"):
        lf.summarize(swapped, model=model)  # would show a's accuracy as b's


def test_a_model_of_other_lfs_is_a_named_error_not_a_pandas_one(L: lf.LabelMatrix) -> None:
    model = LabelModel().fit(L)
    with pytest.raises(DataError, match=r"missing \['d'\], new \[\]"):
        lf.summarize(lf.LabelMatrix(L.array[:, :3], names=["a", "b", "c"]), model=model)
    with pytest.raises(ParameterError, match="4 learned accuracies for a matrix of 3 LFs"):
        lf.summarize(L.array[:, :3], model=model)
