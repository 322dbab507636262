"""Output paths checked before any work: an output never replaces an input or another output.

One function, :func:`check_outputs`, takes the files a run will write (each with the option
that named it) and the files it reads, and fails naming the option, the path and the fix
when an output

- is the same file as an input (same name, ``./x``, ``dir/../x``, a symlink or a hard link:
  existing files are compared by device and inode), or as another output
  (:class:`~lf.errors.ParameterError`);
- is an existing folder, is named as one (``out.parquet/``), or sits in a folder that is
  missing or not writable (:class:`~lf.errors.DataError`, as from the writers themselves);
  an output that is a symlink is written where it points (the link stays), so that
  folder is the one checked;
- lies inside a folder the run writes (the LF cache, a folder of Dask part files), which
  holds only what lf writes there (:class:`~lf.errors.ParameterError`).

Folders a run writes into (the LF cache) are checked too: they must not be an existing
file, and the nearest existing folder above them must be writable.

:func:`check_unmatched` keeps outputs out of the glob patterns a run reads (``shards/*.parquet``
with ``-o shards/labels.parquet``): the next run over the pattern would read the output as data.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lf.errors import DataError, ParameterError

__all__ = [
    "check_outputs", "check_unmatched", "check_utf8_name", "glob_matches", "refuse_folder_name", "same_file", "written_file",
]

Named = tuple[str, "str | os.PathLike[str]"]


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file: by device and inode when both exist, else by real path."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_utf8_name(what: str, path: str | os.PathLike[str]) -> None:
    """Fail when ``path`` is not UTF-8 text: a file name of another encoding (Latin-1 bytes
    on Linux, which Python holds as surrogates, ``\\udce9``) cannot be given to pyarrow,
    which reads and writes lf's files (and the scratch files beside an output). Nor can a
    UTF-8 name Python read in an ASCII locale (``LC_ALL=C`` with its UTF-8 mode off)."""
    name = os.fsdecode(path)
    try:
        name.encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeError:
        what_it_is = "is not UTF-8 text (the bytes shown as \\udcXX are of another encoding)"
        fix = "rename it (convmv -f latin1 -t utf-8 --notest NAME), or give a UTF-8 name."
    else:
        what_it_is = f"was read as {sys.getfilesystemencoding()} text (its UTF-8 bytes shown as \\udcXX)"
        fix = "run lf in a UTF-8 locale (LC_ALL=C.UTF-8) or with PYTHONUTF8=1."
    raise DataError(
        f"{what} {name!r} {what_it_is}, and lf reads and writes files with pyarrow, which takes "
        f"UTF-8 file names only: {fix}"
    )


def check_outputs(outputs: Sequence[Named], inputs: Sequence[Named] = (), *, folders: Sequence[Named] = ()) -> None:
    """Fail before any work when an output would destroy an input, another output, or cannot be written.

    ``outputs``: ``(option, path)`` for each file the run writes (``("-o", "labels.csv")``);
    ``inputs``: ``(what, path)`` for each file it reads (``("DATA", "corpus.csv")``);
    ``folders``: ``(option, path)`` for each folder it writes files into (``("--cache", "c/")``).
    """
    written: list[Named] = []
    for what, path in [*outputs, *folders, *inputs]:
        check_utf8_name(what, path)
    for option, path in outputs:
        _check_file_target(option, path)
        _check_against(option, path, inputs, written)
        written.append((option, path))
    for option, path in folders:
        _check_folder_target(option, path)
        _check_against(option, path, inputs, written)
        written.append((option, path))
    for option, path in written:
        for folder_option, folder in folders:
            if _inside(path, folder):
                raise ParameterError(
                    f"{option} {os.fspath(path)!r} is inside the folder {folder_option} {os.fspath(folder)!r}, "
                    "which holds only what lf writes there: write the output elsewhere."
                )


def _inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` lies within ``folder`` (real paths: through symlinks and ``..``)."""
    inner, outer = os.path.realpath(path), os.path.realpath(folder)
    return inner != outer and os.path.commonpath([inner, outer]) == outer


