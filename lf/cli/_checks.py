"""What the commands check before any LF runs: outputs against inputs, every file's columns, gold.

Gold labels are read here, before the run and before any output is written, so a run
never scores itself against a file it has just replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lf.errors import DataError

__all__ = [
    "check_columns",
    "check_model_lfs",
    "check_row_ids",
    "data_files",
    "gold_after_run",
    "gold_before_run",
    "gold_for_library",
    "gold_ids",
    "model_files",
    "read_gold",
]



def data_files(data: Sequence[str]) -> list[Path]:
    """The files DATA reads: the paths given (globs expanded, as the run expands them), or a
    fetched dataset's files (by name)."""
    if len(data) == 1 and not Path(data[0]).exists():
        from lf.manifest import dataset_dir, get_manifest, list_datasets

        if data[0] in list_datasets():
            manifest = get_manifest(data[0])
            return [dataset_dir(manifest) / spec.name for spec in manifest.files]
    from lf.corpus import expand_paths

    return expand_paths(data)


def model_files(spec: str | None) -> list[Path]:
    """A saved model a command reads (``model.json`` and its arrays file, when they exist)."""
    if spec is None or not spec.lower().endswith(".json"):
        return []
    from lf.models._checks import model_file_and_arrays

    return [p for p in model_file_and_arrays(Path(spec)) if p.exists()]


def check_model_lfs(
    model: Any, spec: str, names: Sequence[str], labels: Sequence[str] | None = None, *, lfs: Any = None,
    fingerprints: Sequence[str | None] | None = None, unnamed: bool = True,
) -> None:
    """A saved model must have been fitted on the LFs the run applies (same names, same order)
    and, when both are known, on the same labels in the same order (class ids mean labels).
    Their definitions, from ``lfs`` (the LF objects) or ``fingerprints`` (a saved matrix's),
    are compared when the model recorded its own: a changed LF is a warning. So is a model
    that knows no LF names (``unnamed=False``: the command leaves that to lf.label)."""
    from lf.models.base import check_fitted_on

    if lfs is not None and getattr(model, "lf_fingerprints_", None) is not None:
        from lf.apply.fingerprint import lf_definitions

        fingerprints = lf_definitions(lfs)
    check_fitted_on(model, names, labels, who=f"--model {spec!r}", lfs_of="the ones given here", labels_of="the LFs here label",
                    fingerprints=fingerprints, unnamed=unnamed)


def _frame_columns(data: Sequence[str] | Any) -> list[tuple[str, list[str]]]:
    """``(name, columns)`` of each file of DATA (one entry for a dataset loaded by name).

    ``data`` may be a :class:`lf.corpus.Corpus` (its files' headers; a dataset it loaded)."""
    from lf.cli._shared import _source
    from lf.corpus import Corpus
    from lf.io import read_columns

    if isinstance(data, Corpus):
        if data.files is not None:
            return [(str(p), read_columns(p)) for p in data.files]
        return [(data.name or "DATA", data.columns() or [])]
    source = _source(tuple(data))
    if not isinstance(source, list):
        return [(data[0], [str(c) for c in source.columns])]
    return [(str(p), read_columns(p)) for p in source]


def check_columns(
    data: Sequence[str] | Any, what: str, needs: Sequence[tuple[str, str | None]], *, text_column: str | None = None
) -> None:
    """Fail naming the file when any file of DATA lacks a column the run needs.

    ``needs``: ``(option, column)`` pairs (``column`` None: not asked). ``--text-column``
    is checked when given, with the 'text' column it would be exposed as. Without an
    ``--id-column``, a first file with an ``id`` column makes ``id`` the row ids (see
    ``_apply``), so every other file needs one too.
    """
    files = _refuse_matrices(data, what, text_column)
    asked = [(o, c) for o, c in [*needs, ("--text-column", text_column)] if c is not None]
    default_ids = not any(o == "--id-column" and c for o, c in needs) and "id" in files[0][1]
    for name, cols in files:
        shown = ", ".join(cols) or "(none)"
        for option, column in asked:
            if column not in cols:
                named = f"{option} {column!r}" if option.endswith("-column") else f"{option} column {column!r}"
                from lf.io import late_key

                late = late_key(name, column) if Path(name).is_file() else ""
                raise DataError(f"{named} is not in the data file {name!r} ({what}). Available columns: {shown}.{late}")
        if default_ids and "id" not in cols:
            raise DataError(
                f"{what} file {name!r} has no 'id' column, but {files[0][0]!r} has one (it names the rows): "
                f"give every {what} file an 'id' column, or none. Available columns: {shown}."
            )
        if text_column is not None and text_column != "text" and "text" in cols:
            raise DataError(
                f"--text-column {text_column!r} would be exposed as 'text', but {name!r} already has a 'text' "
                "column. Rename one of them first."
            )


