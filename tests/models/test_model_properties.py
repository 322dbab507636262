"""Properties every registered label model keeps on any small matrix (hypothesis draws them):
probabilities, the tie rule of ``predict``, the LFs' order and pattern-table fits."""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lf
from lf.errors import LFError
from lf.matrix import PatternTable
from lf.models import MODELS, DawidSkene, get_model
from lf.models.base import TIE_TOL

NAMES = sorted(n for n in MODELS if n != "SnorkelLabelModel" or importlib.util.find_spec("snorkel"))
EXACT = [n for n in NAMES if n != "SnorkelLabelModel"]  # SGD: order-dependent, no closed form


@st.composite
def matrices(draw: Any) -> lf.LabelMatrix:
    k = draw(st.integers(2, 4))
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, 30))
    votes = draw(st.lists(st.integers(-1, k - 1), min_size=n * m, max_size=n * m))
    return lf.LabelMatrix(np.array(votes).reshape(n, m), names=[f"lf{j}" for j in range(m)], cardinality=k)


def fitted(name: str, L: Any) -> Any:
    cls = get_model(name)
    model = cls(random_state=0) if "random_state" in cls._param_names() else cls()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return model.fit(L)
        except LFError:  # a matrix this model refuses (too few LFs, no vote): said by the error
            assume(False)
            raise


def lowest_near_top(proba: np.ndarray) -> np.ndarray:
    return (proba.max(axis=1, keepdims=True) - proba < TIE_TOL).argmax(axis=1)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(L=matrices())
def test_probabilities_are_finite_and_predict_is_their_top_class_under_the_tie_rule(name: str, L: lf.LabelMatrix) -> None:
    model = fitted(name, L)
    P = model.predict_proba(L)
    assert P.shape == (L.n, L.cardinality) and np.isfinite(P).all() and (P >= 0).all()
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    if name != "MajorityVoter":  # which counts votes, not probabilities (tested with it)
        np.testing.assert_array_equal(model.predict(L), lowest_near_top(P))


@pytest.mark.parametrize("name", EXACT)
@SETTINGS
@given(L=matrices(), data=st.data())
def test_permuting_the_lfs_with_their_names_changes_no_label(name: str, L: lf.LabelMatrix, data: Any) -> None:
    order = data.draw(st.permutations(range(L.m)))
    model = fitted(name, L)
    A = np.asarray(L.array)[:, order]
    other = fitted(name, lf.LabelMatrix(A, names=[L.names[j] for j in order], cardinality=L.cardinality))
    np.testing.assert_allclose(other.predict_proba(A), model.predict_proba(L), atol=1e-5)
    for abstain in (None, "uncovered", "ties"):
        np.testing.assert_array_equal(other.predict(A, abstain=abstain), model.predict(L, abstain=abstain))


@pytest.mark.parametrize("name", EXACT)
@SETTINGS
@given(L=matrices())
def test_a_pattern_table_fits_as_its_rows(name: str, L: lf.LabelMatrix) -> None:
    model = fitted(name, L)
    rows, counts = np.unique(np.asarray(L.array), axis=0, return_counts=True)
    table = PatternTable(rows, counts.astype(np.int64), names=tuple(L.names), cardinality=L.cardinality)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_table = get_model(name)().fit_patterns(table)
    np.testing.assert_allclose(from_table.predict_proba(L), model.predict_proba(L), atol=1e-7)
    np.testing.assert_array_equal(from_table.predict(L), model.predict(L))


def test_a_row_whose_classes_tie_but_for_rounding_gets_the_lowest_class_whatever_the_lf_order() -> None:
    # Two LFs voting once each: the learned balance is 1/2 each, up to the last bit, and the
    # last bit depends on the order the fit sums the LFs in.
    A = np.full((11, 2), -1)
    A[7, 1], A[8, 0] = 0, 1
    one, other = DawidSkene().fit(A), DawidSkene().fit(A[:, ::-1])
    assert one.predict_proba(A[:1])[0] == pytest.approx([0.5, 0.5])
    assert one.predict(A)[0] == other.predict(A[:, ::-1])[0] == 0
    np.testing.assert_array_equal(one.predict(A), other.predict(A[:, ::-1]))


@pytest.mark.parametrize("name", EXACT)
def test_fitting_every_row_twice_learns_the_same_model(name: str, generate: Any) -> None:
    """The fit reads the rows' shares, not their number: DawidSkene's pseudo-counts alone weigh
    less against twice the rows."""
    A, _ = generate(1500, 5, 3, accuracies=np.array([0.85, 0.75, 0.7, 0.65, 0.8]), propensities=np.full(5, 0.5), seed=3)
    once, twice = get_model(name)().fit(A), get_model(name)().fit(np.vstack([A, A]))
    tol = 1e-2 if name == "DawidSkene" else 1e-9
    np.testing.assert_allclose(twice.class_balance_, once.class_balance_, atol=tol)
    np.testing.assert_allclose(getattr(twice, "accuracies_", 0.0), getattr(once, "accuracies_", 0.0), atol=tol)
    np.testing.assert_allclose(twice.predict_proba(A), once.predict_proba(A), atol=tol)
