"""Broken inputs and failed writes: a DataError naming the file and the problem, one CLI line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from _tmpfs import mounted_tmpfs

import lf
import lf.io
from lf.cli import main
from lf.errors import DataError
from lf.io import write_frame
from lf.models import DawidSkene, MajorityVoter
from lf.models.base import BaseLabelModel

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"


def _matrix(n: int = 300) -> lf.LabelMatrix:
    rng = np.random.default_rng(0)
    return lf.LabelMatrix(rng.integers(-1, 2, size=(n, 3)), names=["a", "b", "c"], labels=["HAM", "SPAM"])


def _truncate(path: Path) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _rewrite_parquet_meta(path: Path, change: object) -> Path:
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"lf"])
    raw = change(meta) if callable(change) else change
    pq.write_table(table.replace_schema_metadata({"lf": raw if isinstance(raw, str) else json.dumps(raw)}), path)
    return path


def _rewrite_npz_meta(path: Path, meta: str) -> Path:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["meta"] = np.array(meta)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def _npz_meta(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as z:
        return json.loads(str(z["meta"]))


def _add_npz_arrays(path: Path, **more: np.ndarray) -> Path:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays, **more)
    return path


def _with(meta: dict, **changes: object) -> dict:
    return {**meta, **changes}


BROKEN_MATRICES = [
    ("L.npz", _truncate, "is not a label matrix written by lf: truncated, or not a .npz archive"),
    ("L.npz", lambda p: _rewrite_npz_meta(p, '{"format": "lf.LabelMatrix/1", "names": ['), "its metadata is not valid JSON"),
    ("L.parquet", _truncate, "is not a label matrix written by lf: truncated, or not a Parquet file"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, "{broken"), "its metadata is not valid JSON"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, lambda m: _with(m, names=["a", "nope", "c"])), "LF column(s) ['nope'] that the file does not have"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, lambda m: _with(m, cardinality="2")), "'cardinality' must be a positive integer"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, lambda m: _with(m, errors=[0])), "'errors' must hold one non-negative count per LF (3)"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, lambda m: _with(m, errors=["x", 0, 1])), "'errors' must hold one non-negative count per LF (3)"),
    ("L.npz", lambda p: _rewrite_npz_meta(p, json.dumps(_with(_npz_meta(p), seconds=[0.5, None, -1]))), "'seconds' must hold one non-negative number per LF (3)"),
    ("L.npz", lambda p: _add_npz_arrays(p, row_ids=np.arange(300), row_ids_missing=np.array([True])), "mask of missing row ids must hold one boolean per row id ((300,)). Got shape (1,), dtype bool"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, lambda m: _with(m, labels=["ONE", "TWO", "THREE"])), "3 label names given for cardinality 2"),
    ("L.parquet", lambda p: _rewrite_parquet_meta(p, [1, 2]), "not a label matrix written by lf (format 'list'"),
]


@pytest.mark.parametrize(("name", "break_it", "problem"), BROKEN_MATRICES)
def test_broken_matrix_file_is_a_data_error_naming_it(
    name: str, break_it: object, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _matrix().save(tmp_path / name)
    break_it(path)  # type: ignore[operator]
    with pytest.raises(DataError) as info:
        lf.LabelMatrix.load(path)
    assert str(path) in str(info.value) and problem in str(info.value)
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert problem in err and len(err.strip().splitlines()) == 1


def _undigested(path: Path) -> Path:
    """The model file as lf wrote it before it named its sidecar's digest."""
    doc = json.loads(path.read_text())
    del doc["npz_sha256"]
    path.write_text(json.dumps(doc))
    return path


def _arrays(path: Path) -> Path:
    """The sidecar .npz a model file names (by its digest)."""
    return path.with_name(json.loads(path.read_text())["npz"])


def _fitted_model(tmp_path: Path, big: bool) -> Path:
    rng = np.random.default_rng(0)
    if big:  # 3 LFs x 50 classes: the confusion matrices go to the sidecar .npz
        model: BaseLabelModel = DawidSkene().fit(lf.LabelMatrix(rng.integers(-1, 50, size=(400, 3)), cardinality=50))
    else:
        model = MajorityVoter().fit(_matrix())
    return model.save(tmp_path / "model.json")


