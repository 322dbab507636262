"""lf.models.select: model choice with a few gold labels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lf.datasets import load_wrench
from lf.matrix import LabelMatrix
from lf.models import DawidSkene, LabelModel, MajorityVoter, Selection, TripletModel, select


@pytest.fixture
def split(generate):
    acc = np.array([0.95, 0.9, 0.6, 0.6, 0.6, 0.55])
    L, y = generate(6000, 6, 2, accuracies=acc, propensities=np.full(6, 0.6), seed=5)
    return L[:5000], L[5000:], y[5000:]


def test_picks_the_best_candidate_on_dev(split):
    L_train, L_dev, y_dev = split
    result = select([MajorityVoter(), LabelModel()], L_train, L_dev, y_dev)
    assert isinstance(result, Selection)
    assert result.name == "LabelModel"
    assert result.scores["LabelModel"] > result.scores["MajorityVoter"]
    assert result.model.predict(L_dev).shape == y_dev.shape


def test_default_candidates_names_and_class_balance_from_dev(split):
    L_train, L_dev, y_dev = split
    result = select(None, L_train, L_dev, y_dev)
    assert set(result.scores) == {
        "LabelModel",
        "LabelModel(abstain='model')",
        "MajorityVoter",
        "DawidSkene",
        "TripletModel",
    }
    counts = np.bincount(y_dev, minlength=2) + 1.0
    assert np.allclose(result.model.class_balance_, counts / counts.sum())
    assert result.scores[result.name] == max(result.scores.values())


def test_accepts_names_and_classes_and_leaves_given_models_unfitted(split):
    L_train, L_dev, y_dev = split
    mine = LabelModel()
    result = select(["mv", TripletModel, mine], L_train, L_dev, y_dev, metric="f1_macro")
    assert set(result.scores) == {"MajorityVoter", "TripletModel", "LabelModel"}
    assert not hasattr(mine, "mu_")
    assert result.model is not mine


def test_ties_go_to_the_earlier_candidate(split):
    L_train, L_dev, y_dev = split
    result = select([LabelModel(), LabelModel()], L_train, L_dev, y_dev)
    assert result.name == "LabelModel"
    assert list(result.scores) == ["LabelModel", "LabelModel #2"]


def test_a_candidate_that_cannot_fit_is_skipped(split):
    L_train, L_dev, y_dev = split
    result = select([TripletModel(), DawidSkene()], L_train[:, :2], L_dev[:, :2], y_dev)
    assert math.isnan(result.scores["TripletModel"]) and result.name == "DawidSkene"
    with pytest.raises(ValueError, match="at least 3 LFs"):
        select([TripletModel()], L_train[:, :2], L_dev[:, :2], y_dev)


def test_errors(split):
    L_train, L_dev, y_dev = split
    with pytest.raises(ValueError, match=r"`y_dev` must hold one gold label per row"):
        select(None, L_train, L_dev, y_dev[:-1])
    with pytest.raises(ValueError, match="class ids 0..1"):
        select(None, L_train, L_dev, y_dev + 5)
    with pytest.raises(ValueError, match="`L_dev` has 5 LFs"):
        select(None, L_train, L_dev[:, :5], y_dev)
    with pytest.raises(ValueError, match="`metric`"):
        select(None, L_train, L_dev, y_dev, metric="auc")
    with pytest.raises(ValueError, match="`class_balance`"):
        select(None, L_train, L_dev, y_dev, class_balance="train")
    with pytest.raises(TypeError, match="candidate"):
        select([42], L_train, L_dev, y_dev)
    with pytest.raises(ValueError, match="same LFs"):
        select(
            None,
            LabelMatrix(L_train, names=list("abcdef")),
            LabelMatrix(L_dev, names=list("abcdeg")),
            y_dev,
        )


def test_wrench_hausa_selects_on_valid(wrench):
    folder = wrench("hausa")
    train, valid = load_wrench(folder, "train"), load_wrench(folder, "valid")
    result = select(None, train.L, valid.L, valid.y)
    assert result.scores[result.name] >= result.scores["MajorityVoter"]
