"""Small inputs still use every worker: the chunk size adapts to the row count."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.run import adapted_chunk_size


def test_chunks_shrink_so_every_worker_gets_four():
    assert adapted_chunk_size(20_000, 30_000, 2) == 3_750
    assert adapted_chunk_size(20_000, 3, 2) == 1
    assert adapted_chunk_size(20_000, 10_000_000, 2) == 20_000  # bounded for memory
    assert adapted_chunk_size(20_000, 30_000, 1) == 20_000  # one process: no need
    assert adapted_chunk_size(20_000, None, 2) == 20_000  # unknown size (CSV): as asked


def test_a_small_frame_is_labeled_by_both_pool_workers(tmp_path: Path):
    seen = tmp_path / "pids"
    seen.mkdir()

    @lf.labeling_function()
    def mark(x):
        (seen / str(os.getpid())).touch()
        return int(x.n % 2)

    df = pd.DataFrame({"n": np.arange(3_000)})
    L = lf.apply([mark], df, n_jobs=2, progress=False)  # default chunk_size 20,000 > 3,000 rows
    assert L.array[:, 0].tolist() == (np.arange(3_000) % 2).tolist()
    assert len(list(seen.iterdir())) == 2, "one of the two workers got no rows"


def test_rows_added_to_the_data_leave_the_cached_chunks_of_a_pool_run_reusable(tmp_path: Path):
    # the adapted size follows the row count: 3,000 rows gave chunks of 375, 3,100 of 388,
    # so every chunk boundary moved and nothing cached was reused
    @lf.labeling_function()
    def odd(x):
        return int(x.n % 2)

    data = tmp_path / "d.parquet"
    pd.DataFrame({"n": np.arange(3_000)}).to_parquet(data)
    first = lf.apply([odd], str(data), n_jobs=2, progress=False, cache=tmp_path / "cache")
    assert first.cache_stats.computed >= 8  # every worker still gets several chunks
    pd.DataFrame({"n": np.arange(3_100)}).to_parquet(data)
    again = lf.apply([odd], str(data), n_jobs=2, progress=False, cache=tmp_path / "cache")
    assert again.array[:, 0].tolist() == (np.arange(3_100) % 2).tolist()
    assert again.cache_stats.reused >= first.cache_stats.computed - 1  # all but the last chunk


SENT: list[int] = []  # how many Sent values the parent pickled


class Sent:
    """A cell value that counts how often the parent pickles it (to send it to a worker)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __reduce__(self):  # type: ignore[no-untyped-def]
        SENT.append(self.n)
        return (Sent, (self.n,))

    def __deepcopy__(self, memo):  # type: ignore[no-untyped-def]
        return Sent(self.n)  # the kernel's private copy for the LF, in whichever process labels


@lf.labeling_function()
def parity(x):
    return int(x.box.n % 2)


def test_rows_in_memory_reach_the_workers_by_fork_not_by_pickle():
    """Sending a chunk through the executor's queue cost more than labeling it: rows in
    memory are inherited at the fork, all of them up to MAX_CHUNKS chunks (no process pool
    then starts), else the first 4 * n_jobs, and the later ones are sent."""
    from lf.apply.inline import MAX_CHUNKS

    df = pd.DataFrame({"box": [Sent(i) for i in range(4_000)]})
    SENT.clear()
    L = lf.apply([parity], df, n_jobs=2, progress=False)  # 8 chunks of 500: all inherited
    assert L.array[:, 0].tolist() == (np.arange(4_000) % 2).tolist()
    assert SENT == []
    L = lf.apply([parity], df, n_jobs=2, chunk_size=10, progress=False)  # 400 chunks: all inherited
    assert L.array[:, 0].tolist() == (np.arange(4_000) % 2).tolist()
    assert SENT == []
    n = MAX_CHUNKS + 4
    df = pd.DataFrame({"box": [Sent(i) for i in range(n)]})
    L = lf.apply([parity], df, n_jobs=2, chunk_size=1, progress=False)  # too many: 8 inherited
    assert L.array[:, 0].tolist() == (np.arange(n) % 2).tolist()
    assert sorted(SENT) == list(range(8, n))


