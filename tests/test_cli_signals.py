"""SIGTERM during a CLI command: cleanup code runs, then the process ends as terminated."""

from __future__ import annotations

import gc
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


_STOPS_AT_ROW_500 = """
import os, signal, time

from lf import labeling_function

seen = []


@labeling_function()
def stops(x):
    seen.append(1)
    if len(seen) == 500:  # Ctrl-C, at a row known in advance
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    return -1
"""


def _open_files() -> list[str]:
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own
            pass
    return names


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads the open files from /proc")
@pytest.mark.parametrize("command", ["label", "apply"])
def test_an_interrupted_command_leaves_no_data_file_open(tmp_path: Path, command: str) -> None:
    # The run's frames stayed in a cycle with the interrupt, and with them the CSV reader
    # (pyarrow reading ahead in its threads): stopped only at exit, after pyarrow had shut its
    # thread pools, it hung the process there or aborted it ("terminate called without an
    # active exception")
    from lf.cli import EXIT_INTERRUPTED, main

    data = tmp_path / "data.csv"
    data.write_text("text\n" + "".join(f"row {i}\n" for i in range(300_000)))
    (tmp_path / "mod.py").write_text(_STOPS_AT_ROW_500)
    out = tmp_path / ("out.parquet" if command == "label" else "L.parquet")
    argv = [command, str(data), "--lfs", str(tmp_path / "mod.py"), "-o", str(out), "--no-progress", "--chunk-size", "100"]
    argv += ["--model", "mv"] if command == "label" else []
    gc.disable()  # whether Python's collector happens to run before exit is luck
    try:
        assert main(argv) == EXIT_INTERRUPTED
        assert str(data) not in _open_files()
    finally:
        gc.enable()
    assert not out.exists()
