"""Row ids whose type only shows in a later chunk: labels written, or one line naming -o.

A first chunk whose ids are all missing gave the Parquet labels file a column of type
null, and the next chunk's ids failed with "internal error: ArrowNotImplementedError".
Ids that change type between chunks named the run's scratch file instead of -o.
Unsigned 64-bit ids (hashes) beside smaller ones in a chunk became floats (numpy's type
for such a list of ints), rounded to 53 bits: 2**64 - 1 and 2**64 - 2 one id, and a join
back to the data by id matched nothing.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
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


HASHES = np.array([2**64 - 1, 2**64 - 2, 3, 2**63, 2**63 + 1, 7], dtype=np.uint64)
TEXTS = ["hi", "buy", "hi there", "buy now", "nothing", "hi buy"]


def _lfs(tmp_path: Path) -> Path:
    path = tmp_path / "lfs.py"
    path.write_text(LFS)
    return path


def test_lf_apply_keeps_unsigned_hash_ids_exact(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": HASHES, "text": TEXTS})
    for size in (2, 6):
        L = lf.apply(lf.load_lfs(str(_lfs(tmp_path))), frame, chunk_size=size)
        assert L.row_ids.dtype == np.uint64 and L.row_ids.tolist() == HASHES.tolist()
        L.save(tmp_path / "L.parquet")
        assert lf.LabelMatrix.load(tmp_path / "L.parquet").row_ids.tolist() == HASHES.tolist()


def test_integer_ids_negative_and_past_int64_are_kept_not_rounded(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    ids = [2**64 - 1, -1, 2**64 - 2, 9007199254740993, 0, 12]
    data.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, TEXTS)))
    L = lf.apply(lf.load_lfs(str(_lfs(tmp_path))), str(data))
    assert L.row_ids.tolist() == ids  # before: floats, 2**64 - 1 and 2**64 - 2 the same one
    L.save(tmp_path / "L.parquet")
    assert [int(x) for x in lf.LabelMatrix.load(tmp_path / "L.parquet").row_ids] == ids


@pytest.mark.parametrize("source", ["parquet", "jsonl"])
@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_lf_label_writes_hash_ids_as_read_back_by_pandas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, suffix: str
) -> None:
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, np.iinfo(np.uint64).max, size=400, dtype=np.uint64, endpoint=True)
    texts = rng.choice(TEXTS, size=400)
    data = tmp_path / f"d.{source}"
    if source == "parquet":
        pd.DataFrame({"id": hashes, "text": texts}).to_parquet(data, index=False)
    else:
        data.write_text("".join(json.dumps({"id": int(i), "text": str(t)}) + "\n" for i, t in zip(hashes, texts)))
    out, matrix = tmp_path / f"labels{suffix}", tmp_path / "L.parquet"
    argv = ["label", str(data), "--lfs", str(_lfs(tmp_path)), "-o", str(out), "--matrix", str(matrix),
            "--chunk-size", "50", "--model", "MajorityVoter"]
    assert main(argv) == 0, capsys.readouterr().err
    if suffix == ".parquet":
        got = pd.read_parquet(out)["id"]
        assert got.dtype == np.uint64
        written = got.tolist()
    elif suffix == ".csv":
        written = [int(x) for x in pd.read_csv(out, dtype={"id": str})["id"]]
    else:
        written = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert written == hashes.tolist()
    assert lf.LabelMatrix.load(matrix).row_ids.tolist() == hashes.tolist()


@pytest.mark.parametrize("command", ["label", "apply"])
@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_ids_changing_type_name_the_file_and_row_where_they_change(tmp_path: Path, capsys, command: str, n_jobs: str) -> None:
    # the local engine said only "int64 first, then string", where the Dask engine names the partitions
    pd.DataFrame({"id": [1, 2, 3], "text": ["hi", "buy", "hi"]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"id": [4, 5], "text": ["hi", "buy"]}).to_parquet(tmp_path / "b.parquet")
    pd.DataFrame({"id": ["x1", "x2"], "text": ["hi", "buy"]}).to_parquet(tmp_path / "c.parquet")
    out = tmp_path / "out.parquet"
    args = [command, *(str(tmp_path / f"{n}.parquet") for n in "abc"), "--lfs", str(_lfs(tmp_path)), "-o", str(out),
            "--n-jobs", n_jobs, "--no-progress"]
    assert main(args + (["--model", "MajorityVoter"] if command == "label" else [])) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert (
        f"the row ids change type between chunks, int64 first, then string from row 0 of {str(tmp_path / 'c.parquet')!r} "
        "(row 5 of the data, counted from 0)"
    ) in err, err
    assert not out.exists()
