"""Rows worth hand-labelling: scores, diversity, reproducibility, gold never re-picked, `lf sample`."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import LabelMatrix
from lf.cli import main
from lf.sample import conflict_scores, entropy, sample_rows

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_scores():
    assert entropy([[0.5, 0.5], [1.0, 0.0]]) == pytest.approx([np.log(2), 0.0], abs=1e-6)
    A = np.array([[0, 1, 1], [0, 0, -1], [-1, -1, -1], [0, 1, -1]])
    assert conflict_scores(A, 2) == pytest.approx([1 / 3, 0.0, 0.0, 0.5])


def test_each_strategy_picks_what_it_says():
    A = np.array([[0, 1]] * 5 + [[-1, -1]] * 5 + [[0, 0]] * 10)
    proba = np.array([[0.5, 0.5]] * 5 + [[0.6, 0.4]] * 5 + [[0.99, 0.01]] * 10)
    L = LabelMatrix(A)
    assert set(sample_rows(L, n=5, strategy="conflict")[0].tolist()) == set(range(5))
    assert set(sample_rows(L, n=5, strategy="uncovered")[0].tolist()) == set(range(5, 10))
    assert set(sample_rows(L, n=5, strategy="uncertain", proba=proba)[0].tolist()) == set(range(5))
    picked, why = sample_rows(L, n=9, strategy="mixed", proba=proba)
    assert len(set(picked.tolist())) == 9  # no row twice
    assert set(why) == {"uncertain", "conflict", "uncovered"}


def test_rows_with_gold_are_never_picked_and_seed_reproduces():
    rng = np.random.default_rng(0)
    A = rng.integers(-1, 2, size=(500, 4))
    proba = rng.dirichlet([1, 1], size=500)
    texts = [f"text {i % 37} word{i % 11}" for i in range(500)]
    has_gold = np.zeros(500, dtype=bool)
    has_gold[::3] = True
    a = sample_rows(A, n=40, proba=proba, texts=texts, exclude=has_gold, seed=7)[0]
    b = sample_rows(A, n=40, proba=proba, texts=texts, exclude=has_gold, seed=7)[0]
    c = sample_rows(A, n=40, proba=proba, texts=texts, exclude=has_gold, seed=8)[0]
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()
    assert not has_gold[a].any() and len(set(a.tolist())) == 40


def test_diversity_spreads_picks_over_near_duplicates():
    # 100 uncovered rows: 90 copies of one spam template, 10 distinct comments
    texts = ["check out my channel for free iphones now"] * 90 + [f"song {w} is great {w}" for w in "abcdefghij"]
    A = np.full((100, 2), -1)
    picked, _ = sample_rows(A, n=10, strategy="uncovered", texts=texts, seed=0)
    chosen = [texts[i] for i in picked]
    assert len(set(chosen)) >= 9  # without diversity, ~9 of 10 picks would be the template


def test_bad_arguments_name_the_parameter():
    with pytest.raises(lf.errors.ParameterError, match="`strategy` must be one of"):
        sample_rows(np.zeros((3, 1), dtype=int), n=1, strategy="random")
    with pytest.raises(lf.errors.ParameterError, match="needs the model's probabilities"):
        sample_rows(np.zeros((3, 1), dtype=int), n=1, strategy="uncertain")


def _spam_module(tmp_path: Path) -> Path:
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "sub = keyword_lf('sub', ['subscribe'], 1)\nsong = keyword_lf('song', ['song', 'channel'], 0)\n"
    )
    return mod


def test_cli_sample_writes_rows_to_label_skipping_gold(tmp_path: Path, capsys):
    texts = [f"subscribe to channel {i}" if i % 3 == 0 else f"song number {i} rocks" for i in range(120)]
    texts += [f"nothing {i}" for i in range(60)]
    gold = ["SPAM" if i < 30 else "" for i in range(180)]
    pd.DataFrame({"id": [f"c{i}" for i in range(180)], "text": texts, "y": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = _spam_module(tmp_path)
    out = tmp_path / "to_label.csv"
    args = ["sample", tmp_path / "d.csv", "--lfs", mod, "-n", "20", "--gold", "y", "-o", out, "--seed", "1", "--model", "mv"]
    code, _, err = run(capsys, *args)
    assert code == 0, err
    frame = pd.read_csv(out, keep_default_na=False)
    assert frame.columns.tolist() == ["id", "text", "label", "confidence", "strategy", "gold"]
    assert len(frame) == 20 and frame["id"].is_unique and (frame["gold"] == "").all()
    assert not set(frame["id"]) & {f"c{i}" for i in range(30)}  # rows with gold are skipped
    covered = ~frame["text"].str.startswith("nothing")
    assert set(frame["label"][covered]) <= {"HAM", "SPAM"} and frame["confidence"][covered].astype(float).between(0, 1).all()
    # a row no LF votes on has no label: it was the prior's class (a tie: HAM), a pre-annotation without evidence
    assert (~covered).sum() >= 5 and (frame["label"][~covered] == "").all() and (frame["confidence"][~covered] == "").all()
    first = frame["id"].tolist()
    assert run(capsys, *args)[0] == 0
    assert pd.read_csv(out)["id"].tolist() == first  # same seed, same rows
    code, _, err = run(capsys, "sample", tmp_path / "d.csv", "--lfs", mod, "-o", tmp_path / "d.csv")
    assert code == 2 and "d.csv" in err  # never overwrites its input


def test_when_every_row_is_certain_the_rest_are_spread_not_dropped():
    A = np.array([[0, 0]] * 30 + [[1, 1]] * 30)
    proba = np.array([[1.0, 0.0]] * 30 + [[0.0, 1.0]] * 30)
    picked, why = sample_rows(A, n=10, proba=proba, texts=[f"t{i % 7}" for i in range(60)])
    assert len(set(picked.tolist())) == 10 and set(why) == {"spread"}


def test_a_labeled_file_whose_ids_are_not_the_datas_is_flagged(tmp_path: Path, capsys):
    # --labeled with another data set's gold file (or ids in another form) skipped nothing
    # and said only "0 with gold skipped": the rows already labeled were picked again.
    pd.DataFrame({"id": [f"c{i}" for i in range(60)], "text": [f"subscribe {i}" if i % 2 else f"song {i}" for i in range(60)]}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nsub = keyword_lf('sub', ['subscribe'], 1)\n")
    args = ["sample", tmp_path / "d.csv", "--lfs", mod, "-n", "10", "--model", "mv", "-o", tmp_path / "out.csv", "--labeled"]
    pd.DataFrame({"id": [f"C-{i}" for i in range(5)], "gold": ["SPAM"] * 5}).to_csv(tmp_path / "other.csv", index=False)
    code, _, err = run(capsys, *args, tmp_path / "other.csv")
    assert code == 0, err
    assert "none of the ids in --labeled" in err and "'C-0'" in err and "'c0'" in err
    pd.DataFrame({"id": [f"c{i}" for i in range(5)], "gold": ["SPAM"] * 5}).to_csv(tmp_path / "mine.csv", index=False)
    code, _, err = run(capsys, *args, tmp_path / "mine.csv")
    assert code == 0 and "warning" not in err and "5 with gold skipped" in err
    assert not set(pd.read_csv(tmp_path / "out.csv")["id"]) & {f"c{i}" for i in range(5)}


def test_cli_sample_warns_of_label_names_pandas_reads_as_missing(tmp_path: Path, capsys):
    """The `label` column of lf sample's CSV holds the model's label names: 'NA' came back
    missing to pandas.read_csv, as in lf label's output, which warns."""
    texts = [f"subscribe to channel {i}" if i % 2 else f"song number {i} rocks" for i in range(60)]
    pd.DataFrame({"id": [f"c{i}" for i in range(60)], "text": texts}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['NA', 'SPAM']\nsub = keyword_lf('sub', ['subscribe'], 1)\n"
                   "song = keyword_lf('song', ['song'], 0)\n")
    out = tmp_path / "to_label.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code, _, err = run(capsys, "sample", tmp_path / "d.csv", "--lfs", mod, "-n", "10", "-o", out, "--model", "mv")
    assert code == 0, err
    assert "warning: Label name(s) ['NA'] in" in err and "read back as missing" in err
    assert pd.read_csv(out)["label"].isna().any() and (pd.read_csv(out, keep_default_na=False)["label"] == "NA").any()
    code, _, err = run(capsys, "sample", tmp_path / "d.csv", "--lfs", mod, "-n", "10", "-o", tmp_path / "s.jsonl", "--model", "mv")
    assert code == 0 and "read back as missing" not in err, err


