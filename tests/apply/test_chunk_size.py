"""Small inputs still use every worker: the chunk size adapts to the row count."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

import lf
from lf.apply.run import adapted_chunk_size


def test_chunks_shrink_so_every_worker_gets_two():
    assert adapted_chunk_size(20_000, 30_000, 2) == 7_500
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
