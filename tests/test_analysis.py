"""lf.analysis: properties on random matrices and equality with Snorkel's LFAnalysis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lf import LabelMatrix, analysis
from lf.errors import ParameterError


@st.composite
def label_matrices(draw, max_n=60, max_m=8):
    k = draw(st.integers(2, 4))
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    L = draw(hnp.arrays(np.int64, (n, m), elements=st.integers(-1, k - 1)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return L, y, k


PER_LF = ("lf_coverages", "lf_overlaps", "lf_conflicts")


def _brute(L, y):
    """Straightforward per-row loops: the definitions written out."""
    n, m = L.shape
    cov, ovl, con, cor, inc = (np.zeros(m) for _ in range(5))
    for r in range(n):
        for j in range(m):
            if L[r, j] == -1:
                continue
            cov[j] += 1
            others = [L[r, i] for i in range(m) if i != j and L[r, i] != -1]
            ovl[j] += bool(others)
            con[j] += any(o != L[r, j] for o in others)
            cor[j] += L[r, j] == y[r]
            inc[j] += L[r, j] != y[r]
    both = np.zeros((m, m))
    same = np.zeros((m, m))
    for i in range(m):
        for j in range(m):
            voted = (L[:, i] != -1) & (L[:, j] != -1)
            both[i, j] = voted.sum()
            same[i, j] = (voted & (L[:, i] == L[:, j])).sum()
    return cov / n, ovl / n, con / n, cor, inc, both / n, same / n


@settings(max_examples=120, deadline=None)
@given(label_matrices())
def test_matches_the_definitions_written_as_loops(data):
    L, y, k = data
    cov, ovl, con, cor, inc, both, same = _brute(L, y)
    assert np.allclose(analysis.lf_coverages(L), cov, rtol=0, atol=1e-12)
    assert np.allclose(analysis.lf_overlaps(L), ovl, rtol=0, atol=1e-12)
    assert np.allclose(analysis.lf_conflicts(L), con, rtol=0, atol=1e-12)
    assert analysis.lf_correct(L, y).tolist() == cor.astype(int).tolist()
    assert analysis.lf_incorrect(L, y).tolist() == inc.astype(int).tolist()
    agree = analysis.agreement_matrix(L, k)
    conflict = analysis.conflict_matrix(L, k)
    assert np.allclose(agree, same, rtol=0, atol=1e-12)
    assert np.allclose(agree + conflict, both, rtol=0, atol=1e-12)


@settings(max_examples=120, deadline=None)
@given(label_matrices())
def test_values_are_fractions_and_nested(data):
    L, y, k = data
    cov, ovl, con = (getattr(analysis, f)(L) for f in PER_LF)
    for v in (cov, ovl, con, analysis.lf_empirical_accuracies(L, y)[cov > 0]):
        assert ((v >= 0) & (v <= 1)).all()
    assert (con <= ovl).all() and (ovl <= cov).all()
    lc, lo, lx = analysis.label_coverage(L), analysis.label_overlap(L), analysis.label_conflict(L)
    assert 0 <= lx <= lo <= lc <= 1
    assert np.all(cov <= lc + 1e-12)
    for M in (analysis.agreement_matrix(L, k), analysis.conflict_matrix(L, k)):
        assert np.allclose(M, M.T) and ((M >= 0) & (M <= 1)).all()
    assert np.allclose(np.diag(analysis.agreement_matrix(L, k)), cov)
    assert np.allclose(np.diag(analysis.conflict_matrix(L, k)), 0)


@settings(max_examples=120, deadline=None)
@given(label_matrices(), st.randoms(use_true_random=False))
def test_permuting_lf_columns_permutes_per_lf_outputs(data, rnd):
    L, y, k = data
    perm = list(range(L.shape[1]))
    rnd.shuffle(perm)
    P = L[:, perm]
    for f in PER_LF:
        assert np.array_equal(getattr(analysis, f)(P), getattr(analysis, f)(L)[perm])
    assert analysis.lf_polarities(P) == [analysis.lf_polarities(L)[j] for j in perm]
    assert np.array_equal(analysis.lf_correct(P, y), analysis.lf_correct(L, y)[perm])
    assert np.array_equal(analysis.lf_incorrect(P, y), analysis.lf_incorrect(L, y)[perm])
    assert np.array_equal(
        analysis.lf_empirical_accuracies(P, y), analysis.lf_empirical_accuracies(L, y)[perm], equal_nan=True
    )
    for f in (analysis.agreement_matrix, analysis.conflict_matrix):
        assert np.array_equal(f(P, k), f(L, k)[np.ix_(perm, perm)])
    for f in (analysis.label_coverage, analysis.label_overlap, analysis.label_conflict):
        assert f(P) == f(L)


@settings(max_examples=60, deadline=None)
@given(label_matrices(max_n=40, max_m=6))
def test_equals_snorkel_lfanalysis_on_random_matrices(data):
    L, y, _ = data
    _assert_snorkel_equal(L, y)


def test_accuracy_counts_and_nan_for_an_lf_that_never_votes():
    L = np.array([[0, -1, 1], [1, -1, 1], [1, -1, -1], [0, -1, 0]])
    y = np.array([0, 1, 0, 0])
    assert analysis.lf_correct(L, y).tolist() == [3, 0, 2]
    assert analysis.lf_incorrect(L, y).tolist() == [1, 0, 1]
    acc = analysis.lf_empirical_accuracies(L, y)
    assert acc[0] == 0.75 and np.isnan(acc[1]) and acc[2] == 2 / 3
    assert analysis.lf_polarities(L) == [[0, 1], [], [0, 1]]


def test_accepts_label_matrix_objects_and_int8_storage():
    arr = np.array([[0, 1, -1], [1, 1, 1], [-1, -1, 0]])
    L = LabelMatrix(arr)
    assert np.array_equal(analysis.lf_conflicts(L), analysis.lf_conflicts(arr))
    assert analysis.lf_conflicts(L).tolist() == [1 / 3, 1 / 3, 0.0]
    assert analysis.label_conflict(L) == pytest.approx(1 / 3)


def test_large_cardinality_int16_matrix():
    arr = np.array([[150, 150, -1], [150, 3, -1], [-1, -1, 199]])
    L = LabelMatrix(arr, cardinality=200)
    assert L.array.dtype == np.int16
    assert analysis.lf_conflicts(L).tolist() == [1 / 3, 1 / 3, 0.0]
    assert analysis.agreement_matrix(L)[0, 1] == pytest.approx(1 / 3)


def test_gold_labels_are_validated():
    L = np.array([[0, 1], [1, -1]])
    with pytest.raises(ValueError, match=r"one gold label per row: 2 rows, got shape \(3,\)"):
        analysis.lf_correct(L, [0, 1, 1])
    with pytest.raises(ValueError, match=r"integer labels \(ABSTAIN = -1\)\. Got 0\.5 at position 1"):
        analysis.lf_correct(L, [0.0, 0.5])
    with pytest.raises(ValueError, match=r"neither label names nor class ids: 'a', 'b'\. Allowed: the class ids"):
        analysis.lf_correct(L, ["a", "b"])


def test_empty_matrix_gives_nan_not_an_error():
    L = np.zeros((0, 3), np.int64)
    assert np.isnan(analysis.lf_coverages(L)).all()
    assert np.isnan(analysis.label_coverage(L))


# -- Snorkel equality on WRENCH youtube ------------------------------------------------------


def _assert_snorkel_equal(L, y, L_ours=None):
    from snorkel.labeling import LFAnalysis

    ref = LFAnalysis(L)
    L = L if L_ours is None else L_ours
    s = ref.lf_summary(Y=y)
    assert [list(p) for p in s["Polarity"]] == analysis.lf_polarities(L)
    for col, f in (("Coverage", "lf_coverages"), ("Overlaps", "lf_overlaps"), ("Conflicts", "lf_conflicts")):
        assert np.array_equal(s[col].to_numpy(float), getattr(analysis, f)(L)), col
    assert s["Correct"].tolist() == analysis.lf_correct(L, y).tolist()
    assert s["Incorrect"].tolist() == analysis.lf_incorrect(L, y).tolist()
    # Snorkel computes 0.5 * ((correct - incorrect) / covered + 1), lf computes correct / covered:
    # the same number up to one ulp; Snorkel reports 0 where lf reports NaN (LF never votes).
    ours = analysis.lf_empirical_accuracies(L, y)
    np.testing.assert_allclose(np.nan_to_num(ours), s["Emp. Acc."].to_numpy(float), rtol=0, atol=1e-12)
    assert ref.label_coverage() == analysis.label_coverage(L)
    assert ref.label_overlap() == analysis.label_overlap(L)
    assert ref.label_conflict() == analysis.label_conflict(L)


@pytest.mark.parametrize("split", ["train", "test"])
def test_equals_snorkel_on_wrench_youtube(youtube_wrench, split):
    L, y, _ = youtube_wrench[split]
    assert L.shape[1] == 10
    _assert_snorkel_equal(L, y)
    _assert_snorkel_equal(L, y, L_ours=LabelMatrix(L))  # int8 storage gives the same numbers


def test_identical_lfs_are_grouped_by_their_votes_on_every_row():
    A = np.array([[0, 0, 1, 0, -1, -1], [1, 1, 1, 1, -1, -1], [-1, -1, 0, -1, -1, -1], [0, 0, -1, 1, -1, -1]] * 3)
    # a, b and d differ only on the last row; e and f never vote (no evidence to double)
    assert analysis.identical_lfs(A) == [[0, 1]]
    L = LabelMatrix(np.column_stack([A, A[:, 3], A[:, 0]]), names=list("abcdefgh"), cardinality=2)
    assert analysis.identical_lfs(L) == [[0, 1, 7], [3, 6]]
    table = L.patterns()
    assert analysis.identical_lfs(table.rows) == [[0, 1, 7], [3, 6]]
    assert analysis.identical_lfs(np.zeros((0, 3), np.int8)) == []


def test_gold_minus_one_is_refused_not_counted_as_a_wrong_label():
    """-1 marks a row without gold for ``model.score`` (as in Snorkel's scorer). Here it was
    taken as a label every LF gets wrong: lf_incorrect counted those rows (Snorkel's
    Incorrect leaves them out), and emp_acc fell with them. lf.summarize refuses such gold
    (every row needs a gold label); lf.analysis now does too, saying how to leave them out."""
    L = np.array([[0, 1, -1], [1, 1, 0], [0, -1, 0], [1, 0, 1]])
    y = np.array([0, -1, 0, 1])
    for f in (analysis.lf_correct, analysis.lf_incorrect, analysis.lf_empirical_accuracies):
        with pytest.raises(ParameterError, match=r"`y` holds -1 \(no gold label\) at row 1: .*L\[y != -1\], y\[y != -1\]"):
            f(L, y)
    keep = y != -1
    assert analysis.lf_incorrect(L[keep], y[keep]).tolist() == [0, 2, 0]
    with pytest.raises(ParameterError, match=r"`y` holds -2 at row 0: it must hold class ids 0 or more\.$"):
        analysis.lf_correct(L, np.array([-2, 0, 0, 1]))


def test_gold_beyond_a_label_matrix_cardinality_is_refused():
    """A LabelMatrix knows its classes: gold 3 for 3 classes is a wrong column, as in
    lf.summarize (a plain array's classes grow with gold, as in Snorkel)."""
    L = LabelMatrix(np.array([[0, 1], [2, -1]]), cardinality=3)
    with pytest.raises(ParameterError, match=r"`y` holds 3 at row 1: it must hold class ids 0..2\.$"):
        analysis.lf_correct(L, np.array([0, 3]))
    assert analysis.lf_correct(np.array([[0, 1], [2, -1]]), np.array([0, 3])).tolist() == [1, 0]


def test_overlaps_and_conflicts_normalized_as_snorkels_options():
    """Snorkel's lf_overlaps(normalize_by_coverage=True) and lf_conflicts(normalize_by_overlaps=
    True): shares of the LF's own labeled / overlapping rows. NaN where the denominator is 0
    (an LF that labels nothing, or never with another), as lf's emp_acc; Snorkel gives 0."""
    L = np.array([[0, -1, 1, -1], [0, -1, 0, -1], [1, -1, -1, -1], [-1, -1, 1, 2], [1, -1, -1, -1]])
    # coverage 4/5, 0, 3/5, 1/5; overlaps 2/5, 0, 3/5, 1/5; conflicts 1/5, 0, 2/5, 1/5
    np.testing.assert_allclose(analysis.lf_overlaps(L, normalize_by_coverage=True), [1 / 2, np.nan, 1.0, 1.0])
    np.testing.assert_allclose(analysis.lf_conflicts(L, normalize_by_overlaps=True), [1 / 2, np.nan, 2 / 3, 1.0])
    np.testing.assert_allclose(analysis.lf_overlaps(L), [2 / 5, 0, 3 / 5, 1 / 5])  # the default is unchanged
    np.testing.assert_allclose(analysis.lf_conflicts(L), [1 / 5, 0, 2 / 5, 1 / 5])
    ref = pytest.importorskip("snorkel.labeling").LFAnalysis(L)  # the same where Snorkel's are defined
    with np.errstate(invalid="ignore", divide="ignore"):  # Snorkel divides by 0, then zeroes the NaN
        overlaps, conflicts = ref.lf_overlaps(normalize_by_coverage=True), ref.lf_conflicts(normalize_by_overlaps=True)
    np.testing.assert_allclose(np.nan_to_num(analysis.lf_overlaps(L, normalize_by_coverage=True)), overlaps)
    np.testing.assert_allclose(np.nan_to_num(analysis.lf_conflicts(L, normalize_by_overlaps=True)), conflicts)


def test_empirical_probs_are_each_lfs_table_of_outcomes_given_the_gold_class():
    """Snorkel's lf_empirical_probs(Y, k): per LF, P(outcome = l | Y = y) with ABSTAIN as
    outcome 0, an m x (k+1) x k array; what a label model's learned tables are compared to."""
    L = np.array([[0, -1], [0, 1], [1, 1], [-1, 0], [2, 2], [0, -1]])
    y = np.array([0, 0, 1, 1, 2, 0])
    P = analysis.lf_empirical_probs(L, y)
    assert P.shape == (2, 4, 3)
    np.testing.assert_allclose(P[0], [[0, 1 / 2, 0], [1, 0, 0], [0, 1 / 2, 0], [0, 0, 1]])
    np.testing.assert_allclose(P[1], [[2 / 3, 0, 0], [0, 1 / 2, 0], [1 / 3, 1 / 2, 0], [0, 0, 1]])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    four = analysis.lf_empirical_probs(LabelMatrix(L, cardinality=4), y)
    assert four.shape == (2, 5, 4) and np.isnan(four[:, :, 3]).all()  # no gold row of class 3
    np.testing.assert_array_equal(four[:, :4, :3], P)
    ref = pytest.importorskip("snorkel.labeling").LFAnalysis(L)
    np.testing.assert_allclose(P, ref.lf_empirical_probs(y, 3))


def test_empirical_probs_of_a_plain_array_take_snorkels_k():
    """Snorkel's lf_empirical_probs(Y, k) has the shape k asks for even when no LF and no
    gold row holds the top classes; a plain array says k with ``cardinality``."""
    L = np.array([[1, -1, 0], [0, 0, -1], [-1, 1, 1], [1, 1, 0]])
    y = np.array([1, 0, 1, 0])
    P = analysis.lf_empirical_probs(L, y, cardinality=4)
    assert P.shape == (3, 5, 4)
    np.testing.assert_array_equal(P, analysis.lf_empirical_probs(LabelMatrix(L, cardinality=4), y))
    np.testing.assert_array_equal(P, analysis.lf_empirical_probs(L, y, 4))  # Snorkel's (Y, k) positions
    assert np.isnan(P[:, :, 2:]).all() and not np.isnan(P[:, :, :2]).any()
    ref = pytest.importorskip("snorkel.labeling").LFAnalysis(L)
    with np.errstate(invalid="ignore"):  # Snorkel's NaN for a class without gold rows: 0 / 0
        np.testing.assert_allclose(P, ref.lf_empirical_probs(y, 4))
    with pytest.raises(ParameterError, match="`y` holds 2 at row 0"):
        analysis.lf_empirical_probs(L, y + 1, cardinality=2)


@pytest.mark.parametrize("kind", ["int64", "int8", "uint8", "float", "Int64", "Int8", "series", "list", "names"])
def test_analysis_and_summarize_read_gold_alike(kind):
    """One reading of gold for both (Snorkel's correct / incorrect / emp_acc): lf.summarize
    took label names and refused numbers that could be label names, pandas' nullable
    columns and lists, while lf.analysis read only numeric arrays and took any number as a
    class id, so on a matrix labelled ["1", "0"] it counted gold 1 as class 1 (the label
    "0") where summarize refused the column."""
    import pandas as pd

    import lf

    A = np.array([[0, -1], [1, 1], [-1, 0], [1, 0], [0, 0], [-1, -1]], np.int8)
    ids = [0, 1, 0, 0, 1, 1]
    y = {
        "int64": np.array(ids), "int8": np.array(ids, np.int8), "uint8": np.array(ids, np.uint8),
        "float": np.array(ids, float), "Int64": pd.array(ids, dtype="Int64"), "Int8": pd.Series(ids, dtype="Int8"),
        "series": pd.Series(ids), "list": ids, "names": ["ham" if i == 0 else "SPAM" for i in ids],
    }[kind]
    L = LabelMatrix(A, labels=["HAM", "SPAM"])
    table = lf.summarize(L, y)
    assert analysis.lf_correct(L, y).tolist() == table["correct"].tolist() == [2, 3]
    assert analysis.lf_incorrect(L, y).tolist() == table["incorrect"].tolist() == [2, 1]
    assert analysis.lf_empirical_accuracies(L, y).tolist() == table["emp_acc"].tolist() == [0.5, 0.75]
    if kind == "names":
        return
    digits = LabelMatrix(A, labels=["1", "0"])  # is gold 1 the label "1" (class 0) or class 1?
    for f in (analysis.lf_correct, lambda L, y: lf.summarize(L, y)):
        with pytest.raises(ValueError, match=r"`y` holds numbers, and the label names 1, 0 are numbers"):
            f(digits, y)


def test_missing_gold_is_refused_alike_by_analysis_and_summarize():
    import pandas as pd

    import lf

    L = LabelMatrix(np.array([[0, 1], [1, -1], [0, 0]]), cardinality=2)
    y = pd.array([0, None, 1], dtype="Int64")
    message = r"^`y` has a missing value \(row position 1\); every row needs a gold label\. To score the labeled rows alone, leave the others out first"
    with pytest.raises(ValueError, match=message):
        analysis.lf_correct(L, y)
    with pytest.raises(ValueError, match=message):
        lf.summarize(L, y)


@settings(max_examples=80, deadline=None)
@given(label_matrices())
def test_chance_accuracy_is_the_expected_accuracy_of_votes_right_at_their_class_shares(data):
    """Each vote's chance of being right is its class's share of the gold rows; the mean of
    that over the LF's votes, row by row. A random relabeling of the gold rows that keeps
    the shares makes each LF's accuracy this on average."""
    L, y, k = data
    shares = [float(np.mean(y == c)) for c in range(k)]
    want = []
    for j in range(L.shape[1]):
        votes = [int(v) for v in L[:, j] if v != -1]
        want.append(np.mean([shares[v] for v in votes]) if votes else np.nan)
    np.testing.assert_allclose(analysis.lf_chance_accuracies(L, y), want, rtol=0, atol=1e-12)
    M = LabelMatrix(L, cardinality=k)
    np.testing.assert_allclose(analysis.lf_chance_accuracies(M, y), want, rtol=0, atol=1e-12)
