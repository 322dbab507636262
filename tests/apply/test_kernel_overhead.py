"""The kernel's own per-row costs: building a chunk's rows runs no garbage collection."""

from __future__ import annotations

import gc
import re

import numpy as np
import pandas as pd
import pytest

from lf import ABSTAIN, LabelingFunction
from lf.apply.kernel import label_chunk
from lf.errors import LFOutputError


@pytest.fixture
def collections():
    """Counts the cyclic GC's collections while the test runs."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(count)
    yield seen
    gc.callbacks.remove(count)


def _chunk(n: int) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": ["free stuff", "hello"] * (n // 2)})


def test_rows_of_a_chunk_are_built_without_collections(collections):
    # An LF that allocates nothing the collector tracks: any collection would come from the
    # kernel's own 20,000 Row objects (about 30 of them without the pause).
    free = LabelingFunction("free", lambda x: 1 if "free" in x.text else ABSTAIN)
    assert gc.isenabled()
    res = label_chunk([free], _chunk(20_000), cardinality=2)
    assert len(collections) <= 2
    assert gc.isenabled()  # the collector is left as it was found
    assert res.labels[:, 0].tolist() == [1, ABSTAIN] * 10_000


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        label_chunk([LabelingFunction("c", lambda x: 0)], _chunk(10), cardinality=2)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cheap_type_check_still_names_a_bool_or_float():
    chunk = _chunk(6)
    for bad, shown in ((True, "True (bool)"), (1.0, "1.0 (float)"), (np.int64(1), None)):
        f = LabelingFunction("odd", lambda x, bad=bad: bad if x.id == "r4" else 0)
        if shown is None:  # numpy ints are labels too
            assert label_chunk([f], chunk, cardinality=2).labels[4, 0] == 1
            continue
        with pytest.raises(LFOutputError, match=re.escape(f"'odd' returned {shown} on row 4")):
            label_chunk([f], chunk, cardinality=2)
