"""lf.label on a real LocalCluster fed what real clusters get: empty partitions, files whose
id column changes type, outputs that collide; results must be the local engine's or a clear error."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.apply.dask import DaskEngine
from lf.label import label

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"

pytestmark = pytest.mark.slow


def _parts(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))], ignore_index=True)


def _matrix_parts(folder: Path) -> lf.LabelMatrix:
    return lf.LabelMatrix.concat([lf.LabelMatrix.load(p) for p in sorted(folder.glob("part-*.parquet"))])


def test_empty_partitions_and_empty_files_are_labeled_as_the_local_engine_does(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a filtered Dask frame has empty partitions and a folder of shards an empty file: each
    # such task stopped the whole run with "The data has no rows"
    frame = pd.read_csv(DEMO)
    lfs = lf.load_lfs(DEMO_LFS)
    local = label(lfs, frame, output=tmp_path / "local.parquet", matrix=tmp_path / "local_L.parquet", gold="label", progress=False)
    pieces = [frame.iloc[:700], frame.iloc[:0], frame.iloc[700:], frame.iloc[:0]]
    ddf = dd.from_delayed([dask.delayed(p.copy)() for p in pieces], meta=frame.iloc[:0], verify_meta=False)
    files = []
    for i, piece in enumerate(pieces):
        files.append(tmp_path / f"shard{i}.parquet")
        piece.to_parquet(files[-1])
    want = pd.read_parquet(tmp_path / "local.parquet")
    for name, data in (("frame", ddf), ("files", [str(f) for f in files])):
        res = label(lfs, data, engine=DaskEngine(client), output=tmp_path / name, matrix=tmp_path / f"{name}_L", gold="label")
        pd.testing.assert_frame_equal(_parts(tmp_path / name), want)
        assert _matrix_parts(tmp_path / f"{name}_L") == lf.LabelMatrix.load(tmp_path / "local_L.parquet")
        assert res.rows_written == local.rows_written == len(frame) and res.label_counts == local.label_counts
        assert res.accuracy == local.accuracy and (res.table.errors == local.table.errors).all()
        # a part file per partition that holds rows
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == ["part-00000.parquet", "part-00002.parquet"]
    with pytest.raises(lf.errors.DataError, match="no rows"):
        label(lfs, dd.from_pandas(frame.iloc[:0], npartitions=1), engine=DaskEngine(client), output=tmp_path / "none", model="mv")
    assert not (tmp_path / "none").exists()


def _listener(answer: bytes | None) -> tuple[socket.socket, threading.Event]:
    """A local TCP port that accepts connections and says ``answer`` (None: nothing); it
    closes them after 30 s, so a client that waits for more does not wait forever."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    timer = threading.Timer(30, stop.set)
    timer.daemon = True
    timer.start()

    def serve() -> None:
        server.settimeout(0.2)
        held = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)  # kept open: a silent peer, not a closed one
            if answer is not None:
                conn.sendall(answer)
        for conn in held:
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server, stop


