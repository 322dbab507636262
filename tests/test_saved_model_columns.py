"""A saved model meets the LFs of a run by name; one fitted without LF names says that its
columns go unchecked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lf
from lf.cli import main
from lf.models import LabelModel

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
UNCHECKED = "was fitted on a matrix without LF names, so whether its columns are the 12 LFs here, in this order, is unchecked"


@pytest.fixture(scope="module")
def demo_matrix() -> lf.LabelMatrix:
    return lf.apply(lf.load_lfs(DEMO_LFS), DEMO, id_column="id", progress=False)


def test_lf_label_with_a_model_fitted_on_a_bare_array_warns(demo_matrix: lf.LabelMatrix, tmp_path: Path) -> None:
    bare = LabelModel().fit(np.asarray(demo_matrix.array)[:, ::-1], cardinality=2).save(tmp_path / "bare.json")
    # Before: its reversed columns scored the LFs in the module's order without a sign.
    with pytest.warns(UserWarning, match=f"The model {UNCHECKED}"):
        lf.label(lf.load_lfs(DEMO_LFS), DEMO, model=bare, progress=False)
    named = LabelModel().fit(demo_matrix).save(tmp_path / "named.json")
    lf.label(lf.load_lfs(DEMO_LFS), DEMO, model=named, progress=False)  # no warning: the tests make one an error


@pytest.mark.filterwarnings("default:.*without LF names:UserWarning")  # printed, not raised
@pytest.mark.parametrize("command", ["label", "report", "report-matrix", "sample"])
def test_every_command_taking_a_saved_model_says_it_once(
    command: str, demo_matrix: lf.LabelMatrix, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = LabelModel().fit(np.asarray(demo_matrix.array), cardinality=2).save(tmp_path / "bare.json")
    matrix = demo_matrix.save(tmp_path / "L.parquet")
    args = {
        "label": ["label", DEMO, "--lfs", DEMO_LFS, "-o", tmp_path / "l.parquet"],
        "report": ["report", DEMO, "--lfs", DEMO_LFS],
        "report-matrix": ["report", matrix],
        "sample": ["sample", DEMO, "--lfs", DEMO_LFS, "-o", tmp_path / "s.csv", "-n", "20"],
    }[command]
    code = main([str(a) for a in [*args, "--model", bare]])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 0, err
    assert err.count("without LF names") == 1 and UNCHECKED in err
