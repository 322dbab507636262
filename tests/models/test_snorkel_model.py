"""SnorkelLabelModel: Snorkel's LabelModel (really installed) behind lf's model contract."""

from __future__ import annotations

import json
import random
import sys

import numpy as np
import pytest

from lf.datasets import load_wrench
from lf.errors import DataError, MissingExtraError, NotFittedError
from lf.models import MODELS, BaseLabelModel, SnorkelLabelModel, get_model


@pytest.fixture(scope="module")
def youtube(datasets_dir):
    return {s: load_wrench(datasets_dir / "youtube", s) for s in ("train", "valid")}


def _snorkel(L, seed, class_balance=None, **kwargs):
    from snorkel.labeling.model import LabelModel

    model = LabelModel(cardinality=L.cardinality, verbose=False)
    model.fit(np.asarray(L), class_balance=class_balance, seed=seed, progress_bar=False, **kwargs)
    return model


def test_same_probabilities_as_snorkel_with_the_same_seed_on_wrench_youtube(youtube):
    L = youtube["train"].L
    ours = SnorkelLabelModel(random_state=123).fit(L)
    ref = _snorkel(L, 123)
    np.testing.assert_allclose(ours.predict_proba(L), ref.predict_proba(np.asarray(L)), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours.accuracies_, ref.get_weights())
    np.testing.assert_array_equal(ours.class_balance_, [0.5, 0.5])
    np.testing.assert_array_equal(ours.predict(L), ours.predict_proba(L).argmax(axis=1))
    assert ours.cardinality_ == 2 and ours.n_lfs_ == L.m and ours.seed_ == 123


def test_class_balance_and_training_options_reach_snorkel(youtube):
    L = youtube["train"].L
    y_valid = youtube["valid"].y
    balance = np.bincount(y_valid, minlength=2) / len(y_valid)
    ours = SnorkelLabelModel(random_state=7, n_epochs=300, lr=0.02, l2=0.1, optimizer="adam", prec_init=0.8).fit(
        L, class_balance=balance
    )
    ref = _snorkel(L, 7, class_balance=balance.tolist(), n_epochs=300, lr=0.02, l2=0.1, optimizer="adam", prec_init=0.8)
    np.testing.assert_allclose(ours.predict_proba(L), ref.predict_proba(np.asarray(L)), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.class_balance_, balance)
    default = SnorkelLabelModel(random_state=7).fit(L, class_balance=balance)
    assert not np.allclose(default.predict_proba(L), ours.predict_proba(L))  # the options changed the fit


def test_multiclass_matches_snorkel_on_hausa(datasets_dir):
    L = load_wrench(datasets_dir / "hausa", "train").L
    assert L.cardinality == 5
    ours = SnorkelLabelModel(random_state=3).fit(L)
    ref = _snorkel(L, 3)
    np.testing.assert_allclose(ours.predict_proba(L), ref.predict_proba(np.asarray(L)), rtol=0, atol=1e-12)


def test_fit_leaves_the_global_random_generators_alone(youtube):
    np.random.seed(11)
    random.seed(11)
    expected = (np.random.random(), random.random())
    np.random.seed(11)
    random.seed(11)
    SnorkelLabelModel(random_state=5).fit(youtube["train"].L)
    assert (np.random.random(), random.random()) == expected


def test_same_seed_same_model_and_a_generator_draws_a_seed(youtube):
    L = youtube["train"].L[:600]
    a = SnorkelLabelModel(random_state=1).fit(L)
    b = SnorkelLabelModel(random_state=1).fit(L)
    np.testing.assert_array_equal(a.mu_, b.mu_)
    g1 = SnorkelLabelModel(random_state=np.random.default_rng(4)).fit(L)
    g2 = SnorkelLabelModel(random_state=np.random.default_rng(4)).fit(L)
    assert g1.seed_ == g2.seed_
    np.testing.assert_array_equal(g1.mu_, g2.mu_)


