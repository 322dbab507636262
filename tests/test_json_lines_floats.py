"""Floats written to JSON Lines (ids, probabilities) read back bit-exact, as in CSV.

pandas writes JSON numbers with 15 significant digits: the id ``0.1 + 0.2`` came back as
``0.3``, ``2.0**53 + 2`` as another id, and probabilities as other numbers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.io import write_frame
from lf.label import label
from lf.writers import FrameWriter

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
ODD = [0.1 + 0.2, 2.0**53 + 2, 1 / 3, 1e-300 / 7, -2.0 / 3]


def _json_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_label_writes_float_ids_and_probabilities_exactly(tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO, nrows=200)
    frame["id"] = ODD + [(i + 1) / 7 for i in range(len(frame) - len(ODD))]
    data = tmp_path / "comments.parquet"
    frame.to_parquet(data)
    lfs = lf.load_lfs(DEMO_LFS)
    for name in ("labels.jsonl", "labels.csv", "labels.parquet"):
        label(lfs, data, output=tmp_path / name, progress=False)
    want = pd.read_parquet(tmp_path / "labels.parquet")
    assert want["id"].tolist() == frame["id"].tolist()
    probs = [c for c in want.columns if c not in ("id", "label", "confidence", "covered")]
    got = _json_rows(tmp_path / "labels.jsonl")
    assert [r["id"] for r in got] == frame["id"].tolist()
    for name in probs:
        assert np.array_equal([r[name] for r in got], want[name].to_numpy())
    with open(tmp_path / "labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["id"]) for r in rows] == frame["id"].tolist()
    assert np.array_equal([float(r[probs[0]]) for r in rows], want[probs[0]].to_numpy())


@pytest.mark.parametrize("name", ["t.jsonl", "t.jsonl.gz"])
def test_write_frame_keeps_every_digit(name: str, tmp_path: Path) -> None:
    ids = pd.Series([ODD[0], "a", None, ODD[1]], dtype=object)  # ids of mixed types
    frame = pd.DataFrame({"id": ids, "p": [ODD[2], np.nan, ODD[3], 1.0], "n": [1, 2, 3, 4]})
    path = write_frame(frame, tmp_path / name)
    back = pd.concat(list(lf.io.iter_chunks(path, 10)), ignore_index=True)
    assert back["id"].tolist() == [ODD[0], "a", None, ODD[1]]
    assert back["p"].tolist()[2:] == [ODD[3], 1.0] and back["p"][0] == ODD[2] and np.isnan(back["p"][1])
    assert back["n"].tolist() == [1, 2, 3, 4]


def test_frame_writer_chunks_keep_every_digit(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with FrameWriter(path) as writer:
        writer.write(pd.DataFrame({"x": ODD[:2], "t": ["a/b", "é\n"]}))
        writer.write(pd.DataFrame({"x": [], "t": []}))
        writer.write(pd.DataFrame({"x": ODD[2:3], "t": [None]}))
    assert _json_rows(path) == [{"x": ODD[0], "t": "a/b"}, {"x": ODD[1], "t": "é\n"}, {"x": ODD[2], "t": None}]
