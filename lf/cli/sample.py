"""``lf sample``: pick the rows worth hand-labelling and write them with an empty gold column."""

from __future__ import annotations

import time
from typing import Any

import click

from lf.cli._checks import check_columns, check_model_lfs, data_files, model_files, read_gold
from lf.cli._shared import (
    _apply,
    _apply_options,
    _check_output,
    _console,
    _folders,
    _inputs,
    _source,
    engine_from,
    say,
)
from lf.corpus import is_pattern
from lf.errors import DataError
from lf.paths import check_outputs, check_unmatched

__all__ = ["sample_cmd"]


def _exclude(data: tuple[str, ...], gold: str | None, labeled: str | None, L: Any, text_column: str) -> Any:
    """Rows that already have gold: a value in DATA's --gold column, or an id in --labeled
    (whose texts, when it has a 'text' column, must be DATA's at those ids)."""
    import numpy as np

    from lf.io import iter_chunks
    from lf.labelstudio import id_text

    mask = np.zeros(L.n, dtype=bool)
    if gold:
        from lf.gold import gold_ids, has_gold

        values = read_gold(data, gold)
        has = has_gold(values)
        # what a row has must be a label (-1, WRENCH's "no label", or a name not in LABELS
        # would keep an unlabeled row from ever being picked)
        gold_ids(values[has].reset_index(drop=True), L.labels or None, L.cardinality,
                 what=f"--gold column {gold!r} (leave a row without gold empty)")
        mask |= has
    if labeled:
        ids: list[str] = []
        texts: dict[str, Any] = {}
        no_id = 0
        for chunk in iter_chunks([labeled], 200_000):
            if "id" not in chunk.columns:
                raise _no_ids(labeled, chunk.columns)
            got = [id_text(v) for v in chunk["id"].tolist()]
            ids.extend(t for t in got if t is not None)
            no_id += got.count(None)
            if "text" in chunk.columns:
                texts.update((i, t) for i, t in zip(got, chunk["text"].tolist(), strict=True) if i is not None)
        if no_id:  # their rows of DATA cannot be found: they may be picked again
            say(_console(stderr=True), (
                f"warning: {no_id:,} row{'s' if no_id > 1 else ''} of --labeled {labeled!r} "
                f"{'have' if no_id > 1 else 'has'} no id: no row of DATA is skipped for "
                f"{'them' if no_id > 1 else 'it'}, so {'they' if no_id > 1 else 'it'} may be picked again."
            ), keep=[repr(labeled)])
        if L.row_ids is None:
            raise DataError("--labeled names rows by id, but DATA has no ids: give --id-column (or an 'id' column).")
        found = _labeled_rows(labeled, ids, L.row_ids)
        if texts:
            _same_texts(labeled, texts, data, np.flatnonzero(found), L.row_ids, text_column)
        mask |= found
    return mask


def _no_ids(labeled: str, columns: Any) -> DataError:
    return DataError(f"--labeled {labeled!r} has no 'id' column (columns: {', '.join(map(str, columns))}).")


def _check_labeled(labeled: str) -> None:
    """--labeled before any LF runs: a data file lf reads, with an 'id' column (a missing
    file was named only after every LF had run and the model was fitted)."""
    from lf.io import read_columns

    columns = read_columns(labeled)
    if "id" not in columns:
        raise _no_ids(labeled, columns)


def _same_texts(labeled: str, texts: dict[str, Any], data: tuple[str, ...], at: Any, row_ids: Any, text_column: str) -> None:
    """The rows --labeled names by id hold its texts in DATA: else its ids number other rows
    (another data set's gold file) and the rows skipped would be the wrong ones."""
    from lf._matrix_io import is_missing
    from lf.cli._shared import _source
    from lf.labelstudio import id_text
    from lf.rows import read_rows

    if not len(at):
        return
    ours = read_rows(_source(data), at, text_column)[text_column].tolist()

    def norm(v: Any) -> str:
        return "" if is_missing(v) else " ".join(str(v).split())

    bad = [(rid, t) for rid, t in zip((id_text(row_ids[i]) for i in at), ours, strict=True) if norm(texts[str(rid)]) != norm(t)]
    if bad:
        rid, t = bad[0]
        raise DataError(
            f"--labeled {labeled!r} has the id {rid!r} with the text {norm(texts[str(rid)])[:40]!r}, but DATA's row "
            f"{rid!r} holds {norm(t)[:40]!r} ({len(bad):,} of {len(at):,} such rows differ): its ids name other rows. "
            "Give the gold file of DATA's rows."
        )


def _labeled_rows(labeled: str, ids: list[str], row_ids: Any) -> Any:
    """Rows of DATA whose id (as text) is in ``ids``: refused when such an id names several
    rows of DATA; a warning when ids of --labeled are not DATA's (those rows would be picked again)."""
    import numpy as np
    import pandas as pd

    from lf.labelstudio import id_text

    ours = pd.Series([id_text(v) for v in row_ids], dtype=object)
    found = ours.isin(set(ids)).to_numpy()
    repeated = ours[found & ours.duplicated(keep=False).to_numpy()]
    if len(repeated):
        first = repeated.iloc[0]
        raise DataError(
            f"--labeled {labeled!r} names the id {first!r}, which {int((ours == first).sum())} rows of DATA have: "
            "the rows with gold cannot be told apart. Give DATA unique ids (or an --id-column that has them)."
        )
    unknown = sorted(set(ids) - set(ours[found]))
    if unknown:
        _labeled_ids_not_in_data(labeled, unknown, len(set(ids)), ours.iloc[0] if len(ours) else None)
    return np.asarray(found, dtype=bool)


