"""``model.score``: each metric against a plain-Python reference computation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from lf.errors import ParameterError
from lf.matrix import LabelMatrix
from lf.models import DawidSkene, LabelModel, MajorityVoter

ALL = ("accuracy", "f1", "coverage", "brier", "ece")


def reference(y: list[int], pred: list[int], proba: list[list[float]], k: int) -> dict[str, float]:
    """The metrics row by row, in plain Python, over the rows with a prediction."""
    rows = [i for i, p in enumerate(pred) if p != -1]
    n = len(rows)
    acc = sum(pred[i] == y[i] for i in rows) / n

    def f1_of(c: int) -> float:
        tp = sum(1 for i in rows if pred[i] == c and y[i] == c)
        fp = sum(1 for i in rows if pred[i] == c and y[i] != c)
        fn = sum(1 for i in rows if pred[i] != c and y[i] == c)
        return float("nan") if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)  # undefined

    present = sorted({y[i] for i in rows} | {pred[i] for i in rows})
    f1 = f1_of(1) if k == 2 else sum(f1_of(c) for c in present) / len(present)
    brier = sum(sum((proba[i][c] - (1.0 if y[i] == c else 0.0)) ** 2 for c in range(k)) for i in rows) / n
    bins: dict[int, list[int]] = {}
    for i in rows:  # the labels given, at their probability
        bins.setdefault(min(int(proba[i][pred[i]] * 10), 9), []).append(i)
    ece = 0.0
    for members in bins.values():
        right = sum(pred[i] == y[i] for i in members) / len(members)
        conf = sum(proba[i][pred[i]] for i in members) / len(members)
        ece += len(members) / n * abs(right - conf)
    return {"accuracy": acc, "f1": f1, "coverage": n / len(y), "brier": brier, "ece": ece}


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("abstain", ["uncovered", None])
@pytest.mark.parametrize("cls", [LabelModel, DawidSkene, MajorityVoter])
def test_every_metric_matches_the_reference(generate: Any, k: int, abstain: str | None, cls: Any) -> None:
    acc = np.array([0.85, 0.7, 0.6, 0.75, 0.55])
    L, y = generate(1500, 5, k, accuracies=acc, propensities=np.full(5, 0.35), balance=None, seed=7 + k)
    model = cls().fit(L)
    got = model.score(L, y, ALL, abstain=abstain)
    pred = model.predict(L, abstain=abstain)
    want = reference(y.tolist(), pred.tolist(), model.predict_proba(L).tolist(), k)
    assert list(got) == list(ALL)
    for name in ALL:
        assert got[name] == pytest.approx(want[name], abs=1e-9), name
    uncovered = (L == -1).all(axis=1).mean()
    assert got["coverage"] == pytest.approx(1.0 if abstain is None else 1.0 - uncovered)
    assert 0.0 < got["ece"] < 0.5 and 0.0 < got["brier"] < 1.0


@pytest.mark.parametrize("k", [2, 3])
def test_ece_scores_the_labels_given_when_a_tie_is_broken_at_random(k: int) -> None:
    """A random tie break labels a tie with any of its classes while the probabilities
    stay split, so the argmax is always the lowest one. Before, ECE scored that argmax: its
    bins' accuracy (the calibration shown) was not the accuracy ``score`` reports."""
    rng = np.random.default_rng(k)
    y = rng.integers(0, k, 900)
    A = np.where(rng.random((900, 2)) < 0.7, y[:, None], rng.integers(0, k, (900, 2)))  # many 1-1 ties
    A[:60] = -1  # rows no LF votes on: a random class, though their probabilities are the balance
    L = LabelMatrix(A, names=["a", "b"], cardinality=k)
    model = MajorityVoter(tie_break="random", random_state=3).fit(L, class_balance=np.linspace(2, 1, k) / np.linspace(2, 1, k).sum())
    pred = model.predict(L)
    proba = model.predict_proba(L)
    assert (pred != proba.argmax(axis=1)).sum() > 50  # the case at hand: labels other than the argmax
    got = model.score(L, y, ALL, abstain=None)
    want = reference(y.tolist(), pred.tolist(), proba.tolist(), k)
    for name in ALL:
        assert got[name] == pytest.approx(want[name], abs=1e-9), name


