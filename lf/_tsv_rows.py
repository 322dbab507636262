"""Whether a TSV value swallowed rows: a quote that was text, read as TSV quoting.

Many TSV files (the UCI SMS Spam Collection among them) do not quote: a quote is part of
the text. pyarrow, like pandas, reads a value that starts with a quote as quoted up to the
next quote, which may be rows later: those rows become part of the value, every later row
moves up, and the file has fewer rows than it holds (the SMS file: 5,572 of 5,574, the
labels of the rows after it paired with other texts). A quoted TSV value rarely holds both
a line break and, after it, a tab; swallowed rows always do. So a value with a line break
followed, on the same line, by a tab is refused, naming the row and the way to read the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lf.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["swallowed_row", "swallowed_rows_error"]

_ROW_AFTER_BREAK = r"[\r\n][^\r\n]*\t"


def swallowed_row(batch: pa.RecordBatch) -> tuple[str, int] | None:
    """The column and row (in ``batch``) of the first text value holding a line break
    followed by a tab, or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        # a tab in a value is rare (it must be quoted): the regex runs only then
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and pc.any(
            pc.match_substring(column, "\t")
        ).as_py():
            hits = pc.match_substring_regex(column, _ROW_AFTER_BREAK)
            if pc.any(hits).as_py():
                return name, int(pc.index(hits, True).as_py())
    return None


def swallowed_rows_error(path: Path, name: str, row: int) -> DataError:
    """The error for data row ``row``, named by its lines in the file."""
    from lf._csv_rows import refusal

    return refusal(
        path, "tsv", row, f"the {name!r} value at {{where}} holds line breaks "
        "followed by tab-separated fields, rows of the file read into one value: a value starting with "
        "a quote (\") is read as quoted up to the next quote. If quotes in this file are text, not "
        "TSV quoting, convert it, e.g. pandas.read_csv(path, sep='\\t', quoting=csv.QUOTE_NONE)"
        ".to_parquet(new_path).",
    )
