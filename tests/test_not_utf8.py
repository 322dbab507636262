"""Text that is not UTF-8 is refused, naming where it is, whatever the file's format.

pyarrow's CSV reader checks its text; its JSON Lines and Parquet readers keep bytes that are
not UTF-8 in a string column. A latin-1 line after the first block of a JSON Lines file then
reached LFs as a broken string: a keyword LF silently missed "caf\\xe9", a row LF failed
with a bare pyarrow error. Errors named no line for a bad data row, and a byte offset
counted from the start of a read buffer for a bad header.
"""

from __future__ import annotations

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lf
from lf.errors import DataError
from lf.io import iter_chunks

CAFE = "caf\xe9".encode("latin1")  # latin-1: 0xe9 alone is not UTF-8


@lf.labeling_function()
def cafe(x):
    return 0 if "caf" in x.text else -1


def _keyword() -> list[lf.LabelingFunction]:
    return [lf.keyword_lf("cafe_word", ["caf\u00e9"], 0), cafe]


def _broken_strings(values: list[bytes]) -> pa.Array:
    """A string array holding exactly these bytes (pyarrow does not check them here)."""
    raw = pa.array(values, pa.binary())
    return pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())


def test_a_latin1_line_late_in_a_jsonl_file_is_refused_by_its_line(tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_bytes(b'{"text": "a"}\n' * 1000 + b'{"text": "' + CAFE + b'"}\n')
    with pytest.raises(DataError, match=r"late\.jsonl' as JSONL: it is not UTF-8 text \(line 1,001, byte 14,013\)"):
        lf.apply(_keyword(), str(path), progress=False)
    with pytest.raises(DataError, match=r"line 1,001"):
        list(iter_chunks(path, 100))


def test_a_parquet_string_column_that_is_not_utf8_is_refused_by_column_and_row(tmp_path):
    path = tmp_path / "broken.parquet"
    table = pa.table({"id": list(range(8)), "text": _broken_strings([b"abc"] * 7 + [CAFE])})
    pq.write_table(table, path, row_group_size=3)
    for chunk_size in (2, 1000):
        with pytest.raises(DataError, match=r"column 'text' holds text that is not UTF-8, row 7 \(from 0\)"):
            lf.apply(_keyword(), str(path), chunk_size=chunk_size, progress=False)


def test_a_dictionary_column_is_checked_without_a_misleading_row(tmp_path):
    path = tmp_path / "categories.parquet"
    codes = pa.DictionaryArray.from_arrays(pa.array([0, 1, 1, 0], pa.int32()), _broken_strings([b"abc", CAFE]))
    pq.write_table(pa.table({"text": codes}), path)
    with pytest.raises(DataError, match=r"column 'text' holds text that is not UTF-8\. Write") as caught:
        lf.apply(_keyword(), str(path), progress=False)
    assert "row" not in str(caught.value)  # the index pyarrow names is the dictionary's


def test_a_latin1_data_row_in_a_csv_is_named_by_its_line(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"text,label\n" + b"hello,0\n" * 50_000 + CAFE + b",1\n")
    with pytest.raises(DataError, match=r"rows\.csv' as CSV: it is not UTF-8 text \(line 50,002, byte 400,014\)\. Convert"):
        lf.apply(_keyword(), str(path), progress=False)


def test_the_place_is_counted_in_the_whole_decompressed_file(tmp_path):
    # 1 MiB of two-byte characters, so one is cut by the reader's block; then a bad byte.
    body = b"text\n" + ("\xe9" * 99 + "\n").encode() * 6_000
    assert len(body) > 1 << 20 and body[(1 << 20) - 1 : (1 << 20) + 1].decode("utf-8", "replace").count("\ufffd") == 2
    bad = len(body) + 3
    path = tmp_path / "long.csv.gz"
    path.write_bytes(gzip.compress(body + CAFE + b"\n"))
    with pytest.raises(DataError, match=rf"not UTF-8 text \(line 6,002, byte {bad:,}\)"):
        list(iter_chunks(path, 1000))


def test_utf8_files_read_as_before(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text('{"text": "caf\u00e9"}\n{"text": "tea"}\n', encoding="utf-8")
    assert lf.apply(_keyword(), str(path), progress=False).array.tolist() == [[0, 0], [-1, -1]]
    parquet = tmp_path / "ok.parquet"
    pq.write_table(pa.table({"text": ["caf\u00e9", "tea"], "tags": [["a\u00e9"], []]}), parquet)
    assert lf.apply(_keyword(), str(parquet), progress=False).array.tolist() == [[0, 0], [-1, -1]]
