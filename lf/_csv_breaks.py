"""Whether a CSV / TSV file whose lines end in ``\\n`` holds a lone carriage return outside quotes.

A CSV writer quotes a value holding a line break, but ``pandas.DataFrame.to_csv`` (and
``csv.writer(..., lineterminator="\\n")``) counts only ``\\n`` as one: a text holding a
lone ``\\r`` (``"a\\rb"``) is written bare. Every CSV reader, pyarrow's and pandas' too,
ends a row at that ``\\r``: in a file of one column the text silently became two rows,
every later row moving down one; in a file of more, the row fell short of fields.

So, in a file whose header line ends in ``\\n`` alone, the lone ``\\r``s (not followed by
``\\n``) the reader passes (counted as it reads, at the cost of one ``memchr`` per block in
a file with no ``\\r``) must all be inside values. When they are not, the file is read
again, with Python's csv module, to name the first line a lone ``\\r`` ends. Files whose
lines end in ``\\r\\n`` or ``\\r`` are not checked: their writers quote a value holding
a ``\\r``. A bare ``\\r\\n`` is a line break in any file (lines of mixed ends are
common), so a text ending in ``\\r``, written bare in the last column, reads without it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from lf.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CarriageReturns", "bare_return_error", "bare_return_line", "lines_end_in_newline", "lone_returns_in_values"]


class CarriageReturns(io.RawIOBase):
    """A readable stream that passes ``raw``'s bytes through and counts their lone ``\\r``s
    (those not followed by ``\\n``) when ``counting``."""

    def __init__(self, raw: pa.NativeFile, counting: bool) -> None:
        super().__init__()
        self._raw = raw
        self._counting = counting
        self._after_return = False  # the last block read ended in \r
        self.lone = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._raw.read(size if size >= 0 else None)
        if self._counting and data:
            if self._after_return and data.startswith(b"\n"):
                self.lone -= 1  # a \r\n cut by the blocks' edge
            if data.find(b"\r") >= 0:  # memchr: the common case, none, costs one search
                self.lone += data.count(b"\r") - data.count(b"\r\n")
            self._after_return = data.endswith(b"\r")
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def lone_returns_in_values(batch: pa.RecordBatch) -> int:
    """The number of ``\\r`` not followed by ``\\n`` in the text values of ``batch``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            returns = pc.sum(pc.count_substring(column, "\r")).as_py() or 0
            total += int(returns) - int(pc.sum(pc.count_substring(column, "\r\n")).as_py() or 0) if returns else 0
    return total


def lines_end_in_newline(path: Path) -> bool:
    """Whether the file's first line (its header) ends in ``\\n`` alone."""
    import pyarrow as pa

    with pa.input_stream(str(path), compression="detect") as raw:
        head = raw.read(1 << 16)
    at = head.find(b"\n")
    return at >= 0 and b"\r" not in head[:at]


def bare_return_line(path: Path) -> int | None:
    """The line (from 1, counting ``\\n``s) of the first lone ``\\r`` (not followed by
    ``\\n``) outside quotes, or None. Quoting is told by the parity of the quotes before
    it, as a writer quoting whole values writes them (Python's csv module would stop at a
    value longer than its field size limit)."""
    import pyarrow as pa

    line, quoted = 1, False
    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            for piece in text:  # newline="": each piece ends in \r\n, \r or \n, as written
                quoted ^= piece.count('"') % 2 == 1
                if not quoted and piece.endswith("\r"):
                    return line
                line += piece.endswith("\n")
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    return None


def bare_return_error(path: Path, fmt: str, line: int) -> DataError:
    return DataError(
        f"Could not read {str(path)!r} as {fmt.upper()}: line {line:,} holds a carriage return (\\r) "
        "outside quotes, which ends a row there, while the file's lines end in \\n: a value holding "
        "a \\r written without quotes (pandas' to_csv quotes only values holding \\n), read as two "
        "rows or a row cut short. Write the file again with its values quoted, e.g. "
        "df.to_csv(path, index=False, quoting=csv.QUOTE_ALL), or as Parquet."
    )
