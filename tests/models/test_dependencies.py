"""Correlated LF pairs: found against a fitted model, shown by `lf report --model`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lf
from lf.cli import main
from lf.models import DawidSkene, LabelModel, MajorityVoter
from lf.models.dependencies import correlated_pairs

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("cls", [LabelModel, DawidSkene])
def test_a_copied_lf_is_the_only_pair_found(generate: Any, cls: Any) -> None:
    acc = np.array([0.8, 0.75, 0.7, 0.85, 0.65])
    A, _ = generate(5000, 5, 2, accuracies=acc, propensities=np.full(5, 0.4), seed=11)
    independent = lf.LabelMatrix(A, names=list("abcde"), cardinality=2)
    assert correlated_pairs(independent, cls().fit(independent)) == []
    # "f" fires on a third of e's rows with e's vote: dependent by construction
    copy = np.where(np.random.default_rng(0).random(5000) < 0.33, A[:, 4], -1)
    L = lf.LabelMatrix(np.column_stack([A, copy]), names=list("abcdef"), cardinality=2)
    pairs = correlated_pairs(L, cls().fit(L))
    assert (pairs[0].first, pairs[0].second) == ("e", "f")  # the most significant
    assert pairs[0].rows > 2 * pairs[0].expected and pairs[0].votes[0] == pairs[0].votes[1]
    assert all("f" in (p.first, p.second) for p in pairs)  # others only through f's distorted fit


def test_a_model_without_vote_rates_is_refused(easy: Any) -> None:
    L, _, _ = easy
    with pytest.raises(lf.errors.ParameterError, match="MajorityVoter has no class-conditional vote rates"):
        correlated_pairs(L, MajorityVoter().fit(L))


def test_report_shows_model_scores_and_correlated_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    demo, lfs = ROOT / "datasets" / "demo" / "comments.csv", ROOT / "labeling_functions" / "demo_spam.py"
    code = main(["report", str(demo), "--lfs", str(lfs), "--gold", "label", "--model", "LabelModel"])
    out = capsys.readouterr().out
    assert code == 0
    assert "LabelModel on the rows some LF labels (coverage 0.947):" in out
    assert "F1 (SPAM)" in out and "ECE" in out
    assert "short_comment=HAM & shouting=SPAM" in out
    mine = out[out.index("LabelModel on the rows") :].splitlines()
    assert all(len(line) <= 80 for line in mine)


def test_report_leaves_out_pairs_the_model_already_treats_as_dependent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo, lfs = ROOT / "datasets" / "demo" / "comments.csv", ROOT / "labeling_functions" / "demo_spam.py"
    assert main(["apply", str(demo), "--lfs", str(lfs), "-o", str(tmp_path / "L.parquet"), "--no-progress"]) == 0
    fit = ["fit", str(tmp_path / "L.parquet"), "--model", "LabelModel", "-o", str(tmp_path / "m.json")]
    assert main([*fit, "--dependencies", "short_comment:shouting"]) == 0
    capsys.readouterr()
    report = ["report", str(tmp_path / "L.parquet"), "--data", str(demo), "--gold", "label", "--model", str(tmp_path / "m.json")]
    assert main(report) == 0
    out = capsys.readouterr().out
    assert "LabelModel on the rows some LF labels" in out and "short_comment=HAM & shouting=SPAM" not in out
    assert "dependent LFs (declared): short_comment:shouting" in out  # said, not only left out


def test_json_and_html_reports_carry_the_correlated_pairs_the_terminal_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    demo, lfs = ROOT / "datasets" / "demo" / "comments.csv", ROOT / "labeling_functions" / "demo_spam.py"
    args = ["report", str(demo), "--lfs", str(lfs), "--gold", "label", "--model", "LabelModel"]
    assert main([*args, "--json", "--html", str(tmp_path / "r.html"), "--no-progress"]) == 0
    pairs = json.loads(capsys.readouterr().out)["model"]["correlated_pairs"]
    first = pairs[0]
    assert first["lfs"] == ["short_comment", "shouting"] and first["votes"] == [0, 1]  # HAM, SPAM
    assert first["rows"] == 23 and first["rows"] > 2 * first["expected"]
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="correlated">') :]
    assert "<td>short_comment = HAM</td><td>shouting = SPAM</td><td>23</td>" in section[: section.index("</section>")]
    assert main([*args, "--no-progress"]) == 0  # the terminal lists the same pairs, in the same order
    out = capsys.readouterr().out
    shown = [line.split(":")[0].strip() for line in out[out.index("LF pairs voting together") :].splitlines()[1:]]
    labels = ["HAM", "SPAM"]
    assert shown[: len(pairs)] == [f"{p['lfs'][0]}={labels[p['votes'][0]]} & {p['lfs'][1]}={labels[p['votes'][1]]}" for p in pairs]


def test_json_report_leaves_out_pairs_the_model_treats_as_dependent_and_is_null_without_vote_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    demo, lfs = ROOT / "datasets" / "demo" / "comments.csv", ROOT / "labeling_functions" / "demo_spam.py"
    assert main(["apply", str(demo), "--lfs", str(lfs), "-o", str(tmp_path / "L.parquet"), "--no-progress"]) == 0
    fit = ["fit", str(tmp_path / "L.parquet"), "--model", "LabelModel", "-o", str(tmp_path / "m.json")]
    assert main([*fit, "--dependencies", "short_comment:shouting"]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "L.parquet"), "--model", str(tmp_path / "m.json"), "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)["model"]["correlated_pairs"]
    assert isinstance(pairs, list) and ["short_comment", "shouting"] not in [p["lfs"] for p in pairs]
    assert main(["report", str(tmp_path / "L.parquet"), "--model", str(tmp_path / "m.json"), "--json",
                 "--html", str(tmp_path / "r.html")]) == 0
    model = json.loads(capsys.readouterr().out)["model"]
    assert model["dependencies"] == {"source": "declared", "pairs": [["short_comment", "shouting"]]}
    assert "Treated as dependent by LabelModel (declared): short_comment &amp; shouting." in (tmp_path / "r.html").read_text()
    assert main(["report", str(tmp_path / "L.parquet"), "--model", "MajorityVoter", "--json"]) == 0
    model = json.loads(capsys.readouterr().out)["model"]
    assert model["correlated_pairs"] is None and model["dependencies"] is None


def test_the_html_report_lists_the_most_significant_pairs_and_says_how_many_there_are(monkeypatch: pytest.MonkeyPatch) -> None:
    from lf.report import build_report, html, render_html

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    shared = np.where(rng.random(4000) < 0.5, y, 1 - y)  # one coin-flip vote that 11 LFs copy
    A = np.where(rng.random((4000, 14)) < 0.6, shared[:, None], -1)
    A[:, :3] = np.where(rng.random((4000, 3)) < 0.4, np.where(rng.random((4000, 3)) < 0.8, y[:, None], 1 - y[:, None]), -1)
    L = lf.LabelMatrix(A, cardinality=2)
    data = build_report(L, model=LabelModel().fit(L))
    assert data.correlated is not None and len(data.correlated) > 5
    monkeypatch.setattr(html, "CORRELATED_SHOWN", 5)
    page = render_html(data)
    section = page[page.index('<section id="correlated">') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") == 1 + 5 and f"The 5 most significant of {len(data.correlated)} pairs." in section
