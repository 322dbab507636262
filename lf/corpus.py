"""The corpus a run reads, resolved once: files, globs, a fetched dataset, frames, Dask.

A :class:`Corpus` turns what the user passed as DATA into one source and reads it in
chunks; each call of :meth:`Corpus.chunks` is one pass over the data, and the library
makes one pass per run (the matrix and every side column it needs come out of it).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lf.errors import DataError
from lf.paths import check_utf8_name

if TYPE_CHECKING:
    import pandas as pd

    from lf._repeated_ids import IndexHead

__all__ = ["Corpus", "as_corpus", "as_read_text", "expand_paths", "is_dask_frame"]

_GLOB_CHARS = frozenset("*?[")
_SAMPLE_BYTES = 1 << 20  # head of the first text file read to estimate its bytes per row


def is_dask_frame(data: Any) -> bool:
    """A Dask DataFrame (checked without importing dask)."""
    return type(data).__module__.startswith("dask") and hasattr(data, "npartitions") and hasattr(data, "to_delayed")


def as_read_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A Dask partition whose text columns hold the values the same rows read from a file
    hold: Dask makes text columns pandas' ``string[pyarrow]``, whose missing value is
    ``pd.NA`` (an LF's ``if not x.text`` raises on it, where a file's rows give NaN). Those
    columns are converted as a file's are (through Arrow); the partition is not changed."""
    import pandas as pd

    out = frame
    for j, kind in enumerate(frame.dtypes):
        if isinstance(kind, pd.StringDtype) and kind.na_value is pd.NA:
            import pyarrow as pa

            out = frame.copy(deep=False) if out is frame else out
            text = pa.array(frame.iloc[:, j]).to_pandas()
            out.isetitem(j, pd.Series(text.array, index=frame.index, name=frame.columns[j]))
    return out


def is_pattern(item: str | os.PathLike[str]) -> bool:
    """Whether DATA ``item`` is read as a glob pattern: it has ``*?[`` and names no file."""
    text = os.fspath(item)
    return bool(_GLOB_CHARS & set(text)) and not Path(text).exists()


def _expand(item: str | os.PathLike[str]) -> list[Path]:
    """A path, or the files a glob pattern matches (sorted), failing when it matches none."""
    text = os.fspath(item)
    check_utf8_name("The data file", text)
    if not is_pattern(text):
        return [Path(text)]
    found = sorted(glob.glob(text, recursive=True))
    files = [Path(f) for f in found if Path(f).is_file()]
    if not files:
        raise DataError(f"The pattern {text!r} matches no data file.")
    for f in files:
        check_utf8_name(f"The data file (matched by {text!r})", f)
    return files


