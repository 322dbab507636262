"""`--model auto` prints the options that give the same model again in lines a terminal of
80 columns shows whole, and a shell reads them back as the options they were."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.cells import cell_len

import lf
from lf.cli import main
from lf.models import BaseLabelModel

# wide characters (two cells each), and a name only single quotes keep from the shell
LABELS = ["政治新闻", "经济新闻", "体育新闻", "科技新闻", "文化新闻", "健康新闻", "教育新闻", "军事新闻", "娱乐新闻", "it's $5"]


def _matrix(n: int, seed: int) -> tuple[lf.LabelMatrix, np.ndarray]:
    """Three LFs per class."""
    rng = np.random.default_rng(seed)
    k = len(LABELS)
    y = rng.integers(0, k, n)
    votes = np.full((n, 3 * k), lf.ABSTAIN, dtype=np.int8)
    for j in range(3 * k):
        c = j // 3
        fires = rng.random(n) < np.where(y == c, 0.6, 0.04)
        votes[fires, j] = c
    names = [f"lf_{j}" for j in range(3 * k)]
    return lf.LabelMatrix(votes, names=names, cardinality=k, labels=LABELS), y


def _shell_words(lines: list[str]) -> list[str]:
    """What bash makes of the printed lines as the arguments of a command."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash to read the printed command")
    script = "printf '%s\\0' \\\n" + "\n".join(lines)
    proc = subprocess.run([bash, "-c", script], capture_output=True, check=True, timeout=30)
    return proc.stdout.decode().split("\0")[:-1]


def test_the_command_to_fit_the_same_model_again_fits_80_columns_and_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was one line ("same model again: --model ... --class-balance ...") of 103 columns
    # for the demo's two labels and several hundred for ten: a terminal wrapped it anywhere.
    monkeypatch.setenv("COLUMNS", "80")
    L, _ = _matrix(1000, 0)
    dev, y_dev = _matrix(300, 1)
    L.save(tmp_path / "L.parquet")
    dev.save(tmp_path / "dev.parquet")
    pd.DataFrame({"text": [f"row {i}" for i in range(300)], "g": y_dev}).to_csv(tmp_path / "dev.csv", index=False)
    code = main([
        "fit", str(tmp_path / "L.parquet"), "--model", "auto", "--dev", str(tmp_path / "dev.parquet"),
        "--dev-gold", "g", "--dev-data", str(tmp_path / "dev.csv"), "-o", str(tmp_path / "m.json"),
    ])
    err = capsys.readouterr().err
    assert code == 0, err
    lines = err.splitlines()
    assert max(map(cell_len, lines)) <= 80, err
    start = lines.index("same model again:") + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].endswith("\\"))
    command = lines[start : end + 1]
    assert len(command) > 2  # the class balance of ten labels is cut into pieces
    words = _shell_words(command)
    assert words[0] == "--model" and words[2] == "--class-balance" and len(words) == 4
    assert all(f"{name}=" in words[3] for name in LABELS)
    assert main(["fit", str(tmp_path / "L.parquet"), *words, "-o", str(tmp_path / "again.json")]) == 0
    capsys.readouterr()
    first, second = BaseLabelModel.load(tmp_path / "m.json"), BaseLabelModel.load(tmp_path / "again.json")
    assert second.get_params() == first.get_params()
    np.testing.assert_array_equal(second.predict_proba(L), first.predict_proba(L))


def test_a_long_chosen_line_is_wrapped_and_the_candidates_keep_their_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "chosen: LabelModel(abstain='model'), dev accuracy 0.550 [0.526, 0.574] n=1,607 (95%
    # interval)" ran to 93 columns (WRENCH chemprot's dev rows).
    from lf.cli.labeling import print_selection

    monkeypatch.setenv("COLUMNS", "80")
    L, _ = _matrix(1000, 0)
    dev, y_dev = _matrix(300, 1)
    chosen = lf.models.select(None, L, dev, y_dev)._replace(name="LabelModel(abstain='model')")
    print_selection(chosen, tuple(LABELS), 1607)
    lines = capsys.readouterr().err.splitlines()
    assert max(map(cell_len, lines)) <= 80
    chosen_at = next(i for i, line in enumerate(lines) if line.startswith("chosen: LabelModel(abstain='model'), dev"))
    assert lines[chosen_at + 1].startswith("  ") and "(95% interval)" in lines[chosen_at + 1]
    assert any(line.startswith("  LabelModel(abstain='model')  ") for line in lines)  # candidates as they were