def _labeled_ids_not_in_data(labeled: str, unknown: list[str], total: int, ours: Any) -> None:
    """A warning: ids of --labeled are not DATA's (another file, or ids written otherwise:
    a spreadsheet drops leading zeros, ``7`` became ``7.0``): their rows are not skipped."""
    some = (f"none of the ids in --labeled {labeled!r} is an id of DATA" if len(unknown) == total
            else f"{len(unknown):,} of the {total:,} ids in --labeled {labeled!r} are not ids of DATA")
    say(_console(stderr=True), (
        f"warning: {some} (e.g. {unknown[0]!r}; "
        f"DATA has {str(ours)!r}; ids compare as the text the files hold): no row is skipped for them."
    ), keep=[repr(labeled)])


@click.command("sample")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="to_label.csv", help="Where to write the rows (.csv or .jsonl).")
@click.option("-n", "count", default=200, show_default=True, type=click.IntRange(min=1), help="Rows to pick.")
@click.option(
    "--strategy", type=click.Choice(["uncertain", "conflict", "uncovered", "mixed"]), default="mixed", show_default=True,
    help="uncertain: highest model entropy where some LF votes; conflict: LFs disagree most; uncovered: no LF votes; mixed: a third each.",
)
@click.option("--model", "model_spec", default="LabelModel", show_default=True, metavar="NAME|model.json", help="Label model for the labels, confidences and entropy.")
@click.option("--seed", default=0, show_default=True, help="Random seed: the same seed picks the same rows.")
@click.option("--gold", metavar="COLUMN", help="Data column of gold labels: rows that have one are never picked (an empty value: no gold yet; any other must be a label name or class id).")
@click.option("--labeled", metavar="gold.csv", help="A gold file with an 'id' column (e.g. from `lf labelstudio import`): those rows are never picked.")
@_apply_options
def sample_cmd(
    data: tuple[str, ...], output: str, count: int, strategy: str, model_spec: str, seed: int,
    gold: str | None, labeled: str | None, lfs_target: str | None, **opts: Any,
) -> None:
    """Pick N rows of DATA to hand-label, spread over the corpus (TF-IDF clusters).

    The output has `id`, `text`, the model's `label` and `confidence` (empty where no
    LF votes), the `strategy` that picked the row, and an empty `gold` column to fill in.
    """
    import lf
    from lf._label_checks import check_to_fit
    from lf.models import model_from_spec
    from lf.sample import sample

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    _check_output(output, (".csv", ".jsonl"), "rows to label")
    inputs = _inputs(("DATA", data_files(data)), ("--model", model_files(model_spec)), ("--labeled", [labeled] if labeled else []), lfs_target=lfs_target)
    check_outputs([("-o", output)], inputs, folders=_folders(opts))
    check_unmatched([("-o", output)], [("DATA", d) for d in data if is_pattern(d)])  # its rows have id and text
    text_column = opts["text_column"]
    check_columns(data, "DATA", [("--id-column", opts["id_column"]), ("--gold", gold)], text_column=text_column)
    if labeled:
        _check_labeled(labeled)
    model = model_from_spec(model_spec)
    if not hasattr(model, "cardinality_"):  # to fit: a bad parameter is refused now, not once every LF has run
        lfs = lf.load_lfs(lfs_target)
        check_to_fit(model, [x.name for x in lfs], len(lfs.labels) if lfs.labels else None)
    start = time.perf_counter()
    # with the LFs' definitions when the model has its own: predicting warns of a changed LF
    with engine_from(opts):  # --engine dask: lf's own local cluster, or --scheduler's
        L = _apply(data, lfs_target, opts, definitions=getattr(model, "lf_fingerprints_", None) is not None, outputs=[("-o", output)])
    if hasattr(model, "cardinality_"):
        check_model_lfs(model, model_spec, list(L.names), L.labels)
    else:
        model.fit(L)
    exclude = _exclude(data, gold, labeled, L, text_column or "text")
    frame = sample(L, _source(data), n=count, strategy=strategy, model=model, exclude=exclude, seed=seed, text_column=text_column or "text",
                   id_column=opts["id_column"])
    from lf.io import write_frame
    from lf.output import warn_missing_looking_labels

    warn_missing_looking_labels(L.labels, output)  # its `label` column: the model's label names
    write_frame(frame, output)
    why = frame["strategy"].value_counts()
    parts = ", ".join(f"{k} {int(v)}" for k, v in why.items()) or "no rows left without gold"
    say(
        _console(stderr=True),
        f"wrote {output}: {len(frame):,} rows ({parts}); {int(exclude.sum()):,} with gold skipped; "
        f"{time.perf_counter() - start:.1f} s",
        keep=[output],
    )
