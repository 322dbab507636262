"""``preprocessor(memoize=True)``: one call per distinct row (or ``memoize_key``) of a chunk."""

from __future__ import annotations

from typing import Any

from lf._values import exact, fresh_copy
from lf.apply.views import atoms
from lf.core import Preprocessor, Row
from lf.errors import LFDefinitionError

__all__ = ["Memo", "exact_fields"]


class Memo:
    """A memoizing preprocessor's outputs in one chunk, by key: ``memoize_key(row)``, or the
    row's values, of the same types (:func:`lf._values.exact`). A row whose key was seen
    gets a copy of that output (its containers copied too), never the same object: what an
    LF writes on one row's output must not show on another row's."""

    def __init__(self, pre: Preprocessor, cls: type[Row]) -> None:
        self.pre, self.cls = pre, cls
        self.kinds = atoms()
        self.outputs: dict[Any, Row] = {}
        self.key: Any = None

    def get(self, x: Row) -> Row | None:
        """A copy of the output for ``x``'s key, or None (then :meth:`put` stores the one
        computed); an exception from ``memoize_key`` is the row's failure."""
        key = self.pre.memoize_key(x) if self.pre.memoize_key is not None else exact_fields(x)
        try:
            hit = self.outputs.get(key)
        except TypeError:
            raise LFDefinitionError(
                f"Preprocessor {self.pre.name!r}: `memoize_key` returned a {type(key).__name__}, which cannot be "
                "a key; return text, a number or a tuple of them."
            ) from None
        self.key = key
        if hit is None:
            return None
        twin = object.__new__(Row)  # a plain Row first: giving the chunk's class its fields would journal them as a write
        twin.__dict__ = fresh_copy(hit.__dict__, self.kinds)  # its containers copied, the rest shared
        twin.__class__ = self.cls
        return twin

    def put(self, y: Row) -> None:
        self.outputs[self.key] = y


def exact_fields(row: Row) -> frozenset[tuple[Any, Any]]:
    """A row's fields as a key: equal only for values equal and of the same types."""
    return frozenset((key, exact(value, key)) for key, value in row.__dict__.items())
