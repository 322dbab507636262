"""``load_lfs``: collect labeling functions from a module, a .py file or a package."""

from __future__ import annotations

import contextlib
import enum
import hashlib
import importlib
import importlib.util
import os
import pkgutil
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Self

from lf.core import LabelingFunction
from lf.errors import LFDefinitionError, LFImportError
from lf.interop import as_lf, is_snorkel_lf

__all__ = ["LFSet", "load_lfs"]

_DIGEST_ATTR = "__lf_source_digest__"
FILE_MODULE_PREFIX = "lf_user_"  # modules loaded from a path: no other process can import them by name


class LFSet(tuple[LabelingFunction, ...]):
    """The LFs of a module, in definition order, with the label names the module declares."""

    labels: tuple[str, ...] | None
    source: str

    def __new__(cls, lfs: Iterable[LabelingFunction], *, labels: Any = None, source: str = "") -> Self:
        self = super().__new__(cls, tuple(lfs))
        self.labels = _label_names(labels, source)
        self.source = source
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(x.name for x in self)

    def __repr__(self) -> str:
        return f"LFSet({len(self)} LFs from {self.source!r}, labels={self.labels})"


def _label_names(labels: Any, source: str) -> tuple[str, ...] | None:
    """Label names from ``LABELS``: a sequence of names, an IntEnum or a {value: name} mapping."""
    if labels is None:
        return None
    if isinstance(labels, type) and issubclass(labels, enum.Enum):
        labels = {int(member.value): name for name, member in labels.__members__.items()}
    if isinstance(labels, Mapping):
        try:
            by_value = {int(k): str(v) for k, v in labels.items()}
        except (TypeError, ValueError):
            by_value = {}
        if sorted(by_value) != list(range(len(by_value))) or not by_value:
            raise LFDefinitionError(
                f"LABELS in {source!r} must map the values 0..k-1 to names. Got {dict(labels)!r}."
            )
        return tuple(by_value[i] for i in range(len(by_value)))
    if isinstance(labels, (list, tuple)) and len(labels) >= 2 and all(isinstance(x, str) for x in labels):
        return tuple(labels)
    raise LFDefinitionError(
        f"LABELS in {source!r} must be a list of at least two names (index = label value), an "
        f"IntEnum, or a {{value: name}} dict. Got {labels!r}."
    )


def load_lfs(target: str | Path | ModuleType) -> LFSet:
    """Collect the LFs defined in a module name, a ``.py`` file or a package, in definition order.

    LFs kept in module-level lists or tuples (``KEYWORD_LFS = [keyword_lf(...) for ...]``)
    count too, each LF once however often it is referenced. A module may declare ``LABELS = ["HAM", "SPAM"]``
    (or an IntEnum, or a ``{0: "HAM", 1: "SPAM"}`` dict) to name its labels; reports and
    outputs then use those names.
    """
    if isinstance(target, ModuleType):
        modules = _walk(target)
        source = target.__name__
    else:
        source = str(target)
        with _working_directory_kept(source):
            modules = _walk(_import(source))
    found: list[LabelingFunction] = []
    origin: dict[str, str] = {}
    labels: Any = None
    seen: set[int] = set()
    for mod in modules:
        labels = getattr(mod, "LABELS", labels)
        for attr, obj, where in _candidates(mod):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            lf = as_lf(obj)
            if lf.name in origin:
                raise LFDefinitionError(
                    f"Two labeling functions are named {lf.name!r}: {origin[lf.name]} and {where}. "
                    "Give each LF a unique name."
                )
            origin[lf.name] = where
            found.append(lf)
    if not found:
        raise LFImportError(
            f"No labeling functions found in {source!r}. Define them with @lf.labeling_function(), "
            "lf.keyword_lf(...) or lf.regex_lf(...) at module level."
        )
    return LFSet(found, labels=labels, source=source)


