"""The ``lf`` command line: thin over the library.

Commands: ``apply``, ``label``, ``fit`` (lf/cli/labeling.py), ``report`` (report.py),
``rows`` (rows.py), ``sample`` (sample.py), ``labelstudio`` (labelstudio.py), ``suggest``
(suggest.py), ``train`` and ``predict`` (train.py), ``cache`` (cache.py) and ``datasets``
(datasets.py).

Every failure is one line on stderr; ``LF_TRACEBACK=1`` re-raises it for the traceback.
Exit codes:

- 0 success;
- 1 a quality gate failed (``lf report`` gates);
- 2 bad input or usage: a usage error, any :class:`~lf.errors.LFError` (missing file,
  unknown format, missing column, bad option value, failing LF ...), or an ``OSError``
  the library did not turn into one (shown as "Cannot access PATH: reason.");
- 2 also for any other exception, which is a bug (in lf, or a library it calls, with an
  input lf failed to check): it is shown as "internal error: TYPE: message (run again
  with LF_TRACEBACK=1 for the traceback)" rather than passed off as an input problem. It
  keeps code 2 so that scripts see one code for "lf did not do it" and 1 stays the gate's;
- 130 interrupted (Ctrl-C): "interrupted", and no output file is left half written;
- 141 the reader of the output went away (``lf rows ... | head``): nothing more is
  printed. 128 + SIGPIPE, as a shell reports ``cat`` stopped the same way; rich and click
  would exit 1, the code of a failed gate.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import click

from lf.cli._shared import (
    EXIT_GATE,
    EXIT_OK,
    EXIT_USAGE,
    PipeClosed,
    _console,
    user_prints_to_stderr,
)
from lf.cli._signals import signal_behind, sigterm_unwinds
from lf.cli.cache import cache_group
from lf.cli.datasets import datasets_group
from lf.cli.labeling import apply_cmd, fit_cmd, label_cmd
from lf.cli.labelstudio import labelstudio_group
from lf.cli.report import report_cmd
from lf.cli.rows import rows_cmd
from lf.cli.sample import sample_cmd
from lf.cli.suggest import suggest_cmd
from lf.cli.train import predict_cmd, train_cmd
from lf.errors import ON_ERROR_HINT, LFError

__all__ = ["EXIT_GATE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_PIPE_CLOSED", "EXIT_USAGE", "cli", "main"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE


class _Group(click.Group):
    """The ``lf`` group: a closed stdout anywhere in a command becomes :class:`PipeClosed`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            if _stdout_closed():
                raise PipeClosed() from None
            # another pipe (a worker's): an error like any other, which click would end with
            # exit 1 and no word (it takes every EPIPE for a closed stdout)
            raise _OtherPipe(exc) from exc


class _OtherPipe(Exception):
    """A BrokenPipeError that is not stdout's, carried past click's handler."""


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (poll reports an error on it)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):  # no poll, no file descriptor
        return False


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lf", prog_name="lf")
def cli() -> None:
    """lf: write labeling functions, apply them fast, see which one to fix next."""


for _command in (apply_cmd, label_cmd, fit_cmd, report_cmd, datasets_group, cache_group):
    cli.add_command(_command)
cli.add_command(suggest_cmd)
cli.add_command(train_cmd)
cli.add_command(predict_cmd)
cli.add_command(rows_cmd)
cli.add_command(sample_cmd)
cli.add_command(labelstudio_group)


