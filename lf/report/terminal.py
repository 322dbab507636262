"""The LF report as rich tables in the terminal, fitted to its width.

Names and labels are shown literally (no rich markup) with bidi controls made visible.
The LF name column never shrinks to nothing: columns that hold nothing are left out,
headers are abbreviated below 120 columns, and when the numbers still do not fit the
table is wrapped into several tables that each repeat the LF names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lf.display import label_word, one_cell, plain, visible
from lf.intervals import format_bounds, format_fraction
from lf.report.record import LFRecord, record_of

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

__all__ = ["plural", "print_report", "totals_line"]

NAME_MIN = 12  # the LF name column is at least this wide (or as wide as the longest name)
POLARITY_SHOWN = 3  # label names listed per LF before "+N"
LABELS_SHOWN = 5  # label names listed in the totals line


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows`` (``nouns``: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _num(v: Any, fmt: str) -> str:
    """``v`` formatted; ``fmt`` "fraction": 3 decimals, never reading as 0 or 1 unless it is."""
    if _missing(v):
        return "-"
    return format_fraction(float(v)) if fmt == "fraction" else format(v, fmt)


@dataclass(frozen=True)
class _Column:
    wide: str
    narrow: str
    cells: list[str]
    fold: bool = False  # user text (label names): folded to the room there is, never cut

    def width(self, narrow: bool) -> int:
        """Terminal cells, not characters: a CJK character or an emoji takes two."""
        from rich.cells import cell_len

        return max(cell_len(self.narrow if narrow else self.wide), *map(cell_len, self.cells)) if self.cells else 1

    def room(self, narrow: bool, room: int) -> int:
        """The cells it takes (padding and separator included) in a table with ``room``
        cells beside the name column: a column of label names wider than that folds."""
        taken = self.width(narrow) + 3
        return min(taken, max(room, 4)) if self.fold else taken


def _interval(row: dict[str, Any]) -> str:
    if _missing(row["emp_acc_low"]) or _missing(row["emp_acc_high"]):
        return "-"
    return "-".join(format_bounds(row["emp_acc_low"], row["emp_acc_high"]))


def _polarity(pol: Any, names: list[str] | None) -> str:
    shown = [label_word(names[p]) if names and p < len(names) else str(p) for p in list(pol)[:POLARITY_SHOWN]]
    more = len(pol) - len(shown)
    return (", ".join(shown) + (f" +{more}" if more > 0 else "")) or "-"


def _columns(record: LFRecord, names: list[str] | None) -> list[_Column]:
    rows = list(record.rows())

    def col(wide: str, narrow: str, key: str, fmt: str) -> _Column:
        return _Column(wide, narrow, [_num(r[key], fmt) for r in rows])

    cols = [
        _Column("polarity", "pol", [visible(_polarity(r["polarity"], names)) for r in rows], fold=True),
        col("coverage", "cov", "coverage", "fraction"),
        col("overlaps", "ovl", "overlaps", "fraction"),
        col("conflicts", "conf", "conflicts", "fraction"),
    ]
    if record.correct is not None:
        cols += [
            col("correct", "ok", "correct", "d"),
            col("incorrect", "bad", "incorrect", "d"),
            col("emp acc", "acc", "emp_acc", "fraction"),
        ]
        if record.emp_acc_low is not None:
            cols.append(_Column("95% interval", "95% CI", [_interval(r) for r in rows]))
    if not np.isnan(record.learned_acc).all():
        cols.append(col("learned acc", "learn", "learned_acc", "fraction"))
    if int(record.errors.sum()) > 0:
        cols.append(col("errors", "err", "errors", "d"))
    if not np.isnan(record.seconds).all():
        cols.append(col("seconds", "sec", "seconds", ".2f"))
    return cols


def _layout(cols: list[_Column], narrow: bool, width: int, longest: int) -> tuple[int, list[list[_Column]]]:
    """The widest name column (up to the longest name, at least ``NAME_MIN``) that needs
    no more tables than the narrowest one does, and the columns of each table."""
    widest = min(max(longest, 2), max(NAME_MIN, width // 3))
    fewest = len(_groups(cols, narrow, width - min(widest, NAME_MIN) - 3))
    for name_w in range(widest, min(widest, NAME_MIN) - 1, -1):
        groups = _groups(cols, narrow, width - name_w - 3)
        if len(groups) == fewest:
            return name_w, groups
    return NAME_MIN, _groups(cols, narrow, width - NAME_MIN - 3)  # pragma: no cover


def _groups(cols: list[_Column], narrow: bool, room: int) -> list[list[_Column]]:
    """Columns packed into tables of at most ``room`` characters beside the name column."""
    groups: list[list[_Column]] = [[]]
    used = 0
    for c in cols:
        w = c.room(narrow, room)  # padding and the column separator included
        if groups[-1] and used + w > room:
            groups.append([])
            used = 0
        groups[-1].append(c)
        used += w
    return groups


def print_report(
    summary: pd.DataFrame | LFRecord,
    totals: dict[str, Any],
    *,
    labels: Any = None,
    console: Console | None = None,
    title: str = "Labeling functions",
) -> None:
    """Print the per-LF table (wrapped to fit the console) and the whole-matrix totals
    (``summary``: :func:`lf.summarize`'s DataFrame, or its record)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    width = int(console.width)
    record = summary if isinstance(summary, LFRecord) else record_of(summary)
    names = [visible(x) for x in labels] if labels else None
    lf_names = [one_cell(n) for n in record.names]
    cols = _columns(record, names)
    narrow = width < 120
    if narrow:  # correct + incorrect is the n behind the interval: one column, not two
        cols = [c for c in cols if c.wide not in ("correct", "incorrect")]
        if any(c.wide == "emp acc" for c in cols) and record.correct is not None and record.incorrect is not None:
            n_col = _Column("n", "n", [_num(int(r), "d") for r in record.correct + record.incorrect])
            cols.insert(next(i for i, c in enumerate(cols) if c.wide == "emp acc") + 1, n_col)
    from rich.cells import cell_len

    name_w, groups = _layout(cols, narrow, width, max(map(cell_len, lf_names), default=2))
    for i, group in enumerate(groups):
        part = f" ({i + 1}/{len(groups)})" if len(groups) > 1 else ""
        table = Table(  # at least as wide as its title, which would fold onto two lines
            title=plain(title + part), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
            min_width=min(cell_len(title + part), width),
        )
        table.add_column("lf", style="bold", overflow="fold", min_width=name_w, max_width=name_w)
        for c in group:
            fits = c.room(narrow, width - name_w - 3) - 3
            table.add_column(c.narrow if narrow else c.wide, justify="right", overflow="fold", no_wrap=not c.fold, max_width=fits)
        for r, name in enumerate(lf_names):
            table.add_row(plain(name), *(plain(c.cells[r]) for c in group))
        console.print(table)
    console.print(plain(totals_line(totals, names)), overflow="fold")


def totals_line(totals: dict[str, Any], names: list[str] | None = None) -> str:
    """``1,000 rows x 3 LFs, 2 classes (HAM, SPAM): coverage 0.912, ...`` (pluralised;
    past five label names, the rest are counted)."""
    k = int(totals["cardinality"])
    shown = ""
    if names:
        listed = ", ".join(map(label_word, names[:LABELS_SHOWN])) + (f" +{len(names) - LABELS_SHOWN} more" if len(names) > LABELS_SHOWN else "")
        shown = f" ({listed})"
    return (
        f"{plural(int(totals['rows']), 'row')} x {plural(int(totals['lfs']), 'LF')}, {plural(k, 'class', 'classes')}"
        f"{shown}: coverage {format_fraction(totals['coverage'])}, overlap {format_fraction(totals['overlap'])}, "
        f"conflict {format_fraction(totals['conflict'])}"
    )
