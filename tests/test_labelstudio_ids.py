"""Label Studio round trip, hostile cases: rows without ids or with repeated ids, a task
file imported twice, an export from another labeling config or in the JSON-MIN format."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.labelstudio import from_export, to_tasks

LABELS = ["HAM", "SPAM"]


def _choice(choice: str, who: int, from_name: str = "label") -> dict:
    result = [{"from_name": from_name, "to_name": "text", "type": "choices", "value": {"choices": [choice]}}]
    return {"id": who * 10, "completed_by": who, "was_cancelled": False, "result": result}


def test_rows_with_repeated_or_missing_ids_are_not_exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = pd.DataFrame({"id": ["a", "b", "a"], "text": ["hi", "buy now", "free"], "label": ["HAM", "SPAM", "SPAM"]})
    with pytest.raises(DataError, match=r"repeat the ids \['a'\]"):
        to_tasks(rows, LABELS)
    with pytest.raises(DataError, match=r"1 rows to export have no id \(row positions \[1\]\)"):
        to_tasks(rows.assign(id=["a", None, "c"]), LABELS)
    src, out = tmp_path / "to_label.csv", tmp_path / "tasks.json"
    src.write_text("id,text,label\nx1,hi,HAM\nx1,buy now,SPAM\n", encoding="utf-8")
    assert main(["labelstudio", "export", str(src), "-o", str(out), "--labels", "HAM,SPAM"]) == 2
    assert "repeat the ids ['x1']" in capsys.readouterr().err and not out.exists()


def test_a_task_file_imported_twice_pools_its_annotations() -> None:
    task = {"data": {"text": "free money", "lf_id": 7}}
    agree = [{**task, "annotations": [_choice("SPAM", 1)]}, {**task, "annotations": [_choice("SPAM", 2)]}]
    got = from_export(agree, LABELS)
    assert got.gold[["id", "gold", "annotators"]].values.tolist() == [[7, "SPAM", 2]]
    disagree = [{**task, "annotations": [_choice("SPAM", 1)]}, {**task, "annotations": [_choice("HAM", 2)]}]
    got = from_export(disagree, LABELS)
    assert got.gold.empty and got.conflicts["id"].tolist() == [7]  # a conflict, not two gold rows
    assert "SPAM (annotator 1)" in got.conflicts["labels"][0] and "HAM (annotator 2)" in got.conflicts["labels"][0]
    other_text = [agree[0], {"data": {"text": "hello", "lf_id": 7}, "annotations": []}]
    with pytest.raises(DataError, match="2 tasks with id 7 and different texts"):
        from_export(other_text, LABELS)
    # ids compare as text: 7 (from a JSON Lines task file) and "7" (from CSV) are one row
    as_text = [agree[0], {"data": {"text": "free money", "lf_id": "7"}, "annotations": [_choice("SPAM", 2)]}]
    assert from_export(as_text, LABELS).gold[["id", "annotators"]].values.tolist() == [[7, 2]]
    as_text[1]["annotations"] = [_choice("HAM", 2)]
    got = from_export(as_text, LABELS)
    assert got.gold.empty and got.conflicts["id"].tolist() == [7]


def test_annotations_of_another_labeling_config_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = [{"data": {"text": "free money", "lf_id": "a"}, "annotations": [_choice("SPAM", 1, from_name="sentiment")]}]
    with pytest.raises(DataError, match=r"results for sentiment \(choices\) but none for the choices 'label'"):
        from_export(doc, LABELS)
    export, gold = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", "HAM,SPAM"]) == 2
    assert "none for the choices 'label'" in capsys.readouterr().err and not gold.exists()


def test_a_json_min_export_is_named() -> None:
    doc = [{"id": 1, "text": "free money", "lf_id": "a", "label": "SPAM"}]
    with pytest.raises(DataError, match="JSON-MIN export .* export the project as JSON"):
        from_export(doc, LABELS)


@pytest.mark.parametrize("bad", [None, "", [7], {"id": 7}, True])
def test_a_task_whose_id_is_no_row_id_is_an_error(bad: object) -> None:
    doc = [{"data": {"text": "free money", "lf_id": "a"}, "annotations": [_choice("SPAM", 1)]},
           {"data": {"text": "hello", "lf_id": bad}, "annotations": [_choice("HAM", 1)]}]
    with pytest.raises(DataError, match=r"Task 1 of the export has data.lf_id .*, not a row id"):
        from_export(doc, LABELS)


def test_numbers_and_text_ids_come_back_as_one_column_type() -> None:
    doc = [{"data": {"text": "free money", "lf_id": 7}, "annotations": [_choice("SPAM", 1)]},
           {"data": {"text": "hello", "lf_id": "b8"}, "annotations": [_choice("HAM", 1)]},
           {"data": {"text": "hi", "lf_id": 9}, "annotations": []}]
    got = from_export(doc, LABELS)
    assert got.gold["id"].tolist() == ["7", "b8"] and got.unlabeled == ["9"]


@pytest.mark.parametrize(("annotations", "match"), [
    ({"id": 1}, r"has annotations \{\"id\": 1\}, not a list"),
    ([5], "has the annotation 5, not an object"),
    ([{"result": {"from_name": "label", "type": "choices", "value": {"choices": ["SPAM"]}}}], "has the result .*, not a list"),
    ([{"result": [{"from_name": "label", "type": "choices", "value": {"choices": "SPAM"}}]}], "has the choices \"SPAM\", not a list"),
    ([{"result": [{"from_name": "label", "type": "choices", "value": "SPAM"}]}], "has the choices \"SPAM\", not a list"),
])
def test_an_export_not_shaped_as_label_studio_writes_it_is_refused(annotations: object, match: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Annotations or results that are not lists died as internal AttributeErrors, or were
    read as no annotation at all (the task counted as skipped), or a choice "SPAM" given
    as text was read letter by letter: each is refused, naming the task and the field."""
    doc = [{"data": {"text": "free money", "lf_id": 7}, "annotations": annotations}]
    with pytest.raises(DataError, match=match):
        from_export(doc, LABELS)
    export, out = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(out), "--labels", "HAM,SPAM"]) == 2
    err = capsys.readouterr().err
    assert "Task 7" in err and "internal error" not in err and not out.exists()


