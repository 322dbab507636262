"""Every model says when the votes cannot carry what it learns from them.

An LF that votes one class on every row says nothing about the class, yet each model
counted it as evidence for that class on every row without a word: with four LFs about
80% right on balanced classes, the LabelModel learned a balance of 0.78 for the constant
LF's class and labelled 69% of the rows with it. A class no LF votes can never be
recognised; DawidSkene gave it a share of 0 while a third of the rows had it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lf
from lf.matrix import PatternTable
from lf.models import MODELS, LabelModel, UninformativeLFWarning, UnvotedClassWarning

ALL = pytest.mark.parametrize("name", ["LabelModel", "MajorityVoter", "DawidSkene", "TripletModel"])


def votes(y: np.ndarray, specs: list[tuple[int, float, float]], seed: int) -> np.ndarray:
    """One LF per ``(class, rate on that class, rate on the others)``."""
    rng = np.random.default_rng(seed)
    L = np.full((y.size, len(specs)), -1, np.int8)
    for j, (c, on, off) in enumerate(specs):
        L[rng.random(y.size) < np.where(y == c, on, off), j] = c
    return L


def with_constant_lf(n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    y = np.random.default_rng(0).integers(0, 2, n)
    L = votes(y, [(1, 0.5, 0.1), (0, 0.5, 0.1), (1, 0.4, 0.1), (0, 0.4, 0.1)], seed=1)
    return np.column_stack([L, np.ones(n, np.int8)]), y


@ALL
def test_an_lf_voting_one_class_on_every_row_is_named(name):
    L, _ = with_constant_lf()
    M = lf.LabelMatrix(L, names=["a", "b", "c", "d", "everything"], cardinality=2, labels=["HAM", "SPAM"])
    with pytest.warns(UninformativeLFWarning) as caught:
        MODELS[name]().fit(M)
    text = str(caught[0].message)
    assert text.startswith(f"{name}: LF 'everything' votes SPAM on every row: a vote that never changes says nothing")
    assert "Drop the LF" in text and len(caught) == 1


def test_what_the_constant_lf_did_to_the_label_model():
    """The sign is needed: the learned balance goes to 0.54 for classes of 0.50 (0.52
    without the LF; 0.78 before the two-class balance was searched by the rows'
    likelihood), 67% of the rows get its class (63% without), and the accuracy on the rows
    the other LFs vote on drops from 0.865 without the LF to 0.856."""
    L, y = with_constant_lf()
    with pytest.warns(UninformativeLFWarning, match="LabelModel: the LF in column 4 votes class 1 on every row"):
        model = LabelModel().fit(L)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        without = LabelModel().fit(L[:, :4])
    covered = (L[:, :4] != -1).any(axis=1)
    assert model.class_balance_[1] > without.class_balance_[1] + 0.015 and abs(without.class_balance_[1] - 0.5) < 0.02
    assert (model.predict(L) == 1).mean() > (without.predict(L[:, :4]) == 1).mean() + 0.03
    assert (model.predict(L) == y)[covered].mean() + 0.005 < (without.predict(L[:, :4]) == y)[covered].mean()


def test_an_lf_voting_every_row_with_several_classes_is_evidence():
    """A classifier turned LF votes on every row, but not always the same class: no word."""
    L, y = with_constant_lf()
    L[:, 4] = np.where(np.random.default_rng(2).random(y.size) < 0.8, y, 1 - y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LabelModel().fit(L)


def test_a_pattern_table_counts_only_the_rows_it_has():
    """A pattern with a count of 0 stands for no row: the LF still votes SPAM on every row."""
    L, _ = with_constant_lf(2000)
    rows, counts = np.unique(L, axis=0, return_counts=True)
    rows = np.vstack([rows, np.full((1, 5), -1, np.int8)])
    counts = np.append(counts, 0)
    table = PatternTable(rows, counts, names=("a", "b", "c", "d", "e"), cardinality=2)
    with pytest.warns(UninformativeLFWarning, match="LF 'e' votes 1 on every row"):
        LabelModel().fit_patterns(table)


def test_a_few_rows_are_not_enough_to_say_it():
    """On fewer than 100 rows an LF that fires often votes on all of them by chance."""
    L, _ = with_constant_lf(99)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lf.models.MajorityVoter().fit(L)


@ALL
def test_a_class_no_lf_votes_is_named(name):
    y = np.random.default_rng(3).integers(0, 3, 20_000)
    L = votes(y, [(0, 0.5, 0.05), (1, 0.5, 0.05), (0, 0.4, 0.05), (1, 0.4, 0.05)], seed=4)
    M = lf.LabelMatrix(L, names=["a", "b", "c", "d"], cardinality=3, labels=["sport", "news", "music"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MODELS[name]().fit(M)
    said = [str(w.message) for w in caught if w.category is UnvotedClassWarning]
    assert len(said) == 1 and said[0].startswith(f"{name}: no LF votes music (1 of 3 classes): no vote is evidence")
    assert "leave it out of LABELS" in said[0]
    assert (model.predict(M) != 2).all()  # what it warns about: a third of the rows are music


def test_classes_no_lf_votes_are_counted_past_three():
    y = np.random.default_rng(5).integers(0, 8, 5000)
    L = votes(y, [(0, 0.5, 0.05), (1, 0.5, 0.05), (0, 0.4, 0.05), (1, 0.4, 0.05)], seed=6)
    with pytest.warns(UnvotedClassWarning, match=r"no LF votes class 2, class 3, class 4 and 3 more \(6 of 8 classes\): "
                                                 r"no vote is evidence for them"):
        lf.models.MajorityVoter().fit(L, cardinality=8)


@pytest.mark.filterwarnings("always::lf.models.UninformativeLFWarning", "always::lf.models.UnvotedClassWarning")
def test_lf_report_says_it_with_or_without_a_model(tmp_path, capsys):
    """Without --model nothing is fitted, and the report said nothing of either; with one,
    its fit says it, once."""
    from lf.cli import main

    L, _ = with_constant_lf(2000)
    path = tmp_path / "L.parquet"
    lf.LabelMatrix(L, names=["a", "b", "c", "d", "everything"], cardinality=3, labels=["HAM", "SPAM", "EGGS"]).save(path)
    assert main(["report", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: everything votes SPAM on every row: its vote says nothing about the class" in err
    assert "warning: no LF votes EGGS (1 of 3 classes): no label model can recognise such rows" in err
    assert main(["report", str(path), "--model", "MajorityVoter"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("votes SPAM on every row") == 1 and err.count("no LF votes EGGS") == 1
    assert "warning: MajorityVoter: LF 'everything' votes SPAM on every row" in err


def test_the_warning_names_the_lf_as_written() -> None:
    """A backslash in an LF's name (a regex, a Windows path) is shown once, not as repr's \\\\."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    A = np.where(rng.random((500, 4)) < 0.7, np.where(rng.random((500, 4)) < 0.8, y[:, None], 1 - y[:, None]), -1)
    A[:, 0] = 1
    name = r'regex:\d+ "q"'
    L = lf.LabelMatrix(A.astype(np.int8), names=[name, "b", "c", "d"], cardinality=2)
    with pytest.warns(UninformativeLFWarning) as caught:
        LabelModel().fit(L)
    assert f"LF '{name}' votes 1 on every row" in str(caught[0].message)


