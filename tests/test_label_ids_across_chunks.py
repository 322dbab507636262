"""Row ids whose type only shows in a later chunk: labels written, or one line naming -o.

A first chunk whose ids are all missing gave the Parquet labels file a column of type
null, and the next chunk's ids failed with "internal error: ArrowNotImplementedError".
Ids that change type between chunks named the run's scratch file instead of -o.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

LFS = """
from lf import ABSTAIN, labeling_function

@labeling_function()
def ham(x):
    return 0 if "hi" in x.text else ABSTAIN

@labeling_function()
def spam(x):
    return 1 if "buy" in x.text else ABSTAIN
"""


def _run(tmp_path: Path, ids: list[object]) -> tuple[int, Path]:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, ["hi", "buy", "hi", "buy"])))
    (tmp_path / "lfs.py").write_text(LFS)
    out = tmp_path / "labels.parquet"
    argv = ["label", "--lfs", str(tmp_path / "lfs.py"), str(data), "-o", str(out), "--chunk-size", "2", "--model", "MajorityVoter"]
    return main(argv), out


def test_ids_missing_in_the_whole_first_chunk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code, out = _run(tmp_path, [None, None, 3, 4])
    err = capsys.readouterr().err
    assert code == 0 and "'id' is empty on 2 rows (positions 0, 1, counted from 0)" in err, err
    frame = pd.read_parquet(out)
    assert frame["id"].isna().tolist() == [True, True, False, False]
    assert frame["id"].tolist()[2:] == ["3", "4"]
    assert frame["label"].astype(str).tolist() == ["0", "1", "0", "1"]


def test_ids_changing_type_between_chunks_name_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(tmp_path, [1, 2, "x", "y"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"Cannot write {str(out)!r}: the row ids change type between chunks" in err
    assert not out.exists() and not list(tmp_path.glob("*.matrix.parquet"))
