"""The counts a fit shares with the checks after it: the same numbers, taken once, and
only ever read for the matrix they were taken from."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lf.models._stats as stats
from lf.errors import LFError
from lf.matrix import WeightedRows
from lf.models import DawidSkene, LabelModel, MajorityVoter, TripletModel
from lf.models._stats import MatrixCounts, vote_tally


def _row_tally(A: np.ndarray, k: int, counts: np.ndarray) -> np.ndarray:
    """The definition: for each row, each LF's vote counts its row's weight."""
    votes = np.zeros((A.shape[1], k))
    for row, c in zip(A, counts):
        for j, v in enumerate(row):
            if v >= 0:
                votes[j, v] += c
    return votes


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, int, np.ndarray]:
    k = draw(st.integers(2, 6))
    m = draw(st.integers(1, 6))
    n = draw(st.integers(0, 40))
    A = draw(arrays(np.int8, (n, m), elements=st.integers(-1, k - 1)))
    counts = draw(arrays(np.int64, (n,), elements=st.integers(0, 5)))
    return A, k, counts


@given(matrices())
def test_the_vote_tally_is_the_row_by_row_count(case: tuple[np.ndarray, int, np.ndarray]) -> None:
    A, k, counts = case
    votes, n = vote_tally(A, k)
    assert n == A.shape[0] and np.array_equal(votes, _row_tally(A, k, np.ones(A.shape[0])))
    votes, n = vote_tally(WeightedRows(A, counts), k)  # a pattern table's rows stand for their counts
    assert n == int(counts.sum()) and np.array_equal(votes, _row_tally(A, k, counts))


@given(matrices())
def test_votes_read_off_the_agreement_counts_equal_the_tally(case: tuple[np.ndarray, int, np.ndarray]) -> None:
    A, k, counts = case
    for matrix in (A, WeightedRows(A, counts)):
        counts_first = MatrixCounts(matrix, k)
        counts_first.agreement()
        v1, n1 = counts_first.votes()
        v2, n2 = MatrixCounts(matrix, k).votes()
        assert n1 == n2 and np.array_equal(v1, v2)


def test_counts_are_handed_out_for_their_own_matrix_only() -> None:
    A = np.array([[0, 1, -1], [1, 1, 0]], np.int8)
    counts = MatrixCounts(A, 2)
    assert counts.for_matrix(A, 2) is counts
    assert counts.for_matrix(A.copy(), 2) is not counts  # equal rows, another object
    assert counts.for_matrix(A, 3) is not counts
    assert counts.for_matrix(A[:1], 2) is not counts  # a view of it


def _dense(n: int, m: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    right = rng.random((n, m)) < 0.8
    votes = np.where(right, y[:, None], rng.integers(0, k, (n, m)))
    return np.where(rng.random((n, m)) < 0.5, votes, -1).astype(np.int8)


@pytest.mark.parametrize("make", [LabelModel, TripletModel, MajorityVoter, DawidSkene])
def test_a_fit_counts_the_agreements_once_and_keeps_nothing(make, monkeypatch) -> None:
    A = _dense(5000, 6, 3, seed=1)
    calls = []
    count = stats.agreement_counts

    def counting(*args, **kwargs):
        calls.append(args[0].shape)
        return count(*args, **kwargs)

    monkeypatch.setattr(stats, "agreement_counts", counting)
    model = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(A, cardinality=3)
    assert len(calls) <= 1  # the moment fit and the overconfidence check share them
    assert not hasattr(model, "_fit_counts")


def test_a_refit_on_another_matrix_learns_from_that_matrix() -> None:
    """Nothing of the first fit's counts reaches the second: the refit equals a fresh fit."""
    A, B = _dense(4000, 5, 3, seed=2), _dense(4000, 5, 3, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refit = LabelModel().fit(A, cardinality=3).fit(B, cardinality=3)
        fresh = LabelModel().fit(B, cardinality=3)
    assert np.array_equal(refit.predict_proba(B), fresh.predict_proba(B))


def test_a_failed_fit_keeps_no_counts() -> None:
    model = LabelModel()
    with pytest.raises(LFError):  # refused once the counts were made
        model.fit(_dense(200, 4, 2, seed=4), cardinality=2, class_balance=[0.5, 0.6])
    assert not hasattr(model, "_fit_counts")
