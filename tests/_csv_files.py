"""A small LF and text data files (compressed by suffix) for the CSV / TSV reading tests."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

from lf import ABSTAIN, labeling_function

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
