"""A chunk's rows are kept out of the cyclic GC's collections while it is labeled, and
nothing else about the garbage collector changes for the caller."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction


@pytest.fixture
def gc_events() -> Iterator[list[int]]:
    """The generation of each collection the GC runs while the test does."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"row {i}" for i in range(n)], "n": np.arange(n)})


def test_rows_cause_no_collection(gc_events: list[int]) -> None:
    # 200,000 rows in 10 chunks: each chunk's 20,000 rows used to start a young collection
    # that walked them all (10 in all), and once promoted, full collections walked them
    # again. Now each chunk sweeps the young generations before its rows exist (1) and
    # freezes them; at most an incidental young collection or two of other objects remains.
    lfs = [LabelingFunction("odd", lambda x: 1 if x.n % 2 else ABSTAIN)]
    df = _frame(200_000)
    lf.apply(lfs, df.iloc[:10], progress=False)  # imports done
    gc.collect()
    gc_events.clear()
    L = lf.apply(lfs, df, progress=False)
    assert L.array[:, 0].tolist() == np.where(np.arange(200_000) % 2 == 1, 1, -1).tolist()
    assert gc_events.count(0) <= 2 and 2 not in gc_events, gc_events
    assert gc.get_freeze_count() == 0  # everything sheltered is thawed again


def test_the_lfs_run_while_the_rows_are_sheltered() -> None:
    frozen: list[int] = []

    def spy(x: Any) -> int:
        if x.n == 0:
            frozen.append(gc.get_freeze_count())
        return ABSTAIN

    lf.apply([LabelingFunction("spy", spy)], _frame(1_000), progress=False)
    assert frozen and frozen[0] >= 1_000  # this chunk's rows at least
    assert gc.get_freeze_count() == 0


def test_what_the_caller_froze_stays_frozen() -> None:
    # A thaw after each chunk would release what an application froze itself (a pre-fork
    # server freezes its heap so that its workers do not copy it): then nothing is sheltered.
    kept = [[i] for i in range(1_000)]
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        lfs = [LabelingFunction("odd", lambda x: 1 if x.n % 2 else ABSTAIN)]
        one = lf.apply(lfs, _frame(3_000), progress=False)
        assert gc.get_freeze_count() == before
        two = lf.apply(lfs, _frame(3_000), n_jobs=2, progress=False)
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
    assert np.array_equal(one.array, two.array) and len(kept) == 1_000


class _Cycle:
    """A garbage cycle that counts its collection."""

    collected = 0

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.collected += 1


def test_cycles_an_lf_makes_are_still_collected_during_the_chunk() -> None:
    # Only what existed when the rows were built is sheltered: an LF's own garbage cycles
    # are collected as usual while the chunk runs, not when it ends.
    at_last_row: list[int] = []

    def cyclic(x: Any) -> int:
        _Cycle()
        if x.n == 19_999:
            at_last_row.append(_Cycle.collected)
        return ABSTAIN

    gc.collect()
    _Cycle.collected = 0
    lf.apply([LabelingFunction("cyclic", cyclic)], _frame(20_000), progress=False)
    assert at_last_row and at_last_row[0] >= 19_000


def _interrupted_in(code: Any, now: Any) -> None:
    """Apply with a KeyboardInterrupt raised inside ``code`` at its first step where
    ``now()`` holds (Ctrl-C lands between any two bytecodes; a trace function picks one)."""
    import sys
    from types import FrameType

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return inside if frame.f_code is code else None

    def inside(frame: FrameType, event: str, arg: Any) -> Any:
        if event in ("line", "return") and now():
            raise KeyboardInterrupt
        return inside

    lfs = [LabelingFunction("odd", lambda x: 1 if x.n % 2 else ABSTAIN)]
    sys.settrace(tracer)
    try:
        with pytest.raises(KeyboardInterrupt):
            lf.apply(lfs, _frame(100), progress=False)
    finally:
        sys.settrace(None)


def test_ctrl_c_right_after_the_freeze_leaves_nothing_frozen() -> None:
    # Arriving right after gc.freeze(), before the rows noted they were frozen, Ctrl-C left
    # the whole heap frozen for good (a notebook's kernel then never collected its cycles).
    from lf.apply.views import ChunkRows

    try:
        _interrupted_in(ChunkRows._shelter.__code__, lambda: gc.get_freeze_count() > 0)
    finally:
        frozen = gc.get_freeze_count()
        gc.unfreeze()
    assert frozen == 0


def test_ctrl_c_right_after_the_gc_is_paused_leaves_it_on() -> None:
    # The rows are built with the GC paused; Ctrl-C right after gc.disable(), before the
    # block that turns it on again, left the caller's process without a cyclic GC.
    from lf.apply.views import gc_paused

    try:
        _interrupted_in(gc_paused.__wrapped__.__code__, lambda: not gc.isenabled())
    finally:
        enabled = gc.isenabled()
        gc.enable()
    assert enabled and gc.get_freeze_count() == 0
