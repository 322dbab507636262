"""Gold values to class ids: names or ids, never a message that contradicts itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.gold import gold_ids

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
LABELS = ("HAM", "SPAM")


@pytest.mark.parametrize(
    ("values", "labels", "expected"),
    [
        (pd.Series(["HAM", "spam", "Ham"]), LABELS, [0, 1, 0]),
        (["SPAM", "HAM"], LABELS, [1, 0]),
        (pd.Series(["1", "0", "1"]), LABELS, [1, 0, 1]),  # ids as text, as a CSV gives them
        (pd.Series([1, 0]), None, [1, 0]),
        (pd.Series([1.0, 0.0]), LABELS, [1, 0]),  # a float column of whole numbers
        (np.array(["1", "0"]), ("1", "0"), [0, 1]),  # digit names: the names win
        (pd.Series([], dtype=object), LABELS, []),
    ],
)
def test_names_or_ids_map_to_class_ids(values: object, labels: tuple[str, ...] | None, expected: list[int]) -> None:
    got = gold_ids(values, labels, 2)
    assert got.dtype == np.int64 and got.tolist() == expected


@pytest.mark.parametrize(
    ("values", "labels", "message"),
    [
        (
            pd.Series(["HAM", "1", "SPAM"]),
            LABELS,
            "The gold column mixes label names ('HAM', 'SPAM') with class ids ('1'). Use one kind for every row: HAM, SPAM or 0..1.",
        ),
        (
            pd.Series(["HAM", "x", "SPAM", "7"]),
            LABELS,
            (
                "The gold column has values that are neither label names nor class ids: '7', 'x'. "
                "Allowed: the label names HAM, SPAM or the class ids 0..1."
            ),
        ),
        (pd.Series([0, 2]), None, "neither label names nor class ids: 2. Allowed: the class ids 0..1."),
        (pd.Series([True, False]), None, "neither label names nor class ids: False, True."),
        (pd.Series(["HAM", None, pd.NA]), LABELS, "The gold column has 2 missing values"),
        (["HAM", float("nan")], LABELS, "The gold column has a missing value (row position 1)"),
    ],
)
def test_bad_gold_names_the_values_without_contradiction(values: object, labels: tuple[str, ...] | None, message: str) -> None:
    with pytest.raises(DataError) as info:
        gold_ids(values, labels, 2)
    assert message in str(info.value)
    assert "not labels" not in str(info.value)


def test_before_the_number_of_classes_is_known_any_id_is_accepted() -> None:
    assert gold_ids(pd.Series(["0", "7"]), None, None).tolist() == [0, 7]
    with pytest.raises(DataError, match=r"neither label names nor class ids: '-1'. Allowed: the class ids 0, 1, 2 and so on\."):
        gold_ids(pd.Series(["0", "-1"]), None, None)
    with pytest.raises(DataError, match=r"mixes label names \('HAM'\) with class ids \('3'\). Use one kind for every row: HAM, SPAM or 0, 1, 2 and so on\."):
        gold_ids(pd.Series(["HAM", "3"]), LABELS, None)


def test_with_hundreds_of_labels_a_bad_gold_value_lists_a_few_of_them() -> None:
    """With 300 declared labels the message listed every name: about 2,000 characters on
    the one line the CLI prints. It names the first ten and how many there are."""
    many = [f"class_{i:03d}" for i in range(300)]
    allowed = "Allowed: the label names class_000, class_001, class_002, class_003, class_004, class_005, class_006, class_007, class_008, class_009 ... (300 in all) or the class ids 0..299."
    with pytest.raises(DataError) as info:
        gold_ids(pd.Series(["class_200", "class_300"]), many, 300)
    assert str(info.value) == f"The gold column has values that are neither label names nor class ids: 'class_300'. {allowed}"
    with pytest.raises(DataError, match=r"Use one kind for every row: class_000, .*, class_009 \.\.\. \(300 in all\) or 0\.\.299\.$"):
        gold_ids(pd.Series(["class_200", "255"]), many, 300)


def test_cli_gold_mixing_names_and_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = pd.read_csv(DEMO).iloc[:30]
    data = data.assign(gold=["HAM", "1", "SPAM"] * 10)
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    code = main(["report", str(path), "--lfs", str(DEMO_LFS), "--gold", "gold"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "error: --gold column 'gold' mixes label names ('HAM', 'SPAM') with class ids ('1'). "
        "Use one kind for every row: HAM, SPAM or 0..1."
    )


def test_numbers_as_gold_with_number_label_names_are_refused_everywhere_text_is_names() -> None:
    """LABELS = ["1", "0"]: the text "1" is the label "1" (class 0); the number 1 could be
    that label or class id 1. lf.summarize read it one way and model.score the other."""
    import lf
    from lf.models import MajorityVoter

    labels = ("1", "0")
    assert gold_ids(pd.Series(["1", "0"]), labels, 2).tolist() == [0, 1]
    with pytest.raises(DataError, match="holds numbers, and the label names 1, 0 are numbers that are not their own class ids"):
        gold_ids(pd.Series([1, 0]), labels, 2)
    assert gold_ids(pd.Series([1, 0]), ("0", "1"), 2).tolist() == [1, 0]  # names equal to ids: one meaning

    A = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [1, 0, 1]], np.int8)
    L = lf.LabelMatrix(A, labels=labels)
    model = MajorityVoter().fit(L)
    plain = lf.LabelMatrix(A)  # the same votes, classes unnamed: gold as ids 0, 1, 0, 1
    expected = MajorityVoter().fit(plain).score(plain, [0, 1, 0, 1])["accuracy"]
    assert model.score(L, ["1", "0", "1", "0"])["accuracy"] == expected
    assert model.score(L, np.array(["1", "0", "1", "0"]))["accuracy"] == expected
    pd.testing.assert_series_equal(
        lf.summarize(L, y=["1", "0", "1", "0"])["emp_acc"], lf.summarize(plain, y=[0, 1, 0, 1])["emp_acc"], check_names=False
    )
    for call in (lambda: model.score(L, [1, 0, 1, 0]), lambda: lf.summarize(L, y=np.array([1, 0, 1, 0]))):
        with pytest.raises(DataError, match="a 1 could be the label '1' or the class id 1"):
            call()


def test_digits_that_are_not_decimal_are_text_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    """'²' is a digit to str.isdigit but not a number to int(): gold, label names, COLUMNS
    and lf.suggest's label order raised a bare ValueError on it."""
    import lf
    from lf.cli._shared import _columns_asked

    with pytest.raises(DataError, match="'²'"):
        gold_ids(pd.Series(["²", "HAM"]), LABELS, 2)
    assert gold_ids(pd.Series([1, 0]), ("²", "x"), 2).tolist() == [1, 0]  # the names are not numbers
    assert gold_ids(pd.Series(["١", "0"]), None, 2).tolist() == [1, 0]  # Arabic-Indic digits are ids
    df = pd.DataFrame({"text": ["free cash now", "hello there"] * 5, "y": ["²", "1"] * 5})
    assert lf.suggest(df, df, "y", n=3).labels == ("1", "²")
    monkeypatch.setenv("COLUMNS", "²")  # every command asks it, to size its output
    assert _columns_asked() is False


