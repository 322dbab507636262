"""``lf.apply``: run labeling functions over a corpus with any engine, get a LabelMatrix."""

from __future__ import annotations

import enum
import itertools
import math
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from lf.apply.kernel import ON_ERROR, ChunkResult, Task
from lf.core import LabelingFunction
from lf.errors import DataError, LFDefinitionError, ParameterError
from lf.matrix import MAX_CARDINALITY, LabelMatrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_CHUNK_SIZE", "Engine", "apply", "resolve_lfs"]

DEFAULT_CHUNK_SIZE = 20_000
_ENGINES = ("local", "pool", "dask")


class _Ids(enum.Enum):
    """``id_column``'s default: the data's ``id`` column when it has one (as the CLI does).

    An enum member, not a bare object: the LF cache fingerprints this module's globals and
    the function defaults, and an enum member is plain data to it."""

    DATA = "the data's 'id' column, if any"

    def __repr__(self) -> str:
        return "'id' if the data has it"


DATA_IDS: Any = _Ids.DATA


class Engine(Protocol):
    """Schedules chunks; the kernel does the labeling. Yields results in chunk order.

    ``map_chunks`` receives :class:`~lf.apply.kernel.Task` items (offset, chunk, only) and
    must call ``label_chunk(lfs, task.chunk, row_offset=task.offset, only=task.only,
    **kernel_args)`` for each, in any process, yielding the results in task order.
    """

    name: str

    def map_chunks(
        self,
        lfs: Sequence[LabelingFunction],
        chunks: Iterator[Task],
        kernel_args: dict[str, Any],
    ) -> Iterator[ChunkResult]: ...


def resolve_lfs(lfs: Any) -> list[LabelingFunction]:
    """Check ``lfs`` is a non-empty sequence of LFs with unique names (Snorkel LFs are wrapped)."""
    if isinstance(lfs, LabelingFunction):
        lfs = [lfs]
    if not isinstance(lfs, Iterable) or isinstance(lfs, (str, bytes)):
        raise LFDefinitionError(f"`lfs` must be a list of labeling functions. Got {type(lfs).__name__}.")
    from lf.interop import as_lf

    out = [as_lf(x) for x in lfs]
    if not out:
        raise LFDefinitionError("`lfs` is empty: pass at least one labeling function.")
    names = [x.name for x in out]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise LFDefinitionError(f"Labeling function names must be unique. Duplicated: {', '.join(dups)}.")
    return out


def _engine_for(engine: Any, n_jobs: int) -> Engine:
    from lf.apply.local import LocalEngine
    from lf.apply.pool import PoolEngine

    if engine is None:
        return LocalEngine() if n_jobs == 1 else PoolEngine(n_jobs)
    if isinstance(engine, str):
        if engine == "local":
            return LocalEngine()
        if engine == "pool":
            return PoolEngine(n_jobs)
        if engine == "dask":
            from lf.apply.dask import DaskEngine

            return DaskEngine()
        raise ParameterError(f"`engine` must be one of {', '.join(map(repr, _ENGINES))} or an engine object. Got {engine!r}.")
    if not hasattr(engine, "map_chunks"):
        raise ParameterError(f"`engine` must be one of {', '.join(map(repr, _ENGINES))} or an engine object. Got {engine!r}.")
    return engine  # type: ignore[no-any-return]


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"`{name}` must be an integer >= {minimum}. Got {value!r}.")
    return int(value)


def _offsets(chunks: Iterator[pd.DataFrame], text_column: str | None, id_column: str | None) -> Iterator[tuple[int, pd.DataFrame]]:
    offset = 0
    for chunk in chunks:
        if offset == 0:
            _check_columns(chunk, text_column, id_column)
        if text_column is not None and text_column != "text":
            chunk = chunk.rename(columns={text_column: "text"})
        yield offset, chunk
        offset += len(chunk)


def _check_columns(chunk: pd.DataFrame, text_column: str | None, id_column: str | None) -> None:
    cols = [str(c) for c in chunk.columns]
    for label, col in (("text_column", text_column), ("id_column", id_column)):
        if col is not None and col not in cols:
            raise DataError(f"`{label}` {col!r} is not a column of the data. Available columns: {', '.join(cols)}.")
    if text_column is not None and text_column == id_column and text_column != "text":
        raise DataError(
            f"`text_column` and `id_column` are both {text_column!r}; name the column holding the ids "
            "and the one holding the text separately."
        )
    if text_column is not None and text_column != "text" and "text" in cols:
        raise DataError(
            f"`text_column` {text_column!r} would be exposed as 'text', but the data already has a "
            "'text' column. Rename one of them first."
        )


