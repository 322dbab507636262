"""A text holding a lone carriage return, written by ``DataFrame.to_csv`` (which quotes only
values holding ``\\n``), is refused naming its line, never read as other rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.errors import DataError
from lf.io import iter_chunks


def _read(path: Path) -> pd.DataFrame:
    return pd.concat(list(iter_chunks([str(path)], 2)), ignore_index=True)


@pytest.mark.parametrize("suffix", ["csv", "tsv", "csv.gz"])
def test_a_bare_return_in_a_one_column_file_is_not_a_row_break(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows.{suffix}"
    pd.DataFrame({"text": ["first", "a\rb", "c"]}).to_csv(path, index=False, sep="\t" if suffix == "tsv" else ",")
    with pytest.raises(DataError, match=r"line 3 holds a carriage return \(\\r\) outside quotes.*QUOTE_ALL"):
        _read(path)  # was: four rows, "a" and "b" apart, "c" moved down one
    with pytest.raises(DataError, match="line 3"):
        lf.apply([lf.keyword_lf("b", ["b"], 1)], str(path), progress=False)


def test_a_lone_return_cut_by_the_read_block_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    texts = ["x" * 900_000, "y" * 148_570 + "\rz", "ok"]  # the \r falls near the 1 MiB block's end
    pd.DataFrame({"text": texts}).to_csv(path, index=False)
    with pytest.raises(DataError, match="line 3 holds a carriage return"):
        _read(path)


def test_lines_ending_in_crlf_in_a_newline_file_are_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(b'id,text\n1,"a\rb"\n2,c\r\n3,"d\r\ne"\r\n')  # mixed line ends, as files joined
    assert _read(path)["text"].tolist() == ["a\rb", "c", "d\r\ne"]


def test_a_row_cut_short_by_a_bare_return_names_the_cause(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": ["x", "a\rb"], "id": ["1", "2"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"line 3 holds a carriage return.*to_csv"):
        _read(path)  # was: "Expected 2 columns, got 1", with no word of the \r


def test_returns_in_quoted_values_and_crlf_files_read_as_written(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["1", "2", "3"], "text": ["a\r\nb", "c\rd", "e\r"]})
    written = [
        (tmp_path / "all.csv", {"quoting": csv.QUOTE_ALL}),
        (tmp_path / "crlf.csv", {"lineterminator": "\r\n"}),
        (tmp_path / "crlf.tsv", {"lineterminator": "\r\n", "sep": "\t"}),
    ]
    for path, options in written:
        frame.to_csv(path, index=False, **options)  # type: ignore[call-overload]
        assert _read(path)["text"].tolist() == frame["text"].tolist(), path.name


def test_a_bare_return_after_quoted_ones_is_found(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": ["q\rq, quoted", "r\r\n", "a\rb"]}).to_csv(path, index=False)  # two quoted, then one bare
    with pytest.raises(DataError, match="line 5 holds a carriage return"):
        _read(path)


@pytest.mark.parametrize("texts", [["a", "\r", "b"], ["a", "b", "\r"]])
def test_a_text_that_is_a_return_alone_is_not_a_lost_row(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "rows.csv"
    pd.DataFrame({"text": texts}).to_csv(path, index=False)  # "\r\n": a blank line to a reader
    line = 2 + texts.index("\r")
    with pytest.raises(DataError, match=f"line {line} holds a carriage return.*its row lost"):
        _read(path)  # was: two rows, "b" in the place of the lost one
