"""LF fingerprints: a digest that changes whenever an LF could label differently.

What an LF's labels depend on, and how each part enters its fingerprint:

- its own code, preprocessors, resources, defaults and closures, and every value its code
  names in its module (constants, helper functions, classes with their methods and class
  attributes, enums with their values, other LFs it calls), followed recursively; code is
  taken without file names or line numbers, so moving an LF is not editing it;
- a user module it reaches (``helpers.f(x)``, ``cfg.MAX_WORDS``, ``import mod`` anywhere,
  ``from .helpers import f`` inside a function): the *source* of that module and of every
  user module it imports in turn, plus the data its globals hold and the code its functions
  and classes run in memory (a file edited but not reloaded runs the old code), with what
  that code holds: defaults and closures of its functions and methods, nested classes, the
  functions and classes another module's factory made for it (values computed on import,
  from a file or the environment, are in no source). Any edit of
  such a module re-runs the LFs that reach it (an edit elsewhere in the LF's own module
  does not);
- an installed package (stdlib, site-packages): its name and version, and the file hashes
  its installer recorded, which a rebuild installed under the same version changes (a function is the
  package's when its code's file is too: ``functools.wraps`` lends the user's own function
  the ``__module__`` of the one it wraps; a library's code lent to the user's class, such
  as a dataclass's ``__repr__``, counts as the library's, with what it wraps);
- a callable object with a ``fingerprint()`` method (``keyword_lf`` / ``regex_lf``, spaCy
  preprocessors): what that method returns, plus the module defining its class, as above
  (lf's own classes: lf's source, below);
- a builtin method bound to data (``vote = RULES.get``, ``find = re.compile(P).search``):
  that data, as if the code named it; a function of the user's compiled module: its file;
- lf itself: the source of every one of its modules (:func:`lf_code_digest`), since its
  kernel, rows, templates and readers decide labels too, and the versions of Python and of
  the libraries those run on (numpy, pandas, pyarrow);
- files declared with ``labeling_function(files=[...])`` / ``preprocessor(files=[...])``:
  their content.

Anything else makes the LF uncacheable (it runs every time): an object that is not plain
data (numbers, strings, containers of them, numpy arrays, compiled regexes, paths), such as
a spaCy pipeline, a class instance or a Snorkel LF object, whose state could change without
its source; code that reads the world when it runs or keeps state (:mod:`lf.apply.world`:
the environment, the clock, random draws, a file opened without ``files=``, a global it
changes); an object whose ``fingerprint()`` returns None (a spaCy preprocessor whose
pipeline holds state lf cannot read). :attr:`Fingerprinter.why` says which.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import importlib.metadata
import importlib.util
import logging
import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from lf.apply.code_reading import (
    an_object,
    attribute_modules,
    code_bytes,
    code_imports,
    filled_cell,
    installed_roots,
    is_code,
    is_module,
    lf_code_digest,
    module_origin,
    release,
    runtime_versions,
    shown_module,
    source_imports,
    walk_code,
)
from lf.apply.world import closure_cells, parameters, world_module, world_reason
from lf.core import LabelingFunction, Preprocessor
from lf.errors import DataError

__all__ = ["Fingerprinter", "lf_definitions", "lf_fingerprint"]

VERSION = b"lf-cache/2"
_LEAVES = (type(None), bool, int, float, complex, str, bytes)
_BUILTIN_CALLABLES = (
    types.BuiltinFunctionType,
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.MethodWrapperType,
    types.ClassMethodDescriptorType,
    types.MemberDescriptorType,
    types.GetSetDescriptorType,
)
_PLAIN_CONTAINERS = (list, tuple, set, frozenset, dict)
_MEMOIZED = functools._lru_cache_wrapper  # what functools.lru_cache and functools.cache return
_LF_FIELDS = {"batch", "f", "files", "name", "pre", "resources"}  # what LabelingFunction sets
_CLASS_SKIP = {"__dict__", "__weakref__", "__module__", "__doc__", "__qualname__", "__annotations__", "_abc_impl"}


class Fingerprinter:
    """Computes fingerprints; remembers the modules it has read, so LFs sharing them pay once."""

    def __init__(self, *, lf_source: bool = True, ordered: bool | None = None, world: bool | None = None) -> None:
        """``lf_source=False``: leave out lf's own source and the libraries' versions (what a
        fitted model is checked against: an upgrade does not change what the user's LFs are).
        ``ordered``: whether the order of lists and dicts counts; ``world``: whether code that
        reads the machine or keeps state makes an LF uncacheable (:mod:`lf.apply.world`; a
        definition is what the code is, not what it reads). Both default to ``lf_source``."""
        self._lf_code = lf_code_digest() + runtime_versions() if lf_source else b"-"
        # A definition (lf_source=False) takes containers as multisets: a dict or list built
        # from a set has another order in every process (string hashing), and a model
        # would warn on every run that its LF had changed. A pure reorder goes unnoticed
        # there; the cache (lf_source=True) keeps the order, which can decide labels.
        self._orderless = not lf_source if ordered is None else not ordered
        self._roots = installed_roots()
        self._modules: dict[str, tuple[bytes, tuple[str, ...]] | None] = {}
        self._dists: dict[str, list[str]] | None = None
        self._installed: dict[str, bytes | None] = {}
        self._code_files: dict[str, bytes | None] = {}  # code files: their package's name==version
        self._opens_files = False  # whether the LF being read declares files (it may open them)
        self.why: str | None = None  # why the last LF read is not cacheable, when it is not
        self._trusted = 0 if (lf_source if world is None else world) else 1  # > 0: no world checks (lf's own code)

    # -- LFs -------------------------------------------------------------------------------
    def lf(self, lf: LabelingFunction) -> str | None:
        """A hex digest that changes whenever the LF would label differently, or None (then
        :attr:`why` says why, when a call could read the world or change state)."""
        self._opens_files, self.why = any(getattr(s, "files", ()) for s in (lf, *lf.pre)), None
        raw = self._lf(lf, {})
        return None if raw is None else hashlib.sha256(raw).hexdigest()

    def _lf(self, lf: LabelingFunction, seen: dict[int, Any]) -> bytes | None:
        if id(lf) in seen:
            return b"<recursion>"
        seen[id(lf)] = lf  # kept alive: a freed id could be reused
        parts = [VERSION, self._lf_code, lf.name.encode(), b"batch" if lf.batch else b"row"]
        steps: list[LabelingFunction | Preprocessor] = [lf, *lf.pre]
        for step in steps:
            part = self._step(step, seen)
            if part is None:
                return None
            parts.append(part)
        extra = sorted((k, v) for k, v in vars(lf).items() if k not in _LF_FIELDS)
        if extra:  # target.limit = 2 after the decorator, read in its code as target.limit
            part = self.value(extra, seen)
            if part is None:
                return self._not_cacheable(f"{lf.name}: an attribute set on it holds an object lf cannot read")
            parts.append(b"attributes:" + part)
        return b"\0\0".join(parts)

    def _step(self, step: LabelingFunction | Preprocessor, seen: dict[int, Any]) -> bytes | None:
        """An LF's or a preprocessor's own function, resources and declared files."""
        func = step.f if isinstance(step, LabelingFunction) else step.func
        code = self._func(func, seen, step.resources)
        res = self.value(sorted(step.resources.items()), seen)
        if code is None or res is None:
            return None
        if isinstance(step, Preprocessor) and getattr(step, "memoize", False):  # a key that joins rows changes what LFs see
            key = step.memoize_key
            memo = b"row" if key is None else self._func(key, seen)
            if memo is None:
                return None
            code += b"\0memoize:" + memo
        return b"\0".join([step.name.encode(), code, res, self._files(step)])

    def _files(self, owner: LabelingFunction | Preprocessor) -> bytes:
        kind = "Labeling function" if isinstance(owner, LabelingFunction) else "Preprocessor"
        parts = []
        for path in getattr(owner, "files", ()):
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise DataError(
                    f"{kind} {owner.name!r} declares the file {str(path)!r} (files=), which cannot "
                    f"be read: {exc.strerror or exc}. Restore it or drop it from `files`."
                ) from None
            parts.append(str(path).encode() + b"=" + hashlib.sha256(data).digest())
        return b"files:" + b"|".join(parts)

    # -- code ------------------------------------------------------------------------------
    def _func(self, func: Any, seen: dict[int, Any], resources: dict[str, Any] | None = None) -> bytes | None:
        """A function's part of a fingerprint; ``resources``: what an LF's calls get besides the row."""
        if id(func) in seen:
            return b"<recursion>"
        seen[id(func)] = func  # kept alive: a freed id could be reused
        describe = getattr(func, "fingerprint", None)
        if callable(describe) and not isinstance(func, types.FunctionType):
            # its parameters, and the code that uses them: lf's (in every fingerprint), or the user's module
            code_of = b"lf" if type(func).__module__.startswith("lf.") else self.module(type(func).__module__)
            described = describe()  # None: it depends on state it cannot describe
            if described is None:
                return self._not_cacheable(getattr(func, "unreadable", f"{type(func).__qualname__} has state it cannot describe"))
            return None if code_of is None else f"{type(func).__qualname__}:{described}".encode() + code_of
        if isinstance(func, types.MethodType):
            inner, owner = self._func(func.__func__, seen), self.value(func.__self__, seen)
            if owner is None:
                return self._not_cacheable(f"a method of {an_object(func.__self__)}, whose state lf cannot read")
            return None if inner is None else inner + owner
        if isinstance(func, functools.partial):
            inner, args = self._func(func.func, seen), self.value((func.args, func.keywords), seen)
            return None if inner is None or args is None else b"partial:" + inner + args
        if isinstance(func, _MEMOIZED):  # functools.lru_cache / cache: what it computes is its function's
            inner = self._func(func.__wrapped__, seen)
            return None if inner is None else b"memoized:" + inner
        code = getattr(func, "__code__", None)
        if not isinstance(code, types.CodeType):
            return None
        installed = self._installed_code(func, code)
        if installed is not None:
            if not self._trusted and world_module(func.__module__, files=self._opens_files):
                return self._not_cacheable(f"{func.__qualname__} ({func.__module__}) reads the machine when called")
            return f"func:{func.__module__}.{func.__qualname__}@".encode() + installed
        lent = self._library_code(code)
        if lent is not None:  # a library's wrapper lent the user's module (a dataclass's __repr__): what it wraps counts
            cells = [c.cell_contents for c in func.__closure__ or () if filled_cell(c)]
            rest = self.value((func.__defaults__, func.__kwdefaults__, cells, sorted(vars(func).items())), seen)
            return None if rest is None else f"wrapper:{func.__qualname__}@".encode() + lent + rest
        if _lf_own(func.__module__):  # lf's own code reads the machine (timers, files) but decides no labels by it
            self._trusted += 1
            try:
                return self._code(func, code, seen)
            finally:
                self._trusted -= 1
        params = parameters(func, resources)
        reason = None if self._trusted else world_reason(code, func.__globals__, closure_cells(func), files=self._opens_files, params=params)
        if reason is not None:
            return self._not_cacheable(f"{func.__qualname__}: {reason}")
        return self._code(func, code, seen)

    def _code(self, func: Any, code: types.CodeType, seen: dict[int, Any]) -> bytes | None:
        """A function's code, defaults, closure, the values it names and the modules it imports."""
        parts = [code_bytes(code)]
        cells = [c.cell_contents for c in func.__closure__ or () if filled_cell(c)]
        attributes = sorted(vars(func).items())  # long.limit = 3: read as long.limit in its code
        for extra in (func.__defaults__, func.__kwdefaults__, cells, attributes):
            value = self.value(extra, seen)
            if value is None:
                return self._not_cacheable(f"{func.__qualname__}: its defaults, closure or attributes hold an object lf cannot read")
            parts.append(value)
        namespace = func.__globals__
        names = sorted({n for c in walk_code(code) for n in c.co_names})
        for name in names:
            if name in namespace:
                value = self.value(namespace[name], seen)
                if value is None:
                    return self._not_cacheable(f"{func.__qualname__} reads {name}, {an_object(namespace[name])} lf cannot read")
                parts.append(name.encode() + b"=" + value)
        package = namespace.get("__package__") or ""
        reached = [v for v in (*(namespace.get(n) for n in names), *cells) if isinstance(v, types.ModuleType)]
        for target in [*self._resolve_imports(code_imports(code), package), *attribute_modules(reached, names)]:
            mod = self.module(target)
            if mod is None:
                return None
            parts.append(mod)
        return b"\0".join(parts)

    def _not_cacheable(self, why: str) -> bytes | None:
        """None (not cacheable), noting why for the cache's summary."""
        self.why = self.why or why
        return None

    def _class(self, cls: type, seen: dict[int, Any]) -> bytes | None:
        installed = self._installed_module(cls.__module__)
        if installed is not None:
            return f"type:{cls.__module__}.{cls.__qualname__}@".encode() + installed
        if id(cls) in seen:
            return b"<recursion>"
        seen[id(cls)] = cls  # kept alive: a freed id could be reused
        parts: list[bytes | None] = [f"class:{cls.__qualname__}".encode()]
        parts += [self.value(base, seen) for base in cls.__bases__]
        attrs = list(vars(cls).items())
        if issubclass(cls, enum.Enum):
            parts += [self.value((k, m._value_), seen) for k, m in cls.__members__.items()]
            attrs = [(k, v) for k, v in attrs if not (k.startswith("_") or isinstance(v, enum.Enum))]
        for name, value in sorted(attrs, key=lambda kv: kv[0]):
            if name in _CLASS_SKIP or (name.startswith("__") and not callable(value)):
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            elif isinstance(value, property):
                value = (value.fget, value.fset, value.fdel)
            part = self.value(value, seen)
            if part is None and not isinstance(value, types.FunctionType) and self._library_descriptor(value):
                # NamedTuple fields, cached_property, partialmethod (a method lf cannot read is no descriptor)
                state = (getattr(value, "func", None), getattr(value, "args", ()), getattr(value, "keywords", None))
                inner = self.value(state, seen)
                part = None if inner is None else f"descriptor:{type(value).__qualname__}".encode() + inner
            parts.append(None if part is None else name.encode() + b"=" + part)
        return None if any(p is None for p in parts) else b"\0".join(p for p in parts if p is not None)

    def _library_descriptor(self, value: Any) -> bool:
        kind = type(value)
        return hasattr(kind, "__get__") and self._installed_module(kind.__module__) is not None

    # -- values ----------------------------------------------------------------------------
    def value(self, value: Any, seen: dict[int, Any]) -> bytes | None:
        """Plain data, code, classes and modules; None for any other object (its state, or a
        pickle of it that refers to code by name, could change without the fingerprint)."""
        if type(value) in _LEAVES:
            return repr(value).encode()
        if isinstance(value, enum.Enum):
            inner = self.value(value._value_, seen)
            return None if inner is None else f"enum:{type(value).__qualname__}.{value.name}=".encode() + inner
        if isinstance(value, _LEAVES):  # a str (int ...) of the user's subclass: its methods decide too
            base: Any = next(t for t in _LEAVES if isinstance(value, t))
            cls = self.value(type(value), seen)
            return None if cls is None else base.__repr__(value).encode() + b"@" + cls
        if isinstance(value, types.ModuleType):
            return self.module(value.__name__)
        if isinstance(value, type):
            return self._class(value, seen)
        if isinstance(value, LabelingFunction):
            return self._lf(value, seen)
        if isinstance(value, Preprocessor):  # called by the code: its files and memoizing count too
            if id(value) in seen:
                return b"<recursion>"
            seen[id(value)] = value
            return self._step(value, seen)
        if isinstance(value, _BUILTIN_CALLABLES):
            owner = getattr(value, "__module__", None) or type(getattr(value, "__self__", None)).__module__
            if not self._trusted and world_module(owner, files=self._opens_files):
                return self._not_cacheable(f"{value.__qualname__} ({owner}) reads the machine when called")
            head = f"builtin:{getattr(value, '__module__', '')}.{value.__qualname__}".encode()
            bound = getattr(value, "__self__", None)  # the data of RULES.get, re.compile(...).search
            if bound is None or isinstance(bound, types.ModuleType) and self._installed_module(bound.__name__):
                return head  # Python's or a package's function: its name and version say it
            state = self.value(bound, seen)  # its data, or the user's compiled module
            return None if state is None else head + b"@" + state
        if isinstance(value, (types.FunctionType, types.MethodType, functools.partial, _MEMOIZED)) or hasattr(value, "fingerprint"):
            return self._func(value, seen)
        if isinstance(value, re.Pattern):
            return f"re:{value.flags}:{value.pattern!r}".encode()
        if value is dataclasses.MISSING or value is getattr(dataclasses, "_HAS_DEFAULT_FACTORY", dataclasses.MISSING):
            return f"dataclasses:{value!r}".encode()  # the markers in a dataclass's generated __init__
        if isinstance(value, logging.Logger):
            return b"logger"  # it writes what the LF tells it, and decides no label
        if isinstance(value, np.ufunc):  # from numpy import log1p: numpy's version is in lf's part
            return f"ufunc:{value.__name__}".encode()
        if isinstance(value, PurePath):
            return f"path:{value!s}".encode()
        if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biufcUS":
            return f"np:{value.dtype.str}:{np.shape(value)}".encode() + np.ascontiguousarray(value).tobytes()
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            return self._container(value, seen)
        return None

    def _container(self, value: Any, seen: dict[int, Any]) -> bytes | None:
        """Items in their order (a dict's order is data: the first rule that matches wins),
        sets sorted (their order varies by process); a subclass (``defaultdict``, a user's
        ``dict`` with ``__missing__``) adds its class, default factory and attributes."""
        if id(value) in seen:
            return b"<recursion>"
        seen[id(value)] = value  # kept alive: a freed id could be reused
        items = list(value.items()) if isinstance(value, dict) else value
        items = sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
        parts = [type(value).__name__.encode()]
        if type(value) not in _PLAIN_CONTAINERS:
            state = (type(value), getattr(value, "default_factory", None), getattr(value, "__dict__", None))
            part = self.value(state, seen)
            if part is None:
                return None
            parts.append(part)
        digests = []
        for item in items:
            part = self.value(item, seen)
            if part is None:
                return None
            digests.append(hashlib.sha256(part).digest())
        return b"|".join(parts + (sorted(digests) if self._orderless else digests))

    # -- modules ---------------------------------------------------------------------------
    def module(self, name: str) -> bytes | None:
        """A module and every user module it imports: names and sources; installed packages
        by name and version."""
        out, todo, done = [], [name], set()
        while todo:
            current = todo.pop()
            if current in done:
                continue
            done.add(current)
            entry = self._module_entry(current)
            if entry is None:
                return None
            out.append(current.encode() + b"=" + entry[0])
            todo += entry[1]
        return b"module:" + hashlib.sha256(b"\0".join(sorted(out))).digest()

    def _module_entry(self, name: str) -> tuple[bytes, tuple[str, ...]] | None:
        if name not in self._modules:
            self._modules[name] = (b"<reading>", ())  # a module its own globals lead back to
            own = _lf_own(name)
            self._trusted += own
            try:
                self._modules[name] = self._read_module(name)
            finally:
                self._trusted -= own
        return self._modules[name]

    def _read_module(self, name: str) -> tuple[bytes, tuple[str, ...]] | None:
        installed = self._installed_module(name)
        if installed is not None:
            return installed, ()
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None) if module is not None else module_origin(name)
        if origin is None:
            return (b"missing" if module is None else b"no-source"), ()
        try:
            source = Path(origin).read_bytes()
            imports = source_imports(source) if origin.endswith(".py") else []
        except (OSError, SyntaxError, ValueError):
            return None
        package = name if origin.endswith("__init__.py") else name.rpartition(".")[0]
        deps = set(self._resolve_imports(imports, package))
        parts = [hashlib.sha256(source).digest()]
        for attr, value in sorted(vars(module).items()) if module is not None else ():
            if attr.startswith("__") and attr.endswith("__") and not isinstance(value, types.FunctionType):
                continue  # __file__, __builtins__ ...; but a module's __getattr__ gives its attributes (and __limit is data)
            if getattr(value, "__name__", None) == f"{name}.{attr}":
                continue  # a submodule something imported: the source's own imports count
            part = self._module_global(name, value, deps)
            if part is None:
                self._not_cacheable(f"{shown_module(name)}.{attr} is {an_object(value)} lf cannot read")
                return None
            parts.append(attr.encode() + b"=" + part)
        return b"".join(parts), tuple(sorted(deps - {name}))

    def _module_global(self, name: str, value: Any, deps: set[str]) -> bytes | None:
        """What a module global adds to the module's source: data values, the closures and
        defaults of its functions, its classes, and the modules other objects come from."""
        if isinstance(value, types.ModuleType):
            deps.add(value.__name__)
            return b""
        if isinstance(value, _MEMOIZED):  # an lru_cache'd function: its function counts
            value = value.__wrapped__
        owner = getattr(value, "__module__", None)
        if isinstance(value, (type, types.FunctionType)) and isinstance(owner, str) and owner != name:
            deps.add(owner)
            if _lf_own(owner) or self._installed_module(owner) is not None:
                return b""  # lf's code (in every fingerprint) or a package's (its version)
            if isinstance(value, types.FunctionType) and self._library_code(value.__code__) is not None:
                return b""
            # the user's code made by another module's (a factory's closure, a class it builds
            # on import): what it holds is in neither module's source nor globals
        # Code as it is in memory, beside the source on disk: a module edited but not
        # reloaded runs its old code, and its labels must not be stored under the new source.
        if isinstance(value, types.FunctionType):
            if not self._trusted and self._library_code(value.__code__) is None:
                reason = world_reason(value.__code__, value.__globals__, closure_cells(value), files=self._opens_files, params=parameters(value))
                if reason is not None:
                    return self._not_cacheable(f"{shown_module(name)}.{value.__qualname__}: {reason}")
            cells = [c.cell_contents for c in value.__closure__ or () if filled_cell(c)]
            rest = self.value((value.__defaults__, value.__kwdefaults__, cells, sorted(vars(value).items())), {})
            return None if rest is None else code_bytes(value.__code__) + rest
        if isinstance(value, type):
            # Its methods as functions (their defaults and closures are computed at import,
            # from the environment or a file as often as not) and its nested classes as classes.
            members = [(k, m._value_) for k, m in value.__members__.items()] if issubclass(value, enum.Enum) else []
            data = [(k, v) for k, v in vars(value).items() if not (k.startswith("__") or k in _CLASS_SKIP or is_code(v))]
            code = []
            for k, v in sorted(vars(value).items()):
                funcs = (v.fget, v.fset, v.fdel) if isinstance(v, property) else (getattr(v, "__func__", v),)
                for f in funcs:
                    if isinstance(f, types.FunctionType) or isinstance(f, type) and f.__qualname__.startswith(f"{value.__qualname__}."):
                        part = self._module_global(name, f, deps)
                        if part is None:
                            return None
                        code.append(k.encode() + b"=" + part)
            rest = self.value(members or data, {})
            return None if rest is None else b"".join(code) + rest
        if isinstance(value, _BUILTIN_CALLABLES) and not isinstance(getattr(value, "__self__", None), (type(None), types.ModuleType)):
            return self.value(value, {})  # a method bound to data: find = re.compile(WORDS).search
        if isinstance(value, (logging.Logger, *_BUILTIN_CALLABLES)):
            return b""  # a logger does not label; a builtin is Python's
        if type(value).__module__ in ("typing", "__future__") or isinstance(value, (types.GenericAlias, types.UnionType)):
            return b""  # type annotations
        return self.value(value, {})

    def _installed_code(self, func: Any, code: types.CodeType) -> bytes | None:
        """``name==version`` for a function of the stdlib or an installed package, else None:
        by its module and by the file of its code, since ``functools.wraps`` gives the user's
        own function the ``__module__`` of the function it wraps."""
        installed = self._installed_module(getattr(func, "__module__", None))
        if installed is None or code.co_filename.startswith("<"):  # <frozen os>, <string>: its module says
            return installed
        return installed if self._library_code(code) is not None else None

    def _library_code(self, code: types.CodeType) -> bytes | None:
        """``name==version`` of the installed package (or the stdlib) whose file holds ``code``,
        else None: the user's code, whatever ``__module__`` its function was lent."""
        file = code.co_filename
        if file.startswith("<"):
            return None
        if file not in self._code_files:
            path = str(Path(file).resolve())
            roots = [r for r in self._roots if path.startswith(r)]
            top = path[len(max(roots, key=len)) :].split("/")[0].removesuffix(".py") if roots else ""
            self._code_files[file] = (self._installed_module(top) or f"file:{path}".encode()) if roots else None
        return self._code_files[file]

    def _installed_module(self, name: str | None) -> bytes | None:
        """``name==version`` for a module of the stdlib or an installed package, else None."""
        if not name:
            return None
        top = name.partition(".")[0]
        if top not in self._installed:
            self._installed[top] = self._installed_top(top)
        return self._installed[top]

    def _installed_top(self, top: str) -> bytes | None:
        stdlib = top in sys.stdlib_module_names or top in sys.builtin_module_names
        origin = module_origin(top)
        if origin is None or origin in ("built-in", "frozen"):
            return f"stdlib:{sys.version}".encode() if stdlib else None
        if not str(Path(origin).resolve()).startswith(self._roots):
            return None  # the user's own code, even under a stdlib name
        if stdlib:
            return f"stdlib:{sys.version}".encode()
        try:  # most distributions are named as their top-level package: no scan needed
            return release(top, files=self._lf_code != b"-").encode()
        except importlib.metadata.PackageNotFoundError:
            pass
        if self._dists is None:
            self._dists = dict(importlib.metadata.packages_distributions())
        dists = sorted(set(self._dists.get(top, [])))
        if not dists:
            return None
        return ";".join(release(d, files=self._lf_code != b"-") for d in dists).encode()

    def _resolve_imports(self, imports: list[tuple[int, str, tuple[str, ...]]], package: str) -> list[str]:
        """Module names for import statements; ``from m import x`` gives ``m.x`` when x is a
        module, ``import a.b`` gives ``a`` and ``a.b``."""
        out = []
        for level, name, fromlist in imports:
            try:
                base = importlib.util.resolve_name("." * level + name, package) if level else name
            except (ImportError, ValueError):
                continue  # the import fails when run, as it would without the cache
            if not fromlist:
                parts = base.split(".")
                out += [".".join(parts[: i + 1]) for i in range(len(parts))]
                continue
            if self._installed_module(base) is not None:
                out.append(base)
                continue
            subs = [f"{base}.{x}" for x in fromlist if x != "*" and is_module(f"{base}.{x}")]
            out += subs if len(subs) == len(fromlist) else [base, *subs]
        return out




