"""Whether a CSV / TSV file ends inside a quoted value (a quote opened and never closed).

pyarrow, like a spreadsheet, reads an unclosed quote as a value running to the end of the
file: every row after it silently becomes part of one cell of the last column (an earlier
column would leave that row short, which the parser already reports). Only a value holding
a line break can have swallowed rows, so the check runs when the file's last value holds
one: such a value was quoted, and a quoted value that ends the file ends with its closing
quote, which follows an even run of escaped quotes (``""``). So the file, trailing line
breaks aside, ends with an odd run of quotes exactly when the quote was closed.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ends_inside_quotes"]

_TAIL = 1 << 16
_BREAKS = b"\r\n"


def ends_inside_quotes(path: Path, last_value: object) -> bool:
    """Whether the file, whose last parsed value is ``last_value``, ends in an open quote."""
    if not (isinstance(last_value, str) and ("\n" in last_value or "\r" in last_value)):
        return False
    tail = _tail(path).rstrip(_BREAKS)
    run = len(tail) - len(tail.rstrip(b'"'))
    return run % 2 == 0


def _tail(path: Path) -> bytes:
    """The last bytes of the file as the parser read it (decompressed)."""
    import pyarrow as pa

    if path.suffix.lower() in (".csv", ".tsv"):  # not compressed: read the end only
        with open(path, "rb") as fh:
            fh.seek(max(fh.seek(0, 2) - 4 * _TAIL, 0))
            return fh.read()
    keep = b""
    with pa.input_stream(str(path), compression="detect") as raw:
        while True:
            block = raw.read(_TAIL)
            if not block:
                return keep
            keep = (keep + block)[-4 * _TAIL :]
