"""`lf fit` and `lf label`: real files in, models and probabilistic labels out."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
import lf.datasets
from lf.cli import main
from lf.models import BaseLabelModel, LabelModel, MajorityVoter
from lf.output import labels_frame

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def again_words(err: str) -> list[str]:
    """The options `--model auto` prints to get the same model again, as a shell reads
    them: its lines up to the first not ended by a backslash, line continuations joined."""
    lines = err.split("same model again:\n")[1].splitlines()
    last = next(i for i, line in enumerate(lines) if not line.endswith("\\"))
    return shlex.split("\n".join(lines[: last + 1]).replace("\\\n", ""))


@pytest.fixture(scope="module")
def demo_matrix() -> lf.LabelMatrix:
    return lf.apply(lf.load_lfs(DEMO_LFS), DEMO, id_column="id", progress=False)


def test_label_writes_one_probability_column_per_label_and_the_model_prediction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    out = tmp_path / "labels.parquet"
    code, stdout, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out)
    assert code == 0, err
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["id", "HAM", "SPAM", "label", "confidence", "covered"]
    assert len(frame) == demo_matrix.n
    # the demo's own `id` column names the rows
    assert frame["id"].astype(str).tolist() == [str(i) for i in demo_matrix.row_ids]
    model = LabelModel().fit(demo_matrix)
    expected = model.predict_proba(demo_matrix)
    covered = (demo_matrix.array != lf.ABSTAIN).any(axis=1)
    assert 0 < covered.sum() < demo_matrix.n
    expected[~covered] = model.class_balance_  # no votes: the prior, and no label
    np.testing.assert_allclose(frame[["HAM", "SPAM"]].to_numpy(), expected, atol=1e-9)
    np.testing.assert_allclose(frame[["HAM", "SPAM"]].sum(axis=1), 1.0)
    names = np.where(expected.argmax(1) == 1, "SPAM", "HAM")
    assert (frame["label"][covered].astype(str) == names[covered]).all()
    assert frame["label"][~covered].isna().all() and frame["confidence"][~covered].isna().all()
    np.testing.assert_allclose(frame["confidence"][covered], expected.max(axis=1)[covered])
    assert frame["covered"].tolist() == covered.tolist()
    assert "promo_words" in stdout and "learned acc" in stdout  # the LF report, with the model's column
    assert f"wrote {out}" in err


def test_label_filter_abstain_drops_exactly_the_uncovered_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    out = tmp_path / "labels.csv"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--filter-abstain", "--model", "mv")
    assert code == 0, err
    frame = pd.read_csv(out)
    covered = (demo_matrix.array != lf.ABSTAIN).any(axis=1)
    assert len(frame) == int(covered.sum()) < demo_matrix.n
    assert frame["id"].astype(str).tolist() == [str(i) for i in np.asarray(demo_matrix.row_ids)[covered]]
    assert frame["covered"].all()
    assert f"{demo_matrix.n - int(covered.sum()):,} uncovered rows left out" in err


def test_label_with_gold_reports_the_model_accuracy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, err = run(
        capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", tmp_path / "l.parquet", "--gold", "label", "--model", "MajorityVoter"
    )
    assert code == 0, err
    assert "MajorityVoter against --gold 'label' (95% intervals):" in stdout


def _gold_figures(stdout: str) -> dict[str, float]:
    import re

    named = [(re.match(r"\s+([a-z ]+?)\s+\d", ln), ln) for ln in stdout.splitlines() if ln.startswith("  ")]
    lines = {m.group(1): ln.split() for m, ln in named if m}
    return {
        "covered": float(lines["accuracy on covered rows"][4]),
        "coverage": float(lines["coverage"][1]),
        "all": float(lines["accuracy over all rows"][4]),
    }


@pytest.mark.parametrize("uncovered", ["null", "prior"])
def test_label_against_gold_names_covered_accuracy_coverage_and_overall_accuracy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix, uncovered: str
) -> None:
    out = tmp_path / "l.parquet"
    code, stdout, err = run(
        capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--gold", "label", "--uncovered", uncovered
    )
    assert code == 0, err
    gold = pd.read_csv(DEMO)["label"].str.upper().to_numpy()
    frame = pd.read_parquet(out)
    covered = frame["covered"].to_numpy()
    right = frame["label"].astype(object).to_numpy() == gold
    got = _gold_figures(stdout)
    assert got["covered"] == pytest.approx(right[covered].mean(), abs=5e-4)
    assert got["coverage"] == pytest.approx(covered.mean(), abs=5e-4)
    assert got["all"] == pytest.approx(right.mean(), abs=5e-4)
    if uncovered == "null":  # uncovered rows have no label, so they count as wrong
        assert frame["label"][~covered].isna().all()
        assert got["all"] == pytest.approx(got["covered"] * got["coverage"], abs=2e-3)
        assert "no label" in err
    else:  # every row labelled, as the model's argmax
        model = LabelModel().fit(demo_matrix)
        names = np.array(["HAM", "SPAM"])[model.predict(demo_matrix)]
        assert (frame["label"].astype(str).to_numpy() == names).all()
        np.testing.assert_allclose(frame[["HAM", "SPAM"]].to_numpy(), model.predict_proba(demo_matrix))
        assert "(uncovered as the prior)" in stdout
    mine = [ln for ln in stdout.splitlines() if "--gold" in ln or ln.startswith(("  accuracy", "  coverage"))]
    assert len(mine) == 4 and all(len(line) <= 80 for line in mine)


def test_label_against_gold_says_uncovered_rows_the_model_leaves_unlabeled_count_as_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--uncovered prior with a model that abstains on the prior's tie (MajorityVoter
    abstaining, balanced classes): those rows get no label and count as wrong, which the
    line "(uncovered as the prior)" alone did not say."""
    out = tmp_path / "l.parquet"
    code, stdout, err = run(
        capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--gold", "label", "--uncovered", "prior",
        "--model", "MajorityVoter(tie_break='abstain')",
    )
    assert code == 0, err
    frame = pd.read_parquet(out)
    covered = frame["covered"].to_numpy()
    right = frame["label"].astype(object).to_numpy() == pd.read_csv(DEMO)["label"].str.upper().to_numpy()
    assert _gold_figures(stdout)["all"] == pytest.approx(right.mean(), abs=5e-4)
    blank = int(frame["label"][~covered].isna().sum())
    assert blank == int((~covered).sum()) > 0
    lines = stdout.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  accuracy over all rows"))
    assert lines[at + 1] == f"    ({blank:,} uncovered rows without a label, the model's ties: as wrong)"
    assert all(len(ln) <= 80 for ln in lines[at - 3 : at + 2])


