"""lf report keeps what the model's fit warned in its JSON and HTML reports.

An underdetermined fit's learned accuracies are its prior's, not measured; lf report
printed the warning on stderr only, so a CI job reading `--json` (or a reader of the HTML
page) got `learned_acc` numbers as sure as any others.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import lf
from lf.cli import main


def one_lf_per_class(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 5000)
    L = np.full((5000, 3), -1, np.int8)
    for j in range(3):
        L[rng.random(5000) < np.where(y == j, 0.5, 0.05), j] = j
    path = tmp_path / "L.parquet"
    lf.LabelMatrix(L, names=["a", "b", "c"], cardinality=3, labels=["x<y", "q", "r"]).save(path)
    return path


@pytest.mark.filterwarnings("always::lf.models.UnderdeterminedWarning")  # printed by the CLI
def test_the_fit_warnings_are_in_the_json_and_html(tmp_path, capsys):
    path = one_lf_per_class(tmp_path)
    html = tmp_path / "r.html"
    assert main(["report", str(path), "--model", "LabelModel", "--json", "--html", str(html)]) == 0
    captured = capsys.readouterr()
    said = json.loads(captured.out)["model"]["warnings"]
    assert len(said) == 1 and said[0].startswith("LabelModel: the LFs' votes give 6 agreement statistics for 11 unknowns")
    assert " ".join(captured.err.split()).count("warning: LabelModel: the LFs' votes give 6") == 1  # still on stderr, once
    page = html.read_text(encoding="utf-8")
    assert '<section id="model-warnings"><h2>Label model warnings</h2>' in page
    assert "the learned accuracies and class balance rest on it and on the model&#x27;s prior" in page


def test_a_fit_without_warnings_has_none(tmp_path, capsys):
    path = one_lf_per_class(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["report", str(path), "--model", "MajorityVoter", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["warnings"] == []
