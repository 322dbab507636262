"""What each consumer of a chunk's rows sees: the rows as they were, whatever ran before.

Within a chunk, row LFs and preprocessors share one set of rows per preprocessor chain (each
chain runs once per row, however many LFs use it). Sharing must not let one LF's edits reach
another LF, a later preprocessor or the caller's DataFrame, or the matrix would depend on the
order of the LFs and on the engine. So:

* values from the caller's columns that could be changed in place (lists, dicts, sets,
  arrays, other objects) are copied when the rows are built; text and numbers are not;
* rows are instances of a per-chunk :class:`~lf.core.Row` subclass that journals attribute
  and item writes; after each consumer the kernel undoes them (nothing to do, and nothing
  paid, when no LF writes to its row). Writes past those hooks (``vars(x)[k] = v``,
  ``object.__setattr__``) are undone too: an LF whose code, or a function it names, names
  ``vars``, ``__dict__``, ``__setattr__`` or ``__delattr__`` has every row journaled first;
* when several consumers share a chain whose rows hold containers, every consumer but the
  last gets fresh copies of those containers; the last gets the originals.

Other objects a preprocessor stores on a row (a spaCy Doc, the user's own classes) are
shared by the LFs of that chain as they are: copying them per LF would cost more than the
LFs. A batch LF gets a shallow copy of the chunk (copy-on-write), with containers copied.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, NamedTuple

from lf._values import _ATOMS, fresh_copy, needs_copy
from lf.apply.reads import fields_needed
from lf.core import LabelingFunction, Preprocessor, Row, make_rows
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ChunkRows", "private_frame"]

Chain = tuple[Preprocessor, ...]


@functools.cache
def atoms() -> frozenset[type]:
    """Immutable value types, pandas scalars included (pandas is loaded once chunks exist)."""
    import pandas as pd

    extra = {pd.Timestamp, pd.Timedelta, pd.Period, pd.Interval, type(pd.NaT), type(pd.NA)}
    return _ATOMS | frozenset(extra)


def _private(value: Any, kinds: frozenset[type]) -> Any:
    """A copy of a value from the caller's data that nothing done to it can reach back."""
    if type(value) in kinds:
        return value
    return fresh_copy(value, kinds) if needs_copy(value, kinds) else copy.deepcopy(value)


def _private_columns(chunk: pd.DataFrame, kinds: frozenset[type], among: Iterable[int] | None = None) -> dict[int, list[Any]]:
    """Positions of the columns (of ``among``, default all) holding values that are not
    atoms, with those values copied."""
    import pandas as pd

    out: dict[int, list[Any]] = {}
    for j in range(chunk.shape[1]) if among is None else among:
        column = chunk.iloc[:, j]
        if column.dtype.kind not in "OV" or isinstance(column.dtype, pd.StringDtype):
            continue  # numbers, booleans, dates, text: atoms by dtype
        values = column.tolist()
        if not kinds.issuperset(map(type, values)):
            out[j] = [_private(v, kinds) for v in values]
    return out


def private_frame(chunk: pd.DataFrame, columns: dict[int, list[Any]] | None = None) -> pd.DataFrame:
    """A copy of ``chunk`` a batch LF may change freely: columns copy on write, objects copied.

    ``columns`` are the chunk's object columns as :func:`_private_columns` copied them; they
    are copied again here, so they stay as the caller's data was for the next consumer.
    """
    import pandas as pd

    kinds = atoms()
    if columns is None:
        columns = _private_columns(chunk, kinds)
    out = chunk.copy(deep=False)
    for j, values in columns.items():
        fresh = [_private(v, kinds) for v in values]
        out.isetitem(j, pd.Series(fresh, index=chunk.index, dtype=object))
    return out


def refuse_duplicate_columns(chunk: pd.DataFrame) -> None:
    """A DataError naming the column names the chunk has twice: an LF reads fields (a batch
    LF a column) by name, and would get two columns for one."""
    if chunk.columns.has_duplicates:
        dups = sorted({str(c) for c in chunk.columns[chunk.columns.duplicated()]})
        raise DataError(
            f"The data has duplicated column names ({', '.join(dups)}); an LF reads fields "
            "by name. Rename the columns first."
        )