@pytest.mark.parametrize("labels", ["HAM,SPAM,", "HAM, ,SPAM", "HAM", "HAM,HAM"])
def test_blank_or_too_few_class_names_are_refused_both_ways(labels: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--labels HAM,SPAM,` (a trailing comma) wrote a labeling config with an empty third
    choice for the annotators to click; import took one class name, or a repeated one."""
    rows, tasks, config = tmp_path / "to_label.csv", tmp_path / "tasks.json", tmp_path / "config.xml"
    rows.write_text("id,text,label\n1,free money,SPAM\n", encoding="utf-8")
    args = ["labelstudio", "export", str(rows), "-o", str(tasks), "--config", str(config), "--labels", labels]
    assert main(args) == 2 and "2 distinct, non-blank class names" in capsys.readouterr().err
    assert not tasks.exists() and not config.exists()
    export, gold = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps([{"data": {"text": "hi", "lf_id": 1}, "annotations": [_choice("HAM", 1)]}]), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", labels]) == 2
    assert "2 distinct, non-blank class names" in capsys.readouterr().err and not gold.exists()


def test_import_warns_of_class_names_pandas_reads_as_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The `gold` column of the imported CSV holds the class names: 'None' came back missing
    to pandas.read_csv (a labeled row looking unlabeled), where lf label, lf sample and
    lf predict warn of it."""
    import warnings

    export, gold = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps([{"data": {"text": "hi", "lf_id": 1}, "annotations": [_choice("None", 1)]}]), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", "None,SPAM"]) == 0
    err = capsys.readouterr().err
    assert "warning: Label name(s) ['None'] in" in err and "read back as missing" in err
    assert pd.read_csv(gold, keep_default_na=False)["gold"].tolist() == ["None"]


def test_ids_7_and_7_0_are_two_rows_and_keep_their_text(tmp_path: Path) -> None:
    """Ids compare as their text, so 7 and 7.0 are two rows; but the tasks were grouped in a
    dict keyed by the ids themselves, where 7 == 7.0: one row's label was dropped without a
    word. And ids 7 and 8.5 made a float column: gold.csv said 7.0, no id of the data."""
    doc = [{"data": {"text": "free money", "lf_id": 7}, "annotations": [_choice("SPAM", 1)]},
           {"data": {"text": "hello", "lf_id": 7.0}, "annotations": [_choice("HAM", 1)]}]
    got = from_export(doc, LABELS)
    assert got.gold[["id", "text", "gold"]].values.tolist() == [["7", "free money", "SPAM"], ["7.0", "hello", "HAM"]]
    doc[1]["data"]["lf_id"] = 8.5
    export, gold = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", "HAM,SPAM"]) == 0
    assert pd.read_csv(gold, dtype=str)["id"].tolist() == ["7", "8.5"]


@pytest.mark.parametrize("confidence", ["high", "nan", "1.5", "-0.1"])
def test_a_confidence_that_is_no_probability_is_refused(confidence: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A confidence edited to 'high' in a spreadsheet died as an internal ValueError; 'nan'
    wrote the score NaN, which is no JSON (Label Studio refuses the whole task file)."""
    rows, tasks = tmp_path / "to_label.csv", tmp_path / "tasks.json"
    rows.write_text(f"id,text,label,confidence\n1,free money,SPAM,{confidence}\n2,hi,,\n", encoding="utf-8")
    assert main(["labelstudio", "export", str(rows), "-o", str(tasks), "--labels", "HAM,SPAM"]) == 2
    err = capsys.readouterr().err
    assert f"Row '1' has the confidence '{confidence}', not a probability" in err and not tasks.exists()
    rows.write_text("id,text,label,confidence\n1,free money,SPAM,0.75\n2,hi,HAM,\n", encoding="utf-8")
    assert main(["labelstudio", "export", str(rows), "-o", str(tasks), "--labels", "HAM,SPAM"]) == 0
    scores = [t["predictions"][0]["score"] for t in json.loads(tasks.read_text(encoding="utf-8"))]
    assert scores == [0.75, None]


def test_ids_too_big_for_int64_come_back_as_text(tmp_path: Path) -> None:
    """A 22-digit number as a task id made `lf labelstudio import -o gold.parquet` die as an
    internal OverflowError (Parquet has no column for it); the ids are written as text."""
    doc = [{"data": {"text": "free money", "lf_id": 2**70}, "annotations": [_choice("SPAM", 1)]},
           {"data": {"text": "hello", "lf_id": 5}, "annotations": [_choice("HAM", 1)]}]
    export, gold = tmp_path / "export.json", tmp_path / "gold.parquet"
    export.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", "HAM,SPAM"]) == 0
    assert pd.read_parquet(gold)["id"].tolist() == [str(2**70), "5"]


def test_an_export_of_label_studio_before_1_0_reads_its_completions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Label Studio 0.x exports the annotations as `completions`: every task was read as
    not annotated ("0 gold labels; 2 tasks skipped or not annotated")."""
    doc = [{"id": 1, "data": {"text": "free money", "lf_id": "a"}, "completions": [_choice("SPAM", 1)]},
           {"id": 2, "data": {"text": "nice song", "lf_id": "b"}, "completions": [{**_choice("HAM", 1), "was_cancelled": True}]}]
    export, gold = tmp_path / "export.json", tmp_path / "gold.csv"
    export.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(export), "-o", str(gold), "--labels", "HAM,SPAM"]) == 0
    assert "1 gold labels; 1 tasks skipped" in capsys.readouterr().err
    assert pd.read_csv(gold)[["id", "gold"]].values.tolist() == [["a", "SPAM"]]


def test_annotators_given_as_user_objects_are_named_by_email(tmp_path: Path) -> None:
    """An export giving `completed_by` as the user object wrote the whole object's repr
    (id, email, first and last name) into each conflict of the conflicts file."""
    user = {"id": 3, "email": "ann@example.org", "first_name": "Ann", "last_name": "Lee"}
    disagree = [{**_choice("SPAM", 1), "completed_by": user}, _choice("HAM", 2)]
    got = from_export([{"data": {"text": "free money", "lf_id": 7}, "annotations": disagree}], LABELS)
    assert got.conflicts["labels"].tolist() == ["SPAM (annotator ann@example.org); HAM (annotator 2)"]


def test_an_annotation_without_its_user_is_named_by_its_own_id_not_annotator_none() -> None:
    """An export without `completed_by` (left out, or a user object without email or id)
    named the conflicting annotations "(annotator None)"."""
    anonymous = {k: v for k, v in _choice("SPAM", 1).items() if k != "completed_by"}
    nobody = {**_choice("HAM", 2), "completed_by": {"first_name": "Ann"}}
    bare = {k: v for k, v in _choice("SPAM", 3).items() if k not in ("completed_by", "id")}
    got = from_export([{"data": {"text": "free money", "lf_id": 7}, "annotations": [anonymous, nobody, bare]}], LABELS)
    said = got.conflicts["labels"].tolist()
    assert said == ["SPAM (annotation 10, annotator unknown); HAM (annotation 20, annotator unknown); SPAM (annotator unknown)"]


def test_rows_to_export_that_are_no_dataframe_are_refused_by_name() -> None:
    """to_tasks([{"id": 1, "text": ...}]) died with AttributeError: 'list' object has no
    attribute 'columns', no LFError."""
    from lf.errors import ParameterError

    with pytest.raises(ParameterError, match="`rows` must be a DataFrame .* Got a list"):
        to_tasks([{"id": 1, "text": "free money"}], LABELS)
