"""SIGTERM during a CLI command: cleanup code runs, then the process ends as terminated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
import os, signal, sys, time
from pathlib import Path

import pytest
from lf.cli._signals import sigterm_unwinds

with sigterm_unwinds():
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
    finally:
        Path(sys.argv[1]).write_text("cleaned up")
"""


def test_sigterm_runs_finally_blocks_then_ends_the_process_as_terminated(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(marker)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=20, check=False,
    )
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert marker.read_text() == "cleaned up"  # Python's default SIGTERM would skip this
    assert proc.stderr == ""


def test_the_handler_is_removed_after_the_command() -> None:
    from lf.cli import main

    assert main(["--version"]) == 0
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


_INTERRUPTED_IMPORT = """
import os, signal, time

from lf import labeling_function


def _init():  # as a compiled module's import does: what interrupts it comes out as ImportError from it
    try:
        os.kill(os.getpid(), signal.{name})
        time.sleep(30)
    except BaseException as exc:
        raise ImportError("initialization failed") from exc


_init()


@labeling_function()
def never(x):
    return -1
"""


@pytest.mark.parametrize(("name", "code", "said"), [("SIGINT", 130, "interrupted"), ("SIGTERM", -signal.SIGTERM, "")])
def test_a_signal_during_an_import_stops_the_command_as_that_signal(tmp_path: Path, name: str, code: int, said: str) -> None:
    # scipy's compiled modules, imported on the first use of a label model, turned a Ctrl-C
    # or SIGTERM into "internal error: ImportError: initialization failed" and exit status 2
    (tmp_path / "mod.py").write_text(_INTERRUPTED_IMPORT.format(name=name))
    (tmp_path / "data.csv").write_text("text\nhello\n")
    proc = subprocess.run(
        [sys.executable, "-m", "lf", "label", "data.csv", "--lfs", "mod.py", "-o", "out.parquet", "--no-progress"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.strip() == said
    assert not (tmp_path / "out.parquet").exists()

