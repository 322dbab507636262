"""A CSV value that swallowed rows of the file (a quote that was text, read as quoting up
to a quote lines later) is an error naming the file and the lines, not fewer rows.

Before the check, ``7,"he said,0`` ... ``10,x",1`` read as one row: the matrix had fewer
rows than the file, and every later row's labels sat beside other rows. Values that hold
line breaks as text (quoted, with commas in their lines) and quotes inside unquoted
values still read every row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from _csv_files import (
    assert_reads_every_row,
    has_buy,
    many_rows,
    refused_in_one_line,
    write_data,
)

import lf
from lf.errors import DataError
from lf.io import iter_chunks

MERGED = {
    "middle_column": ("t.csv", 'id,text,label\n1,hi,0\n7,"he said,0\n8,buy,0\n9,more,1\n10,x",1\n11,y,0\n', 3, 6),
    "last_column": ("t.csv", 'id,text\n1,"hi\n2,buy now\n3,ok"\n4,z\n', 2, 4),
    "one_row_swallowed": ("t.csv", 'id,text,label\n1,hi,0\n2,"he said,0\n3,buy",1\n4,y,0\n', 3, 4),
    "crlf": ("t.csv", 'id,text\r\n1,"hi\r\n2,buy now\r\n3,ok"\r\n4,z\r\n', 2, 4),
    "cr_only": ("t.csv", 'id,text\r1,"hi\r2,buy now\r3,ok"\r4,z\r', 2, 4),
    "blank_line_inside": ("t.csv", 'id,text\n1,"hi\n\n2,buy now\n3,ok"\n4,z\n', 2, 5),
    "compressed": ("t.csv.bz2", 'id,text\n1,"hi\n2,buy now\n3,ok"\n4,z\n', 2, 4),
    "text_ids": ("t.csv", 'id,text\na1,"hi\nb2,buy now\nc3,ok"\nd4,z\n', 2, 4),
    # the stray quote ends at the opening quote of a quoted value rows later: 'he said,1\n3,buy now,0\n4,more"'
    "closed_by_a_quoted_value": ("t.csv", 'id,text,label\n1,hi,0\n2,"he said,1\n3,buy now,0\n4,"more here",1\n5,y,0\n', 3, 5),
    # ... one with quotes in it: what follows the quote that ended the value is read into it
    "closed_by_a_value_with_quotes": ("t.csv", 'id,text,label\n1,hi,0\n2,"he said,1\n3,buy now,0\n4,"a ""b"" c",1\n5,y,0\n', 3, 5),
}


@pytest.mark.parametrize("case", sorted(MERGED))
def test_a_value_holding_rows_is_an_error_naming_the_lines(case: str, tmp_path: Path) -> None:
    name, text, first, last = MERGED[case]
    path = write_data(tmp_path / name, text)
    with pytest.raises(DataError, match=rf"{name}.*'text' value at line {first} \(to line {last}\) holds lines that read as rows"):
        lf.apply([has_buy], path)


def test_the_error_comes_from_a_later_chunk_too(tmp_path: Path) -> None:
    changed = {25_000: '25000,"he said,0', 25_002: '25002,x",0'}
    path = many_rows(tmp_path / "t.csv", "id,text,label", "{i},row {i},0", 30_000, changed)
    with pytest.raises(DataError, match=r"line 25,002 \(to line 25,004\)"):
        list(iter_chunks(path, 1_000))


FIRST_COLUMN = {
    "text": ('text,label\nhi there,0\n"Great song,1\nbuy it now,1\nmore of this,0\nx",1\ny z,0\n', "text", 3, 6),
    "names": ('text,label\nhi there,HAM\n"Great song,SPAM\nbuy now,SPAM\nmore,HAM\nx",SPAM\ny z,HAM\n', "text", 3, 6),
    "ids": ('id,text,label\n1,hi there,0\n"7,he said,1\n8,buy now,0\n9,more,1\n10",x y,1\n11,y z,0\n', "id", 3, 6),
    "closed_by_a_quoted_value": ('text,label\nhi there,0\n"he said,1\nbuy now,0\n"more here",1\ny z,0\n', "text", 3, 5),
}


@pytest.mark.parametrize("case", sorted(FIRST_COLUMN))
def test_a_first_column_value_holding_rows_is_an_error_naming_the_lines(case: str, tmp_path: Path) -> None:
    """A stray quote opening a line swallowed the rows after it unseen (the check skipped
    the first column): 2 rows read for 5."""
    text, column, first, last = FIRST_COLUMN[case]
    path = write_data(tmp_path / "t.csv", text)
    with pytest.raises(DataError, match=rf"t\.csv.*'{column}' value at line {first} \(to line {last}\) holds lines that read as rows"):
        lf.apply([has_buy], path)


WELL_FORMED = {
    "quote_inside_an_unquoted_value": (
        'id,text,label\n1,hi,0\n7,he said "buy" to me,1\n8,after,0\n',
        ["hi", 'he said "buy" to me', "after"],
    ),
    "letter_with_commas": (
        'id,text\n1,"Dear John,\nI can, sure\nThanks, Bob"\n2,buy\n',
        ["Dear John,\nI can, sure\nThanks, Bob", "buy"],
    ),
    "lines_with_numbers": ('id,text\n1,"Prices:\n3, 4 or 5\nbuy"\n2,ok\n', ["Prices:\n3, 4 or 5\nbuy", "ok"]),
    "quoted_quotes_over_lines": ('id,text\n1,"a ""b""\nc,d"\n2,buy\n', ['a "b"\nc,d', "buy"]),
    "first_column_letter": ('text,label\n"Dear all,\nI said, yes\nBob",SPAM\nbuy,HAM\n', ["Dear all,\nI said, yes\nBob", "buy"]),
    "first_column_lines_with_numbers": ('text,label\n"Prices:\n3,4\nbuy",1\nok,0\n', ["Prices:\n3,4\nbuy", "ok"]),
    # a text's last line starting as an id would: no rest of a row on its first line
    "number_then_comma_on_a_later_line": (
        'id,text,label\n4462,"Thank you for your instagr\n2,124923004 views... wow",1\n4463,buy,0\n',
        ["Thank you for your instagr\n2,124923004 views... wow", "buy"],
    ),
    # a first line that splits as a row, but not into values like the label column's
    "thousands_in_the_first_column": (
        'text,label,id\n"so close to 14,000,00\nthe best",0,1\nbuy,0,2\nok,0,3\nhi,0,4\nyo,0,5\nno,0,6\n',
        ["so close to 14,000,00\nthe best", "buy", "ok", "hi", "yo", "no"],
    ),
    "first_column_rows_of_other_kinds": ('text,label\n"Top 3,1\nfour, five,7\nbuy",1\nok,0\n', ["Top 3,1\nfour, five,7\nbuy", "ok"]),
}


@pytest.mark.parametrize("case", sorted(WELL_FORMED))
def test_values_with_line_breaks_or_quotes_read_every_row(case: str, tmp_path: Path) -> None:
    assert_reads_every_row(tmp_path / "t.csv", *WELL_FORMED[case])


@pytest.mark.parametrize("command", ["apply", "label"])
def test_cli_names_the_file_and_line_in_one_line(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_data(tmp_path / "t.csv", MERGED["middle_column"][1])
    out = tmp_path / ("L.parquet" if command == "apply" else "labels.csv")
    err = refused_in_one_line(capsys, tmp_path, command, data, out)
    assert "t.csv" in err and "line 3 (to line 6)" in err


def test_a_tsv_value_holding_rows_names_the_lines_not_a_row_position(tmp_path: Path) -> None:
    """The TSV error named the merged row's position among the rows ("row position 1"),
    which is no line of the file: a blank line, or a value holding line breaks before it,
    puts it elsewhere."""
    text = 'label\ttext\nham\t"a\nb"\n\nspam\t"Win now\nham\tok then\nham\tfi"ne\nham\tlast\n'
    path = write_data(tmp_path / "t.tsv", text)
    with pytest.raises(DataError, match=r"t\.tsv' as TSV: the 'text' value at line 5 \(to line 7\) holds line breaks"):
        lf.apply([has_buy], path)


@pytest.mark.parametrize(("name", "text", "where"), [
    ("t.tsv", 'label\ttext\nham\thi there\nspam\t"Win now\nham\tok then\nham\tfine"\tx\nham\tlast\n', "line 3 (to line 5)"),
    ("t.csv", 'id,text\n1,"a\nb"\n2,hi,extra\n3,ok\n', "line 4"),
])
def test_a_row_with_too_many_fields_is_named_by_its_lines(name: str, text: str, where: str, tmp_path: Path) -> None:
    """The parser's "Expected 2 columns, got 3" quotes the row's text (a stray quote's
    swallowed rows, over lines), not where it is in the file."""
    path = write_data(tmp_path / name, text)
    with pytest.raises(DataError, match=rf"as {name[2:].upper()}: {re.escape(where)}: CSV parse error: .*Expected 2 columns, got 3"):
        lf.apply([has_buy], path)


def test_a_one_column_file_with_texts_over_several_lines_reads_every_row(tmp_path: Path) -> None:
    texts = ["hello\nworld", "c", "r\r\n", "Dear all,\nyes\n\nBob"]
    pd.DataFrame({"text": texts}).to_csv(tmp_path / "t.csv", index=False)  # every line of a value reads as a row of one field
    assert pd.concat(list(iter_chunks(str(tmp_path / "t.csv"), 10)))["text"].tolist() == texts  # was refused
