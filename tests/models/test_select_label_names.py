"""select() takes the dev rows' gold labels as names, as model.score, lf.summarize and the
CLI's --dev-gold do (README's Label models example passes a label column as it is read)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.errors import DataError
from lf.models import select

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture(scope="module")
def split() -> tuple[lf.LabelMatrix, lf.LabelMatrix, pd.Series]:
    lfs = lf.load_lfs(DEMO_LFS)
    frame = pd.read_csv(DEMO)
    train, dev = frame.iloc[:1500], frame.iloc[1500:1700]
    return lf.apply(lfs, train, progress=False), lf.apply(lfs, dev, progress=False), dev["label"]


def test_dev_gold_label_names_choose_as_their_class_ids_do(split: tuple[lf.LabelMatrix, lf.LabelMatrix, pd.Series]) -> None:
    L, L_dev, names = split
    ids = names.map({"HAM": 0, "SPAM": 1}).to_numpy()
    by_names = select(["LabelModel", "MajorityVoter"], L, L_dev, names.str.lower(), n_boot=50)
    by_ids = select(["LabelModel", "MajorityVoter"], L, L_dev, ids, n_boot=50)
    assert by_names.name == by_ids.name and by_names.scores == by_ids.scores
    np.testing.assert_allclose(by_names.model.predict_proba(L_dev), by_ids.model.predict_proba(L_dev))


def test_an_unknown_dev_label_name_is_named(split: tuple[lf.LabelMatrix, lf.LabelMatrix, pd.Series]) -> None:
    L, L_dev, names = split
    wrong = names.replace({"SPAM": "SPAMM"})
    with pytest.raises(DataError, match=r"`y_dev` has values that are neither label names nor class ids: 'SPAMM'"):
        select(["MajorityVoter"], L, L_dev, wrong, n_boot=50)
