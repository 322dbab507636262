"""The ``lf`` command line: thin over the library.

Commands: ``apply``, ``label``, ``fit`` (lf/cli/labeling.py), ``report`` (report.py) and
``datasets`` (datasets.py). Exit codes: 0 success; 1 a quality gate failed (``lf report``
gates); 2 bad input or usage (missing file, unknown format, missing column, bad option
value, failing LF).
"""

from __future__ import annotations

import os

import click

from lf.cli._shared import EXIT_GATE, EXIT_OK, EXIT_USAGE, _console
from lf.cli.datasets import datasets_group
from lf.cli.labeling import apply_cmd, fit_cmd, label_cmd
from lf.cli.report import report_cmd
from lf.cli.suggest import suggest_cmd
from lf.cli.train import predict_cmd, train_cmd
from lf.errors import LFError

__all__ = ["EXIT_GATE", "EXIT_OK", "EXIT_USAGE", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lf", prog_name="lf")
def cli() -> None:
    """lf: write labeling functions, apply them fast, see which one to fix next."""


for _command in (apply_cmd, label_cmd, fit_cmd, report_cmd, datasets_group):
    cli.add_command(_command)
cli.add_command(suggest_cmd)
cli.add_command(train_cmd)
cli.add_command(predict_cmd)


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

