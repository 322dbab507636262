"""Every command takes DATA as a glob, as `lf label` and `lf.apply` do, and checks its files.

Only `lf label` expanded the pattern before its checks; `lf apply`, `lf sample`, `lf rows`
and the others stopped with "Data file not found: 'shards/*.csv'" although README documents
globs. The files a pattern matches are inputs too: an output among them is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError

LFS = """
from lf import ABSTAIN, labeling_function

@labeling_function()
def spam(x):
    return 1 if "buy" in x.text else ABSTAIN

@labeling_function()
def ham(x):
    return 0 if "hi" in x.text else ABSTAIN
"""


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    folder = tmp_path / "shards"
    folder.mkdir()
    pd.DataFrame({"id": [1, 2], "text": ["hi there", "buy now"]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"id": [3, 4, 5], "text": ["hi", "buy buy", "meh"]}).to_parquet(folder / "b.parquet")
    (tmp_path / "lfs.py").write_text(LFS)
    return folder


def test_apply_reads_a_glob_like_the_library(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = shards.parent / "L.npz"
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    expected = lf.apply(lf.load_lfs(str(shards.parent / "lfs.py")), [shards / "a.parquet", shards / "b.parquet"])
    saved = lf.LabelMatrix.load(out)
    assert np.array_equal(saved, expected)
    assert saved.row_ids is not None and saved.row_ids.tolist() == [1, 2, 3, 4, 5]


def test_an_output_among_the_files_of_a_glob_is_refused(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = shards / "b.parquet"
    before = target.read_bytes()
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "is the input DATA" in err and err.count("\n") == 1
    assert target.read_bytes() == before


def test_rows_reads_a_glob(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rows", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.parquet"), "--lf", "spam"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "buy now" in out.out and "buy buy" in out.out


def test_a_glob_matching_nothing_is_one_line(shards: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["apply", "--lfs", str(shards.parent / "lfs.py"), str(shards / "*.csv"), "-o", str(shards / "L.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "matches no data file" in err


def _gold_shards(tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """DATA (the demo's first 300 rows), its labels, and the next 40 rows as two gold files."""
    demo = pd.read_csv(Path(__file__).resolve().parent.parent / "datasets" / "demo" / "comments.csv", keep_default_na=False, dtype=str)
    data = tmp_path / "data.csv"
    demo.head(300).to_csv(data, index=False)
    golds = []
    for i, at in enumerate((300, 320)):
        golds.append(tmp_path / "gold" / f"g{i}.csv")
        golds[-1].parent.mkdir(exist_ok=True)
        demo.iloc[at:at + 20].to_csv(golds[-1], index=False)
    return data, tmp_path / "labels.parquet", golds


@pytest.mark.parametrize("command", ["train --dev-data", "suggest --gold-data"])
def test_gold_rows_given_as_a_glob_are_the_files_it_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    # the checks expanded the pattern, the run did not: "Data file not found: 'gold/*.csv'"
    pytest.importorskip("sklearn")
    data, labels, golds = _gold_shards(tmp_path)
    lfs = Path(__file__).resolve().parent.parent / "labeling_functions" / "demo_spam.py"
    assert main(["label", str(data), "--lfs", str(lfs), "-o", str(labels), "--no-progress"]) == 0
    name, option = command.split()
    outs = []
    for gold in ([str(tmp_path / "gold" / "*.csv")], [str(g) for g in golds]):
        outs.append(tmp_path / f"out{len(outs)}{'.py' if name == 'suggest' else ''}")
        given = [a for g in gold for a in (option, g)]
        if name == "train":
            argv = ["train", str(data), "--labels", str(labels), "-o", str(outs[-1]), "--dev-gold", "label", *given]
        else:
            argv = ["suggest", str(data), "--gold", "label", "-o", str(outs[-1]), "--no-progress", *given]
        code = main(argv)
        assert code == 0, capsys.readouterr().err
    if name == "train":
        from lf.train import load_model

        a, b = (load_model(o) for o in outs)
        assert a.C == b.C and np.array_equal(a.coef, b.coef)
    else:
        assert outs[0].read_text().split("\n", 3)[3] == outs[1].read_text().split("\n", 3)[3]


@pytest.mark.parametrize("empty", ["a.csv", "m.csv", "z.csv.gz"])
def test_an_empty_csv_among_a_globs_files_is_named_with_the_fix_wherever_it_sorts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], empty: str
) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    pd.DataFrame({"id": [1, 2], "text": ["hi there", "buy now"]}).to_csv(folder / "b.csv", index=False)
    pd.DataFrame({"id": [3], "text": ["hi"]}).to_csv(folder / "n.csv", index=False)
    (folder / empty).write_bytes(b"")  # a shard written empty: not even a header
    (tmp_path / "lfs.py").write_text(LFS)
    code = main(["apply", "--lfs", str(tmp_path / "lfs.py"), str(folder / "*.csv*"), "-o", str(tmp_path / "L.npz")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"{empty}' is empty: a CSV file starts with a header line naming its columns. Write its header line" in err
    with pytest.raises(DataError, match=rf"{empty}' is empty: .* Write its header line, or leave the file out of the data\.$"):
        lf.apply(lf.load_lfs(str(tmp_path / "lfs.py")), str(folder / "*.csv*"), progress=False)  # not "Empty CSV file."
