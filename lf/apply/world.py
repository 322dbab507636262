"""Whether a function's labels could change with no change to its code or data: it reads
the world when it runs, or keeps state between calls.

The fingerprint (:mod:`lf.apply.fingerprint`) covers what an LF's code names; it cannot
cover what a call returns from outside: an environment variable, the clock, a random draw
(seeded or not: which draw a row gets depends on the rows labeled before it, and a cached
chunk is not labeled again), a file opened at call time, the process's string hashing. Nor
what an LF changes as it runs (a global set of the texts seen so far, a counter): a
chunk's labels then depend on the chunks before it. :func:`world_reason` finds these in a
function's bytecode; such an LF is not cached (it runs every time).

Found: the builtins that read outside the code (``open``, ``input``, ``hash``, ``id``,
``eval`` ...), anything of a module that reads the machine (also in a default argument, a resource or
a closure: a ``Path`` read as the LF runs; ``os``, ``sys``, ``time``,
``random``, ``pathlib``, ``socket``, ``subprocess``, ``urllib``, ``requests``, and
``importlib``, whose ``import_module`` runs a module named only at run time ...), the
attributes ``now``, ``today``, ``utcnow``, ``environ``, ``getenv``, ``urandom`` and
``random`` (``datetime.now()``, ``np.random.rand()``), a library call reading a file by
its name (``pd.read_csv``, ``np.load``, ``joblib.load`` ...), an import of such a module inside
the function, an assignment to a global or an enclosing variable, and a call of a
mutating method (``append``, ``add``, ``update`` ...) or an item assignment on a list, dict
or set that lives from call to call (a global or enclosing one, one a default argument or an
LF's resource holds, one a module or class keeps: ``state.SEEN``), and an assignment to an
attribute of a module or class (``Count.n += 1``). An LF declaring ``files=`` may open and read files (their
content is in its fingerprint). This errs on the side of running again: a pure ``os.path.join`` makes
an LF run every time too.
"""

from __future__ import annotations

import builtins
import collections
import dis
import inspect
import os
import types
import warnings
from collections.abc import Sequence
from typing import Any

from lf.apply.code_reading import filled_cell, walk_code

__all__ = [
    "ChangingLabelsWarning", "SplitStateWarning", "changing_reason", "closure_cells", "parameters", "warn_unsteady", "world_module",
    "world_reason",
]

_MODULES = frozenset({
    "aiohttp", "asyncio", "ctypes", "dbm", "fileinput", "ftplib", "getpass", "glob", "http", "httpx", "importlib", "io",
    "locale", "mmap", "multiprocessing", "os", "pathlib", "platform", "random", "requests", "secrets", "select",
    "selectors", "shelve", "shutil", "signal", "smtplib", "socket", "sqlite3", "ssl", "subprocess", "sys",
    "tempfile", "threading", "time", "urllib", "urllib3", "uuid", "webbrowser",
})
_FILE_MODULES = frozenset({"pathlib", "io", "fileinput", "glob"})  # what files= allows
_BUILTINS = frozenset({
    "open", "input", "hash", "id", "eval", "exec", "compile", "__import__", "globals", "locals", "vars",
    "breakpoint", "help",
})
_ATTRS = frozenset({"now", "today", "utcnow", "environ", "getenv", "urandom", "random"})
# Library calls that read a file by its name (pandas, numpy, pyarrow, polars, joblib, datasets):
# what they return is not in the code, unless the LF declares its files (files=).
_READERS = frozenset({
    "read_csv", "read_table", "read_fwf", "read_excel", "read_json", "read_parquet", "read_feather",
    "read_orc", "read_pickle", "read_hdf", "read_sql", "read_sql_query", "read_sql_table", "read_xml",
    "read_html", "read_sas", "read_spss", "read_stata", "read_clipboard", "read_ndjson", "scan_csv",
    "scan_parquet", "scan_ndjson", "load", "loadtxt", "genfromtxt", "fromfile", "fromregex", "memmap",
    "load_dataset", "load_from_disk",
})
_MUTATORS = frozenset({
    "append", "extend", "insert", "add", "update", "pop", "popitem", "remove", "discard", "clear",
    "setdefault", "sort", "reverse", "appendleft", "extendleft", "popleft", "rotate", "__setitem__",
    "__delitem__", "__iadd__", "__ior__", "intersection_update", "difference_update",
    "symmetric_difference_update",
})
_MUTABLE = (list, dict, set, bytearray, collections.deque)


