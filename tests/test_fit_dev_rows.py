"""`lf fit --model auto --dev`: dev rows that are the training rows themselves are said to be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
SAME = (
    "--dev holds the rows of the training matrix (the same texts, in the same order): each model was fitted on "
    "their votes before being scored on them, so the dev scores are not held out."
)


@pytest.mark.filterwarnings("default:.*the dev scores are not held out:UserWarning")  # printed, not raised
def test_a_dev_matrix_of_the_training_rows_is_said_to_be_and_other_rows_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(DEMO, keep_default_na=False)
    frame.iloc[:300].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[300:600].to_csv(tmp_path / "dev.csv", index=False)
    for name in ("train", "dev"):
        assert main(["apply", str(tmp_path / f"{name}.csv"), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / f"{name}.parquet")]) == 0
    shutil.copy(tmp_path / "train.parquet", tmp_path / "copy.parquet")
    capsys.readouterr()

    def fit(dev: str, dev_data: str) -> str:
        code = main(["fit", str(tmp_path / "train.parquet"), "--model", "auto", "--dev", str(tmp_path / dev),
                     "--dev-gold", "label", "--dev-data", str(tmp_path / dev_data), "-o", str(tmp_path / "m.json")])
        err = " ".join(capsys.readouterr().err.split())
        assert code == 0, err
        return err

    # Before: the dev scores were printed as if the rows were held out.
    assert f"warning: {SAME}" in fit("copy.parquet", "train.csv")
    assert "not held out" not in fit("dev.parquet", "dev.csv")


def test_a_dev_matrix_named_by_another_id_column_is_matched_with_id_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # lf apply --id-column author made the dev matrix; lf fit had no --id-column, and its
    # error told the user to give one
    frame = pd.read_csv(DEMO, keep_default_na=False).drop_duplicates("author")
    frame.iloc[:200].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[200:300].to_csv(tmp_path / "dev.csv", index=False)
    for name in ("train", "dev"):
        argv = ["apply", str(tmp_path / f"{name}.csv"), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / f"{name}.parquet")]
        assert main([*argv, "--id-column", "author"]) == 0
    capsys.readouterr()
    argv = ["fit", str(tmp_path / "train.parquet"), "--model", "auto", "--dev", str(tmp_path / "dev.parquet"),
            "--dev-gold", "label", "--dev-data", str(tmp_path / "dev.csv"), "-o", str(tmp_path / "m.json")]
    assert main(argv) == 2
    assert "with --id-column if the matrix's ids come from another column than 'id'" in capsys.readouterr().err
    code = main([*argv, "--id-column", "author"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "m.json").exists()
