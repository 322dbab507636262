"""``lf apply``, ``lf label`` and ``lf fit``: from data to a label matrix, a model and labels."""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path
from typing import Any, NoReturn

import click

from lf.cli import _dependencies as deps_cli
from lf.cli._checks import (
    check_columns,
    check_model_lfs,
    check_row_ids,
    data_files,
    gold_after_run,
    gold_before_run,
    model_files,
)
from lf.cli._shared import (
    _apply_options,
    _check_output,
    _console,
    _folders,
    _inputs,
    check_declared,
    engine_from,
    say,
    wrap_cells,
)
from lf.cli.cache import reports_cache
from lf.cli.report import warn_identical, warn_lf_errors
from lf.corpus import is_pattern
from lf.display import label_list, label_word
from lf.errors import DataError
from lf.intervals import format_fraction
from lf.paths import check_outputs, check_unmatched
from lf.report.terminal import plural

__all__ = ["apply_cmd", "fit_cmd", "label_cmd"]


@click.command("apply")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="L.parquet", help="Where to write the label matrix (.parquet or .npz).")
@_apply_options
def apply_cmd(data: tuple[str, ...], output: str, lfs_target: str | None, **opts: Any) -> None:
    """Apply the LFs of MODULE to DATA and save the label matrix.

    DATA is CSV / TSV / Parquet / JSON Lines file(s) or globs ("shards/*.parquet"; text
    files may be .gz / .bz2 / .zst / .lz4), or the name of a dataset fetched with
    `lf datasets fetch`. --lfs is required.
    """
    from lf.summary import totals

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    _check_output(output, (".parquet", ".npz"), "label matrix")
    check_outputs([("-o", output)], _inputs(("DATA", data_files(data)), lfs_target=lfs_target), folders=_folders(opts))
    check_unmatched([("-o", output)], [("DATA", d) for d in data if is_pattern(d)])
    check_columns(data, "DATA", [("--id-column", opts["id_column"])], text_column=opts["text_column"])
    start = time.perf_counter()
    with engine_from(opts):
        # written chunk by chunk (a .npz whole at the end), with a digest of the rows' texts
        table, errors = _apply_streaming(data, lfs_target, output, opts)
    t = totals(table)
    say(
        _console(stderr=True),
        f"wrote {output}: {plural(int(t['rows']), 'row')} x {plural(int(t['lfs']), 'LF')}, coverage {format_fraction(t['coverage'])}, "
        f"errors {errors}, in {time.perf_counter() - start:.2f} s",
        keep=[output],
    )


def _apply_streaming(data: tuple[str, ...], lfs_target: str, output: str, opts: dict[str, Any]) -> tuple[Any, int]:
    import lf
    from lf.corpus import Corpus
    from lf.label import apply_to_file

    lfs = lf.load_lfs(lfs_target)
    check_declared([("-o", output)], lfs)
    table, stats = reports_cache(apply_to_file)(
        lfs, Corpus(list(data)), output, engine=opts.get("engine_obj") or opts.get("engine"),
        n_jobs=opts["n_jobs"], chunk_size=opts["chunk_size"],
        on_error=opts["on_error"], progress=opts["progress"], text_column=opts["text_column"],
        id_column=opts["id_column"], cache=opts["cache_dir"],
    )
    if stats is not None:
        say(_console(stderr=True), str(stats), keep=[stats.folder])
    return table, int(table.errors.sum()) if table.errors is not None else 0


