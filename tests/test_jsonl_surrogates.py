"""A JSON Lines string escaping a lone surrogate (``"a\\ud800b"``) is an error naming the
file and the line, from the library and the CLI; a surrogate pair is the one character
it escapes.

Before, pyarrow refused the line, Python's parser read it into a str no UTF-8 text can
hold, and `lf apply` ended in an internal error (UnicodeEncodeError from pyarrow).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _csv_files import (
    has_buy,
    refused_in_one_line,
)

import lf
from lf.errors import DataError
from lf.io import read_columns

LONE = '{"id": 1, "text": "buy"}\n{"id": 2, "text": "a\\ud800b"}\n{"id": 3, "text": "ok"}\n'


@pytest.mark.parametrize(
    ("line", "escape"),
    [('{"id": 2, "text": "a\\ud800b"}', "\\ud800"), ('{"id": 2, "text": "a\\uDC00"}', "\\udc00"),
     ('{"id": 2, "meta": {"n\\ud83d": 1}}', "\\ud83d")],
)
def test_a_lone_surrogate_is_an_error_naming_the_line(line: str, escape: str, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": 1, "text": "buy"}\n' + line + "\n")
    with pytest.raises(DataError, match=rf"t\.jsonl.*line 2 escapes a lone surrogate \({escape.replace(chr(92), chr(92) * 2)}\)"):
        lf.apply([has_buy], path)


def test_the_column_names_are_read_with_the_same_check(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"a\\udfff": 1}\n')
    with pytest.raises(DataError, match=r"line 1 escapes a lone surrogate"):
        read_columns(path)


def test_a_surrogate_pair_is_its_character(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": 1, "text": "buy \\ud83d\\ude00"}\n{"id": 2, "text": "caf\\u00e9"}\n')
    frame = next(iter(lf.io.iter_chunks(path, 10)))
    assert frame["text"].tolist() == ["buy \U0001f600", "café"]
    assert lf.apply([has_buy], path).array[:, 0].tolist() == [1, -1]


def test_cli_says_it_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "t.jsonl"
    data.write_text(LONE)
    err = refused_in_one_line(capsys, tmp_path, "apply", data, tmp_path / "L.parquet")
    assert "t.jsonl" in err and "line 2" in err and "internal error" not in err