@pytest.mark.parametrize(
    ("answer", "reason"),
    [(None, "no Dask handshake within 5 s"), (b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64, "its answer is not a Dask scheduler's")],
)
def test_a_scheduler_address_where_something_else_listens_fails_in_seconds(tmp_path: Path, capsys, answer, reason) -> None:  # type: ignore[no-untyped-def]
    # distributed bounds the connection, not the handshake after it: a silent port hung the
    # run for good, and an HTTP answer was an "internal error: MemoryError" line
    from lf.cli import main

    server, stop = _listener(answer)
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    start = time.perf_counter()
    try:
        code = main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", address])
    finally:
        stop.set()
        server.close()
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - start < 15
    assert f"Cannot reach the Dask scheduler at '{address}' ({reason}" in " ".join(err.split())
    assert len(err.strip().splitlines()) <= 3 and "internal error" not in err
    assert not (tmp_path / "out").exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "reason"),
    [(f"tcp://127.0.0.1:{_closed_port()}", "connection refused: nothing listens on that port"),
     ("tcp://nonexistent.invalid:8786", "no host of that name")],
    ids=["refused", "unknown_host"],
)
def test_a_scheduler_address_with_nothing_there_says_so_at_once(tmp_path: Path, capsys, address: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    # distributed retries a refused connection and a failed name lookup until its timeout:
    # the run waited 5 s and then blamed "something else" listening on the port
    from lf.cli import main

    start = time.perf_counter()
    code = main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", address])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and time.perf_counter() - start < 4.5
    assert f"Cannot reach the Dask scheduler at '{address}' ({reason}" in err and "something else" not in err
    assert not (tmp_path / "out").exists()


def test_a_real_scheduler_address_still_runs(client, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from lf.cli import main

    address = client.scheduler.address
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", address]) == 0
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "local.parquet")]) == 0
    pd.testing.assert_frame_equal(_parts(tmp_path / "out"), pd.read_parquet(tmp_path / "local.parquet"))
    assert client.submit(sum, [1, 2]).result() == 3  # the fixture's cluster is still up


