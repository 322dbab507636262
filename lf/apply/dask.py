"""Dask engine: chunks run as tasks on a ``dask.distributed`` cluster (extra: ``lf[dask]``).

The engine only schedules: every task calls the same chunk kernel as the other engines, so
the matrix is identical and error counts and timings add up the same way. The LFs travel
to the workers once (as the result of one task, pickled by value when their module exists
only here, as a module loaded from a ``.py`` file does); each chunk goes out as one task and only its small
int8 result comes back. At most ``max_in_flight`` chunks are on the cluster at a time, so
memory stays bounded however large the corpus.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from lf.apply.kernel import ChunkResult, Task
from lf.apply.pool import in_order
from lf.apply.portable import crossing
from lf.apply.settings import Settings
from lf.core import LabelingFunction
from lf.errors import LFDefinitionError, LFError, MissingExtraError, ParameterError, WorkerError

__all__ = ["DaskEngine", "NoWorkersWarning", "Watch", "close", "connect", "shared_lfs"]

NO_WORKERS_AFTER = 10.0  # seconds a wait lasts before lf looks whether the cluster has workers


class NoWorkersWarning(UserWarning):
    """The Dask cluster has no workers: the run waits until some join."""


class Watch:
    """Waits for a run's futures, and says once why when the cluster has no workers to
    compute them (every worker died and no nanny restarts them, or an adaptive cluster
    has yet to start one): without a word the run would just stop moving."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.warned = False

    def wait(self, futures: Sequence[Any]) -> None:
        distributed = _distributed()
        while True:
            try:
                distributed.wait(list(futures), timeout=NO_WORKERS_AFTER)
                return
            except TimeoutError:
                if not self.warned and not self.client.scheduler_info()["workers"]:
                    self.warned = True
                    address = getattr(self.client.scheduler, "address", "?")
                    warnings.warn(
                        NoWorkersWarning(
                            f"The Dask scheduler at {address} has no workers, so the run waits for some to join: "
                            f"start workers (dask worker {address}), or stop with Ctrl-C."
                        ),
                        stacklevel=3,
                    )

    def result(self, future: Any) -> Any:
        self.wait([future])
        return future.result()


class _Watched:
    """A Dask future whose ``result()`` waits through a :class:`Watch`."""

    def __init__(self, future: Any, watch: Watch) -> None:
        self.future, self.watch = future, watch

    def result(self) -> Any:
        return self.watch.result(self.future)

    def cancel(self) -> None:
        self.future.cancel()


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MissingExtraError("The Dask engine needs dask.distributed: pip install 'lf[dask]'.") from None
    return distributed


def _run_chunk(lfs: Sequence[LabelingFunction], task: Task, settings: Settings) -> ChunkResult:
    return crossing(settings.label, lfs, task)


def _as_list(lfs: Sequence[LabelingFunction]) -> list[LabelingFunction]:
    return list(lfs)


def shared_lfs(client: Any, lfs: Sequence[LabelingFunction]) -> Any:
    """The LFs as one value on the cluster that the tasks depend on.

    A task that returns them, not scattered data: the scheduler keeps the task and computes
    it again if every worker holding its result dies, while scattered data dies with the last
    worker holding it (a worker killed mid-run, or scattered while only one worker was up,
    would cancel every task that needs the LFs).
    """
    _distributed()  # the extra is installed
    _by_value(lfs)
    quiet = _quiet_logger("distributed.protocol.pickle")  # it logs a traceback per failed pickle
    try:
        remote = client.submit(_as_list, tuple(lfs), pure=False)
        Watch(client).wait([remote])
    except Exception as exc:  # the LFs could not be sent: say which
        raise _not_sendable(lfs, exc) from exc
    finally:
        quiet()
    if remote.status != "finished":
        try:
            remote.result()
        except Exception as exc:  # the workers cannot unpickle the LFs or their resources
            raise WorkerError(
                f"The Dask workers could not load the LFs ({type(exc).__name__}: {_first_sentence(exc)}). "
                "Workers need the packages this process has, and every module an LF uses importable "
                "(LF modules loaded from a .py file are sent by value)."
            ) from exc
    # A copy on every worker, as scattering with broadcast gave: the scheduler then has no
    # reason to crowd the chunks onto the one worker that computed it.
    client.replicate([remote])
    _check_worker_code(client, remote, lfs)
    return remote


