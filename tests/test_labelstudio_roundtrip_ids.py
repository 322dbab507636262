"""Ids through the Label Studio round trip (sample -> export -> import -> sample --labeled):
they compare as the text the files hold, whatever type each file gives them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def _annotated(tasks: list[dict], truth: dict[str, str]) -> list[dict]:
    """The tasks as Label Studio exports them once an annotator chose each row's true label."""
    def choice(text: str) -> dict:
        result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [truth[text]]}}]
        return {"id": 1, "completed_by": 1, "was_cancelled": False, "result": result}

    return [{**t, "annotations": [choice(t["data"]["text"])]} for t in tasks]


@pytest.fixture
def rows() -> pd.DataFrame:
    frame = pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(300).rename(columns={"label": "truth"})
    return frame.drop(columns="id")


@pytest.mark.parametrize(("data_name", "gold_name"), [("data.parquet", "gold.csv"), ("data.csv", "gold.parquet")])
def test_int_ids_and_their_text_are_one_row(tmp_path: Path, capsys, rows, data_name, gold_name):
    data = tmp_path / data_name
    table = rows.assign(id=range(1000, 1300))  # numbers in Parquet, text in CSV
    table.to_parquet(data, index=False) if data.suffix == ".parquet" else table.to_csv(data, index=False)
    exports = []
    for suffix in (".csv", ".jsonl"):  # the CSV gives the ids back as text, JSON Lines as numbers
        picked, tasks = tmp_path / f"to_label{suffix}", tmp_path / f"tasks{suffix}.json"
        code, err = run(capsys, "sample", data, "--lfs", LFS, "-n", "12", "--model", "mv", "-o", picked)
        assert code == 0, err
        code, err = run(capsys, "labelstudio", "export", picked, "--lfs", LFS, "-o", tasks)
        assert code == 0, err
        exports += _annotated(json.loads(tasks.read_text()), dict(zip(rows["text"], rows["truth"], strict=True)))
    assert {type(t["data"]["lf_id"]) for t in exports} == ({str} if data.suffix == ".csv" else {str, int})
    export, gold = tmp_path / "export.json", tmp_path / gold_name
    export.write_text(json.dumps(exports))  # both task files imported into one project
    code, err = run(capsys, "labelstudio", "import", export, "--lfs", LFS, "-o", gold)
    assert code == 0, err
    got = pd.read_parquet(gold) if gold.suffix == ".parquet" else pd.read_csv(gold)
    assert len(got) == 12 and (got["annotators"] == 2).all()  # one row per id, not one per type
    by_id = table.set_index(table["id"].astype(str))
    assert (by_id.loc[got["id"].astype(str), "truth"].to_numpy() == got["gold"].to_numpy()).all()
    again = tmp_path / "again.csv"
    code, err = run(capsys, "sample", data, "--lfs", LFS, "-n", "12", "--model", "mv", "--labeled", gold, "-o", again)
    assert code == 0 and "warning" not in err and "12 with gold skipped" in err
    assert not set(pd.read_csv(again)["id"].astype(str)) & set(got["id"].astype(str))


def test_ids_that_lost_their_leading_zeros_are_flagged(tmp_path: Path, capsys, rows):
    data, gold = tmp_path / "data.csv", tmp_path / "gold.csv"
    rows.assign(id=[f"{i:03d}" for i in range(98, 398)]).to_csv(data, index=False)
    # a gold file edited in a spreadsheet: 098 became 98; 100 stayed 100
    pd.DataFrame({"id": [98, 99, 100, 101, 397], "gold": ["HAM"] * 5}).to_csv(gold, index=False)
    code, err = run(capsys, "sample", data, "--lfs", LFS, "-n", "5", "--model", "mv", "--labeled", gold, "-o", tmp_path / "o.csv")
    assert code == 0
    assert "warning: 2 of the 5 ids in --labeled" in err and "are not ids of DATA (e.g. '98'" in err
    assert "DATA has '098'" in err and "3 with gold skipped" in err


def test_a_labeled_id_that_names_several_rows_is_refused(tmp_path: Path, capsys, rows):
    data, gold, out = tmp_path / "data.csv", tmp_path / "gold.csv", tmp_path / "o.csv"
    ids = [f"r{i}" for i in range(300)]
    ids[7] = "r3"  # two rows share an id
    rows.assign(id=ids).to_csv(data, index=False)
    pd.DataFrame({"id": ["r3", "r5"], "gold": ["HAM", "SPAM"]}).to_csv(gold, index=False)
    code, err = run(capsys, "sample", data, "--lfs", LFS, "-n", "5", "--model", "mv", "--labeled", gold, "-o", out)
    assert code == 2 and "names the id 'r3', which 2 rows of DATA have" in err and not out.exists()


def test_a_gold_file_whose_ids_number_other_rows_is_refused(tmp_path: Path, capsys, rows):
    data, other, gold = tmp_path / "data.csv", tmp_path / "other.csv", tmp_path / "gold.csv"
    rows.head(150).assign(id=range(150)).to_csv(data, index=False)
    rows.tail(150).assign(id=range(150)).to_csv(other, index=False)  # the same ids, other rows
    picked, tasks = tmp_path / "to_label.csv", tmp_path / "tasks.json"
    assert run(capsys, "sample", other, "--lfs", LFS, "-n", "6", "--model", "mv", "-o", picked)[0] == 0
    assert run(capsys, "labelstudio", "export", picked, "--lfs", LFS, "-o", tasks)[0] == 0
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_annotated(json.loads(tasks.read_text()), dict(zip(rows["text"], rows["truth"], strict=True)))))
    assert run(capsys, "labelstudio", "import", export, "--lfs", LFS, "-o", gold)[0] == 0
    out = tmp_path / "again.csv"
    code, err = run(capsys, "sample", data, "--lfs", LFS, "-n", "6", "--model", "mv", "--labeled", gold, "-o", out)
    assert code == 2 and not out.exists()
    assert "its ids name other rows" in err and "(6 of 6 such rows differ)" in err
    code, err = run(capsys, "sample", other, "--lfs", LFS, "-n", "6", "--model", "mv", "--labeled", gold, "-o", out)
    assert code == 0 and "6 with gold skipped" in err, err