def test_fit_saves_a_model_that_label_and_the_library_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    matrix = tmp_path / "L.parquet"
    demo_matrix.save(matrix)
    model_path = tmp_path / "model.json"
    code, _, err = run(capsys, "fit", matrix, "--model", "LabelModel", "--class-balance", "HAM=0.6,SPAM=0.4", "-o", model_path)
    assert code == 0, err
    model = BaseLabelModel.load(model_path)
    assert isinstance(model, LabelModel)
    np.testing.assert_allclose(model.class_balance_, [0.6, 0.4])
    direct = LabelModel().fit(demo_matrix, class_balance=[0.6, 0.4])
    np.testing.assert_allclose(model.predict_proba(demo_matrix), direct.predict_proba(demo_matrix), atol=1e-9)
    out = tmp_path / "labels.parquet"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--model", model_path)
    assert code == 0, err
    np.testing.assert_allclose(pd.read_parquet(out)[["HAM", "SPAM"]].to_numpy(), direct.predict_proba(demo_matrix), atol=1e-9)


def test_fit_auto_picks_a_model_on_gold_labeled_dev_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    data = pd.read_csv(DEMO)
    dev_data = tmp_path / "dev.csv"
    data.iloc[:300].to_csv(dev_data, index=False)
    dev = tmp_path / "L_dev.parquet"
    demo_matrix[:300].save(dev)
    train = tmp_path / "L.parquet"
    demo_matrix.save(train)
    model_path = tmp_path / "model.json"
    code, _, err = run(
        capsys, "fit", train, "--model", "auto", "--dev", dev, "--dev-gold", "label", "--dev-data", dev_data, "-o", model_path
    )
    assert code == 0, err
    assert "model choice on 300 dev rows" in err and "class balance: dev gold labels (300 rows)" in err
    y_dev = (data["label"].iloc[:300] == "SPAM").astype(int).to_numpy()
    chosen = lf.models.select(None, demo_matrix, demo_matrix[:300], y_dev)
    model = BaseLabelModel.load(model_path)
    assert type(model) is type(chosen.model)
    np.testing.assert_allclose(model.predict_proba(demo_matrix), chosen.model.predict_proba(demo_matrix), atol=1e-9)
    for name in chosen.scores:  # every candidate listed with its score
        assert any(line.strip().startswith(name) for line in err.splitlines())
    # The printed options give the same model without dev rows.
    again = again_words(err)
    code, _, err = run(capsys, "fit", train, *again, "-o", tmp_path / "again.json")
    assert code == 0, err
    same = BaseLabelModel.load(tmp_path / "again.json")
    assert same.get_params() == model.get_params()
    np.testing.assert_array_equal(same.predict_proba(demo_matrix), model.predict_proba(demo_matrix))


