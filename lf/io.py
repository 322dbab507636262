"""Chunked readers (pyarrow) for CSV, Parquet and JSON Lines, and atomic writers.

Every path is checked before anything is read (exists, is a file, has a known suffix); a
file pyarrow cannot read becomes a :class:`~lf.errors.DataError` naming the file and the
problem. CSV / TSV columns are read as text: an empty field is missing, every other field
is its text exactly (``NA``, ``null``, ``N/A`` included, which ``pandas.read_csv`` would turn
into missing values); JSON Lines values keep their JSON types. An integer column holding a
null (JSON Lines, Parquet) arrives as Python ints and None, not as float64, which would
round integers past 2**53 (long ids) without a word.
A CSV value holding lines that read as the file's rows (a quote that was text) is a
``DataError`` naming the lines (see :mod:`lf._csv_rows`), not rows merged into one.
A CSV row longer than the 8 MiB read block is read with a larger block (up to 1 GiB).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lf._json_reader import TimestampField
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["atomic_path", "count_rows", "detect_format", "iter_chunks", "read_columns", "write_frame"]

_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_COMPRESSION = (".gz", ".bz2", ".zst", ".lz4")
# pyarrow's CSV read block: a row must fit in (about) one block, and the first chunk waits
# for the first block to be parsed (1 MiB: workers start within milliseconds, and the whole
# read was faster than with 8 MiB blocks on a 166 MiB file).
_BLOCK = 1 << 20
_HEAD_BLOCK = 64 << 10  # enough for the header and a few rows, to learn the column names
_JSON_BLOCK = 8 << 20  # a JSON Lines row past its block goes to Python's parser
_BLOCK_CAP = 1 << 30  # the block grows (x4) up to this when a row does not fit


def detect_format(path: str | Path) -> str:
    """The reader for ``path`` from its suffix ('csv', 'tsv', 'parquet' or 'jsonl')."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION:
        suffixes = suffixes[:-1]
    fmt = _FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        known = ", ".join(sorted(_FORMATS))
        raise DataError(
            f"Unknown data format for {str(path)!r}. Use one of these suffixes: {known} "
            f"(optionally compressed: {', '.join(_COMPRESSION)})."
        )
    return fmt


def _as_paths(data: Any) -> list[Path] | None:
    """The files of a path, a glob pattern (``"shards/*.csv"``: the files it matches,
    sorted, as every reader of DATA takes it) or a list of those; None for other data."""
    from lf.corpus import expand_paths

    if isinstance(data, (str, os.PathLike)):
        return expand_paths([data])
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, (str, os.PathLike)) for d in data):
        return expand_paths(list(data))
    return None


def _check_paths(paths: list[Path]) -> None:
    """Fail before reading anything when a path is missing, a folder or of unknown format."""
    for p in paths:
        if not p.exists():
            raise DataError(f"Data file not found: {str(p)!r}.")
        if p.is_dir():
            raise DataError(f"{str(p)!r} is a folder; pass the data file(s) inside it.")
        if detect_format(p) == "parquet" and p.suffix.lower() in _COMPRESSION:
            raise DataError(
                f"Cannot read {str(p)!r}: a Parquet file is read as it is, not through {p.suffix} compression (Parquet "
                "compresses its columns itself). Decompress it first, e.g. `gunzip` or `zstd -d`."
            )


def _unreadable(path: Path, fmt: str, exc: BaseException) -> DataError:
    if "UTF8" in str(exc) or _utf16(path):
        return _not_utf8(path, fmt)  # which tells UTF-16 apart itself
    lines = _short_row(path, fmt, exc)
    bare = None if lines is None else _bare_return(path, fmt, lines[1])  # a row cut short by a bare \r?
    if bare is not None:
        return bare
    if fmt in ("csv", "tsv") and str(exc).startswith("Empty CSV file"):  # a file of a glob after the first
        return _empty(path, fmt)
    reason = str(exc).rstrip(". ")  # pyarrow's own ends in a period at times ("... not a parquet file.")
    if lines is not None:
        from lf._csv_rows import line_span

        return DataError(f"Could not read {str(path)!r} as {fmt.upper()}: {line_span(lines)}: {reason}.")
    return DataError(f"Could not read {str(path)!r} as {fmt.upper()}: {reason}.")


