"""``lf.label`` on a Dask cluster: workers read, label and write; the client only merges counts.

Each partition (a partition of a Dask DataFrame, or one data file, read by the worker
itself) is one task: the worker labels it chunk by chunk with the same kernel as every
other engine, writes its part of the matrix, and returns its pattern counts, error
counts and seconds, never its rows. The client adds the counts up, fits the label model
from them, and a second round of tasks predicts each part and writes its labels. Outputs
are partitioned Parquet datasets (folders of ``part-NNNNN.parquet``), each part written
atomically, so a task that is run again (its worker died) writes the same file again.
The parts are written into hidden folders that become the output folders only when the
whole run succeeded: a failed run leaves no parts behind.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf._matrix_io import ROW_ID
from lf.errors import DataError

if TYPE_CHECKING:
    from lf.apply.dask import Watch

__all__ = ["PartCounts", "label_part", "predict_part"]


class PartCounts(NamedTuple):
    """What a worker sends back for one partition: sums, never rows."""

    rows: npt.NDArray[np.int16]  # distinct rows (+ gold as the last column)
    counts: npt.NDArray[np.int64]
    errors: npt.NDArray[np.int64]
    seconds: npt.NDArray[np.float64]
    n: int
    top: int  # the largest label seen
    id_type: Any = None  # the Arrow type of the part's row ids (None: no ids, or no rows)
    index: Any = None  # a frame partition's IndexHead (None: a file)
    gold_kind: Any = None  # the gold column's kind ("names" or "ids") and one of its values (None: no gold)
    id_bounds: Any = None  # the part's first and last row id, when its ids ascend (Ascending.bounds)
    missing_ids: Any = None  # the part's rows without an id (a MissingIds, positions in the part)


def _part_name(folder: Path, i: int) -> Path:
    return folder / f"part-{i:05d}.parquet"


def part_files(folder: Path, what: str) -> list[Path]:
    """The part files of a folder ``lf label --engine dask`` wrote (``-o`` or ``--matrix``),
    in the order of their rows; a DataError naming ``what`` when it holds none."""
    import re

    numbered = [(int(m.group(1)), p) for p in folder.iterdir() if (m := re.fullmatch(r"part-(\d+)\.parquet", p.name)) and p.is_file()]
    if not numbered:
        raise DataError(
            f"{str(folder)!r} is a folder without part files (part-00000.parquet ...), as `lf label --engine dask` "
            f"writes; give {what} as a file, or such a folder."
        )
    return [p for _, p in sorted(numbered)]


def label_part(
    lfs: Sequence[Any], data: Any, i: int, settings: Any, chunk_size: int, text_column: str | None,
    gold: str | None, labels: tuple[str, ...] | None, matrix_dir: str, prints: tuple[str | None, ...] | None = None,
    gold_name: str = "`gold`", shown_dir: str | None = None,
) -> PartCounts:
    """On a worker: label one partition (a frame, or a file path read here) and store its matrix
    (a failure names the part in ``shown_dir``, the folder the user named, not the hidden one)."""
    import pandas as pd

    from lf._matrix_io import meta_of
    from lf._repeated_ids import index_head
    from lf.apply.local import LocalEngine
    from lf.apply.run import Pass
    from lf.corpus import Corpus, as_read_text
    from lf.counts import PatternCounter
    from lf.gold import GoldColumn
    from lf.label import tally
    from lf.writers import MatrixWriter

    names = tuple(x.name for x in lfs)
    # rows are counted from the partition's start: messages say which partition
    place = f" of data file {str(data)!r}" if isinstance(data, (str, os.PathLike)) else f" of partition {i}"
    check = GoldColumn(labels, settings.cardinality, f"{gold_name} column {gold!r}{place}")
    convert = {"gold": check} if gold is not None else None
    data = as_read_text(data) if isinstance(data, pd.DataFrame) else data  # a Dask partition
    run = Pass(LocalEngine(), list(lfs), Corpus(data), replace(settings, threads=1, place=place), chunk_size=chunk_size, progress=False,
               text_column=text_column, sides={"gold": gold} if gold is not None else None, convert=convert, allow_empty=True)
    counter = PatternCounter(len(names), gold=gold is not None)
    shown = _part_name(Path(shown_dir), i) if shown_dir is not None else None
    writer = MatrixWriter(_part_name(Path(matrix_dir), i), names, check=False, shown=shown)
    try:
        errors, seconds, top = tally(run, writer, counter, len(names), gold is not None)
        if counter.n == 0:  # an empty partition (a filter's leftover, an empty file): no part file
            writer.abort()
            return PartCounts(np.zeros((0, len(names) + (1 if gold is not None else 0)), np.int16), np.zeros(0, np.int64), errors, seconds, 0, 0,
                              gold_kind=check.first)
        # the run's class names and LF fingerprints, as a local matrix has them (its
        # cardinality, without declared labels, is set once every part is known: conform_part)
        k = max(2, top + 1) if settings.cardinality is None else settings.cardinality
        table = counter.table(names, k, labels=labels, errors=errors, seconds=seconds)._replace(lf_fingerprints=prints)
        writer.close_with(meta_of(table))
        writer.commit()
        schema = writer._schema
    finally:
        writer.abort()
    raw_rows = np.array(counter._rows, np.int16).reshape(len(counter._rows), len(names) + (1 if gold is not None else 0))
    id_type = schema.field(ROW_ID).type if schema is not None and ROW_ID in schema.names else None
    index = index_head(data.index) if isinstance(data, pd.DataFrame) else None
    return PartCounts(raw_rows, np.array(counter._counts, np.int64), errors, seconds, counter.n, top, id_type, index, check.first,
                      writer.id_bounds(), run.missing_ids)


def _check_gold_kinds(results: list[PartCounts], what: str, labels: tuple[str, ...] | None, k: int | None) -> None:
    """Refuse a gold column of label names in one partition and class ids in another, as
    the local engine refuses it in one column."""
    from lf.gold import mixed_kinds

    seen = {r.gold_kind[0]: (i, r.gold_kind[1]) for i, r in enumerate(results) if r.gold_kind is not None}
    if len(seen) > 1:
        (i, name), (j, number) = seen["names"], seen["ids"]
        raise mixed_kinds(what, [name], [number], labels, k, f"; names in partition {i}, ids in {j}")


def conform_part(i: int, matrix_dir: str, id_type: Any, first: int, cardinality: int) -> None:
    """On a worker: make part ``i`` a part of the whole run's matrix: its row ids of
    ``id_type``, the type of the first part with rows (``first``), as the local engine casts
    a later chunk's ids to the first's; its cardinality the run's (a part that saw fewer
    classes, with no labels declared, stored its own)."""
    import json

    import pyarrow.parquet as pq

    from lf.io import atomic_path
    from lf.writers import cast_ids

    path = _part_name(Path(matrix_dir), i)
    meta = json.loads((pq.read_metadata(path).metadata or {})[b"lf"])  # written last, in the footer
    table = pq.read_table(path)
    if id_type is not None and ROW_ID in table.schema.names:
        at = table.schema.get_field_index(ROW_ID)
        ids, why = cast_ids(table.column(at), lambda: table.column(at).cast(id_type))
        if ids is None:
            raise DataError(
                f"The row ids change type between partitions ({id_type} in partition {first}, then "
                f"{table.schema.field(at).type} in partition {i}{why}); give the id column one type "
                "(all integers or all text)."
            )
        table = table.set_column(at, table.schema.field(at).with_type(id_type), ids)
    meta["cardinality"] = cardinality
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), "lf": json.dumps(meta)}), tmp)


def _conform(
    client: Any, watch: Watch, results: list[PartCounts], matrix_dir: Path, k: int, declared: bool, futures: list[Any]
) -> None:
    """Rewrite the parts whose row id type or cardinality is not the whole run's
    (``declared``: the LFs declare their labels, so every part stored ``k`` already).
    ``watch`` is the run's: a cluster left without workers is named once per run."""
    from lf.apply.portable import crossing

    filled = [i for i, r in enumerate(results) if r.n]
    first = filled[0]
    target = results[first].id_type
    jobs = [client.submit(crossing, conform_part, i, str(matrix_dir), target, first, k, pure=False)
            for i in filled if results[i].id_type != target or (not declared and max(2, results[i].top + 1) != k)]
    futures += jobs
    watch.wait(jobs)
    client.gather(jobs)


