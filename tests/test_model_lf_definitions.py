"""A fitted model remembers what its LFs were, and says so when one has changed since.

An LF edited under the same name (a threshold moved, a keyword added) would otherwise be
labeled with what the model learned of the old one, without a sign.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.fingerprint import lf_definitions
from lf.cli import main
from lf.errors import DataError, ParameterError
from lf.models import BaseLabelModel, LabelModel, LFChangedWarning

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"

MODULE = """
from lf import ABSTAIN, labeling_function
LABELS = ["HAM", "SPAM"]
LIMIT = {limit}

@labeling_function()
def link(x):
    return 1 if "http" in x.text else ABSTAIN

@labeling_function()
def short(x):
    return 0 if len(x.text) < LIMIT else ABSTAIN

@labeling_function()
def check(x):
    return 1 if "check" in x.text.lower() else ABSTAIN

@labeling_function()
def love(x):  # fires on the demo (29 rows): with 3 voting LFs the fit would be underdetermined
    return 0 if "love" in x.text.lower() else ABSTAIN
"""


def _module(folder: Path, limit: int, name: str = "lfs.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(MODULE.format(limit=limit), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def comments() -> pd.DataFrame:
    return pd.read_csv(DEMO)


@pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")  # short and love: 8 statistics for 9
def test_lf_label_warns_when_a_saved_model_meets_an_edited_lf(tmp_path: Path, comments: pd.DataFrame) -> None:
    first = lf.label(lf.load_lfs(_module(tmp_path / "v1", 30)), comments, progress=False)
    prints = first.model.lf_fingerprints_
    assert len(prints) == 4 and all(isinstance(p, str) for p in prints)
    saved = first.model.save(tmp_path / "model.json")
    assert BaseLabelModel.load(saved).lf_fingerprints_ == prints

    # the same LFs from another file: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = lf.label(lf.load_lfs(_module(tmp_path / "elsewhere", 30, "other.py")), comments, model=saved, progress=False)
    assert same.model_description == f"LabelModel loaded from {saved}"
    assert same.table.lf_fingerprints == tuple(prints)

    # `short` reads a constant that changed: it alone is named
    with pytest.warns(LFChangedWarning, match=r"LF 'short' had another definition") as caught:
        lf.label(lf.load_lfs(_module(tmp_path / "v2", 60)), comments, model=saved, progress=False)
    assert len(caught) == 1 and "'link'" not in str(caught[0].message)


@pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")  # short and love: 8 statistics for 9
def test_the_commands_carry_the_definitions_from_apply_to_fit_to_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1 = _module(tmp_path / "v1", 30)
    for matrix in ("m.parquet", "m.npz"):
        assert main(["apply", str(DEMO), "--lfs", str(v1), "-o", str(tmp_path / matrix), "--no-progress"]) == 0
        L = lf.LabelMatrix.load(tmp_path / matrix)
        assert L.lf_fingerprints is not None and len(L.lf_fingerprints) == 4
        assert main(["fit", str(tmp_path / matrix), "-o", str(tmp_path / "model.json")]) == 0
        assert BaseLabelModel.load(tmp_path / "model.json").lf_fingerprints_ == list(L.lf_fingerprints)
    capsys.readouterr()

    args = [str(DEMO), "--model", str(tmp_path / "model.json"), "--no-progress"]
    assert main(["label", *args, "--lfs", str(v1), "-o", str(tmp_path / "a.csv")]) == 0
    assert "warning" not in capsys.readouterr().err
    v2 = _module(tmp_path / "v2", 45)
    # a process of its own: the warning as a user sees it (here, warnings are errors)
    env = {k: v for k, v in os.environ.items() if k not in ("LF_TRACEBACK", "PYTHONWARNINGS")} | {"PYTHONPATH": str(ROOT)}
    assert main(["apply", str(DEMO), "--lfs", str(v2), "-o", str(tmp_path / "m2.parquet"), "--no-progress"]) == 0
    model = ["--model", str(tmp_path / "model.json")]
    runs = [
        ["label", *args, "--lfs", str(v2), "-o", str(tmp_path / "b.csv")],
        ["report", *args, "--lfs", str(v2)],
        ["report", str(tmp_path / "m2.parquet"), *model],  # the matrix's own definitions
        ["sample", *args, "--lfs", str(v2), "-n", "5", "-o", str(tmp_path / "s.csv")],
    ]
    for command in runs:  # each says it once, however many steps meet the changed LF
        proc = subprocess.run(
            [sys.executable, "-m", "lf", *command], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert proc.returncode == 0, proc.stderr[-2000:]  # a warning, not a stop
        warned = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
        assert len(warned) == 1, (command, proc.stderr)
        assert "fitted when LF 'short' had another definition" in warned[0]
    assert (tmp_path / "b.csv").exists()


def test_predict_warns_on_a_matrix_whose_lfs_changed_and_not_on_one_without_definitions(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    A = rng.integers(-1, 2, size=(300, 4)).astype(np.int8)
    names = ["a", "b", "c", "d"]
    L = lf.LabelMatrix(A, names=names, cardinality=2, lf_fingerprints=["1", "2", None, "4"])
    model = LabelModel().fit(L)
    assert model.lf_fingerprints_ == ["1", "2", None, "4"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(L)
        model.predict(lf.LabelMatrix(A, names=names, cardinality=2))  # not known: nothing to compare
        model.predict(lf.LabelMatrix(A, names=names, cardinality=2, lf_fingerprints=["1", "2", "3", None]))
    with pytest.warns(LFChangedWarning, match=r"LFs 'b', 'd' had another definition"):
        model.predict(lf.LabelMatrix(A, names=names, cardinality=2, lf_fingerprints=["1", "x", "3", "y"]))
    # refitting on a matrix without definitions forgets the old ones
    assert LabelModel().fit(lf.LabelMatrix(A, names=names, cardinality=2)).lf_fingerprints_ is None


def test_matrix_files_keep_the_definitions_and_refuse_broken_ones(tmp_path: Path) -> None:
    A = np.array([[0, -1], [1, 1], [-1, 0]], np.int8)
    L = lf.LabelMatrix(A, names=["a", "b"], cardinality=2, lf_fingerprints=["x", None])
    for name in ("m.npz", "m.parquet"):
        assert lf.LabelMatrix.load(L.save(tmp_path / name)).lf_fingerprints == ("x", None)
    assert lf.LabelMatrix.load(lf.LabelMatrix(A, names=["a", "b"]).save(tmp_path / "n.npz")).lf_fingerprints is None
    assert L[1:].lf_fingerprints == ("x", None)
    assert lf.LabelMatrix.concat([L, L]).lf_fingerprints == ("x", None)
    other = lf.LabelMatrix(A, names=["a", "b"], cardinality=2, lf_fingerprints=["y", None])
    with pytest.raises(ParameterError, match="LF 'a' had another definition"):  # one column, two LFs
        lf.LabelMatrix.concat([L, other])
    unknown = lf.LabelMatrix(A, names=["a", "b"], cardinality=2)
    assert lf.LabelMatrix.concat([L, unknown]).lf_fingerprints is None  # a part's definitions unknown
    with pytest.raises(ParameterError, match="one text digest or None per LF"):
        lf.LabelMatrix(A, names=["a", "b"], lf_fingerprints=["x"])

    import json

    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "m.parquet")
    meta = json.loads(table.schema.metadata[b"lf"])
    meta["lf_fingerprints"] = ["x"]
    pq.write_table(table.replace_schema_metadata({"lf": json.dumps(meta)}), tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="'lf_fingerprints' must hold one text digest or null per LF"):
        lf.LabelMatrix.load(tmp_path / "bad.parquet")


def test_a_model_file_with_broken_definitions_is_refused(tmp_path: Path) -> None:
    import json

    A = np.random.default_rng(1).integers(-1, 2, size=(200, 3)).astype(np.int8)
    path = LabelModel().fit(lf.LabelMatrix(A, names=["a", "b", "c"], lf_fingerprints=["1", "2", "3"])).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    doc["state"]["lf_fingerprints_"] = ["1", "2"]
    path.write_text(json.dumps(doc))
    with pytest.raises(DataError, match="lf_fingerprints_ must hold one digest or null per LF name"):
        BaseLabelModel.load(path)


KEYWORDS = """
import lf
SPAM_WORDS = {"free", "click", "subscribe", "money", "win", "check", "channel", "visit"}
promo = lf.keyword_lf("promo", SPAM_WORDS, label=1)
listed = lf.keyword_lf("listed", list(SPAM_WORDS), label=1, whole_word=False)
"""


def _printed_under_four_hash_seeds(code: str, folder: Path) -> set[str]:
    """What ``python -c code`` prints (modules importable from ``folder``) under four string
    hash seeds: one text when nothing it prints depends on the seed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": f"{ROOT}{os.pathsep}{folder}"}
    return {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env | {"PYTHONHASHSEED": str(seed)}, timeout=120, check=True
        ).stdout
        for seed in range(1, 5)
    }