def test_the_label_of_a_picked_row_is_the_models_as_lf_label_writes_it() -> None:
    """Before: the top probability's class, so a tie a MajorityVoter(tie_break="abstain")
    leaves unlabeled got the first class as its pre-annotation, at confidence 0.5."""
    from lf.models import MajorityVoter

    L = lf.apply(lf.load_lfs(DEMO_LFS), DEMO, id_column="id", progress=False)
    model = MajorityVoter(tie_break="abstain").fit(L)
    picked = lf.sample.sample(L, DEMO, n=60, strategy="conflict", model=model, seed=0)
    proba, labels = model.predict_both(L)
    row = {str(i): j for j, i in enumerate(L.row_ids)}
    at = np.array([row[str(i)] for i in picked["id"]])
    tied = labels[at] == -1
    assert tied.any() and not tied.all()
    assert picked["label"][tied].isna().all() and picked["confidence"][tied].isna().all()
    assert picked["label"][~tied].tolist() == [L.labels[c] for c in labels[at][~tied]]
    np.testing.assert_allclose(picked["confidence"][~tied], proba[at[~tied], labels[at][~tied]])


def test_the_labeled_ids_warning_fits_the_terminal(tmp_path: Path, capsys, monkeypatch):
    """The warning that ids of --labeled are not DATA's was printed as one line of 170
    columns on an 80-column terminal, where every other warning and status line wraps."""
    pd.DataFrame({"id": [f"c{i}" for i in range(60)], "text": [f"subscribe {i}" if i % 2 else f"song {i}" for i in range(60)]}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nsub = keyword_lf('sub', ['subscribe'], 1)\n")
    pd.DataFrame({"id": ["zz-1", "c1"], "gold": ["SPAM"] * 2}).to_csv(tmp_path / "other gold.csv", index=False)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)  # short paths: a path wider than the line is never cut
    code, _, err = run(capsys, "sample", "d.csv", "--lfs", mod, "-n", "5", "--model", "mv",
                       "-o", "out.csv", "--labeled", "other gold.csv")
    assert code == 0 and "1 of the 2 ids in --labeled 'other gold.csv'" in err.replace("\n  ", " ")
    assert max(len(line) for line in err.splitlines()) <= 80, err


