"""Chunked readers (pyarrow) for CSV, Parquet and JSON Lines, and atomic writers."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["atomic_path", "count_rows", "detect_format", "iter_chunks", "write_frame"]

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
    if isinstance(data, (str, os.PathLike)):
        return [Path(data)]
    if isinstance(data, (list, tuple)) and data and all(isinstance(d, (str, os.PathLike)) for d in data):
        return [Path(d) for d in data]
    return None


def _check_exists(paths: list[Path]) -> None:
    for p in paths:
        if not p.exists():
            raise DataError(f"Data file not found: {str(p)!r}.")
        if p.is_dir():
            raise DataError(f"{str(p)!r} is a folder; pass the data file(s) inside it.")
        detect_format(p)


def count_rows(data: Any) -> int | None:
    """Number of rows when known cheaply (DataFrame length, Parquet metadata), else None."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return len(data)
    paths = _as_paths(data)
    if paths and all(detect_format(p) == "parquet" for p in paths):
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
    return None


def iter_chunks(data: Any, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """Yield DataFrame chunks of at most ``chunk_size`` rows from any supported source.

    ``data`` is a pandas DataFrame, an iterable of DataFrames, or one or more paths to
    CSV / TSV / Parquet / JSON Lines files (read in chunks with pyarrow).
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        for start in range(0, len(data), chunk_size):
            yield data.iloc[start : start + chunk_size]
        return
    paths = _as_paths(data)
    if paths is not None:
        _check_exists(paths)
        for p in paths:
            for table in _rechunk(_read_batches(p, chunk_size, columns), chunk_size):
                yield table.to_pandas()
        return
    if isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        for i, part in enumerate(data):
            if not isinstance(part, pd.DataFrame):
                raise DataError(
                    f"Item {i} of the data iterable is a {type(part).__name__}, not a pandas DataFrame."
                )
            for start in range(0, len(part), chunk_size):
                yield part.iloc[start : start + chunk_size]
        return
    raise DataError(
        f"Cannot read data of type {type(data).__name__}. Pass a pandas DataFrame, an iterable of "
        "DataFrames, or path(s) to CSV / Parquet / JSON Lines files."
    )


def _read_batches(path: Path, chunk_size: int, columns: list[str] | None) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    fmt = detect_format(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            yield from pq.ParquetFile(path).iter_batches(batch_size=chunk_size, columns=columns)
        elif fmt in ("csv", "tsv"):
            import pyarrow.csv as pcsv

            reader = pcsv.open_csv(
                path,
                read_options=pcsv.ReadOptions(block_size=8 << 20),
                parse_options=pcsv.ParseOptions(delimiter="\t" if fmt == "tsv" else ",", newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(include_columns=columns),
            )
            yield from reader
        else:
            import pyarrow.json as pjson

            yield from pjson.open_json(path, read_options=pjson.ReadOptions(block_size=8 << 20))
    except pa.ArrowInvalid as exc:
        raise DataError(f"Could not read {str(path)!r} as {fmt.upper()}: {exc}") from None
    except StopIteration:
        return


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
            rest = table.slice(chunk_size)
            pending = rest.to_batches()
            rows = rest.num_rows
    if rows:
        yield pa.Table.from_batches(pending)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise DataError(f"Cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_frame(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to .parquet / .csv / .jsonl (by suffix), atomically."""
    path = Path(path)
    fmt = detect_format(path)
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            df.to_parquet(tmp, index=False)
        elif fmt in ("csv", "tsv"):
            df.to_csv(tmp, index=False, sep="\t" if fmt == "tsv" else ",")
        else:
            df.to_json(tmp, orient="records", lines=True, force_ascii=False)
    return path
