"""lf.io.read_columns: a file's column names from its header alone, for every format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from lf.errors import DataError
from lf.io import read_columns


def test_columns_of_every_format_match_what_the_reader_yields(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "text": ["a,b", "line\nbreak"], "label": ["HAM", "SPAM"]})
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_csv(tmp_path / "d.tsv", index=False, sep="\t")
    frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
    with gzip.open(tmp_path / "d.csv.gz", "wt", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfid,text,label\n1,a,HAM\n")
    for name in ("d.parquet", "d.csv", "d.tsv", "d.jsonl", "d.csv.gz", "bom.csv"):
        assert read_columns(tmp_path / name) == ["id", "text", "label"], name


def test_a_quoted_header_with_commas_and_newlines_is_one_column_each(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('"the id","a, b","multi\nline"\n1,2,3\n')
    assert read_columns(path) == ["the id", "a, b", "multi\nline"]


def test_a_csv_header_naming_a_column_twice_names_the_file_and_the_column(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,text,label,text\n1,a,HAM,b\n")
    with pytest.raises(DataError, match=r"dup\.csv' names the column 'text' twice in its header line; rename one"):
        read_columns(path)


def test_empty_and_broken_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match=r"empty\.csv' is empty: a CSV file starts with a header line"):
        read_columns(tmp_path / "empty.csv")
    (tmp_path / "list.jsonl").write_text("\n" + json.dumps([1, 2]) + "\n")
    with pytest.raises(DataError, match=r"line 2 is a JSON list, not an object"):
        read_columns(tmp_path / "list.jsonl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"Could not read '.*bad\.parquet' as PARQUET"):
        read_columns(tmp_path / "bad.parquet")
    (tmp_path / "latin.csv").write_bytes("caf\xe9,text\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin\.csv' as CSV: it is not UTF-8 text"):
        read_columns(tmp_path / "latin.csv")
    with pytest.raises(DataError, match=r"Data file not found"):
        read_columns(tmp_path / "missing.csv")
