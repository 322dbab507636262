"""A folder of part files (what ``lf label --engine dask`` writes) read as one matrix or
labels file: parts in the order of their numbers, a folder without parts named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.errors import DataError
from lf.train_data import labeled_texts


def _matrix(rows: list[list[int]], start: int, labels: list[str] | None = None) -> lf.LabelMatrix:
    ids = np.array([f"r{i}" for i in range(start, start + len(rows))], dtype=object)
    return lf.LabelMatrix(np.array(rows, np.int8), names=["a", "b"], cardinality=2, labels=labels or ["HAM", "SPAM"], row_ids=ids)


def test_parts_are_stacked_by_their_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "L"
    folder.mkdir()
    parts = {2: _matrix([[1, 1]], 1), 10: _matrix([[0, -1], [1, 0]], 2), 0: _matrix([[0, 0]], 0)}
    for i, part in parts.items():  # part-100000 sorts before part-20000 as text, not as a number
        part.save(folder / f"part-{i * 10000:05d}.parquet")
    got = lf.LabelMatrix.load(folder)
    assert list(got.row_ids) == ["r0", "r1", "r2", "r3"]
    assert got.array.tolist() == [[0, 0], [1, 1], [0, -1], [1, 0]]


def test_a_folder_without_parts_or_of_parts_that_disagree_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a part")
    with pytest.raises(DataError, match=r"'.*empty' is a folder without part files \(part-00000.parquet"):
        lf.LabelMatrix.load(empty)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    _matrix([[0, 0]], 0).save(mixed / "part-00000.parquet")
    _matrix([[1, 1]], 1, labels=["SPAM", "HAM"]).save(mixed / "part-00001.parquet")
    with pytest.raises(DataError, match="from its part files: .*name the classes HAM, SPAM and SPAM, HAM"):
        lf.LabelMatrix.load(mixed)


def test_a_labels_folder_is_read_as_its_parts_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "labels"
    folder.mkdir()
    frame = pd.DataFrame({"id": ["r0", "r1", "r2"], "HAM": [0.9, 0.2, 0.6], "SPAM": [0.1, 0.8, 0.4],
                          "label": ["HAM", "SPAM", "HAM"], "confidence": [0.9, 0.8, 0.6], "covered": [True, True, True]})
    frame.iloc[:2].to_parquet(folder / "part-00000.parquet", index=False)
    frame.iloc[2:].to_parquet(folder / "part-00001.parquet", index=False)
    data = pd.DataFrame({"id": ["r2", "r0", "r1"], "text": ["two", "zero", "one"]})  # another order: matched by id
    texts, P, names, _ = labeled_texts(data, str(folder), "text", None, all_rows=False)
    assert names == ["HAM", "SPAM"]
    assert dict(zip(texts, P[:, 1].tolist())) == {"zero": 0.1, "one": 0.8, "two": 0.4}


def test_a_label_matrix_given_as_labels_is_named_as_one(tmp_path: Path) -> None:
    path = tmp_path / "L.parquet"
    _matrix([[0, 1], [1, -1]], 0).save(path)
    data = pd.DataFrame({"id": ["r0", "r1"], "text": ["zero", "one"]})
    with pytest.raises(DataError, match=r"L.parquet' is a label matrix \(the LFs' votes\), not labels"):
        labeled_texts(data, str(path), "text", None, all_rows=False)
