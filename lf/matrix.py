"""The LabelMatrix: the one thing that crosses from "apply" to "model / analysis"."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import DataError, LFDefinitionError, ParameterError

__all__ = ["LabelMatrix", "Patterns", "as_gold_array", "as_label_array"]

_FORMAT = "lf.LabelMatrix/1"
_ROW_ID = "__row_id__"


class Patterns(NamedTuple):
    """Distinct rows of a label matrix: ``rows[inverse]`` rebuilds the matrix."""

    rows: npt.NDArray[np.integer[Any]]
    counts: npt.NDArray[np.int64]
    inverse: npt.NDArray[np.intp]


MAX_CARDINALITY = 32767  # labels are stored as int16 beyond 127 classes


def _storage_dtype(cardinality: int) -> type[np.integer[Any]]:
    if cardinality > MAX_CARDINALITY:
        raise ParameterError(
            f"A label matrix holds at most {MAX_CARDINALITY} classes (int16 storage). Got cardinality {cardinality}."
        )
    return np.int8 if cardinality <= 127 else np.int16


def _integral(arr: npt.NDArray[Any], what: str) -> npt.NDArray[np.integer[Any]]:
    """``arr`` as integers: floats holding whole numbers (``-1 * np.ones(...)``) are converted.

    NaN, infinities and fractions are rejected, naming the first one and where it is.
    """
    if not arr.size or arr.dtype.kind in "iu":
        return arr
    if arr.dtype.kind != "f":
        raise ParameterError(f"{what} must hold integer labels. Got dtype {arr.dtype}.")
    bad = ~np.isfinite(arr) | (arr != np.round(arr))
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f"row {pos[0]}, column {pos[1]}" if len(pos) == 2 else f"position {pos[0]}"
        raise ParameterError(
            f"{what} must hold integer labels (ABSTAIN = -1). Got {arr[pos].item()!r} at {where} "
            f"(dtype {arr.dtype})."
        )
    return arr.astype(np.int64)


def as_gold_array(y: Any, n: int, *, name: str = "y") -> npt.NDArray[np.int64]:
    """Validate gold labels for ``n`` rows: shape ``(n,)`` or ``(n, 1)``, integer-valued."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n,):
        raise ParameterError(f"`{name}` must hold one gold label per row: {n} rows, got shape {arr.shape}.")
    if arr.size and arr.dtype.kind not in "iuf":
        raise ParameterError(f"`{name}` must hold integer labels. Got dtype {arr.dtype}.")
    return np.asarray(_integral(arr, f"`{name}`"), dtype=np.int64)


def as_label_array(L: Any, cardinality: int | None = None) -> tuple[npt.NDArray[np.integer[Any]], int]:
    """Validate ``L`` (a LabelMatrix or 2-d array of integer labels) and return ``(array, cardinality)``.

    Float arrays holding whole numbers (Snorkel builds ``L`` as ``-1 * np.ones(...)``) are
    converted to integers; NaN, infinities and fractions are rejected by value and position.
    """
    if isinstance(L, LabelMatrix):
        if cardinality is not None and cardinality != L.cardinality:
            raise ParameterError(
                f"`cardinality` is {cardinality} but the LabelMatrix has cardinality {L.cardinality}."
            )
        return L.array, L.cardinality
    arr = np.asarray(L)
    if arr.ndim != 2:
        raise ParameterError(f"A label matrix must be 2-d (rows x LFs). Got an array of shape {arr.shape}.")
    arr = _integral(arr, "A label matrix")
    lo = int(arr.min()) if arr.size else -1
    hi = int(arr.max()) if arr.size else -1
    if lo < -1:
        raise ParameterError(f"Labels must be ABSTAIN (-1) or 0..k-1. Found {lo}.")
    if cardinality is None:
        cardinality = max(2, hi + 1)
    elif hi >= cardinality:
        raise ParameterError(
            f"Label {hi} is out of range for cardinality {cardinality} (allowed: -1..{cardinality - 1})."
        )
    return arr, int(cardinality)


