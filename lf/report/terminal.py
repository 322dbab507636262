"""The LF report as a rich table in the terminal.

Names and labels are shown literally (no rich markup) with bidi controls made visible.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from lf.display import plain, visible
from lf.report.record import LFRecord, record_of

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

__all__ = ["print_report"]


def _num(v: Any, fmt: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return format(v, fmt)


def print_report(
    summary: pd.DataFrame | LFRecord,
    totals: dict[str, Any],
    *,
    labels: Any = None,
    console: Console | None = None,
    title: str = "Labeling functions",
) -> None:
    """Print the per-LF table (from :func:`lf.summarize`'s frame or its record) and the totals."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    names = [visible(x) for x in labels] if labels else None
    table = Table(title=plain(title), title_justify="left")
    table.add_column("lf", style="bold", overflow="fold")
    for header in ("polarity", "coverage", "overlaps", "conflicts", "correct", "incorrect", "emp acc", "learned acc", "errors", "seconds"):
        table.add_column(header, justify="right", no_wrap=True)
    for row in (summary if isinstance(summary, LFRecord) else record_of(summary)).rows():
        pol = ", ".join(names[p] if names and p < len(names) else str(p) for p in row["polarity"]) or "-"
        table.add_row(
            plain(row["name"]),
            plain(pol),
            _num(row["coverage"], ".3f"),
            _num(row["overlaps"], ".3f"),
            _num(row["conflicts"], ".3f"),
            _num(row["correct"], "d"),
            _num(row["incorrect"], "d"),
            _num(row["emp_acc"], ".3f"),
            _num(row["learned_acc"], ".3f"),
            _num(row["errors"], "d"),
            _num(row["seconds"], ".3f"),
        )
    console.print(table)
    console.print(plain(
        f"{totals['rows']:,} rows x {totals['lfs']} LFs, {totals['cardinality']} classes"
        + (f" ({', '.join(names)})" if names else "")
        + f": coverage {totals['coverage']:.3f}, overlap {totals['overlap']:.3f}, "
        f"conflict {totals['conflict']:.3f}"
    ))
