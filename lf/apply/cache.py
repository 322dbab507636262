"""On-disk cache of each LF's labels per chunk: re-run only what changed, resume what stopped.

An entry is keyed by the LF's *fingerprint* and the chunk's *content* (column names, dtypes
and every value with its type; see :mod:`lf.apply.content`). The fingerprint (:mod:`lf.apply.fingerprint`) covers everything an
LF's labels depend on that Python can see: its code, preprocessors, resources and the
values its code reads, the source of the user modules it reaches (helper modules, config
modules, modules imported inside functions), the versions of the installed packages it
uses, and the content of the files it declares with ``files=``. After an edit, only the LFs
whose fingerprint changed run again; after an interruption, the chunks already labeled come
from the cache. An LF whose fingerprint cannot be computed (it reads an object that is not
plain data, e.g. a spaCy pipeline or a class instance) is never cached: it runs every time.
Nor is one whose code reads the world when it runs or keeps state between calls (the
environment, the clock, random draws, files it opens undeclared, a global it changes; see
:mod:`lf.apply.world`): :class:`CacheStats` names each with the reason.

What the cache cannot see: what a library call returns from outside that
:mod:`lf.apply.world` does not know (a database client, a web service through a package it
does not list). Anything such an LF reads must not change between cached runs (or clear
the cache: ``lf cache clear DIR``).

The folder holds a ``CACHEDIR.TAG`` marker (so backup tools skip it, and ``clear`` knows it
is an lf cache) and one sub-folder per LF fingerprint with one ``.npz`` entry per chunk,
written atomically, so a cache survives a crash and can be shared by runs that do not
overlap in time. Each entry names the fingerprint and chunk it holds. A damaged entry
(truncated, empty, garbage, a folder in its place, another LF's or chunk's entry copied
over it) is recomputed and replaced with an :class:`LFCacheWarning` naming it. A result on
which the LF raised (``on_error="abstain"``) is not stored: the LF runs again next time, and
the errors counted are that run's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.apply.content import chunk_digest
from lf.apply.fingerprint import VERSION, Fingerprinter, lf_fingerprint
from lf.core import ABSTAIN, LabelingFunction
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CacheInfo",
    "CacheStats",
    "CachedLF",
    "ChunkCache",
    "LFCacheWarning",
    "cache_info",
    "chunk_key",
    "clear_cache",
    "lf_fingerprint",
]

MARKER = "CACHEDIR.TAG"
_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55\n"
_MARKER_TEXT = _SIGNATURE + "# This file marks an lf cache (labeling-function results); see `lf cache info`.\n"
_NAME_FILE = "lf-name.txt"
_FP_DIR = re.compile(r"[0-9a-f]{24}|[0-9a-f]{2}")  # the second: entries of lf-cache/1
_OURS = re.compile(r"[0-9a-f-]+\.npz|\..+\.tmp|" + re.escape(_NAME_FILE))
_MARKER_TMP = re.compile(r"\." + re.escape(MARKER) + r"\..+\.tmp")  # a concurrent run writing it


class LFCacheWarning(UserWarning):
    """A cache entry or marker was damaged; it is recomputed and replaced."""


class CachedLF(NamedTuple):
    """One LF's stored result for one chunk."""

    labels: npt.NDArray[np.integer[Any]]
    errors: int
    seconds: float


class CacheStats(NamedTuple):
    """What a cached run reused: LF x chunk results read from the cache and computed."""

    reused: int
    computed: int
    uncacheable: tuple[str, ...]  # LFs that run every time
    folder: str
    reasons: tuple[str, ...] = ()  # why, per LF of `uncacheable` ("" when not known)

    def __str__(self) -> str:
        total = self.reused + self.computed
        line = f"cache: {self.reused} of {total} LF x chunk results reused, {self.computed} computed ({self.folder})"
        if self.uncacheable:
            why = [f" ({r})" if r else "" for r in self.reasons] or [""] * len(self.uncacheable)
            line += f"; not cacheable: {', '.join(n + w for n, w in zip(self.uncacheable, why))}"
        return line


def chunk_key(chunk: pd.DataFrame) -> str | None:
    """A hex digest of a chunk's column names, dtypes and values (not of its position), or
    None when a value cannot be encoded faithfully (the chunk is then not cached)."""
    return chunk_digest(chunk, VERSION)


