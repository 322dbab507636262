"""Fetching dataset files into the data home, verified by sha256.

A file only ever appears in the data home under its final name after its checksum was
verified: it is streamed into a temporary file next to it and renamed
(:func:`lf.io.atomic_path`). Manifests and the data home are in :mod:`lf.manifest`.

Loading verifies the files again (:func:`file_digests`); each digest is recorded in
``.lf-sha256.json`` in the dataset folder with the file's size, mtime and ctime (in ns),
and reused while those are unchanged, so a repeated load does not re-read the data.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Self

from lf.apply.progress import progress_enabled
from lf.errors import DataError
from lf.io import atomic_path
from lf.manifest import FileSpec, Manifest, dataset_dir, get_manifest

__all__ = ["DIGESTS_FILE", "ENV_URL", "FetchResult", "fetch_dataset", "file_digests", "sha256_file"]

ENV_URL = "LF_DATA_URL"
DIGESTS_FILE = ".lf-sha256.json"
_BLOCK = 1 << 20
_SCHEMES = ("http", "https", "file")


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_dataset` did: the dataset folder and the file names per action."""

    path: Path
    downloaded: tuple[str, ...] = ()
    copied: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def sha256_file(path: str | Path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _recorded(folder: Path) -> dict[str, Any]:
    try:
        raw = json.loads((folder / DIGESTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _record(folder: Path, digests: dict[str, Any]) -> None:
    try:
        with atomic_path(folder / DIGESTS_FILE) as tmp:
            tmp.write_text(json.dumps(digests, indent=1, sort_keys=True), encoding="utf-8")
    except (OSError, DataError):
        pass  # a read-only data home: the next load hashes the files again


def file_digests(folder: str | Path, names: Sequence[str], *, remember: bool = True) -> dict[str, str]:
    """The sha256 of each named file in ``folder``.

    A digest recorded in ``folder/.lf-sha256.json`` is reused while the file's size, mtime
    and ctime (ns) are those recorded with it; any write to the file changes its ctime. With
    ``remember``, new digests are recorded there (best effort).
    """
    folder = Path(folder)
    known = _recorded(folder)
    out: dict[str, str] = {}
    fresh: dict[str, Any] = {}
    for name in names:
        key = _stat_key(folder / name)  # before reading: a file changed meanwhile is re-hashed next time
        entry = known.get(name)
        if isinstance(entry, dict) and entry.get("stat") == key and isinstance(entry.get("sha256"), str):
            out[name] = entry["sha256"]
        else:
            out[name] = sha256_file(folder / name)
            fresh[name] = {"stat": key, "sha256": out[name]}
    if remember and fresh:
        _record(folder, {**{k: v for k, v in known.items() if k in names}, **fresh})
    return out


def _verified(path: Path, spec: FileSpec) -> bool:
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    return file_digests(path.parent, [spec.name], remember=False)[spec.name] == spec.sha256


def _mismatch(manifest: Manifest, spec: FileSpec, origin: str, actual: str, size: int, dest: Path) -> DataError:
    return DataError(
        f"Checksum mismatch for file {spec.name!r} of dataset {manifest.name!r} from {origin}: "
        f"expected sha256 {spec.sha256} ({spec.size} bytes), got {actual} ({size} bytes). "
        f"Nothing was written to {str(dest)!r}. Check the source, or register a verified copy "
        f"with: lf datasets fetch {manifest.name} --from PATH"
    )


def _copy_hashing(src: BinaryIO, out: BinaryIO, limit: int, advance: Callable[[int], None]) -> tuple[str, int]:
    """Stream ``src`` into ``out``; stop reading once more than ``limit`` bytes arrived."""
    digest, n = hashlib.sha256(), 0
    while block := src.read(_BLOCK):
        digest.update(block)
        out.write(block)
        n += len(block)
        advance(len(block))
        if n > limit:
            break
    return digest.hexdigest(), n


def _file_url(manifest: Manifest, spec: FileSpec, base_url: str | None) -> str:
    if base_url:
        base = base_url.replace("{name}", manifest.name)
        return base.rstrip("/") + "/" + urllib.parse.quote(spec.name)
    if spec.url:
        return spec.url
    where = manifest.source.get("canonical") or manifest.source.get("publisher") or "see its README"
    raise DataError(
        f"Dataset {manifest.name!r} has no direct download link for {spec.name!r} (public source: "
        f"{where}). Get a copy, then register it with: lf datasets fetch {manifest.name} --from PATH"
    )


def _download(manifest: Manifest, spec: FileSpec, url: str, dest: Path, advance: Callable[[int], None]) -> None:
    import urllib.error
    import urllib.request

    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _SCHEMES:
        raise DataError(f"Cannot download {url!r}: the URL scheme must be one of {', '.join(_SCHEMES)}.")
    request = urllib.request.Request(url, headers={"User-Agent": "lf-datasets"})
    with atomic_path(dest) as tmp:
        try:
            with urllib.request.urlopen(request, timeout=60) as resp, open(tmp, "wb") as out:
                actual, size = _copy_hashing(resp, out, spec.size, advance)
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the open response
            raise DataError(
                f"Downloading {spec.name!r} of dataset {manifest.name!r} from {url} failed: HTTP "
                f"{exc.code} {exc.reason}. Use --url BASE_URL for a mirror, or --from PATH for a local copy."
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DataError(
                f"Downloading {spec.name!r} of dataset {manifest.name!r} from {url} failed: {reason}. "
                f"Use --url BASE_URL for a mirror, or --from PATH for a local copy."
            ) from None
        if size > spec.size:
            raise DataError(
                f"Download of file {spec.name!r} of dataset {manifest.name!r} from {url} is larger than "
                f"the expected {spec.size} bytes (expected sha256 {spec.sha256}); it was stopped and "
                f"nothing was written to {str(dest)!r}. Check the source, or register a verified "
                f"copy with: lf datasets fetch {manifest.name} --from PATH"
            )
        if size != spec.size or actual != spec.sha256:
            raise _mismatch(manifest, spec, url, actual, size, dest)


def _local_sources(manifest: Manifest, from_path: Path) -> dict[str, Path]:
    if from_path.is_file() and len(manifest.files) == 1:
        return {manifest.files[0].name: from_path}
    if not from_path.is_dir():
        kind = "a file" if from_path.exists() else "missing"
        raise DataError(
            f"--from {str(from_path)!r} is {kind}: give the folder holding "
            f"{', '.join(f.name for f in manifest.files)}."
        )
    sources = {spec.name: from_path / spec.name for spec in manifest.files}
    absent = [name for name, p in sources.items() if not p.is_file()]
    if absent:
        present = sorted(p.name for p in from_path.iterdir() if p.is_file())
        raise DataError(
            f"Cannot register dataset {manifest.name!r} from {str(from_path)!r}: missing "
            f"{', '.join(absent)}. Files found there: {', '.join(present) or '(none)'}."
        )
    return sources


def _register(manifest: Manifest, from_path: Path, todo: list[FileSpec], folder: Path) -> None:
    sources = _local_sources(manifest, from_path)
    for spec in todo:  # verify every source first, so a bad copy leaves the cache untouched
        src = sources[spec.name]
        actual = sha256_file(src)
        if actual != spec.sha256:
            raise _mismatch(manifest, spec, repr(str(src)), actual, src.stat().st_size, folder)
    for spec in todo:
        with atomic_path(folder / spec.name) as tmp, open(sources[spec.name], "rb") as src_fh, open(tmp, "wb") as out:
            actual, size = _copy_hashing(src_fh, out, spec.size, lambda n: None)
            if size != spec.size or actual != spec.sha256:
                raise _mismatch(manifest, spec, repr(str(sources[spec.name])), actual, size, folder)


class _Bar:
    """A rich download bar on stderr, or nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self._progress: Any = None
        self._task: Any = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}", markup=False),  # file names shown as they are
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._progress.add_task("fetching", total=total)

    def __enter__(self) -> Self:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def describe(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=text)

    def advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)


def fetch_dataset(
    name: str | Manifest,
    *,
    data_home: str | Path | None = None,
    base_url: str | None = None,
    from_path: str | Path | None = None,
    progress: bool | None = None,
) -> FetchResult:
    """Put the dataset's verified files into the data home; see :func:`lf.datasets.fetch`."""
    progress_enabled(progress)  # a bad value fails before anything is written
    manifest = name if isinstance(name, Manifest) else get_manifest(name)
    folder = dataset_dir(manifest, data_home)
    if manifest.local:
        return FetchResult(folder, skipped=tuple(f.name for f in manifest.files))
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"Cannot make the dataset folder {str(folder)!r}: {exc.strerror or exc}. Choose another data home "
            "(--data-home DIR, data_home=, or the LF_DATA_HOME environment variable)."
        ) from exc
    try:
        return _fill(manifest, folder, base_url, from_path, progress)
    except BaseException:
        if created:
            _remove_if_empty(folder)
        raise


def _fill(
    manifest: Manifest, folder: Path, base_url: str | None, from_path: str | Path | None, progress: bool | None
) -> FetchResult:
    todo = [spec for spec in manifest.files if not _verified(folder / spec.name, spec)]
    skipped = tuple(spec.name for spec in manifest.files if spec not in todo)
    if not todo:
        return FetchResult(folder, skipped=skipped)
    if from_path is not None:
        _register(manifest, Path(from_path).expanduser(), todo, folder)
        return FetchResult(folder, copied=tuple(s.name for s in todo), skipped=skipped)
    base = base_url or os.environ.get(ENV_URL) or None
    urls = [(spec, _file_url(manifest, spec, base)) for spec in todo]
    enabled = progress_enabled(progress)
    with _Bar(enabled, sum(s.size for s in todo)) as bar:
        for spec, url in urls:
            bar.describe(f"{manifest.name}/{spec.name}")
            _download(manifest, spec, url, folder / spec.name, bar.advance)
    return FetchResult(folder, downloaded=tuple(s.name for s in todo), skipped=skipped)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
