"""lf.io.read_columns: a file's column names from its header alone, for every format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from lf.errors import DataError
from lf.io import read_columns


def test_columns_of_every_format_match_what_the_reader_yields(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "text": ["a,b", "line\nbreak"], "label": ["HAM", "SPAM"]})
    frame.to_parquet(tmp_path / "d.parquet")
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_csv(tmp_path / "d.tsv", index=False, sep="\t")
    frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
    with gzip.open(tmp_path / "d.csv.gz", "wt", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfid,text,label\n1,a,HAM\n")
    for name in ("d.parquet", "d.csv", "d.tsv", "d.jsonl", "d.csv.gz", "bom.csv"):
        assert read_columns(tmp_path / name) == ["id", "text", "label"], name


def test_a_quoted_header_with_commas_and_newlines_is_one_column_each(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('"the id","a, b","multi\nline"\n1,2,3\n')
    assert read_columns(path) == ["the id", "a, b", "multi\nline"]


def test_a_csv_header_naming_a_column_twice_names_the_file_and_the_column(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,text,label,text\n1,a,HAM,b\n")
    with pytest.raises(DataError, match=r"dup\.csv' names the column 'text' twice in its header line; rename one"):
        read_columns(path)


def test_empty_and_broken_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match=r"empty\.csv' is empty: a CSV file starts with a header line"):
        read_columns(tmp_path / "empty.csv")
    (tmp_path / "list.jsonl").write_text("\n" + json.dumps([1, 2]) + "\n")
    with pytest.raises(DataError, match=r"line 2 is a JSON list, not an object"):
        read_columns(tmp_path / "list.jsonl")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DataError, match=r"Could not read '.*bad\.parquet' as PARQUET"):
        read_columns(tmp_path / "bad.parquet")
    (tmp_path / "latin.csv").write_bytes("caf\xe9,text\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin\.csv' as CSV: it is not UTF-8 text"):
        read_columns(tmp_path / "latin.csv")
    with pytest.raises(DataError, match=r"Data file not found"):
        read_columns(tmp_path / "missing.csv")


def test_a_parquet_files_named_index_is_read_as_the_column_its_schema_lists(tmp_path: Path) -> None:
    """``df.set_index("id").to_parquet()`` keeps ``id`` as a column of the file, which the
    column checks saw; pyarrow gave it back as the index, so `lf label` failed with "'id' is
    not a column of the data" and an LF could not read it. Now each row keeps its own id."""
    import lf
    from lf.cli import main
    from lf.io import iter_chunks

    root = Path(__file__).resolve().parents[1]
    frame = pd.read_csv(root / "datasets" / "demo" / "comments.csv").iloc[:300].sample(frac=1, random_state=0)
    path = tmp_path / "indexed.parquet"
    frame.set_index("id").to_parquet(path)
    chunks = list(iter_chunks(path, 70))
    assert all("id" in c.columns for c in chunks)
    assert pd.concat(chunks)["id"].tolist() == frame["id"].tolist()
    assert next(iter_chunks(path, 70, columns=["id"]))["id"].tolist() == frame["id"].tolist()[:70]
    lfs = root / "labeling_functions" / "demo_spam.py"
    assert list(lf.apply(lf.load_lfs(str(lfs)), str(path), progress=False).row_ids) == frame["id"].tolist()
    out = tmp_path / "labels.parquet"
    assert main(["label", str(path), "--lfs", str(lfs), "--gold", "label", "-o", str(out), "--model", "MajorityVoter"]) == 0
    written = pd.read_parquet(out)
    assert written["id"].tolist() == frame["id"].tolist()
    expected = lf.apply(lf.load_lfs(str(lfs)), frame.reset_index(drop=True), progress=False)
    P = lf.models.MajorityVoter().fit(expected).predict_proba(expected)
    assert (written[["HAM", "SPAM"]].to_numpy() == P).all()