def _not_sendable(lfs: Sequence[LabelingFunction], exc: BaseException) -> LFError:
    """The error for LFs that could not be pickled to go to the workers, naming the first
    LF that does not pickle (an LF closing over, or given as a resource, a lock, an open
    file or a connection)."""
    import cloudpickle

    for lf in lfs:
        try:
            cloudpickle.dumps(lf)
        except Exception as why:  # noqa: BLE001 - whatever pickling a user's object raises
            return LFDefinitionError(
                f"Labeling function {lf.name!r} cannot be sent to the Dask workers: pickling it failed "
                f"({type(why).__name__}: {_first_sentence(why)}). Its function, preprocessors and resources "
                "must pickle: create what does not (a lock, an open file, a connection) inside the "
                "function, or use the pool engine (--n-jobs N), whose forked workers need no pickling."
            )
    return WorkerError(f"The LFs could not be sent to the Dask workers ({type(exc).__name__}: {_first_sentence(exc)}).")


def _quiet_logger(name: str) -> Callable[[], None]:
    """Silence logger ``name`` until the function returned is called."""
    import logging

    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    return lambda: logger.setLevel(level)


def _worker_digests(lfs: Sequence[LabelingFunction], names: Sequence[str], constants: dict[str, frozenset[str]]) -> dict[str, str]:
    from lf.apply.code_versions import module_digests

    return module_digests(names, constants, load=True)  # `lfs`: the LFs unpickled here, their imports done


def _check_worker_code(client: Any, remote: Any, lfs: Sequence[LabelingFunction]) -> None:
    """Fail when a worker holds another version of a user module the LFs use than this
    process: it imported the module for an earlier run, before an edit."""
    from lf.apply.code_versions import literal_names, module_digests, user_modules

    names = user_modules(lfs)
    if not names:
        return
    constants = {n: literal_names(sys.modules[n]) for n in names}
    mine = module_digests(names, constants)
    workers = list(client.scheduler_info()["workers"])
    futures = [
        client.submit(_worker_digests, remote, names, constants, workers=[w], allow_other_workers=False, pure=False)
        for w in workers
    ]
    for worker, future in zip(workers, futures):
        theirs = future.result()
        stale = [n for n in names if n in theirs and theirs[n] != mine[n]]
        if stale:
            raise WorkerError(
                f"The Dask worker {worker} holds another version of the module(s) {', '.join(map(repr, stale))} "
                "than this process (the LFs use them; one of the two imported them before an edit), so "
                "the matrix would not be this process's. Restart the workers (client.restart()), and "
                "reload the module here, so both run the current code."
            )


def _first_sentence(exc: BaseException) -> str:
    return " ".join(str(exc).split()).split(". ")[0].rstrip(".")


def _by_value(lfs: Sequence[LabelingFunction]) -> None:
    """Pickle the code of LFs loaded from a ``.py`` file by value: workers cannot import it."""
    import cloudpickle

    from lf.modules import FILE_MODULE_PREFIX

    for lf in lfs:
        for func in (lf.f, *(p.func for p in lf.pre)):
            module = sys.modules.get(getattr(func, "__module__", None) or "")
            if module is not None and module.__name__.startswith(FILE_MODULE_PREFIX):
                cloudpickle.register_pickle_by_value(module)


