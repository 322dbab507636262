"""lf.label's figures are the output file's: accuracy and label counts computed from the
labels written, whatever the model's tie policy and the chunk size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.label import label
from lf.models import MajorityVoter

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def _file_accuracy(out: Path, names: tuple[str, ...]) -> tuple[float, float]:
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    gold = pd.read_csv(DEMO)["label"].to_numpy()
    right = (got["label"].to_numpy(dtype=object) == gold) & got["label"].notna().to_numpy()
    covered = got["covered"].to_numpy()
    return float(right.mean()), float(right[covered].mean())


@pytest.mark.parametrize("uncovered", ["null", "prior"])
def test_random_tie_breaks_are_scored_as_written(tmp_path: Path, uncovered: str) -> None:
    # the report drew one class per distinct (votes, gold) pattern, the output one per
    # row and chunk: the printed accuracy was not the file's, and the file changed with
    # the chunk size
    lfs = lf.load_lfs(DEMO_LFS)
    files = []
    for size in (300, 2000):
        out = tmp_path / f"labels{size}.csv"
        res = label(lfs, DEMO, output=out, gold="label", model=MajorityVoter(tie_break="random", random_state=0),
                    uncovered=uncovered, chunk_size=size, progress=False)
        overall, covered = _file_accuracy(out, lfs.labels)
        assert res.accuracy == pytest.approx(overall, abs=1e-12)
        assert res.accuracy_covered == pytest.approx(covered, abs=1e-12)
        counts = pd.read_csv(out)["label"].value_counts().to_dict()
        assert res.label_counts == {name: counts.get(name, 0) for name in lfs.labels}
        files.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(files[0], files[1])
    ties = np.isclose(files[0]["HAM"], 0.5) & files[0]["covered"]
    assert ties.sum() > 20 and files[0]["label"][ties].nunique() == 2  # the ties were drawn
