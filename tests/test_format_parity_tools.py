"""Files written by other tools than pandas, and read blocks that cut a row, give the frame's labels.

``tests/test_format_parity.py`` writes every format with pandas; here the same rows come
from Python's csv module (its quoting options, ``\\r\\n`` or ``\\n`` line ends, gzip), and
the places where the readers cut a file (pyarrow's CSV read blocks, pyarrow's JSON Lines
blocks, lf's chunks) fall inside a row. The matrix must be the in-memory frame's whatever
the block and chunk sizes, with the differences the other module documents (CSV holds
text only; an empty and a missing text are one) and these, intended:

- JSON Lines: a key a row lacks is a missing value, as a ``null`` is (pyarrow reads both
  as one); the columns are every key of the file, in the order first seen. A missing
  value of a text column (every value a string) reaches LFs as NaN, as from a CSV; of any
  other column (numbers, lists, objects, or values of several types), as None.
- An object (a JSON object, a Parquet struct) read by pyarrow has every key the column's
  objects have, those it lacks as None (Arrow gives a column one struct type); read by
  Python's parser (a JSON Lines file whose types change) and in a frame, only its own.
  A list or an object reaches LFs as a Python list or dict from every source.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lf
import lf.io
from lf.io import iter_chunks

NAN = float("nan")  # repr 'nan', as a missing text reaches LFs


def _digest(value: Any) -> int:
    return zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % 250


@lf.labeling_function()
def saw_text(x: Any) -> int:
    return _digest(x.text)


def _matrix(data: Any, **options: Any) -> np.ndarray:
    return lf.apply([saw_text], data, progress=False, cardinality=250, **options).array


def _straddling_rows(line_end: str) -> list[tuple[str, str]]:
    """Rows whose CSV text (header ``id,text``, every value quoted) puts a quoted value's
    ``\\r\\n`` across the reader's first block boundary: its ``\\r`` is the block's last byte."""
    rows = [(f"{i:04d}", f"row {i}\r\nsecond line") for i in range(200)]
    head = f'"id","text"{line_end}' + "".join(f'"{a}","{b}"{line_end}' for a, b in rows)
    opening = len(head.encode()) + len('"0200","')
    pad = lf.io._BLOCK - 1 - opening  # the \r of the value's \r\n ends the first block
    rows.append(("0200", "y" * pad + "\r\nafter the block"))
    rows += [(f"{i:04d}", f"tail {i}\r\n") for i in range(201, 260)]
    return rows


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize("suffix", ["csv", "csv.gz"])
def test_a_quoted_line_break_cut_by_the_read_block_keeps_both_its_characters(tmp_path: Path, line_end: str, suffix: str) -> None:
    rows = _straddling_rows(line_end)
    path = tmp_path / f"rows.{suffix}"
    with (gzip.open(path, "wt", newline="", encoding="utf-8") if suffix.endswith("gz") else open(path, "w", newline="", encoding="utf-8")) as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator=line_end)
        writer.writerow(["id", "text"])
        writer.writerows(rows)
    if suffix == "csv":
        assert path.read_bytes()[lf.io._BLOCK - 1 : lf.io._BLOCK + 1] == b"\r\n"
    texts = pd.concat(iter_chunks(path, 64), ignore_index=True)["text"].tolist()
    assert texts == [b for _, b in rows]  # "y...y\r\nafter the block", not "y...y\rafter the block"
    frame = pd.DataFrame(rows, columns=["id", "text"])
    assert np.array_equal(_matrix(str(path), chunk_size=7), _matrix(frame))


@lf.labeling_function()
def saw_fields(x: Any) -> int:
    return _digest((getattr(x, "extra", "no such column"), getattr(x, "tags", "no such column"), x.text))


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _fields(data: Any, **options: Any) -> list[list[int]]:
    return lf.apply([saw_fields], data, progress=False, cardinality=250, **options).array.tolist()


def test_json_lines_read_by_python_give_every_chunk_the_files_columns(tmp_path: Path) -> None:
    # the id turning to text sends the file to Python's parser; "extra" is in one row only
    records = [
        {"id": 1, "text": "a", "extra": "e", "tags": ["x", "y"]},
        {"id": 2, "text": "b", "tags": ["z"]},
        {"text": "c", "id": 3, "tags": None},
        {"id": 4, "text": None, "tags": ["w"], "more": 1},
        {"id": "x5", "text": "e"},
    ]
    path = _jsonl(tmp_path / "rows.jsonl", records)
    want = [_digest((e, t, x)) for e, t, x in [("e", ["x", "y"], "a"), (NAN, ["z"], "b"), (NAN, None, "c"), (NAN, ["w"], NAN), (NAN, None, "e")]]
    for size in (1, 2, 3, 100):
        assert [row[0] for row in _fields(str(path), chunk_size=size)] == want, size


def test_json_lines_with_a_key_first_seen_after_the_first_block_read_alike_in_any_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lf.io, "_JSON_BLOCK", 256)  # a few rows per block
    records = [{"id": i, "text": f"row {i:03d}", "tags": None if i % 3 else ["t"]} for i in range(40)]
    records[30]["extra"] = "late"  # pyarrow's reader gives up at its block: Python's reads on
    path = _jsonl(tmp_path / "rows.jsonl", records)
    got = {size: _fields(str(path), chunk_size=size) for size in (1, 2, 3, 7, 100)}
    assert all(m == got[1] for m in got.values()), got


@lf.labeling_function()
def has_tags(x: Any) -> int:
    return -1 if x.tags is None else int(bool(x.tags) and x.tags == list(x.tags))


@pytest.mark.parametrize("suffix", ["parquet", "jsonl"])
def test_a_list_in_a_file_reaches_lfs_as_the_list_a_frame_gives(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"], "tags": [["x", "y"], [""], [], None]})
    path = tmp_path / f"rows.{suffix}"
    frame.to_parquet(path) if suffix == "parquet" else frame.to_json(path, orient="records", lines=True)
    want = lf.apply([has_tags], frame, progress=False).array.ravel().tolist()
    assert want == [1, 1, 0, -1]
    for size in (1, 4):  # not NumPy arrays: `if x.tags` raised on two tags and read [""] as false
        assert lf.apply([has_tags], str(path), progress=False, chunk_size=size).array.ravel().tolist() == want


VALUES = st.none() | st.sampled_from(["", "a", "NaN", "null"]) | st.integers(-3, 3) | st.sampled_from([2**63, 0.5, -1.0, True])
VALUES = VALUES | st.lists(st.sampled_from(["", "x", 0]), max_size=2) | st.dictionaries(st.sampled_from(["k", "j"]), st.integers(0, 2), max_size=2)
RECORDS = st.lists(st.dictionaries(st.sampled_from(["text", "extra", "tags", "n"]), VALUES), min_size=1, max_size=10)


@lf.labeling_function()
def saw_every_field(x: Any) -> int:
    return _digest([getattr(x, name, "no such column") for name in ("text", "extra", "tags", "n")])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=RECORDS, block=st.sampled_from([64, 256, 1 << 20]))
def test_json_lines_of_any_keys_and_types_label_alike_in_any_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[dict[str, Any]], block: int
) -> None:
    monkeypatch.setattr(lf.io, "_JSON_BLOCK", block)  # pyarrow's blocks end among the rows, or hold them all
    path = _jsonl(tmp_path / f"rows{zlib.crc32(repr((records, block)).encode())}.jsonl", records)
    got = [lf.apply([saw_every_field], str(path), progress=False, cardinality=250, chunk_size=size).array.tolist() for size in (1, 3, 10)]
    assert got[0] == got[1] == got[2], (records, got)


def test_json_lines_of_objects_without_keys_end_in_chunks_of_any_size(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "rows.jsonl", [{}, {}, {}])  # rows of no columns: pyarrow's table of them
    for size in (1, 2, 10):  # chunks of 1 row never ended: slicing such a table kept its rows
        chunks = itertools.islice(iter_chunks(path, size), 5)  # at most 5: the old reader gave 1-row chunks forever
        assert [len(chunk) for chunk in chunks] == [min(size, 3 - start) for start in range(0, 3, size)]