def _class_balance(spec: str | None, names: tuple[str, ...], y_dev: Any) -> Any:
    """``--class-balance``: ``dev`` (from dev gold), ``0.8,0.2`` or ``HAM=0.8,SPAM=0.2``."""
    import numpy as np

    if spec is None:
        return None
    if spec == "dev":
        if y_dev is None:
            raise click.BadParameter("'dev' needs gold-labeled dev rows (--dev-gold and --dev-data).", param_hint="'--class-balance'")
        from lf.models.select import dev_balance

        return dev_balance(np.asarray(y_dev, np.int64), len(names), names, warn=True)
    parts = [p.strip() for p in spec.split(",")]
    try:
        if all("=" in p for p in parts):
            pairs = [(k.strip(), float(v)) for k, v in (p.split("=", 1) for p in parts)]
            given = {k.lower(): v for k, v in pairs}
            twice = sorted({n for n in names if sum(k.lower() == n.lower() for k, _ in pairs) > 1})
            if twice:
                raise click.BadParameter(
                    f"{spec!r} gives {', '.join(twice)} more than once: one value for each label.",
                    param_hint="'--class-balance'",
                )
            unknown = [k for k, _ in pairs if k.lower() not in {n.lower() for n in names}]
            if unknown or len(given) != len(names):
                named = f" (not {'a label' if len(unknown) == 1 else 'labels'}: {', '.join(map(repr, unknown))})" if unknown else ""
                raise click.BadParameter(
                    f"{spec!r} must give one value for each label: {label_list(names)}{named}.",
                    param_hint="'--class-balance'",
                )
            values = np.array([given[n.lower()] for n in names])
        else:
            values = np.array([float(p) for p in parts])
    except ValueError:
        raise click.BadParameter(
            f"{spec!r} is not 'dev', a list of numbers (0.8,0.2) or label=number pairs (HAM=0.8,SPAM=0.2).",
            param_hint="'--class-balance'",
        ) from None
    if len(values) != len(names) or (values < 0).any() or not np.isclose(values.sum(), 1.0):
        raise click.BadParameter(
            f"{spec!r} must be {len(names)} non-negative numbers summing to 1 (one per label: {label_list(names)}).",
            param_hint="'--class-balance'",
        )
    return values


def gold_lines(name: str, gold: str, result: Any, uncovered: str) -> list[str]:
    """Accuracy on covered rows, coverage and accuracy over all rows, each named, the
    accuracies with the count of gold rows behind them and their 95% Wilson interval; how
    many covered rows the model left without a label (counted wrong), when it left any."""
    from lf.intervals import format_interval, wilson

    def shown(accuracy: float | None, rows: int) -> str:
        if accuracy is None or rows == 0:
            return "n/a"
        low, high = wilson(round(accuracy * rows), rows)
        return format_interval(accuracy, float(low), float(high), rows, digits=3)

    n = result.table.n
    covered = round(result.coverage * n)
    rest = "as wrong" if uncovered == "null" else "as the prior"
    lines = [
        f"{name} against --gold {gold!r} (95% intervals):",
        f"  accuracy on covered rows {shown(result.accuracy_covered, covered)}",
    ]
    if result.abstained:  # ties a model abstains on: covered, unlabeled, counted wrong
        lines.append(f"    ({result.abstained:,} of them without a label, the model's ties: as wrong)")
    lines += [
        f"  coverage                 {format_fraction(result.coverage)} ({covered:,} of {n:,} rows)",
        f"  accuracy over all rows   {shown(result.accuracy, n)} (uncovered {rest})",
    ]
    if uncovered != "null" and result.uncovered_unlabeled:  # the prior's class is a tie the model abstains on
        lines.append(f"    ({result.uncovered_unlabeled:,} uncovered rows without a label, the model's ties: as wrong)")
    return lines


def selection_lines(chosen: Any, names: tuple[str, ...], n_dev: int, width: int = 80) -> list[str]:
    """What ``--model auto`` tried, how each scored and how to get the same model again (its
    options in lines of at most ``width`` cells, :func:`command_lines`)."""
    import math

    column = min(max(len(n) for n in chosen.scores) + 2, 40)
    # Folds only when the class balance comes from the dev gold labels (see select()).
    folds = chosen.balance_source.startswith("dev gold labels")
    how = "by cross-validation" if folds else "of models fitted without them"
    lines = [
        f"model choice on {n_dev:,} dev rows: accuracy {how}, and",
        f"the 95% paired bootstrap interval of its difference to the default ({chosen.default}):",
    ]
    for name, value in chosen.scores.items():
        label = (name if len(name) < column else name[: column - 4] + "...").ljust(column)
        if math.isnan(value):
            lines.append(f"  {label}cannot be fitted on this matrix")
            continue
        lo, hi = chosen.intervals[name]
        extra = "default" if name == chosen.default else f"{lo:+.3f} .. {hi:+.3f}"
        mark = " <- chosen" if name == chosen.name else ""
        lines.append(f"  {label}{value:.3f}  {extra}{mark}")
    score = chosen.scores.get(chosen.name, float("nan"))
    if not math.isnan(score) and n_dev > 0:
        from lf.intervals import format_interval, wilson

        low, high = wilson(round(score * n_dev), n_dev)
        shown = format_interval(score, float(low), float(high), n_dev, digits=3)
        lines.append(f"chosen: {chosen.name}, dev accuracy {shown} (95% interval)")
        # the score that chose it: a choice among candidates on these rows favours the lucky one
        tried = sum(not math.isnan(v) for v in chosen.scores.values())
        lines.append(f"  ({'cross-validated, ' if folds else ''}on the rows that chose it among {tried} models: likely")
        lines.append("  optimistic; score the labels on other gold rows for an unbiased figure)")
    lines.append(f"class balance: {chosen.balance_source}")
    command = ["--model", chosen.name]
    if chosen.class_balance is not None:
        command += ["--class-balance", balance_spec(names, chosen.class_balance.tolist())]
    lines += ["same model again:", *command_lines(command, width)]
    return lines


