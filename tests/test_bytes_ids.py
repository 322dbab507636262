"""Row ids that are bytes (a Parquet binary column, a DataFrame of bytes) keep their type
and every byte through a LabelMatrix's save and load and into the labels written, or are
refused where a file cannot hold them: never turned into other ids (``b'a1'`` as text)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lf
from lf import LabelMatrix, keyword_lf
from lf.cli import main
from lf.errors import DataError

LFS = [keyword_lf("good", ["good"], label=1), keyword_lf("bad", ["bad"], label=0)]


def _bytes_data(path: Path, ids: list[bytes | None]) -> Path:
    texts = ["good day" if i % 2 else "bad day" for i in range(len(ids))]
    pq.write_table(pa.table({"id": pa.array(ids, pa.binary()), "text": texts}), path)
    return path


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_bytes_ids_come_back_as_bytes(tmp_path: Path, suffix: str):
    ids = np.array([b"a1", None, b"\xffz"], dtype=object)
    L = LabelMatrix(np.zeros((3, 2), np.int8), names=["x", "y"], cardinality=2, row_ids=ids)
    L.save(tmp_path / f"m{suffix}")
    back = LabelMatrix.load(tmp_path / f"m{suffix}").row_ids
    assert back is not None and back.tolist() == [b"a1", None, b"\xffz"]


def test_a_trailing_nul_byte_is_kept_from_parquet_data_and_refused_by_npz(tmp_path: Path):
    ids = [b"k0", b"k1\x00", b"k2", b"k3"]
    L = lf.apply(LFS, str(_bytes_data(tmp_path / "d.parquet", ids)), progress=False)
    assert L.row_ids is not None and L.row_ids.tolist() == ids
    L.save(tmp_path / "m.parquet")
    back = LabelMatrix.load(tmp_path / "m.parquet").row_ids
    assert back is not None and back.tolist() == ids
    with pytest.raises(DataError, match=r"b'k1\\x00'.*NUL byte.*\.parquet"):
        L.save(tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


def test_bytes_beside_text_ids_are_refused_not_made_text():
    frame = pd.DataFrame({"id": [b"a1", "a2", b"a3"], "text": ["good", "bad", "good"]})
    with pytest.raises(DataError, match=r"mix bytes \(b'a1'\) with other values \('a2'"):
        lf.apply(LFS, frame, progress=False)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_lf_label_refuses_bytes_ids_in_a_text_file_and_keeps_them_in_parquet(tmp_path: Path, capsys, suffix: str):
    module = tmp_path / "lfs.py"
    module.write_text(
        "from lf import keyword_lf\nLABELS = ['NEG', 'POS']\n"
        "lfs = [keyword_lf('good', ['good'], label=1), keyword_lf('bad', ['bad'], label=0)]\n"
    )
    ids = [b"k%d" % i for i in range(20)]
    data = _bytes_data(tmp_path / "d.parquet", ids)
    common = ["label", str(data), "--lfs", str(module), "--model", "MajorityVoter", "--no-progress", "-o"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main([*common, str(tmp_path / f"out{suffix}")]) == 2
        err = capsys.readouterr().err
        assert "the column 'id' holds bytes (b'k0')" in err and ".parquet" in err
        assert not (tmp_path / f"out{suffix}").exists()
        assert main([*common, str(tmp_path / "out.parquet")]) == 0
    assert pd.read_parquet(tmp_path / "out.parquet")["id"].tolist() == ids


def test_lf_sample_and_write_frame_refuse_bytes_in_a_text_file(tmp_path: Path, capsys):
    # lf sample wrote the id b'k3' as the text "b'k3'", which no hand label could be joined back by
    from lf.io import write_frame

    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nlfs = [keyword_lf('good', ['good'], label=1), keyword_lf('bad', ['bad'], label=0)]\n")
    data = _bytes_data(tmp_path / "d.parquet", [b"k%d" % i for i in range(20)])
    out = tmp_path / "s.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["sample", str(data), "--lfs", str(module), "--model", "mv", "-n", "3", "-o", str(out), "--no-progress"])
    assert code == 2 and "the column 'id' holds bytes" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(DataError, match="the column 'id' holds bytes"):
        write_frame(pd.DataFrame({"id": [b"a"], "text": ["x"]}), tmp_path / "f.jsonl")
    write_frame(pd.DataFrame({"id": [b"a\x00"], "text": ["x"]}), tmp_path / "f.parquet")
    assert pd.read_parquet(tmp_path / "f.parquet")["id"].tolist() == [b"a\x00"]
