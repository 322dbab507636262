"""Whether a CSV value holds rows of the file: a quote that was text, read as CSV quoting.

A value that starts with a quote is read as quoted up to the next quote. When that quote
was text (``7,"Hi, he said,1``: a quote never closed on its line, a stray one), the
value runs on, over line breaks, to the next quote in the file: the rows between become
part of it, every later row moves up, and the file reads as fewer rows than it holds,
the labels of later rows paired with other texts. A quoted value may hold line breaks;
swallowed rows are told from written lines by their shape: each whole line inside the
value splits on the delimiter into as many fields as the file has columns, its last line
into as many as precede the value's column plus one, with no quote, and each line's first
field looks like the first column's value (digits when that value is digits, no space
when it has none). Only values holding a line break are looked at.

A row whose values are the column names (the header line again, as files joined with
their headers hold it) is found here too: both are rows of the file read as something
they are not, and both errors name the file's lines.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from lf.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["header_row", "header_row_error", "line_break", "line_span", "lines_of_width", "merged_row", "merged_rows_error", "refusal"]

_FEW = 64  # line breaks (values) found one by one in Python; past it, in bulk
_BREAK = re.compile(r"\r\n|\r|\n")


def line_break(path: Path) -> bytes:
    """The byte that ends the file's lines: ``\\r`` in a file whose first line ends in a
    carriage return alone, else ``\\n`` (``\\r\\n`` lines end in it too). A value that
    swallowed rows holds it."""
    import pyarrow as pa

    with pa.input_stream(str(path), compression="detect") as raw:
        head = raw.read(1 << 16)
    cr, nl = head.find(b"\r"), head.find(b"\n")
    return b"\r" if cr >= 0 and (nl < 0 or nl > cr + 1) else b"\n"


def merged_row(batch: pa.RecordBatch, names: list[str], delimiter: str, mark: bytes) -> tuple[str, int] | None:
    """The column and row (in ``batch``) of the first value that holds rows of the file
    whose header is ``names`` and whose lines end in ``mark`` (see :func:`line_break`), or None."""
    import pyarrow as pa

    kinds: dict[int, _Kind] | None = None  # what each column's values look like, when needed
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        rows = _rows_with_breaks(column, mark)
        if not rows:
            continue
        at = names.index(name)
        for row in _matching(column, rows, at, len(names), delimiter):
            kinds = _kinds(batch, names) if kinds is None else kinds
            if _fields_fit(_BREAK.split(column[row].as_py()), at, delimiter, kinds):
                return name, row
    return None


class _Kind(NamedTuple):
    """What a column's values in a batch look like: all digits, none with a space, or
    one of a few values (a label column)."""

    digits: bool
    spaceless: bool
    values: frozenset[str] | None
    gaps: bool  # some value is missing: an empty field fits


_FEW_VALUES = 20  # a column of at most this many distinct values, each on 5 rows or more, is categorical


def _kinds(batch: pa.RecordBatch, names: list[str]) -> dict[int, _Kind]:
    """:class:`_Kind` of each text column of ``batch``, by its position in ``names``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = {}
    for j, name in enumerate(names):
        column = batch.column(name) if name in batch.schema.names else None
        if column is None or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        distinct = int(pc.count_distinct(column).as_py())
        few = distinct <= _FEW_VALUES and len(column) >= 5 * distinct
        out[j] = _Kind(
            digits=bool(pc.all(pc.utf8_is_digit(column)).as_py()),
            spaceless=not pc.any(pc.match_substring_regex(column, r"\s")).as_py(),
            values=frozenset(str(v) for v in pc.unique(column).to_pylist() if v is not None) if few else None,
            gaps=column.null_count > 0,
        )
    return out


def _fields_fit(lines: list[str], at: int, delimiter: str, kinds: dict[int, _Kind]) -> bool:
    """Whether the fields of a value's lines that would be other values, were its opening
    quote text, look like their columns' values: on its first line, those after the value
    (the rest of the row the quote opened); on each whole line, every field; on its last
    line, those before it. The rows a stray quote swallowed hold the same kind of values
    as the other rows; the lines of a text that happen to hold commas seldom do. With no
    such field (a file of one column), there is no sign, and the value is not refused."""
    first = lines[0].split(delimiter)
    fields = [(at + i, v) for i, v in enumerate(first) if i]
    for line in filter(None, lines[1:-1]):
        fields += list(enumerate(line.split(delimiter)))
    fields += list(enumerate(lines[-1].split(delimiter)[:at]))
    known = [(j, v) for j, v in fields if j != at and j in kinds]
    # No field to compare (a file of one column, where every line reads as a row): no sign
    # of rows, and a text over several lines is the common case.
    return bool(known) and all(_fits(kinds[j], v) for j, v in known)


