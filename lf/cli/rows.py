"""``lf rows``: show the rows where an LF fires, two LFs conflict, an LF is wrong, or no LF votes."""

from __future__ import annotations

from typing import Any

import click

from lf.cli._checks import (
    check_columns,
    data_files,
    gold_after_run,
    gold_before_run,
    gold_for_library,
)
from lf.cli._shared import (
    _apply,
    _apply_options,
    _console,
    _folders,
    _inputs,
    _source,
    engine_from,
    stdout,
)
from lf.paths import check_outputs

__all__ = ["rows_cmd", "show_rows"]


def show_rows(frame: Any, console: Any, *, lf_name: str | None, total: int) -> None:
    """One header line per row (id, votes, gold) and its text cut around the match, which
    is highlighted; user text is never read as markup."""
    from rich.text import Text

    from lf.display import one_cell, visible
    from lf.rows import snippet

    width = max(40, min(int(console.width), 200))
    meta = [c for c in frame.columns if c not in ("row", "id", "text", "span_start", "span_end")]
    for rec in frame.to_dict("records"):
        head = Text(f"row {rec['row']:,}  id {one_cell(rec['id'])}", style="bold")  # a line break or tab in an id shown as \n, \t
        for col in meta:
            head.append(f"  {one_cell(col)}={one_cell(rec[col])}")
        console.print(head, soft_wrap=False, overflow="fold")
        if "text" in rec:
            # line breaks as spaces: a terminal would drop a bare \r, joining the words around it
            text = "" if not isinstance(rec["text"], str) else rec["text"].replace("\r", " ").replace("\n", " ")
            span = None
            if lf_name is not None and rec.get("span_start", -1) >= 0:
                span = (int(rec["span_start"]), int(rec["span_end"]))
            cut, where = snippet(text, span, 2 * width - 8, cells=True)  # two lines of the terminal
            # escapes made visible after the cut, so the match's span still points at it
            a, b = where or (len(cut), len(cut))
            before, match = visible(cut[:a]), visible(cut[a:b])
            body = Text("  " + before + match + visible(cut[b:]))
            if where is not None:
                body.stylize("bold reverse", len(before) + 2, len(before) + len(match) + 2)
            console.print(body, overflow="fold")
    shown = len(frame)
    noun = "row" if total == 1 else "rows"
    console.print(Text(f"{total:,} {noun} match; {shown:,} shown" if total else "no rows match"))


@click.command("rows")
@click.argument("data", nargs=-1, required=True)
@click.option("--lf", "lf_name", metavar="NAME", help="Rows where this LF votes.")
@click.option("--label", metavar="LABEL", help="Rows voted this label (by --lf, else by any LF): a name or class id.")
@click.option("--conflicts", metavar="A,B", help="Rows where LFs A and B both vote, differently.")
@click.option("--wrong", is_flag=True, help="Rows where --lf (else any LF) votes against --gold.")
@click.option("--gold", metavar="COLUMN", help="Data column with gold labels (for --wrong; shown per row).")
@click.option("--uncovered", is_flag=True, help="Rows no LF votes on.")
@click.option("-n", "limit", default=20, show_default=True, type=click.IntRange(min=1), help="Rows to show at most, spread over the data.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per row (JSON Lines) instead of text.")
@_apply_options
def rows_cmd(
    data: tuple[str, ...], lf_name: str | None, label: str | None, conflicts: str | None, wrong: bool,
    gold: str | None, uncovered: bool, limit: int, as_json: bool, lfs_target: str | None, **opts: Any,
) -> None:
    """Show rows of DATA selected by the votes of the LFs of --lfs MODULE.

    Filters combine (all must hold). A keyword_lf / regex_lf match is highlighted and the
    text is cut around it.
    """
    import json

    import lf
    from lf.rows import rows, select_rows

    if not lfs_target:
        raise click.UsageError("Missing option '--lfs': the LF module to apply.")
    if wrong and not gold:
        raise click.UsageError("--wrong needs --gold COLUMN: the data column with gold labels.")
    voted = [opt for opt, given in (("--lf", lf_name), ("--label", label), ("--conflicts", conflicts), ("--wrong", wrong)) if given]
    if uncovered and voted:  # filters combine: no row could ever match
        raise click.UsageError(
            f"--uncovered selects rows no LF votes on, and {', '.join(voted)} rows some LF votes on: no row is "
            "both. Drop one of them."
        )
    pair = None
    if conflicts is not None:
        pair = [p.strip() for p in conflicts.split(",")]
        if len(pair) != 2 or not all(pair) or pair[0] == pair[1]:
            raise click.BadParameter(f"{conflicts!r}: name two different LFs, e.g. 'has_link,short_text'.", param_hint="'--conflicts'")
    check_outputs([], _inputs(("DATA", data_files(data)), lfs_target=lfs_target), folders=_folders(opts))
    text_column = opts["text_column"]
    check_columns(data, "DATA", [("--id-column", opts["id_column"]), ("--gold", gold)], text_column=text_column)
    lfs = lf.load_lfs(lfs_target)
    names = [x.name for x in lfs]
    for option, name in [("--lf", lf_name), *(("--conflicts", p) for p in pair or [])]:
        if name is not None and name not in names:
            raise click.BadParameter(f"{name!r} is not an LF of {lfs_target!r}. LFs: {', '.join(names)}.", param_hint=f"'{option}'")
    if label is not None:  # before any LF runs: a name of LABELS, or a class id in range
        from lf.gold import gold_ids

        gold_ids([label], lfs.labels, len(lfs.labels) if lfs.labels else None, what="--label")
    values = gold_before_run(data, "--gold", gold, lfs.labels) if gold else None
    with engine_from(opts):  # --engine dask: lf's own local cluster, or --scheduler's
        L = _apply(data, lfs_target, opts)
    y = gold_for_library(gold_after_run(values, "--gold", str(gold), L), L) if values is not None else None
    filters: dict[str, Any] = {"lf": lf_name, "label": label, "conflicts": pair, "wrong": wrong, "y": y, "uncovered": uncovered}
    total = int(select_rows(L, **filters).shape[0])
    column = text_column or "text"
    frame = rows(L, _source(data), n=limit, lfs=list(lfs), text_column=column, id_column=opts["id_column"], **filters)
    if as_json:
        for rec in frame.to_dict("records"):
            click.echo(json.dumps({k: _plain(v) for k, v in rec.items()}, ensure_ascii=False, allow_nan=False), file=stdout())
        return
    show_rows(frame, _console(), lf_name=lf_name, total=total)


def _plain(v: Any) -> Any:
    """A JSON value: numpy scalars as Python ones, a missing value (NaN, NA) as null."""
    from lf._matrix_io import is_missing

    v = v.item() if hasattr(v, "item") else v
    return None if is_missing(v) else v
