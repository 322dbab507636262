"""The CLI never destroys its input, and checks what it can before any LF runs.

Every LF module here appends a line to ``calls.log`` each time one of its LFs is called, so
"refused before the run" is seen as: exit 2, one line, and no ``calls.log``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.models import MajorityVoter

TEXTS = ["free money http://x", "nice song", "subscribe now http://y", "love this song", "my channel http://z", "ok"]
GOLD = ["SPAM", "HAM", "SPAM", "HAM", "SPAM", "HAM"]


def _module(tmp_path: Path, *, labels: bool = True, extra: str = "") -> Path:
    path = tmp_path / ("lfs.py" if labels else "lfs_nolabels.py")
    path.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        + ("LABELS = ['HAM', 'SPAM']\n" if labels else "")
        + f"CALLS = {str(tmp_path / 'calls.log')!r}\n"
        "def _called():\n"
        "    with open(CALLS, 'a') as fh:\n"
        "        fh.write('x\\n')\n"
        "@labeling_function()\n"
        "def link(x):\n"
        "    _called()\n"
        "    return 1 if 'http' in x.text else ABSTAIN\n"
        "@labeling_function()\n"
        "def song(x):\n"
        "    _called()\n"
        "    return 0 if 'song' in x.text else ABSTAIN\n"
        "@labeling_function()\n"
        "def short(x):\n"
        "    _called()\n"
        "    return 0 if len(x.text) < 5 else ABSTAIN\n" + extra
    )
    return path


@pytest.fixture
def lfs(tmp_path: Path) -> Path:
    return _module(tmp_path)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of inputs (the cwd): x.csv, x.parquet, dev.csv, a saved matrix, links, a folder."""
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "text": TEXTS, "label": GOLD})
    frame.to_csv(tmp_path / "x.csv", index=False)
    frame.to_parquet(tmp_path / "x.parquet")
    frame.iloc[:4].to_csv(tmp_path / "dev.csv", index=False)
    L = lf.LabelMatrix(
        np.array([[1, -1, -1], [-1, 0, -1], [1, -1, -1], [-1, 0, -1], [1, -1, -1], [-1, -1, 0]]),
        names=["link", "song", "short"], cardinality=2, labels=["HAM", "SPAM"],
    )
    L.save(tmp_path / "L.parquet")
    L.save(tmp_path / "m.model.npz")  # a matrix with the name lf once gave m.json's arrays file
    (tmp_path / "link.csv").symlink_to(tmp_path / "x.csv")
    (tmp_path / "x.html").symlink_to(tmp_path / "x.csv")
    (tmp_path / "fit.json").symlink_to(tmp_path / "L.parquet")
    os.link(tmp_path / "x.csv", tmp_path / "hard.csv")
    os.link(tmp_path / "x.csv", tmp_path / "xh.html")
    os.link(tmp_path / "L.parquet", tmp_path / "Lh.html")
    os.link(tmp_path / "dev.csv", tmp_path / "dj.json")
    (tmp_path / "sub").mkdir()
    (tmp_path / "folder.csv").mkdir()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def assert_refused_before_the_run(code: int, err: str, message: str, folder: Path) -> None:
    assert code == 2, err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not (folder / "calls.log").exists(), "an LF ran before the refusal"


