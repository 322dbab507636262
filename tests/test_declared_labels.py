"""Label names given in Python beside the LABELS an LF module declares."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.errors import ParameterError

MODULE = '''
from lf import ABSTAIN, labeling_function

LABELS = ["HAM", "SPAM"]
HAM, SPAM = 0, 1


@labeling_function()
def buys(x):
    return SPAM if "buy" in x.text else ABSTAIN


@labeling_function()
def thanks(x):
    return HAM if "thanks" in x.text else ABSTAIN
'''


@pytest.fixture
def lfs(tmp_path: Path) -> lf.LFSet:
    path = tmp_path / "spam_lfs.py"
    path.write_text(MODULE)
    return lf.load_lfs(path)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"text": ["buy now", "thanks", "buy it, thanks", "hello"], "label": ["SPAM", "HAM", "SPAM", "HAM"]})


def test_labels_in_another_order_than_the_module_declares_are_refused(lfs: lf.LFSet, frame: pd.DataFrame) -> None:
    # The LFs return SPAM = 1 as the module numbers it: naming class 1 'HAM' would score
    # every vote against the other class.
    with pytest.raises(ParameterError, match=r"`labels` \['SPAM', 'HAM'\] differ from the LABELS the LF module declares, \['HAM', 'SPAM'\]"):
        lf.apply(lfs, frame, labels=["SPAM", "HAM"])
    with pytest.raises(ParameterError, match=r"differ from the LABELS the LF module declares"):
        lf.label(lfs, frame, labels=["SPAM", "HAM"], model="MajorityVoter")


def test_labels_equal_to_the_module_s_are_taken(lfs: lf.LFSet, frame: pd.DataFrame) -> None:
    L = lf.apply(lfs, frame, labels=("HAM", "SPAM"))
    assert L.labels == ("HAM", "SPAM")
    assert lf.summarize(L, y=frame["label"])["emp_acc"].tolist() == [1.0, 0.5]


def test_lf_label_takes_label_names_for_a_plain_list_of_lfs(lfs: lf.LFSet, frame: pd.DataFrame, tmp_path: Path) -> None:
    # gold given as names needs the names: lf.label takes them as lf.apply does
    out = tmp_path / "labels.parquet"
    result = lf.label(list(lfs), frame, output=out, gold="label", labels=["HAM", "SPAM"], model="MajorityVoter")
    written = pd.read_parquet(out)
    assert list(written.columns[1:3]) == ["HAM", "SPAM"]
    assert written["label"].tolist()[:2] == ["SPAM", "HAM"]
    assert result.accuracy == pytest.approx(0.5)  # row 2 (a tie) and row 3 (no vote) are not right
    assert lf.label(list(lfs), frame, cardinality=3, model="MajorityVoter").table.cardinality == 3
