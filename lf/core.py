"""Labeling functions, preprocessors and the light per-row record they receive."""

from __future__ import annotations

import copy
import functools
import inspect
import os
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from itertools import repeat
from pathlib import Path
from types import SimpleNamespace
from typing import Any, overload

from lf._values import _ATOMS, fresh_copy, frozen, needs_copy
from lf.errors import LFDefinitionError, ParameterError

__all__ = [
    "ABSTAIN",
    "LabelingFunction",
    "Preprocessor",
    "Row",
    "labeling_function",
    "preprocessor",
]

ABSTAIN: int = -1
"""The label an LF returns when it does not vote."""


class Row:
    """One row of a chunk, as a row LF sees it: ``x.text`` and ``x["text"]`` both work.

    Rows are built cheaply per chunk from column lists (never one pandas Series per row);
    fields are named by the DataFrame's column labels as they are (``x[1]`` for a column
    labelled ``1``). They are mutable, so a preprocessor can add fields
    (``x.tokens = ...``). What one LF or preprocessor does to a row never reaches another
    one or the caller's data: preprocessors receive a copy whose lists, dicts, sets and
    arrays are copied too, and what an LF changes on its row is undone before the next LF.
    """

    __slots__ = ("__dict__",)

    def __getitem__(self, key: Hashable) -> Any:
        fields: dict[Any, Any] = self.__dict__  # keys are the column labels, not only strings
        try:
            return fields[key]
        except KeyError:
            raise KeyError(_missing_field_message(self, key)) from None

    def __setitem__(self, key: Hashable, value: Any) -> None:
        fields: dict[Any, Any] = self.__dict__
        fields[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.__dict__

    def get(self, key: Hashable, default: Any = None) -> Any:
        fields: dict[Any, Any] = self.__dict__
        return fields.get(key, default)

    def keys(self) -> Iterable[Hashable]:
        return self.__dict__.keys()

    def copy(self) -> Row:
        return _copy_row(self)

    def __copy__(self) -> Row:
        return _copy_row(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles (and deep-copies) as a plain Row, whatever per-chunk subclass it is.
        return (_make_row, (self.__dict__.copy(),))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return False
        try:
            return bool(other.__dict__ == self.__dict__)
        except (ValueError, TypeError):  # arrays compare element-wise
            return _frozen_fields(self) == _frozen_fields(other)

    def __hash__(self) -> int:
        """A hash of the values, lists and dicts included (Snorkel's memoizing mappers key on it)."""
        return hash(_frozen_fields(self))

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Row({body})"


def _frozen_fields(row: Row) -> frozenset[tuple[Any, Any]]:
    return frozenset((key, frozen(value, key)) for key, value in row.__dict__.items())


def _missing_field_message(row: Row, key: Hashable) -> str:
    available = ", ".join(repr(k) for k in row.__dict__)
    if not available:
        return f"The row has no field {key!r}: it has no fields at all (the data has no columns)."
    return f"The row has no field {key!r}. Available fields: {available}.{text_column_hint(key)}"


def text_column_hint(key: Hashable) -> str:
    """For a missing ``text``: how to give the LFs another column under that name."""
    if key != "text":
        return ""
    return " To read another column as `text`, pass --text-column COLUMN (text_column= in Python)."


def missing_field(exc: BaseException) -> str | None:
    """What a missing field's ``AttributeError`` on a row means, naming the fields it has.

    ``Row`` has no ``__getattr__``: with one, CPython cannot specialise ``x.text`` in an LF,
    and every field read costs a third more. The kernel words the error instead.
    """
    row = getattr(exc, "obj", None) if isinstance(exc, AttributeError) else None
    name = getattr(exc, "name", None)
    if not isinstance(row, Row) or not isinstance(name, str) or name.startswith("__") or name in row.__dict__:
        return None
    return _missing_field_message(row, name)


def _make_row(fields: dict[str, Any]) -> Row:
    row = object.__new__(Row)
    row.__dict__ = fields
    return row


def _copy_row(row: Row) -> Row:
    """A copy of ``row`` whose lists, dicts, sets and arrays (nested too) are copied as well."""
    # Not ``row.copy()``: a data column named "copy" (or "get", "keys") shadows the method.
    return _make_row(_copy_fields(row.__dict__))


def _copy_fields(fields: Mapping[Any, Any]) -> dict[Any, Any]:
    out = dict(fields)
    if not _ATOMS.issuperset(map(type, out.values())):
        for key, value in list(out.items()):
            if needs_copy(value):
                out[key] = fresh_copy(value)
    return out


def as_row(x: Any) -> Row:
    """A new :class:`Row` from a Row, a dict, a pandas Series or any object with attributes.

    The caller's object is never changed through the result: containers are copied and other
    mutable objects deep-copied.
    """
    if isinstance(x, Row):
        fields: Any = x.__dict__
    elif isinstance(x, Mapping):
        fields = x
    elif _is_series(x):
        fields = dict(x.items())
    elif isinstance(x, SimpleNamespace) or hasattr(x, "__dict__"):
        fields = vars(x)
    else:
        raise ParameterError(
            f"Expected a row: a lf Row, a dict, a pandas Series or an object with attributes. "
            f"Got {type(x).__name__}."
        )
    out = _copy_fields(fields)
    for key, value in out.items():
        if type(value) not in _ATOMS and not needs_copy(value):
            out[key] = copy.deepcopy(value)  # the caller's own objects: copied once, fully
    return _make_row(out)


def _is_series(x: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.Series)


def make_rows(
    columns: Sequence[Hashable], values: Sequence[Sequence[Any]], cls: type[Row] = Row, *, n: int | None = None
) -> list[Row]:
    """Build one :class:`Row` (of class ``cls``) per row from per-column value lists.

    ``n``: the number of rows, needed only when there are no columns (rows without fields;
    without ``n``, none, as zip() of nothing)."""
    names: tuple[Any, ...] = tuple(columns)
    if not names:
        bare: list[Row] = list(map(object.__new__, repeat(cls, n or 0)))
        for row in bare:
            _SET_FIELDS(row, {})
        return bare
    n = min(map(len, values))
    rows: list[Row] = list(map(object.__new__, repeat(cls, n)))
    # Each row's field dict is set through Row's slot (a subclass may watch attribute
    # writes; building is not one), from a per-arity builder (a dict display, in C).
    list(map(_SET_FIELDS, rows, map(_dict_builder(len(names))(*names), *values)))
    return rows


_SET_FIELDS = Row.__dict__["__dict__"].__set__


@functools.lru_cache(maxsize=64)
def _dict_builder(arity: int) -> Callable[..., Callable[..., dict[Any, Any]]]:
    """``make(k0, ..., kn)`` returning ``lambda a0, ..., an: {k0: a0, ..., kn: an}``.

    The source holds only generated names (``k0``, ``a0`` ...), never a column label: the
    labels are bound as closure values.
    """
    keys = ", ".join(f"k{i}" for i in range(arity))
    args = ", ".join(f"a{i}" for i in range(arity))
    pairs = ", ".join(f"k{i}: a{i}" for i in range(arity))
    scope: dict[str, Any] = {}
    exec(f"def make({keys}):\n    return lambda {args}: {{{pairs}}}\n", scope)  # noqa: S102
    return scope["make"]  # type: ignore[no-any-return]


class Preprocessor:
    """Maps a row to an enriched row before an LF sees it.

    The function gets a copy of the row and returns it (usually after setting new fields);
    lists, dicts, sets and arrays in the row are copied too, so changing them in place
    (``x.tags.append(...)``) stays inside this preprocessor's output. Within a chunk each
    preprocessor runs once per row, however many LFs use it.

    ``memoize=True`` (as in Snorkel): within a chunk, rows with the same key share one call
    and its output; the key is ``memoize_key(x)``, by default the row's values, of the same
    types (``True``, ``1`` and ``1.0`` stay apart, as do ``0.0`` and ``-0.0``; every field
    must then be hashable, lists, dicts and arrays included). Snorkel keeps its cache on the
    preprocessor across runs; lf keeps none beyond the chunk, so nothing computed before
    what the function reads changed is ever reused.
    """

    def __init__(
        self,
        name: str,
        func: Callable[..., Any],
        *,
        resources: Mapping[str, Any] | None = None,
        files: Sequence[str | os.PathLike[str]] | None = None,
        memoize: bool = False,
        memoize_key: Callable[[Any], Hashable] | None = None,
    ):
        if not callable(func):
            raise LFDefinitionError(f"Preprocessor {name!r}: expected a function. Got {func!r}.")
        if not isinstance(memoize, bool):
            raise LFDefinitionError(f"Preprocessor {name!r}: `memoize` must be True or False. Got {memoize!r}.")
        if memoize_key is not None and not callable(memoize_key):
            raise LFDefinitionError(f"Preprocessor {name!r}: `memoize_key` must be a function of the row. Got {memoize_key!r}.")
        _check_signature(func, _resources(f"Preprocessor {name!r}", resources), False, f"Preprocessor {name!r}")
        self.name = name
        self.func = func
        self.resources = dict(resources or {})
        self.files = _declared_files(f"Preprocessor {name!r}", files)
        self.memoize = memoize
        self.memoize_key = memoize_key

    def __call__(self, x: Any) -> Row:
        """Run on a copy of ``x`` (a Row, dict, pandas Series ...); ``x`` is never changed."""
        row = _copy_row(x) if isinstance(x, Row) else as_row(x)
        return self.checked(self.func(row, **self.resources))

    def checked(self, out: Any) -> Row:
        """``out`` if the function returned a row, else the error saying what to return."""
        if not isinstance(out, Row):
            raise LFDefinitionError(
                f"Preprocessor {self.name!r} must return the row it was given "
                f"(set fields on it, then `return x`). Got {type(out).__name__}."
            )
        return out

    def __repr__(self) -> str:
        return f"Preprocessor({self.name!r})"


class LabelingFunction:
    """A named heuristic that votes a label (``0..k-1``) or ``ABSTAIN`` for each row.

    Parameters
    ----------
    name:
        Unique name, used in matrices, reports and error messages.
    f:
        For a row LF, ``f(x, **resources) -> int`` where ``x`` is a :class:`Row`. For a batch
        LF (``batch=True``), ``f(df, **resources) -> array`` of one label per row of the
        DataFrame chunk (a Series on the chunk's index is aligned on it).
    resources:
        Keyword arguments passed to every call of ``f`` (lookup tables, models ...).
    pre:
        Preprocessors applied, in order, to the row before ``f`` sees it (row LFs only).
    batch:
        Whether ``f`` takes a whole DataFrame chunk instead of one row.
    files:
        Files ``f`` reads when it runs (a word list, a model file): the LF cache hashes their
        content, so editing one re-runs the LF. Each must exist when the LF is defined.
    """

    def __init__(
        self,
        name: str,
        f: Callable[..., Any],
        resources: Mapping[str, Any] | None = None,
        pre: Sequence[Preprocessor] | None = None,
        *,
        batch: bool = False,
        files: Sequence[str | os.PathLike[str]] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise LFDefinitionError(f"A labeling function needs a non-empty string name. Got {name!r}.")
        if not callable(f):
            raise LFDefinitionError(f"Labeling function {name!r}: `f` must be callable. Got {f!r}.")
        pre_list = _preprocessors(f"Labeling function {name!r}", pre)
        if batch and pre_list:
            raise LFDefinitionError(
                f"Labeling function {name!r}: `pre` is for row LFs; a batch LF receives the whole "
                "DataFrame chunk and can compute what it needs itself."
            )
        _check_signature(f, _resources(f"Labeling function {name!r}", resources), batch, f"Labeling function {name!r}")
        self.name = name
        self.f = f
        self.resources = dict(resources or {})
        self.pre = tuple(pre_list)
        self.batch = bool(batch)
        self.files = _declared_files(f"Labeling function {name!r}", files)

    def __call__(self, x: Any) -> Any:
        """Label one row (row LF) or one DataFrame (batch LF), preprocessors included.

        A row LF gets a :class:`Row` copied from ``x`` (a Row, a dict, a pandas Series such as
        ``df.iloc[0]``, a SimpleNamespace), a batch LF a copy of the DataFrame: what the LF
        does to its input never changes ``x``. A batch LF called on one row (as Snorkel's
        appliers call an LF) runs on a one-row DataFrame of its fields and returns that
        row's label.
        """
        if self.batch:
            if not _is_frame(x):
                return self._label_one_row(x)
            from lf.apply.views import private_frame

            x = private_frame(x)
        elif self.pre or isinstance(x, (Row, Mapping, SimpleNamespace)) or _is_series(x):
            x = as_row(x)
            for p in self.pre:
                x = p(x)
        return self.f(x, **self.resources)

    def _label_one_row(self, x: Any) -> Any:
        """A batch LF's label for the one row ``x``: its function run on a one-row DataFrame."""
        import numpy as np
        import pandas as pd

        frame = pd.DataFrame([vars(as_row(x))])
        out = np.asarray(self.f(frame, **self.resources))
        if out.shape not in ((1,), (1, 1)):
            raise LFDefinitionError(
                f"Batch labeling function {self.name!r} returned values of shape {out.shape} for one row; "
                "a batch LF must return one label per row of the DataFrame it gets."
            )
        label = out.reshape(-1)[0]
        return label.item() if isinstance(label, np.generic) else label

    def __repr__(self) -> str:
        kind = "batch" if self.batch else "row"
        return f"LabelingFunction({self.name!r}, {kind})"


def _declared_files(owner: str, files: Any) -> tuple[Path, ...]:
    """``files=``: existing files, kept as absolute paths (a later ``chdir`` changes nothing)."""
    if files is None:
        return ()
    if isinstance(files, (str, os.PathLike)) or not isinstance(files, Iterable):
        raise LFDefinitionError(f"{owner}: `files` must be a list of file paths. Got {files!r}.")
    out = []
    for item in files:
        if not isinstance(item, (str, os.PathLike)):
            raise LFDefinitionError(f"{owner}: every item of `files` must be a path. Got {item!r}.")
        path = Path(item).absolute()
        if not path.is_file():
            raise LFDefinitionError(f"{owner} declares the file {str(item)!r} (files=), which does not exist.")
        out.append(path)
    return tuple(out)


def _is_frame(x: Any) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.DataFrame)


def _reject_bare(obj: object, decorator: str) -> None:
    if callable(obj) and not isinstance(obj, str):
        raise LFDefinitionError(
            f"@{decorator} is missing parentheses: write @{decorator}() above "
            f"`def {getattr(obj, '__name__', '...')}`."
        )


@overload
def labeling_function(
    name: str | None = None,
    *,
    resources: Mapping[str, Any] | None = None,
    pre: Sequence[Preprocessor] | None = None,
    batch: bool = False,
    files: Sequence[str | os.PathLike[str]] | None = None,
) -> Callable[[Callable[..., Any]], LabelingFunction]: ...
@overload
def labeling_function(name: Callable[..., Any]) -> LabelingFunction: ...
def labeling_function(
    name: Any = None,
    *,
    resources: Mapping[str, Any] | None = None,
    pre: Sequence[Preprocessor] | None = None,
    batch: bool = False,
    files: Sequence[str | os.PathLike[str]] | None = None,
) -> Any:
    """Decorator turning a function into a :class:`LabelingFunction` (named after it by default).

    ``resources``: keyword arguments passed to every call (a word list, a model);
    ``pre``: preprocessors run on each row first, in order; ``batch``: the function takes a
    DataFrame chunk and returns one label per row; ``files``: the files it reads, hashed by
    the LF cache. :class:`LabelingFunction` describes each.

    >>> @labeling_function()
    ... def has_link(x):
    ...     return 1 if "http" in x.text else ABSTAIN
    """
    _reject_bare(name, "labeling_function")
    if name is not None and not isinstance(name, str):
        raise LFDefinitionError(f"`name` must be a string or None. Got {name!r}.")

    def wrap(f: Callable[..., Any]) -> LabelingFunction:
        return LabelingFunction(name or f.__name__, f, resources=resources, pre=pre, batch=batch, files=files)

    return wrap


def preprocessor(
    name: Any = None,
    *,
    resources: Mapping[str, Any] | None = None,
    files: Sequence[str | os.PathLike[str]] | None = None,
    memoize: bool = False,
    memoize_key: Callable[[Any], Hashable] | None = None,
    pre: Any = None,
) -> Callable[[Callable[..., Any]], Preprocessor]:
    """Decorator turning ``f(x) -> x`` into a :class:`Preprocessor` (run once per row per
    chunk, whatever the number of LFs using it); ``files``: the files it reads, hashed by
    the LF cache (see :class:`LabelingFunction`); ``memoize`` / ``memoize_key``: one call
    per distinct row (or key) of a chunk, as Snorkel's ``memoize`` (see :class:`Preprocessor`).
    Snorkel's ``pre=`` is refused: the LF's ``pre`` lists the preprocessors in order."""
    _reject_bare(name, "preprocessor")
    if pre is not None:
        raise LFDefinitionError(
            f"@preprocessor takes no `pre` (Snorkel's preprocessors before this one). Got pre={pre!r}. "
            "List them in the LF's `pre`, in order: @labeling_function(pre=[first, second])."
        )
    if name is not None and not isinstance(name, str):
        raise LFDefinitionError(f"`name` must be a string or None. Got {name!r}.")

    def wrap(f: Callable[..., Any]) -> Preprocessor:
        return Preprocessor(name or f.__name__, f, resources=resources, files=files, memoize=memoize, memoize_key=memoize_key)

    return wrap


def _preprocessors(owner: str, pre: Any) -> list[Preprocessor]:
    """``pre=``: a list of preprocessors (None: none), as a list."""
    if pre is not None and (isinstance(pre, (Preprocessor, str)) or not isinstance(pre, Iterable)):
        raise LFDefinitionError(f"{owner}: `pre` must be a list of preprocessors, e.g. pre=[p]. Got {pre!r}.")
    out = list(pre or [])
    for p in out:
        if not isinstance(p, Preprocessor):
            snorkel = any(c.__module__.startswith("snorkel.") for c in type(p).__mro__)
            raise LFDefinitionError(
                f"{owner}: every item of `pre` must be made with @lf.preprocessor(). Got {p!r}"
                + (
                    ", a Snorkel preprocessor: it runs in a Snorkel LF (which lf.apply runs unchanged), "
                    "or write it with @lf.preprocessor()."
                    if snorkel
                    else "."
                )
            )
    return out


def _resources(owner: str, resources: Any) -> Mapping[str, Any]:
    """``resources=``: a mapping of keyword names to values (None: none)."""
    if resources is None:
        return {}
    if not isinstance(resources, Mapping) or not all(isinstance(k, str) for k in resources):
        raise LFDefinitionError(f"{owner}: `resources` must be a dict of keyword names to values, e.g. resources=dict(db=db). Got {resources!r}.")
    return resources


def _check_signature(f: Callable[..., Any], resources: Mapping[str, Any], batch: bool, owner: str) -> None:
    """``f`` must take one row (a DataFrame chunk when ``batch``) plus ``resources`` by
    keyword: a mismatch is the LF's definition error, not one failure per row."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        sig.bind(object(), **resources)
    except TypeError as exc:
        what = "a DataFrame chunk" if batch else "one row"
        raise LFDefinitionError(
            f"{owner} must accept {what} as its first argument plus the resources {sorted(resources)}: {exc}."
        ) from None