def test_an_f1_with_no_row_of_its_class_is_undefined_not_zero(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    """No gold row and no label of class 1: its F1 is 0/0, undefined. It read 0.000, as a
    class always missed; it is NaN (scikit-learn's zero_division=np.nan, which also leaves
    such a class out of a macro average) and `lf report` prints n/a."""
    from lf.cli import main
    from lf.models._metrics import class_f1, macro_f1
    from lf.models.select import score

    L = np.array([[0, 0, -1], [0, -1, 0], [-1, 0, 0], [0, 0, 0]])
    y = np.array([0, 0, 0, 0])
    assert math.isnan(MajorityVoter().fit(L, cardinality=2).score(L, y, "f1")["f1"])
    assert math.isnan(class_f1(y, np.array([0, 0, -1, 0]), 1))
    # macro: the classes some row has as gold or prediction; class 2 is in neither, left out
    assert macro_f1(np.array([0, 1, 1]), np.array([0, 1, 0])) == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert score([0, 1, 1], [0, 1, 0], 3, "f1_macro") == pytest.approx((2 / 3 + 2 / 3) / 2)
    matrix, data = tmp_path / "L.npz", tmp_path / "d.csv"
    LabelMatrix(L, names=["a", "b", "c"], labels=["HAM", "SPAM"]).save(matrix)
    data.write_text("text,gold\nw,HAM\nx,HAM\ny,HAM\nz,HAM\n")
    assert main(["report", str(matrix), "--data", str(data), "--gold", "gold", "--model", "MajorityVoter"]) == 0
    out = capsys.readouterr().out
    assert "F1 (SPAM) n/a (no SPAM in gold or labels)" in out and "nan" not in out


def test_f1_is_the_positive_class_for_two_classes_and_macro_beyond() -> None:
    L = np.array([[1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]])
    model = MajorityVoter().fit(L)
    # predictions 1, 1, 0, 0 against gold 1, 0, 0, 0: positive class P = 1/2, R = 1 -> F1 2/3
    assert model.score(L, np.array([1, 0, 0, 0]), "f1")["f1"] == pytest.approx(2 / 3)
    L3 = np.array([[2, 2, 2], [1, 1, 1], [0, 0, 0], [0, 0, 0]])
    m3 = MajorityVoter().fit(L3, cardinality=3)
    # predictions 2, 1, 0, 0 against gold 2, 0, 0, 1: F1 per class by hand, then the mean
    got = m3.score(L3, np.array([2, 0, 0, 1]), "f1")["f1"]
    f1_0 = 2 * 1 / (2 * 1 + 1 + 1)  # pred 0 on rows 2,3; gold 0 on rows 1,2
    f1_1 = 0.0  # pred 1 on row 1, gold 1 on row 3
    f1_2 = 1.0
    assert got == pytest.approx((f1_0 + f1_1 + f1_2) / 3)


def test_a_perfectly_calibrated_certain_model_scores_zero_brier_and_ece() -> None:
    L = np.array([[0, 0, 0], [1, 1, 1]] * 5)
    y = np.array([0, 1] * 5)
    model = MajorityVoter().fit(L)
    assert model.score(L, y, ("brier", "ece", "accuracy")) == {"brier": 0.0, "ece": 0.0, "accuracy": 1.0}


def test_score_refuses_unknown_metrics_and_bad_gold(easy: Any) -> None:
    L, y, _ = easy
    model = LabelModel().fit(L)
    with pytest.raises(ParameterError, match="`metrics` must name one or more of accuracy, f1, coverage, brier, ece. Got"):
        model.score(L, y, ("accuracy", "auc"))
    with pytest.raises(ParameterError, match=r"one gold label per row: 2000 rows, got shape \(10,\)"):
        model.score(L, y[:10])
    with pytest.raises(ParameterError, match=r"class ids 0..1"):
        model.score(L, y + 1)


def test_gold_minus_one_rows_are_left_out_of_every_score_but_coverage(easy: Any) -> None:
    """As Snorkel's scorer does: -1 gold marks a row without a gold label. Before, such
    rows were refused; a brier over them would index the last class."""
    L, y, _ = easy
    model = LabelModel().fit(L)
    partial = y.copy()
    partial[::3] = -1
    got = model.score(L, partial, ALL)
    keep = partial != -1
    want = model.score(L[keep], y[keep], ALL)
    for name in ("accuracy", "f1", "brier", "ece"):
        assert got[name] == pytest.approx(want[name], abs=1e-12), name
    assert got["coverage"] == model.score(L, y, "coverage")["coverage"]  # every row counts
    assert np.isnan(model.score(L, np.full(len(y), -1), "accuracy")["accuracy"])


def test_gold_as_a_column_vector_or_whole_floats_scores_as_ints(easy: Any) -> None:
    L, y, _ = easy
    model = MajorityVoter().fit(L)
    want = model.score(L, y, ALL)
    assert model.score(L, y[:, None], ALL) == want  # Snorkel's tests pass Y this way
    assert model.score(L, y.astype(float), ALL) == want


@pytest.mark.parametrize(
    ("y", "metrics", "match"),
    [
        (["a", "b"], "accuracy", r"`y` must hold integer labels. Got dtype <U1"),
        ([0.5, 1.0], "accuracy", r"`y` must hold integer labels \(ABSTAIN = -1\). Got 0.5"),
        ([0, -2], "accuracy", r"`y` holds -2 at row 1: it must hold class ids 0..1 \(-1: no gold label\)\.$"),
        ([0, 1], None, r"`metrics` must name one or more of .* Got None"),
        ([0, 1], 3, r"`metrics` must name one or more of .* Got 3"),
    ],
)
def test_bad_gold_or_metrics_are_parameter_errors(y: Any, metrics: Any, match: str) -> None:
    model = MajorityVoter().fit(np.array([[0, 0], [1, 1]]))
    with pytest.raises(ParameterError, match=match):
        model.score(np.array([[0, 0], [1, 1]]), y, metrics)


@pytest.mark.parametrize("cls", [LabelModel, MajorityVoter, DawidSkene])
def test_gold_as_label_names_scores_as_their_class_ids(easy: Any, cls: Any) -> None:
    """As ``lf.summarize`` and ``lf report --gold`` take them. Before: "`y` must hold
    integer labels" for a matrix that names its labels."""
    import pandas as pd

    import lf
    from lf.errors import DataError

    L, y, _ = easy
    matrix = lf.LabelMatrix(L, names=[f"lf{j}" for j in range(L.shape[1])], cardinality=2, labels=["HAM", "SPAM"])
    model = cls().fit(matrix)
    want = model.score(matrix, y, ALL)
    names = np.array(["HAM", "SPAM"])[y]
    assert model.score(matrix, names, ALL) == want
    assert model.score(matrix, pd.Series(np.char.lower(names)), ALL) == want  # any case, as everywhere
    assert model.score(matrix, names.tolist(), ALL) == want
    partial = y.copy()
    partial[::3] = -1
    ids = model.score(matrix, partial, ALL)
    assert model.score(matrix, partial.tolist(), ALL) == ids  # -1 (no gold) in a list of ids too
    with pytest.raises(DataError, match=r"`y` has values that are neither label names nor class ids: 'EGGS'"):
        model.score(matrix, np.where(y == 1, "EGGS", "HAM"))


def test_brier_is_summed_over_classes_twice_scikit_learns_binary_score():
    sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn (lf[train]) is not installed")
    from lf.models._metrics import brier

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = rng.random(200)
    assert brier(y, np.stack([1 - p, p], axis=1)) == pytest.approx(2 * sklearn_metrics.brier_score_loss(y, p))