def _route_user_prints(command: click.Command) -> None:
    """Every command's callback sends the LF modules' prints to stderr (see user_prints_to_stderr)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _route_user_prints(sub)
    elif command.callback is not None:
        command.callback = user_prints_to_stderr(command.callback)


_route_user_prints(cli)


# click >= 8.2 raises this for a group called without a command (its message is the help)
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _error(message: str, label: str = "error:", style: str = "bold red") -> None:
    """``label message`` as one stderr line (the message's line breaks and controls escaped)."""
    from rich.text import Text

    from lf.display import one_line

    line = Text.assemble((label, style), " ", one_line(message))
    _console(stderr=True).print(line, soft_wrap=True)


def _os_error(exc: OSError) -> str:
    """An OSError as one line naming the path: "Cannot access 'x.csv': Permission denied"."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return f"{reason}."
    target = f"{exc.filename!s}" + (f" -> {exc.filename2!s}" if exc.filename2 is not None else "")
    return f"Cannot access {target!r}: {reason}."


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; every failure is one line on stderr (see the module docstring).

    SIGTERM stops a command like Ctrl-C does (workers stopped, temporary files removed), then
    the process ends as terminated by SIGTERM (see lf/cli/_signals.py).
    """
    with sigterm_unwinds(), _unencodable_escaped(), warnings.catch_warnings():
        if not os.environ.get("LF_TRACEBACK"):  # else Python's format, naming the line that warned
            warnings.showwarning = _show_warning
        code = _main(argv)
        if code != EXIT_OK:
            # A failed or interrupted run's frames stay in a cycle with its error, and with them
            # the data readers (pyarrow reading ahead in its threads): stopped at exit, after
            # pyarrow had shut its threads, they hung the process or aborted it. Stop them now.
            gc.collect()
        return code


@contextlib.contextmanager
def _unencodable_escaped() -> Iterator[None]:
    """While a command runs, a character stdout or stderr cannot encode is written as its
    escape (``caf\\xe9``) instead of ending the command with a UnicodeEncodeError:
    ``PYTHONIOENCODING=ascii``, a C locale without UTF-8 mode, or a file name that is not
    UTF-8 (held as surrogates) printed to a UTF-8 stream. Files are written as UTF-8
    whatever the streams' encoding. The streams' error handlers are restored after."""
    changed = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)  # surrogateescape: a C locale's, which fails on "é"
        if errors in ("strict", "surrogateescape") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):  # a stream that cannot be reconfigured is left as it is
                stream.reconfigure(errors="backslashreplace")
                changed.append((stream, errors))
    try:
        yield
    finally:
        for stream, errors in changed:
            with contextlib.suppress(Exception):
                stream.reconfigure(errors=errors)


_QUOTED = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)")  # a quoted name or path, not "the LFs' votes"


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """A warning as one stderr message (``warning: ...``), not Python's two lines naming lf's
    own source file: wrapped to the width on a terminal or with COLUMNS set, as every status
    line is (a quoted LF name or path is never broken), one line when piped."""
    from lf.cli._shared import say

    text = str(message)
    say(_console(stderr=True), f"warning: {text}", keep=_QUOTED.findall(text))


def _main(argv: list[str] | None) -> int:
    try:
        from lf.paths import check_utf8_name

        for arg in sys.argv[1:] if argv is None else argv:  # paths first of all
            check_utf8_name("The argument", arg)
        try:
            code = cli.main(args=argv, prog_name="lf", standalone_mode=False)
        except _OtherPipe as wrapped:
            raise wrapped.args[0] from None
        except Exception as exc:  # Ctrl-C or SIGTERM that came back wrapped ends the command as itself
            stop = signal_behind(exc)
            if stop is None:
                raise
            raise stop from None
        if isinstance(code, int):  # a command's ctx.exit(n) / Exit(n), e.g. a failed report gate
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except _NO_ARGS_IS_HELP as exc:  # `lf`, `lf cache` alone: the help, as click 8.1 and --help show it
        click.echo(exc.format_message())
        return EXIT_OK
    except click.UsageError as exc:  # one line, like every other input error
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else " (see 'lf --help')"
        _error(exc.format_message() + hint)
        return EXIT_USAGE
    except click.ClickException as exc:
        _error(exc.format_message())
        return EXIT_USAGE
    except PipeClosed:
        with contextlib.suppress(OSError):  # what is still buffered goes nowhere, quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        if os.environ.get("LF_TRACEBACK"):
            raise
        _console(stderr=True).print("interrupted")
        return EXIT_INTERRUPTED
    except LFError as exc:
        if os.environ.get("LF_TRACEBACK"):
            raise
        _error(_cli_message(exc, sys.argv[1:] if argv is None else argv))
        return EXIT_USAGE
    except OSError as exc:
        if os.environ.get("LF_TRACEBACK"):
            raise
        _error(_os_error(exc))
        return EXIT_USAGE
    except Exception as exc:  # a bug: one line, and how to see where it came from
        if os.environ.get("LF_TRACEBACK"):
            raise
        _error(f"{type(exc).__name__}: {exc} (run again with LF_TRACEBACK=1 for the traceback)", "internal error:")
        return EXIT_USAGE
    return EXIT_OK


def _cli_message(exc: LFError, argv: list[str]) -> str:
    """The error's message in the command line's words: an LF's failure names the command's
    ``--on-error abstain`` rather than the Python parameter, or, for a command without that
    option (``lf suggest``'s ``--lfs``), only the fix of the LF."""
    text = str(exc)
    if ON_ERROR_HINT not in text:
        return text
    command: click.Command = cli
    words = list(argv)
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    if any("--on-error" in p.opts for p in command.params):
        return text.replace(ON_ERROR_HINT, "add --on-error abstain")
    return re.sub(rf", or {re.escape(ON_ERROR_HINT)} to count [^.]*\.", ".", text)