def test_sample_refuses_data_whose_ids_are_not_the_matrixs(tmp_path: Path):
    """sample(L, data) read the texts by position whatever `data` was: with the same file
    shuffled it wrote L's ids and labels beside other rows' texts, so the hand labels came
    back to the ids of other rows. As lf.rows does, it checks the ids of the rows it reads."""
    from lf.errors import DataError
    from lf.models import MajorityVoter
    from lf.sample import sample

    frame = pd.DataFrame({"id": [f"c{i}" for i in range(80)],
                          "text": [f"subscribe now {i}" if i % 3 else f"nice song {i}" for i in range(80)]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.sample(frac=1, random_state=0).to_csv(tmp_path / "shuffled.csv", index=False)
    lfs = [lf.keyword_lf("sub", ["subscribe"], 1), lf.keyword_lf("song", ["song"], 0), lf.keyword_lf("now", ["now"], 0)]
    L = lf.apply(lfs, str(tmp_path / "d.csv"), progress=False)
    model = MajorityVoter().fit(L)
    got = sample(L, str(tmp_path / "d.csv"), n=6, model=model)
    assert (frame.set_index("id").loc[got["id"], "text"].tolist()) == got["text"].tolist()
    with pytest.raises(DataError, match="has id .* but the label matrix has id"):
        sample(L, str(tmp_path / "shuffled.csv"), n=6, model=model)
    frame.rename(columns={"id": "key"}).sample(frac=1, random_state=0).to_csv(tmp_path / "keyed.csv", index=False)
    with pytest.raises(DataError, match="has id .* but the label matrix has id"):
        sample(L, str(tmp_path / "keyed.csv"), n=6, model=model, id_column="key")


def test_rows_no_lf_votes_on_are_uncovered_not_uncertain():
    """A row no LF votes on has the prior as its probabilities; with balanced classes that is
    the highest entropy there is, so the `uncertain` share of `mixed` took the uncovered rows
    first, marked them `uncertain`, and left the `uncovered` share none: on YouTube (Psy) a
    second round said "uncertain 19, conflict 1" with uncovered rows among the 19."""
    A = np.array([[-1, -1]] * 6 + [[0, -1]] * 6 + [[1, -1]] * 6 + [[0, 1]] * 2)
    proba = np.array([[0.5, 0.5]] * 6 + [[0.7, 0.3]] * 6 + [[0.35, 0.65]] * 6 + [[0.9, 0.1]] * 2)
    uncovered = (A == -1).all(axis=1)
    picked, why = sample_rows(A, n=6, strategy="mixed", proba=proba)
    assert all((w == "uncovered") == bool(uncovered[p]) for p, w in zip(picked, why, strict=True))
    assert why.count("uncovered") == why.count("uncertain") == why.count("conflict") == 2
    picked, _ = sample_rows(A, n=4, strategy="uncertain", proba=proba)
    assert not uncovered[picked].any()
    picked, why = sample_rows(A, n=18, strategy="uncertain", proba=proba)  # 14 covered rows: the rest spread
    assert [why[i] for i in np.flatnonzero(uncovered[picked])] == ["spread"] * 4


def test_row_positions_as_exclude_are_refused_not_read_as_flags():
    """exclude=[0, 1, 2] (the positions of the rows with gold) on a 3-row matrix was read as
    the flags [False, True, True]: row 0, which has gold, could be picked, and row 1, 2 not."""
    from lf.errors import ParameterError

    A = np.array([[0, 1], [1, 0], [-1, -1]])
    with pytest.raises(ParameterError, match="`exclude` must be a boolean mask, .* not row positions"):
        sample_rows(A, n=1, strategy="conflict", exclude=[0, 1, 2])
    assert sample_rows(A, n=1, strategy="conflict", exclude=np.array([True, False, False]))[0].tolist() == [1]


def test_labeled_rows_without_an_id_are_said_not_skipped_silently(tmp_path: Path, capsys):
    """A gold file row with no id (from data rows without one) excluded nothing and said
    nothing: the rows it labeled could be picked again for hand-labeling."""
    pd.DataFrame({"id": [f"c{i}" for i in range(60)], "text": [f"subscribe {i}" if i % 2 else f"song {i}" for i in range(60)]}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nsub = keyword_lf('sub', ['subscribe'], 1)\n")
    gold = pd.DataFrame({"id": ["c0", None, "c2", None], "text": ["song 0", "song 4", "song 2", "song 6"], "gold": ["HAM"] * 4})
    gold.to_csv(tmp_path / "gold.csv", index=False)
    code, _, err = run(capsys, "sample", tmp_path / "d.csv", "--lfs", mod, "-n", "10", "--model", "mv", "-o", tmp_path / "out.csv",
                       "--labeled", tmp_path / "gold.csv")
    assert code == 0, err
    assert "2 rows of --labeled" in " ".join(err.split()) and "have no id" in " ".join(err.split())
    assert "2 with gold skipped" in err


@pytest.mark.parametrize("labeled", ["missing.csv", "no_ids.csv"])
def test_a_labeled_file_lf_cannot_use_is_named_before_any_lf_runs(tmp_path: Path, capsys, labeled: str):
    """A missing --labeled file (or one without ids) was named only after every LF had run
    and the model was fitted: 26 s of a slow LF module's work on the demo, then the error."""
    pd.DataFrame({"text": ["a", "b"]}).to_csv(tmp_path / "no_ids.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import labeling_function\nLABELS = ['HAM', 'SPAM']\n"
        "@labeling_function()\ndef ran(x):\n    raise RuntimeError('an LF ran')\n"
    )
    code, _, err = run(capsys, "sample", DEMO, "--lfs", mod, "-n", "5", "--model", "mv", "-o", tmp_path / "out.csv",
                       "--labeled", tmp_path / labeled)
    assert code == 2 and "an LF ran" not in err and len(err.splitlines()) == 1
    assert ("not found" in err and "missing.csv" in err) if labeled == "missing.csv" else "has no 'id' column" in err


@pytest.mark.parametrize(("mark", "said"), [("-1", "-1"), ("SAPM", "SAPM")])
def test_a_gold_value_that_is_not_a_label_is_refused_not_taken_as_gold(tmp_path: Path, capsys, mark: str, said: str):
    """Before: any value counted as gold, so rows marked -1 (WRENCH's "no label") or with a
    misspelt label were never picked, without a word."""
    texts = [f"subscribe to channel {i}" if i % 3 == 0 else f"song number {i} rocks" for i in range(90)]
    gold = ["SPAM" if i < 10 else mark if i < 60 else "" for i in range(90)]
    pd.DataFrame({"id": [f"c{i}" for i in range(90)], "text": texts, "y": gold}).to_csv(tmp_path / "d.csv", index=False)
    mod = _spam_module(tmp_path)
    out = tmp_path / "to_label.csv"
    code, _, err = run(capsys, "sample", tmp_path / "d.csv", "--lfs", mod, "-n", "20", "--gold", "y", "-o", out, "--model", "mv")
    assert code == 2 and not out.exists()
    assert err.startswith("error: --gold column 'y' (leave a row without gold empty)") and said in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("LabelModel(l2=-1)", "`l2` must be a number >= 0"),
        ("LabelModel(dependencies=[('promo_words', 'nope')])", "names an unknown LF 'nope'"),
    ],
)
def test_a_model_to_fit_with_a_bad_parameter_is_refused_before_the_lfs_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], spec: str, message: str
) -> None:
    # Before: refused by the fit, once every LF had labeled the whole corpus.
    import lf.io

    passes: list[object] = []
    real = lf.io.iter_chunks
    monkeypatch.setattr(lf.io, "iter_chunks", lambda *a, **k: passes.append(a) or real(*a, **k))
    args = ["sample", str(DEMO), "--lfs", str(DEMO_LFS), "--model", spec, "-n", "5", "-o", str(tmp_path / "s.csv")]
    assert main(args) == 2
    assert message in " ".join(capsys.readouterr().err.split()) and passes == []
    assert not (tmp_path / "s.csv").exists()