def _refuse_matrices(data: Sequence[str] | Any, what: str, text_column: str | None) -> list[tuple[str, list[str]]]:
    """``(name, columns)`` of each file of DATA (:func:`_frame_columns`), or a DataError for
    a label matrix saved by lf given as data: read as data, its columns are LF votes, and
    the run would fail on a missing 'text' column instead. A .npz is one by its name; a
    Parquet file without the text column is looked at (its footer), so data is not."""
    from lf.corpus import Corpus

    for path in (data.files or []) if isinstance(data, Corpus) else data_files(data):
        if Path(path).suffix.lower() == ".npz":
            raise _a_matrix(Path(path), what)
    from lf._matrix_io import is_matrix_file

    files = _frame_columns(data)
    for name, cols in files:
        if (text_column or "text") not in cols and is_matrix_file(Path(name)):
            raise _a_matrix(Path(name), what)
    return files


def _a_matrix(path: Path, what: str) -> DataError:
    return DataError(
        f"{str(path)!r} ({what}) is a label matrix saved by lf, not data: `lf report {path}` (without "
        f"--lfs) reports on it; as {what}, give the data it was made from."
    )


def read_gold(data: Sequence[str], column: str) -> Any:
    """The gold column of DATA as one pandas Series (read before any output is written)."""
    import pandas as pd

    from lf.cli._shared import _source
    from lf.io import iter_chunks

    parts = [chunk[column] for chunk in iter_chunks(_source(tuple(data)), 200_000, columns=[column])]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)


def check_row_ids(data: Sequence[str], option: str, L: Any, id_column: str | None, matrix: str | None = None) -> None:
    """DATA given beside a saved matrix must hold the matrix's rows in its order: gold labels
    and texts are matched to its rows by position. When the matrix names its rows, their ids
    are compared with DATA's ``id_column`` (default ``id``): the same rows in another order,
    other rows, or no such column are errors. A Parquet matrix from ``lf apply`` / ``lf
    label --matrix`` records a digest of its rows' texts: DATA's must match it."""
    import numpy as np
    import pandas as pd

    cols = _refuse_matrices(data, option, None)[0][1]
    if L.row_ids is None:
        if matrix is not None and not _check_made_from(data, option, L.n, matrix, cols):
            _unchecked(option, matrix)
        return
    column = id_column or ("id" if "id" in cols else None)
    if column is None or column not in cols:
        raise DataError(
            f"The label matrix names its rows by id, but {option} has no {column or 'id'!r} column to match "
            f"them with. Give the data the matrix was made from (and its --id-column). Columns: {', '.join(cols)}."
        )
    ids = read_gold(data, column)
    if len(ids) != L.n:
        raise DataError(f"{option} has {len(ids)} rows but the label matrix has {L.n}; give the data the matrix was made from.")
    got = np.array(_id_texts(ids.tolist()), dtype=object)
    want = np.array(_id_texts(pd.Series(L.row_ids).tolist()), dtype=object)
    bad = np.flatnonzero(got != want)
    if not bad.size:
        # The same ids: the same texts too? (two files numbering their rows alike)
        if matrix is not None and not _check_made_from(data, option, L.n, matrix, cols):
            from lf.train_data import _row_numbers

            if _row_numbers(pd.Series(got).astype(str), L.n):
                _unchecked(option, matrix, numbered=True)
        return
    i = int(bad[0])
    where = f"{option} row {i} has id {got[i]!r} where the label matrix has {want[i]!r} ({bad.size:,} rows differ)"
    name = repr(matrix) if matrix else "the label matrix"
    if sorted(got, key=str) == sorted(want, key=str):
        raise DataError(f"{option} holds the rows of {name} in another order: {where}. Give them in the same order.")
    raise DataError(
        f"{where}: give the data the matrix was made from, in the same order (with --id-column if the "
        f"matrix's ids come from another column than {column!r})."
    )


