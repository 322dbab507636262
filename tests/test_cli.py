"""The `lf` command line: real files in, real files out, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lf_module(tmp_path: Path) -> Path:
    path = tmp_path / "my_lfs.py"
    path.write_text(
        "from lf import ABSTAIN, keyword_lf, labeling_function\n"
        "LABELS = ['HAM', 'SPAM']\n"
        "promo = keyword_lf('promo', ['subscribe', 'channel'], 1)\n"
        "@labeling_function()\n"
        "def short(x):\n"
        "    return 0 if len(x.text) < 30 else ABSTAIN\n"
        "@labeling_function()\n"
        "def fragile(x):\n"
        "    if 'free' in x.text:\n"
        "        raise ValueError('cannot judge free stuff')\n"
        "    return ABSTAIN\n"
    )
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    df = pd.DataFrame(
        {
            "body": ["please subscribe", "nice song", "free stuff at my channel", "a long comment about the chorus ok"],
            "gold": ["SPAM", "HAM", "SPAM", "HAM"],
            "key": ["a", "b", "c", "d"],
        }
    )
    path = tmp_path / "corpus.parquet"
    df.to_parquet(path)
    return path


def test_apply_writes_matrix_equal_to_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "L.parquet"
    code, _, err = run(capsys, "apply", DEMO, "--lfs", DEMO_LFS, "-o", out)
    assert code == 0, err
    assert "wrote" in err and "2,000 rows" in err
    saved = lf.LabelMatrix.load(out)
    expected = lf.apply(lf.load_lfs(DEMO_LFS), DEMO)
    assert saved == expected
    assert saved.labels == ("HAM", "SPAM")


def test_apply_npz_with_ids_and_two_jobs(tmp_path: Path, corpus: Path, lf_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "L.npz"
    code, _, err = run(
        capsys, "apply", corpus, "--lfs", lf_module, "-o", out, "--text-column", "body",
        "--id-column", "key", "--n-jobs", "2", "--chunk-size", "1", "--on-error", "abstain",
    )
    assert code == 0, err
    L = lf.LabelMatrix.load(out)
    assert L.row_ids.tolist() == ["a", "b", "c", "d"]
    assert L.array[:, 0].tolist() == [1, -1, 1, -1]
    assert L.errors.tolist() == [0, 0, 1]


def test_report_table_with_gold_names(corpus: Path, lf_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", corpus, "--lfs", lf_module, "--text-column", "body", "--gold", "gold", "--on-error", "abstain")
    assert code == 0, err
    assert "promo" in out and "short" in out and "fragile" in out
    assert "4 rows x 3 LFs" in out


def test_report_json_matches_summarize(corpus: Path, lf_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "report", corpus, "--lfs", lf_module, "--text-column", "body", "--gold", "gold", "--json", "--on-error", "abstain"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"].startswith("lf.report/")
    assert doc["labels"] == ["HAM", "SPAM"]
    by_name = {e["name"]: e for e in doc["lfs"]}
    assert by_name["promo"]["coverage"] == 0.5
    assert by_name["promo"]["correct"] == 2 and by_name["promo"]["emp_acc"] == 1.0
    assert by_name["fragile"]["errors"] == 1
    assert by_name["fragile"]["emp_acc"] is None  # labels nothing: no accuracy
    assert doc["totals"]["rows"] == 4


def test_report_on_saved_matrix_with_data_for_gold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "L.parquet"
    assert run(capsys, "apply", DEMO, "--lfs", DEMO_LFS, "-o", out)[0] == 0
    code, text, _ = run(capsys, "report", out, "--data", DEMO, "--gold", "label", "--json")
    assert code == 0
    doc = json.loads(text)
    L = lf.LabelMatrix.load(out)
    y = (pd.read_csv(DEMO)["label"] == "SPAM").astype(int).to_numpy()
    expected = lf.summarize(L, y=y)
    got = [e["emp_acc"] for e in doc["lfs"]]
    np.testing.assert_allclose(got, expected["emp_acc"].to_numpy())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apply", "missing.csv", "--lfs", "{lfs}", "-o", "{tmp}/L.parquet"], "Data file not found: 'missing.csv'"),
        (["apply", "{readme}", "--lfs", "{lfs}", "-o", "{tmp}/L.parquet"], "Unknown data format"),
        (["apply", "{corpus}", "--lfs", "{lfs}", "-o", "{tmp}/L.parquet", "--text-column", "nope"], "Available columns: body, gold, key"),
        (["apply", "{empty}", "--lfs", "{lfs}", "-o", "{tmp}/L.parquet"], "no rows"),
        (["apply", "{corpus}", "--lfs", "{lfs}", "-o", "{tmp}/L.parquet", "--n-jobs", "0"], "Invalid value for '--n-jobs': 0 is not a number of worker processes"),
        (["apply", "{corpus}", "--lfs", "no_such_module_xyz", "-o", "{tmp}/L.parquet"], "No module named 'no_such_module_xyz'"),
        (["apply", "{corpus}", "--lfs", "{lfs}", "-o", "{tmp}/L.csv", "--text-column", "body"], "use a .parquet or .npz file name"),
        (["report", "{corpus}", "--lfs", "{lfs}", "--text-column", "body", "--gold", "nope"], "--gold column 'nope' is not in the data"),
        (["report", "{corpus}", "--lfs", "{lfs}", "--text-column", "body"], "Labeling function 'fragile' raised on row 2"),
        (["report", "{corpus}", "--lfs", "{lfs}", "--text-column", "body", "--gold", "key", "--on-error", "abstain"], "neither label names nor class ids: 'a', 'b', 'c', 'd'. Allowed: the label names HAM, SPAM"),
    ],
)
def test_bad_input_is_one_clear_line(
    args: list[str], message: str, tmp_path: Path, corpus: Path, lf_module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("body,gold\n")
    fill = {"lfs": lf_module, "tmp": tmp_path, "readme": ROOT / "README.md", "corpus": corpus, "empty": empty}
    code, _, err = run(capsys, *[a.format(**fill) for a in args])
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("L.*")) and not list(tmp_path.glob(".L.*"))  # nothing half-written


def test_bad_option_choice_is_usage_error(corpus: Path, lf_module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "apply", corpus, "--lfs", lf_module, "-o", "x.parquet", "--on-error", "skip")
    assert code == 2
    assert "'skip' is not one of 'raise', 'abstain'" in err


def test_module_import_failure_shows_its_traceback(tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import lf\nx = 1 / 0\n")
    code, _, err = run(capsys, "report", corpus, "--lfs", broken)
    assert code == 2
    assert "Importing the LF module" in err and "ZeroDivisionError" in err and "broken.py" in err


def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("lf")
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [str(exe), "report", str(DEMO), "--lfs", str(DEMO_LFS), "--gold", "label"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "numbered_author" in proc.stdout and "2,000 rows x 12 LFs" in proc.stdout
    help_text = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "apply" in help_text and "report" in help_text


def test_apply_with_a_cache_gives_the_same_matrix_and_fills_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    for name in ("first.parquet", "second.parquet"):
        code, _, err = run(capsys, "apply", DEMO, "--lfs", DEMO_LFS, "-o", tmp_path / name, "--cache", cache)
        assert code == 0, err
    first, second = lf.LabelMatrix.load(tmp_path / "first.parquet"), lf.LabelMatrix.load(tmp_path / "second.parquet")
    assert first == second == lf.apply(lf.load_lfs(DEMO_LFS), DEMO, id_column="id")
    assert len(list(cache.rglob("*.npz"))) == first.m  # one chunk, every demo LF cacheable
