"""Row ids that name more than one row: found when an output is written, said once.

Outputs keep every row (an id column is the user's data), but a later join by id (``lf
train --labels``, ``lf sample --labeled``, Label Studio) would be ambiguous, and those
refuse it; the warning comes earlier, when the file holding the repeated ids is written.
Ids compare as the text their file holds (``7`` and ``"7"`` are one id). Strictly
ascending ids (the usual numbering, as numbers or as a CSV's text ``"9"``, ``"10"``) are
checked in constant memory as chunks pass; other ids are checked after the pass from the
file written (8 bytes a row while sorting).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

__all__ = [
    "Ascending", "IndexHead", "MissingIds", "Repeated", "index_head", "repeated_ids", "warn_index_of_partitions",
    "warn_positions_for_index", "warn_repeated",
]


class Repeated(NamedTuple):
    """One repeated id (as text), the rows it names, and how many ids repeat in all."""

    id: str
    rows: int
    ids: int


class Ascending:
    """Whether every id seen so far, chunk after chunk, is larger than the one before
    (then no id repeats); ``False`` once not (mixed types and missing ids too).
    :meth:`bounds`: the first and last id, as compared (a CSV's numbered rows as numbers)."""

    def __init__(self) -> None:
        self.holds = True
        self._first: Any = None
        self._last: Any = None

    def add(self, ids: npt.NDArray[Any]) -> None:
        if not self.holds or not len(ids):
            return
        try:
            if ids.dtype.kind in "iu":
                ok = bool((ids[1:] > ids[:-1]).all())  # np.diff wraps: 2**63 - 1 then -2**63 + 1 is "+2"
            elif ids.dtype.kind in "OU" and (numbers := _decimals(ids)) is not None:
                ids = numbers  # CSV's numbered rows: "9" before "10"
                ok = bool((ids[1:] > ids[:-1]).all())
            elif ids.dtype.kind in "OU" and all(isinstance(v, str) for v in (ids[0], ids[-1])):
                import pandas as pd

                s = pd.Series(ids, dtype=object)
                ok = bool(s.is_monotonic_increasing) and not (ids[1:] == ids[:-1]).any()
            else:
                ok = False  # floats (1.0 and 1 are two ids as text), missing ids, mixed types
            ok = ok and (self._last is None or bool(self._last < ids[0]))
        except TypeError:
            ok = False
        if self._last is None:
            self._first = ids[0]
        self.holds, self._last = ok, ids[-1]

    def bounds(self) -> tuple[Any, Any] | None:
        """The first and last id seen while they ascend (None: they did not, or none came)."""
        return (self._first, self._last) if self.holds and self._last is not None else None

    @staticmethod
    def joined(bounds: Iterable[tuple[Any, Any] | None]) -> bool:
        """Whether parts whose ids each ascend (their :meth:`bounds`, in row order) ascend
        together: each part's first id above the last of the part before."""
        last: Any = None
        for part in bounds:
            if part is None:
                return False
            try:
                if last is not None and not bool(last < part[0]):
                    return False
            except TypeError:  # ids of two kinds (numbers in one part, other text in the next)
                return False
            last = part[1]
        return True


def _decimals(ids: npt.NDArray[Any]) -> npt.NDArray[np.int64] | None:
    """Text ids that are all integers as written plainly (``"7"``, ``"-3"``; not ``"007"``,
    ``"+7"`` or ``" 7"``, other ids than ``"7"``), as numbers; else None. Two such ids are
    the same text exactly when they are the same number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not all(isinstance(v, str) and v.lstrip("-").isdigit() and v == str(int(v)) for v in (ids[0], ids[-1])):
        return None  # at once: Arrow takes long to refuse a column of other text
    try:
        texts = pa.array(ids, type=pa.string())
        numbers = texts.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if texts.null_count or not pc.all(pc.equal(numbers.cast(pa.string()), texts)).as_py():
        return None
    return np.asarray(numbers.to_numpy(), dtype=np.int64)


def _texts(ids: npt.NDArray[Any]) -> npt.NDArray[Any]:
    from lf._row_digest import as_text, missing

    texts = as_text(ids)
    return texts[~missing(texts)]


def repeated_ids(chunks: Iterable[npt.NDArray[Any]], again: Any = None) -> Repeated | None:
    """The id of ``chunks`` (row ids, chunk by chunk) repeated most, or None.

    ``again``: called with no argument, the same chunks once more (to name the id found
    repeated by its hash; else ``chunks`` must be a list)."""
    from pandas.util import hash_array

    parts = list(chunks) if again is None else chunks
    hashes = np.concatenate([hash_array(_texts(c), categorize=False) for c in parts] or [np.zeros(0, np.uint64)])
    hashes.sort()
    same = hashes[1:] == hashes[:-1]
    if not same.any():
        return None
    distinct, counts = np.unique(hashes[1:][same], return_counts=True)
    first = distinct[counts.argmax()]  # the id that names the most rows
    n_ids = len(distinct)
    del hashes
    found: dict[str, int] = {}
    for c in (parts if again is None else again()):
        texts = _texts(c)
        for t in texts[hash_array(texts, categorize=False) == first]:
            found[t] = found.get(t, 0) + 1
    name, rows = max(found.items(), key=lambda kv: kv[1])
    return Repeated(str(name), rows, n_ids) if rows > 1 else None


def warn_repeated(found: Repeated | None, what: str, stacklevel: int = 3) -> None:
    """The one warning of an output whose row ids repeat (``what``: the file or the data)."""
    if found is None:
        return
    more = f" ({found.ids:,} ids repeat in all)" if found.ids > 1 else ""
    warnings.warn(
        f"{what} repeats row ids: {found.id!r} names {found.rows:,} rows{more}. A join by id "
        "(lf train --labels, lf sample --labeled, Label Studio) cannot tell them apart and is "
        "refused: give every row its own id (or --id-column a column that has them).",
        UserWarning,
        stacklevel=stacklevel,
    )


class MissingIds:
    """Rows without an id (None, NaN, pandas' NA, an empty text: a CSV's empty field, a
    JSON null or missing key, a Parquet null), counted chunk by chunk: how many, and the
    positions of the first few."""

    SHOWN = 5

    def __init__(self) -> None:
        self.rows = 0
        self.first: list[int] = []

    def merge(self, other: MissingIds, at: int) -> None:
        """Add the count of a later part of the rows, ``other``, whose first row is at ``at``."""
        self.rows += other.rows
        self.first += [at + i for i in other.first][: self.SHOWN - len(self.first)]

    def add(self, ids: Any, at: int | npt.NDArray[np.int64]) -> None:
        """Count the missing ids among ``ids``, the ids of the rows from position ``at`` on
        (or at the positions ``at``, one per id)."""
        from lf._row_digest import missing

        boxed = np.empty(len(ids), dtype=object)
        boxed[:] = ids
        gone = missing(boxed)
        known = np.flatnonzero(~gone)
        gone[known[boxed[known] == ""]] = True
        where = np.flatnonzero(gone)
        self.rows += len(where)
        if len(self.first) < self.SHOWN:
            shown = where[: self.SHOWN - len(self.first)]
            self.first += (at + shown if isinstance(at, int) else np.asarray(at)[shown]).tolist()

    def warn(
        self, what: str, stacklevel: int = 3, join: str = "a join by id (lf train --labels, lf sample --labeled, Label Studio)",
    ) -> None:
        """The one warning of data (``what``: its id column) some of whose rows have no id
        (``join``: the joins by id that cannot find them)."""
        if not self.rows:
            return
        shown = ", ".join(f"{i:,}" for i in self.first) + (", ..." if self.rows > len(self.first) else "")
        warnings.warn(
            f"{what} is empty on {self.rows:,} row{'s' if self.rows > 1 else ''} (positions {shown}, "
            f"counted from 0): {join} cannot find "
            f"{'them' if self.rows > 1 else 'it'}. Give every row an id (or --id-column a column that has them).",
            UserWarning,
            stacklevel=stacklevel,
        )


def warn_positions_for_index(data: Any) -> None:
    """Warn when ``data`` is a DataFrame whose index is not its row positions: the output's
    ``id`` is the position, and a join on the index would pair rows with others' labels."""
    import pandas as pd

    if not isinstance(data, pd.DataFrame) or data.index.equals(pd.RangeIndex(len(data))):
        return
    index = data.index
    shown = ", ".join(map(repr, index[:3].tolist()))
    _warn_index(f"a DataFrame whose index is not its row positions 0..{len(index) - 1} (it starts {shown})")


def _warn_index(what: str) -> None:
    warnings.warn(
        f"`data` is {what}, "
        "and it has no id column: the output's `id` is each row's position, so a join on the index would "
        "give rows other rows' labels. Pass data.rename_axis('id').reset_index() to keep the index as ids, "
        "or data.reset_index(drop=True).",
        UserWarning,
        stacklevel=4,
    )


class IndexHead(NamedTuple):
    """A Dask partition's index, as far as telling whether it holds row positions:
    its first label when its labels are consecutive integers, and its first labels."""

    start: int | None
    head: list[Any]


def index_head(index: Any) -> IndexHead:
    """The :class:`IndexHead` of a partition's pandas index."""
    import pandas as pd

    n = len(index)
    counted = isinstance(index, pd.RangeIndex) and index.step == 1
    if not counted and n and index.dtype.kind in "iu":
        counted = bool(index.is_monotonic_increasing and index[-1] - index[0] == n - 1)
    return IndexHead(int(index[0]) if counted and n else None, index[:3].tolist())


def warn_index_of_partitions(parts: Iterable[tuple[int, int, IndexHead]]) -> None:
    """Warn, as for a DataFrame, when a Dask DataFrame's partitions (``(offset, rows,
    head)`` each, in order) hold an index that is not row positions: neither the rows'
    positions in the whole frame nor in their partition (as ``dask.dataframe.read_csv``
    and ``reset_index`` number them)."""
    for offset, rows, head in parts:
        if rows and head.start not in (0, offset):
            shown = ", ".join(map(repr, head.head))
            _warn_index(f"a Dask DataFrame whose index is not its row positions (at row {offset:,}, it holds {shown})")
            return
