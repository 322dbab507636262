"""The ``lf`` command line: thin over the library.

Exit codes: 0 success; 1 a quality gate failed (``lf report`` gates); 2 bad input or usage
(missing file, unknown format, missing column, bad option value, failing LF).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from lf.errors import DataError, LFError

__all__ = ["cli", "main"]

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:  # piped or captured: do not squeeze the table into 80 columns
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


def _apply_options(f: Any) -> Any:
    f = click.option("--lfs", "lfs_target", metavar="MODULE", help="LF module: a dotted module name, a .py file or a package folder.")(f)
    f = click.option("--text-column", metavar="COLUMN", help="Expose this data column to the LFs as `text`.")(f)
    f = click.option("--id-column", metavar="COLUMN", help="Keep this column as row ids (and name ids in errors).")(f)
    f = click.option("--n-jobs", default=1, show_default=True, help="Worker processes (-1: one per CPU).")(f)
    f = click.option("--chunk-size", default=20_000, show_default=True, help="Rows per chunk.")(f)
    f = click.option(
        "--on-error",
        type=click.Choice(["raise", "abstain"]),
        default="raise",
        show_default=True,
        help="On an LF exception: stop with the LF and row named, or count it as an abstain.",
    )(f)
    f = click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")(f)
    return f


def _apply(data: tuple[str, ...], lfs_target: str, opts: dict[str, Any]) -> Any:
    import lf

    lfs = lf.load_lfs(lfs_target)
    return lf.apply(
        lfs,
        list(data),
        n_jobs=opts["n_jobs"],
        chunk_size=opts["chunk_size"],
        on_error=opts["on_error"],
        progress=opts["progress"],
        text_column=opts["text_column"],
        id_column=opts["id_column"],
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lf", prog_name="lf")
def cli() -> None:
    """lf: write labeling functions, apply them fast, see which one to fix next."""


@cli.command("apply")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="L.parquet", help="Where to write the label matrix (.parquet or .npz).")
@_apply_options
def apply_cmd(data: tuple[str, ...], output: str, lfs_target: str | None, **opts: Any) -> None:
    """Apply the LFs of MODULE to DATA (CSV / TSV / Parquet / JSON Lines files) and save the label matrix."""
    from lf.summary import totals

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    start = time.perf_counter()
    L = _apply(data, lfs_target, opts)
    L.save(output)
    t = totals(L)
    _console(stderr=True).print(
        f"wrote {output}: {t['rows']:,} rows x {t['lfs']} LFs, coverage {t['coverage']:.3f}, "
        f"errors {int(L.errors.sum())}, in {time.perf_counter() - start:.2f} s"
    )


def _gold(data: tuple[str, ...], column: str, labels: Any, n: int, text_column: str | None) -> Any:
    """Gold labels from a data column: ints, or label names when the module declares LABELS."""
    import numpy as np
    import pandas as pd

    from lf.io import iter_chunks

    if text_column is not None and column == "text":
        column = text_column
    parts = []
    for chunk in iter_chunks(list(data), 200_000):
        if column not in chunk.columns:
            cols = ", ".join(str(c) for c in chunk.columns)
            raise DataError(f"--gold column {column!r} is not in the data. Available columns: {cols}.")
        parts.append(chunk[column])
    values = pd.concat(parts, ignore_index=True)
    if len(values) != n:
        raise DataError(f"--gold has {len(values)} rows but the label matrix has {n}; give the data the matrix was made from.")
    if values.isna().any():
        raise DataError(f"--gold column {column!r} has {int(values.isna().sum())} missing values.")
    if pd.api.types.is_integer_dtype(values):
        return values.to_numpy(np.int64)
    names = {str(name).lower(): i for i, name in enumerate(labels or [])}
    unknown = sorted({str(v) for v in values if str(v).lower() not in names})
    if unknown:
        allowed = ", ".join(labels) if labels else "integers (the module declares no LABELS)"
        raise DataError(f"--gold column {column!r} has values {unknown[:5]} that are not labels. Allowed: {allowed}.")
    return np.array([names[str(v).lower()] for v in values], np.int64)


@cli.command("report")
@click.argument("source", nargs=-1, required=True)
@click.option("--data", "gold_data", multiple=True, metavar="DATA", help="With a saved matrix: the data it was made from (for --gold).")
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels: adds correct / incorrect / emp_acc.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (schema lf.report/1) instead of a table.")
@_apply_options
def report_cmd(
    source: tuple[str, ...],
    gold_data: tuple[str, ...],
    gold: str | None,
    as_json: bool,
    lfs_target: str | None,
    **opts: Any,
) -> None:
    """Print the per-LF report for DATA --lfs MODULE, or for a saved label matrix (L.parquet / L.npz)."""
    import json

    from lf.matrix import LabelMatrix
    from lf.report import print_report, report_dict
    from lf.summary import summarize, totals

    if lfs_target:
        L = _apply(source, lfs_target, opts)
        data = source
    else:
        if len(source) != 1:
            raise click.UsageError("Give one saved label matrix, or DATA files together with --lfs MODULE.")
        if Path(source[0]).suffix.lower() not in (".parquet", ".npz"):
            raise click.UsageError(f"{source[0]!r} is not a saved label matrix (.parquet / .npz); to report on data, add --lfs MODULE.")
        L = LabelMatrix.load(source[0])
        data = gold_data
        if gold and not data:
            raise click.UsageError("--gold with a saved label matrix needs --data: the data the matrix was made from.")
    y = _gold(data, gold, L.labels, L.n, opts["text_column"]) if gold else None
    summary = summarize(L, y=y)
    t = totals(L)
    if as_json:
        click.echo(json.dumps(report_dict(summary, t, L.labels), indent=2))
    else:
        print_report(summary, t, labels=L.labels, console=_console())


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning lf's errors into one-line messages and exit code 2."""
    try:
        cli.main(args=argv, prog_name="lf", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        _console(stderr=True).print("aborted")
        return 130
    except (LFError, ValueError, OSError) as exc:
        if os.environ.get("LF_TRACEBACK"):
            raise
        from rich.markup import escape

        _console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_USAGE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
