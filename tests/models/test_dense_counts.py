"""Dense agreement counts (a bincount per pair of LF groups) equal the row-pair counts."""

from __future__ import annotations

import numpy as np
import pytest

from lf.models._dense_counts import dense_counts, dense_is_cheaper, dense_vote_tally, group_size
from lf.models._stats import agreement_counts, cooccurrence, vote_shares


def _dense(n: int, m: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    fires = rng.random((n, m)) < rng.uniform(0.1, 0.9, m)
    return np.where(fires, rng.integers(0, k, (n, m)), -1).astype(np.int8 if k < 127 else np.int16)


@pytest.mark.parametrize(
    ("n", "m", "k"),
    [(3000, 20, 10), (2000, 7, 2), (500, 3, 200), (1000, 11, 3), (50, 1, 4), ((1 << 18) + 7, 5, 3)],
)
def test_equals_the_row_pair_counts(n: int, m: int, k: int) -> None:
    A = _dense(n, m, k, seed=n + m + k)
    want = cooccurrence(A, np.ones(n, np.int64), k)
    O, tally = dense_counts(A, k)
    assert np.array_equal(O, want)
    assert np.array_equal(tally, _row_tally(A, k))
    assert np.array_equal(dense_vote_tally(A, k), tally)


def _row_tally(A: np.ndarray, k: int) -> np.ndarray:
    """Votes for each label by the number of LFs voting on the row, row by row."""
    tally = np.zeros((A.shape[1] + 1, k))
    for row in A:
        votes = row[row != -1]
        np.add.at(tally[votes.size], votes, 1.0)
    return tally


def test_the_tally_of_more_than_255_lfs_per_row() -> None:
    A = _dense(300, 300, 2, seed=4)
    A[0] = 1  # every LF votes on this row
    O, tally = dense_counts(A, 2)
    assert tally[300, 1] == 300 and np.array_equal(tally, _row_tally(A, 2))
    assert np.array_equal(O, cooccurrence(A, np.ones(300, np.int64), 2))


def test_groups_of_several_lfs_and_a_short_last_group() -> None:
    assert group_size(10) == 2 and group_size(2) == 4 and group_size(300) == 1
    A = _dense(4000, 9, 2, seed=3)  # groups of 4, 4 and 1 LFs
    assert np.array_equal(dense_counts(A, 2)[0], cooccurrence(A, np.ones(4000, np.int64), 2))


def test_a_dense_matrix_takes_the_dense_path_with_the_same_counts() -> None:
    A = _dense(140_000, 20, 10, seed=5)  # more rows than the distinct-rows sample
    active = (A != -1).sum(axis=1)
    assert dense_is_cheaper(20, 10, float((active * (active + 1) / 2).mean()))
    O, pat = agreement_counts(A, 10)
    assert pat.rows is A  # distinct rows: no grouping
    assert np.array_equal(O, cooccurrence(A, np.ones(len(A), np.int64), 10))


def test_sparse_lfs_keep_the_row_pair_path() -> None:
    assert not dense_is_cheaper(164, 9, 1.5)


def test_vote_shares_of_plain_rows_equal_the_weighted_tally() -> None:
    A = _dense(5000, 12, 4, seed=9)
    A[:100] = -1  # uncovered rows do not count
    got = vote_shares(A, np.ones(len(A), np.int64), 4)
    np.testing.assert_allclose(got, vote_shares(A, np.full(len(A), 3, np.int64), 4), rtol=1e-12)
    mask = A[100:] != -1
    shares = np.zeros(4)
    for row, keep in zip(A[100:], mask):
        np.add.at(shares, row[keep], 1.0 / keep.sum())
    np.testing.assert_allclose(got, shares / shares.sum(), rtol=1e-12)


def test_label_model_fit_on_dense_rows_equals_the_fit_from_patterns() -> None:
    """The dense path (plain rows) and the pattern path give the same model."""
    from lf.matrix import PatternTable, row_patterns
    from lf.models import LabelModel

    rng = np.random.default_rng(2)
    n, m, k = 140_000, 20, 10
    y = rng.integers(0, k, n)
    acc, prop = rng.uniform(0.55, 0.95, m), rng.uniform(0.1, 0.5, m)
    fires, right = rng.random((n, m)) < prop, rng.random((n, m)) < acc[None, :]
    wrong = (y[:, None] + rng.integers(1, k, (n, m))) % k
    A = np.where(fires, np.where(right, y[:, None], wrong), -1).astype(np.int8)
    pat = row_patterns(A, k, inverse=False)
    assert agreement_counts(A, k)[1].rows is A  # mostly distinct rows: A takes the dense path
    dense = LabelModel().fit(A, cardinality=k)
    names = tuple(f"lf{j}" for j in range(m))
    grouped = LabelModel().fit_patterns(PatternTable(pat.rows, pat.counts, names, k))
    np.testing.assert_allclose(dense.accuracies_, grouped.accuracies_, rtol=0, atol=1e-9)
    np.testing.assert_allclose(dense.class_balance_, grouped.class_balance_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dense.predict_proba(A[:5000]), grouped.predict_proba(A[:5000]), atol=1e-9)
    assert np.abs(dense.accuracies_ - acc).max() < 0.03  # and it is the right model


def test_moderately_dense_lfs_take_the_group_path() -> None:
    # 20 LFs of 10 classes voting on 5-30% of the rows: 55 pairs of groups against about
    # 9 vote pairs a row; grouping is twice as fast there.
    assert dense_is_cheaper(20, 10, 9.0)
    assert not dense_is_cheaper(30, 5, 4.0)  # 120 pairs of groups
