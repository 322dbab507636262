"""The report as plain JSON-able data (``lf report --json``).

Schema (version 1)::

    {"schema": "lf.report/1",
     "totals": {"rows", "lfs", "cardinality", "coverage", "overlap", "conflict"},
     "labels": [names] | null,
     "lfs": [{"name", "polarity": [ints], "coverage", "overlaps", "conflicts",
              "correct", "incorrect", "emp_acc", "learned_acc", "errors", "seconds"}]}

Numbers that do not apply (no gold labels, no model) are ``null``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCHEMA", "report_dict"]

SCHEMA = "lf.report/1"


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    try:
        import pandas as pd

        if v is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def report_dict(summary: pd.DataFrame, totals: dict[str, Any], labels: Any = None) -> dict[str, Any]:
    lfs = []
    for name, row in summary.iterrows():
        entry = {"name": str(name)}
        entry.update({col: _plain(row[col]) for col in summary.columns})
        lfs.append(entry)
    return {
        "schema": SCHEMA,
        "totals": {k: _plain(v) for k, v in totals.items()},
        "labels": list(labels) if labels else None,
        "lfs": lfs,
    }
