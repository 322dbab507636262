"""LabelModel (matrix completion): contract, properties, recovery, errors, WRENCH quality."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lf.datasets import load_wrench
from lf.errors import NotFittedError
from lf.matrix import LabelMatrix
from lf.models import (
    MODELS,
    ConvergenceWarning,
    LabelModel,
    MajorityVoter,
    UnderdeterminedWarning,
    get_model,
)
from lf.models._stats import moments
from lf.models._vote_classes import vote_classes


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    k = draw(st.integers(2, 4))
    m = draw(st.integers(3, 6))
    n = draw(st.integers(1, 40))
    cells = draw(st.lists(st.integers(-1, k - 1), min_size=n * m, max_size=n * m))
    return np.asarray(cells, np.int8).reshape(n, m), k


FAST = settings(max_examples=30, deadline=None)
# Properties that hold whatever the data: on a small random matrix the fit is often
# underdetermined (fewer agreement statistics than unknowns), which it rightly says.
ANY_FIT = pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")


def test_fit_returns_self_and_learned_state(easy):
    L, _, _ = easy
    model = LabelModel()
    assert model.fit(L) is model
    assert model.mu_.shape == (5, 2, 2)
    assert model.accuracies_.shape == (5,)
    assert model.cardinality_ == 2 and model.n_lfs_ == 5
    assert np.isclose(model.class_balance_.sum(), 1.0)
    assert np.all((model.mu_ >= 0) & (model.mu_ <= 1))


def test_init_only_stores_parameters():
    model = LabelModel(abstain="model", l2=0.5)
    assert model.get_params()["abstain"] == "model" and model.get_params()["l2"] == 0.5
    assert not hasattr(model, "mu_")
    with pytest.raises(TypeError):
        LabelModel("model")  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize("k", [2, 3])
def test_recovers_known_accuracies(generate, k):
    rng = np.random.default_rng(k)
    acc = rng.uniform(0.55, 0.95, 20)
    balance = rng.dirichlet(np.full(k, 5.0))
    L, _ = generate(100_000, 20, k, accuracies=acc, propensities=rng.uniform(0.05, 0.5, 20), balance=balance, seed=k)
    model = LabelModel().fit(L, cardinality=k, class_balance=balance)
    assert np.abs(model.accuracies_ - acc).mean() < 0.02


def test_beats_majority_vote_on_unequal_lfs(generate):
    acc = np.array([0.95, 0.9, 0.6, 0.6, 0.6, 0.55])
    L, y = generate(20_000, 6, 2, accuracies=acc, propensities=np.full(6, 0.6), seed=3)
    lm = (LabelModel().fit(L).predict(L) == y).mean()
    mv = (MajorityVoter().fit(L).predict(L) == y).mean()
    assert lm > mv + 0.02


@ANY_FIT
@pytest.mark.slow  # each example fits the model; seconds in all
@FAST
@given(matrices())
def test_probabilities_sum_to_one(data):
    L, k = data
    for abstain in ("ignore", "model"):
        proba = LabelModel(abstain=abstain).fit(L, cardinality=k).predict_proba(L)
        assert proba.shape == (L.shape[0], k)
        assert np.all(proba >= 0)
        assert np.allclose(proba.sum(axis=1), 1.0)


@ANY_FIT  # two rows: their same-class pairs that never co-fire leave the fit underdetermined
def test_permuting_lfs_that_tie_on_loose_statistics_permutes_the_fit():
    """Found by the property below: LFs 2 and 3 vote (2, 1) and (1, 2) on the same rows, so
    the sorted numbers of their co-occurrence blocks tie; the canonical order kept them as
    given, and swapping them changed mu by 0.002 and the probabilities by 0.006."""
    L = np.array([[0, 2, 2, 1, 0, 0], [0, 0, 1, 2, 1, 1]], dtype=np.int8)
    balance = np.full(4, 0.25)
    a = LabelModel().fit(L, cardinality=4, class_balance=balance)
    for perm in ([0, 1, 3, 2, 4, 5], [5, 3, 1, 2, 0, 4]):
        b = LabelModel().fit(L[:, perm], cardinality=4, class_balance=balance)
        np.testing.assert_allclose(b.mu_, a.mu_[perm], atol=1e-9)
        np.testing.assert_allclose(b.predict_proba(L[:, perm]), a.predict_proba(L), atol=1e-9)


def test_renaming_the_classes_renames_the_fit(wrench):
    """WRENCH chemprot (26 LFs, 10 classes): the loss is flat enough that the optimizer
    stopped elsewhere when the classes were numbered otherwise: probabilities moved by up to
    0.55 with the balance given, and 1.2-1.7% of the test labels changed with it estimated.
    Fitted in a canonical class order, a renaming gives the same model, renamed."""
    valid = load_wrench(wrench("chemprot"), "valid")
    L, k = np.asarray(valid.L.array).astype(np.int8), valid.L.cardinality
    balance = np.bincount(valid.y, minlength=k) / len(valid.y)
    a = LabelModel().fit(L, cardinality=k, class_balance=balance)
    for seed in (1, 2):
        perm = np.random.default_rng(seed).permutation(k)  # class c is called perm[c]
        renamed = np.where(L == -1, -1, perm[np.maximum(L, 0)]).astype(np.int8)
        b = LabelModel().fit(renamed, cardinality=k, class_balance=balance[np.argsort(perm)])
        np.testing.assert_allclose(b.mu_[:, perm][:, :, perm], a.mu_, atol=1e-12)
        np.testing.assert_allclose(b.predict_proba(renamed)[:, perm], a.predict_proba(L), atol=1e-12)


@ANY_FIT
@settings(max_examples=20, deadline=None)
@given(matrices(), st.randoms(use_true_random=False))
def test_renaming_the_classes_renames_the_parameters(data, rnd):
    L, k = data
    perm = np.array(rnd.sample(range(k), k))
    # Distinct shares that sum to 1 exactly in any order: a balance renormalised in another
    # order differs in the last bit, and a flat loss can turn that into visible differences.
    balance = np.array([3.0, 5.0, 8.0, 16.0][:k]) / [8.0, 16.0, 32.0][k - 2]
    renamed = np.where(L == -1, -1, perm[np.maximum(L, 0)]).astype(np.int8)
    a = LabelModel().fit(L, cardinality=k, class_balance=balance)
    b = LabelModel().fit(renamed, cardinality=k, class_balance=balance[np.argsort(perm)])
    np.testing.assert_allclose(b.mu_[:, perm][:, :, perm], a.mu_, atol=1e-6)
    np.testing.assert_allclose(b.predict_proba(renamed)[:, perm], a.predict_proba(L), atol=1e-6)


@ANY_FIT
@pytest.mark.slow  # each example fits the model; seconds in all
@FAST
@given(matrices(), st.randoms(use_true_random=False))
def test_permuting_lfs_permutes_parameters(data, rnd):
    L, k = data
    perm = np.array(rnd.sample(range(L.shape[1]), L.shape[1]))
    a = LabelModel().fit(L, cardinality=k, class_balance=np.full(k, 1.0 / k))
    b = LabelModel().fit(L[:, perm], cardinality=k, class_balance=np.full(k, 1.0 / k))
    assert np.allclose(a.mu_[perm], b.mu_, atol=1e-6)
    assert np.allclose(a.accuracies_[perm], b.accuracies_, atol=1e-6, equal_nan=True)
    assert np.allclose(a.predict_proba(L), b.predict_proba(L[:, perm]), atol=1e-6)


@ANY_FIT
@pytest.mark.slow  # each example fits the model; seconds in all
@FAST
@given(matrices())
def test_all_abstain_row_gets_class_balance(data):
    L, k = data
    balance = np.arange(1, k + 1) / np.arange(1, k + 1).sum()
    model = LabelModel().fit(L, cardinality=k, class_balance=balance)
    empty = np.full((1, L.shape[1]), -1, np.int8)
    assert np.allclose(model.predict_proba(empty)[0], balance)


def test_all_abstain_row_with_modelled_abstentions_gets_p_y_given_nothing_fired(easy):
    L, _, _ = easy
    model = LabelModel(abstain="model").fit(L, class_balance=[0.3, 0.7])
    silent = np.prod(1.0 - model.mu_.sum(axis=1), axis=0) * model.class_balance_
    got = model.predict_proba(np.full((1, 5), -1, np.int8))[0]
    assert np.allclose(got, silent / silent.sum(), atol=1e-6)


@ANY_FIT
@pytest.mark.slow  # each example fits the model; seconds in all
@FAST
@given(matrices())
def test_duplicated_dataset_gives_the_same_fit(data):
    # With the balance given: an estimated one weighs its pull toward the vote shares
    # against the number of rows, as evidence should be. So does the test that finds a
    # vote the other LFs contradict (its z grows with sqrt(n)): where doubling the rows
    # makes it pass, the two fits rightly differ (hypothesis found a 9-row matrix).
    L, k = data
    A = np.asarray(L)
    mom, mom2 = moments(A, k, None), moments(np.concatenate([A, A]), k, None)
    m = A.shape[1]
    assume(np.array_equal(vote_classes(mom.O / mom.n, mom.n, m, k), vote_classes(mom2.O / mom2.n, mom2.n, m, k)))
    balance = np.full(k, 1.0 / k)
    a = LabelModel().fit(L, cardinality=k, class_balance=balance)
    b = LabelModel().fit(np.concatenate([L, L]), cardinality=k, class_balance=balance)
    assert np.array_equal(a.mu_, b.mu_)
    assert np.array_equal(a.class_balance_, b.class_balance_)


def _propensity_skewed(seed: int, n: int = 20_000, m: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Balanced classes; every LF fires three times as often on class 1 as on class 0."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    fire = np.where(y[:, None] == 1, 0.6, 0.2) > rng.random((n, m))
    right = rng.random((n, m)) < rng.uniform(0.7, 0.9, m)
    return np.where(fire, np.where(right, y[:, None], 1 - y[:, None]), -1), y


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_balance_is_recovered_where_vote_shares_are_off(seed):
    # Class 1 gets more votes because its LFs fire more often, not because it is more
    # common: the vote shares say about 48/52; the likelihood of the votes finds 50/50.
    L, y = _propensity_skewed(seed)
    truth = np.bincount(y, minlength=2) / len(y)
    model = LabelModel().fit(L, cardinality=2)
    assert np.abs(model.class_balance_ - truth).max() <= 0.01, model.class_balance_


def test_rows_in_any_order_give_the_same_fit(easy):
    L, _, _ = easy
    order = np.random.default_rng(0).permutation(len(L))
    a, b = LabelModel().fit(L), LabelModel().fit(L[order])
    assert np.allclose(a.mu_, b.mu_, atol=1e-12)


def test_accepts_label_matrix_and_checks_it_at_predict(easy):
    L, _, _ = easy
    LM = LabelMatrix(L, cardinality=2, labels=["ham", "spam"])
    model = LabelModel().fit(LM)
    assert np.array_equal(model.predict(LM), model.predict(L))
    with pytest.raises(ValueError, match="cardinality 3"):
        model.predict(LabelMatrix(L, cardinality=3))
    with pytest.raises(ValueError, match="4 LFs"):
        model.predict(L[:, :4])


def test_errors_name_the_problem(easy):
    L, _, _ = easy
    with pytest.raises(ValueError, match="at least 3 LFs"):
        LabelModel().fit(L[:, :2])
    with pytest.raises(ValueError, match="out of range"):
        LabelModel().fit(np.array([[0, 1, 2]] * 4), cardinality=2)
    with pytest.raises(ValueError, match="class_balance"):
        LabelModel().fit(L, class_balance=[0.5, 0.3, 0.2])
    with pytest.raises(ValueError, match="`abstain` must be one of"):
        LabelModel(abstain="skip").fit(L)
    with pytest.raises(ValueError, match="`l2`"):
        LabelModel(l2=-1).fit(L)
    with pytest.raises(ValueError, match="`max_iter`"):
        LabelModel(max_iter=0).fit(L)
    with pytest.raises(ValueError, match="empty"):
        LabelModel().fit(np.zeros((0, 4), np.int8), cardinality=2)


def test_unfitted_model_raises_not_fitted():
    with pytest.raises(NotFittedError):
        LabelModel().predict_proba(np.zeros((2, 3), np.int8))
    with pytest.raises(NotFittedError):
        LabelModel().save("never.json")


def test_registry_names_and_aliases():
    assert MODELS["LabelModel"] is LabelModel
    for alias in ("label_model", "mc", "LabelModel", "matrix_completion"):
        assert get_model(alias) is LabelModel
    with pytest.raises(ValueError, match="Available:.*triplet"):
        get_model("nope")


def test_wrench_youtube_beats_majority_vote(wrench):
    folder = wrench("youtube")
    train, valid, test = (load_wrench(folder, s) for s in ("train", "valid", "test"))
    balance = np.bincount(valid.y, minlength=2) / len(valid.y)
    lm = LabelModel().fit(train.L, class_balance=balance)
    mv = MajorityVoter().fit(train.L, class_balance=balance)
    acc_lm = (lm.predict(test.L) == test.y).mean()
    assert acc_lm >= 0.85
    assert acc_lm > (mv.predict(test.L) == test.y).mean()


def test_summarize_reports_learned_accuracies(easy):
    from lf import summarize

    L, y, _ = easy
    LM = LabelMatrix(L, cardinality=2)
    model = LabelModel().fit(LM)
    table = summarize(LM, y, model=model)
    assert np.allclose(table["learned_acc"].to_numpy(), model.accuracies_)
    assert np.abs(table["learned_acc"] - table["emp_acc"]).max() < 0.05


def test_converged_says_whether_the_fit_reached_its_tolerance(easy):
    L, _, _ = easy
    assert LabelModel().fit(L).converged_ is True  # no warning: filterwarnings=error
    with pytest.warns(ConvergenceWarning, match=r"stopped after 1 iterations before reaching tol=.*max_iter=1 was reached; raise `max_iter`"):
        model = LabelModel(max_iter=1).fit(L)
    assert model.converged_ is False


def test_dense_matrices_skip_grouping_rows_and_count_the_same():
    from lf.models._stats import agreement_counts, cooccurrence, fast_patterns, rows_for

    rng = np.random.default_rng(2)
    many = np.where(rng.random((150_000, 8)) < 0.6, rng.integers(0, 10, (150_000, 8)), -1).astype(np.int8)
    assert rows_for(many, 10, work_per_row=2.0).rows is many  # ~all rows distinct: no hashing
    pat = fast_patterns(many, 10, inverse=False)
    O, _ = agreement_counts(many, 10)
    np.testing.assert_array_equal(O, cooccurrence(pat.rows, pat.counts, 10))
    few = many % 2  # binary, 8 LFs: at most 3^8 patterns, grouping pays
    assert rows_for(few, 2, work_per_row=2.0).rows.shape[0] <= 3**8


def test_fits_run_blas_on_one_thread_and_leave_the_setting_as_it_was():
    """threadpoolctl is a dependency of lf's, not an option: without it BLAS ran the fits'
    small products on every core, several times slower on a busy machine."""
    import importlib.metadata

    import threadpoolctl

    from lf.models._stats import one_blas_thread

    assert any(r.startswith("threadpoolctl") for r in importlib.metadata.requires("lf") or [])

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with one_blas_thread():
            assert set(blas_threads()) <= {1}
        assert set(blas_threads()) <= {2}
    assert blas_threads() == before



@pytest.mark.slow  # a few seconds: 120,000 parameters
def test_many_classes_thin_data_keeps_lfs_better_than_random(generate):
    """200 classes, 10 rows per class: the prior must not pull the LFs toward wrong.

    An uncapped wrong-class rate (0.03 for each of 199 classes) is a prior under which an LF
    is right on one vote in seven; on this little data the fit stayed near it and learned
    these 0.7-0.8 accurate LFs with a mean error of 0.11.
    """
    acc = np.array([0.7, 0.8, 0.75])
    L, _ = generate(2_000, 3, 200, accuracies=acc, propensities=np.array([0.5, 0.8, 0.6]), seed=11)
    # Some of the 600 votes are never cast on so few rows, and pairs of them never together:
    # 117,520 statistics for 119,199 unknowns, so the fit says it rests on its prior; the
    # prior is right here.
    with pytest.warns(UnderdeterminedWarning, match="117520 agreement statistics for 119199 unknowns"):
        model = LabelModel().fit(L, cardinality=200)
    assert np.abs(model.accuracies_ - acc).mean() < 0.06


@pytest.mark.filterwarnings("ignore::lf.models.UnvotedClassWarning")  # class 2 on purpose: said, tested elsewhere
@pytest.mark.parametrize("abstain", ["ignore", "model"])
def test_em_steps_never_label_a_voted_row_with_a_class_no_lf_votes(easy, abstain):
    """Before: LabelModel(em_steps=5) with cardinality 3 on votes for classes 0 and 1 gave
    the spare class 2 a prior of 0.11 and the rows with a single vote (on the demo: 105)."""
    L, _, _ = easy
    three = LabelModel(em_steps=5, abstain=abstain).fit(L, cardinality=3)
    two = LabelModel(em_steps=5, abstain=abstain).fit(L, cardinality=2)
    P = three.predict_proba(L)
    assert three.class_balance_[2] == 0.0 and np.all(P[:, 2] == 0.0)
    np.testing.assert_allclose(P[:, :2], two.predict_proba(L), atol=0.05)
