"""Whether a CSV / TSV file whose lines end in ``\\n`` holds a carriage return that ends a row.

A CSV writer quotes a value holding a line break, but ``pandas.DataFrame.to_csv`` (and
``csv.writer(..., lineterminator="\\n")``) counts only ``\\n`` as one: a text holding a
lone ``\\r`` (``"a\\rb"``) is written bare. Every CSV reader, pyarrow's and pandas' too,
ends a row at that ``\\r``: in a file of one column the text silently became two rows,
every later row moving down one; in a file of more, the row fell short of fields. A text
that is ``\\r`` alone, in a file of one column, made a blank line (``\\r\\n``), which
readers skip: the row was lost.

So, in a file whose header line ends in ``\\n`` alone, the odd ``\\r``s the reader passes
(not followed by ``\\n``, or alone on a line), counted as it reads at the cost of one
``memchr`` per block in a file with no ``\\r``, must all be inside values. When they are
not, the file is read again to name the first line such a ``\\r`` ends. Files whose lines
end in ``\\r\\n`` or ``\\r`` are not checked: their writers quote a value holding a
``\\r``. A bare ``\\r\\n`` ending a line with text is a line break in any file (lines of
mixed ends are common), so a text ending in ``\\r``, written bare in the last column,
reads without it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lf.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CarriageReturns", "bare_return_error", "bare_return_line", "lines_end_in_newline", "odd_returns_in_values"]


class CarriageReturns(io.RawIOBase):
    """A readable stream that passes ``raw``'s bytes through and, when ``counting``, counts
    their odd ``\\r``s (see :func:`_odd_returns`).

    No block it returns ends in ``\\r`` (but the last): pyarrow's CSV reader drops a ``\\n``
    that starts a block after a block ending in ``\\r``, also inside a quoted value, whose
    ``\\r\\n`` then read as ``\\r`` (apache/arrow#51368). The ``\\r`` is held back to the
    next block."""

    def __init__(self, raw: pa.NativeFile, counting: bool) -> None:
        super().__init__()
        self._raw = raw
        self._counting = counting
        self._tail = b""  # the last two bytes read: the last one is judged with the next block
        self._held = b""  # a \r that ended the last block read, returned with the next
        self.odd = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        held, self._held = self._held, b""
        more: bytes = self._raw.read(None if size < 0 else max(size - len(held), 0))
        data = held + more
        if more and len(data) > 1 and data.endswith(b"\r"):  # not the end: the \r goes with the next block
            data, self._held = data[:-1], b"\r"
        if not self._counting:
            return data
        if data.find(b"\r") < 0 and not self._tail.endswith(b"\r"):  # memchr: the common case costs one search
            self._tail = (self._tail + data[-2:])[-2:]
            return data
        import numpy as np

        joined = self._tail + data
        view = np.frombuffer(joined, np.uint8)
        # bytes of this block, and the last of the one before, once the byte after each is read
        self.odd += _odd_returns(view, max(len(self._tail) - 1, 0), len(joined) - (1 if data else 0))
        self._tail = joined[-2:] if data else b""
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _odd_returns(view: Any, start: int, stop: int) -> int:
    """The ``\\r`` bytes of ``view[start:stop]`` (uint8) not followed by ``\\n`` (the end of
    ``view`` is not one), plus those alone between two ``\\n`` (a line holding a ``\\r``
    only, which a reader skips as a blank line: its row is lost)."""
    import numpy as np

    at = np.flatnonzero(view[start:stop] == 13) + start
    after = np.zeros(len(at), dtype=bool)
    inside = at + 1 < len(view)
    after[inside] = view[at[inside] + 1] == 10
    before = np.zeros(len(at), dtype=bool)
    inside = at >= 1
    before[inside] = view[at[inside] - 1] == 10
    return int(np.count_nonzero(~after) + np.count_nonzero(before & after))


def odd_returns_in_values(batch: pa.RecordBatch) -> int:
    """:func:`_odd_returns` in the text values of ``batch``, counted in their bytes at once
    (a value ending in ``\\r`` before one starting with ``\\n`` is missed: a count too low,
    which only makes the caller look at the file itself)."""
    import numpy as np
    import pyarrow as pa

    total = 0
    for column in batch.columns:
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) or len(column) == 0:
            continue
        _, offsets, data = column.buffers()
        if data is None:
            continue
        kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
        ends = np.frombuffer(offsets, kind)[column.offset : column.offset + len(column) + 1]
        view = np.frombuffer(data, np.uint8)[int(ends[0]) : int(ends[-1])]
        total += _odd_returns(view, 0, len(view))
    return total


def lines_end_in_newline(path: Path) -> bool:
    """Whether the file's first line (its header) ends in ``\\n`` alone."""
    import pyarrow as pa

    with pa.input_stream(str(path), compression="detect") as raw:
        head = raw.read(1 << 16)
    at = head.find(b"\n")
    return at >= 0 and b"\r" not in head[:at]


def bare_return_line(path: Path) -> int | None:
    """The line (from 1, counting ``\\n``s) of the first ``\\r`` outside quotes not followed
    by ``\\n``, or alone on its line, or None. Quoting is told by the parity of the quotes before
    it, as a writer quoting whole values writes them (Python's csv module would stop at a
    value longer than its field size limit)."""
    import pyarrow as pa

    line, quoted = 1, False
    try:
        with pa.input_stream(str(path), compression="detect") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            for piece in text:  # newline="": each piece ends in \r\n, \r or \n, as written
                quoted ^= piece.count('"') % 2 == 1
                if not quoted and (piece.endswith("\r") or piece == "\r\n"):
                    return line  # a row ends at a lone \r, or a line holds a \r only
                line += piece.endswith("\n")
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    return None


def bare_return_error(path: Path, fmt: str, line: int) -> DataError:
    return DataError(
        f"Could not read {str(path)!r} as {fmt.upper()}: line {line:,} holds a carriage return (\\r) "
        "outside quotes, while the file's lines end in \\n: a value holding a \\r written without "
        "quotes (pandas' to_csv quotes only values holding \\n), which ends a row there (a \\r alone "
        "on its line reads as a blank line, its row lost). Write the file again with its values "
        "quoted, e.g. df.to_csv(path, index=False, quoting=csv.QUOTE_ALL), or as Parquet."
    )
