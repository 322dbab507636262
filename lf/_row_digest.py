"""A digest of the texts a labels file was made from, in its row order.

``lf label`` writes it into a Parquet labels file's footer; ``lf train`` recomputes it
from the data rows it matched the labels to (by id or by position) and refuses labels
made from other rows: another file, the same file reordered or filtered. The digest is
order-dependent (label row ``j`` and the text it was made from) and additive, so it is
built chunk by chunk in flat memory and needs no per-row state.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "FOOTER_KEY", "RowDigest", "as_text", "missing", "model_texts", "pass_sides", "read_footer", "text_hashes", "texts_digest",
]

FOOTER_KEY = b"lf_rows"
SCHEME = "text-siphash-1"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
U64 = npt.NDArray[np.uint64]


def text_hashes(values: Sequence[Any] | npt.NDArray[Any]) -> U64:
    """One 64-bit hash per text, as the end model reads it (:func:`model_texts`)."""
    from pandas.util import hash_array

    return np.asarray(hash_array(model_texts(values), categorize=False), dtype=np.uint64)


def model_texts(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The texts the end model reads (``lf train``, ``lf predict``) and the digest is made of:
    a missing value is ``""``, bytes their UTF-8 text, anything else ``str`` of it."""
    texts = as_text(values)
    texts[missing(texts)] = ""
    return texts


def missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which values are missing (None, NaN, pandas' NA or NaT)."""
    import pandas as pd

    return np.asarray(pd.isna(values), dtype=bool)


def as_text(values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The values as an object array of ``str`` (missing values left as they are): ``7``
    becomes ``"7"``, ``1.0`` ``"1.0"``, bytes their UTF-8 text (as pandas' ``astype(str)``,
    which the end model reads, decodes them). Text stays as it is, without a call per value."""
    from pandas.api.types import infer_dtype

    out = np.empty(len(values), dtype=object)
    out[:] = values
    if len(out) and infer_dtype(out, skipna=True) != "string":
        known = ~missing(out)
        out[known] = [v if isinstance(v, str) else _text(v) for v in out[known]]
    return out


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _mix(x: U64) -> U64:
    """The splitmix64 finaliser: every bit of ``x`` moves every bit of the result."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(x ^ (x >> np.uint64(31)), dtype=np.uint64)


def texts_digest(hashes: U64, start: int = 0) -> int:
    """The digest of texts at label rows ``start, start + 1, ...`` (their hashes)."""
    rows = np.arange(start, start + len(hashes), dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(_mix(hashes + rows * _GOLDEN).sum(dtype=np.uint64))


class RowDigest:
    """The digest of every row and of the rows some LF voted on (what ``filter_abstain``
    writes), added to chunk by chunk in row order."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.rows = self.covered = 0
        self._all = self._cov = 0

    def add(self, hashes: U64, votes: npt.NDArray[Any]) -> None:
        covered = (votes != -1).any(axis=1) if votes.ndim == 2 and votes.shape[1] else np.zeros(len(hashes), bool)
        self._all = (self._all + texts_digest(hashes, self.rows)) % (1 << 64)
        self._cov = (self._cov + texts_digest(hashes[covered], self.covered)) % (1 << 64)
        self.rows += len(hashes)
        self.covered += int(covered.sum())

    def footer(self, filter_abstain: bool) -> dict[bytes, bytes]:
        """The footer entry of a labels file holding every row, or only the covered ones."""
        rows, digest = (self.covered, self._cov) if filter_abstain else (self.rows, self._all)
        record = {"scheme": SCHEME, "rows": rows, "text_column": self.column, "digest": f"{digest:016x}"}
        return {FOOTER_KEY: json.dumps(record).encode()}


def pass_sides(corpus: Any, text_column: str | None, gold: str | None, gold_check: Any) -> tuple[dict[str, str], dict[str, Any], RowDigest | None]:
    """The data columns a labeling pass keeps besides the ids (``sides`` and ``convert`` of
    :class:`lf.apply.run.Pass`): gold (checked), and the texts' hashes for the digest of the
    rows, when the data has the text column; and that digest to add the chunks to."""
    sides, convert = ({"gold": gold}, {"gold": gold_check}) if gold is not None else ({}, {})
    column = text_column or "text"
    if column not in (corpus.columns() or ()):
        return sides, convert, None
    sides["rowhash"], convert["rowhash"] = column, lambda values, first_row: text_hashes(values)
    return sides, convert, RowDigest(column)


def read_footer(labels: Any) -> dict[str, Any] | None:
    """The digest record of a Parquet labels or matrix file, or of a .npz matrix (None: not
    a file path, not one of those, no record, or a record of another scheme)."""
    import os

    suffix = Path(labels).suffix.lower() if isinstance(labels, (str, os.PathLike)) else None
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            meta = pq.read_metadata(labels).metadata or {}
            record = json.loads(meta[FOOTER_KEY]) if FOOTER_KEY in meta else None
        elif suffix == ".npz":
            with open(labels, "rb") as fh, np.load(fh, allow_pickle=False) as z:
                key = FOOTER_KEY.decode()
                record = json.loads(str(z[key])) if key in z.files else None
        else:
            return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None  # reading the labels themselves names the problem
    if not isinstance(record, dict) or record.get("scheme") != SCHEME:
        return None
    return record
