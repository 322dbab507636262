"""A JSON string reaches LFs as the same string, even when it looks like a date.

pyarrow's JSON reader typed ISO-date strings as timestamps: ``x.date`` was a Timestamp
(``x.date.startswith("2020")`` failed), ``"...Z"`` lost its zone, and a block holding another
string switched the rest of the file to text, so one column held two types.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import lf.io
from lf.io import iter_chunks

ROWS = [
    {"id": 1, "text": "a", "date": "2020-01-01", "at": "2020-01-01T10:00:00Z", "meta": {"d": "2020-01-02"}, "tags": ["2020-01-03"]},
    {"id": 2, "text": "b", "date": "2021-05-06", "at": "2021-05-06 23:59:59", "meta": {"d": "2020-01-04"}, "tags": []},
]


def _read(path: Path, chunk_size: int = 1000) -> pd.DataFrame:
    return pd.concat(list(iter_chunks(path, chunk_size)), ignore_index=True)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_date_like_strings_stay_the_strings_of_the_file(tmp_path: Path) -> None:
    frame = _read(_write(tmp_path / "d.jsonl", ROWS))
    for column in ("date", "at"):
        assert frame[column].tolist() == [r[column] for r in ROWS]
    assert frame["meta"].tolist() == [r["meta"] for r in ROWS]
    assert [list(t) for t in frame["tags"]] == [r["tags"] for r in ROWS]


@pytest.mark.parametrize("later", [{"date": "unknown"}, {"new": "2020-02-02"}])
def test_one_type_per_column_across_blocks(later: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lf.io, "_JSON_BLOCK", 256)  # a few rows per block
    rows = [{"id": i, "text": "t", "date": f"2020-01-{i % 28 + 1:02d}"} for i in range(40)]
    rows[-1] = {**rows[-1], **later}
    frame = _read(_write(tmp_path / "d.jsonl", rows), chunk_size=5)  # chunks leave before the change
    assert len(frame) == 40
    for column in later:
        values = frame[column].dropna().tolist()
        assert values and all(type(v) is str for v in values), column
    assert frame["date"].tolist() == [r["date"] for r in rows]
