"""The same rows give the same labels whatever the file format, compression or engine.

Corpora of awkward rows (quotes, commas, tabs, line breaks of every kind, NUL, a BOM,
astral and combining characters, surrounding spaces, empty and missing texts, texts that
look like numbers, booleans, dates or null markers, ids with leading zeros, huge ints) are
written the way a user writes them - ``df.to_csv(index=False)``, ``to_csv(sep="\\t")``,
``to_json(orient="records", lines=True)``, ``to_parquet``, and gzip - and labeled with row
LFs that vote a digest of what they saw (the text's and the id's ``repr``) and with
keyword / regex templates. Every file must give the matrix the in-memory frame gives, and
the LFs must see the same values, with these differences, which are inherent and intended:

- CSV / TSV hold text only: an id or any other value arrives as the text written
  (``7`` as ``"7"``, ``True`` as ``"True"``), and an empty text and a missing one are both
  an empty field, read as missing (NaN). JSON Lines and Parquet keep types, nulls and
  empty strings apart, so they match the frame exactly.
- A text holding a lone ``\\r`` (not followed by ``\\n``) is written bare by ``to_csv``,
  and every reader ends a row there: lf refuses such a CSV / TSV naming the line, and so
  a text that is ``\\r`` alone in a file of one column (a blank line, its row lost). A
  bare ``\\r`` ending a text of the last column reads as part of a ``\\r\\n`` line break,
  which no reader can tell from one: that text arrives without it.
- A TSV value holding a line break followed, on its line, by a tab is refused: it is the
  mark of rows a quote that was text swallowed (see lf/_tsv_rows.py), and is told from
  a quoted value holding one by neither pyarrow nor pandas.
- A missing text reaches a row LF as NaN from every file, also from a column of missing
  values only (a frame built from None alone keeps None: it is passed as it is).

The frame split in two (an iterable of frames) and as a Dask DataFrame gives the same matrix.
Engines: the same file labeled with ``n_jobs=1`` and ``n_jobs=2``, with chunks of a few
rows (rows of one text spread over many chunks), gives the identical matrix.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lf
from lf.errors import DataError

try:
    import dask.dataframe as dd
except ImportError:  # the lf[dask] extra
    dd = None

PIECES = [
    '"', '""', ",", "\t", "\n", "\r\n", "\r", "\x00", "\ufeff", "😀", "𝔘", "e\u0301", " ",
    "NA", "null", "NaN", "None", "N/A", "true", "False", "0", "007", "-1.5e3", "2020-01-31",
    "\\ud800", "\\u0041", "{}", "[1]", "a b", "free", "\u2028", "\x85", "\x1f",
]
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(st.characters(exclude_categories=("Cs",)), max_size=4), max_size=5).map("".join)
STR_IDS = st.lists(st.sampled_from(["0", "00", "007", "7", "-0", "1e3", "NaN", "null", " 7", "x,y", 'q"'])
                   | st.integers(0, 10**6).map(str), min_size=1, max_size=8, unique=True)
INT_IDS = st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=8, unique=True)

FORMATS = {  # suffix: how a user writes it
    "csv": lambda df, p: df.to_csv(p, index=False),
    "csv.gz": lambda df, p: df.to_csv(p, index=False),
    "tsv": lambda df, p: df.to_csv(p, index=False, sep="\t"),
    "jsonl": lambda df, p: df.to_json(p, orient="records", lines=True),
    "jsonl.gz": lambda df, p: df.to_json(p, orient="records", lines=True),
    "parquet": lambda df, p: df.to_parquet(p, index=False),
}
TEXT_ONLY = ("csv", "csv.gz", "tsv")


def _digest(value: Any) -> int:
    return zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % 250


@lf.labeling_function()
def saw_text(x: Any) -> int:
    return _digest(x.text)


@lf.labeling_function()
def saw_id(x: Any) -> int:
    return _digest(getattr(x, "id", "no id column"))


@lf.labeling_function()
def saw_length(x: Any) -> int:
    return -1 if not isinstance(x.text, str) else min(len(x.text), 249)


LFS = [
    saw_text,
    saw_id,
    saw_length,
    lf.keyword_lf("words", ["na", "null", "true", "a b", "free", "😀"], 1),
    lf.keyword_lf("exact", ["NaN", "e\u0301"], 2, case_sensitive=True, whole_word=False),
    lf.regex_lf("edges", r"^\s|\s$|\r|\t|,|\"|\x00", 3),
]


def _label(data: Any, **options: Any) -> np.ndarray:
    return lf.apply(LFS, data, progress=False, cardinality=250, **options).array


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a CSV / TSV file holds it: every value its text, "" and missing alike."""
    out = frame.astype(object).map(lambda v: None if v is None or v == "" or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a JSON Lines / Parquet file gives it back: a column of missing values
    only is read as text (NaN), where a frame built from None keeps None."""
    out = frame.copy()
    for name in out.columns:
        if out[name].isna().all():
            out[name] = pd.Series(None, index=out.index, dtype="str")
    return out


def _text_file(frame: pd.DataFrame, sep: str) -> pd.DataFrame | None:
    """What a CSV / TSV written by ``to_csv`` gives of ``frame`` (see :func:`_as_text`), or
    None where lf refuses it: a \\r of a value written without quotes ending a row, or alone
    on its line. A text of the last column ending in a bare \\r loses it (\\r\\n reads as a
    line break); a quoted value keeps every \\r."""
    out = frame.copy()
    last = frame.columns[-1]
    for name in frame.columns:
        for i, v in enumerate(frame[name]):
            if not isinstance(v, str):
                continue
            bare = not any(c in v for c in (sep, '"', "\n"))  # to_csv writes it without quotes
            body = v[:-1] if name == last and bare and v.endswith("\r") else v
            if bare and ("\r" in body.replace("\r\n", "") or (v == "\r" and len(frame.columns) == 1)):
                return None
            out.iloc[i, out.columns.get_loc(name)] = body
    return _as_text(out)


def _corpus(ids: list[Any], texts: list[Any]) -> pd.DataFrame:
    n = min(len(ids), len(texts))
    return pd.DataFrame({"id": ids[:n], "text": texts[:n], "n": list(range(n))})


def _check_formats(frame: pd.DataFrame, folder: Path, engines_on: str, chunk_size: int) -> None:
    def label(data: Any, **options: Any) -> np.ndarray:
        return _label(data, id_column="id" if "id" in frame.columns else None, **options)

    expected = {"frame": label(_as_read(frame))}
    half = len(frame) // 2
    pieces = label([frame.iloc[:half], frame.iloc[half:]])  # an iterable of frames
    assert np.array_equal(pieces, label(frame)), (pieces.tolist(), label(frame).tolist())
    if dd is not None:  # Dask makes text columns string[pyarrow] (missing: pd.NA)
        spread = label(dd.from_pandas(frame, npartitions=2))
        assert np.array_equal(spread, expected["frame"]), (spread.tolist(), expected["frame"].tolist())
    for suffix, write in FORMATS.items():
        path = folder / f"rows.{suffix}"
        write(frame, path)
        held = _text_file(frame, "\t" if suffix == "tsv" else ",") if suffix in TEXT_ONLY else frame
        if held is None:
            with pytest.raises(DataError, match="carriage return"):
                label(str(path))
            continue
        if suffix == "tsv" and any(isinstance(t, str) and re.search(r"[\r\n][^\r\n]*\t", t) for t in frame["text"]):
            with pytest.raises(DataError, match="followed by tab-separated fields"):
                label(str(path))
            continue
        got = label(str(path))
        want = label(_as_read(held)) if suffix in TEXT_ONLY else expected["frame"]
        assert np.array_equal(got, want), (suffix, got.tolist(), want.tolist())
        if suffix == engines_on:  # the same file, forked workers and rows spread over chunks
            spread = label(str(path), n_jobs=2, chunk_size=chunk_size)
            assert np.array_equal(spread, got), (suffix, spread.tolist(), got.tolist())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    ids=STR_IDS | INT_IDS,
    texts=st.lists(TEXTS | st.none(), min_size=1, max_size=8),
    engines_on=st.sampled_from(sorted(FORMATS)),
    chunk_size=st.integers(1, 3),
    text_only=st.booleans(),
)
def test_every_format_gives_the_frames_labels(
    tmp_path: Path, ids: list[Any], texts: list[Any], engines_on: str, chunk_size: int, text_only: bool
) -> None:
    folder = tmp_path / f"c{zlib.crc32(repr((ids, texts)).encode('utf-8', 'surrogatepass'))}"
    folder.mkdir(exist_ok=True)
    frame = _corpus(ids, texts)
    _check_formats(frame[["text"]] if text_only else frame, folder, engines_on, chunk_size)  # one column: every line reads as a row


AWKWARD = [
    'he said "hi", ok', "line1\nline2", "crlf\r\nx", "tab\there", " lead and trail ", "", None,
    "NA", "null", "NaN", "123", "true", "2020-01-01", "\ufeffbom", "emoji 😀 e\u0301 𝔘", "nul\x00here",
    "\\ud800 is text", '"', '""', "\n", " ", "\x1f\x7f\x85\u2028",
]


@pytest.mark.parametrize("ids", [
    [f"{i:03d}" for i in range(len(AWKWARD))],
    [2**63 - 1 - i for i in range(len(AWKWARD))],
])
def test_awkward_rows_read_alike_in_every_format(tmp_path: Path, ids: list[Any]) -> None:
    _check_formats(_corpus(ids, AWKWARD), tmp_path, "csv", 2)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"id": ["1", "2", "3"], "text": ["a\rb", "c\r", "d"], "n": [1, 2, 3]}),  # refused
    pd.DataFrame({"text": ["a", "\r", "b"]}),  # refused: a blank line
    pd.DataFrame({"text": ["a", "x\r", "b"]}),  # "x" from CSV / TSV
    pd.DataFrame({"id": ["1", "2"], "text": ["\r", "y\r"]}),  # missing and "y"
    pd.DataFrame({"id": ["1", "2"], "text": ['"\r', "a\rb,"], "n": [1, 2]}),  # quoted: kept
])
def test_lone_returns_are_refused_or_documented_in_text_files_and_kept_elsewhere(tmp_path: Path, frame: pd.DataFrame) -> None:
    _check_formats(frame, tmp_path, "jsonl", 1)


def test_texts_longer_than_the_read_blocks_read_alike(tmp_path: Path) -> None:
    long = ('x "q", \t\r\n😀 ' * 130_000, "y" * (9 << 20) + "\n\u00e9")  # past 1 MiB (CSV) and 8 MiB (JSON) blocks
    _check_formats(_corpus(["01", "02", "03", "04"], ["a", long[0], "b", long[1]]), tmp_path, "csv.gz", 1)
