"""A Dask cluster without workers: the run says why it waits, and finishes once one joins.

Every worker of a cluster can be gone (killed, and no nanny left to restart it), or an
adaptive cluster can start with none: the run's tasks then wait for a worker, and lf
waited without a word, its progress frozen. It now warns once, naming the scheduler, and
goes on when a worker joins, with the matrix the local engine gives.
"""

from __future__ import annotations

import threading
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply import dask as dask_engine
from lf.apply.dask import DaskEngine, NoWorkersWarning


@lf.labeling_function()
def long_text(x: Any) -> int:
    return 1 if len(x.text) > 3 else 0


def test_a_run_on_a_cluster_without_workers_warns_and_finishes_when_one_joins(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(dask_engine, "NO_WORKERS_AFTER", 0.5)
    df = pd.DataFrame({"text": ["a", "a longer text", "abcd", ""]})
    lfs = [long_text, lf.keyword_lf("kw", ["longer"], 1)]
    cluster = distributed.LocalCluster(n_workers=0, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        with distributed.Client(cluster) as client:
            out: dict[str, Any] = {}

            def run() -> None:
                try:
                    out["L"] = lf.apply(lfs, df, engine=DaskEngine(client), progress=False)
                except Exception as exc:  # noqa: BLE001 - reported below
                    out["error"] = exc

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                thread = threading.Thread(target=run, daemon=True)
                thread.start()
                deadline = time.monotonic() + 60
                while not any(w.category is NoWorkersWarning for w in caught) and time.monotonic() < deadline:
                    time.sleep(0.1)
                said = [str(w.message) for w in caught if w.category is NoWorkersWarning]
                assert said, "no warning while the run waited for workers"
                assert thread.is_alive()  # still waiting, not failed
                cluster.scale(1)
                thread.join(180)
            assert not thread.is_alive() and "error" not in out, out.get("error")
            assert len(said) == 1 and client.scheduler.address in said[0] and "no workers" in said[0]
            assert np.array_equal(out["L"].array, lf.apply(lfs, df, progress=False).array)
    finally:
        cluster.close()