def world_module(name: str | None, *, files: bool = False) -> bool:
    """Whether a module (dotted name) reads the machine: os, time, random, numpy.random ..."""
    if not name:
        return False
    parts = name.split(".")
    if files and parts[0] in _FILE_MODULES:
        return False
    return parts[0] in _MODULES or "random" in parts[1:]


def _owner(value: Any) -> str | None:
    """The module an object comes from (a bound builtin method: its instance's class's)."""
    if isinstance(value, types.ModuleType):
        return value.__name__
    owner = getattr(value, "__module__", None)
    if owner is None and isinstance(value, types.BuiltinMethodType):
        owner = type(value.__self__).__module__
    return owner if isinstance(owner, str) else None


def world_reason(
    code: types.CodeType, namespace: dict[str, Any], cells: dict[str, Any], *, files: bool = False,
    params: dict[str, Any] | None = None, world: bool = True,
) -> str | None:
    """Why a function (its code, globals and closure cells by name) may label differently with
    the same code and data, or None. ``files``: the LF declares the files it opens.
    ``params``: the values its parameters get unless the call passes others (defaults, an
    LF's resources): a list, dict or set there lives from call to call, as a global does.
    ``world=False``: only the state it keeps between calls, not what it reads."""
    for c in walk_code(code):
        reason = _reason(c, namespace, cells, files, (params or {}) if c is code else {}, world)
        if reason is not None:
            return reason
    return None


def closure_cells(func: types.FunctionType) -> dict[str, Any]:
    """A function's closure cells by name (the filled ones)."""
    return {n: c.cell_contents for n, c in zip(func.__code__.co_freevars, func.__closure__ or ()) if filled_cell(c)}


def parameters(func: types.FunctionType, resources: dict[str, Any] | None = None) -> dict[str, Any]:
    """A function's parameters that have a value from call to call: defaults, and ``resources``
    (passed to every call of an LF)."""
    code, defaults = func.__code__, func.__defaults__ or ()
    named = code.co_varnames[code.co_argcount - len(defaults) : code.co_argcount]
    return {**dict(zip(named, defaults)), **(func.__kwdefaults__ or {}), **(resources or {})}


def _attribute(owner: Any, name: str) -> Any:
    """``owner.name`` for a module or a class (without running a property), else None."""
    if isinstance(owner, types.ModuleType):
        return vars(owner).get(name)
    if isinstance(owner, type):
        return inspect.getattr_static(owner, name, None)
    return None


def _writes_only(instructions: list[dis.Instruction], at: int) -> bool:
    """Whether the ``open`` loaded at ``at`` is called with a constant mode that only writes
    (``open(LOG, "a")``: a log does not decide labels). Read from the call's last argument."""
    for ins in instructions[at + 1 :]:
        if ins.opname in ("PRECALL", "CALL", "CALL_FUNCTION", "CALL_FUNCTION_KW"):
            break
    else:
        return False
    args = [i for i in instructions[at + 1 : instructions.index(ins)] if i.opname != "KW_NAMES"]
    mode = args[-1].argval if args and args[-1].opname == "LOAD_CONST" else None
    return isinstance(mode, str) and 1 < len(args) < 4 and not set(mode) & set("r+") and bool(set(mode) & set("wax"))


