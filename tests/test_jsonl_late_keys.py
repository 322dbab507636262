"""A JSON Lines key first seen after pyarrow's first read block (8 MiB): its values are read
with the rest of the file, and naming it as a column (--gold, --id-column, --text-column)
says on which line it first appears and how to make it a column, not that the file has no
such column."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main
from lf.errors import DataError
from lf.io import iter_chunks


@pytest.fixture
def late(tmp_path: Path) -> tuple[Path, int]:
    """Rows without a 'gold' key for more than 8 MiB, then rows with one; the line of the first."""
    path = tmp_path / "late.jsonl"
    filler = "good day " + "x" * 400
    rows = (9 << 20) // len(filler) + 1
    lines = [json.dumps({"id": i, "text": filler}) for i in range(rows)]
    lines += [json.dumps({"id": rows + i, "text": "bad day", "gold": "NEG"}) for i in range(3)]
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 8 << 20
    return path, rows + 1


def test_a_late_key_is_read_with_the_file(late: tuple[Path, int]) -> None:
    path, line = late
    frame = pd.concat(list(iter_chunks(path, 50_000)), ignore_index=True)
    assert frame["gold"].iloc[line - 1:].tolist() == ["NEG"] * 3
    assert frame["gold"].iloc[: line - 1].isna().all()


def test_naming_a_late_key_says_where_it_first_appears(late: tuple[Path, int], tmp_path: Path, capsys) -> None:
    path, line = late
    with pytest.raises(DataError, match=rf"has no column 'gold'.*key 'gold' from line {line:,} on.*give it the key"):
        list(iter_chunks(path, 50_000, columns=["text", "gold"]))
    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nlfs = [keyword_lf('g', ['good'], label=1), keyword_lf('b', ['bad'], label=0)]\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["label", str(path), "--lfs", str(module), "--gold", "gold", "--model", "mv", "-o",
                     str(tmp_path / "out.parquet"), "--no-progress"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and f"the key 'gold' from line {line:,} on" in err and '"gold": null' in err, err
