"""The LabelMatrix: the one thing that crosses from "apply" to "model / analysis"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import DataError

__all__ = ["LabelMatrix", "Patterns", "as_label_array"]

_FORMAT = "lf.LabelMatrix/1"
_ROW_ID = "__row_id__"


class Patterns(NamedTuple):
    """Distinct rows of a label matrix: ``rows[inverse]`` rebuilds the matrix."""

    rows: npt.NDArray[np.integer[Any]]
    counts: npt.NDArray[np.int64]
    inverse: npt.NDArray[np.intp]


def _storage_dtype(cardinality: int) -> type[np.integer[Any]]:
    return np.int8 if cardinality <= 127 else np.int16


def as_label_array(L: Any, cardinality: int | None = None) -> tuple[npt.NDArray[np.integer[Any]], int]:
    """Validate ``L`` (a LabelMatrix or 2-d int array) and return ``(array, cardinality)``."""
    if isinstance(L, LabelMatrix):
        if cardinality is not None and cardinality != L.cardinality:
            raise ValueError(
                f"`cardinality` is {cardinality} but the LabelMatrix has cardinality {L.cardinality}."
            )
        return L.array, L.cardinality
    arr = np.asarray(L)
    if arr.ndim != 2:
        raise ValueError(f"A label matrix must be 2-d (rows x LFs). Got an array of shape {arr.shape}.")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"A label matrix must hold integers. Got dtype {arr.dtype}.")
    lo = int(arr.min()) if arr.size else -1
    hi = int(arr.max()) if arr.size else -1
    if lo < -1:
        raise ValueError(f"Labels must be ABSTAIN (-1) or 0..k-1. Found {lo}.")
    if cardinality is None:
        cardinality = max(2, hi + 1)
    elif hi >= cardinality:
        raise ValueError(
            f"Label {hi} is out of range for cardinality {cardinality} (allowed: -1..{cardinality - 1})."
        )
    return arr, int(cardinality)


class LabelMatrix:
    """An ``n x m`` matrix of small ints (``ABSTAIN = -1``) with LF names and cardinality.

    Stored as int8 (int16 when ``cardinality > 127``). Also carries optional row ids, label
    names, and what applying cost: per-LF error counts and seconds.
    """

    def __init__(
        self,
        array: npt.ArrayLike,
        *,
        names: Sequence[str] | None = None,
        cardinality: int | None = None,
        labels: Sequence[str] | None = None,
        row_ids: npt.ArrayLike | None = None,
        errors: npt.ArrayLike | None = None,
        seconds: npt.ArrayLike | None = None,
    ) -> None:
        arr, k = as_label_array(np.asarray(array), cardinality)
        if labels is not None:
            labels = tuple(str(x) for x in labels)
            if cardinality is None:
                k = max(k, len(labels))
            if len(labels) != k:
                raise ValueError(f"{len(labels)} label names given for cardinality {k}: {labels}.")
        n, m = arr.shape
        self._array = np.ascontiguousarray(arr, dtype=_storage_dtype(k))
        self._array.setflags(write=False)
        self.cardinality = k
        self.names = tuple(names) if names is not None else tuple(f"lf_{j}" for j in range(m))
        if len(self.names) != m:
            raise ValueError(f"{len(self.names)} LF names given for {m} columns.")
        if len(set(self.names)) != m:
            dup = sorted({x for x in self.names if self.names.count(x) > 1})
            raise ValueError(f"LF names must be unique. Duplicated: {dup}.")
        self.labels = labels
        self.row_ids = None if row_ids is None else np.asarray(row_ids)
        if self.row_ids is not None and len(self.row_ids) != n:
            raise ValueError(f"{len(self.row_ids)} row ids given for {n} rows.")
        self.errors = np.zeros(m, np.int64) if errors is None else np.asarray(errors, np.int64)
        self.seconds = np.zeros(m, np.float64) if seconds is None else np.asarray(seconds, np.float64)

    # -- basic protocol ---------------------------------------------------------------
    @property
    def array(self) -> npt.NDArray[np.integer[Any]]:
        """The read-only ``n x m`` label array."""
        return self._array

    @property
    def shape(self) -> tuple[int, int]:
        n, m = self._array.shape
        return n, m

    @property
    def n(self) -> int:
        return int(self._array.shape[0])

    @property
    def m(self) -> int:
        return int(self._array.shape[1])

    def __len__(self) -> int:
        return self.n

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> npt.NDArray[Any]:
        return self._array if dtype is None else self._array.astype(dtype)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LabelMatrix)
            and self.names == other.names
            and self.cardinality == other.cardinality
            and np.array_equal(self._array, other._array)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LabelMatrix(n={self.n}, m={self.m}, cardinality={self.cardinality})"

    def label_name(self, label: int) -> str:
        """The declared name of ``label`` (or the number as text)."""
        if label == -1:
            return "ABSTAIN"
        return self.labels[label] if self.labels else str(label)

    # -- patterns ----------------------------------------------------------------------
    def patterns(self) -> Patterns:
        """Distinct rows with their counts (and each row's pattern index)."""
        return row_patterns(self._array, self.cardinality)

    # -- combining ---------------------------------------------------------------------
    @classmethod
    def concat(cls, parts: Sequence[LabelMatrix]) -> LabelMatrix:
        """Stack matrices of the same LFs row-wise; error counts and seconds add up."""
        if not parts:
            raise ValueError("LabelMatrix.concat needs at least one matrix.")
        first = parts[0]
        for p in parts[1:]:
            if p.names != first.names or p.cardinality != first.cardinality:
                raise ValueError("LabelMatrix.concat: all parts must have the same LF names and cardinality.")
        has_ids = [p.row_ids is not None for p in parts]
        if any(has_ids) and not all(has_ids):
            raise ValueError("LabelMatrix.concat: either every part has row ids or none does.")
        return cls(
            np.concatenate([p.array for p in parts]) if len(parts) > 1 else first.array,
            names=first.names,
            cardinality=first.cardinality,
            labels=first.labels,
            row_ids=np.concatenate([p.row_ids for p in parts]) if all(has_ids) else None,  # type: ignore[misc]
            errors=np.sum([p.errors for p in parts], axis=0),
            seconds=np.sum([p.seconds for p in parts], axis=0),
        )

    def __getitem__(self, rows: Any) -> LabelMatrix:
        """Select rows (slice, index array or boolean mask)."""
        arr = self._array[rows]
        if arr.ndim != 2:
            raise IndexError("Select rows with a slice, an index array or a boolean mask.")
        return LabelMatrix(
            arr,
            names=self.names,
            cardinality=self.cardinality,
            labels=self.labels,
            row_ids=None if self.row_ids is None else self.row_ids[rows],
            errors=self.errors,
            seconds=self.seconds,
        )

    # -- persistence -------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "names": list(self.names),
            "cardinality": self.cardinality,
            "labels": list(self.labels) if self.labels else None,
            "errors": self.errors.tolist(),
            "seconds": self.seconds.tolist(),
        }

    def save(self, path: str | Path) -> Path:
        """Write to ``.npz`` or ``.parquet`` (by suffix), atomically."""
        from lf.io import atomic_path

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".npz", ".parquet"):
            raise DataError(f"Cannot save a LabelMatrix as {path.name!r}: use a .npz or .parquet file name.")
        with atomic_path(path) as tmp:
            if suffix == ".npz":
                extra = {} if self.row_ids is None else {"row_ids": self.row_ids}
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, L=self._array, meta=np.array(json.dumps(self._meta())), **extra)
            else:
                self._write_parquet(tmp)
        return path

    def _write_parquet(self, tmp: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols: dict[str, Any] = {}
        if self.row_ids is not None:
            cols[_ROW_ID] = self.row_ids
        for j, name in enumerate(self.names):
            cols[name] = self._array[:, j]
        table = pa.table(cols).replace_schema_metadata({"lf": json.dumps(self._meta())})
        pq.write_table(table, tmp)

    @classmethod
    def load(cls, path: str | Path) -> LabelMatrix:
        """Read a matrix written by :meth:`save`."""
        path = Path(path)
        if not path.exists():
            raise DataError(f"Label matrix file not found: {str(path)!r}.")
        suffix = path.suffix.lower()
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                arr = z["L"]
                row_ids = z["row_ids"] if "row_ids" in z.files else None
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            raw = (table.schema.metadata or {}).get(b"lf")
            if raw is None:
                raise DataError(f"{str(path)!r} is a Parquet file but not a label matrix written by lf.")
            meta = json.loads(raw)
            row_ids = table.column(_ROW_ID).to_numpy() if _ROW_ID in table.column_names else None
            arr = np.column_stack([table.column(n).to_numpy() for n in meta["names"]]) if meta["names"] else (
                np.zeros((table.num_rows, 0), np.int8)
            )
        else:
            raise DataError(f"Cannot read a LabelMatrix from {path.name!r}: expected a .npz or .parquet file.")
        if meta.get("format") != _FORMAT:
            raise DataError(f"{str(path)!r} is not a label matrix written by lf (format {meta.get('format')!r}).")
        return cls(
            arr,
            names=meta["names"],
            cardinality=meta["cardinality"],
            labels=meta.get("labels"),
            row_ids=row_ids,
            errors=meta.get("errors"),
            seconds=meta.get("seconds"),
        )


def row_patterns(L: npt.NDArray[np.integer[Any]], cardinality: int) -> Patterns:
    """Distinct rows of ``L`` with counts and inverse, via an exact integer code when it fits."""
    n, m = L.shape
    base = cardinality + 1
    if m == 0 or n == 0:
        rows = L[:1] if n else L
        return Patterns(rows, np.array([n] if n else [], np.int64), np.zeros(n, np.intp))
    if m * np.log2(base) < 62:
        codes = np.zeros(n, np.int64)
        for j in range(m):
            codes *= base
            codes += L[:, j].astype(np.int64) + 1
        uniq, first, inverse, counts = np.unique(codes, return_index=True, return_inverse=True, return_counts=True)
        rows = L[first]
    else:
        rows, inverse, counts = np.unique(L, axis=0, return_inverse=True, return_counts=True)
    return Patterns(np.ascontiguousarray(rows), counts.astype(np.int64), inverse.reshape(-1).astype(np.intp))
