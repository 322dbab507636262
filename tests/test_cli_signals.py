"""SIGTERM during a CLI command: cleanup code runs, then the process ends as terminated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
import os, signal, sys, time
from pathlib import Path
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
