"""``lf report``: the LF table, JSON, the HTML report and CI quality gates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lf.cli._checks import (
    check_columns,
    check_model_lfs,
    check_row_ids,
    data_files,
    gold_after_run,
    gold_before_run,
    gold_for_library,
    model_files,
)
from lf.cli._shared import (
    EXIT_GATE,
    _apply,
    _apply_options,
    _console,
    _folders,
    _inputs,
    _source,
    engine_from,
    say,
    stdout,
)
from lf.errors import DataError
from lf.paths import check_outputs

__all__ = ["report_cmd"]


def _check_html_path(path: str | None) -> None:
    if path is None:
        return
    if Path(path).suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{path!r}: use a .html file name for the HTML report.", param_hint="'--html'")


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


def model_lines(L: Any, y: Any, model: Any, report: Any = None) -> list[str]:
    """The model's scores against gold, and LF pairs its independence assumption misses.
    ``report``: the report's :class:`~lf.report.data.ReportData`, so the lines show the
    figures and pairs of the JSON and HTML reports, from the same labels (a random tie-break
    draws them once); None: ``model.score``'s scores, the pairs found here."""
    from lf.analysis import label_coverage
    from lf.display import one_line
    from lf.intervals import format_fraction as frac
    from lf.report.data import correlated_lfs

    name = type(model).__name__
    names = [one_line(n) for n in L.labels] if L.labels else [str(c) for c in range(L.cardinality)]
    lines = []
    if y is not None:
        s = report.model_scores if report is not None else model.score(L, y, ("accuracy", "f1", "coverage", "brier", "ece"))
        f1 = f"F1 ({names[1]})" if L.cardinality == 2 else "macro F1"  # class 1's, whatever its name
        covered = label_coverage(L)
        rows = (  # a model that abstains on more rows (ties) is scored on the rows it labels
            f"the rows some LF labels (coverage {frac(s['coverage'])})"
            if s["coverage"] == covered
            else f"the rows it labels (coverage {frac(s['coverage'])}; some LF labels {frac(covered)})"
        )
        f1_value = frac(s["f1"]) if s["f1"] == s["f1"] else f"n/a (no {names[1]} in gold or labels)" if L.cardinality == 2 else "n/a"
        lines += [
            f"{name} on {rows}:",
            f"  accuracy {frac(s['accuracy'])}, {f1} {f1_value}, Brier {s['brier']:.3f}, ECE {frac(s['ece'])}",
        ]
    from lf.cli._dependencies import dependency_lines

    lines += dependency_lines(model)
    pairs = report.correlated if report is not None else correlated_lfs(L, model)
    if pairs:
        lines.append(f"LF pairs voting together far more than {name}'s independence predicts:")
    for c in (pairs or ())[:10]:
        a, b = names[c.votes[0]], names[c.votes[1]]
        lines.append(f"  {one_line(c.first)}={a} & {one_line(c.second)}={b}: {c.rows:,} rows, {c.expected:.1f} expected")
    return lines


NEAR_COPIES_SHOWN = 5  # pairs named; the rest are counted


def warn_identical(L: Any, model: Any = None) -> None:
    """One stderr line per group of LFs that vote the same on every row, and per pair that
    gives the same vote on most rows either votes on (:func:`lf.analysis.near_copies`): a
    label model that assumes the LFs independent counts each copy as evidence (and its
    dependency checks do not see it: a model fitted on copies takes them for near-perfect
    LFs; three 5%-noisy copies of an LF 69-73% right were learned as 93-100% right, and
    the probabilities as far surer than the labels: ECE 0.21, 0.06 with the pairs declared
    dependent). Pairs inside one of ``model``'s cliques are modelled as dependent: not named."""
    from lf.analysis import identical_lfs, near_copies
    from lf.display import one_line

    console = _console(stderr=True)
    for group in identical_lfs(L):
        shown = ", ".join(one_line(L.names[j]) for j in group)
        say(console, f"warning: {shown} give the same vote on every row: a label model counts each as "
                     "independent evidence; keep one of them.")
    cliques = [set(group) for group in getattr(model, "clique_members_", None) or []]
    pairs = [p for p in near_copies(L) if not any({p[0], p[1]} <= g for g in cliques)]
    for i, j, same, either in pairs[:NEAR_COPIES_SHOWN]:
        a, b = one_line(L.names[i]), one_line(L.names[j])
        say(console, f"warning: {a} and {b} give the same vote on {same / either:.0%} of the rows either votes on "
                     f"({same:,} of {either:,}): a label model counts each as independent evidence; keep one, "
                     f"or fit with --dependencies {a}:{b}.")
    if len(pairs) > NEAR_COPIES_SHOWN:
        say(console, f"warning: and {len(pairs) - NEAR_COPIES_SHOWN:,} more such pairs of LFs.")