def _unchecked(option: str, matrix: str, *, numbered: bool = False) -> None:
    """A warning line: DATA is matched to a matrix without a digest by position, or by ids
    that are row numbers (``numbered``), which another file numbering its rows shares."""
    from lf.cli._shared import _console, say

    how, has, risk = (
        ("by ids that are row numbers (0, 1, ...)", "no", "Another file numbering its rows alike would get other rows' gold")
        if numbered else
        ("by position", "no row ids and no", "The same rows in another order would get other rows' gold")
    )
    say(_console(stderr=True), (
        f"warning: {option} is matched to the rows of {matrix!r} {how}, unchecked: the matrix has {has} "
        "digest of its rows' texts (a .parquet matrix from lf apply / lf label --matrix "
        f"has one). {risk}."
    ), keep=[repr(matrix)])


def _check_made_from(data: Sequence[str], option: str, n: int, matrix: str, cols: list[str]) -> bool:
    """DATA holds the texts the matrix was made from, in its order: the digest of them that
    ``lf apply`` / ``lf label --matrix`` write into a Parquet matrix. False: nothing to check."""
    from lf._row_digest import read_footer, text_hashes, texts_digest

    record = read_footer(matrix)
    column = str((record or {}).get("text_column"))
    if record is None or record.get("rows") != n or column not in cols:
        return False
    texts = read_gold(data, column)
    if len(texts) != n:
        raise DataError(f"{option} has {len(texts)} rows but the label matrix has {n}; give the data the matrix was made from.")
    if f"{texts_digest(text_hashes(texts.tolist())):016x}" != record.get("digest"):
        raise DataError(
            f"{option} does not hold the {column!r} texts {matrix!r} was made from, in its order (the matrix "
            "records a digest of them): another file, or the same rows reordered or filtered. Give the data "
            "the matrix was made from, in the same order."
        )
    return True


def gold_ids(values: Any, option: str, column: str, labels: Sequence[str] | None, k: int | None) -> Any:
    """Gold values (label names in any case, or class ids) as int64 class ids, checked.

    ``k`` None (the LF module declares no LABELS and the matrix is not made yet): ids are
    only checked to be non-negative integers; call again with ``k`` once it is known.
    """
    from lf.gold import gold_ids as to_ids

    return to_ids(values, labels, k, what=f"{option} column {column!r}")


def gold_before_run(data: Sequence[str], option: str, column: str, labels: Sequence[str] | None) -> Any:
    """Read and check a gold column before the run (names, missing values, ids); returns its values."""
    values = read_gold(data, column)
    gold_ids(values, option, column, labels, len(labels) if labels else None)
    return values


def _id_texts(values: list[Any]) -> list[str | None]:
    from lf._matrix_io import is_missing

    return [None if is_missing(v) else str(v) for v in values]


def gold_after_run(values: Any, option: str, column: str, L: Any, n: int | None = None) -> Any:
    """The gold values read before the run as class ids of matrix ``L`` (its rows, its classes)."""
    n = L.n if n is None else n
    if len(values) != n:
        raise DataError(f"{option} has {len(values)} rows but the label matrix has {n}; give the data the matrix was made from.")
    return gold_ids(values, option, column, L.labels, L.cardinality)


def gold_for_library(ids: Any, L: Any) -> Any:
    """Class ids as lf's functions (``summarize``, ``model.score``, ``lf.rows``) read them
    back: as label names where the names are numbers that are not their own class ids
    (``LABELS = ["1", "0"]``), since those functions refuse numbers there as ambiguous."""
    import numpy as np

    from lf.gold import numbers_are_ambiguous

    if ids is None or not numbers_are_ambiguous(L.labels):
        return ids
    return np.asarray(list(L.labels), dtype=object)[ids]
