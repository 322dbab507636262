"""The progress bar of a run: rows labeled, or bytes of text files read.

For frames and Parquet the row count is known and the bar counts rows. For CSV/TSV/JSONL
files it is not: the bar then counts bytes against the files' total size, with a rate and
an ETA. A chunk's bytes are its rows times the bytes per row measured on the first file's
head, held below the total until the last chunk is done (then the bar is exact).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Self

import numpy as np

if TYPE_CHECKING:
    from lf.corpus import Corpus

__all__ = ["Progress", "ProgressModel", "progress_enabled"]

REFRESH_PER_SECOND = 4  # the bar redraws (elapsed time, rate) while a long chunk runs
_HELD_BELOW = 0.99  # share of the total an estimate may reach before the pass ends


def progress_enabled(progress: object) -> bool:
    """Whether to show a progress bar for a ``progress=`` argument: True, False, or None (when
    stderr is a terminal). Anything else (``"yes"``, ``0``) is a ``ParameterError``, not a
    truth value guessed."""
    if progress is None:
        return sys.stderr.isatty()
    if not isinstance(progress, (bool, np.bool_)):
        from lf.errors import ParameterError

        raise ParameterError(
            f"`progress` must be True, False or None (a bar when stderr is a terminal). Got {progress!r}."
        )
    return bool(progress)


class ProgressModel:
    """What the bar shows, without a terminal: a unit, a total, and how far the run is."""

    def __init__(self, n_rows: int | None, n_bytes: int | None, bytes_per_row: float | None) -> None:
        self.by_bytes = n_rows is None and bool(n_bytes) and bool(bytes_per_row)
        self.unit = "bytes" if self.by_bytes else "rows"
        self.total: int | None = n_bytes if self.by_bytes else n_rows
        self.bytes_per_row = bytes_per_row or 0.0
        self.rows = 0
        self.completed = 0

    @classmethod
    def of(cls, corpus: Corpus) -> ProgressModel:
        n_rows = corpus.n_rows()
        return cls(n_rows, corpus.n_bytes(), corpus.bytes_per_row() if n_rows is None else None)

    def advance(self, rows: int) -> None:
        self.rows += rows
        if not self.by_bytes:
            self.completed = self.rows
            return
        assert self.total is not None
        self.completed = min(round(self.rows * self.bytes_per_row), int(self.total * _HELD_BELOW))

    def finish(self) -> None:
        """The pass has read everything: a byte count is now the files' whole size."""
        if self.by_bytes:
            self.completed = self.total or 0


class Progress:
    """A rich progress bar over a :class:`ProgressModel`, or a no-op (``enabled=False``, or not a terminal)."""

    def __init__(self, enabled: bool | None, corpus: Corpus, m: int) -> None:
        self.enabled = progress_enabled(enabled)
        self.corpus = corpus
        self.m = m
        self.model: ProgressModel | None = None
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import Progress

        self.model = ProgressModel.of(self.corpus)
        self._bar = Progress(
            *columns(self.model, self.m),
            console=Console(stderr=True),
            transient=True,
            auto_refresh=True,
            refresh_per_second=REFRESH_PER_SECOND,
        )
        self._bar.start()
        self._task = self._bar.add_task("apply", total=self.model.total, rows=0)
        return self

    def advance(self, rows: int) -> None:
        if self._bar is not None and self.model is not None:
            self.model.advance(rows)
            self._bar.update(self._task, completed=self.model.completed, rows=self.model.rows)

    def finish(self) -> None:
        if self._bar is not None and self.model is not None:
            self.model.finish()
            self._bar.update(self._task, completed=self.model.completed, rows=self.model.rows)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def columns(model: ProgressModel, m: int) -> list[Any]:
    """The bar's columns: rows done of the total, or bytes read with a rate and an ETA."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    head = [TextColumn(f"applying {m} LFs", markup=False), BarColumn(bar_width=20)]
    if model.by_bytes:
        return [*head, DownloadColumn(), TransferSpeedColumn(), TextColumn("{task.fields[rows]:,} rows", markup=False),
                TimeRemainingColumn()]
    return [*head, MofNCompleteColumn(), TextColumn("rows", markup=False), TimeElapsedColumn()]