def part_ids_repeated(matrix_dir: Path, results: list[PartCounts]) -> Any:
    """A row id the stored matrix parts repeat, within a part or across parts (a
    :class:`lf._repeated_ids.Repeated`), or None. Each worker saw whether its part's ids
    ascend as it wrote them; when they all do, each part's first id above the last of the
    part before, and no part's ids were cast to another type, no id repeats and nothing is
    read. Else the parts' ids are read on the client, as the local engine reads its matrix."""
    import pyarrow.parquet as pq

    from lf._matrix_io import read_arrow_ids
    from lf._repeated_ids import Ascending, repeated_ids

    filled = [i for i, r in enumerate(results) if r.n]
    target = results[filled[0]].id_type if filled else None
    if all(results[i].id_type == target for i in filled) and Ascending.joined(results[i].id_bounds for i in filled):
        return None

    def chunks() -> Any:
        for i in filled:
            file = pq.ParquetFile(_part_name(matrix_dir, i))
            if ROW_ID in file.schema_arrow.names:
                for batch in file.iter_batches(batch_size=200_000, columns=[ROW_ID]):
                    yield read_arrow_ids(batch.column(0))

    seen = Ascending()
    for ids in chunks():
        seen.add(ids)
    return None if seen.holds else repeated_ids(chunks(), again=chunks)


