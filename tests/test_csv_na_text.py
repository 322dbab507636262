"""A CSV field is its text: `NA`, `null`, `N/A` reach the LFs and round trips as written;
only an empty field is a missing value."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import lf
from lf.cli import main
from lf.io import iter_chunks

WORDS = ["NA", "N/A", "null", "NULL", "nan", "NaN", "None", "#N/A", "n/a"]


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "rows.csv"
    lines = ["id,text,label"] + [f"{w},{w},spam" for w in WORDS] + ["empty,,ham"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_na_markers_are_read_as_their_text(tmp_path: Path) -> None:
    frame = pd.concat(list(iter_chunks([str(_csv(tmp_path))], 100)), ignore_index=True)
    assert frame["id"].tolist() == [*WORDS, "empty"]
    assert frame["text"].iloc[:-1].tolist() == WORDS
    assert pd.isna(frame["text"].iloc[-1])  # the empty field is the one missing value


def test_an_lf_sees_na_as_text(tmp_path: Path) -> None:
    marker = lf.keyword_lf("not_available", ["n/a", "na"], 1)
    L = lf.apply([marker], str(_csv(tmp_path)), id_column="id", progress=False)
    assert L.array[:, 0].tolist() == [1, 1, -1, -1, -1, -1, -1, 1, 1, -1]


def test_label_studio_round_trip_keeps_na_ids_and_texts(tmp_path: Path) -> None:
    tasks, gold = tmp_path / "tasks.json", tmp_path / "gold.csv"
    assert main(["labelstudio", "export", str(_csv(tmp_path)), "-o", str(tasks), "--labels", "ham,spam"]) == 0
    doc = json.loads(tasks.read_text(encoding="utf-8"))
    assert [t["data"]["lf_id"] for t in doc] == [*WORDS, "empty"]
    assert [t["data"]["text"] for t in doc] == [*WORDS, ""]
    for i, t in enumerate(doc):  # each annotator accepts the pre-annotation
        t["annotations"] = [{"id": i, "completed_by": 1, "result": t["predictions"][0]["result"]}]
    (tmp_path / "export.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["labelstudio", "import", str(tmp_path / "export.json"), "-o", str(gold), "--labels", "ham,spam"]) == 0
    back = pd.concat(list(iter_chunks([str(gold)], 100)), ignore_index=True)
    assert back["id"].tolist() == [*WORDS, "empty"]
    assert back["text"].iloc[:-1].tolist() == WORDS and back["gold"].tolist() == ["spam"] * len(WORDS) + ["ham"]
