"""`lf suggest` reads the hand-labeled rows as users keep them: a Parquet gold column of
class ids with blanks for the unlabeled rows, one label only, or no rows at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError
from lf.suggest import suggest


def _corpus(n: int = 200) -> pd.DataFrame:
    """Spam says 'free' or 'winner', ham says 'song'; the first 80 rows carry a class id."""
    rows = []
    for i in range(n):
        spam = i % 2 == 1
        cue = ("free" if i % 4 == 1 else "winner") if spam else "song"
        rows.append({"id": i, "text": f"the video {cue} today", "gold": float(spam) if i < 80 else np.nan})
    return pd.DataFrame(rows)


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    path = tmp_path / "mine.py"
    path.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nx = keyword_lf('x', ['zzz'], 1)\n")
    return path


def test_class_ids_in_a_column_with_blanks_are_ids_not_names(tmp_path: Path, existing: Path) -> None:
    data = tmp_path / "data.parquet"
    _corpus().to_parquet(data)
    assert pd.read_parquet(data)["gold"].dtype == np.float64  # the blanks make the ids 0.0 / 1.0
    found = suggest([str(data)], [str(data)], "gold")
    assert found.labels == ("0", "1") and found.n_labeled == 80
    with_lfs = suggest([str(data)], [str(data)], "gold", lfs=str(existing))
    assert with_lfs.labels == ("HAM", "SPAM")
    assert {(s.pattern, s.label) for s in with_lfs.items} >= {("song", 0), ("free", 1), ("winner", 1)}
    module = tmp_path / "suggested.py"
    assert main(["suggest", str(data), "--gold-data", str(data), "--gold", "gold", "--lfs", str(existing), "-o", str(module)]) == 0
    assert lf.load_lfs(str(module)).labels == ("HAM", "SPAM")


def test_labeled_rows_of_one_label_are_named_as_the_problem(tmp_path: Path, existing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus()
    spam_only = tmp_path / "spam.csv"
    corpus[corpus["gold"] == 1.0].assign(gold="SPAM").to_csv(spam_only, index=False)
    with pytest.raises(DataError, match=r"hold \['SPAM'\]: label rows of the other labels"):
        suggest(corpus, [str(spam_only)], "gold", lfs=str(existing))
    data = tmp_path / "data.csv"
    corpus[["id", "text"]].to_csv(data, index=False)
    out = tmp_path / "suggested.py"
    args = ["suggest", str(data), "--gold-data", str(spam_only), "--gold", "gold", "--lfs", str(existing), "-o", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "at least two labels" in err and "precise enough" not in err and not out.exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_labeled_file_without_rows_is_a_data_error(tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus()
    empty = tmp_path / f"labeled{suffix}"
    head = corpus.iloc[:0]
    head.to_csv(empty, index=False) if suffix == ".csv" else head.to_parquet(empty)
    with pytest.raises(DataError, match="labeled data has no rows"):
        suggest(corpus, [str(empty)], "gold")
    data = tmp_path / "data.csv"
    corpus[["id", "text"]].to_csv(data, index=False)
    assert main(["suggest", str(data), "--gold-data", str(empty), "--gold", "gold", "-o", str(tmp_path / "s.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The labeled data has no rows") and "internal error" not in err


def test_a_gold_column_that_is_the_text_column_is_refused(tmp_path, capsys):
    """`lf suggest --gold text` made every labeled text a label of its own: a module of 20
    LFs over 199 "labels", and a status line listing them all."""
    rows = [{"text": f"free prize {i}" if i % 2 else f"nice song {i}", "gold": "SPAM" if i % 2 else "HAM"} for i in range(40)]
    pd.DataFrame(rows).to_csv(tmp_path / "labeled.csv", index=False)
    out = tmp_path / "s.py"
    code = main(["suggest", str(tmp_path / "labeled.csv"), "--gold-data", str(tmp_path / "labeled.csv"), "--gold", "text", "-o", str(out)])
    assert code == 2 and "The gold column and the text column are both 'text'" in capsys.readouterr().err
    assert not out.exists()


def test_gold_cells_of_spaces_are_rows_without_a_label(tmp_path):
    """A hand-labeling CSV whose unlabeled cells hold a space (cleared in a spreadsheet) was
    refused: "values [''] that are not labels"; lf sample --gold counts such rows as
    having no gold, and so does suggest."""
    rows = [{"text": f"free prize {i}" if i % 2 else f"nice song {i}", "gold": ("SPAM" if i % 2 else "HAM") if i < 40 else " "} for i in range(60)]
    pd.DataFrame(rows).to_csv(tmp_path / "labeled.csv", index=False)
    found = suggest(str(tmp_path / "labeled.csv"), str(tmp_path / "labeled.csv"), "gold", n=4)
    assert found.n_labeled == 40 and found.labels == ("HAM", "SPAM")


def test_gold_names_in_two_cases_are_one_label(tmp_path):
    """Gold labels are names in any case, but without --labels the distinct values became the
    classes: 'SPAM' and 'spam' gave LABELS ['HAM', 'SPAM', 'spam'], with every spam row on
    the last class and none on 'SPAM'."""
    rows = [{"text": f"free prize {i}" if i % 2 else f"nice song {i}",
             "gold": ("spam" if i % 3 == 0 else "SPAM") if i % 2 else "HAM"} for i in range(60)]
    pd.DataFrame(rows).to_csv(tmp_path / "labeled.csv", index=False)
    found = suggest(str(tmp_path / "labeled.csv"), str(tmp_path / "labeled.csv"), "gold", n=4)
    assert found.labels == ("HAM", "SPAM") and found.priors == (0.5, 0.5)


@pytest.mark.parametrize("labels", ["HAM,SPAM", ["HAM"], ["HAM", "ham"], ["HAM", " "]])
def test_labels_that_name_no_two_classes_are_refused(labels, tmp_path):
    """labels="HAM,SPAM" (one string) was read letter by letter, and the error said the gold
    values HAM and SPAM were not labels ("Allowed: H, A, M, ,, S ..."); a repeated or blank
    name was taken as a class."""
    rows = [{"text": f"free prize {i}" if i % 2 else f"nice song {i}", "gold": "SPAM" if i % 2 else "HAM"} for i in range(40)]
    frame = pd.DataFrame(rows)
    with pytest.raises(lf.errors.ParameterError, match="`labels` must list at least 2 distinct, non-blank names"):
        suggest(frame, frame, "gold", labels=labels)