def warn_lf_errors(names: Any, errors: Any, n: int) -> None:
    """One stderr line per LF that raised on rows counted as abstains (--on-error abstain):
    its coverage and accuracy leave those rows out, which the table's err column alone
    does not say."""
    from lf.display import one_line
    from lf.report.terminal import plural

    console = _console(stderr=True)
    for name, count in zip(names, errors if errors is not None else ()):
        if count:
            say(console, f"warning: {one_line(name)} raised on {plural(int(count), 'row')} of {n:,}, counted as "
                         "abstains (--on-error abstain): fix it, or its numbers leave those rows out.")


def _warn_chance_level(summary: Any, L: Any, y: Any) -> None:
    """One stderr line per LF whose accuracy interval contains its chance accuracy
    (:func:`lf.analysis.lf_chance_accuracies`: 0.5 for two balanced classes, less with more
    classes, more for a vote for a common class): its gold rows cannot tell it from chance;
    else per LF whose interval lies below 0.5: it is wrong on more of its gold rows than
    right, the rule to fix first; or below its chance accuracy: its votes point away from
    their classes."""
    import numpy as np

    from lf.analysis import lf_chance_accuracies
    from lf.display import visible
    from lf.intervals import format_interval, straddles
    from lf.report.record import record_of

    console = _console(stderr=True)
    chance = lf_chance_accuracies(L, y)
    record = record_of(summary)
    assert record.emp_acc_low is not None and record.emp_acc_high is not None  # a summary with gold labels
    low, high = record.emp_acc_low, record.emp_acc_high
    at_chance = straddles(low, high, chance)
    with np.errstate(invalid="ignore"):  # NaN: nothing measured, False
        wrong, below = high < 0.5, high < chance
    for row, c, flag, worse, under in zip(record.rows(), chance, at_chance, wrong, below):
        if flag:
            why = f"the interval includes {c:.2f}, its accuracy by chance (its classes' shares of the gold rows)"
        elif worse:
            why = "wrong on more of its gold rows than right (the interval lies below 0.5)"
        elif under:
            why = f"right less often than by chance ({c:.2f}, its classes' shares of the gold rows): its votes point away from them"
        else:
            continue
        shown = format_interval(float(row["emp_acc"]), float(row["emp_acc_low"]), float(row["emp_acc_high"]), int(row["emp_acc_n"]))
        say(console, f"warning: {visible(row['name'])}: accuracy {shown}: {why}")


def warn_votes(L: Any) -> None:
    """Without a model fitted here (whose fit says it): one stderr line per LF that votes one
    class on every row, and one for the classes no LF votes (``lf.models._vote_checks``)."""
    from lf.models._stats import vote_tally
    from lf.models._vote_checks import constant_lfs, listed, names_of, unvoted_classes

    votes, n = vote_tally(L.array, L.cardinality)
    names, labels = names_of(L, L.cardinality)
    assert names is not None  # a LabelMatrix's
    console = _console(stderr=True)
    for j, c in constant_lfs(votes, n):
        say(console, f"warning: {names[j]} votes {labels[c]} on every row: its vote says nothing about the class, yet "
                     f"a label model counts it as evidence for {labels[c]} on every row; drop it, or make it abstain "
                     "where it has no evidence.")
    unvoted = unvoted_classes(votes, n)
    if unvoted:
        shown = listed([labels[c] for c in unvoted])
        say(console, f"warning: no LF votes {shown} ({len(unvoted)} of {L.cardinality} classes): no label model can "
                     "recognise such rows; add an LF for each, or leave them out of LABELS if the data has none.")


