"""What every chunk of a run is labeled with: one small frozen record the engines pass on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from lf.apply.kernel import ChunkResult, Task, label_chunk
from lf.core import LabelingFunction

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """How the kernel labels a chunk.

    ``cardinality`` None means the number of classes is not known before the run (no
    ``LABELS``, no ``cardinality=``): labels are then checked against the storage limit
    only, and the matrix's cardinality is inferred from the largest label seen.
    ``threads``: threads per chunk for the templates beside the row LFs. ``shelter``: keep
    each chunk's rows out of the cyclic GC's collections while it is labeled
    (:meth:`lf.apply.views.ChunkRows.release`); set by :meth:`sheltering`, once per run.
    """

    cardinality: int | None = None
    on_error: str = "raise"
    id_column: str | None = None
    threads: int = 1
    shelter: bool = False
    place: str = ""  # after row numbers in messages, when they count the rows of a part of the data

    def with_threads(self, threads: int) -> Settings:
        return replace(self, threads=threads)

    def sheltering(self) -> Settings:
        """These settings with ``shelter`` on where this process has frozen nothing
        (``gc.freeze``): a thaw after each chunk would release that too. Asked once per
        run, as counting what is frozen walks all of it."""
        import gc

        return replace(self, shelter=gc.get_freeze_count() == 0)

    def label(self, lfs: Sequence[LabelingFunction], task: Task) -> ChunkResult:
        """Run the kernel on one task with these settings."""
        return label_chunk(
            lfs,
            task.chunk,
            cardinality=self.cardinality,
            on_error=self.on_error,
            row_offset=task.offset,
            id_column=self.id_column,
            threads=self.threads,
            only=task.only,
            shelter=self.shelter,
            place=self.place,
        )