def _check_against(option: str, path: str | os.PathLike[str], inputs: Sequence[Named], written: Sequence[Named]) -> None:
    for what, other in inputs:
        if same_file(path, other):
            alias = "" if os.fspath(path) == os.fspath(other) else f" {os.fspath(other)!r}"
            raise ParameterError(
                f"{option} {os.fspath(path)!r} is the input {what}{alias}: writing it would destroy the "
                "input. Write the output to another file."
            )
    for other_option, other in written:
        if same_file(path, other):
            raise ParameterError(
                f"{option} {os.fspath(path)!r} is the same file as {other_option} {os.fspath(other)!r}: "
                "give each output its own file name."
            )


def refuse_folder_name(option: str, path: str | os.PathLike[str]) -> None:
    """A file output named with a trailing slash (``out.parquet/``) is a DataError: the
    name says folder, and ``Path`` would drop the slash and write a file."""
    text = os.fspath(path)
    if text.endswith(("/", os.sep)) and text.strip("/" + os.sep):
        raise DataError(
            f"{option} {text!r} ends in {text[-1]!r}, which names a folder, but a file is written here: drop the "
            f"{text[-1]!r} (or give a file name inside the folder)."
        )


def written_file(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` changes: where a symlink points (every output writes
    through symlinks, as the shell's ``>`` does), else ``path``."""
    p = Path(path)
    try:
        link = p.is_symlink()
    except OSError:  # a name the file system cannot hold (too long): writing it says so
        link = False
    return Path(os.path.realpath(p)) if link else p


def _check_file_target(option: str, path: str | os.PathLike[str]) -> None:
    refuse_folder_name(option, path)
    p = Path(path)
    if p.is_dir():
        raise DataError(f"{option} {os.fspath(path)!r} is an existing folder: give a file name (inside it, or elsewhere).")
    _check_writable_folder(option, p, written_file(p).parent)


def _check_folder_target(option: str, path: str | os.PathLike[str]) -> None:
    p = Path(path)
    if p.exists():
        if not p.is_dir():
            raise DataError(f"{option} {os.fspath(path)!r} is an existing file: give a folder (it is created if missing).")
        _check_writable_folder(option, p, p)
        return
    parent = p.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise DataError(f"{option} {os.fspath(path)!r}: {str(parent)!r} is a file, not a folder. Choose another folder.")
    _check_writable_folder(option, p, parent)


def _check_writable_folder(option: str, path: Path, folder: Path) -> None:
    shown = str(folder) if str(folder) else "."
    if not folder.exists():
        raise DataError(f"{option} {str(path)!r}: the folder {shown!r} does not exist. Create it first, or write elsewhere.")
    if not folder.is_dir():
        raise DataError(f"{option} {str(path)!r}: {shown!r} is a file, not a folder. Write elsewhere.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"{option} {str(path)!r}: the folder {shown!r} is not writable. Choose a folder you can write to.")


def glob_matches(pattern: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """Whether ``glob.glob(pattern, recursive=True)`` would list ``path`` were it a file:
    ``*``, ``?`` and ``[...]`` within one path segment, ``**`` across any number of them, a
    hidden name only by a segment that starts with a dot (both made absolute first)."""
    pats = os.path.abspath(pattern).split(os.sep)
    parts = os.path.abspath(os.fspath(path)).split(os.sep)
    return _segments_match(pats, parts)


def _segments_match(pats: list[str], parts: list[str]) -> bool:
    if not pats:
        return not parts
    head, rest = pats[0], pats[1:]
    if head == "**":
        return any(_segments_match(rest, parts[i:]) for i in range(len(parts) + 1) if not any(p.startswith(".") for p in parts[:i]))
    if not parts or (parts[0].startswith(".") and not head.startswith(".")):
        return False
    return fnmatch.fnmatch(parts[0], head) and _segments_match(rest, parts[1:])


def check_unmatched(outputs: Sequence[Named], patterns: Sequence[Named]) -> None:
    """Fail when an output is a file a glob pattern the run reads would match.

    ``outputs``: ``(option, path)`` of files the run writes; ``patterns``: ``(what, pattern)``
    (``("DATA", "shards/*.parquet")``).
    """
    for option, path in outputs:
        for what, pattern in patterns:
            if glob_matches(pattern, path):
                raise ParameterError(
                    f"{option} {os.fspath(path)!r} matches the pattern {what} {pattern!r}: the next run over "
                    "that pattern would read the output as data. Write it elsewhere, or narrow the pattern."
                )
