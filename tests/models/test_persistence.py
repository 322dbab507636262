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