def test_label_onto_its_own_input_with_gold_is_refused_and_the_input_is_byte_identical(
    work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (work / "x.csv").read_bytes()
    code, out, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "x.csv", "--gold", "label")
    assert_refused_before_the_run(code, err, "-o 'x.csv' is the input DATA: writing it would destroy the input", work)
    assert (work / "x.csv").read_bytes() == before
    assert "accuracy" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apply", "x.parquet", "-o", "x.parquet"], "-o 'x.parquet' is the input DATA"),
        (["label", "x.parquet", "-o", "out.csv", "--matrix", "x.parquet"], "--matrix 'x.parquet' is the input DATA"),
        (["label", "x.csv", "-o", "./x.csv"], "-o './x.csv' is the input DATA 'x.csv'"),
        (["label", "x.csv", "-o", "sub/../x.csv"], "-o 'sub/../x.csv' is the input DATA 'x.csv'"),
        (["label", "x.csv", "-o", "link.csv"], "-o 'link.csv' is the input DATA 'x.csv'"),
        (["label", "x.csv", "-o", "hard.csv"], "-o 'hard.csv' is the input DATA 'x.csv'"),
        (["label", "x.parquet", "x.csv", "-o", "hard.csv"], "-o 'hard.csv' is the input DATA 'x.csv'"),
        (["label", "x.csv", "-o", "folder.csv"], "-o 'folder.csv' is an existing folder"),
        (["label", "x.csv", "-o", "nowhere/out.csv"], "-o 'nowhere/out.csv': the folder 'nowhere' does not exist"),
        (["apply", "x.csv", "-o", "x.csv/L.parquet"], "-o 'x.csv/L.parquet': 'x.csv' is a file, not a folder"),
        (["label", "x.csv", "-o", "o.parquet", "--matrix", "./o.parquet"], "--matrix './o.parquet' is the same file as -o 'o.parquet'"),
        (["label", "x.csv", "--dev-data", "dev.csv", "--dev-gold", "label", "-o", "dev.csv"], "-o 'dev.csv' is the input --dev-data"),
        (["label", "x.csv", "-o", "out.csv", "--cache", "x.csv"], "--cache 'x.csv' is an existing file"),
        (["label", "x.csv", "-o", "out.csv", "--cache", "out.csv"], "--cache 'out.csv' is the same file as -o 'out.csv'"),
        (["apply", "x.csv", "-o", "L2.parquet", "--cache", "./L2.parquet"], "--cache './L2.parquet' is the same file as -o"),
        (["label", "x.csv", "-o", "sub/out.csv", "--cache", "sub"], "-o 'sub/out.csv' is inside the folder --cache 'sub'"),
        (["apply", "x.csv", "-o", "sub/../sub/L.parquet", "--cache", "./sub"], "-o 'sub/../sub/L.parquet' is inside the folder --cache"),
        (
            ["label", "x.parquet", "-o", "parts", "--matrix", "parts/L", "--engine", "dask"],
            "--matrix 'parts/L' is inside the folder -o 'parts'",
        ),
        (["report", "x.csv", "--html", "x.html"], "--html 'x.html' is the input DATA 'x.csv'"),
        (["report", "L.parquet", "--html", "Lh.html"], "--html 'Lh.html' is the input label matrix 'L.parquet'"),
        (["report", "L.parquet", "--data", "x.csv", "--gold", "label", "--html", "xh.html"], "--html 'xh.html' is the input --data 'x.csv'"),
        (["fit", "L.parquet", "-o", "fit.json"], "-o 'fit.json' is the input label matrix 'L.parquet'"),
        (
            ["fit", "L.parquet", "--dev", "L.parquet", "--dev-gold", "label", "--dev-data", "dev.csv", "-o", "dj.json"],
            "-o 'dj.json' is the input --dev-data 'dev.csv'",
        ),
    ],
)
def test_an_output_that_is_an_input_a_folder_or_another_output_is_refused(
    work: Path, lfs: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = _digests(work)
    if args[0] in ("apply", "label") or args[1] == "x.csv":
        args = [*args, "--lfs", str(lfs)]
    code, _, err = run(capsys, *args)
    assert_refused_before_the_run(code, err, message, work)
    assert _digests(work) == before  # nothing replaced, nothing written


def test_a_matrix_named_as_model_arrays_once_were_is_fitted_and_kept(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a model's arrays file is named by its digest: the input of that older name is safe
    before = (work / "m.model.npz").read_bytes()
    code, _, err = run(capsys, "fit", "m.model.npz", "-o", "m.json", "--model", "MajorityVoter")
    assert code == 0, err
    assert (work / "m.model.npz").read_bytes() == before


def _split(work: Path, second: pd.DataFrame, name: str) -> tuple[Path, Path]:
    first = pd.DataFrame({"id": ["a", "b"], "text": ["nice song", "http://x"], "label": ["HAM", "SPAM"], "key": ["k1", "k2"]})
    first.to_parquet(work / "first.parquet")
    path = work / name
    if name.endswith(".jsonl"):
        second.to_json(path, orient="records", lines=True)
    elif name.endswith(".parquet"):
        second.to_parquet(path)
    else:
        second.to_csv(path, index=False)
    return work / "first.parquet", path


@pytest.mark.parametrize(
    ("columns", "name", "extra", "message"),
    [
        (["id", "body", "label"], "second.csv", ["--text-column", "text"], "--text-column 'text' is not in the data file 'second.csv' (DATA)"),
        (["id", "text", "label"], "second.jsonl", ["--id-column", "key"], "--id-column 'key' is not in the data file 'second.jsonl'"),
        (["text", "label"], "second.csv", [], "DATA file 'second.csv' has no 'id' column, but 'first.parquet' has one"),
        (["id", "text"], "second.parquet", ["--gold", "label"], "--gold column 'label' is not in the data file 'second.parquet' (DATA)"),
        (["id", "text", "label"], "second.csv", ["--text-column", "key"], "'second.csv' has no"),
    ],
)
def test_every_data_file_is_checked_for_the_columns_the_run_needs(
    work: Path, lfs: Path, capsys: pytest.CaptureFixture[str], columns: list[str], name: str, extra: list[str], message: str
) -> None:
    full = pd.DataFrame({"id": ["c"], "text": ["love it"], "body": ["love it"], "label": ["HAM"], "key": ["k3"]})
    first, second = _split(work, full[columns], name)
    code, _, err = run(capsys, "label", first.name, second.name, "--lfs", lfs, "-o", "out.csv", *extra)
    if message == "'second.csv' has no":  # --text-column key: exposed as 'text', which the files also have
        message = "--text-column 'key' would be exposed as 'text', but 'first.parquet' already has a 'text' column"
    assert_refused_before_the_run(code, err, message, work)
    assert not (work / "out.csv").exists()


def test_dev_data_and_report_data_files_are_checked_too(work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"id": ["d"], "text": ["song"]}).to_csv(work / "dev2.csv", index=False)
    code, _, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "out.csv", "--dev-data", "dev.csv", "--dev-data", "dev2.csv", "--dev-gold", "label")
    assert_refused_before_the_run(code, err, "--dev-gold column 'label' is not in the data file 'dev2.csv' (--dev-data)", work)
    code, _, err = run(capsys, "report", "L.parquet", "--data", "dev2.csv", "--gold", "label")
    assert_refused_before_the_run(code, err, "--gold column 'label' is not in the data file 'dev2.csv' (--data)", work)
    code, _, err = run(capsys, "fit", "L.parquet", "--dev", "L.parquet", "--dev-data", "dev2.csv", "--dev-gold", "label", "-o", "m2.json")
    assert_refused_before_the_run(code, err, "--dev-gold column 'label' is not in the data file 'dev2.csv'", work)
    assert not (work / "m2.json").exists()