def expand_paths(items: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Paths with every glob pattern replaced by the files it matches (see :class:`Corpus`)."""
    return [p for item in items for p in _expand(item)]


def dataset_named(name: str) -> pd.DataFrame | None:
    """A fetched dataset's rows when ``name`` (no file of that name exists) is a dataset
    name (``lf datasets list``); None for a missing file; a DataError for a name that is
    close to a dataset's (``yotube``) and has no suffix, as no data file lacks one (a glob
    pattern such as ``youtube*`` is one, whose files the caller reads)."""
    from lf.manifest import list_datasets

    known = list_datasets()
    if name not in known:
        import difflib

        plain = not Path(name).suffix and os.sep not in name and not (_GLOB_CHARS & set(name))
        close = difflib.get_close_matches(name, known, n=1) if plain else []
        if close:
            raise DataError(
                f"{name!r} is neither a data file nor a dataset lf knows: did you mean the dataset {close[0]!r}? "
                "(`lf datasets list` lists them.)"
            )
        return None
    from lf.datasets import load

    return load(name)


class Corpus:
    """DATA resolved once: paths (globs expanded), a dataset's rows, frames or a Dask frame.

    ``data`` may be a path, a glob (``"shards/*.parquet"``), a list of those, the name of a
    fetched dataset, a pandas DataFrame, an iterable of DataFrames or a Dask DataFrame; or,
    as Snorkel's ``LFApplier`` takes them, a list of records (dicts, ``SimpleNamespace``s,
    objects with attributes, Series), a dict of columns or a 2-D NumPy array (fields ``x[0]``,
    ``x[1]`` ...).
    ``reads`` counts the passes made over the data.
    """

    def __init__(self, data: Any) -> None:
        import pandas as pd

        self.reads = 0
        self.files: list[Path] | None = None
        self.frame: pd.DataFrame | None = None
        self.dask: Any = None
        self._other: Any = None
        self.name: str | None = None
        self.patterns: list[str] = []  # the glob patterns among the paths given (outputs must stay out of them)
        # a Dask frame's partitions read so far: (offset, rows, IndexHead) each
        self.partition_index: list[tuple[int, int, IndexHead]] = []
        self.file_starts: list[tuple[int, Path]] = []  # the files read so far: (offset, path) each
        records = _records_frame(data)
        if isinstance(data, pd.DataFrame):
            self.frame = data
        elif records is not None:
            self.frame = records
        elif is_dask_frame(data):
            self.dask = data
        elif isinstance(data, (str, os.PathLike)) or (
            isinstance(data, (list, tuple)) and data and all(isinstance(d, (str, os.PathLike)) for d in data)
        ):
            items = [data] if isinstance(data, (str, os.PathLike)) else list(data)
            loaded = dataset_named(os.fspath(items[0])) if len(items) == 1 and not Path(items[0]).exists() else None
            if loaded is not None:
                self.frame, self.name = loaded, os.fspath(items[0])
            else:
                self.files = expand_paths(items)
                self.patterns = [os.fspath(i) for i in items if is_pattern(i)]
        else:
            self._other = data

    def __repr__(self) -> str:
        what = self.name or (f"{len(self.files)} file(s)" if self.files is not None else type(self.source).__name__)
        return f"Corpus({what})"

    @property
    def source(self) -> Any:
        """What :func:`lf.io.iter_chunks` reads: the file list, the frame, or the iterable."""
        if self.files is not None:
            return self.files
        return self.frame if self.frame is not None else self._other

    def columns(self) -> list[str] | None:
        """Column names from the header / schema only (an iterable of frames: its first
        frame's, looked at without losing it; None when it holds no frame)."""
        from lf.io import read_columns

        if self.files is not None:
            return read_columns(self.files[0]) if self.files else []
        if self.frame is not None:
            return [str(c) for c in self.frame.columns]
        if self.dask is not None:
            return [str(c) for c in self.dask.columns]
        return self._first_frame_columns()

    def _first_frame_columns(self) -> list[str] | None:
        import itertools

        import pandas as pd

        if isinstance(self._other, (list, tuple)):
            first = self._other[0] if self._other else None
        elif not hasattr(self._other, "__iter__") or isinstance(self._other, (str, bytes)):
            return None  # not data lf reads: reading it fails with a message naming the type
        else:  # a one-shot iterator: put the frame looked at back in front
            items = iter(self._other)
            first = next(items, None)
            self._other = itertools.chain([first] if first is not None else [], items)
        return [str(c) for c in first.columns] if isinstance(first, pd.DataFrame) else None

    def default_id_column(self) -> str | None:
        """``"id"`` when the data has an ``id`` column (it names rows in outputs and errors)."""
        cols = self.columns()
        return "id" if cols is not None and "id" in cols else None

    def n_rows(self) -> int | None:
        """Rows, when known without reading the data (frames, Parquet metadata)."""
        import pandas as pd

        from lf.io import count_rows

        if self.dask is not None:
            return None
        if isinstance(self._other, (list, tuple)) and all(isinstance(f, pd.DataFrame) for f in self._other):
            return sum(map(len, self._other))  # a list of frames: its length is known too
        return count_rows(self.source) if self._other is None else None

    def n_bytes(self) -> int | None:
        """Total size of the files (for progress over text files), else None."""
        if not self.files:
            return None
        try:
            return sum(p.stat().st_size for p in self.files)
        except OSError:
            return None

    def bytes_per_row(self) -> float | None:
        """Bytes per row of uncompressed CSV/TSV/JSONL files, from the first file's head.

        The first MiB of the first file is read (like its header) and its lines counted: a
        CSV value with line breaks makes the estimate low, which only shrinks chunks. None
        for other sources, compressed files, or a head without a complete row.
        """
        from lf.io import detect_format

        if not self.files or self.n_rows() is not None:
            return None
        first = self.files[0]
        if Path(first).suffix.lower() not in (".csv", ".tsv", ".jsonl", ".ndjson", ".json"):
            return None  # compressed: the file size says nothing about the rows
        try:
            with open(first, "rb") as f:
                head = f.read(_SAMPLE_BYTES)
        except OSError:
            return None
        if len(head) == _SAMPLE_BYTES:
            head = head[: head.rfind(b"\n") + 1]  # whole lines only
        lines = [line for line in head.splitlines() if line.strip()]
        rows = len(lines) - (detect_format(first) in ("csv", "tsv"))  # the header is no row
        return len(head) / rows if rows > 0 else None

    def estimated_rows(self) -> int | None:
        """The row count when known, else an estimate for text files (see :meth:`bytes_per_row`)."""
        known = self.n_rows()
        if known is not None:
            return known
        per_row, size = self.bytes_per_row(), self.n_bytes()
        return None if per_row is None or size is None else max(1, round(size / per_row))

    def chunks(self, chunk_size: int, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """One pass over the data, in chunks of at most ``chunk_size`` rows."""
        from lf.io import iter_chunks

        self.reads += 1
        if self.dask is not None:
            yield from self._dask_chunks(chunk_size, columns)
            return
        if not self.files:
            yield from iter_chunks(self.source, chunk_size, columns)
            return
        from lf.io import _check_paths

        _check_paths(self.files)  # every file, before the first chunk
        self.file_starts, offset = [], 0
        for path in self.files:
            self.file_starts.append((offset, path))
            for chunk in iter_chunks([path], chunk_size, columns):
                offset += len(chunk)
                yield chunk

    def place(self, row: int) -> str:
        """Where the row at position ``row`` of the pass (from 0) is: its file and its row
        there, when the data is files."""
        start, path = next(((s, p) for s, p in reversed(self.file_starts) if s <= row), (0, None))
        if path is None:
            return f"row {row:,} of the data (counted from 0)"
        return f"row {row - start:,} of {str(path)!r} (row {row:,} of the data, counted from 0)"

    def _dask_chunks(self, chunk_size: int, columns: list[str] | None) -> Iterator[pd.DataFrame]:
        """Partitions computed one at a time (for engines that label on this machine)."""
        from lf._repeated_ids import index_head

        frame = self.dask if columns is None else self.dask[columns]
        self.partition_index = []
        offset = 0
        for part in frame.to_delayed():
            df = as_read_text(part.compute())
            self.partition_index.append((offset, len(df), index_head(df.index)))
            offset += len(df)
            for start in range(0, len(df), chunk_size):
                yield df.iloc[start : start + chunk_size]


def as_corpus(data: Any) -> Corpus:
    """``data`` itself when it is a Corpus already, else a Corpus over it."""
    return data if isinstance(data, Corpus) else Corpus(data)


def _records_frame(data: Any) -> pd.DataFrame | None:
    """One DataFrame from a 2-D NumPy array or a list / tuple of records, else None.

    Every record must have the same fields: a field missing from one record would become a
    missing value, where the LF, called on the record itself, would have raised.
    """
    import numpy as np
    import pandas as pd

    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise DataError(
                f"A NumPy array of data must have one row per data point (2-D); got {data.ndim} "
                f"dimension(s) of shape {data.shape}. Pass a DataFrame with named columns instead."
            )
        return pd.DataFrame(data)
    if isinstance(data, Mapping):
        return _columns_frame(data)
    if not isinstance(data, (list, tuple)) or not data or not all(map(_is_record, data)):
        return None
    fields = [_fields(x) for x in data]
    names = list(fields[0])
    for i, f in enumerate(fields):
        if f.keys() != fields[0].keys():
            raise DataError(
                f"Record {i} of the data has the fields {list(f)!r}, record 0 has {names!r}: "
                "give every record the same fields, or pass a DataFrame."
            )
    frame = pd.DataFrame({name: [f[name] for f in fields] for name in names}, columns=names)
    return frame


def _columns_frame(data: Mapping[Any, Any]) -> pd.DataFrame:
    """A dict of columns (name -> values, as ``pandas.DataFrame`` takes it) as a DataFrame.

    A dict of single values is one record, not a table: iterated, it gave its column names
    as rows."""
    import pandas as pd

    lengths = {name: len(v) for name, v in data.items() if hasattr(v, "__len__") and not isinstance(v, (str, bytes))}
    if len(lengths) != len(data):
        scalar = next(name for name in data if name not in lengths)
        raise DataError(
            f"The data is a dict, read as columns (name -> values), but its {scalar!r} is a single "
            f"value ({type(data[scalar]).__name__}). Pass one record as a list: [record]; or give "
            "every column a list of values."
        )
    if len(set(lengths.values())) > 1:
        raise DataError(
            f"The data is a dict of columns of different lengths ({lengths}): give every column "
            "one value per row."
        )
    return pd.DataFrame(dict(data))


def _is_record(x: Any) -> bool:
    import pandas as pd

    if isinstance(x, (dict, pd.Series)) or _is_namedtuple(x):
        return True
    # an object with attributes; not a class, function or LF (callables: arguments swapped?)
    attributed = hasattr(x, "__dict__") or bool(_slot_names(x))
    return attributed and not callable(x) and not isinstance(x, (os.PathLike, pd.DataFrame, tuple))


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and isinstance(getattr(type(x), "_fields", None), tuple)


def _slot_names(x: Any) -> list[str]:
    """The attributes an object of a class with ``__slots__`` has set (a dataclass(slots=True))."""
    names: list[str] = []
    for klass in reversed(type(x).__mro__):
        slots = vars(klass).get("__slots__", ())
        for name in [slots] if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and name not in names and hasattr(x, name):
                names.append(name)
    return names


def _fields(x: Any) -> dict[Any, Any]:
    import pandas as pd

    if isinstance(x, pd.Series):
        return dict(x.to_dict())
    if _is_namedtuple(x):
        return dict(x._asdict())
    if isinstance(x, dict):
        return dict(x)
    return {**{name: getattr(x, name) for name in _slot_names(x)}, **getattr(x, "__dict__", {})}
