"""Errors raised in a worker process, made fit to cross back to the calling process.

An error from the kernel (an LF that raised, say) carries the LF's own exception as its
cause. Where exceptions are pickled with their causes and tracebacks (``tblib``, which
``dask.distributed`` installs in every process that imports it), a cause that does not
pickle, or does not unpickle (a user's exception class whose ``__init__`` takes other
arguments, or that holds a lock), sank the error itself: the process pool's worker died
("exited with code 1"), and Dask handed back a bare ``Exception``. :func:`portable` keeps
the error's type and message and sends its causes as text.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from lf.errors import LFRuntimeError

__all__ = ["RemoteTraceback", "crossing", "portable"]

T = TypeVar("T")


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker, shown as its cause."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


def _survives(exc: BaseException) -> bool:
    """Whether ``exc`` and each exception in its chain pickle and unpickle on their own:
    whether the chain goes with it depends on what tblib was told of (``distributed``
    tells it of an error's chain just before pickling it)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        try:
            pickle.loads(pickle.dumps(item))
        except Exception:  # noqa: BLE001 - whatever pickling an arbitrary exception raises
            return False
        todo += [item.__cause__, item.__context__]
    return True


def portable(exc: BaseException) -> BaseException:
    """``exc`` itself when it survives pickling; else ``exc`` with its causes and traceback
    replaced by their text (a :class:`RemoteTraceback` cause); else, when even that does
    not pickle, an :class:`~lf.errors.LFRuntimeError` saying what it was."""
    if _survives(exc):
        return exc
    text = "".join(traceback.format_exception(exc))
    exc.__cause__, exc.__context__, exc.__traceback__ = RemoteTraceback(text), None, None
    if _survives(exc):
        return exc
    error = LFRuntimeError(f"A worker raised {type(exc).__name__}: {exc}")
    error.__cause__ = RemoteTraceback(text)
    return error


def crossing(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a worker, any error it raises made :func:`portable`."""
    try:
        return func(*args)
    except BaseException as exc:  # noqa: BLE001 - raised again below, outside this block
        error = portable(exc)
    raise error  # here, not in the except block: the unpicklable original is not its context
