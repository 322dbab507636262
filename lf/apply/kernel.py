"""The chunk kernel: the only code in ``lf`` that calls a labeling function.

Every engine (in-process, process pool, Dask) calls :func:`label_chunk` on DataFrame chunks,
so all engines produce identical matrices, and error counts and timings merge the same way.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import numpy as np
import numpy.typing as npt

from lf.apply.memo import Memo
from lf.apply.reads import reaches_fields_directly
from lf.apply.views import ChunkRows, private_frame
from lf.core import ABSTAIN, LabelingFunction, Preprocessor, Row, missing_field
from lf.errors import ON_ERROR_HINT, LFError, LFOutputError, LFRuntimeError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ON_ERROR", "ChunkResult", "Task", "label_chunk"]

ON_ERROR = ("raise", "abstain")
_INT8_CLASSES = 127  # labels 0..126 fit int8 storage
_LF_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Task(NamedTuple):
    """One chunk to label: its position in the corpus, the rows, and which LFs to run."""

    offset: int
    chunk: pd.DataFrame
    only: tuple[int, ...] | None = None  # positions of the LFs to run; None: all of them


class ChunkResult(NamedTuple):
    """What applying the LFs to one chunk produced."""

    labels: npt.NDArray[np.integer[Any]]  # n_chunk x m
    errors: npt.NDArray[np.int64]  # per LF: rows whose call raised (on_error="abstain")
    # per LF: wall time spent in the LF (and its preprocessors); for a template run on a
    # worker thread, that thread's CPU time, since its wall time includes waits for the GIL
    seconds: npt.NDArray[np.float64]


class _Failed:
    """Stands in for a row whose preprocessing raised (``on_error="abstain"``)."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class _Context:
    """What an error message needs to point at a row: global position (``place``: in what,
    when not the whole data) and optional id."""

    def __init__(self, offset: int, ids: Sequence[Any] | None, place: str = "") -> None:
        self.offset = offset
        self.ids = ids
        self.place = place

    def where(self, i: int) -> str:
        pos = f"row {self.offset + i}{self.place}"
        return f"{pos} (id {self.ids[i]!r})" if self.ids is not None else pos