def _short_row(path: Path, fmt: str, exc: BaseException) -> tuple[int, int] | None:
    """The lines of the row a CSV / TSV parse error is about ("Expected 2 columns, got 3"
    names the row's text, which may span lines, not where it is), or None."""
    import re

    width = re.search(r"Expected (\d+) columns, got \d+", str(exc)) if fmt in ("csv", "tsv") else None
    if width is None:
        return None
    from lf._csv_rows import lines_of_width

    return lines_of_width(path, fmt, int(width.group(1)))


def _bare_return(path: Path, fmt: str, before: int | None = None) -> DataError | None:
    """The error for a carriage return that ends a row of a CSV / TSV file whose lines end
    in \\n (see :mod:`lf._csv_breaks`), on a line up to ``before``; or None."""
    from lf._csv_breaks import bare_return_error, bare_return_line, lines_end_in_newline

    if not lines_end_in_newline(path):
        return None
    line = bare_return_line(path)
    if line is None or (before is not None and line > before):
        return None
    return bare_return_error(path, fmt, line)


def _not_utf8(path: Path, fmt: str) -> DataError:
    if _utf16(path):  # a spreadsheet's "Unicode text": read as UTF-8, its columns run together
        return DataError(
            f"Could not read {str(path)!r} as {fmt.upper()}: it is UTF-16 text, not UTF-8. Convert it "
            "first, e.g. `iconv -f utf-16 -t utf-8`."
        )
    if fmt == "parquet":
        return DataError(
            f"Could not read {str(path)!r} as PARQUET: a text column holds text that is not UTF-8. "
            "Write the file again with its text columns as UTF-8 strings."
        )
    where = _first_non_utf8(path)
    at = "" if where is None else f" (line {where[0]:,}, byte {where[1]:,})"
    return DataError(
        f"Could not read {str(path)!r} as {fmt.upper()}: it is not UTF-8 text{at}. Convert it first, "
        "e.g. `iconv -f latin1 -t utf-8`."
    )


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """Line and byte offset (of the decompressed text, from 1 and 0) of the first byte that
    is not UTF-8, or None: read again only when a read failed, so users can find the row."""
    import pyarrow as pa

    start, lines, data = 0, 1, b""  # data: the bytes from ``start`` not yet known good
    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            while True:
                block = raw.read(1 << 20)
                data += block
                try:
                    data.decode("utf-8")
                    good = len(data)
                except UnicodeDecodeError as exc:
                    if block and exc.end == len(data):  # a character cut by the block's end
                        good = exc.start
                    else:
                        return lines + data[: exc.start].count(b"\n"), start + exc.start
                if not block:
                    return None
                lines += data[:good].count(b"\n")
                start, data = start + good, data[good:]
    except (pa.ArrowException, OSError, EOFError):
        return None


def _utf16(path: Path) -> bool:
    """Whether the file starts with a UTF-16 byte-order mark (UTF-32's starts with one too)."""
    import pyarrow as pa

    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            return raw.read(2) in (b"\xff\xfe", b"\xfe\xff")
    except (pa.ArrowException, OSError):
        return False


def count_rows(data: Any) -> int | None:
    """Number of rows when known cheaply (DataFrame length, Parquet metadata), else None.

    Paths are checked first, so a missing, unknown or corrupt file is a ``DataError``.
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return len(data)
    paths = _as_paths(data)
    if paths is None:
        return None
    _check_paths(paths)
    if not all(detect_format(p) == "parquet" for p in paths):
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    total = 0
    for p in paths:
        try:
            total += pq.ParquetFile(p).metadata.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise _unreadable(p, "parquet", exc) from None
    return total


def iter_chunks(data: Any, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """Yield DataFrame chunks of at most ``chunk_size`` rows from any supported source.

    ``data`` is a pandas DataFrame, an iterable of DataFrames, or one or more paths to
    CSV / TSV / Parquet / JSON Lines files (read in chunks with pyarrow). Chunks never span
    two files. CSV / TSV values are text (missing, as NaN, where a field is empty or an NA
    marker such as ``NA`` / ``NaN`` / ``null``).
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        for start in range(0, len(data), chunk_size):
            yield data.iloc[start : start + chunk_size]
        return
    paths = _as_paths(data)
    if paths is not None:
        _check_paths(paths)
        for p in paths:
            if columns:
                _check_has_columns(p, columns)
            yield from _file_frames(p, chunk_size, columns)
        return
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        for i, part in enumerate(data):
            if not isinstance(part, pd.DataFrame):
                raise _not_a_frame(i, part)
            for start in range(0, len(part), chunk_size):
                yield part.iloc[start : start + chunk_size]
        return
    raise DataError(
        f"Cannot read data of type {type(data).__name__}. Pass a pandas DataFrame, an iterable of "
        "DataFrames, a list of records, or path(s) to CSV / Parquet / JSON Lines files."
    )