def test_save_and_load_as_json_then_predict_without_snorkel(youtube, tmp_path, monkeypatch):
    L = youtube["train"].L
    model = SnorkelLabelModel(random_state=9, n_epochs=50).fit(L)
    path = model.save(tmp_path / "snorkel.json")
    doc = json.loads(path.read_text())
    assert doc["model"] == "SnorkelLabelModel" and doc["params"]["random_state"] == 9
    assert doc["params"]["n_epochs"] == 50
    monkeypatch.setitem(sys.modules, "snorkel", None)  # Snorkel and torch unavailable from here on
    monkeypatch.setitem(sys.modules, "torch", None)
    for loader in (BaseLabelModel.load, SnorkelLabelModel.load):
        back = loader(path)
        assert type(back) is SnorkelLabelModel and back.get_params() == model.get_params()
        assert back.mu_.dtype == model.mu_.dtype
        np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


def test_a_generator_random_state_cannot_be_saved(youtube, tmp_path):
    model = SnorkelLabelModel(random_state=np.random.default_rng(0), n_epochs=5).fit(youtube["train"].L)
    with pytest.raises(DataError, match=r"random_state.*Generator.*int seed"):
        model.save(tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_missing_snorkel_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "snorkel", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'lf\[snorkel\]'"):
        SnorkelLabelModel(random_state=0).fit(np.array([[0, 1, -1], [1, 1, 0]]))


def test_unfitted_and_invalid_use_is_reported():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SnorkelLabelModel().predict_proba(np.zeros((2, 3), int))
    with pytest.raises(ValueError, match=r"needs at least 3 LFs"):
        SnorkelLabelModel(random_state=0).fit(np.array([[0, 1], [1, -1]]))
    with pytest.raises(ValueError, match=r"`optimizer` must be one of 'sgd', 'adam', 'adamax'. Got 'lbfgs'"):
        SnorkelLabelModel(optimizer="lbfgs").fit(np.zeros((2, 3), int))
    with pytest.raises(ValueError, match=r"`n_epochs` must be an integer >= 1. Got 0"):
        SnorkelLabelModel(n_epochs=0).fit(np.zeros((2, 3), int))
    with pytest.raises(ValueError, match=r"`random_state` must be None, a non-negative int seed"):
        SnorkelLabelModel(random_state="x").fit(np.zeros((2, 3), int))
    with pytest.raises(ValueError, match=r"prior above 0"):
        SnorkelLabelModel(random_state=0).fit(np.zeros((2, 3), int), class_balance=[1.0, 0.0])


def test_predict_checks_the_matrix_against_the_fit(youtube):
    model = SnorkelLabelModel(random_state=0, n_epochs=5).fit(youtube["train"].L)
    with pytest.raises(ValueError, match=r"has 3 LFs; the model was fitted on 10"):
        model.predict_proba(np.zeros((2, 3), int))


def test_registered_by_name_and_alias():
    assert MODELS["SnorkelLabelModel"] is SnorkelLabelModel
    assert get_model("snorkel") is SnorkelLabelModel
    assert get_model("SnorkelLabelModel") is SnorkelLabelModel


def test_an_lf_that_never_votes_has_no_accuracy_and_the_fit_stays_quiet():
    """Snorkel divides by each LF's coverage: an LF voting on no row gave a numpy
    divide-by-zero RuntimeWarning (an error under -W error) and an accuracy of 1.0."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    right = np.where(rng.random((500, 4)) < 0.8, y[:, None], 1 - y[:, None])
    A = np.where(rng.random((500, 4)) < 0.7, right, -1).astype(np.int8)
    A[:, 3] = -1
    model = SnorkelLabelModel(random_state=0).fit(A, cardinality=2)  # filterwarnings=error
    assert np.isnan(model.accuracies_[3])
    assert np.all((model.accuracies_[:3] > 0.6) & (model.accuracies_[:3] <= 1.0))
