"""`lf label` on a new user's corpus: what it prints and writes is what its names say.

Built from the real UCI YouTube comments, with label names and inputs a new user has:
names that are numbers, class balances keyed by numbers.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
import lf.io
from lf.cli import main

# class 0 is named "1" and class 1 "0": a CSV's gold column of 0/1 relabelled by a user
NUMBER_LFS = '''
from lf import ABSTAIN, keyword_lf, labeling_function
LABELS = ["1", "0"]
HAM, SPAM = 0, 1
sub = keyword_lf("sub", ["subscribe", "my channel"], SPAM)
chk = keyword_lf("chk", ["check out", "check it out"], SPAM)
song = keyword_lf("song", ["song", "love this"], HAM)

@labeling_function()
def short(x):
    return HAM if len(str(x.text).split()) <= 5 else ABSTAIN
'''


@pytest.fixture
def comments(youtube_raw_files: list[Path], tmp_path: Path) -> Path:
    """The Psy and Katy Perry comments with ``id``, ``text`` and a gold column named as LABELS."""
    frame = pd.concat([pd.read_csv(f) for f in youtube_raw_files[:2]], ignore_index=True)
    frame = frame.rename(columns={"COMMENT_ID": "id", "CONTENT": "text"})
    frame["gold"] = np.where(frame["CLASS"] == 1, "0", "1")
    path = tmp_path / "comments.csv"
    frame[["id", "text", "gold"]].to_csv(path, index=False)
    return path


def test_counts_beside_number_label_names_cannot_read_as_one_number(
    comments: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    out = tmp_path / "labels.csv"
    assert main(["label", str(comments), "--lfs", str(tmp_path / "lfs.py"), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    err = printed.err
    # the report's polarity: the label "0" (class id 1), not class id 0
    assert re.search(r"^ sub +'0' ", printed.out, re.MULTILINE) and "2 classes ('1', '0')" in printed.out
    written = pd.read_csv(out, dtype=str, keep_default_na=False)["label"].value_counts()
    # "(1 779, 0 624, ...)" read as 1,779 rows of one label
    status = next(line for line in err.splitlines() if line.startswith("wrote "))
    shown = dict(re.findall(r"'(\d)' (\d[\d,]*\d|\d)\b", status))
    assert shown == {name: f"{written[name]:,}" for name in ("1", "0")}, status


def test_a_class_balance_keyed_by_numbers_is_refused_when_label_names_are_other_numbers(
    comments: Path, tmp_path: Path
) -> None:
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    # {1: 0.3} meant class id 1 (named "0") and was taken as the label "1" (class id 0)
    with pytest.raises(lf.errors.ParameterError, match="could be the label or the class id"):
        lf.label(lfs, comments, output=tmp_path / "labels.parquet", class_balance={1: 0.3, 0: 0.7})
    assert not (tmp_path / "labels.parquet").exists()
    # keyed by the names as text, it is read by name
    done = lf.label(lfs, comments, output=tmp_path / "labels.parquet", class_balance={"0": 0.3, "1": 0.7})
    assert np.allclose(done.model.class_balance_, [0.7, 0.3])
    written = pd.read_parquet(tmp_path / "labels.parquet")
    assert np.allclose(written.loc[~written["covered"], ["1", "0"]].to_numpy(), [0.7, 0.3])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_output_warns_of_label_names_pandas_reads_as_one_number(comments: Path, tmp_path: Path, suffix: str) -> None:
    (tmp_path / "lfs.py").write_text(NUMBER_LFS.replace('LABELS = ["1", "0"]', 'LABELS = ["01", "1"]'))
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    out = tmp_path / f"labels{suffix}"
    with pytest.warns(UserWarning, match=r"Label names '01' and '1' in .* read back as the same number"):
        lf.label(lfs, comments, output=out)
    # what it warns of: both labels come back as the number 1
    read = pd.read_csv if suffix == ".csv" else functools.partial(pd.read_json, lines=True)
    assert set(read(out)["label"].dropna()) == {1}
    assert set(read(out, dtype={"label": str})["label"].dropna()) == {"01", "1"}


@pytest.mark.parametrize("model", ["LabelModel", "auto"])
def test_a_class_balance_from_dev_rows_missing_a_class_says_so(comments: Path, tmp_path: Path, model: str) -> None:
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    rows = pd.read_csv(comments, dtype=str, keep_default_na=False)
    dev = rows[rows["gold"] == "0"].head(30)  # 30 spam comments picked as dev rows: no ham among them
    dev.to_csv(tmp_path / "dev.csv", index=False)
    with pytest.warns(UserWarning, match=r"30 dev rows, and none of them is 1: the balance gives 1 0\.031"):
        done = lf.label(lfs, comments, output=tmp_path / "labels.parquet", model=model, class_balance="dev",
                        dev=tmp_path / "dev.csv", dev_gold="gold")
    assert np.allclose(done.model.class_balance_, [1 / 32, 31 / 32])  # what the warning is about


def test_json_lines_ids_beyond_int64_stay_each_rows_own(comments: Path, tmp_path: Path) -> None:
    # 64-bit hashes as ids: pyarrow read them as floats, rounded to one value for all rows
    rows = pd.read_csv(comments, dtype=str, keep_default_na=False).head(300)
    ids = [2**64 - 1_000 + 3 * i for i in range(len(rows))]
    with open(tmp_path / "comments.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps({"id": i, "text": text}) + "\n" for i, text in zip(ids, rows["text"], strict=True))
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    lf.label(lfs, tmp_path / "comments.jsonl", output=tmp_path / "labels.csv", model="MajorityVoter")
    written = pd.read_csv(tmp_path / "labels.csv", dtype=str, keep_default_na=False)
    assert written["id"].tolist() == [str(i) for i in ids]
    L = lf.apply(lfs, tmp_path / "comments.jsonl")  # the matrix's row ids too
    assert L.row_ids is not None and [int(i) for i in L.row_ids] == ids


def test_label_names_equal_but_for_spaces_around_them_are_refused(comments: Path, tmp_path: Path) -> None:
    # "SPAM" and "SPAM " wrote two columns and two labels that a reader trimming spaces
    # (a spreadsheet, read_csv(skipinitialspace=True)) takes for one
    (tmp_path / "lfs.py").write_text(NUMBER_LFS.replace('LABELS = ["1", "0"]', 'LABELS = ["HAM", "SPAM", " spam"]'))
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    with pytest.raises(lf.errors.ParameterError, match=r"duplicated: \[' spam', 'SPAM'\]"):
        lf.label(lfs, comments, output=tmp_path / "labels.csv")
    assert not (tmp_path / "labels.csv").exists()


def test_a_tsv_whose_quotes_are_text_is_refused_not_read_with_rows_merged(datasets_dir: Path, tmp_path: Path) -> None:
    # The UCI SMS file is TSV without quoting. A message starting with a quote was read as
    # quoted up to a quote rows later: 5,572 rows of 5,574, every later label beside
    # another message's text.
    raw = (datasets_dir / "sms_raw" / "SMSSpamCollection").read_text(encoding="utf-8")
    path = tmp_path / "sms.tsv"
    path.write_text("label\ttext\n" + raw, encoding="utf-8")
    lfs = lf.load_lfs(Path(__file__).resolve().parents[1] / "labeling_functions" / "sms_spam.py")
    with pytest.raises(lf.errors.DataError, match=r"'text' value at line 5,083 \(to line 5,085\) holds line breaks followed by tab"):
        lf.label(lfs, path, output=tmp_path / "labels.csv", gold="label")
    assert not (tmp_path / "labels.csv").exists()
    # what the message says to do reads every line as a row
    pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE).to_parquet(tmp_path / "sms.parquet")
    done = lf.label(lfs, tmp_path / "sms.parquet", output=tmp_path / "labels.csv", gold="label", model="MajorityVoter")
    lines = raw.splitlines()
    assert done.rows_written == len(lines) == 5_574


def test_a_quoted_tsv_value_with_a_line_break_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text('id\ttext\n1\t"two\nlines, ""quoted"""\n2\tcheck out my channel\n', encoding="utf-8")
    frame = pd.concat(list(lf.io.iter_chunks(path, 10)))
    assert frame["text"].tolist() == ['two\nlines, "quoted"', "check out my channel"]


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_text_ids_after_integer_ids_are_not_turned_into_other_ids(
    comments: Path, tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a Parquet file with integer ids, then a CSV whose ids are zero-padded text: '0021'
    # was cast to the first file's type and written as 21, another id than the data's
    rows = pd.read_csv(comments, dtype=str, keep_default_na=False).head(40)
    rows.head(20).assign(id=range(1, 21)).to_parquet(tmp_path / "a.parquet")
    rows.tail(20).assign(id=[f"{i:04d}" for i in range(21, 41)]).to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    out = tmp_path / ("labels" if engine == "dask" else "labels.parquet")
    args = ["label", str(tmp_path / "a.parquet"), str(tmp_path / "b.csv"), "--lfs", str(tmp_path / "lfs.py"),
            "-o", str(out), "--model", "MajorityVoter", "--engine", engine, "--n-jobs", "1"]
    assert main(args) == 2
    assert "the id '0021' would become 21" in capsys.readouterr().err
    assert not out.exists()
    # ids whose text is the number: the same run writes them
    rows.tail(20).assign(id=[str(i) for i in range(21, 41)]).to_csv(tmp_path / "b.csv", index=False)
    assert main(args) == 0
    assert pd.read_parquet(out)["id"].tolist() == list(range(1, 41))


def test_a_filtered_dataframe_without_ids_is_told_its_output_ids_are_positions(comments: Path, tmp_path: Path) -> None:
    (tmp_path / "lfs.py").write_text(NUMBER_LFS)
    lfs = lf.load_lfs(tmp_path / "lfs.py")
    rows = pd.read_csv(comments, dtype=str, keep_default_na=False).drop(columns="id")
    long = rows[rows["text"].str.len() > 60]  # index 1, 5, 7 ...: a join on it pairs wrong rows
    with pytest.warns(UserWarning, match=r"index is not its row positions .* \(it starts 1, 5, 7\)"):
        lf.label(lfs, long, output=tmp_path / "labels.parquet", model="MajorityVoter")
    written = pd.read_parquet(tmp_path / "labels.parquet")
    assert written["id"].tolist() == list(range(len(long)))  # positions, as the warning says
    # the fix it names keeps the index as the ids
    lf.label(lfs, long.rename_axis("id").reset_index(), output=tmp_path / "labels.parquet", model="MajorityVoter")
    assert pd.read_parquet(tmp_path / "labels.parquet")["id"].tolist() == long.index.tolist()
