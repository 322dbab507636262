"""lf train on texts the end model's n-grams read in part or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.train import load_model, predict, train

pytest.importorskip("sklearn")


def _data(tmp_path: Path, texts: list[str], y: np.ndarray) -> tuple[Path, Path]:
    ids = [f"r{i}" for i in range(len(texts))]
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": ids, "text": texts, "blank": " "}).to_csv(data, index=False)
    spam = np.where(y == 1, 0.9, 0.1)
    labels = tmp_path / "labels.csv"
    pd.DataFrame({
        "id": ids, "HAM": 1 - spam, "SPAM": spam, "label": np.where(y == 1, "SPAM", "HAM"),
        "confidence": 0.9, "covered": True,
    }).to_csv(labels, index=False)
    return data, labels


def test_texts_without_a_word_train_on_their_characters(tmp_path: Path) -> None:
    """Reactions made of emoji only have no word n-gram: training failed with scikit-learn's
    'ValueError: empty vocabulary' (lf train: 'internal error'), though their characters
    tell the classes apart."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    texts = [" ".join(rng.choice(["💰", "🤑", "💸"] if c else ["❤", "😍", "🎶"], size=3)) for c in y]
    data, labels = _data(tmp_path, texts, y)
    model = train(str(data), str(labels), C=4.0)
    assert model.vocabularies[0] == [] and model.vocabularies[1]
    model.save(tmp_path / "m")
    again = load_model(tmp_path / "m")
    pred = predict(again, str(data), progress=False)
    assert (pred["label"].to_numpy() == np.where(y == 1, "SPAM", "HAM")).all()
    assert np.allclose(again.predict_proba(texts), model.predict_proba(texts))
    assert np.allclose(again.predict_proba(["a word 💰"]).sum(axis=1), 1.0)


def test_a_column_of_blank_texts_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Texts with no n-gram at all (a blank column, the wrong --text-column) gave 'internal
    error: ValueError: empty vocabulary; perhaps the documents only contain stop words'."""
    y = np.arange(50) % 2
    data, labels = _data(tmp_path, [f"text {i}" for i in range(50)], y)
    with pytest.raises(DataError, match="'blank' column"):
        train(str(data), str(labels), text_column="blank")
    code = main(["train", str(data), "--labels", str(labels), "-o", str(tmp_path / "m"), "--text-column", "blank"])
    err = capsys.readouterr().err
    assert code == 2 and "no text in their 'blank' column" in err and "internal error" not in err
    assert not (tmp_path / "m").exists()
