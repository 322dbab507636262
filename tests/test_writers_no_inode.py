"""A folder where no file can be made (a real tmpfs without a free inode): the failure names
the output asked for, never the hidden scratch file lf keeps the matrix in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _tmpfs import mounted_tmpfs

from lf.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture
def no_inode(tmp_path: Path) -> Iterator[Path]:
    with mounted_tmpfs(tmp_path / "full", "size=64k,nr_inodes=1") as folder:
        yield folder


@pytest.mark.parametrize("matrix", [None, "L.npz"])
def test_lf_label_names_its_output_when_no_file_can_be_made(no_inode: Path, capsys: pytest.CaptureFixture[str], matrix: str | None) -> None:
    out = no_inode / "labels.parquet"
    extra = ["--matrix", str(no_inode / matrix)] if matrix else []
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(out), "--model", "mv", *extra]) == 2
    assert capsys.readouterr().err.strip() == f"error: Cannot write {str(out)!r}: No space left on device."
    assert list(no_inode.iterdir()) == []
