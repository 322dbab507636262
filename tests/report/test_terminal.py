"""The LF table in a terminal: it fits 80, 100 and 200 columns without losing LF names."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from rich.console import Console

from lf import LabelMatrix
from lf.datasets import load_wrench
from lf.models import LabelModel
from lf.report import print_report
from lf.report.terminal import plural, totals_line
from lf.summary import summarize, totals

NAMES = [f"sentiment_{i}_positive_words_in_title" if i % 3 == 0 else f"kw_{i}" for i in range(18)]


def render(L: LabelMatrix, width: int, y=None) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    print_report(summarize(L, y=y), totals(L), labels=L.labels, console=console)
    return buf.getvalue()


@pytest.fixture
def L18() -> LabelMatrix:
    rng = np.random.default_rng(0)
    return LabelMatrix(rng.integers(-1, 2, size=(300, 18)), names=NAMES, labels=["NEG", "POS"], seconds=np.full(18, 0.25))


@pytest.mark.parametrize("width", [80, 100, 200])
def test_table_fits_and_keeps_every_name(L18, width):
    y = np.random.default_rng(1).integers(0, 2, size=300)
    out = render(L18, width, y=y)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    flat = "".join(line.strip() for line in lines)  # a long name may fold over two lines
    for name in NAMES:
        assert name in flat.replace(" ", "") or name[:12] in out, name
    for name in NAMES[1:3]:  # short names stay whole on their line
        assert any(line.split()[:1] == [name] for line in lines)
    assert "0.25" in out  # seconds is shown, in a second table if need be
    assert "95%" in out and "0.25" in out


def test_two_hundred_classes(L18):
    rng = np.random.default_rng(2)
    labels = [f"class_{i:03d}" for i in range(200)]
    L = LabelMatrix(rng.integers(-1, 200, size=(400, 6)), names=NAMES[:6], labels=labels)
    out = render(L, 80)
    assert max(len(line) for line in out.splitlines()) <= 80
    assert all(name[:12] in out for name in NAMES[:6])
    assert "+195 more" in out and "200 classes" in out and "class_150" not in out


def test_counts_are_pluralised():
    assert plural(1, "row") == "1 row" and plural(2_000, "row") == "2,000 rows"
    assert plural(1, "class", "classes") == "1 class"
    t = {"rows": 1, "lfs": 1, "cardinality": 2, "coverage": 1.0, "overlap": 0.0, "conflict": 0.0}
    assert totals_line(t).startswith("1 row x 1 LF, 2 classes:")


def test_label_status_line_fits_80_columns_with_200_classes():
    import pandas as pd

    from lf.cli.labeling import _status_line

    many = pd.Series({f"class_{i:03d}": 1000 + i for i in range(200)})
    line = _status_line("labels.parquet", 201_234, 1, many, 0, "DawidSkene", 12.34)
    assert line == "wrote labels.parquet: 201,234 rows (200 classes, 1 uncovered row left out); DawidSkene; 12.3 s"
    assert len(_status_line("labels.csv", 1, None, many, 0, "LabelModel", 1.0)) <= 80
    two = _status_line("labels.csv", 1_956, None, pd.Series({"HAM": 1_005, "SPAM": 951}), 0, "LabelModel", 1.25)
    assert two == "wrote labels.csv: 1,956 rows (HAM 1,005, SPAM 951); LabelModel; 1.2 s" and len(two) <= 80
    gaps = _status_line("labels.csv", 1_956, None, pd.Series({"HAM": 1_000, "SPAM": 900}), 56, "LabelModel", 1.25)
    assert gaps == "wrote labels.csv: 1,956 rows (HAM 1,000, SPAM 900, no label 56); LabelModel; 1.2 s"


def test_long_label_names_fold_and_keep_the_lf_names():
    """Three label names of 25 characters make a polarity wider than an 80-column table
    leaves beside the names: it folds, and every LF name stays in the table."""
    from rich.cells import cell_len

    labels = ["positive_sentiment_strong", "negative_sentiment_strong", "neutral_or_mixed_opinion"]
    votes = np.array([[0, 1], [1, 1], [2, 0], [-1, 1]] * 5)
    L = LabelMatrix(votes, names=["length_based_rule", "other_rule"], labels=labels)
    out = render(L, 80)
    lines = out.splitlines()
    assert max(map(cell_len, lines)) <= 80
    firsts = [line.split()[0] for line in lines if line.split()]
    assert firsts.count("length_based_rule") == 2 and firsts.count("other_rule") == 2  # in both tables
    assert "…" not in out and "neutral_or_mixed_opinion" in out


def test_wide_characters_count_two_columns():
    """CJK and emoji take two terminal cells each: names and labels in them keep to the width."""
    from rich.cells import cell_len

    labels = ["火腿火腿火腿火腿火腿火腿火腿火腿😀", "垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾垃圾😀😀"]
    names = ["中文中文中文中文中文中文中文中文中文中文中文中文😀", "short"]
    L = LabelMatrix(np.array([[0, 1], [1, -1], [-1, 0]] * 4), names=names, labels=labels)
    out = render(L, 80)
    assert max(map(cell_len, out.splitlines())) <= 80
    tables = out.count("Labeling functions")
    assert sum(line.split()[:1] == ["short"] for line in out.splitlines()) == tables
    assert "…" not in out  # no number or label cut short


def test_a_continued_tables_title_stays_on_one_line(datasets_dir):
    # WRENCH chemprot at 80 columns: the second table (learned accuracy, seconds) was
    # narrower than "Labeling functions (2/2)", which folded onto two lines.
    w = load_wrench(str(datasets_dir / "chemprot"), "test")
    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=False, color_system=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fit's own notes
        model = LabelModel().fit(w.L)
    print_report(summarize(w.L, y=w.y, model=model), totals(w.L), labels=w.L.labels, console=console)
    out = buf.getvalue()
    assert "Labeling functions (1/2)" in out and "Labeling functions (2/2)" in out


def test_an_lf_wrong_once_in_5000_rows_is_not_shown_as_perfect():
    """An LF right on 4,999 of its 5,000 gold rows, and voting on 3 of 100,000 rows, showed
    acc 1.000 with the interval 1.00-1.00, and coverage 0.000: at 80 columns, where the
    incorrect column is left out, nothing said it was ever wrong or ever voted."""
    n = 100_000
    A = np.full((n, 2), -1)
    A[:5000, 0] = 1
    A[:3, 1] = 0
    y = np.ones(n, dtype=int)
    y[0] = 0  # lf 0 is wrong on row 0
    out = render(LabelMatrix(A, names=["sure", "rare"], labels=["NEG", "POS"]), 80, y=y)
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip().startswith(("sure ", "rare "))}
    assert rows["sure"][1:8] == ["POS", "0.050", "0.00003", "0.00003", "0.9998", "5000", "0.99-1.00"]
    assert rows["rare"][1:3] == ["NEG", "0.00003"]


def test_a_matrix_without_rows_shows_no_coverage_rather_than_nan():
    """Its totals line printed 'coverage nan, overlap nan, conflict nan': no row was
    measured, shown as "-" as the HTML page and the JSON (null) show it."""
    out = " ".join(render(LabelMatrix(np.full((0, 3), -1), labels=["NEG", "POS"]), 80).split())
    assert "coverage -, overlap -, conflict -" in out and "nan" not in out


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize("gold", [False, True])
def test_the_table_reads_the_typed_record_as_it_reads_the_summary(L18, width, gold):
    # the report's numbers travel as one record of per-LF arrays (lf.report.record): the table
    # printed from it is the table printed from summarize()'s DataFrame, missing values included
    from lf.report.record import record_of

    y = np.random.default_rng(1).integers(0, 2, size=300) if gold else None
    summary = summarize(L18, y=y)
    outs = []
    for given in (summary, record_of(summary)):
        buf = io.StringIO()
        print_report(given, totals(L18), labels=L18.labels, console=Console(file=buf, width=width, force_terminal=False, color_system=None))
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]
    assert ("95%" in outs[1]) is gold and "0.25" in outs[1]
