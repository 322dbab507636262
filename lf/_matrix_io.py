"""Label matrix files (.npz / .parquet): what ``LabelMatrix.save`` writes and ``load`` reads.

A file that is truncated, not ours, or whose metadata is broken (not JSON, a field of the
wrong type, an LF column that is not there) is a :class:`~lf.errors.DataError` naming the
file and the problem, never a stray ``KeyError`` or ``BadZipFile``.
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.errors import DataError

if TYPE_CHECKING:
    from lf.matrix import LabelMatrix

FORMAT = "lf.LabelMatrix/1"
ROW_ID = "__row_id__"


def meta_of(L: Any) -> dict[str, Any]:
    """A matrix file's metadata, from a LabelMatrix or a PatternTable (no costs: zeros)."""
    m = len(L.names)
    return {
        "format": FORMAT,
        "names": list(L.names),
        "cardinality": L.cardinality,
        "labels": list(L.labels) if L.labels else None,
        "errors": (L.errors if L.errors is not None else np.zeros(m, np.int64)).tolist(),
        "seconds": (L.seconds if L.seconds is not None else np.zeros(m)).tolist(),
        **({} if getattr(L, "lf_fingerprints", None) is None else {"lf_fingerprints": list(L.lf_fingerprints)}),
    }


def write_matrix(L: LabelMatrix, path: Path, footer: dict[bytes, bytes] | None = None) -> None:
    """Write ``L`` to ``path`` (.npz or .parquet by suffix), atomically. ``footer``: entries
    to keep beside the matrix (the digest of its rows' texts, :mod:`lf._row_digest`): in a
    Parquet file's footer, in a .npz as one text array per entry."""
    from lf.io import atomic_path

    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".npz":
            arrays: dict[str, npt.NDArray[Any]] = {"L": L.array, "meta": np.array(json.dumps(meta_of(L)))}
            if L.row_ids is not None:
                arrays["row_ids"], missing = storable_ids(L.row_ids)
                if missing is not None:
                    arrays["row_ids_missing"] = missing
            for key, value in (footer or {}).items():
                arrays[key.decode()] = np.array(value.decode())
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, allow_pickle=False, **arrays)
        else:
            _write_parquet(L, tmp, footer)


def _write_parquet(L: LabelMatrix, tmp: Path, footer: dict[bytes, bytes] | None = None) -> None:
    import pyarrow.parquet as pq

    table = parquet_table(L.names, L.array, L.row_ids)
    if table.num_columns == 0 and L.n:
        raise DataError(
            f"Cannot save a matrix of {L.n} rows, no LFs and no row ids as Parquet: the file "
            "would have no column to count its rows. Use a .npz file."
        )
    meta: dict[bytes, bytes] = {b"lf": json.dumps(meta_of(L)).encode(), **(footer or {})}
    pq.write_table(table.replace_schema_metadata(meta), tmp)


def parquet_table(names: Sequence[str], labels: npt.NDArray[Any], ids: npt.NDArray[Any] | None) -> Any:
    """The Parquet columns of a matrix (or of a chunk of one): the row ids, then one per LF."""
    import pyarrow as pa

    if ROW_ID in names:
        raise DataError(
            f"Cannot write a Parquet label matrix with an LF named {ROW_ID!r}: the file keeps "
            "its row ids in that column. Rename the LF (or save as .npz)."
        )
    cols: dict[str, Any] = {} if ids is None else {ROW_ID: arrow_ids(ids)}
    for j, name in enumerate(names):
        cols[name] = labels[:, j]
    return pa.table(cols)


