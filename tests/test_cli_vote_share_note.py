"""lf fit and lf label say that MajorityVoter's probabilities are no confidence.

They are the vote's outcome: 1.0 for any clear winner, even a single vote. On four
generated LFs 79-83% right their mean on the covered rows was 0.94 for an accuracy of
0.85, and the labels file's `confidence` column showed them as they are, without a word.
"""

from __future__ import annotations

import numpy as np

import lf
from lf.cli import main
from lf.models import MajorityVoter


def four_lfs(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    L = np.full((n, 4), -1, np.int8)
    for j, (c, on, off) in enumerate([(1, 0.5, 0.1), (0, 0.5, 0.1), (1, 0.4, 0.1), (0, 0.4, 0.1)]):
        L[rng.random(n) < np.where(y == c, on, off), j] = c
    return L, y


def test_the_probabilities_are_far_surer_than_the_labels():
    L, y = four_lfs()
    covered = (L != -1).any(axis=1)
    P = MajorityVoter().fit(L).predict_proba(L)
    assert P[covered].max(axis=1).mean() > (P.argmax(axis=1) == y)[covered].mean() + 0.07


def test_lf_fit_and_lf_label_say_so(tmp_path, capsys):
    L, _ = four_lfs()
    lf.LabelMatrix(L, names=["a", "b", "c", "d"], cardinality=2).save(tmp_path / "L.parquet")
    assert main(["fit", str(tmp_path / "L.parquet"), "--model", "MajorityVoter", "-o", str(tmp_path / "m.json")]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "note: MajorityVoter's probabilities say which class won the vote (1 for a clear winner" in err
    assert "its confidence column is no measure of certainty" in err
    assert main(["fit", str(tmp_path / "L.parquet"), "-o", str(tmp_path / "m2.json")]) == 0
    assert "note" not in capsys.readouterr().err
    (tmp_path / "d.csv").write_text("text\n" + "\n".join(["red", "blue", "red green"] * 40) + "\n")
    (tmp_path / "lfs.py").write_text(
        "from lf import keyword_lf\nLABELS = ['A', 'B']\n"
        "red = keyword_lf('red', ['red'], 0)\ngreen = keyword_lf('green', ['green'], 1)\n"
        "blue = keyword_lf('blue', ['blue'], 1)\n"
    )
    args = ["label", str(tmp_path / "d.csv"), "--lfs", str(tmp_path / "lfs.py"), "-o", str(tmp_path / "o.csv")]
    assert main([*args, "--model", "MajorityVoter"]) == 0
    assert "no measure of certainty" in " ".join(capsys.readouterr().err.split())