def fit_telling(model: Any, L: Any) -> list[str]:
    """Fit ``model`` on ``L``; its warnings are shown as usual and returned as texts, for the
    JSON and HTML reports (an underdetermined fit's learned accuracies are not measured)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # the filters stay as they are
        model.fit(L)
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return [str(w.message) for w in caught]


def _gate_option(name: str, help_text: str) -> Callable[[Any], Any]:
    return click.option(name, type=click.FloatRange(0.0, 1.0), metavar="FRACTION", help=help_text)


@click.command("report")
@click.argument("source", nargs=-1, required=True)
@click.option("--data", "gold_data", multiple=True, metavar="DATA", help="With a saved matrix: the data it was made from, same rows in the same order, checked by id (for --gold and the HTML examples).")
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels: adds correct / incorrect / emp_acc.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (schema lf.report/2, see docs/report.md) instead of a table.")
@click.option("--html", "html_path", metavar="report.html", help="Also write a self-contained HTML report (tables, charts, examples).")
@click.option(
    "--model", "model_spec", metavar="NAME|model.json",
    help="Label model to fit on the matrix (LabelModel, MajorityVoter, DawidSkene, TripletModel or an alias) "
    "or a fitted model saved by `lf fit`: adds learned_acc, its label distribution and disagreement examples.",
)
@click.option("--end-model", metavar="MODEL_DIR", help="Also score a model saved by `lf train` against --gold, next to the label model.")
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
    end_model: str | None,
    min_coverage: float | None,
    max_conflict: float | None,
    min_lf_coverage: float | None,
    max_lf_conflict: float | None,
    lfs_target: str | None,
    **opts: Any,
) -> None:
    """Print the per-LF report for DATA --lfs MODULE, or for a saved label matrix (L.parquet /
    L.npz, or the folder of part files `lf label --engine dask --matrix` writes).

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
    if end_model and not gold:
        raise click.UsageError("--end-model is scored against gold labels: give --gold COLUMN too.")
    sources = ("DATA", data_files(source)) if lfs_target else ("label matrix", list(source))
    check_outputs(
        [("--html", html_path)] if html_path else [],
        _inputs(sources, ("--data", data_files(gold_data) if gold_data else []), ("--model", model_files(model_spec)), lfs_target=lfs_target),
        folders=_folders(opts),
    )
    text_column = opts["text_column"]
    column = text_column if gold == "text" and text_column else gold
    model = None
    if model_spec:  # an unknown name or a broken model file fails before the run
        from lf.models import model_from_spec

        model = model_from_spec(model_spec)
    if lfs_target:
        import lf

        check_columns(source, "DATA", [("--id-column", opts["id_column"]), ("--gold", column)], text_column=text_column)
        lfs = lf.load_lfs(lfs_target)
        if model is not None and model_spec and hasattr(model, "cardinality_"):
            check_model_lfs(model, model_spec, [x.name for x in lfs], lfs.labels, lfs=lfs)
        elif model is not None:  # to fit here: refused now, not once every LF has run
            from lf._label_checks import check_to_fit

            check_to_fit(model, [x.name for x in lfs], len(lfs.labels) if lfs.labels else None)
        values = gold_before_run(source, "--gold", column, lfs.labels) if column else None
        with engine_from(opts):
            L = _apply(source, lfs_target, opts, outputs=[("--html", html_path)] if html_path else ())
        data = source
    else:
        if len(source) != 1:
            raise click.UsageError("Give one saved label matrix, or DATA files together with --lfs MODULE.")
        if Path(source[0]).suffix.lower() not in (".parquet", ".npz") and not Path(source[0]).is_dir():
            raise click.UsageError(
                f"{source[0]!r} is not a saved label matrix (.parquet / .npz, or a folder of part files from --engine "
                "dask); to report on data, add --lfs MODULE."
            )
        if gold and not gold_data:
            raise click.UsageError("--gold with a saved label matrix needs --data: the data the matrix was made from.")
        L = LabelMatrix.load(source[0])
        if model is not None and model_spec:
            check_model_lfs(model, model_spec, list(L.names), L.labels, fingerprints=L.lf_fingerprints)
        data = gold_data
        if column:
            check_columns(data, "--data", [("--gold", column)])
        if data:
            check_row_ids(data, "--data", L, opts["id_column"], source[0])
        values = gold_before_run(data, "--gold", column, L.labels) if column else None
    y_ids = gold_after_run(values, "--gold", str(column), L) if values is not None else None
    y = gold_for_library(y_ids, L)
    said: list[str] = []
    fitted_here = model is not None and not hasattr(model, "cardinality_")
    if fitted_here:  # a name: fit it here; a saved model is fitted
        said = fit_telling(model, L)
    report = build_report(L, y=y, model=model, conflicts=as_json or html_path is not None, model_warnings=said)
    summary = report.summary
    gates = check_gates(
        {"min_coverage": min_coverage, "max_conflict": max_conflict, "min_lf_coverage": min_lf_coverage, "max_lf_conflict": max_lf_conflict},
        report.totals,
        report.names,
        summary["coverage"].tolist(),
        summary["conflicts"].tolist(),
    )
    if as_json:
        click.echo(json.dumps(report_document(report, gates, L.labels), indent=2), file=stdout())
    else:
        print_report(summary, report.totals, labels=L.labels, console=_console())
        if model is not None:
            for line in model_lines(L, y, model, report):
                _console().print(line, markup=False)
    warn_identical(L, model)
    if not fitted_here:  # a fit here says it itself
        warn_votes(L)
    warn_lf_errors(L.names, L.errors, L.n)
    if y is not None:
        _warn_chance_level(summary, L, y)
    if html_path:
        texts = _texts(data, opts["text_column"], L.n) if data else None
        write_html(html_path, L, texts=texts, gates=gates, data=report, lfs=list(lfs) if lfs_target else None)
        say(_console(stderr=True), f"wrote {html_path}", keep=[html_path])
    if end_model:
        from lf.cli.train import end_model_line

        click.echo(end_model_line(end_model, data, opts["text_column"], y_ids, L, model), file=None if as_json else stdout(), err=as_json)
    failed = [g for g in gates if not g.passed]
    for g in failed:
        say(_console(stderr=True), format_failure(g))
    if failed:
        raise click.exceptions.Exit(EXIT_GATE)