def test_a_keyword_lf_over_a_set_is_the_same_definition_in_every_process(tmp_path: Path) -> None:
    """A set's order changes with PYTHONHASHSEED; whether any keyword matches does not, so
    a model fitted in one process warned in the next that 'promo' had been edited."""
    (tmp_path / "kw.py").write_text(KEYWORDS, encoding="utf-8")
    code = "import kw; from lf.apply.fingerprint import lf_definitions; print(lf_definitions([kw.promo, kw.listed]))"
    seen = _printed_under_four_hash_seeds(code, tmp_path)
    assert len(seen) == 1, seen
    promo, listed = (lf.keyword_lf("promo", ["free", "win"], label=1), lf.keyword_lf("promo", ["win", "free"], label=1))
    assert lf_definitions([promo]) == lf_definitions([listed])
    for edited in (["free", "won"], ["free"], ["free", "win", "cash"]):  # an edit still shows
        assert lf_definitions([lf.keyword_lf("promo", edited, label=1)]) != lf_definitions([promo])
    assert lf_definitions([lf.keyword_lf("promo", ["free", "win"], label=1, whole_word=False)]) != lf_definitions([promo])


MEMO_MODULE = MODULE.format(limit=30) + """
_WORDS = {}


def words(text):
    if text not in _WORDS:  # a memo of the LF's own, filled as it runs
        _WORDS[text] = text.lower().split()
    return _WORDS[text]


@labeling_function()
def says_check(x):
    return 1 if "check" in words(x.text) else ABSTAIN
"""


