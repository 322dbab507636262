"""Statistics from patterns equal, bit for bit, the row-level definitions they replaced."""

from __future__ import annotations

import _row_analysis as rows
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lf import LabelMatrix, analysis, summarize
from lf.matrix import PatternTable
from lf.summary import totals


@st.composite
def matrices(draw, max_n=80, max_m=9):
    k = draw(st.integers(2, 4))
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    # few distinct values per column, so rows repeat as in real matrices
    A = draw(hnp.arrays(np.int8, (n, m), elements=st.integers(-1, k - 1)))
    y = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return A, y, k


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype.kind == b.dtype.kind
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), (a, b)


def _table(L: LabelMatrix, y=None) -> PatternTable:
    """What a streaming run accumulates: (row, gold) patterns with counts, chunk by chunk."""
    cols = L.array if y is None else np.column_stack([L.array, y]).astype(np.int16)
    keys, counts = np.unique(cols, axis=0, return_counts=True)
    return PatternTable(
        keys[:, : L.m].astype(np.int8), counts.astype(np.int64), L.names, L.cardinality,
        errors=L.errors, seconds=L.seconds, gold=None if y is None else keys[:, -1].astype(np.int64),
    )


@settings(max_examples=150, deadline=None)
@given(matrices())
def test_every_statistic_equals_the_row_level_definition(data):
    A, y, k = data
    L = LabelMatrix(A, cardinality=k)
    for source in (A, L, _table(L)):
        for name in ("lf_coverages", "lf_overlaps", "lf_conflicts"):
            _same(getattr(analysis, name)(source), getattr(rows, name)(A))
        assert analysis.lf_polarities(source) == rows.lf_polarities(A)
        for name in ("label_coverage", "label_overlap", "label_conflict"):
            assert getattr(analysis, name)(source) == getattr(rows, name)(A)
    for source in (A, L):
        _same(analysis.agreement_matrix(source, k), rows.agreement_matrix(A, k))
        _same(analysis.conflict_matrix(source, k), rows.conflict_matrix(A, k))
        for name in ("lf_correct", "lf_incorrect", "lf_empirical_accuracies"):
            _same(getattr(analysis, name)(source, y), getattr(rows, name)(A, y))
    gold_table = _table(L, y)
    for name in ("lf_correct", "lf_incorrect", "lf_empirical_accuracies"):
        _same(getattr(analysis, name)(gold_table), getattr(rows, name)(A, y))


def _row_summary(A, y, names):
    """summarize() as it was computed before: straight from the rows."""
    return {
        "polarity": rows.lf_polarities(A),
        "coverage": rows.lf_coverages(A),
        "overlaps": rows.lf_overlaps(A),
        "conflicts": rows.lf_conflicts(A),
        "correct": rows.lf_correct(A, y),
        "incorrect": rows.lf_incorrect(A, y),
        "emp_acc": rows.lf_empirical_accuracies(A, y),
    }


@settings(max_examples=60, deadline=None)
@given(matrices())
def test_summarize_and_totals_match_the_rows_and_a_pattern_table(data):
    A, y, k = data
    L = LabelMatrix(A, cardinality=k, errors=np.arange(A.shape[1]), seconds=np.ones(A.shape[1]))
    ref = _row_summary(A, y, L.names)
    for frame in (summarize(L, y=y), summarize(_table(L, y))):
        for col, want in ref.items():
            got = frame[col].tolist() if col == "polarity" else frame[col].to_numpy()
            if col == "polarity":
                assert got == want
            else:
                _same(np.asarray(got, dtype=np.asarray(want).dtype), want)
    pd.testing.assert_frame_equal(summarize(L, y=y), summarize(_table(L, y)))
    pd.testing.assert_frame_equal(summarize(L), summarize(_table(L)))
    want = {"rows": A.shape[0], "lfs": A.shape[1], "cardinality": k, "coverage": rows.label_coverage(A),
            "overlap": rows.label_overlap(A), "conflict": rows.label_conflict(A)}
    assert totals(L) == want and totals(_table(L)) == want and totals(A.astype(np.int64)) == {**want, "cardinality": totals(A)["cardinality"]}


def test_patterns_are_computed_once_per_matrix():
    L = LabelMatrix(np.array([[0, -1], [0, -1], [1, 1]], np.int8))
    first = L.patterns()
    assert L.patterns() is first
    summarize(L)
    totals(L)
    assert L.patterns() is first  # the statistics reused the cached patterns
    assert L.patterns(inverse=False).rows is first.rows


def test_a_pattern_table_with_labels_beyond_its_cardinality_is_refused():
    """A LabelMatrix refuses them; a PatternTable (built by hand, from a distributed run)
    was not checked: the agreement products only count labels 0..k-1, so two LFs agreeing
    on label 5 were counted as conflicting, each LF even conflicting with itself."""
    import pytest

    from lf.errors import ParameterError

    table = PatternTable(rows=np.array([[5, 5], [0, -1]]), counts=np.array([3, 1]), names=("a", "b"), cardinality=2)
    for stat in (analysis.conflict_matrix, analysis.agreement_matrix, analysis.lf_conflicts, summarize, totals):
        with pytest.raises(ParameterError, match=r"Label 5 is out of range for cardinality 2"):
            stat(table)