def test_label_auto_chooses_the_model_on_dev_rows_and_fits_on_data_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    data = pd.read_csv(DEMO)
    dev_data, train_data = tmp_path / "dev.csv", tmp_path / "train.csv"
    data.iloc[:300].to_csv(dev_data, index=False)
    data.iloc[300:].to_csv(train_data, index=False)
    out = tmp_path / "labels.parquet"
    code, _, err = run(
        capsys, "label", train_data, "--lfs", DEMO_LFS, "-o", out, "--model", "auto",
        "--dev-data", dev_data, "--dev-gold", "label", "--class-balance", "dev",
    )
    assert code == 0, err
    assert "model choice on 300 dev rows" in err
    y_dev = (data["label"].iloc[:300] == "SPAM").astype(int).to_numpy()
    chosen = lf.models.select(None, demo_matrix[300:], demo_matrix[:300], y_dev)
    frame = pd.read_parquet(out)
    assert len(frame) == len(data) - 300
    expected = chosen.model.predict_proba(demo_matrix[300:])
    expected[~frame["covered"].to_numpy()] = chosen.model.class_balance_
    np.testing.assert_allclose(frame[["HAM", "SPAM"]].to_numpy(), expected, atol=1e-9)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "{L}", "-o", "{tmp}/model.txt"], "use a .json file name for the model"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--model", "bogus"], "Unknown model 'bogus'. Available:"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--model", "auto"], "'auto' picks the best model on gold-labeled dev rows"),
        (["fit", "{L}", "-o", "{tmp}/m2.json", "--model", "{tmp}/saved.json"], "is a saved, fitted model"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "0.2,0.2"], "must be 2 non-negative numbers summing to 1"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "HAM=0.5,EGGS=0.5"], "one value for each label: HAM, SPAM (not a label: 'EGGS')"),
        # Before: refused by the library, in its words: "`class_balance` must be ... Got array([nan, 1.])."
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "HAM=nan,SPAM=1"], "'--class-balance': 'HAM=nan,SPAM=1' must be 2 non-negative"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "HAM=-0.5,SPAM=1.5"], "'--class-balance': 'HAM=-0.5,SPAM=1.5' must be 2 non-negative"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "HAM=0.3,SPAM=0.6"], "'--class-balance': 'HAM=0.3,SPAM=0.6' must be 2 non-negative"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "dev"], "'dev' needs gold-labeled dev rows"),
        # Before: accepted, the last HAM (0.5) silently winning over the first (0.9).
        (["fit", "{L}", "-o", "{tmp}/m.json", "--class-balance", "HAM=0.9,SPAM=0.5,ham=0.5"], "gives HAM more than once"),
        (["fit", "{L}", "-o", "{tmp}/m.json", "--dev", "{L}"], "--dev needs --dev-gold COLUMN and --dev-data DATA"),
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/labels.txt"], "use a .parquet or .csv or .jsonl"),
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/nowhere/labels.csv"], "does not exist"),
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/l.csv", "--gold", "nope"], "--gold column 'nope' is not in the data"),
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/l.csv", "--dev-data", str(DEMO)], "--dev-data and --dev-gold go together"),
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/l.csv", "--model", "auto"], "give them with the --dev options"),
        # Before: the uncovered rows were left out, and the accuracy "over all rows (uncovered as
        # the prior)" was printed counting labels for them that no file held
        (["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", "{tmp}/l.csv", "--filter-abstain", "--uncovered", "prior"],
         "--filter-abstain leaves out the rows no LF labeled, and --uncovered prior labels them"),
    ],
)
def test_bad_fit_and_label_input_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix, args: list[str], message: str
) -> None:
    L = tmp_path / "L.parquet"
    demo_matrix.save(L)
    argv = [a.format(L=L, tmp=tmp_path) for a in args]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert not any(p.suffix in (".json", ".txt", ".csv") for p in tmp_path.iterdir())  # nothing half-written


def test_labels_frame_names_columns_by_label_and_rejects_clashing_names() -> None:
    L = lf.LabelMatrix(np.array([[0, -1], [-1, -1], [1, 1]]), names=["a", "b"], cardinality=2)
    probs = MajorityVoter().fit(L).predict_proba(L)
    frame = labels_frame(L, probs)
    assert list(frame.columns) == ["id", "0", "1", "label", "confidence", "covered"]
    assert frame["id"].tolist() == [0, 1, 2]
    assert frame["covered"].tolist() == [True, False, True]
    bad = lf.LabelMatrix(np.zeros((1, 1), int), names=["a"], cardinality=2, labels=["label", "other"])
    with pytest.raises(ValueError, match=r"collide with the output columns"):
        labels_frame(bad, np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"must have shape \(3, 2\)"):
        labels_frame(L, probs[:2])


