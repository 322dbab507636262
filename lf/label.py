"""``lf.label``: the whole pipeline in one pass over the data, in flat memory.

Apply the LFs chunk by chunk, writing the label matrix to disk and keeping only its
pattern counts; fit the label model from the counts; then read the stored matrix back
chunk by chunk to write the probabilistic labels. Memory does not grow with the number
of rows beyond what fitting needs. ``lf label`` is this function plus option parsing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf._label_checks import check_balance, check_cluster_paths, check_paths, model_object
from lf._matrix_io import meta_of
from lf._pattern_predict import PatternPredictions
from lf._repeated_ids import warn_index_of_partitions, warn_positions_for_index, warn_repeated
from lf._row_digest import pass_sides
from lf.errors import DataError, ParameterError
from lf.matrix import LabelMatrix, PatternTable

__all__ = ["Labeled", "apply_to_file", "label"]


class Labeled(NamedTuple):
    """What :func:`label` did."""

    table: PatternTable  # the corpus's label matrix as pattern counts (+ gold, when given)
    model: Any  # the fitted label model
    model_description: str
    output: Path | None
    rows_written: int
    label_counts: dict[str, int]  # rows per predicted label in the output
    accuracy: float | None  # against `gold`, over all rows (uncovered rows as `uncovered` says)
    cache_stats: Any
    accuracy_covered: float | None = None  # against `gold`, on the rows some LF voted on
    coverage: float = 0.0  # share of rows some LF voted on
    unlabeled: int = 0  # output rows with no label (uncovered rows, with uncovered="null")
    selection: Any = None  # with model="auto": the lf.models.Selection that chose the model
    dev_rows: int = 0  # gold-labeled dev rows used (model="auto", class_balance="dev")
    abstained: int = 0  # with `gold`: rows some LF voted on that the model left without a label (its ties)
    uncovered_unlabeled: int = 0  # with `gold`: rows no LF voted on left without a label (counted wrong)


def label(
    lfs: Any,
    data: Any,
    *,
    output: str | os.PathLike[str] | None = None,
    model: Any = "LabelModel",
    class_balance: Any = None,
    gold: str | None = None,
    matrix: str | os.PathLike[str] | None = None,
    dev: Any = None,
    dev_gold: str | None = None,
    filter_abstain: bool = False,
    uncovered: str = "null",
    engine: Any = None,
    n_jobs: int = 1,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
    labels: Sequence[str] | None = None,
    cardinality: int | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    cache: str | os.PathLike[str] | None = None,
    _names: Mapping[str, str] | None = None,
) -> Labeled:
    """Apply ``lfs`` to ``data``, fit ``model`` and write probabilistic labels to ``output``.

    ``data`` is anything :func:`lf.apply` reads (or a :class:`lf.corpus.Corpus`); it is
    read once. ``model``: a model name (``"LabelModel"``, ``"MajorityVoter"`` ...), a model
    object (fitted ones are used as they are), a saved ``model.json``, or ``"auto"`` (the
    best on the gold-labeled ``dev`` rows). ``class_balance``: k numbers, ``"dev"`` (from
    the dev rows' gold labels) or None. ``gold``: a data column of gold labels, read in the
    same pass, for the report and :attr:`Labeled.accuracy`. ``matrix``: also save the
    label matrix (.parquet written chunk by chunk; .npz at the end). ``dev`` / ``dev_gold``:
    a few gold-labeled rows (same columns) and their gold column; with ``gold``, a warning
    counts the data rows that have a dev row's text when the dev gold labels chose the model
    or its class balance (the accuracy is not held out on them), with how many dev rows
    match and how many of their texts several data rows share (a match by text is not a
    match of rows). Nothing else matches dev rows to data rows: the models are scored on
    the dev rows' own votes and gold labels. ``labels`` / ``cardinality``: as for
    :func:`lf.apply` (default: the LF module's ``LABELS``). ``id_column``: default,
    the data's ``id`` column if it has one. The output holds, per row, ``id``, one
    probability per class, ``label``, ``confidence`` and ``covered`` (see
    :func:`lf.output.labels_frame`); a row no LF voted on gets no label and the class prior
    as probabilities (``uncovered="prior"``: the model's own probabilities for it, the class
    balance unless it learns from abstentions, ``abstain="model"``, and their most probable
    class as its label; not with ``filter_abstain``, which leaves those rows out). Outputs
    appear only when everything succeeded.

    Gold values are checked chunk by chunk before the LFs run on the chunk; the dev rows
    (small) are labeled first, so a bad dev gold column stops the run before it starts.
    """
    from lf.apply.progress import progress_enabled
    from lf.apply.run import Pass
    from lf.apply.settings import Settings
    from lf.corpus import as_corpus
    from lf.gold import GoldColumn
    from lf.output import UNCOVERED, check_label_names, warn_missing_looking_labels
    from lf.writers import FrameWriter, MatrixWriter

    lf_list, names, labels, k, size, runner = _prepare(lfs, on_error, chunk_size, engine, n_jobs, labels, cardinality)
    check_label_names(labels)
    progress_enabled(progress)  # checked on every engine (a Dask run shows no bar)
    if uncovered not in UNCOVERED:
        raise ParameterError(f"`uncovered` must be 'null' or 'prior'. Got {uncovered!r}.")
    if filter_abstain and uncovered == "prior":  # the rows one labels are the rows the other leaves out
        said = {"filter_abstain": "`filter_abstain`", "uncovered": "`uncovered='prior'`", **(_names or {})}
        raise ParameterError(
            f"{said['filter_abstain']} leaves out the rows no LF labeled, and {said['uncovered']} labels them "
            "with the prior's most probable class: give one or the other."
        )
    prints = _definitions(lf_list)  # kept by the matrix and the model fitted here
    fitted = model_object(model, names, labels, k, prints)
    if (dev is None) != (dev_gold is None):
        raise ParameterError("`dev` and `dev_gold` go together: the dev rows and their gold column.")
    _check_column_name(gold, "gold", "data")
    _check_column_name(dev_gold, "dev_gold", "dev")
    if dev is None and (model == "auto" or (isinstance(class_balance, str) and class_balance == "dev")):
        raise ParameterError("model='auto' and class_balance='dev' need gold-labeled dev rows: pass `dev` and `dev_gold`.")
    check_balance(class_balance, names, labels, k)
    out = None if output is None else Path(output)
    warn_missing_looking_labels(labels, out)
    corpus = as_corpus(data)
    client = _cluster_client(runner)
    if client is None:
        check_paths([("`output`", output), ("`matrix`", matrix)], corpus, dev, model, lf_list)
    else:
        if cache is not None:  # workers label their partitions without it: nothing would be stored or reused
            name = (_names or {}).get("cache", "`cache`")
            raise ParameterError(
                f"{name} is not used by lf.label on Dask (the workers label their partitions without the "
                f"LF cache, so the run could not resume from it). Drop {name}, or run with another engine."
            )
        check_cluster_paths([("`matrix`", matrix), ("`output`", out)], corpus)
        return _label_on_cluster(client, lf_list, corpus, fitted, model, class_balance, gold, labels, k, out, matrix,
                                 dev, filter_abstain, uncovered, size, on_error, text_column, id_column, prints,
                                 (_names or {}).get("gold", "`gold`"))
    settings = Settings(cardinality=k, on_error=on_error, id_column=id_column or corpus.default_id_column())
    if out is not None and settings.id_column is None:
        warn_positions_for_index(data)
    what = {"gold": "`gold`", "dev": "`dev`", "dev_gold": "`dev_gold`", **(_names or {})}
    dev_set = dev_texts = None
    if dev is not None:
        dev_set, dev_texts = _dev_rows(runner, lf_list, dev, str(dev_gold), settings, size, text_column, labels,
                                       f"{what['dev_gold']} column {dev_gold!r}")
    nominal = Path(matrix) if matrix is not None and Path(matrix).suffix.lower() == ".parquet" else None
    spill = MatrixWriter(nominal or _scratch_name(out, matrix), names, check=nominal is not None,
                         shown=nominal or out or (Path(matrix) if matrix is not None else None))
    spill.locate = corpus.place
    writer = None
    try:
        writer = None if out is None else FrameWriter(out)
        gold_what = f"{what['gold']} column {gold!r}"
        sides, convert, digest = pass_sides(corpus, text_column, gold, GoldColumn(labels, k, gold_what))
        run = Pass(
            runner, lf_list, corpus, settings, chunk_size=size, progress=progress, text_column=text_column,
            cache_dir=cache, sides=sides, convert=convert,
        )
        # Gold rows that are dev rows, when the dev rows' gold labels chose the model or its balance
        # (with "auto", unless the balance is given as numbers).
        balance_of_dev = isinstance(class_balance, str) and class_balance == "dev" or fitted is None and class_balance is None
        chose = " and ".join(x for x, used in (("the model", fitted is None), ("its class balance", balance_of_dev)) if used)
        seen = _DevTexts(digest, dev_texts) if gold is not None and chose and digest is not None and dev_texts is not None else None
        table = _count(run, spill, names, labels, k, gold_what if gold is not None else None, seen or digest)._replace(lf_fingerprints=prints)
        if seen is not None:
            seen.warn(what["gold"], what["dev"], chose)
        spill.close_with(meta_of(table), digest.footer(False) if digest is not None else None)
        warn_repeated(spill.repeated_ids(), f"The data's id column {settings.id_column!r}")
        if out is not None and settings.id_column is None:
            warn_index_of_partitions(corpus.partition_index)
        if dev_set is not None:
            dev_set = _same_classes(dev_set, table)
        chosen: list[Any] = []
        fitted, desc = _fit(fitted, model, table, class_balance, dev_set, chosen)
        written, counts, unlabeled = 0, dict[str, int](), 0
        predictions = PatternPredictions(fitted, table)
        if writer is not None:
            writer.footer = digest.footer(filter_abstain) if digest is not None else {}
            written, counts, unlabeled = _write_labels(writer, spill.tmp, table, predictions, size, filter_abstain, uncovered)
        # the labels file moves into place last: it never appears without the matrix
        if matrix is not None and nominal is None:
            _save_whole(spill.tmp, Path(matrix), digest.footer(False) if digest is not None else None)
        if nominal is not None:
            spill.commit()
        if writer is not None:
            writer.commit()
    finally:
        spill.abort()  # a no-op once committed
        if writer is not None:
            writer.abort()
    result = _result(table, fitted, desc, out, written, counts, run.cache_stats, gold, uncovered, unlabeled, chosen, predictions)
    return result._replace(dev_rows=0 if dev_set is None else len(dev_set[1]))


def _check_column_name(value: Any, name: str, data: str) -> None:
    """``gold`` / ``dev_gold`` name a column of the data (read in the same pass as the votes,
    so each label stays with its row), never the gold labels themselves: a Series raised
    pandas' own error, and a column name a pandas frame numbers 0 was taken for no gold."""
    if value is None or (isinstance(value, (str, int)) and not isinstance(value, bool)):
        return
    raise ParameterError(
        f"`{name}` names the column of `{data}` that holds the gold labels (e.g. {name}='label'). Got a "
        f"{type(value).__name__}{f' of {len(value):,} values' if hasattr(value, '__len__') else ''}. To use labels "
        f"you hold, add them as a column of `{data}` and name it: {data}.assign(gold=labels), {name}='gold'."
    )


def _result(
    table: PatternTable, model: Any, desc: str, out: Path | None, written: int, counts: dict[str, int],
    cache_stats: Any, gold: str | None, uncovered: str, unlabeled: int, chosen: list[Any], predictions: Any,
) -> Labeled:
    covered = (table.rows != -1).any(axis=1)
    n_covered = int(table.counts[covered].sum())
    coverage = n_covered / max(table.n, 1)
    accuracy = accuracy_covered = None
    abstained = blank = 0
    if gold is not None:
        right, given = _right(predictions, table, uncovered)
        accuracy = float(table.counts[right].sum() / max(table.n, 1))
        accuracy_covered = float(table.counts[right & covered].sum() / n_covered) if n_covered else None
        abstained = int(table.counts[covered & (given == -1)].sum())  # wrong in accuracy_covered: say so
        blank = int(table.counts[~covered & (given == -1)].sum())  # wrong in accuracy, whatever `uncovered` says
    return Labeled(table, model, desc, out, written, counts, accuracy, cache_stats, accuracy_covered, coverage,
                   unlabeled, chosen[0] if chosen else None, abstained=abstained, uncovered_unlabeled=blank)


def apply_to_file(
    lfs: Any,
    data: Any,
    path: str | os.PathLike[str],
    *,
    engine: Any = None,
    n_jobs: int = 1,
    chunk_size: int | None = None,
    on_error: str = "raise",
    progress: bool | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> tuple[PatternTable, Any]:
    """Apply ``lfs`` to ``data`` and write the label matrix to ``path`` chunk by chunk.

    A ``.parquet`` matrix never sits in memory: what comes back is its :class:`PatternTable`
    (enough for :func:`lf.summarize` and the totals) and the cache statistics. A ``.npz``
    one is written whole at the end, from a Parquet file kept beside it during the run.
    Either records a digest of the rows' texts (when the data has the text column), so that
    data given later with the matrix (``lf report --data``) can be checked to be the rows
    it was made from. ``id_column`` defaults to the data's ``id`` column; the file is
    complete, or absent, when this returns.
    """
    from lf.apply.run import Pass
    from lf.apply.settings import Settings
    from lf.corpus import as_corpus
    from lf.writers import MatrixWriter

    lf_list, names, labels, k, size, runner = _prepare(lfs, on_error, chunk_size, engine, n_jobs, None, None)
    out = Path(path)
    if out.suffix.lower() not in (".parquet", ".npz"):
        raise ParameterError(f"apply_to_file writes a label matrix: use a .parquet or .npz file name. Got {str(path)!r}.")
    corpus = as_corpus(data)
    check_paths([("`path`", path)], corpus, lfs=lf_list)
    settings = Settings(cardinality=k, on_error=on_error, id_column=id_column or corpus.default_id_column())
    prints = _definitions(lf_list)  # before the run, as lf.label takes them: LFs may fill their globals
    nominal = out if out.suffix.lower() == ".parquet" else None
    writer = MatrixWriter(nominal or _scratch_name(None, out), names, check=nominal is not None, shown=out)
    writer.locate = corpus.place
    try:
        sides, convert, digest = pass_sides(corpus, text_column, None, None)
        run = Pass(runner, lf_list, corpus, settings, chunk_size=size, progress=progress, text_column=text_column,
                   cache_dir=cache, sides=sides, convert=convert)
        table = _count(run, writer, names, labels, k, None, digest)._replace(lf_fingerprints=prints)
        footer = digest.footer(False) if digest is not None else None
        writer.close_with(meta_of(table), footer)
        warn_repeated(writer.repeated_ids(), f"The data's id column {settings.id_column!r}")
        if nominal is None:
            _save_whole(writer.tmp, out, footer)
        else:
            writer.commit()
    finally:
        writer.abort()  # a no-op once committed; the scratch Parquet of a .npz goes
    return table, run.cache_stats


def _save_whole(parquet: Path, path: Path, footer: dict[bytes, bytes] | None) -> None:
    """The matrix of the Parquet file ``parquet`` saved whole as ``path`` (.npz or .parquet),
    with the footer's digest of its rows."""
    from lf._matrix_io import read_parquet_matrix, write_matrix

    write_matrix(LabelMatrix(**read_parquet_matrix(parquet)), path, footer)


def _definitions(lf_list: list[Any]) -> tuple[str | None, ...]:
    from lf.apply.fingerprint import lf_definitions

    return lf_definitions(lf_list)


def _prepare(
    lfs: Any, on_error: str, chunk_size: int | None, engine: Any, n_jobs: int, labels: Sequence[str] | None,
    cardinality: int | None,
) -> tuple[list[Any], tuple[str, ...], tuple[str, ...] | None, int | None, int, Any]:
    """The checked LFs, their names, label names, cardinality, chunk size and engine."""
    from lf.apply import (
        DEFAULT_CHUNK_SIZE,
        _check_int,
        _engine_for,
        _n_jobs,
        check_run,
        resolve_lfs,
    )
    from lf.apply.world import warn_unsteady

    lf_list = resolve_lfs(lfs)
    labels, k = check_run(lfs, on_error, labels, cardinality)
    size = _check_int("chunk_size", DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size, 1)
    runner = _engine_for(engine, _n_jobs(n_jobs))
    warn_unsteady(lf_list, runner)
    return lf_list, tuple(x.name for x in lf_list), labels, k, size, runner


def _cluster_client(runner: Any) -> Any:
    """The Dask client when the engine is the Dask engine (lf.label then runs on the cluster)."""
    from lf.apply.dask import DaskEngine

    return runner._client() if isinstance(runner, DaskEngine) else None


def _label_on_cluster(
    client: Any, lf_list: list[Any], corpus: Any, fitted: Any, spec: Any, class_balance: Any, gold: str | None,
    labels: tuple[str, ...] | None, k: int | None, out: Path | None, matrix: Any, dev: Any, filter_abstain: bool,
    uncovered: str, size: int, on_error: str, text_column: str | None, id_column: str | None,
    prints: tuple[str | None, ...], gold_name: str,
) -> Labeled:
    from lf.apply.settings import Settings
    from lf.dask_label import label_on_cluster

    if dev is not None or fitted is None:
        raise ParameterError("With engine='dask', lf.label takes no dev rows: fit with a model name, a model object or a saved model.")
    settings = Settings(cardinality=k, on_error=on_error, id_column=id_column or corpus.default_id_column())
    desc: list[str] = []

    def fit(table: PatternTable) -> Any:
        model, text = _fit(fitted, spec, table._replace(lf_fingerprints=prints), class_balance, None)
        desc.append(text)
        return model

    done, model = label_on_cluster(
        client, lf_list, corpus, settings, chunk_size=size, text_column=text_column, gold=gold, labels=labels,
        output=out, matrix=matrix, fit=fit, filter_abstain=filter_abstain, uncovered=uncovered, prints=prints,
        gold_name=gold_name,
    )
    names = [str(c) for c in (labels or range(done.table.cardinality))]
    counts = {name: done.label_counts.get(name, 0) for name in names}
    unlabeled = done.written - sum(counts.values())
    return _result(done.table, model, desc[0], out, done.written, counts, None, gold, uncovered, unlabeled, [], done.predictions)


def _scratch_name(out: Path | None, matrix: Any) -> Path:
    """Where the matrix is kept while the run needs it (a hidden file, removed at the end)."""
    near = out if out is not None else Path(matrix) if matrix is not None else Path("labels")
    return near.with_name(f"{near.name}.matrix.parquet")


def tally(
    run: Any, writer: Any, counter: Any, m: int, gold: bool, digest: Any = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], int]:
    """One pass: each chunk's labels (and ids) to ``writer``, its patterns (and gold) to
    ``counter``, its texts' hashes to ``digest`` (a RowDigest, or None); returns the
    per-LF error counts and seconds and the largest label seen."""
    from lf.apply.run import ids_array

    errors = np.zeros(m, np.int64)
    seconds = np.zeros(m, np.float64)
    top = 0
    for part in run:
        res = part.result
        ids = part.sides.get("ids")
        writer.write(res.labels, None if ids is None else ids_array(ids))
        counter.add(res.labels, part.sides["gold"] if gold else None)
        if digest is not None:
            digest.add(part.sides["rowhash"], res.labels)
        errors += res.errors
        seconds += res.seconds
        if res.labels.size:
            top = max(top, int(res.labels.max()))
    return errors, seconds, top


def _count(
    run: Any, spill: Any, names: tuple[str, ...], labels: tuple[str, ...] | None, k: int | None, gold: str | None,
    digest: Any = None,
) -> PatternTable:
    from lf.counts import PatternCounter

    counter = PatternCounter(len(names), gold=gold is not None)
    errors, seconds, top = tally(run, spill, counter, len(names), gold is not None, digest)
    cardinality = k if k is not None else max(2, top + 1)
    table = counter.table(names, cardinality, labels=labels, errors=errors, seconds=seconds)
    if table.gold is not None and table.gold.size and int(table.gold.max()) >= cardinality:
        raise DataError(
            f"{gold} holds class id {int(table.gold.max())}, but the LFs vote for "
            f"{cardinality} classes (0..{cardinality - 1}). Declare LABELS in the LF module, or fix the column."
        )
    return table


def _dev_rows(
    runner: Any, lfs: list[Any], dev: Any, dev_gold: str, settings: Any, size: int, text_column: str | None,
    labels: tuple[str, ...] | None, what: str,
) -> tuple[tuple[LabelMatrix, npt.NDArray[np.int64]], npt.NDArray[np.uint64] | None]:
    """The dev rows' label matrix and gold labels, and their texts' hashes (None: the dev
    data has no text column)."""
    from lf.apply.run import Pass, stack
    from lf.corpus import as_corpus
    from lf.gold import GoldColumn

    k = settings.cardinality
    dev_settings = type(settings)(cardinality=k, on_error=settings.on_error, id_column=None)
    corpus = as_corpus(dev)
    sides, convert, digest = pass_sides(corpus, text_column, dev_gold, GoldColumn(labels, k, what))
    parts = list(Pass(runner, lfs, corpus, dev_settings, chunk_size=size, progress=False,
                      text_column=text_column, sides=sides, convert=convert))
    y = np.concatenate([p.sides["gold"] for p in parts])
    texts = np.concatenate([p.sides["rowhash"] for p in parts]) if digest is not None and parts else None
    return (stack(parts, lfs, labels, k), y.astype(np.int64)), texts


class _DevTexts:
    """The row digest of a labeling pass (``add`` passes each chunk on to it) that also
    counts, per text of a dev row (``dev``: the dev rows' text hashes, one per row), the
    data rows with that text. Rows are matched by text: a dev row whose text many data
    rows share cannot be told from them, and the counts say so."""

    def __init__(self, digest: Any, dev: npt.NDArray[np.uint64]) -> None:
        self.digest, self.rows = digest, 0
        self.texts, self.of_row = np.unique(dev, return_inverse=True)  # a dev row's text: texts[of_row[i]]
        self.found = np.zeros(len(self.texts), np.int64)  # data rows per dev text

    def add(self, hashes: npt.NDArray[np.uint64], votes: npt.NDArray[Any]) -> None:
        self.digest.add(hashes, votes)
        self.rows += len(hashes)
        if self.texts.size:
            at = np.minimum(np.searchsorted(self.texts, hashes), len(self.texts) - 1)
            hit = self.texts[at] == hashes
            self.found += np.bincount(at[hit], minlength=len(self.texts))

    def _shared(self) -> str:
        """How ambiguous the match by text is: dev texts that several data rows have."""
        shared = int((self.found > 1).sum())
        if not shared:
            return ""
        return f"; by text, {shared:,} of their texts are on more than one data row, up to {int(self.found.max()):,}"

    def warn(self, gold: str, dev: str, chose: str) -> None:
        """Say that the accuracy against ``gold`` counts rows whose gold labels (as the dev
        rows') ``chose`` the model or its class balance: it is not held out on them. Rows
        are matched by text: the counts say how many dev rows match and how ambiguously."""
        same = int(self.found.sum())
        if not same:
            return
        dev_rows = f"{int((self.found[self.of_row] > 0).sum()):,} of the {len(self.of_row):,} {dev} rows"
        warnings.warn(
            f"{same:,} of the {self.rows:,} rows scored against {gold} have the text of a {dev} row, "
            f"whose gold label chose {chose}: the accuracy is not held out on them ({dev_rows} match"
            f"{self._shared()}). Leave the {dev} rows out of the data, or score on other rows.",
            UserWarning,
            stacklevel=3,
        )


def _same_classes(dev: tuple[LabelMatrix, npt.NDArray[np.int64]], table: PatternTable) -> tuple[LabelMatrix, npt.NDArray[np.int64]]:
    """The dev matrix with the corpus's cardinality (known only after the run without LABELS)."""
    L_dev, y = dev
    k = table.cardinality
    if L_dev.array.size and int(L_dev.array.max()) >= k or (y.size and int(y.max()) >= k):
        raise DataError(f"The dev rows hold class ids beyond the {k} classes the LFs vote for on the data (0..{k - 1}).")
    return LabelMatrix(L_dev.array, names=L_dev.names, cardinality=k, labels=table.labels, errors=L_dev.errors, seconds=L_dev.seconds), y


def _fit(
    model: Any, spec: Any, table: PatternTable, class_balance: Any, dev: tuple[LabelMatrix, Any] | None,
    chosen: list[Any] | None = None,
) -> tuple[Any, str]:
    balance = class_balance
    if isinstance(class_balance, str) and class_balance == "dev" and dev is not None and model is not None:
        from lf.models.select import dev_balance  # with "auto", select() takes it from the dev rows

        balance = dev_balance(np.asarray(dev[1], np.int64), table.cardinality, table.labels, warn=True)
    if model is None:  # "auto": every candidate is fitted and scored on the dev rows
        from lf.models import select

        assert dev is not None
        rows = LabelMatrix(np.repeat(table.rows, table.counts, axis=0), names=table.names, cardinality=table.cardinality, labels=table.labels)
        given = None if class_balance is None or (isinstance(class_balance, str) and class_balance == "dev") else balance
        # A dev class balance is cross-validated inside select(): no dev row scores a balance
        # that counted its own label.
        selection = select(None, rows, dev[0], dev[1], class_balance="dev" if given is None else given)
        if chosen is not None:
            chosen.append(selection)
        return selection.model, f"{selection.name} (chosen on dev rows)"
    if hasattr(model, "cardinality_"):
        return model, f"{type(model).__name__} loaded from {os.fspath(spec)}" if isinstance(spec, (str, os.PathLike)) else type(model).__name__
    model.fit_patterns(table, class_balance=balance)
    return model, type(model).__name__


def _pattern_matrix(table: PatternTable) -> LabelMatrix:
    return LabelMatrix(table.rows, names=table.names, cardinality=table.cardinality, labels=table.labels)


def _right(
    predictions: Any, table: PatternTable, uncovered: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Per pattern: whether the label written for its rows equals the gold label, and that
    label (-1: none). With ``uncovered="null"`` a pattern without votes has no label: never right."""
    assert table.gold is not None
    predicted = np.asarray(predictions.of(table.rows)[1], np.int64).copy()
    if uncovered == "null":
        predicted[~(table.rows != -1).any(axis=1)] = -1
    return np.asarray(predicted == table.gold), predicted


def _write_labels(
    writer: Any, stored: Path, table: PatternTable, answers: PatternPredictions, size: int, filter_abstain: bool,
    uncovered: str,
) -> tuple[int, dict[str, int], int]:
    """The labels to ``writer``'s file, as ``answers`` gives them per distinct row of votes;
    complete but not in place (its caller commits it)."""
    from lf.output import label_names

    counts, unlabeled = answers.write(writer, stored, size, filter_abstain, uncovered)
    writer.finish()
    names = label_names(_pattern_matrix(table))
    return writer.rows, {name: counts.get(name, 0) for name in names}, unlabeled