def apply(
    lfs: Sequence[LabelingFunction] | Any,
    data: Any,
    *,
    engine: str | Engine | None = None,
    n_jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_error: str = "raise",
    progress: bool | None = None,
    labels: Sequence[str] | None = None,
    cardinality: int | None = None,
    text_column: str | None = None,
    id_column: str | None = DATA_IDS,
    cache: str | os.PathLike[str] | None = None,
) -> LabelMatrix:
    """Apply labeling functions to ``data`` and return the :class:`~lf.LabelMatrix`.

    Parameters
    ----------
    lfs:
        Labeling functions (a list, or what :func:`lf.load_lfs` returns; Snorkel LFs work too).
    data:
        A pandas DataFrame, an iterable of DataFrames, or path(s) to CSV / TSV / Parquet /
        JSON Lines files, read in chunks with pyarrow.
    engine:
        ``"local"``, ``"pool"``, ``"dask"`` or an engine object; by default ``"local"`` when
        ``n_jobs == 1``, else ``"pool"``.
    n_jobs:
        Worker processes for the pool engine; ``-1`` means one per CPU.
    chunk_size:
        Rows per chunk: the unit of scheduling, progress and memory.
    on_error:
        ``"raise"`` re-raises an LF's exception naming the LF and the row; ``"abstain"``
        records ABSTAIN and counts the row in the matrix's ``errors``.
    progress:
        Show a progress bar; by default only when stderr is a terminal.
    labels, cardinality:
        Label names (index = label value) and/or the number of classes. Default: the
        ``LABELS`` declared by the LF module, else inferred from the largest label seen.
    text_column:
        Expose this column to the LFs as ``text``.
    id_column:
        Keep this column as the matrix's row ids (and name ids in error messages). By
        default the data's ``id`` column when it has one, as the CLI does, so a later join
        on ids lines up; ``None`` keeps no ids (rows are then named by position).
    cache:
        A folder keeping each LF's labels per chunk (see :mod:`lf.apply.cache`): a run after
        editing one LF runs only that LF, and a run that was interrupted resumes from the
        chunks already labeled. Error counts and seconds of cached LFs are those measured
        when they ran; ``L.cache_stats`` tells how many LF x chunk results were reused.
        A file an LF opens at call time is invisible to the cache: declare it with
        ``labeling_function(files=[...])``.
    """
    lf_list = resolve_lfs(lfs)
    if on_error not in ON_ERROR:
        raise ParameterError(f"`on_error` must be 'raise' or 'abstain'. Got {on_error!r}.")
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise ParameterError(f"`n_jobs` must be an integer >= 1, or -1 for one worker per CPU. Got {n_jobs!r}.")
    chunk_size = _check_int("chunk_size", chunk_size, 1)
    if labels is None:
        labels = getattr(lfs, "labels", None)
    if labels is not None:
        labels = tuple(str(x) for x in labels)
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if len(labels) < 2 or dup:
            raise ParameterError(
                f"`labels` (the module's LABELS) must name at least 2 classes, each once. Got {list(labels)}"
                + (f"; duplicated: {dup}." if dup else ".")
            )
        if cardinality is not None and cardinality != len(labels):
            raise ParameterError(f"`cardinality` is {cardinality} but {len(labels)} label names were given: {labels}.")
        cardinality = len(labels)
    if cardinality is not None:
        cardinality = _check_int("cardinality", cardinality, 2)
        if cardinality > MAX_CARDINALITY:
            raise ParameterError(f"`cardinality` must be at most {MAX_CARDINALITY} (labels are stored as int16). Got {cardinality}.")
    runner = _engine_for(engine, n_jobs)
    kernel_args = {
        "cardinality": cardinality or 127,
        "on_error": on_error,
        "id_column": id_column,
    }
    return _run(runner, lf_list, data, kernel_args, chunk_size, progress, labels, cardinality, text_column, cache)


