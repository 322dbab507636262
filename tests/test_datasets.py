"""lf.datasets.load_wrench: WRENCH-format folders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lf.datasets import WrenchSplit, load_wrench
from lf.errors import DataError
from lf.matrix import LabelMatrix


def write_wrench(folder: Path, splits: dict[str, dict[str, object]], labels: dict[str, str] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in splits.items():
        (folder / f"{name}.json").write_text(json.dumps(content))
    if labels is not None:
        (folder / "label.json").write_text(json.dumps(labels))
    return folder


def example(label: int, weak: list[int], text: str = "hello") -> dict[str, object]:
    return {"label": label, "weak_labels": weak, "data": {"text": text}}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    train = {"0": example(1, [1, -1, 0], "buy now"), "7": example(0, [-1, -1, -1], "hi mum")}
    return write_wrench(tmp_path / "tiny", {"train": train, "test": {"0": example(0, [0, 0, -1])}}, {"0": "ham", "1": "spam"})


def test_loads_matrix_gold_texts_and_label_names(tiny):
    split = load_wrench(tiny, "train")
    assert isinstance(split, WrenchSplit) and isinstance(split.L, LabelMatrix)
    assert split.L.shape == (2, 3) and split.L.cardinality == 2
    assert split.L.labels == ("ham", "spam") and split.labels == ("ham", "spam")
    assert split.L.array.tolist() == [[1, -1, 0], [-1, -1, -1]]
    assert split.y.dtype == np.int64 and split.y.tolist() == [1, 0]
    assert split.texts == ["buy now", "hi mum"] and split.ids == ["0", "7"]
    assert list(split.L.row_ids) == ["0", "7"]


def test_missing_split_lists_the_available_ones(tiny):
    with pytest.raises(DataError, match="Available splits: test, train"):
        load_wrench(tiny, "valid")


def test_missing_folder_lists_sibling_wrench_folders(tiny):
    with pytest.raises(DataError, match="not found.*tiny"):
        load_wrench(tiny.parent / "tinny", "train")


def test_real_folders_are_listed_when_one_is_missing(datasets_dir):
    with pytest.raises(DataError, match="youtube, youtube_v1"):
        load_wrench(datasets_dir / "youtub", "train")


def test_bad_files(tmp_path):
    ragged = write_wrench(tmp_path / "r", {"train": {"0": example(0, [0, 1]), "1": example(1, [1])}}, {"0": "a", "1": "b"})
    with pytest.raises(DataError, match="different numbers of weak labels"):
        load_wrench(ragged, "train")
    out_of_range = write_wrench(tmp_path / "o", {"train": {"0": example(0, [2, 0])}}, {"0": "a", "1": "b"})
    with pytest.raises(DataError, match="out of range"):
        load_wrench(out_of_range, "train")
    bad_gold = write_wrench(tmp_path / "g", {"train": {"0": example(3, [1, 0])}}, {"0": "a", "1": "b"})
    with pytest.raises(DataError, match="gold label 3"):
        load_wrench(bad_gold, "train")
    missing = write_wrench(tmp_path / "m", {"train": {"0": {"data": {}}}}, None)
    with pytest.raises(DataError, match="needs 'label' and 'weak_labels'"):
        load_wrench(missing, "train")
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "train.json").write_text("{oops")
    with pytest.raises(DataError, match="not valid JSON"):
        load_wrench(tmp_path / "j", "train")


def test_without_label_json_names_are_numbers(tmp_path):
    folder = write_wrench(tmp_path / "n", {"train": {"0": example(2, [2, -1])}}, None)
    split = load_wrench(folder, "train")
    assert split.L.cardinality == 3 and split.labels == ("0", "1", "2")


def test_real_youtube_split(datasets_dir):
    folder = datasets_dir / "youtube"
    train, test = load_wrench(folder, "train"), load_wrench(folder, "test")
    assert train.L.shape == (1686, 10) and test.L.shape == (250, 10)
    assert train.labels == ("HAM", "SPAM") and len(train.texts) == 1686
    assert np.bincount(test.y).tolist() == [132, 118]