def predict_part(
    predictions: Any, i: int, offset: int, matrix_dir: str, output_dir: str, chunk_size: int, filter_abstain: bool,
    uncovered: str = "null",
) -> tuple[int, dict[str, int]]:
    """On a worker: the labels of one stored matrix part, written as one output part
    (``predictions``: the fitted model's :class:`~lf._pattern_predict.PatternPredictions`)."""
    from lf.writers import FrameWriter

    with FrameWriter(_part_name(Path(output_dir), i)) as writer:
        counts, _ = predictions.write(writer, _part_name(Path(matrix_dir), i), chunk_size, filter_abstain, uncovered, offset)
    return writer.rows, dict(counts)


def partitions(corpus: Any) -> list[Any]:
    """What each task reads: a Dask DataFrame's partitions (delayed), else one data file each."""
    if corpus.dask is not None:
        return list(corpus.dask.to_delayed())
    if corpus.files:
        return [str(p) for p in corpus.files]
    raise DataError("engine='dask' with lf.label reads a Dask DataFrame or data files (paths or globs).")


def folder_for(path: str | os.PathLike[str], what: str) -> Path:
    """An output folder for a partitioned dataset: new, or empty (else refused); not made yet."""
    from lf.paths import written_file

    folder = written_file(path)  # a symlink to a folder: the parts go where it points
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise DataError(f"{what} {str(folder)!r} must be a new or empty folder with engine='dask' (it gets one part file per partition).")
    return folder


def staging_for(folder: Path) -> Path:
    """The hidden folder beside ``folder`` that its parts are written into; it becomes
    ``folder`` only when the whole run succeeded (:func:`publish`)."""
    folder.absolute().parent.mkdir(parents=True, exist_ok=True)
    return hidden_folder(folder.absolute().parent, folder.name)


def hidden_folder(parent: Path, stem: str) -> Path:
    """A new folder ``.STEM.OWNER.XXXXXXXX.partial`` in ``parent`` (OWNER: this process, as
    :func:`lf.io.atomic_path` names its temporary files), once those that an lf killed
    before its cleanup (SIGKILL, the out-of-memory killer) left there are removed: the
    ones of a process of this host and process namespace that no longer runs."""
    import re
    import shutil
    import tempfile

    from lf.io import _alive, _owner, _temp_stem

    owner = _owner()
    stem = _temp_stem(stem)
    prefix = f".{stem}.{owner.rsplit('-', 1)[0]}-"  # this host and namespace, any pid
    mine = re.compile(re.escape(prefix) + r"(\d+)\.[^.]+\.partial")
    for entry in parent.iterdir() if os.name == "posix" else ():  # os.kill(pid, 0) ends a process on Windows
        match = mine.fullmatch(entry.name)
        if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f".{stem}.{owner}.", suffix=".partial", dir=parent))


def publish(staging: Path, folder: Path) -> None:
    """Move a complete set of parts onto the output folder (an empty one is replaced), with
    the permissions ``mkdir`` gives a folder, not the private ones of a temporary folder.

    One rename: the folder holds this run's parts or another's, never some of each. Another
    run with the same output that published first (the folder was new or empty when both
    began) is a DataError, and this run's parts are dropped."""
    import contextlib

    from lf.io import _umask

    os.chmod(staging, 0o777 & ~_umask())
    if folder.is_dir() and not any(folder.iterdir()):
        with contextlib.suppress(OSError):  # gone, or filled meanwhile: the rename says which
            folder.rmdir()
    try:
        os.replace(staging, folder)
    except OSError as exc:
        if not os.path.lexists(folder):
            raise
        raise DataError(
            f"Cannot write {str(folder)!r}: another run wrote it while this one ran (it was new or empty when "
            "this run began); it is left as that run wrote it, and this run's part files are dropped. Give "
            "each run its own output folder."
        ) from exc


class ClusterRun(NamedTuple):
    table: Any
    written: int
    label_counts: dict[str, int]
    predictions: Any  # the PatternPredictions the labels were written with


