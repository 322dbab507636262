"""lf.models.select: model choice with a few gold labels."""

from __future__ import annotations

import math
import warnings
from typing import ClassVar

import numpy as np
import pytest

from lf.datasets import load_wrench
from lf.errors import ParameterError
from lf.matrix import LabelMatrix
from lf.models import (
    DawidSkene,
    LabelModel,
    MajorityVoter,
    Selection,
    TripletModel,
    UnderdeterminedWarning,
    select,
)


@pytest.fixture
def split(generate):
    acc = np.array([0.95, 0.9, 0.6, 0.6, 0.6, 0.55])
    L, y = generate(6000, 6, 2, accuracies=acc, propensities=np.full(6, 0.6), seed=5)
    return L[:5000], L[5000:], y[5000:]


def test_picks_the_best_candidate_on_dev(split):
    L_train, L_dev, y_dev = split
    result = select([MajorityVoter(), LabelModel()], L_train, L_dev, y_dev)
    assert isinstance(result, Selection)
    assert result.name == "LabelModel"
    assert result.scores["LabelModel"] > result.scores["MajorityVoter"]
    assert result.model.predict(L_dev).shape == y_dev.shape


def test_default_candidates_names_and_class_balance_from_dev(split):
    L_train, L_dev, y_dev = split
    result = select(None, L_train, L_dev, y_dev)
    assert set(result.scores) == {
        "LabelModel",
        "LabelModel(abstain='model')",
        "MajorityVoter",
        "DawidSkene",
        "TripletModel",
    }
    counts = np.bincount(y_dev, minlength=2) + 1.0
    assert np.allclose(result.model.class_balance_, counts / counts.sum())
    assert result.default == "LabelModel" and result.intervals["LabelModel"] == (0.0, 0.0)
    assert result.name == "LabelModel" or result.intervals[result.name][0] > 0
    assert result.balance_source == "dev gold labels (1,000 rows)"
    np.testing.assert_array_equal(result.class_balance, counts / counts.sum())


def test_accepts_names_and_classes_and_leaves_given_models_unfitted(split):
    L_train, L_dev, y_dev = split
    mine = LabelModel()
    result = select(["mv", TripletModel, mine], L_train, L_dev, y_dev, metric="f1_macro")
    assert set(result.scores) == {"MajorityVoter", "TripletModel", "LabelModel"}
    assert not hasattr(mine, "mu_")
    assert result.model is not mine


def test_ties_go_to_the_earlier_candidate(split):
    L_train, L_dev, y_dev = split
    result = select([LabelModel(), LabelModel()], L_train, L_dev, y_dev)
    assert result.name == "LabelModel"
    assert list(result.scores) == ["LabelModel", "LabelModel #2"]


def test_a_candidate_that_cannot_fit_is_skipped(split):
    L_train, L_dev, y_dev = split
    result = select([TripletModel(), DawidSkene()], L_train[:, :2], L_dev[:, :2], y_dev)
    assert math.isnan(result.scores["TripletModel"]) and result.name == "DawidSkene"
    with pytest.raises(ValueError, match="at least 3 LFs"):
        select([TripletModel()], L_train[:, :2], L_dev[:, :2], y_dev)


def test_a_candidate_with_a_bad_parameter_is_an_error_not_a_skip(split):
    """Before: DawidSkene(smoothing=-1) scored NaN and was listed as "cannot be fitted on this
    matrix", and the selection went on without it."""
    from lf.errors import ParameterError

    L_train, L_dev, y_dev = split
    with pytest.raises(ParameterError, match=r"`smoothing` must be a finite number >= 0. Got -1"):
        select([LabelModel(), DawidSkene(smoothing=-1)], L_train, L_dev, y_dev)


def test_errors(split):
    L_train, L_dev, y_dev = split
    with pytest.raises(ValueError, match=r"`y_dev` must hold one gold label per row"):
        select(None, L_train, L_dev, y_dev[:-1])
    with pytest.raises(ValueError, match=r"`y_dev` holds 5 at row 0: it must hold class ids 0..1\.$"):
        select(None, L_train, L_dev, y_dev + 5)
    no_gold = np.where(np.arange(len(y_dev)) == 3, -1, y_dev)
    with pytest.raises(ValueError, match=r"`y_dev` holds -1 \(no gold label\) at row 3: .*L_dev\[y_dev != -1\], y_dev\[y_dev != -1\]\.$"):
        select(None, L_train, L_dev, no_gold)
    assert select(None, L_train, L_dev, y_dev.astype(float)).name == select(None, L_train, L_dev, y_dev).name
    with pytest.raises(ValueError, match="`L_dev` has 5 LFs"):
        select(None, L_train, L_dev[:, :5], y_dev)
    with pytest.raises(ValueError, match="`metric`"):
        select(None, L_train, L_dev, y_dev, metric="auc")
    with pytest.raises(ValueError, match="`class_balance`"):
        select(None, L_train, L_dev, y_dev, class_balance="train")
    with pytest.raises(TypeError, match="candidate"):
        select([42], L_train, L_dev, y_dev)
    with pytest.raises(ValueError, match="same LFs"):
        select(
            None,
            LabelMatrix(L_train, names=list("abcdef")),
            LabelMatrix(L_dev, names=list("abcdeg")),
            y_dev,
        )


