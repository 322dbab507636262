"""On-disk cache of each LF's labels per chunk: re-run only what changed, resume what stopped.

An entry is keyed by the LF's *fingerprint* (its name, its code and the code of its
preprocessors with file names and line numbers left out, its resources, and the values of
the module globals its code reads) and the chunk's *content* (column names and a hash of
every value). After an edit, only the LFs whose fingerprint changed run again; after an
interruption, the chunks already labeled come from the cache. An LF whose fingerprint
cannot be computed is never cached: it simply runs every time. That is the case when its
code reads a resource or module global that is not plain data (numbers, strings, lists,
dicts, sets, numpy arrays, compiled regexes), a function or a module, e.g. a spaCy
pipeline or a Snorkel LF object, whose state could change without its fingerprint.

Entries are small ``.npz`` files written atomically, so a cache folder survives a crash
and can be shared by runs that do not overlap in time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.core import ABSTAIN, LabelingFunction, Preprocessor
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CachedLF", "ChunkCache", "chunk_key", "lf_fingerprint"]

_VERSION = b"lf-cache/1"


class CachedLF(NamedTuple):
    """One LF's stored result for one chunk."""

    labels: npt.NDArray[np.integer[Any]]
    errors: int
    seconds: float


def _const(c: Any) -> bytes:
    """A code constant as bytes that do not depend on string hashing (set order varies by process)."""
    if isinstance(c, types.CodeType):
        return _code(c)
    if isinstance(c, (frozenset, set)):
        return b"{" + b",".join(sorted(_const(x) for x in c)) + b"}"
    if isinstance(c, tuple):
        return b"(" + b",".join(_const(x) for x in c) + b")"
    return f"{type(c).__name__}:{c!r}".encode()


def _code(code: types.CodeType) -> bytes:
    """A code object without its file name and line numbers (moving an LF is not editing it)."""
    bare = code.replace(co_filename="", co_firstlineno=1, co_linetable=b"", co_consts=())
    return marshal.dumps(bare) + _const(code.co_consts)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def _func_fingerprint(func: Any, seen: set[int]) -> bytes | None:
    if id(func) in seen:
        return b"<recursion>"
    seen.add(id(func))
    describe = getattr(func, "fingerprint", None)
    if callable(describe) and not isinstance(func, types.FunctionType):
        return f"{type(func).__qualname__}:{describe()}".encode()
    if isinstance(func, types.MethodType):
        inner = _func_fingerprint(func.__func__, seen)
        owner = _value_fingerprint(func.__self__, seen)
        return None if inner is None or owner is None else inner + owner
    code = getattr(func, "__code__", None)
    if not isinstance(code, types.CodeType):
        return None
    parts = [_code(code)]
    for extra in (getattr(func, "__defaults__", None), getattr(func, "__kwdefaults__", None)):
        value = _value_fingerprint(extra, seen)
        if value is None:
            return None
        parts.append(value)
    for cell in getattr(func, "__closure__", None) or ():
        value = _value_fingerprint(cell.cell_contents, seen)
        if value is None:
            return None
        parts.append(value)
    namespace = getattr(func, "__globals__", {})
    for name in sorted(_global_names(code)):
        if name in namespace:
            value = _value_fingerprint(namespace[name], seen)
            if value is None:
                return None
            parts.append(name.encode() + b"=" + value)
    return b"\0".join(parts)


_LEAVES = (type(None), bool, int, float, complex, str, bytes)


