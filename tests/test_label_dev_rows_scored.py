"""`lf label --gold` with dev rows: an accuracy counting rows whose gold labels chose the
model (or its class balance) says so."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO, keep_default_na=False)


@pytest.mark.filterwarnings("default:.*the accuracy is not held out:UserWarning")  # printed, not raised
def test_gold_rows_with_a_dev_rows_text_are_counted_in_a_warning(
    demo: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev, data = tmp_path / "dev.csv", tmp_path / "data.csv"
    demo.iloc[:300].to_csv(dev, index=False)
    demo.iloc[200:].to_csv(data, index=False)  # 100 rows are dev rows, more share a dev row's text
    shared = int(demo["text"].iloc[200:].isin(set(demo["text"].iloc[:300])).sum())
    assert 100 < shared < len(demo) - 200
    code = main(["label", str(data), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "l.parquet"), "--model", "auto",
                 "--dev-data", str(dev), "--dev-gold", "label", "--gold", "label"])
    err = capsys.readouterr().err
    assert code == 0, err
    several = int((demo["text"].iloc[200:].value_counts() > 1)[lambda c: c.index.isin(set(demo["text"].iloc[:300]))].sum())
    most = int(demo["text"].iloc[200:][lambda t: t.isin(set(demo["text"].iloc[:300]))].value_counts().max())
    dev_rows = int(demo["text"].iloc[:300].isin(set(demo["text"].iloc[200:])).sum())
    assert (
        f"warning: {shared:,} of the {len(demo) - 200:,} rows scored against --gold have the text of a --dev-data "
        f"row, whose gold label chose the model and its class balance: the accuracy is not held out on them "
        f"({dev_rows:,} of the 300 --dev-data rows match; by text, {several:,} of their texts are on more than one "
        f"data row, up to {most:,})."
    ) in " ".join(err.split())


def test_a_dev_class_balance_is_named_and_other_rows_or_no_gold_give_no_warning(demo: pd.DataFrame) -> None:
    lfs = lf.load_lfs(DEMO_LFS)
    dev = demo.iloc[:300]
    with pytest.warns(UserWarning, match=r"of the 2,000 rows scored against `gold` have the text of a `dev` row, "
                      r"whose gold label chose its class balance: the accuracy is not held out"):
        lf.label(lfs, demo, model="MajorityVoter", class_balance="dev", dev=dev, dev_gold="label", gold="label",
                 progress=False)
    other = demo[~demo["text"].isin(set(dev["text"]))]
    for data, gold in ((other, "label"), (demo, None)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lf.label(lfs, data, model="auto", dev=dev, dev_gold="label", gold=gold, progress=False)
        assert not [w for w in caught if "not held out" in str(w.message)]


def test_the_chosen_models_dev_accuracy_says_it_is_the_score_that_chose_it(
    demo: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev, data = tmp_path / "dev.csv", tmp_path / "data.csv"
    demo.iloc[:300].to_csv(dev, index=False)
    demo.iloc[300:].to_csv(data, index=False)
    code = main(["label", str(data), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "l.parquet"), "--model", "auto",
                 "--dev-data", str(dev), "--dev-gold", "label"])  # no --gold: rows are matched to nothing
    err = capsys.readouterr().err.splitlines()
    assert code == 0, err
    at = next(i for i, line in enumerate(err) if line.startswith("chosen: "))
    assert err[at + 1:at + 3] == [
        "  (cross-validated, on the rows that chose it among 5 models: likely",
        "  optimistic; score the labels on other gold rows for an unbiased figure)",
    ]
    assert all(len(line) <= 80 for line in err[at:at + 3])
