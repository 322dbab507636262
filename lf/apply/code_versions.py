"""Whether another process runs the same code for the LFs: the user modules they reach.

An LF module loaded from a ``.py`` file travels to Dask workers by value, but the helper
modules it imports (``import helpers``, ``from helpers import f``) travel by name: a worker
that imported them for an earlier run keeps that version. After an edit (and a reload
here), a long-lived cluster labelled with the old code while this process used the new.
:func:`module_digests` describes the code and the constants those modules hold *in memory*
(not their files, which may have changed since they were imported); the Dask engine
compares the digests of its workers with this process's before any chunk runs. Constants
count when the module's source assigns them a literal (``LIMIT = 2``, ``WORDS = ("a",
"b")``: what an edit changes); a value computed at import (a pid, a temporary path, a host
name) differs between processes by design and is left out (:func:`literal_names`). Not
covered: lists and dicts (a module may fill them at run time), the modules defining the LFs
themselves, and lf's own modules.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

from lf.apply.code_reading import code_bytes
from lf.apply.fingerprint import Fingerprinter
from lf.core import LabelingFunction

__all__ = ["literal_names", "module_digests", "user_modules"]

_CONSTANTS = (type(None), bool, int, float, complex, str, bytes, tuple, frozenset)


class _Recorder(Fingerprinter):
    """A fingerprinter that notes the modules of the functions and classes it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.owners: set[str] = set()

    def _func(self, func: Any, seen: dict[int, Any], resources: dict[str, Any] | None = None) -> bytes | None:
        owner = getattr(func, "__module__", None)
        if isinstance(owner, str):
            self.owners.add(owner)
        return super()._func(func, seen, resources)

    def _class(self, cls: type, seen: dict[int, Any]) -> bytes | None:
        self.owners.add(cls.__module__)
        return super()._class(cls, seen)


def user_modules(lfs: Sequence[LabelingFunction]) -> list[str]:
    """The imported user modules (not installed packages) whose code or data the LFs reach."""
    recorder = _Recorder()
    for lf in lfs:
        recorder.lf(lf)
    own = {getattr(f, "__module__", None) for lf in lfs for f in (lf.f, *(p.func for p in lf.pre))}
    names = (recorder.owners | set(recorder._modules)) - own
    return sorted(n for n in names if n in sys.modules and recorder._installed_module(n) is None and not _skipped(n))


def _skipped(name: str) -> bool:
    """lf itself (its version is the same package), and modules whose functions travel by
    value (a script, an LF file)."""
    from lf.modules import FILE_MODULE_PREFIX

    return name in ("__main__", "lf") or name.startswith((FILE_MODULE_PREFIX, "lf."))


def literal_names(module: types.ModuleType) -> frozenset[str]:
    """Top-level names the module's source assigns a literal (``X = 2``, ``X: int = 2``);
    none when its source cannot be read."""
    import ast
    import inspect

    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError, SyntaxError, ValueError):
        return frozenset()
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        if value is None or not all(isinstance(t, ast.Name) for t in targets):
            continue
        try:
            ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return frozenset(names)


def module_digests(names: Sequence[str], constants: Mapping[str, frozenset[str]], *, load: bool = False) -> dict[str, str]:
    """Per module: a digest of the functions and classes it holds in memory and of its
    ``constants`` (by name; see :func:`literal_names`). ``load`` imports a module not
    imported yet (as an LF importing it when it runs would); one that cannot be imported is
    left out."""
    import importlib

    out = {}
    for name in names:
        if name not in sys.modules and load:
            with contextlib.suppress(Exception):  # the LF itself fails to import it, loudly
                importlib.import_module(name)
        if name in sys.modules:
            out[name] = _digest(sys.modules[name], constants.get(name, frozenset()))
    return out


def _digest(module: types.ModuleType, constants: frozenset[str]) -> str:
    values = Fingerprinter()
    out = hashlib.sha256()
    for attr, value in sorted(vars(module).items()):
        if attr.startswith("__") or (isinstance(value, _CONSTANTS) and attr not in constants):
            continue
        out.update(attr.encode() + b"=" + _member(value, module.__name__, values) + b"\0")
    return out.hexdigest()


def _member(value: Any, owner: str, values: Fingerprinter) -> bytes:
    if isinstance(value, types.FunctionType):
        return code_bytes(value.__code__) if value.__module__ == owner else f"func:{value.__module__}".encode()
    if isinstance(value, type):
        if value.__module__ != owner:
            return f"type:{value.__module__}".encode()
        members = sorted(vars(value).items())
        return b"|".join(k.encode() + b":" + _member(getattr(v, "__func__", v), owner, values) for k, v in members)
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}".encode()
    if not isinstance(value, _CONSTANTS):  # lists, dicts, objects: may be caches filled at run time
        return f"object:{type(value).__qualname__}".encode()
    data = values.value(value, {})
    return data if data is not None else f"object:{type(value).__qualname__}".encode()
