"""The pool engine on rows all in memory: the caller labels chunks beside n_jobs - 1 forked
workers, with the pool's results, errors and process handling."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest

import lf
from lf import ABSTAIN, LabelingFunction
from lf.apply.kernel import Task
from lf.apply.pool import PoolEngine
from lf.apply.run import InMemory, adapted_chunk_size, steady_chunk_size
from lf.apply.settings import Settings
from lf.errors import LFRuntimeError, WorkerError

N = 4_000  # default chunk_size: 8 chunks of 500 rows for two jobs, 12 of 334 for three


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"id": [f"r{i}" for i in range(N)], "text": [f"row {i}" for i in range(N)], "n": np.arange(N)})


def _children() -> set[psutil.Process]:
    return set(psutil.Process().children(recursive=True))


@pytest.fixture(autouse=True)
def no_new_process() -> Iterator[None]:
    """Every test leaves no process behind: each worker has exited and was waited for
    (processes that other tests started, a multiprocessing resource tracker say, stay)."""
    before = _children()
    yield
    assert _children() <= before


def _marking(folder: Path) -> LabelingFunction:
    """An LF that leaves a file named after the process labeling each row's chunk."""

    def mark(x):  # type: ignore[no-untyped-def]
        (folder / f"{os.getpid()}-{x.n // 500 if x.n % 500 == 0 else 'x'}").touch()
        return int(x.n % 3 == 0)

    return LabelingFunction("mark", mark)


@pytest.mark.parametrize("n_jobs", [2, 3])
def test_the_caller_labels_chunks_beside_n_jobs_minus_one_workers(tmp_path: Path, n_jobs: int) -> None:
    df, before = _frame(), _children()
    L = lf.apply([_marking(tmp_path)], df, n_jobs=n_jobs, progress=False)
    assert _children() <= before  # every worker has exited, and was waited for, on return
    assert L.array[:, 0].tolist() == (np.arange(N) % 3 == 0).astype(int).tolist()
    pids = {int(p.name.split("-")[0]) for p in tmp_path.iterdir()}
    assert os.getpid() in pids  # this process labeled rows, instead of waiting
    assert len(pids) == n_jobs  # and each of the n_jobs - 1 workers did too


def test_one_chunk_is_labeled_here_without_a_fork(tmp_path: Path) -> None:
    df = _frame().iloc[:1]
    L = lf.apply([_marking(tmp_path)], df, n_jobs=2, progress=False)
    assert L.array.tolist() == [[1]]
    assert [p.name for p in tmp_path.iterdir()] == [f"{os.getpid()}-0"]


def _lfs() -> list[LabelingFunction]:
    def words(x):  # type: ignore[no-untyped-def]
        if x.n in (7, 1_203):
            raise ValueError(f"bad row {x.id}")
        return 1 if x.n % 2 else ABSTAIN

    return [
        LabelingFunction("words", words),
        LabelingFunction("tens", lambda x: 0 if x.n % 10 == 0 else ABSTAIN),
        lf.keyword_lf("kw", ["row 1"], 1),
    ]


def test_matrix_errors_and_ids_equal_one_process() -> None:
    df = _frame()
    one = lf.apply(_lfs(), df, on_error="abstain", progress=False)
    two = lf.apply(_lfs(), df, on_error="abstain", n_jobs=2, progress=False)
    assert np.array_equal(one.array, two.array) and one.array.dtype == two.array.dtype
    assert one.errors.tolist() == two.errors.tolist() == [2, 0, 0]
    assert two.row_ids.tolist() == df["id"].tolist()
    assert (two.seconds > 0).all()


def test_an_error_is_raised_in_its_chunks_turn() -> None:
    """Chunk 3 (rows 1500..) fails at once, in whichever process; chunk 1 (the worker's
    first) fails later in time but first in order: its error is the one raised."""
    parent = os.getpid()

    def late_or_early(x):  # type: ignore[no-untyped-def]
        if x.n == 600:
            if os.getpid() != parent:
                time.sleep(0.5)  # the other chunks are done by then
            raise ValueError(f"first in order, {x.id}")
        if x.n == 1_600:
            raise ValueError(f"first in time, {x.id}")
        return ABSTAIN

    with pytest.raises(LFRuntimeError) as info:
        lf.apply([LabelingFunction("order", late_or_early)], _frame(), n_jobs=2, progress=False)
    assert "'order' raised on row 600 (id 'r600')" in str(info.value)
    assert "ValueError: first in order, r600" in str(info.value)
    assert "ValueError: first in order" in str(info.value.__cause__)  # the worker's traceback