def test_a_csv_naming_a_column_twice_is_named_with_the_file(work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (work / "dup.csv").write_text("id,text,label,text\nr0,nice song,HAM,http://x\n")
    code, _, err = run(capsys, "label", "x.csv", "dup.csv", "--lfs", lfs, "-o", "out.csv")
    assert_refused_before_the_run(code, err, "'dup.csv' names the column 'text' twice in its header line; rename one of them", work)


def _with_gold(work: Path, values: list[object]) -> str:
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(TEXTS))], "text": TEXTS, "gold": values})
    frame.to_parquet(work / "g.parquet")
    return "g.parquet"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["SPAM", "HAM", "EGGS", "HAM", "SPAM", "HAM"], "--gold column 'gold' has values that are neither label names nor class ids: 'EGGS'. Allowed: the label names HAM, SPAM or the class ids 0..1."),
        (["SPAM", "HAM", None, "HAM", None, "HAM"], "--gold column 'gold' has 2 missing values (row positions 2, 4); every row needs a gold label. To score the labeled rows alone, leave the others out first (a file of just them, as `lf labelstudio import` writes)."),
        (["SPAM", "HAM", None, "HAM", "SPAM", "HAM"], "--gold column 'gold' has a missing value (row position 2); every row needs a gold label."),
        ([1, 0, 2, 0, 1, 0], "--gold column 'gold' has values that are neither label names nor class ids: 2. Allowed: the label names HAM, SPAM or the class ids 0..1."),
        (["SPAM", "HAM", "1", "0", "SPAM", "HAM"], "--gold column 'gold' mixes label names ('SPAM', 'HAM') with class ids ('1', '0'). Use one kind for every row: HAM, SPAM or 0..1."),
    ],
)
def test_gold_values_are_checked_before_the_run(
    work: Path, lfs: Path, capsys: pytest.CaptureFixture[str], values: list[object], message: str
) -> None:
    data = _with_gold(work, values)
    code, _, err = run(capsys, "label", data, "--lfs", lfs, "-o", "out.csv", "--gold", "gold")
    assert_refused_before_the_run(code, err, message, work)
    assert not (work / "out.csv").exists()
    code, _, err = run(capsys, "report", data, "--lfs", lfs, "--gold", "gold")
    assert_refused_before_the_run(code, err, message, work)