def _reason(
    code: types.CodeType, namespace: dict[str, Any], cells: dict[str, Any], files: bool, params: dict[str, Any], world: bool
) -> str | None:
    outer = set(code.co_freevars)
    containers = False  # whether this statement has loaded a global or enclosing list, dict or set
    held: Any = None  # what the previous instruction left on the stack, when known
    first: Any = None  # what the statement loaded first (the owner of `S.n += 1`), when known
    loaded = False  # whether the statement has loaded anything yet
    instructions = list(dis.get_instructions(code))
    for at, ins in enumerate(instructions):
        name = ins.argval if isinstance(ins.argval, str) else ""
        value: Any = None
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            if name in namespace:
                value = namespace[name]
                if world and world_module(_owner(value), files=files):
                    return f"it uses {name} ({_owner(value)}), which reads the machine when called"
                if world and name in _READERS and not files and _reads_files(value, namespace):
                    return f"it calls {name}(), which reads a file: declare it with files=[...]"
            elif world and name in _BUILTINS and hasattr(builtins, name) and not _allowed(name, code, files, instructions, at):
                return f"it calls {name}(), which reads outside its code"
        elif ins.opname in ("LOAD_DEREF", "LOAD_CLOSURE") and name in outer or ins.opname.startswith("LOAD_FAST") and name in params:
            value = params[name] if ins.opname.startswith("LOAD_FAST") else cells.get(name)  # params: a default or a resource
            if world and world_module(_owner(value), files=files):  # a Path read as it runs: its name is all the key has
                return f"it uses {name} ({_owner(value)}), which reads the machine when called"
        elif ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
            return f"it assigns the global {name}"
        elif ins.opname in ("STORE_DEREF", "DELETE_DEREF") and name in outer:
            return f"it assigns the enclosing variable {name}"
        elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            if world and name in _ATTRS:
                return f"it reads .{name}, which may differ between runs"
            if world and name in _READERS and not files:
                return f"it calls .{name}(), which reads a file: declare it with files=[...]"
            if name in _MUTATORS and isinstance(held, _MUTABLE):
                return f"it changes {instructions[at - 1].argval} (.{name}) as it runs"
            value = _attribute(held, name)  # STATE.seen, Rules.cache: a container kept by a module or class
        elif world and ins.opname == "IMPORT_NAME" and world_module(name, files=files):
            return f"it imports {name}, which reads the machine when called"
        elif ins.opname in ("STORE_SUBSCR", "DELETE_SUBSCR") and containers:
            return "it assigns items of a list, dict or set kept from call to call"
        elif ins.opname in ("STORE_ATTR", "DELETE_ATTR") and _shared_owner(held, first, instructions[at - 1].opname):
            return f"it assigns the attribute {name} of a module or class"
        containers = containers or isinstance(value, _MUTABLE)
        if not loaded and ins.opname.startswith("LOAD_"):
            first, loaded = value, True
        if ins.opname.startswith(("STORE_", "DELETE_", "POP_TOP", "RETURN_")):
            containers, first, loaded = False, None, False  # a statement ends
        held = value
    return None


def _shared_owner(held: Any, first: Any, before: str) -> bool:
    """Whether a STORE_ATTR sets an attribute of a module or class (``S.n = 1``; ``S.n += 1``
    swaps the owner loaded first back to the top): state kept from call to call."""
    owner = first if before == "SWAP" else held
    return isinstance(owner, (types.ModuleType, type))


def _allowed(name: str, code: types.CodeType, files: bool, instructions: list[dis.Instruction], at: int) -> bool:
    """A builtin that reads outside the code but decides no label where it is: ``open`` of a
    declared file or for writing only, ``hash`` in a ``__hash__`` (a frozen dataclass's)."""
    if name == "open":
        return files or _writes_only(instructions, at)
    return name == "hash" and code.co_name == "__hash__"


def _reads_files(value: Any, namespace: dict[str, Any]) -> bool:
    """Whether a global named as a file reader is one (``from pandas import read_csv``), not
    the module's own function of that name (whose code is read like the LF's)."""
    own = isinstance(value, types.FunctionType) and value.__module__ == namespace.get("__name__")
    return callable(value) and not own


class SplitStateWarning(UserWarning):
    """An LF keeps state between calls, and the run splits its rows among worker processes."""


class ChangingLabelsWarning(UserWarning):
    """An LF's votes come from a random draw, the clock or a string hash: the same rows get
    other labels in the next run (and in another worker process)."""


