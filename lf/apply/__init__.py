"""``lf.apply``: run labeling functions over a corpus with any engine, get a LabelMatrix."""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from lf.apply.kernel import ON_ERROR
from lf.apply.run import Engine, Pass, stack
from lf.apply.settings import Settings
from lf.core import LabelingFunction
from lf.errors import LFDefinitionError, ParameterError
from lf.matrix import MAX_CARDINALITY, LabelMatrix, duplicate_labels, refuse_text

__all__ = ["DEFAULT_CHUNK_SIZE", "Engine", "Settings", "apply", "check_run", "resolve_lfs"]

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


def resolve_lfs(lfs: Any) -> list[LabelingFunction]:
    """Check ``lfs`` is a non-empty sequence of LFs with unique names (Snorkel LFs are wrapped)."""
    if isinstance(lfs, LabelingFunction):
        lfs = [lfs]
    if isinstance(lfs, (str, os.PathLike)):
        raise LFDefinitionError(
            f"`lfs` must be a list of labeling functions. Got the path {os.fspath(lfs)!r}: "
            f"load the LFs of a module with lf.load_lfs({os.fspath(lfs)!r})."
        )
    if not isinstance(lfs, Iterable) or isinstance(lfs, bytes):
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


def apply(
    lfs: Sequence[LabelingFunction] | Any,
    data: Any,
    *extra: Any,
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
    **unknown: Any,
) -> LabelMatrix:
    """Apply labeling functions to ``data`` and return the :class:`~lf.LabelMatrix`.

    Parameters
    ----------
    lfs:
        Labeling functions (a list, or what :func:`lf.load_lfs` returns; Snorkel LFs work too).
    data:
        A pandas DataFrame, an iterable of DataFrames (a generator must yield frames), a
        list of records (dicts or objects with attributes, as Snorkel's ``LFApplier`` takes
        them), a 2-D NumPy array, a Dask DataFrame, the name of a fetched dataset, or
        path(s) or globs of CSV / TSV / Parquet / JSON Lines files, read in chunks with
        pyarrow.
    engine:
        ``"local"``, ``"pool"``, ``"dask"`` or an engine object; by default ``"local"`` when
        ``n_jobs == 1``, else ``"pool"``.
    n_jobs:
        Worker processes for the pool engine; ``-1`` means one per CPU. At most
        :data:`JOBS_PER_CPU` (8) per CPU: more only wait for a CPU.
    chunk_size:
        Rows per chunk: the unit of scheduling, progress and memory.
    on_error:
        ``"raise"`` re-raises an LF's exception naming the LF and the row; ``"abstain"``
        records ABSTAIN and counts the row in the matrix's ``errors``.
    progress:
        ``True`` or ``False``: show a progress bar or not; ``None`` (default): only when
        stderr is a terminal. Any other value is a ``ParameterError``.
    labels, cardinality:
        Label names (index = label value) and/or the number of classes. Default: the
        ``LABELS`` declared by the LF module, else inferred from the largest label seen.
        ``labels`` other than the module's ``LABELS`` (another order, say) are refused.
    text_column:
        Expose this column to the LFs as ``text``.
    id_column:
        Keep this column as the matrix's row ids (and name ids in error messages). By
        default the data's ``id`` column when it has one, as the CLI does, so a later join
        on ids lines up; ``None`` keeps no ids (rows are then named by position).
    cache:
        A folder keeping each LF's labels per chunk (see :mod:`lf.apply.cache`): a run after
        editing one LF runs only that LF, and a run that was interrupted resumes from the
        chunks already labeled. Seconds of cached LFs are those measured when they ran; a
        chunk on which an LF raised (``on_error="abstain"``) is not cached for it, so its
        errors are always this run's. ``L.cache_stats`` tells how many LF x chunk results
        were reused.
        A file an LF opens at call time is invisible to the cache: declare it with
        ``labeling_function(files=[...])``.

    Snorkel's applier arguments (``fault_tolerant``, ``return_meta``, ``progress_bar``,
    ``n_parallel``, ``scheduler``) are refused by name with what lf takes instead.
    """
    if extra or unknown:
        from lf.apply._snorkel_args import refuse_applier_arguments

        refuse_applier_arguments(extra, unknown, apply)
    lf_list = resolve_lfs(lfs)
    labels, cardinality = check_run(lfs, on_error, labels, cardinality)
    chunk_size = _check_int("chunk_size", chunk_size, 1)
    runner = _engine_for(engine, _n_jobs(n_jobs))
    from lf.apply.world import warn_unsteady
    from lf.corpus import as_corpus

    warn_unsteady(lf_list, runner)

    corpus = as_corpus(data)
    if id_column is DATA_IDS:
        id_column = corpus.default_id_column()
    settings = Settings(cardinality=cardinality, on_error=on_error, id_column=id_column)
    run = Pass(runner, lf_list, corpus, settings, chunk_size=chunk_size, progress=progress, text_column=text_column, cache_dir=cache)
    matrix = stack(run, lf_list, labels, cardinality)
    if cache is not None:
        matrix.cache_stats = run.cache_stats
    return matrix