class DaskEngine:
    """Runs chunks on a Dask ``distributed`` cluster.

    Parameters
    ----------
    client:
        A ``distributed.Client``. Default: the client already active in this process
        (``distributed.get_client()``); create one first, e.g. ``Client(LocalCluster())`` or
        ``Client("scheduler:8786")``.
    max_in_flight:
        Chunks submitted but not yet collected (default: twice the cluster's worker threads).
    threads:
        Threads per task for batch LFs (templates) beside the row LFs; 1 leaves the
        parallelism to the cluster.
    """

    name = "dask"

    def __init__(self, client: Any = None, *, max_in_flight: int | None = None, threads: int = 1) -> None:
        self.client = client
        self.max_in_flight = max_in_flight
        self.threads = threads

    def _client(self) -> Any:
        distributed = _distributed()
        if self.client is not None:
            return self.client
        try:
            return distributed.get_client()
        except ValueError:
            raise ParameterError(
                "engine='dask' needs a running dask.distributed Client: create one first "
                "(from distributed import Client, LocalCluster; client = Client(LocalCluster())) "
                "or pass engine=DaskEngine(client)."
            ) from None

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        settings: Settings,
    ) -> Iterator[ChunkResult]:
        client = self._client()
        window = self.max_in_flight or max(2, 2 * sum(client.nthreads().values()))
        remote_lfs = shared_lfs(client, lfs)
        here = settings.with_threads(self.threads)
        watch = Watch(client)
        return in_order(
            lambda task: _Watched(client.submit(_run_chunk, remote_lfs, task, here, pure=False), watch), chunks, window
        )


def connect(scheduler: str | None, n_workers: int | None = None, *, timeout: float = 5.0) -> Any:
    """A ``distributed.Client``: to the scheduler at ``scheduler`` (``tcp://host:port``),
    else to a new ``LocalCluster`` of ``n_workers`` single-threaded worker processes (by
    default one per CPU). An unreachable scheduler fails within ``timeout`` seconds."""
    import logging
    import os

    distributed = _distributed()
    # a gather that an interrupt broke off ends when its futures are cancelled, and asyncio
    # logs that ending (a traceback per gather) where lf reports "interrupted"
    logging.getLogger("asyncio").addFilter(_not_gather_exit)
    if scheduler is not None:
        problem = _bad_port(scheduler) or _handshake(distributed, scheduler, timeout)
        if problem is None:
            try:
                return distributed.Client(scheduler, timeout=f"{timeout}s")
            except Exception as exc:  # noqa: BLE001 - whatever answers there, it is not a scheduler lf can use
                problem = exc
        raise ParameterError(
            f"Cannot reach the Dask scheduler at {scheduler!r} ({_why(problem, timeout)}). "
            "Check the address (tcp://HOST:PORT) and that `dask scheduler` runs there, or drop "
            "--scheduler to use a local cluster."
        )
    import dask

    workers = n_workers or os.cpu_count() or 1
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also pins glibc's mmap
    # threshold: every large buffer (a spaCy batch's arrays, an Arrow column) is then mapped
    # and unmapped again, and spaCy LFs cost about a quarter more CPU in each worker. Workers
    # of lf's own cluster keep the C library's defaults (a variable set in the environment
    # still wins).
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        # No dashboard; its HTTP server still starts, on 8787 unless told otherwise, and
        # where another cluster has that port it warned (one line too many on stderr).
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
        )
    client = distributed.Client(cluster)
    client._lf_cluster = cluster  # closed with the client by lf's CLI
    client.run(_quiet_task_failures)
    return client


def _bad_port(address: str) -> ValueError | None:
    """A port number no address can have (connecting to it timed out, as if nothing answered)."""
    port = address.rsplit(":", 1)[-1]
    if port.isdecimal() and not 0 < int(port) < 65536:
        return ValueError(f"port {port} is out of range: a port is 1 to 65535")
    return None


