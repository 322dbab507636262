"""A missing text reaches a row LF as NaN whatever the file's other rows hold and however
the file is cut into chunks: a column of nulls only was None, so ``if not x.text`` read
the same row one way or the other by the chunk size, or by the other files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

import lf


@lf.labeling_function()
def has_text(x: Any) -> int:
    return 1 if x.text else 0  # NaN is truthy, None is not: a sign of which one arrived


def test_a_json_lines_file_parsed_by_chunks_gives_one_matrix(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"text": None, "n": 1}, {"text": None, "n": 2}, {"text": "a", "n": "x"}, {"text": None, "n": 3}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")  # "n" changes type
    by_two = lf.apply([has_text], str(path), chunk_size=2, progress=False).array.ravel().tolist()
    whole = lf.apply([has_text], str(path), chunk_size=4, progress=False).array.ravel().tolist()
    assert by_two == whole == [1, 1, 1, 1]  # was [0, 0, 1, 1] by two rows


def test_a_parquet_file_of_missing_texts_reads_as_a_csv_does(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "text": [None, None]}, dtype=object)
    frame.to_parquet(tmp_path / "empty.parquet", index=False)  # a column of nulls only
    frame.to_csv(tmp_path / "empty.csv", index=False)
    pd.DataFrame({"id": ["3"], "text": ["b"]}).to_parquet(tmp_path / "full.parquet", index=False)
    files = [str(tmp_path / "empty.parquet"), str(tmp_path / "full.parquet")]
    assert lf.apply([has_text], files, progress=False).array.ravel().tolist() == [1, 1, 1]  # was [0, 0, 1]
    csv = lf.apply([has_text], str(tmp_path / "empty.csv"), progress=False).array.ravel().tolist()
    assert csv == [1, 1]
