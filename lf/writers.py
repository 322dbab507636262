"""Streaming, atomic writers: a table or a label matrix written chunk by chunk.

Each writer writes to a temporary file next to the target and renames it onto the target
only when :meth:`close` succeeds, so a failed or interrupted run leaves the old file (or
none), never a partial one. Parquet gets one row group per chunk; CSV / TSV / JSON Lines
are appended to (optionally compressed by suffix).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import numpy.typing as npt

from lf._repeated_ids import Ascending, Repeated, repeated_ids
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["FrameWriter", "MatrixWriter", "cast_ids", "refuse_bytes"]

_CODECS = {".gz": "gzip", ".bz2": "bz2", ".zst": "zstd"}


class _Atomic:
    """A temporary path that becomes ``path`` on commit (see :func:`lf.io.atomic_path`)."""

    def __init__(self, path: str | Path) -> None:
        from lf.io import atomic_path

        self.path = Path(path)
        self._stack = contextlib.ExitStack()
        self.tmp: Path = self._stack.enter_context(atomic_path(self.path))

    def _finish(self, ok: bool) -> None:
        if ok:
            self._stack.close()
        else:
            self._stack.__exit__(DataError, DataError("aborted"), None)


class FrameWriter(_Atomic):
    """Write DataFrame chunks with the same columns to .parquet / .csv / .tsv / .jsonl."""

    def __init__(self, path: str | Path) -> None:
        from lf.io import detect_format
        from lf.paths import check_outputs

        check_outputs([("`path`", path)])
        path = Path(path)
        self.fmt = detect_format(path)
        self.codec = _CODECS.get(path.suffix.lower())
        if self.fmt == "parquet" and self.codec is not None:
            raise DataError(f"Cannot write {str(path)!r}: a Parquet file is compressed inside; drop {path.suffix!r}.")
        super().__init__(path)
        self._parquet: Any = None
        self._schema: pa.Schema | None = None
        self._text: Any = None
        self._empty: pd.DataFrame | None = None
        self.rows = 0
        self.footer: dict[bytes, bytes] = {}  # key-value metadata for a Parquet file's footer

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def write(self, df: pd.DataFrame) -> None:
        try:
            if self.fmt == "parquet":
                self._write_parquet(df)
            else:
                self._write_text(df)
        except OSError as exc:
            self.abort()
            from lf.io import _reason

            raise DataError(f"Cannot write {str(self.path)!r}: {_reason(exc)}.") from exc
        self.rows += len(df)

    def _write_parquet(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if len(df) == 0:  # an empty chunk has no types to fix the file's schema with
            self._empty = df if self._empty is None else self._empty
            return
        if self._parquet is None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            # a column with only missing values (ids no row of this chunk has) has no type
            # yet: text, the type a mixed column is written as, so later chunks fit
            fields = [f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            self._schema = pa.schema(fields, metadata=table.schema.metadata)  # pandas reads its dtypes back
            table = table.cast(self._schema)
            self._parquet = pq.ParquetWriter(self.tmp, self._schema)
        else:
            try:
                table = pa.Table.from_pandas(df, schema=self._schema, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                raise DataError(
                    f"Cannot write {str(self.path)!r}: {self._type_change(df)}. Give the column one type "
                    "in the data (all numbers or all text), or write CSV or JSON Lines, which hold both."
                ) from None
        self._parquet.write_table(table)

    def _type_change(self, df: pd.DataFrame) -> str:
        """Which column of ``df`` does not fit the type the file's first rows gave it."""
        import pyarrow as pa

        assert self._schema is not None
        failures = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
        for name in self._schema.names:
            kind = self._schema.field(name).type
            try:
                pa.Array.from_pandas(df[name], type=kind)
            except failures:
                odd = None
                for value in df[name].iloc[:10_000]:
                    try:
                        pa.array([value], type=kind, from_pandas=True)
                    except failures:
                        odd = value
                        break
                what = "" if odd is None else f", e.g. {odd!r} ({type(odd).__name__})"
                return (
                    f"the column {name!r} was written as {_kind_name(kind)} in the first {self.rows:,} rows, "
                    f"and the rows after them hold other values{what}"
                )
        return "a column changes type between chunks"

    def _write_text(self, df: pd.DataFrame) -> None:
        import io

        import pyarrow as pa

        refuse_bytes(df, self.path)
        if self._text is None:
            sink: Any = pa.CompressedOutputStream(str(self.tmp), self.codec) if self.codec else open(self.tmp, "wb")  # noqa: SIM115
            self._text = io.TextIOWrapper(sink, encoding="utf-8", newline="")
            header = True
        else:
            header = False
        if self.fmt in ("csv", "tsv"):
            df.to_csv(self._text, index=False, header=header, sep="\t" if self.fmt == "tsv" else ",")
        else:
            from lf._json_lines import json_lines

            self._text.write(json_lines(df))

    def close(self) -> None:
        """Finish the file and move it onto ``path``."""
        self.finish()
        self._finish(True)

    def commit(self) -> None:
        """Move the file :meth:`finish` completed onto ``path``."""
        self._finish(True)

    def finish(self) -> None:
        """Complete the file at ``tmp`` (not yet in place: :meth:`commit` or :meth:`abort`)."""
        try:
            if self.fmt == "parquet":
                if self._parquet is not None:
                    if self.footer:
                        self._parquet.add_key_value_metadata(self.footer)
                    self._parquet.close()
                elif self._empty is not None:
                    self._empty.to_parquet(self.tmp, index=False)
            elif self._text is not None:
                self._text.close()
            else:
                self.tmp.write_bytes(b"")
        except OSError as exc:
            from lf.io import _reason

            self.abort()
            raise DataError(f"Cannot write {str(self.path)!r}: {_reason(exc)}.") from exc
        except BaseException:
            self.abort()
            raise
        self._parquet = self._text = None

    def abort(self) -> None:
        """Drop the file (a no-op after :meth:`commit`)."""
        with contextlib.suppress(Exception):
            if self._parquet is not None:
                self._parquet.close()
            if self._text is not None:
                self._text.close()
        self._parquet = self._text = None
        self._finish(False)


