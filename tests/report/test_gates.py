"""Quality gates: the pure check, and `lf report` exiting 1 after printing the report."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import lf
from lf.cli import EXIT_GATE, EXIT_OK, EXIT_USAGE, main
from lf.report import check_gates
from lf.report.gates import format_failure
from lf.summary import totals

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_numbers():
    """The demo corpus' matrix, its totals and per-LF coverage / conflicts, from the library."""
    L = lf.apply(lf.load_lfs(DEMO_LFS), DEMO)
    s = lf.summarize(L)
    return L, totals(L), dict(zip(L.names, s["coverage"])), dict(zip(L.names, s["conflicts"]))


def test_check_gates_whole_matrix():
    t = {"coverage": 0.8, "conflict": 0.1}
    res = check_gates({"min_coverage": 0.8, "max_conflict": 0.05}, t, [], [], [])
    assert [(r.gate, r.passed, r.actual, r.lf) for r in res] == [("min_coverage", True, 0.8, None), ("max_conflict", False, 0.1, None)]
    assert check_gates({"min_coverage": None}, t, [], [], []) == []


def test_check_gates_per_lf_gives_one_result_per_lf():
    res = check_gates({"min_lf_coverage": 0.1, "max_lf_conflict": 0.2}, {}, ["a", "b"], [0.05, 0.5], [0.3, 0.1])
    assert [(r.gate, r.lf, r.passed) for r in res] == [
        ("min_lf_coverage", "a", False),
        ("min_lf_coverage", "b", True),
        ("max_lf_conflict", "a", False),
        ("max_lf_conflict", "b", True),
    ]
    assert format_failure(res[0]) == "gate failed: --min-lf-coverage 0.1: LF 'a' coverage is 0.0500, needs at least 0.1"
    assert format_failure(res[2]) == "gate failed: --max-lf-conflict 0.2: LF 'a' conflict is 0.3000, needs at most 0.2"


def test_check_gates_rejects_bad_input_and_empty_matrices_fail():
    with pytest.raises(ValueError, match=r"Unknown quality gate\(s\) \['min_cover'\]. Available: min_coverage"):
        check_gates({"min_cover": 0.5}, {}, [], [], [])
    with pytest.raises(ValueError, match="--max-conflict must be a fraction between 0 and 1. Got 2.0"):
        check_gates({"max_conflict": 2}, {"conflict": 0.0}, [], [], [])
    (res,) = check_gates({"max_conflict": 1.0}, {"conflict": math.nan}, [], [], [])
    assert not res.passed and res.as_dict()["actual"] is None


def test_passing_gates_exit_0(capsys, demo_numbers):
    _, t, cov, con = demo_numbers
    code, out, err = run(
        capsys, "report", DEMO, "--lfs", DEMO_LFS,
        "--min-coverage", t["coverage"], "--max-conflict", t["conflict"],
        "--min-lf-coverage", min(cov.values()), "--max-lf-conflict", max(con.values()),
    )
    assert code == EXIT_OK, err
    assert "gate failed" not in err and "Labeling functions" in out


def test_failing_gates_print_the_report_then_one_line_each_and_exit_1(tmp_path: Path, capsys, demo_numbers):
    _, t, cov, _ = demo_numbers
    lf_cut = sorted(set(cov.values()))[2]  # at least two LFs fall below this
    html = tmp_path / "r.html"
    code, out, err = run(
        capsys, "report", DEMO, "--lfs", DEMO_LFS, "--json", "--html", html,
        "--min-coverage", 0.99, "--max-conflict", 0.01, "--min-lf-coverage", lf_cut,
    )
    assert code == EXIT_GATE == 1
    doc = json.loads(out)  # the report is complete, gate lines go to stderr
    failed = [line for line in err.splitlines() if line.startswith("gate failed:")]
    low = sorted(name for name, v in cov.items() if v < lf_cut)
    assert len(low) >= 2 and len(failed) == 2 + len(low)
    assert f"gate failed: --min-coverage 0.99: overall coverage is {t['coverage']:.4f}, needs at least 0.99" in failed
    assert f"gate failed: --max-conflict 0.01: overall conflict is {t['conflict']:.4f}, needs at most 0.01" in failed
    for name in low:
        assert any(f"LF {name!r} coverage is {cov[name]:.4f}" in line for line in failed)
    assert [g["lf"] for g in doc["gates"] if not g["passed"] and g["lf"]] == [n for n in cov if n in low]
    assert sum(g["gate"] == "min_lf_coverage" for g in doc["gates"]) == len(cov)
    page = html.read_text(encoding="utf-8")  # the HTML is still written, and shows the failures
    assert page.count('<li class="fail">') == len(failed)


def test_gates_work_on_a_saved_matrix(tmp_path: Path, capsys, demo_numbers):
    L, _, _, con = demo_numbers
    path = tmp_path / "L.npz"
    L.save(path)
    code, _, err = run(capsys, "report", path, "--max-lf-conflict", 0.05)
    expected = [n for n, v in con.items() if v > 0.05]
    assert code == (EXIT_GATE if expected else EXIT_OK)
    assert len(err.strip().splitlines()) == len(expected) > 0


@pytest.mark.parametrize("value", ["-0.1", "1.5", "lots"])
def test_gate_outside_zero_one_is_a_usage_error(capsys, value):
    code, _, err = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, "--min-coverage", value)
    assert code == EXIT_USAGE == 2
    assert "--min-coverage" in err


def test_help_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "report", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "0 the report was printed" in text and "1 a quality gate failed" in text and "2 bad input or usage" in text
    assert np.all([opt in text for opt in ("--min-coverage", "--max-conflict", "--min-lf-coverage", "--max-lf-conflict")])


@pytest.mark.parametrize(
    ("gate", "threshold", "actual", "shown"),
    [
        ("min_coverage", 0.95, 0.949962, "0.94996"),  # 4 decimals read 0.9500: "needs at least 0.95"
        ("max_conflict", 0.1, 0.100004, "0.100004"),  # 4 decimals read 0.1000: "needs at most 0.1"
        ("min_coverage", 0.95, 0.5, "0.5000"),
    ],
)
def test_a_failed_gate_shows_enough_digits_to_see_it_fail(gate, threshold, actual, shown):
    """Before: "overall coverage is 0.9500, needs at least 0.95", which reads as a pass."""
    (result,) = check_gates({gate: threshold}, {"coverage": actual, "conflict": actual}, [], [], [])
    assert not result.passed
    assert f" is {shown}, needs " in format_failure(result)


def test_a_failed_gate_line_fits_the_terminal_width(capsys, monkeypatch):
    # "gate failed: --min-lf-coverage 0.99: LF 'first_person_feeling' coverage is 0.0420,
    # needs at least 0.99" is 100 characters: at COLUMNS=80 it wraps at a space, as the
    # other status lines do, never cutting a word
    monkeypatch.setenv("COLUMNS", "80")
    code, _, err = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, "--min-coverage", 0.99, "--min-lf-coverage", 0.99)
    assert code == EXIT_GATE
    assert max(len(line) for line in err.splitlines()) <= 80, err
    joined = " ".join(line.strip() for line in err.splitlines())
    assert "gate failed: --min-lf-coverage 0.99: LF 'first_person_feeling' coverage is 0.0420, needs at least 0.99" in joined
