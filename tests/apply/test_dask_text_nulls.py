"""A missing text in a Dask DataFrame reaches LFs as it does from the same rows in pandas or
in a file (NaN), not as the ``pd.NA`` of the ``string[pyarrow]`` columns Dask makes, on
which an LF's ``if not x.text`` raises."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.apply.dask import DaskEngine
from lf.label import label

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

LFS = '''
from lf import labeling_function

@labeling_function()
def has_text(x):
    return 1 if x.text else 0

@labeling_function()
def no_text(x):
    return 1 if x.text != x.text else 0  # NaN is the one value not equal to itself
'''

ROWS = pd.DataFrame({"id": ["a", "b", "c", "d"], "text": ["x", None, "y", None]})


def _lfs(tmp_path: Path) -> list[lf.LabelingFunction]:
    (tmp_path / "nulls_lfs.py").write_text(LFS, encoding="utf-8")
    return lf.load_lfs(tmp_path / "nulls_lfs.py")


def test_a_dask_frame_gives_the_pandas_frames_matrix(tmp_path: Path) -> None:
    lfs = _lfs(tmp_path)
    want = lf.apply(lfs, ROWS, progress=False)
    assert want.array.tolist() == [[1, 0], [1, 1], [1, 0], [1, 1]]
    got = lf.apply(lfs, dd.from_pandas(ROWS, npartitions=2), progress=False)  # was: 'boolean value of NA is ambiguous'
    assert got == want


@pytest.mark.slow
def test_labels_from_workers_equal_the_local_ones(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lfs = _lfs(tmp_path)
    label(lfs, ROWS, output=tmp_path / "local.parquet", model="MajorityVoter", progress=False)
    label(lfs, dd.from_pandas(ROWS, npartitions=2), engine=DaskEngine(client), output=tmp_path / "labels", model="MajorityVoter")
    remote = pd.concat([pd.read_parquet(p) for p in sorted((tmp_path / "labels").glob("part-*.parquet"))], ignore_index=True)
    pd.testing.assert_frame_equal(remote, pd.read_parquet(tmp_path / "local.parquet"))
    assert ROWS["text"].isna().tolist() == [False, True, False, True]  # the caller's frame is as it was
