"""The pool engine on a run whose chunks are all in memory: the caller labels chunks too.

When every chunk is in memory before the pool starts (a DataFrame cut in at most
:data:`MAX_CHUNKS` chunks, or small files read whole), nothing is left to read or send
after the fork. Then :class:`~lf.apply.pool.PoolEngine` forks only ``n_jobs - 1`` workers
(fewer when there are fewer chunks; none for one chunk), each inherits every chunk, and
the calling process labels chunks beside them instead of waiting. Workers are bare
``os.fork`` children, not a process pool: on a small input the pool's start, queues and
shutdown cost as much as labeling a chunk, and a worker that starts sooner ends sooner.

Each process starts on a chunk of its own (the caller on the first, worker ``w`` on chunk
``w``), then takes the next chunk no process has taken from a pipe that holds their
positions, so a process that runs ahead (one started sooner, or on cheaper rows) takes
more of them. A worker leaves each chunk's labels in shared memory and sends the rest
(error counts, seconds) on a pipe of its own. The caller yields results in chunk order;
an error is raised in its chunk's turn, after every chunk before it (the caller takes no
chunk once it knows of a failure, a worker none after its own, and the workers still
labeling are then terminated). Every process labels by the same ``settings.label`` call.

Workers are armed as the pool's are (:func:`lf.apply.pool._become_worker`): they die with
the caller, leave Ctrl-C to it, and are terminated when the run stops early; a worker that
dies mid-run is a :class:`~lf.errors.WorkerError` naming it. Each run waits for its
workers to exit before it returns.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import mmap
import os
import signal
import sys
import time
import traceback
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.apply.kernel import ChunkResult, Task
from lf.apply.pool import _become_worker, _death_message, _death_signal, _terminate
from lf.apply.portable import RemoteTraceback, portable
from lf.apply.settings import Settings
from lf.core import LabelingFunction
from lf.errors import WorkerError

__all__ = ["MAX_CHUNKS", "label_inline"]

_POSITION = 4  # bytes a chunk's position takes in the pipe
# The positions pipe is filled before the fork, so that must not block: at 4 bytes a
# position, 4,096 fit in macOS's smallest pipe buffer (16 KiB).
MAX_CHUNKS = 4_096
_CELL = 2  # bytes per label in shared memory: int8 or int16 labels fit
_DONE = -1  # a worker's last message: it found no chunk left


class _Job(NamedTuple):
    """What every process of a run shares: inherited at the fork, never sent."""

    lfs: Sequence[LabelingFunction]
    tasks: list[Task]
    settings: Settings
    claims: BinaryIO  # the positions of the chunks no process has taken yet
    board: _Board  # shared memory for the workers' labels


def label_inline(lfs: Sequence[LabelingFunction], tasks: list[Task], settings: Settings, n_jobs: int) -> Iterator[ChunkResult]:
    """Fork the workers now (before the caller starts any thread); label ``tasks`` (at most
    :data:`MAX_CHUNKS`) in this process and in them, yielding each chunk's result in order."""
    processes = min(n_jobs, len(tasks))
    if processes <= 1:
        return (settings.label(lfs, task) for task in tasks)
    read, fill = os.pipe()
    claims = os.fdopen(read, "rb", buffering=0)
    try:
        os.write(fill, b"".join(i.to_bytes(_POSITION, "little") for i in range(processes, len(tasks))))
    finally:
        os.close(fill)  # the pipe then reads as ended once every chunk is taken
    job = _Job(lfs, tasks, settings, claims, _Board(tasks, len(lfs)))
    pipes = [Pipe(duplex=False) for _ in range(processes - 1)]
    arm = _death_signal()
    workers: list[_Forked] = []
    try:
        for w, (_, send) in enumerate(pipes, start=1):
            others = [c for pair in pipes for c in pair if c is not send]
            workers.append(_Forked.start(_worker, (job, w, send, others, os.getpid(), arm)))
    except BaseException:
        _terminate(workers)
        claims.close()
        job.board.close()
        raise
    finally:
        for _, send in pipes:
            send.close()  # only its worker writes to it: it reads as ended when the worker exits
    run = _Run(job, workers, [r for r, _ in pipes])
    results = run.results()
    weakref.finalize(results, run.end, False)  # dropped unstarted, a generator runs no finally
    return results