JOBS_PER_CPU = 8  # beyond it, worker processes only wait for a CPU (and each forks the caller's memory)


def max_jobs() -> int:
    """The most worker processes ``n_jobs`` may ask for: :data:`JOBS_PER_CPU` per CPU."""
    return JOBS_PER_CPU * (os.cpu_count() or 1)


def too_many_jobs(n_jobs: int) -> str | None:
    """Why ``n_jobs`` worker processes are too many for this machine, or None. A run forks
    up to one per chunk: ``--n-jobs 100000`` (a row count typed for it) forked a process per
    row of a small file and took minutes where one process took a second."""
    if n_jobs <= max_jobs():
        return None
    cpus = os.cpu_count() or 1
    return (f"{n_jobs:,} is more worker processes than {JOBS_PER_CPU} for each of this machine's {cpus} CPUs "
            f"(they would only wait for a CPU, each with a copy of this process). Give at most {max_jobs()}, "
            "or -1 for one per CPU.")


def _n_jobs(n_jobs: Any) -> int:
    if n_jobs == -1:
        return os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise ParameterError(f"`n_jobs` must be an integer >= 1, or -1 for one worker per CPU. Got {n_jobs!r}.")
    problem = too_many_jobs(int(n_jobs))
    if problem is not None:
        raise ParameterError(f"`n_jobs`: {problem}")
    return int(n_jobs)


def check_run(lfs: Any, on_error: str, labels: Sequence[str] | None, cardinality: int | None) -> tuple[tuple[str, ...] | None, int | None]:
    """Check ``on_error`` and settle the label names and cardinality before a run."""
    if on_error not in ON_ERROR:
        raise ParameterError(f"`on_error` must be 'raise' or 'abstain'. Got {on_error!r}.")
    declared = getattr(lfs, "labels", None)
    refuse_text(labels, "labels", "['HAM', 'SPAM']")
    if labels is None:
        labels = declared
    elif declared is not None and tuple(str(x) for x in labels) != tuple(declared):
        # the LFs return the module's class ids: other names would relabel every vote
        raise ParameterError(
            f"`labels` {list(labels)} differ from the LABELS the LF module declares, {list(declared)}: its LFs "
            "return class ids in the module's order, so these names would give their votes other labels. "
            "Drop `labels`, or change LABELS in the module."
        )
    if labels is not None:
        labels = tuple(str(x) for x in labels)
        # names are matched in any case (gold labels, --class-balance): 'SPAM' and 'spam' are one;
        # 'SPAM' and 'SPAM ' too, as a spreadsheet or a CSV reader that trims spaces reads them
        dup = duplicate_labels(labels)
        if len(labels) < 2 or dup:
            raise ParameterError(
                f"`labels` (the module's LABELS) must name at least 2 classes, each once (in any case, spaces "
                f"around a name aside). Got {list(labels)}"
                + (f"; duplicated: {dup}." if dup else ".")
            )
        if any(not x.strip() for x in labels):  # a CSV writes "no label" as an empty field
            raise ParameterError(f"`labels` (the module's LABELS) must not be empty or blank names. Got {list(labels)}.")
        if cardinality is not None and cardinality != len(labels):
            raise ParameterError(f"`cardinality` is {cardinality} but {len(labels)} label names were given: {labels}.")
        cardinality = len(labels)
    if cardinality is not None:
        cardinality = _check_int("cardinality", cardinality, 2)
        if cardinality > MAX_CARDINALITY:
            raise ParameterError(f"`cardinality` must be at most {MAX_CARDINALITY} (labels are stored as int16). Got {cardinality}.")
    return labels, cardinality
