"""Errors raised in worker processes (pool and Dask) reach the caller as the local engine
raises them, and LFs that cannot travel to Dask workers are named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.errors import LFDefinitionError, LFRuntimeError

# Importing distributed (as any session that used Dask has) makes exceptions pickle with
# their causes and tracebacks (tblib): the setting in which a cause that does not pickle
# sank the error itself.
distributed = pytest.importorskip("distributed")

# The LF's own exception takes two arguments and holds a lock: it neither pickles nor
# rebuilds from its message. It fails on row 15: in the second chunk of 10 rows, which
# the pool's worker labels (the calling process labels the first).
_MODULE = """
import threading

from lf import ABSTAIN, labeling_function

LABELS = ["HAM", "SPAM"]


class Odd(Exception):
    def __init__(self, a, b):
        super().__init__(f"odd row {a}-{b}")
        self.lock = threading.Lock()


@labeling_function()
def odd(x):
    if x.text == "boom":
        raise Odd(1, 2)
    return 1 if "spam" in x.text else ABSTAIN


@labeling_function(resources={"lock": threading.Lock()})
def locked(x, lock):
    return 0
"""


@pytest.fixture
def lfs(tmp_path: Path) -> list[lf.LabelingFunction]:
    (tmp_path / "odd_lfs.py").write_text(_MODULE)
    return list(lf.load_lfs(tmp_path / "odd_lfs.py"))


def _frame() -> pd.DataFrame:
    texts = ["spam"] * 15 + ["boom"] + ["ham"] * 64  # 80 rows: chunks of 10 for 2 workers
    return pd.DataFrame({"id": [f"c{i}" for i in range(len(texts))], "text": texts})


def _frames() -> Iterator[pd.DataFrame]:  # not in memory: chunks go to a process pool
    frame = _frame()
    for start in range(0, len(frame), 10):
        yield frame.iloc[start : start + 10]


def _local_error(lfs: list[lf.LabelingFunction]) -> str:
    with pytest.raises(LFRuntimeError) as local:
        lf.apply(lfs[:1], _frame(), chunk_size=10, progress=False)
    assert "'odd' raised on row 15 (id 'c15') at " in str(local.value) and "odd_lfs.py:" in str(local.value)
    return str(local.value)


@pytest.mark.parametrize("data", [_frame, _frames], ids=["inherited-chunks", "process-pool"])
def test_an_lf_error_whose_cause_does_not_pickle_comes_back_from_a_pool_worker_unchanged(lfs, data) -> None:  # type: ignore[no-untyped-def]
    # it killed the pool's worker ("exited with code 1 ... use less memory"), or came back
    # as "A pool worker raised LFRuntimeError: ..."
    want = _local_error(lfs)
    with pytest.raises(LFRuntimeError) as pooled:
        lf.apply(lfs[:1], data(), n_jobs=2, chunk_size=10, progress=False)
    assert str(pooled.value) == want


@pytest.mark.slow
def test_an_lf_error_whose_cause_does_not_pickle_comes_back_from_a_dask_worker_unchanged(client, lfs) -> None:  # type: ignore[no-untyped-def]
    # it came back as a bare Exception, and named the LF's file "<dynamic-code>"
    from lf.apply.dask import DaskEngine

    want = _local_error(lfs)
    with pytest.raises(LFRuntimeError) as remote:
        lf.apply(lfs[:1], _frame(), engine=DaskEngine(client), chunk_size=10, progress=False)
    assert str(remote.value) == want


@pytest.mark.slow
def test_an_lf_that_does_not_pickle_is_named_before_any_dask_task_runs(client, lfs, capsys) -> None:  # type: ignore[no-untyped-def]
    from lf.apply.dask import DaskEngine

    with pytest.raises(LFDefinitionError, match=r"'locked' cannot be sent to the Dask workers.*cannot pickle '_thread.lock'"):
        lf.apply(lfs, _frame(), engine=DaskEngine(client), progress=False)
    assert "Traceback" not in capsys.readouterr().err
    # the pool's forked workers need no pickling
    assert (lf.apply(lfs[1:], _frame(), n_jobs=2, progress=False).array == 0).all()
