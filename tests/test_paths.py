"""lf.paths: an output never names an input, another output, a folder or an unwritable place."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lf.errors import DataError, LFError, ParameterError
from lf.paths import check_outputs, same_file


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.csv"
    path.write_text("id,text\n1,hello\n")
    return path


def test_same_file_sees_through_spellings_symlinks_and_hard_links(tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for alias in ("data.csv", "./data.csv", "sub/../data.csv", str(data), "link.csv", "hard.csv"):
        assert same_file(alias, data), alias
    other = tmp_path / "other.csv"
    other.write_text("id,text\n1,hello\n")  # equal bytes, another file
    assert not same_file(other, data)
    # files not written yet compare by their real path
    assert same_file("new.csv", "sub/../new.csv")
    assert not same_file("new.csv", "sub/new.csv")


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("data.csv", "-o 'data.csv' is the input DATA: writing it would destroy the input."),
        ("./data.csv", "-o './data.csv' is the input DATA 'data.csv'"),
        ("sub/../data.csv", "-o 'sub/../data.csv' is the input DATA 'data.csv'"),
        ("link.csv", "-o 'link.csv' is the input DATA 'data.csv'"),
        ("hard.csv", "-o 'hard.csv' is the input DATA 'data.csv'"),
        ("sub", "-o 'sub' is an existing folder: give a file name"),
        ("missing/out.csv", "-o 'missing/out.csv': the folder 'missing' does not exist. Create it first"),
        ("data.csv/out.csv", "-o 'data.csv/out.csv': 'data.csv' is a file, not a folder"),
    ],
)
def test_check_outputs_refuses_naming_the_option_the_path_and_the_fix(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, output: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    with pytest.raises(LFError) as info:
        check_outputs([("-o", output)], [("DATA", "data.csv")])
    assert message in str(info.value)
    assert isinstance(info.value, ParameterError if "is the input" in message else DataError)
    assert data.read_text() == "id,text\n1,hello\n"


def test_two_outputs_naming_one_file_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match=r"--matrix './L\.parquet' is the same file as -o 'L\.parquet': give each output"):
        check_outputs([("-o", "L.parquet"), ("--matrix", "./L.parquet")])
    with pytest.raises(ParameterError, match=r"--cache 'L\.parquet' is the same file as -o 'L\.parquet'"):
        check_outputs([("-o", "L.parquet")], folders=[("--cache", "L.parquet")])
    check_outputs([("-o", "L.parquet"), ("--matrix", "M.parquet")], folders=[("--cache", "cache/deep")])


def test_a_cache_folder_must_not_be_a_file_or_an_input(tmp_path: Path, data: Path) -> None:
    with pytest.raises(DataError, match=r"--cache '.*data\.csv' is an existing file: give a folder"):
        check_outputs([], [("DATA", data)], folders=[("--cache", data)])
    with pytest.raises(DataError, match=r"'.*data\.csv' is a file, not a folder"):
        check_outputs([], folders=[("--cache", data / "cache")])
    check_outputs([], [("DATA", data)], folders=[("--cache", tmp_path)])  # an existing folder is fine


def test_allowed_outputs_pass_and_touch_nothing(tmp_path: Path, data: Path) -> None:
    before = sorted(tmp_path.iterdir())
    check_outputs([("-o", tmp_path / "labels.csv"), ("--matrix", tmp_path / "L.parquet")], [("DATA", data)])
    assert sorted(tmp_path.iterdir()) == before


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write into: mode 0o555, and immutable when running as root."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root, and chattr +i is not available to make a folder unwritable")
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def test_an_unwritable_folder_is_refused(locked: Path) -> None:
    target = str(locked / "labels.csv")
    with pytest.raises(DataError, match=re.escape(f"-o {target!r}: the folder {str(locked)!r} is not writable")):
        check_outputs([("-o", target)])
    with pytest.raises(DataError, match=r"--cache .* is not writable"):
        check_outputs([], folders=[("--cache", locked / "cache")])


def test_the_library_writers_refuse_a_folder_or_a_missing_folder_with_an_lf_error(tmp_path: Path) -> None:
    import numpy as np
    import pandas as pd

    import lf
    from lf.io import write_frame

    (tmp_path / "out.csv").mkdir()
    (tmp_path / "L.npz").mkdir()
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(DataError, match=r"`path` '.*out\.csv' is an existing folder: give a file name"):
        write_frame(frame, tmp_path / "out.csv")
    L = lf.LabelMatrix(np.array([[0, 1]]), names=["a", "b"], cardinality=2)
    with pytest.raises(DataError, match=r"`path` '.*L\.npz' is an existing folder"):
        L.save(tmp_path / "L.npz")
    with pytest.raises(DataError, match=r"`path` '.*x\.csv/L\.parquet': '.*x\.csv' is a file, not a folder"):
        (tmp_path / "x.csv").write_text("a\n1\n")
        L.save(tmp_path / "x.csv" / "L.parquet")
    assert (tmp_path / "x.csv").read_text() == "a\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["L.npz", "out.csv", "x.csv"]  # no temporary left


def test_an_output_named_as_a_folder_is_refused_by_every_writer(tmp_path: Path) -> None:
    # 'out.parquet/' lost its slash to Path and became a file named out.parquet
    import numpy as np
    import pandas as pd

    import lf
    from lf.io import write_frame
    from lf.writers import FrameWriter

    frame = pd.DataFrame({"a": [1]})
    L = lf.LabelMatrix(np.array([[0, 1]]), names=["a", "b"], cardinality=2)
    name = f"{tmp_path}/out.parquet/"
    with pytest.raises(DataError, match=re.escape(f"-o {name!r} ends in '/', which names a folder")):
        check_outputs([("-o", name)])
    for write in (lambda: write_frame(frame, name), lambda: L.save(name), lambda: FrameWriter(name).close()):
        with pytest.raises(DataError, match="which names a folder"):
            write()
    with pytest.raises(DataError, match="`output` .* which names a folder"):
        lf.label([lf.keyword_lf("k", ["a"], label=1)], pd.DataFrame({"text": ["a", "b"]}), output=name, model="MajorityVoter",
                 progress=False)
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_symlink_is_written_where_it_points(tmp_path: Path, data: Path, capsys) -> None:
    # the symlink was replaced by a file, and the file it pointed to kept its old content
    import numpy as np
    import pandas as pd

    import lf
    from lf.cli import main

    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "labels.csv"
    target.write_text("old\n")
    link = tmp_path / "labels.csv"
    link.symlink_to(target)
    dangling = tmp_path / "L.parquet"
    dangling.symlink_to(tmp_path / "runs" / "L.parquet")
    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nlfs = [keyword_lf('h', ['hello'], label=1), keyword_lf('n', ['nope'], label=0)]\n")
    assert main(["label", str(data), "--lfs", str(module), "--model", "MajorityVoter", "-o", str(link),
                 "--matrix", str(dangling), "--no-progress"]) == 0, capsys.readouterr().err
    assert link.is_symlink() and dangling.is_symlink()
    assert pd.read_csv(target)["id"].tolist() == [1]
    assert lf.LabelMatrix.load(tmp_path / "runs" / "L.parquet").n == 1
    L = lf.LabelMatrix(np.array([[0, 1]]), names=["a", "b"], cardinality=2)
    L.save(dangling)
    assert dangling.is_symlink() and lf.LabelMatrix.load(dangling).names == ("a", "b")
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["L.parquet", "labels.csv"]  # no temporary left
