"""A saved matrix and the data given for its gold labels must hold the same rows, in order.

`lf report L.parquet --data D --gold y` and `lf fit --dev L_dev --dev-data D` match gold
labels to the matrix's rows by position. The same data sorted or shuffled (same row count)
gave every LF a wrong empirical accuracy without a word; the ids stored with the matrix
now show it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture
def saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    rows = pd.read_csv(DEMO).head(400)
    data, shuffled = tmp_path / "data.csv", tmp_path / "shuffled.csv"
    rows.to_csv(data, index=False)
    rows.sample(frac=1, random_state=0).to_csv(shuffled, index=False)
    matrix = tmp_path / "L.parquet"
    assert main(["apply", "--lfs", str(DEMO_LFS), str(data), "-o", str(matrix)]) == 0
    capsys.readouterr()
    return matrix, data, shuffled


def test_report_with_reordered_data_is_refused(saved: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    matrix, data, shuffled = saved
    assert main(["report", str(matrix), "--data", str(data), "--gold", "label"]) == 0
    assert "emp acc" in capsys.readouterr().out
    assert main(["report", str(matrix), "--data", str(shuffled), "--gold", "label"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds the rows of" in err and "in another order" in err


@pytest.mark.filterwarnings("default:.*the dev scores are not held out:UserWarning")  # --dev is the matrix itself
def test_fit_with_reordered_dev_data_is_refused(saved: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    matrix, data, shuffled = saved
    args = ["fit", str(matrix), "--model", "auto", "--dev", str(matrix), "--dev-gold", "label"]
    assert main([*args, "--dev-data", str(data), "-o", str(tmp_path / "m.json")]) == 0
    capsys.readouterr()
    assert main([*args, "--dev-data", str(shuffled), "-o", str(tmp_path / "m2.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--dev-data holds the rows of" in err
    assert not (tmp_path / "m2.json").exists()


def test_ids_of_another_column_are_named_not_taken_for_a_reorder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = pd.read_csv(DEMO).head(100).assign(doc=lambda d: [f"d{i}" for i in range(len(d))])
    data = tmp_path / "data.csv"
    rows.to_csv(data, index=False)
    matrix = tmp_path / "L.parquet"
    assert main(["apply", "--lfs", str(DEMO_LFS), str(data), "-o", str(matrix), "--id-column", "doc"]) == 0
    capsys.readouterr()
    # The data's `id` column is not what the matrix's ids came from: refused, pointing at the
    # option (other ids could as well be other data, whose gold would be scored silently) ...
    assert main(["report", str(matrix), "--data", str(data), "--gold", "label"]) == 2
    err = capsys.readouterr().err
    assert "with --id-column" in err and "in another order" not in err
    # ... and the column the ids came from matches.
    assert main(["report", str(matrix), "--data", str(data), "--gold", "label", "--id-column", "doc"]) == 0


@pytest.mark.parametrize(
    ("edit", "told"),
    [
        (("len(x.words) <= 4", "len(x.words) <= 9"), "made when LF 'short_comment' had another definition"),
        (('LABELS = ["HAM", "SPAM"]\nHAM, SPAM = 0, 1', 'LABELS = ["SPAM", "HAM"]\nHAM, SPAM = 1, 0'), "its labels are SPAM, HAM"),
    ],
)
def test_fit_refuses_a_dev_matrix_of_other_lf_definitions_or_labels(
    saved: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], told: str,
) -> None:
    # The same LF names, but the dev rows were labeled by an edited module: the model
    # would be chosen on votes the training LFs do not give.
    matrix, data, _ = saved
    source = DEMO_LFS.read_text()
    assert edit[0] in source
    edited = tmp_path / "edited_lfs.py"
    edited.write_text(source.replace(edit[0], edit[1]))
    dev = tmp_path / "dev.parquet"
    assert main(["apply", "--lfs", str(edited), str(data), "-o", str(dev)]) == 0
    capsys.readouterr()
    args = ["fit", str(matrix), "--model", "auto", "--dev", str(dev), "--dev-gold", "label", "--dev-data", str(data)]
    assert main([*args, "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and told in err and str(dev) in err and str(matrix) in err, err
    assert not (tmp_path / "m.json").exists()


def test_a_matrix_whose_ids_are_row_numbers_and_that_has_no_digest_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A matrix saved from Python (LabelMatrix.save: row ids, no digest of the texts) whose
    ids number its rows matched every id of another file numbered alike: its gold scored
    the LFs on other rows' labels (accuracies near chance) without a word."""
    import lf

    rows = pd.read_csv(DEMO).head(400).assign(id=range(400))
    rows.to_csv(tmp_path / "data.csv", index=False)
    other = pd.read_csv(DEMO).iloc[400:800].assign(id=range(400))  # other comments, the same ids
    other.to_csv(tmp_path / "other.csv", index=False)
    matrix = tmp_path / "L.parquet"
    lf.apply(lf.load_lfs(str(DEMO_LFS)), str(tmp_path / "data.csv"), progress=False).save(matrix)
    for args in (
        ["report", str(matrix), "--data", str(tmp_path / "other.csv"), "--gold", "label"],
        ["fit", str(matrix), "--dev", str(matrix), "--dev-data", str(tmp_path / "other.csv"), "--dev-gold", "label",
         "--class-balance", "dev", "-o", str(tmp_path / "m.json")],
    ):
        assert main(args) == 0
        err = " ".join(capsys.readouterr().err.split())
        assert "by ids that are row numbers (0, 1, ...), unchecked" in err
        assert "Another file numbering its rows alike would get other rows' gold" in err
    named = tmp_path / "named.csv"
    rows.assign(id=[f"c{i:05d}" for i in range(400)]).to_csv(named, index=False)  # ids that name rows
    lf.apply(lf.load_lfs(str(DEMO_LFS)), str(named), progress=False).save(tmp_path / "N.parquet")
    assert main(["report", str(tmp_path / "N.parquet"), "--data", str(named), "--gold", "label"]) == 0
    assert "unchecked" not in capsys.readouterr().err