class LabelMatrix:
    """An ``n x m`` matrix of small ints (``ABSTAIN = -1``) with LF names and cardinality.

    Stored as int8 (int16 when ``cardinality > 127``). Also carries optional row ids, label
    names, and what applying cost: per-LF error counts and seconds.

    Row ids are saved as they are when numeric, text or dates; ids of mixed types (an object
    column holding, say, ints and strings) are saved as text, with missing ids kept missing.
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
                raise ParameterError(f"{len(labels)} label names given for cardinality {k}: {labels}.")
        n, m = arr.shape
        self._array = np.ascontiguousarray(arr, dtype=_storage_dtype(k))
        self._array.setflags(write=False)
        self.cardinality = k
        self.names = tuple(names) if names is not None else tuple(f"lf_{j}" for j in range(m))
        if len(self.names) != m:
            raise ParameterError(f"{len(self.names)} LF names given for {m} columns.")
        if len(set(self.names)) != m:
            dup = sorted({x for x in self.names if self.names.count(x) > 1})
            raise LFDefinitionError(f"Labeling function names must be unique. Duplicated: {', '.join(dup)}.")
        self.labels = labels
        self.row_ids = None if row_ids is None else np.asarray(row_ids)
        if self.row_ids is not None and len(self.row_ids) != n:
            raise ParameterError(f"{len(self.row_ids)} row ids given for {n} rows.")
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
            raise ParameterError("LabelMatrix.concat needs at least one matrix.")
        first = parts[0]
        for p in parts[1:]:
            if p.names != first.names or p.cardinality != first.cardinality:
                raise ParameterError("LabelMatrix.concat: all parts must have the same LF names and cardinality.")
        has_ids = [p.row_ids is not None for p in parts]
        if any(has_ids) and not all(has_ids):
            raise ParameterError("LabelMatrix.concat: either every part has row ids or none does.")
        return cls(
            np.concatenate([p.array for p in parts]) if len(parts) > 1 else first.array,
            names=first.names,
            cardinality=first.cardinality,
            labels=first.labels,
            row_ids=np.concatenate([p.row_ids for p in parts if p.row_ids is not None]) if all(has_ids) else None,
            errors=np.sum([p.errors for p in parts], axis=0),
            seconds=np.sum([p.seconds for p in parts], axis=0),
        )

    def __getitem__(self, rows: Any) -> LabelMatrix:
        """Select rows (slice, index array or boolean mask)."""
        arr = self._array[rows]
        if arr.ndim != 2:
            raise ParameterError("Select rows with a slice, an index array or a boolean mask.")
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
                arrays: dict[str, npt.NDArray[Any]] = {"L": self._array, "meta": np.array(json.dumps(self._meta()))}
                if self.row_ids is not None:
                    arrays["row_ids"], missing = _storable_ids(self.row_ids)
                    if missing is not None:
                        arrays["row_ids_missing"] = missing
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, allow_pickle=False, **arrays)
            else:
                self._write_parquet(tmp)
        return path

    def _write_parquet(self, tmp: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols: dict[str, Any] = {}
        if self.row_ids is not None:
            ids, missing = _storable_ids(self.row_ids)
            cols[_ROW_ID] = ids if missing is None else pa.array(ids.tolist(), pa.string(), mask=missing)
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
            not_ours = DataError(f"{str(path)!r} is not a label matrix written by lf (LabelMatrix.save / lf apply).")
            try:
                z = np.load(path, allow_pickle=False)
            except (ValueError, OSError, EOFError):
                raise not_ours from None
            with z:
                if not {"meta", "L"} <= set(z.files):
                    raise not_ours
                meta = json.loads(str(z["meta"]))
                arr = z["L"]
                row_ids = z["row_ids"] if "row_ids" in z.files else None
                if row_ids is not None and "row_ids_missing" in z.files:
                    row_ids = row_ids.astype(object)
                    row_ids[z["row_ids_missing"]] = None
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            raw = (table.schema.metadata or {}).get(b"lf")
            if raw is None:
                raise DataError(f"{str(path)!r} is a Parquet file but not a label matrix written by lf.")
            meta = json.loads(raw)
            row_ids = table.column(_ROW_ID).to_numpy(zero_copy_only=False) if _ROW_ID in table.column_names else None
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


def _storable_ids(ids: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_] | None]:
    """Row ids as an array a file can hold without pickle, and the mask of missing ids (or None).

    Numeric, string and datetime ids are kept as they are. Ids from an object column keep
    their type when they are all strings or all integers; otherwise (mixed types) they are
    stored as text, and missing ids (``None``, NaN) stay missing.
    """
    if ids.dtype != object:
        return ids, None
    items = ids.tolist()
    missing = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in items], bool)
    present = [v for v, gone in zip(items, missing) if not gone]
    if not missing.any() and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present):
        return np.array(items, np.int64), None
    text = np.array(["" if gone else str(v) for v, gone in zip(items, missing)], dtype=str)
    return text, (missing if missing.any() else None)


_HASH_SEED = 0x5EED_1F00D  # fixed: pattern grouping must not depend on the run


def row_patterns(L: npt.NDArray[np.integer[Any]], cardinality: int, *, inverse: bool = True) -> Patterns:
    """Distinct rows of ``L`` with their counts and (unless ``inverse=False``) each row's pattern.

    Patterns come in lexicographic order (the order of ``np.unique(L, axis=0)``); ``counts``
    are int64; ``rows[inverse]`` rebuilds ``L``. With ``inverse=False`` the inverse is an
    empty array (fitting a model does not need it).

    Each row is encoded exactly as base-``(cardinality + 1)`` digits packed into as few int64
    words as hold them (one word for up to ~39 binary LFs). One word: sort the codes. More
    words: sort a 64-bit hash of the words, check that equal hashes mean equal words (exact;
    on a collision the words themselves are sorted), then put the few distinct patterns in
    lexicographic order. Cost is one sort of ``n`` keys, not ``np.unique(axis=0)``'s
    row-by-row comparisons.
    """
    n, m = L.shape
    if m == 0 or n == 0:
        rows = L[:1] if n else L
        counts = np.array([n] if n else [], np.int64)
        return Patterns(rows, counts, np.zeros(n if inverse else 0, np.intp))
    words = _digit_words(L, cardinality)
    ordered = words.shape[1] == 1  # a single code word sorts lexicographically
    key = words[:, 0] if ordered else _hash_words(words)
    order = np.argsort(key, kind="stable")
    start = np.empty(n, bool)
    start[0] = True
    sorted_key = key[order]
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=start[1:])
    if not ordered:
        ws = words[order]
        differ = np.not_equal(ws[1:], ws[:-1]).any(axis=1)
        if np.any(differ & ~start[1:]):  # two patterns share a hash: group by the words
            order = np.lexsort(words.T[::-1])
            ws = words[order]
            np.not_equal(ws[1:], ws[:-1]).any(axis=1, out=start[1:])
            ordered = True
    firsts = order[start]
    counts = np.diff(np.append(np.flatnonzero(start), n)).astype(np.int64)
    inv = np.empty(n if inverse else 0, np.intp)
    if inverse:
        inv[order] = np.cumsum(start, dtype=np.intp) - 1
    if not ordered:  # few patterns: sort them by their words
        perm = np.lexsort(words[firsts].T[::-1])
        firsts, counts = firsts[perm], counts[perm]
        if inverse:
            rank = np.empty(perm.size, np.intp)
            rank[perm] = np.arange(perm.size, dtype=np.intp)
            inv = rank[inv]
    return Patterns(np.ascontiguousarray(L[firsts]), counts, inv)


def _digit_words(L: npt.NDArray[np.integer[Any]], cardinality: int) -> npt.NDArray[np.int64]:
    """``n x w`` int64 words: each holds the next columns' labels + 1 as base-(k+1) digits.

    Exact and order-preserving: comparing rows lexicographically equals comparing their words.
    """
    n, m = L.shape
    base = cardinality + 1
    per = 1
    while base ** (per + 1) <= np.iinfo(np.int64).max:
        per += 1
    n_words = -(-m // per)
    words = np.empty((n, n_words), np.int64)
    code = np.empty(n, np.int64)
    for w in range(n_words):
        cols = range(w * per, min(m, (w + 1) * per))
        code[:] = 0
        offset = 0
        for j in cols:
            code *= base
            code += L[:, j]
            offset = offset * base + 1
        words[:, w] = code + offset  # digits are label + 1, in 0..k
    return words


def _hash_words(words: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """A fixed 64-bit multiply-xorshift hash of each row of ``words``."""
    u = words.view(np.uint64)
    rng = np.random.default_rng(_HASH_SEED)
    mults = np.asarray(rng.integers(1, 2**63, size=u.shape[1], dtype=np.uint64), np.uint64) | np.uint64(1)
    with np.errstate(over="ignore"):
        h: npt.NDArray[np.uint64] = np.multiply(u[:, 0], mults[0])
        for i in range(1, u.shape[1]):
            h ^= h >> np.uint64(29)
            h += u[:, i] * mults[i]
    return h