def label_chunk(
    lfs: Sequence[LabelingFunction],
    chunk: pd.DataFrame,
    *,
    cardinality: int | None,
    on_error: str = "raise",
    row_offset: int = 0,
    id_column: str | None = None,
    threads: int = 1,
    only: Sequence[int] | None = None,
    shelter: bool = False,
    place: str = "",
) -> ChunkResult:
    """Apply ``lfs`` to one DataFrame chunk.

    Row LFs receive :class:`~lf.core.Row` records built once per chunk; each preprocessor
    chain runs once per row however many LFs share it, and no LF or preprocessor sees what
    another one changed on its rows (:mod:`lf.apply.views`). ``row_offset`` is the position of the
    chunk's first row in the whole corpus (for error messages). With ``threads > 1``,
    templates (``keyword_lf`` / ``regex_lf``) run on that many threads while the other LFs run
    on the calling one: their pyarrow kernels release the GIL. The result, and which error is
    raised first, do not depend on ``threads``: outputs are checked in LF order. ``only``
    (positions in ``lfs``) runs just those LFs; the others' columns stay ABSTAIN with no
    errors and no time (the cache fills them in). ``cardinality`` None (not known before
    the run) checks labels against the int8 storage limit only. ``shelter``: keep the rows
    out of the cyclic GC's collections while the chunk is labeled (only when nothing else
    in the process is frozen: :meth:`lf.apply.settings.Settings.sheltering`). ``place``
    follows the row numbers in messages when the rows are counted in a part of the data
    (`` of data file 'b.csv'``).
    """
    n, m = len(chunk), len(lfs)
    dtype = np.int8 if cardinality is None or cardinality <= _INT8_CLASSES else np.int16
    labels = np.full((n, m), ABSTAIN, dtype=dtype)
    errors = np.zeros(m, np.int64)
    seconds = np.zeros(m, np.float64)
    ctx = _Context(row_offset, chunk[id_column].tolist() if id_column is not None else None, place)
    wanted = None if only is None else set(only)
    todo = [(j, lf) for j, lf in enumerate(lfs) if wanted is None or j in wanted]
    # Only templates go to threads: they are pure pyarrow calls (no shared state, GIL released).
    # A user's batch LF runs on the calling thread, in LF order, like a row LF.
    batch = [j for j, lf in todo if lf.batch and getattr(lf.f, "thread_safe", False)]
    # Row LFs keep the calling thread busy; templates get the other threads (or all of them).
    workers = 0 if threads <= 1 else min(len(batch), threads if len(batch) == len(todo) else threads - 1)
    with ThreadPoolExecutor(max_workers=workers) if workers > 0 else contextlib.nullcontext() as pool:
        pending = {j: pool.submit(_timed_batch, lfs[j], chunk, on_error, ctx, time.thread_time) for j in batch} if pool else {}
        views = ChunkRows(chunk, [lf for _, lf in todo if not lf.batch], shelter=shelter)
        # Chunk hook: preprocessors that take the whole chunk share this (spaCy: one parse).
        # Those of every LF, also of one the cache answers: the parse, and what an LF reading
        # more than its own needs finds in the Doc, is the same whichever LFs run.
        scratch: dict[Any, Any] = {"pres": [p for x in lfs for p in x.pre]}
        try:
            for j, lf in todo:
                if j in pending:
                    out, errors[j], seconds[j] = pending.pop(j).result()
                elif lf.batch:
                    own = private_frame(chunk, views.private_columns())
                    out, errors[j], seconds[j] = _timed_batch(lf, own, on_error, ctx)
                else:
                    start = time.perf_counter()
                    rows = _preprocessed(lf, views, on_error, ctx, scratch)
                    if reaches_fields_directly(lf.f):
                        views.guard(rows)
                    try:
                        out, errors[j] = _run_rows(lf, rows, on_error, ctx)
                    finally:
                        views.restore()
                    for pre in {id(p): p for p in lf.pre if hasattr(p, "rows_done")}.values():
                        pre.rows_done(lf.name, scratch)  # spaCy: refuse a shared Doc the LF changed
                    seconds[j] = time.perf_counter() - start
                if lf.batch:
                    out = _in_row_order(lf, out, chunk)
                labels[:, j] = _check_labels(lf, out, n, cardinality, ctx)
        finally:
            views.release()  # what sheltered the rows from the GC
    return ChunkResult(labels, errors, seconds)


def _in_row_order(lf: LabelingFunction, out: Any, chunk: pd.DataFrame) -> Any:
    """A batch LF's pandas Series in the chunk's row order: aligned on the chunk's index, as
    pandas aligns it, unless it is a fresh 0..n-1 ``RangeIndex`` (built from an array, a
    merge) or holds 0..n-1 where the chunk's index does not: positions. Labels 0..n-1 in
    order, on a chunk whose index is those labels in another order (a shuffled frame, in
    one chunk), could be either: an error, as reading them one way would label the wrong
    rows in one run and the right ones in another (in smaller chunks they are not
    ambiguous). A DataFrame is an error."""
    import pandas as pd

    if isinstance(out, pd.DataFrame):  # iterated, it would give its column names as labels
        raise LFOutputError(
            f"Batch labeling function {lf.name!r} returned a DataFrame ({out.shape[1]} column"
            f"{'' if out.shape[1] == 1 else 's'}); return one label per row of the chunk: an array, "
            "a list, or a Series (one column of it)."
        )
    if not isinstance(out, pd.Series) or out.index.equals(chunk.index):
        return out
    index, n = out.index, len(chunk)
    if len(out) == n and _fresh_range(index):
        return out
    counted = len(out) == n and index.equals(pd.RangeIndex(n))  # 0, 1, 2 ...: maybe positions
    if len(out) == n and index.is_unique and chunk.index.is_unique and index.sort_values().equals(chunk.index.sort_values()):
        if counted:
            raise LFOutputError(
                f"Batch labeling function {lf.name!r} returned a Series indexed 0..{n - 1} in order, and "
                "the chunk's index holds those labels in another order (a shuffled frame): its labels "
                "could go by position or by index label. Return an array (one label per row, in "
                "order) or a Series on the chunk's index (series.reindex(df.index))."
            )
        return out.reindex(chunk.index)
    if counted:
        return out
    raise LFOutputError(
        f"Batch labeling function {lf.name!r} returned a {type(out).__name__} whose index is not the "
        f"chunk's rows (first labels {list(index[:3])!r}, the chunk's {list(chunk.index[:3])!r}); "
        "return one label per row of the chunk, in its order (an array, or a Series on its index)."
    )


