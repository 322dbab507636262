"""`lf report L.parquet --data DATA --gold COLUMN`: the gold labels are those of the matrix's
own rows. DATA shuffled, or another file of as many rows, is an error, not a wrong accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

LFS = """from lf import keyword_lf
LABELS = ["HAM", "SPAM"]
free = keyword_lf("free", ["free"], 1)
song = keyword_lf("song", ["song"], 0)
"""


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, pd.DataFrame, Path]:
    rows = [{"id": f"r{i}", "text": "free money" if i % 2 else "great song", "gold": "SPAM" if i % 2 else "HAM"} for i in range(60)]
    frame = pd.DataFrame(rows)
    data, module, matrix = tmp_path / "data.csv", tmp_path / "lfs.py", tmp_path / "L.parquet"
    frame.to_csv(data, index=False)
    module.write_text(LFS, encoding="utf-8")
    assert main(["apply", str(data), "--lfs", str(module), "-o", str(matrix), "--no-progress"]) == 0
    return matrix, frame, tmp_path


def _report(capsys: pytest.CaptureFixture[str], matrix: Path, data: Path, *extra: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["report", str(matrix), "--data", str(data), "--gold", "gold", "--json", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_data_the_matrix_was_made_from_scores_every_lf_right(made, capsys) -> None:
    matrix, _, tmp = made
    code, out, err = _report(capsys, matrix, tmp / "data.csv")
    assert code == 0, err
    assert [lf["emp_acc"] for lf in json.loads(out)["lfs"]] == [1.0, 1.0]


def test_shuffled_data_is_refused_naming_the_first_row_that_differs(made, capsys) -> None:
    matrix, frame, tmp = made
    shuffled = tmp / "shuffled.csv"
    frame.iloc[::-1].to_csv(shuffled, index=False)
    code, out, err = _report(capsys, matrix, shuffled)
    assert code == 2 and out == ""
    assert "--data row 0 has id 'r59' where the label matrix has 'r0'" in err and "same order" in err


def test_data_without_the_ids_is_refused(made, capsys) -> None:
    matrix, frame, tmp = made
    no_ids = tmp / "no_ids.csv"
    frame.drop(columns="id").iloc[::-1].to_csv(no_ids, index=False)
    code, _, err = _report(capsys, matrix, no_ids)
    assert code == 2 and "names its rows by id, but --data has no 'id' column" in err
    renamed = tmp / "renamed.csv"
    frame.rename(columns={"id": "key"}).to_csv(renamed, index=False)
    assert _report(capsys, matrix, renamed, "--id-column", "key")[0] == 0  # the ids under another name