class _Forked:
    """A worker forked by :meth:`start`: its pid and exit code, join and terminate."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    @classmethod
    def start(cls, target: Callable[..., None], args: tuple[Any, ...]) -> _Forked:
        """Fork a process that runs ``target(*args)`` and exits (code 1 if it raised)."""
        _flush()  # what is buffered now would be written by both processes
        pid = os.fork()
        if pid:
            return cls(pid)
        code = 1
        try:
            target(*args)
            code = 0
        except KeyboardInterrupt:  # Ctrl-C before the worker ignored it: the caller stops too
            pass
        except BaseException:  # noqa: BLE001 - a fault of this module's: show it, then exit
            traceback.print_exc()
        finally:
            _flush()
            os._exit(code)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the process to exit (at most ``timeout`` seconds) and read its exit code."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: its exit code is lost
                return
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
            elif deadline is None or time.monotonic() >= deadline:
                return
            else:
                time.sleep(delay)
                delay = min(2 * delay, 0.05)

    def terminate(self) -> None:
        if self.exitcode is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def _worker(job: _Job, first: int, send: Connection, others: list[Connection], parent: int, arm: Callable[[int], bool]) -> None:
    _become_worker(parent, arm)
    gc.freeze()  # a full collection here would touch, and so copy, every inherited page
    settings = replace(job.settings, shelter=False)  # a thaw would undo that freeze
    for conn in others:  # the other workers' pipes: they must read as ended when those exit
        conn.close()
    i: int | None = first
    try:
        while i is not None:
            try:
                result = settings.label(job.lfs, job.tasks[i])
            except BaseException as exc:  # noqa: BLE001 - the caller raises it in its chunk's turn
                send.send((i, None, *_portable(exc)))
                break
            labels = job.board.put(i, result.labels)  # left in shared memory, unless it does not fit
            send.send((i, (labels, result.labels.dtype.str, result.errors, result.seconds), None, ""))
            i = _claim(job.claims)
        send.send((_DONE, None, None, ""))
    except BrokenPipeError:  # the caller stopped reading: the run is over
        pass


def _claim(claims: BinaryIO) -> int | None:
    """The next chunk no process has taken yet, or None. Every read takes one whole
    position: the pipe holds nothing else, and no process reads less or more at a time."""
    data = claims.read(_POSITION)
    return int.from_bytes(data, "little") if data else None


def _portable(exc: BaseException) -> tuple[BaseException, str]:
    """``exc`` as it can cross to the caller, and its traceback as text."""
    text = "".join(traceback.format_exception(exc))
    return portable(exc), text


class _Board:
    """Shared memory where workers leave each chunk's labels, 2 bytes a cell at most. Sent
    through a pipe instead, a chunk's labels may not fit in its buffer: the worker would
    wait for the caller to read them, while the caller is labeling a chunk itself."""

    def __init__(self, tasks: list[Task], m: int) -> None:
        self.rows = [len(t.chunk) for t in tasks]
        self.m = m
        # Each chunk's cells start on a page of their own, so that taking them can free it.
        pages = (-(-(rows * m * _CELL) // mmap.PAGESIZE) * mmap.PAGESIZE for rows in self.rows)
        self.starts = list(itertools.accumulate(pages, initial=0))
        self.memory = mmap.mmap(-1, max(1, self.starts[-1]))  # shared, anonymous

    def _span(self, i: int) -> tuple[int, int]:
        return self.starts[i], self.rows[i] * self.m * _CELL

    def put(self, i: int, labels: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
        """Leave chunk ``i``'s labels here; return them instead if they do not fit."""
        start, size = self._span(i)
        if labels.nbytes > size:
            return labels
        self.memory[start : start + labels.nbytes] = labels.tobytes()
        return None

    def take(self, i: int, dtype: str) -> npt.NDArray[Any]:
        """A copy of the labels a worker left for chunk ``i``; their pages are freed (Linux),
        so a large in-memory input does not hold a second copy of its matrix here."""
        start, _ = self._span(i)
        rows = self.rows[i]
        labels = np.frombuffer(self.memory, dtype, rows * self.m, start).reshape(rows, self.m).copy()
        if hasattr(mmap, "MADV_REMOVE") and self.starts[i + 1] > start:
            with contextlib.suppress(OSError):  # a kernel without it for shared memory
                self.memory.madvise(mmap.MADV_REMOVE, start, self.starts[i + 1] - start)
        return labels

    def close(self) -> None:
        self.memory.close()