def _fresh_range(index: Any) -> bool:
    """Whether ``index`` is the 0, 1, 2 ... ``RangeIndex`` pandas gives a Series made anew."""
    import pandas as pd

    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _timed_batch(
    lf: LabelingFunction, chunk: pd.DataFrame, on_error: str, ctx: _Context, clock: Callable[[], float] = time.perf_counter
) -> tuple[Any, int, float]:
    start = clock()
    out, failures = _run_batch(lf, chunk, on_error, ctx)
    return out, failures, clock() - start


def _preprocessed(
    lf: LabelingFunction, views: ChunkRows, on_error: str, ctx: _Context, scratch: dict[Any, Any] | None = None
) -> list[Any]:
    """Rows after ``lf.pre`` for this LF, computing each prefix of the chain once per chunk."""
    for depth in range(1, len(lf.pre) + 1):
        key = lf.pre[:depth]
        if views.has(key):
            continue
        rows = views.take(key[:-1])
        if hasattr(key[-1], "map_rows"):  # a chunk-wise preprocessor (spaCy: one parse per chunk)
            views.add(key, *_pre_chunk(key[-1], rows, lf, on_error, ctx, views.cls, {} if scratch is None else scratch))
        else:
            views.add(key, *_pre_rows(key[-1], rows, lf, on_error, ctx, views.cls))
    return views.take(lf.pre)


def _pre_chunk(
    pre: Any, rows: list[Any], lf: LabelingFunction, on_error: str, ctx: _Context, cls: type[Row], scratch: dict[Any, Any]
) -> tuple[list[Any], list[dict[Any, Any]]]:
    """``pre.map_rows`` on copies of every row at once (an exception stands for a failed row)."""
    good = [i for i, x in enumerate(rows) if type(x) is not _Failed]
    copies = []
    for i in good:
        mine = object.__new__(Row)
        mine.__dict__ = rows[i].__dict__.copy()
        copies.append(mine)
    out: list[Any] = list(rows)
    for i, y in zip(good, pre.map_rows(copies, scratch)):
        if isinstance(y, BaseException):
            if on_error == "raise":
                raise LFRuntimeError.wrapping(
                    f"Preprocessor {pre.name!r} (used by LF {lf.name!r}) raised on {ctx.where(i)}: "
                    f"{_why(y)}. Fix it, or {ON_ERROR_HINT} to count such rows as abstains.",
                    y,
                ) from y
            out[i] = _Failed(y)
            continue
        if type(y) is Row:
            y.__class__ = cls  # shared from here on: writes by LFs are journaled and undone
        out[i] = y
    return out, [x.__dict__ for x in out if type(x) is not _Failed]


