"""What the commands share: options, reading DATA, output names, the inputs a command reads."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from lf.cli.cache import reports_cache

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2


class PipeClosed(Exception):
    """stdout's reader closed the pipe (``lf rows | head``). Not an OSError, so click's own
    handler, which exits 1 (the code of a failed gate), lets it by; the CLI exits 141."""


_STDOUT = "lf.stdout"  # the command's stdout, kept in its click context (see user_prints_to_stderr)


def stdout() -> Any:
    """The stream lf's own output goes to: the command's stdout, while what the LF modules
    print goes to stderr (:func:`user_prints_to_stderr`)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_STDOUT, sys.stdout) if ctx is not None else sys.stdout


def user_prints_to_stderr(callback: Any) -> Any:
    """``callback`` (a command's) with ``print`` in LF modules, at import or in an LF, sent to
    stderr: on stdout it went into the report's JSON or ``lf rows --json`` lines, making
    them unreadable. lf's own output goes to :func:`stdout`."""
    import functools

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        if sys.stdout is None:  # stdout closed (`>&-`): what is printed goes nowhere, as before
            return callback(*args, **kwargs)
        click.get_current_context().meta[_STDOUT] = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            return callback(*args, **kwargs)

    return run


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """The reader went away: the CLI's main exits 141 (rich's own exit is 1, a failed gate)."""
            self.quiet = True
            raise PipeClosed()

    # markup and emoji codes off: names, paths and labels in status lines are shown literally
    file = None if stderr else stdout()
    console = _Console(file=file, stderr=stderr, highlight=False, markup=False, emoji=False)
    if console.width < 1 or (not console.is_terminal and not _columns_asked()):
        # piped or captured: do not squeeze the table into 80 columns, unless COLUMNS says so
        width = 80 if console.is_terminal else 160
        console = _Console(file=file, stderr=stderr, highlight=False, markup=False, emoji=False, width=width)
    return console


def _columns_asked() -> bool:
    """Whether COLUMNS gives a width (COLUMNS=0, which rich would take as no room at all,
    counts as not set)."""
    columns = os.environ.get("COLUMNS", "").strip()
    return columns.isdecimal() and int(columns) > 0


_UNBROKEN = "\0"  # stands for a space no line may break at (no path holds a NUL)


def say(console: Any, text: str, keep: Sequence[object] = ()) -> None:
    """Print a status line as it is (never markup). On a terminal (or with COLUMNS set) it
    is wrapped at spaces to the width, the next lines indented: a path or a word is never
    cut, so it can be copied (``keep``: the paths in ``text``; their own spaces are no place
    to wrap either). Piped, it stays one line, for logs and grep. Control characters (ANSI
    and OSC sequences in a label name or path, line breaks) are shown as escapes."""
    from rich.text import Text

    from lf.display import one_line

    text, keep = one_line(text), [one_line(k) for k in keep]
    if not console.is_terminal and not _columns_asked():
        console.print(Text(text), soft_wrap=True)
        return
    for whole in map(str, keep):
        if " " in whole:
            text = text.replace(whole, whole.replace(" ", _UNBROKEN))
    width = max(20, int(console.width))
    for line in wrap_cells(text, width):
        console.print(Text(line.replace(_UNBROKEN, " ")), soft_wrap=True)


