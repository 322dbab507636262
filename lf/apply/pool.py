"""Process-pool engine: the chunk kernel in ``n_jobs`` forked worker processes.

Workers are forked, so LFs (lambdas and closures included) reach them without pickling.
When the rows are in memory already (a DataFrame, or files small enough that the driver
read them whole), so do the chunks, taken before the fork: sending a chunk through the
executor's queue cost more than labeling it. Up to :data:`lf.apply.inline.MAX_CHUNKS`
chunks, no process pool starts: :mod:`lf.apply.inline` forks ``n_jobs - 1`` workers that
inherit every chunk, and the calling process labels chunks beside them. Beyond that, the
first ``CHUNKS_PER_WORKER * n_jobs`` are inherited by the pool's workers. Chunks read from
larger files are taken only after the fork, so that no reader thread is running when it
happens. Other chunks go out pickled, and small label arrays come back. Results are
yielded in chunk order, with a bounded number of chunks in flight to bound memory.

Workers never outlive the run: on Linux each asks the kernel for SIGKILL when its parent
dies (``prctl(PR_SET_PDEATHSIG)``; elsewhere a thread polls the parent pid), so even a
SIGKILLed parent leaves no orphan; when the run stops early (an error, Ctrl-C, SIGTERM
turned into an exception by the CLI) the workers are terminated, not waited for. A worker
that dies mid-run (the out-of-memory killer, say) is reported as a :class:`WorkerError`
naming it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, TypeVar

from lf.apply.kernel import ChunkResult, Task
from lf.apply.portable import crossing
from lf.apply.run import CHUNKS_PER_WORKER, InMemory
from lf.apply.settings import Settings
from lf.core import LabelingFunction
from lf.errors import WorkerError

if TYPE_CHECKING:
    from lf.apply.inline import _Forked

__all__ = ["PoolEngine", "in_order"]

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
T = TypeVar("T")


def in_order(
    submit: Callable[[T], Any], tasks: Iterator[T], window: int, *, cancel: bool = True
) -> Iterator[ChunkResult]:
    """Submit tasks with at most ``window`` in flight; yield their results in task order.

    ``submit`` returns a future (concurrent.futures or dask.distributed); with ``cancel``,
    the futures still pending when the consumer stops are cancelled (the process pool
    cancels its own instead: see :meth:`PoolEngine._results`).
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
        if cancel:
            for fut in pending:
                fut.cancel()

# Set once in each forked worker by _init_worker; never used in the parent process.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(lfs: Sequence[LabelingFunction], settings: Settings, parent: int, first: list[Task] | None = None) -> None:
    _become_worker(parent)
    _WORKER_STATE["lfs"] = lfs
    _WORKER_STATE["settings"] = settings
    _WORKER_STATE["first"] = first or []