class _Chain:
    __slots__ = ("handed", "hot", "left", "rows")

    def __init__(self, rows: list[Any], hot: list[_Hot], consumers: int) -> None:
        self.rows = rows
        self.hot = hot
        self.left = consumers
        self.handed = False


def _journaled_row_class() -> tuple[type[Row], dict[int, tuple[Row, dict[Any, Any], dict[Any, Any]]]]:
    """A Row subclass whose instances record their fields before their first write."""
    journal: dict[int, tuple[Row, dict[Any, Any], dict[Any, Any]]] = {}

    def remember(row: Row) -> None:
        if id(row) not in journal:
            fields = row.__dict__
            journal[id(row)] = (row, fields, fields.copy())

    class SharedRow(Row):
        __slots__ = ()

        def __setattr__(self, key: str, value: Any) -> None:
            remember(self)
            object.__setattr__(self, key, value)

        def __delattr__(self, key: str) -> None:
            remember(self)
            object.__delattr__(self, key)

        def __setitem__(self, key: Hashable, value: Any) -> None:
            remember(self)
            fields: dict[Any, Any] = self.__dict__
            fields[key] = value

    SharedRow.__name__ = SharedRow.__qualname__ = "Row"
    return SharedRow, journal


class ChunkRows:
    """The rows of one chunk per preprocessor chain, handed to each consumer as they were.

    ``lfs`` are the row LFs that will run on this chunk: they fix how many consumers each
    chain has (the LFs using it, plus the chains one preprocessor longer). ``shelter``:
    freeze the rows out of the cyclic GC's reach once built (:meth:`_shelter`); only when
    nothing else in the process is frozen, as :meth:`release` thaws everything.
    """

    def __init__(self, chunk: pd.DataFrame, lfs: Sequence[LabelingFunction], *, shelter: bool = False) -> None:
        self.chunk = chunk
        self.kinds = atoms()
        self.cls, self._journal = _journaled_row_class()
        self._consumers: Counter[Chain] = Counter(lf.pre for lf in lfs)
        chains = {lf.pre[:depth] for lf in lfs for depth in range(1, len(lf.pre) + 1)}
        self._consumers.update(chain[:-1] for chain in chains)
        self._chains: dict[Chain, _Chain] = {}
        self._columns: dict[int, list[Any]] | None = None
        self._reads = fields_needed(lfs)  # None: every column
        self._shelters = shelter and gc.isenabled()  # the caller knows nothing else is frozen
        self._frozen = False

    def private_columns(self) -> dict[int, list[Any]]:
        if self._columns is None:
            self._columns = _private_columns(self.chunk, self.kinds)
        return self._columns

    def has(self, chain: Chain) -> bool:
        return chain in self._chains or chain == ()

    def add(self, chain: Chain, rows: list[Any], fields: list[dict[Any, Any]]) -> None:
        """Store the rows a chain produced, and their field dicts (failed rows left out)."""
        consumers = self._consumers[chain]
        hot = _hot_fields(fields, self.kinds) if consumers > 1 else []
        self._chains[chain] = _Chain(rows, hot, consumers)
        self._sweep()  # once over these rows, instead of each young collection walking them
        self._shelter()

    def _sweep(self) -> None:
        """Collect the young generations' garbage before :meth:`_shelter` freezes what they
        hold: what is frozen must be live, or the thaw would put garbage cycles in the
        oldest generation without counting them toward its next collection."""
        if self._shelters:
            gc.collect(1)

    def _shelter(self) -> None:
        """Keep the rows built so far out of the cyclic GC's collections while the chunk is
        labeled (``gc.freeze``; :meth:`release` thaws them into the oldest generation). Rows
        are GC-tracked: every young collection walked the chunk's rows again, and now and
        then a full one walked the whole heap once they had been promoted (0.1 s in a 0.8 s
        run). Garbage cycles made meanwhile are collected as usual."""
        if self._shelters:
            self._frozen = True  # first: Ctrl-C right after the freeze must still find it noted
            gc.freeze()

    def release(self) -> None:
        """Return what :meth:`_shelter` froze to the GC's oldest generation."""
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def take(self, chain: Chain) -> list[Any]:
        """The rows of ``chain`` for one consumer; call :meth:`restore` once it is done."""
        if chain not in self._chains:
            self._build_base()
        entry = self._chains[chain]
        entry.left -= 1
        if entry.hot and (entry.left > 0 or entry.handed):
            # every consumer but the last gets copies; the last one gets the originals back
            _install(entry.hot, self.kinds, copies=entry.left > 0)
        entry.handed = True
        return entry.rows

    def guard(self, rows: list[Any]) -> None:
        """Journal every row of ``rows`` now, for a consumer that may change their fields
        past the journal's hooks (``vars(x)[k] = v``: :func:`lf.apply.reads.reaches_fields_directly`)."""
        journal = self._journal
        for row in rows:
            if isinstance(row, Row) and id(row) not in journal:
                fields = row.__dict__
                journal[id(row)] = (row, fields, fields.copy())

    def restore(self) -> None:
        """Undo what the last consumer wrote to its rows (fields set, replaced or deleted)."""
        for row, fields, saved in self._journal.values():
            fields.clear()
            fields.update(saved)
            if row.__dict__ is not fields:
                object.__setattr__(row, "__dict__", fields)
        self._journal.clear()

    def _build_base(self) -> None:
        chunk = self.chunk
        refuse_duplicate_columns(chunk)
        names = list(chunk.columns)
        # Only the columns the row LFs read, when their code proves which (lf.apply.reads):
        # converting the others to Python objects would be most of the build.
        # A field that is not a column means every column: the LF's error then names them all.
        read = self._reads
        wanted: Sequence[int] = range(len(names))
        if read and read <= set(names):
            wanted = [j for j, c in enumerate(names) if c in read]
        private = self._columns if self._columns is not None else _private_columns(chunk, self.kinds, wanted)
        kinds = self.kinds  # the private columns stay pristine: batch LFs copy them later
        values = [
            [_private(v, kinds) for v in private[j]] if j in private else chunk.iloc[:, j].tolist()
            for j in wanted
        ]
        with gc_paused():  # each Row is GC-tracked: collections over them were half the build time
            self._sweep()
            rows = _built_rows(self.cls, [names[j] for j in wanted], values, len(chunk))
            self._shelter()  # before the GC is on again, or their count would start a collection
        consumers = self._consumers[()]
        hot = _hot_fields([x.__dict__ for x in rows], self.kinds) if private and consumers > 1 else []
        self._chains[()] = _Chain(rows, hot, consumers)


