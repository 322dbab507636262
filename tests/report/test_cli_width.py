"""`lf report` piped into a file or a pager: COLUMNS, when set, is the width it keeps to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def _report(tmp_path: Path, columns: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    proc = subprocess.run(
        [sys.executable, "-m", "lf", "report", str(DEMO), "--lfs", str(DEMO_LFS), "--gold", "label"],
        check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("columns", ["80", "100"])
def test_piped_report_keeps_to_the_columns_asked_for(tmp_path: Path, columns: str) -> None:
    out = _report(tmp_path, columns)
    assert "numbered_au" in out and "2,000 rows x 12 LFs" in out.replace("\n", " ")
    assert max(len(line) for line in out.splitlines()) <= int(columns)


@pytest.mark.parametrize("columns", [None, "0"])
def test_piped_report_without_columns_is_not_squeezed(tmp_path: Path, columns: str | None) -> None:
    out = _report(tmp_path, columns)  # COLUMNS=0 is no width, not a width of 0
    widest = max(len(line) for line in out.splitlines())
    assert 120 <= widest <= 160  # the wide headers, not the 80-column abbreviations
    assert "coverage" in out and "conflicts" in out
