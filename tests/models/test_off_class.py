"""LabelModel ties a vote's rates on the other classes when its LFs are too few for one
rate per class, and keeps one per class when the agreements reject the tie."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lf.errors import ParameterError
from lf.models import LabelModel, UnderdeterminedWarning
from lf.models._off_class import misfit, tied_holds, tied_unknowns
from lf.models._stats import moments


def one_lf_per_class(k: int, seed: int, *, stray: str, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """LF j votes class j only: on its class with a recall in [0.3, 0.9], elsewhere either
    evenly on every other class (``stray="even"``) or mostly on one (``"one"``)."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(k, 2.0))
    y = rng.choice(k, n, p=p)
    L = np.full((n, k), -1, np.int8)
    for j in range(k):
        rate = np.full(k, rng.uniform(0.01, 0.12) if stray == "even" else 0.01)
        if stray == "one":
            rate[rng.choice([c for c in range(k) if c != j])] = rng.uniform(0.1, 0.4)
        rate[j] = rng.uniform(0.3, 0.9)
        L[rng.random(n) < rate[y], j] = j
    return L, y


def fit(L: np.ndarray, k: int, **params: object) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnderdeterminedWarning)
        return LabelModel(**params).fit(L, cardinality=k)  # type: ignore[arg-type]


def test_even_stray_votes_are_tied_and_label_better_than_free_rates():
    """One LF per class, stray votes even: the default ties the rates, and over 12 matrices
    labels more rows right than one rate per class (about 4 points, as measured)."""
    tied_right = free_right = 0
    for seed in range(12):
        k = 3 + seed % 5
        L, y = one_lf_per_class(k, seed, stray="even")
        chosen, free = fit(L, k), fit(L, k, off_class="free")
        assert chosen.off_class_ == "tied" and free.off_class_ == "free"
        tied_right += int((chosen.predict(L) == y).sum())
        free_right += int((free.predict(L) == y).sum())
    assert tied_right > free_right * 1.03


def test_the_tied_rates_are_one_per_vote_off_its_class():
    L, _ = one_lf_per_class(5, 1, stray="even")
    mu = fit(L, 5, off_class="tied").mu_
    for j in range(5):
        off = np.delete(mu[j, j], j)  # LF j's vote j on the other classes
        np.testing.assert_allclose(off, off[0], rtol=0, atol=1e-12)
        assert mu[j, j, j] > off[0]
    free = fit(L, 5, off_class="free").mu_
    assert np.ptp(np.delete(free[0, 0], 0)) > 1e-6  # the free fit does not tie them


def test_stray_votes_on_one_class_reject_the_tie():
    """Each LF mistakes one other class: the tied fit misses the agreements by far more than
    the rates it removes allow, so the default keeps one rate per class."""
    L, _ = one_lf_per_class(7, 3, stray="one")
    mom = moments(L, 7, None)
    free, tied = fit(L, 7, off_class="free"), fit(L, 7, off_class="tied")
    rise = misfit(mom.O, mom.n, tied.mu_, tied.class_balance_) - misfit(mom.O, mom.n, free.mu_, free.class_balance_)
    assert rise > 100
    assert not tied_holds(mom.O, mom.n, (free.mu_, free.class_balance_), (tied.mu_, tied.class_balance_))
    chosen = fit(L, 7)
    assert chosen.off_class_ == "free"
    np.testing.assert_array_equal(chosen.predict_proba(L), free.predict_proba(L))


def test_enough_lfs_binary_classes_and_dependencies_keep_free_rates(generate):
    L, _ = generate(3000, 6, 3, accuracies=np.full(6, 0.75), propensities=np.full(6, 0.4), seed=2)
    two_per_class = np.where(L == np.arange(6) % 3, L, -1).astype(np.int8)
    for matrix, k in ((two_per_class, 3), (L, 3)):
        chosen = fit(matrix, k)
        assert chosen.off_class_ == "free"
        np.testing.assert_array_equal(chosen.predict_proba(matrix), fit(matrix, k, off_class="free").predict_proba(matrix))
    B, _ = generate(3000, 3, 2, accuracies=np.full(3, 0.8), propensities=np.full(3, 0.5), seed=3)
    unipolar = np.where(B == np.array([1, 1, 0]), B, -1).astype(np.int8)  # too few, but k = 2
    assert fit(unipolar, 2).off_class_ == "free"  # one other class: tying changes nothing
    np.testing.assert_allclose(
        fit(unipolar, 2, off_class="tied").predict_proba(unipolar), fit(unipolar, 2).predict_proba(unipolar), atol=1e-9
    )
    L3, _ = one_lf_per_class(5, 0, stray="even")
    assert fit(L3, 5, dependencies=[(0, 1)]).off_class_ == "free"
    assert fit(L3, 5, em_steps=3).off_class_ == "free"