@ALL
def test_a_class_the_given_balance_weighs_zero_is_named_where_no_row_can_get_it(name):
    """A balance of [1, 0] made every row HAM whatever the LFs voted, without a word; a
    majority vote, whose balance only settles ties, still labels the votes' winners."""
    y = np.repeat([0, 1], 200)
    L = lf.LabelMatrix(votes(y, [(0, 0.6, 0.1), (1, 0.6, 0.1), (0, 0.5, 0.1), (1, 0.5, 0.1)], 3), labels=["HAM", "SPAM"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MODELS[name]().fit(L, class_balance=[1.0, 0.0])
    said = [str(w.message) for w in caught if issubclass(w.category, UnvotedClassWarning)]
    predicted = set(model.predict(L).tolist())
    if name == "MajorityVoter":
        assert said == [] and 1 in predicted
    else:
        assert predicted == {0}
        assert len(said) == 1 and "gives SPAM (" in said[0] and "a share of 0, so no row gets that label" in said[0]


def test_lf_report_counts_the_unvoted_classes_past_the_first_few(tmp_path, capsys):
    """With 300 declared classes and LFs that vote 3 of them, the report's warning listed all
    297 others, some twenty lines of class names; it names a few and counts the rest, as
    the models' warning does."""
    from lf.cli import main

    rng = np.random.default_rng(0)
    L = rng.choice(np.array([-1, 0, 200, 299], np.int16), size=(500, 3))
    path = tmp_path / "L.parquet"
    lf.LabelMatrix(L, names=["a", "b", "c"], labels=[f"c{i:03d}" for i in range(300)]).save(path)
    assert main(["report", str(path)]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: no LF votes c001, c002, c003 and 294 more (297 of 300 classes):" in err
    assert "c004" not in err