def test_a_worker_killed_mid_run_is_a_worker_error_naming_it() -> None:
    parent = os.getpid()

    def dies(x):  # type: ignore[no-untyped-def]
        if x.n == 700 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
        return ABSTAIN

    with pytest.raises(WorkerError, match=r"pool worker pid \d+ was killed by signal 9 \(SIGKILL -- e.g. out of memory\)"):
        lf.apply([LabelingFunction("dies", dies)], _frame(), n_jobs=2, progress=False)


def _slow_run() -> tuple[Iterator[Any], list[psutil.Process]]:
    """A run whose worker would take 25 s a chunk, and that worker."""

    def slow(x):  # type: ignore[no-untyped-def]
        if x.n >= 500:
            time.sleep(0.05)  # only a terminated worker ends in time
        return ABSTAIN

    df = _frame()
    tasks = InMemory(Task(i, df.iloc[i : i + 500]) for i in range(0, N, 500))
    before = _children()
    results = PoolEngine(2).map_chunks([LabelingFunction("slow", slow)], tasks, Settings())
    workers = list(_children() - before)
    assert len(workers) == 1
    return results, workers


def test_a_run_stopped_early_terminates_its_workers() -> None:
    """The consumer stops after the first chunk: the worker still labeling is terminated."""
    results, workers = _slow_run()
    assert next(results).labels.shape == (500, 1)  # chunk 0, labeled here
    started = time.monotonic()
    results.close()  # type: ignore[attr-defined]  # as when lf.label fails writing a chunk, or on Ctrl-C
    assert time.monotonic() - started < 5
    assert not workers[0].is_running()  # terminated, and waited for


def test_results_dropped_before_the_first_one_leave_no_process() -> None:
    """A generator that never started runs no ``finally``: results dropped before the first
    was taken (Ctrl-C while the progress bar starts) left the worker labeling its chunk,
    then unreaped, until this process ended."""
    results, workers = _slow_run()
    started = time.monotonic()
    del results  # never iterated
    assert time.monotonic() - started < 5
    assert not workers[0].is_running()  # terminated, and waited for (a zombie is "running")


def test_the_cache_stores_and_reuses_what_every_process_labeled(tmp_path: Path) -> None:
    df = _frame()
    first = lf.apply(_lfs()[1:], df, n_jobs=2, cache=tmp_path / "cache", progress=False)
    again = lf.apply(_lfs()[1:], df, n_jobs=2, cache=tmp_path / "cache", progress=False)
    chunks = -(-len(df) // steady_chunk_size(20_000, adapted_chunk_size(20_000, len(df), 2)))  # 4,000 rows: 13
    assert first.cache_stats.computed == 2 * chunks and first.cache_stats.reused == 0
    assert again.cache_stats.reused == 2 * chunks and again.cache_stats.computed == 0
    assert np.array_equal(first.array, again.array)
    assert np.array_equal(first.array, lf.apply(_lfs()[1:], df, progress=False).array)


def test_workers_are_forked_before_the_progress_bar_starts_its_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread running at a fork can leave a lock held forever in the child."""
    import threading

    threads_at_fork = []
    fork = os.fork

    def counting_fork() -> int:
        threads_at_fork.append(threading.active_count())
        return fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    df = _frame()
    running = threading.active_count()  # another test's threads (Dask's, say) may still run
    L = lf.apply(_lfs()[1:], df, n_jobs=3, progress=True)
    monkeypatch.undo()
    assert np.array_equal(L.array, lf.apply(_lfs()[1:], df, progress=False).array)
    assert threads_at_fork == [running, running]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freeing shared pages (MADV_REMOVE) is Linux's")
def test_the_labels_board_frees_each_chunk_once_taken() -> None:
    """Workers leave labels in shared memory; the caller copies them out and frees their
    pages, so a large in-memory input does not hold its matrix twice."""
    import mmap

    from lf.apply.inline import _Board

    df = _frame()
    tasks = [Task(i, df.iloc[i : i + size]) for i, size in ((0, 1_000), (1_000, 7), (1_007, 2_993))]
    board = _Board(tasks, 3)
    try:
        assert all(start % mmap.PAGESIZE == 0 for start in board.starts)
        sent = [np.arange(len(t.chunk) * 3, dtype=np.int16).reshape(-1, 3) % 100 for t in tasks]
        for i, labels in enumerate(sent):
            assert board.put(i, labels) is None
        assert np.array_equal(board.take(1, "<i2"), sent[1])
        first = board.starts[1]
        assert board.memory[first : first + 42] == bytes(42)  # freed: reads as zeros now
        assert np.array_equal(board.take(0, "<i2"), sent[0]) and np.array_equal(board.take(2, "<i2"), sent[2])
    finally:
        board.close()
