"""The Doc cache: parsed spaCy ``Doc`` objects on disk, shared by runs, engines and workers.

Layout of a cache folder::

    LF_DOC_CACHE                  marker: this folder is a Doc cache (clear() checks it)
    <pipeline key>/pipeline.json  pipeline name, version, spaCy version, components run, content hash
    <pipeline key>/<seg>.spacy    the Docs parsed in one chunk: the sha256 of the rest, their
                                  tensors (two .npy arrays: rows per Doc, then the rows),
                                  then a spaCy DocBin with their user data (``doc._`` values)
    <pipeline key>/<seg>.keys     the sha256 (16 bytes) of each of those Docs' texts, in order

The pipeline key is a hash of the pipeline's name, version, spaCy version, the
components run (name and factory) and a hash of their state (``Pipeline.content``), so a
changed, retrained or edited pipeline or component set never reads another's Docs (nor
does a segment of an older layout, which kept neither user data nor tensors, or no checksum). A Doc is found by the hash of its text. Segments are written atomically,
``.spacy`` first, so any process can add segments while others read. Reading a segment
marks it used; when the folder grows past ``max_bytes``, the least recently used segments
are deleted (LRU). A segment that cannot be read or does not match its checksum (truncated,
edited: a changed byte of a tensor would still read) is deleted with an ``LFCacheWarning``
and its Docs are parsed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lf.errors import DataError, ParameterError

__all__ = ["DEFAULT_MAX_BYTES", "DocCache", "clear_doc_cache", "doc_cache_info", "is_doc_cache"]

DEFAULT_MAX_BYTES = 2 * 10**9
_MARKER = "LF_DOC_CACHE"
_KEY_BYTES = 16
_KEY_DIR = re.compile(r"[0-9a-f]{20}")  # a pipeline's folder
_OURS = re.compile(r"pipeline\.json|[0-9a-f]{24}\.(?:spacy|keys)|\..+\.tmp")  # what it holds
# Segments store each Doc's user data and tensor (format 1 kept neither) and a checksum (2 none).
_FORMAT = 3
_SUM_BYTES = 32


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:_KEY_BYTES]


class DocCache:
    """A Doc cache folder (see the module docstring); ``max_bytes`` caps its size (LRU)."""

    def __init__(self, folder: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ParameterError(f"`max_bytes` of the Doc cache must be an integer >= 1. Got {max_bytes!r}.")
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        _writable(self.folder)

    def __repr__(self) -> str:
        return f"DocCache({str(self.folder)!r}, max_bytes={self.max_bytes})"

    def get(self, description: dict[str, Any], texts: Sequence[str], vocab: Any) -> dict[str, Any]:
        """The cached Docs of ``texts`` under this pipeline description, by text."""
        where = self._folder(description, create=False)
        if not where.is_dir():
            return {}
        index = _index(where)
        wanted: dict[str, list[tuple[int, str]]] = {}
        for text in texts:
            hit = index.get(text_key(text))
            if hit is not None:
                wanted.setdefault(hit[0], []).append((hit[1], text))
        found: dict[str, Any] = {}
        for seg, items in wanted.items():
            try:
                data = (where / f"{seg}.spacy").read_bytes()
                os.utime(where / f"{seg}.keys")  # recently used: evicted last
            except OSError:
                continue  # evicted meanwhile by another process: parse again
            try:
                docs = _unpack(data, vocab)
            except Exception as exc:  # noqa: BLE001 - whatever is wrong with the file, parse again
                _damaged(where / f"{seg}.keys", exc)
                continue
            for pos, text in items:
                if pos < len(docs) and docs[pos].text == text:
                    found[text] = docs[pos]
        return found

    def put(self, description: dict[str, Any], texts: Sequence[str], docs: Sequence[Any]) -> None:
        """Store one segment of Docs, then evict the least recently used past ``max_bytes``."""
        from lf.io import atomic_path

        if not texts:
            return
        data = _pack(docs)
        if data is None:
            return  # a value msgpack cannot store: these Docs are parsed again next time
        where = self._folder(description, create=True)
        keys = b"".join(text_key(t) for t in texts)
        seg = hashlib.sha256(keys).hexdigest()[:24]
        try:
            with atomic_path(where / f"{seg}.spacy") as tmp:
                tmp.write_bytes(data)
            with atomic_path(where / f"{seg}.keys") as tmp:
                tmp.write_bytes(keys)
        except OSError as exc:
            raise DataError(f"Cannot write to the Doc cache {str(self.folder)!r}: {exc.strerror or exc}.") from None
        _evict(self.folder, self.max_bytes)

    def _folder(self, description: dict[str, Any], *, create: bool) -> Path:
        blob = json.dumps({**description, "format": _FORMAT}, sort_keys=True)
        where = self.folder / hashlib.sha256(blob.encode()).hexdigest()[:20]
        if create and not (where / "pipeline.json").is_file():
            from lf.io import atomic_path

            try:
                where.mkdir(exist_ok=True)
                with atomic_path(where / "pipeline.json") as tmp:  # readers never see half of it
                    tmp.write_text(blob + "\n", encoding="utf-8")
            except OSError as exc:
                raise DataError(f"Cannot write to the Doc cache {str(self.folder)!r}: {exc.strerror or exc}.") from None
        return where


def _pack(docs: Sequence[Any]) -> bytes | None:
    """A segment: the Docs' tensors (``token.vector``, ``doc.similarity`` without static
    vectors), then a DocBin with their user data (``doc._`` values); None when a value
    cannot be stored, or a Doc has hooks (a component's own ``doc.vector`` or
    ``similarity``: functions no segment keeps). The tensors come first as raw arrays:
    inside the DocBin each would go through msgpack and zlib, four times slower to read back."""
    import io

    import numpy as np
    from spacy.tokens import DocBin

    if any(doc.user_hooks or doc.user_token_hooks or doc.user_span_hooks for doc in docs):
        return None

    # user data only when some Doc has any: reading it back costs 0.5 ms a Doc even empty
    bin_ = DocBin(store_user_data=any(doc.user_data for doc in docs))
    rows, blocks = [], []
    for doc in docs:
        tensor = np.asarray(doc.tensor)
        if tensor.ndim == 2 and tensor.shape[0] == len(doc) and tensor.size:
            rows.append(tensor.shape[0])
            blocks.append(tensor)
        elif tensor.size:
            return None  # a tensor of another shape: not one this layout keeps
        else:
            rows.append(-1)  # none, as a parse without tok2vec leaves it
        try:
            bin_.add(doc)
        except (TypeError, ValueError, OverflowError):  # msgpack: an object it cannot encode
            return None
    if len({(b.shape[1], b.dtype.str) for b in blocks}) > 1:
        return None
    out = io.BytesIO()
    np.save(out, np.asarray(rows, dtype=np.int64))
    np.save(out, np.concatenate(blocks) if blocks else np.zeros((0, 0), np.float32))
    body = out.getvalue() + bytes(bin_.to_bytes())
    return hashlib.sha256(body).digest() + body


def _unpack(data: bytes, vocab: Any) -> list[Any]:
    import io

    import numpy as np
    from spacy.tokens import DocBin

    if hashlib.sha256(data[_SUM_BYTES:]).digest() != data[:_SUM_BYTES]:
        raise DataError("the segment does not match its checksum")
    fh = io.BytesIO(data[_SUM_BYTES:])
    rows, block = np.load(fh, allow_pickle=False), np.load(fh, allow_pickle=False)
    docs = list(DocBin().from_bytes(fh.read()).get_docs(vocab))
    if len(rows) != len(docs) or int(rows[rows > 0].sum()) != len(block):
        raise DataError("the tensors do not match the Docs")
    start = 0
    for doc, n in zip(docs, rows.tolist()):
        if n >= 0:
            if n != len(doc):
                raise DataError("a tensor does not match its Doc")
            doc.tensor = block[start : start + n]
            start += n
    return docs


def _damaged(keys: Path, exc: Exception) -> None:
    """Warn about a segment that cannot be read and delete it: its Docs are parsed again."""
    import warnings

    from lf.apply.cache import LFCacheWarning

    where = str(keys.with_suffix(".spacy"))
    warnings.warn(
        f"The Doc cache segment {where!r} is damaged ({type(exc).__name__}); its Docs are parsed again.",
        LFCacheWarning,
        stacklevel=5,
    )
    for path in (keys, keys.with_suffix(".spacy")):  # .keys first: readers stop seeing it
        path.unlink(missing_ok=True)


def _writable(folder: Path) -> None:
    """Create the folder (and its marker) or fail with one line saying why. A folder that
    holds other files and no marker is refused: ``clear`` would then delete in it."""
    if folder.exists() and not folder.is_dir():
        raise DataError(f"The Doc cache folder {str(folder)!r} is a file. Give a folder, or doc_cache=None to parse without it.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / _MARKER
        if not marker.exists():
            if any(folder.iterdir()):
                raise DataError(
                    f"{str(folder)!r} is not a Doc cache: it holds other files. Give an empty or new "
                    "folder for the Doc cache."
                )
            marker.write_text("spaCy Docs cached by lf (lf.doc_cache)\n", encoding="utf-8")
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise DataError(
            f"The Doc cache folder {str(folder)!r} is not writable ({why}). Give a writable folder, "
            "or doc_cache=None to parse without it."
        ) from None


def _index(where: Path) -> dict[bytes, tuple[str, int]]:
    """Text hash -> (segment, position) over the complete segments of one pipeline folder."""
    index: dict[bytes, tuple[str, int]] = {}
    for entry in sorted(os.scandir(where), key=lambda e: e.name):
        if not entry.name.endswith(".keys"):
            continue
        try:
            with open(entry.path, "rb") as fh:
                keys = fh.read()
        except OSError:
            continue
        seg = entry.name[: -len(".keys")]
        for pos in range(len(keys) // _KEY_BYTES):
            index.setdefault(keys[pos * _KEY_BYTES : (pos + 1) * _KEY_BYTES], (seg, pos))
    return index


def _segments(folder: Path) -> list[tuple[float, int, Path]]:
    """(last use, bytes, .keys path) of every segment in the cache folder."""
    out = []
    for sub in folder.iterdir() if folder.is_dir() else ():
        if not (_KEY_DIR.fullmatch(sub.name) and (sub / "pipeline.json").is_file()):
            continue
        for keys in sub.glob("*.keys"):
            try:
                size = keys.stat().st_size + keys.with_suffix(".spacy").stat().st_size
                out.append((keys.stat().st_mtime, size, keys))
            except OSError:
                continue
    return out


def _evict(folder: Path, max_bytes: int) -> None:
    segments = sorted(_segments(folder), key=lambda s: s[0])
    total = sum(size for _, size, _ in segments)
    for _, size, keys in segments:
        if total <= max_bytes:
            break
        for path in (keys, keys.with_suffix(".spacy")):  # .keys first: readers stop seeing it
            path.unlink(missing_ok=True)
        total -= size


def is_doc_cache(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` was written by :class:`DocCache` (it holds the marker file)."""
    return (Path(folder) / _MARKER).is_file()


