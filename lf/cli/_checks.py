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
    "data_files",
    "gold_after_run",
    "gold_before_run",
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
    path = Path(spec)
    return [p for p in (path, path.with_name(f"{path.stem}.model.npz")) if p.exists()]


def check_model_lfs(model: Any, spec: str, names: Sequence[str]) -> None:
    """A saved model must have been fitted on the LFs the run applies (same names, same order)."""
    fitted = getattr(model, "lf_names_", None)
    if fitted is None or list(fitted) == list(names):
        return
    missing, new = [n for n in fitted if n not in names], [n for n in names if n not in fitted]
    detail = f"missing {missing}, new {new}" if missing or new else "same LFs in another order"
    raise DataError(
        f"--model {spec!r} was fitted on other LFs than the ones given here ({detail}). "
        "Apply the LF module the model was fitted with, or fit the model again."
    )


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
    files = _frame_columns(data)
    asked = [(o, c) for o, c in [*needs, ("--text-column", text_column)] if c is not None]
    default_ids = not any(o == "--id-column" and c for o, c in needs) and "id" in files[0][1]
    for name, cols in files:
        shown = ", ".join(cols) or "(none)"
        for option, column in asked:
            if column not in cols:
                named = f"{option} {column!r}" if option.endswith("-column") else f"{option} column {column!r}"
                raise DataError(f"{named} is not in the data file {name!r} ({what}). Available columns: {shown}.")
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


def read_gold(data: Sequence[str], column: str) -> Any:
    """The gold column of DATA as one pandas Series (read before any output is written)."""
    import pandas as pd

    from lf.cli._shared import _source
    from lf.io import iter_chunks

    parts = [chunk[column] for chunk in iter_chunks(_source(tuple(data)), 200_000, columns=[column])]
    return pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)


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


def check_matrix_rows(L: Any, data: Sequence[str], what: str, matrix: str, id_column: str | None = None) -> None:
    """Fail when DATA holds the saved matrix's rows (by their ids) in another order: its gold
    labels and texts are matched to the matrix's rows by position. Ids that are not the
    matrix's at all may be another column than the one the matrix kept: not checked here."""
    from lf.cli._shared import _source
    from lf.io import iter_chunks

    column = id_column or "id"
    if L.row_ids is None or column not in _frame_columns(data)[0][1]:
        return
    theirs, seen, first = L.row_ids.tolist(), 0, None
    parts: list[list[str | None]] = []  # the data's ids from the first chunk that differs
    for chunk in iter_chunks(_source(tuple(data)), 200_000, columns=[column]):
        ours = _id_texts(chunk[column].tolist())
        if first is None:
            mine = _id_texts(theirs[seen : seen + len(ours)])
            first = next((seen + i for i, (a, b) in enumerate(zip(ours, mine)) if a != b), None)
            start = seen
        if first is not None:
            parts.append(ours)
        seen += len(ours)
    if first is None or seen != len(theirs):
        return  # the same rows in order, or another row count (reported by the callers)
    import pandas as pd

    ours_all = pd.Series(_id_texts(theirs[:start]) + [v for part in parts for v in part], dtype=object)
    if not ours_all.value_counts(dropna=False).sort_index().equals(
        pd.Series(_id_texts(theirs), dtype=object).value_counts(dropna=False).sort_index()
    ):
        return  # not the matrix's ids: maybe another column than the one it kept
    raise DataError(
        f"{what} holds the rows of {matrix!r} in another order: its row {first} has id "
        f"{ours_all[first]!r}, the matrix's row {first} has id {_id_texts([theirs[first]])[0]!r}. "
        "Give the data in the order the matrix was made from."
    )


def _id_texts(values: list[Any]) -> list[str | None]:
    import math

    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def gold_after_run(values: Any, option: str, column: str, L: Any, n: int | None = None) -> Any:
    """The gold values read before the run as class ids of matrix ``L`` (its rows, its classes)."""
    n = L.n if n is None else n
    if len(values) != n:
        raise DataError(f"{option} has {len(values)} rows but the label matrix has {n}; give the data the matrix was made from.")
    return gold_ids(values, option, column, L.labels, L.cardinality)
