"""Chunked readers (CSV, TSV, Parquet, JSONL, compressed) and atomic writers, on real files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction, keyword_lf, labeling_function
from lf.errors import DataError, LFRuntimeError
from lf.io import atomic_path, count_rows, detect_format, iter_chunks, write_frame


@pytest.fixture
def frame():
    n = 250
    texts = [f"row {i} " + ("free money" if i % 3 == 0 else "nice song") for i in range(n)]
    texts[5] = 'quoted, "comma" and\na newline'
    texts[6] = "unicode: café ♥ ﻿"
    return pd.DataFrame({"uid": [f"u{i}" for i in range(n)], "text": texts, "score": np.arange(n) * 0.5})


def _write(df, path):
    name = path.name
    if name.endswith(".csv.gz"):
        df.to_csv(path, index=False, compression="gzip")
    elif name.endswith(".csv"):
        df.to_csv(path, index=False)
    elif name.endswith(".tsv"):
        df.to_csv(path, index=False, sep="\t")
    elif name.endswith(".parquet"):
        df.to_parquet(path, index=False, row_group_size=60)
    elif name.endswith((".jsonl", ".jsonl.gz")):
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        raise AssertionError(name)
    return path


FORMATS = ["data.csv", "data.tsv", "data.parquet", "data.jsonl", "data.csv.gz", "data.jsonl.gz"]


@pytest.mark.parametrize("name", FORMATS)
def test_reader_returns_the_written_rows_in_chunks(tmp_path, frame, name):
    path = _write(frame, tmp_path / name)
    chunks = list(iter_chunks(path, 100))
    assert [len(c) for c in chunks] == [100, 100, 50]
    back = pd.concat(chunks, ignore_index=True)
    assert back["uid"].tolist() == frame["uid"].tolist()
    assert back["text"].tolist() == frame["text"].tolist()
    assert np.allclose(back["score"].to_numpy(float), frame["score"].to_numpy())


@pytest.mark.parametrize("name", FORMATS)
def test_apply_on_a_file_equals_apply_on_the_frame(tmp_path, frame, name):
    path = _write(frame, tmp_path / name)
    lfs = [
        keyword_lf("kw_free", ["free"], 1),
        LabelingFunction("song", lambda x: 0 if "song" in x.text else ABSTAIN),
        LabelingFunction("third", lambda x: 0 if x.uid.endswith("3") else ABSTAIN),
    ]
    ref = lf.apply(lfs, frame, progress=False, id_column="uid")
    got = lf.apply(lfs, path, chunk_size=64, progress=False, id_column="uid")
    assert got == ref
    assert got.row_ids.tolist() == frame["uid"].tolist()


def test_chunks_never_span_files_and_offsets_continue_across_files(tmp_path, frame):
    paths = [_write(frame.iloc[:130], tmp_path / "a.parquet"), _write(frame.iloc[130:], tmp_path / "b.csv")]
    assert [len(c) for c in iter_chunks(paths, 50)] == [50, 50, 30, 50, 50, 20]

    def boom(x):
        if x.uid == "u140":
            raise ValueError("bad")
        return ABSTAIN

    with pytest.raises(LFRuntimeError, match=r"'boom' raised on row 140 \(id 'u140'\)"):
        lf.apply([LabelingFunction("boom", boom)], paths, chunk_size=50, id_column="uid", progress=False)
    kw = keyword_lf("kw_free", ["free"], 1)
    assert lf.apply([kw], paths, chunk_size=50, progress=False) == lf.apply([kw], frame, progress=False)


def test_count_rows():
    assert count_rows(pd.DataFrame({"a": [1, 2]})) == 2
    assert count_rows(iter([pd.DataFrame({"a": [1]})])) is None


def test_count_rows_parquet_from_metadata(tmp_path, frame):
    p1 = _write(frame, tmp_path / "a.parquet")
    p2 = _write(frame.iloc[:10], tmp_path / "b.parquet")
    assert count_rows([p1, p2]) == 260
    assert count_rows(_write(frame, tmp_path / "c.csv")) is None


@pytest.mark.parametrize(
    "name, fmt",
    [("a.csv", "csv"), ("A.CSV", "csv"), ("a.tsv", "tsv"), ("a.parquet", "parquet"), ("a.pq", "parquet"),
     ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.csv.gz", "csv"), ("a.jsonl.bz2", "jsonl"), ("dir.v2/a.tsv", "tsv")],
)
def test_detect_format(name, fmt):
    assert detect_format(name) == fmt


@pytest.mark.parametrize("name", ["data.xlsx", "data", "data.gz", "data.txt"])
def test_unknown_suffix_lists_the_known_ones(tmp_path, name):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(DataError, match=r"Unknown data format for .*Use one of these suffixes: .*\.csv.*\.parquet.*\(optionally compressed: \.gz"):
        lf.apply([keyword_lf("k", ["x"], 1)], path, progress=False)


@pytest.mark.parametrize("name", ["missing.csv", "missing.jsonl", "missing.parquet"])
def test_missing_file_is_a_data_error_naming_the_file(tmp_path, name):
    with pytest.raises(DataError, match=rf"Data file not found: .*{name}"):
        lf.apply([keyword_lf("k", ["x"], 1)], tmp_path / name, progress=False)
    with pytest.raises(DataError, match=rf"Data file not found: .*{name}"):
        list(iter_chunks(tmp_path / name, 10))


def test_a_folder_is_rejected(tmp_path):
    with pytest.raises(DataError, match=r"is a folder; pass the data file\(s\) inside it"):
        list(iter_chunks(tmp_path, 10))


@pytest.mark.parametrize("name", ["bad.parquet", "bad.jsonl"])
def test_corrupt_file_is_a_data_error_naming_file_and_format(tmp_path, name):
    path = tmp_path / name
    path.write_text("this is not the format\n")
    with pytest.raises(DataError, match=rf"Could not read .*{name}' as (PARQUET|JSONL)"):
        lf.apply([keyword_lf("k", ["x"], 1)], path, progress=False)


def test_iterable_items_must_be_dataframes():
    with pytest.raises(DataError, match=r"Item 1 of the data iterable is a int, not a pandas DataFrame\. Pass"):
        list(iter_chunks([pd.DataFrame({"a": [1]}), 5], 10))


def test_a_generator_of_records_is_told_to_pass_a_list_not_that_a_dict_is_not_a_dict():
    # a list of dicts is records; a generator of them is not read (it is a stream of
    # frames): the message said "is a dict, not a pandas DataFrame or a record (a dict ...)"
    records = [{"text": "check my channel"}, {"text": "nice song"}]
    lfs = [keyword_lf("k", ["check"], 1)]
    with pytest.raises(DataError, match=r"Item 0 of the data iterable is a record \(dict\).*Pass list\(records\)") as info:
        lf.apply(lfs, (r for r in records), progress=False)
    assert "not a pandas DataFrame or a record" not in str(info.value)
    assert lf.apply(lfs, list(records), progress=False).array[:, 0].tolist() == [1, ABSTAIN]


def test_row_lfs_see_csv_values_as_pandas_read_csv_gives_them(tmp_path):
    # A row LF written against pd.read_csv(...) must behave the same when lf reads the file:
    # here DATE is text such as "2013-11-07T06:20:48", and the LF slices it as a string.
    df = pd.DataFrame({"DATE": ["2013-11-07T06:20:48", "2014-01-19T04:27:18"], "text": ["a", "b"]})
    path = _write(df, tmp_path / "dated.csv")
    old = LabelingFunction("old", lambda x: 0 if x.DATE[:4] == "2013" else ABSTAIN)
    expected = lf.apply([old], pd.read_csv(path), progress=False)
    assert expected.array[:, 0].tolist() == [0, ABSTAIN]
    assert lf.apply([old], path, progress=False) == expected


def test_csv_whose_column_looks_numeric_in_the_first_block_reads_to_the_end(tmp_path):
    # pyarrow infers column types from the first block (8 MiB here): a code column that is
    # numeric for the first ~10 MiB and then holds text must still be readable.
    n = 110_000
    df = pd.DataFrame({"code": [str(i) for i in range(n)], "text": ["x" * 90] * n})
    df.loc[n - 1, "code"] = "A12"
    path = tmp_path / "big.csv"
    df.to_csv(path, index=False)
    assert path.stat().st_size > 9 << 20
    L = lf.apply([LabelingFunction("is_a", lambda x: 1 if str(x.code).startswith("A") else ABSTAIN)], path, progress=False)
    assert L.n == n and L.array[-1, 0] == 1 and (L.array[:-1, 0] == ABSTAIN).all()


# -- writers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.parquet", "out.csv", "out.tsv", "out.jsonl"])
def test_write_frame_roundtrip(tmp_path, frame, name):
    path = write_frame(frame, tmp_path / name)
    assert path == tmp_path / name
    back = pd.concat(list(iter_chunks(path, 1000)), ignore_index=True)
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["uid"].tolist() == frame["uid"].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_write_frame_unknown_suffix(tmp_path, frame):
    with pytest.raises(DataError, match="Unknown data format"):
        write_frame(frame, tmp_path / "out.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "out.parquet"
    write_frame(pd.DataFrame({"a": [1, 2]}), path)
    before = path.read_bytes()
    bad = pd.DataFrame({"a": [object(), object()]})  # pyarrow cannot serialise these
    with pytest.raises((TypeError, ValueError)):  # pyarrow's ArrowTypeError / ArrowInvalid
        write_frame(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_atomic_path_renames_only_on_success(tmp_path):
    target = tmp_path / "result.txt"
    with pytest.raises(RuntimeError, match="interrupted"), atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("partial")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert list(tmp_path.iterdir()) == [target]


def test_a_writer_killed_with_sigkill_leaves_no_temporary_file_for_long(tmp_path):
    # SIGKILL (the out-of-memory killer) skips every cleanup: the next write of the same
    # output removes what the dead writer left, and nothing a live writer or another
    # machine owns.
    import signal
    import subprocess
    import sys

    target = tmp_path / "labels.parquet"
    code = (
        "import sys, time\n"
        "from lf.io import atomic_path\n"
        "with atomic_path(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('partial')\n"
        "    print(tmp, flush=True)\n"
        "    time.sleep(60)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    left = Path(writer.stdout.readline().strip())
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    assert left.exists() and not target.exists()  # what SIGKILL leaves behind
    elsewhere = tmp_path / ".labels.parquet.otherhost~1-1.abcd1234.tmp"
    elsewhere.write_text("another machine's run")
    with atomic_path(target) as tmp:
        live = sorted(p.name for p in tmp_path.iterdir())
        tmp.write_text("done")
    assert left.name not in live and elsewhere.name in live and tmp.name in live
    with atomic_path(tmp_path / "other.parquet"):  # a write to another output leaves this one's alone
        assert elsewhere.exists()
    assert target.read_text() == "done"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([elsewhere.name, "labels.parquet", "other.parquet"])


def test_atomic_path_into_missing_folder(tmp_path):
    with pytest.raises(DataError, match=r"folder .*nope.* does not exist"), atomic_path(tmp_path / "nope" / "x.txt"):
        pass


def test_written_files_get_the_usual_permissions(tmp_path, frame):
    # An output written atomically must be as readable as one written with open(): the temp
    # file that mkstemp creates is 0600, which would hide results from the rest of a team.
    plain = tmp_path / "plain.csv"
    plain.write_text("x")
    out = write_frame(frame, tmp_path / "out.csv")
    assert stat.S_IMODE(os.stat(out).st_mode) == stat.S_IMODE(os.stat(plain).st_mode)


def test_with_a_custom_umask_outputs_follow_it(tmp_path, frame):
    old = os.umask(0o027)
    try:
        out = write_frame(frame, tmp_path / "out.parquet")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640


# -- every path is checked before anything is read ------------------------------------------


def test_a_missing_second_file_fails_before_any_lf_runs(tmp_path, frame):
    good = _write(frame, tmp_path / "good.csv")
    calls = []

    def spy(x):
        calls.append(1)
        return ABSTAIN

    for data in ([good, tmp_path / "gone.parquet"], [good, tmp_path / "gone.csv"]):
        with pytest.raises(DataError, match=r"Data file not found: .*gone\."):
            lf.apply([LabelingFunction("spy", spy)], data, progress=False)
    assert calls == []


def test_count_rows_checks_paths_and_reports_corrupt_parquet(tmp_path, frame):
    with pytest.raises(DataError, match=r"Data file not found: .*nope\.parquet"):
        count_rows(tmp_path / "nope.parquet")
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(DataError, match=r"Unknown data format for .*x\.xlsx"):
        count_rows([_write(frame, tmp_path / "a.parquet"), tmp_path / "x.xlsx"])
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match=r"Could not read .*bad\.parquet' as PARQUET"):
        count_rows(bad)


@pytest.mark.parametrize(
    "name, content",
    [
        ("bad.csv.gz", b"this is not gzip data at all"),
        ("empty.csv", b""),
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n"),
        ("bad.jsonl.gz", b"not gzip either"),
    ],
)
def test_unreadable_csv_and_json_files_are_data_errors(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=rf"(Could not read .*{name}' as (CSV|JSONL)|{name}' is empty: a CSV file starts)"):
        lf.apply([keyword_lf("k", ["x"], 1, column="a")], path, progress=False)


# -- column types -----------------------------------------------------------------------------


def test_csv_values_are_the_text_of_the_file_and_empty_fields_are_missing(tmp_path):
    path = tmp_path / "types.csv"
    path.write_text("zip,when,n,text\n00501,2013-11-07,7,hello\n10001,2014-01-19T04:27:18,,\n")
    back = pd.concat(list(iter_chunks(path, 10)), ignore_index=True)
    assert back["zip"].tolist() == ["00501", "10001"]  # leading zeros kept
    assert back["when"].tolist() == ["2013-11-07", "2014-01-19T04:27:18"]
    assert back["n"][0] == "7" and pd.isna(back["n"][1])
    assert back["text"][0] == "hello" and pd.isna(back["text"][1])
    ref = pd.read_csv(path, dtype=str)
    assert back.isna().equals(ref.isna())


def test_jsonl_whose_types_change_after_the_first_block_reads_to_the_end_with_values_kept(tmp_path):
    n = 120_000
    path = tmp_path / "drift.jsonl"
    with open(path, "w") as fh:
        fh.writelines(json.dumps({"code": i, "text": "x" * 60}) + "\n" for i in range(n - 1))
        fh.write(json.dumps({"code": "A12", "text": "last"}) + "\n")
    assert path.stat().st_size > 9 << 20  # past pyarrow's first 8 MiB block
    chunks = list(iter_chunks(path, 50_000))
    assert [len(c) for c in chunks] == [50_000, 50_000, 20_000]
    back = pd.concat(chunks, ignore_index=True)
    assert back["code"].iloc[0] == 0 and back["code"].iloc[n - 2] == n - 2 and back["code"].iloc[-1] == "A12"
    assert back["text"].iloc[-1] == "last"
    L = lf.apply([LabelingFunction("is_a", lambda x: 1 if str(x.code).startswith("A") else ABSTAIN)], path,
                 chunk_size=50_000, progress=False)
    assert L.n == n and L.array[-1, 0] == 1 and (L.array[:-1, 0] == ABSTAIN).all()


def test_jsonl_with_a_bad_line_after_the_first_block_names_the_line(tmp_path):
    path = tmp_path / "broken.jsonl"
    with open(path, "w") as fh:
        fh.writelines(json.dumps({"code": i, "text": "y" * 80}) + "\n" for i in range(100_000))
        fh.write("{not json\n")
    with pytest.raises(DataError, match=r"Could not read .*broken\.jsonl' as JSONL: line 100001 is not valid JSON"):
        list(iter_chunks(path, 40_000))


@pytest.mark.parametrize("name", ["out.csv.gz", "out.jsonl.gz", "out.tsv.bz2"])
def test_compressed_outputs_are_really_compressed_and_read_back(tmp_path, name):
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["a", "é"]})
    path = write_frame(frame, tmp_path / name)
    assert not path.read_bytes().startswith(b"id")  # not plain text under a compressed name
    back = pd.concat(list(iter_chunks(path, 10)), ignore_index=True)
    assert back["text"].tolist() == ["a", "é"]


def test_non_utf8_csv_is_a_data_error_saying_how_to_convert(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,text\n1,caf\xe9\n".encode("latin1"))
    with pytest.raises(DataError, match=r"latin1\.csv.*not UTF-8.*iconv"):
        list(iter_chunks(path, 10))


def test_jsonl_outputs_keep_probabilities_as_precise_as_csv_and_parquet(tmp_path):
    # JSON Lines outputs rounded every float to 10 decimals (pandas' default): a posterior
    # of 3e-12 was written as 0.0, and a .jsonl output disagreed with the .csv one.
    from lf.train_data import write_predictions
    from lf.writers import FrameWriter

    probs = np.array([3e-12, 1 / 3, 0.9999707048374, 2.9295162e-05])
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"], "SPAM": probs})
    with FrameWriter(tmp_path / "labels.jsonl") as writer:  # lf label
        writer.write(frame)
    write_frame(frame, tmp_path / "frame.jsonl")  # lf sample
    write_predictions(iter([frame]), tmp_path / "preds.jsonl")  # lf predict
    for name in ("labels.jsonl", "frame.jsonl", "preds.jsonl"):
        back = pd.read_json(tmp_path / name, lines=True, precise_float=True)["SPAM"].to_numpy()
        np.testing.assert_allclose(back, probs, rtol=1e-14, atol=0, err_msg=name)


def test_a_bad_jsonl_line_is_named_by_its_line_and_column_only(tmp_path):
    # json's own message counts lines within the one line it was given ("line 1 column 21"),
    # beside the file's line number: "line 2 is not valid JSON (... line 1 column 21 ...)"
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n{"text": "a\tb"}\n')
    with pytest.raises(DataError) as info:
        lf.apply([keyword_lf("k", ["x"], 1)], path, progress=False)
    assert str(info.value) == (
        f"Could not read {str(path)!r} as JSONL: line 2 is not valid JSON (Invalid control character at "
        "column 12). Fix that line: one JSON object per line."
    )


def test_a_csv_separated_by_semicolons_is_refused_naming_the_separator(tmp_path):
    # a spreadsheet export in many locales: read as CSV it is one column named 'id;text',
    # and the LFs were told the data has no column 'text'
    path = tmp_path / "export.csv"
    path.write_text("id;text\n1;check my channel\n")
    with pytest.raises(DataError, match=r"has one column, named 'id;text': its values are separated by ';'"):
        lf.apply([keyword_lf("k", ["check"], 1)], path, progress=False)
    single = tmp_path / "single.csv"  # one column whose name has no ';' is a CSV like any other
    single.write_text("text\ncheck my channel\n")
    assert lf.apply([keyword_lf("k", ["check"], 1)], single, progress=False).array[:, 0].tolist() == [1]


def test_a_one_column_csv_whose_quoted_name_holds_a_semicolon_is_read(tmp_path):
    # pandas reads it as the one column it is; only an unquoted 'id;text' header is a ';' export
    path = tmp_path / "one.csv"
    path.write_text('"question; answer"\n"check; why"\nhello\n')
    assert pd.read_csv(path).columns.tolist() == ["question; answer"]

    @labeling_function()
    def asks_why(x):
        return 1 if "why" in x["question; answer"] else ABSTAIN

    assert lf.apply([asks_why], path, progress=False).array[:, 0].tolist() == [1, -1]
    export = tmp_path / "export.csv"  # a ';' export whose first field is quoted is still one
    export.write_text('"id";"text"\n1;"check; my channel"\n')
    with pytest.raises(DataError, match=r"has one column, named 'id;\"text\"': its values are separated by ';'"):
        lf.apply([asks_why], export, progress=False)
