"""Fetched files are verified again on load (sha256, cached per file state), and a manifest
name cannot point a fetch outside the data home."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import lf.datasets as D
import lf.fetch
from lf.errors import DataError
from lf.fetch import DIGESTS_FILE, fetch_dataset
from lf.manifest import get_manifest, manifests_dir, read_manifest

VICTIM = "Youtube03-LMFAO.csv"


@pytest.fixture
def home(tmp_path: Path, datasets_dir: Path) -> Path:
    home = tmp_path / "home"
    D.fetch("youtube", from_path=datasets_dir / "youtube_raw", data_home=home)
    return home


def _flip_a_byte_keeping_size_and_mtime(path: Path) -> str:
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as a careless restore would leave it
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    return hashlib.sha256(data).hexdigest()


def test_a_same_size_edit_in_the_data_home_fails_the_load_naming_file_and_digests(home: Path, datasets_dir: Path) -> None:
    assert len(D.load("youtube", data_home=home)) == 1956  # records the digests
    actual = _flip_a_byte_keeping_size_and_mtime(home / "youtube" / VICTIM)
    expected = next(f.sha256 for f in get_manifest("youtube").files if f.name == VICTIM)
    for call in (D.load, D.dataset_path):
        with pytest.raises(DataError) as info:
            call("youtube", data_home=home)
        message = str(info.value)
        assert VICTIM in message and actual in message and expected in message, message
        assert f"lf datasets fetch youtube --data-home {str(home)!r}" in message
    fetched = fetch_dataset("youtube", data_home=home, from_path=datasets_dir / "youtube_raw")
    assert fetched.copied == (VICTIM,)  # the fetch the message names repairs exactly that file
    assert len(D.load("youtube", data_home=home)) == 1956


def test_an_edit_that_changes_the_size_is_named_as_a_change_not_as_a_missing_file(home: Path, datasets_dir: Path) -> None:
    path = home / "youtube" / VICTIM
    with path.open("a", encoding="utf-8") as f:
        f.write("one more row,,,,\n")
    for call in (D.load, D.dataset_path):
        with pytest.raises(DataError) as info:
            call("youtube", data_home=home)
        message = str(info.value)
        assert "not fetched" not in message and "missing" not in message, message
        assert VICTIM in message and "has changed since it was fetched" in message, message
        assert f"{path.stat().st_size:,} bytes" in message, message
        assert f"lf datasets fetch youtube --data-home {str(home)!r}" in message
    fetched = fetch_dataset("youtube", data_home=home, from_path=datasets_dir / "youtube_raw")
    assert fetched.copied == (VICTIM,)  # the fetch the message names repairs exactly that file
    assert len(D.load("youtube", data_home=home)) == 1956


def test_a_second_load_reuses_the_recorded_digests(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    D.load("youtube", data_home=home)
    recorded = json.loads((home / "youtube" / DIGESTS_FILE).read_text(encoding="utf-8"))
    assert {spec.name: recorded[spec.name]["sha256"] for spec in get_manifest("youtube").files} == {
        spec.name: spec.sha256 for spec in get_manifest("youtube").files
    }

    def no_hashing(path: object) -> str:
        raise AssertionError(f"re-hashed {path}")

    monkeypatch.setattr(lf.fetch, "sha256_file", no_hashing)
    assert len(D.load("youtube", data_home=home)) == 1956


def test_a_forged_or_broken_digest_file_is_not_trusted(home: Path) -> None:
    _flip_a_byte_keeping_size_and_mtime(home / "youtube" / VICTIM)
    spec = next(f for f in get_manifest("youtube").files if f.name == VICTIM)
    stale = {VICTIM: {"stat": [spec.size, 0, 0], "sha256": spec.sha256}}
    (home / "youtube" / DIGESTS_FILE).write_text(json.dumps(stale), encoding="utf-8")
    with pytest.raises(DataError, match="has changed since it was fetched"):
        D.load("youtube", data_home=home)
    (home / "youtube" / DIGESTS_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="has changed since it was fetched"):
        D.load("youtube", data_home=home)


def test_the_dataset_shipped_with_lf_is_verified_without_writing_into_the_project() -> None:
    assert len(D.load("demo")) == 2000
    assert not (manifests_dir() / "demo" / DIGESTS_FILE).exists()


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "a\\b", "ABSOLUTE"])
def test_fetch_rejects_a_manifest_name_that_is_not_a_plain_folder_name(
    name: str, tmp_path: Path, datasets_dir: Path
) -> None:
    outside = tmp_path / "outside"
    if name == "ABSOLUTE":
        name = str(outside)
    raw = json.loads((manifests_dir() / "sms" / "manifest.json").read_text(encoding="utf-8"))
    raw["name"] = name
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(raw), encoding="utf-8")
    manifest = read_manifest(tmp_path / "m" / "manifest.json")
    home = tmp_path / "deep" / "home"
    with pytest.raises(DataError, match="must be a plain folder name") as info:
        fetch_dataset(manifest, data_home=home, from_path=datasets_dir / "sms_raw")
    assert repr(name) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"], "nothing was written anywhere"
