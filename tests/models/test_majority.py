"""MajorityVoter: tie policies, class balance, reproducibility, estimator contract, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lf import ABSTAIN, LabelMatrix
from lf.errors import DataError, NotFittedError
from lf.models import BaseLabelModel, MajorityVoter, get_model
from lf.models.majority import vote_counts

# rows: clear 0 | clear 1 | tie 0/1 | nobody votes | 2-vs-1 for class 2 | tie 1/2
L3 = np.array(
    [
        [0, 0, -1, 1],
        [1, -1, 1, -1],
        [0, 1, -1, -1],
        [-1, -1, -1, -1],
        [2, 2, 0, -1],
        [1, 2, -1, -1],
    ]
)


def test_init_only_stores_parameters_and_repr():
    m = MajorityVoter(tie_break="random", random_state=3)
    assert m.get_params() == {"tie_break": "random", "random_state": 3}
    assert repr(m) == "MajorityVoter(tie_break='random', random_state=3)"
    assert not hasattr(m, "class_balance_")
    with pytest.raises(TypeError):
        MajorityVoter("prior")  # keyword-only


def test_fit_returns_self_and_sets_learned_state():
    m = MajorityVoter()
    assert m.fit(L3) is m
    assert m.cardinality_ == 3
    assert m.class_balance_.tolist() == pytest.approx([1 / 3] * 3)


def test_unknown_tie_break_is_reported_at_fit():
    with pytest.raises(ValueError, match=r"`tie_break` must be one of 'abstain', 'random', 'prior'. Got 'coin'"):
        MajorityVoter(tie_break="coin").fit(L3)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "save"])
def test_unfitted_model_raises_not_fitted(method, tmp_path):
    m = MajorityVoter()
    args = (tmp_path / "m.json",) if method == "save" else (L3,)
    with pytest.raises(NotFittedError, match=r"This MajorityVoter is not fitted yet. Call fit\(L\)"):
        getattr(m, method)(*args)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


def test_vote_counts_small_and_large_cardinality():
    assert vote_counts(L3, 3).tolist() == [[2, 1, 0], [0, 2, 0], [1, 1, 0], [0, 0, 0], [1, 0, 2], [0, 1, 1]]
    big = np.array([[40, 40, 3], [-1, 39, -1]])
    counts = vote_counts(big, 41)  # > 32 classes takes the scatter path
    assert counts[0, 40] == 2 and counts[0, 3] == 1 and counts[1, 39] == 1 and counts.sum() == 4


def test_predict_proba_splits_ties_and_gives_all_abstain_rows_the_class_balance():
    m = MajorityVoter(tie_break="abstain").fit(L3, class_balance=[0.5, 0.3, 0.2])
    P = m.predict_proba(L3)
    expected = [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0], [0.5, 0.3, 0.2], [0, 0, 1], [0, 0.5, 0.5]]
    np.testing.assert_allclose(P, expected)


def test_predict_proba_prior_weights_ties_by_class_balance():
    m = MajorityVoter(tie_break="prior").fit(L3, class_balance=[0.5, 0.3, 0.2])
    P = m.predict_proba(L3)
    np.testing.assert_allclose(P[2], [0.5 / 0.8, 0.3 / 0.8, 0])
    np.testing.assert_allclose(P[5], [0, 0.6, 0.4])
    np.testing.assert_allclose(P[3], [0.5, 0.3, 0.2])


def test_predict_tie_policies():
    cb = [0.2, 0.5, 0.3]
    abstain = MajorityVoter(tie_break="abstain").fit(L3, class_balance=cb).predict(L3)
    assert abstain.tolist() == [0, 1, ABSTAIN, ABSTAIN, 2, ABSTAIN]
    prior = MajorityVoter(tie_break="prior").fit(L3, class_balance=cb).predict(L3)
    assert prior.tolist() == [0, 1, 1, 1, 2, 1]  # ties and empty rows go to the likelier class
    prior_eq = MajorityVoter().fit(L3).predict(L3)  # equal prior: lowest index among the tied
    assert prior_eq.tolist() == [0, 1, 0, 0, 2, 1]
    assert prior.dtype == np.int64


def test_random_tie_break_only_picks_tied_classes_and_is_reproducible():
    rows = np.tile(L3, (200, 1))
    m = MajorityVoter(tie_break="random", random_state=42).fit(rows)
    a, b = m.predict(rows), m.predict(rows)
    assert np.array_equal(a, b)
    assert np.array_equal(a, MajorityVoter(tie_break="random", random_state=42).fit(rows).predict(rows))
    assert not np.array_equal(a, MajorityVoter(tie_break="random", random_state=7).fit(rows).predict(rows))
    by_kind = {i: set(a[i::6].tolist()) for i in range(6)}
    assert by_kind == {0: {0}, 1: {1}, 2: {0, 1}, 3: {0, 1, 2}, 4: {2}, 5: {1, 2}}


@pytest.mark.filterwarnings("ignore::lf.models.UninformativeLFWarning")  # two constant LFs: ties on purpose
def test_random_tie_break_splits_ties_evenly_in_expectation():
    rows = np.tile(np.array([[0, 1]]), (4000, 1))
    pred = MajorityVoter(tie_break="random", random_state=0).fit(rows).predict(rows)
    assert 0.45 < pred.mean() < 0.55


def test_random_state_generator_is_accepted():
    rows = np.tile(np.array([[0, 1]]), (50, 1))
    pred = MajorityVoter(tie_break="random", random_state=np.random.default_rng(1)).fit(rows).predict(rows)
    assert set(pred.tolist()) == {0, 1}


@settings(max_examples=100, deadline=None)
@given(
    L=hnp.arrays(np.int64, st.tuples(st.integers(1, 30), st.integers(1, 6)), elements=st.integers(-1, 2)),
    cb=st.lists(st.integers(0, 10), min_size=3, max_size=3).filter(lambda v: sum(v) > 0),
    tie_break=st.sampled_from(["prior", "random", "abstain"]),
)
def test_probabilities_are_distributions_and_prior_predict_is_their_argmax(L, cb, tie_break):
    balance = np.array(cb, float) / sum(cb)
    m = MajorityVoter(tie_break=tie_break, random_state=0).fit(L, class_balance=balance, cardinality=3)
    P = m.predict_proba(L)
    assert P.shape == (L.shape[0], 3)
    assert np.all(P >= 0)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    counts = vote_counts(L, 3)
    covered = counts.max(axis=1) > 0
    # probability only on the most-voted classes of covered rows
    top = counts == counts.max(axis=1, keepdims=True)
    assert np.all(P[covered][~top[covered]] == 0)
    pred = m.predict(L)
    if tie_break == "prior":
        assert np.array_equal(pred, P.argmax(axis=1))
    if tie_break != "abstain":
        assert ((pred >= 0) & (pred < 3)).all()


def test_class_balance_is_validated():
    for bad in ([0.5, 0.5], [0.7, 0.7, -0.4], [0.2, 0.2, 0.2]):
        with pytest.raises(ValueError, match=r"`class_balance` must be 3 non-negative numbers summing to 1"):
            MajorityVoter().fit(L3, class_balance=bad)


def test_predicting_on_a_matrix_of_another_cardinality_fails():
    m = MajorityVoter().fit(L3)
    with pytest.raises(ValueError, match=r"cardinality 4; the model was fitted with 3"):
        m.predict(LabelMatrix(L3, cardinality=4))
    with pytest.raises(ValueError, match=r"Label 3 is out of range for cardinality 3"):
        m.predict(np.array([[3, -1]]))


def test_label_matrix_input_equals_array_input():
    L = LabelMatrix(L3, names=list("abcd"))
    m = MajorityVoter().fit(L)
    assert np.array_equal(m.predict_proba(L), MajorityVoter().fit(L3).predict_proba(L3))


# -- real data -------------------------------------------------------------------------------


def test_wrench_youtube_test_accuracy_matches_published_majority_vote(youtube_wrench):
    # SOURCE.md: MV accuracy on test, strict 0.728 (ties/uncovered wrong), expected 0.816
    L, y, _ = youtube_wrench["test"]
    strict = MajorityVoter(tie_break="abstain").fit(L).predict(L)
    assert (strict == y).mean() == pytest.approx(0.728, abs=1e-12)
    P = MajorityVoter().fit(L).predict_proba(L)
    assert P[np.arange(len(y)), y].mean() == pytest.approx(0.816, abs=1e-12)


def test_equals_snorkel_majority_label_voter_on_wrench_youtube(youtube_wrench):
    from snorkel.labeling.model import MajorityLabelVoter

    for split in ("train", "test"):
        L, _, _ = youtube_wrench[split]
        ref = MajorityLabelVoter(cardinality=2)
        np.testing.assert_array_equal(MajorityVoter().fit(L).predict_proba(L), ref.predict_proba(L))
        np.testing.assert_array_equal(
            MajorityVoter(tie_break="abstain").fit(L).predict(L), ref.predict(L, tie_break_policy="abstain")
        )



@st.composite
def _votes_and_gold(draw):
    k = draw(st.integers(2, 5))  # the top classes may be voted by no LF
    n, m = draw(st.integers(1, 25)), draw(st.integers(1, 6))
    L = draw(hnp.arrays(np.int64, (n, m), elements=st.integers(-1, k - 1)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(-1, k - 1)))  # -1: no gold label
    return L, y, k


@settings(max_examples=60, deadline=None)
@given(_votes_and_gold())
def test_equals_snorkel_majority_label_voter_with_more_classes_and_missing_gold(case):
    import logging

    from snorkel.labeling.model import MajorityLabelVoter

    L, y, k = case
    ref = MajorityLabelVoter(cardinality=k)
    voter = MajorityVoter(tie_break="abstain").fit(L, cardinality=k)
    np.testing.assert_allclose(voter.predict_proba(L), ref.predict_proba(L))
    np.testing.assert_array_equal(voter.predict(L), ref.predict(L, tie_break_policy="abstain"))
    for tie_break in ("prior", "random"):  # predict(abstain="ties") is Snorkel's default predict
        other = MajorityVoter(tie_break=tie_break, random_state=0).fit(L, cardinality=k)
        np.testing.assert_array_equal(other.predict(L, abstain="ties"), ref.predict(L))
    scored = (y != -1) & (voter.predict(L) != -1)
    if scored.any():  # Snorkel raises on nothing left to score
        logging.disable(logging.WARNING)  # Snorkel logs that it scores the labeled rows only
        try:
            theirs = ref.score(L, y, ["accuracy", "coverage"], tie_break_policy="abstain")
        finally:
            logging.disable(logging.NOTSET)
        assert voter.score(L, y, ["accuracy", "coverage"]) == pytest.approx(theirs)


# -- persistence -----------------------------------------------------------------------------


@pytest.mark.parametrize("tie_break", ["prior", "random", "abstain"])
def test_save_load_roundtrip_predicts_the_same(tmp_path, tie_break):
    m = MajorityVoter(tie_break=tie_break, random_state=5).fit(L3, class_balance=[0.2, 0.5, 0.3])
    path = m.save(tmp_path / "mv.json")
    doc = json.loads(path.read_text())
    assert doc["model"] == "MajorityVoter" and doc["params"] == {"tie_break": tie_break, "random_state": 5}
    for loader in (MajorityVoter.load, BaseLabelModel.load):
        back = loader(path)
        assert isinstance(back, MajorityVoter)
        assert back.get_params() == m.get_params()
        assert back.cardinality_ == 3
        np.testing.assert_array_equal(back.class_balance_, m.class_balance_)
        np.testing.assert_array_equal(back.predict_proba(L3), m.predict_proba(L3))
        np.testing.assert_array_equal(back.predict(L3), m.predict(L3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mv.json"]


def test_load_errors(tmp_path):
    with pytest.raises(DataError, match=r"Model file not found: .*nope\.json"):
        MajorityVoter.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataError, match=r"bad\.json' is not a model file written by lf"):
        MajorityVoter.load(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something/1"}))
    with pytest.raises(DataError, match=r"other\.json' is not a model file written by lf"):
        MajorityVoter.load(other)


def test_get_model_by_name_and_alias():
    assert get_model("majority") is MajorityVoter
    assert get_model("MV") is MajorityVoter
    assert get_model("majorityvoter") is MajorityVoter
    with pytest.raises(ValueError, match=r"Unknown model 'nope'. Available: .*majority"):
        get_model("nope")


def test_numpy_integer_seed_survives_save_and_load(tmp_path):
    # Seeds often come out of numpy (np.int64); saving such a model must work.
    m = MajorityVoter(tie_break="random", random_state=np.int64(3)).fit(L3)
    back = MajorityVoter.load(m.save(tmp_path / "mv.json"))
    assert back.random_state == 3
    np.testing.assert_array_equal(back.predict(L3), m.predict(L3))


def test_unsaveable_random_state_is_reported_by_name(tmp_path):
    m = MajorityVoter(tie_break="random", random_state=np.random.default_rng(0)).fit(L3)
    with pytest.raises((TypeError, ValueError), match=r"random_state"):
        m.save(tmp_path / "mv.json")
    assert list(tmp_path.iterdir()) == []


def test_a_majority_voter_refuses_a_matrix_with_another_number_of_lfs(tmp_path):
    """Before: fitted on 3 LFs, it labelled a 2-LF matrix without a word."""
    from lf.errors import ParameterError
    from lf.models import BaseLabelModel

    L = np.array([[0, 0, -1], [1, 1, 1], [0, 1, 1]])
    model = MajorityVoter().fit(L)
    with pytest.raises(ParameterError, match="The label matrix has 2 LFs; the model was fitted on 3"):
        model.predict(L[:, :2])
    back = BaseLabelModel.load(model.save(tmp_path / "mv.json"))
    with pytest.raises(ParameterError, match="The label matrix has 4 LFs; the model was fitted on 3"):
        back.predict_proba(np.c_[L, L[:, :1]])
    doc = json.loads((tmp_path / "mv.json").read_text())
    del doc["state"]["n_lfs_"]  # a file saved before the count was kept still loads
    (tmp_path / "old.json").write_text(json.dumps(doc))
    old = BaseLabelModel.load(tmp_path / "old.json")
    assert old.predict(L).tolist() == model.predict(L).tolist()