@contextlib.contextmanager
def _working_directory_kept(source: str) -> Iterator[None]:
    """The working directory as it was before the LF module ran, and a warning if it
    changed it (``os.chdir`` at import): relative paths given to lf (DATA, the output just
    checked) would name files of another folder, an output written there unannounced."""
    try:
        before = os.getcwd()
    except OSError:  # the working directory was removed: nothing to keep
        yield
        return
    try:
        yield
    finally:
        try:
            after: str | None = os.getcwd()
        except OSError:
            after = None
        if after != before:
            os.chdir(before)
            import warnings

            warnings.warn(
                f"Importing the LF module {source!r} changed the working directory (to {after!r}): lf changed it "
                f"back to {before!r}, where relative paths (DATA, outputs, files the LFs open) are read. "
                "Build paths from the module's folder instead (Path(__file__).parent / 'words.txt').",
                stacklevel=3,
            )


def _is_lf(obj: Any) -> bool:
    return isinstance(obj, LabelingFunction) or is_snorkel_lf(obj)


def _candidates(mod: ModuleType) -> Iterator[tuple[str, Any, str]]:
    """Module-level LFs in definition order, and the LFs inside module-level lists / tuples
    (``KEYWORD_LFS = [keyword_lf(...) for ...]``), with where each was found."""
    place = _place(mod)
    for attr, obj in vars(mod).items():
        if _is_lf(obj):
            yield attr, obj, f"{attr} in {place}"
        elif isinstance(obj, (list, tuple)) and obj and all(_is_lf(x) for x in obj):
            for i, item in enumerate(obj):
                yield attr, item, f"{attr}[{i}] in {place}"


def _place(mod: ModuleType) -> str:
    """The module as its user knows it: the file of one loaded from a path (its module name
    is lf's own, ``lf_user_NAME_HASH``), else its dotted name."""
    file = getattr(mod, "__file__", None)
    if not mod.__name__.startswith(FILE_MODULE_PREFIX) or not file:
        return mod.__name__
    with contextlib.suppress(ValueError):
        return str(Path(file).relative_to(Path.cwd()))
    return str(file)


def _import(target: str) -> ModuleType:
    path = Path(target)
    if target.endswith(".py") or path.is_dir() and (path / "__init__.py").exists():
        if not path.exists():
            raise LFImportError(f"LF module file not found: {target!r}.")
        return _import_path(path)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name is not None and not (target == exc.name or target.startswith(exc.name + ".")):
            raise _failed(target, exc) from exc  # the module exists but imports something missing
        local = Path(*target.split(".")).with_suffix(".py")
        if local.exists():  # a dotted name relative to the working directory
            return _import_path(local)
        if Path(*target.split(".")).is_dir():
            return _import_path(Path(*target.split(".")))
        if path.is_file():  # data given as --lfs: "No module named 'comments.csv'" named no fix
            raise LFImportError(
                f"{target!r} is a file but not a Python module: LFs are read from a .py file, a package "
                "folder or an importable module name (the data goes in DATA)."
            ) from None
        raise LFImportError(
            f"No module named {target!r}. Pass an importable module name, a path to a .py file, "
            "or a package folder."
        ) from None
    except Exception as exc:  # any error in the user's module is reported with where it happened
        raise _failed(target, exc) from exc


def _import_path(path: Path) -> ModuleType:
    """A ``.py`` file or package folder; one inside a package (its folder holds an
    ``__init__.py``) is imported as that package's submodule, the package first, so its
    relative imports (``from .helpers import WORDS``) work as they do for ``import pkg.mod``."""
    path = path.resolve()
    if path.name == "__init__.py":
        path = path.parent
    top = path
    while (top.parent / "__init__.py").is_file() and top.parent != top.parent.parent:
        top = top.parent
    if top == path:
        return _import_file(path)
    package = _import_file(top)
    name = ".".join([package.__name__, *path.relative_to(top).with_suffix("").parts])
    try:
        return importlib.import_module(name)
    except Exception as exc:  # any error in the user's module is reported with where it happened
        raise _failed(str(path), exc) from exc