def test_report_and_rows_take_text_gold_with_number_label_names(tmp_path: Path, capsys) -> None:
    """LABELS = ["1", "0"] and a CSV gold column of those names: lf label took it, but lf
    report and lf rows turned it into class ids and then refused the ids as ambiguous
    numbers (`y` holds numbers ...), telling the user to give text, which they had."""
    import json

    frame = pd.read_csv(DEMO)
    frame["label"] = frame["label"].map({"HAM": "1", "SPAM": "0"})
    frame.to_csv(tmp_path / "d.csv", index=False)
    module = tmp_path / "lfs.py"
    module.write_text(DEMO_LFS.read_text().replace('LABELS = ["HAM", "SPAM"]', 'LABELS = ["1", "0"]'))

    def report(data: Path, lfs: Path) -> dict:
        assert main(["report", str(data), "--lfs", str(lfs), "--gold", "label", "--model", "mv", "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    got, named = report(tmp_path / "d.csv", module), report(DEMO, DEMO_LFS)
    assert [x["emp_acc"] for x in got["lfs"]] == [x["emp_acc"] for x in named["lfs"]]
    assert got["model"]["scores"] == named["model"]["scores"]
    assert main(["rows", str(tmp_path / "d.csv"), "--lfs", str(module), "--gold", "label", "--wrong", "--lf", "promo_words"]) == 0
    out = capsys.readouterr().out
    assert "gold=1" in out and "42 rows match" in out  # promo_words' incorrect count on the demo


def _demo_with_gold(gold: list[object]) -> pd.DataFrame:
    return pd.read_csv(DEMO).head(len(gold)).assign(label=gold)


@pytest.mark.parametrize("kwargs", [{}, {"chunk_size": 8}, {"n_jobs": 2}], ids=["one-chunk", "chunks", "pool"])
def test_a_missing_gold_value_is_named_by_its_row_in_the_data(tmp_path: Path, kwargs: dict[str, int]) -> None:
    # it was named by its position in its chunk: "row position 4", or 0 on the pool
    import lf

    gold: list[object] = ["HAM"] * 80
    gold[50] = None
    with pytest.raises(DataError, match=r"has a missing value \(row position 50\)"):
        lf.label(lf.load_lfs(DEMO_LFS), _demo_with_gold(gold), gold="label", output=tmp_path / "o.parquet", model="mv", **kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"chunk_size": 8}, {"n_jobs": 2}], ids=["one-chunk", "chunks", "pool"])
