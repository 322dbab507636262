"""`lf train`, hostile inputs: `--dev-gold` is read as `--gold` is (float class ids are ids,
blank gold rows are named), dev rows taken from DATA do not score fits trained on them,
and labels that repeat ids are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.train import train

pytest.importorskip("sklearn")


def _texts(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    words = (["song", "love", "great", "voice"], ["subscribe", "channel", "free", "check"])
    return [" ".join(rng.choice(words[label], size=2)) + " the video" for label in y], y


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    texts, y = _texts(200, 0)
    ids = [f"r{i}" for i in range(len(texts))]
    data, labels = tmp_path / "data.csv", tmp_path / "labels.parquet"
    pd.DataFrame({"id": ids, "text": texts}).to_csv(data, index=False)
    spam = np.where(y == 1, 0.9, 0.1)
    pd.DataFrame({"id": ids, "HAM": 1 - spam, "SPAM": spam, "label": np.where(y == 1, "SPAM", "HAM"),
                  "confidence": 0.9, "covered": True}).to_parquet(labels, index=False)
    return data, labels


def test_float_class_ids_are_ids(made: tuple[Path, Path], tmp_path: Path) -> None:
    data, labels = made
    texts, y = _texts(60, 5)
    dev = tmp_path / "dev.parquet"
    pd.DataFrame({"text": texts, "gold": y.astype(np.float64)}).to_parquet(dev)
    model = train(str(data), str(labels), dev_data=str(dev), dev_gold="gold")
    assert model.info["c_chosen_by"] == "dev accuracy" and max(model.info["c_scores"].values()) > 0.9


def test_blank_gold_rows_are_named(made: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, labels = made
    texts, y = _texts(60, 5)
    gold = np.where(np.arange(60) < 50, y, np.nan)
    dev = tmp_path / "dev.parquet"
    pd.DataFrame({"text": texts, "gold": gold}).to_parquet(dev)
    with pytest.raises(DataError, match=r"has 10 missing values \(row positions 50, 51"):
        train(str(data), str(labels), dev_data=str(dev), dev_gold="gold")
    out = tmp_path / "model"
    assert main(["train", str(data), "--labels", str(labels), "-o", str(out), "--dev-data", str(dev), "--dev-gold", "gold"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The dev gold column 'gold' has 10 missing values") and not out.exists()


def test_dev_accuracy_is_measured_on_fits_that_never_saw_the_dev_texts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The dev rows are hand-labeled rows of DATA itself, where the weak labels are wrong:
    a fit that trained on them would learn their errors and score low on them."""
    texts, y = _texts(300, 1)
    texts = [f"{t} note{i}" for i, t in enumerate(texts)]  # every row's own word: a fit can memorise it
    ids = [f"r{i}" for i in range(len(texts))]
    dev_idx = np.arange(0, 300, 6)  # 50 rows of DATA, hand-labeled
    weak = y.copy()
    weak[dev_idx] = 1 - weak[dev_idx]  # the weak labels are wrong on every one of them
    spam = np.where(weak == 1, 0.97, 0.03)
    data, labels, dev = tmp_path / "data.csv", tmp_path / "labels.parquet", tmp_path / "dev.csv"
    pd.DataFrame({"id": ids, "text": texts}).to_csv(data, index=False)
    pd.DataFrame({"id": ids, "HAM": 1 - spam, "SPAM": spam, "label": np.where(weak == 1, "SPAM", "HAM"),
                  "confidence": 0.97, "covered": True}).to_parquet(labels, index=False)
    pd.DataFrame({"text": [texts[i] for i in dev_idx], "gold": y[dev_idx]}).to_csv(dev, index=False)
    model = train(str(data), str(labels), dev_data=str(dev), dev_gold="gold")
    assert min(model.info["c_scores"].values()) >= 0.9  # the word cues, not the memorised errors
    assert model.info["dev_texts_in_training"] == len(dev_idx) and model.info["trained_rows"] == 300
    out = tmp_path / "model"
    assert main(["train", str(data), "--labels", str(labels), "-o", str(out), "--dev-data", str(dev), "--dev-gold", "gold"]) == 0
    assert "on fits without the 50 rows sharing a dev text" in " ".join(capsys.readouterr().err.split())


def test_labels_that_repeat_ids_are_refused(made: tuple[Path, Path], tmp_path: Path) -> None:
    """Two runs' labels concatenated would train each repeated row twice, with both labels."""
    data, labels = made
    frame = pd.read_parquet(labels)
    flipped = frame.iloc[:30].assign(HAM=frame["SPAM"].iloc[:30], SPAM=frame["HAM"].iloc[:30])
    twice = tmp_path / "twice.parquet"
    pd.concat([frame, flipped], ignore_index=True).to_parquet(twice, index=False)
    with pytest.raises(DataError, match=r"The labels repeat 30 ids \(e.g. 'r0'\)"):
        train(str(data), str(twice))
    assert train(str(data), str(labels)).info["trained_rows"] == 200