def test_an_lf_filling_its_modules_globals_is_not_taken_for_an_edited_one(tmp_path: Path) -> None:
    """lf apply took the definitions after the run, with the LF's memo dict full; lf label
    --model takes them before: every model fitted on lf apply's matrix warned that the LF
    had changed."""

    def fresh(folder: str) -> Path:  # a module loaded once per path: each run gets its own, memo empty
        path = tmp_path / folder / "memo_lfs.py"
        path.parent.mkdir()
        path.write_text(MEMO_MODULE, encoding="utf-8")
        return path

    before = lf_definitions(list(lf.load_lfs(str(fresh("unused")))))
    assert None not in before
    for matrix in ("m.parquet", "m.npz"):  # written chunk by chunk, or in one piece
        path = fresh(f"run_{matrix[2:]}")
        assert main(["apply", str(DEMO), "--lfs", str(path), "-o", str(tmp_path / matrix), "--no-progress"]) == 0
        assert lf.LabelMatrix.load(tmp_path / matrix).lf_fingerprints == before, matrix
        assert lf_definitions(list(lf.load_lfs(str(path)))) != before  # the run filled the memo


FROM_A_SET = """
from lf import ABSTAIN, labeling_function
WORDS = {"free", "win", "cash", "prize", "click", "offer", "gift", "bonus"}
WEIGHT = {w: len(w) for w in WORDS}  # built from the set: its order changes per process
ORDER = list(WORDS)

@labeling_function()
def weighted(x):
    return 1 if sum(WEIGHT.get(w, 0) for w in x.text.split()) > LIMIT else ABSTAIN

@labeling_function()
def first_word(x):
    return 1 if any(w in x.text for w in ORDER[:3]) else ABSTAIN
"""


def test_containers_built_from_a_set_are_the_same_definition_in_every_process(tmp_path: Path) -> None:
    """A dict or list built by iterating a set has another order in every process (string
    hashing): a model fitted in one warned in the next that the LF had changed."""
    for name, limit in (("fs", 4), ("fs_edited", 5)):
        (tmp_path / f"{name}.py").write_text(FROM_A_SET.replace("> LIMIT", f"> {limit}"), encoding="utf-8")
    code = "import fs, fs_edited; from lf.apply.fingerprint import lf_definitions as d; print(d([fs.weighted, fs.first_word]), d([fs_edited.weighted]))"
    seen = _printed_under_four_hash_seeds(code, tmp_path)
    assert len(seen) == 1, seen
    first, edited = seen.pop().strip().split(") (")
    assert first.split(",")[0].strip("(' ") != edited.split(",")[0].strip("(' ")  # an edit still shows