def test_gold_names_then_class_ids_are_refused_whatever_the_chunks(tmp_path: Path, kwargs: dict[str, int]) -> None:
    # refused in one chunk, taken when the names and the ids fell in different chunks (the
    # pool's smaller chunks): the engine decided whether the run went ahead
    import lf

    frame = _demo_with_gold(["SPAM"] * 40 + ["0"] * 40)
    with pytest.raises(DataError, match=r"mixes label names \('SPAM'\) with class ids \('0'"):
        lf.label(lf.load_lfs(DEMO_LFS), frame, gold="label", output=tmp_path / "o.parquet", model="mv", **kwargs)
    assert not (tmp_path / "o.parquet").exists()


def _demo_matrix() -> tuple[object, pd.DataFrame]:
    import lf

    df = pd.read_csv(DEMO).iloc[:400]
    return lf.apply(lf.load_lfs(str(DEMO_LFS)), df, progress=False), df


def test_gold_indexed_by_the_row_ids_in_another_order_is_refused_not_read_by_position() -> None:
    """A gold file read with ``set_index("id")`` in another order than the data: read by
    position, each label would score another row (the demo's accuracies fell to chance)."""
    import lf
    from lf.models import MajorityVoter, select

    L, df = _demo_matrix()
    keyed = df.sample(frac=1, random_state=0).set_index("id")["label"]
    model = MajorityVoter().fit(L)
    for call in (
        lambda: lf.summarize(L, y=keyed),
        lambda: model.score(L, keyed),
        lambda: lf.rows(L, wrong=True, y=keyed),
        lambda: select(["MajorityVoter"], L, L, keyed),
    ):
        with pytest.raises(DataError, match=r"indexed by the row ids of `L(_dev)?` in another order.*reindex"):
            call()
    # Aligned as the message says, the answer is the positional one of the data's own column.
    aligned = lf.summarize(L, y=keyed.reindex(L.row_ids))
    pd.testing.assert_frame_equal(aligned, lf.summarize(L, y=df["label"]))
    assert model.score(L, keyed.reindex(L.row_ids)) == model.score(L, df["label"].to_numpy())


def test_gold_indexed_in_the_matrix_order_or_by_positions_is_read_as_before() -> None:
    """What the order check leaves alone: the ids in their order (a frame shuffled before
    applying, its id column as index), positions of a filtered or shuffled frame."""
    import lf

    L, df = _demo_matrix()
    expected = lf.summarize(L, y=df["label"].to_numpy())
    pd.testing.assert_frame_equal(lf.summarize(L, y=df.set_index("id")["label"]), expected)
    shuffled = df.sample(frac=1, random_state=1)
    L2 = lf.apply(lf.load_lfs(str(DEMO_LFS)), shuffled, progress=False)
    by_position = lf.summarize(L2, y=shuffled["label"])  # index: the old positions, not the ids
    pd.testing.assert_frame_equal(by_position, lf.summarize(L2, y=shuffled["label"].to_numpy()))
    pd.testing.assert_frame_equal(by_position[["correct", "incorrect"]], expected[["correct", "incorrect"]])
