"""The progress bar of a run: rows labeled, over the total when it is known."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from lf.corpus import Corpus

__all__ = ["Progress"]


class Progress:
    """A rich progress bar over rows, or a no-op (``enabled=False``, or not a terminal)."""

    def __init__(self, enabled: bool | None, corpus: Corpus, m: int) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.corpus = corpus
        self.m = m
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn(f"applying {self.m} LFs", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows", markup=False),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("apply", total=self.corpus.n_rows())
        return self

    def advance(self, rows: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, rows)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
