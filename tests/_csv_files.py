"""A small LF and text data files (compressed by suffix) for the CSV / TSV / JSON Lines
reading tests, and the checks those tests share."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path
from typing import Any

import lf
from lf import ABSTAIN, labeling_function
from lf.cli import main
from lf.io import iter_chunks

BUY_LF_MODULE = (
    "from lf import ABSTAIN, labeling_function\n\n@labeling_function()\ndef buy(x):\n"
    "    return 1 if 'buy' in x.text else ABSTAIN\n"
)


@labeling_function()
def has_buy(x):
    return 1 if "buy" in x.text else ABSTAIN


def write_data(path: Path, text: str) -> Path:
    """``text`` at ``path`` as UTF-8, gzip- or bz2-compressed when its suffix says so."""
    data = text.encode()
    packed = {".gz": gzip.compress, ".bz2": bz2.compress}.get(path.suffix, lambda b: b)(data)
    path.write_bytes(packed)
    return path


def many_rows(path: Path, header: str, row: str, n: int, changed: dict[int, str]) -> Path:
    """A CSV of ``header`` and ``n`` lines ``row.format(i=i)``, line ``i`` of ``changed`` replaced."""
    lines = [changed.get(i, row.format(i=i)) for i in range(n)]
    return write_data(path, header + "\n" + "\n".join(lines) + "\n")


def assert_reads_every_row(path: Path, text: str, expected: list[str]) -> None:
    """``text`` written at ``path`` reads as the ``expected`` texts, and lf.apply labels
    that many rows."""
    import pandas as pd

    write_data(path, text)
    assert pd.concat(list(iter_chunks(path, 10)))["text"].tolist() == expected
    assert len(lf.apply([has_buy], path)) == len(expected)


def refused_in_one_line(capsys: Any, tmp_path: Path, command: str, data: Path, out: Path) -> str:
    """Run ``lf COMMAND`` (apply, or label with MajorityVoter) with the buy LF on ``data``:
    it must exit 2 with one line on stderr and write no ``out``. Returns that line."""
    lfs = tmp_path / "lfs.py"
    lfs.write_text(BUY_LF_MODULE)
    extra = ["--model", "MajorityVoter"] if command == "label" else []
    code = main([command, "--lfs", str(lfs), str(data), "-o", str(out), *extra])
    err: str = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert not out.exists()
    return err
