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
