"""DawidSkene: EM contract, properties, recovery and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lf.errors import NotFittedError
from lf.models import ConvergenceWarning, DawidSkene, get_model

FAST = settings(max_examples=25, deadline=None)


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    k = draw(st.integers(2, 4))
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, 40))
    cells = draw(st.lists(st.integers(-1, k - 1), min_size=n * m, max_size=n * m))
    return np.asarray(cells, np.int8).reshape(n, m), k


def test_fit_learns_confusions_and_converges(easy):
    L, _, _ = easy
    model = DawidSkene().fit(L)
    assert model.confusion_.shape == (5, 3, 2)
    assert np.allclose(model.confusion_.sum(axis=1), 1.0)
    assert model.converged_ and 1 <= model.n_iter_ <= model.max_iter


@pytest.mark.parametrize("k", [2, 4])
def test_recovers_known_accuracies(generate, k):
    rng = np.random.default_rng(10 + k)
    acc = rng.uniform(0.55, 0.95, 20)
    L, _ = generate(100_000, 20, k, accuracies=acc, propensities=rng.uniform(0.05, 0.5, 20), seed=k)
    model = DawidSkene().fit(L, cardinality=k)
    assert np.abs(model.accuracies_ - acc).mean() < 0.02
    assert np.allclose(model.class_balance_, 1.0 / k, atol=0.02)  # learned, not given


def test_given_class_balance_stays_fixed(easy):
    L, _, _ = easy
    assert np.allclose(DawidSkene().fit(L, class_balance=[0.2, 0.8]).class_balance_, [0.2, 0.8])


@FAST
@given(matrices())
def test_probabilities_sum_to_one(data):
    L, k = data
    for abstain in ("model", "ignore"):
        proba = DawidSkene(abstain=abstain).fit(L, cardinality=k).predict_proba(L)
        assert np.allclose(proba.sum(axis=1), 1.0) and np.all(proba >= 0)


@FAST
@given(matrices(), st.randoms(use_true_random=False))
def test_permuting_lfs_permutes_parameters(data, rnd):
    L, k = data
    perm = np.array(rnd.sample(range(L.shape[1]), L.shape[1]))
    a, b = DawidSkene().fit(L, cardinality=k), DawidSkene().fit(L[:, perm], cardinality=k)
    assert np.allclose(a.confusion_[perm], b.confusion_, atol=1e-9)


@FAST
@given(matrices())
def test_all_abstain_row_gets_class_balance_when_abstentions_are_ignored(data):
    L, k = data
    model = DawidSkene(abstain="ignore").fit(L, cardinality=k)
    got = model.predict_proba(np.full((1, L.shape[1]), -1, np.int8))[0]
    assert np.allclose(got, model.class_balance_)


@FAST
@given(matrices())
def test_duplicated_dataset_gives_the_same_fit_without_smoothing(data):
    L, k = data
    a = DawidSkene(smoothing=0.0).fit(L, cardinality=k)
    b = DawidSkene(smoothing=0.0).fit(np.concatenate([L, L]), cardinality=k)
    assert np.allclose(a.confusion_, b.confusion_, atol=1e-12)
    assert np.allclose(a.class_balance_, b.class_balance_, atol=1e-12)


def test_errors(easy):
    L, _, _ = easy
    with pytest.raises(NotFittedError):
        DawidSkene().predict(L)
    with pytest.raises(ValueError, match="`smoothing`"):
        DawidSkene(smoothing=-1).fit(L)
    with pytest.raises(ValueError, match="`abstain`"):
        DawidSkene(abstain="yes").fit(L)
    with pytest.raises(ValueError, match=r"`cardinality` must be an integer >= 2"):
        DawidSkene().fit(L, cardinality=1)
    with pytest.raises(ValueError, match="2 LFs; the model was fitted on 5"):
        DawidSkene().fit(L).predict(L[:, :2])
    assert get_model("ds") is DawidSkene and get_model("dawid_skene") is DawidSkene


def test_an_lf_that_never_votes_has_an_unknown_accuracy():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 2000)
    L = np.where(rng.random((2000, 4)) < 0.8, y[:, None], rng.integers(0, 3, (2000, 4)))
    L[rng.random(L.shape) < 0.5] = -1
    L[:, 3] = -1
    acc = DawidSkene().fit(L, cardinality=3).accuracies_
    assert np.isnan(acc[3]) and np.all((acc[:3] > 0.8) & (acc[:3] < 0.95))


def test_stopping_at_max_iter_warns_and_says_what_to_raise(easy):
    L, _, _ = easy
    with pytest.warns(ConvergenceWarning, match=r"DawidSkene did not converge in max_iter=2 EM iterations.*raise `max_iter`"):
        model = DawidSkene(max_iter=2).fit(L)
    assert not model.converged_ and model.n_iter_ == 2


@pytest.mark.parametrize("name", ["youtube", "yoruba", "hausa", "chemprot"])
@pytest.mark.parametrize("abstain", ["model", "ignore"])
def test_the_default_converges_on_the_shared_sets(wrench, name, abstain):
    from lf.datasets import load_wrench

    folder = wrench(name)
    L = load_wrench(folder, "train" if (folder / "train.json").is_file() else "valid").L
    model = DawidSkene(abstain=abstain).fit(L)  # a ConvergenceWarning would fail the test
    assert model.converged_ and model.n_iter_ < model.max_iter


@pytest.mark.filterwarnings("ignore::lf.models.UnvotedClassWarning")  # class 2 on purpose: said, tested elsewhere
@pytest.mark.parametrize("abstain", ["model", "ignore"])
def test_a_class_no_lf_votes_is_never_the_label_of_a_voted_row(easy, abstain):
    """Before: with cardinality 3 on votes for classes 0 and 1 only, EM used class 2 as a
    spare cluster and gave it rows with a single vote (on the demo: 105 of 1,894 covered
    rows labelled with a class no LF ever voted)."""
    L, _, _ = easy
    covered = (L != -1).any(axis=1)
    two = DawidSkene(abstain=abstain).fit(L, cardinality=2)
    three = DawidSkene(abstain=abstain).fit(L, cardinality=3)
    P = three.predict_proba(L)
    assert three.class_balance_[2] == 0.0 and np.all(P[:, 2] == 0.0)
    np.testing.assert_allclose(P[:, :2], two.predict_proba(L), atol=0.02)
    # A balance given with mass on that class: voted rows still never get it; rows no LF
    # votes on do when abstentions are evidence (every LF abstains on that class).
    given = DawidSkene(abstain=abstain).fit(L, cardinality=3, class_balance=[0.4, 0.4, 0.2]).predict_proba(L)
    assert given[covered, 2].max() < 1e-6
    assert np.all(given[~covered, 2] > 0.2) if abstain == "model" else np.allclose(given[~covered, 2], 0.2)


def _with_silent_lf(L: np.ndarray) -> np.ndarray:
    return np.hstack([L, np.full((L.shape[0], 1), -1, L.dtype)])


@FAST
@given(matrices())
def test_an_lf_that_never_votes_changes_no_probability(data):
    """Before: the smoothing's pseudo-counts went evenly to every outcome, so an LF that
    never votes had a lower chance of ABSTAIN on the classes of little weight and counted
    as evidence against them, more with each EM step."""
    L, k = data
    for abstain in ("model", "ignore"):
        before = DawidSkene(abstain=abstain).fit(L, cardinality=k)
        after = DawidSkene(abstain=abstain).fit(_with_silent_lf(L), cardinality=k)
        np.testing.assert_allclose(after.predict_proba(_with_silent_lf(L)), before.predict_proba(L), atol=1e-9)
        np.testing.assert_allclose(after.class_balance_, before.class_balance_, atol=1e-12)
        assert np.isnan(after.accuracies_[-1])


@pytest.mark.parametrize("abstain", ["model", "ignore"])
def test_an_lf_that_never_votes_changes_no_label_on_chemprot(wrench, abstain):
    """Before: on WRENCH chemprot (26 LFs, 10 classes, fit on valid) one LF that never
    votes, added, changed the label of 334 of 1,607 test rows and moved the learned
    balance of class 1 from 0.08 to 0.17."""
    from lf.datasets import load_wrench

    folder = wrench("chemprot")
    A = np.asarray(load_wrench(folder, "valid").L.array)
    T = np.asarray(load_wrench(folder, "test").L.array)
    before = DawidSkene(abstain=abstain).fit(A, cardinality=10)
    after = DawidSkene(abstain=abstain).fit(_with_silent_lf(A), cardinality=10)
    np.testing.assert_allclose(after.predict_proba(_with_silent_lf(T)), before.predict_proba(T), atol=1e-9)