def _run(
    runner: Engine,
    lfs: list[LabelingFunction],
    data: Any,
    kernel_args: dict[str, Any],
    chunk_size: int,
    progress: bool | None,
    labels: tuple[str, ...] | None,
    cardinality: int | None,
    text_column: str | None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> LabelMatrix:
    from lf.io import count_rows, iter_chunks

    chunks = iter_chunks(data, chunk_size)
    if kernel_args["id_column"] is DATA_IDS:  # look at the first chunk's columns
        first = next(chunks, None)
        has_ids = first is not None and "id" in [str(c) for c in first.columns]
        kernel_args = {**kernel_args, "id_column": "id" if has_ids else None}
        chunks = itertools.chain([first] if first is not None else [], chunks)
    id_column = kernel_args["id_column"]
    source = _offsets(chunks, text_column, id_column)
    ids: list[Any] = []
    if id_column is not None:
        source = _collect_ids(source, id_column, ids)
    parts: list[ChunkResult] = []
    plan = _CachePlan(cache_dir, lfs, kernel_args) if cache_dir is not None else None
    tasks = plan.tasks(source) if plan is not None else (Task(offset, chunk) for offset, chunk in source)
    results = runner.map_chunks(lfs, tasks, kernel_args)
    with _progress(progress, count_rows(data), len(lfs)) as advance:
        for res in results:
            parts.append(plan.merge(res) if plan is not None else res)
            advance(len(res.labels))
    if not parts or sum(len(p.labels) for p in parts) == 0:
        raise DataError("The data has no rows: nothing to label.")
    array = np.concatenate([p.labels for p in parts])
    if cardinality is None:
        cardinality = max(2, int(array.max()) + 1)
    matrix = LabelMatrix(
        array,
        names=[x.name for x in lfs],
        cardinality=cardinality,
        labels=labels,
        row_ids=_ids_array(ids) if id_column is not None else None,
        errors=np.sum([p.errors for p in parts], axis=0),
        seconds=np.sum([p.seconds for p in parts], axis=0),
    )
    if plan is not None:
        matrix.cache_stats = plan.cache.stats()
    return matrix


class _CachePlan:
    """Asks the cache which LFs a chunk still needs, then fills in and stores the results.

    Tasks are planned and results come back in the same order, so a queue pairs them.
    """

    def __init__(self, folder: str | os.PathLike[str], lfs: list[LabelingFunction], kernel_args: dict[str, Any]) -> None:
        from lf.apply.cache import ChunkCache

        self.cache = ChunkCache(folder, lfs)
        self.m = len(lfs)
        self.cardinality = int(kernel_args["cardinality"])
        self.on_error = str(kernel_args["on_error"])
        self.pending: deque[tuple[str, dict[int, Any]]] = deque()

    def tasks(self, source: Iterator[tuple[int, pd.DataFrame]]) -> Iterator[Task]:
        from lf.apply.cache import chunk_key

        for offset, chunk in source:
            key = chunk_key(chunk)
            hits = {}
            for j in range(self.m):
                entry = self.cache.get(j, key, len(chunk))
                if entry is not None and self.cache.usable(entry, self.cardinality, self.on_error):
                    hits[j] = entry
            self.cache.reused += len(hits)
            self.cache.computed += self.m - len(hits)
            self.pending.append((key, hits))
            yield Task(offset, chunk, tuple(j for j in range(self.m) if j not in hits))

    def merge(self, res: ChunkResult) -> ChunkResult:
        from lf.apply.cache import CachedLF

        key, hits = self.pending.popleft()
        labels, errors, seconds = res.labels.copy(), res.errors.copy(), res.seconds.copy()
        for j in range(self.m):
            if j in hits:
                labels[:, j], errors[j], seconds[j] = hits[j].labels, hits[j].errors, hits[j].seconds
            else:
                self.cache.put(j, key, CachedLF(labels[:, j].copy(), int(errors[j]), float(seconds[j])))
        return ChunkResult(labels, errors, seconds)


def _ids_array(ids: list[Any]) -> Any:
    """Row ids as an array; missing ids (None, NaN) stay missing instead of becoming 'nan'."""
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in ids]
    if not any(missing):
        return np.asarray(ids)
    out = np.empty(len(ids), dtype=object)
    out[:] = [None if gap else v for v, gap in zip(ids, missing)]
    return out


def _collect_ids(source: Iterator[tuple[int, pd.DataFrame]], id_column: str, ids: list[Any]) -> Iterator[tuple[int, pd.DataFrame]]:
    for offset, chunk in source:
        ids.extend(chunk[id_column].tolist())
        yield offset, chunk


class _progress:
    """A rich progress bar over rows, or a no-op (``progress=False``, or not a terminal)."""

    def __init__(self, enabled: bool | None, total: int | None, m: int) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.total = total
        self.m = m
        self._bar: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn(f"applying {self.m} LFs", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows", markup=False),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("apply", total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