@pytest.mark.parametrize(
    ("big", "break_it", "problem"),
    [
        (False, _truncate, "is not a model file written by lf (truncated or not JSON"),
        (False, lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe"), "is not a model file written by lf (truncated or not JSON"),
        (True, _truncate, "is not a model file written by lf (truncated or not JSON"),
        (True, lambda p: _truncate(_arrays(p)), "does not match its arrays file 'model.model."),
        (True, lambda p: _truncate(_arrays(_undigested(p))), "is not a complete DawidSkene file (BadZipFile"),
        (True, lambda p: _arrays(p).unlink(), "is not a complete DawidSkene file (FileNotFoundError"),
        (True, lambda p: p.write_text(p.read_text().replace('"model.model.', '"../model.model.')), "the sidecar name must be a file name"),
    ],
)
def test_broken_model_file_is_a_data_error_naming_it(
    big: bool, break_it: object, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _fitted_model(tmp_path, big)
    BaseLabelModel.load(path)  # whole, it loads
    break_it(path)  # type: ignore[operator]
    with pytest.raises(DataError) as info:
        BaseLabelModel.load(path)
    assert str(path) in str(info.value) and problem in str(info.value)
    matrix = _matrix().save(tmp_path / "L.parquet")
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(tmp_path / "y.csv"), "--model", str(path)]) == 2
    err = capsys.readouterr().err
    assert problem in err and len(err.strip().splitlines()) == 1
    assert matrix.exists() and not (tmp_path / "y.csv").exists()


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system (tmpfs), so writes fail with ENOSPC."""
    with mounted_tmpfs(tmp_path / "tiny", "size=64k") as folder:
        yield folder


def _fill(folder: Path) -> None:
    """Leave (almost) no free block on the file system."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        except OSError:
            pass


def test_disk_full_names_the_path_and_leaves_nothing(tiny_fs: Path) -> None:
    big = _matrix(200_000)
    frame = pd.DataFrame({"text": [f"row {i} " * 4 for i in range(20_000)]})
    for path, write in [
        (tiny_fs / "L.parquet", big.save),
        (tiny_fs / "L.npz", big.save),
        (tiny_fs / "x.csv", lambda p: write_frame(frame, p)),
        (tiny_fs / "x.jsonl.gz", lambda p: write_frame(frame, p)),
        (tiny_fs / "x.parquet", lambda p: write_frame(frame, p)),
    ]:
        with pytest.raises(DataError) as info:
            write(path)
        assert str(info.value) == f"Cannot write {str(path)!r}: No space left on device."
        assert isinstance(info.value.__cause__, OSError)
        assert list(tiny_fs.iterdir()) == []  # no partial file, no temporary file


def test_disk_full_keeps_the_old_model_whole(tiny_fs: Path, tmp_path: Path) -> None:
    path = _fitted_model(tmp_path, big=True)
    for f in (path, _arrays(path)):
        shutil.copy(f, tiny_fs / f.name)
    before = {f.name: f.read_bytes() for f in tiny_fs.iterdir()}
    _fill(tiny_fs)
    rng = np.random.default_rng(1)
    other = DawidSkene().fit(lf.LabelMatrix(rng.integers(-1, 50, size=(400, 3)), cardinality=50))
    with pytest.raises(DataError, match="Cannot write .*: No space left on device"):
        other.save(tiny_fs / "model.json")
    (tiny_fs / "filler").unlink()
    assert {f.name: f.read_bytes() for f in tiny_fs.iterdir()} == before
    BaseLabelModel.load(tiny_fs / "model.json")


def test_cli_disk_full_is_one_line(tiny_fs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(tiny_fs)
    out = tiny_fs / "L.parquet"
    code = main(["apply", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == f"error: Cannot write {str(out)!r}: No space left on device."
    assert sorted(f.name for f in tiny_fs.iterdir()) == ["filler"]


def test_disk_full_html_report_and_labels_are_one_line(tiny_fs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    matrix = lf.apply(lf.load_lfs(DEMO_LFS), DEMO).save(tmp_path / "L.parquet")
    _fill(tiny_fs)
    html, labels = tiny_fs / "r.html", tiny_fs / "labels.csv"
    assert main(["report", str(matrix), "--html", str(html)]) == 2
    assert capsys.readouterr().err.strip() == f"error: Cannot write {str(html)!r}: No space left on device."
    assert main(["label", str(DEMO), "--lfs", str(DEMO_LFS), "-o", str(labels), "--model", "MajorityVoter"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: Cannot write {str(labels)!r}: No space left on device."
    assert sorted(f.name for f in tiny_fs.iterdir()) == ["filler"]


_KILLED_AT_A_RENAME = """
import os, signal, sys
import numpy as np
import lf
import lf.io
from lf.models import DawidSkene

real = os.replace
def replace(src, dst):  # the save is killed the moment the file named argv[2] is in place
    real(src, dst)
    if str(dst).endswith(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
rng = np.random.default_rng(1)
DawidSkene().fit(lf.LabelMatrix(rng.integers(-1, 50, size=(400, 3)), cardinality=50)).save(sys.argv[1])
"""


@pytest.mark.parametrize("killed_after", [".npz", "model.json"])
def test_a_model_save_killed_between_its_two_files_leaves_a_whole_model(tmp_path: Path, killed_after: str) -> None:
    # The sidecar had one name: a save killed between its two renames left the new
    # model.json beside the old arrays (or the reverse), which load refused, so neither the
    # old model nor the new one could be loaded. Named by their digest, the new arrays never
    # replace the ones the old model.json names.
    path = _fitted_model(tmp_path, big=True)
    old = BaseLabelModel.load(path)
    old_json, old_npz = path.read_bytes(), _arrays(path)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_A_RENAME, str(path), killed_after], check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == -9
    back = BaseLabelModel.load(path)  # the old model or the new one, whole
    if killed_after == ".npz":
        assert path.read_bytes() == old_json and old_npz.exists()
        assert np.array_equal(back.predict_proba(_matrix(5).array), old.predict_proba(_matrix(5).array))
    else:
        assert path.read_bytes() != old_json and _arrays(path) != old_npz


def test_a_new_save_removes_the_arrays_only_the_replaced_model_named(tmp_path: Path) -> None:
    path = _fitted_model(tmp_path, big=True)
    first = _arrays(path)
    stranger = path.with_name("model.model.npz")  # a file of that name that is no sidecar of it
    stranger.write_bytes(b"the user's")
    rng = np.random.default_rng(7)
    DawidSkene().fit(lf.LabelMatrix(rng.integers(-1, 50, size=(400, 3)), cardinality=50)).save(path)
    assert not first.exists() and _arrays(path).exists() and stranger.read_bytes() == b"the user's"
    MajorityVoter().fit(_matrix()).save(path)  # small: no sidecar at all
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("model.")) == ["model.json", "model.model.npz"]


def test_a_text_file_named_parquet_is_named_in_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # pyarrow's reason ends in a period of its own: the line ended "not a parquet file.."
    data = tmp_path / "comments.parquet"
    data.write_text("text\nhello\n")
    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nhi = keyword_lf('hi', ['hello'], 0)\n")
    assert main(["apply", str(data), "--lfs", str(module), "-o", str(tmp_path / "L.parquet")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: Could not read {str(data)!r} as PARQUET: ") and len(err.splitlines()) == 1
    assert err.rstrip("\n").endswith(".") and not err.rstrip("\n").endswith("..")


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_a_compressed_parquet_file_is_refused_naming_the_fix(tmp_path: Path, suffix: str) -> None:
    import gzip

    plain = tmp_path / "rows.parquet"
    pd.DataFrame({"text": ["a", "b"]}).to_parquet(plain)
    path = tmp_path / f"rows.parquet{suffix}"
    path.write_bytes(gzip.compress(plain.read_bytes()))  # the bytes matter not: the name is refused first
    for read in (lambda: lf.apply([lf.keyword_lf("a", ["a"], 1)], str(path), progress=False), lambda: lf.io.count_rows(str(path))):
        with pytest.raises(DataError, match=rf"rows\.parquet\{suffix}': a Parquet file is read as it is, .* Decompress it first"):
            read()
