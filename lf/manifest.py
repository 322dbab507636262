"""Dataset manifests and the local data home.

Each dataset ``lf`` knows is described by ``datasets/<name>/manifest.json`` in the project
folder: its files (name, size, sha256 and, where a direct public link exists, a URL), where
it comes from, its citation, licence and the schema of the frame :func:`lf.datasets.load`
returns (see ``datasets/README.md``). Fetched files live in the data home, one folder per
dataset:

- ``data_home`` argument, else ``$LF_DATA_HOME``, else the user's cache folder
  (``$XDG_CACHE_HOME/lf`` or ``~/.cache/lf``; ``~/Library/Caches/lf`` on macOS;
  ``%LOCALAPPDATA%\\lf\\Cache`` on Windows).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lf.errors import DataError

__all__ = [
    "ENV_HOME",
    "FileSpec",
    "Manifest",
    "data_home",
    "dataset_dir",
    "get_manifest",
    "is_fetched",
    "list_datasets",
    "manifests_dir",
    "missing_files",
    "read_manifest",
]

ENV_HOME = "LF_DATA_HOME"
_FORMATS = ("csv", "uci_youtube", "uci_sms", "wrench")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class FileSpec:
    """One file of a dataset: its name in the dataset folder, size in bytes, sha256, URL."""

    name: str
    size: int
    sha256: str
    url: str | None = None


@dataclass(frozen=True)
class Manifest:
    """A parsed ``manifest.json`` (see ``datasets/README.md`` for the fields)."""

    name: str
    description: str
    format: str
    rows: int
    labels: tuple[str, ...]
    files: tuple[FileSpec, ...]
    folder: Path
    local: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    citation: str = ""
    license: str = ""

    @property
    def size(self) -> int:
        """Total bytes of the dataset's files."""
        return sum(f.size for f in self.files)


def manifests_dir() -> Path:
    """The folder holding one ``<name>/manifest.json`` per dataset.

    It is the project's ``datasets/`` folder, installed with lf as ``lf/_datasets/`` (a data
    folder, not a regular package: an ``__init__.py`` in ``datasets/`` would shadow other
    packages named ``datasets`` when Python runs from the project folder). A source checkout
    installed in editable mode reads the folder itself.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("lf._datasets")
    except ImportError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(__file__).resolve().parent.parent / "datasets"


def list_datasets() -> list[str]:
    """Names of the datasets with a manifest, sorted."""
    root = manifests_dir()
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob("*/manifest.json"))


def _req(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], where: Path) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise DataError(f"{str(where)!r}: field {key!r} must be a {want}. Got {value!r}.")
    return value


def _file_spec(raw: Any, where: Path) -> FileSpec:
    if not isinstance(raw, dict):
        raise DataError(f"{str(where)!r}: each entry of 'files' must be an object. Got {raw!r}.")
    name = _req(raw, "name", str, where)
    if Path(name).name != name or name in ("", ".", ".."):
        raise DataError(f"{str(where)!r}: file name {name!r} must be a plain file name (no folders).")
    digest = _req(raw, "sha256", str, where).lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise DataError(f"{str(where)!r}: sha256 of {name!r} must be 64 hex digits. Got {digest!r}.")
    url = raw.get("url")
    if url is not None and not isinstance(url, str):
        raise DataError(f"{str(where)!r}: url of {name!r} must be a string or null. Got {url!r}.")
    return FileSpec(name, int(_req(raw, "size", int, where)), digest, url)


def read_manifest(path: str | Path) -> Manifest:
    """Parse and validate one ``manifest.json``; a bad field fails naming the file and field."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"Manifest not found: {str(path)!r}.") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{str(path)!r} is not valid JSON: {exc}.") from None
    if not isinstance(raw, dict):
        raise DataError(f"{str(path)!r} must hold a JSON object.")
    fmt = _req(raw, "format", str, path)
    if fmt not in _FORMATS:
        raise DataError(f"{str(path)!r}: format must be one of {', '.join(_FORMATS)}. Got {fmt!r}.")
    files = tuple(_file_spec(f, path) for f in _req(raw, "files", list, path))
    if not files:
        raise DataError(f"{str(path)!r}: 'files' must list at least one file.")
    return Manifest(
        name=_req(raw, "name", str, path),
        description=_req(raw, "description", str, path),
        format=fmt,
        rows=_req(raw, "rows", int, path),
        labels=tuple(str(x) for x in _req(raw, "labels", list, path)),
        files=files,
        folder=path.parent,
        local=bool(raw.get("local", False)),
        columns=dict(raw.get("columns") or {}),
        source=dict(raw.get("source") or {}),
        citation=str(raw.get("citation") or ""),
        license=str(raw.get("license") or ""),
    )


def get_manifest(name: str) -> Manifest:
    """The manifest of dataset ``name``; an unknown name fails listing the available ones."""
    names = list_datasets()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(
            f"Unknown dataset {name!r}.{hint} Available datasets: {', '.join(names) or '(none)'}."
        )
    manifest = read_manifest(manifests_dir() / name / "manifest.json")
    if manifest.name != name:
        raise DataError(
            f"{str(manifest.folder / 'manifest.json')!r} names the dataset {manifest.name!r}; "
            f"it must match its folder name {name!r}."
        )
    return manifest


def _default_home() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "lf" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lf"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lf"


def data_home(data_home: str | Path | None = None) -> Path:
    """Where fetched datasets live: ``data_home``, else ``$LF_DATA_HOME``, else the user cache."""
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get(ENV_HOME)
    return Path(env).expanduser() if env else _default_home()


def dataset_dir(manifest: Manifest, home: str | Path | None = None) -> Path:
    """The folder holding the dataset's files (the project folder for datasets shipped with lf).

    The manifest's name must be a plain folder name: it is the folder in the data home.
    """
    if not _PLAIN_NAME.fullmatch(manifest.name):
        raise DataError(
            f"{str(manifest.folder / 'manifest.json')!r}: dataset name {manifest.name!r} must be a plain "
            "folder name (letters, digits, '.', '_' or '-', starting with a letter or digit; no '/', "
            "no '..'), as it names the dataset's folder in the data home. Rename it, e.g. 'my_dataset'."
        )
    return manifest.folder if manifest.local else data_home(home) / manifest.name


def missing_files(manifest: Manifest, home: str | Path | None = None) -> list[FileSpec]:
    """Files that are absent (or have the wrong size) in the dataset folder."""
    folder = dataset_dir(manifest, home)
    out = []
    for spec in manifest.files:
        path = folder / spec.name
        if not path.is_file() or path.stat().st_size != spec.size:
            out.append(spec)
    return out


def is_fetched(manifest: Manifest, home: str | Path | None = None) -> bool:
    """True when every file of the dataset is in place."""
    return not missing_files(manifest, home)