def is_missing(value: Any) -> bool:
    """Whether a row id is missing: None, NaN, or pandas' NA / NaT (nullable columns)."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    pd = sys.modules.get("pandas")  # no pandas imported: no pandas NA
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _one_kind(values: list[Any]) -> str | None:
    """'int', 'float', 'bool', 'str' or 'bytes' when every value is of that kind, else None."""
    kinds = {
        "bool" if isinstance(v, (bool, np.bool_))
        else "int" if isinstance(v, (int, np.integer))
        else "float" if isinstance(v, (float, np.floating))
        else "str" if isinstance(v, str)
        else "bytes" if isinstance(v, bytes)
        else None
        for v in values
    }
    return kinds.pop() if len(kinds) == 1 else None


_KIND_DTYPE = {"int": np.int64, "float": np.float64, "bool": np.bool_, "str": str, "bytes": bytes}


def refuse_mixed_bytes(values: list[Any]) -> None:
    """Row ids that mix bytes with other values are a DataError: as text, ``b"a1"`` would
    become ``"b'a1'"``, an id no other file has, and no one type holds both."""
    have = [v for v in values if isinstance(v, bytes)]
    if have and len(have) < len(values):
        other = next(v for v in values if not isinstance(v, bytes))
        raise DataError(
            f"The row ids mix bytes ({have[0]!r}) with other values ({other!r}, {type(other).__name__}): "
            "no one type holds both, and as text the bytes would become other ids. Give the id column one "
            "type: decode the bytes (e.g. df['id'].str.decode('utf-8')), or make every id bytes."
        )


def storable_ids(ids: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_] | None]:
    """Row ids as an array a file can hold without pickle, and the mask of missing ids (or None).

    Numeric, string and datetime ids are kept as they are. Ids from an object column keep
    their type when the present ones are all integers, all floats, all booleans, all
    strings or all bytes; otherwise (mixed types) they are stored as text, except bytes
    beside other values, which are refused (:func:`refuse_mixed_bytes`). Bytes are held
    as a fixed-width bytes array, which drops trailing NUL bytes: ids ending in one are
    refused (Parquet keeps them: :func:`arrow_ids`). Missing ids (``None``, NaN, pandas'
    NA) stay missing, whatever the type.
    """
    if ids.dtype.kind == "S":
        ids = ids.astype(object)  # checked below as bytes
    if ids.dtype != object:
        return ids, None
    items = ids.tolist()
    missing = np.array([is_missing(v) for v in items], bool)
    present = [v for v, gone in zip(items, missing) if not gone]
    kind = _one_kind(present)
    if kind is None:
        refuse_mixed_bytes(present)
    if kind == "bytes":
        cut = next((v for v in present if v.endswith(b"\0")), None)
        if cut is not None:
            raise DataError(
                f"Cannot store the row id {cut!r} in a .npz file: it ends in a NUL byte, which the file's "
                "fixed-width bytes drop (making it another id). Save the matrix as .parquet, which keeps it."
            )
    stored: npt.NDArray[Any] | None = None
    if kind is not None:
        fill = {"int": 0, "float": 0.0, "bool": False, "str": "", "bytes": b""}[kind]
        try:
            stored = np.array([fill if gone else v for v, gone in zip(items, missing)], _KIND_DTYPE[kind])
        except OverflowError:  # integers beyond int64
            stored = None
    if stored is None:  # mixed types: as text
        stored = np.array(["" if gone else str(v) for v, gone in zip(items, missing)], dtype=str)
    return stored, (missing if missing.any() else None)


def arrow_ids(ids: npt.NDArray[Any]) -> Any:
    """Row ids as a pyarrow array of their own type, missing ids as nulls (bytes as
    Arrow binary, every byte kept)."""
    import pyarrow as pa

    if ids.dtype.kind in "OS":
        items = ids.tolist()
        present = [v for v in items if not is_missing(v)]
        if present and _one_kind(present) == "bytes":
            return pa.array([None if is_missing(v) else v for v in items], pa.binary())
    stored, missing = storable_ids(ids)
    return pa.array(stored, mask=missing) if missing is not None else stored


def read_arrow_ids(column: Any) -> npt.NDArray[Any]:
    """A stored id column back as an array; with nulls, an object array holding None there
    (bytes as an object array of bytes, as ids read from data are)."""
    import pyarrow as pa

    if column.null_count or pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        out = np.empty(len(column), dtype=object)
        out[:] = column.to_pylist()
        return out
    return np.asarray(column.to_numpy(zero_copy_only=False))


class _Broken(Exception):
    """The file is readable but its content is not a whole label matrix (message: the problem)."""


_DATA_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".gz", ".bz2", ".zst")


def is_matrix_file(path: Path) -> bool:
    """Whether ``path`` is a Parquet file lf wrote as a label matrix (its footer says so)."""
    if path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return False
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return b"lf" in (pq.ParquetFile(path).metadata.metadata or {})
    except (pa.ArrowException, OSError):
        return False  # the read that follows names the problem


def read_matrix(path: Path) -> dict[str, Any]:
    """The keyword arguments of ``LabelMatrix(...)`` stored in ``path``, or a DataError."""
    if not path.exists():
        raise DataError(f"Label matrix file not found: {str(path)!r}.")
    if path.is_dir():
        raise DataError(f"{str(path)!r} is a folder, not a label matrix file.")
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".parquet"):
        data = " It looks like data: `lf apply DATA --lfs MODULE -o L.parquet` makes a matrix of it." if suffix in _DATA_SUFFIXES else ""
        raise DataError(f"Cannot read a LabelMatrix from {str(path)!r}: expected a .npz or .parquet file.{data}")
    try:
        return _read_npz(path) if suffix == ".npz" else _read_parquet(path)
    except _Broken as exc:
        raise DataError(f"Cannot read the label matrix {str(path)!r}: {exc}") from None


def read_parquet_matrix(path: Path) -> dict[str, Any]:
    """Like :func:`read_matrix` for a Parquet matrix whatever its file name (a temporary one)."""
    try:
        return _read_parquet(path)
    except _Broken as exc:
        raise DataError(f"Cannot read the label matrix {str(path)!r}: {exc}") from None


def _read_npz(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:  # numpy leaks its own handle on a bad zip
            if not {"meta", "L"} <= set(z.files):
                raise _Broken("it is a .npz file that is not a label matrix written by lf (LabelMatrix.save / lf apply).")
            meta = _meta(str(z["meta"]))
            arr = z["L"]
            row_ids = z["row_ids"] if "row_ids" in z.files else None
            if row_ids is not None and "row_ids_missing" in z.files:
                gaps = z["row_ids_missing"]
                if gaps.dtype != bool or gaps.shape != row_ids.shape:
                    raise _Broken(
                        f"its mask of missing row ids must hold one boolean per row id "
                        f"({row_ids.shape}). Got shape {gaps.shape}, dtype {gaps.dtype}."
                    )
                row_ids = row_ids.astype(object)
                row_ids[gaps] = None
            if row_ids is not None and row_ids.dtype.kind == "S":  # bytes ids, as the data held them
                row_ids = row_ids.astype(object)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _Broken(f"it is not a label matrix written by lf: truncated, or not a .npz archive ({type(exc).__name__}: {exc}).") from None
    return _kwargs(meta, arr, row_ids)


def _read_parquet(path: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _Broken(f"it is not a label matrix written by lf: truncated, or not a Parquet file ({exc}).") from None
    raw = (table.schema.metadata or {}).get(b"lf")
    if raw is None:  # written chunk by chunk: the metadata is in the file's footer
        raw = (pq.ParquetFile(path).metadata.metadata or {}).get(b"lf")
    if raw is None:
        raise _Broken("it is a Parquet file but not a label matrix written by lf (no 'lf' metadata).")
    meta = _meta(raw)
    missing = [name for name in meta["names"] if name not in table.column_names]
    if missing:
        raise _Broken(
            f"its metadata names LF column(s) {missing[:5]} that the file does not have "
            f"(columns: {', '.join(table.column_names[:10])})."
        )
    row_ids = read_arrow_ids(table.column(ROW_ID)) if ROW_ID in table.column_names else None
    arr = np.column_stack([table.column(n).to_numpy() for n in meta["names"]]) if meta["names"] else (
        np.zeros((table.num_rows, 0), np.int8)
    )
    return _kwargs(meta, arr, row_ids)


def _meta(raw: str | bytes) -> dict[str, Any]:
    """The metadata document, checked field by field."""
    try:
        meta = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _Broken(f"its metadata is not valid JSON ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        got = meta.get("format") if isinstance(meta, dict) else type(meta).__name__
        raise _Broken(f"it is not a label matrix written by lf (format {got!r}, expected {FORMAT!r}).")
    names, k, labels = meta.get("names"), meta.get("cardinality"), meta.get("labels")
    if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
        raise _Broken(f"its metadata 'names' must be a list of LF names. Got {names!r}.")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise _Broken(f"its metadata 'cardinality' must be a positive integer. Got {k!r}.")
    if labels is not None and (not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)):
        raise _Broken(f"its metadata 'labels' must be a list of names or null. Got {labels!r}.")
    for key in ("errors", "seconds"):
        value = meta.get(key)
        if value is not None and (
            not isinstance(value, list)
            or len(value) != len(names)
            or not all(_cost(x, whole=key == "errors") for x in value)
        ):
            what = "count" if key == "errors" else "number"
            raise _Broken(
                f"its metadata {key!r} must hold one non-negative {what} per LF ({len(names)}). "
                f"Got {str(value)[:200]}."
            )
    prints = meta.get("lf_fingerprints")
    if prints is not None and (
        not isinstance(prints, list) or len(prints) != len(names) or not all(x is None or isinstance(x, str) for x in prints)
    ):
        raise _Broken(f"its metadata 'lf_fingerprints' must hold one text digest or null per LF ({len(names)}). Got {str(prints)[:200]}.")
    return meta


def _cost(x: Any, *, whole: bool) -> bool:
    """Whether ``x`` is a per-LF cost: a finite number >= 0 (``whole``: an error count)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x < math.inf:
        return False
    return not whole or float(x).is_integer()


def _kwargs(meta: dict[str, Any], arr: npt.NDArray[Any], row_ids: Any) -> dict[str, Any]:
    if arr.ndim != 2 or arr.shape[1] != len(meta["names"]):
        raise _Broken(f"it holds a matrix of shape {arr.shape} for {len(meta['names'])} LF names.")
    for read in (arr, row_ids):  # read from the file, no one else's: the LabelMatrix takes them without a copy
        if read is not None:
            read.setflags(write=False)
    return {
        "array": arr,
        "names": meta["names"],
        "cardinality": meta["cardinality"],
        "labels": meta.get("labels"),
        "row_ids": row_ids,
        "errors": meta.get("errors"),
        "seconds": meta.get("seconds"),
        "lf_fingerprints": meta.get("lf_fingerprints"),
    }
