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
    say,
)
from lf.paths import check_outputs

__all__ = ["sample_cmd"]


def _exclude(data: tuple[str, ...], gold: str | None, labeled: str | None, L: Any) -> Any:
    """Rows that already have gold: a value in DATA's --gold column, or an id in --labeled."""
    import numpy as np

    from lf.errors import DataError
    from lf.io import iter_chunks

    mask = np.zeros(L.n, dtype=bool)
    if gold:
        values = read_gold(data, gold)
        mask |= ~(values.isna() | (values.astype(str).str.strip() == "")).to_numpy()
    if labeled:
        ids = []
        for chunk in iter_chunks([labeled], 200_000):
            if "id" not in chunk.columns:
                raise DataError(f"--labeled {labeled!r} has no 'id' column (columns: {', '.join(map(str, chunk.columns))}).")
            ids.extend(chunk["id"].astype(str).tolist())
        if L.row_ids is None:
            raise DataError("--labeled names rows by id, but DATA has no ids: give --id-column (or an 'id' column).")
        found = np.isin(np.asarray(L.row_ids).astype(str), np.asarray(ids, dtype=str))
        if ids and not found.any():
            _no_labeled_id_matches(labeled, ids[0], L.row_ids[0] if L.n else None)
        mask |= found
    return mask


def _no_labeled_id_matches(labeled: str, theirs: str, ours: Any) -> None:
    """A warning: --labeled skips nothing (its ids are not DATA's: another file, or other ids)."""
    from rich.text import Text

    from lf.cli._shared import _console
    from lf.display import one_line

    _console(stderr=True).print(Text(one_line(
        f"warning: none of the ids in --labeled {labeled!r} is an id of DATA (e.g. {theirs!r}; "
        f"DATA has {str(ours)!r}): no row is skipped for it."
    )), soft_wrap=True)


@click.command("sample")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="to_label.csv", help="Where to write the rows (.csv or .jsonl).")
@click.option("-n", "count", default=200, show_default=True, type=click.IntRange(min=1), help="Rows to pick.")
@click.option(
    "--strategy", type=click.Choice(["uncertain", "conflict", "uncovered", "mixed"]), default="mixed", show_default=True,
    help="uncertain: highest model entropy; conflict: LFs disagree most; uncovered: no LF votes; mixed: a third each.",
)
@click.option("--model", "model_spec", default="LabelModel", show_default=True, metavar="NAME|model.json", help="Label model for the labels, confidences and entropy.")
@click.option("--seed", default=0, show_default=True, help="Random seed: the same seed picks the same rows.")
@click.option("--gold", metavar="COLUMN", help="Data column of gold labels: rows that have one are never picked.")
@click.option("--labeled", metavar="gold.csv", help="A gold file with an 'id' column (e.g. from `lf labelstudio import`): those rows are never picked.")
@_apply_options
def sample_cmd(
    data: tuple[str, ...], output: str, count: int, strategy: str, model_spec: str, seed: int,
    gold: str | None, labeled: str | None, lfs_target: str | None, **opts: Any,
) -> None:
    """Pick N rows of DATA to hand-label, spread over the corpus (TF-IDF clusters).

    The output has `id`, `text`, the model's `label` and `confidence`, the `strategy`
    that picked the row, and an empty `gold` column to fill in.
    """
    from lf.models import model_from_spec
    from lf.sample import sample

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    _check_output(output, (".csv", ".jsonl"), "rows to label")
    inputs = _inputs(("DATA", data_files(data)), ("--model", model_files(model_spec)), ("--labeled", [labeled] if labeled else []), lfs_target=lfs_target)
    check_outputs([("-o", output)], inputs, folders=_folders(opts))
    text_column = opts["text_column"]
    check_columns(data, "DATA", [("--id-column", opts["id_column"]), ("--gold", gold)], text_column=text_column)
    model = model_from_spec(model_spec)
    start = time.perf_counter()
    # with the LFs' definitions when the model has its own: predicting warns of a changed LF
    L = _apply(data, lfs_target, opts, definitions=getattr(model, "lf_fingerprints_", None) is not None)
    if hasattr(model, "cardinality_"):
        check_model_lfs(model, model_spec, list(L.names), L.labels)
    else:
        model.fit(L)
    exclude = _exclude(data, gold, labeled, L)
    frame = sample(L, _source(data), n=count, strategy=strategy, model=model, exclude=exclude, seed=seed, text_column=text_column or "text")
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