def _built_rows(cls: type[Row], names: Sequence[Hashable], values: Sequence[Sequence[Any]], n: int) -> list[Row]:
    """One ``cls`` row per row of the per-column ``values``.

    When every column name is a string that names no special attribute, and there are at
    most :data:`_INLINE_FIELDS` of them, each row is made by an ``__init__`` that stores the
    fields as attributes: CPython then keeps them in the object itself (its inline values)
    and makes no dict until one is asked for. On CPython 3.11 that is 2.5 times faster than
    a dict per row for one field, 5-15% for 3-8, and slower from 9 on. ``cls`` is this
    chunk's own class: its write journal is taken off while the rows are built (building is
    not a write), then put back, and the ``__init__`` removed, so the class is as it was.
    Other rows: :func:`make_rows`.
    """
    plain = len(names) <= _INLINE_FIELDS and all(type(k) is str and not k.startswith("__") for k in names)
    init = _fields_init(tuple(names)) if plain else None
    if init is None:
        return make_rows(names, values, cls, n=n)
    own = cls.__dict__
    hooks = {k: own[k] for k in ("__setattr__", "__delattr__") if k in own}
    for k in hooks:
        delattr(cls, k)
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses assigning a method
    try:
        return list(map(cls, *values))
    finally:
        delattr(cls, "__init__")
        for k, hook in hooks.items():
            setattr(cls, k, hook)


