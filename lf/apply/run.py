"""The driver: one pass over a corpus, chunk by chunk, through an engine and the LF cache.

:func:`run` yields each chunk's labels with the side columns asked for (ids, gold ...)
in corpus order; :func:`lf.apply` stacks them into a LabelMatrix, :func:`lf.label`
streams them to disk and keeps only pattern counts.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, Protocol

import numpy as np
import numpy.typing as npt

from lf._repeated_ids import MissingIds
from lf.apply.kernel import ChunkResult, Task
from lf.apply.progress import Progress, progress_enabled
from lf.apply.settings import Settings
from lf.apply.views import refuse_duplicate_columns
from lf.core import LabelingFunction
from lf.errors import DataError, ParameterError
from lf.matrix import LabelMatrix

if TYPE_CHECKING:
    import pandas as pd

    from lf.corpus import Corpus

__all__ = ["CHUNKS_PER_WORKER", "Engine", "InMemory", "Part", "Pass", "adapted_chunk_size", "ids_array", "stack"]


class Engine(Protocol):
    """Schedules chunks; the kernel does the labeling. Yields results in chunk order.

    ``map_chunks`` receives :class:`~lf.apply.kernel.Task` items (offset, chunk, only) and
    must call ``settings.label(lfs, task)`` (:class:`~lf.apply.settings.Settings`) for
    each, in any process, yielding the results in task order.
    """

    name: str

    def map_chunks(self, lfs: Sequence[LabelingFunction], chunks: Iterator[Task], settings: Settings) -> Iterator[ChunkResult]: ...


class Part(NamedTuple):
    """One labeled chunk: where it starts, its labels, and the side columns asked for."""

    offset: int
    result: ChunkResult
    sides: dict[str, Any]  # name -> the chunk's values (a list, or what `convert` made of it)


class Pass:
    """One pass over ``corpus``: iterate it for each chunk's :class:`Part`, in corpus order.

    ``sides`` maps a name to a data column whose values each Part keeps (the id column is
    kept as ``"ids"``); ``convert`` maps a side's name to a function that checks and
    converts its values (given the chunk's values and the row position of the first),
    run before any LF sees the chunk (gold labels, say). A corpus
    without rows is an error, unless ``allow_empty`` (one partition of a larger corpus).
    After the pass, ``cache_stats`` tells what the LF cache reused, and ``missing_ids`` the
    rows without an id, which a whole corpus's pass (not ``allow_empty``) warns about.
    """

    def __init__(
        self,
        runner: Engine,
        lfs: list[LabelingFunction],
        corpus: Corpus,
        settings: Settings,
        *,
        chunk_size: int,
        progress: bool | None = None,
        text_column: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        sides: Mapping[str, str] | None = None,
        convert: Mapping[str, Callable[[list[Any], int], Any]] | None = None,
        allow_empty: bool = False,
    ) -> None:
        self.convert = dict(convert or {})
        self.allow_empty = allow_empty
        self.runner, self.lfs, self.corpus, self.settings = runner, lfs, corpus, settings
        self.chunk_size, self.progress, self.text_column = chunk_size, progress_enabled(progress), text_column
        self.sides = dict(sides or {})
        if settings.id_column is not None:
            self.sides.setdefault("ids", settings.id_column)
        self.plan = _CachePlan(cache_dir, lfs, settings) if cache_dir is not None else None
        self.missing_ids = MissingIds()

    @property
    def cache_stats(self) -> Any:
        return self.plan.cache.stats() if self.plan is not None else None

    def _column(self, chunk: pd.DataFrame, name: str) -> list[Any]:
        col = self.sides[name]
        values: list[Any] = chunk["text" if col == self.text_column else col].tolist()
        return values

    def _converted_sides(self, chunk: pd.DataFrame, offset: int) -> dict[str, Any]:
        """The side columns that are converted (gold to class ids: checked before the
        chunk's LFs run, and compact) of the chunk at row ``offset``."""
        return {name: func(self._column(chunk, name), offset) for name, func in self.convert.items()}

    def _sides_of(self, chunk: pd.DataFrame | None, converted: dict[str, Any]) -> dict[str, Any]:
        """All the side columns asked for (ids, gold ...) of one chunk."""
        raw = {} if chunk is None else {name: self._column(chunk, name) for name in self.sides if name not in converted}
        return {name: converted[name] if name in converted else raw[name] for name in self.sides}

    def __iter__(self) -> Iterator[Part]:
        workers = int(getattr(self.runner, "n_jobs", 1) or 1)
        estimate = self.corpus.estimated_rows() if workers > 1 else None
        size = adapted_chunk_size(self.chunk_size, estimate, workers)
        if self.plan is not None:
            size = steady_chunk_size(self.chunk_size, size)
        chunks = self.corpus.chunks(size)
        source = _offsets(chunks, self.text_column, self.settings.id_column, list(self.sides.values()))
        kept: deque[tuple[int, pd.DataFrame | None, dict[str, Any]]] = deque()
        tasks = _keeping(source, self._converted_sides, kept, lazy=bool(set(self.sides) - set(self.convert)))
        plan = self.plan
        todo = plan.tasks(tasks) if plan is not None else tasks
        if self.corpus.frame is not None:  # rows in memory: an engine may read ahead for free
            todo = InMemory(todo)
        elif _read_ahead(self.corpus, estimate, CHUNKS_PER_WORKER * workers * size):
            todo = InMemory(iter(list(todo)))
        results = self.runner.map_chunks(self.lfs, todo, self.settings)
        offset = 0
        with Progress(self.progress, self.corpus, len(self.lfs)) as bar:
            for res in results:
                if not kept:
                    self._engine_fault(f"a result for a chunk it was not given (at row {offset})")
                rows, chunk, converted = kept.popleft()
                if len(res.labels) != rows:
                    self._engine_fault(f"{len(res.labels)} rows of labels for the chunk of {rows} rows at row {offset}")
                part = Part(offset, plan.merge(res) if plan is not None else res, self._sides_of(chunk, converted))
                if "ids" in part.sides:
                    self.missing_ids.add(part.sides["ids"], offset)
                offset += len(res.labels)
                bar.advance(len(res.labels))
                yield part
            if kept or next(todo, None) is not None:
                self._engine_fault(f"no result for the chunk at row {offset}")
            bar.finish()
        if offset == 0 and not self.allow_empty:
            raise _no_rows(self.corpus.files)
        if not self.allow_empty:
            self.missing_ids.warn(f"The data's id column {self.sides['ids']!r}" if "ids" in self.sides else "The data")

    def _engine_fault(self, what: str) -> NoReturn:
        """An engine broke its contract (one result per chunk, in order, as long as the
        chunk): stop, rather than pair labels with other rows or return a shorter matrix."""
        raise ParameterError(
            f"The engine {type(self.runner).__name__} returned {what}; an engine must yield one "
            "result per chunk, in chunk order, with one row of labels per row of the chunk."
        )


class InMemory(Iterator[Task]):
    """Tasks cut from rows already in memory (a DataFrame, or small files read whole before
    the engine starts): taking some ahead of the workers reads nothing and starts no reader
    thread, so the pool engine may take the first ones before it forks and let its workers
    inherit them instead of sending them."""

    def __init__(self, tasks: Iterator[Task]) -> None:
        self._tasks = tasks

    def __next__(self) -> Task:
        return next(self._tasks)


READ_AHEAD_BYTES = 64 << 20  # files up to this size may be read whole before a pool forks
# A small input is cut in this many chunks per worker: a worker that is ahead takes more
# of them, so the last chunk, which the others may wait for, is a small part of the run.
CHUNKS_PER_WORKER = 4


def _read_ahead(corpus: Corpus, estimate: int | None, window: int) -> bool:
    """Whether to read the files whole before the engine starts: when (by the row estimate)
    they fit in the ``window`` of chunks a pool keeps in flight anyway, and are small. The
    pool's workers then inherit the chunks at the fork, instead of idling while this process
    parses the first ones and sends them (on a small input, most of the run). The reader
    has finished by then: no reader thread runs at the fork."""
    size = corpus.n_bytes()
    return estimate is not None and estimate <= window and size is not None and size <= READ_AHEAD_BYTES


def adapted_chunk_size(chunk_size: int, n_rows: int | None, workers: int) -> int:
    """Smaller chunks when the input is small, so that each of ``workers`` gets some.

    With the row count known (frames, Parquet) or estimated (text files, from their size and
    the bytes per row of the first file's head), chunks hold at most
    ``n / (CHUNKS_PER_WORKER * workers)`` rows (several chunks per worker balance uneven LF
    costs and uneven starts), never more than ``chunk_size``.
    """
    if workers <= 1 or not n_rows:
        return chunk_size
    return max(1, min(chunk_size, -(-n_rows // (CHUNKS_PER_WORKER * workers))))


def steady_chunk_size(chunk_size: int, size: int) -> int:
    """``size`` rounded down to ``chunk_size`` halved a whole number of times: the chunks of
    a cached run, whose entries are per chunk. An adapted size follows the row count (and
    the estimate of a text file's), so rows added to the data, or a text edited longer,
    moved every chunk's boundaries and nothing in the cache was reused; halvings change
    only when the row count doubles."""
    while chunk_size > size:
        chunk_size //= 2
    return max(1, chunk_size)


def _keeping(
    source: Iterator[tuple[int, pd.DataFrame]],
    convert: Callable[[pd.DataFrame, int], dict[str, Any]],
    kept: deque[tuple[int, pd.DataFrame | None, dict[str, Any]]],
    *,
    lazy: bool,
) -> Iterator[Task]:
    """The chunks as tasks. A chunk's converted side columns (gold) are made now, before
    its LFs run; it is kept itself (when ``lazy`` side columns are asked for) until its
    result comes, and those (ids) are read then: an engine that takes every chunk of a
    frame ahead does not hold every chunk's ids as Python objects at once."""
    for offset, chunk in source:
        kept.append((len(chunk), chunk if lazy else None, convert(chunk, offset)))
        yield Task(offset, chunk)


def _no_rows(files: Sequence[Any] | None) -> DataError:
    """The data held no row: named by its file(s) when it is files."""
    if not files:
        return DataError("The data has no rows: nothing to label.")
    if len(files) == 1:
        return DataError(f"The data file {str(files[0])!r} has no rows: nothing to label.")
    return DataError(f"None of the {len(files)} data files ({str(files[0])!r} ...) has a row: nothing to label.")


def stack(parts: Iterable[Part], lfs: Sequence[LabelingFunction], labels: tuple[str, ...] | None, cardinality: int | None) -> LabelMatrix:
    """The LabelMatrix of a whole run."""
    results: list[ChunkResult] = []
    ids: list[Any] = []
    has_ids = False
    for part in parts:
        results.append(part.result)
        if "ids" in part.sides:
            has_ids = True
            ids.extend(part.sides["ids"])
    if not results:
        raise DataError("The data has no rows: nothing to label.")
    array = np.concatenate([r.labels for r in results])
    array.setflags(write=False)  # ours alone: the LabelMatrix takes it without a copy
    if cardinality is None:
        cardinality = max(2, int(array.max()) + 1)
    row_ids = ids_array(ids) if has_ids else None
    if row_ids is not None:
        row_ids.setflags(write=False)  # ours alone too
    return LabelMatrix(
        array,
        names=[x.name for x in lfs],
        cardinality=cardinality,
        labels=labels,
        row_ids=row_ids,
        errors=np.sum([r.errors for r in results], axis=0),
        seconds=np.sum([r.seconds for r in results], axis=0),
    )


def _offsets(
    chunks: Iterator[pd.DataFrame], text_column: str | None, id_column: str | None, needed: list[str]
) -> Iterator[tuple[int, pd.DataFrame]]:
    offset = 0
    for chunk in chunks:
        if offset == 0:
            _check_columns(chunk, text_column, id_column, needed)
        else:  # a later file (or frame) may lack a column the first one has
            _check_later_columns(chunk, offset, text_column, id_column, needed)
        if text_column is not None and text_column != "text":
            chunk = chunk.rename(columns={text_column: "text"})
        yield offset, chunk
        offset += len(chunk)


def _check_later_columns(
    chunk: pd.DataFrame, offset: int, text_column: str | None, id_column: str | None, needed: list[str]
) -> None:
    """The columns the first chunk had, in a chunk at row ``offset`` (a set lookup each)."""
    refuse_duplicate_columns(chunk)
    cols = set(chunk.columns)
    for col in (text_column, id_column, *needed):
        if col is not None and col not in cols:
            raise DataError(
                f"Column {col!r} is missing from row {offset:,} on, though the data before has it "
                f"(a later file or frame lacks it). Available columns there: {_column_list(chunk)}. "
                "Give every file the same columns."
            )


def _column_list(chunk: pd.DataFrame) -> str:
    """The chunk's column labels, as text; as Python values (``0``, ``'0'``) when some are not text."""
    show = str if all(isinstance(c, str) for c in chunk.columns) else repr
    return ", ".join(map(show, chunk.columns))


def _check_columns(chunk: pd.DataFrame, text_column: str | None, id_column: str | None, needed: list[str]) -> None:
    refuse_duplicate_columns(chunk)
    cols = set(chunk.columns)  # as they are: a frame's column 0 is not '0'
    for label, col in (("text_column", text_column), ("id_column", id_column)):
        if col is not None and col not in cols:
            raise DataError(f"`{label}` {col!r} is not a column of the data. Available columns: {_column_list(chunk)}.")
    for col in needed:
        if col not in cols:
            raise DataError(f"Column {col!r} is not a column of the data. Available columns: {_column_list(chunk)}.")
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


def ids_array(ids: list[Any]) -> npt.NDArray[Any]:
    """Row ids as an array; missing ids (None, NaN, pandas' NA / NaT) become None, not 'nan'."""
    import pandas as pd

    from lf._matrix_io import refuse_mixed_bytes

    boxed = np.empty(len(ids), dtype=object)
    boxed[:] = ids
    missing = np.asarray(pd.isna(boxed), dtype=bool)  # one pass in C, as is_missing value by value
    kind = pd.api.types.infer_dtype(boxed, skipna=True)
    if kind == "mixed":
        refuse_mixed_bytes([v for v, gone in zip(ids, missing, strict=True) if not gone])
    if missing.any() or kind == "bytes":  # bytes as they are: numpy's fixed width drops trailing NULs
        boxed[missing] = None
        return boxed
    out = np.asarray(ids)
    if out.dtype.kind == "f" and pd.api.types.infer_dtype(boxed, skipna=False) == "integer":
        # integers past int64 beside others (unsigned 64-bit hashes): numpy would make
        # them floats, and 2**64 - 1 and 2**64 - 2 one id
        try:
            return np.array(ids, dtype=np.uint64)
        except OverflowError:  # negative ones too: kept as the integers they are
            return boxed
    return out


class _CachePlan:
    """Asks the cache which LFs a chunk still needs, then fills in and stores the results.

    Tasks are planned and results come back in the same order, so a queue pairs them.
    """

    def __init__(self, folder: str | os.PathLike[str], lfs: list[LabelingFunction], settings: Settings) -> None:
        from lf.apply.cache import ChunkCache

        self.cache = ChunkCache(folder, lfs)
        self.m = len(lfs)
        self.cardinality = settings.cardinality
        self.batch = [lf.batch for lf in lfs]
        self.pending: deque[tuple[list[str] | None, dict[int, Any]]] = deque()

    def tasks(self, source: Iterator[Task]) -> Iterator[Task]:
        from lf.apply.cache import chunk_key
        from lf.apply.content import positioned

        for task in source:
            key = chunk_key(task.chunk)
            # a batch LF sees the chunk's index: a frame's range index is the rows' positions
            keys = None if key is None else [positioned(key, task.chunk) if b else key for b in self.batch]
            hits = {}
            for j in range(self.m):
                if keys is None:  # a value the key cannot encode: the chunk is not cached
                    break
                entry = self.cache.get(j, keys[j], len(task.chunk))
                if entry is not None and self.cache.usable(entry, self.cardinality):
                    hits[j] = entry
            self.cache.reused += len(hits)
            self.cache.computed += self.m - len(hits)
            self.pending.append((keys, hits))
            yield Task(task.offset, task.chunk, tuple(j for j in range(self.m) if j not in hits))

    def merge(self, res: ChunkResult) -> ChunkResult:
        from lf.apply.cache import CachedLF

        keys, hits = self.pending.popleft()
        labels, errors, seconds = res.labels.copy(), res.errors.copy(), res.seconds.copy()
        for j in range(self.m):
            if j in hits:
                labels[:, j], errors[j], seconds[j] = hits[j].labels, hits[j].errors, hits[j].seconds
            elif keys is not None:
                self.cache.put(j, keys[j], CachedLF(labels[:, j].copy(), int(errors[j]), float(seconds[j])))
        return ChunkResult(labels, errors, seconds)
