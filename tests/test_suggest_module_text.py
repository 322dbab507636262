"""The module `lf suggest` writes stays a module whatever the label names and the path of
the labeled rows hold: quotes, backslashes, line breaks and bidi controls are escaped."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.suggest import suggest

HOSTILE = ('sp"""am\nraise SystemExit(7)', "ham\\N\u202e")
SOURCE = 'C:\\new\\x"""y.csv'


def _labeled() -> pd.DataFrame:
    rows = [{"text": f"free money now {i}" if i % 2 else f"great song here {i}", "gold": HOSTILE[0] if i % 2 else HOSTILE[1]} for i in range(120)]
    return pd.DataFrame(rows)


def test_hostile_label_names_and_path_neither_break_nor_inject_code(tmp_path: Path) -> None:
    labeled = _labeled()
    found = suggest(labeled, labeled, "gold")
    assert len(found) >= 2
    path = tmp_path / "suggested.py"
    found.write(str(path), source=SOURCE)
    spec = importlib.util.spec_from_file_location("suggested", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a SyntaxError or the injected SystemExit would raise here
    assert module.LABELS == sorted(HOSTILE)
    doc = module.__doc__ or ""
    assert f"({SOURCE})" in doc.splitlines()[0]  # the path reads back exactly
    assert "raise SystemExit(7)" in doc and "\\x0a" in doc and "\\u202e" in doc  # shown, escaped
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("# -- ")]
    assert len(headers) == 2 and all(lines[i + 1].startswith("# precision") for i in headers)  # one line each
    assert "\u202e" not in text  # no raw bidi control anywhere in the source
    lfs = lf.load_lfs(str(path))
    assert lfs.labels == tuple(sorted(HOSTILE)) and len(lfs) == len(found)


@pytest.mark.parametrize(("label", "text"), [("labels", "free money now"), ("keyword", "lf")])
def test_names_made_from_labels_do_not_replace_the_modules_own(tmp_path: Path, label: str, text: str) -> None:
    """The constant ``LABELS`` (for the label "labels") would replace the list; the LF
    ``keyword_lf`` (label "keyword", keyword "lf") the function the next LFs call."""
    rows = [{"text": f"{text} {i}" if i % 2 else f"great song here {i}", "gold": label if i % 2 else "other"} for i in range(120)]
    labeled = pd.DataFrame(rows)
    path = tmp_path / "suggested.py"
    suggest(labeled, labeled, "gold").write(str(path))
    lfs = lf.load_lfs(str(path))
    assert lfs.labels == tuple(sorted((label, "other")))
    L = lf.apply(lfs, labeled, progress=False)
    votes = {lfs.labels[v] for v in L.array.ravel().tolist() if v >= 0}
    assert votes == {label, "other"}


def test_the_status_line_shows_control_characters_of_label_names_as_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "wrote x.py: 2 LFs (sp\x1b[31mam 1, ...)" recoloured the terminal; an OSC 8 name made a link
    names = ("sp\x1b[31mam", "ha\x1b]8;;http://evil\x07m")
    rows = [{"text": f"free money now {i}" if i % 2 else f"great song here {i}", "gold": names[i % 2 == 0]} for i in range(120)]
    pd.DataFrame(rows).to_csv(tmp_path / "labeled.csv", index=False)
    out_py = tmp_path / "suggested.py"
    from lf.cli import main

    assert main(["suggest", str(tmp_path / "labeled.csv"), "--gold-data", str(tmp_path / "labeled.csv"), "--gold", "gold", "-o", str(out_py)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"wrote {out_py}") and "\x1b" not in err and "\x07" not in err
    assert "sp\\x1b[31mam" in err and "ha\\x1b]8;;http://evil\\x07m" in err


def test_figures_strictly_between_0_and_1_never_read_as_0_or_1() -> None:
    """399 right of 400 is not a perfect 1.00, an LF on 3 of 100,000 rows does not cover
    0.000 of them, and a label share of 0.998 is not all the rows."""
    from lf._suggest_module import render
    from lf.suggest import Suggestion, Suggestions, wilson_interval

    low, high = wilson_interval(399, 400)  # 0.986-0.9996
    item = Suggestion("spam_free", "keyword", "free", 1, 399, 400, low, high, 3 / 100_000)
    text = render(Suggestions((item,), ("HAM", "SPAM"), (0.002, 0.998), 1_000, 100_000))
    line = next(x for x in text.splitlines() if x.startswith("# precision"))
    assert line.startswith("# precision 399/400 = 0.998 (95% interval 0.99-")
    assert line.endswith("coverage 0.00003")
    assert "HAM 0.002, SPAM 0.998" in text
