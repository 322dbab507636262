"""An LF the other LFs of its label contradict is fitted as worse than random; no other is."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lf
from lf.models import LabelModel, UnderdeterminedWarning
from lf.models._stats import moments
from lf.models._vote_classes import vote_classes


def classes_of(L: np.ndarray, k: int) -> np.ndarray:
    mom = moments(L, k, None)
    return vote_classes(mom.O / mom.n, mom.n, L.shape[1], k).reshape(L.shape[1], k)


def with_reversed_lf(generate, n: int = 5000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Eight good binary LFs; LF 0 votes the wrong class whenever it fires (accuracy 0.05)."""
    acc = np.array([0.05, 0.85, 0.8, 0.75, 0.9, 0.7, 0.8, 0.85])
    return generate(n, 8, 2, accuracies=acc, propensities=np.full(8, 0.4), seed=seed)


def test_an_lf_voting_against_the_others_of_its_labels_is_learned_as_worse_than_random(generate):
    L, y = with_reversed_lf(generate)
    model = LabelModel().fit(L)
    assert model.reversed_votes_ == [(0, 0, 1), (0, 1, 0)]
    assert model.accuracies_[0] < 0.1
    assert model.accuracies_[1:].min() > 0.65
    # Fitted as better than random, LF 0 was learned right 97% of the time and the accuracy
    # over all rows was 0.69.
    assert model.score(L, y, "accuracy", abstain=None)["accuracy"] > 0.9
    assert classes_of(L, 2)[1:].tolist() == [[0, 1]] * 7


