"""Quality gates for CI: thresholds on coverage and conflict that a label matrix must meet.

``lf report --min-coverage 0.8 --max-conflict 0.1 --min-lf-coverage 0.01`` prints the report,
then one line per failed gate, and exits 1 when any gate fails.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from lf.errors import ParameterError

__all__ = ["GATES", "Gate", "GateResult", "check_gates", "format_failure"]


class Gate(NamedTuple):
    """One kind of gate: its name, the CLI option, what it reads and which way it fails."""

    name: str
    option: str
    measure: str  # "coverage" or "conflict"
    per_lf: bool
    minimum: bool  # True: actual must be >= threshold; False: actual must be <= threshold


GATES: dict[str, Gate] = {
    g.name: g
    for g in (
        Gate("min_coverage", "--min-coverage", "coverage", per_lf=False, minimum=True),
        Gate("max_conflict", "--max-conflict", "conflict", per_lf=False, minimum=False),
        Gate("min_lf_coverage", "--min-lf-coverage", "coverage", per_lf=True, minimum=True),
        Gate("max_lf_conflict", "--max-lf-conflict", "conflict", per_lf=True, minimum=False),
    )
}


class GateResult(NamedTuple):
    """The outcome of one gate on the whole matrix, or on one LF for per-LF gates."""

    gate: str
    option: str
    threshold: float
    actual: float
    lf: str | None
    passed: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (``NaN`` actual values become ``None``)."""
        return {
            "gate": self.gate,
            "option": self.option,
            "threshold": self.threshold,
            "actual": None if math.isnan(self.actual) else self.actual,
            "lf": self.lf,
            "passed": self.passed,
        }


def _passes(gate: Gate, actual: float, threshold: float) -> bool:
    if math.isnan(actual):  # an empty matrix meets no gate
        return False
    return actual >= threshold if gate.minimum else actual <= threshold


def check_gates(
    thresholds: Mapping[str, float | None],
    totals: Mapping[str, Any],
    lf_names: Sequence[str],
    lf_coverage: Sequence[float],
    lf_conflict: Sequence[float],
) -> list[GateResult]:
    """Evaluate every gate whose threshold is not ``None``; per-LF gates give one result per LF.

    ``thresholds`` maps gate names (``min_coverage``, ``max_conflict``, ``min_lf_coverage``,
    ``max_lf_conflict``) to a fraction in [0, 1]. ``totals`` is :func:`lf.summary.totals`.
    """
    unknown = sorted(set(thresholds) - set(GATES))
    if unknown:
        raise ParameterError(f"Unknown quality gate(s) {unknown}. Available: {', '.join(GATES)}.")
    per_lf = {"coverage": lf_coverage, "conflict": lf_conflict}
    results: list[GateResult] = []
    for name, gate in GATES.items():
        threshold = thresholds.get(name)
        if threshold is None:
            continue
        threshold = float(threshold)
        if not 0.0 <= threshold <= 1.0:
            raise ParameterError(f"Gate {gate.option} must be a fraction between 0 and 1. Got {threshold}.")
        if gate.per_lf:
            for lf_name, value in zip(lf_names, per_lf[gate.measure], strict=True):
                actual = float(value)
                results.append(GateResult(name, gate.option, threshold, actual, str(lf_name), _passes(gate, actual, threshold)))
        else:
            actual = float(totals[gate.measure])
            results.append(GateResult(name, gate.option, threshold, actual, None, _passes(gate, actual, threshold)))
    return results


def format_failure(result: GateResult) -> str:
    """One line naming the gate, the threshold, the LF (for per-LF gates) and the actual value."""
    gate = GATES[result.gate]
    relation = "at least" if gate.minimum else "at most"
    subject = f"LF {result.lf!r} {gate.measure}" if result.lf is not None else f"overall {gate.measure}"
    return (
        f"gate failed: {result.option} {result.threshold:g}: {subject} is {_shown(gate, result)}, "
        f"needs {relation} {result.threshold:g}"
    )


def _shown(gate: Gate, result: GateResult) -> str:
    """The actual value with 4 decimals, or as many more as it takes to read as failing
    (0.94996 against --min-coverage 0.95 is not "0.9500")."""
    for digits in range(4, 18):
        text = f"{result.actual:.{digits}f}"
        if not _passes(gate, float(text), result.threshold):
            break
    return text
