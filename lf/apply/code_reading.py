"""Reading code for fingerprints: code objects without their places, the imports a module
or a function makes, where modules come from, and digests of lf's own source and of the
libraries it runs on. Pure helpers of :mod:`lf.apply.fingerprint`."""

from __future__ import annotations

import ast
import dis
import enum
import hashlib
import importlib.metadata
import importlib.util
import marshal
import site
import sys
import sysconfig
import types
from pathlib import Path
from typing import Any

__all__ = [
    "an_object", "attribute_modules", "code_bytes", "code_imports", "const_bytes", "filled_cell", "installed_roots", "is_code", "is_module",
    "lf_code_digest", "module_origin", "release", "runtime_versions", "shown_module", "source_imports", "walk_code",
]

_RUNTIME = ("numpy", "pandas", "pyarrow")  # rows, readers, templates' RE2: they decide labels too


def const_bytes(c: Any) -> bytes:
    """A code constant as bytes that do not depend on string hashing (set order varies by process)."""
    if isinstance(c, types.CodeType):
        return code_bytes(c)
    if isinstance(c, (frozenset, set)):
        return b"{" + b",".join(sorted(const_bytes(x) for x in c)) + b"}"
    if isinstance(c, tuple):
        return b"(" + b",".join(const_bytes(x) for x in c) + b")"
    return f"{type(c).__name__}:{c!r}".encode()


def code_bytes(code: types.CodeType) -> bytes:
    """A code object without its file name and line numbers (moving an LF is not editing it)."""
    bare = code.replace(co_filename="", co_firstlineno=1, co_linetable=b"", co_consts=())
    return marshal.dumps(bare) + const_bytes(code.co_consts)


def walk_code(code: types.CodeType) -> list[types.CodeType]:
    out = [code]
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out += walk_code(c)
    return out


def code_imports(code: types.CodeType) -> list[tuple[int, str, tuple[str, ...]]]:
    """The ``import`` statements in a code object and its nested code: (level, name, fromlist)."""
    found = []
    for c in walk_code(code):
        consts: list[Any] = [None, None]
        for ins in dis.get_instructions(c):
            if ins.opname == "IMPORT_NAME":
                level, fromlist = consts[-2], consts[-1]
                found.append((level if isinstance(level, int) else 0, str(ins.argval), tuple(fromlist or ())))
            consts.append(ins.argval if ins.opname == "LOAD_CONST" else None)
    return found


def attribute_modules(modules: list[types.ModuleType], names: list[str]) -> list[str]:
    """The submodules a code reaches as attributes of the modules it names: with ``import
    pkg.rules`` at module level, ``pkg.rules.WORDS`` names ``pkg``, ``rules`` and ``WORDS``,
    and reads ``pkg.rules``, which ``pkg``'s own source need not import. ``names``: the
    code's names (its attribute names among them); a submodule counts once imported."""
    found: list[str] = []
    todo = [m.__name__ for m in modules]
    while todo:
        base = todo.pop()
        for name in names:
            sub = f"{base}.{name}"
            if sub in sys.modules and sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def source_imports(source: bytes) -> list[tuple[int, str, tuple[str, ...]]]:
    """The ``import`` statements anywhere in a module's source (functions included)."""
    found: list[tuple[int, str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:  # `import a.b.c` runs a, a.b and a.b.c; code may use any
                found.append((0, alias.name, ()))
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or "", tuple(a.name for a in node.names)))
    return found


def installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots |= set(getattr(site, "getsitepackages", list)())
    roots.add(site.getusersitepackages())
    return tuple(str(Path(r).resolve()) + "/" for r in roots if r)


def lf_code_digest(root: Path | None = None) -> bytes:
    """A digest of the source of every module of lf itself (``root``: the package folder).

    The kernel, the rows, the templates and the readers decide what an LF's labels are as
    much as the LF does; a change to any of them (an upgrade, a fix) must not reuse results
    an older lf computed. The version number is not enough: it does not change between two
    checkouts of the same release. So every module's source enters every fingerprint (a
    few milliseconds per run); any edit of lf re-runs everything, which is never wrong.
    """
    folder = Path(__file__).resolve().parents[1] if root is None else root
    digest = hashlib.sha256(b"lf-source")
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(folder).as_posix().encode()
        digest.update(rel + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest().encode()


def runtime_versions() -> bytes:
    """Python's and lf's runtime libraries' versions: an upgrade may change what an LF sees
    or matches (pyarrow's RE2 Unicode tables, how pandas gives a missing value) though
    neither the LF nor lf changed."""
    versions = [f"{name}=={importlib.metadata.version(name)}" for name in _RUNTIME]
    return "|".join([f"python {sys.version}", *versions]).encode()


def release(dist: str, *, files: bool = True) -> str:
    """``name==version`` of an installed distribution, and (``files``) a digest of the file
    hashes its installer recorded (``RECORD``): a package reinstalled with other code under
    the same version number (the user's own rules package, rebuilt) is another release. The
    installer's own records (``.dist-info/``: where it came from, when) are left out."""
    meta = importlib.metadata.distribution(dist)
    if not files:
        return f"{dist}=={meta.version}"
    lines = (meta.read_text("RECORD") or "").splitlines()  # path,sha256=...,size; compiled files have no hash
    hashed = sorted(x for x in lines if ".dist-info/" not in x and not x.endswith(",,"))
    digest = hashlib.sha256("\n".join(hashed).encode()).hexdigest()[:16] if hashed else "-"
    return f"{dist}=={meta.version}#{digest}"


def is_code(value: Any) -> bool:
    return callable(value) or hasattr(type(value), "__get__") or isinstance(value, enum.Enum)


def filled_cell(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def module_origin(name: str) -> str | None:
    """The file a module comes (or would come) from, without running it if not imported yet."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__file__", None)
    try:
        spec = importlib.util.find_spec(name)
    except Exception:  # noqa: BLE001 - finding `a.b` runs a's __init__, which may fail
        return None
    return None if spec is None else spec.origin


def is_module(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:  # noqa: BLE001 - `x` is then an attribute of the module, not a module
        return False


def shown_module(module: str) -> str:
    """A module's name as its user knows it: ``helpers`` of a package lf loaded from a path
    (``lf_user_NAME_HASH.helpers`` inside), else its dotted name."""
    from lf.modules import FILE_MODULE_PREFIX

    head, dot, rest = module.partition(".")
    if not head.startswith(FILE_MODULE_PREFIX):
        return module
    package = head[len(FILE_MODULE_PREFIX) :].rpartition("_")[0]
    return f"{package}{dot}{rest}"


def an_object(value: Any) -> str:
    """What an object is, for a reason: "a module", "a Pipeline object"."""
    return "a module" if isinstance(value, types.ModuleType) else f"a {type(value).__qualname__} object"