def _handshake(distributed: Any, address: str, timeout: float) -> BaseException | None:
    """Connect to ``address`` and exchange Dask's handshake, all within ``timeout`` seconds;
    returns what went wrong (None: a scheduler answered).

    ``distributed.Client`` bounds the connection but not the handshake after it: a port that
    accepts and stays silent (another service, a half-open proxy) would hang it for good,
    and one that answers with other bytes fails deep inside it (a MemoryError for a frame
    length read from them). Run in a thread of its own, with its own event loop, so a
    caller's running loop does not matter.
    """
    import asyncio
    import threading

    outcome: list[BaseException | None] = []

    async def shake() -> None:
        # distributed retries a refused connection, and a name that does not resolve, until
        # its timeout, then says it timed out: a plain connect first says which it was
        from distributed.comm.addressing import parse_address, parse_host_port

        scheme, location = parse_address(address)
        if scheme == "tcp":
            _, writer = await asyncio.wait_for(asyncio.open_connection(*parse_host_port(location)), timeout)
            writer.close()
        args = distributed.Security().get_connection_args("client")
        comm = await asyncio.wait_for(distributed.comm.connect(address, timeout=timeout, **args), timeout)
        await comm.close()

    def run() -> None:
        try:
            asyncio.run(shake())
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name="lf-dask-handshake", daemon=True)
    thread.start()
    thread.join(timeout + 2)
    return outcome[0] if outcome else TimeoutError(f"no answer within {timeout:g} s")


def _why(exc: BaseException, timeout: float) -> str:
    """What went wrong reaching a scheduler, in words (a garbled answer's own error would mislead)."""
    import socket

    if isinstance(exc, TimeoutError):  # asyncio's too
        return f"no Dask handshake within {timeout:g} s: something else may listen there"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused: nothing listens on that port"
    if isinstance(exc, socket.gaierror):
        return f"no host of that name: {exc.strerror}"
    if isinstance(exc, (OSError, ValueError)) and not isinstance(exc, MemoryError):
        return f"{type(exc).__name__}: {str(exc).rstrip('.')}"
    return f"its answer is not a Dask scheduler's: {type(exc).__name__}"


def close(client: Any, *, failed: bool) -> None:
    """Close a client :func:`connect` made, and its own cluster. After a failed or
    interrupted run, quietly: distributed and asyncio log the gathers it broke off and the
    workers still busy (dozens of lines, with tracebacks) where lf reports one line."""
    import logging

    cluster = getattr(client, "_lf_cluster", None)
    loggers = [logging.getLogger(name) for name in ("distributed", "asyncio")] if failed else []
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        client.close()
        if cluster is not None:
            cluster.close()
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _quiet_task_failures() -> None:
    """On a worker of lf's own cluster, whose stderr is lf's: a task that raised (an LF that
    raised, a bad gold value) comes back to lf, which reports it as one line; the worker's
    "Compute Failed" log of it, with its traceback, is left out, as are the tasks a closing
    worker stops (lf was interrupted, or a task failed: lf says so). So is a heartbeat that
    finds the scheduler gone: the scheduler runs in lf's own process, so it is gone only
    when lf is exiting (a worker still beating as lf closes the cluster on Ctrl-C or
    SIGTERM printed a traceback under load)."""
    import logging

    logging.getLogger("distributed.worker").addFilter(_not_worker_noise)
    logging.getLogger("distributed.worker.state_machine").addFilter(_not_stopped_by_close)


def _not_worker_noise(record: Any) -> bool:
    return not str(record.msg).startswith(("Compute Failed", "Failed to communicate with scheduler"))


def _not_gather_exit(record: Any) -> bool:
    """Not asyncio's "Task exception was never retrieved" for a gather of distributed's
    that a closed client ended (``AllExit``)."""
    exc = record.exc_info[1] if record.exc_info else None
    return not (exc is not None and type(exc).__name__ == "AllExit" and type(exc).__module__.startswith("distributed"))


def _not_stopped_by_close(record: Any) -> bool:
    message = str(record.msg)
    return not (message.startswith("Async instruction for") and message.endswith("ended with CancelledError"))
