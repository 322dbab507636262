"""TripletModel: closed-form moments, properties, recovery and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lf.errors import NotFittedError
from lf.models import TripletModel, get_model

FAST = settings(max_examples=30, deadline=None)
# Random small matrices are often underdetermined, which the model says; these tests are about other things.
ANY_FIT = pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    k = draw(st.integers(2, 4))
    m = draw(st.integers(3, 6))
    n = draw(st.integers(1, 40))
    cells = draw(st.lists(st.integers(-1, k - 1), min_size=n * m, max_size=n * m))
    return np.asarray(cells, np.int8).reshape(n, m), k


def test_binary_recovery(generate):
    rng = np.random.default_rng(7)
    acc = rng.uniform(0.55, 0.95, 20)
    L, _ = generate(100_000, 20, 2, accuracies=acc, propensities=rng.uniform(0.05, 0.5, 20), seed=7)
    model = TripletModel().fit(L, class_balance=[0.5, 0.5])
    assert np.abs(model.accuracies_ - acc).mean() < 0.02


def test_multiclass_one_vs_rest_ranks_lfs(generate):
    acc = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.85])
    L, y = generate(50_000, 6, 4, accuracies=acc, propensities=np.full(6, 0.5), seed=2)
    model = TripletModel().fit(L, cardinality=4, class_balance=np.full(4, 0.25))
    assert np.corrcoef(model.accuracies_, acc)[0, 1] > 0.95
    assert (model.predict(L) == y).mean() > 0.8


@ANY_FIT
@FAST
@given(matrices())
def test_probabilities_sum_to_one(data):
    L, k = data
    for abstain in ("ignore", "model"):
        proba = TripletModel(abstain=abstain).fit(L, cardinality=k).predict_proba(L)
        assert np.allclose(proba.sum(axis=1), 1.0) and np.all(proba >= 0)


@ANY_FIT
@FAST
@given(matrices(), st.randoms(use_true_random=False))
def test_permuting_lfs_permutes_parameters(data, rnd):
    L, k = data
    perm = np.array(rnd.sample(range(L.shape[1]), L.shape[1]))
    a, b = TripletModel().fit(L, cardinality=k), TripletModel().fit(L[:, perm], cardinality=k)
    assert np.allclose(a.mu_[perm], b.mu_, atol=1e-9)


@ANY_FIT
@FAST
@given(matrices())
def test_all_abstain_row_gets_class_balance(data):
    L, k = data
    model = TripletModel().fit(L, cardinality=k)
    got = model.predict_proba(np.full((1, L.shape[1]), -1, np.int8))[0]
    assert np.allclose(got, model.class_balance_)


@ANY_FIT
@FAST
@given(matrices())
def test_duplicated_dataset_gives_the_same_fit(data):
    L, k = data
    a = TripletModel().fit(L, cardinality=k)
    b = TripletModel().fit(np.concatenate([L, L]), cardinality=k)
    assert np.allclose(a.mu_, b.mu_, atol=1e-12)


def test_errors(easy):
    L, _, _ = easy
    with pytest.raises(ValueError, match="TripletModel needs at least 3 LFs"):
        TripletModel().fit(L[:, :2])
    with pytest.raises(NotFittedError):
        TripletModel().predict_proba(L)
    with pytest.raises(ValueError, match="`eps`"):
        TripletModel(eps=1.0).fit(L)
    assert get_model("triplet") is TripletModel