def _value_fingerprint(value: Any, seen: set[int]) -> bytes | None:
    """Plain data, code and modules only: any other object (whose pickle could refer to code
    by name, hiding an edit) makes the LF uncacheable."""
    if isinstance(value, _LEAVES):
        return repr(value).encode()
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}".encode()
    if isinstance(value, type):
        return f"type:{value.__module__}.{value.__qualname__}".encode()
    if isinstance(value, LabelingFunction):
        return f"lf:{value.name}".encode()  # an LF another LF calls: its own entry tracks it
    if isinstance(value, Preprocessor):
        code, res = _func_fingerprint(value.func, seen), _value_fingerprint(sorted(value.resources.items()), seen)
        return None if code is None or res is None else b"pre:" + value.name.encode() + code + res
    if isinstance(value, types.BuiltinFunctionType):
        return f"builtin:{getattr(value, '__module__', '')}.{value.__qualname__}".encode()
    if isinstance(value, (types.FunctionType, types.MethodType)) or hasattr(value, "fingerprint"):
        return _func_fingerprint(value, seen)
    if isinstance(value, re.Pattern):
        return f"re:{value.flags}:{value.pattern!r}".encode()
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biufcUS":
        return f"np:{value.dtype.str}:{np.shape(value)}".encode() + np.ascontiguousarray(value).tobytes()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in seen:
            return b"<recursion>"
        seen.add(id(value))
        items = sorted(value.items(), key=repr) if isinstance(value, dict) else value
        items = sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
        parts = [type(value).__name__.encode()]
        for item in items:
            part = _value_fingerprint(item, seen)
            if part is None:
                return None
            parts.append(hashlib.sha256(part).digest())
        return b"|".join(parts)
    return None


def lf_fingerprint(lf: LabelingFunction) -> str | None:
    """A hex digest that changes whenever the LF would label differently, or None."""
    parts = [_VERSION, lf.name.encode(), b"batch" if lf.batch else b"row"]
    for func, resources in ((lf.f, lf.resources), *((p.func, p.resources) for p in lf.pre)):
        code = _func_fingerprint(func, set())
        res = _value_fingerprint(sorted(resources.items()), set())
        if code is None or res is None:
            return None
        parts += [code, res]
    return hashlib.sha256(b"\0\0".join(parts)).hexdigest()


def chunk_key(chunk: pd.DataFrame) -> str:
    """A hex digest of a chunk's column names and values (not of its position)."""
    import pandas as pd

    digest = hashlib.sha256(_VERSION)
    # Column labels as LFs see them: the label 1 and the label "1" are different fields.
    digest.update("\0".join(c if isinstance(c, str) else f"\1{type(c).__name__}:{c!r}" for c in chunk.columns).encode())
    digest.update(str(len(chunk)).encode())
    for column in chunk.columns:
        values = pd.util.hash_pandas_object(chunk[column], index=False).to_numpy()
        digest.update(values.tobytes())
    return digest.hexdigest()


class ChunkCache:
    """The cache folder for one list of LFs (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike[str], lfs: list[LabelingFunction]) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise DataError(f"cache {str(self.folder)!r} is a file; give a folder for the LF cache.")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.fingerprints = [lf_fingerprint(lf) for lf in lfs]

    def _path(self, j: int, key: str) -> Path | None:
        fp = self.fingerprints[j]
        return None if fp is None else self.folder / fp[:2] / f"{fp[2:24]}-{key[:32]}.npz"

    def get(self, j: int, key: str, n: int) -> CachedLF | None:
        path = self._path(j, key)
        if path is None or not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                labels, errors, seconds = z["labels"], int(z["errors"]), float(z["seconds"])
        except (OSError, ValueError, KeyError):
            return None  # a damaged entry is recomputed (and rewritten)
        return CachedLF(labels, errors, seconds) if labels.shape == (n,) else None

    def put(self, j: int, key: str, entry: CachedLF) -> None:
        from lf.io import atomic_path

        path = self._path(j, key)
        if path is None:
            return
        path.parent.mkdir(exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, labels=entry.labels, errors=np.int64(entry.errors), seconds=np.float64(entry.seconds))

    def usable(self, entry: CachedLF, cardinality: int, on_error: str) -> bool:
        """Whether a stored result stands for this run: labels in range, and no errors to raise."""
        if on_error == "raise" and entry.errors:
            return False  # computing it again raises the LF's error, as a fresh run would
        labels = entry.labels
        return bool(labels.size == 0 or (labels.min() >= ABSTAIN and labels.max() < cardinality))
