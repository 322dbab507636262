"""Which values code can change in place, and how lf copies and hashes them.

Pure helpers behind :class:`lf.core.Row` and :mod:`lf.apply.views`.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import fractions
import uuid
from typing import Any

import numpy as np

from lf.errors import ParameterError

__all__ = ["exact", "fresh_copy", "frozen", "needs_copy"]

# Values nothing can change in place: shared freely, never copied.
_ATOMS: frozenset[type] = frozenset(
    {str, bytes, int, float, complex, bool, type(None), range, frozenset, datetime.date,
     datetime.datetime, datetime.time, datetime.timedelta, datetime.timezone, decimal.Decimal,
     fractions.Fraction, uuid.UUID}
    | {t for t in np.sctypeDict.values() if issubclass(t, (np.number, np.bool_, np.str_, np.bytes_, np.datetime64, np.timedelta64))}
)
# Values an LF could change in place and lf copies cheaply (subclasses too, via deepcopy).
_CONTAINERS = (list, dict, set, bytearray, np.ndarray)


def needs_copy(value: Any, atoms: frozenset[type] = _ATOMS) -> bool:
    """Whether ``value`` is a container (list, dict, set, array ...) that code could change in place.

    Tuples count when they hold such containers. Other objects (a spaCy Doc, instances of
    the user's classes) do not: copying them per LF would cost more than the LF.
    """
    kind = type(value)
    if kind in atoms:
        return False
    if isinstance(value, _CONTAINERS):
        return True
    return isinstance(value, tuple) and not atoms.issuperset(map(type, value)) and any(needs_copy(v, atoms) for v in value)


def fresh_copy(value: Any, atoms: frozenset[type] = _ATOMS) -> Any:
    """``value`` with its containers copied, recursively; atoms and other objects are shared."""
    kind = type(value)
    if kind is list:
        return value.copy() if atoms.issuperset(map(type, value)) else [fresh_copy(v, atoms) for v in value]
    if kind is dict:
        if atoms.issuperset(map(type, value.values())):
            return value.copy()
        return {k: fresh_copy(v, atoms) for k, v in value.items()}
    if kind is set or kind is bytearray:
        return kind(value)
    if kind is np.ndarray:
        return value.copy() if value.dtype != object else copy.deepcopy(value)
    if kind is tuple:
        return tuple(fresh_copy(v, atoms) for v in value) if needs_copy(value, atoms) else value
    if isinstance(value, _CONTAINERS) or (isinstance(value, tuple) and needs_copy(value, atoms)):
        return copy.deepcopy(value)  # OrderedDict, defaultdict, namedtuple of lists ...
    return value


def frozen(value: Any, field: Any) -> Any:
    """A hashable stand-in for ``value``, equal for equal values (lists, dicts, sets, arrays)."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if isinstance(value, (list, tuple)):
        return (kind.__name__, tuple(frozen(v, field) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((k, frozen(v, field)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(value))
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ("array", value.shape, frozen(value.tolist(), field))
        return ("array", value.shape, value.dtype.str, value.tobytes())
    try:
        hash(value)
    except TypeError:
        raise ParameterError(
            f"Row field {field!r} holds a {type(value).__name__}, which cannot be hashed, so the row "
            "cannot be hashed either (Snorkel preprocessors with memoize=True hash rows). Store it "
            "as a list, dict, tuple, array or text instead, or turn memoize off."
        ) from None
    return value


_EXACT_BY_VALUE = (str, bytes, int, type(None))  # equal only to values of their own text or digits


def exact(value: Any, field: Any) -> Any:
    """Like :func:`frozen`, but equal only for values no code can tell apart: ``True``, ``1``
    and ``1.0`` differ (Python's ``==`` and dicts join them), so do ``0.0`` and ``-0.0``,
    ``Decimal('1.0')`` and ``Decimal('1.00')``, and times in other zones; NaNs are equal.
    A memoizing preprocessor keys on it: a row given the output made for a row that was
    only ``==`` to it would label differently by chunk size and row order."""
    kind = type(value)
    if kind in _EXACT_BY_VALUE:
        return (kind, value)
    if kind in _ATOMS or isinstance(value, (float, complex, datetime.date, datetime.time, decimal.Decimal)):
        if isinstance(value, frozenset):
            return (kind, frozenset(exact(v, field) for v in value))
        return (kind, repr(value))  # repr tells -0.0, every NaN is 'nan', zones and Decimal digits show
    if isinstance(value, (list, tuple)):
        return (kind, tuple(exact(v, field) for v in value))
    if isinstance(value, dict):
        return (kind, frozenset((exact(k, field), exact(v, field)) for k, v in value.items()))
    if isinstance(value, (set, frozenset)):
        return (kind, frozenset(exact(v, field) for v in value))
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ("array", value.shape, exact(value.tolist(), field))
        return ("array", value.shape, value.dtype.str, value.tobytes())
    return (kind, frozen(value, field))
