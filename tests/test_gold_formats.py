"""Gold labels give the same figures whatever the file format and type they come in.

The demo's gold column is written as a user has it - label names (any case, spaces
around them, as a spreadsheet leaves them), class ids as numbers, as text, as floats (a
CSV of a float column: ``1.0``), categorical and pandas ``string`` columns - in CSV, TSV,
JSON Lines and Parquet. ``lf label --gold`` and ``lf report --gold`` (terminal and JSON)
must print the figures computed by hand (scikit-learn, numpy) from the labels file
written and from the matrix's votes; ``lf suggest`` reads its hand labels the same way.

Refused, by intent, with one line naming the column and the values (exit 2):

- a missing gold value (an empty CSV field, a JSON null, NaN, None, ``pd.NA``): every row
  needs a gold label; ``-1`` is no "no gold" marker for ``--gold`` (it is for
  ``model.score``, as in Snorkel), it is a value that is no class;
- booleans (``True`` is no class id), and values that are not among the LF module's
  ``LABELS`` nor class ids in range;
- label names in some rows and class ids in others.

From Python, ``lf.label``'s ``gold`` names a column of the data: gold labels passed as a
Series, an array or a list are refused (they are not read in the data's pass).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError, ParameterError

sklearn_metrics = pytest.importorskip("sklearn.metrics")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
ROWS = 400


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO, keep_default_na=False).iloc[:ROWS]


def _ids(frame: pd.DataFrame) -> pd.Series:
    return (frame["label"] == "SPAM").astype(np.int64)


VARIANTS: dict[str, tuple[str, Any]] = {
    "csv names": ("csv", lambda f: f["label"]),
    "csv names in other case and spaces around": ("csv", lambda f: " " + f["label"].str.lower() + " "),
    "csv ids": ("csv", _ids),
    "csv float ids": ("csv", lambda f: _ids(f).astype(float)),  # written as 1.0 / 0.0
    "tsv names with a trailing space": ("tsv", lambda f: f["label"] + " "),
    "jsonl ids": ("jsonl", _ids),
    "jsonl ids as text": ("jsonl", lambda f: _ids(f).astype(str)),
    "jsonl float ids": ("jsonl", lambda f: _ids(f).astype(float)),
    "parquet float ids": ("parquet", lambda f: _ids(f).astype(float)),
    "parquet categorical names": ("parquet", lambda f: f["label"].astype("category")),
    "parquet string names, lower case": ("parquet", lambda f: f["label"].str.lower().astype("string")),
}


def _write(frame: pd.DataFrame, path: Path) -> Path:
    kind = path.suffix[1:]
    if kind in ("csv", "tsv"):
        frame.to_csv(path, index=False, sep="\t" if kind == "tsv" else ",")
    elif kind == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path, index=False)
    return path


def _printed(text: str, what: str) -> float:
    found = re.search(rf"{what}\s+([0-9.]+)", text)
    assert found, text
    return float(found.group(1))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_format_and_type_of_gold_prints_the_figures_computed_by_hand(
    variant: str, demo: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # names with spaces around them were refused by --gold and --dev-gold of lf label,
    # lf report and lf fit (but taken by lf train --dev-gold and lf suggest), and a CSV's
    # float ids (1.0) were refused where the same column from Parquet or JSON Lines was read
    kind, make = VARIANTS[variant]
    data = _write(demo.assign(label=make(demo)), tmp_path / f"data.{kind}")
    out = tmp_path / "labels.parquet"
    assert main(["label", str(data), "--lfs", str(DEMO_LFS), "--gold", "label", "--model", "MajorityVoter", "-o", str(out)]) == 0
    printed = capsys.readouterr().out

    gold = demo["label"].to_numpy(dtype=object)
    written = pd.read_parquet(out)
    covered = written["covered"].to_numpy()
    labels = written["label"].to_numpy(dtype=object)
    assert _printed(printed, "accuracy on covered rows") == round(sklearn_metrics.accuracy_score(gold[covered], labels[covered]), 3)
    assert _printed(printed, "accuracy over all rows") == round(float(np.mean(labels == gold)), 3)

    assert main(["report", str(data), "--lfs", str(DEMO_LFS), "--gold", "label", "--model", "MajorityVoter", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    votes = lf.apply(lf.load_lfs(DEMO_LFS), demo, progress=False).array
    y = _ids(demo).to_numpy()
    for j, row in enumerate(report["lfs"]):
        fired = votes[:, j] != -1
        assert (row["correct"], row["incorrect"]) == (int((votes[fired, j] == y[fired]).sum()), int((votes[fired, j] != y[fired]).sum()))
    scores = report["model"]["scores"]
    assert scores["accuracy"] == pytest.approx(sklearn_metrics.accuracy_score(gold[covered], labels[covered]), abs=1e-12)
    spam = (labels[covered] == "SPAM").astype(int)
    assert scores["f1"] == pytest.approx(sklearn_metrics.f1_score(y[covered], spam), abs=1e-12)
    assert report["gold_label_counts"] == np.bincount(y, minlength=2).tolist()


@pytest.mark.parametrize(
    ("kind", "gold", "message"),
    [
        ("csv", lambda n: ["HAM", ""] * (n // 2), "has 200 missing values"),
        ("jsonl", lambda n: ["HAM", None] * (n // 2), "has 200 missing values"),
        ("parquet", lambda n: pd.array([1, pd.NA] * (n // 2), dtype="Int64"), "has 200 missing values"),
        ("parquet", lambda n: [1.0, float("nan")] * (n // 2), "has 200 missing values"),
        ("csv", lambda n: ["1", "-1"] * (n // 2), "neither label names nor class ids: '-1'"),
        ("parquet", lambda n: [True, False] * (n // 2), "neither label names nor class ids: False, True"),
        ("csv", lambda n: ["HAM", "EGGS"] * (n // 2), "neither label names nor class ids: 'EGGS'"),
        ("csv", lambda n: ["HAM", "1"] * (n // 2), "mixes label names ('HAM') with class ids ('1')"),
    ],
)
def test_gold_that_is_no_label_on_every_row_is_refused_by_each_command(
    kind: str, gold: Any, message: str, demo: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(demo.assign(label=gold(len(demo))), tmp_path / f"data.{kind}")
    for command in (["label", "-o", str(tmp_path / "l.parquet")], ["report"]):
        code = main([command[0], str(data), "--lfs", str(DEMO_LFS), "--gold", "label", *command[1:]])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith("error: --gold column 'label'") and message in err and "\n" not in err
    assert not (tmp_path / "l.parquet").exists()


def test_lf_label_gold_names_a_column_and_labels_given_instead_are_refused(demo: pd.DataFrame) -> None:
    # a Series raised pandas' "truth value of a Series is ambiguous"; a frame's column
    # numbered 0 was taken for no gold at all (no accuracy, no word)
    lfs = lf.load_lfs(DEMO_LFS)
    named = lf.label(lfs, demo, gold="label", model="MajorityVoter", progress=False)
    numbered = lf.label(lfs, demo.rename(columns={"label": 0}), gold=0, model="MajorityVoter", progress=False)
    assert named.accuracy is not None and numbered.accuracy == named.accuracy
    assert numbered.accuracy_covered == named.accuracy_covered
    for given in (demo["label"], demo["label"].tolist(), demo["label"].to_numpy()):
        with pytest.raises(ParameterError, match=r"`gold` names the column of `data` that holds the gold labels .*data\.assign\(gold=labels\)"):
            lf.label(lfs, demo, gold=given, model="MajorityVoter", progress=False)
    with pytest.raises(ParameterError, match="`dev_gold` names the column of `dev`"):
        lf.label(lfs, demo, model="auto", dev=demo.iloc[:100], dev_gold=demo["label"].iloc[:100], progress=False)


def test_lf_suggest_reads_hand_labels_as_gold_is_read(demo: pd.DataFrame, tmp_path: Path) -> None:
    # lf suggest mapped gold values itself: it refused a CSV's float ids (1.0) that --gold
    # takes, and took class ids as numbers where the label names are numbers that are not
    # their own ids (LABELS = ["1", "0"]), reading the number 1 as the label "1", class 0,
    # where --gold refuses it as either
    def picked(gold_data: object, lfs: object) -> list[tuple[str, int, int]]:
        got = lf.suggest(demo, gold_data, "label", lfs=lfs, n=5, progress=False)
        return [(item.name, item.correct, item.fired) for item in got.items]

    expected = picked(demo, str(DEMO_LFS))
    floats = _write(demo.assign(label=_ids(demo).astype(float)), tmp_path / "floats.csv")
    assert picked(str(floats), str(DEMO_LFS)) == expected
    module = tmp_path / "digits.py"
    module.write_text(DEMO_LFS.read_text().replace('LABELS = ["HAM", "SPAM"]', 'LABELS = ["1", "0"]'))
    numbers = _write(demo.assign(label=_ids(demo)), tmp_path / "ids.parquet")
    with pytest.raises(DataError, match="holds numbers, and the label names 1, 0 are numbers"):
        picked(str(numbers), str(module))


def test_float_ids_as_text_are_ids_and_as_ambiguous_as_numbers_where_names_are_numbers() -> None:
    from lf.gold import gold_ids

    assert gold_ids(pd.Series(["1.0", " 0.0 ", "1", "0.00"]), ("HAM", "SPAM"), 2).tolist() == [1, 0, 1, 0]
    assert gold_ids(pd.Series(["1", "0"]), ("1", "0"), 2).tolist() == [0, 1]  # text: the names
    with pytest.raises(DataError, match="a 1 could be the label '1' or the class id 1"):
        gold_ids(pd.Series(["1.0", "0.0"]), ("1", "0"), 2)  # was read as class ids, class 1 for the label "0"
    with pytest.raises(DataError, match=r"neither label names nor class ids: '1\.5'"):
        gold_ids(pd.Series(["1.5", "0.0"]), ("HAM", "SPAM"), 2)


def test_lf_suggest_says_how_many_rows_without_gold_it_left_out(
    demo: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the rows of --gold-data with no gold label (an empty field, spaces) were dropped without a word
    gold = demo["label"].astype(object)
    gold[::4] = ""
    gold[1::4] = "  "
    labeled = _write(demo.assign(label=gold), tmp_path / "labeled.csv")
    found = lf.suggest(demo, str(labeled), "label", n=5, progress=False)
    assert (found.n_labeled, found.n_unlabeled) == (ROWS // 2, ROWS // 2)
    out = tmp_path / "suggested.py"
    assert main(["suggest", str(DEMO), "--gold-data", str(labeled), "--gold", "label", "-o", str(out), "-n", "5", "--no-progress"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert f"from {ROWS // 2} labeled rows ({ROWS // 2} rows of --gold-data without a gold label left out)" in err


def test_gold_keyed_by_the_ids_of_other_rows_is_refused_not_read_by_position(demo: pd.DataFrame) -> None:
    # a gold file keyed by id (set_index("id")) of as many rows, half of them other rows:
    # read by position, every label scored another row and the accuracies fell to chance
    from lf.models import MajorityVoter

    L = lf.apply(lf.load_lfs(DEMO_LFS), demo.iloc[:200], progress=False)
    keyed = demo.iloc[100:300].set_index("id")["label"]
    model = MajorityVoter().fit(L)
    for call in (lambda: lf.summarize(L, y=keyed), lambda: model.score(L, keyed)):
        with pytest.raises(DataError, match=r"indexed by ids \('id'\), some of them row ids of `L` at other rows .*y\.reindex\(L\.row_ids\)"):
            call()
    same = demo.iloc[:200]
    assert lf.summarize(L, y=same.set_index("id")["label"]).equals(lf.summarize(L, y=same["label"]))  # its ids in order
    kept = demo[demo["text"].str.len() > 20]  # a filtered frame: its index is positions, read as such
    assert lf.summarize(lf.apply(lf.load_lfs(DEMO_LFS), kept, progress=False), y=kept["label"])["correct"].sum() > 0