def test_dev_gold_and_gold_without_declared_labels_are_checked_before_the_run(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = _module(tmp_path, labels=False)
    code, _, err = run(capsys, "label", "x.csv", "--lfs", bare, "-o", "out.csv", "--gold", "label")
    assert_refused_before_the_run(code, err, "--gold column 'label' has values that are neither label names nor class ids: 'HAM', 'SPAM'. Allowed: the class ids 0, 1, 2 and so on (label names once the labels are declared: LABELS in the LF module, labels= in Python).", work)
    (work / "dev_bad.csv").write_text("id,text,label\nd0,song,HAM\nd1,http,SPAMM\n")
    lfs = _module(tmp_path)
    code, _, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "out.csv", "--dev-data", "dev_bad.csv", "--dev-gold", "label")
    assert_refused_before_the_run(code, err, "--dev-gold column 'label' has values that are neither label names nor class ids: 'SPAMM'", work)


def test_model_choices_that_need_dev_rows_or_name_no_model_fail_before_the_run(
    work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra, message in (
        (["--model", "auto"], "'auto' picks the best model on gold-labeled dev rows"),
        (["--class-balance", "dev"], "'dev' needs gold-labeled dev rows"),
        (["--model", "NoSuchModel"], "Unknown model 'NoSuchModel'. Available:"),
        (["--class-balance", "HAM=0.5,EGGS=0.5"], "one value for each label: HAM, SPAM"),
    ):
        code, _, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "out.csv", "--matrix", "M.parquet", *extra)
        assert_refused_before_the_run(code, err, message, work)
        assert not (work / "M.parquet").exists() and not (work / "out.csv").exists()


def test_gold_is_the_one_read_before_the_run_even_when_the_file_changes_during_it(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An LF that rewrites the corpus (atomically) with every gold label flipped, mid-run.
    flip = (
        "import os, pandas as pd\n"
        "@labeling_function()\n"
        "def tamper(x):\n"
        f"    path = {str(work / 'x.csv')!r}\n"
        "    frame = pd.read_csv(path)\n"
        "    if frame['label'].iloc[0] == 'SPAM':\n"
        "        frame['label'] = frame['label'].map({'SPAM': 'HAM', 'HAM': 'SPAM'})\n"
        "        frame.to_csv(path + '.tmp', index=False)\n"
        "        os.replace(path + '.tmp', path)\n"
        "    return ABSTAIN\n"
    )
    lfs = _module(tmp_path, extra=flip)
    code, out, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "labels.csv", "--gold", "label", "--model", "mv")
    assert code == 0, err
    assert pd.read_csv(work / "x.csv")["label"].tolist() != GOLD  # the LF did rewrite the file
    frame = pd.read_csv(work / "labels.csv")
    expected = float((frame["label"] == pd.Series(GOLD)).mean())
    reported = float(out.split("accuracy over all rows")[1].split()[0])  # uncovered rows count as wrong
    assert reported == pytest.approx(expected, abs=5e-4)
    assert expected > 0.6  # the LFs agree with the original gold; the flipped gold would score low


