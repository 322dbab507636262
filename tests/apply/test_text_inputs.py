"""Text files (CSV/TSV/JSONL) have no row count up front: it is estimated from their size."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.run import adapted_chunk_size
from lf.corpus import Corpus


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    words = np.array(["free", "money", "hello", "song", "a rather longer comment, with a comma"])
    return pd.DataFrame({"id": np.arange(n), "text": [" ".join(rng.choice(words, 3)) for _ in range(n)]})


def _write(df: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:
        df.to_csv(path, index=False, sep="\t" if path.suffix == ".tsv" else ",")
    return path


@pytest.mark.parametrize("name", ["c.csv", "c.tsv", "c.jsonl"])
@pytest.mark.parametrize("n", [500, 12_000, 60_000])
def test_the_row_estimate_of_a_text_file_is_close(tmp_path: Path, name: str, n: int):
    corpus = Corpus(_write(_frame(n), tmp_path / name))
    assert corpus.n_rows() is None  # not known without reading the file
    estimate = corpus.estimated_rows()
    assert estimate is not None and abs(estimate - n) <= 0.05 * n


def test_several_files_are_estimated_together(tmp_path: Path):
    paths = [_write(_frame(4_000), tmp_path / f"p{i}.csv") for i in range(3)]
    estimate = Corpus([str(p) for p in paths]).estimated_rows()
    assert estimate is not None and abs(estimate - 12_000) <= 600


def test_compressed_and_headless_files_have_no_estimate(tmp_path: Path):
    gz = tmp_path / "c.csv.gz"
    _frame(1_000).to_csv(gz, index=False)
    assert Corpus(gz).estimated_rows() is None  # its size says nothing about its rows
    header_only = tmp_path / "h.csv"
    header_only.write_text("id,text\n")
    assert Corpus(header_only).estimated_rows() is None


def test_a_small_csv_is_cut_for_every_worker(tmp_path: Path):
    path = _write(_frame(12_000), tmp_path / "c.csv")
    size = adapted_chunk_size(20_000, Corpus(path).estimated_rows(), 2)
    assert 1_400 <= size <= 1_600  # four chunks per worker, not one chunk of all 12,000 rows
    assert len(list(Corpus(path).chunks(size))) >= 4


def test_a_small_csv_is_labeled_by_both_pool_workers(tmp_path: Path):
    seen = tmp_path / "pids"
    seen.mkdir()
    path = _write(_frame(12_000), tmp_path / "c.csv")

    @lf.labeling_function()
    def mark(x):
        (seen / str(os.getpid())).touch()
        return 1 if "free" in x.text else lf.ABSTAIN

    L2 = lf.apply([mark], path, n_jobs=2, progress=False)  # default chunk_size 20,000 > 12,000 rows
    assert len(list(seen.iterdir())) == 2, "one of the two workers got no rows"
    L1 = lf.apply([mark], path, n_jobs=1, progress=False)
    assert np.array_equal(L1.array, L2.array) and L2.n == 12_000
