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


def test_the_report_scores_a_random_tie_break_as_lf_label_writes_it(tmp_path: Path) -> None:
    """lf report (terminal, JSON, HTML) drew a tie's class per row, lf label per distinct row
    of votes: the same seeded MajorityVoter on the same rows had one accuracy in lf label's
    lines and another in the report, and the report's changed when the rows were shuffled."""
    from lf.report import build_report

    lfs = lf.load_lfs(DEMO_LFS)
    model = MajorityVoter(tie_break="random", random_state=3)
    res = label(lfs, DEMO, output=tmp_path / "l.parquet", gold="label", model=model, progress=False)
    L = lf.apply(lfs, DEMO, progress=False)
    gold = pd.read_csv(DEMO)["label"].to_numpy()
    A = L.array
    tied = ((A == 0).sum(axis=1) == (A == 1).sum(axis=1)) & (A != -1).any(axis=1)
    assert tied.sum() >= 20  # enough ties for a per-row draw to differ
    scores = build_report(L, y=gold, model=res.model).model_scores
    assert scores is not None and scores["accuracy"] == pytest.approx(res.accuracy_covered, abs=1e-12)
    written = pd.read_parquet(tmp_path / "l.parquet")["label"].to_numpy(dtype=object)
    covered = (A != -1).any(axis=1)
    assert scores["accuracy"] == pytest.approx(float((written[covered] == gold[covered]).mean()), abs=1e-12)
    order = np.random.default_rng(0).permutation(L.n)
    shuffled = build_report(lf.LabelMatrix(A[order], names=L.names, labels=L.labels), y=gold[order], model=res.model)
    assert shuffled.model_scores == pytest.approx(scores)