def label_on_cluster(
    client: Any, lfs: list[Any], corpus: Any, settings: Any, *, chunk_size: int, text_column: str | None,
    gold: str | None, labels: tuple[str, ...] | None, output: Path | None, matrix: Any, fit: Any,
    filter_abstain: bool, uncovered: str = "null", prints: tuple[str | None, ...] | None = None, gold_name: str = "`gold`",
) -> tuple[ClusterRun, Any]:
    """Run :func:`label_part` on every partition, merge, ``fit(table)``, then :func:`predict_part`."""
    import shutil

    from lf._pattern_predict import PatternPredictions
    from lf._repeated_ids import MissingIds, warn_index_of_partitions, warn_repeated
    from lf.apply.dask import Watch, shared_lfs
    from lf.apply.portable import crossing
    from lf.counts import PatternCounter

    names = tuple(x.name for x in lfs)
    parts = partitions(corpus)
    # Parts go to hidden folders that become the outputs once everything succeeded (the
    # labels last), so a failed run leaves no part files that look like a whole dataset.
    targets = [folder_for(matrix, "The matrix output")] if matrix is not None else []
    targets += [folder_for(output, "The labels output")] if output is not None else []
    staged: list[tuple[Path, Path | None]] = [(folder, staging_for(folder)) for folder in targets]
    futures: list[Any] = []
    if matrix is None:
        near = staged[0][0].absolute().parent if staged else Path(".")
        staged.insert(0, (hidden_folder(near, "lf-matrix"), None))
    matrix_dir = staged[0][1] or staged[0][0]
    out_dir = staged[-1][1] if output is not None else None
    try:
        remote = shared_lfs(client, lfs)
        if corpus.dask is not None:
            parts = client.compute(parts)
        futures = [
            client.submit(crossing, label_part, remote, p, i, settings, chunk_size, text_column, gold, labels, str(matrix_dir), prints,
                          gold_name, str(targets[0]) if targets else None, pure=False)
            for i, p in enumerate(parts)
        ]
        # in partition order: a failing LF stops the run with its first failing partition's
        # error, as the local engine stops at the first failing row, not with the one that
        # happened to fail first on the cluster
        watch = Watch(client)
        results: list[PartCounts] = [watch.result(future) for future in futures]
        _check_gold_kinds(results, f"{gold_name} column {gold!r}", labels, settings.cardinality)
        counter = PatternCounter(len(names), gold=gold is not None)
        for r in results:
            counter.merge(r.rows, r.counts)
        if counter.n == 0:
            raise DataError("The data has no rows: nothing to label.")
        top = max(r.top for r in results)
        k = settings.cardinality if settings.cardinality is not None else max(2, top + 1)
        _conform(client, watch, results, Path(matrix_dir), k, settings.cardinality is not None, futures)
        offsets = np.concatenate([[0], np.cumsum([r.n for r in results])])
        unnamed = MissingIds()
        for at, r in zip(offsets, results):
            if r.missing_ids is not None:
                unnamed.merge(r.missing_ids, int(at))
        warn_repeated(part_ids_repeated(Path(matrix_dir), results), f"The data's id column {settings.id_column!r}")
        unnamed.warn(f"The data's id column {settings.id_column!r}")
        if output is not None and settings.id_column is None and corpus.dask is not None:
            warn_index_of_partitions((int(at), r.n, r.index) for at, r in zip(offsets, results))
        table = counter.table(
            names, k, labels=labels,
            errors=np.sum([r.errors for r in results], axis=0), seconds=np.sum([r.seconds for r in results], axis=0),
        )
        model = fit(table)
        predictions = PatternPredictions(model, table)
        written, counts = 0, Counter[str]()
        if out_dir is not None:
            # sent once to each worker, not once per part: it holds every distinct row of votes
            shared = client.scatter(predictions, broadcast=True, hash=False)
            futures.append(shared)
            jobs = [
                client.submit(crossing, predict_part, shared, i, int(offsets[i]), str(matrix_dir), str(out_dir), chunk_size,
                              filter_abstain, uncovered, pure=False)
                for i in range(len(results)) if results[i].n
            ]
            futures += jobs
            watch.wait(jobs)
            for n_written, part_counts in client.gather(jobs):
                written += n_written
                counts.update(part_counts)
        for folder, staging in staged:
            if staging is not None:
                publish(staging, folder)
    finally:
        client.cancel(futures)  # a failed run: tasks still queued write no more parts
        for folder, staging in staged:
            shutil.rmtree(staging or folder, ignore_errors=True)
    return ClusterRun(table, written, dict(counts), predictions), model