def doc_cache_info(folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """One record per pipeline in a Doc cache folder: its description, segments, Docs, bytes."""
    root = Path(folder)
    out = []
    for sub in sorted(root.iterdir()) if root.is_dir() else ():
        meta = sub / "pipeline.json"
        if not (_KEY_DIR.fullmatch(sub.name) and meta.is_file()):
            continue
        segs = [s for s in _segments(root) if s[2].parent == sub]
        try:
            described = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            described = None  # damaged: its Docs are still counted, its pipeline shows as unknown
        out.append({
            **(described if isinstance(described, dict) else {}),
            "key": sub.name,
            "segments": len(segs),
            "docs": sum(s[2].stat().st_size // _KEY_BYTES for s in segs),
            "bytes": sum(s[1] for s in segs),
        })
    return out


def clear_doc_cache(folder: str | os.PathLike[str]) -> int:
    """Delete every cached Doc in ``folder``; returns the bytes freed.

    Only a folder written by :class:`DocCache` (it holds the ``LF_DOC_CACHE`` marker) is
    touched, and in it only the files it writes, in the pipeline folders it made (such a
    folder goes too once empty; a file of another kind in it stays, and so does the folder).
    """
    root = Path(folder)
    if not root.is_dir():
        return 0
    if not is_doc_cache(root):
        raise DataError(f"{str(root)!r} is not a Doc cache folder (no {_MARKER} marker in it); nothing deleted.")
    freed = 0
    for sub in root.iterdir():
        if sub.is_symlink() or not sub.is_dir() or not _KEY_DIR.fullmatch(sub.name) or not (sub / "pipeline.json").is_file():
            continue
        for f in sub.iterdir():
            if _OURS.fullmatch(f.name) and f.is_file() and not f.is_symlink():
                freed += f.stat().st_size if f.suffix in (".spacy", ".keys") else 0
                f.unlink()
        if not any(sub.iterdir()):
            sub.rmdir()
    return freed
