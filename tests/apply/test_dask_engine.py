"""The Dask engine on a real ``distributed`` LocalCluster (worker processes, not threads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.dask import DaskEngine
from lf.errors import LFRuntimeError

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
YOUTUBE_LFS = ROOT / "labeling_functions" / "youtube_spam.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def comments(datasets_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p) for p in sorted((datasets_dir / "youtube_raw").glob("*.csv"))]
    return pd.concat(frames, ignore_index=True).rename(columns={"CONTENT": "text"})


def test_matrix_errors_and_ids_equal_the_local_engine_on_real_data(client, comments: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    lfs = lf.load_lfs(YOUTUBE_LFS)  # loaded from a file: its code must travel to the workers by value
    local = lf.apply(lfs, comments, chunk_size=300, id_column="COMMENT_ID", progress=False)
    remote = lf.apply(lfs, comments, engine=DaskEngine(client), chunk_size=300, id_column="COMMENT_ID", progress=False)
    assert remote == local
    np.testing.assert_array_equal(remote.array, local.array)
    assert remote.row_ids.tolist() == local.row_ids.tolist()
    assert remote.labels == ("HAM", "SPAM")
    assert (remote.seconds > 0).all()


def test_lfs_run_in_the_worker_processes(client, comments: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    def elsewhere(x, here):  # type: ignore[no-untyped-def]
        return 1 if os.getpid() != here else 0

    where = lf.LabelingFunction("where", elsewhere, resources={"here": os.getpid()})
    remote = lf.apply([where], comments, engine=DaskEngine(client), chunk_size=400, progress=False)
    assert (remote.array == 1).all()  # every row was labeled outside this process
    assert (lf.apply([where], comments, progress=False).array == 0).all()


def test_engine_by_name_uses_the_active_client_and_counts_errors(client, comments: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    @lf.labeling_function()
    def picky(x):  # type: ignore[no-untyped-def]
        if "http" in x.text:
            raise ValueError("links confuse me")
        return lf.ABSTAIN

    local = lf.apply([picky], comments, chunk_size=500, on_error="abstain", progress=False)
    remote = lf.apply([picky], comments, engine="dask", chunk_size=500, on_error="abstain", progress=False)
    assert remote.errors.tolist() == local.errors.tolist() == [int(comments.text.str.contains("http").sum())]
    with pytest.raises(LFRuntimeError, match=r"'picky' raised on row \d+.*links confuse me") as info:
        lf.apply([picky], comments, engine="dask", chunk_size=500, progress=False)
    assert isinstance(info.value, ValueError)  # the LF's own type, back from the worker


def test_without_a_client_the_error_says_how_to_start_one() -> None:
    # A fresh process: this module's cluster fixture would otherwise be the active client.
    code = (
        "import pandas as pd, lf\n"
        "try:\n"
        "    lf.apply([lf.keyword_lf('k', ['a'], 1)], pd.DataFrame({'text': ['a']}), engine='dask')\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False).stdout
    assert "needs a running dask.distributed Client" in out and "Client(LocalCluster())" in out


def test_lfs_own_local_cluster_keeps_the_c_librarys_malloc_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dask's default MALLOC_TRIM_THRESHOLD_=65536 costs spaCy LFs about a quarter more CPU
    # per worker; lf's cluster drops it, and keeps Dask's other worker settings.
    from lf.apply.dask import connect

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    client = connect(None, 1)
    try:
        seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
    finally:
        client.close()
        client._lf_cluster.close()
    assert list(seen.values()) == [(None, "1")]
    import dask

    assert dask.config.get("distributed.nanny.pre-spawn-environ")["MALLOC_TRIM_THRESHOLD_"] == 65536  # config untouched


def test_lfs_own_local_cluster_starts_quietly_beside_another_on_the_dashboard_port() -> None:
    """Its scheduler's HTTP server took port 8787 by default; where another cluster had it,
    distributed warned ("Port 8787 is already in use ...": a failure under pytest's
    warnings-as-errors, three stray lines on lf's stderr)."""
    import socket

    from lf.apply.dask import close, connect

    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        taken.bind(("0.0.0.0", 8787))
        taken.listen()
    except OSError:
        pass  # in use already: the case itself
    try:
        client = connect(None, 1)  # pytest turns a warning into an error here
        close(client, failed=False)
    finally:
        taken.close()


class _LoadsNowhere:
    """A resource this process pickles but no worker can unpickle."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (__import__, ("lf_no_such_module_anywhere",))


def test_lfs_the_workers_cannot_load_are_one_lf_error(client) -> None:  # type: ignore[no-untyped-def]
    f = lf.LabelingFunction("needs_it", lambda x, thing: 0, resources={"thing": _LoadsNowhere()})
    with pytest.raises(lf.errors.WorkerError, match=r"The Dask workers could not load the LFs \(.*\)\. Workers need the packages"):
        lf.apply([f], pd.DataFrame({"text": ["a", "b"]}), engine=DaskEngine(client), progress=False)


def test_an_lf_raising_on_lfs_own_cluster_is_one_line_without_the_workers_log(tmp_path: Path) -> None:
    # the workers of `lf ... --engine dask` write to lf's stderr: their "Compute Failed" log
    # (the task, the exception, its traceback) came out before lf's one error line
    lfs = tmp_path / "lfs.py"
    lfs.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        "@labeling_function()\n"
        "def boom(x):\n"
        "    if 'b' in x.text:\n"
        "        raise ValueError('bad row')\n"
        "    return ABSTAIN\n"
    )
    data = tmp_path / "d.csv"
    data.write_text("text\nabc\nxyz\n")
    args = ["apply", str(data), "--lfs", str(lfs), "-o", str(tmp_path / "L.parquet"), "--engine", "dask", "--n-jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "lf", *args], capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: Labeling function 'boom' raised on row 0"), done.stderr
    assert done.stderr.count("\n") == 1 and "Compute Failed" not in done.stderr, done.stderr