def warn_unsteady(lfs: Sequence[Any], engine: Any) -> None:
    """Warn about LFs whose labels depend on more than their row: one whose own code (or one
    of its preprocessors') draws random numbers, reads the clock or hashes with ``hash()``
    (:func:`changing_reason`), whatever the engine; and, when ``engine`` runs chunks in
    several processes, one that keeps state between calls (a counter, a set of the texts
    seen): each worker then has its own copy of that state, and the LF's labels depend on
    which chunks each worker got, unlike with one process."""
    workers = engine.name == "dask" or int(getattr(engine, "n_jobs", 1) or 1) > 1
    kinds = _Kinds()
    for lf in lfs:
        for step in (lf, *lf.pre):
            func = getattr(step, "f", None) or getattr(step, "func", None)
            if not isinstance(func, types.FunctionType) or str(func.__module__).split(".")[0] == "lf":
                continue
            changing = _changing(func, kinds, {id(func): None}, 0)
            if changing is not None:
                warnings.warn(
                    ChangingLabelsWarning(
                        f"Labeling function {lf.name!r} {changing}, so the same rows get other labels in "
                        "the next run and in another worker process. Derive its votes from the row "
                        "(a random.Random(seed) made from the row, zlib.crc32 of the text)."
                    ),
                    stacklevel=3,
                )
                break
            if not workers:
                continue
            reason = world_reason(func.__code__, func.__globals__, closure_cells(func), params=parameters(func, step.resources), world=False)
            if reason is not None:
                warnings.warn(
                    SplitStateWarning(
                        f"Labeling function {lf.name!r} keeps state between calls ({reason}); the {engine.name} "
                        "engine labels chunks in several processes, each with its own copy of that state, so its "
                        "labels depend on how the rows were split and differ from a run with n_jobs=1. Make it "
                        "depend on its row only, or run it in one process (n_jobs=1, --n-jobs 1)."
                    ),
                    stacklevel=3,
                )
                break


_CLOCK = frozenset({"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns"})
_DATES = frozenset({"now", "today", "utcnow"})
_SEEDS = frozenset({"seed", "setstate"})
_HELPER_DEPTH = 4  # how deep into the user's own functions an LF calls the check follows


def changing_reason(func: types.FunctionType) -> str | None:
    """What makes ``func``'s result change from run to run with the same argument, in its
    own code (nested functions included) or in a function of the user's it calls (up to
    ``_HELPER_DEPTH`` calls deep), or None: ``hash()`` (a ``str``'s hash differs from one
    Python process to the next), a draw from ``random``'s or numpy's shared
    generator (unless the code seeds it itself, as for each row), from a generator a module
    or closure keeps (``rng = np.random.default_rng()`` at module level: each row's draw
    depends on the rows labeled before it), from a generator made without a seed
    (``random.Random()``, ``np.random.default_rng()``), ``os.urandom``, ``secrets``,
    ``uuid.uuid1``/``uuid4``, or the clock (``time.time``, ``datetime.now`` ...). Only what
    these names are bound to counts: a local ``random.Random(seed)`` or a module's own
    ``hash`` function is not one of them."""
    return _changing(func, _Kinds(), {id(func): None}, 0)


class _Kinds:
    """What :func:`changing_reason` compares values with, looked up once per check."""

    def __init__(self) -> None:
        import random
        import sys

        numpy_random = sys.modules.get("numpy.random")
        self.shared = {
            id(getattr(random, "_inst", None)): "random",
            id(getattr(sys.modules.get("numpy.random.mtrand"), "_rand", None)): "numpy.random",
        }
        self.generators: tuple[type, ...] = (random.Random,)
        self.makers: list[Any] = [random.Random]
        if numpy_random is not None:
            self.generators += (numpy_random.Generator, numpy_random.RandomState)
            self.makers += [numpy_random.default_rng, numpy_random.RandomState]
        self._roots: tuple[str, ...] | None = None

    def user_function(self, value: Any) -> bool:
        """A plain function of the user's code (not lf's, the stdlib's or a package's)."""
        if not isinstance(value, types.FunctionType) or str(value.__module__).split(".")[0] == "lf":
            return False
        file = value.__code__.co_filename
        if file.startswith("<"):  # a notebook cell, a string run with exec
            return True
        if self._roots is None:
            from lf.apply.code_reading import installed_roots

            self._roots = installed_roots()
        return not os.path.realpath(file).startswith(self._roots)

    def kept_generator(self, value: Any) -> bool:
        """A generator object other than the modules' shared ones."""
        return isinstance(value, self.generators) and id(value) not in self.shared