_INLINE_FIELDS = 8  # beyond, building rows as attributes is slower than a dict per row


@functools.lru_cache(maxsize=64)
def _fields_init(names: tuple[str, ...]) -> Callable[..., None] | None:
    """``__init__(self, a0, ..., an)`` doing ``self.<names[i]> = ai``; None where the compiled
    code is not laid out as this expects (another Python: rows are then built as dicts).

    The source holds only generated names; the column names are put into the compiled
    code's attribute-name table afterwards, so any string works, spaces included, and no
    column name is ever read as code.
    """
    if not names:
        return None
    args = ", ".join(f"a{i}" for i in range(len(names)))
    body = "".join(f"    self.k{i} = a{i}\n" for i in range(len(names)))
    scope: dict[str, Any] = {}
    exec(f"def __init__(self, {args}):\n{body}", scope)  # noqa: S102
    init = scope["__init__"]
    code = init.__code__
    if code.co_names != tuple(f"k{i}" for i in range(len(names))):  # the layout this relies on
        return None
    init.__code__ = code.replace(co_names=names)
    return init  # type: ignore[no-any-return]


class _Hot(NamedTuple):
    """The container values of one field over a chain's rows: what consumers could change."""

    key: Any
    fields: list[dict[Any, Any]]  # the rows' field dicts holding such a value under ``key``
    values: Sequence[Any]  # the original values, in the same order
    flat_lists: bool  # every value is a list of atoms: copied with list.copy, in C


def _hot_fields(dicts: list[dict[Any, Any]], kinds: frozenset[type]) -> list[_Hot]:
    """Per field, the rows' container values (lists, dicts, sets, arrays ...), checked column-wise."""
    hot: list[_Hot] = []
    for key, values, types in _columns(dicts):
        if types <= kinds:
            continue
        if types == {list} and kinds.issuperset(map(type, chain.from_iterable(values))):
            hot.append(_Hot(key, dicts, values, True))
            continue
        pairs = [(d, v) for d, v in zip(dicts, values) if type(v) not in kinds and needs_copy(v, kinds)]
        if pairs:
            hot.append(_Hot(key, [d for d, _ in pairs], [v for _, v in pairs], False))
    return hot


class _Missing:
    """Stands in for a field a row does not have."""


def _columns(dicts: list[dict[Any, Any]]) -> list[tuple[Any, list[Any], set[type]]]:
    """``(field, values, their types)`` per field of the rows (a row without the field gives None)."""
    if not dicts:
        return []
    n, keys = len(dicts), list(dicts[0])
    if set(map(len, dicts)) == {len(keys)}:  # the usual case: every row has the same fields
        out = []
        for key in keys:
            values = list(map(dict.get, dicts, repeat(key, n), repeat(_Missing, n)))
            out.append((key, values, set(map(type, values))))
        if not any(type in types for _, _, types in out):  # no row lacks a field (_Missing is a type)
            return out
    columns = [(key, list(map(dict.get, dicts, repeat(key, n)))) for key in set().union(*dicts)]
    return [(key, values, set(map(type, values))) for key, values in columns]


def _install(hot: list[_Hot], kinds: frozenset[type], *, copies: bool) -> None:
    """Put fresh copies (or, ``copies=False``, the originals) of the hot values into the rows."""
    for key, fields, values, flat_lists in hot:
        if not copies:
            new = values
        elif flat_lists:
            new = list(map(list.copy, values))
        else:
            new = [fresh_copy(v, kinds) for v in values]
        list(map(dict.__setitem__, fields, repeat(key, len(fields)), new))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic GC off for a loop that creates no garbage, and left as it was found."""
    was_enabled = gc.isenabled()
    try:
        gc.disable()  # inside: Ctrl-C right after it must still find the GC turned on again
        yield
    finally:
        if was_enabled:
            gc.enable()
