"""Label Studio round trip against its documented JSON formats (no server; see
tests/test_labelstudio_server.py for the real one)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.labelstudio import from_export, labeling_config, to_tasks

LABELS = ["HAM", "SPAM"]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def annotation(choice: str | None, who: int, cancelled: bool = False) -> dict:
    result = [] if choice is None else [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]
    return {"id": who * 10, "completed_by": who, "was_cancelled": cancelled, "result": result}


def test_config_is_xml_with_every_class_escaped():
    config = labeling_config(["HAM", 'a "quoted" <name> & more'])
    root = ET.fromstring(config)
    assert [c.get("value") for c in root.iter("Choice")] == ["HAM", 'a "quoted" <name> & more']
    assert root.find("Choices").get("name") == "label" and root.find("Text").get("value") == "$text"
    with pytest.raises(lf.errors.DataError, match="2 distinct"):
        labeling_config(["HAM", "HAM"])


def test_tasks_carry_id_text_and_the_model_label_as_prediction():
    rows = pd.DataFrame({"id": ["a", "b"], "text": ["hi", "buy now"], "label": ["HAM", "SPAM"], "confidence": [0.9, 0.6]})
    tasks = to_tasks(rows, LABELS)
    assert tasks[1]["data"] == {"text": "buy now", "lf_id": "b"}
    pred = tasks[1]["predictions"][0]
    assert pred["score"] == 0.6 and pred["result"][0]["value"] == {"choices": ["SPAM"]}
    with pytest.raises(lf.errors.DataError, match="'EGGS', which is not a class name"):
        to_tasks(rows.assign(label=["HAM", "EGGS"]), LABELS)


def test_export_to_gold_reports_conflicts_and_skips():
    doc = [
        {"data": {"text": "t1", "lf_id": "a"}, "annotations": [annotation("SPAM", 1)]},
        {"data": {"text": "t2", "lf_id": "b"}, "annotations": [annotation("HAM", 1), annotation("SPAM", 2)]},
        {"data": {"text": "t3", "lf_id": "c"}, "annotations": [annotation(None, 1, cancelled=True)]},
        {"data": {"text": "t4", "lf_id": "d"}, "annotations": [annotation("HAM", 1), annotation("HAM", 2)]},
        {"data": {"text": "t5", "lf_id": "e"}, "annotations": []},
    ]
    got = from_export(doc, LABELS)
    assert got.gold[["id", "gold", "annotators"]].values.tolist() == [["a", "SPAM", 1], ["d", "HAM", 2]]
    assert got.conflicts["id"].tolist() == ["b"]  # not resolved: reported
    assert "HAM (annotator 1)" in got.conflicts["labels"][0] and "SPAM (annotator 2)" in got.conflicts["labels"][0]
    assert got.unlabeled == ["c", "e"]
    with pytest.raises(lf.errors.DataError, match="not a class name"):
        from_export([{"data": {"lf_id": "x"}, "annotations": [annotation("EGGS", 1)]}], LABELS)
    with pytest.raises(lf.errors.DataError, match="JSON list of tasks"):
        from_export({"tasks": []}, LABELS)


def test_with_hundreds_of_classes_an_unknown_label_lists_a_few_of_them():
    """With 300 classes the error listed every class name (about 2,000 characters); it
    names the first ten and how many there are."""
    many = [f"class_{i:03d}" for i in range(300)]
    few = "class_000, class_001, class_002, class_003, class_004, class_005, class_006, class_007, class_008, class_009 ... (300 in all)"
    rows = pd.DataFrame({"id": ["a"], "text": ["hi"], "label": ["class_300"], "confidence": [0.9]})
    with pytest.raises(lf.errors.DataError) as info:
        to_tasks(rows, many)
    assert str(info.value) == f"Row 'a' has the label 'class_300', which is not a class name ({few})."
    with pytest.raises(lf.errors.DataError) as info:
        from_export([{"data": {"lf_id": "x"}, "annotations": [annotation("class_300", 1)]}], many)
    assert str(info.value) == f"Task 'x' is labeled 'class_300', which is not a class name ({few})."


def test_cli_round_trip_feeds_dev_gold(tmp_path: Path, capsys):
    texts = [f"subscribe to my channel {i}" for i in range(20)] + [f"great song {i}" for i in range(20)]
    data = tmp_path / "d.csv"
    pd.DataFrame({"id": [f"c{i}" for i in range(40)], "text": texts}).to_csv(data, index=False)
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "sub = keyword_lf('sub', ['subscribe'], 1)\nchan = keyword_lf('chan', ['channel'], 1)\n"
        "song = keyword_lf('song', ['song'], 0)\n"
    )
    rows = tmp_path / "to_label.csv"
    assert run(capsys, "sample", data, "--lfs", mod, "-n", "6", "--model", "mv", "-o", rows)[0] == 0
    code, _, err = run(capsys, "labelstudio", "export", rows, "--lfs", mod, "-o", tmp_path / "tasks.json", "--config", tmp_path / "c.xml")
    assert code == 0, err
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    assert len(tasks) == 6 and ET.fromstring((tmp_path / "c.xml").read_text()).find("Choices") is not None
    # the annotator labels every task by its text; one task gets a second, disagreeing annotation
    export = []
    for t in tasks:
        truth = "SPAM" if "subscribe" in t["data"]["text"] else "HAM"
        export.append({**t, "annotations": [annotation(truth, 1)]})
    export[0]["annotations"].append(annotation("HAM" if export[0]["annotations"][0]["result"][0]["value"]["choices"][0] == "SPAM" else "SPAM", 2))
    (tmp_path / "export.json").write_text(json.dumps(export))
    gold = tmp_path / "gold.csv"
    code, _, err = run(capsys, "labelstudio", "import", tmp_path / "export.json", "--labels", "HAM,SPAM", "-o", gold)
    assert code == 0, err
    assert "5 gold labels" in err and "1 with disagreeing annotators" in err and f"conflict: id {tasks[0]['data']['lf_id']}" in err
    frame = pd.read_csv(gold)
    assert len(frame) == 5 and tasks[0]["data"]["lf_id"] not in set(frame["id"])
    out = tmp_path / "labels.csv"
    code, _, err = run(capsys, "label", data, "--lfs", mod, "--dev-data", gold, "--dev-gold", "gold", "--model", "mv", "--class-balance", "dev", "-o", out)
    assert code == 0, err
    code, out_text, err = run(capsys, "report", gold, "--lfs", mod, "--gold", "gold", "--json")
    assert code == 0, err
    assert sum(e["emp_acc_n"] for e in json.loads(out_text)["lfs"]) >= 5


def test_cli_import_names_the_conflicts_file_literally(tmp_path: Path, capsys):
    """Past ten conflicts the line naming the --conflicts file printed its path raw: an
    escape sequence in a folder name reached the terminal."""
    doc = [
        {"data": {"text": f"t{i}", "lf_id": f"r{i}"}, "annotations": [annotation("HAM", 1), annotation("SPAM", 2)]}
        for i in range(12)
    ]
    (tmp_path / "export.json").write_text(json.dumps(doc))
    folder = tmp_path / "out\x1b[31m"
    folder.mkdir()
    args = ["labelstudio", "import", tmp_path / "export.json", "--labels", "HAM,SPAM", "-o", tmp_path / "gold.csv"]
    code, _, err = run(capsys, *args, "--conflicts", folder / "c.csv")
    assert code == 0, err
    assert "... and 2 more (all in" in err and "out\\x1b[31m" in err and "\x1b" not in err


def test_the_tasks_file_given_for_the_export_is_refused(tmp_path: Path, capsys):
    # The tasks lf wrote hold no annotations: read as an export they gave an empty gold file and exit 0.
    rows = tmp_path / "to_label.csv"
    pd.DataFrame({"id": ["a", "b"], "text": ["hi", "buy now"], "label": ["HAM", "SPAM"], "confidence": [0.9, 0.6]}).to_csv(rows, index=False)
    tasks, gold = tmp_path / "tasks.json", tmp_path / "gold.csv"
    assert run(capsys, "labelstudio", "export", rows, "--labels", "HAM,SPAM", "-o", tasks)[0] == 0
    code, _, err = run(capsys, "labelstudio", "import", tasks, "--labels", "HAM,SPAM", "-o", gold)
    assert code == 2 and "not a project's export" in err and not gold.exists()
    unlabeled = [{**task, "annotations": []} for task in json.loads(tasks.read_text())]  # exported before any label
    assert from_export(unlabeled, LABELS).unlabeled == ["a", "b"]
