"""The pool engine's worker processes, seen from outside: a real `lf apply --n-jobs 2` process.

Workers never outlive the parent (SIGTERM or SIGKILL to it), SIGTERM exits like a terminated
process without a traceback, and a worker killed mid-run (as by the out-of-memory killer)
gives one line naming it and exit code 2. Each holds for a file streamed to a process pool
and for a small file read whole, labeled by the parent beside one forked worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# A row LF slow enough that the run lasts ~20 s on two workers; it leaves a mark per worker,
# so the test knows the workers are labeling rows (not just forked).
_LF_MODULE = """
import os
import time

from lf import ABSTAIN, labeling_function

MARKS = os.environ["LF_TEST_MARKS"]


@labeling_function()
def slow(x):
    mark = os.path.join(MARKS, str(os.getpid()))
    if not os.path.exists(mark):
        open(mark, "w").close()
    time.sleep(0.01)
    return 1 if "spam" in x.text else ABSTAIN
"""


@pytest.fixture(params=["streamed", "small"])
def run_apply(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """``run_apply()`` starts `lf apply --n-jobs 2` on a slow LF and returns once the
    workers label rows: ``(process, workers)``. "streamed": 4,000 rows in chunks of 50, two
    pool workers; "small": 1,000 rows read whole, one worker beside the parent (which must
    label rows too). Whatever is left is killed at teardown."""
    small = request.param == "small"
    started: list[psutil.Process] = []
    popens: list[subprocess.Popen[str]] = []
    marks = tmp_path / "marks"
    marks.mkdir()
    (tmp_path / "slow_lfs.py").write_text(_LF_MODULE, encoding="utf-8")
    rows = "\n".join(f"r{i},{'spam' if i % 3 else 'ham'} text {i}" for i in range(1000 if small else 4000))
    (tmp_path / "data.csv").write_text("id,text\n" + rows + "\n", encoding="utf-8")

    def start() -> tuple[subprocess.Popen[str], list[psutil.Process]]:
        env = {**os.environ, "LF_TEST_MARKS": str(marks), "PYTHONPATH": str(ROOT)}
        env.pop("LF_TRACEBACK", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "lf", "apply", "data.csv", "--lfs", "slow_lfs.py", "-o", "L.parquet",
             "--n-jobs", "2", "--no-progress", *([] if small else ["--chunk-size", "50"])],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        popens.append(proc)
        parent = psutil.Process(proc.pid)
        started.append(parent)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            workers = parent.children(recursive=True)
            started.extend(workers)
            labeling = {int(p.name) for p in marks.iterdir()}
            children = {w.pid for w in workers}
            expected = {proc.pid} if small else set()  # the parent labels beside its worker
            if len(labeling & children) == (1 if small else 2) and labeling == (labeling & children) | expected:
                return proc, [w for w in workers if w.pid in labeling]
            time.sleep(0.05)
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the workers never started labeling (exit {proc.returncode}): {err}")

    yield start
    for p in started:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    for proc in popens:
        proc.communicate()


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    """Processes still running (an exited orphan that nobody reaped yet counts as gone)."""
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _gone_within(procs: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(procs)


def test_sigterm_to_the_parent_stops_the_workers_and_exits_as_terminated(run_apply) -> None:  # type: ignore[no-untyped-def]
    proc, workers = run_apply()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGTERM, (proc.returncode, err)
    assert "Traceback" not in err and err.strip() == "", err
    assert _gone_within(workers, 5) == []


def test_sigkill_to_the_parent_leaves_no_orphan_worker(run_apply) -> None:  # type: ignore[no-untyped-def]
    proc, workers = run_apply()
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGKILL
    assert _gone_within(workers, 5) == []  # without a parent-death signal they ran ~20 s more


def test_a_worker_killed_mid_run_is_one_line_naming_it_with_exit_code_2(run_apply) -> None:  # type: ignore[no-untyped-def]
    proc, workers = run_apply()
    victim = workers[0]
    victim.send_signal(signal.SIGKILL)  # what the out-of-memory killer does
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert f"pool worker pid {victim.pid}" in err and "killed by signal 9" in err, err
    assert "SIGKILL -- e.g. out of memory" in err and "--cache DIR" in err, err
    assert _gone_within(workers, 5) == []


def _fork_run(target, *args) -> int:  # type: ignore[no-untyped-def]
    import multiprocessing

    proc = multiprocessing.get_context("fork").Process(target=target, args=args)
    proc.start()
    proc.join(timeout=10)
    assert proc.exitcode is not None, "the process did not exit"
    return proc.exitcode


def test_a_worker_whose_parent_already_died_exits_at_start() -> None:
    from lf.apply.pool import _exit_with_parent

    # The worker re-checks its parent after arming the death signal: a different pid
    # than the one it was forked from means the parent died in between.
    assert _fork_run(_exit_with_parent, os.getpid() + 10**7) == 1


def test_the_parent_watcher_exits_once_the_parent_pid_changes() -> None:
    from lf.apply.pool import _watch_parent  # the fallback where prctl does not exist

    started = time.monotonic()
    assert _fork_run(_watch_parent, os.getpid() + 10**7, 0.01) == 1
    assert time.monotonic() - started < 5
