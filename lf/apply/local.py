"""In-process engine: applies the chunk kernel to each chunk in turn."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from lf.apply.kernel import ChunkResult, Task
from lf.apply.settings import Settings
from lf.core import LabelingFunction

__all__ = ["LocalEngine"]


class LocalEngine:
    """Runs every chunk in the calling process (``n_jobs=1``); templates use a thread per CPU."""

    name = "local"

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        settings: Settings,
    ) -> Iterator[ChunkResult]:
        here = settings.with_threads(os.cpu_count() or 1).sheltering()  # templates (pyarrow) run beside the other LFs
        for task in chunks:
            yield here.label(lfs, task)
