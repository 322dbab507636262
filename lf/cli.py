"""The ``lf`` command line: thin over the library.

Exit codes: 0 success; 1 a quality gate failed (``lf report`` gates); 2 bad input or usage
(missing file, unknown format, missing column, bad option value, failing LF).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
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
    f = click.option("--id-column", metavar="COLUMN", help="Keep this column as row ids (and name ids in errors). Default: the data's `id` column, if any.")(f)
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


def _source(data: tuple[str, ...]) -> Any:
    """DATA as lf.apply takes it: file paths, or the name of a fetched dataset (`lf datasets list`)."""
    if len(data) == 1 and not Path(data[0]).exists():
        from lf.manifest import list_datasets

        if data[0] in list_datasets():
            from lf.datasets import load

            return load(data[0])
    return list(data)


def _apply(data: tuple[str, ...], lfs_target: str, opts: dict[str, Any]) -> Any:
    import lf

    lfs = lf.load_lfs(lfs_target)
    id_column = opts["id_column"]
    if id_column is None and "id" in _data_columns(data):
        id_column = "id"  # the data's own ids name rows in errors and in outputs
    return lf.apply(
        lfs,
        _source(data),
        n_jobs=opts["n_jobs"],
        chunk_size=opts["chunk_size"],
        on_error=opts["on_error"],
        progress=opts["progress"],
        text_column=opts["text_column"],
        id_column=id_column,
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
    _check_output(output, (".parquet", ".npz"), "label matrix")
    start = time.perf_counter()
    L = _apply(data, lfs_target, opts)
    L.save(output)
    t = totals(L)
    _console(stderr=True).print(
        f"wrote {output}: {t['rows']:,} rows x {t['lfs']} LFs, coverage {t['coverage']:.3f}, "
        f"errors {int(L.errors.sum())}, in {time.perf_counter() - start:.2f} s"
    )


def _check_output(path: str, allowed: tuple[str, ...], what: str) -> None:
    """Fail before any work when the output cannot be written (not after a long run)."""
    p = Path(path)
    if p.suffix.lower() not in allowed:
        raise click.BadParameter(f"{path!r}: use a {' or '.join(allowed)} file name for the {what}.", param_hint="'-o'")
    if not p.parent.exists():
        raise click.BadParameter(f"{path!r}: the folder {str(p.parent)!r} does not exist.", param_hint="'-o'")


def _data_columns(data: tuple[str, ...]) -> list[str]:
    from lf.io import iter_chunks

    for chunk in iter_chunks(_source(data), 1):
        return [str(c) for c in chunk.columns]
    raise DataError(f"{', '.join(data)}: the data has no rows.")


def _check_column(data: tuple[str, ...], column: str, option: str) -> None:
    cols = _data_columns(data)
    if column not in cols:
        raise DataError(f"{option} column {column!r} is not in the data. Available columns: {', '.join(cols)}.")


def _class_balance(spec: str | None, names: tuple[str, ...], y_dev: Any) -> Any:
    """``--class-balance``: ``dev`` (from dev gold), ``0.8,0.2`` or ``HAM=0.8,SPAM=0.2``."""
    import numpy as np

    if spec is None:
        return None
    if spec == "dev":
        if y_dev is None:
            raise click.BadParameter("'dev' needs gold-labeled dev rows (--dev-gold and --dev-data).", param_hint="'--class-balance'")
        counts = np.bincount(y_dev, minlength=len(names)) + 1.0
        return counts / counts.sum()
    parts = [p.strip() for p in spec.split(",")]
    try:
        if all("=" in p for p in parts):
            given = {k.strip().lower(): float(v) for k, v in (p.split("=", 1) for p in parts)}
            unknown = sorted(set(given) - {n.lower() for n in names})
            if unknown or len(given) != len(names):
                raise click.BadParameter(
                    f"{spec!r} must give one value for each label: {', '.join(names)}.", param_hint="'--class-balance'"
                )
            return np.array([given[n.lower()] for n in names])
        values = np.array([float(p) for p in parts])
    except ValueError:
        raise click.BadParameter(
            f"{spec!r} is not 'dev', a list of numbers (0.8,0.2) or label=number pairs (HAM=0.8,SPAM=0.2).",
            param_hint="'--class-balance'",
        ) from None
    if len(values) != len(names) or (values < 0).any() or not np.isclose(values.sum(), 1.0):
        raise click.BadParameter(
            f"{spec!r} must be {len(names)} non-negative numbers summing to 1 (one per label: {', '.join(names)}).",
            param_hint="'--class-balance'",
        )
    return values


def _model_options(f: Any) -> Any:
    f = click.option(
        "--class-balance", metavar="SPEC",
        help="Class priors: 'dev' (from the dev rows' gold labels), '0.8,0.2' or 'HAM=0.8,SPAM=0.2'. Default: the model estimates them.",
    )(f)
    f = click.option(
        "--model", "model_spec", default="LabelModel", show_default=True, metavar="NAME|model.json",
        help="Label model: LabelModel, MajorityVoter, DawidSkene, TripletModel (or an alias), 'auto' (the best on "
        "gold-labeled dev rows), or a model file saved by `lf fit`.",
    )(f)
    return f


def _fit(L: Any, model_spec: str, class_balance: str | None, dev: tuple[Any, Any] | None) -> tuple[Any, str]:
    """Fit (or load) the model a command asked for; returns it with a one-line description."""
    from lf.models import model_from_spec, select
    from lf.output import label_names

    names = label_names(L)
    y_dev = dev[1] if dev is not None else None
    balance = _class_balance(class_balance, names, y_dev)
    if model_spec == "auto":
        if dev is None or y_dev is None:
            raise click.BadParameter("'auto' picks the best model on labeled dev rows: add --dev-data and --dev-gold.", param_hint="'--model'")
        chosen = select(None, L, dev[0], y_dev, class_balance="dev" if balance is None else balance)
        scores = ", ".join(f"{k} {v:.3f}" for k, v in chosen.scores.items())
        return chosen.model, f"{chosen.name} (best dev accuracy of: {scores})"
    model = model_from_spec(model_spec)
    if hasattr(model, "cardinality_"):
        if dev is not None or class_balance is not None:
            raise click.UsageError("A saved model is already fitted: drop --dev / --class-balance, or give a model name.")
        return model, f"{type(model).__name__} loaded from {model_spec}"
    model.fit(L, class_balance=balance)  # type: ignore[attr-defined]
    return model, type(model).__name__


def _dev(dev: str | None, dev_gold: str | None, dev_data: tuple[str, ...], L: Any) -> tuple[Any, Any] | None:
    from lf.matrix import LabelMatrix

    if dev is None:
        if dev_gold or dev_data:
            raise click.UsageError("--dev-gold / --dev-data go with --dev L_dev.parquet.")
        return None
    if not dev_gold or not dev_data:
        raise click.UsageError("--dev needs --dev-gold COLUMN and --dev-data DATA (the data the dev matrix was made from).")
    L_dev = LabelMatrix.load(dev)
    if L_dev.names != L.names:
        raise DataError(f"{dev!r} was made with other LFs than the training matrix; apply the same LF module to both.")
    return L_dev, _gold(dev_data, dev_gold, L.labels, L_dev.n, None)


@cli.command("fit")
@click.argument("matrix", metavar="L.parquet")
@click.option("-o", "--output", required=True, metavar="model.json", help="Where to save the fitted model (JSON, + .npz for large arrays).")
@_model_options
@click.option("--dev", metavar="L_dev.parquet", help="Label matrix of a few gold-labeled rows (same LFs), for --model auto / --class-balance dev.")
@click.option("--dev-gold", metavar="COLUMN", help="Column of --dev-data holding the dev rows' gold labels.")
@click.option("--dev-data", multiple=True, metavar="DATA", help="The data the --dev matrix was made from.")
def fit_cmd(
    matrix: str, output: str, model_spec: str, class_balance: str | None,
    dev: str | None, dev_gold: str | None, dev_data: tuple[str, ...],
) -> None:
    """Fit a label model on a saved label matrix (from `lf apply`) and save it."""
    from lf.matrix import LabelMatrix

    _check_output(output, (".json",), "model")
    start = time.perf_counter()
    L = LabelMatrix.load(matrix)
    model, desc = _fit(L, model_spec, class_balance, _dev(dev, dev_gold, dev_data, L))
    model.save(output)
    _console(stderr=True).print(f"wrote {output}: {desc}, fitted on {L.n:,} rows x {L.m} LFs in {time.perf_counter() - start:.2f} s")


@cli.command("label")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="labels.parquet", help="Where to write the labels (.parquet, .csv or .jsonl).")
@_model_options
@click.option("--filter-abstain", is_flag=True, help="Leave out rows that no LF labeled.")
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels: the report adds empirical accuracies and the model's accuracy.")
@click.option("--matrix", "matrix_out", metavar="L.parquet", help="Also save the label matrix.")
@click.option("--dev-data", multiple=True, metavar="DEV_DATA", help="A few gold-labeled rows (same columns as DATA), for --model auto / --class-balance dev.")
@click.option("--dev-gold", metavar="COLUMN", help="Column of --dev-data holding the gold labels.")
@_apply_options
def label_cmd(
    data: tuple[str, ...], output: str, model_spec: str, class_balance: str | None, filter_abstain: bool,
    gold: str | None, matrix_out: str | None, dev_data: tuple[str, ...], dev_gold: str | None,
    lfs_target: str | None, **opts: Any,
) -> None:
    """Apply the LFs of MODULE to DATA, fit a label model and write probabilistic labels.

    DATA is CSV / TSV / Parquet / JSON Lines file(s), or the name of a dataset fetched with
    `lf datasets fetch`. The output holds one row per data row: `id` (the --id-column, else
    the data's `id` column, else the row position), one probability column per label,
    `label` (the most probable one), `confidence` (its probability) and `covered` (whether
    any LF voted). The model is fitted on DATA's label matrix only; --dev-data rows (LFs
    applied to them too) only choose the model or the class balance.
    """
    from lf.io import write_frame
    from lf.output import labels_frame

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    _check_output(output, (".parquet", ".csv", ".jsonl"), "labels")
    if matrix_out:
        _check_output(matrix_out, (".parquet", ".npz"), "label matrix")
    if gold:
        _check_column(data, opts["text_column"] if gold == "text" and opts["text_column"] else gold, "--gold")
    if bool(dev_data) != bool(dev_gold):
        raise click.UsageError("--dev-data and --dev-gold go together: the dev rows and their gold column.")
    if dev_gold:
        _check_column(dev_data, dev_gold, "--dev-gold")
    start = time.perf_counter()
    L = _apply(data, lfs_target, opts)
    if matrix_out:
        L.save(matrix_out)
    dev = None
    if dev_data:
        L_dev = _apply(dev_data, lfs_target, {**opts, "progress": False})
        dev = (L_dev, _gold(dev_data, dev_gold or "", L.labels, L_dev.n, None))
    model, desc = _fit(L, model_spec, class_balance, dev)
    frame = labels_frame(L, model.predict_proba(L), filter_abstain=filter_abstain)
    write_frame(frame, output)
    y = _gold(data, gold, L.labels, L.n, opts["text_column"]) if gold else None
    console = _console()
    _print_report(L, y, model, console)
    if y is not None:
        acc = float((model.predict(L) == y).mean())
        console.print(f"{desc} accuracy against --gold {gold!r}: {acc:.3f} over all {L.n:,} rows")
    counts = frame["label"].value_counts().reindex(frame["label"].cat.categories, fill_value=0)
    dist = ", ".join(f"{name} {int(c):,}" for name, c in counts.items())
    dropped = f" ({L.n - len(frame):,} uncovered rows left out)" if filter_abstain else ""
    _console(stderr=True).print(
        f"wrote {output}: {len(frame):,} rows{dropped}; labels {dist}; model {desc}; "
        f"{time.perf_counter() - start:.2f} s"
    )


def _print_report(L: Any, y: Any, model: Any, console: Any) -> None:
    from lf.report import print_report
    from lf.summary import summarize, totals

    print_report(summarize(L, y=y, model=model), totals(L), labels=L.labels, console=console)


def _gold(data: tuple[str, ...], column: str, labels: Any, n: int, text_column: str | None) -> Any:
    """Gold labels from a data column: ints, or label names when the module declares LABELS."""
    import numpy as np
    import pandas as pd

    from lf.io import iter_chunks

    if text_column is not None and column == "text":
        column = text_column
    parts = []
    for chunk in iter_chunks(_source(data), 200_000):
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
    if not labels or not set(names) & {str(v).lower() for v in values.unique()}:
        names.update({str(i): i for i in range(len(labels) if labels else 127)})  # "0", "1" from CSV text
    unknown = sorted({str(v) for v in values if str(v).lower() not in names})
    if unknown:
        allowed = ", ".join(labels) if labels else "integers (the module declares no LABELS)"
        raise DataError(f"--gold column {column!r} has values {unknown[:5]} that are not labels. Allowed: {allowed}.")
    return np.array([names[str(v).lower()] for v in values], np.int64)


def _check_html_path(path: str | None) -> None:
    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{path!r}: use a .html file name for the HTML report.", param_hint="'--html'")
    if not p.parent.exists():
        raise click.BadParameter(f"{path!r}: the folder {str(p.parent)!r} does not exist.", param_hint="'--html'")


def _texts(data: tuple[str, ...], text_column: str | None, n: int) -> Any:
    """The text column of DATA for the HTML examples, or None (with a note) when it has none."""
    import pandas as pd

    from lf.io import iter_chunks

    column = text_column or "text"
    parts = []
    for chunk in iter_chunks(_source(data), 200_000):
        if column not in chunk.columns:
            _console(stderr=True).print(
                f"note: the data has no {column!r} column, so the HTML examples show row positions only "
                "(name the text column with --text-column)."
            )
            return None
        parts.append(chunk[column])
    texts = pd.concat(parts, ignore_index=True) if parts else pd.Series([], dtype=object)
    if len(texts) != n:
        raise DataError(f"--data has {len(texts)} rows but the label matrix has {n}; give the data the matrix was made from.")
    return texts


def _gate_option(name: str, help_text: str) -> Callable[[Any], Any]:
    return click.option(name, type=click.FloatRange(0.0, 1.0), metavar="FRACTION", help=help_text)


@cli.command("report")
@click.argument("source", nargs=-1, required=True)
@click.option("--data", "gold_data", multiple=True, metavar="DATA", help="With a saved matrix: the data it was made from (for --gold and the HTML examples).")
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels: adds correct / incorrect / emp_acc.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (schema lf.report/2, see docs/report.md) instead of a table.")
@click.option("--html", "html_path", metavar="report.html", help="Also write a self-contained HTML report (tables, charts, examples).")
@click.option(
    "--model", "model_spec", metavar="NAME|model.json",
    help="Label model to fit on the matrix (LabelModel, MajorityVoter, DawidSkene, TripletModel or an alias) "
    "or a fitted model saved by `lf fit`: adds learned_acc, its label distribution and disagreement examples.",
)
@_gate_option("--min-coverage", "Gate: fail (exit 1) when the fraction of rows some LF labels is below this.")
@_gate_option("--max-conflict", "Gate: fail (exit 1) when the fraction of rows with disagreeing LFs is above this.")
@_gate_option("--min-lf-coverage", "Gate: fail (exit 1) when any LF labels a smaller fraction of rows than this.")
@_gate_option("--max-lf-conflict", "Gate: fail (exit 1) when any LF is in conflict on a larger fraction of rows than this.")
@_apply_options
def report_cmd(
    source: tuple[str, ...],
    gold_data: tuple[str, ...],
    gold: str | None,
    as_json: bool,
    html_path: str | None,
    model_spec: str | None,
    min_coverage: float | None,
    max_conflict: float | None,
    min_lf_coverage: float | None,
    max_lf_conflict: float | None,
    lfs_target: str | None,
    **opts: Any,
) -> None:
    """Print the per-LF report for DATA --lfs MODULE, or for a saved label matrix (L.parquet / L.npz).

    \b
    Exit codes:
      0  the report was printed (and every quality gate passed)
      1  a quality gate failed: the report is still printed / written, then
         one line per failed gate names the gate, threshold and actual value
      2  bad input or usage (missing file or column, bad option, failing LF)
    """
    import json

    from lf.matrix import LabelMatrix
    from lf.report import build_report, check_gates, print_report, report_document, write_html
    from lf.report.gates import format_failure

    _check_html_path(html_path)
    if lfs_target:
        if gold:
            _check_column(source, opts["text_column"] if gold == "text" and opts["text_column"] else gold, "--gold")
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
    model = None
    if model_spec:
        from lf.models import model_from_spec

        model = model_from_spec(model_spec)
        if not hasattr(model, "cardinality_"):  # a name: fit it here; a saved model is fitted
            model.fit(L)  # type: ignore[attr-defined]
    report = build_report(L, y=y, model=model, conflicts=as_json or html_path is not None)
    summary = report.summary
    gates = check_gates(
        {"min_coverage": min_coverage, "max_conflict": max_conflict, "min_lf_coverage": min_lf_coverage, "max_lf_conflict": max_lf_conflict},
        report.totals,
        report.names,
        summary["coverage"].tolist(),
        summary["conflicts"].tolist(),
    )
    if as_json:
        click.echo(json.dumps(report_document(report, gates, L.labels), indent=2))
    else:
        print_report(summary, report.totals, labels=L.labels, console=_console())
    if html_path:
        texts = _texts(data, opts["text_column"], L.n) if data else None
        write_html(html_path, L, texts=texts, gates=gates, data=report)
        _console(stderr=True).print(f"wrote {html_path}", markup=False)
    failed = [g for g in gates if not g.passed]
    for g in failed:
        click.echo(format_failure(g), err=True)
    if failed:
        raise click.exceptions.Exit(EXIT_GATE)


@cli.group("datasets")
def datasets_group() -> None:
    """List the datasets lf knows and fetch them into the local data cache."""


@datasets_group.command("list")
@click.option("--data-home", metavar="DIR", help="Data cache folder (default: $LF_DATA_HOME, else the user cache dir).")
def datasets_list_cmd(data_home: str | None) -> None:
    """Show each dataset: rows, files, whether it is fetched, and what it is."""
    from rich.table import Table

    from lf.manifest import data_home as resolve_home
    from lf.manifest import get_manifest, is_fetched, list_datasets

    table = Table(title=f"datasets (data home: {resolve_home(data_home)})", title_justify="left")
    for column in ("name", "rows", "files", "status", "description"):
        table.add_column(column, justify="right" if column in ("rows", "files") else "left", overflow="fold")
    for name in list_datasets():
        m = get_manifest(name)
        status = "ships with lf" if m.local else ("fetched" if is_fetched(m, data_home) else "not fetched")
        files = f"{len(m.files)} ({m.size / 1e6:.1f} MB)"
        table.add_row(name, f"{m.rows:,}", files, status, m.description)
    _console().print(table)


@datasets_group.command("fetch")
@click.argument("name")
@click.option("--from", "from_path", metavar="PATH", help="Register a local copy (a folder holding the files) instead of downloading.")
@click.option("--url", "base_url", metavar="BASE_URL", help="Download every file from BASE_URL/<file> ('{name}' becomes the dataset name); default $LF_DATA_URL.")
@click.option("--data-home", metavar="DIR", help="Data cache folder (default: $LF_DATA_HOME, else the user cache dir).")
@click.option("--progress/--no-progress", default=None, help="Download bar (default: when stderr is a terminal).")
def datasets_fetch_cmd(name: str, from_path: str | None, base_url: str | None, data_home: str | None, progress: bool | None) -> None:
    """Download dataset NAME (or register a local copy with --from), verifying every file's sha256."""
    from lf.fetch import fetch_dataset

    done = fetch_dataset(name, data_home=data_home, base_url=base_url, from_path=from_path, progress=progress)
    parts = [f"{len(v)} {k}" for k, v in (("downloaded", done.downloaded), ("copied", done.copied), ("already present", done.skipped)) if v]
    _console(stderr=True).print(f"{name}: files verified in {done.path} ({', '.join(parts)})")


def _error(message: str) -> None:
    from rich.markup import escape

    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning lf's errors into one-line messages and exit code 2."""
    try:
        code = cli.main(args=argv, prog_name="lf", standalone_mode=False)
        if isinstance(code, int):  # a command's ctx.exit(n) / Exit(n), e.g. a failed report gate
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.UsageError as exc:  # one line, like every other input error
        hint = f" (see 'lf {exc.ctx.info_name} --help')" if exc.ctx is not None and exc.ctx.parent is not None else " (see 'lf --help')"
        _error(exc.format_message() + hint)
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        _console(stderr=True).print("aborted")
        return 130
    except (LFError, ValueError, OSError) as exc:
        if os.environ.get("LF_TRACEBACK"):
            raise
        _error(str(exc))
        return EXIT_USAGE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
