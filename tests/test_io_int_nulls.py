"""Integers beside missing values arrive as exact ints, not as rounded floats.

pyarrow's default conversion turns an int64 column holding a null into float64, which
cannot hold integers past 2**53: two distinct 19-digit ids (tweet or message ids) became
the same float, so LFs, row ids and the written labels silently lost them.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lf
from lf import ABSTAIN, labeling_function
from lf.cli import main

BIG = [1234567890123456789, 1234567890123456791, None]


@labeling_function()
def odd_ref(x):
    return ABSTAIN if x.ref is None else int(x.ref % 2)


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _parquet(path: Path) -> Path:
    table = pa.table({"id": pa.array(BIG, pa.int64()), "ref": pa.array(BIG, pa.int64()), "text": ["a", "b", "c"]})
    pq.write_table(table, path)
    return path


SOURCES = {
    "jsonl": lambda p: _jsonl(p / "d.jsonl", [{"id": v, "ref": v, "text": t} for v, t in zip(BIG, "abc")]),
    # a type change mid-file sends the rows through Python's JSON parser
    "jsonl_python_parser": lambda p: _jsonl(
        p / "d.jsonl", [{"id": v, "ref": v, "text": t} for v, t in zip(BIG, "abc")] + [{"id": "x", "ref": 7, "text": 5}]
    ),
    "parquet": lambda p: _parquet(p / "d.parquet"),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_big_ints_beside_nulls_keep_every_digit(source: str, tmp_path: Path) -> None:
    path = SOURCES[source](tmp_path)
    with pytest.warns(UserWarning, match=r"'id' is empty on 1 row \(positions 2, counted from 0\)"):
        L = lf.apply([odd_ref], path)
    assert L.row_ids is not None
    assert L.row_ids.tolist()[:3] == BIG
    assert np.asarray(L)[:3, 0].tolist() == [1, 1, ABSTAIN]


def test_written_labels_keep_distinct_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(
        "from lf import ABSTAIN, labeling_function\n\n@labeling_function()\ndef a(x):\n"
        "    return 1 if x.text == 'a' else 0\n"
    )
    data = _parquet(tmp_path / "d.parquet")
    out = tmp_path / "labels.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # the CLI says it on stderr
        assert main(["label", "--lfs", str(lfs), str(data), "-o", str(out), "--model", "MajorityVoter"]) == 0
    assert "'id' is empty on 1 row (positions 2, counted from 0)" in capsys.readouterr().err
    ids = pd.read_csv(out, dtype={"id": str})["id"].tolist()
    assert ids[:2] == [str(v) for v in BIG[:2]]
