"""Whether a CSV value holds rows of the file: a quote that was text, read as CSV quoting.

A value that starts with a quote is read as quoted up to the next quote. When that quote
was text (``7,"Hi" he said,1`` written without quoting the value, or a stray quote), the
value runs on, over line breaks, to the next quote in the file: the rows between become
part of it, every later row moves up, and the file reads as fewer rows than it holds,
the labels of later rows paired with other texts. A quoted value may hold line breaks;
swallowed rows are told from written lines by their shape: each whole line inside the
value splits on the delimiter into as many fields as the file has columns, its last line
into as many as precede the value's column plus one, with no quote, and each line's first
field looks like the first column's value (digits when that value is digits, no space
when it has none). Only values holding a line break are looked at.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from lf.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["merged_row", "merged_rows_error"]

_FEW = 64  # line breaks (values) found one by one in Python; past it, in bulk
_BREAK = re.compile(r"\r\n|\r|\n")


def merged_row(batch: pa.RecordBatch, names: list[str], delimiter: str) -> tuple[str, int] | None:
    """The column and row (in ``batch``) of the first value that holds rows of the file
    whose header is ``names``, or None."""
    import pyarrow as pa

    first = batch.column(names[0]) if names and names[0] in batch.schema.names else None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        rows = _rows_with_breaks(column)
        if not rows:
            continue
        at = names.index(name)
        if at == 0:
            continue  # a first-column value's lines have no field before the value to check
        for row in _matching(column, rows, at, len(names), delimiter):
            head = None if first is None else first[row].as_py()
            lines = _BREAK.split(column[row].as_py())[1:]
            if head is None or all(_same_shape(line.split(delimiter)[0], head) for line in lines if line):
                return name, row
    return None


def _matching(column: pa.Array, rows: list[int], at: int, width: int, delimiter: str) -> list[int]:
    """Those of ``rows`` whose value matches ``pattern``: a few in Python, many in Arrow."""
    import pyarrow.compute as pc

    pattern = _rows_pattern(at, width, delimiter)
    if len(rows) <= _FEW:
        regex = re.compile(pattern)
        values = [(row, column[row].as_py()) for row in rows]
        return [row for row, value in values if _last_line(value).count(delimiter) == at and regex.search(value)]
    hits = pc.match_substring_regex(column.take(rows), pattern)
    return [rows[i] for i in pc.indices_nonzero(pc.fill_null(hits, False)).to_pylist()]


def _last_line(value: str) -> str:
    return value[max(value.rfind("\n"), value.rfind("\r")) + 1 :]


def _rows_pattern(at: int, width: int, delimiter: str) -> str:
    """A value whose lines after its first read as rows of ``width`` fields (blank lines
    aside), the last as the ``at`` fields before the value's column and the start of its
    own, no quote anywhere (any quote would have ended the value)."""
    d = re.escape(delimiter)
    field = f'[^"\\r\\n{d}]*'
    row = f"{field}(?:{d}{field}){{{width - 1}}}"
    head = f"{field}(?:{d}{field}){{{at}}}"
    return f'^[^"\\r\\n]*(?:(?:\\r\\n|\\r|\\n)(?:{row})?)*(?:\\r\\n|\\r|\\n){head}$'


def _rows_with_breaks(column: pa.Array) -> list[int]:
    """The rows of a text column whose value holds a line break, found in its bytes at
    once (a search per value took longer than parsing the file)."""
    import numpy as np

    _, offsets_buf, data_buf = column.buffers()
    if data_buf is None or len(column) == 0:
        return []
    data = data_buf.to_pybytes()
    found = list(itertools.islice(_find_all(data), _FEW + 1))  # memchr: fast when few
    if not found:
        return []
    if len(found) > _FEW:  # many: one pass over the bytes
        codes = np.frombuffer(data, np.uint8)
        found = np.flatnonzero((codes == 10) | (codes == 13)).tolist()
    kind = np.int64 if column.type == "large_string" else np.int32
    offsets = np.frombuffer(offsets_buf, kind)[column.offset : column.offset + len(column) + 1]
    rows = np.unique(np.searchsorted(offsets, found, side="right") - 1)
    return [int(r) for r in rows if 0 <= r < len(column)]  # a slice's buffer holds other rows


def _find_all(data: bytes) -> Iterator[int]:
    """The positions of the line breaks in ``data``: its "\\n", then its "\\r"."""
    for mark in b"\n\r":
        at = data.find(mark)
        while at >= 0:
            yield at
            at = data.find(mark, at + 1)


def _same_shape(field: str, head: str) -> bool:
    return field.isdigit() == head.isdigit() and any(c.isspace() for c in field) == any(c.isspace() for c in head)


def merged_rows_error(path: Path, fmt: str, name: str, row: int) -> DataError:
    lines = _lines_of_row(path, fmt, row)
    where = f"at line {lines[0]:,} (to line {lines[1]:,})" if lines else f"at row position {row:,}"
    return DataError(
        f"Could not read {str(path)!r} as {fmt.upper()}: the {name!r} value {where} holds lines that read "
        "as rows of the file: a value starting with a quote (\") is read as quoted up to the next quote, "
        "so those rows would be merged into one. If that quote is text, quote the whole value and double "
        'the quotes in it ("he said ""hi"""); if the value really holds those lines, convert the file, e.g. '
        "pandas.read_csv(path, dtype=str, keep_default_na=False).to_parquet(new_path)."
    )


def _lines_of_row(path: Path, fmt: str, row: int) -> tuple[int, int] | None:
    """The first and last line of data row ``row`` (from 0, blank lines skipped), as
    Python's csv module reads the file; None if it cannot."""
    import csv
    import io

    import pyarrow as pa

    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter="\t" if fmt == "tsv" else ",")
            next(reader, None)  # the header
            seen = -1
            while True:
                start = reader.line_num + 1
                fields = next(reader, None)
                if fields is None:
                    return None
                seen += bool(fields)
                if fields and seen == row:
                    return start, reader.line_num
    except (csv.Error, pa.ArrowException, OSError, UnicodeDecodeError):
        return None
