"""In-process engine: applies the chunk kernel to each chunk in turn."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from lf.apply.kernel import ChunkResult, Task, label_chunk
from lf.core import LabelingFunction

__all__ = ["LocalEngine"]


class LocalEngine:
    """Runs every chunk in the calling process (``n_jobs=1``); templates use a thread per CPU."""

    name = "local"

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        kernel_args: dict[str, Any],
    ) -> Iterator[ChunkResult]:
        threads = os.cpu_count() or 1  # templates (pyarrow) run beside the other LFs
        for offset, chunk, only in chunks:
            yield label_chunk(lfs, chunk, row_offset=offset, threads=threads, only=only, **kernel_args)