def _fits(kind: _Kind, value: str) -> bool:
    if not value:
        return kind.gaps or not (kind.digits or kind.values)
    if kind.digits and not value.isdigit():
        return False
    if kind.spaceless and any(c.isspace() for c in value):
        return False
    return kind.values is None or value in kind.values


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
    own, no quote anywhere (any quote would have ended the value) but in what follows the
    quote that ended it, which the parser adds to the value up to the next delimiter (that
    quote opened a quoted value of a later row: ``4,"more",1`` gives ``4,more"``). The first line holds the
    rest of the row the stray quote opens: its value and the ``width - at - 1`` after it
    (in the first column, a whole row)."""
    d = re.escape(delimiter)
    field = f'[^"\\r\\n{d}]*'
    row = f"{field}(?:{d}{field}){{{width - 1}}}"
    head = f"(?:{field}{d}){{{at}}}[^\\r\\n{d}]*"  # after the quote that ended it, the parser reads on to a delimiter
    start = f"{field}(?:{d}{field}){{{width - at - 1}}}"
    return f'^{start}(?:(?:\\r\\n|\\r|\\n)(?:{row})?)*(?:\\r\\n|\\r|\\n){head}$'


def _rows_with_breaks(column: pa.Array, mark: bytes) -> list[int]:
    """The rows of a text column whose value holds the byte ``mark``, found in its bytes at
    once (a search per value took longer than parsing the file)."""
    import numpy as np
    import pyarrow as pa

    _, offsets_buf, data_buf = column.buffers()
    data = b"" if data_buf is None else data_buf.to_pybytes()
    if data.find(mark) < 0:  # memchr: the common case costs one copy and one search
        return []
    found = list(itertools.islice(_find_all(data, mark), _FEW + 1))
    if len(found) > _FEW:  # many: one pass over the bytes
        found = np.flatnonzero(np.frombuffer(data, np.uint8) == mark[0]).tolist()
    kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buf, kind)[column.offset : column.offset + len(column) + 1]
    rows = np.unique(np.searchsorted(offsets, found, side="right") - 1)
    return [int(r) for r in rows if 0 <= r < len(column)]  # a slice's buffer holds other rows


def _find_all(data: bytes, mark: bytes) -> Iterator[int]:
    at = data.find(mark)
    while at >= 0:
        yield at
        at = data.find(mark, at + 1)


def merged_rows_error(path: Path, fmt: str, name: str, row: int) -> DataError:
    return refusal(
        path, fmt, row, f"the {name!r} value at {{where}} holds lines that read as rows of the file: a value "
        "starting with a quote (\") is read as quoted up to the next quote, so those rows would be merged "
        "into one. If that quote is text, quote the whole value and double the quotes in it "
        '("he said ""hi"""); if the value really holds those lines, convert the file, e.g. '
        "pandas.read_csv(path, dtype=str, keep_default_na=False).to_parquet(new_path).",
    )


def refusal(path: Path, fmt: str, row: int, message: str) -> DataError:
    """A DataError for the file: ``message`` with ``{where}`` replaced by the row's lines
    ("line 4", "line 3 (to line 6)") or, if they cannot be told, its position."""
    lines = _lines_of_row(path, fmt, row)
    where = f"row position {row:,}" if lines is None else line_span(lines)
    return DataError(f"Could not read {str(path)!r} as {fmt.upper()}: " + message.format(where=where))


def line_span(lines: tuple[int, int]) -> str:
    """``line 4``, or ``line 3 (to line 6)`` for a row over several lines."""
    return f"line {lines[0]:,}" + (f" (to line {lines[1]:,})" if lines[1] != lines[0] else "")


def _lines_of_row(path: Path, fmt: str, row: int) -> tuple[int, int] | None:
    """The first and last line of data row ``row`` (from 0, blank lines skipped), as
    Python's csv module reads the file; None if it cannot."""
    return _first_lines(path, fmt, lambda seen, fields: seen == row)


def lines_of_width(path: Path, fmt: str, width: int) -> tuple[int, int] | None:
    """The first and last line of the first data row that does not have ``width`` fields
    (the parser's "Expected N columns" error), or None."""
    return _first_lines(path, fmt, lambda seen, fields: len(fields) != width)


def _first_lines(path: Path, fmt: str, wanted: Callable[[int, list[str]], bool]) -> tuple[int, int] | None:
    """The first and last line of the first data row (blank lines skipped; ``seen``: its
    position among them) for which ``wanted(seen, fields)`` holds, as Python's csv module
    reads the file; None if there is none or it cannot."""
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
                if fields and wanted(seen, fields):
                    return start, reader.line_num
    except (csv.Error, pa.ArrowException, OSError, UnicodeDecodeError):
        return None


def header_row(batch: pa.RecordBatch) -> int | None:
    """The first row (in ``batch``) whose values are their columns' names (two columns at
    least): the header line again, as files joined with their headers hold it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if batch.num_columns < 2 or batch.num_rows == 0:
        return None
    first = batch.column(0)
    if first.buffers()[2] is None or first.buffers()[2].to_pybytes().find(batch.schema.names[0].encode()) < 0:
        return None  # the name is nowhere in the first column's bytes (a fast search)
    hits = None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return None
        same = pc.fill_null(pc.equal(column, name), False)
        hits = same if hits is None else pc.and_(hits, same)
        if not pc.any(hits).as_py():
            return None
    return None if hits is None else int(pc.index(hits, True).as_py())


def header_row_error(path: Path, fmt: str, row: int) -> DataError:
    return refusal(
        path, fmt, row, "{where} repeats the header line, so it would be read as a row of data (files "
        "joined with their headers?). Remove the repeated header line(s), or pass the files themselves "
        "(several paths or a glob).",
    )