def _become_worker(parent: int, arm: Callable[[int], bool] | None = None) -> None:
    """Arm a process just forked from ``parent`` as a worker: the parent handles signals.
    ``arm``: :func:`_death_signal`'s result, when the parent looked it up before the fork."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler the parent had when it forked
    _exit_with_parent(parent, arm)


def _exit_with_parent(parent: int, arm: Callable[[int], bool] | None = None) -> None:
    """Make this worker die when process ``parent`` dies, however it dies."""
    if not (arm or _death_signal())(signal.SIGKILL):
        threading.Thread(target=_watch_parent, args=(parent, 0.25), name="lf-watch-parent", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _death_signal() -> Callable[[int], bool]:
    """A function that asks the kernel to send a signal to the calling process when its
    parent thread exits (Linux ``prctl(PR_SET_PDEATHSIG)``), True if it could. Looked up
    before a fork, it saves each worker the look-up (a third of a millisecond)."""
    if not sys.platform.startswith("linux"):
        return _cannot
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return _cannot
    return lambda signum: bool(prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)


def _cannot(signum: int) -> bool:
    return False


def _watch_parent(parent: int, interval: float) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _work(task: Task | int) -> ChunkResult:
    """Label ``task``; an int is the position of a task the worker inherited at the fork."""
    settings: Settings = _WORKER_STATE["settings"]
    chunk: Task = _WORKER_STATE["first"][task] if isinstance(task, int) else task
    return crossing(settings.label, _WORKER_STATE["lfs"], chunk)


def _how_it_ended(code: int) -> str:
    if code >= 0:
        return f"exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = "unknown signal"
    hint = " -- e.g. out of memory" if -code == signal.SIGKILL else ""
    return f"was killed by signal {-code} ({name}{hint})"


def _death_message(workers: Sequence[BaseProcess | _Forked]) -> str:
    """Name the worker(s) whose death broke the pool (the rest were then terminated, SIGTERM)."""
    for p in workers:
        p.join(timeout=5)
    ended = [(p.pid, p.exitcode) for p in workers if p.exitcode is not None]
    culprits = [(pid, code) for pid, code in ended if code != -signal.SIGTERM] or ended
    if culprits:
        what = "; ".join(f"pool worker pid {pid} {_how_it_ended(code)}" for pid, code in culprits)
    else:
        what = "a pool worker died"
    return (
        f"The run stopped: {what}. Re-run with --cache DIR (lf.apply(cache=DIR)) to resume from the "
        "chunks already labeled; fewer --n-jobs or a smaller --chunk-size use less memory."
    )


def _terminate(workers: Sequence[BaseProcess | _Forked]) -> None:
    for p in workers:
        if p.exitcode is None:
            p.terminate()
    for p in workers:
        p.join(timeout=5)


class PoolEngine:
    """Runs chunks in ``n_jobs`` worker processes (Linux/macOS fork start method).

    The workers die with the process that forked them (on Linux, with the thread that called
    :func:`lf.apply`, which waits for the run), and are terminated when a run stops early.
    """

    name = "pool"

    def __init__(self, n_jobs: int) -> None:
        self.n_jobs = n_jobs

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        settings: Settings,
    ) -> Iterator[ChunkResult]:
        from lf.apply.inline import MAX_CHUNKS, label_inline

        settings = settings.sheltering()  # the workers inherit this process's frozen objects
        # Chunks of rows in memory are taken now and inherited by the workers (no pickling).
        window = CHUNKS_PER_WORKER * self.n_jobs
        first = list(itertools.islice(chunks, MAX_CHUNKS + 1)) if isinstance(chunks, InMemory) else []
        if first and len(first) <= MAX_CHUNKS:  # every chunk is in hand
            return label_inline(lfs, first, settings, self.n_jobs)
        if len(first) > window:
            chunks, first = itertools.chain(first[window:], chunks), first[:window]
        # Fork every worker now, before the caller starts threads (a progress bar, say).
        pool = ProcessPoolExecutor(
            max_workers=self.n_jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(lfs, settings, os.getpid(), first),
        )
        # Forks all the workers (the fork start method does not add any later). Not waited
        # for: a worker that dies at start breaks the pool, which the first result reports.
        pool.submit(int)
        workers: list[BaseProcess] = list(pool._processes.values())
        inherited: Iterator[Task | int] = iter(range(len(first)))
        return self._results(pool, workers, itertools.chain(inherited, chunks), 2 * self.n_jobs)

    def _results(
        self, pool: ProcessPoolExecutor, workers: list[BaseProcess], chunks: Iterator[Task | int], window: int
    ) -> Iterator[ChunkResult]:
        finished = False
        try:
            # Pending futures are not cancelled from this thread: Python 3.11's executor thread
            # fails on a cancelled future when it marks the work of terminated workers
            # (InvalidStateError, printed as a traceback). shutdown(cancel_futures=True)
            # cancels them in that thread instead.
            yield from in_order(lambda task: pool.submit(_work, task), chunks, window, cancel=False)
            finished = True
        except BrokenProcessPool:
            # The executor's thread reaps the workers (waitpid); read their exit codes only
            # once it is done, or a worker it reaped first can look as if still running.
            pool.shutdown(wait=True)
            raise WorkerError(_death_message(workers)) from None
        finally:
            if not finished:  # an error, Ctrl-C or the consumer stopped: do not wait for chunks in flight
                _terminate(workers)
            pool.shutdown(wait=True, cancel_futures=True)