def wrap_cells(text: str, width: int, indent: str = "  ") -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells (a CJK character or an emoji
    takes two), broken at spaces only (not at :data:`_UNBROKEN`, one cell), the later lines
    indented; a word wider than a line has one of its own."""
    from rich.cells import cell_len

    def cells(s: str) -> int:
        return cell_len(s.replace(_UNBROKEN, " "))

    lines: list[str] = []
    line = ""
    for word in text.replace("\t", " ").split(" "):
        if not word:
            continue
        if line and cells(line) + 1 + cells(word) <= width:
            line += " " + word
        elif line:
            lines.append(line)
            line = indent + word
        else:
            line = word
    return [*lines, line]


def _apply_options(f: Any) -> Any:
    f = click.option("--lfs", "lfs_target", metavar="MODULE", help="LF module: a dotted module name, a .py file or a package folder (required, except by `lf report` on a saved matrix).")(f)
    f = click.option("--text-column", metavar="COLUMN", help="Expose this data column to the LFs as `text`.")(f)
    f = click.option("--id-column", metavar="COLUMN", help="Keep this column as row ids (and name ids in errors). Default: the data's `id` column, if any.")(f)
    f = click.option("--n-jobs", default=1, show_default=True, callback=_n_jobs, help="Worker processes (-1: one per CPU; at most 8 per CPU).")(f)
    f = click.option(
        "--engine", type=click.Choice(["local", "pool", "dask"]), default=None,
        help="Where LFs run: this process, a process pool (default with --n-jobs > 1) or a Dask cluster.",
    )(f)
    f = click.option(
        "--scheduler", metavar="tcp://HOST:PORT",
        help="Dask scheduler for --engine dask (default: a local cluster, --n-jobs workers or one per CPU).",
    )(f)
    f = click.option("--chunk-size", default=20_000, show_default=True, type=click.IntRange(min=1), help="Rows per chunk.")(f)
    f = click.option(
        "--on-error",
        type=click.Choice(["raise", "abstain"]),
        default="raise",
        show_default=True,
        help="On an LF exception: stop with the LF and row named, or count it as an abstain.",
    )(f)
    f = click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")(f)
    f = click.option(
        "--cache", "cache_dir", metavar="DIR",
        help="Keep each LF's labels per chunk in DIR: a re-run after editing LFs runs only the edited ones, "
        "and an interrupted run resumes from the chunks already labeled (not with lf label --engine dask).",
    )(f)
    return f


def _n_jobs(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """--n-jobs checked as the option it is (lf.apply's message names its `n_jobs`)."""
    if value != -1 and value < 1:
        raise click.BadParameter(f"{value} is not a number of worker processes: give 1 or more, or -1 for one per CPU.")
    from lf.apply import too_many_jobs

    problem = too_many_jobs(value) if value != -1 else None
    if problem is not None:
        raise click.BadParameter(problem)
    return value


def _source(data: tuple[str, ...]) -> Any:
    """DATA as lf.apply takes it: file paths (globs expanded, so that every check sees the
    files the run reads), or the name of a fetched dataset (`lf datasets list`)."""
    if len(data) == 1 and not Path(data[0]).exists():
        from lf.corpus import dataset_named

        loaded = dataset_named(data[0])
        if loaded is not None:
            return loaded
    from lf.corpus import expand_paths

    return expand_paths(data)


@reports_cache
def _apply(
    data: tuple[str, ...], lfs_target: str, opts: dict[str, Any], *, definitions: bool = False,
    outputs: Sequence[tuple[str, str]] = (),
) -> Any:
    """The label matrix of DATA; ``definitions``: with the LFs' definitions recorded
    (:attr:`lf.LabelMatrix.lf_fingerprints`), for a matrix saved to fit a model on.
    ``outputs``: the command's, checked against the files the LFs declare."""
    import lf

    lfs = lf.load_lfs(lfs_target)
    check_declared(outputs, lfs)
    id_column = opts["id_column"]
    if id_column is None and "id" in _data_columns(data):
        id_column = "id"  # the data's own ids name rows in errors and in outputs
    prints = None
    if definitions:  # before the run, as lf label takes them: an LF may fill its module's globals (a memo dict)
        from lf.apply.fingerprint import lf_definitions

        prints = lf_definitions(lfs)
    L = lf.apply(
        lfs,
        _source(data),
        engine=opts.get("engine_obj") or opts.get("engine"),
        n_jobs=opts["n_jobs"],
        chunk_size=opts["chunk_size"],
        on_error=opts["on_error"],
        progress=opts["progress"],
        text_column=opts["text_column"],
        id_column=id_column,
        cache=opts["cache_dir"],
    )
    if prints is not None:
        L.lf_fingerprints = prints
    return L


def check_declared(outputs: Sequence[tuple[str, str]], lfs: Any) -> None:
    """Before the LFs run: no output is a file they declare (``files=``), which they read."""
    from lf._label_checks import declared_files
    from lf.paths import check_outputs

    check_outputs([(option, path) for option, path in outputs if path], declared_files(lfs))


def _check_output(path: str, allowed: tuple[str, ...], what: str, option: str = "-o") -> None:
    """Fail before any work when an output has a file name the command cannot write."""
    if Path(path).suffix.lower() not in allowed:
        raise click.BadParameter(f"{path!r}: use a {' or '.join(allowed)} file name for the {what}.", param_hint=f"'{option}'")


def _data_columns(data: tuple[str, ...]) -> list[str]:
    """The columns of DATA's first file (its header only), or of the dataset named."""
    from lf.io import read_columns

    source = _source(data)
    if isinstance(source, list):
        return read_columns(source[0])
    return [str(c) for c in source.columns]


def _inputs(*groups: tuple[str, Sequence[str | Path]], lfs_target: str | None = None) -> list[tuple[str, str | Path]]:
    """``(what, path)`` for every file a command reads, for :func:`lf.paths.check_outputs`."""
    out = [(what, p) for what, paths in groups for p in paths]
    if lfs_target and Path(lfs_target).is_file():
        out.append(("--lfs", lfs_target))
    return out


def _folders(opts: dict[str, Any]) -> list[tuple[str, str]]:
    """Folders a command writes into: the LF cache, when asked for."""
    return [("--cache", opts["cache_dir"])] if opts.get("cache_dir") else []


def _print_report(L: Any, y: Any, model: Any, console: Any) -> None:
    from lf.report import print_report
    from lf.summary import summarize, totals

    print_report(summarize(L, y=y, model=model), totals(L), labels=L.labels, console=console)


@contextlib.contextmanager
def engine_from(opts: dict[str, Any]) -> Iterator[None]:
    """Put the engine --engine / --scheduler ask for into ``opts["engine_obj"]`` for the run."""
    if opts.get("scheduler") and opts.get("engine") != "dask":
        raise click.UsageError("--scheduler goes with --engine dask.")
    if opts.get("engine") != "dask":
        yield
        return
    from lf.apply.dask import DaskEngine, close, connect
    from lf.cli._signals import signals_deferred

    n_jobs = opts.get("n_jobs") or 1
    client = None
    failed = True
    try:
        # A cluster stopped while it starts could not be closed (distributed's exit handler
        # printed tracebacks about it): Ctrl-C then stops the run once it has started.
        with signals_deferred():
            client = connect(opts.get("scheduler"), n_jobs if n_jobs > 1 else None)
        if not opts.get("scheduler"):  # lf's own workers write to this terminal
            client.run(_workers_write_as_lf_does)
        opts["engine_obj"] = DaskEngine(client)
        yield
        failed = False
    finally:
        if client is not None:
            close(client, failed=failed)


def _workers_write_as_lf_does() -> None:
    """In a worker of the local cluster the CLI starts: a warning (an LF's, a library's it
    calls) is shown as the CLI shows its own (``warning: ...``, wrapped to the width), not
    in Python's format, one line as wide as the message, naming ``<dynamic-code>:7``; and
    what the LFs print goes to stderr, as in the CLI's own process (it went into the
    ``--json`` output on stdout)."""
    import warnings

    sys.stdout = sys.stderr

    if not os.environ.get("LF_TRACEBACK"):
        from lf.cli import _show_warning

        warnings.showwarning = _show_warning