def test_the_warning_says_the_rates_were_tied():
    L, _ = one_lf_per_class(7, 0, stray="even")
    with pytest.warns(UnderdeterminedWarning) as caught:
        LabelModel().fit(L, cardinality=7)
    text = " ".join(str(caught[0].message).split())
    tied = tied_unknowns(moments(L, 7, None).O, 7, True)
    assert tied == 2 * 7 + 6
    assert f"agreement statistics for {7 * 7 + 6} unknowns" in text  # at most 7 + 21 statistics
    assert f"one rate for all the classes it does not point to ({tied} unknowns" in text
    assert "rest on that assumption" in text, text  # 20 unknowns, at least as many statistics
    assert "which the agreements do not reject" in text
    with pytest.warns(UnderdeterminedWarning) as caught:
        LabelModel(off_class="tied").fit(L, cardinality=7)
    assert "(20 unknowns), as off_class='tied' asks" in " ".join(str(caught[0].message).split())


def test_renaming_classes_and_reordering_lfs_permute_the_tied_fit():
    L, _ = one_lf_per_class(5, 4, stray="even")
    base = fit(L, 5)
    assert base.off_class_ == "tied"
    rename = np.array([3, 0, 4, 1, 2])
    order = np.array([2, 4, 0, 1, 3])
    moved = np.where(L == -1, -1, rename[np.maximum(L, 0)]).astype(np.int8)[:, order]
    other = fit(moved, 5)
    assert other.off_class_ == "tied"
    np.testing.assert_allclose(other.predict_proba(moved)[:, rename], base.predict_proba(L), atol=1e-6)


def test_off_class_is_checked_and_saved(tmp_path):
    with pytest.raises(ParameterError, match="`off_class` must be one of 'auto', 'free', 'tied'. Got 'even'"):
        LabelModel(off_class="even").fit(np.zeros((10, 3), np.int8), cardinality=2)
    L, _ = one_lf_per_class(4, 2, stray="even")
    model = fit(L, 4)
    back = LabelModel.load(model.save(tmp_path / "m.json"))
    assert back.off_class_ == model.off_class_ == "tied" and back.off_class == "auto"
    np.testing.assert_array_equal(back.predict_proba(L), model.predict_proba(L))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_the_misfit_is_a_deviance(m, k, seed):
    """Never negative, and 0 when the counts are the model's expectation."""
    rng = np.random.default_rng(seed)
    mu = rng.dirichlet(np.ones(k + 1), size=(m, k)).transpose(0, 2, 1)[:, :k, :]  # m x vote x class
    p = rng.dirichlet(np.ones(k))
    flat = mu.reshape(m * k, k)
    exact = 1000.0 * ((flat * p) @ flat.T)
    assert abs(misfit(exact, 1000.0, mu, p)) < 1e-6 * max(1.0, exact.sum())
    noisy = rng.poisson(exact).astype(float)
    np.fill_diagonal(noisy, np.maximum(np.diag(noisy), 1.0))  # every vote cast
    assert misfit(noisy, 1000.0, mu, p) >= -1e-9


def test_wrench_one_lf_per_class_sets_tie_their_rates(datasets_dir):
    """hausa and yoruba have one LF per class: their rates are tied, and on valid (no gold
    used in the fit) the labels are at least as right as with one rate per class."""
    from lf.datasets import load_wrench

    for name in ("hausa", "yoruba"):
        train, valid = (load_wrench(datasets_dir / name, split) for split in ("train", "valid"))
        k = train.L.cardinality
        chosen, free = fit(train.L.array, k), fit(train.L.array, k, off_class="free")
        assert chosen.off_class_ == "tied"
        right = (chosen.predict(valid.L.array) == valid.y).sum()
        assert right >= (free.predict(valid.L.array) == valid.y).sum()


def test_past_50000_free_rates_the_tie_is_not_tried():
    """3 LFs x 150 classes with a few votes never cast: too few statistics by a hair, and
    a second fit there costs seconds; the free rates stay."""
    rng = np.random.default_rng(7)
    n, k = 900, 150
    y = rng.integers(0, k, n)
    L = np.where(rng.random((n, 3)) < 0.8, np.where(rng.random((n, 3)) < 0.8, y[:, None], rng.integers(0, k, (n, 3))), -1)
    L[np.isin(L[:, 0], [5, 6, 7]), 0] = -1  # the first LF never votes 5, 6 or 7
    L = L.astype(np.int16)
    model = fit(L, k)
    assert model.off_class_ == "free"
    cast = int(sum(np.unique(L[:, j][L[:, j] >= 0]).size for j in range(3)))
    assert cast * (k + 1) > 50_000


def test_tied_rates_are_tied_when_two_of_three_classes_are_voted(generate):
    """The two-class balance search fits the rates itself: it must fit them tied when asked,
    or ``off_class_`` says "tied" over free rates."""
    L, _ = generate(3_000, 3, 2, accuracies=np.array([0.9, 0.8, 0.75]), propensities=np.full(3, 0.5), seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel(off_class="tied").fit(L, cardinality=3)
    assert model.off_class_ == "tied"
    for j in range(3):
        for vote in (0, 1):
            off = [model.mu_[j, vote, y] for y in range(3) if y != vote]
            assert off[0] == pytest.approx(off[1], abs=1e-12)
