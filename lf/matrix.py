"""The LabelMatrix: the one thing that crosses from "apply" to "model / analysis"."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Self

import numpy as np
import numpy.typing as npt

from lf.errors import DataError, LFDefinitionError, ParameterError, RowSelectionError

__all__ = [
    "LabelMatrix", "PatternTable", "Patterns", "WeightedRows", "as_gold_array", "as_label_array", "check_gold_range",
    "duplicate_labels", "refuse_text",
]



class Patterns(NamedTuple):
    """Distinct rows of a label matrix: ``rows[inverse]`` rebuilds the matrix."""

    rows: npt.NDArray[np.integer[Any]]
    counts: npt.NDArray[np.int64]
    inverse: npt.NDArray[np.intp]


class PatternTable(NamedTuple):
    """A label matrix summed up as its distinct rows and how many rows each stands for.

    What a streaming or distributed run accumulates instead of the matrix: every statistic
    of :mod:`lf.analysis` and :func:`lf.summarize` is a count-weighted sum over it, and a
    label model fits from it. With ``gold``, rows are distinct (row, gold label) pairs.
    """

    rows: npt.NDArray[np.integer[Any]]  # p x m, ABSTAIN = -1
    counts: npt.NDArray[np.int64]  # p
    names: tuple[str, ...]
    cardinality: int
    labels: tuple[str, ...] | None = None
    errors: npt.NDArray[np.int64] | None = None
    seconds: npt.NDArray[np.float64] | None = None
    gold: npt.NDArray[np.int64] | None = None  # p: the gold label of each (row, gold) pattern
    lf_fingerprints: tuple[str | None, ...] | None = None  # as LabelMatrix's

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    @property
    def m(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"PatternTable(n={self.n}, m={self.m}, patterns={len(self.counts)}, cardinality={self.cardinality})"


class WeightedRows(np.ndarray):
    """Rows of a label matrix, each standing for ``counts[i]`` rows (a pattern table's rows).

    :func:`row_patterns` groups them by their counts, so a model that works from patterns
    fits on these exactly as on the matrix they summarise, without rebuilding its rows.
    """

    counts: npt.NDArray[np.int64]

    def __new__(cls, rows: npt.ArrayLike, counts: npt.ArrayLike) -> Self:
        obj = np.asarray(rows).view(cls)
        obj.counts = np.asarray(counts, np.int64)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.counts = getattr(obj, "counts", np.zeros(0, np.int64))


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


def _fingerprints(values: Sequence[str | None], m: int) -> tuple[str | None, ...]:
    out = tuple(values)
    if len(out) != m or not all(v is None or isinstance(v, str) for v in out):
        raise ParameterError(f"`lf_fingerprints` must hold one text digest or None per LF ({m}). Got {list(out)!r}.")
    return out


def _per_lf(values: npt.ArrayLike, m: int, what: str) -> Any:
    """Per-LF error counts (``what="errors"``) or seconds, checked: one per LF, >= 0, finite."""
    arr = np.asarray(values)
    count = what == "errors"
    ok = arr.shape == (m,) and (not arr.size or arr.dtype.kind in "iuf")
    if ok and arr.size:
        ok = bool(np.all(np.isfinite(arr)) and np.all(arr >= 0) and (not count or np.all(arr == np.round(arr))))
    if not ok:
        kind = "non-negative integer count" if count else "non-negative finite number of seconds"
        raise ParameterError(f"`{what}` must hold one {kind} per LF ({m}). Got {arr.tolist()!r}.")
    return arr.astype(np.int64 if count else np.float64)


def refuse_text(value: Any, name: str, example: str) -> None:
    """A text where a list of names is expected is a ParameterError: its characters would be
    taken for the names, one each."""
    if isinstance(value, (str, bytes)):
        raise ParameterError(f"`{name}` must be a list of names, e.g. {example}. Got the text {value!r}.")


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


def check_gold_range(gold: npt.NDArray[np.int64], k: int | None, *, name: str, matrix: str, missing: bool) -> None:
    """Refuse gold class ids outside ``0 .. k-1`` (``k`` None: any id >= 0), naming the first
    bad row. ``-1`` (no gold label) is taken when ``missing``; otherwise the message says how
    to leave those rows out of ``name`` and of the label matrix ``matrix``."""
    high = np.iinfo(np.int64).max if k is None else k
    bad = np.flatnonzero((gold < (-1 if missing else 0)) | (gold >= high))
    if not bad.size:
        return
    row, value = int(bad[0]), int(gold[bad[0]])
    if value == -1:
        raise ParameterError(
            f"`{name}` holds -1 (no gold label) at row {row}: every row needs a gold label here. "
            f"Leave those rows out: {matrix}[{name} != -1], {name}[{name} != -1]."
        )
    ids = "class ids 0 or more" if k is None else f"class ids 0..{k - 1}"
    extra = " (-1: no gold label)" if missing else ""
    raise ParameterError(f"`{name}` holds {value} at row {row}: it must hold {ids}{extra}.")


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


def _own_ids(row_ids: npt.ArrayLike) -> npt.NDArray[Any]:
    """Row ids the matrix alone can change (none can: they are read-only): the caller's own
    writable array (or a view of one) is copied, as its next write would change the ids."""
    ids = np.asarray(row_ids)
    if ids.flags.writeable and (ids is row_ids or ids.base is not None):
        ids = ids.copy()
    ids.setflags(write=False)
    return ids


def _shown(key: Any, limit: int = 40) -> str:
    """``key`` as written in ``L[key]``, cut to ``limit`` characters."""
    text = ", ".join(map(repr, key)) if isinstance(key, tuple) else repr(key)
    text = text.replace("slice(None, None, None)", ":")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _elementwise(other: object) -> bool:
    """Whether ``LabelMatrix == other`` compares the labels one by one: ``other`` is a
    number or an array (not a bool, which is no label)."""
    return isinstance(other, (int, np.integer, np.ndarray)) and not isinstance(other, (bool, np.bool_))


def duplicate_labels(labels: Sequence[str]) -> list[str]:
    """The label names that are one name where names are matched (gold labels,
    ``--class-balance``): in any case, spaces around them aside (``SPAM``, ``spam ``)."""
    folded = [x.strip().lower() for x in labels]
    return sorted({x for x in labels if folded.count(x.strip().lower()) > 1})


class LabelMatrix:
    """An ``n x m`` matrix of small ints (``ABSTAIN = -1``) with LF names and cardinality.

    Stored as int8 (int16 when ``cardinality > 127``). Also carries optional row ids, label
    names, and what applying cost: per-LF error counts and seconds.

    ``lf_fingerprints``: per LF, a digest of its definition (its code, what its code
    reaches, resources, declared files; None where lf cannot read it), or None when not
    known. ``lf apply`` (the command) and :func:`lf.label` record them in the matrices they
    write; :func:`lf.apply` does not compute them (it would cost every run). A model fitted
    on the matrix keeps them and warns when it is later used with an LF of the same name
    whose definition has changed.

    Row ids are saved as they are when numeric, text, bytes or dates; ids of mixed types (an
    object column holding, say, ints and strings) are saved as text, with missing ids kept
    missing. Bytes beside other ids, and (in a .npz) bytes ending in a NUL byte, are refused.
    """

    cache_stats: Any = None
    """Set by ``lf.apply(cache=...)``: a :class:`lf.apply.cache.CacheStats`. Not saved."""

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
        lf_fingerprints: Sequence[str | None] | None = None,
    ) -> None:
        given = np.asarray(array)
        arr, k = as_label_array(given, cardinality)
        refuse_text(labels, "labels", "['HAM', 'SPAM']")
        refuse_text(names, "names", "['has_url', 'short']")
        if labels is not None:
            labels = tuple(str(x) for x in labels)
            if cardinality is None:
                k = max(k, len(labels))
            if len(labels) != k:
                raise ParameterError(f"{len(labels)} label names given for cardinality {k}: {labels}.")
            dup = duplicate_labels(labels)
            if dup:  # gold 'a' would be read as whichever of them came last
                raise ParameterError(
                    f"Label names must differ in more than case and spaces around them, as gold labels "
                    f"match them so. Got {list(labels)}; duplicated: {dup}."
                )
        n, m = arr.shape
        self._array = np.ascontiguousarray(arr, dtype=_storage_dtype(k))
        if given.flags.writeable and np.may_share_memory(self._array, given):
            # The caller's own array: freezing it would change their data (it would refuse
            # their next write), and sharing it would let that write change the matrix
            # under its cached patterns. A read-only array is shared as it is.
            self._array = self._array.copy()
        self._array.setflags(write=False)
        self.cardinality = k
        self.names = tuple(names) if names is not None else tuple(f"lf_{j}" for j in range(m))
        if len(self.names) != m:
            raise ParameterError(f"{len(self.names)} LF names given for {m} columns.")
        if len(set(self.names)) != m:
            dup = sorted({x for x in self.names if self.names.count(x) > 1})
            raise LFDefinitionError(f"Labeling function names must be unique. Duplicated: {', '.join(dup)}.")
        self.labels = labels
        self.row_ids = None if row_ids is None else _own_ids(row_ids)
        if self.row_ids is not None and len(self.row_ids) != n:
            raise ParameterError(f"{len(self.row_ids)} row ids given for {n} rows.")
        self.errors = np.zeros(m, np.int64) if errors is None else _per_lf(errors, m, "errors")
        self.seconds = np.zeros(m, np.float64) if seconds is None else _per_lf(seconds, m, "seconds")
        self.lf_fingerprints = None if lf_fingerprints is None else _fingerprints(lf_fingerprints, m)

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
        """The label array: read-only and shared (``np.asarray(L)``), or a writable copy
        (``np.array(L)``, a ``dtype``), so that no write reaches the matrix."""
        if dtype is not None and np.dtype(dtype) != self._array.dtype:
            return self._array.astype(dtype)
        return self._array.copy() if copy else self._array

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled and deep-copied matrices stay read-only, as their kept patterns need."""
        self.__dict__.update(state)
        for arr in (self._array, self.row_ids, *self.__dict__.get("_patterns", ())):
            if arr is not None:
                arr.setflags(write=False)

    def __eq__(self, other: object) -> Any:
        """Another LabelMatrix: whether names, cardinality and labels are all equal. A label
        or an array (``L == -1``, ``L != ABSTAIN``, as Snorkel's ``L`` is a NumPy array):
        the labels compared element by element, as NumPy compares them."""
        if _elementwise(other):
            return self._array == other
        return (
            isinstance(other, LabelMatrix)
            and self.names == other.names
            and self.cardinality == other.cardinality
            and self.labels == other.labels
            and np.array_equal(self._array, other._array)
        )

    def __ne__(self, other: object) -> Any:
        if _elementwise(other):
            return self._array != other
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: object) -> Any:
        """Refused, naming the array to use: Snorkel's ``LFAnalysis`` and ``LabelModel`` start
        with ``L + 1``, and would otherwise fail on an unsupported operand."""
        raise ParameterError(
            "A LabelMatrix does no arithmetic: np.asarray(L) (or L.array) is its label array, "
            "which is what Snorkel's LFAnalysis, LabelModel and MajorityLabelVoter take."
        )

    __radd__ = __sub__ = __rsub__ = __add__

    def __repr__(self) -> str:
        return f"LabelMatrix(n={self.n}, m={self.m}, cardinality={self.cardinality})"

    def label_name(self, label: int) -> str:
        """The declared name of ``label`` (or the number as text)."""
        if label == -1:
            return "ABSTAIN"
        return self.labels[label] if self.labels else str(label)

    # -- patterns ----------------------------------------------------------------------
    def patterns(self, *, inverse: bool = True) -> Patterns:
        """Distinct rows with their counts (and, unless ``inverse=False``, each row's pattern).

        Computed once and kept: the matrix is immutable. Statistics, reports and models
        work from these, so their cost follows the number of patterns, not of rows.
        """
        cached = self.__dict__.get("_patterns")
        if cached is None or (inverse and cached.inverse.shape[0] != self.n):
            cached = row_patterns(self._array, self.cardinality, inverse=inverse)
            for arr in cached:  # kept for every later statistic: a caller's write must not reach them
                arr.setflags(write=False)
            self.__dict__["_patterns"] = cached
        if not inverse and cached.inverse.shape[0]:
            return Patterns(cached.rows, cached.counts, np.zeros(0, np.intp))
        return cached

    # -- combining ---------------------------------------------------------------------
    @classmethod
    def concat(cls, parts: Sequence[LabelMatrix]) -> LabelMatrix:
        """Stack matrices of the same LFs row-wise; error counts and seconds add up.

        The parts must agree on what a column and a class id mean: the same LF names,
        cardinality and label names (where known), and each LF the same definition (where
        its fingerprint is known: a column must not hold two versions of an LF)."""
        if not parts:
            raise ParameterError("LabelMatrix.concat needs at least one matrix.")
        first = parts[0]
        for p in parts[1:]:
            if p.names != first.names or p.cardinality != first.cardinality:
                raise ParameterError("LabelMatrix.concat: all parts must have the same LF names and cardinality.")
        named = [p.labels for p in parts if p.labels]
        if any(labels != named[0] for labels in named):
            other = next(labels for labels in named if labels != named[0])
            raise ParameterError(
                f"LabelMatrix.concat: the parts name the classes {', '.join(named[0])} and {', '.join(other)} (in that "
                "order), so a class id would mean another label in each. Apply the same LF module to every part."
            )
        prints = _shared_fingerprints(parts)
        has_ids = [p.row_ids is not None for p in parts]
        if any(has_ids) and not all(has_ids):
            raise ParameterError("LabelMatrix.concat: either every part has row ids or none does.")
        return cls(
            np.concatenate([p.array for p in parts]) if len(parts) > 1 else first.array,
            names=first.names,
            cardinality=first.cardinality,
            labels=named[0] if named else None,
            row_ids=np.concatenate([p.row_ids for p in parts if p.row_ids is not None]) if all(has_ids) else None,
            errors=np.sum([p.errors for p in parts], axis=0),
            seconds=np.sum([p.seconds for p in parts], axis=0),
            lf_fingerprints=prints,
        )

    def __getitem__(self, rows: Any) -> LabelMatrix:
        """Select rows (slice, index array or boolean mask) by position, not by row id."""
        try:
            arr = self._array[rows]
        except IndexError as exc:
            by_id = " (by id: L[np.isin(L.row_ids, ids)])" if self.row_ids is not None else ""
            raise RowSelectionError(
                f"L[{_shown(rows)}] reaches past the matrix's {self.n:,} rows ({exc}): rows are selected by "
                f"position, 0 to {self.n - 1:,}{by_id}."
            ) from None
        if arr.ndim != 2:
            raise ParameterError(
                f"L[{_shown(rows)}] is not a selection of rows: select rows with a slice, an index array or a "
                "boolean mask (L[rows]); an LF's column of labels is L.array[:, j]."
            )
        return LabelMatrix(
            arr,
            names=self.names,
            cardinality=self.cardinality,
            labels=self.labels,
            row_ids=None if self.row_ids is None else self.row_ids[rows],
            errors=self.errors,
            seconds=self.seconds,
            lf_fingerprints=self.lf_fingerprints,
        )

    # -- persistence (lf/_matrix_io.py) -------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write to ``.npz`` or ``.parquet`` (by suffix), atomically.

        A failed write (a full disk, say) is a DataError naming the path, and leaves no
        file behind: neither a partial one nor a changed one.
        """
        from lf._matrix_io import write_matrix
        from lf.paths import check_outputs

        if Path(path).suffix.lower() not in (".npz", ".parquet"):
            raise DataError(f"Cannot save a LabelMatrix as {Path(path).name!r}: use a .npz or .parquet file name.")
        check_outputs([("`path`", path)])  # not a folder; its folder exists and is writable
        path = Path(path)
        write_matrix(self, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> LabelMatrix:
        """Read a matrix written by :meth:`save`, or the folder of part files ``lf label
        --engine dask --matrix`` writes (its parts stacked in row order).

        A missing, truncated or foreign file, or one whose metadata is broken, is a
        DataError naming the file and the problem.
        """
        from lf._matrix_io import read_matrix

        path = Path(path)
        if path.is_dir():
            from lf.dask_label import part_files

            parts = [cls.load(p) for p in part_files(path, "a label matrix")]
            try:
                return cls.concat(parts)
            except ParameterError as exc:
                raise DataError(f"Cannot read the label matrix {str(path)!r} from its part files: {exc}") from None
        kwargs = read_matrix(path)
        try:
            return cls(**kwargs)
        except (ParameterError, LFDefinitionError) as exc:
            raise DataError(f"Cannot read the label matrix {str(path)!r}: {exc}") from None


_HASH_SEED = 0x5EED_1F00D  # fixed: pattern grouping must not depend on the run
_DENSE_CODES = 1 << 22  # up to this many possible rows, patterns are counted, not sorted


def _shared_fingerprints(parts: Sequence[LabelMatrix]) -> tuple[str | None, ...] | None:
    """Per LF, the definition every part of a :meth:`LabelMatrix.concat` has (None where a
    part does not know it); two known definitions of one LF are a ParameterError."""
    per_part = [p.lf_fingerprints or (None,) * p.m for p in parts]
    out: list[str | None] = []
    for name, column in zip(parts[0].names, zip(*per_part)):
        known = {f for f in column if f}
        if len(known) > 1:
            raise ParameterError(
                f"LabelMatrix.concat: LF {name!r} had another definition (code, code it calls, resources or declared "
                "files) in one part than in another, so its column would mix the votes of both. Apply the same LFs to "
                "every part."
            )
        out.append(known.pop() if known and all(column) else None)
    return tuple(out) if any(out) else None


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
    # A numpy integer would overflow silently in the code arithmetic below (base ** m): a
    # wrong dense table, or a word size that never stops growing.
    cardinality = int(cardinality)
    if isinstance(L, WeightedRows):
        return _weighted_patterns(L, cardinality, inverse)
    n, m = L.shape
    if m == 0 or n == 0:
        rows = L[:1] if n else L
        counts = np.array([n] if n else [], np.int64)
        return Patterns(rows, counts, np.zeros(n if inverse else 0, np.intp))
    if (cardinality + 1) ** m <= _DENSE_CODES:
        return _dense_patterns(L, cardinality, inverse)
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


def _weighted_patterns(W: WeightedRows, cardinality: int, inverse: bool) -> Patterns:
    """Patterns of weighted rows: equal rows merged, their counts added."""
    rows = np.asarray(W)
    if W.counts.shape != (rows.shape[0],):
        raise ParameterError(f"{W.counts.shape[0]} counts given for {rows.shape[0]} weighted rows.")
    pat = row_patterns(rows, cardinality)
    counts = np.zeros(pat.counts.shape[0], np.int64)
    np.add.at(counts, pat.inverse, W.counts)
    return Patterns(np.asarray(pat.rows), counts, pat.inverse if inverse else np.zeros(0, np.intp))


def _dense_patterns(L: npt.NDArray[np.integer[Any]], cardinality: int, inverse: bool) -> Patterns:
    """Few possible rows: count each row's base-(k+1) code with one ``bincount`` (no sort)."""
    n, m = L.shape
    base = cardinality + 1
    size = base**m
    small = size < 2**31  # int32 codes halve the memory traffic
    code: npt.NDArray[np.signedinteger[Any]] = np.zeros(n, np.int32 if small else np.int64)
    for j in range(m):
        code *= base
        code += L[:, j]
    code += (base**m - 1) // (base - 1)  # every digit is label + 1, in 0..k
    table = np.bincount(code, minlength=size)
    present = np.flatnonzero(table)  # ascending codes: lexicographic row order
    rows = np.empty((present.size, m), L.dtype)
    rest = present.copy()
    for j in range(m - 1, -1, -1):
        rows[:, j] = rest % base - 1
        rest //= base
    inv = np.zeros(0, np.intp)
    if inverse:
        rank = np.cumsum(table > 0, dtype=np.intp) - 1
        inv = rank[code]
    return Patterns(rows, table[present].astype(np.int64), inv)


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