def test_only_rows_in_memory_are_taken_ahead_of_the_fork(tmp_path: Path):
    """Reading a file ahead would leave pyarrow's reader threads running at the fork."""
    from lf.apply.local import LocalEngine
    from lf.apply.run import InMemory

    class Spy(LocalEngine):
        seen: ClassVar[list[bool]] = []

        def map_chunks(self, lfs, chunks, settings):  # type: ignore[no-untyped-def]
            self.seen.append(isinstance(chunks, InMemory))
            return super().map_chunks(lfs, chunks, settings)

    df = pd.DataFrame({"box": [Sent(i) for i in range(10)]})
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": ["a", "b"]}).to_csv(path, index=False)

    @lf.labeling_function()
    def one(x):
        return 1

    lf.apply([parity], df, engine=Spy(), progress=False)
    lf.apply([one], str(path), engine=Spy(), progress=False)
    lf.apply([one], iter([pd.DataFrame({"text": ["a"]})]), engine=Spy(), progress=False)
    assert Spy.seen == [True, False, False]


def test_small_files_are_read_whole_before_a_pool_starts(tmp_path: Path):
    """With several workers, files that fit in the chunks a pool keeps in flight anyway are
    read to their end first, so the workers can inherit the chunks at the fork (the file
    may then even be gone); larger files stay streamed after the engine starts."""
    from lf.apply.local import LocalEngine
    from lf.apply.run import InMemory

    class TwoJobs(LocalEngine):
        n_jobs = 2
        seen: ClassVar[list[bool]] = []

        def map_chunks(self, lfs, chunks, settings):  # type: ignore[no-untyped-def]
            self.seen.append(isinstance(chunks, InMemory))
            if isinstance(chunks, InMemory):
                os.remove(path)  # every row is in memory already
            return super().map_chunks(lfs, chunks, settings)

    @lf.labeling_function()
    def odd(x):
        return int(int(x.text) % 2)

    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": [str(i) for i in range(100)]}).to_csv(path, index=False)
    L = lf.apply([odd], str(path), engine=TwoJobs(), progress=False)
    assert L.array[:, 0].tolist() == [i % 2 for i in range(100)]
    assert len(L) == 100
    pd.DataFrame({"text": [str(i) for i in range(100)]}).to_csv(path, index=False)
    L = lf.apply([odd], str(path), engine=TwoJobs(), chunk_size=10, progress=False)  # 10 chunks > 4
    assert L.array[:, 0].tolist() == [i % 2 for i in range(100)]
    assert TwoJobs.seen == [True, False]


def test_a_small_csv_gives_the_pool_the_same_matrix(tmp_path: Path):
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": [f"row {i}" for i in range(3_000)]}).to_csv(path, index=False)

    @lf.labeling_function()
    def pid_free(x):
        return int(x.text.endswith(("1", "3", "5", "7", "9")))

    one = lf.apply([pid_free], str(path), progress=False)
    two = lf.apply([pid_free], str(path), n_jobs=2, progress=False)
    assert np.array_equal(one.array, two.array)
    assert one.array[:, 0].sum() == 1_500



def test_side_columns_are_read_when_their_chunk_is_done_not_when_it_is_taken(monkeypatch: pytest.MonkeyPatch):
    """An engine may take every chunk of a frame before labeling (the pool does, to let its
    workers inherit them): a chunk's ids are read only when its result comes, so the run
    never holds every chunk's ids as Python objects at once."""
    from lf.apply.local import LocalEngine

    read: list[int] = []  # rows of the id column turned into Python objects so far
    original = pd.Series.tolist

    def counting(self: pd.Series) -> list[object]:
        values = original(self)
        if self.name == "id":
            read.append(len(values))
        return values

    class TakesAll(LocalEngine):
        read_before: ClassVar[int] = -1

        def map_chunks(self, lfs, chunks, settings):  # type: ignore[no-untyped-def]
            tasks = list(chunks)  # all of them, before any result
            TakesAll.read_before = sum(read)
            return (settings.label(lfs, task) for task in tasks)

    df = pd.DataFrame({"box": [Sent(i) for i in range(1_000)], "id": [f"r{i}" for i in range(1_000)]})
    monkeypatch.setattr(pd.Series, "tolist", counting)
    L = lf.apply([parity], df, engine=TakesAll(), chunk_size=100, id_column="id", progress=False)
    monkeypatch.undo()
    assert TakesAll.read_before == 0
    assert L.row_ids is not None and L.row_ids.tolist() == df["id"].tolist()