def _pre_rows(
    pre: Preprocessor, rows: list[Any], lf: LabelingFunction, on_error: str, ctx: _Context, cls: type[Row]
) -> tuple[list[Any], list[dict[Any, Any]]]:
    """Run ``pre`` on a copy of each row (the views copy containers as needed).

    Returns the output rows (failed ones as ``_Failed``) and the field dicts of the others.
    """
    func = functools.partial(pre.func, **pre.resources) if pre.resources else pre.func
    new = object.__new__
    out: list[Any] = []
    fields: list[dict[Any, Any]] = []
    append, keep = out.append, fields.append
    memo = Memo(pre, cls) if getattr(pre, "memoize", False) else None
    for i, x in enumerate(rows):
        if type(x) is _Failed:
            append(x)
            continue
        try:
            if memo is not None and (hit := memo.get(x)) is not None:
                append(hit)
                keep(hit.__dict__)
                continue
            mine = new(Row)
            mine.__dict__ = x.__dict__.copy()
            y = func(mine)
        except LFError:
            raise  # a definition or data problem, not a row failure
        except Exception as exc:
            if on_error == "raise":
                raise LFRuntimeError.wrapping(
                    f"Preprocessor {pre.name!r} (used by LF {lf.name!r}) raised on {ctx.where(i)}{_origin(exc)}: "
                    f"{_why(exc)}. Fix it, or {ON_ERROR_HINT} to count such rows "
                    "as abstains.",
                    exc,
                ) from exc
            append(_Failed(exc))
            continue
        if type(y) is Row:
            y.__class__ = cls  # shared from here on: writes by LFs are journaled and undone
        else:
            pre.checked(y)
        if memo is not None:
            memo.put(y)
        append(y)
        keep(y.__dict__)
    return out, fields


def _bound(lf: LabelingFunction) -> Callable[..., Any]:
    return functools.partial(lf.f, **lf.resources) if lf.resources else lf.f


class _PreFailed(Exception):
    """Raised in place of calling an LF on a row whose preprocessing failed."""