def _changing(func: types.FunctionType, kinds: _Kinds, memo: dict[int, str | None], depth: int) -> str | None:
    """:func:`changing_reason`; ``memo``: the reasons of the functions checked (None while
    one is being checked: a function that calls itself back adds nothing)."""
    import datetime
    import random
    import uuid

    shared = kinds.shared
    cells = closure_cells(func)

    def bound(name: str) -> Any:
        """What a global (or builtin) name of the function's code is bound to."""
        return func.__globals__[name] if name in func.__globals__ else vars(builtins).get(name)

    codes = walk_code(func.__code__)
    # Reading the bytecode costs ~1 ms an LF: only when a name it uses is one of these, or
    # a function of the user's whose own code holds one.
    named = [cells[n] if n in cells else bound(n) for n in {n for c in codes for n in (*c.co_names, *c.co_freevars)}]
    helpers: dict[int, str] = {}
    if depth < _HELPER_DEPTH:
        for called in named:
            if kinds.user_function(called):
                if id(called) not in memo:
                    memo[id(called)] = None
                    memo[id(called)] = _changing(called, kinds, memo, depth + 1)
                reason = memo[id(called)]
                if reason is not None:
                    helpers[id(called)] = f"calls {called.__name__}(), which {reason}"
    if not helpers and not any(_may_change(v, kinds) for v in named):
        return None
    found: str | None = None
    for code in codes:
        held: Any = None
        held_name = ""
        instructions = list(dis.get_instructions(code))
        for at, ins in enumerate(instructions):
            name = ins.argval if isinstance(ins.argval, str) else ""
            value: Any = None
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                value = bound(name)
            elif ins.opname in ("LOAD_DEREF", "LOAD_CLOSURE"):
                value = cells.get(name)
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and held is not None:
                if (held is datetime.datetime or held is datetime.date) and name in _DATES:
                    found = found or f"reads the clock ({held.__name__}.{name})"
                elif kinds.kept_generator(held) and name in _SEEDS:
                    return None  # seeded by the code itself, as for each row
                elif kinds.kept_generator(held) and not name.startswith("_"):
                    found = found or (
                        f"draws from the generator {held_name!r}, which outlives each call ({held_name}.{name}: "
                        "a row's draw depends on the rows labeled before it)"
                    )
                value = _attribute(held, name)
            held, held_name = value, name
            if id(value) in helpers:
                found = found or helpers[id(value)]
                continue
            if any(value is maker for maker in kinds.makers):
                if _called_bare(instructions, at):
                    found = found or f"makes a generator without a seed ({getattr(value, '__name__', name)}())"
                continue
            # Only functions and methods are looked into: any other value may compare or
            # answer attributes in its own way (a Dask collection refuses ==).
            if not isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
                continue
            owner = value.__self__ if isinstance(value, (types.BuiltinMethodType, types.MethodType)) else None
            if value is builtins.hash and code.co_name != "__hash__":
                found = found or "calls hash(), whose value for a str or bytes differs from one Python process to the next"
            elif owner is not None and id(owner) in shared:
                if getattr(value, "__name__", "") in _SEEDS:
                    return None  # seeded by the code itself: the draws follow from what it seeds with
                found = found or f"draws from {shared[id(owner)]}'s shared generator ({shared[id(owner)]}.{value.__name__})"
            elif value is os.urandom or value is uuid.uuid1 or value is uuid.uuid4 or value.__module__ == "secrets" or isinstance(owner, random.SystemRandom):
                found = found or f"draws random bytes or ids ({getattr(value, '__name__', name)})"
            elif value.__module__ == "time" and value.__name__ in _CLOCK:
                found = found or f"reads the clock (time.{value.__name__})"
    return found


def _called_bare(instructions: list[dis.Instruction], at: int) -> bool:
    """Whether the value loaded at ``at`` is called right away with no argument."""
    for ins in instructions[at + 1 :]:
        if ins.opname in ("PRECALL", "CALL"):
            return ins.opname == "CALL" or ins.arg == 0
        return False
    return False


_CHANGING_MODULES = frozenset({"datetime", "numpy", "os", "random", "secrets", "time", "uuid"})


def _may_change(value: Any, kinds: _Kinds) -> bool:
    """Whether a value a function names could lead to a call :func:`changing_reason` looks
    for: ``hash``, a module or class holding one, a method of a shared generator, or a
    generator object (or class) the function names."""
    import datetime

    if isinstance(value, types.ModuleType):
        return value.__name__.split(".")[0] in _CHANGING_MODULES
    if isinstance(value, (types.BuiltinFunctionType, types.MethodType, types.FunctionType)):
        owner = getattr(value, "__self__", None)
        return value is builtins.hash or id(owner) in kinds.shared or str(value.__module__).split(".")[0] in _CHANGING_MODULES
    return value is datetime.datetime or value is datetime.date or kinds.kept_generator(value) or any(
        value is maker for maker in kinds.makers
    )
