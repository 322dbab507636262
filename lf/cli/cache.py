"""``lf cache info | clear DIR``, and the lines a run with ``--cache`` prints on stderr."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec

import click

__all__ = ["cache_group", "reports_cache"]

P = ParamSpec("P")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


@click.group("cache")
def cache_group() -> None:
    """Inspect or empty an LF cache folder (the DIR of --cache) or a spaCy Doc cache."""


def _doc_cache_lines(folder: str) -> list[str]:
    """What a spaCy Doc cache folder (``nlp_labeling_function(doc_cache=DIR)``) holds."""
    from lf.doc_cache import doc_cache_info

    records = doc_cache_info(folder)
    lines = [f"Doc cache {folder}", f"pipelines {len(records)}"]
    for r in records:
        components = (",".join(r["components"]) or "tokenizer only") if "components" in r else "components unknown"
        state = f", state {str(r['content'])[:8]}" if r.get("content") else ""  # one per edit of the pipeline
        lines.append(f"  {r.get('name', '?')} {r.get('version', '?')} (spaCy {r.get('spacy', '?')}): {components}{state}")
        lines.append(f"    {r['docs']:,} Docs in {r['segments']:,} segments ({_size(r['bytes'])})")
    return lines


@cache_group.command("info")
@click.argument("folder", metavar="DIR")
def info_cmd(folder: str) -> None:
    """Entries, size, LFs and age of the LF cache in DIR (or the Docs of a spaCy Doc cache)."""
    from rich.text import Text

    from lf.apply.cache import cache_info, describe_age
    from lf.display import one_line
    from lf.doc_cache import is_doc_cache

    if is_doc_cache(folder):
        from lf.cli._shared import _console

        for line in _doc_cache_lines(folder):  # a pipeline's name and version are its authors' text
            _console().print(Text(one_line(line)), width=80, overflow="fold")
        return
    info = cache_info(folder)
    lines = [
        f"cache   {info.folder}",
        f"entries {info.entries:,} ({_size(info.bytes)})",
        f"LFs     {len(info.lfs)} ({info.fingerprints} fingerprints: versions of their code and inputs)",
        f"oldest  {describe_age(info.oldest)}",
        f"newest  {describe_age(info.newest)}",
    ]
    from lf.cli._shared import _console

    console = _console()
    for line in lines:
        console.print(Text(one_line(line)), width=80, overflow="fold")


@cache_group.command("clear")
@click.argument("folder", metavar="DIR")
def clear_cmd(folder: str) -> None:
    """Remove every entry of the LF cache (or spaCy Doc cache) in DIR, and nothing else."""
    from lf.apply.cache import clear_cache
    from lf.cli._shared import _console, say
    from lf.doc_cache import clear_doc_cache, is_doc_cache

    # a status line: the folder never cut at its spaces (it is copied into the next command)
    if is_doc_cache(folder):
        freed = clear_doc_cache(folder)
        say(_console(), f"removed the cached Docs ({_size(freed)}) from {folder}", keep=[folder])
        return
    entries, size = clear_cache(folder)
    say(_console(), f"removed {entries:,} entries ({_size(size)}) from {folder}", keep=[folder])


def reports_cache(apply: Callable[P, Any]) -> Callable[P, Any]:
    """Wrap the CLI's apply step: a warning raised in it (a damaged cache entry, a model
    that did not converge ...) becomes one stderr line (wrapped to the console's width), not
    a Python warning, and a run with --cache says how many LF x chunk results it reused."""

    @functools.wraps(apply)
    def run(*args: P.args, **kwargs: P.kwargs) -> Any:

        from lf.apply.cache import LFCacheWarning
        from lf.cli._shared import _console, say

        console = _console(stderr=True)
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", LFCacheWarning)
                matrix = apply(*args, **kwargs)
        finally:
            # Shown only once the recorder is gone: inside the block, showing a warning
            # records it again (a loop that grew until memory ran out).
            for w in caught:
                if issubclass(w.category, LFCacheWarning):
                    text = str(w.message)  # the entry's path is quoted: never wrapped inside
                    say(console, f"warning: {text}", keep=re.findall(r"'[^']*'", text))
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        stats = getattr(matrix, "cache_stats", None)
        if stats is not None:
            say(console, str(stats), keep=[stats.folder])
        return matrix

    return run