def test_a_label_with_one_lf_keeps_the_assumption(generate):
    """Nothing can contradict the only LF of a label: one LF per class, one of them mostly
    wrong, is still fitted as better than random (the documented symmetry assumption)."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 4000)
    L = np.full((4000, 3), -1, np.int8)
    for j in range(3):
        on = rng.random(4000) < np.where(y == j, 0.6, 0.1)
        L[on, j] = j
    L[(y == 1) & (rng.random(4000) < 0.5), 0] = 0  # LF 0 fires on class 1 more than on 0
    with pytest.warns(UnderdeterminedWarning, match="5 agreement statistics for 11 unknowns"):
        assert LabelModel().fit(L).reversed_votes_ == []


def test_two_lfs_of_one_label_that_exclude_each_other_judge_neither(generate):
    """Two SPAM LFs that never fire on the same row (e.g. short and long texts) are
    anti-associated; with no third SPAM LF to say which is wrong, neither is reversed."""
    L, _ = generate(6000, 6, 2, accuracies=np.array([0.85, 0.85, 0.8, 0.8, 0.75, 0.9]),
                    propensities=np.full(6, 0.5), seed=4)
    L[:, 0] = np.where(L[:, 0] == 1, 1, -1)
    L[:, 1] = np.where((L[:, 1] == 1) & (L[:, 0] == -1), 1, -1)
    L[:, 2:] = np.where(L[:, 2:] == 1, -1, L[:, 2:])  # the others vote HAM only
    assert LabelModel().fit(L).reversed_votes_ == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), k=st.sampled_from([2, 3, 4]), m=st.integers(3, 9))
def test_better_than_random_conditionally_independent_lfs_are_never_reversed(generate, seed, k, m):
    rng = np.random.default_rng(seed)
    acc = rng.uniform(max(0.55, 1.0 / k + 0.1), 0.95, m)
    L, _ = generate(3000, m, k, accuracies=acc, propensities=rng.uniform(0.05, 0.9, m), seed=seed)
    assert (classes_of(L, k) == np.arange(k)).all()


def test_the_reversed_votes_follow_the_lfs_when_they_are_reordered(generate):
    L, _ = with_reversed_lf(generate, seed=1)
    names = [f"lf{j}" for j in range(8)]
    perm = np.array([3, 5, 0, 7, 1, 6, 2, 4])
    a = LabelModel().fit(lf.LabelMatrix(L, names=names, cardinality=2))
    b = LabelModel().fit(lf.LabelMatrix(L[:, perm], names=[names[j] for j in perm], cardinality=2))
    assert a.reversed_votes_ == [("lf0", 0, 1), ("lf0", 1, 0)]
    assert sorted(b.reversed_votes_) == a.reversed_votes_
    np.testing.assert_allclose(b.mu_, a.mu_[perm], atol=1e-8)


def test_the_reversed_votes_survive_save_and_load(generate, tmp_path):
    L, _ = with_reversed_lf(generate, seed=2)
    names = [f"lf{j}" for j in range(8)]
    model = LabelModel().fit(lf.LabelMatrix(L, names=names, cardinality=2))
    back = LabelModel.load(model.save(tmp_path / "m.json"))
    assert back.reversed_votes_ == model.reversed_votes_ == [("lf0", 0, 1), ("lf0", 1, 0)]
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


@pytest.mark.parametrize("n", [0, 1])
def test_no_rows_or_one_lf_reverse_nothing(n):
    O = np.zeros((4, 4))
    assert vote_classes(O, float(n), 2, 2).tolist() == [0, 1, 0, 1]
    assert vote_classes(np.eye(2) * 0.5, 10.0, 1, 2).tolist() == [0, 1]


@pytest.mark.parametrize("dependencies", [[(0, 1)], [(1, 2)], "auto"])
def test_a_reversed_lf_stays_reversed_with_dependencies(generate, dependencies):
    """A clique's factor keeps each member pointing where the moment fit points it: a
    reversed member inside a clique is not turned back into a right one."""
    L, y = with_reversed_lf(generate, seed=3)
    model = LabelModel(dependencies=dependencies).fit(L)
    assert model.reversed_votes_ == [(0, 0, 1), (0, 1, 0)]
    assert model.score(L, y, "accuracy", abstain=None)["accuracy"] > 0.9


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), k=st.integers(2, 4))
def test_stouffer_combines_the_other_judges_only(seed, m, k):
    from lf.models._vote_classes import _stouffer

    rng = np.random.default_rng(seed)
    same = rng.normal(size=(k, m, m))
    judges = rng.random((k, m)) < 0.6
    want = np.zeros((k, m))
    for l in range(k):
        for j in range(m):
            others = [i for i in range(m) if i != j and judges[l, i]]
            want[l, j] = sum(same[l, j, i] for i in others) / np.sqrt(len(others)) if others else 0.0
    np.testing.assert_allclose(_stouffer(same, judges), want, atol=1e-12)


def test_lf_fit_and_lf_label_name_the_reversed_lf(generate, tmp_path, capsys):
    from pathlib import Path

    from lf.cli import main

    L, _ = with_reversed_lf(generate, seed=4)
    names = ["always\x1bwrong", *(f"lf{j}" for j in range(1, 8))]  # a control character is shown escaped
    matrix = lf.LabelMatrix(L, names=names, cardinality=2, labels=["HAM", "SPAM"])
    matrix.save(tmp_path / "L.parquet")
    assert main(["fit", str(tmp_path / "L.parquet"), "-o", str(tmp_path / "m.json")]) == 0
    err = capsys.readouterr().err
    expected = "always\\x1bwrong: its HAM votes go with SPAM; always\\x1bwrong: its SPAM votes go with HAM"
    assert expected in " ".join(line.strip() for line in err.splitlines())
    assert "\x1b" not in err and all(len(line) <= 80 for line in err.splitlines()[:-1])

    demo = Path(__file__).resolve().parents[2] / "datasets" / "demo"
    lfs = Path(__file__).resolve().parents[2] / "labeling_functions" / "demo_spam.py"
    assert main(["label", str(demo / "comments.csv"), "--lfs", str(lfs), "-o", str(tmp_path / "o.parquet")]) == 0
    assert "worse than random" not in capsys.readouterr().err  # nothing reversed: no line


@pytest.mark.filterwarnings("always::lf.models.UnderdeterminedWarning")  # printed by the CLI
def test_lf_fit_says_when_the_votes_cannot_determine_the_fit(tmp_path, capsys):
    """One LF per class: a class's share and its LF's recall trade off, and the LabelModel
    says its fit rests on its prior (also with the balance given: the rates still do);
    DawidSkene, which estimates the balance too, gets the command's note; two LFs per class
    give enough agreements, and majority vote learns nothing."""
    from lf.cli import main

    rng = np.random.default_rng(5)
    y = rng.choice(3, 3000, p=[0.6, 0.3, 0.1])
    L = np.full((3000, 6), -1, np.int8)
    for j in range(6):
        L[(rng.random(3000) < np.where(y == j % 3, 0.5, 0.05)), j] = j % 3
    lf.LabelMatrix(L[:, :3], names=["a", "b", "c"], cardinality=3).save(tmp_path / "one.parquet")
    lf.LabelMatrix(L, names=["a", "b", "c", "a2", "b2", "c2"], cardinality=3).save(tmp_path / "two.parquet")

    def said(*args: str) -> str:
        assert main(["fit", *args, "-o", str(tmp_path / "m.json")]) == 0
        return " ".join(capsys.readouterr().err.split())

    err = said(str(tmp_path / "one.parquet"))
    assert "warning: LabelModel: the LFs' votes give 6 agreement statistics for 11 unknowns" in err
    assert "each vote got one rate for all the classes it does not point to (8 unknowns" in err
    assert "accuracies and class balance rest on it and on the model's prior" in err and "--class-balance dev" in err
    assert "each class is voted by one LF only" not in err  # the warning says it, once
    err = said(str(tmp_path / "one.parquet"), "--class-balance", "0.6,0.3,0.1")
    assert "6 agreement statistics for 9 unknowns" in err and "--class-balance" not in err
    assert "each class is voted by one LF only" in said(str(tmp_path / "one.parquet"), "--model", "DawidSkene")
    assert "warning" not in said(str(tmp_path / "one.parquet"), "--model", "MajorityVoter")
    assert "warning" not in said(str(tmp_path / "two.parquet"))  # 21 statistics, 20 unknowns


@pytest.mark.filterwarnings("always::lf.models.UnderdeterminedWarning")  # printed by the CLI
def test_lf_label_notes_it_too(tmp_path, capsys):
    from lf.cli import main

    rng = np.random.default_rng(6)
    words = rng.choice(["red", "green", "blue", "grey"], 2000, p=[0.5, 0.3, 0.1, 0.1])
    (tmp_path / "d.csv").write_text("text\n" + "\n".join(f"a {w} thing" for w in words) + "\n")
    (tmp_path / "lfs.py").write_text(
        "from lf import keyword_lf\n"
        "LABELS = ['R', 'G', 'B']\n"
        "red = keyword_lf('red', ['red'], 0)\n"
        "green = keyword_lf('green', ['green'], 1)\n"
        "blue = keyword_lf('blue', ['blue'], 2)\n"
    )
    args = ["label", str(tmp_path / "d.csv"), "--lfs", str(tmp_path / "lfs.py"), "-o", str(tmp_path / "o.parquet")]
    assert main(args) == 0
    assert "agreement statistics for 11 unknowns" in " ".join(capsys.readouterr().err.split())
    assert main([*args, "--model", "DawidSkene"]) == 0
    assert "each class is voted by one LF only" in " ".join(capsys.readouterr().err.split())
    assert main([*args, "--model", "DawidSkene", "--class-balance", "R=0.5,G=0.3,B=0.2"]) == 0
    assert "each class is voted by one LF only" not in " ".join(capsys.readouterr().err.split())
