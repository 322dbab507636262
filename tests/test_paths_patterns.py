"""Outputs stay out of the glob patterns a run reads: `lf label 'shards/*.parquet' -o
shards/labels.parquet` made the next run over the pattern read the labels as data."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import ParameterError
from lf.label import label
from lf.paths import glob_matches

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"

FILES = ["a.parquet", "b.csv", ".hidden.parquet", "sub/c.parquet", "sub/deep/d.parquet", ".dot/e.parquet", "sub/.f.parquet"]
PATTERNS = ["*.parquet", "*", "sub/*.parquet", "**/*.parquet", "**", "sub/**/*.parquet", "?.csv", "[ab].*", ".*",
            "*/*.parquet", "sub/deep/*", "**/d.parquet", "./sub/../*.parquet"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_glob_matches_says_what_glob_would_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name in FILES:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("x")
    listed = {os.path.abspath(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file()}
    for name in FILES:  # glob itself is the oracle, for paths given relative and absolute
        assert glob_matches(pattern, name) == (os.path.abspath(name) in listed), (pattern, name)
        assert glob_matches(str(tmp_path / pattern), tmp_path / name) == (os.path.abspath(name) in listed), (pattern, name)


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    frame = pd.read_csv(DEMO)
    folder = tmp_path / "shards"
    folder.mkdir()
    frame.iloc[:1000].to_parquet(folder / "a.parquet")
    frame.iloc[1000:].to_parquet(folder / "b.parquet")
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    "args",
    [
        ["label", "{p}", "-o", "{d}/labels.parquet"],
        ["label", "{p}", "-o", "{t}/labels.csv", "--matrix", "{d}/L.parquet"],
        ["apply", "{p}", "-o", "{d}/L.parquet"],
        ["apply", "{r}", "-o", "{d}/sub/L.parquet"],
    ],
)
def test_the_cli_refuses_an_output_its_data_pattern_matches_before_any_work(
    tmp_path: Path, shards: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    (shards / "sub").mkdir()
    before = _snapshot(shards)
    filled = [a.format(p=shards / "*.parquet", r=shards / "**" / "*.parquet", d=shards, t=tmp_path) for a in args]
    assert main([*filled, "--lfs", str(DEMO_LFS)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "matches the pattern DATA" in err and "would read the output as data" in err
    assert _snapshot(shards) == before and not (tmp_path / "labels.csv").exists()
    assert not list((shards / "sub").iterdir())


def test_an_output_beside_the_data_that_the_pattern_misses_is_written(tmp_path: Path, shards: Path) -> None:
    assert main(["label", str(shards / "*.parquet"), "--lfs", str(DEMO_LFS), "-o", str(shards / "labels.csv")]) == 0
    assert len(pd.read_csv(shards / "labels.csv")) == 2000


def test_lf_label_refuses_an_output_its_data_or_dev_pattern_matches(tmp_path: Path, shards: Path) -> None:
    lfs = lf.load_lfs(DEMO_LFS)
    before = _snapshot(shards)
    with pytest.raises(ParameterError, match=r"`output` .*labels.parquet' matches the pattern `data` '.*\*.parquet'"):
        label(lfs, str(shards / "*.parquet"), output=shards / "labels.parquet")
    with pytest.raises(ParameterError, match=r"`matrix` .* matches the pattern `dev`"):
        label(lfs, DEMO, output=tmp_path / "labels.parquet", matrix=shards / "L.parquet", dev=str(shards / "*.parquet"),
              dev_gold="label", model="auto")
    assert _snapshot(shards) == before and not (tmp_path / "labels.parquet").exists()


def test_sample_and_predict_refuse_an_output_their_data_pattern_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `lf sample 'data/*.csv' -o data/to_label.csv` wrote rows with `id` and `text` where the
    # next run over the pattern read them as data: the sampled rows twice, silently
    folder = tmp_path / "data"
    folder.mkdir()
    frame = pd.read_csv(DEMO)
    frame.iloc[:600].to_csv(folder / "a.csv", index=False)
    frame.iloc[600:].to_csv(folder / "b.csv", index=False)
    labels, model = tmp_path / "labels.parquet", tmp_path / "model"
    assert main(["label", str(folder / "*.csv"), "--lfs", str(DEMO_LFS), "-o", str(labels), "--no-progress"]) == 0
    assert main(["train", str(folder / "*.csv"), "--labels", str(labels), "-o", str(model), "--C", "1"]) == 0
    capsys.readouterr()
    before = _snapshot(folder)
    for args in (["sample", str(folder / "*.csv"), "--lfs", str(DEMO_LFS), "-o", str(folder / "to_label.csv")],
                 ["predict", str(model), str(folder / "*.csv"), "-o", str(folder / "predicted.csv")]):
        assert main(args) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert "matches the pattern DATA" in err and "would read the output as data" in err
        assert _snapshot(folder) == before
