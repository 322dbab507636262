"""In-process engine: applies the chunk kernel to each chunk in turn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from lf.apply.kernel import ChunkResult, label_chunk
from lf.core import LabelingFunction

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LocalEngine"]


class LocalEngine:
    """Runs every chunk in the calling process (``n_jobs=1``)."""

    name = "local"

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[tuple[int, pd.DataFrame]],
        kernel_args: dict[str, Any],
    ) -> Iterator[ChunkResult]:
        for offset, chunk in chunks:
            yield label_chunk(lfs, chunk, row_offset=offset, **kernel_args)
