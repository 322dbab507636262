"""lf.label's outputs: never an input overwritten, and the labels file and the matrix
appear together or not at all."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import lf
from lf.errors import DataError, ParameterError
from lf.label import apply_to_file, label

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


@pytest.fixture(scope="module")
def lfs() -> lf.LFSet:
    return lf.load_lfs(DEMO_LFS)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "comments.csv"
    pd.read_csv(DEMO, nrows=300).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("option", ["output", "matrix"])
def test_label_refuses_to_write_over_its_data_file(tmp_path: Path, lfs: lf.LFSet, option: str) -> None:
    data = tmp_path / "comments.parquet"
    pd.read_csv(DEMO, nrows=300).to_parquet(data)
    before = data.read_bytes()
    outputs = {"output": tmp_path / "labels.csv", option: data}
    with pytest.raises(ParameterError, match=rf"`{option}` .*comments\.parquet.* is the input"):
        label(lfs, data, **outputs, progress=False)
    assert data.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comments.parquet"]


def test_label_refuses_to_write_over_its_dev_data(tmp_path: Path, lfs: lf.LFSet, data: Path) -> None:
    dev = tmp_path / "dev.csv"
    dev.write_bytes(data.read_bytes())
    with pytest.raises(ParameterError, match="`output` .*dev.csv.* is the input `dev`"):
        label(lfs, data, output=dev, dev=dev, dev_gold="label", model="auto", progress=False)
    assert dev.read_bytes() == data.read_bytes()


def test_apply_to_file_refuses_to_write_over_its_data_file(tmp_path: Path, lfs: lf.LFSet) -> None:
    data = tmp_path / "comments.parquet"
    pd.read_csv(DEMO, nrows=300).to_parquet(data)
    before = data.read_bytes()
    with pytest.raises(ParameterError, match="is the input"):
        apply_to_file(lfs, data, data, progress=False)
    assert data.read_bytes() == before


def test_outputs_that_cannot_be_written_fail_before_the_run(tmp_path: Path, data: Path) -> None:
    ran: list[int] = []

    @lf.labeling_function()
    def counted(x: object) -> int:
        ran.append(1)
        return 0

    with pytest.raises(DataError, match="missing' does not exist"):
        label([counted], data, output=tmp_path / "labels.csv", matrix=tmp_path / "missing" / "L.npz", model="mv", progress=False)
    with pytest.raises(ParameterError, match=r"`matrix` must be a \.npz or \.parquet file"):
        label([counted], data, output=tmp_path / "labels.csv", matrix=tmp_path / "L.csv", model="mv", progress=False)
    with pytest.raises(ParameterError, match=r"`output` .*labels\.txt': name the labels file with the suffix of its format"):
        label([counted], data, output=tmp_path / "labels.txt", model="mv", progress=False)
    assert ran == [] and sorted(p.name for p in tmp_path.iterdir()) == ["comments.csv"]


@pytest.mark.parametrize("matrix", ["L.npz", "L.parquet"])
def test_an_interrupted_matrix_save_leaves_the_old_labels_file(
    tmp_path: Path, lfs: lf.LFSet, data: Path, matrix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while the matrix is moved into place, after every label was written: the old
    # labels file must stay, not be replaced by labels whose matrix never appeared
    out = tmp_path / "labels.csv"
    out.write_text("old labels\n")
    (tmp_path / matrix).write_text("old matrix\n")
    import lf.io

    real = lf.io.os.replace

    def interrupted(src: object, dst: object) -> None:
        if Path(str(dst)).name == matrix:
            raise KeyboardInterrupt
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(lf.io.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        label(lfs, data, output=out, matrix=tmp_path / matrix, progress=False)
    assert out.read_text() == "old labels\n" and (tmp_path / matrix).read_text() == "old matrix\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["comments.csv", "labels.csv", matrix])


@pytest.mark.parametrize("gap", [3, 250])  # in the first chunk, or only in a later one
@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".csv"])
def test_integer_ids_with_gaps_read_back_as_the_data_has_them(tmp_path: Path, lfs: lf.LFSet, suffix: str, gap: int) -> None:
    # 64-bit ids (as snowflake-style comment ids are) with one missing: written untyped,
    # pandas read them back as float64, where 2**53 + 1 is 2**53
    frame = pd.read_csv(DEMO, nrows=300)
    frame["id"] = pd.array([2**53 + i for i in range(300)], dtype="Int64")
    frame.loc[gap, "id"] = pd.NA
    data = tmp_path / "comments.parquet"
    frame.to_parquet(data)
    out = tmp_path / f"labels{suffix}"
    with pytest.warns(UserWarning, match=rf"'id' is empty on 1 row \(positions {gap}, counted from 0\)"):
        label(lfs, data, output=out, chunk_size=100, progress=False)
    want = pd.read_parquet(data)["id"]
    if suffix == ".jsonl":  # pandas' JSON reader parses numbers as floats: read it as JSON
        got = [json.loads(line)["id"] for line in out.read_text().splitlines()]
        assert got == [None if v is pd.NA else v for v in want.tolist()]
        return
    got = pd.read_parquet(out)["id"] if suffix == ".parquet" else pd.read_csv(out, dtype={"id": "Int64"})["id"]
    pd.testing.assert_series_equal(got, want)


@pytest.mark.parametrize(("names", "problem"), [(["", "SPAM"], "empty"), ([" ", "SPAM"], "empty"), (["SPAM", "spam"], "duplicated")])
def test_label_names_that_read_back_as_another_or_as_none_are_refused(tmp_path: Path, data: Path, names: list[str], problem: str) -> None:
    # an empty name is what a CSV writes for "no label", so class 0 read back as
    # uncovered; names equal but for case are one name to --gold and --class-balance,
    # which read names in any case, so gold 'SPAM' was scored as 'spam'
    lfs = lf.LFSet(lf.load_lfs(DEMO_LFS), labels=names)
    with pytest.raises(ParameterError, match=problem):
        label(lfs, data, output=tmp_path / "labels.csv", progress=False)
    assert not (tmp_path / "labels.csv").exists()


def test_a_model_fitted_on_other_classes_stops_the_run_before_it_starts(tmp_path: Path, lfs: lf.LFSet, data: Path) -> None:
    # it failed only once every LF had run on every row
    from lf.corpus import Corpus
    from lf.models import LabelModel

    named, unnamed = tmp_path / "named.json", tmp_path / "unnamed.json"
    LabelModel().fit(lf.apply(lfs, data, progress=False)).save(named)
    LabelModel().fit(lf.apply(lf.LFSet(list(lfs)), data, progress=False)).save(unnamed)
    swapped, three = list(reversed(lfs.labels)), [*lfs.labels, "OTHER"]
    for model, labels in ((named, swapped), (named, three), (unnamed, three)):
        corpus = Corpus(data)
        with pytest.raises(DataError, match="fitted on"):
            label(lf.LFSet(list(lfs), labels=labels), corpus, output=tmp_path / "labels.csv", model=str(model), progress=False)
        assert corpus.reads == 0
    assert not (tmp_path / "labels.csv").exists()


@pytest.mark.parametrize("statistics", [True, False])
def test_gaps_in_integer_ids_are_found_in_any_row_group_without_reading_the_column_whole(tmp_path: Path, statistics: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lf._matrix_io import ROW_ID
    from lf.writers import int_ids_with_gaps

    path = tmp_path / "m.parquet"
    ids = pa.array([1, 2, 3, 4, None, 6], pa.int64())
    pq.write_table(pa.table({"a": pa.array([0] * 6, pa.int8()), ROW_ID: ids}), path, row_group_size=2, write_statistics=statistics)
    assert int_ids_with_gaps(path)  # the gap is in the third of three row groups
    pq.write_table(pa.table({"a": pa.array([0] * 6, pa.int8()), ROW_ID: ids.fill_null(5)}), path, row_group_size=2, write_statistics=statistics)
    assert not int_ids_with_gaps(path)


def test_a_csv_output_warns_of_label_names_pandas_reads_as_missing(tmp_path: Path, data: Path, lfs: lf.LFSet) -> None:
    module = tmp_path / "na_lfs.py"
    module.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        "LABELS = ['NA', 'SPAM']\n"
        "@labeling_function()\n"
        "def link(x):\n    return 1 if 'http' in x.text else ABSTAIN\n"
        "@labeling_function()\n"
        "def short(x):\n    return 0 if len(x.text) < 30 else ABSTAIN\n"
        "@labeling_function()\n"
        "def check(x):\n    return 1 if 'check' in x.text.lower() else ABSTAIN\n"
        "@labeling_function()\n"  # a fourth LF: three leave the LabelModel underdetermined
        "def song(x):\n    return 0 if 'song' in x.text.lower() else ABSTAIN\n",
        encoding="utf-8",
    )
    na_lfs = lf.load_lfs(module)
    out = tmp_path / "labels.csv"
    with pytest.warns(UserWarning, match=r"Label name\(s\) \['NA'\] in .* read back as missing with pandas.read_csv"):
        label(na_lfs, data, output=out, progress=False)
    back = pd.read_csv(out)  # what the warning is about: 'NA' labels come back missing
    assert back["label"].isna().sum() > pd.read_csv(out, keep_default_na=False)["label"].eq("").sum()
    assert (pd.read_csv(out, keep_default_na=False)["label"] == "NA").any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        label(na_lfs, data, output=tmp_path / "labels.parquet", progress=False)
        label(lfs, data, output=tmp_path / "demo.csv", progress=False)  # HAM, SPAM


@pytest.mark.parametrize("name", ["labels", "labels.txt"])
def test_an_output_lf_cannot_write_is_named_as_the_output_not_as_unknown_data(tmp_path: Path, name: str) -> None:
    # the reader's "Unknown data format for 'labels'" spoke of data, and for an existing
    # folder gave no hint that a file name was wanted
    out = tmp_path / name
    if name == "labels":
        out.mkdir()
    lfs = [lf.keyword_lf("k", ["a"], 1), lf.keyword_lf("j", ["b"], 0)]
    with pytest.raises(lf.errors.ParameterError) as info:
        lf.label(lfs, pd.DataFrame({"text": ["a", "b"]}), output=out, model="mv")
    message = str(info.value)
    assert message.startswith(f"`output` {str(out)!r}") and "data format" not in message
    assert ("is a folder, not a file name" in message) == (name == "labels")
    assert "(.parquet, .csv, .tsv or .jsonl;" in message