def _check_has_columns(path: Path, columns: list[str]) -> None:
    """A file read for some of its columns has them all (the reader's own error names none)."""
    from lf.core import text_column_hint

    names = read_columns(path)
    for col in columns:
        if col not in names:
            raise DataError(
                f"The data file {str(path)!r} has no column {col!r}. Available columns: {', '.join(names)}."
                f"{late_key(path, col) or text_column_hint(col)}"
            )


def late_key(path: str | Path, column: str) -> str:
    """For a column a JSON Lines file's first row lacks: the line where its key first
    appears and the fix (its columns are its first row's keys), else ``""``."""
    if detect_format(path) != "jsonl":
        return ""
    from lf._json_rows import first_line_with

    line = first_line_with(Path(path), column)  # the file read again, only to say where
    if line is None:
        return ""
    return (
        f" Its rows have the key {column!r} from line {line:,} on, but lf finds a JSON Lines file's columns in its "
        f'first row: give it the key ("{column}": null where it has no value).'
    )


def _not_a_frame(i: int, part: Any) -> DataError:
    """What is wrong with item ``i`` of an iterable of data that is not a DataFrame."""
    from lf.corpus import _is_record

    kind = type(part).__name__
    if _is_record(part):
        return DataError(
            f"Item {i} of the data iterable is a record ({kind}): records are read from a list "
            "or tuple, and any other iterable (a generator ...) must yield DataFrames. Pass "
            "list(records), or yield pandas.DataFrame(batch) for batches of records."
        )
    swapped = " (the LFs and the data swapped? It is apply(lfs, data))" if callable(part) else ""
    return DataError(
        f"Item {i} of the data iterable is a {kind}, not a pandas DataFrame{swapped}. Pass "
        "DataFrames, a list of records (dicts, or objects with attributes) or file path(s)."
    )


def read_columns(path: str | Path) -> list[str]:
    """A data file's column names, read cheaply: the Parquet schema, the CSV / TSV header line,
    the first JSON Lines row's keys. The path is checked first (see :func:`iter_chunks`).

    A CSV / TSV header naming a column twice is a ``DataError`` naming the file and the
    column (a frame with two columns of one name cannot be labeled unambiguously).
    """
    path = Path(path)
    _check_paths([path])
    fmt = detect_format(path)
    if fmt == "parquet":
        return _parquet_columns(path)
    import pyarrow as pa

    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            names = _csv_header(path, text, fmt) if fmt in ("csv", "tsv") else _jsonl_keys(path, text)
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise _unreadable(path, fmt, exc) from None
    except UnicodeDecodeError:
        raise _not_utf8(path, fmt) from None
    return names


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return [str(name) for name in pq.read_schema(path).names]
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, "parquet", exc) from None


