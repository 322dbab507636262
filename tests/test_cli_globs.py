"""Every command takes DATA as a glob, as `lf label` and `lf.apply` do, and checks its files.

Only `lf label` expanded the pattern before its checks; `lf apply`, `lf sample`, `lf rows`
and the others stopped with "Data file not found: 'shards/*.csv'" although README documents
globs. The files a pattern matches are inputs too: an output among them is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main

LFS = """
from lf import ABSTAIN, labeling_function

@labeling_function()
def spam(x):
    return 1 if "buy" in x.text else ABSTAIN

@labeling_function()
def ham(x):
    return 0 if "hi" in x.text else ABSTAIN
"""


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    folder.mkdir()
    pd.DataFrame({"id": [1, 2], "text": ["hi there", "buy now"]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"id": [3, 4, 5], "text": ["hi", "buy buy", "meh"]}).to_parquet(folder / "b.parquet")
    (tmp_path / "lfs.py").write_text(LFS)
    return folder


def test_apply_reads_a_glob_like_the_library(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = shards.parent / "L.npz"
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    expected = lf.apply(lf.load_lfs(str(shards.parent / "lfs.py")), [shards / "a.parquet", shards / "b.parquet"])
    saved = lf.LabelMatrix.load(out)
    assert np.array_equal(saved, expected)
    assert saved.row_ids is not None and saved.row_ids.tolist() == [1, 2, 3, 4, 5]


def test_an_output_among_the_files_of_a_glob_is_refused(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = shards / "b.parquet"
    before = target.read_bytes()
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "is the input DATA" in err and err.count("\n") == 1
    assert target.read_bytes() == before


def test_rows_reads_a_glob(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rows", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "--lf", "spam"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "buy now" in out.out and "buy buy" in out.out


def test_a_glob_matching_nothing_is_one_line(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.csv"), "-o", str(shards / "L.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "matches no data file" in err