def test_colliding_output_folders_are_refused_before_any_work(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # -o and --matrix naming one folder: the run labeled everything, published the matrix
    # parts under that name, then failed to put the labels there ("Directory not empty")
    from lf.cli import main

    shards = tmp_path / "shards"
    shards.mkdir()
    pd.read_csv(DEMO).to_parquet(shards / "a.parquet")
    lfs = lf.load_lfs(DEMO_LFS)
    with pytest.raises(lf.errors.ParameterError, match="is the same file as `matrix`"):
        label(lfs, DEMO, engine=DaskEngine(client), output=tmp_path / "same", matrix=tmp_path / "same", model="mv")
    with pytest.raises(lf.errors.ParameterError, match=r"matches the pattern `data` '.*\*\*/\*.parquet'"):
        label(lfs, str(shards / "**" / "*.parquet"), engine=DaskEngine(client), output=shards / "labels", model="mv")
    with pytest.raises(lf.errors.DataError, match=r"`output` .*a.parquet' is an existing file"):
        label(lfs, shards / "a.parquet", engine=DaskEngine(client), output=shards / "a.parquet", model="mv")
    # a folder of Parquet parts named labels.csv, said to be "wrote labels.csv"
    with pytest.raises(lf.errors.ParameterError, match="with the Dask engine it is a folder of Parquet part files, not a .jsonl file"):
        label(lfs, DEMO, engine=DaskEngine(client), output=tmp_path / "labels.jsonl", model="mv")
    address = client.scheduler.address
    args = ["label", str(DEMO), "--lfs", str(DEMO_LFS), "--engine", "dask", "--scheduler", address]
    assert main([*args, "-o", str(tmp_path / "same"), "--matrix", str(tmp_path / "same")]) == 2
    assert main([*args, "-o", str(tmp_path / "labels.csv")]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shards"]
    assert sorted(p.name for p in shards.iterdir()) == ["a.parquet"]


def test_a_cache_is_refused_on_dask_rather_than_silently_unused(client, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # the cluster run ignored it: nothing stored, so an interrupted run could not resume
    from lf.cli import main

    with pytest.raises(lf.errors.ParameterError, match="`cache` is not used by lf.label on Dask"):
        label(lf.load_lfs(DEMO_LFS), DEMO, engine=DaskEngine(client), output=tmp_path / "out", cache=tmp_path / "c", model="mv")
    args = ["label", str(DEMO), "--lfs", str(DEMO_LFS), "--engine", "dask", "--scheduler", client.scheduler.address]
    assert main([*args, "-o", str(tmp_path / "out"), "--cache", str(tmp_path / "c")]) == 2
    assert "--cache is not used by lf.label on Dask" in " ".join(capsys.readouterr().err.split())
    assert list(tmp_path.iterdir()) == []


def test_files_whose_ids_change_type_give_the_local_result_or_its_error(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # each worker wrote its part with its own file's id type: text ids in one part file,
    # integers in the next, where the local run casts later ids to the first chunk's type
    # (or fails when it cannot); the folders read back with the first part's types, or not at all
    frame = pd.read_csv(DEMO)
    text, numbers = frame.iloc[:1000], frame.iloc[1000:].assign(id=range(1000, 2000))
    lfs = lf.load_lfs(DEMO_LFS)
    for name, pieces in (("text_first", [text, numbers]), ("numbers_first", [numbers, text])):
        folder = tmp_path / name
        folder.mkdir()
        for i, piece in enumerate(pieces):
            piece.to_parquet(folder / f"{i}.parquet")
        files = sorted(str(p) for p in folder.glob("*.parquet"))
        if name == "numbers_first":
            with pytest.raises(lf.errors.DataError, match="row ids change type between chunks"):
                label(lfs, files, output=tmp_path / f"{name}.parquet", model="mv", chunk_size=500)
            with pytest.raises(lf.errors.DataError, match=r"row ids change type between partitions \(int64 in partition 0"):
                label(lfs, files, engine=DaskEngine(client), output=tmp_path / f"{name}_out", model="mv")
            assert not (tmp_path / f"{name}_out").exists()
            continue
        label(lfs, files, output=tmp_path / f"{name}.parquet", matrix=tmp_path / f"{name}_L.parquet", model="mv", chunk_size=500)
        label(lfs, files, engine=DaskEngine(client), output=tmp_path / f"{name}_out", matrix=tmp_path / f"{name}_Lparts", model="mv")
        want = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert want["id"].iloc[-1] == "1999"
        pd.testing.assert_frame_equal(_parts(tmp_path / f"{name}_out"), want)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}_out"), want)  # the folder as one dataset
        assert _matrix_parts(tmp_path / f"{name}_Lparts") == lf.LabelMatrix.load(tmp_path / f"{name}_L.parquet")


def test_each_matrix_part_describes_the_run_as_the_local_matrix_does(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the parts stored no label names and no LF fingerprints, and without declared labels
    # each its own cardinality (2 where the run had 3), so the parts would not even concatenate
    frame = pd.read_csv(DEMO)
    frame.iloc[:1000].to_parquet(tmp_path / "a.parquet")
    frame.iloc[1000:].to_parquet(tmp_path / "b.parquet")
    files = [str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet")]
    last = frame["id"].iloc[-1]
    declared = lf.load_lfs(DEMO_LFS)
    bare = [lf.LabelingFunction("url", lambda x: 1 if "http" in x.text else -1),
            lf.LabelingFunction("song", lambda x: 0 if "song" in x.text else -1),
            lf.LabelingFunction("last", lambda x, last=last: 2 if x.id == last else -1)]
    for name, lfs in (("declared", declared), ("bare", bare)):
        label(lfs, files, output=tmp_path / f"{name}.parquet", matrix=tmp_path / f"{name}_L.parquet", model="mv", progress=False)
        label(lfs, files, engine=DaskEngine(client), output=tmp_path / f"{name}_out", matrix=tmp_path / f"{name}_parts", model="mv")
        local = lf.LabelMatrix.load(tmp_path / f"{name}_L.parquet")
        parts = [lf.LabelMatrix.load(p) for p in sorted((tmp_path / f"{name}_parts").glob("part-*.parquet"))]
        assert len(parts) == 2
        for part in parts:
            assert (part.cardinality, part.labels, part.lf_fingerprints) == (local.cardinality, local.labels, local.lf_fingerprints)
        whole = lf.LabelMatrix.concat(parts)
        assert whole == local and (whole.errors == local.errors).all() and whole.row_ids.tolist() == local.row_ids.tolist()
        pd.testing.assert_frame_equal(_parts(tmp_path / f"{name}_out"), pd.read_parquet(tmp_path / f"{name}.parquet"))
        assert (local.labels, local.cardinality) == ((("HAM", "SPAM"), 2) if name == "declared" else (None, 3))
        assert local.lf_fingerprints is not None


_SLOW_LFS = """
import time
from lf import labeling_function

LABELS = ["HAM", "SPAM"]


@labeling_function()
def slow_url(x):
    time.sleep(0.004)
    return 1 if "http" in x.text else -1
"""


@pytest.mark.parametrize(("sig", "code", "said"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, -signal.SIGTERM, "")], ids=["SIGINT", "SIGTERM"])
def test_lf_label_on_its_own_cluster_stopped_mid_run_says_one_line_and_leaves_nothing(tmp_path: Path, sig, code, said) -> None:  # type: ignore[no-untyped-def]
    # Ctrl-C printed some 40 lines (asyncio's "Task exception was never retrieved" for each
    # gather broken off, the workers' "Async instruction ... CancelledError"), SIGTERM two
    psutil = pytest.importorskip("psutil")
    frame = pd.read_csv(DEMO)
    for i in range(4):
        frame.iloc[i * 500:(i + 1) * 500].to_parquet(tmp_path / f"shard{i}.parquet")
    (tmp_path / "slow.py").write_text(_SLOW_LFS)
    (tmp_path / "out").mkdir()
    # Ctrl-C's usual handler even where this suite runs with SIGINT ignored (started in the background)
    run_lf = "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); runpy.run_module('lf', run_name='__main__')"
    cmd = [sys.executable, "-c", run_lf, "label", str(tmp_path / "shard*.parquet"), "--lfs", str(tmp_path / "slow.py"),
           "-o", str(tmp_path / "out" / "labels"), "--matrix", str(tmp_path / "out" / "L"), "--model", "mv",
           "--engine", "dask", "--n-jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".L.") for p in (tmp_path / "out").iterdir()):  # staged: the tasks go out
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        time.sleep(1.0)
        family = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code and err.strip() == said.strip()  # (as the local engine: a line break, then the line)
    assert list((tmp_path / "out").iterdir()) == []  # no part, no hidden staging folder
    _, alive = psutil.wait_procs(family, timeout=20)
    assert alive == []  # no worker outlives lf


@pytest.mark.parametrize("after", [0.3, 0.8])
def test_ctrl_c_while_lfs_own_cluster_starts_says_one_line_and_leaves_no_worker(tmp_path: Path, after: float) -> None:
    # an interrupt while the LocalCluster started left a cluster that could not be closed:
    # "interrupted", then distributed's exit handler's 28-line traceback (AssertionError: Status.init)
    psutil = pytest.importorskip("psutil")
    run_lf = "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); runpy.run_module('lf', run_name='__main__')"
    cmd = [sys.executable, "-c", run_lf, "label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "labels"),
           "--engine", "dask", "--n-jobs", "2"]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        me, deadline = psutil.Process(proc.pid), time.monotonic() + 60
        while not me.children():  # the cluster's first worker process: the cluster is starting
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.01)
        time.sleep(after)
        family = me.children(recursive=True)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and err.strip() == "interrupted"
    assert not (tmp_path / "labels").exists()
    _, alive = psutil.wait_procs(family, timeout=20)
    assert alive == []


def test_staging_folders_of_a_killed_run_are_removed_by_the_next_one(tmp_path: Path) -> None:
    # a run killed with SIGKILL cannot clean up: its hidden .labels.*.partial folder (parts
    # of a dataset that never completed) stayed beside the output for good
    from lf.dask_label import staging_for
    from lf.io import _owner

    where = _owner().rsplit("-", 1)[0]
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = int(done.stdout)  # a process of this host that has ended
    left = {
        "dead": tmp_path / f".labels.{where}-{dead}.k2j4x0a1.partial",
        "alive": tmp_path / f".labels.{where}-{os.getppid()}.q9w8e7r6.partial",
        "other_host": tmp_path / f".labels.elsewhere~1-{dead}.a1b2c3d4.partial",
        "other_output": tmp_path / f".other.{where}-{dead}.z9y8x7w6.partial",
    }
    for folder in left.values():
        folder.mkdir()
        (folder / "part-00000.parquet").write_bytes(b"half a dataset")
    staging = staging_for(tmp_path / "labels")
    assert staging.is_dir() and staging.name.startswith(f".labels.{_owner()}.") and staging.name.endswith(".partial")
    assert not left["dead"].exists()
    assert all(left[k].is_dir() for k in ("alive", "other_host", "other_output"))


@pytest.mark.parametrize("matrix", [True, False], ids=["with_matrix", "scratch_matrix"])
def test_a_run_killed_with_sigkill_leaves_folders_the_next_run_removes(tmp_path: Path, matrix: bool) -> None:
    psutil = pytest.importorskip("psutil")
    frame = pd.read_csv(DEMO)
    for i in range(4):
        frame.iloc[i * 500:(i + 1) * 500].to_parquet(tmp_path / f"shard{i}.parquet")
    (tmp_path / "slow.py").write_text(_SLOW_LFS)
    out = tmp_path / "out"
    out.mkdir()
    cmd = [sys.executable, "-m", "lf", "label", str(tmp_path / "shard*.parquet"), "--lfs", str(tmp_path / "slow.py"),
           "-o", str(out / "labels"), *(["--matrix", str(out / "L")] if matrix else []), "--model", "mv",
           "--engine", "dask", "--n-jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.iterdir())) < 2:  # the staging folders are made: the tasks go out
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        family = psutil.Process(proc.pid).children(recursive=True)
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    psutil.wait_procs(family, timeout=20)
    assert all(p.name.startswith(".") for p in out.iterdir()) and len(list(out.iterdir())) == 2  # what SIGKILL leaves
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == (["L", "labels"] if matrix else ["labels"])
    assert len(_parts(out / "labels")) == len(frame)


def test_ids_repeated_across_partitions_are_warned_as_the_local_engine_warns(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # two shards that each number their rows from c0: the local engine said so, Dask nothing
    rows = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(600)
    rows["id"] = [f"c{i % 300}" for i in range(600)]
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    rows.iloc[:300].to_csv(files[0], index=False)
    rows.iloc[300:].to_csv(files[1], index=False)
    lfs = lf.load_lfs(DEMO_LFS)
    said = []
    for out, engine in ((tmp_path / "local.parquet", None), (tmp_path / "dask", DaskEngine(client))):
        with pytest.warns(UserWarning, match=r"repeats row ids: 'c\d+' names 2 rows \(300 ids repeat in all\)") as got:
            label(lfs, [str(f) for f in files], engine=engine, output=out)
        said.append([str(w.message) for w in got if "repeats row ids" in str(w.message)])
    assert len(said[1]) == 1 and said[0] == said[1]
    rows["id"] = [f"c{i}" for i in range(600)]  # every row its own id: nothing said
    rows.iloc[300:].to_csv(files[1], index=False)
    label(lfs, [str(f) for f in files], engine=DaskEngine(client), output=tmp_path / "unique")


@pytest.mark.parametrize(
    ("starts", "said"),
    [
        ((0, 0, 200), r"names 2 rows \(200 ids repeat in all\)"),  # two parts number their rows from 0
        ((0, 199, 398), r"'(199|398)' names 2 rows \(2 ids repeat in all\)"),  # a part starts at the last id before it
        ((400, 200, 0), None),  # each part's ids ascend, the parts in falling order: no id repeats
        ((0, 200, 400), None),
    ],
)
def test_ids_ascending_in_each_partition_are_compared_across_partitions(client, tmp_path: Path, starts, said) -> None:  # type: ignore[no-untyped-def]
    # each worker sees whether its part's ids ascend; the client must still compare the parts
    rows = pd.read_csv(DEMO).head(600)
    files = []
    for i, start in enumerate(starts):
        part = rows.iloc[200 * i:200 * (i + 1)].copy()
        part["id"] = range(start, start + 200)
        files.append(str(tmp_path / f"shard{i}.parquet"))
        part.to_parquet(files[-1], index=False)
    lfs = lf.load_lfs(DEMO_LFS)
    told = []
    for out, engine in ((tmp_path / "local.parquet", None), (tmp_path / "dask", DaskEngine(client))):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            label(lfs, files, engine=engine, output=out, model="mv")
        told.append([str(w.message) for w in got if "repeats row ids" in str(w.message)])
    assert told[0] == told[1]
    if said is None:
        assert told[1] == []
    else:
        assert len(told[1]) == 1 and re.search(said, told[1][0])


def test_a_dask_frame_indexed_by_its_ids_is_warned_about_as_a_dataframe_is(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # ids moved to the index (read_parquet(index="id"), set_index("id")) and no id column:
    # the labels' `id` is each row's position, which a join on the index pairs with other
    # rows; a pandas frame got a warning, a Dask frame none on either engine
    frame = pd.read_csv(DEMO).head(300)
    lfs = lf.load_lfs(DEMO_LFS)
    said = "index is not its row positions"
    with pytest.warns(UserWarning, match=said):
        label(lfs, frame.set_index("id"), output=tmp_path / "pandas.parquet", model="mv")
    by_id = dd.from_pandas(frame.set_index("id"), npartitions=3)
    for engine, out in ((None, "local.parquet"), (DaskEngine(client), "dask")):
        with pytest.warns(UserWarning, match=rf"a Dask DataFrame whose {said} \(at row 0, it holds 'c00000', 'c00001'"):
            label(lfs, by_id, engine=engine, output=tmp_path / out, model="mv")
    # positions, in the whole frame or from 0 in each partition (dask's read_csv): nothing said
    counted = dd.from_pandas(frame.drop(columns="id"), npartitions=3)
    for engine, out in ((None, "a.parquet"), (DaskEngine(client), "a"), (None, "b.parquet"), (DaskEngine(client), "b")):
        data = counted if out.startswith("a") else counted.reset_index(drop=True)
        label(lfs, data, engine=engine, output=tmp_path / out, model="mv")


_PICKY_LFS = """
from lf import ABSTAIN, labeling_function

LABELS = ["HAM", "SPAM"]


@labeling_function()
def picky(x):
    if x.text == "boom":
        raise ValueError("no booms")
    return ABSTAIN
"""


def test_rows_in_errors_are_named_in_their_data_file_and_gold_kinds_agree_across_files(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # each worker counts rows from its own file's start: "row 10" named the eleventh row
    # of the data, which is not the one; and a file of gold names beside one of class ids
    # went through, where one column holding both is refused
    (tmp_path / "picky.py").write_text(_PICKY_LFS)
    lfs = lf.load_lfs(tmp_path / "picky.py")
    texts = [["ok"] * 11, ["ok"] * 10 + ["boom"]]
    for i, rows in enumerate(texts):
        pd.DataFrame({"text": rows, "label": ["HAM"] * 11 if i == 0 else ["1"] * 11}).to_csv(tmp_path / f"s{i}.csv", index=False)
    files = [str(tmp_path / "s0.csv"), str(tmp_path / "s1.csv")]
    with pytest.raises(lf.errors.LFRuntimeError, match=r"'picky' raised on row 21 at"):
        label(lfs, files, output=tmp_path / "local.parquet", model="mv")
    with pytest.raises(lf.errors.LFRuntimeError, match=r"'picky' raised on row 10 of data file '.*s1\.csv' at"):
        label(lfs, files, engine=DaskEngine(client), output=tmp_path / "dask", model="mv")
    said = r"mixes label names \('HAM'\) with class ids \('1'"
    for engine, out in ((None, "local.parquet"), (DaskEngine(client), "dask")):
        with pytest.raises(lf.errors.DataError, match=said):
            label(lfs, files, engine=engine, output=tmp_path / out, model="mv", gold="label", on_error="abstain")
    assert list(tmp_path.glob("local*")) == [] and not (tmp_path / "dask").exists()


_SLOW_PICKY_LFS = """
import time

from lf import ABSTAIN, labeling_function

LABELS = ["HAM", "SPAM"]


@labeling_function()
def picky(x):
    if x.text.startswith("boom"):
        raise ValueError(f"no {x.text}")
    time.sleep(0.002)
    return ABSTAIN
"""


def test_an_lf_failing_in_several_files_stops_with_the_first_files_error(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the error was the partition that failed first on the cluster: the second file's,
    # failing on its first row, where the local engine stops in the first file
    (tmp_path / "picky.py").write_text(_SLOW_PICKY_LFS)
    lfs = lf.load_lfs(tmp_path / "picky.py")
    pd.DataFrame({"text": ["ok"] * 1500 + ["boom a"]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"text": ["boom b"] + ["ok"] * 10}).to_csv(tmp_path / "b.csv", index=False)
    files = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    with pytest.raises(lf.errors.LFRuntimeError, match=r"raised on row 1500 at .*: ValueError: no boom a\."):
        label(lfs, files, output=tmp_path / "local.parquet", model="mv")
    with pytest.raises(lf.errors.LFRuntimeError, match=r"raised on row 1500 of data file '.*a\.csv' at .*: ValueError: no boom a\."):
        label(lfs, files, engine=DaskEngine(client), output=tmp_path / "dask", model="mv")


def test_the_cli_names_a_bad_gold_column_by_its_option_on_dask_too(client, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # "`gold` column 'label'" on Dask, where lf label says "--gold column 'label'"
    from lf.cli import main

    frame = pd.read_csv(DEMO).head(30)
    frame.loc[20, "label"] = None
    frame.to_csv(tmp_path / "d.csv", index=False)
    args = ["label", str(tmp_path / "d.csv"), "--lfs", str(DEMO_LFS), "--gold", "label", "--model", "mv"]
    assert main([*args, "-o", str(tmp_path / "local.parquet")]) == 2
    assert "--gold column 'label' has a missing value (row position 20)" in capsys.readouterr().err
    assert main([*args, "-o", str(tmp_path / "dask"), "--engine", "dask", "--scheduler", client.scheduler.address]) == 2
    assert "--gold column 'label' of data file" in " ".join(capsys.readouterr().err.split())


def test_rows_without_an_id_in_files_read_by_workers_are_named_on_the_client(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # the workers read the ids and count the rows without one; the client says it,
    # with the rows' positions in the whole data, as the local engine does
    frame = pd.read_csv(DEMO).head(400)
    frame["id"] = frame["id"].astype(object)
    frame.loc[[5, 320], "id"] = None
    files = []
    for i, at in enumerate(range(0, 400, 200)):
        files.append(str(tmp_path / f"shard{i}.parquet"))
        frame.iloc[at:at + 200].to_parquet(files[-1], index=False)
    with pytest.warns(UserWarning, match=r"'id' is empty on 2 rows \(positions 5, 320, counted from 0\)"):
        label(lf.load_lfs(DEMO_LFS), files, engine=DaskEngine(client), output=tmp_path / "out", model="mv")


def test_a_second_run_publishing_to_the_same_folder_is_refused_and_mixes_no_parts(tmp_path: Path) -> None:
    # two runs with one -o, both begun while the folder was empty: the second to finish
    # stopped with 'Directory not empty' from the rename, or, with the folder made empty
    # beforehand, removed it under the first run's rename
    from lf.dask_label import publish, staging_for
    from lf.errors import DataError

    out = tmp_path / "labels"
    out.mkdir()
    first, second = staging_for(out), staging_for(out)
    assert first != second  # each run's parts in a folder of its own
    (first / "part-00000.parquet").write_bytes(b"first run")
    for i in range(2):
        (second / f"part-{i:05d}.parquet").write_bytes(b"second run")
    publish(first, out)
    with pytest.raises(DataError, match=r"another run wrote it while this one ran.*own output folder"):
        publish(second, out)
    assert [(p.name, p.read_bytes()) for p in out.iterdir()] == [("part-00000.parquet", b"first run")]
