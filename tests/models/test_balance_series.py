"""A class balance given as a pandas Series, as ``value_counts(normalize=True)`` makes it:
keyed by label name or class id, most frequent class first. Read by its keys, never by
position, in ``fit`` and in ``select``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import lf
from lf.errors import ParameterError
from lf.models import DawidSkene, LabelModel, MajorityVoter, select


def _matrix() -> lf.LabelMatrix:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    votes = np.where(rng.random((300, 4)) < 0.8, y[:, None], 1 - y[:, None])
    A = np.where(rng.random((300, 4)) < 0.5, votes, -1)
    return lf.LabelMatrix(A, names=["a", "b", "c", "d"], cardinality=2, labels=["HAM", "SPAM"])


@pytest.mark.parametrize("cls", [MajorityVoter, LabelModel, DawidSkene])
def test_value_counts_of_gold_names_or_ids_give_each_class_its_own_share(cls: type) -> None:
    # Before: read by position, the most frequent class first: SPAM's 0.8 went to HAM.
    L = _matrix()
    by_name = pd.Series(["SPAM"] * 8 + ["HAM"] * 2).value_counts(normalize=True)
    by_id = pd.Series([1] * 8 + [0] * 2).value_counts(normalize=True)
    by_float_id = pd.Series([1.0] * 8 + [0.0] * 2 + [np.nan]).value_counts(normalize=True, dropna=True)
    assert list(by_name.index) == ["SPAM", "HAM"] and list(by_id.index) == [1, 0] == list(by_float_id.index)
    want = cls().fit(L, class_balance=[0.2, 0.8])
    for balance in (by_name, by_id, by_float_id):
        got = cls().fit(L, class_balance=balance)
        np.testing.assert_allclose(got.class_balance_, [0.2, 0.8])
        np.testing.assert_array_equal(got.predict_proba(L), want.predict_proba(L))


def test_select_reads_a_series_by_its_keys_too() -> None:
    L = _matrix()
    balance = pd.Series({"SPAM": 0.8, "HAM": 0.2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chosen = select(["MajorityVoter"], L, L[:40], np.asarray(L.array)[:40].max(axis=1).clip(0), class_balance=balance)
    np.testing.assert_allclose(chosen.class_balance, [0.2, 0.8])


def test_a_series_of_other_keys_is_refused_naming_them() -> None:
    L = _matrix()
    with pytest.raises(ParameterError, match=r"`class_balance` names 'EGGS', not a label of the matrix \(HAM, SPAM\)"):
        MajorityVoter().fit(L, class_balance=pd.Series({"SPAM": 0.8, "EGGS": 0.2}))
    with pytest.raises(ParameterError, match=r"class ids \[1, 2\].*each class id 0\.\.1 once"):
        MajorityVoter().fit(L, class_balance=pd.Series([0.8, 0.2], index=[1, 2]))
    with pytest.raises(ParameterError, match=r"gives 'spam' more than once"):
        MajorityVoter().fit(L, class_balance=pd.Series([0.5, 0.3, 0.2], index=["SPAM", "HAM", "spam"]))
    # a plain Series (positions as its keys) is the numbers in class order, as before
    np.testing.assert_allclose(MajorityVoter().fit(L, class_balance=pd.Series([0.3, 0.7])).class_balance_, [0.3, 0.7])


@pytest.mark.parametrize("cls", [MajorityVoter, LabelModel])
def test_a_dict_keyed_by_class_ids_is_read_as_a_series_is(cls: type) -> None:
    # Before: refused as "names 0, not a label of the matrix", though the same Series was read.
    L = _matrix()
    counts = {1: 0.8, 0: 0.2}  # pd.Series(y).value_counts(normalize=True).to_dict()
    np.testing.assert_allclose(cls().fit(L, class_balance=counts).class_balance_, [0.2, 0.8])
    np.testing.assert_allclose(cls().fit(np.asarray(L.array), class_balance=counts, cardinality=2).class_balance_, [0.2, 0.8])


def test_numbers_as_keys_are_refused_when_the_labels_are_other_numbers() -> None:
    # Labels "1", "0": is the key 1 the label "1" (class 0) or class 1? Before: a Series was
    # read by class id without a word, giving label "1"'s share to label "0".
    L = _matrix()
    swapped = lf.LabelMatrix(np.asarray(L.array), names=list(L.names), cardinality=2, labels=["1", "0"])
    for balance in (pd.Series({1: 0.8, 0: 0.2}), {1: 0.8, 0: 0.2}):
        with pytest.raises(ParameterError, match=r"keyed by the number 1, and the labels 1, 0 are numbers"):
            MajorityVoter().fit(swapped, class_balance=balance)
    np.testing.assert_allclose(MajorityVoter().fit(swapped, class_balance={"1": 0.8, "0": 0.2}).class_balance_, [0.8, 0.2])


def test_with_hundreds_of_labels_a_bad_class_balance_lists_a_few_of_them(tmp_path, capsys) -> None:
    """With 300 declared labels, a class balance that is wrong listed every label name (about
    2,000 characters on the CLI's one error line); it names the first ten and how many."""
    from lf.cli import main

    names = [f"class_{i:03d}" for i in range(300)]
    L = lf.LabelMatrix(np.array([[0, 255, 299], [1, 128, -1]] * 50), names=["a", "b", "c"], labels=names)
    few = "class_000, class_001, class_002, class_003, class_004, class_005, class_006, class_007, class_008, class_009 ... (300 in all)"
    with pytest.raises(ParameterError) as info:
        MajorityVoter().fit(L, class_balance={"class_300": 1.0})
    assert str(info.value) == f"`class_balance` names 'class_300', not a label of the matrix ({few})."
    L.save(tmp_path / "L.parquet")
    for spec, said in [("class_000=1", f"must give one value for each label: {few}."),
                       ("0.5,0.5", f"must be 300 non-negative numbers summing to 1 (one per label: {few}).")]:
        code = main(["fit", str(tmp_path / "L.parquet"), "-o", str(tmp_path / "m.json"), "--model", "MajorityVoter", "--class-balance", spec])
        err = " ".join(capsys.readouterr().err.split())
        assert code == 2 and said in err and "class_010" not in err
