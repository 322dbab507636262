"""LabelMatrix: validation, storage, patterns, combining and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lf import LabelMatrix
from lf.cli import main
from lf.errors import DataError, ParameterError
from lf.matrix import as_label_array, row_patterns


def _lm(**kw):
    arr = np.array([[0, -1, 1], [1, 1, -1], [-1, -1, -1], [0, -1, 1]])
    return LabelMatrix(arr, names=["a", "b", "c"], **kw)


# -- construction ----------------------------------------------------------------------------


def test_storage_is_small_ints_and_read_only():
    L = _lm()
    assert L.array.dtype == np.int8
    assert L.shape == (4, 3) and L.n == 4 and L.m == 3 and len(L) == 4
    with pytest.raises(ValueError):
        L.array[0, 0] = 1
    big = LabelMatrix(np.array([[200, -1]]), cardinality=300)
    assert big.array.dtype == np.int16 and big.array[0, 0] == 200


def test_cardinality_inferred_as_max_label_plus_one_at_least_two():
    assert LabelMatrix(np.array([[0, -1]])).cardinality == 2
    assert LabelMatrix(np.array([[-1, -1]])).cardinality == 2
    assert LabelMatrix(np.array([[4, -1]])).cardinality == 5
    assert LabelMatrix(np.array([[0]]), labels=["a", "b", "c"]).cardinality == 3


def test_default_names_and_numpy_interop():
    L = LabelMatrix(np.array([[0, 1]]))
    assert L.names == ("lf_0", "lf_1")
    assert np.asarray(L).tolist() == [[0, 1]]
    assert np.asarray(L, dtype=np.int64).dtype == np.int64
    assert repr(L) == "LabelMatrix(n=1, m=2, cardinality=2)"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"array": [[0, 1]], "names": ["a"]}, r"1 LF names given for 2 columns"),
        ({"array": [[0, 1]], "names": ["a", "a"]}, r"Labeling function names must be unique. Duplicated: a"),
        ({"array": [[0, 1]], "labels": ["x", "y", "z"], "cardinality": 2}, r"3 label names given for cardinality 2"),
        ({"array": [[0, 1]], "row_ids": [1, 2, 3]}, r"3 row ids given for 1 rows"),
        ({"array": [[0, -2]]}, r"ABSTAIN \(-1\) or 0..k-1. Found -2"),
        ({"array": [[0, 2]], "cardinality": 2}, r"Label 2 is out of range for cardinality 2 \(allowed: -1..1\)"),
        ({"array": [[0.5, 1.0]]}, r"must hold integer labels \(ABSTAIN = -1\)\. Got 0\.5 at row 0, column 0"),
        ({"array": [0, 1]}, r"must be 2-d .* shape \(2,\)"),
    ],
)
def test_invalid_construction_is_reported(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LabelMatrix(**kwargs)


def test_as_label_array_checks_cardinality_against_a_label_matrix():
    L = _lm()
    arr, k = as_label_array(L)
    assert arr is L.array and k == 2
    with pytest.raises(ValueError, match=r"`cardinality` is 3 but the LabelMatrix has cardinality 2"):
        as_label_array(L, 3)


def test_label_name():
    L = _lm(labels=["HAM", "SPAM"])
    assert [L.label_name(v) for v in (-1, 0, 1)] == ["ABSTAIN", "HAM", "SPAM"]
    assert _lm().label_name(1) == "1"


def test_equality_compares_names_cardinality_and_values():
    assert _lm() == _lm()
    assert _lm() != _lm(cardinality=3)
    assert _lm() != LabelMatrix(_lm().array, names=["a", "b", "x"])
    assert _lm() != "not a matrix"


def test_comparing_with_a_label_compares_the_labels_as_snorkels_numpy_matrix_does():
    """Snorkel's L is a NumPy array: (L != ABSTAIN).sum(axis=1) counts each row's votes. A
    matrix compared with a label was a single False / True, so np.mean(L != -1) said every
    label was a vote."""
    A = np.array([[1, -1, 0], [-1, -1, -1], [0, 0, -1]])
    L = LabelMatrix(A)
    np.testing.assert_array_equal((L != -1).sum(axis=1), [2, 0, 2])
    assert np.mean(L != -1) == np.mean(A != -1) == 4 / 9
    np.testing.assert_array_equal(L == 0, A == 0)
    np.testing.assert_array_equal(L == np.int64(1), A == 1)
    np.testing.assert_array_equal(L != A[0], A != A[0])
    np.testing.assert_array_equal(-1 == L, A == -1)
    assert L == LabelMatrix(A)  # matrices still compare whole
    assert (L != LabelMatrix(A)) is False and (L != LabelMatrix(A, cardinality=3)) is True
    assert (L == True) is False and (L != "x") is True  # a bool is no label
    with pytest.raises(ParameterError, match=r"an LF's column of labels is L\.array\[:, j\]"):
        L[:, 0]


def test_a_selection_past_the_rows_is_an_lf_error_that_is_an_index_error():
    """Before: numpy's bare IndexError, no LFError; a user selecting by row id (1000 on ids
    from 1000) learns that rows are selected by position."""
    from lf.errors import RowSelectionError

    L = LabelMatrix(np.full((5, 2), -1, np.int8), row_ids=np.arange(1000, 1005))
    with pytest.raises(RowSelectionError, match=r"L\[\[1000\]\] reaches past the matrix's 5 rows .* by position, 0 to 4 \(by id: L\[np\.isin\(L\.row_ids, ids\)\]\)"):
        L[[1000]]
    with pytest.raises(IndexError):  # what numpy raised, for code that catches it
        LabelMatrix(np.zeros((3, 2), np.int8))[7]
    assert L[[0, 4]].row_ids.tolist() == [1000, 1004]


# -- patterns --------------------------------------------------------------------------------


def _check_patterns(A, k):
    rows, counts, inverse = row_patterns(A, k)
    assert np.array_equal(rows[inverse], A)
    assert counts.sum() == A.shape[0]
    assert np.array_equal(np.bincount(inverse, minlength=len(rows)), counts)
    ref_rows, ref_counts = np.unique(A, axis=0, return_counts=True)
    assert np.array_equal(rows, ref_rows)  # lexicographic order, like np.unique
    assert np.array_equal(counts, ref_counts)


@settings(max_examples=80, deadline=None)
@given(
    A=hnp.arrays(
        np.int8,
        st.tuples(st.integers(1, 40), st.integers(1, 50)),
        elements=st.integers(-1, 3),
    )
)
def test_patterns_rebuild_the_matrix_and_match_np_unique(A):
    # m up to 50 with k=4 takes both the integer-code path and the np.unique fallback
    _check_patterns(A, 4)


def test_patterns_fallback_path_for_many_lfs(make_L):
    A = make_L(500, 80, 3, p_abstain=0.9).astype(np.int8)  # 80 * log2(4) >= 62: fallback
    _check_patterns(A, 3)
    A = make_L(500, 20, 3, p_abstain=0.7).astype(np.int8)  # code path
    _check_patterns(A, 3)


def test_patterns_method_and_degenerate_shapes():
    p = _lm().patterns()
    assert p.counts.tolist() == [1, 2, 1] and p.rows.tolist() == [[-1, -1, -1], [0, -1, 1], [1, 1, -1]]
    rows, counts, inverse = row_patterns(np.zeros((3, 0), np.int8), 2)
    assert rows.shape == (1, 0) and counts.tolist() == [3] and inverse.tolist() == [0, 0, 0]
    rows, counts, inverse = row_patterns(np.zeros((0, 4), np.int8), 2)
    assert rows.shape == (0, 4)
    assert len(counts) == 0 and len(inverse) == 0


# -- combining -------------------------------------------------------------------------------


def test_concat_stacks_rows_and_adds_errors_and_seconds():
    a = LabelMatrix([[0, 1]], names=["x", "y"], row_ids=["r0"], errors=[1, 0], seconds=[0.5, 1.0])
    b = LabelMatrix([[1, -1], [-1, 0]], names=["x", "y"], row_ids=["r1", "r2"], errors=[2, 3], seconds=[0.25, 0.0])
    c = LabelMatrix.concat([a, b])
    assert c.array.tolist() == [[0, 1], [1, -1], [-1, 0]]
    assert c.row_ids.tolist() == ["r0", "r1", "r2"]
    assert c.errors.tolist() == [3, 3]
    assert c.seconds.tolist() == [0.75, 1.0]
    assert LabelMatrix.concat([a]) == a


def test_concat_refuses_parts_whose_class_ids_or_lfs_mean_other_things(tmp_path):
    """Two runs' matrices stacked: a class id must mean one label, a column one LF version.
    Before, the first part's label names were kept for both and the second part's votes
    silently read as the other class; two versions of an LF were mixed in one column."""
    import lf

    root = Path(__file__).resolve().parents[1]
    frame = pd.read_csv(root / "datasets" / "demo" / "comments.csv").iloc[:200]
    source = (root / "labeling_functions" / "demo_spam.py").read_text()
    first, second = frame.iloc[:100], frame.iloc[100:]
    lfs = lf.load_lfs(str(root / "labeling_functions" / "demo_spam.py"))
    a = lf.apply(lfs, first, progress=False)
    flipped = lf.apply(list(lfs), second, labels=["SPAM", "HAM"], progress=False)  # a module declaring them so
    with pytest.raises(ParameterError, match="HAM, SPAM and SPAM, HAM"):
        LabelMatrix.concat([a, flipped])
    # `lf apply` records each LF's definition: one part made before an edit, one after.
    first.to_csv(tmp_path / "first.csv", index=False)
    second.to_csv(tmp_path / "second.csv", index=False)
    (tmp_path / "edited.py").write_text(source.replace('["free", "prize", "gift card", "earn"]', '["free"]'))
    for data, module, out in (("first", "demo_spam", "A"), ("second", "demo_spam", "B"), ("second", "edited", "C")):
        path = tmp_path / "edited.py" if module == "edited" else root / "labeling_functions" / "demo_spam.py"
        assert main(["apply", str(tmp_path / f"{data}.csv"), "--lfs", str(path), "-o", str(tmp_path / f"{out}.parquet")]) == 0
    A, B, C = (LabelMatrix.load(tmp_path / f"{out}.parquet") for out in "ABC")
    with pytest.raises(ParameterError, match="LF 'giveaway' had another definition"):
        LabelMatrix.concat([A, C])
    both = LabelMatrix.concat([A, B])
    assert both == lf.apply(lfs, frame, progress=False)
    assert both.labels == ("HAM", "SPAM") and both.lf_fingerprints == A.lf_fingerprints is not None
    unknown = LabelMatrix(a.array, names=a.names, cardinality=2, row_ids=a.row_ids)  # definitions unknown
    mixed = LabelMatrix.concat([unknown, A])
    assert mixed.labels == ("HAM", "SPAM") and mixed.lf_fingerprints is None


def test_concat_rejects_mismatched_parts():
    a = LabelMatrix([[0, 1]], names=["x", "y"])
    with pytest.raises(ValueError, match="at least one matrix"):
        LabelMatrix.concat([])
    with pytest.raises(ValueError, match="same LF names and cardinality"):
        LabelMatrix.concat([a, LabelMatrix([[0, 1]], names=["x", "z"])])
    with pytest.raises(ValueError, match="same LF names and cardinality"):
        LabelMatrix.concat([a, LabelMatrix([[0, 1]], names=["x", "y"], cardinality=3)])
    with pytest.raises(ValueError, match="every part has row ids or none"):
        LabelMatrix.concat([a, LabelMatrix([[0, 1]], names=["x", "y"], row_ids=[7])])


def test_row_selection_keeps_names_and_row_ids():
    L = _lm(row_ids=["a", "b", "c", "d"], labels=["N", "Y"])
    for sel in (slice(1, 3), np.array([1, 2]), np.array([False, True, True, False])):
        sub = L[sel]
        assert sub.array.tolist() == [[1, 1, -1], [-1, -1, -1]]
        assert sub.row_ids.tolist() == ["b", "c"]
        assert sub.names == L.names and sub.labels == ("N", "Y") and sub.cardinality == 2
    with pytest.raises(ParameterError, match="slice, an index array or a boolean mask"):
        L[0]


# -- persistence -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
@pytest.mark.parametrize("row_ids", [None, ["id-a", "id-b", "id-c", "id-d"], [10, 11, 12, 13]])
def test_save_load_roundtrip(tmp_path, suffix, row_ids):
    L = _lm(labels=["HAM", "SPAM"], row_ids=row_ids, errors=[0, 2, 1], seconds=[0.5, 0.25, 0.0])
    path = L.save(tmp_path / f"L{suffix}")
    assert path == tmp_path / f"L{suffix}"
    back = LabelMatrix.load(path)
    assert back == L
    assert back.array.dtype == np.int8
    assert back.labels == ("HAM", "SPAM")
    assert back.errors.tolist() == [0, 2, 1] and back.seconds.tolist() == [0.5, 0.25, 0.0]
    if row_ids is None:
        assert back.row_ids is None
    else:
        assert back.row_ids.tolist() == row_ids
    assert [p.name for p in tmp_path.iterdir()] == [f"L{suffix}"]  # no temp files left behind


def test_int16_matrix_roundtrip(tmp_path):
    L = LabelMatrix(np.array([[199, -1], [0, 150]]), cardinality=200)
    for suffix in (".npz", ".parquet"):
        back = LabelMatrix.load(L.save(tmp_path / f"big{suffix}"))
        assert back == L and back.array.dtype == np.int16


def test_parquet_file_has_one_column_per_lf(tmp_path):
    _lm(row_ids=[1, 2, 3, 4]).save(tmp_path / "L.parquet")
    table = pq.read_table(tmp_path / "L.parquet")
    assert table.column_names == ["__row_id__", "a", "b", "c"]
    assert table.column("c").to_pylist() == [1, -1, -1, 1]


def test_save_rejects_unknown_suffix(tmp_path):
    with pytest.raises(DataError, match=r"'L\.csv'.*\.npz or \.parquet"):
        _lm().save(tmp_path / "L.csv")
    assert list(tmp_path.iterdir()) == []


def test_load_errors(tmp_path):
    with pytest.raises(DataError, match=r"Label matrix file not found: .*missing\.npz"):
        LabelMatrix.load(tmp_path / "missing.npz")
    other = tmp_path / "other.parquet"
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1, 2]}), other)
    with pytest.raises(DataError, match=r"other\.parquet': it is a Parquet file but not a label matrix"):
        LabelMatrix.load(other)
    txt = tmp_path / "m.txt"
    txt.write_text("x")
    with pytest.raises(DataError, match=r"expected a \.npz or \.parquet"):
        LabelMatrix.load(txt)
    npz = tmp_path / "foreign.npz"
    np.savez(npz, L=np.zeros((1, 1)), meta=np.array('{"format": "other"}'))
    with pytest.raises(DataError, match=r"not a label matrix written by lf \(format 'other',"):
        LabelMatrix.load(npz)


def test_save_into_missing_folder_fails_clearly(tmp_path):
    with pytest.raises(DataError, match=r"folder .*no_such_dir.* does not exist"):
        _lm().save(tmp_path / "no_such_dir" / "L.npz")


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_a_matrix_that_saves_also_loads_even_with_mixed_type_row_ids(tmp_path, suffix):
    # Row ids taken from an object column (ints, strings, None) must not produce a file that
    # `load` then refuses; saving either round-trips or fails up front with a DataError.
    L = LabelMatrix([[0], [1], [-1]], names=["a"], row_ids=np.array(["x", None, 3], dtype=object))
    try:
        path = L.save(tmp_path / f"L{suffix}")
    except DataError:
        assert list(tmp_path.iterdir()) == []
        return
    back = LabelMatrix.load(path)
    assert back == L
    assert [None if v is None else str(v) for v in back.row_ids.tolist()] == ["x", None, "3"]


def test_one_pattern_routine_serves_matrix_and_models():
    from lf.models import _stats

    assert _stats.fast_patterns is row_patterns


@pytest.mark.parametrize("m, k", [(30, 200), (64, 2), (120, 9)])
def test_patterns_of_wide_matrices_match_np_unique(make_L, m, k):
    # several int64 code words per row: the hashed path, then patterns sorted lexicographically
    A = make_L(3000, m, k, p_abstain=0.93, seed=m).astype(np.int16 if k > 127 else np.int8)
    A[1000:1400] = A[:400]  # repeated rows
    _check_patterns(A, k)
    p = row_patterns(A, k, inverse=False)
    full = row_patterns(A, k)
    assert p.inverse.size == 0
    assert np.array_equal(p.rows, full.rows) and np.array_equal(p.counts, full.counts)


def test_patterns_follow_lexicographic_order_of_signed_labels():
    A = np.array([[1, -1], [0, 1], [-1, 0], [0, -1], [1, -1]], np.int8)
    p = LabelMatrix(A).patterns()
    assert p.rows.tolist() == [[-1, 0], [0, -1], [0, 1], [1, -1]]
    assert p.counts.tolist() == [1, 1, 1, 2]
    assert p.inverse.tolist() == [3, 2, 0, 1, 3]


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_object_row_ids_of_one_type_keep_it(tmp_path, suffix):
    for ids, expected in (([7, 8], [7, 8]), (["a", "b"], ["a", "b"])):
        L = LabelMatrix([[0], [1]], names=["a"], row_ids=np.array(ids, dtype=object))
        back = LabelMatrix.load(L.save(tmp_path / f"L{suffix}"))
        assert back.row_ids.tolist() == expected


@pytest.mark.parametrize("content", ["garbage", "other-npz"])
def test_an_npz_that_is_not_a_label_matrix_is_a_data_error(tmp_path, content):
    path = tmp_path / "x.npz"
    if content == "garbage":
        path.write_bytes(b"not a zip file at all")
    else:
        np.savez(path, weights=np.zeros(3))
    with pytest.raises(DataError, match=r"is not a label matrix written by lf"):
        LabelMatrix.load(path)


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
@pytest.mark.parametrize(
    "ids, expected",
    [
        (pd.array([10, None, 30], dtype="Int64"), [10, None, 30]),  # nullable integers
        (pd.Series([10, None, 30], dtype=object), [10, None, 30]),
        (pd.array(["a", None, "c"], dtype="string"), ["a", None, "c"]),
        (pd.Series([True, None, False], dtype=object), [True, None, False]),
    ],
)
def test_row_ids_with_a_missing_one_keep_their_type_and_stay_missing(tmp_path, suffix, ids, expected):
    # An id column with a gap must not come back as text ('10', '<NA>'): ids that no longer
    # equal the data's ids join to nothing, and pandas' NA must not become the id '<NA>'.
    from lf import apply, labeling_function

    @labeling_function()
    def has_good(x):
        return 1 if "good" in x.text else -1

    df = pd.DataFrame({"id": ids, "text": ["good", "bad", "good too"]})
    with pytest.warns(UserWarning, match=r"'id' is empty on 1 row \(positions 1, counted from 0\)"):
        L = apply([has_good], df)
    assert L.row_ids.tolist() == expected
    back = LabelMatrix.load(L.save(tmp_path / f"L{suffix}"))
    assert back.row_ids.tolist() == expected
    assert [type(v) for v in back.row_ids.tolist()] == [type(v) for v in expected]
    assert back.array.tolist() == L.array.tolist()


def test_an_lf_named_like_the_row_id_column_is_refused_not_mixed_up(tmp_path):
    # Parquet keeps row ids in the column '__row_id__': an LF of that name overwrote them
    # (row ids 'r1', 'r2' came back as the LF's votes 1, 0) or, without ids, became them.
    from lf.cli import main

    L = LabelMatrix([[1], [0]], names=["__row_id__"], row_ids=["r1", "r2"])
    for ids in (["r1", "r2"], None):
        with pytest.raises(DataError, match=r"LF named '__row_id__'.*Rename the LF"):
            LabelMatrix(L.array, names=L.names, row_ids=ids).save(tmp_path / "L.parquet")
    assert LabelMatrix.load(L.save(tmp_path / "L.npz")).row_ids.tolist() == ["r1", "r2"]
    (tmp_path / "lfs.py").write_text(
        "from lf import labeling_function\n\n@labeling_function(name='__row_id__')\n"
        "def a(x):\n    return 1 if 'good' in x.text else 0\n"
    )
    (tmp_path / "d.csv").write_text("id,text\nr1,good\nr2,bad\n")
    out = tmp_path / "out.parquet"
    assert main(["apply", "--lfs", str(tmp_path / "lfs.py"), str(tmp_path / "d.csv"), "-o", str(out)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L.npz", "d.csv", "lfs.py"]


def test_a_parquet_matrix_with_rows_but_no_columns_is_refused(tmp_path):
    # No LF and no row ids: a Parquet table without columns has no rows, so 3 rows came back as 0.
    L = LabelMatrix(np.zeros((3, 0), np.int8), names=[])
    with pytest.raises(DataError, match=r"3 rows, no LFs and no row ids .* Use a \.npz file"):
        L.save(tmp_path / "L.parquet")
    assert LabelMatrix.load(L.save(tmp_path / "L.npz")).n == 3
    assert LabelMatrix.load(LabelMatrix(L.array, names=[], row_ids=[4, 5, 6]).save(tmp_path / "L.parquet")).n == 3


@pytest.mark.parametrize(
    "costs", [{"errors": [1]}, {"errors": [-1, 0]}, {"errors": [1.5, 0]}, {"seconds": [float("nan"), 1.0]}, {"seconds": [-2.0, 0.0]}]
)
def test_per_lf_costs_are_checked_when_made_so_a_saved_matrix_always_loads(tmp_path, costs):
    # A matrix built with one error count for two LFs, or NaN seconds, was accepted (1.5
    # errors silently became 1) and saved to a file that `load` then refused.
    with pytest.raises(ParameterError, match=r"must hold one non-negative .* per LF \(2\)"):
        LabelMatrix([[0, 1]], names=["a", "b"], **costs)
    L = LabelMatrix([[0, 1]], names=["a", "b"], errors=np.array([2.0, 0.0]), seconds=[1, 0.5])
    back = LabelMatrix.load(L.save(tmp_path / "L.npz"))
    assert back.errors.tolist() == [2, 0] and back.seconds.tolist() == [1.0, 0.5]


def test_the_callers_array_stays_theirs_and_cannot_change_the_matrix():
    """LabelMatrix(arr) froze the caller's own int8 array (their next write raised), and
    lf.summarize(arr) did the same; a read-only array is still shared, not copied."""
    import lf

    a = np.array([[0, 1, -1], [1, -1, 0]], np.int8)
    L = LabelMatrix(a)
    a[0, 0] = 1  # raised "assignment destination is read-only"
    assert L.array[0, 0] == 0 and not L.array.flags.writeable
    lf.summarize(a)
    a[1, 1] = 0
    frozen = a.copy()
    frozen.setflags(write=False)
    assert np.shares_memory(LabelMatrix(frozen).array, frozen)


def test_label_names_equal_but_for_case_are_refused():
    """labels=['a', 'A']: gold 'a' was read as class 1 (the later name), so an LF right on
    every row was counted wrong on two of three, without a word. lf.apply refused such
    names; a LabelMatrix made directly took them."""
    import lf

    for labels in (["a", "A"], ["spam", "SPAM "], ["x", "y", " Y"]):
        with pytest.raises(ParameterError, match="Label names must differ in more than case"):
            LabelMatrix(np.array([[0], [1], [0]]), labels=labels)
    L = LabelMatrix(np.array([[0], [1], [0]]), labels=["a", "b"])
    assert lf.summarize(L, y=["a", "B", "A"])["correct"].tolist() == [3]


def test_names_given_as_one_text_are_refused_not_split_into_characters(tmp_path: Path) -> None:
    """labels="HS" made a matrix of the classes 'H' and 'S' (and lf.apply(labels="HAM") one
    of three classes), with no sign; a cache=True failed with a TypeError."""
    import pandas as pd
    import pytest

    import lf
    from lf.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^`labels` must be a list of names, e.g. \['HAM', 'SPAM'\]\. Got the text 'HS'\.$"):
        lf.LabelMatrix(np.array([[0, 1], [1, -1]]), labels="HS")
    with pytest.raises(ParameterError, match=r"^`names` must be a list of names, .* Got the text 'ab'\.$"):
        lf.LabelMatrix(np.array([[0, 1], [1, -1]]), names="ab")

    @lf.labeling_function()
    def one(x):  # type: ignore[no-untyped-def]
        return 1

    frame = pd.DataFrame({"text": ["a", "b"]})
    with pytest.raises(ParameterError, match=r"`labels` must be a list of names.* Got the text 'HAM'\.$"):
        lf.apply([one], frame, labels="HAM")
    for cache in (True, ""):
        with pytest.raises(ParameterError, match=rf"^`cache` must be a folder's path .* Got {cache!r}\.$"):
            lf.apply([one], frame, cache=cache)
    assert not list(tmp_path.iterdir()) and not Path("True").exists()