def test_labels_frame_refuses_scores_that_are_not_probabilities() -> None:
    # logits or scores were written as they were: a confidence of 2.0, probabilities that
    # do not sum to 1, NaN where a class had no score
    L = lf.LabelMatrix(np.array([[0, -1], [-1, -1], [1, 1]]), names=["a", "b"], labels=["HAM", "SPAM"])
    probs = MajorityVoter().fit(L).predict_proba(L)
    for bad, row, holds in ((probs * 2, 0, r"\[2\.0, 0\.0\]"), (probs - 0.5, 0, r"\[0\.5, -0\.5\]"),
                            (np.where(probs == 1.0, np.nan, probs), 0, r"\[nan, 0\.0\]")):
        with pytest.raises(lf.errors.DataError, match=rf"`probs` must hold class probabilities \(each row >= 0, summing "
                           rf"to 1\): row {row} holds {holds}"):
            labels_frame(L, bad)
    assert labels_frame(L, probs.astype(np.float32))["confidence"].tolist()[0] == 1.0


def test_labels_frame_takes_a_plain_label_array_as_snorkels_filter_unlabeled_dataframe() -> None:
    # Snorkel's filter_unlabeled_dataframe(X, probs, L) takes L as a plain array; the classes
    # are the probabilities' columns, here more than the LFs vote.
    L = np.array([[2, -1, 0], [-1, -1, -1], [-1, -1, -1], [1, 3, -1]])
    probs = np.array([[0.1, 0.2, 0.6, 0.1], [0.25, 0.25, 0.25, 0.25], [0.4, 0.3, 0.2, 0.1], [0.0, 0.3, 0.3, 0.4]])
    X = pd.DataFrame({"text": ["a", "b", "c", "d"]})
    frame = labels_frame(L, probs, filter_abstain=True)
    assert X.iloc[frame["id"]]["text"].tolist() == ["a", "d"]
    np.testing.assert_array_equal(frame[["0", "1", "2", "3"]].to_numpy(), probs[[0, 3]])
    assert frame["label"].astype(str).tolist() == ["2", "3"]
    with pytest.raises(lf.errors.ParameterError, match="Label 3 is out of range for cardinality 2"):
        labels_frame(L, probs[:, :2])


def test_labels_frame_and_predict_break_near_ties_as_snorkels_probs_to_preds() -> None:
    # Two classes a fit finds equally likely differ in their last bits; a top probability
    # that leads by 1e-5 or more is no tie (Snorkel's probs_to_preds: difference < 1e-5).
    from snorkel.utils import probs_to_preds

    probs = np.array([[0.4999999, 0.5000001], [0.499995, 0.500005], [0.5, 0.49999], [0.3, 0.7], [0.5, 0.5]])
    L = np.zeros((len(probs), 3), np.int64)
    snorkel = probs_to_preds(probs, tie_break_policy="abstain")
    expected = np.where(snorkel == -1, 0, snorkel)  # a tie: the lowest class
    assert snorkel.tolist() == [-1, 1, 0, 1, -1]
    assert labels_frame(L, probs)["label"].astype(int).tolist() == expected.tolist()
    from lf.models.base import near_top, top_class  # what every model's predict decides with

    assert top_class(probs).tolist() == expected.tolist()
    assert np.where(near_top(probs).sum(axis=1) > 1, -1, top_class(probs)).tolist() == snorkel.tolist()


def test_labels_frame_gives_uncovered_rows_no_label_and_the_prior_unless_asked() -> None:
    L = lf.LabelMatrix(np.array([[0, -1], [-1, -1], [1, 1]]), names=["a", "b"], cardinality=2)
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    frame = labels_frame(L, probs, prior=[0.3, 0.7])
    np.testing.assert_allclose(frame[["0", "1"]].to_numpy(), [[0.9, 0.1], [0.3, 0.7], [0.2, 0.8]])
    assert frame["label"].astype(object).tolist()[::2] == ["0", "1"] and pd.isna(frame["label"][1])
    assert np.isnan(frame["confidence"][1]) and frame["confidence"][2] == 0.8
    assert probs[1].tolist() == [0.6, 0.4]  # the caller's array is left alone
    kept = labels_frame(L, probs, uncovered="prior", prior=[0.3, 0.7])
    assert kept["label"].astype(str).tolist() == ["0", "0", "1"] and kept["confidence"][1] == 0.6
    with pytest.raises(lf.errors.ParameterError, match="`uncovered` must be 'null' or 'prior'. Got 'guess'"):
        labels_frame(L, probs, uncovered="guess")


def test_label_output_is_json_lines_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "labels.jsonl"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--model", "mv")
    assert code == 0, err
    first = json.loads(out.read_text().splitlines()[0])
    assert set(first) == {"id", "HAM", "SPAM", "label", "confidence", "covered"}
    assert first["label"] in ("HAM", "SPAM")


