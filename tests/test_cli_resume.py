"""`lf label` interrupted three ways on a corpus of 300,000 rows: the previous outputs stay
whole, no half file appears under their names, and a rerun with the same --cache resumes
and writes the very bytes of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import lf

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"

pytestmark = pytest.mark.slow

# Ctrl-C's usual handler even where this suite runs with SIGINT ignored (started in the background)
RUN_LF = "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); runpy.run_module('lf', run_name='__main__')"


def _cached_entries(cache: Path) -> int:
    return sum(1 for _ in cache.rglob("*.npz")) if cache.exists() else 0


def _stopped_mid_run(cmd: list[str], cache: Path, sig: int, after: int) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; once the cache holds ``after`` more LF x chunk results, send ``sig``."""
    start = _cached_entries(cache)
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _cached_entries(cache) < start + after:
            assert proc.poll() is None, "the run ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def test_interrupted_runs_keep_the_old_outputs_and_resume_to_identical_bytes(tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO)
    big = pd.concat([frame] * 150, ignore_index=True).assign(id=[f"r{i:06d}" for i in range(len(frame) * 150)])
    data = tmp_path / "big.csv"
    big.to_csv(data, index=False)
    args = [str(data), "--lfs", str(DEMO_LFS), "--chunk-size", "5000"]
    ref = subprocess.run([sys.executable, "-c", RUN_LF, "label", *args, "-o", str(tmp_path / "ref.parquet"),
                          "--matrix", str(tmp_path / "ref_L.parquet")],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300, check=False)
    assert ref.returncode == 0, ref.stderr
    out, matrix, cache = tmp_path / "out" / "labels.parquet", tmp_path / "out" / "L.parquet", tmp_path / "cache"
    out.parent.mkdir()
    out.write_bytes(b"the previous labels")
    matrix.write_bytes(b"the previous matrix")
    cmd = [sys.executable, "-c", RUN_LF, "label", *args, "-o", str(out), "--matrix", str(matrix), "--cache", str(cache)]
    stops = [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, -signal.SIGTERM, ""), (signal.SIGKILL, -signal.SIGKILL, "")]
    for sig, code, said in stops:
        done = _stopped_mid_run(cmd, cache, sig, after=12 * 8)  # 8 more chunks of the 60, each LF
        assert (done.returncode, done.stderr.strip()) == (code, said), done.stderr
        assert out.read_bytes() == b"the previous labels" and matrix.read_bytes() == b"the previous matrix"
        left = sorted(p.name for p in out.parent.iterdir())
        if sig == signal.SIGKILL:  # no cleanup can run: hidden, and removed by the next run
            assert len(left) == 4 and all(n.startswith((".labels.parquet.", ".L.parquet.")) for n in left[:2])
        else:
            assert left == ["L.parquet", "labels.parquet"]
    again = subprocess.run(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    reused = int(again.stderr.split("cache: ")[1].split(" of ")[0])
    assert reused >= 3 * 12 * 8  # it resumed: what the three stopped runs labeled was kept
    assert sorted(p.name for p in out.parent.iterdir()) == ["L.parquet", "labels.parquet"]
    assert out.read_bytes() == (tmp_path / "ref.parquet").read_bytes()
    got, want = lf.LabelMatrix.load(matrix), lf.LabelMatrix.load(tmp_path / "ref_L.parquet")
    assert got == want and got.row_ids.tolist() == want.row_ids.tolist() and got.errors.tolist() == want.errors.tolist()
    assert got.lf_fingerprints == want.lf_fingerprints and got.labels == want.labels