def test_dev_rows_whose_labels_are_in_another_order_are_refused_up_front(split):
    """Before: every candidate failed on the dev rows, and the first one's error said to fit
    the model again."""
    L_train, L_dev, y_dev = split
    names = list("abcdef")
    with pytest.raises(ParameterError, match=r"`L_train` labels HAM, SPAM and `L_dev` labels SPAM, HAM \(in that order\)"):
        select(None, LabelMatrix(L_train, names=names, labels=["HAM", "SPAM"]),
               LabelMatrix(L_dev, names=names, labels=["SPAM", "HAM"]), y_dev)


def test_a_dev_matrix_of_an_edited_lf_is_refused_as_lf_fit_refuses_it(tmp_path):
    """Matrices from `lf apply` record each LF's definition: train made before an edit, dev
    after. `lf fit --dev` refused them; select() scored the models on the edited LF's votes."""
    from pathlib import Path

    import pandas as pd

    from lf.cli import main

    root = Path(__file__).resolve().parents[2]
    frame = pd.read_csv(root / "datasets" / "demo" / "comments.csv").iloc[:300]
    frame.iloc[:200].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[200:].to_csv(tmp_path / "dev.csv", index=False)
    module = root / "labeling_functions" / "demo_spam.py"
    edited = tmp_path / "edited.py"
    edited.write_text(module.read_text().replace('["free", "prize", "gift card", "earn"]', '["free"]'))
    for data, lfs, out in (("train", module, "L"), ("dev", edited, "D"), ("dev", module, "S")):
        assert main(["apply", str(tmp_path / f"{data}.csv"), "--lfs", str(lfs), "-o", str(tmp_path / f"{out}.parquet")]) == 0
    L, D, S = (LabelMatrix.load(tmp_path / f"{out}.parquet") for out in "LDS")
    y_dev = frame["label"].iloc[200:].to_numpy()
    with pytest.raises(ParameterError, match="LF 'giveaway' had another definition"):
        select(["MajorityVoter"], L, D, y_dev)
    assert select(["MajorityVoter"], L, S, y_dev).name == "MajorityVoter"


def test_wrench_hausa_selects_on_valid(wrench):
    folder = wrench("hausa")
    train, valid = load_wrench(folder, "train"), load_wrench(folder, "valid")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = select(None, train.L, valid.L, valid.y)
    assert result.name == result.default or result.intervals[result.name][0] > 0
    assert all(lo <= hi for lo, hi in result.intervals.values())
    # One LF per class: the LabelModel's fit is underdetermined even with the dev balance.
    # Said once, by the chosen model's own fit, not by every candidate and fold.
    said = [w for w in caught if issubclass(w.category, UnderdeterminedWarning)]
    assert len(said) == (result.name.startswith("LabelModel")), [str(w.message) for w in caught]


def test_a_win_within_the_dev_noise_keeps_the_default():
    # One tied dev row: the random tie break happens to get it right, the prior's does not.
    L_dev = np.array([[0, 0, -1]] * 30 + [[1, 1, -1]] * 30 + [[0, 1, -1]])
    y_dev = np.array([0] * 30 + [1] * 30 + [0])
    alt = MajorityVoter(tie_break="random", random_state=0)
    alt_pred = alt.fit(L_dev, class_balance=[0.6, 0.4]).predict(L_dev)[-1]
    y_dev[-1] = alt_pred
    default = MajorityVoter(tie_break="prior")
    assert default.fit(L_dev, class_balance=[0.6, 0.4]).predict(L_dev)[-1] != alt_pred
    result = select([default, alt], L_dev, L_dev, y_dev, class_balance=[0.6, 0.4])
    names = list(result.scores)
    assert result.scores[names[1]] > result.scores[names[0]]  # better on dev, by one row
    assert result.intervals[names[1]][0] <= 0.0 < result.intervals[names[1]][1]
    assert result.name == names[0] == result.default