def _shared_parses(lfs: list[LabelingFunction]) -> list[str]:
    """Per LF, the spaCy parses it shares with the other LFs (:func:`lf.nlp.shared_parses`);
    no spaCy LF exists unless :mod:`lf.nlp` was imported."""
    nlp = sys.modules.get("lf.nlp")
    return [""] * len(lfs) if nlp is None else list(nlp.shared_parses(lfs))


def _warn(message: str) -> None:
    warnings.warn(message, LFCacheWarning, stacklevel=4)


def _unwritable(folder: Path, exc: OSError) -> DataError:
    return DataError(
        f"Cannot write to the cache folder {str(folder)!r}: {exc.strerror or exc}. "
        "Give a writable folder, or run without the cache."
    )


def _marker_ok(folder: Path) -> bool:
    try:
        return (folder / MARKER).read_text(encoding="utf-8", errors="replace") == _MARKER_TEXT
    except OSError:
        return False


def _looks_like_cache(folder: Path) -> bool:
    """Whether every item of the folder is one an lf cache holds (its marker aside)."""
    for item in folder.iterdir():
        if item.name == MARKER or _MARKER_TMP.fullmatch(item.name):
            continue
        if not (item.is_dir() and _FP_DIR.fullmatch(item.name)):
            return False
        if any(not _OURS.fullmatch(sub.name) for sub in item.iterdir()):
            return False
    return True


