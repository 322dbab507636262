"""A chunk's content as a digest: two chunks share it only if every LF sees the same values.

``pandas.util.hash_pandas_object`` alone is not enough for a cache key: it hashes a value,
not what an LF sees. ``True`` and ``1``, ``"1"`` and ``1`` in an object column, ``None``
and ``NaN``, ``0.0`` and ``-0.0``, and the same instant in two time zones all hash alike,
yet ``x.flag is True``, ``isinstance(x.v, str)``, ``x.v is None``, ``str(x.v)`` and
``x.ts.hour`` tell them apart; in a string column a missing value hashes as the text
``"nan"`` (or ``"<NA>"``). So the digest also covers each column's dtype, its missing
values, the exact
bytes of numpy columns, the type of every value of an object column, and the index a batch
LF sees (unless it is a range, the chunk's position: the same rows elsewhere in the data
share their labels; :func:`positioned` adds that position for the LFs that see it). Values pandas cannot hash (lists, arrays and dicts from nested
Parquet or JSON) are encoded one by one; a value that cannot be encoded faithfully makes
the chunk uncacheable (its LFs run every time).
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["chunk_digest", "positioned"]

_TAG = b"lf-chunk/4"
_SCALARS = (type(None), bool, int, str, bytes)


def chunk_digest(chunk: pd.DataFrame, prefix: bytes) -> str | None:
    """A hex digest of a chunk's column names, dtypes and values, and its index unless that
    is a range (the chunk's position), or None when some value cannot be encoded faithfully."""
    import pandas as pd

    digest = hashlib.sha256(prefix + _TAG)
    # Column labels as LFs see them: the label 1 and the label "1" are different fields.
    digest.update("\0".join(c if isinstance(c, str) else f"\1{type(c).__name__}:{c!r}" for c in chunk.columns).encode())
    digest.update(str(len(chunk)).encode())
    if not isinstance(chunk.index, pd.RangeIndex):  # a batch LF sees the index (ids, often)
        part = _column(chunk.index.to_series())
        if part is None:
            return None
        digest.update(f"\0index:{chunk.index.names!r}".encode() + part)
    for i in range(chunk.shape[1]):
        part = _column(chunk.iloc[:, i])
        if part is None:
            return None
        digest.update(part)
    return digest.hexdigest()


def positioned(key: str, chunk: pd.DataFrame) -> str:
    """``key`` (a chunk's digest) for an LF that sees the chunk's index: a batch LF reading
    ``df.index`` of a frame's slice reads the rows' positions, which a range index leaves
    out of the digest (another index is in it already)."""
    import pandas as pd

    index = chunk.index
    if not isinstance(index, pd.RangeIndex):
        return key
    return hashlib.sha256(f"{key}\0range:{index.start}:{index.step}".encode()).hexdigest()


def _column(col: pd.Series) -> bytes | None:
    import pandas as pd

    head = f"\0dtype:{col.dtype}\0".encode()
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        raw: np.ndarray = np.ascontiguousarray(col.to_numpy())
        return head + raw.tobytes()
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return _objects(col.to_numpy())
    if isinstance(dtype, pd.CategoricalDtype):  # codes and categories: a batch LF may read either
        categories = _column(pd.Series(dtype.categories))
        codes: np.ndarray = np.ascontiguousarray(col.cat.codes.to_numpy())
        return None if categories is None else head + f"{dtype.ordered}".encode() + categories + codes.tobytes()
    try:  # extension dtypes (string, Int64, categorical, tz-aware datetimes, arrow)
        values: np.ndarray = pd.util.hash_pandas_object(col, index=False, categorize=False).to_numpy()
    except (TypeError, ValueError, NotImplementedError):  # arrow lists, structs: value by value
        return _objects(col.to_numpy(dtype=object))
    # pandas hashes a missing string as the text "nan" ("<NA>" for the string dtype): the
    # mask of missing values tells them apart
    missing: np.ndarray = np.packbits(np.asarray(col.isna(), dtype=bool))
    return head + values.tobytes() + b"\0na\0" + missing.tobytes()


def _objects(values: np.ndarray) -> bytes | None:
    import pandas as pd

    if all(type(v) is str for v in values):
        hashed: np.ndarray = pd.util.hash_array(values, categorize=False)
        return b"\0str\0" + hashed.tobytes()
    digest = hashlib.sha256(b"\0object\0")
    for v in values:
        part = _value(v, 0)
        if part is None:
            return None
        digest.update(hashlib.sha256(part).digest())
    return digest.digest()


def _value(v: Any, depth: int) -> bytes | None:
    """One value with its type; None for what cannot be encoded faithfully."""
    kind = type(v)
    if depth > 50:
        return None
    if kind in _SCALARS:
        return f"{kind.__name__}:{v!r}".encode()
    if kind is float:
        return b"float:" + (b"nan" if math.isnan(v) else float(v).hex().encode())
    if isinstance(v, np.generic) and v.dtype.kind in "biufcmMSU":
        return f"np:{v.dtype.str}:".encode() + np.asarray(v).tobytes()
    if isinstance(v, np.ndarray):
        head = f"nd:{v.dtype.str}:{v.shape}:".encode()
        if v.dtype.kind in "biufcmMSU":
            return head + np.ascontiguousarray(v).tobytes()
        return _sequence(head, v.ravel().tolist() if v.dtype.kind != "O" else list(v.ravel()), depth)
    if kind in (list, tuple):
        return _sequence(f"{kind.__name__}:".encode(), v, depth)
    if kind is dict:
        return _sequence(b"dict:", [x for item in v.items() for x in item], depth)
    return _other(v)


def _sequence(head: bytes, items: Any, depth: int) -> bytes | None:
    parts = [head, str(len(items)).encode()]
    for item in items:
        part = _value(item, depth + 1)
        if part is None:
            return None
        parts.append(hashlib.sha256(part).digest())
    return b"|".join(parts)


def _other(v: Any) -> bytes | None:
    """Timestamps, decimals and the like: values whose repr names their type and content."""
    import datetime
    import decimal

    import pandas as pd

    if v is pd.NA:
        return b"pd.NA"
    if isinstance(v, (datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)):
        return f"{type(v).__module__}.{type(v).__qualname__}:{v!r}:{getattr(v, 'tzinfo', None)!r}".encode()
    return None
