"""`--id-column` naming the text column itself: `lf label` takes it (each text is its row's id),
and so do the commands that read the ids back, instead of stopping with an internal error
(the column was read twice: a frame of two columns where one was expected)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "sample", "rows"])
def test_texts_as_ids_are_read_back_by_every_command(tmp_path: Path, capsys, command: str):
    data = tmp_path / "data.csv"
    pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(200).drop(columns="id").to_csv(data, index=False)
    common = ["--id-column", "text"]
    if command == "train":
        pytest.importorskip("sklearn")
        labels = tmp_path / "labels.parquet"
        assert run(capsys, "label", data, "--lfs", LFS, "-o", labels, "--no-progress", *common)[0] == 0
        code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1", "--no-progress", *common)
        assert code == 0 and "trained on" in err, err
    elif command == "sample":
        out = tmp_path / "s.csv"
        code, err = run(capsys, "sample", data, "--lfs", LFS, "-o", out, "--model", "mv", "-n", "5", "--no-progress", *common)
        assert code == 0, err
        got = pd.read_csv(out, keep_default_na=False, dtype=str)
        assert len(got) == 5 and (got["id"] == got["text"]).all()
    else:
        code, err = run(capsys, "rows", data, "--lfs", LFS, "-n", "2", "--no-progress", *common)
        assert code == 0, err
        assert "internal error" not in err
