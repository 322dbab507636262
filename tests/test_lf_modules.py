"""The LF modules shipped in labeling_functions/ for the YouTube and SMS spam corpora."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import numpy as np
import pytest

import lf
from lf import ABSTAIN
from lf.models import MajorityVoter

REPO = Path(__file__).resolve().parents[1]
MODULES = {
    "youtube": REPO / "labeling_functions" / "youtube_spam.py",
    "sms": REPO / "labeling_functions" / "sms_spam.py",
}
HAM, SPAM = 0, 1


def _docstrings(path: Path) -> dict[str, str | None]:
    """Module-level name -> docstring: a function's own, or the string right after an assignment."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    docs: dict[str, str | None] = {}
    for node, nxt in zip(body, [*body[1:], None]):
        if isinstance(node, ast.FunctionDef):
            docs[node.name] = ast.get_docstring(node)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = nxt.value.value if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) else None
            docs[node.targets[0].id] = value if isinstance(value, str) else None
    return docs


@pytest.fixture(scope="module")
def sms_frame(datasets_dir: Path):
    import pandas as pd

    with open(datasets_dir / "sms_raw" / "SMSSpamCollection", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return pd.DataFrame({"label": [r[0] for r in rows], "text": [r[1] for r in rows]})


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_declares_labels_and_mixes_lf_kinds(name):
    lfs = lf.load_lfs(str(MODULES[name]))
    assert lfs.labels == ("HAM", "SPAM")
    assert len(lfs) >= 10
    assert len(set(lfs.names)) == len(lfs)
    assert any(x.batch for x in lfs), "expected vectorised template LFs"
    assert any(not x.batch for x in lfs), "expected row LFs"
    assert any(x.pre for x in lfs), "expected at least one LF with a preprocessor"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_lf_has_a_one_line_docstring(name):
    lfs = lf.load_lfs(str(MODULES[name]))
    docs = _docstrings(MODULES[name])
    for x in lfs:
        assert x.name in docs, f"LF {x.name!r} is not bound to a module-level name of the same name"
        doc = docs[x.name]
        assert doc and doc.strip() and "\n" not in doc.strip(), f"LF {x.name!r} needs a one-line docstring"
    for x in lfs:
        for p in x.pre:
            assert p.func.__doc__ and p.func.__doc__.strip(), f"preprocessor {p.name!r} needs a docstring"


def test_youtube_row_lfs_vote_on_single_rows():
    by_name = {x.name: x for x in lf.load_lfs(str(MODULES["youtube"]))}
    assert by_name["no_pitch"]({"text": "I love this song so much"}) == HAM
    assert by_name["no_pitch"]({"text": "please subscribe to me"}) == ABSTAIN
    assert by_name["polite_request"]({"text": "Please check my channel &amp; share it"}) == SPAM
    assert by_name["fan_feelings"]({"text": "best song ever \ufeff"}) == HAM
    assert by_name["fan_feelings"]({"text": "best song ever, check my channel"}) == ABSTAIN


def test_sms_row_lfs_vote_on_single_rows():
    by_name = {x.name: x for x in lf.load_lfs(str(MODULES["sms"]))}
    assert by_name["no_digits_no_sales"]({"text": "ok see you at home later"}) == HAM
    assert by_name["no_digits_no_sales"]({"text": "Call 09061234567 to claim your prize"}) == ABSTAIN
    assert by_name["call_to_action"]({"text": "Reply YES to 80000 now"}) == SPAM
    assert by_name["capitals_and_numbers"]({"text": "URGENT! You WON, call 09061234567"}) == SPAM


def _check_matrix(L, n: int, lfs, y: np.ndarray, min_acc: float) -> None:
    A = np.asarray(L)
    assert A.shape == (n, len(lfs)) and L.names == lfs.names and L.labels == ("HAM", "SPAM")
    assert set(np.unique(A)) == {ABSTAIN, HAM, SPAM}
    for j, name in enumerate(L.names):  # each LF of these modules votes one class only
        assert len(set(np.unique(A[:, j])) - {ABSTAIN}) == 1, name
    assert not L.errors.any()
    per_lf = (A != ABSTAIN).mean(axis=0)
    assert np.all(per_lf > 0.0), dict(zip(L.names, per_lf))  # every LF fires somewhere
    assert np.all(per_lf < 0.7), dict(zip(L.names, per_lf))  # and none fires on nearly everything
    for j, name in enumerate(L.names):
        fired = A[:, j] != ABSTAIN
        acc = float((A[fired, j] == y[fired]).mean())
        assert acc >= min_acc, f"LF {name!r}: empirical accuracy {acc:.3f} < {min_acc}"


def test_youtube_module_labels_the_raw_csvs(youtube_raw_files):
    import pandas as pd

    lfs = lf.load_lfs(str(MODULES["youtube"]))
    gold = pd.concat([pd.read_csv(f, usecols=["CLASS"]) for f in youtube_raw_files], ignore_index=True)
    y = gold["CLASS"].to_numpy()
    L = lf.apply(lfs, [str(f) for f in youtube_raw_files], text_column="CONTENT", labels=lfs.labels)
    _check_matrix(L, 1956, lfs, y, min_acc=0.8)
    covered = (np.asarray(L) != ABSTAIN).any(axis=1).mean()
    assert 0.9 <= covered <= 1.0
    pred = MajorityVoter().fit(L).predict(L)
    assert (pred == y).mean() >= 0.9


def test_sms_module_labels_the_raw_file(sms_frame):
    lfs = lf.load_lfs(str(MODULES["sms"]))
    y = (sms_frame["label"] == "spam").to_numpy().astype(np.int64)
    L = lf.apply(lfs, sms_frame[["text"]], labels=lfs.labels)
    _check_matrix(L, 5574, lfs, y, min_acc=0.85)
    covered = (np.asarray(L) != ABSTAIN).any(axis=1).mean()
    assert 0.8 <= covered <= 1.0
    pred = MajorityVoter().fit(L).predict(L)
    tp = int(((pred == SPAM) & (y == SPAM)).sum())
    f1 = 2 * tp / ((pred == SPAM).sum() + (y == SPAM).sum())
    assert f1 >= 0.85


def test_youtube_votes_are_the_same_on_the_dataset_loader_frame(datasets_dir, youtube_raw_files, tmp_path):
    from lf.datasets import fetch, load

    fetch("youtube", from_path=datasets_dir / "youtube_raw", data_home=tmp_path, progress=False)
    df = load("youtube", data_home=tmp_path)
    lfs = lf.load_lfs(str(MODULES["youtube"]))
    from_loader = lf.apply(lfs, df, labels=lfs.labels)
    from_csvs = lf.apply(lfs, [str(f) for f in youtube_raw_files], text_column="CONTENT", labels=lfs.labels)
    assert np.array_equal(np.asarray(from_loader), np.asarray(from_csvs))