class _Run:
    """The caller's side: label chunks, collect the workers' results, yield them in order."""

    def __init__(self, job: _Job, workers: list[_Forked], receivers: list[Connection]) -> None:
        self.job = job
        self.workers = workers
        self.open = dict(zip(receivers, workers))  # the workers that have not said they are done
        self.done: dict[int, tuple[ChunkResult | None, BaseException | None]] = {}
        self.failed = False  # a chunk failed: this process takes no other one
        self.mine: int | None = 0  # the chunk this process labels next: the first one
        self.ended = False

    def results(self) -> Iterator[ChunkResult]:
        finished = False
        try:
            for i in range(len(self.job.tasks)):
                yield self._wait(i)
            finished = True
        finally:
            self.end(finished)

    def end(self, finished: bool) -> None:
        """Wait for the workers (``finished``) or terminate them; close what the run holds.
        Once only: when the results are done with, or dropped before the first was taken."""
        if self.ended:
            return
        self.ended = True
        self.job.claims.close()
        if finished:  # every worker has found no chunk left: it exits, if it has not yet
            for p in self.workers:
                p.join()
        else:  # an error, Ctrl-C or the consumer stopped: do not wait for chunks in flight
            _terminate(self.workers)
        for conn in self.open:
            conn.close()
        self.job.board.close()

    def _wait(self, i: int) -> ChunkResult:
        """Chunk ``i``'s result, labeling other chunks here until it has come."""
        while i not in self.done:
            self._collect(timeout=0)
            if i in self.done:
                break
            if self.mine is None and not self.failed:
                self.mine = _claim(self.job.claims)
            if self.mine is None:
                self._collect(timeout=None)
            else:
                self._label(self.mine)
                self.mine = None
        result, error = self.done.pop(i)
        if error is not None:
            raise error
        assert result is not None
        return result

    def _label(self, i: int) -> None:
        try:
            self.done[i] = (self.job.settings.label(self.job.lfs, self.job.tasks[i]), None)
        except Exception as exc:  # noqa: BLE001 - raised in its turn, after the chunks before it
            self.done[i] = (None, exc)
            self.failed = True

    def _collect(self, timeout: float | None) -> None:
        """Take the results that have arrived; with ``timeout`` None, wait for one."""
        if timeout is None and not self.open:  # cannot happen: every chunk taken is sent back
            raise WorkerError("The run stopped: a chunk was taken by no process.")
        for conn in wait(list(self.open), timeout):
            assert isinstance(conn, Connection)
            try:
                i, sent, error, text = conn.recv()
            except EOFError:  # it ended without saying it was done
                worker = self.open.pop(conn)
                conn.close()
                raise WorkerError(_death_message([worker])) from None
            if i == _DONE:
                del self.open[conn]
                conn.close()
            elif error is not None:
                error.__cause__ = RemoteTraceback(text)
                self.failed = True
                self.done[i] = (None, error)
            else:
                labels, dtype, errors, seconds = sent
                labels = self.job.board.take(i, dtype) if labels is None else labels
                self.done[i] = (ChunkResult(labels, errors, seconds), None)