def _skipping_failed(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(x: Any) -> Any:
        if type(x) is _Failed:
            raise _PreFailed
        return func(x)

    return call


def _run_rows(lf: LabelingFunction, rows: list[Any], on_error: str, ctx: _Context) -> tuple[list[Any], int]:
    """Call a row LF once per row; after an exception, go on from the next row."""
    func = _bound(lf)
    if lf.pre and any(type(x) is _Failed for x in rows):
        func = _skipping_failed(func)
    out: list[Any] = []
    failures = 0
    remaining = iter(rows)  # map() resumes after the row that raised
    while len(out) < len(rows):
        try:
            out.extend(map(func, remaining))
            if len(out) < len(rows):
                # A StopIteration from the LF ends map() as if the rows had run out: the
                # row is consumed without a label. It is that row's error (its traceback
                # is gone with it).
                raise _Stopped
        except _PreFailed:
            out.append(ABSTAIN)
            failures += 1
        except Exception as exc:  # noqa: BLE001 - re-raised below, or counted under on_error="abstain"
            if on_error == "raise":
                where = "" if isinstance(exc, _Stopped) else _origin(exc)
                raise LFRuntimeError.wrapping(
                    f"Labeling function {lf.name!r} raised on {ctx.where(len(out))}{where}: "
                    f"{_why(exc)}. Fix the LF, or {ON_ERROR_HINT} to count "
                    "such rows as abstains.",
                    exc,
                ) from (None if isinstance(exc, _Stopped) else exc)
            out.append(ABSTAIN)
            failures += 1
    return out, failures


class _Stopped(Exception):
    """An LF raised StopIteration, which ended the map() over the rows."""

    def __str__(self) -> str:
        return (
            "(e.g. next() on an exhausted iterator: give next() a default), which also ends "
            "the loop over the rows, so where it was raised is not known"
        )


def _origin(exc: BaseException) -> str:
    """' at file:line' of the innermost frame that raised, for messages without a traceback."""
    frames = [(_file_of(frame), line) for frame, line in traceback.walk_tb(exc.__traceback__)]
    user = [f for f in frames if not f[0].startswith(_LF_DIR)] or frames
    return f" at {user[-1][0]}:{user[-1][1]}" if user else ""


def _file_of(frame: Any) -> str:
    """The file of a frame's code: for code sent to a Dask worker by value, which cloudpickle
    renames ``<dynamic-code>``, its module's file, sent with it."""
    name: str = frame.f_code.co_filename
    if name == "<dynamic-code>":
        return str(frame.f_globals.get("__file__") or name)
    return name


def _why(exc: BaseException) -> str:
    if isinstance(exc, _Stopped):
        return f"StopIteration {exc}"
    text = missing_field(exc) or str(exc)
    return f"{type(exc).__name__}: {text.rstrip('.')}"


def _run_batch(lf: LabelingFunction, chunk: pd.DataFrame, on_error: str, ctx: _Context) -> tuple[Any, int]:
    try:
        return _bound(lf)(chunk), 0
    except LFError:
        raise  # a definition or data problem (a missing column ...), not a per-row failure
    except Exception as exc:
        if on_error == "raise":
            first, last = ctx.where(0), ctx.where(len(chunk) - 1)
            raise LFRuntimeError.wrapping(
                f"Batch labeling function {lf.name!r} raised on the chunk of {first} to {last}{_origin(exc)}: "
                f"{_why(exc)}. Fix the LF, or {ON_ERROR_HINT} to count the "
                "chunk's rows as abstains.",
                exc,
            ) from exc
        return np.full(len(chunk), ABSTAIN), len(chunk)


def _check_labels(lf: LabelingFunction, out: Any, n: int, cardinality: int | None, ctx: _Context) -> npt.NDArray[Any]:
    """Turn an LF's output into an int array, failing on the first value that is not a label."""
    k = _INT8_CLASSES if cardinality is None else cardinality
    allowed = f"ABSTAIN (-1) or an int in 0..{k - 1}"
    if isinstance(out, np.ndarray) and out.dtype.kind in "iu":
        arr: npt.NDArray[Any] = out
    else:
        values = out.tolist() if hasattr(out, "tolist") else list(out) if _is_sequence(out) else out
        if not isinstance(values, list):
            raise LFOutputError(
                f"Labeling function {lf.name!r} returned a scalar {values!r} ({type(values).__name__}) for a "
                f"chunk of {n} rows; a batch LF must return one label per row (a list or array)."
            )
        if list(map(type, values)).count(int) != len(values):  # the cheapest all-int test
            for i, v in enumerate(values):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                    raise LFOutputError(
                        f"Labeling function {lf.name!r} returned {v!r} ({type(v).__name__}) on "
                        f"{ctx.where(i)}; it must return {allowed}{_not_a_label(v)}."
                    )
        if len(values) != n:
            raise LFOutputError(
                f"Labeling function {lf.name!r} returned {len(values)} values for a chunk of {n} "
                "rows; a batch LF must return one label per row."
            )
        try:
            arr = np.fromiter(values, np.int64, count=n)
        except OverflowError:
            i = next(i for i, v in enumerate(values) if not -(2**63) <= v < 2**63)
            _out_of_range(lf, values[i], ctx, i, allowed, cardinality)
    if arr.shape != (n,):
        raise LFOutputError(
            f"Labeling function {lf.name!r} returned {arr.shape[0] if arr.ndim else 'a scalar'} "
            f"values of shape {arr.shape} for a chunk of {n} rows; a batch LF must return one label "
            "per row."
        )
    bad = (arr < ABSTAIN) | (arr >= k)
    if bad.any():
        i = int(np.argmax(bad))
        _out_of_range(lf, arr[i].item(), ctx, i, allowed, cardinality)
    return arr


def _not_a_label(value: Any) -> str:
    """What a new LF's author most likely meant by a value that is not a label id."""
    if isinstance(value, str):
        return ": the label's id (its index in LABELS), not its name"
    if value is None:
        return ": an LF that does not vote returns ABSTAIN, not None"
    if isinstance(value, (bool, np.bool_)):  # numpy's comparisons give np.True_
        return ": a condition is not a label; return a label id if it holds, else ABSTAIN"
    return ""


def _is_sequence(out: Any) -> bool:
    return hasattr(out, "__len__") and hasattr(out, "__iter__") and not isinstance(out, (str, bytes, dict))


def _out_of_range(lf: LabelingFunction, value: Any, ctx: _Context, i: int, allowed: str, cardinality: int | None) -> NoReturn:
    # Without declared labels the kernel only knows the storage limit (127 classes for int8).
    hint = " Declare the module's LABELS or pass `cardinality=` to check the range exactly." if cardinality is None else ""
    raise LFOutputError(
        f"Labeling function {lf.name!r} returned {value!r} on {ctx.where(i)}, out of range: it must "
        f"return {allowed}.{hint}"
    )
