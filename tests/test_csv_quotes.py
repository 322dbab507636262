"""A quote opened in a CSV / TSV file's last column and never closed is one clear error.

Without the check, every row after the stray quote became part of one cell: the matrix
silently had fewer rows than the file. Well-formed quoting (line breaks and escaped quotes
inside quoted values, CRLF, blank lines at the end) still reads every row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _csv_files import (
    assert_reads_every_row,
    has_buy,
    refused_in_one_line,
    write_data,
)

import lf
from lf.errors import DataError
from lf.io import iter_chunks

UNCLOSED = {
    "csv": ("t.csv", 'id,text\n1,"hi\n2,buy now\n3,ok\n', "line 2 (to line 4)"),
    "tsv": ("t.tsv", 'id\ttext\n0\tok\n\n1\t"hi\n2\tbuy now\n', "line 4 (to line 5)"),
    "escaped_quotes_before_the_end": ("t.csv", 'id,text\n1,"hi\n2,say ""buy""\n', "line 2 (to line 3)"),
    "crlf": ("t.csv", 'id,text\r\n1,"hi\r\n2,buy\r\n', "line 2 (to line 3)"),
    "gzip": ("t.csv.gz", 'id,text\n1,"hi\n2,buy now\n', "line 2 (to line 3)"),
}


@pytest.mark.parametrize("case", sorted(UNCLOSED))
def test_an_unclosed_quote_is_an_error_naming_its_line_not_fewer_rows(case: str, tmp_path: Path) -> None:
    name, text, where = UNCLOSED[case]
    path = write_data(tmp_path / name, text)
    with pytest.raises(DataError, match=rf"quote opened in its last column at {re.escape(where)} is never closed"):
        lf.apply([has_buy], path)


def test_the_check_holds_when_the_last_column_is_not_read(tmp_path: Path) -> None:
    path = write_data(tmp_path / "t.csv", 'text,id\nbuy,"1\nhi,2\n')
    with pytest.raises(DataError, match=r"never closed"):
        list(iter_chunks(path, 10, columns=["text"]))


WELL_FORMED = {
    "line_break_in_last_value": ('id,text\n1,"hi\nthere"\n2,buy\n', ["hi\nthere", "buy"]),
    "escaped_quotes_end_the_file": ('id,text\n1,"a\nb ""buy"""\r\n', ['a\nb "buy"']),
    "blank_lines_after": ('id,text\n1,"x\ny"\n2,"buy\n"\n\n\n', ["x\ny", "buy\n"]),
    "quote_inside_unquoted_value": ('id,text\n1,5" screen\n2,buy\n', ['5" screen', "buy"]),
}


@pytest.mark.parametrize("case", sorted(WELL_FORMED))
def test_well_formed_quoting_reads_every_row(case: str, tmp_path: Path) -> None:
    assert_reads_every_row(tmp_path / "t.csv", *WELL_FORMED[case])


def test_cli_reports_an_unclosed_quote_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_data(tmp_path / "t.csv", 'id,text\n1,"hi\n2,buy now\n')
    err = refused_in_one_line(capsys, tmp_path, "label", data, tmp_path / "labels.parquet")
    assert "never closed" in err and "t.csv" in err
