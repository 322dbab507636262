"""lf.label on a real LocalCluster: workers read and write, the client merges counts only."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.dask import DaskEngine
from lf.label import label

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("shards")
    frame = pd.read_csv(DEMO)
    paths = []
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 4)):
        path = folder / f"part{i}.parquet"
        frame.iloc[part].to_parquet(path)
        paths.append(path)
    return paths


def _read_parts(folder: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))], ignore_index=True)


def _local(tmp_path: Path, shards: list[Path]) -> tuple[Any, pd.DataFrame]:
    res = label(lf.load_lfs(DEMO_LFS), shards, output=tmp_path / "local.parquet", gold="label", progress=False)
    return res, pd.read_parquet(tmp_path / "local.parquet")


def test_files_read_by_workers_give_the_local_labels_matrix_and_report(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    local, want = _local(tmp_path, shards)
    glob = str(shards[0].parent / "part*.parquet")
    res = label(lf.load_lfs(DEMO_LFS), glob, engine=DaskEngine(client), output=tmp_path / "labels", matrix=tmp_path / "L", gold="label")
    pd.testing.assert_frame_equal(_read_parts(tmp_path / "labels"), want)
    parts = [lf.LabelMatrix.load(p) for p in sorted((tmp_path / "L").glob("part-*.parquet"))]
    assert lf.LabelMatrix.concat(parts) == lf.apply(lf.load_lfs(DEMO_LFS), shards, progress=False)
    assert res.accuracy == local.accuracy and res.label_counts == local.label_counts
    cols = [c for c in lf.summarize(local.table).columns if c != "seconds"]
    pd.testing.assert_frame_equal(lf.summarize(res.table, model=res.model)[cols], lf.summarize(local.table, model=local.model)[cols])
    assert (res.table.errors == local.table.errors).all()


def test_a_dask_dataframe_is_labeled_on_the_workers(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    _, want = _local(tmp_path, shards)
    ddf = dd.read_parquet([str(p) for p in shards])
    label(lf.load_lfs(DEMO_LFS), ddf, engine=DaskEngine(client), output=tmp_path / "labels")
    got = _read_parts(tmp_path / "labels")
    pd.testing.assert_frame_equal(got, want)


def test_a_worker_killed_mid_job_and_the_result_is_identical(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    _, want = _local(tmp_path, shards)
    marker = tmp_path / "killed-once"

    def kill_once(x, marker):  # type: ignore[no-untyped-def]
        if x.id == want["id"].iloc[1200] and not os.path.exists(marker):
            open(marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies mid-partition
        return -1

    lfs = [*lf.load_lfs(DEMO_LFS), lf.LabelingFunction("kill_once", kill_once, resources={"marker": str(marker)})]
    res = label(lfs, [str(p) for p in shards], engine=DaskEngine(client), output=tmp_path / "labels", model="mv")
    assert marker.exists()  # a worker did die
    again = label(lfs, [str(p) for p in shards], output=tmp_path / "local2.parquet", model="mv", progress=False)
    pd.testing.assert_frame_equal(_read_parts(tmp_path / "labels"), pd.read_parquet(tmp_path / "local2.parquet"))
    assert res.label_counts == again.label_counts


def test_a_failed_run_leaves_no_part_files(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    # the matrix parts of the partitions labeled before the failure looked like a whole
    # partitioned matrix, and the labels folder was made; a folder given empty stays empty
    last = pd.read_parquet(shards[-1])["id"].iloc[-1]

    def fails_late(x):  # type: ignore[no-untyped-def]
        if x.id == last:
            raise ValueError("late failure")
        return 1 if "http" in x.text else -1

    lfs = [*lf.load_lfs(DEMO_LFS), lf.LabelingFunction("fails_late", fails_late)]
    (tmp_path / "L").mkdir()
    with pytest.raises(Exception, match="late failure"):
        label(lfs, [str(p) for p in shards], engine=DaskEngine(client), output=tmp_path / "labels", matrix=tmp_path / "L", model="mv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L"] and list((tmp_path / "L").iterdir()) == []


def test_the_part_folders_get_the_permissions_of_a_folder_made_by_mkdir(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    # they were the private 0o700 of a temporary folder: others sharing the files could
    # read a labels file lf wrote, but not a folder of parts
    label(lf.load_lfs(DEMO_LFS), shards[:2], engine=DaskEngine(client), output=tmp_path / "labels", matrix=tmp_path / "L", model="mv")
    (tmp_path / "plain").mkdir()
    want = (tmp_path / "plain").stat().st_mode & 0o777
    assert want != 0o700  # the usual umasks (022, 002) let others in
    assert [(tmp_path / name).stat().st_mode & 0o777 for name in ("labels", "L")] == [want, want]


def test_the_cli_fails_fast_and_in_one_line_on_a_bad_scheduler_address(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import time

    from lf.cli import main

    start = time.perf_counter()
    code = main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - start < 12
    assert "Cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "o.csv"), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--scheduler goes with --engine dask" in capsys.readouterr().err
    # a port no address has: the connection timed out after 5 s, "Timed out trying to connect"
    start = time.perf_counter()
    code = main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "out"), "--engine", "dask", "--scheduler", "tcp://localhost:99999"])
    assert code == 2 and time.perf_counter() - start < 4
    assert "(ValueError: port 99999 is out of range: a port is 1 to 65535)" in " ".join(capsys.readouterr().err.split())


def test_lf_apply_takes_a_dask_dataframe(shards: list[Path]) -> None:
    ddf = dd.read_parquet([str(p) for p in shards])
    lfs = lf.load_lfs(DEMO_LFS)
    got = lf.apply(lfs, ddf, id_column="id", progress=False)
    want = lf.apply(lfs, shards, id_column="id", progress=False)
    assert got == want and got.row_ids.tolist() == want.row_ids.tolist()


def test_the_lfs_survive_the_death_of_every_worker_holding_them() -> None:
    # Scattered data dies with the last worker that holds it, and every task needing it is
    # then cancelled; the LFs are the result of a task instead, which the scheduler reruns.
    from lf.apply.dask import shared_lfs

    lfs = list(lf.load_lfs(DEMO_LFS))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with cluster, distributed.Client(cluster) as c:
        remote = shared_lfs(c, lfs)
        distributed.wait(remote)
        holders = list(c.who_has(remote)[remote.key])
        assert holders
        def die_soon() -> None:
            import threading

            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGKILL)).start()

        c.run(die_soon, workers=holders)
        deadline = time.monotonic() + 60
        while set(holders) & set(c.scheduler_info()["workers"]) and time.monotonic() < deadline:
            time.sleep(0.1)  # until the scheduler has seen every holder go
        assert not set(holders) & set(c.scheduler_info()["workers"])
        names = c.submit(lambda got: [x.name for x in got], remote, pure=False).result(timeout=120)
    assert names == [x.name for x in lfs]


def test_a_progress_that_is_not_a_bool_is_refused_on_a_cluster_too(client, tmp_path: Path, shards: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """The cluster's path of lf.label never built a progress bar, so progress="yes" was
    taken unchecked there."""
    with pytest.raises(lf.errors.ParameterError, match=r"^`progress` must be True, False or None .* Got 'yes'\.$"):
        label(lf.load_lfs(DEMO_LFS), shards, engine=DaskEngine(client), output=tmp_path / "labels", progress="yes")
    assert not (tmp_path / "labels").exists()


def test_the_part_folders_are_read_back_as_one_matrix_and_one_labels_file(client, tmp_path: Path, shards: list[Path], capsys) -> None:  # type: ignore[no-untyped-def]
    from lf.cli import main
    from lf.train import load_model

    label(lf.load_lfs(DEMO_LFS), shards, engine=DaskEngine(client), output=tmp_path / "labels", matrix=tmp_path / "L")
    label(lf.load_lfs(DEMO_LFS), shards, output=tmp_path / "local.parquet", matrix=tmp_path / "local_L.parquet", progress=False)
    assert lf.LabelMatrix.load(tmp_path / "L") == lf.LabelMatrix.load(tmp_path / "local_L.parquet")
    capsys.readouterr()
    assert main(["report", str(tmp_path / "L"), "--no-progress"]) == 0
    assert "2,000 rows x 12 LFs" in capsys.readouterr().out
    data = [str(p) for p in shards]
    for labels, out in ((tmp_path / "labels", tmp_path / "em_parts"), (tmp_path / "local.parquet", tmp_path / "em_local")):
        assert main(["train", *data, "--labels", str(labels), "-o", str(out)]) == 0
    parts, whole = load_model(tmp_path / "em_parts"), load_model(tmp_path / "em_local")
    assert parts.C == whole.C and np.array_equal(parts.coef, whole.coef)


@pytest.mark.parametrize("matrix", [False, True])
def test_ids_changing_type_in_a_file_read_by_a_worker_name_the_users_folder(client, tmp_path: Path, matrix: bool) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": "hi"}\n')
    (tmp_path / "b.jsonl").write_text('{"id": 2, "text": "buy"}\n{"id": "s3", "text": "hi"}\n')
    lfs = [lf.keyword_lf("buy", ["buy"], 1), lf.keyword_lf("hi", ["hi"], 0)]
    options: dict[str, Any] = {"matrix": tmp_path / "L"} if matrix else {}
    with pytest.raises(lf.errors.DataError) as caught:
        label(lfs, [tmp_path / "a.jsonl", tmp_path / "b.jsonl"], engine=DaskEngine(client), output=tmp_path / "labels", chunk_size=1,
              model="MajorityVoter", **options)
    message = str(caught.value)
    folder = tmp_path / ("L" if matrix else "labels")
    assert message.startswith(f"Cannot write {str(folder / 'part-00001.parquet')!r}: the row ids change type"), message
    assert ".lf-" not in message and ".partial" not in message  # not the run's hidden folder
