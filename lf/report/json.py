"""The report as plain JSON-able data (``lf report --json``).

Schema (version 2; ``docs/report.md`` documents every field)::

    {"schema": "lf.report/2",
     "totals": {"rows", "lfs", "cardinality", "coverage", "overlap", "conflict"},
     "labels": [names] | null,
     "model": {"name", "label_counts": [ints], "abstained",
               "scores": {"accuracy", "f1", "coverage", "brier", "ece"} | null,
               "reliability": {"counts", "confidence", "accuracy"} | null,
               "warnings": [texts],
               "correlated_pairs": [{"lfs", "votes", "rows", "expected"}] | null,
               "dependencies": {"source", "pairs": [[name, name]]} | null} | null,
     "gold_label_counts": [ints] | null,
     "conflict_matrix": [[fractions]] (m x m) | null,
     "gates": [{"gate", "option", "threshold", "actual", "lf", "passed"}],
     "lfs": [{"name", "polarity": [ints], "coverage", "overlaps", "conflicts",
              "correct", "incorrect", "emp_acc", "learned_acc", "errors", "seconds"}]}

Numbers that do not apply (no gold labels, no model) are ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from lf.report.data import ReportData
    from lf.report.gates import GateResult

__all__ = ["SCHEMA", "report_dict", "report_document"]

SCHEMA = "lf.report/2"


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
    """The schema's core from a summary alone: ``model``, ``gold_label_counts``,
    ``conflict_matrix`` are null and ``gates`` is empty (see :func:`report_document`)."""
    from lf.report.record import record_of

    lfs = [{key: _plain(value) for key, value in row.items()} for row in record_of(summary).rows()]
    return {
        "schema": SCHEMA,
        "totals": {k: _plain(v) for k, v in totals.items()},
        "labels": list(labels) if labels else None,
        "model": None,
        "gold_label_counts": None,
        "conflict_matrix": None,
        "gates": [],
        "lfs": lfs,
    }


def report_document(data: ReportData, gates: Sequence[GateResult] = (), labels: Any = None) -> dict[str, Any]:
    """The full ``lf.report/2`` document of a :class:`~lf.report.data.ReportData`."""
    from lf.report.data import label_counts

    k = int(data.totals["cardinality"])
    doc = report_dict(data.summary, data.totals, labels)
    if data.predictions is not None:
        doc["model"] = {
            "name": data.model_name,
            "label_counts": label_counts(data.predictions, k).tolist(),
            "abstained": int((data.predictions < 0).sum()),
            "scores": None if data.model_scores is None else {k: _plain(v) for k, v in data.model_scores.items()},
            "reliability": None if data.reliability is None else {
                "counts": data.reliability.counts,
                "confidence": [_plain(v) for v in data.reliability.confidence],
                "accuracy": [_plain(v) for v in data.reliability.accuracy],
            },
            "warnings": list(data.model_warnings),
            "correlated_pairs": None if data.correlated is None else [
                {"lfs": [c.first, c.second], "votes": list(c.votes), "rows": c.rows, "expected": c.expected}
                for c in data.correlated
            ],
            "dependencies": None if data.dependencies is None else {
                "source": data.dependencies_source, "pairs": [list(pair) for pair in data.dependencies],
            },
        }
    if data.gold is not None:
        doc["gold_label_counts"] = label_counts(data.gold, k).tolist()
    if data.conflicts is not None:
        # 6 significant digits, not decimals: a pair at odds on 1 row in 2,000,000 is not 0
        doc["conflict_matrix"] = [[float(f"{float(v):.6g}") for v in row] for row in data.conflicts]
    doc["gates"] = [g.as_dict() for g in gates]
    return doc
