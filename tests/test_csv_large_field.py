"""A CSV field larger than the reader's block is read whole (the block grows), not an error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import lf.io
from lf.cli import main
from lf.errors import DataError
from lf.io import iter_chunks

FIELD = 9 << 20  # 9 MiB: larger than the read block (1 MiB) and its first growth (x4)


def _big_csv(path: Path) -> Path:
    """~7.5 MiB of short rows, then a 9 MiB quoted field (with a comma and a newline), then one row.

    The big row spans several blocks, which is what makes pyarrow's reader fail with
    "straddling object" until the block grows past it.
    """
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,text\n")
        fh.writelines(f"{i},row {i:07d}\n" for i in range(420_000))
        fh.write('big,"a, b\n' + "x" * (FIELD - 5) + '"\n')
        fh.write("last,end\n")
    return path


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_csv(tmp_path_factory.mktemp("csv") / "big.csv")


def test_a_field_larger_than_the_block_is_read_whole(big_csv: Path) -> None:
    chunks = list(iter_chunks(big_csv, 200_000))
    assert [len(c) for c in chunks] == [200_000, 200_000, 20_002]  # chunks stay aligned after the retry
    frame = pd.concat(chunks, ignore_index=True)
    assert frame["id"].tolist()[-3:] == ["419999", "big", "last"] and frame["id"].is_unique
    big = frame.loc[frame["id"] == "big", "text"].item()
    assert len(big) == FIELD and big.startswith("a, b\nxxx")


def test_cli_reads_it_too(big_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lfs = tmp_path / "lfs.py"
    lfs.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        "@labeling_function()\n"
        "def long_text(x):\n"
        "    return 1 if len(x.text) > 1000 else ABSTAIN\n"
    )
    out = tmp_path / "L.npz"
    assert main(["apply", str(big_csv), "--lfs", str(lfs), "-o", str(out), "--chunk-size", "100000"]) == 0
    L = lf.LabelMatrix.load(out)
    assert L.n == 420_002 and (L.array[:, 0] == 1).sum() == 1 and L.row_ids[L.array[:, 0] == 1].tolist() == ["big"]
    capsys.readouterr()


def test_past_the_cap_the_message_says_what_to_check(big_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lf.io, "_BLOCK_CAP", lf.io._BLOCK)  # a cap the 9 MiB field exceeds
    with pytest.raises(DataError, match=r"big\.csv' as CSV: a row is larger than 1 MiB.*unclosed quote"):
        list(iter_chunks(big_csv, 200_000))


def test_a_first_row_longer_than_the_header_probe_is_read(tmp_path: Path) -> None:
    # The column names come from a small first block; a first row past it takes the full one.
    path = tmp_path / "wide.csv"
    long = "y" * (lf.io._HEAD_BLOCK * 2)
    path.write_text(f'id,text\n1,"{long}"\n2,short\n', encoding="utf-8")
    frame = pd.concat(iter_chunks(path, 10), ignore_index=True)
    assert frame.columns.tolist() == ["id", "text"] and frame["text"].tolist() == [long, "short"]