def print_selection(chosen: Any, names: tuple[str, ...], n_dev: int) -> None:
    """:func:`selection_lines` on stderr, in 80 cells or the terminal's (or COLUMNS') width
    if narrower: a line wider (a long model name) wrapped at spaces, its indent kept; the
    command's lines as they are (cut to stay copyable)."""
    from rich.cells import cell_len
    from rich.text import Text

    err = _console(stderr=True)
    width = max(20, min(80, int(err.width)))
    lines = selection_lines(chosen, names, n_dev, width)
    command = lines.index("same model again:")
    for i, line in enumerate(lines):
        if i < command and cell_len(line) > width:
            indent = line[: len(line) - len(line.lstrip())]
            for part in wrap_cells(line.lstrip(), width - len(indent)):
                err.print(Text(indent + part), soft_wrap=True)
        else:
            err.print(Text(line), soft_wrap=True)


def command_lines(words: list[str], width: int) -> list[str]:
    """Options as shell lines a user copies: one option and its value a line, indented, each
    but the last ended by `` \\``. A value too wide for its line is cut after commas, each
    line's piece quoted on its own and ended by a bare ``\\``: a POSIX shell drops that
    backslash and line break, so the pieces join into the one word typed (the next piece
    starts its line, as any room before it would be part of the value)."""
    from rich.cells import cell_len

    groups: list[list[str]] = []
    for word in words:
        if word.startswith("--") or not groups:
            groups.append([word])
        else:
            groups[-1].append(word)
    lines: list[str] = []
    for i, group in enumerate(groups):
        end = "" if i == len(groups) - 1 else " \\"
        line = "  " + " ".join(map(_shell_word, group))
        if cell_len(line + end) <= width or len(group) < 2:
            lines.append(line + end)
            continue
        start, piece = "  " + " ".join(map(_shell_word, group[:-1])) + " ", ""
        for part in re.findall(r"[^,]*,|[^,]+$", group[-1]):
            if piece and cell_len(start + _shell_word(piece + part) + "\\") > width:
                lines.append(start + _shell_word(piece) + "\\")
                start, piece = "", ""
            piece += part
        lines.append(start + _shell_word(piece) + end)
    return lines


def _shell_word(arg: str) -> str:
    """``arg`` as one shell word: bare when safe, in double quotes when nothing in it is
    special there (``LabelModel(abstain='model')`` reads as typed), else single-quoted."""
    if shlex.quote(arg) == arg:
        return arg
    return f'"{arg}"' if not set(arg) & set('"$`\\!') else shlex.quote(arg)


def balance_spec(names: tuple[str, ...], values: list[float]) -> str:
    """``--class-balance`` text that reads back as ``values`` exactly: ``NAME=value`` pairs,
    or the bare values when a name cannot be written so (it holds ``,`` or ``=``, has
    spaces at its ends, equals another name but for case, or holds a control character,
    which would reach the terminal raw or, shown as an escape, not read back)."""
    from lf.display import visible

    plain = all("," not in n and "=" not in n and n == n.strip() and visible(n) == n for n in names)
    if plain and len({n.lower() for n in names}) == len(names):
        return ",".join(f"{n}={v!r}" for n, v in zip(names, values))
    return ",".join(repr(v) for v in values)


