"""Process-pool engine: the chunk kernel in ``n_jobs`` forked worker processes.

Workers are forked, so LFs (lambdas and closures included) reach them without pickling;
only DataFrame chunks go out and small label arrays come back. Results are yielded in
chunk order, with a bounded number of chunks in flight to bound memory.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from lf.apply.kernel import ChunkResult, Task, label_chunk
from lf.core import LabelingFunction

__all__ = ["PoolEngine", "in_order"]


def in_order(submit: Callable[[Task], Any], tasks: Iterator[Task], window: int) -> Iterator[ChunkResult]:
    """Submit tasks with at most ``window`` in flight; yield their results in task order.

    ``submit`` returns a future (concurrent.futures or dask.distributed); the futures still
    pending when the consumer stops are cancelled.
    """
    pending: deque[Any] = deque()
    try:
        for task in tasks:
            pending.append(submit(task))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for fut in pending:
            fut.cancel()

# Set once in each forked worker by _init_worker; never used in the parent process.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(lfs: Sequence[LabelingFunction], kernel_args: dict[str, Any]) -> None:
    _WORKER_STATE["lfs"] = lfs
    _WORKER_STATE["kernel_args"] = kernel_args


def _work(task: Task) -> ChunkResult:
    return label_chunk(_WORKER_STATE["lfs"], task.chunk, row_offset=task.offset, only=task.only, **_WORKER_STATE["kernel_args"])


class PoolEngine:
    """Runs chunks in ``n_jobs`` worker processes (Linux/macOS fork start method)."""

    name = "pool"

    def __init__(self, n_jobs: int) -> None:
        self.n_jobs = n_jobs

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        kernel_args: dict[str, Any],
    ) -> Iterator[ChunkResult]:
        # Fork every worker now, before the caller starts threads (a progress bar, say).
        pool = ProcessPoolExecutor(
            max_workers=self.n_jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(lfs, kernel_args),
        )
        pool.submit(int).result()
        return self._results(pool, chunks)

    def _results(self, pool: ProcessPoolExecutor, chunks: Iterator[Task]) -> Iterator[ChunkResult]:
        with pool:
            yield from in_order(lambda task: pool.submit(_work, task), chunks, 2 * self.n_jobs)
