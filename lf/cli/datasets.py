"""``lf datasets list`` and ``lf datasets fetch``."""

from __future__ import annotations

import click

from lf.cli._shared import _console, say

__all__ = ["datasets_group"]


@click.group("datasets")
def datasets_group() -> None:
    """List the datasets lf knows and fetch them into the local data cache."""


@datasets_group.command("list")
@click.option("--data-home", metavar="DIR", help="Data cache folder (default: $LF_DATA_HOME, else the user cache dir).")
def datasets_list_cmd(data_home: str | None) -> None:
    """Show each dataset: rows, files, whether it is fetched, and what it is."""
    from rich.table import Table

    from lf.display import plain
    from lf.manifest import data_home as resolve_home
    from lf.manifest import get_manifest, is_fetched, list_datasets

    table = Table(title=plain(f"datasets (data home: {resolve_home(data_home)})"), title_justify="left")
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
    say(_console(stderr=True), f"{name}: files verified in {done.path} ({', '.join(parts)})", keep=[done.path])