def _model_options(f: Any) -> Any:
    f = click.option(
        "--class-balance", metavar="SPEC",
        help="Class priors: 'dev' (from the dev rows' gold labels), '0.8,0.2' or 'HAM=0.8,SPAM=0.2'. Default: estimated from the LF votes (MajorityVoter: uniform); with --model auto, 'dev'.",
    )(f)
    f = click.option(
        "--model", "model_spec", default="LabelModel", show_default=True, metavar="NAME|model.json",
        help="Label model: LabelModel, MajorityVoter, DawidSkene, TripletModel (or an alias), with parameters as "
        "in \"LabelModel(abstain='model')\"; 'auto' (chosen on gold-labeled dev rows: the default LabelModel "
        "unless another wins beyond the dev noise; prints how to reproduce the choice), or a model file saved by `lf fit`.",
    )(f)
    f = click.option("--dependencies", "dependencies", metavar="auto|A:B,C:D", help=deps_cli.OPTION_HELP)(f)
    return f


def _fit(L: Any, model_spec: Any, class_balance: str | None, dev: tuple[Any, Any] | None) -> tuple[Any, str]:
    """Fit (or load) the model a command asked for; returns it with a one-line description."""
    from lf.models import model_from_spec, select
    from lf.output import label_names

    names = label_names(L)
    y_dev = dev[1] if dev is not None else None
    # with auto, a dev balance is select()'s to take (and to warn about)
    balance = None if model_spec == "auto" and class_balance == "dev" else _class_balance(class_balance, names, y_dev)
    if model_spec == "auto":
        if dev is None or y_dev is None:
            _fit_needs_dev(model_spec, None)
        given = None if class_balance in (None, "dev") else balance  # dev: cross-validated in select
        chosen = select(None, L, dev[0], y_dev, class_balance="dev" if given is None else given)
        print_selection(chosen, names, len(y_dev))
        return chosen.model, f"{chosen.name} (chosen on dev rows)"
    model: Any = model_from_spec(model_spec) if isinstance(model_spec, str) else model_spec
    if hasattr(model, "cardinality_"):
        if dev is not None or class_balance is not None:
            _fitted_already()
        return model, f"{type(model).__name__} loaded from {model_spec}"
    model.fit(L, class_balance=balance)
    return model, type(model).__name__


def _check_model_choice(
    model_spec: str, class_balance: str | None, has_dev: bool, names: list[str], labels: Any = None
) -> None:
    """What `lf label` can tell about --model / --class-balance before the run."""
    from lf.models import model_from_spec

    if not has_dev and (model_spec == "auto" or class_balance == "dev"):
        _fit_needs_dev(model_spec, class_balance)
    if model_spec == "auto":
        return
    model = model_from_spec(model_spec)  # fails on an unknown name or a broken model file
    if not hasattr(model, "cardinality_"):  # too few LFs for it: lf.label says so before the run
        return
    if has_dev or class_balance:
        _fitted_already()
    check_model_lfs(model, model_spec, names, labels, unnamed=False)  # lf.label warns of a model without LF names


def _fit_needs_dev(model_spec: str, class_balance: str | None) -> NoReturn:
    if model_spec == "auto":
        raise click.BadParameter("'auto' picks the best model on gold-labeled dev rows: give them with the --dev options (see --help).", param_hint="'--model'")
    raise click.BadParameter("'dev' needs gold-labeled dev rows (--dev-gold and --dev-data).", param_hint="'--class-balance'")


def _fitted_already() -> NoReturn:
    raise click.UsageError("A saved model is already fitted: drop --dev / --class-balance, or give a model name.")