class MatrixWriter(_Atomic):
    """Write a label matrix chunk by chunk as the Parquet file ``LabelMatrix.load`` reads.

    The metadata (LF names, cardinality, errors, seconds) goes into the file's footer on
    :meth:`close`, once the whole run is known.
    """

    def __init__(self, path: str | Path, names: tuple[str, ...], *, check: bool = True, shown: Path | None = None) -> None:
        if check:
            from lf.paths import check_outputs

            check_outputs([("`path`", path)])
        self.shown = shown or Path(path)  # the file a failure names (a scratch file's output)
        try:
            super().__init__(path)
        except DataError as exc:  # no temporary file could be made (no inode left, say)
            if self.shown == Path(path) or not isinstance(exc.__cause__, OSError):
                raise
            from lf.io import _reason

            raise DataError(f"Cannot write {str(self.shown)!r}: {_reason(exc.__cause__)}.") from exc.__cause__
        self.names = names
        self._writer: Any = None
        self._schema: pa.Schema | None = None
        self.rows = 0
        self._ids: Ascending | None = None  # row ids seen: ascending ones cannot repeat
        # where a row position of the data is (its file, its row there: Corpus.place), for errors
        self.locate: Callable[[int], str] = lambda row: f"row {row:,} of the data (counted from 0)"

    def write(self, labels: npt.NDArray[np.integer[Any]], ids: npt.NDArray[Any] | None) -> None:
        import pyarrow.parquet as pq

        from lf._matrix_io import parquet_table

        table = parquet_table(self.names, labels, ids)
        if ids is not None:
            self._ids = self._ids or Ascending()
            self._ids.add(ids)
        if self._writer is None:
            self._schema = table.schema
            try:
                self._writer = pq.ParquetWriter(self.tmp, table.schema)
            except OSError as exc:
                raise self._failed(exc) from exc
        elif self._schema is not None and not table.schema.equals(self._schema):
            schema = self._schema
            cast, why = cast_ids(table.column(0), lambda: table.cast(schema), lambda t: t.column(0))
            if cast is None:
                raise DataError(
                    f"Cannot write {str(self.shown)!r}: the row ids change type between chunks, "
                    f"{self._schema.field(0).type} first, then {table.schema.field(0).type} from "
                    f"{self.locate(self.rows)}{why}; "
                    "give the id column one type (all integers or all text)."
                )
            table = cast
        try:
            self._writer.write_table(table)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.rows += len(labels)

    def _failed(self, exc: OSError) -> DataError:
        from lf.io import _reason

        self.abort()
        return DataError(f"Cannot write {str(self.shown)!r}: {_reason(exc)}.")

    def close_with(self, meta: dict[str, Any], footer: dict[bytes, bytes] | None = None) -> None:
        """Write the metadata (and ``footer``'s entries) into the footer: the file at ``tmp``
        is complete (not yet in place)."""
        try:
            entries: dict[Any, Any] = {"lf": json.dumps(meta), **(footer or {})}
            self._writer.add_key_value_metadata(entries)
            self._writer.close()
        except OSError as exc:
            raise self._failed(exc) from exc
        except BaseException:
            self.abort()
            raise
        self._writer = None

    def id_bounds(self) -> tuple[Any, Any] | None:
        """The first and last row id written, when the ids ascend (see :class:`Ascending`)."""
        return None if self._ids is None else self._ids.bounds()

    def repeated_ids(self) -> Repeated | None:
        """After :meth:`close_with`: a row id the file repeats, or None (see lf._repeated_ids)."""
        if self._ids is None or self._ids.holds:
            return None
        import pyarrow.parquet as pq

        from lf._matrix_io import ROW_ID, read_arrow_ids

        def chunks() -> Iterator[npt.NDArray[Any]]:
            for batch in pq.ParquetFile(self.tmp).iter_batches(batch_size=200_000, columns=[ROW_ID]):
                yield read_arrow_ids(batch.column(0))

        return repeated_ids(chunks(), again=chunks)

    def commit(self) -> None:
        """Move the complete file onto ``path``."""
        self._finish(True)

    def abort(self) -> None:
        """Drop the file (a no-op after :meth:`commit`)."""
        with contextlib.suppress(Exception):
            if self._writer is not None:
                self._writer.close()
        self._writer = None
        self._finish(False)


