"""Rows whose id is missing (a CSV's empty field, a Parquet or JSON null, a JSON line without
the key, None / NaN / pandas' NA / "" in a DataFrame): `lf label`, `lf apply` and `lf sample`
say how many and where, once, where the ids are read (a later join by id cannot find those
rows: their labels would be lost or their hand labels not come back)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
LFS = ROOT / "labeling_functions" / "demo_spam.py"
GONE = (3, 130, 250)  # positions of the rows without an id (three chunks of 100)


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def _rows() -> pd.DataFrame:
    rows = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(300)
    rows["id"] = [f"c{i}" for i in range(len(rows))]
    return rows


def _write(rows: pd.DataFrame, path: Path) -> Path:
    """``rows`` with no id at GONE, as the format writes a missing value."""
    if path.suffix == ".csv":
        rows.loc[list(GONE), "id"] = ""  # an empty field
        rows.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        rows["id"] = rows["id"].astype(object)
        rows.loc[list(GONE), "id"] = None  # a null
        rows.to_parquet(path, index=False)
    else:
        with path.open("w", encoding="utf-8") as f:
            for i, rec in enumerate(rows.to_dict("records")):
                if i == GONE[0]:
                    rec["id"] = None  # null
                elif i in GONE:
                    del rec["id"]  # no key
                f.write(json.dumps(rec) + "\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
@pytest.mark.parametrize("command", ["label", "apply", "sample"])
def test_data_with_rows_without_an_id_is_warned_about_once(tmp_path: Path, capsys, suffix: str, command: str):
    data = _write(_rows(), tmp_path / f"data{suffix}")
    out = tmp_path / ("out.csv" if command == "sample" else "out.parquet")
    extra = ["--model", "mv", "-n", "20"] if command == "sample" else []
    code, err = run(capsys, command, data, "--lfs", LFS, "-o", out, "--chunk-size", "100", "--no-progress", *extra)
    assert code == 0 and out.exists()
    said = [line for line in err.splitlines() if "'id' is empty on" in line]
    assert len(said) == 1, err
    assert "The data's id column 'id' is empty on 3 rows (positions 3, 130, 250, counted from 0)" in said[0]
    assert "Give every row an id" in said[0]


def test_a_dataframes_missing_ids_of_every_kind_are_counted(tmp_path: Path):
    rows = _rows().head(12).astype(object)
    for at, value in zip((1, 4, 7, 9), (None, np.nan, pd.NA, "")):
        rows.loc[at, "id"] = value
    with pytest.warns(UserWarning, match=r"'id' is empty on 4 rows \(positions 1, 4, 7, 9, counted from 0\)"):
        L = lf.apply(lf.load_lfs(LFS), rows, progress=False, chunk_size=5)
    assert L.n == 12


def test_many_missing_ids_show_the_first_five_positions():
    rows = _rows().head(40).astype(object)
    rows.loc[rows.index[10:], "id"] = None
    with pytest.warns(UserWarning, match=r"empty on 30 rows \(positions 10, 11, 12, 13, 14, \.\.\., counted"):
        lf.apply(lf.load_lfs(LFS), rows, progress=False, chunk_size=7)


def test_rows_picked_without_an_id_are_named_by_sample(tmp_path: Path):
    from lf.models import MajorityVoter
    from lf.sample import sample

    rows = _rows().head(50)
    L = lf.apply(lf.load_lfs(LFS), rows, progress=False)
    L = lf.LabelMatrix(L.array, names=L.names, cardinality=L.cardinality, row_ids=np.array([None] * 50, dtype=object))
    rows["id"] = None
    with pytest.warns(UserWarning, match=r"at rows picked, is empty on 5 rows"):
        frame = sample(L, rows, n=5, strategy="mixed", model=MajorityVoter().fit(L), seed=0)
    assert frame["id"].isna().all()


def test_ids_present_on_every_row_give_no_warning(tmp_path: Path, capsys):
    data = tmp_path / "data.csv"
    _rows().to_csv(data, index=False)
    code, err = run(capsys, "apply", data, "--lfs", LFS, "-o", tmp_path / "L.parquet", "--no-progress")
    assert code == 0 and "warning" not in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_predictions_for_rows_without_an_id_are_warned_about(tmp_path: Path, capsys, suffix: str):
    # lf label said it; lf predict wrote predictions with empty ids without a word
    pytest.importorskip("sklearn")
    data, labels, model = tmp_path / "data.csv", tmp_path / "labels.parquet", tmp_path / "model"
    _rows().to_csv(data, index=False)
    assert run(capsys, "label", data, "--lfs", LFS, "-o", labels, "--no-progress")[0] == 0
    assert run(capsys, "train", data, "--labels", labels, "-o", model, "--C", "1", "--no-progress")[0] == 0
    unnamed = _write(_rows(), tmp_path / f"new{suffix}")
    code, err = run(capsys, "predict", model, unnamed, "-o", tmp_path / "pred.csv", "--chunk-size", "100", "--no-progress")
    assert code == 0
    said = [line for line in err.splitlines() if "is empty on" in line]
    assert len(said) == 1 and "id column is empty on 3 rows (positions 3, 130, 250, counted from 0)" in said[0], err
    assert "a join of the predictions to the data by id cannot find them" in said[0]
