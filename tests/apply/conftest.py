"""Fixtures of the engine tests: a real ``distributed`` cluster of worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A ``Client`` of a ``LocalCluster`` with 2 single-threaded worker processes, one per
    test module (a module that kills workers does not disturb another)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
