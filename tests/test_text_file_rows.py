"""A CSV / TSV line repeating the header (files joined with their headers) is an error
naming the line, not a row of data; a JSON Lines file starting with a byte-order mark
reads the same whichever parser reads it; UTF-16 text is named as such.

Before, ``cat a.csv b.csv > all.csv`` read as one more row than it holds, a row whose
text was the column names, labeled and written like the others; and a JSON Lines file
with a BOM whose types change mid-file (read by Python's parser from there) was refused,
its first line said not to be JSON; and a line of two JSON objects, read as two rows by
pyarrow, made Python's parser (after a type change) lose a row. UTF-16 files were refused as "not UTF-8" with a
conversion from latin1 (or as a CSV parse error), a conversion that garbles them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _csv_files import (
    has_buy,
    many_rows,
    refused_in_one_line,
    write_data,
)

import lf
from lf.errors import DataError
from lf.io import iter_chunks

REPEATED = {
    "csv": ("t.csv", "id,text\n1,buy\n2,hi\nid,text\n3,ok\n", 4),
    "quoted": ("t.csv", 'id,text\n1,buy\n"id","text"\n3,ok\n', 3),
    "tsv": ("t.tsv", "id\ttext\n1\tbuy\nid\ttext\n3\tok\n", 3),
    "gzip": ("t.csv.gz", "id,text,label\n1,buy,0\n\n2,hi,1\nid,text,label\n3,ok,0\n", 5),
}


@pytest.mark.parametrize("case", sorted(REPEATED))
def test_a_repeated_header_line_is_an_error_naming_it(case: str, tmp_path: Path) -> None:
    name, text, line = REPEATED[case]
    path = write_data(tmp_path / name, text)
    with pytest.raises(DataError, match=rf"{name}.*line {line} repeats the header line"):
        lf.apply([has_buy], path)


def test_a_later_chunk_is_checked_too(tmp_path: Path) -> None:
    path = many_rows(tmp_path / "t.csv", "id,text", "{i},row {i}", 30_000, {20_000: "id,text"})
    with pytest.raises(DataError, match=r"line 20,002 repeats the header line"):
        list(iter_chunks(path, 1_000))


def test_values_naming_one_column_are_data(tmp_path: Path) -> None:
    path = write_data(tmp_path / "t.csv", "id,text\nid,buy\n2,text\n")
    assert pd.concat(list(iter_chunks(path, 10)))["text"].tolist() == ["buy", "text"]


def test_cli_says_it_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_data(tmp_path / "t.csv", REPEATED["csv"][1])
    err = refused_in_one_line(capsys, tmp_path, "label", data, tmp_path / "labels.csv")
    assert "t.csv" in err and "line 4 repeats the header" in err


def test_a_byte_order_mark_is_read_by_either_json_parser(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": 1, "text": "buy"}\n{"id": "a", "text": "hi"}\n')  # id: int, then text
    frame = pd.concat(list(iter_chunks(path, 10)))
    assert frame["id"].tolist() == [1, "a"] and frame["text"].tolist() == ["buy", "hi"]


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.jsonl"])
def test_utf16_text_is_named_with_its_conversion(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    rows = '{"id": 1, "text": "buy"}\n' if name.endswith("jsonl") else "id,text\n1,buy\n".replace(",", "\t" if name.endswith("tsv") else ",")
    path.write_text(rows, encoding="utf-16")
    with pytest.raises(DataError, match=r"t\.\w+.*it is UTF-16 text, not UTF-8.*iconv -f utf-16 -t utf-8"):
        lf.apply([has_buy], path)


def test_a_line_of_two_objects_is_refused_when_the_types_change_later(tmp_path: Path) -> None:
    # pyarrow reads the first line as two rows; after a type change past its first 8 MiB
    # block, Python's parser went on from the row count, one line too far: a row was lost
    path = tmp_path / "t.jsonl"
    pad = "x" * 80
    lines = ['{"id": 0, "text": "a"}{"id": 1, "text": "b"}']
    lines += [f'{{"id": {i}, "text": "{pad}"}}' for i in range(2, 120_002)] + ['{"id": "z", "text": "buy"}']
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"t\.jsonl.*line 1 is not valid JSON \(Extra data"):
        list(iter_chunks(path, 20_000))
