"""Reading what the end model trains on, and streaming its predictions to a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.display import label_list
from lf.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from lf.train import EndModel

__all__ = ["Steps", "gold_texts", "labeled_texts", "prediction_chunks", "unseen_rows", "write_predictions"]

_RESERVED = ("id", "label", "confidence", "covered")


def _frame(data: Any, columns: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    from lf.io import iter_chunks

    if isinstance(data, pd.DataFrame):
        return data
    parts = list(iter_chunks(data, 200_000, columns=columns))
    if not parts:
        raise DataError("The data has no rows.")
    return pd.concat(parts, ignore_index=True)


def _columns(data: Any) -> list[str]:
    from lf.io import iter_chunks

    for chunk in iter_chunks(data, 1):
        return [str(c) for c in chunk.columns]
    raise DataError("The data has no rows.")


def _texts(column: pd.Series) -> list[str]:
    """A text column as the end model reads it (as the labels' row digest does)."""
    from lf._row_digest import model_texts

    texts: list[str] = model_texts(column.to_numpy(dtype=object)).tolist()
    return texts


def _need(cols: list[str], column: str, what: str) -> None:
    if column not in cols:
        from lf.core import text_column_hint

        hint = text_column_hint(column) if what == "text" else ""
        raise DataError(f"The data has no {what} column {column!r}. Available columns: {', '.join(cols)}.{hint}")


def _row_ids(data: Any, text_column: str, id_column: str | None) -> tuple[list[str], Any]:
    """The texts of ``data`` and its row ids as text (the id column, else the row positions)."""
    cols = _columns(data)
    _need(cols, text_column, "text")
    if id_column is not None:
        _need(cols, id_column, "id")
    elif "id" in cols and text_column != "id":
        id_column = "id"
    frame = _frame(data, list(dict.fromkeys([text_column] + ([id_column] if id_column else []))))  # ids may be the texts
    texts = _texts(frame[text_column])
    ids = frame[id_column].astype(str) if id_column else None
    return texts, ids


def labeled_texts(
    data: Any, labels: Any, text_column: str, id_column: str | None, all_rows: bool,
) -> tuple[list[str], npt.NDArray[np.float64], list[str], dict[str, Any]]:
    """Texts and soft labels of the rows to train on, the label names and counts to report."""
    import pandas as pd

    files = _label_files(labels)
    _refuse_matrix(files)
    lab = _frame(files)
    names = [str(c) for c in lab.columns if str(c) not in _RESERVED]
    if len(names) < 2:
        raise DataError(
            f"The labels have probability columns {names}; expected one per label, as `lf label` writes "
            f"(id, one column per label, label, confidence, covered). Columns: {', '.join(map(str, lab.columns))}."
        )
    P = lab[names].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    if np.isnan(P).any() or (P < -1e-9).any() or not np.allclose(P.sum(axis=1), 1.0, atol=1e-4):
        raise DataError(f"The label columns {label_list(names)} must hold probabilities that sum to 1 on every row.")
    texts, ids = _row_ids(data, text_column, id_column)
    pos = _positions(lab, ids, len(texts))
    by_id = ids is not None and "id" in lab.columns
    numbered = by_id and _row_numbers(lab["id"], len(texts))
    _check_made_from(labels, data, pos, texts, text_column, by_id=by_id, numbered=numbered)
    keep = np.ones(len(lab), dtype=bool)
    if not all_rows and "covered" in lab.columns:
        keep = lab["covered"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    if keep.sum() < 2:
        raise DataError(f"Only {int(keep.sum())} labeled rows are covered by an LF; the end model needs more (or pass all_rows=True: `lf train --all-rows`).")
    stats = {"data_rows": len(texts), "label_rows": len(lab), "trained_rows": int(keep.sum())}
    return [texts[i] for i in pos[keep]], np.clip(P[keep], 0.0, 1.0), names, stats


def _label_files(labels: Any) -> Any:
    """``labels`` to read: a folder ``lf label --engine dask -o`` wrote is its part files."""
    import os

    if isinstance(labels, (str, os.PathLike)) and Path(labels).is_dir():
        from lf.dask_label import part_files

        return part_files(Path(labels), "the labels")
    return labels


def _refuse_matrix(labels: Any) -> None:
    """A label matrix (``lf apply`` / ``--matrix`` output) given as labels: named as such."""
    import os

    from lf._matrix_io import is_matrix_file

    paths = [labels] if isinstance(labels, (str, os.PathLike)) else labels if isinstance(labels, list) else []
    for path in paths:
        if isinstance(path, (str, os.PathLike)) and is_matrix_file(Path(path)):
            raise DataError(
                f"{str(path)!r} is a label matrix (the LFs' votes), not labels: give what `lf label -o` writes "
                "(one probability column per label), or make it with `lf label`."
            )


def _check_made_from(
    labels: Any, data: Any, pos: npt.NDArray[np.int64], texts: list[str], text_column: str, *, by_id: bool,
    numbered: bool,
) -> None:
    """Refuse labels whose rows, matched to the data (by id or by position), do not have the
    texts the labels were made from (the digest ``lf label`` writes into a Parquet labels
    file); warn when the match cannot be checked (no digest: CSV or JSON Lines labels) and
    rests on positions: no ids, or ids that are row numbers (``numbered``), which another
    file numbering its rows alike shares."""
    import warnings

    from lf._row_digest import read_footer, text_hashes, texts_digest

    record = read_footer(labels)
    column = str((record or {}).get("text_column"))
    if record is None or record.get("rows") != len(pos) or (column != text_column and column not in _columns(data)):
        if (numbered or not by_id) and isinstance(labels, (str, Path)):  # a labels file: maybe of another data file
            risk = (
                "their ids are row numbers, so another data file numbering its rows alike would get other rows' "
                "labels: write Parquet labels"
                if by_id
                else "a reordered or other data file would get wrong labels: give the data an id column, or write "
                "Parquet labels"
            )
            warnings.warn(
                f"The labels {str(labels)!r} are matched to the data's rows by {'id' if by_id else 'position'}, "
                "unchecked: they carry no digest of the rows they were made from (CSV and JSON Lines labels cannot "
                f"hold one; `lf label -o labels.parquet` writes one) or of a column the data has; {risk}.",
                UserWarning, stacklevel=3,
            )
        return
    if column != text_column:
        texts = _texts(_frame(data, [column])[column])
    got = texts_digest(text_hashes([texts[i] for i in pos]))
    if f"{got:016x}" != record.get("digest"):
        how = "by id" if by_id else "by position (the data has no id column)"
        raise DataError(
            f"The labels {str(labels)!r} were made from other rows than the data's: matched {how}, the data's "
            f"{column!r} texts of their {len(pos):,} rows are not the ones they were labeled from (the labels "
            "record a digest of those). Give the data the labels were made from" + ("" if by_id else ", in the same order")
            + f" (texts edited since: label them again, or keep the originals in {column!r} and pass --text-column)."
        )


def _row_numbers(ids: pd.Series, n: int) -> bool:
    """Whether label ids are row numbers of an ``n``-row file (whole numbers up to ``n``,
    written without leading zeros), rather than names of the rows."""
    text = ids.astype(str)
    digits = len(str(n))  # a longer number is no row number (and may not fit in an int64)
    if not len(text) or not text.str.fullmatch(rf"0|[1-9][0-9]{{0,{digits - 1}}}").all():
        return False
    return bool(text.astype("int64").max() <= n)


def _positions(lab: pd.DataFrame, ids: Any, n: int) -> npt.NDArray[np.int64]:
    """Row positions in the data of each label row: by id, else by position."""
    import pandas as pd

    if "id" not in lab.columns:
        if len(lab) != n:
            raise DataError(f"The labels have {len(lab)} rows and no `id` column, the data {n} rows; give the data they were made from.")
        return np.arange(n)
    keys = pd.Index(ids if ids is not None else pd.Series(np.arange(n)).astype(str))
    wanted = lab["id"].astype(str)
    if len(lab) == n and _same_ids(wanted.to_numpy(), keys.to_numpy()):
        return np.arange(n)  # the labels of every row, in data order (repeated and missing ids included)
    if not keys.is_unique:
        counts = pd.Series(keys).value_counts(dropna=False)
        top, times = counts.index[0], int(counts.iloc[0])
        which = f"{times:,} rows of the data have no id" if pd.isna(top) else f"{top!r} names {times:,} rows"
        raise DataError(
            f"The data's ids are not unique ({which}), so the labels "
            "cannot be matched to rows by id: pass --id-column with a column of unique ids."
        )
    repeated = wanted[wanted.duplicated()]
    if len(repeated):
        raise DataError(
            f"The labels repeat {repeated.nunique():,} ids (e.g. {repeated.iloc[0]!r}): the data they were made from "
            "repeated them (lf label warned), or they are two runs' labels put together; rows cannot be matched by "
            "id. Give the whole data they were made from, in its order (or give every row its own id and label again)."
        )
    pos = keys.get_indexer(wanted)
    if (pos < 0).any():
        bad = wanted[pos < 0].iloc[0]
        ours = f"; the data has ids like {str(keys[0])!r}, and ids compare as the text the files hold" if len(keys) else ""
        raise DataError(
            f"{int((pos < 0).sum()):,} label rows have ids that are not in the data (e.g. {bad!r}{ours}); give the "
            "data the labels were made from (and the same --id-column)."
        )
    return np.asarray(pos, dtype=np.int64)


def _same_ids(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    """Whether two id columns (as text) are the same, row by row; a missing id is the same as a missing one."""
    import pandas as pd

    gone = np.asarray(pd.isna(a), dtype=bool)
    return bool((gone == np.asarray(pd.isna(b), dtype=bool)).all() and (a[~gone] == b[~gone]).all())


def unseen_rows(texts: list[str], dev: set[str]) -> npt.NDArray[np.bool_]:
    """Which training rows have a text no dev row has: the rows a fit scored on dev may use."""
    unseen = np.fromiter((t not in dev for t in texts), dtype=bool, count=len(texts))
    if unseen.sum() < 2:
        raise DataError(
            f"Only {int(unseen.sum())} training rows have a text the dev data does not also hold; the "
            "regularisation cannot be chosen on dev rows the model trains on: give other dev rows."
        )
    return unseen


def gold_texts(data: Any, gold: str, text_column: str, names: list[str]) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Texts and gold class ids (label names in any case, or 0..k-1) of gold-labeled rows."""
    cols = _columns(data)
    _need(cols, text_column, "text")
    _need(cols, gold, "gold")
    from lf.gold import gold_ids

    frame = _frame(data, [text_column, gold])
    ids = gold_ids(frame[gold], names, len(names), what=f"The dev gold column {gold!r}")
    return _texts(frame[text_column]), ids


def prediction_chunks(
    model: EndModel, data: Any, text_column: str, id_column: str | None, chunk_size: int, progress: bool | None,
) -> Iterator[pd.DataFrame]:
    import pandas as pd

    from lf.io import count_rows, iter_chunks

    offset = 0
    first: str | None = ""  # the first chunk's id column (None: rows named by position)
    with Steps(progress, count_rows(data)) as advance:
        for chunk in iter_chunks(data, chunk_size):
            cols = [str(c) for c in chunk.columns]
            _need(cols, text_column, "text")
            if id_column is not None:
                _need(cols, id_column, "id")
            idc = id_column if id_column is not None else ("id" if "id" in cols and text_column != "id" else None)
            if first != "" and idc != first:  # ids, then row positions (or the other way): one id column mixing both
                has = ("an 'id' column", "none") if first else ("no 'id' column", "one")
                raise DataError(
                    f"The data's rows before row {offset:,} have {has[0]} and the rows from there on {has[1]} (another "
                    "file): the predictions would name rows by id and by position in one id column. Give every file "
                    "an 'id' column, or none."
                )
            first = idc
            P = model.predict_proba(_texts(chunk[text_column]))
            out: dict[str, Any] = {"id": chunk[idc].to_numpy() if idc else np.arange(offset, offset + len(chunk))}
            for c, name in enumerate(model.labels):
                out[name] = P[:, c]
            best = P.argmax(axis=1)
            out["label"] = np.asarray(model.labels, dtype=object)[best]
            out["confidence"] = P[np.arange(len(chunk)), best]
            offset += len(chunk)
            advance(len(chunk))
            yield pd.DataFrame(out)


def write_predictions(frames: Iterator[pd.DataFrame], path: str | Path) -> int:
    """Write prediction chunks to .parquet / .csv / .jsonl as they come, atomically; rows written.

    A column whose type changes between chunks (ids numbers in one chunk, text in the
    next) is refused as ``lf label`` refuses it, and nothing is written. Rows without an
    id, and ids that name several rows, are warned about, as ``lf label`` warns (ids that
    do not ascend are checked from the file written, read back once)."""
    from lf._repeated_ids import Ascending, MissingIds, repeated_ids, warn_repeated
    from lf.io import detect_format, iter_chunks
    from lf.writers import FrameWriter

    if detect_format(path) not in ("parquet", "csv", "jsonl") or Path(path).suffix.lower() not in (".parquet", ".csv", ".jsonl"):
        raise DataError(f"Cannot write predictions to {str(path)!r}: use a .parquet, .csv or .jsonl file name.")
    unnamed, order = MissingIds(), Ascending()
    with FrameWriter(path) as writer:
        for frame in frames:
            ids = frame["id"].to_numpy()
            unnamed.add(ids.tolist(), writer.rows)
            order.add(ids)
            writer.write(frame)
        unnamed.warn("The data's id column", join="a join of the predictions to the data by id")
        if writer.rows == 0:  # no frame, no schema: the file would be empty, not a file of no rows
            raise DataError(f"The data has no rows: nothing to predict, so {str(path)!r} is not written.")
    if not order.holds:

        def written() -> Iterator[npt.NDArray[Any]]:
            for part in iter_chunks(str(path), 200_000, columns=["id"]):
                yield part["id"].to_numpy()

        warn_repeated(repeated_ids(written(), again=written), "The data's id column")
    return writer.rows


class Steps:
    """A rich progress bar over rows (or other steps) on stderr, or a no-op (``progress=False``
    or not a terminal)."""

    def __init__(self, enabled: bool | None, total: int | None, doing: str = "predicting", unit: str = "rows") -> None:
        from lf.apply.progress import progress_enabled

        self.enabled = progress_enabled(enabled)
        self.total = total
        self.doing, self.unit = doing, unit
        self._bar: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(TextColumn(self.doing), BarColumn(), MofNCompleteColumn(), TextColumn(self.unit),
                             TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()
        task = self._bar.add_task("predict", total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