class Spy(MajorityVoter):
    """Records every class balance it is fitted with."""

    seen: ClassVar[list[np.ndarray]] = []

    def fit(self, L, *, class_balance=None, cardinality=None):
        Spy.seen.append(np.asarray(class_balance))
        return super().fit(L, class_balance=class_balance, cardinality=cardinality)


def test_a_dev_class_balance_is_cross_validated(split):
    L_train, L_dev, y_dev = split
    Spy.seen = []
    result = select([Spy()], L_train, L_dev, y_dev, folds=4)
    full = (np.bincount(y_dev, minlength=2) + 1.0) / (len(y_dev) + 2.0)
    assert len(Spy.seen) == 5  # one fit per fold, then the chosen model on all dev rows
    assert all(not np.allclose(b, full, rtol=0, atol=1e-12) for b in Spy.seen[:4])
    np.testing.assert_allclose(Spy.seen[4], full)
    np.testing.assert_allclose(result.model.class_balance_, full)
    # each fold's balance leaves out a quarter of the dev rows: averaged back it is the full one
    sizes = np.array([len(y_dev) * 3 / 4 + 2] * 4)
    assert np.allclose(np.mean([b * s for b, s in zip(Spy.seen[:4], sizes)], axis=0) / sizes.mean(), full, atol=0.01)


def test_a_printed_candidate_name_is_a_model_spec():
    from lf.errors import ParameterError
    from lf.models import model_from_spec

    model = model_from_spec("LabelModel(abstain='model', em_steps=3)")
    assert isinstance(model, LabelModel) and model.abstain == "model" and model.em_steps == 3
    assert isinstance(model_from_spec("ds"), DawidSkene)
    with pytest.raises(ParameterError, match=r"LabelModel has no parameter 'foo'.*Its parameters: abstain"):
        model_from_spec("LabelModel(foo=1)")
    with pytest.raises(ParameterError, match="with literal values"):
        model_from_spec("LabelModel(abstain=__import__('os').getcwd())")
    for cut in ("LabelModel(", "LabelModel(abstain='model'", "LabelModel(  "):  # a default model, without a word
        with pytest.raises(ParameterError, match="Cannot read the model"):
            model_from_spec(cut)
    assert isinstance(model_from_spec("LabelModel()"), LabelModel)


def test_f1_macro_averages_over_the_true_and_the_predicted_classes_as_sklearn():
    """Before: over the classes in y_true only, so a class a model predicts but the dev rows
    never hold did not count (0.833 here, where sklearn's macro F1 is 0.556)."""
    from sklearn.metrics import f1_score

    from lf.models.select import score

    y_true, y_pred = np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1])
    want = f1_score(y_true, y_pred, average="macro")
    assert score(y_true, y_pred, 3, "f1_macro") == pytest.approx(want) == pytest.approx(5 / 9)
    rng = np.random.default_rng(0)
    for _ in range(20):
        yt, yp = rng.integers(0, 4, 30), rng.integers(0, 4, 30)
        assert score(yt, yp, 4, "f1_macro") == pytest.approx(f1_score(yt, yp, average="macro"))
    # an abstain (-1, MajorityVoter's tie_break="abstain") is a miss, not a class
    assert score(np.array([0, 1]), np.array([0, -1]), 2, "f1_macro") == pytest.approx(
        f1_score([0, 1], [0, -1], labels=[0, 1], average="macro")
    )


def test_score_refuses_gold_of_no_class_and_unknown_metrics() -> None:
    """score([0, -1, 1], ...) took -1 for a class (macro F1 over three classes, one never
    right: 0.556 for 1.0 on the two gold rows), and a misspelled metric was macro F1."""
    from lf.models.select import score

    with pytest.raises(ParameterError, match=r"`y_true` holds -1 \(no gold label\) at row 1"):
        score([0, -1, 1], [0, 1, 1], 2, "f1_macro")
    with pytest.raises(ParameterError, match=r"`y_true` holds 2 at row 2: it must hold class ids 0..1\.$"):
        score([0, 1, 2], [0, 1, 1], 2)
    with pytest.raises(ParameterError, match=r"`metric` must be one of \('accuracy', 'f1_macro'\)\. Got 'f1'\.$"):
        score([0, 1], [0, 1], 2, "f1")
    assert score([0, 1], [0, 1], 2, "f1_macro") == 1.0
