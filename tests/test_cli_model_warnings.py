"""A label model's warnings in `lf label` and `lf report`: each one message on stderr, kept to
the width COLUMNS asks for like every other status line, with the LF and label names as
they are (never read as markup)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf

NAME = "[bold]always[/bold] spam"
LABEL = "[red]SPAM[/]"
LFS = f"""
from lf import ABSTAIN, labeling_function
LABELS = ["HAM", {LABEL!r}]

@labeling_function(name={NAME!r})
def always(x):
    return 1

@labeling_function()
def has_spam(x):
    return 1 if "spam" in x.text else ABSTAIN

@labeling_function()
def has_win(x):
    return 1 if "win" in x.text else (0 if "hi" in x.text else ABSTAIN)

@labeling_function()
def has_ham(x):
    return 0 if "ham" in x.text else ABSTAIN
"""


def _data(path: Path) -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    flip = rng.random(400) < 0.25
    texts = [
        f"{'spam' if c else 'ham'} {'win' if c != f else 'hi'} {i}" for i, (c, f) in enumerate(zip(y == 1, flip))
    ]
    pd.DataFrame({"text": texts}).to_csv(path, index=False)


@pytest.mark.parametrize("command", ["label", "report"])
def test_a_model_warning_keeps_to_the_columns_and_the_names_as_written(tmp_path: Path, command: str) -> None:
    _data(tmp_path / "data.csv")
    (tmp_path / "lfs.py").write_text(LFS)
    args = ["data.csv", "--lfs", "lfs.py"] + (["-o", "out.parquet"] if command == "label" else ["--model", "LabelModel"])
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(Path(lf.__file__).parents[1])}
    env.pop("LF_TRACEBACK", None)
    proc = subprocess.run(
        [sys.executable, "-m", "lf", command, *args], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert max(len(line) for line in lines) <= 80, proc.stderr
    starts = [i for i, line in enumerate(lines) if line.startswith("warning: LabelModel:")]
    assert len(starts) == 1, proc.stderr  # one message, its further lines indented
    rest = itertools.takewhile(lambda line: line.startswith("  "), lines[starts[0] + 1 :])
    text = " ".join(line.strip() for line in [lines[starts[0]], *rest])
    assert f"LF {NAME!r} votes {LABEL} on every row" in text
    assert text.endswith("make it abstain where it has no evidence."), text


def test_an_lf_warning_on_the_local_dask_cluster_is_shown_as_lf_shows_warnings(tmp_path: Path) -> None:
    # A worker of the cluster `--engine dask` starts printed an LF's warning in Python's
    # format: "<dynamic-code>:7: UserWarning: ..." on one line of 135 columns.
    pytest.importorskip("distributed")
    from rich.cells import cell_len

    _data(tmp_path / "data.csv")
    said = "the cache of this lookup table is stale, so the " + "votes come from last week's table " * 3
    (tmp_path / "lfs.py").write_text(
        "import warnings\nfrom lf import ABSTAIN, labeling_function\nLABELS = ['HAM', 'SPAM']\n"
        f"@labeling_function()\ndef looks_up(x):\n    warnings.warn({said!r})\n    return 1 if 'spam' in x.text else ABSTAIN\n"
        "@labeling_function()\ndef has_ham(x):\n    return 0 if 'ham' in x.text else ABSTAIN\n"
    )
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(Path(lf.__file__).parents[1])}
    env.pop("LF_TRACEBACK", None)
    proc = subprocess.run(
        [sys.executable, "-m", "lf", "apply", "data.csv", "--lfs", "lfs.py", "-o", "L.parquet", "--engine", "dask",
         "--n-jobs", "1", "--no-progress"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stderr.splitlines()
    assert "UserWarning" not in proc.stderr and "dynamic-code" not in proc.stderr
    assert max(map(cell_len, lines)) <= 80, proc.stderr
    start = next(i for i, line in enumerate(lines) if line.startswith("warning: the cache of this lookup"))
    assert " ".join(line.strip() for line in lines[start : start + 3]).startswith(f"warning: {said.strip()}")
