"""Fixtures of the engine tests: a real ``distributed`` cluster of worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

WORKERS = 2


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A ``Client`` of a ``LocalCluster`` with 2 single-threaded worker processes, one per
    test module (a module that kills workers does not disturb another)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(autouse=True)
def _workers_up(request: pytest.FixtureRequest) -> None:
    """Each test that uses the cluster starts with its 2 workers. A test that failed
    half-way can leave none (a restart whose new workers the nannies closed on a loaded
    machine): the next test's run would then wait for workers forever instead of failing."""
    if "client" in request.fixturenames:
        ensure_workers(request.getfixturevalue("client"))


def ensure_workers(client: Any) -> None:
    if len(client.scheduler_info()["workers"]) < WORKERS:
        client.cluster.scale(WORKERS)
    client.wait_for_workers(WORKERS, timeout=180)


@pytest.fixture
def fresh_workers(client: Any) -> Callable[[], None]:
    """A call that gives the cluster new worker processes (none of the old ones' imports):
    ``client.restart()``, or, when the restart gives up on a loaded machine, workers
    started anew."""

    def restart() -> None:
        try:
            client.restart(timeout=180)
        except TimeoutError:
            ensure_workers(client)

    return restart
