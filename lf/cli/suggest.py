"""``lf suggest``: keyword / regex LFs mined from a few hand-labeled rows, written as a module."""

from __future__ import annotations

import time
from pathlib import Path

import click

from lf.cli._shared import _check_output, _console, _source, say
from lf.errors import DataError

__all__ = ["suggest_cmd"]


@click.command("suggest")
@click.argument("data", nargs=-1, required=True)
@click.option("--gold-data", required=True, multiple=True, metavar="LABELED", help="The hand-labeled rows (CSV / Parquet / JSON Lines).")
@click.option("--gold", required=True, metavar="COLUMN", help="Column of --gold-data with the labels (names or class ids).")
@click.option("--lfs", "lfs_target", metavar="MODULE", help="Existing LFs: suggestions then favour rows they miss or disagree on.")
@click.option("-n", "n", default=20, show_default=True, type=click.IntRange(min=1), help="At most this many LFs.")
@click.option("-o", "--output", required=True, metavar="suggested_lfs.py", help="Where to write the LF module.")
@click.option("--text-column", default="text", show_default=True, metavar="COLUMN", help="The text column of DATA and --gold-data.")
@click.option("--labels", "labels_spec", metavar="A,B,...", help="Label names in class-id order (default: LABELS of --lfs, else the sorted gold values).")
@click.option("--min-support", default=3, show_default=True, type=click.IntRange(min=1), help="A candidate must fire on at least this many labeled rows.")
@click.option("--progress/--no-progress", default=None, help="Progress bar counting the candidates screened (default: when stderr is a terminal).")
def suggest_cmd(
    data: tuple[str, ...], gold_data: tuple[str, ...], gold: str, lfs_target: str | None, n: int, output: str,
    text_column: str, labels_spec: str | None, min_support: int, progress: bool | None,
) -> None:
    """Suggest keyword and regex LFs for DATA from hand-labeled rows, as an editable module.

    Each suggestion's comment gives its precision on the labeled rows (k/n with a 95%
    Wilson interval; the interval's lower end is always above the label's share) and its
    coverage of DATA. The LFs are chosen on those same rows, so the precisions are
    optimistic: check them on other labeled rows with `lf report`. The module loads with
    `lf label DATA --lfs OUTPUT` as it is.
    """
    from lf.suggest import suggest

    _check_output(output, (".py",), "LF module")
    from lf.cli._checks import data_files
    from lf.paths import check_outputs

    inputs = [("DATA", p) for p in data_files(data)] + [("--gold-data", p) for p in data_files(gold_data)]
    check_outputs([("-o", output)], inputs + ([("--lfs", lfs_target)] if lfs_target and Path(lfs_target).is_file() else []))
    labels = [x.strip() for x in labels_spec.split(",")] if labels_spec else None
    start = time.perf_counter()
    found = suggest(
        _source(data), _source(gold_data), gold, lfs=lfs_target, n=n, labels=labels,
        text_column=text_column, min_support=min_support, progress=progress,
    )
    if not len(found):
        raise DataError(f"No suggestion: {found.none_found()}")
    found.write(output, source=", ".join(gold_data))
    per_label = ", ".join(f"{name} {sum(s.label == i for s in found.items)}" for i, name in enumerate(found.labels))
    say(
        _console(stderr=True),
        f"wrote {output}: {len(found)} LFs ({per_label}) from {found.n_labeled:,} labeled rows"
        + (f" ({found.n_unlabeled:,} rows of --gold-data without a gold label left out)" if found.n_unlabeled else "")
        + f", {found.n_corpus:,} data rows, in {time.perf_counter() - start:.2f} s",
        keep=[output],
    )
