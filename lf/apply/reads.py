"""Which fields of its row a row LF reads, when its bytecode proves it reads no other.

Building a chunk's rows converts every column to Python objects; most LFs read one or two
of them (``x.text``). :func:`fields_read` looks at the LF's code: when the row parameter is
only ever used as ``x.name`` or ``x[constant]`` (in the function and in the generator
expressions, comprehensions and lambdas inside it), those names are all the LF can see, and
the kernel builds rows of just those columns. Anything else (the row passed to a helper,
stored, compared, rebound, ``getattr(x, ...)``, ``x.get(...)``, a callable object, a
wrapped function, a preprocessor, a call of ``locals``/``vars``/``eval`` or a frame's
``f_locals``) answers None: the LF gets every column, as before. The answer is exact or
None; an unfamiliar instruction answers None. (A helper that digs the row out of its
caller's frame is beyond it: such an LF then fails loudly on the missing field.)
"""

from __future__ import annotations

import dis
import functools
import types
from collections.abc import Hashable, Iterable
from typing import Any

from lf.core import LabelingFunction, Row

__all__ = ["fields_needed", "fields_read", "reaches_fields_directly"]

_LOADS = frozenset({"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_BORROW", "LOAD_DEREF"})
_ATTRS = frozenset({"LOAD_ATTR", "LOAD_METHOD"})
_HARMLESS = frozenset({"MAKE_CELL", "LOAD_CLOSURE"})
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "_getframe", "currentframe", "f_locals", "f_back", "stack"})
_VARIABLES = frozenset(dis.haslocal) | frozenset(dis.hasfree)  # instructions naming a local or cell


def fields_needed(lfs: Iterable[LabelingFunction]) -> frozenset[Hashable] | None:
    """The union of :func:`fields_read` over row LFs (None when one of them is not known)."""
    out: set[Hashable] = set()
    for lf in lfs:
        if lf.pre:
            return None  # a preprocessor sees the whole row
        seen = fields_read(lf.f)
        if seen is None:
            return None
        out |= seen
    return frozenset(out)


def fields_read(func: Any) -> frozenset[Hashable] | None:
    """The fields ``func``'s first parameter is read for, or None when that is not provable."""
    if not isinstance(func, types.FunctionType):
        return None  # builtins, partials, bound methods, callable objects: code not at hand
    return _reads(func.__code__)


@functools.lru_cache(maxsize=512)
def _reads(code: types.CodeType) -> frozenset[Hashable] | None:
    if code.co_argcount < 1:
        return None  # the row arrives through *args or a keyword
    return _scan(code, code.co_varnames[0])


def _scan(code: types.CodeType, name: str) -> frozenset[Hashable] | None:
    if _INTROSPECTION.intersection(code.co_names):
        return None  # locals()["x"], a frame's f_locals: the row read without naming it
    found: set[Hashable] = set()
    ops = list(dis.get_instructions(code))
    for i, ins in enumerate(ops):
        if ins.opcode not in _VARIABLES:
            continue
        if name not in (ins.argval if isinstance(ins.argval, tuple) else (ins.argval,)):
            continue
        if ins.opname in _HARMLESS and ins.argval == name:
            continue  # the row's cell: every code object that reads it is scanned below
        if ins.opname not in _LOADS:
            return None  # stored, deleted, or loaded by an instruction not understood here
        field = _field_at(ops, i + 1)
        if field is None:
            return None
        found.add(field)
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and name in const.co_freevars:
            inner = _scan(const, name)
            if inner is None:
                return None
            found |= inner
    return frozenset(found)


def _field_at(ops: list[dis.Instruction], j: int) -> Hashable | None:
    """The field read by the instructions from ``j`` on, right after the row was loaded."""
    if j >= len(ops):
        return None
    nxt = ops[j]
    if nxt.opname in _ATTRS and isinstance(nxt.argval, str):
        attr = nxt.argval
        # Row's own attributes (get, keys, copy, __dict__ ...) are not fields.
        return None if attr.startswith("__") or hasattr(Row, attr) else attr
    if nxt.opname == "LOAD_CONST" and j + 1 < len(ops) and ops[j + 1].opname == "BINARY_SUBSCR":
        key = nxt.argval
        try:
            hash(key)
        except TypeError:
            return None
        return key  # type: ignore[no-any-return]
    return None


# What reaches a row's fields without its journal (lf.apply.views): ``vars(x)[k] = v``,
# ``x.__dict__.update(...)``, ``object.__setattr__(x, k, v)``.
_DIRECT = frozenset({"vars", "__dict__", "__setattr__", "__delattr__"})


def reaches_fields_directly(func: Any) -> bool:
    """Whether ``func``, or a function of its module's globals that it names (and so on),
    may write a row's fields past the write journal: it names ``vars``, ``__dict__``,
    ``__setattr__`` or ``__delattr__``. Code not at hand (builtins, C functions) answers False."""
    return _direct(func, set())


def _direct(func: Any, seen: set[int]) -> bool:
    while isinstance(func, (functools.partial, types.MethodType)):
        func = func.func if isinstance(func, functools.partial) else func.__func__
    if not isinstance(func, types.FunctionType):
        call = type(func).__call__ if callable(func) else None
        return isinstance(call, types.FunctionType) and _direct(call, seen)
    if id(func) in seen:
        return False
    seen.add(id(func))
    names = _names(func.__code__)
    if names & _DIRECT:
        return True
    space = func.__globals__
    return any(_direct(space[n], seen) for n in sorted(names) if isinstance(space.get(n), (types.FunctionType, functools.partial)))


@functools.lru_cache(maxsize=512)
def _names(code: types.CodeType) -> frozenset[str]:
    """The names and text constants in ``code`` and the code nested in it."""
    out = set(code.co_names) | {c for c in code.co_consts if isinstance(c, str)}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _names(c)
    return frozenset(out)