def _import_file(path: Path) -> ModuleType:
    """Execute a ``.py`` file or package folder as a module; again whenever its source changed.

    The module is kept in ``sys.modules`` (under a name derived from its path) with a digest
    of its source files, so loading an unchanged file twice gives the same LF objects, while
    loading it after an edit (in a notebook, say) runs the new code.
    """
    path = path.resolve()
    init = path / "__init__.py" if path.is_dir() else path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"{FILE_MODULE_PREFIX}{path.stem}_{digest}"
    source = _source_digest(path)
    cached = sys.modules.get(name)
    if cached is not None and getattr(cached, _DIGEST_ATTR, None) == source:
        return cached
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]  # stale copies, submodules of a package included
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise LFImportError(f"Cannot import {str(path)!r} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    setattr(module, _DIGEST_ATTR, source)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # any error in the user's module is reported with where it happened
        del sys.modules[name]
        raise _failed(str(path), exc) from exc
    return module


def _source_digest(path: Path) -> str:
    """A digest of the module's source: the file, or every ``.py`` file under a package folder."""
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    h = hashlib.sha1()
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"<unreadable>")
    return h.hexdigest()


def _failed(target: str, exc: BaseException) -> LFImportError:
    """One line: where in the user's code the import failed, and the error.

    The original exception is the new one's ``__cause__``, so its full traceback is still
    there (the CLI shows it with ``LF_TRACEBACK=1``).
    """
    if isinstance(exc, SyntaxError):
        where = f"{exc.filename}:{exc.lineno}: " if exc.filename else ""
        detail = exc.msg
    else:
        frame = _user_frame(exc)
        where = f"{frame.filename}:{frame.lineno}: " if frame is not None else ""
        detail = str(exc)
    detail = " ".join(detail.split())  # one line, whatever the exception's message holds
    return LFImportError(
        f"Importing the LF module {target!r} failed: {where}{type(exc).__name__}" + (f": {detail}" if detail else "")
        + _beside(exc)
    )


def _beside(exc: BaseException) -> str:
    """For ``import helper`` of a ``helper.py`` next to the LF file: why it is not found."""
    frame = _user_frame(exc) if isinstance(exc, ModuleNotFoundError) and exc.name else None
    if frame is None or frame.filename.startswith("<"):
        return ""
    folder = Path(frame.filename).parent
    top = str(getattr(exc, "name", "")).split(".")[0]
    if not ((folder / f"{top}.py").is_file() or (folder / top / "__init__.py").is_file()):
        return ""
    return (
        f". '{top}' is beside the LF file, but an LF file's folder is not on Python's import path: "
        f"add it (PYTHONPATH={folder}), or make the folder a package (an __init__.py in it, "
        f"--lfs FOLDER) and write `from . import {top}`."
    )


def _user_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The deepest frame of the traceback in the user's code (not Python's, a library's or lf's)."""
    import sysconfig

    frames = traceback.extract_tb(exc.__traceback__)
    skip = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    skip.add(str(Path(__file__).resolve().parent))
    for frame in reversed(frames):
        name = frame.filename
        if not name.startswith("<") and not any(name.startswith(prefix + os.sep) for prefix in skip):
            return frame
    return frames[-1] if frames else None


def _walk(module: ModuleType) -> list[ModuleType]:
    """The module itself, then (for a package) every submodule, sorted by name."""
    out = [module]
    if hasattr(module, "__path__"):
        for info in sorted(pkgutil.walk_packages(module.__path__, module.__name__ + "."), key=lambda i: i.name):
            try:
                out.append(importlib.import_module(info.name))
            except Exception as exc:  # any error in the user's module is reported
                raise _failed(info.name, exc) from exc
    return out
