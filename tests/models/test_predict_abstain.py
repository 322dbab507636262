"""``predict(L, abstain=...)``: which rows get ABSTAIN instead of a guess, on every model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lf.errors import ParameterError
from lf.models import DawidSkene, LabelModel, MajorityVoter, TripletModel

MODELS = [LabelModel, LabelModel, DawidSkene, TripletModel, MajorityVoter]
PARAMS: list[dict[str, Any]] = [{}, {"abstain": "model"}, {}, {}, {}]


@pytest.fixture
def matrix(generate: Any) -> np.ndarray:
    L, _ = generate(3000, 5, 3, accuracies=np.array([0.8, 0.7, 0.75, 0.65, 0.6]), propensities=np.full(5, 0.3), seed=4)
    return np.asarray(L)


@pytest.mark.parametrize(("cls", "params"), list(zip(MODELS, PARAMS)))
def test_uncovered_rows_and_only_those_abstain(cls: Any, params: dict[str, Any], matrix: np.ndarray) -> None:
    model = cls(**params).fit(matrix)
    uncovered = (matrix == -1).all(axis=1)
    assert 100 < uncovered.sum() < len(matrix)
    full = model.predict(matrix)
    assert (full >= 0).all()  # the default labels every row
    honest = model.predict(matrix, abstain="uncovered")
    assert (honest[uncovered] == -1).all()
    np.testing.assert_array_equal(honest[~uncovered], full[~uncovered])


@pytest.mark.parametrize(("cls", "params"), list(zip(MODELS, PARAMS)))
def test_ties_abstain_on_uncovered_rows_and_on_tied_top_probabilities(
    cls: Any, params: dict[str, Any], matrix: np.ndarray
) -> None:
    model = cls(**params).fit(matrix)
    proba = model.predict_proba(matrix)
    top2 = np.sort(proba, axis=1)[:, -2:]
    tied = top2[:, 1] - top2[:, 0] <= 1e-5
    if cls is MajorityVoter:  # ties of votes: two classes with the most votes
        counts = np.stack([(matrix == c).sum(axis=1) for c in range(3)], axis=1)
        best = np.sort(counts, axis=1)
        tied = (best[:, -1] == best[:, -2]) & (best[:, -1] > 0)
        assert tied.sum() > 50
    uncovered = (matrix == -1).all(axis=1)
    pred = model.predict(matrix, abstain="ties")
    np.testing.assert_array_equal(pred == -1, uncovered | tied)
    np.testing.assert_array_equal(pred[pred != -1], model.predict(matrix)[pred != -1])


def test_majority_ties_abstain_whatever_the_tie_break() -> None:
    L = np.array([[0, 1, -1], [0, 0, 1], [-1, -1, -1], [1, -1, -1]])
    for tie_break in ("prior", "random", "abstain"):
        model = MajorityVoter(tie_break=tie_break, random_state=0).fit(L, class_balance=[0.3, 0.7])
        assert model.predict(L, abstain="ties").tolist() == [-1, 0, -1, 1]
        assert model.predict(L, abstain="uncovered")[2] == -1
    assert MajorityVoter().fit(L, class_balance=[0.3, 0.7]).predict(L, abstain="uncovered").tolist() == [1, 0, -1, 1]


def test_an_unknown_abstain_policy_is_named(matrix: np.ndarray) -> None:
    model = LabelModel().fit(matrix)
    with pytest.raises(ParameterError, match="`abstain` must be None, 'uncovered' or 'ties'. Got 'skip'"):
        model.predict(matrix, abstain="skip")
