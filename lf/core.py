"""Labeling functions, preprocessors and the light per-row record they receive."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from lf.errors import LFDefinitionError

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

    Rows are built cheaply per chunk from column lists (never one pandas Series per row).
    They are mutable, so a preprocessor can add fields (``x.tokens = ...``); preprocessors
    receive a copy, so the original row is never changed.
    """

    __slots__ = ("__dict__",)

    def __getitem__(self, key: str) -> Any:
        try:
            return self.__dict__[key]
        except KeyError:
            raise KeyError(_missing_field_message(self, key)) from None

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.__dict__

    def __getattr__(self, key: str) -> Any:  # only called when normal lookup fails
        if key.startswith("__"):
            raise AttributeError(key)
        raise AttributeError(_missing_field_message(self, key))

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default)

    def keys(self) -> Iterable[str]:
        return self.__dict__.keys()

    def copy(self) -> Row:
        return _copy_row(self)

    def __copy__(self) -> Row:
        return _copy_row(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.items()))

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"Row({body})"


def _missing_field_message(row: Row, key: str) -> str:
    available = ", ".join(repr(k) for k in row.__dict__)
    return f"The row has no field {key!r}. Available fields: {available}."


def _make_row(fields: dict[str, Any]) -> Row:
    row = object.__new__(Row)
    row.__dict__ = fields
    return row


def _copy_row(row: Row) -> Row:
    # Not ``row.copy()``: a data column named "copy" (or "get", "keys") shadows the method.
    return _make_row(dict(row.__dict__))


def make_rows(columns: Sequence[str], values: Sequence[Sequence[Any]]) -> list[Row]:
    """Build one :class:`Row` per row from per-column value lists."""
    new = object.__new__
    names = tuple(columns)
    rows: list[Row] = []
    append = rows.append
    for vals in zip(*values):
        row = new(Row)
        row.__dict__ = dict(zip(names, vals))
        append(row)
    return rows


class Preprocessor:
    """Maps a row to an enriched row before an LF sees it.

    The function gets a copy of the row and returns it (usually after setting new fields).
    Within a chunk each preprocessor runs once per row, however many LFs use it.
    """

    def __init__(
        self,
        name: str,
        func: Callable[..., Any],
        *,
        resources: Mapping[str, Any] | None = None,
        files: Sequence[str | os.PathLike[str]] | None = None,
    ):
        if not callable(func):
            raise LFDefinitionError(f"Preprocessor {name!r}: expected a function. Got {func!r}.")
        self.name = name
        self.func = func
        self.resources = dict(resources or {})
        self.files = _declared_files(f"Preprocessor {name!r}", files)

    def __call__(self, x: Row) -> Row:
        out = self.func(_copy_row(x), **self.resources)
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
        DataFrame chunk.
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
        *,
        resources: Mapping[str, Any] | None = None,
        pre: Sequence[Preprocessor] | None = None,
        batch: bool = False,
        files: Sequence[str | os.PathLike[str]] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise LFDefinitionError(f"A labeling function needs a non-empty string name. Got {name!r}.")
        if not callable(f):
            raise LFDefinitionError(f"Labeling function {name!r}: `f` must be callable. Got {f!r}.")
        pre_list = list(pre or [])
        for p in pre_list:
            if not isinstance(p, Preprocessor):
                raise LFDefinitionError(
                    f"Labeling function {name!r}: every item of `pre` must be made with "
                    f"@lf.preprocessor(). Got {p!r}."
                )
        if batch and pre_list:
            raise LFDefinitionError(
                f"Labeling function {name!r}: `pre` is for row LFs; a batch LF receives the whole "
                "DataFrame chunk and can compute what it needs itself."
            )
        self.name = name
        self.f = f
        self.resources = dict(resources or {})
        self.pre = tuple(pre_list)
        self.batch = bool(batch)
        self.files = _declared_files(f"Labeling function {name!r}", files)

    def __call__(self, x: Any) -> Any:
        """Label one row (row LF) or one DataFrame (batch LF), preprocessors included."""
        if not self.batch:
            if isinstance(x, Mapping):
                x = _make_row(dict(x))
            for p in self.pre:
                x = p(x)
        return self.f(x, **self.resources)

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


def _reject_bare(obj: object, decorator: str) -> None:
    if callable(obj) and not isinstance(obj, str):
        raise LFDefinitionError(
            f"@{decorator} must be called: write @{decorator}() (with parentheses) above "
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

    >>> @labeling_function()
    ... def has_link(x):
    ...     return 1 if "http" in x.text else ABSTAIN
    """
    _reject_bare(name, "labeling_function")
    if name is not None and not isinstance(name, str):
        raise LFDefinitionError(f"`name` must be a string or None. Got {name!r}.")

    def wrap(f: Callable[..., Any]) -> LabelingFunction:
        _check_signature(f, resources, batch)
        return LabelingFunction(name or f.__name__, f, resources=resources, pre=pre, batch=batch, files=files)

    return wrap


def preprocessor(
    name: Any = None,
    *,
    resources: Mapping[str, Any] | None = None,
    files: Sequence[str | os.PathLike[str]] | None = None,
) -> Callable[[Callable[..., Any]], Preprocessor]:
    """Decorator turning ``f(x) -> x`` into a :class:`Preprocessor` (memoized per chunk);
    ``files``: the files it reads, hashed by the LF cache (see :class:`LabelingFunction`)."""
    _reject_bare(name, "preprocessor")
    if name is not None and not isinstance(name, str):
        raise LFDefinitionError(f"`name` must be a string or None. Got {name!r}.")

    def wrap(f: Callable[..., Any]) -> Preprocessor:
        return Preprocessor(name or f.__name__, f, resources=resources, files=files)

    return wrap


def _check_signature(f: Callable[..., Any], resources: Mapping[str, Any] | None, batch: bool) -> None:
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        sig.bind(object(), **dict(resources or {}))
    except TypeError as exc:
        what = "a DataFrame chunk" if batch else "one row"
        raise LFDefinitionError(
            f"Labeling function {getattr(f, '__name__', f)!r} must accept {what} as its first "
            f"argument plus the resources {sorted(resources or {})}: {exc}."
        ) from None
