"""An end model and a label model saved to the same model.json do not replace each other."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.matrix import LabelMatrix
from lf.models import LabelModel

pytest.importorskip("sklearn")


def _label_model() -> LabelModel:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=300)
    votes = np.where(rng.random((300, 3)) < 0.8, y[:, None], 1 - y[:, None])
    votes[rng.random((300, 3)) < 0.3] = -1
    return LabelModel().fit(LabelMatrix(votes, names=["a", "b", "c"], labels=["HAM", "SPAM"]))


def _end_model_inputs(tmp_path: Path) -> tuple[Path, Path]:
    texts = [("free cash prize " if i % 2 else "nice song voice ") + str(i) for i in range(60)]
    ids = [f"r{i}" for i in range(60)]
    spam = np.where(np.arange(60) % 2 == 1, 0.9, 0.1)
    data, labels = tmp_path / "data.csv", tmp_path / "labels.parquet"
    pd.DataFrame({"id": ids, "text": texts}).to_csv(data, index=False)
    pd.DataFrame({"id": ids, "HAM": 1 - spam, "SPAM": spam, "covered": True}).to_parquet(labels, index=False)
    return data, labels


def test_lf_train_leaves_a_label_model_in_its_folder_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`lf train -o models` over models/model.json saved by `lf fit` replaced the label
    model with the end model, without a word."""
    (tmp_path / "models").mkdir()
    saved = _label_model().save(tmp_path / "models" / "model.json")
    before = {p.name: p.read_bytes() for p in (tmp_path / "models").iterdir()}
    data, labels = _end_model_inputs(tmp_path)
    code = main(["train", str(data), "--labels", str(labels), "-o", str(tmp_path / "models"), "--C", "4", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "holds a label model (lf fit)" in err and "Give another path" in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "models").iterdir()} == before
    assert LabelModel.load(saved).cardinality_ == 2


def test_a_label_model_is_not_saved_over_an_end_model(tmp_path: Path) -> None:
    from lf.train import load_model, train

    data, labels = _end_model_inputs(tmp_path)
    folder = train(str(data), str(labels), C=4.0).save(tmp_path / "m")
    with pytest.raises(DataError, match="holds an end model"):
        _label_model().save(folder / "model.json")
    assert load_model(folder).labels == ("HAM", "SPAM")
    again = train(str(data), str(labels), C=1.0).save(folder)  # an end model replaces an end model
    assert load_model(again).C == 1.0
    assert LabelModel.load(_label_model().save(tmp_path / "lm.json")).cardinality_ == 2
    _label_model().save(tmp_path / "lm.json")  # and a label model a label model
