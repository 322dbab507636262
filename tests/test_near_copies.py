"""LFs that are near copies of one rule are named by lf label, lf fit and lf report.

Three 5%-noisy copies of an LF 69-73% right were learned as 93-100% right, and the
labels' probabilities were far surer than the labels (ECE 0.21 on the covered rows), with
no sign anywhere: only exact copies were named, and the model's own pair check does not
see them (the fit explains them by making the LFs near-perfect). Declared dependent, as
the warning says, ECE falls to 0.06.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import lf
from lf.analysis import near_copies
from lf.cli import main
from lf.models import LabelModel
from lf.models._metrics import ece


def with_copies(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """LF 0 and two copies of it, each with 5% of its rows flipped between vote and abstain,
    then three independent LFs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)

    def lf_(c: int, on: float, off: float) -> np.ndarray:
        return np.where(rng.random(n) < np.where(y == c, on, off), c, -1).astype(np.int8)

    base = lf_(1, 0.5, 0.2)
    copies = []
    for _ in range(2):
        flip = rng.random(n) < 0.05
        copies.append(np.where(flip, np.where(base == -1, 1, -1), base).astype(np.int8))
    return np.column_stack([base, *copies, lf_(0, 0.5, 0.1), lf_(1, 0.3, 0.1), lf_(0, 0.3, 0.1)]), y


def test_near_copies_are_found_and_independent_lfs_are_not():
    L, _ = with_copies()
    pairs = near_copies(lf.LabelMatrix(L.copy(), cardinality=2))
    assert [(i, j) for i, j, _, _ in pairs] == [(0, 2), (0, 1)]  # the copies of each other share less
    assert all(0.8 <= same / either < 0.9 for _, _, same, either in pairs)
    L[:, 1] = L[:, 0]  # an exact copy is named by identical_lfs, not here
    assert (0, 1) not in [(i, j) for i, j, _, _ in near_copies(L)]
    rng = np.random.default_rng(1)  # 30 LFs independent given the class, 5-60% of a class each
    y = rng.integers(0, 2, 50_000)
    on, off = rng.uniform(0.05, 0.6, 30), rng.uniform(0.005, 0.05, 30)
    fire = rng.random((y.size, 30)) < np.where(y[:, None] == np.arange(30) % 2, on, off)
    assert near_copies(np.where(fire, np.arange(30) % 2, -1).astype(np.int8)) == []


def test_the_advice_helps():
    L, y = with_copies()
    covered = (L != -1).any(axis=1)
    alone = LabelModel().fit(L)
    declared = LabelModel(dependencies=[(0, 1), (0, 2)]).fit(L)
    assert alone.accuracies_[:3].min() > 0.9  # 0.69-0.73 in truth
    assert ece(y[covered], alone.predict_proba(L)[covered]) > 0.15
    assert ece(y[covered], declared.predict_proba(L)[covered]) < 0.08


def test_lf_label_names_them_and_the_fix(tmp_path, capsys):
    L, y = with_copies()
    frame = pd.DataFrame({f"v{j}": L[:, j].astype(int) for j in range(L.shape[1])})
    frame["id"] = np.arange(len(y))
    frame.to_parquet(tmp_path / "data.parquet")
    (tmp_path / "lfs.py").write_text(
        "from lf import labeling_function\nLABELS = ['neg', 'pos']\n"
        + "".join(f"@labeling_function(batch=True)\ndef lf{j}(chunk):\n    return chunk['v{j}'].to_numpy()\n" for j in range(6))
    )
    args = ["label", str(tmp_path / "data.parquet"), "--lfs", str(tmp_path / "lfs.py"), "-o", str(tmp_path / "o.parquet")]
    assert main(args) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: lf0 and lf2 give the same vote on 88% of the rows either votes on (6,708 of 7,656)" in err
    assert "keep one, or fit with --dependencies lf0:lf2." in err and "lf0 and lf1 give" in err
    assert "lf1 and lf2" not in err and "lf3" not in err
    assert main([*args, "--dependencies", "lf0:lf1,lf0:lf2"]) == 0
    assert "same vote" not in capsys.readouterr().err  # declared: modelled as dependent
    main(["apply", str(tmp_path / "data.parquet"), "--lfs", str(tmp_path / "lfs.py"), "-o", str(tmp_path / "L.parquet")])
    capsys.readouterr()
    assert main(["report", str(tmp_path / "L.parquet")]) == 0
    assert "lf0 and lf2 give the same vote" in " ".join(capsys.readouterr().err.split())
