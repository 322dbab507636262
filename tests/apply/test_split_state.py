"""An LF that keeps state between calls gives other labels when its rows are split among
worker processes: the pool and Dask engines say so, rather than hand back another matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, labeling_function, preprocessor
from lf.apply.dask import DaskEngine
from lf.apply.world import SplitStateWarning

FRAME = pd.DataFrame({"text": ["ab", "cd", "ef", "a", "b"] * 8})


def _counting() -> Any:
    calls = {"n": 0}

    @labeling_function()
    def every_other(x):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return calls["n"] % 2

    return every_other


def _seen_before() -> Any:
    seen: set[str] = set()

    @preprocessor()
    def mark(x):  # type: ignore[no-untyped-def]
        x.repeat = x.text in seen
        seen.add(x.text)
        return x

    @labeling_function(pre=[mark])
    def repeated(x):  # type: ignore[no-untyped-def]
        return 1 if x.repeat else ABSTAIN

    return repeated


@labeling_function()
def has_a(x):  # type: ignore[no-untyped-def]
    x.text = x.text.upper()  # a write to its own row is undone after it: no state
    return 1 if "A" in x.text else 0


@pytest.mark.parametrize("make", [_counting, _seen_before])
def test_a_stateful_lf_is_warned_about_in_the_pool_whose_matrix_differs(make: Any) -> None:
    one = lf.apply([make()], FRAME, chunk_size=7)
    with pytest.warns(SplitStateWarning, match=r"Labeling function '\w+' keeps state between calls .* pool engine"):
        two = lf.apply([make()], FRAME, chunk_size=7, n_jobs=2)
    assert not np.array_equal(np.asarray(one), np.asarray(two))  # what the warning is about


def test_a_stateful_lf_is_warned_about_on_dask(client: Any) -> None:  # the fixture: a real LocalCluster
    with pytest.warns(SplitStateWarning, match=r"'every_other' keeps state .* dask engine .* n_jobs=1"):
        lf.apply([_counting()], FRAME, chunk_size=7, engine=DaskEngine(client))


def test_lf_label_on_dask_warns_too(client: Any, tmp_path: Any) -> None:
    import dask.dataframe as dd

    from lf.label import label

    with pytest.warns(SplitStateWarning, match="'every_other' keeps state"):
        label([_counting()], dd.from_pandas(FRAME, npartitions=2), engine=DaskEngine(client), output=tmp_path / "out", model="mv", chunk_size=7)


def test_one_process_and_stateless_lfs_are_not_warned_about() -> None:
    # pytest turns any warning into an error here (filterwarnings = error)
    lf.apply([_counting()], FRAME, chunk_size=7)
    lf.apply([_counting()], FRAME, chunk_size=7, engine="pool", n_jobs=1)
    lf.apply([has_a], FRAME, chunk_size=7, n_jobs=2)
