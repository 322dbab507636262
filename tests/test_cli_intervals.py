"""Numbers estimated from gold come with their count and 95% interval, in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    # 'sure' is right on 40 of 40 rows; 'coin' is right on 6 of 10: its interval holds 0.5
    texts = ["sure thing"] * 40 + ["coin toss"] * 10 + ["nothing here"] * 10
    gold = ["SPAM"] * 40 + ["SPAM"] * 6 + ["HAM"] * 4 + ["HAM"] * 10
    pd.DataFrame({"id": range(60), "text": texts, "gold": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "sure = keyword_lf('sure', ['sure'], 1)\ncoin = keyword_lf('coin', ['coin'], 1)\n"
    )
    return tmp_path / "d.csv", mod


def test_report_json_carries_count_and_interval(corpus, capsys):
    data, mod = corpus
    code, out, err = run(capsys, "report", data, "--lfs", mod, "--gold", "gold", "--json")
    assert code == 0, err
    lfs = {e["name"]: e for e in json.loads(out)["lfs"]}
    assert lfs["coin"]["emp_acc_n"] == 10 and lfs["coin"]["emp_acc"] == pytest.approx(0.6)
    assert lfs["coin"]["emp_acc_low"] == pytest.approx(0.3127, abs=1e-3)
    assert lfs["coin"]["emp_acc_high"] == pytest.approx(0.8318, abs=1e-3)
    assert lfs["sure"]["emp_acc_n"] == 40 and lfs["sure"]["emp_acc_low"] > 0.9


def test_report_warns_when_an_interval_straddles_half(corpus, capsys):
    data, mod = corpus
    code, out, err = run(capsys, "report", data, "--lfs", mod, "--gold", "gold")
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warned == ["warning: coin: accuracy 0.60 [0.31, 0.83] n=10: the interval includes 0.5"]
    assert "95%" in out


def test_report_warns_of_an_lf_surely_worse_than_a_coin_flip(tmp_path, capsys):
    # 'coin' is right on 6 of 10 rows and was warned of; 'wrong' on 2 of 40 was not.
    texts = ["coin toss"] * 10 + ["wrong way"] * 40 + ["nothing here"] * 10
    gold = ["SPAM"] * 6 + ["HAM"] * 4 + ["SPAM"] * 2 + ["HAM"] * 38 + ["HAM"] * 10
    pd.DataFrame({"id": range(60), "text": texts, "gold": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\ncoin = keyword_lf('coin', ['coin'], 1)\nwrong = keyword_lf('wrong', ['wrong'], 1)\n")
    code, _, err = run(capsys, "report", tmp_path / "d.csv", "--lfs", mod, "--gold", "gold")
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warned == [
        "warning: coin: accuracy 0.60 [0.31, 0.83] n=10: the interval includes 0.5",
        "warning: wrong: accuracy 0.05 [0.01, 0.17] n=40: wrong on more of its gold rows than right (the interval lies below 0.5)",
    ]


def test_label_prints_model_accuracy_with_interval(corpus, capsys, tmp_path):
    data, mod = corpus
    code, out, err = run(capsys, "label", data, "--lfs", mod, "--gold", "gold", "--model", "MajorityVoter", "-o", tmp_path / "o.csv")
    assert code == 0, err
    assert any("against --gold 'gold' (95% intervals)" in x for x in out.splitlines())
    line = next(x for x in out.splitlines() if "accuracy over all rows" in x)
    assert "n=60" in line and "[" in line


def test_model_auto_shows_its_dev_accuracy_with_count_and_interval(corpus, capsys, tmp_path):
    data, mod = corpus
    code, _, err = run(capsys, "label", data, "--lfs", mod, "--model", "auto", "--dev-data", data, "--dev-gold", "gold", "-o", tmp_path / "o.csv")
    assert code == 0, err
    line = next(x for x in err.splitlines() if x.startswith("chosen: "))
    assert "dev accuracy" in line and "n=60" in line and "95% interval" in line
