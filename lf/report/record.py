"""The per-LF numbers of a report as one typed record of arrays (one entry per LF).

:func:`lf.summarize` builds its DataFrame from this record; the terminal, JSON and HTML
reports read it back with :func:`record_of` and walk plain arrays, where a missing value
is NaN (fractions) or None (counts without gold labels), never a pandas ``NA``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LFRecord", "record_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class LFRecord:
    """Per-LF arrays, in LF order. ``correct`` / ``incorrect`` are None without gold labels."""

    names: tuple[str, ...]
    polarity: tuple[tuple[int, ...], ...]
    coverage: FloatArray
    overlaps: FloatArray
    conflicts: FloatArray
    correct: IntArray | None
    incorrect: IntArray | None
    emp_acc: FloatArray
    learned_acc: FloatArray
    errors: IntArray
    seconds: FloatArray
    emp_acc_n: IntArray | None = None  # gold rows behind emp_acc (None without gold labels)
    emp_acc_low: FloatArray | None = None  # emp_acc's 95% Wilson interval
    emp_acc_high: FloatArray | None = None

    def rows(self) -> Iterator[dict[str, Any]]:
        """One dict per LF of plain Python values (None where a value is missing)."""
        for j, name in enumerate(self.names):
            yield {
                "name": name,
                "polarity": list(self.polarity[j]),
                "coverage": _f(self.coverage[j]),
                "overlaps": _f(self.overlaps[j]),
                "conflicts": _f(self.conflicts[j]),
                "correct": None if self.correct is None else int(self.correct[j]),
                "incorrect": None if self.incorrect is None else int(self.incorrect[j]),
                "emp_acc": _f(self.emp_acc[j]),
                "emp_acc_n": None if self.emp_acc_n is None else int(self.emp_acc_n[j]),
                "emp_acc_low": None if self.emp_acc_low is None else _f(self.emp_acc_low[j]),
                "emp_acc_high": None if self.emp_acc_high is None else _f(self.emp_acc_high[j]),
                "learned_acc": _f(self.learned_acc[j]),
                "errors": int(self.errors[j]),
                "seconds": _f(self.seconds[j]),
            }


def _f(v: Any) -> float | None:
    x = float(v)
    return None if math.isnan(x) else x


def _counts(column: pd.Series) -> IntArray | None:
    if column.isna().all():
        return None
    return np.asarray(column.fillna(0).to_numpy(dtype=np.int64), dtype=np.int64)


def record_of(summary: pd.DataFrame) -> LFRecord:
    """The record of a :func:`lf.summarize` DataFrame (index: LF names)."""

    def floats(col: str) -> FloatArray:
        return np.asarray(summary[col].to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)

    return LFRecord(
        names=tuple(str(x) for x in summary.index),
        polarity=tuple(tuple(int(p) for p in pol) for pol in summary["polarity"]),
        coverage=floats("coverage"),
        overlaps=floats("overlaps"),
        conflicts=floats("conflicts"),
        correct=_counts(summary["correct"]),
        incorrect=_counts(summary["incorrect"]),
        emp_acc=floats("emp_acc"),
        learned_acc=floats("learned_acc"),
        errors=np.asarray(summary["errors"].to_numpy(dtype=np.int64), dtype=np.int64),
        seconds=floats("seconds"),
        emp_acc_n=_counts(summary["emp_acc_n"]) if "emp_acc_n" in summary else None,
        emp_acc_low=floats("emp_acc_low") if "emp_acc_low" in summary else None,
        emp_acc_high=floats("emp_acc_high") if "emp_acc_high" in summary else None,
    )