def _same_lfs(dev: str, L_dev: Any, matrix: str, L: Any) -> None:
    """The dev matrix has the training matrix's LFs, labels and LF definitions: votes of
    other ones would choose the model on what these LFs do not do."""
    from lf.output import label_names

    changed = [n for n, a, b in zip(L.names, L.lf_fingerprints or (), L_dev.lf_fingerprints or ()) if a and b and a != b]
    if L_dev.names != L.names:
        what = "it was made with other LFs"
    elif L_dev.labels != L.labels or L_dev.cardinality != L.cardinality:
        what = f"its labels are {', '.join(label_names(L_dev))} (in that order), the training matrix's {', '.join(label_names(L))}"
    elif changed:
        shown = ", ".join(repr(n) for n in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        what = f"it was made when LF{'s' if len(changed) > 1 else ''} {shown} had another definition (code, code it calls, resources or declared files)"
    else:
        return
    raise DataError(f"The --dev matrix {dev!r} does not go with the training matrix {matrix!r}: {what}. Apply the same LF module to both.")


def _dev(
    dev: str | None, dev_gold: str | None, dev_data: tuple[str, ...], matrix: str, L: Any, id_column: str | None = None,
) -> tuple[Any, Any] | None:
    from lf.matrix import LabelMatrix

    if dev is None:
        if dev_gold or dev_data or id_column:
            raise click.UsageError("--dev-gold / --dev-data / --id-column go with --dev L_dev.parquet.")
        return None
    if not dev_gold or not dev_data:
        raise click.UsageError("--dev needs --dev-gold COLUMN and --dev-data DATA (the data the dev matrix was made from).")
    check_columns(dev_data, "--dev-data", [("--dev-gold", dev_gold), ("--id-column", id_column)])
    L_dev = LabelMatrix.load(dev)
    _same_lfs(dev, L_dev, matrix, L)
    check_row_ids(dev_data, "--dev-data", L_dev, id_column, dev)
    values = gold_before_run(dev_data, "--dev-gold", dev_gold, L.labels)
    return L_dev, gold_after_run(values, "--dev-gold", dev_gold, L, n=L_dev.n)


def _warn_same_rows(matrix: str, dev: str) -> None:
    """Warn when the --dev matrix holds the training matrix's rows (the digests of their
    texts, which `lf apply` records, are equal): the dev scores would not be held out."""
    import warnings

    from lf._row_digest import read_footer

    train, held = read_footer(matrix), read_footer(dev)
    if train is not None and held is not None and all(train.get(x) == held.get(x) for x in ("rows", "text_column", "digest")):
        warnings.warn(
            "--dev holds the rows of the training matrix (the same texts, in the same order): each model was fitted "
            "on their votes before being scored on them, so the dev scores are not held out. Make the dev matrix "
            "from other rows.",
            UserWarning,
            stacklevel=2,
        )


@click.command("fit")
@click.argument("matrix", metavar="L.parquet")
@click.option("-o", "--output", required=True, metavar="model.json", help="Where to save the fitted model (JSON, + .npz for large arrays).")
@_model_options
@click.option("--dev", metavar="L_dev.parquet", help="Label matrix of a few gold-labeled rows (same LFs), for --model auto / --class-balance dev.")
@click.option("--dev-gold", metavar="COLUMN", help="Column of --dev-data holding the dev rows' gold labels.")
@click.option("--dev-data", multiple=True, metavar="DATA", help="The data the --dev matrix was made from.")
@click.option("--id-column", metavar="COLUMN", help="Column of --dev-data holding the --dev matrix's row ids (default: its `id` column).")
def fit_cmd(
    matrix: str, output: str, model_spec: str, class_balance: str | None, dependencies: str | None,
    dev: str | None, dev_gold: str | None, dev_data: tuple[str, ...], id_column: str | None,
) -> None:
    """Fit a label model on a saved label matrix (from `lf apply`, or the folder of part files
    `lf label --engine dask --matrix` writes) and save it."""
    from lf.matrix import LabelMatrix

    _check_output(output, (".json",), "model")
    if model_spec.lower().endswith(".json"):
        raise click.BadParameter(f"{model_spec!r} is a saved, fitted model; `lf fit` needs a model name or 'auto'.", param_hint="'--model'")
    check_outputs(
        [("-o", output)],  # its arrays file is named by its digest: never an existing input's name
        _inputs(("label matrix", [matrix]), ("--dev", [dev] if dev else []), ("--dev-data", data_files(dev_data) if dev_data else [])),
    )
    start = time.perf_counter()
    L = LabelMatrix.load(matrix)
    spec = deps_cli.with_dependencies(model_spec, dependencies, L.names)
    dev_set = _dev(dev, dev_gold, dev_data, matrix, L, id_column)
    if dev is not None and model_spec == "auto":
        _warn_same_rows(matrix, dev)
    model, desc = _fit(L, spec, class_balance, dev_set)
    model.save(output)
    for line in deps_cli.learned_lines(model, L, class_balance is None and model_spec != "auto"):
        _console(stderr=True).print(line, markup=False)
    warn_identical(L, model)
    say(_console(stderr=True), f"wrote {output}: {desc}, fitted on {plural(L.n, 'row')} x {plural(L.m, 'LF')} in {time.perf_counter() - start:.2f} s", keep=[output])


@click.command("label")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="labels.parquet", help="Where to write the labels (.parquet, .csv or .jsonl; with --engine dask, a new folder of Parquet part files).")
@_model_options
@click.option("--filter-abstain", is_flag=True, help="Leave out rows that no LF labeled.")
@click.option(
    "--uncovered", type=click.Choice(("null", "prior")), default="null", show_default=True,
    help="Rows no LF labeled: 'null' gives them no label and the class prior as probabilities; "
    "'prior' labels them with the model's most probable class (not with --filter-abstain).",
)
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels: the report adds empirical accuracies and the model's accuracy.")
@click.option("--matrix", "matrix_out", metavar="L.parquet", help="Also save the label matrix (with --engine dask, a new folder of part files).")
@click.option("--dev-data", multiple=True, metavar="DEV_DATA", help="A few gold-labeled rows (same columns as DATA), for --model auto / --class-balance dev.")
@click.option("--dev-gold", metavar="COLUMN", help="Column of --dev-data holding the gold labels.")
@_apply_options
def label_cmd(
    data: tuple[str, ...], output: str, model_spec: str, class_balance: str | None, dependencies: str | None,
    filter_abstain: bool, uncovered: str, gold: str | None, matrix_out: str | None, dev_data: tuple[str, ...], dev_gold: str | None,
    lfs_target: str | None, **opts: Any,
) -> None:
    """Apply the LFs of MODULE to DATA, fit a label model and write probabilistic labels.

    DATA is CSV / TSV / Parquet / JSON Lines file(s) or globs ("shards/*.parquet"; text
    files may be .gz / .bz2 / .zst / .lz4), or the name of a dataset fetched with
    `lf datasets fetch`. The output holds one row per data row: `id` (the --id-column, else
    the data's `id` column, else the row position), one probability column per label,
    `label` (the model's prediction, as its tie policy gives it), `confidence` (its probability) and `covered` (whether
    any LF voted). A row no LF voted on gets no label and the class prior as probabilities
    (--uncovered prior: the model's most probable class). The model is fitted on DATA's label matrix only; --dev-data rows (LFs
    applied to them too) only choose the model or the class balance.
    """
    import lf
    from lf.corpus import Corpus
    from lf.label import label
    from lf.output import check_label_names, label_names

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    on_cluster = opts.get("engine") == "dask"  # outputs are folders of part files
    if not on_cluster:
        _check_output(output, (".parquet", ".csv", ".jsonl"), "labels")
    if matrix_out and not on_cluster:
        _check_output(matrix_out, (".parquet", ".npz"), "label matrix", "--matrix")
    if bool(dev_data) != bool(dev_gold):
        raise click.UsageError("--dev-data and --dev-gold go together: the dev rows and their gold column.")
    corpus = Corpus(list(data))  # DATA resolved (and a dataset loaded) once, read once
    dev_corpus = Corpus(list(dev_data)) if dev_data else None
    outputs = [("-o", output), *([("--matrix", matrix_out)] if matrix_out else [])]
    check_outputs(
        [] if on_cluster else outputs,
        _inputs(
            ("DATA", corpus.files or data_files(data)),
            ("--dev-data", (dev_corpus.files or data_files(dev_data)) if dev_corpus else []),
            ("--model", model_files(model_spec)), lfs_target=lfs_target,
        ),
        folders=[*_folders(opts), *(outputs if on_cluster else [])],  # on Dask: folders of part files
    )
    patterns = [("DATA", p) for p in corpus.patterns] + [("--dev-data", p) for p in (dev_corpus.patterns if dev_corpus else [])]
    check_unmatched([(o, Path(p) / "part-00000.parquet" if on_cluster else Path(p)) for o, p in outputs], patterns)
    if on_cluster:  # before a cluster starts
        from lf._label_checks import check_cluster_paths

        check_cluster_paths(outputs, corpus)
    text_column = opts["text_column"]
    gold_column = text_column if gold == "text" and text_column else gold
    for source, what, gold_option, column in ((corpus, "DATA", "--gold", gold_column), (dev_corpus, "--dev-data", "--dev-gold", dev_gold)):
        if source is not None:
            check_columns(source, what, [("--id-column", opts["id_column"]), (gold_option, column)], text_column=text_column)
    lfs = lf.load_lfs(lfs_target)
    check_declared([] if on_cluster else outputs, lfs)
    _check_model_choice(model_spec, class_balance, bool(dev_data), [x.name for x in lfs], lfs.labels)
    model = deps_cli.with_dependencies(model_spec, dependencies, [x.name for x in lfs])
    labels = lfs.labels
    check_label_names(labels)
    balance: Any = None
    if class_balance == "dev":
        balance = "dev"
    elif class_balance is not None:
        balance = _class_balance(class_balance, labels or _numbered(class_balance), None)
    start = time.perf_counter()
    with engine_from(opts):
        result = reports_cache(label)(
            lfs, corpus, output=output, model=model, class_balance=balance, gold=gold_column,
            matrix=matrix_out, dev=dev_corpus, dev_gold=dev_gold, filter_abstain=filter_abstain, uncovered=uncovered,
            engine=opts.get("engine_obj") or opts.get("engine"), n_jobs=opts["n_jobs"],
            chunk_size=opts["chunk_size"], on_error=opts["on_error"], progress=opts["progress"],
            text_column=text_column, id_column=opts["id_column"], cache=opts["cache_dir"],
            _names={"gold": "--gold", "dev": "--dev-data", "dev_gold": "--dev-gold", "cache": "--cache",
                    "filter_abstain": "--filter-abstain", "uncovered": "--uncovered prior"},
        )
    if result.selection is not None:
        print_selection(result.selection, label_names(result.table), result.dev_rows)
    console = _console()
    _print_table_report(result.table, result.model, console)
    warn_identical(result.table, result.model)
    warn_lf_errors(result.table.names, result.table.errors, result.table.n)
    if result.accuracy is not None:
        for line in gold_lines(type(result.model).__name__, gold or "", result, uncovered):
            console.print(line, markup=False)
    err = _console(stderr=True)
    for line in deps_cli.learned_lines(result.model, result.table, class_balance is None and model_spec != "auto"):
        err.print(line, markup=False)
    if model_spec == "auto":  # the chosen model: a line of its own (the candidates are above)
        err.print(f"model: {result.model_description}", markup=False, soft_wrap=True)
    dropped = result.table.n - result.rows_written if filter_abstain else None
    say(err, _status_line(output, result.rows_written, dropped, result.label_counts, result.unlabeled,
                          type(result.model).__name__, time.perf_counter() - start), keep=[output])


def _numbered(spec: str) -> tuple[str, ...]:
    """Class names 0..k-1 for a numeric --class-balance when the LF module declares no LABELS."""
    return tuple(str(i) for i in range(len(spec.split(","))))


def _print_table_report(table: Any, model: Any, console: Any) -> None:
    from lf.report import print_report
    from lf.summary import summarize, totals

    print_report(summarize(table, model=model), totals(table), labels=table.labels, console=console)


def _status_line(
    output: str, rows: int, dropped: int | None, counts: Any, unlabeled: int, model: str, seconds: float
) -> str:
    """``wrote labels.csv: 1,956 rows (HAM 1,005, SPAM 951); LabelModel; 1.2 s`` (past 4
    classes the count of classes); :func:`say` wraps it when the console is narrower."""
    dist = ", ".join(f"{label_word(name)} {int(c):,}" for name, c in counts.items()) if len(counts) <= 4 else plural(len(counts), "class", "classes")
    if unlabeled:
        dist += f", no label {unlabeled:,}"
    left = f", {plural(dropped, 'uncovered row')} left out" if dropped else ""
    return f"wrote {output}: {plural(rows, 'row')} ({dist}{left}); {model}; {seconds:.1f} s"