def test_label_takes_a_fetched_dataset_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, datasets_dir: Path
) -> None:
    shared = datasets_dir / "youtube_raw"
    monkeypatch.setenv("LF_DATA_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no file named "youtube" here: the name means the dataset
    lfs = ROOT / "labeling_functions" / "youtube_spam.py"
    code, _, err = run(capsys, "label", "youtube", "--lfs", lfs, "-o", tmp_path / "l.parquet")
    assert code == 2 and "lf datasets fetch youtube" in err  # not fetched yet: says how
    assert run(capsys, "datasets", "fetch", "youtube", "--from", shared)[0] == 0
    code, stdout, err = run(capsys, "label", "youtube", "--lfs", lfs, "-o", tmp_path / "l.parquet", "--gold", "label")
    assert code == 0, err
    frame = pd.read_parquet(tmp_path / "l.parquet")
    expected = lf.datasets.load("youtube")
    assert len(frame) == len(expected) == 1956
    assert frame["id"].astype(str).tolist() == expected["id"].astype(str).tolist()
    assert "against --gold 'label' (95% intervals):" in stdout
    assert _gold_figures(stdout)["covered"] > 0.9


def test_the_quick_start_main_job_runs_in_a_temp_directory_and_writes_well_formed_labels(tmp_path: Path) -> None:
    # The exact command of scripts/quickstart.sh, run from a temp copy of what it reads.
    script = (ROOT / "scripts" / "quickstart.sh").read_text()
    command = script.split('exec "$VENV/bin/lf" ', 1)[1].split("\n\n")[0]
    args = shlex.split(command.replace("\\\n", " ").replace('"$@"', ""))
    assert args[0] == "label"
    for rel in ("datasets/demo/comments.csv", "labeling_functions/demo_spam.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    (tmp_path / "out").mkdir()
    exe = Path(sys.executable).with_name("lf")
    # the wide table of a piped run: no COLUMNS (readline in this process may have set one for children)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / args[args.index("-o") + 1]
    assert f"wrote {args[args.index('-o') + 1]}" in proc.stderr  # says where the output went
    assert "learned acc" in proc.stdout and "2,000 rows x 12 LFs" in proc.stdout  # the LF report
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["id", "HAM", "SPAM", "label", "confidence", "covered"]
    assert len(frame) == 2000 and frame["id"].is_unique
    np.testing.assert_allclose(frame[["HAM", "SPAM"]].sum(axis=1), 1.0)
    covered = frame["covered"].to_numpy()
    assert set(frame["label"][covered].astype(str)) <= {"HAM", "SPAM"} and frame["label"][~covered].isna().all()
    assert ((frame["confidence"][covered] >= 0.5) & (frame["confidence"][covered] <= 1.0)).all()
    gold = pd.read_csv(tmp_path / "datasets/demo/comments.csv")["label"]
    assert (frame["label"][covered].astype(str) == gold[covered]).mean() > 0.85


def test_integer_gold_out_of_range_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = pd.read_csv(DEMO).iloc[:50].assign(gold=[0, 1] * 24 + [7, -1])
    path = tmp_path / "d.parquet"
    data.to_parquet(path)
    code, _, err = run(capsys, "label", path, "--lfs", DEMO_LFS, "-o", tmp_path / "l.parquet", "--gold", "gold", "--model", "mv")
    assert code == 2
    assert "--gold column 'gold' has values that are neither label names nor class ids: -1, 7. Allowed: the label names HAM, SPAM or the class ids 0..1" in err
    good = data.assign(gold=[0, 1] * 25)
    good.to_parquet(path)
    code, stdout, err = run(capsys, "label", path, "--lfs", DEMO_LFS, "-o", tmp_path / "l.parquet", "--gold", "gold", "--model", "mv")
    assert code == 0, err
    assert "against --gold 'gold' (95% intervals):" in stdout


@pytest.mark.parametrize("labels", [["not spam", "spam"], ["a=b", "c"], ["it's", "$HOME"], ["H\x1b[31mAM", "SP\u202eAM"]], ids=repr)
def test_fit_auto_prints_a_command_that_reproduces_the_model_whatever_the_label_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix, labels: list[str]
) -> None:
    """Before: `--class-balance not spam=0.5,spam=0.5` unquoted, which a shell splits in two
    (and a name holding '=' could not be read back at all)."""
    L = lf.LabelMatrix(np.asarray(demo_matrix.array), names=demo_matrix.names, cardinality=2, labels=labels)
    L.save(tmp_path / "L.parquet")
    L[:300].save(tmp_path / "dev.parquet")
    dev = pd.read_csv(DEMO).iloc[:300]
    dev.assign(g=(dev["label"] == "SPAM").astype(int)).to_csv(tmp_path / "dev.csv", index=False)
    code, _, err = run(
        capsys, "fit", tmp_path / "L.parquet", "--model", "auto", "--dev", tmp_path / "dev.parquet",
        "--dev-gold", "g", "--dev-data", tmp_path / "dev.csv", "-o", tmp_path / "m.json",
    )
    assert code == 0, err
    assert "\x1b" not in err and "\u202e" not in err  # a label's control characters never reach the terminal raw
    again = again_words(err)
    assert "--class-balance" in again
    code, _, err = run(capsys, "fit", tmp_path / "L.parquet", *again, "-o", tmp_path / "again.json")
    assert code == 0, err
    first, second = BaseLabelModel.load(tmp_path / "m.json"), BaseLabelModel.load(tmp_path / "again.json")
    assert second.get_params() == first.get_params()
    np.testing.assert_array_equal(second.predict_proba(L), first.predict_proba(L))


def test_label_refuses_a_saved_model_fitted_on_the_labels_in_another_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: with LABELS reordered in the LF module, `lf label --model m.json` wrote every
    covered row as SPAM (and `lf report --model` scored it) without a word."""
    model_path = tmp_path / "m.json"
    code, _, err = run(capsys, "fit", _demo_matrix_file(tmp_path), "-o", model_path)
    assert code == 0, err
    swapped = tmp_path / "swapped.py"
    text = DEMO_LFS.read_text()
    assert 'LABELS = ["HAM", "SPAM"]\nHAM, SPAM = 0, 1\n' in text
    swapped.write_text(text.replace('LABELS = ["HAM", "SPAM"]\nHAM, SPAM = 0, 1\n', 'LABELS = ["SPAM", "HAM"]\nSPAM, HAM = 0, 1\n'))
    out = tmp_path / "labels.csv"
    for args in (("label", DEMO, "--lfs", swapped, "--model", model_path, "-o", out), ("report", DEMO, "--lfs", swapped, "--model", model_path)):
        code, _, err = run(capsys, *args)
        assert code == 2
        assert "was fitted on the labels HAM, SPAM (in that order); the LFs here label SPAM, HAM" in err
    assert not out.exists()


def _demo_matrix_file(tmp_path: Path) -> Path:
    path = tmp_path / "L.parquet"
    lf.apply(lf.load_lfs(DEMO_LFS), DEMO, id_column="id", progress=False).save(path)
    return path


@pytest.mark.parametrize("tie_break", ["abstain", "random"])
def test_label_keeps_the_majority_voters_tie_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix, tie_break: str
) -> None:
    """Before: the label column was the argmax of the probabilities, so every tied row was
    labelled HAM (the first class) whatever `tie_break` said: 126 rows on the demo."""
    spec = f"MajorityVoter(tie_break={tie_break!r}, random_state=0)"
    out = tmp_path / "labels.parquet"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", out, "--model", spec)
    assert code == 0, err
    frame = pd.read_parquet(out)
    from lf.models.majority import vote_counts

    counts = vote_counts(np.asarray(demo_matrix.array), 2)
    tied = (counts[:, 0] == counts[:, 1]) & (counts[:, 0] > 0)
    assert tied.sum() > 50
    labels = frame["label"][tied]
    if tie_break == "abstain":
        assert labels.isna().all() and frame["confidence"][tied].isna().all()
        assert f"no label {int(tied.sum() + (~frame['covered']).sum()):,}" in err
    else:
        assert set(labels.astype(str)) == {"HAM", "SPAM"}
        np.testing.assert_allclose(frame["confidence"][tied], 0.5)


def test_labels_frame_takes_the_models_predictions_over_the_argmax() -> None:
    L = lf.LabelMatrix(np.array([[0, 1], [1, 1], [-1, -1]]), names=["a", "b"], cardinality=2, labels=["X", "Y"])
    probs = np.array([[0.5, 0.5], [0.1, 0.9], [0.6, 0.4]])
    frame = labels_frame(L, probs, predictions=np.array([1, -1, 0]), uncovered="prior")
    assert frame["label"].astype(object).where(frame["label"].notna(), None).tolist() == ["Y", None, "X"]
    np.testing.assert_allclose(frame["confidence"].to_numpy(), [0.5, np.nan, 0.6])
    with pytest.raises(lf.errors.DataError, match=r"`predictions` must be 3 class ids 0..1 or ABSTAIN \(-1\)"):
        labels_frame(L, probs, predictions=np.array([2, 0, 0]))


@pytest.mark.parametrize("command", ["label", "report"])
@pytest.mark.parametrize("model", ["DawidSkene(max_iter=2)", "LabelModel(max_iter=2)"])
def test_a_model_warning_is_one_stderr_line(tmp_path: Path, model: str, command: str) -> None:
    """A warning raised while a command runs (here: a model stopped before converging) is
    shown once, as one `warning: ...` line (not Python's two lines naming lf's source).
    `lf label` showed it while its warnings were still being recorded, which recorded it
    again, without end, until memory ran out: the run has a memory cap and a time limit,
    so such a loop fails the test instead of the machine."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    env = {k: v for k, v in os.environ.items() if k != "LF_TRACEBACK"} | {"PYTHONPATH": str(ROOT)}
    out = ["-o", str(tmp_path / "labels.parquet"), "--no-progress"] if command == "label" else []
    proc = subprocess.run(
        [sys.executable, "-m", "lf", command, str(DEMO), "--lfs", str(DEMO_LFS), "--model", model, *out],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False, preexec_fn=cap,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [line for line in proc.stderr.splitlines() if "Warning" in line or "warnings.warn" in line] == []
    warned = [line for line in proc.stderr.splitlines() if line.startswith("warning: ") and "max_iter=2" in line]
    assert len(warned) == 1  # others may follow: two iterations leave the LabelModel surer than its LFs' conflicts allow
    assert "raise `max_iter`" in warned[0]


def test_status_lines_fit_80_columns_and_never_cut_the_output_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    output = "labels_of_the_demo_comments_with_a_long_name.parquet"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", output)
    assert code == 0, err
    wrote = err[err.index("wrote ") :].splitlines()
    assert len(wrote) == 2 and wrote[1].startswith("  ")  # wrapped at a space, the rest indented
    assert wrote[0].startswith(f"wrote {output}: 2,000 rows")  # the path whole, as it can be copied
    assert " ".join(line.strip() for line in wrote).endswith(" s")
    assert all(len(line) <= 80 for line in err.splitlines())
    # a path longer than the line is never cut: it stands alone on its line
    deep = tmp_path / ("d" * 70)
    deep.mkdir()
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", deep / output)
    assert code == 0, err
    assert f"\n  {deep / output}:\n" in err


def test_too_few_lfs_for_the_model_stop_the_run_before_any_lf_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "two.py"
    module.write_text(
        "from lf import labeling_function\n"
        "LABELS = ['HAM', 'SPAM']\n"
        "@labeling_function()\n"
        "def a(x):\n"
        "    raise RuntimeError('an LF ran')\n"
        "@labeling_function()\n"
        "def b(x):\n"
        "    return 1\n"
    )
    code, _, err = run(capsys, "label", DEMO, "--lfs", module, "-o", tmp_path / "l.parquet")
    assert code == 2
    assert "LabelModel needs at least 3 LFs. Got 2. Write more LFs, or use a model that works with fewer" in err
    assert "an LF ran" not in err and not (tmp_path / "l.parquet").exists()
    with pytest.raises(lf.errors.ParameterError, match="TripletModel needs at least 3 LFs. Got 2"):
        lf.label(lf.load_lfs(module), DEMO, model="TripletModel")


def test_status_lines_never_cut_a_path_at_its_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wrapping at spaces cut a path that has some (a "My Documents" folder) across two
    # lines: copied from the terminal, it named no file.
    monkeypatch.setenv("COLUMNS", "80")
    folder = tmp_path / "My Labeled Data"
    folder.mkdir()
    output = folder / "the labels of the demo comments for the review.parquet"
    code, _, err = run(capsys, "label", DEMO, "--lfs", DEMO_LFS, "-o", output, "--cache", folder / "lf cache")
    assert code == 0, err
    lines = err.splitlines()
    assert any(f"{output}:" in line for line in lines), err  # whole, on one line
    assert any(f"({folder / 'lf cache'})" in line for line in lines), err  # the cache folder too
    assert all(len(line) <= 80 or str(folder) in line for line in lines)  # only a path runs past


def test_fit_auto_with_a_given_class_balance_does_not_claim_cross_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    """With --class-balance numbers no dev gold label enters a fit, so select() scores the
    dev rows once, without folds. Before, the lines still said "accuracy by cross-validation"."""
    data = pd.read_csv(DEMO)
    dev_data = tmp_path / "dev.csv"
    data.iloc[:300].to_csv(dev_data, index=False)
    dev, train = tmp_path / "L_dev.parquet", tmp_path / "L.parquet"
    demo_matrix[:300].save(dev)
    demo_matrix.save(train)
    args = ["fit", train, "--model", "auto", "--dev", dev, "--dev-gold", "label", "--dev-data", dev_data]
    code, _, err = run(capsys, *args, "--class-balance", "HAM=0.6,SPAM=0.4", "-o", tmp_path / "m.json")
    assert code == 0, err
    assert "model choice on 300 dev rows: accuracy of models fitted without them" in err
    assert "cross-validation" not in err and "class balance: given" in err
    code, _, err = run(capsys, *args, "-o", tmp_path / "m2.json")
    assert code == 0, err
    assert "model choice on 300 dev rows: accuracy by cross-validation" in err


@pytest.mark.filterwarnings("default::lf.models.UnderdeterminedWarning")  # song and praise never together
def test_lfs_that_vote_the_same_on_every_row_are_named_by_report_fit_and_label(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_matrix: lf.LabelMatrix
) -> None:
    """Before: nothing said so. Two copies of promo_words made the LabelModel count its vote
    three times, and its dependency check named other pairs (the copies fit as perfect LFs)."""
    A = np.asarray(demo_matrix.array)
    copy = lf.LabelMatrix(np.column_stack([A, A[:, 0]]), names=[*demo_matrix.names, "promo_copy"],
                          cardinality=2, labels=demo_matrix.labels)
    matrix, plain = tmp_path / "L.parquet", tmp_path / "plain.parquet"
    copy.save(matrix)
    demo_matrix.save(plain)
    warning = "warning: promo_words, promo_copy give the same vote on every row"
    for args in (["report", matrix], ["fit", matrix, "-o", tmp_path / "m.json"]):
        code, _, err = run(capsys, *args)
        assert code == 0, err
        assert warning in err
    code, _, err = run(capsys, "report", plain)
    assert code == 0 and "same vote on every row" not in err
    module = tmp_path / "copies.py"
    module.write_text(
        "from lf import keyword_lf\n"
        "LABELS = ['HAM', 'SPAM']\n"
        "promo = keyword_lf('promo', ['subscribe', 'my channel'], 1)\n"
        "promo_again = keyword_lf('promo_again', ['subscribe', 'my channel'], 1)\n"
        "song = keyword_lf('song', ['song', 'lyrics'], 0)\n"
        "praise = keyword_lf('praise', ['masterpiece', 'classic'], 0)\n"
    )
    code, _, err = run(capsys, "label", DEMO, "--lfs", module, "-o", tmp_path / "labels.parquet")
    assert code == 0, err
    assert "warning: promo, promo_again give the same vote on every row" in err
    assert "warning: LabelModel: the LFs' votes give 8 agreement statistics for 9 unknowns" in err


@pytest.mark.parametrize("command", ["report", "sample"])
def test_model_auto_where_it_is_not_taken_says_where_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    out = ["-o", tmp_path / "rows.csv"] if command == "sample" else []
    code, _, err = run(capsys, command, DEMO, "--lfs", DEMO_LFS, "--model", "auto", *out)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "'auto' chooses a model on gold-labeled dev rows: `lf label` and `lf fit` take it" in err


def test_label_against_gold_says_how_many_covered_rows_the_model_left_unlabeled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MajorityVoter(tie_break="abstain") leaves a tie without a label; the accuracy on
    covered rows counts it wrong. Before, nothing said so: the figure read as the model's
    accuracy on the rows it labels, which lf report and model.score give (higher)."""
    rng = np.random.default_rng(4)
    gold = rng.integers(0, 2, 300)
    votes = np.where(rng.random((300, 2)) < 0.75, gold[:, None], 1 - gold[:, None])
    votes[rng.random(300) < 0.1] = -1  # some uncovered rows too
    data = tmp_path / "d.csv"
    pd.DataFrame({"text": [f"{a} {b}" for a, b in votes], "label": gold}).to_csv(data, index=False)
    module = tmp_path / "lfs.py"
    module.write_text(
        "from lf import labeling_function, ABSTAIN\n"
        "@labeling_function()\n"
        "def first(x):\n    return int(x.text.split()[0])\n"
        "@labeling_function()\n"
        "def second(x):\n    return int(x.text.split()[1])\n"
    )
    out = tmp_path / "l.csv"
    code, stdout, err = run(
        capsys, "label", data, "--lfs", module, "-o", out, "--gold", "label", "--model", "MajorityVoter(tie_break='abstain')"
    )
    assert code == 0, err
    covered = (votes != -1).any(axis=1)
    ties = int((covered & (votes[:, 0] != votes[:, 1]) & (votes != -1).all(axis=1)).sum())
    assert ties > 20
    frame = pd.read_csv(out)
    labels = frame["label"].to_numpy()
    assert int(pd.isna(labels[covered]).sum()) == ties
    right = labels == gold
    assert _gold_figures(stdout)["covered"] == pytest.approx(right[covered].mean(), abs=5e-4)
    lines = stdout.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  accuracy on covered rows"))
    assert lines[at + 1] == f"    ({ties:,} of them without a label, the model's ties: as wrong)"
    assert all(len(line) <= 80 for line in lines[at - 1 : at + 4])
