"""SIGTERM for the command line: unwind like Ctrl-C, then die of SIGTERM.

Python's default for SIGTERM kills the process on the spot: temporary output files stay
behind, a progress bar leaves the cursor hidden, pool workers are left to the parent-death
signal. While a command runs, SIGTERM instead raises :class:`Terminated` in the main thread,
so ``finally`` blocks run (workers terminated, temporary files removed); then the process
kills itself with SIGTERM, so its exit status is that of a terminated process (143 in a
shell), with no traceback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Terminated", "signal_behind", "signals_deferred", "sigterm_unwinds"]


class Terminated(BaseException):
    """SIGTERM arrived; a BaseException, so ``except Exception`` in LF code does not stop it."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
    raise Terminated


def signal_behind(exc: BaseException) -> BaseException | None:
    """The Ctrl-C (KeyboardInterrupt) or SIGTERM (:class:`Terminated`) that ``exc`` was raised
    from, if any. A compiled module interrupted while it is imported (scipy's, on the first
    use of a label model) fails with ``ImportError: initialization failed`` raised from it,
    and lf's own errors keep such an error as their cause: the command was stopped, not broken.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM wait: each is delivered as the block ends, where
    it acts as usual. For work that a signal must not cut in two: a local Dask cluster
    stopped while it starts cannot be closed, and distributed's exit handler then prints
    tracebacks about it. Does nothing outside the main thread, or where a handler was not
    set from Python (it could not be put back)."""
    kinds = (signal.SIGINT, signal.SIGTERM)
    previous = {kind: signal.getsignal(kind) for kind in kinds}
    if threading.current_thread() is not threading.main_thread() or any(h is None for h in previous.values()):
        yield
        return
    got: list[int] = []
    for kind in kinds:
        signal.signal(kind, lambda signum, frame: got.append(signum))
    try:
        yield
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, handler)
        for signum in dict.fromkeys(got):
            signal.raise_signal(signum)


@contextlib.contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Within the block, SIGTERM unwinds it and then terminates the process.

    Does nothing outside the main thread or when SIGTERM already has a handler (an
    application embedding the CLI keeps its own).
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    except Terminated:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise  # only if the signal is blocked
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
