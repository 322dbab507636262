"""Each command runs the LF module once: its module-level code (a model loaded, a word list
read, a line printed) is the user's, and a second run costs that again or does it twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"

DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
# the demo LFs, with one line of module-level code that says each run of the module
LOGGED = (
    "from pathlib import Path as _Path\n"
    "with open(_Path(__file__).with_name('runs.txt'), 'a') as _log:\n"
    "    _log.write('run\\n')\n"
)


@pytest.mark.parametrize(
    "command",
    [
        ["label", "-o", "{out}/labels.parquet"],
        ["apply", "-o", "{out}/L.parquet"],
        ["report", "--model", "LabelModel"],
        ["report", "--model", "LabelModel", "--gold", "label"],
        ["sample", "-n", "5", "-o", "{out}/pick.csv"],
        ["rows", "--lf", "has_url", "-n", "3"],
    ],
    ids=lambda c: " ".join(c[:3]),
)
def test_each_command_runs_the_lf_module_once(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    (tmp_path / "my_lfs.py").write_text(LOGGED + DEMO_LFS.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    args = [command[0], str(DEMO), "--lfs", str(tmp_path / "my_lfs.py"), *(a.format(out=out) for a in command[1:])]
    assert main(args) == 0, capsys.readouterr().err
    assert (tmp_path / "runs.txt").read_text().splitlines() == ["run"]