def _lf_own(module: str | None) -> bool:
    """lf's own code: its source is in every fingerprint, and it decides no labels by reading the machine."""
    return module == "lf" or (module or "").startswith("lf.")


def lf_fingerprint(lf: LabelingFunction) -> str | None:
    """A hex digest that changes whenever the LF would label differently, or None (uncacheable)."""
    return Fingerprinter().lf(lf)


def lf_definitions(lfs: Sequence[LabelingFunction]) -> tuple[str | None, ...]:
    """Per LF, a digest of its definition: its code, what its code reaches, its resources,
    preprocessors and declared files, as for :func:`lf_fingerprint` but without lf's own
    source and the libraries' versions, and with lists and dicts taken as multisets (one
    built from a set has another order in every process; a pure reorder is not seen). None for an LF whose definition cannot be read that way (see the module's
    docstring). A model fitted on a matrix keeps these, so that using it later with an LF
    whose definition has changed under the same name can be noticed
    (:func:`lf.models.base.check_fitted_on`)."""
    fp = Fingerprinter(lf_source=False)
    out: list[str | None] = []
    for lf in lfs:
        try:
            out.append(fp.lf(lf))
        except Exception:  # noqa: BLE001 - a definition it cannot read is unknown; the run goes on
            out.append(None)
    return tuple(out)