def test_a_saved_model_fitted_on_other_lfs_fails_before_the_run(work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    three = lf.LabelMatrix(np.array([[0, 1, -1], [1, 1, 0]]), names=["a", "b", "c"], cardinality=2)
    MajorityVoter().fit(three).save(work / "three.json")  # fitted on LFs the module does not define
    message = "--model 'three.json' was fitted on other LFs than the ones given here (missing ['a', 'b', 'c'], new ['link', 'song', 'short'])"
    code, _, err = run(capsys, "label", "x.csv", "--lfs", lfs, "-o", "out.csv", "--model", "three.json")
    assert_refused_before_the_run(code, err, message, work)
    code, _, err = run(capsys, "report", "x.csv", "--lfs", lfs, "--model", "three.json", "--html", "r.html")
    assert_refused_before_the_run(code, err, message, work)
    code, _, err = run(capsys, "report", "L.parquet", "--model", "three.json", "--html", "r.html")
    assert_refused_before_the_run(code, err, message, work)
    assert not (work / "out.csv").exists() and not (work / "r.html").exists()


def test_outputs_are_written_last_so_a_step_failing_after_the_run_leaves_no_output(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fragile = "@labeling_function()\ndef fragile(x):\n    if 'boom' in x.text:\n        raise ValueError('boom')\n    return ABSTAIN\n"
    lfs = _module(tmp_path, extra=fragile)
    (work / "dev_boom.csv").write_text("id,text,label\nd0,boom,HAM\nd1,http,SPAM\n")  # only the dev rows make it fail
    code, _, err = run(
        capsys, "label", "x.csv", "--lfs", lfs, "-o", "out.csv", "--matrix", "M.parquet",
        "--dev-data", "dev_boom.csv", "--dev-gold", "label",
    )
    assert code == 2
    assert "Labeling function 'fragile' raised" in err
    assert (work / "calls.log").exists()  # the data's run happened ...
    assert not (work / "M.parquet").exists() and not (work / "out.csv").exists()  # ... and wrote nothing


def test_valid_runs_over_several_formats_still_work(work: Path, lfs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.read_csv(work / "x.csv")
    frame.iloc[:2].to_json(work / "a.jsonl", orient="records", lines=True)
    frame.iloc[2:4].to_parquet(work / "b.parquet")
    frame.iloc[4:].to_csv(work / "c.csv", index=False)
    code, out, err = run(capsys, "label", "a.jsonl", "b.parquet", "c.csv", "--lfs", lfs, "-o", "sub/labels.parquet", "--matrix", "sub/L.npz", "--gold", "label", "--model", "mv")
    assert code == 0, err
    labels = pd.read_parquet(work / "sub" / "labels.parquet")
    assert labels["id"].tolist() == frame["id"].tolist()
    assert "accuracy over all rows   1.000" in out
    assert lf.LabelMatrix.load(work / "sub" / "L.npz").n == len(frame)


def test_a_real_lf_process_refuses_to_overwrite_its_input(work: Path, lfs: Path) -> None:
    exe = Path(sys.executable).with_name("lf")
    before = _digests(work)
    for args in (["label", "x.csv", "-o", "x.csv", "--gold", "label"], ["apply", "x.parquet", "-o", "./x.parquet"]):
        proc = subprocess.run([str(exe), *args, "--lfs", str(lfs)], capture_output=True, text=True, cwd=work, timeout=120, check=False)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "is the input DATA" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert _digests(work) == before
    assert not (work / "calls.log").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["apply", "x.csv", "--lfs", "{lfs}", "-o", "./words.parquet"],
        ["label", "x.csv", "--lfs", "{lfs}", "-o", "words.parquet"],
        ["label", "x.csv", "--lfs", "{lfs}", "-o", "out.csv", "--matrix", "sub/../words.parquet"],
        ["sample", "x.csv", "--lfs", "{lfs}", "-o", "words.csv", "--model", "mv"],
    ],
)
def test_an_output_that_is_a_file_an_lf_declares_is_refused(
    work: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # The LF reads its word list from the file it declares; the output must not replace it.
    lfs = _module(work, extra=(
        "from pathlib import Path\n"
        "@labeling_function(files=['words.parquet', 'words.csv'])\n"
        "def listed(x):\n"
        "    _called()\n"
        "    return 1 if Path('words.csv').stat().st_size and 'money' in x.text else ABSTAIN\n"
    ))
    for name in ("words.parquet", "words.csv"):
        (work / name).write_text("money\n")
    before = _digests(work)
    code, _, err = run(capsys, *(a.format(lfs=lfs) for a in command))
    assert_refused_before_the_run(code, err, "is the input file LF 'listed' declares (files=)", work)
    assert _digests(work) == before