def _open_folder(folder: Path) -> None:
    """Create or check the cache folder: refuse one that is not an lf cache, heal a bad marker."""
    if folder.exists() and not folder.is_dir():
        raise DataError(f"The cache {str(folder)!r} is a file; give a folder for the LF cache.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if _marker_ok(folder):
            return
        if not _looks_like_cache(folder):
            raise DataError(
                f"{str(folder)!r} is not an lf cache: it holds other files. Give an empty or new "
                "folder for the LF cache."
            )
        marker = folder / MARKER
        if marker.exists() or marker.is_symlink():
            if _marker_ok(folder):
                return  # a concurrent run has just written it
            _warn(f"The lf cache marker {str(marker)!r} was damaged; it is written again.")
            _remove(marker)
        _write_whole(marker, _MARKER_TEXT)  # a concurrent run never reads half a marker
    except OSError as exc:
        raise _unwritable(folder, exc) from None


def _write_whole(path: Path, text: str) -> None:
    from lf.io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


class ChunkCache:
    """The cache folder for one list of LFs (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike[str], lfs: list[LabelingFunction]) -> None:
        if not isinstance(folder, (str, os.PathLike)) or not os.fspath(folder):
            from lf.errors import ParameterError

            raise ParameterError(f"`cache` must be a folder's path (a str or os.PathLike), or None for no cache. Got {folder!r}.")
        self.folder = Path(folder)
        _open_folder(self.folder)
        fingerprinter = Fingerprinter()
        self.names = [lf.name for lf in lfs]
        self.fingerprints, self.reasons = [], []
        for lf, parse in zip(lfs, _shared_parses(lfs)):
            fp = fingerprinter.lf(lf)
            self.fingerprints.append(fp if fp is None or not parse else hashlib.sha256(f"{fp}|{parse}".encode()).hexdigest())
            self.reasons.append(fingerprinter.why or "")
        self.reused = self.computed = 0

    def stats(self) -> CacheStats:
        skipped = [j for j, fp in enumerate(self.fingerprints) if fp is None]
        names, reasons = tuple(self.names[j] for j in skipped), tuple(self.reasons[j] for j in skipped)
        return CacheStats(self.reused, self.computed, names, str(self.folder), reasons)

    def _path(self, j: int, key: str) -> Path | None:
        fp = self.fingerprints[j]
        return None if fp is None else self.folder / fp[:24] / f"{key[:32]}.npz"

    def get(self, j: int, key: str, n: int) -> CachedLF | None:
        path = self._path(j, key)
        if path is None or not (path.exists() or path.is_symlink()):
            return None
        try:
            with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:
                labels, errors, seconds = z["labels"], int(z["errors"]), float(z["seconds"])
                owner = (str(z["fingerprint"]), str(z["chunk"]))
            problem = "" if labels.shape == (n,) and labels.dtype.kind in "iu" else f"labels of shape {labels.shape}"
            if owner != (self.fingerprints[j], key):  # a file moved or copied by hand
                problem = problem or "the result of another LF or chunk"
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file, recompute it
            problem = type(exc).__name__
        if not problem:
            return CachedLF(labels, errors, seconds)
        _warn(f"The lf cache entry {str(path)!r} is damaged ({problem}); it is recomputed.")
        try:
            _remove(path)
        except OSError as err:
            raise _unwritable(self.folder, err) from None
        return None

    def put(self, j: int, key: str, entry: CachedLF) -> None:
        from lf.io import atomic_path

        path = self._path(j, key)
        if path is None or entry.errors:  # a result with errors is not stored (see usable)
            return
        try:
            if path.parent.exists() and not path.parent.is_dir():
                _warn(f"The lf cache folder {str(path.parent)!r} is a file; it is replaced.")
                path.parent.unlink()
            path.parent.mkdir(exist_ok=True)  # a concurrent run may have just made it
            if not (path.parent / _NAME_FILE).exists():
                _write_whole(path.parent / _NAME_FILE, self.names[j] + "\n")
            if path.is_dir():
                _remove(path)  # already warned about by get()
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.savez(
                    fh, labels=entry.labels, errors=np.int64(entry.errors), seconds=np.float64(entry.seconds),
                    fingerprint=np.str_(self.fingerprints[j]), chunk=np.str_(key),
                )
        except OSError as exc:
            raise _unwritable(self.folder, exc) from None

    def usable(self, entry: CachedLF, cardinality: int | None) -> bool:
        """Whether a stored result stands for this run: labels in range, and no errors.

        A result with errors is never reused (nor stored, see :meth:`put`; an older cache may
        hold one): an error may be the machine's (a MemoryError, a file missing that once
        was), so the LF runs again and its error count is this run's. With
        ``on_error="raise"`` the run raises the LF's error, as a fresh run would.
        ``cardinality`` None (not known before the run): labels within int8 storage."""
        if entry.errors:
            return False
        labels = entry.labels
        limit = 127 if cardinality is None else cardinality
        return bool(labels.size == 0 or (labels.min() >= ABSTAIN and labels.max() < limit))


# -- inspecting and clearing a cache folder ------------------------------------------------
class CacheInfo(NamedTuple):
    """What an lf cache folder holds."""

    folder: str
    entries: int
    bytes: int
    fingerprints: int
    lfs: tuple[str, ...]
    oldest: float | None  # modification times (seconds since the epoch) of the entries
    newest: float | None


def _checked_cache(folder: str | os.PathLike[str]) -> Path:
    path = Path(folder)
    if path.is_file():
        raise DataError(f"{str(path)!r} is a file, not an lf cache: give the folder passed as `cache=` / --cache.")
    if not path.is_dir():
        raise DataError(f"No lf cache at {str(path)!r}: the folder does not exist.")
    if not _marker_ok(path):
        raise DataError(
            f"{str(path)!r} is not an lf cache (it has no {MARKER} written by lf); nothing was "
            "touched. Give the folder you passed as `cache=` / --cache."
        )
    return path


def _entry_folders(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.is_symlink() and _FP_DIR.fullmatch(p.name))


def cache_info(folder: str | os.PathLike[str]) -> CacheInfo:
    """Count the entries, bytes, fingerprints and LFs of an lf cache folder."""
    path = _checked_cache(folder)
    entries, size, fps, names, times = 0, 0, 0, set(), []
    for sub in _entry_folders(path):
        found = [f for f in sub.iterdir() if f.is_file() and f.suffix == ".npz"]
        for f in found:
            stat = f.stat()
            entries, size = entries + 1, size + stat.st_size
            times.append(stat.st_mtime)
        name_file = sub / _NAME_FILE
        if found:
            fps += 1
            if name_file.is_file():
                names.add(name_file.read_text(encoding="utf-8", errors="replace").strip())
    return CacheInfo(str(path), entries, size, fps, tuple(sorted(names)), min(times, default=None), max(times, default=None))


def clear_cache(folder: str | os.PathLike[str]) -> tuple[int, int]:
    """Remove every entry of an lf cache folder (nothing else); returns (entries, bytes)."""
    path = _checked_cache(folder)
    entries = size = 0
    for sub in _entry_folders(path):
        for f in sub.iterdir():
            if f.is_file() and _OURS.fullmatch(f.name):
                if f.suffix == ".npz":
                    entries, size = entries + 1, size + f.stat().st_size
                f.unlink()
        if not any(sub.iterdir()):
            sub.rmdir()
    return entries, size


def describe_age(timestamp: float | None) -> str:
    """A modification time as UTC text, for ``lf cache info``."""
    if timestamp is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(timestamp))
