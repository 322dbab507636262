"""JSON Lines rows with Python's parser, where pyarrow's reader gave up (a type changed).

The frames have the same columns whatever rows a chunk holds: every key of the file, in
the order first seen, where a chunk of rows lacking a key had no such column (``x.meta``
failed on some chunks and not others, by the chunk size). A missing value (a ``null``, or
a key the row lacks) is what pyarrow's reader gives for the column's values in the whole
file: NaN in a column of text (or of nulls only) and of numbers with a fraction, None in
any other (integers, booleans, lists, objects, values of several types); a chunk of nulls
only no longer made a column of lists a column of text.

Rows pyarrow read before it gave up (its blocks up to ``pyarrow_rows``) but lf had not
passed on yet are given the columns and missing values pyarrow's blocks gave them (in
chunks that end where those blocks end, when the rest of the file has other columns or
missing values), so what a row's LFs see never depends on the chunk size.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["first_line_with", "json_frames"]


def _records(path: Path) -> Iterator[dict[str, Any]]:
    """The file's rows (objects), one per line that is not blank."""
    for _, record in _numbered(path):
        yield record


def first_line_with(path: Path, key: str) -> int | None:
    """The line (from 1) of the first row of ``path`` that has ``key``, or None."""
    return next((line_no for line_no, record in _numbered(path) if key in record), None)


def _numbered(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's rows (objects) and their line numbers, one per line that is not blank."""
    import pyarrow as pa

    from lf.io import _json_row, _not_utf8, _unreadable

    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig")  # a BOM, as pyarrow reads it
            for line_no, line in enumerate(text, 1):
                if line.strip():
                    yield line_no, _json_row(path, line, line_no)
    except UnicodeDecodeError:
        raise _not_utf8(path, "jsonl") from None
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise _unreadable(path, "jsonl", exc) from None


def _kind(seen: str, value: Any) -> str:
    """A column's kind ("nulls", "text", "ints", "numbers" or "other") after ``value``."""
    if value is None:
        return seen
    if isinstance(value, str):
        now = "text"
    elif isinstance(value, float):
        now = "numbers"
    elif isinstance(value, int) and not isinstance(value, bool):
        now = "ints"
    else:
        return "other"
    if seen in ("nulls", now):
        return now
    return "numbers" if {seen, now} == {"ints", "numbers"} else "other"


def _layouts(path: Path, pyarrow_rows: int) -> tuple[dict[str, str], dict[str, str]]:
    """Each key's kind over the first ``pyarrow_rows`` rows and over the whole file."""
    before: dict[str, str] = {}
    every: dict[str, str] = {}
    for row, record in enumerate(_records(path)):
        for key, value in record.items():
            every[key] = _kind(every.get(key, "nulls"), value)
        if row + 1 == pyarrow_rows:
            before = dict(every)
    return before, every


_NAN_KINDS = ("nulls", "text", "numbers")  # the kinds whose missing values are NaN (else None)


def _missing_as(layout: dict[str, str]) -> list[tuple[str, bool]]:
    """The columns, in order, and whether each one's missing values are NaN."""
    return [(key, kind in _NAN_KINDS) for key, kind in layout.items()]


def _column(pd: Any, values: list[Any], kind: str) -> pd.Series:
    if kind in ("nulls", "text"):
        return pd.Series(values, dtype="str")
    if kind == "numbers":  # ints beside floats stay ints (exact past 2**53)
        if any(type(v) is int for v in values):
            return pd.Series([float("nan") if v is None else v for v in values], dtype=object)
        return pd.Series(values, dtype="float64")
    column = pd.Series(values)
    if column.dtype.kind == "f" or any(v is None for v in values):
        return pd.Series(values, dtype=object)
    return column


def _frame(pd: Any, records: list[dict[str, Any]], layout: dict[str, str], columns: list[str] | None) -> pd.DataFrame:
    names = list(layout) if columns is None else columns
    return pd.DataFrame({name: _column(pd, [r.get(name) for r in records], layout.get(name, "nulls")) for name in names},
                        columns=names, index=pd.RangeIndex(len(records)))


def json_frames(path: Path, chunk_size: int, columns: list[str] | None, *, skip: int, pyarrow_rows: int) -> Iterator[pd.DataFrame]:
    """The rows of ``path`` after the first ``skip`` (yielded already), in chunks of at
    most ``chunk_size``; the first ``pyarrow_rows`` rows laid out as pyarrow read them."""
    import pandas as pd

    before, every = _layouts(path, pyarrow_rows)
    if _missing_as(before) == _missing_as(every):  # the same frames: no chunk ends at pyarrow's last row
        pyarrow_rows = 0
    records: list[dict[str, Any]] = []
    for row, record in enumerate(_records(path)):
        if row < skip:
            continue
        records.append(record)
        if len(records) == chunk_size or row + 1 == pyarrow_rows:
            yield _frame(pd, records, before if row < pyarrow_rows else every, columns)
            records = []
    if records:
        yield _frame(pd, records, every, columns)
