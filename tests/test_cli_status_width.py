"""Status lines and notes keep to the terminal's cells, and LF names in them stay literal."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from lf.cli import main
from lf.cli._shared import _console, say

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"


def test_a_status_line_of_wide_characters_keeps_to_80_cells(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """CJK and emoji take two cells each: a line wrapped by characters ran to 100 cells."""
    monkeypatch.setenv("COLUMNS", "80")
    label = "垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾😀😀"
    say(_console(), f"wrote out.parquet: 2,000 rows (火腿火腿火腿火腿火腿火腿 1,159, {label} 711, no label 130); LabelModel; 0.5 s")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and max(map(cell_len, lines)) <= 80
    assert label in lines[1]  # a word is never cut


def test_dependent_pairs_show_control_characters_as_escapes(tmp_path: Path, capsys) -> None:
    """The pairs --dependencies auto found printed an LF name's ANSI sequence raw: a
    terminal turned the rest of the line red (or worse: cursor moves, a changed title)."""
    module = tmp_path / "lfs.py"
    source = (ROOT / "labeling_functions" / "demo_spam.py").read_text()
    module.write_text(source.replace('keyword_lf("promo_words"', 'keyword_lf("promo\\x1b[31mRED"'))
    args = ["label", str(DEMO), "--lfs", str(module), "-o", str(tmp_path / "o.parquet"), "--dependencies", "auto"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "dependent LFs (found):" in err
    assert "\x1b" not in err and "promo\\x1b[31mRED" in err


def test_a_line_break_or_tab_in_an_lf_name_is_shown_as_an_escape_in_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An LF named "promo\\nspam" took two lines of the report's table, the second one a
    row of its own ("spam" and no numbers: an LF that never voted); a tab became spaces."""
    monkeypatch.setenv("COLUMNS", "80")
    module = tmp_path / "lfs.py"
    module.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SP\\tAM']\n"
        "a = keyword_lf('promo\\nspam', ['subscribe'], 1)\nb = keyword_lf('song\\ttalk', ['song'], 0)\n"
        "c = keyword_lf('love', ['love'], 0)\n"
    )
    assert main(["report", str(DEMO), "--lfs", str(module), "--model", "MajorityVoter"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(" promo\\nspam ") for line in out), out
    assert any(line.startswith(" song\\ttalk ") for line in out), out
    assert not any(line.strip().startswith(("spam", "talk")) for line in out)
    assert main(["rows", str(DEMO), "--lfs", str(module), "--lf", "promo\nspam", "-n", "1"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.endswith("  promo\\nspam=SP\\tAM") and "\t" not in head
