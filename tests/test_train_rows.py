"""`lf train` never trains on labels matched to other rows than they were made from: the
labels file's digest of its rows' texts is checked whether rows match by position or by id."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from lf.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
LFS = ROOT / "labeling_functions" / "demo_spam.py"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture
def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO, keep_default_na=False, dtype=str).head(400)


def _label(capsys: pytest.CaptureFixture[str], data: Path, out: Path, *extra: str) -> None:
    code, err = run(capsys, "label", data, "--lfs", LFS, "-o", out, "--no-progress", *extra)
    assert code == 0, err


@pytest.mark.parametrize("filter_abstain", [False, True])
def test_labels_of_rows_without_ids_refuse_a_reordered_data_file(tmp_path: Path, capsys, demo, filter_abstain):
    rows = demo.drop(columns="id")
    data, shuffled, labels = tmp_path / "data.csv", tmp_path / "shuffled.csv", tmp_path / "labels.parquet"
    rows.to_csv(data, index=False)
    rows.sample(frac=1, random_state=1).to_csv(shuffled, index=False)  # same rows, same count, other order
    # chunks of 37 rows: the digest is the same whatever the chunks (train reads one frame)
    _label(capsys, data, labels, "--chunk-size", "37", *(["--filter-abstain"] if filter_abstain else []))
    code, err = run(capsys, "train", shuffled, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and not (tmp_path / "m").exists()
    assert "were made from other rows than the data's: matched by position" in err
    assert "in the same order" in err and err.count("\n") == 1
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0 and "warning" not in err, err


def test_labels_matched_by_id_refuse_another_file_with_the_same_ids(tmp_path: Path, capsys, demo):
    first, second = demo.head(200).copy(), demo.tail(200).copy()
    first["id"] = second["id"] = [str(i) for i in range(200)]  # two files, each numbering its rows
    a, b, labels = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "labels.parquet"
    first.to_csv(a, index=False)
    second.to_csv(b, index=False)
    _label(capsys, a, labels, "--filter-abstain")
    code, err = run(capsys, "train", b, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and "matched by id" in err and "other rows than the data's" in err
    reordered = tmp_path / "a_reordered.parquet"  # the same rows in another order and format: fine
    first.sample(frac=1, random_state=2).to_parquet(reordered, index=False)
    code, err = run(capsys, "train", reordered, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0, err


def test_labels_without_a_digest_matched_by_position_are_flagged(tmp_path: Path, capsys, demo):
    data, labels = tmp_path / "data.csv", tmp_path / "labels.csv"
    demo.drop(columns="id").to_csv(data, index=False)
    _label(capsys, data, labels)  # CSV holds no footer for the digest
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0
    assert "warning: The labels" in err and "matched to the data's rows by position, unchecked" in err


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_labels_without_a_digest_matched_by_id_are_flagged(tmp_path: Path, capsys, demo, suffix):
    """Two files each numbering their rows 0, 1, ...: CSV or JSON Lines labels of the first,
    matched by id to the second, trained on other rows' labels without a word."""
    first, second = demo.head(200).copy(), demo.tail(200).copy()
    first["id"] = second["id"] = range(200)
    a, b, labels = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / f"labels{suffix}"
    first.to_csv(a, index=False)
    second.to_csv(b, index=False)
    _label(capsys, a, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        code, err = run(capsys, "train", b, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0
    assert "matched to the data's rows by id, unchecked" in err and "write Parquet labels" in err


def test_ids_too_long_for_row_numbers_are_names_not_an_error():
    """A 19-digit id past the int64 range (an unsigned id from a database) is no row number:
    it must not end lf train in an OverflowError."""
    from lf.train_data import _row_numbers

    assert _row_numbers(pd.Series(["0", "1", "2"]), 3)
    assert not _row_numbers(pd.Series(["9999999999999999999", "1"]), 3)
    assert not _row_numbers(pd.Series(["12"]), 3)
    assert not _row_numbers(pd.Series([], dtype=str), 3)


@pytest.mark.parametrize("suffix", [".parquet", ".npz"])
@pytest.mark.parametrize("how", ["apply", "label --matrix"])
def test_a_saved_matrix_refuses_gold_data_in_another_order(tmp_path: Path, capsys, demo, how, suffix):
    """`lf report L.parquet --data DATA --gold COL` matches gold to the matrix by position
    when the rows have no ids: a shuffled copy of DATA scored the LFs on other rows' gold."""
    rows = demo.drop(columns="id")
    data, shuffled, matrix = tmp_path / "data.csv", tmp_path / "shuffled.parquet", tmp_path / f"L{suffix}"
    rows.to_csv(data, index=False)
    rows.sample(frac=1, random_state=3).to_parquet(shuffled, index=False)
    if how == "apply":
        code, err = run(capsys, "apply", data, "--lfs", LFS, "-o", matrix, "--no-progress")
    else:
        code, err = run(capsys, "label", data, "--lfs", LFS, "-o", tmp_path / "l.parquet", "--matrix", matrix, "--no-progress")
    assert code == 0, err
    code, err = run(capsys, "report", matrix, "--data", shuffled, "--gold", "label", "--no-progress")
    assert code == 2 and "--data does not hold the 'text' texts" in err and "in the same order" in err
    code, err = run(capsys, "report", matrix, "--data", data, "--gold", "label", "--json")
    assert code == 0, err


def test_ids_that_lost_their_leading_zeros_are_named(tmp_path: Path, capsys, demo):
    numbered, padded, labels = tmp_path / "n.parquet", tmp_path / "p.csv", tmp_path / "labels.parquet"
    demo.assign(id=range(400)).to_parquet(numbered, index=False)
    demo.assign(id=[f"{i:03d}" for i in range(400)]).to_csv(padded, index=False)
    _label(capsys, numbered, labels)
    code, err = run(capsys, "train", padded, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and "label rows have ids that are not in the data (e.g. '0'" in err
    assert "the data has ids like '000', and ids compare as the text the files hold" in err


def test_a_matrix_without_ids_or_digest_says_gold_data_is_unchecked(tmp_path: Path, capsys, demo):
    import lf

    data, matrix = tmp_path / "data.csv", tmp_path / "L.npz"
    demo.drop(columns="id").to_csv(data, index=False)
    lf.apply(lf.load_lfs(str(LFS)), str(data), progress=False).save(matrix)  # saved from memory: no digest
    code, err = run(capsys, "report", matrix, "--data", data, "--gold", "label", "--json")
    assert code == 0 and "warning: --data is matched to the rows of" in err and "by position, unchecked" in err
    for suffix in (".parquet", ".npz"):  # what lf apply writes records its rows
        written = tmp_path / f"applied{suffix}"
        assert run(capsys, "apply", data, "--lfs", LFS, "-o", written, "--no-progress")[0] == 0
        code, err = run(capsys, "report", written, "--data", data, "--gold", "label", "--json")
        assert code == 0 and "unchecked" not in err


@pytest.mark.parametrize("suffix", [".parquet", ".npz"])
def test_a_saved_matrix_refuses_another_file_that_reuses_its_ids(tmp_path: Path, capsys, demo, suffix):
    """Matched by id, a data file numbering its rows as the matrix's did (0, 1, ... in each
    export) gave the report other rows' gold: a .npz matrix kept no digest to tell."""
    first, other, matrix = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / f"L{suffix}"
    demo.head(200).assign(id=range(200)).to_csv(first, index=False)
    demo.tail(200).assign(id=range(200)).to_csv(other, index=False)
    assert run(capsys, "apply", first, "--lfs", LFS, "-o", matrix, "--no-progress")[0] == 0
    code, err = run(capsys, "report", matrix, "--data", other, "--gold", "label", "--json")
    assert code == 2 and "--data does not hold the 'text' texts" in err
    code, err = run(capsys, "report", matrix, "--data", first, "--gold", "label", "--json")
    assert code == 0, err


def test_labels_whose_digest_column_the_data_lacks_are_flagged(tmp_path: Path, capsys, demo):
    rows = demo.drop(columns="id")
    data, renamed, labels = tmp_path / "data.csv", tmp_path / "renamed.csv", tmp_path / "labels.parquet"
    rows.to_csv(data, index=False)
    rows.rename(columns={"text": "body"}).to_csv(renamed, index=False)
    _label(capsys, data, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        code, err = run(capsys, "train", renamed, "--text-column", "body", "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0 and "by position, unchecked" in err


def test_edited_texts_train_beside_the_originals_they_were_labeled_from(tmp_path: Path, capsys, demo):
    rows = demo.drop(columns="id")
    data, edited, labels = tmp_path / "data.csv", tmp_path / "edited.csv", tmp_path / "labels.parquet"
    rows.to_csv(data, index=False)
    _label(capsys, data, labels)
    rows.assign(text=rows["text"].str.upper()).to_csv(edited, index=False)
    code, err = run(capsys, "train", edited, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and "texts edited since: label them again, or keep the originals in 'text'" in err
    beside = tmp_path / "beside.csv"
    rows.assign(upper=rows["text"].str.upper()).to_csv(beside, index=False)
    code, err = run(capsys, "train", beside, "--text-column", "upper", "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0 and "warning" not in err, err


def test_repeated_data_ids_are_named_when_labels_are_matched_by_id(tmp_path: Path, capsys, demo):
    data, labels = tmp_path / "data.csv", tmp_path / "labels.parquet"
    demo.assign(id=["r3" if i == 9 else f"r{i}" for i in range(400)]).to_csv(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        _label(capsys, data, labels, "--filter-abstain")  # some rows left out: matched by id, not in order
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and "The data's ids are not unique ('r3' names 2 rows)" in err


def _byte_lfs(folder: Path) -> Path:
    """An LF module whose LFs read the text as bytes."""
    lfs = folder / "byte_lfs.py"
    lfs.write_text(
        "from lf import labeling_function\nLABELS = ['HAM', 'SPAM']\n"
        "@labeling_function()\ndef check(x):\n    return 1 if b'check' in x.text else -1\n"
        "@labeling_function()\ndef love(x):\n    return 0 if b'love' in x.text else -1\n"
    )
    return lfs


def test_texts_stored_as_bytes_train_on_the_file_they_were_labeled_from(tmp_path: Path, capsys, demo):
    # a Parquet text column of binary type (as some writers store strings): the digest took
    # the text "b'...'" of each value, the end model reads it decoded, so lf train refused
    # the very file the labels were made from
    import pyarrow as pa
    import pyarrow.parquet as pq

    lfs = _byte_lfs(tmp_path)
    data, shuffled, labels = tmp_path / "data.parquet", tmp_path / "shuffled.parquet", tmp_path / "labels.parquet"
    texts = [t.encode() for t in demo["text"]]
    pq.write_table(pa.table({"text": pa.array(texts, pa.binary())}), data)
    pq.write_table(pa.table({"text": pa.array(texts[::-1], pa.binary())}), shuffled)
    code, err = run(capsys, "label", data, "--lfs", lfs, "-o", labels, "--model", "mv", "--no-progress")
    assert code == 0, err
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0, err
    code, err = run(capsys, "train", shuffled, "--labels", labels, "-o", tmp_path / "m2", "--C", "1")
    assert code == 2 and "were made from other rows than the data's" in err


def test_labels_of_data_with_some_missing_ids_train_on_that_data(tmp_path: Path, capsys, demo):
    # missing ids compared unequal to themselves: the labels of the very file they were
    # made from were refused, as "The data's ids are not unique ('3' names 1 rows)"
    data, labels = tmp_path / "data.parquet", tmp_path / "labels.parquet"
    demo.assign(id=pd.array([None if i % 50 == 7 else i for i in range(400)], dtype="Int64")).to_parquet(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        code, err = run(capsys, "label", data, "--lfs", LFS, "-o", labels, "--no-progress")
        assert code == 0 and "'id' is empty on 8 rows (positions 7, 57, 107, 157, 207, ..., counted from 0)" in err
        code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
        assert code == 0 and "warning" not in err, err
        # some rows left out: matched by id, which 8 rows lack (said at lf label, before the join fails)
        code, err = run(capsys, "label", data, "--lfs", LFS, "-o", labels, "--no-progress", "--filter-abstain")
        assert code == 0 and "'id' is empty on 8 rows" in err
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m2", "--C", "1")
    assert code == 2 and "8 rows of the data have no id" in err and "names 1 rows" not in err


def test_bytes_that_are_not_utf8_train_and_predict_as_the_digest_reads_them(tmp_path: Path, capsys, demo):
    # lf label read the bytes (its digest decodes them, a bad byte as U+FFFD); lf train and
    # lf predict stopped with "internal error: UnicodeDecodeError" on the same file
    import pyarrow as pa
    import pyarrow.parquet as pq

    lfs = _byte_lfs(tmp_path)
    texts = [t.encode() for t in demo["text"]]
    texts[5] = b"\xff\xfe check this " + texts[5]  # Latin-1 debris in a UTF-8 column
    data, labels = tmp_path / "data.parquet", tmp_path / "labels.parquet"
    pq.write_table(pa.table({"text": pa.array(texts, pa.binary())}), data)
    code, err = run(capsys, "label", data, "--lfs", lfs, "-o", labels, "--model", "mv", "--no-progress")
    assert code == 0, err
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0, err
    code, err = run(capsys, "predict", tmp_path / "m", data, "-o", tmp_path / "p.csv")
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "p.csv")) == len(texts)


def test_labels_of_data_that_repeated_ids_say_so_when_part_of_the_data_is_given(tmp_path: Path, capsys, demo):
    # lf label writes every row of data whose ids repeat (and warns); lf train on part of
    # that data said "give the labels of one run", as if the labels were two runs' put together
    data, part, labels = tmp_path / "data.csv", tmp_path / "part.csv", tmp_path / "labels.parquet"
    rows = demo.assign(id=["r3" if i == 9 else f"r{i}" for i in range(400)])
    rows.to_csv(data, index=False)
    rows.drop(index=9).to_csv(part, index=False)  # its ids unique: one r3 left
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        _label(capsys, data, labels)
    code, err = run(capsys, "train", part, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 2 and "The labels repeat 1 ids (e.g. 'r3')" in err
    assert "the data they were made from repeated them" in err and "Give the whole data they were made from, in its order" in err
    code, err = run(capsys, "train", data, "--labels", labels, "-o", tmp_path / "m", "--C", "1")
    assert code == 0, err  # the whole data, in its order: every row has its labels


def test_the_unchecked_gold_data_warning_fits_the_terminal(tmp_path: Path, capsys, demo, monkeypatch):
    """The warning that --data is matched to a matrix by position, unchecked, was one line
    of 300 columns on an 80-column terminal, where every other warning wraps."""
    import lf

    data, matrix = tmp_path / "data.csv", tmp_path / "L.npz"
    demo.drop(columns="id").to_csv(data, index=False)
    lf.apply(lf.load_lfs(str(LFS)), str(data), progress=False).save(matrix)
    monkeypatch.setenv("COLUMNS", "80")
    code, err = run(capsys, "report", matrix, "--data", data, "--gold", "label", "--json")
    assert code == 0 and "by position, unchecked" in err.replace("\n  ", " ")
    assert max(len(line) for line in err.splitlines()) <= 80, err