def refuse_bytes(df: pd.DataFrame, path: Path) -> None:
    """Bytes (ids read from a Parquet binary column) in a CSV / TSV / JSON Lines output are
    a DataError: the text would be ``b'a1'`` (or the bytes decoded), another value than the
    data's, which a join back to it would not find."""
    import pandas as pd

    for name in df.columns:
        column = df[name]
        if column.dtype != object or pd.api.types.infer_dtype(column, skipna=True) not in ("bytes", "mixed"):
            continue
        value = next((v for v in column.tolist() if isinstance(v, bytes)), None)
        if value is not None:
            raise DataError(
                f"Cannot write {str(path)!r}: the column {str(name)!r} holds bytes ({value!r}), which a text "
                "file holds only as other text, so the values would not match the data's. Write a .parquet "
                "file where the command takes one (it keeps bytes), or decode the column in the data "
                "(e.g. df['id'].str.decode('utf-8'))."
            )


def read_matrix_chunks(path: Path, names: tuple[str, ...], rows: int) -> Any:
    """``(labels, ids)`` of a matrix file, ``rows`` at a time (ids None without an id column)."""
    import pyarrow.parquet as pq

    from lf._matrix_io import ROW_ID, read_arrow_ids

    pf = pq.ParquetFile(path)
    has_ids = ROW_ID in pf.schema_arrow.names
    for batch in pf.iter_batches(batch_size=rows):
        labels = np.column_stack([batch.column(n).to_numpy() for n in names])
        ids = read_arrow_ids(batch.column(ROW_ID)) if has_ids else None
        yield labels, ids


def int_ids_with_gaps(path: Path) -> bool:
    """Whether a stored matrix's row ids are integers with some missing: a labels file
    writes them as pandas' nullable ``Int64``, as pandas would read them as float64
    otherwise (where 64-bit ids above 2**53 run together)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lf._matrix_io import ROW_ID

    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    if ROW_ID not in schema.names or not pa.types.is_integer(schema.field(ROW_ID).type):
        return False
    # from the row groups' statistics (the matrix writer keeps them): never the whole
    # column in memory, which would grow with the corpus; a group without them is read alone
    at = file.schema_arrow.get_field_index(ROW_ID)
    for g in range(file.metadata.num_row_groups):
        stats = file.metadata.row_group(g).column(at).statistics
        nulls = stats.null_count if stats is not None and stats.has_null_count else None
        if nulls is None:
            nulls = file.read_row_group(g, columns=[ROW_ID]).column(ROW_ID).null_count
        if nulls:
            return True
    return False


def cast_ids(before: Any, cast: Callable[[], Any], ids_of: Callable[[Any], Any] = lambda ids: ids) -> tuple[Any, str]:
    """``cast()`` (of row ids ``before``, or of a table holding them: ``ids_of`` finds them in
    its result), if Arrow can cast them and every id keeps its text; else None and what the
    refusal adds to say why (``""`` when Arrow cannot cast them at all)."""
    import pyarrow as pa

    try:
        out = cast()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None, ""
    changed = _changed_id(before, ids_of(out))
    if changed is not None:
        return None, f": the id {changed[0]!r} would become {changed[1]!r}"
    return out, ""


def _changed_id(before: Any, after: Any) -> tuple[Any, Any] | None:
    """The first id that text-to-number casting changed (``"007"`` read as 7), or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(before.type) or pa.types.is_large_string(before.type)):
        return None
    back = pc.cast(after, pa.string())
    differ = pc.fill_null(pc.not_equal(back, before), False)
    if not pc.any(differ).as_py():
        return None
    at = int(pc.index(differ, True).as_py())
    return before[at].as_py(), after[at].as_py()


def _kind_name(kind: pa.DataType) -> str:
    """An Arrow type as users name it."""
    import pyarrow as pa

    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    if pa.types.is_integer(kind):
        return "integers"
    if pa.types.is_floating(kind):
        return "numbers"
    if pa.types.is_boolean(kind):
        return "true/false"
    return str(kind)
