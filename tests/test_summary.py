"""lf.summarize: the per-LF table (Snorkel's lf_summary numbers, plus errors and seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lf
from lf import LabelMatrix, summarize
from lf.summary import COLUMNS, totals

EXPECTED_COLUMNS = [
    "polarity", "coverage", "overlaps", "conflicts", "correct", "incorrect", "emp_acc", "emp_acc_n", "emp_acc_low",
    "emp_acc_high", "learned_acc", "errors", "seconds",
]


@pytest.fixture
def L():
    arr = np.array([[0, -1, 1], [1, 1, 1], [-1, -1, 0], [0, 0, -1]])
    return LabelMatrix(arr, names=["a", "b", "c"], errors=[0, 3, 1], seconds=[0.5, 0.0, 2.0])


def test_columns_and_index(L):
    s = summarize(L)
    assert list(COLUMNS) == EXPECTED_COLUMNS
    assert list(s.columns) == EXPECTED_COLUMNS
    assert s.index.tolist() == ["a", "b", "c"] and s.index.name == "lf"


def test_values_without_gold_labels(L):
    s = summarize(L)
    assert s["polarity"].tolist() == [[0, 1], [0, 1], [0, 1]]
    assert s["coverage"].tolist() == [0.75, 0.5, 0.75]
    assert s["overlaps"].tolist() == [0.75, 0.5, 0.5]
    assert s["conflicts"].tolist() == [0.25, 0.0, 0.25]
    assert s["correct"].isna().all() and s["incorrect"].isna().all()
    assert s["emp_acc"].isna().all() and s["learned_acc"].isna().all()
    assert s["errors"].tolist() == [0, 3, 1]
    assert s["seconds"].tolist() == [0.5, 0.0, 2.0]


def test_values_with_gold_labels(L):
    s = summarize(L, y=np.array([0, 1, 0, 1]))
    assert s["correct"].tolist() == [2, 1, 2]
    assert s["incorrect"].tolist() == [1, 1, 1]
    assert s["emp_acc"].tolist() == [2 / 3, 0.5, 2 / 3]


def test_learned_accuracies_come_from_the_model(L):
    class Fitted:
        accuracies_ = np.array([0.9, 0.8, 0.7])

    s = summarize(L, model=Fitted())
    assert s["learned_acc"].tolist() == [0.9, 0.8, 0.7]
    # a model without accuracies_ (majority vote) leaves the column empty
    from lf.models import MajorityVoter

    mv = MajorityVoter().fit(L)
    assert summarize(L, model=mv)["learned_acc"].isna().all()


def test_plain_array_gets_default_names_zero_errors_and_unknown_seconds():
    s = summarize(np.array([[0, 1], [-1, 1]]))
    assert s.index.tolist() == ["lf_0", "lf_1"]
    assert s["errors"].tolist() == [0, 0]
    assert s["seconds"].isna().all()


def test_summary_of_applied_lfs_reports_errors_and_time():
    def flaky(x):
        if x.text == "bad":
            raise ValueError("no")
        return 1

    lfs = [lf.LabelingFunction("flaky", flaky), lf.keyword_lf("kw", ["ok"], 0)]
    L = lf.apply(lfs, pd.DataFrame({"text": ["ok", "bad", "bad", "fine"]}), on_error="abstain", progress=False)
    s = summarize(L)
    assert s.loc["flaky", "errors"] == 2 and s.loc["kw", "errors"] == 0
    assert s.loc["flaky", "coverage"] == 0.5
    assert (s["seconds"] >= 0).all()


def test_equals_snorkel_lf_summary_on_wrench_youtube(youtube_wrench):
    from snorkel.labeling import LFAnalysis

    for split in ("train", "test"):
        arr, y, _ = youtube_wrench[split]
        ref = LFAnalysis(arr).lf_summary(Y=y)
        s = summarize(LabelMatrix(arr), y=y)
        assert s["polarity"].tolist() == [list(p) for p in ref["Polarity"]]
        for ours, theirs in (("coverage", "Coverage"), ("overlaps", "Overlaps"), ("conflicts", "Conflicts"),
                             ("correct", "Correct"), ("incorrect", "Incorrect")):
            assert s[ours].tolist() == ref[theirs].tolist(), (split, ours)
        np.testing.assert_allclose(s["emp_acc"].to_numpy(float), ref["Emp. Acc."].to_numpy(float), rtol=0, atol=1e-12)


def test_totals(youtube_wrench):
    from snorkel.labeling import LFAnalysis

    arr, _, _ = youtube_wrench["test"]
    t = totals(LabelMatrix(arr))
    ref = LFAnalysis(arr)
    assert t == {
        "rows": 250,
        "lfs": 10,
        "cardinality": 2,
        "coverage": ref.label_coverage(),
        "overlap": ref.label_overlap(),
        "conflict": ref.label_conflict(),
    }


def test_gold_as_label_names_matches_gold_as_ids():
    L = LabelMatrix(np.array([[0, 1], [1, 1], [0, -1], [-1, 0]]), names=["a", "b"], labels=["HAM", "SPAM"])
    by_name = summarize(L, y=["HAM", "spam", "HAM", "SPAM"])
    by_id = summarize(L, y=[0, 1, 0, 1])
    pd.testing.assert_frame_equal(by_name, by_id)
    assert by_name["correct"].tolist() == [3, 1]


def test_unknown_gold_name_is_a_data_error_naming_it():
    L = LabelMatrix(np.array([[0], [1]]), names=["a"], labels=["HAM", "SPAM"])
    with pytest.raises(lf.errors.DataError, match="EGGS.*HAM, SPAM"):
        summarize(L, y=["HAM", "EGGS"])


def test_empirical_accuracy_carries_its_count_and_wilson_interval():
    # LF a labels 50 gold rows, 40 correctly; LF b labels none
    arr = np.full((60, 2), -1)
    arr[:50, 0] = 1
    y = np.array([1] * 40 + [0] * 20)
    s = summarize(LabelMatrix(arr, names=["a", "b"]), y=y)
    assert s.loc["a", "emp_acc"] == pytest.approx(0.8)
    assert s.loc["a", "emp_acc_n"] == 50
    # Wilson 95% for 40/50: [0.6696, 0.8876]
    assert s.loc["a", "emp_acc_low"] == pytest.approx(0.6696, abs=1e-4)
    assert s.loc["a", "emp_acc_high"] == pytest.approx(0.8876, abs=1e-4)
    assert s.loc["b", "emp_acc_n"] == 0 and np.isnan(s.loc["b", "emp_acc_low"])
