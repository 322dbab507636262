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
    # 46 of the 60 gold rows are SPAM: a SPAM vote is right by chance 0.77 of the time
    assert warned == [
        ("warning: coin: accuracy 0.60 [0.31, 0.83] n=10: the interval includes 0.77, its accuracy by chance "
        "(its classes' shares of the gold rows)")
    ]
    assert "95%" in out


def test_report_warns_of_an_lf_no_better_than_chance(tmp_path, capsys):
    # 8 of the 60 gold rows are SPAM: by chance a SPAM vote is right 0.13 of the time.
    # 'wrong', right on 2 of 40, is no better; 'coin', right on 6 of 10, tells SPAM apart,
    # and was warned of as a coin flip.
    texts = ["coin toss"] * 10 + ["wrong way"] * 40 + ["nothing here"] * 10
    gold = ["SPAM"] * 6 + ["HAM"] * 4 + ["SPAM"] * 2 + ["HAM"] * 38 + ["HAM"] * 10
    pd.DataFrame({"id": range(60), "text": texts, "gold": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\ncoin = keyword_lf('coin', ['coin'], 1)\nwrong = keyword_lf('wrong', ['wrong'], 1)\n")
    code, _, err = run(capsys, "report", tmp_path / "d.csv", "--lfs", mod, "--gold", "gold")
    assert code == 0, err
    warned = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warned == [
        ("warning: wrong: accuracy 0.05 [0.01, 0.17] n=40: the interval includes 0.13, its accuracy by chance "
        "(its classes' shares of the gold rows)"),
    ]


def _report_warnings(tmp_path, capsys, texts, gold, labels, rules):
    pd.DataFrame({"id": range(len(texts)), "text": texts, "gold": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text(f"from lf import keyword_lf\nLABELS = {labels!r}\n" + "".join(
        f"{name} = keyword_lf({name!r}, [{word!r}], {label})\n" for name, word, label in rules
    ))
    code, _, err = run(capsys, "report", tmp_path / "d.csv", "--lfs", mod, "--gold", "gold")
    assert code == 0, err
    return [line for line in err.splitlines() if line.startswith("warning:")]


def test_an_lf_right_on_half_its_rows_among_ten_classes_is_no_coin_flip(tmp_path, capsys):
    """Before: an LF right on 45 of 100 rows, among ten classes of 100 gold rows each,
    was warned of as a coin flip (its interval includes 0.5), though by chance its votes
    would be right on a tenth of them: it is one of the LFs that carry the labels."""
    labels = [f"c{i}" for i in range(10)]
    others = [c for c in labels if c != "c3"]
    first = ["c3"] * 45 + [others[i % 9] for i in range(55)]  # the 'apt word' rows
    rest = [c for c in labels for _ in range(100 - first.count(c))]  # each class 100 rows in all
    texts = ["apt word"] * 100 + ["other text"] * 900
    warned = _report_warnings(tmp_path, capsys, texts, first + rest, labels, [("apt", "apt", 3), ("guess", "other", 0)])
    assert [line.split(":")[1] for line in warned if line.startswith("warning: ") and "accuracy" in line] == [" guess"]
    # 'guess' votes c0 on the 900 other rows, 93 of them c0: about a tenth, as by chance
    assert "n=900: the interval includes 0.10, its accuracy by chance" in "".join(warned)


def test_an_lf_wrong_on_more_rows_than_right_is_warned_of_above_chance(tmp_path, capsys):
    """Right on 30 of 100 rows among ten balanced classes: above chance (0.10), but wrong
    on more of its rows than right, the rule to fix first."""
    labels = [f"c{i}" for i in range(10)]
    others = [c for c in labels if c != "c3"]
    first = ["c3"] * 30 + [others[i % 9] for i in range(70)]
    rest = [c for c in labels for _ in range(100 - first.count(c))]
    texts = ["weak word"] * 100 + ["other text"] * 900
    warned = _report_warnings(tmp_path, capsys, texts, first + rest, labels, [("weak", "weak", 3)])
    assert [line for line in warned if line.startswith("warning: weak:")] == [
        ("warning: weak: accuracy 0.30 [0.22, 0.40] n=100: wrong on more of its gold rows than right (the interval "
        "lies below 0.5)")
    ]


def test_a_vote_for_the_common_class_below_its_share_is_warned_of(tmp_path, capsys):
    """92 of 100 gold rows are HAM: an LF voting HAM right on 80 of 100 rows is right less
    often than a HAM vote by chance; before, nothing was said (its interval lies above 0.5)."""
    texts = ["common"] * 100 + ["rest"] * 900
    gold = ["HAM"] * 80 + ["SPAM"] * 20 + ["HAM"] * 840 + ["SPAM"] * 60
    warned = _report_warnings(tmp_path, capsys, texts, gold, ["HAM", "SPAM"], [("common", "common", 0)])
    assert [line for line in warned if line.startswith("warning: common:")] == [
        ("warning: common: accuracy 0.80 [0.71, 0.87] n=100: right less often than by chance (0.92, its "
        "classes' shares of the gold rows): its votes point away from them")
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