def _csv_header(path: Path, text: io.TextIOWrapper, fmt: str) -> list[str]:
    import csv

    first = text.readline()
    header = next(csv.reader(itertools.chain([first], text), delimiter="\t" if fmt == "tsv" else ","), None)
    if not header:
        raise _empty(path, fmt)
    # A spreadsheet's export in many locales; a name that holds ';' in quotes is one column's.
    if fmt == "csv" and len(header) == 1 and len(next(csv.reader([first], delimiter=";"), [])) > 1:
        raise DataError(
            f"{str(path)!r} has one column, named {header[0]!r}: its values are separated by ';', and a "
            "CSV's by ','. Convert it, e.g. pandas.read_csv(path, sep=';').to_csv(new_path, index=False)."
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(
                f"{str(path)!r} names the column {name!r} twice in its header line; rename one of them."
            )
        seen.add(name)
    return header


def _empty(path: Path, fmt: str) -> DataError:
    return DataError(
        f"{str(path)!r} is empty: a {fmt.upper()} file starts with a header line naming its columns. "
        "Write its header line, or leave the file out of the data."
    )


def _json_row(path: Path, line: str, line_no: int) -> dict[str, Any]:
    """One JSON Lines row: an object, or a DataError naming the file and the line."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(  # exc's own "line 1 column N" would count the lines of this one line
            f"Could not read {str(path)!r} as JSONL: line {line_no} is not valid JSON ({exc.msg.removesuffix(' at')} at "
            f"column {exc.colno}). Fix that line: one JSON object per line."
        ) from None
    if not isinstance(value, dict):
        raise DataError(
            f"Could not read {str(path)!r} as JSONL: line {line_no} is a JSON "
            f"{type(value).__name__}, not an object (one row per line)."
        )
    lone = _lone_surrogate(value) if "\\ud" in line.lower() else None  # escapes \ud800 to \udfff
    if lone is not None:
        raise DataError(
            f"Could not read {str(path)!r} as JSONL: line {line_no} escapes a lone surrogate ({lone}), half "
            "of a character, which UTF-8 text cannot hold. Fix that line: write the pair the character "
            "needs (\\ud83d\\ude00 is one emoji), the character itself, or \\ufffd for one that is lost."
        )
    return value


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in a JSON value's strings (keys too), as its escape."""
    import re

    match = re.search(r"[\ud800-\udfff]", json.dumps(value, ensure_ascii=False))
    return None if match is None else f"\\u{ord(match.group()):04x}"


def _jsonl_keys(path: Path, text: io.TextIOWrapper) -> list[str]:
    for line_no, line in enumerate(text, 1):
        if not line.strip():
            continue
        return [str(k) for k in _json_row(path, line, line_no)]
    return []


class _TypeClash(Exception):
    """pyarrow's JSON reader met a value whose type differs from what it inferred earlier."""


class _RowTooLarge(Exception):
    """pyarrow's CSV reader met a row longer than its block size ("straddling object")."""


def _file_frames(path: Path, chunk_size: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
    """One file's chunks. JSON Lines whose types change mid-file continue with Python's parser;
    a CSV row larger than the read block is read again with a larger block, from where it was."""
    done = 0
    block = _BLOCK
    while True:
        skip, read = done, [0]  # read: rows of the batches the reader gave (JSON Lines: whole blocks)
        try:
            for table in _rechunk(_counted(_read_batches(path, chunk_size, columns, block), read), chunk_size):
                if skip:  # rows already yielded before the block grew
                    table, skip = table.slice(min(skip, table.num_rows)), max(skip - table.num_rows, 0)
                    if table.num_rows == 0:
                        continue
                _check_utf8(path, table, done)
                frame = _table_frame(table)
                frame = _named_index_as_columns(frame, table.column_names)
                done += len(frame)
                yield frame
            return
        except _TypeClash:
            from lf._json_rows import json_frames

            yield from json_frames(path, chunk_size, columns, skip=done, pyarrow_rows=read[0])
            return
        except _RowTooLarge as exc:
            if block >= _BLOCK_CAP:
                raise DataError(
                    f"Could not read {str(path)!r} as {detect_format(path).upper()}: a row is larger than "
                    f"{_BLOCK_CAP >> 20} MiB, the most "
                    "the reader takes. Check the file's quoting: an unclosed quote makes the rest of the file one value."
                ) from exc
            block = min(block * 4, _BLOCK_CAP)


def _counted(batches: Iterator[pa.RecordBatch], read: list[int]) -> Iterator[pa.RecordBatch]:
    """``batches``, adding up their rows in ``read[0]`` as they are read."""
    for batch in batches:
        read[0] += batch.num_rows
        yield batch


def _named_index_as_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` a pandas-written Parquet file holds as its named index
    (``df.set_index("id").to_parquet(...)``) back as columns: pyarrow gives them back as the
    index, where the file's schema lists them but no LF, id column or check would see them."""
    named = [n for n in frame.index.names if n in columns and n not in frame.columns]
    return frame.reset_index(level=named) if named else frame


def _table_frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as a DataFrame (integer columns with nulls as Python ints and None, not
    float64, which rounds past 2**53) whose lists and objects are Python lists and dicts,
    as in a frame of records and in JSON Lines rows Python's parser reads: pyarrow gives
    NumPy arrays, on which ``if x.tags:`` raised for two tags and read ``[0]`` as false."""
    import pandas as pd

    frame = _as_text_nulls(table).to_pandas(integer_object_nulls=True)
    for name, kind in zip(table.column_names, table.schema.types):
        if kind.num_fields > 0 and name in frame.columns:  # lists, structs, maps
            frame[name] = pd.Series(table.column(name).to_pylist(), index=frame.index, dtype=object)
    return frame


def _as_text_nulls(table: pa.Table) -> pa.Table:
    """``table`` with its columns of nulls only (pyarrow's type for a column it saw no value
    in) typed as text, whose missing values reach LFs as NaN, as a text column's do: as
    None, an LF's ``if not x.text`` would have read the same row differently by the file's
    other rows, or by the chunk size when a JSON Lines file is parsed chunk by chunk."""
    import pyarrow as pa

    for i, kind in enumerate(table.schema.types):
        if pa.types.is_null(kind):
            table = table.set_column(i, table.schema.names[i], table.column(i).cast(pa.string()))
    return table


def _check_utf8(path: Path, table: pa.RecordBatch | pa.Table, rows_before: int) -> None:
    """Refuse text that is not UTF-8. pyarrow's JSON and Parquet readers keep such bytes in a
    string column: a keyword then silently missed "caf\\xe9", and a row LF failed with a
    bare pyarrow error."""
    import re

    import pyarrow as pa

    fmt = detect_format(path)
    if fmt in ("csv", "tsv"):
        return  # pyarrow's CSV reader checks its text itself
    for name, column in zip(table.column_names, table.columns):
        if not _holds_text(column.type):
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc):
                raise
            if fmt != "parquet":
                raise _not_utf8(path, fmt) from None  # names the line
            # The index is the row's only in a plain string column (not a dictionary's, a list's).
            flat = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
            index = re.search(r"string index (\d+)", str(exc)) if flat else None
            row = "" if index is None else f", row {rows_before + int(index.group(1)):,} (from 0)"
            raise DataError(
                f"Could not read {str(path)!r} as PARQUET: its column {name!r} holds text that is "
                f"not UTF-8{row}. Write the file again with that column as UTF-8 strings (or as "
                "binary, if it is not text)."
            ) from None


def _holds_text(kind: pa.DataType) -> bool:
    """Whether a column of this type may hold strings (itself, or in a nested value)."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return True
    if pa.types.is_dictionary(kind):
        return _holds_text(kind.value_type)
    return kind.num_fields > 0 and any(_holds_text(kind.field(i).type) for i in range(kind.num_fields))


def _read_batches(path: Path, chunk_size: int, columns: list[str] | None, block: int = _BLOCK) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    fmt = detect_format(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            yield from pq.ParquetFile(path).iter_batches(batch_size=chunk_size, columns=columns)
        elif fmt in ("csv", "tsv"):
            yield from _csv_batches(path, fmt, columns, block)
        else:
            from lf._json_reader import json_batches

            yield from json_batches(path, _JSON_BLOCK)
    except TimestampField as exc:
        raise _TypeClash() from exc  # a string field typed as a date: Python's parser keeps it text
    except pa.ArrowInvalid as exc:
        if fmt == "jsonl":
            raise _TypeClash() from exc  # Python's parser resumes, or names the bad line
        if "straddl" in str(exc):
            raise _RowTooLarge() from exc
        raise _unreadable(path, fmt, exc) from None
    except UnicodeDecodeError:
        raise _not_utf8(path, fmt) from None
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise _unreadable(path, fmt, exc) from None


def _csv_batches(path: Path, fmt: str, columns: list[str] | None, block: int) -> Iterator[pa.RecordBatch]:
    """The file's batches; fails at a row repeating the header line, at a value holding rows
    of the file, at the end if an unclosed quote swallowed the rows after it (the last
    column is read for that check even when not asked for), and at the end if a bare
    carriage return (not followed by \\n, or alone on its line) ended or hid a row of a file
    whose lines end in \\n (see :mod:`lf._csv_breaks`)."""
    import pyarrow as pa

    from lf._csv_breaks import CarriageReturns, lines_end_in_newline

    counting = lines_end_in_newline(path)
    with contextlib.closing(CarriageReturns(pa.input_stream(str(path), compression="detect"), counting)) as source:
        yield from _checked_batches(path, fmt, columns, block, source)


def _checked_batches(path: Path, fmt: str, columns: list[str] | None, block: int, source: Any) -> Iterator[pa.RecordBatch]:
    """:func:`_csv_batches` reading the rows from ``source``, which counts their odd \\r."""
    from lf._csv_breaks import odd_returns_in_values
    from lf._csv_quotes import ends_inside_quotes
    from lf._csv_rows import (
        header_row,
        header_row_error,
        line_break,
        merged_row,
        merged_rows_error,
        refusal,
    )
    from lf._tsv_rows import swallowed_row, swallowed_rows_error

    reader, names = _csv_reader(path, fmt, columns, block_size=block, keep_last=True, source=source)
    mark = line_break(path)
    returns = 0  # odd \r in the values read: each odd \r the reader passed must be in one
    last_name = reader.schema.names[-1] if reader.schema.names else None
    drop = [] if columns is None or last_name in columns or last_name is None else [last_name]
    last_value = None
    rows, swallowed = 0, None
    for batch in reader:
        if swallowed is not None:  # rows came after it: not a quote left open to the end
            raise swallowed_rows_error(path, *swallowed)
        if batch.num_rows and last_name is not None:
            last_value = batch.column(batch.num_columns - 1)[-1].as_py()
        again = header_row(batch)
        if again is not None:
            raise header_row_error(path, fmt, rows + again)
        hit = swallowed_row(batch) if fmt == "tsv" else merged_row(batch, names, ",", mark)
        if hit is not None and fmt == "csv":
            raise merged_rows_error(path, fmt, hit[0], rows + hit[1])
        if hit is not None:
            swallowed = hit[0], rows + hit[1]
            if hit[1] < batch.num_rows - 1:
                raise swallowed_rows_error(path, *swallowed)
        rows += batch.num_rows
        returns += odd_returns_in_values(batch) if source.odd else 0  # none read yet: none in the values
        yield batch.drop_columns(drop) if drop else batch
    if source.odd > returns:
        bare = _bare_return(path, fmt)
        if bare is not None:
            raise bare
    if ends_inside_quotes(path, last_value):
        raise refusal(
            path, fmt, rows - 1, "a quote opened in its last column at {where} is never closed, so the rows "
            'after it would be read as one value. Close or escape the quote (a quote inside a quoted value is written "").',
        )
    if swallowed is not None:
        raise swallowed_rows_error(path, *swallowed)


def _csv_reader(
    path: Path, fmt: str, columns: list[str] | None, *, block_size: int = _BLOCK, keep_last: bool = False, source: Any = None
) -> tuple[pa.RecordBatchReader, list[str]]:
    """A streaming CSV reader that types every column as text, and the header's names (read
    first); an empty field is missing, any other field (``NA``, ``null`` too) is its text.
    ``keep_last`` reads the header's last column too, after the ``columns`` asked for; ``source``
    is the stream to read the rows from (by default, the file)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    read = pcsv.ReadOptions(block_size=block_size)
    parse = pcsv.ParseOptions(delimiter="\t" if fmt == "tsv" else ",", newlines_in_values=True)
    try:  # the header from a small first block: opening parses that block
        with contextlib.closing(pcsv.open_csv(path, read_options=pcsv.ReadOptions(block_size=_HEAD_BLOCK), parse_options=parse)) as header:
            names = header.schema.names
    except pa.ArrowInvalid:  # a row longer than the small block: the full one
        with contextlib.closing(pcsv.open_csv(path, read_options=read, parse_options=parse)) as header:
            names = header.schema.names
    if columns is not None and keep_last and names and names[-1] not in columns:
        columns = [*columns, names[-1]]
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        include_columns=columns,
        strings_can_be_null=True,
        null_values=[""],  # only an empty field is missing: "NA", "null" or "N/A" are text
    )
    rows = path if source is None else source
    return pcsv.open_csv(rows, read_options=read, parse_options=parse, convert_options=convert), names


def _rechunk(batches: Iterator[pa.RecordBatch], chunk_size: int) -> Iterator[pa.Table]:
    import pyarrow as pa

    pending: list[pa.RecordBatch] = []
    rows = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        rows += batch.num_rows
        while rows >= chunk_size:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, chunk_size)
            rest = table.slice(chunk_size, rows - chunk_size)  # a length: sliced without one, a table of no columns kept its rows
            pending = rest.to_batches()
            rows = rest.num_rows
    if rows:
        yield pa.Table.from_batches(pending)


def _umask() -> int:
    """The process umask, read without changing it where Linux exposes it (thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    The file gets the permissions a plain ``open(path, "w")`` would give it (``0o666``
    minus the umask), not the private ``0o600`` of a temporary file. Any ``OSError`` while
    writing (a full disk, no permission, a read-only file system) becomes a DataError
    "Cannot write PATH: No space left on device." and the temporary file is removed, so
    ``path`` is either the old file or the complete new one. A ``path`` that is a symlink is
    written where it points, and stays a symlink; one named as a folder (``out.parquet/``)
    is a DataError.
    """
    from lf.paths import refuse_folder_name, written_file

    refuse_folder_name("Output", path)
    shown, path = Path(path), written_file(path)
    if path.parent and not path.parent.exists():
        raise DataError(f"Cannot write {str(shown)!r}: folder {str(path.parent)!r} does not exist.")
    owner = _owner()
    _remove_orphans(path, owner)
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{_temp_stem(path.name)}.{owner}.", suffix=".tmp", dir=path.parent or ".")
        os.close(fd)
        tmp = Path(tmp_name)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb") as fh:  # the data reaches the disk before the name points at it
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise DataError(f"Cannot write {str(shown)!r}: {_reason(exc)}.") from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


_LONG_NAME = 120  # bytes: a temporary name adds up to ~100 (owner, random part) and stays within 255


def _temp_stem(name: str) -> str:
    """``name`` as the temporary files beside it carry it: a long one (a file name may take
    255 bytes, its temporary name had 100 more and could not be made) is cut to its first
    bytes plus a digest of the whole, so two long names still differ."""
    raw = os.fsencode(name)
    if len(raw) <= _LONG_NAME:
        return name
    import hashlib

    head = raw[: _LONG_NAME - 9].decode("utf-8", errors="ignore")  # a character cut in two is dropped
    return f"{head}~{hashlib.sha1(raw).hexdigest()[:8]}"


def _owner() -> str:
    """``HOST~NS-PID`` of this process, as its temporary files carry it: the host name (made
    safe for a file name), the id of its process namespace where the system has one
    (containers that share a folder and a host name have their own), and the pid."""
    import re
    import socket

    host = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "_"
    try:
        space = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        space = 0
    return f"{host}~{space}-{os.getpid()}"


def _remove_orphans(path: Path, owner: str) -> None:
    """Remove the temporary files of ``path`` left by a writer killed before its cleanup
    (SIGKILL, the out-of-memory killer): those owned by a process of this host and process
    namespace that no longer exists (``owner``: this process's, from :func:`_owner`). A file
    of another host or namespace, of a live process or of an unknown owner is left alone."""
    import glob
    import re

    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return
    where = owner.rsplit("-", 1)[0]  # this process's HOST~NS
    prefix = f".{_temp_stem(path.name)}.{where}-"
    mine = re.compile(re.escape(prefix) + r"(\d+)\.[^.]+\.tmp")
    for name in glob.glob(glob.escape(str(path.parent / prefix)) + "*.tmp"):
        match = mine.fullmatch(Path(name).name)
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(name)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (one we may not signal counts too)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _reason(exc: OSError) -> str:
    """The OS's words for a failed write ("No space left on device"), also from pyarrow."""
    if exc.errno is not None:
        return os.strerror(exc.errno)
    import re

    match = re.search(r"\[errno (\d+)\]", str(exc), re.IGNORECASE)  # pyarrow: "... [errno 28] ..."
    return os.strerror(int(match.group(1))) if match else str(exc).rstrip(".")


_PANDAS_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}


def write_frame(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to .parquet / .csv / .tsv / .jsonl (by suffix), atomically.

    Text formats may end in ``.gz``, ``.bz2`` or ``.zst`` to be compressed (the temporary
    file's name hides the suffix from pandas, so the compression is passed explicitly).
    """
    from lf.paths import check_outputs

    check_outputs([("`path`", path)])  # not a folder; its folder exists and is writable
    path = Path(path)
    fmt = detect_format(path)
    last = path.suffix.lower()
    compression = _PANDAS_COMPRESSION.get(last)
    if last in _COMPRESSION and (compression is None or fmt == "parquet"):
        raise DataError(
            f"Cannot write {str(path)!r}: use .parquet (compressed inside), or .csv / .tsv / .jsonl "
            f"optionally followed by {', '.join(_PANDAS_COMPRESSION)}."
        )
    if fmt != "parquet":
        from lf.writers import refuse_bytes

        refuse_bytes(df, path)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt in ("csv", "tsv"):
            df.to_csv(tmp, index=False, sep="\t" if fmt == "tsv" else ",", compression=compression)
        else:
            import pyarrow as pa

            from lf._json_lines import json_lines

            with pa.CompressedOutputStream(str(tmp), compression) if compression else open(tmp, "wb") as sink:
                sink.write(json_lines(df).encode("utf-8"))
    return path
