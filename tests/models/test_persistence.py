"""Fitted models save to JSON (+ .npz for big arrays) and load back; never pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lf.errors import DataError
from lf.models import BaseLabelModel, DawidSkene, LabelModel, MajorityVoter, TripletModel

MODELS = [LabelModel(abstain="model", l2=1e-3), DawidSkene(smoothing=0.5), TripletModel(), MajorityVoter()]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_round_trip_small(model, easy, tmp_path):
    L, _, _ = easy
    fitted = type(model)(**model.get_params()).fit(L, class_balance=[0.4, 0.6])
    path = fitted.save(tmp_path / "model.json")
    doc = json.loads(path.read_text())
    assert doc["model"] == type(model).__name__ and doc["params"] == model.get_params()
    assert not (tmp_path / "model.npz").exists()
    for loader in (BaseLabelModel.load, type(model).load):
        back = loader(path)
        assert type(back) is type(model) and back.get_params() == model.get_params()
        assert np.array_equal(back.predict_proba(L), fitted.predict_proba(L))
        for name in fitted._state:
            assert np.array_equal(np.asarray(getattr(back, name)), np.asarray(getattr(fitted, name)), equal_nan=True)


def test_round_trip_large_uses_a_sidecar_npz(generate, tmp_path):
    acc = np.full(50, 0.8)
    L, _ = generate(3000, 50, 10, accuracies=acc, propensities=np.full(50, 0.3), seed=4)
    model = LabelModel().fit(L, cardinality=10)
    path = model.save(tmp_path / "big.json")
    assert (tmp_path / "big.npz").exists()
    back = LabelModel.load(path)
    assert np.array_equal(back.mu_, model.mu_)
    assert np.array_equal(back.predict_proba(L[:100]), model.predict_proba(L[:100]))


def test_load_errors(easy, tmp_path):
    L, _, _ = easy
    path = DawidSkene().fit(L).save(tmp_path / "ds.json")
    with pytest.raises(DataError, match="not a LabelModel"):
        LabelModel.load(path)
    with pytest.raises(DataError, match="not found"):
        LabelModel.load(tmp_path / "missing.json")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(DataError, match="not a model file"):
        BaseLabelModel.load(tmp_path / "junk.json")


def test_numpy_scalar_params_save_as_plain_numbers(easy, tmp_path):
    L, _, _ = easy
    model = DawidSkene(smoothing=np.float64(0.5), random_state=np.int64(3)).fit(L)
    path = model.save(tmp_path / "ds.json")
    doc = json.loads(path.read_text())
    assert doc["params"]["smoothing"] == 0.5 and doc["params"]["random_state"] == 3
    back = DawidSkene.load(path)
    assert type(back.random_state) is int
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


@pytest.mark.parametrize("state", [np.random.default_rng(0), np.random.RandomState(0)], ids=["Generator", "RandomState"])
def test_generator_random_state_is_refused_at_save_with_the_fix(easy, tmp_path, state):
    L, _, _ = easy
    model = MajorityVoter(tie_break="random", random_state=state).fit(L)
    with pytest.raises(DataError, match=r"parameter `random_state` is a (Generator|RandomState).*Pass an int seed"):
        model.save(tmp_path / "mv.json")
    assert list(tmp_path.iterdir()) == []


def test_a_param_with_no_json_form_is_named(easy, tmp_path):
    L, _, _ = easy
    model = MajorityVoter(random_state=object()).fit(L)
    with pytest.raises(DataError, match=r"parameter `random_state` is a object"):
        model.save(tmp_path / "mv.json")
    assert list(tmp_path.iterdir()) == []
