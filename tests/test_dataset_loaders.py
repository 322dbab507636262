"""lf.datasets.load / list_datasets on the real shared files, registered into a temporary data home."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import lf.datasets as D
from lf.errors import DataError
from lf.manifest import get_manifest, manifests_dir

# dataset name -> folder of the shared copy
SHARED = {
    "youtube": "youtube_raw",
    "sms": "sms_raw",
    "wrench_youtube": "youtube",
    "wrench_sms": "sms",
    "chemprot": "chemprot",
    "hausa": "hausa",
    "yoruba": "yoruba",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, datasets_dir: Path) -> Path:
    """A data home with every shared dataset registered from its local copy."""
    root = tmp_path_factory.mktemp("data_home")
    for name, folder in SHARED.items():
        D.fetch(name, from_path=datasets_dir / folder, data_home=root)
    return root


def test_list_datasets_names_every_manifest():
    assert D.list_datasets() == sorted([*SHARED, "demo"])


@pytest.mark.parametrize("name", sorted([*SHARED, "demo"]))
def test_manifest_is_complete_and_has_a_readme(name):
    m = get_manifest(name)
    folder = manifests_dir() / name
    assert (folder / "README.md").is_file()
    assert m.description and m.rows > 0 and m.labels and m.files
    assert {"id", "text", "label"} <= set(m.columns)
    raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {"name", "description", "files", "citation", "license", "source", "columns"} <= set(raw)
    for spec in m.files:
        assert spec.url is None or spec.url.startswith("https://"), spec.url


@pytest.mark.parametrize("name", sorted(SHARED))
def test_manifest_checksums_match_the_shared_files(name, datasets_dir):
    for spec in get_manifest(name).files:
        data = (datasets_dir / SHARED[name] / spec.name).read_bytes()
        assert len(data) == spec.size and hashlib.sha256(data).hexdigest() == spec.sha256, spec.name


def test_manifest_checksum_matches_the_demo_file():
    (spec,) = get_manifest("demo").files
    data = (manifests_dir() / "demo" / spec.name).read_bytes()
    assert len(data) == spec.size and hashlib.sha256(data).hexdigest() == spec.sha256


def _check_common(df: pd.DataFrame, name: str) -> None:
    m = get_manifest(name)
    assert len(df) == m.rows
    assert list(df.columns[:3]) == ["id", "text", "label"]
    assert set(df.columns) == set(m.columns), "the manifest documents every column"
    assert df["id"].is_unique and not df["id"].isna().any()
    assert all(isinstance(v, str) for v in df["id"]) and all(isinstance(v, str) for v in df["text"])
    assert set(df["label"].dropna()) <= set(m.labels)
    assert df.attrs["labels"] == list(m.labels) and df.attrs["dataset"] == name


def test_youtube_schema(home):
    df = D.load("youtube", data_home=home)
    _check_common(df, "youtube")
    assert list(df.columns) == ["id", "text", "label", "author", "date", "video", "comment_id"]
    assert df["label"].value_counts().to_dict() == {"SPAM": 1005, "HAM": 951}
    assert df["video"].value_counts().sort_index().tolist() == [350, 350, 438, 448, 370]
    assert sorted(df["video"].unique()) == [f"Youtube0{i}" for i in range(1, 6)]
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert int(df["date"].isna().sum()) == 245  # the Eminem CSV leaves DATE empty for these
    assert df.loc[0, "date"] == pd.Timestamp("2013-11-07 06:20:48")
    repeated = df[df["comment_id"].duplicated(keep=False)]
    assert len(repeated) == 6 and repeated["id"].str.endswith("#2").sum() == 3


def test_sms_schema(home):
    df = D.load("sms", data_home=home)
    _check_common(df, "sms")
    assert df["label"].value_counts().to_dict() == {"HAM": 4827, "SPAM": 747}
    assert df.loc[0, "id"] == "0" and df.loc[0, "text"].startswith("Go until jurong point")
    assert not df["text"].str.contains("\t").any()


@pytest.mark.parametrize(
    ("name", "splits", "counts"),
    [
        ("wrench_youtube", {"train": 1686, "valid": 120, "test": 250}, {"HAM": 997, "SPAM": 1059}),
        ("wrench_sms", {"train": 4571, "valid": 500, "test": 500}, {"ham": 4823, "spam": 748}),
        ("chemprot", {"valid": 1607, "test": 1607}, None),
        ("hausa", {"train": 2045, "valid": 290, "test": 582}, None),
        ("yoruba", {"train": 1340, "valid": 189, "test": 379}, None),
    ],
)
def test_wrench_schema(home, name, splits, counts):
    df = D.load(name, data_home=home)
    _check_common(df, name)
    assert df["split"].value_counts().to_dict() == splits
    assert not df["label"].isna().any()
    if counts is not None:
        assert df["label"].value_counts().to_dict() == counts
    # the frame and load_wrench agree on texts and gold labels, split by split
    for split in splits:
        ws = D.load_wrench(D.dataset_path(name, data_home=home), split)
        part = df[df["split"] == split]
        assert part["text"].tolist() == ws.texts
        assert part["label"].tolist() == [ws.labels[i] for i in ws.y]
        assert part["id"].tolist() == [f"{split}-{i}" for i in ws.ids]


def test_chemprot_keeps_the_entity_columns(home):
    df = D.load("chemprot", data_home=home)
    assert {"entity1", "entity2"} <= set(df.columns)
    assert df["label"].nunique() == 10 and not df["entity1"].isna().any()


def test_demo_loads_from_the_project_without_fetching(tmp_path):
    df = D.load("demo", data_home=tmp_path / "empty")
    _check_common(df, "demo")
    assert list(df.columns) == ["id", "text", "label", "author"]
    assert set(df["label"]) == {"HAM", "SPAM"}
    assert not (tmp_path / "empty").exists(), "loading demo writes nothing"


def test_unfetched_dataset_says_the_fetch_command(tmp_path):
    with pytest.raises(DataError, match=r"lf datasets fetch youtube --data-home .*--from PATH") as info:
        D.load("youtube", data_home=tmp_path)
    assert "Youtube01-Psy.csv" in str(info.value)
    with pytest.raises(DataError, match="not fetched yet"):
        D.dataset_path("hausa", data_home=tmp_path)


def test_data_home_comes_from_the_environment(monkeypatch, home):
    monkeypatch.setenv("LF_DATA_HOME", str(home))
    assert len(D.load("sms")) == 5574


def test_unknown_name_lists_the_available_ones(tmp_path):
    with pytest.raises(DataError, match=r"Unknown dataset 'youtub'\. Did you mean 'youtube'\?.*chemprot, demo"):
        D.load("youtub", data_home=tmp_path)
    with pytest.raises(DataError, match="Available datasets"):
        D.fetch("nope", data_home=tmp_path)


def test_truncated_cache_file_counts_as_not_fetched(tmp_path, datasets_dir):
    D.fetch("sms", from_path=datasets_dir / "sms_raw" / "SMSSpamCollection", data_home=tmp_path)
    path = tmp_path / "sms" / "SMSSpamCollection"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataError, match="SMSSpamCollection"):
        D.load("sms", data_home=tmp_path)
    D.fetch("sms", from_path=datasets_dir / "sms_raw", data_home=tmp_path)  # repairs it
    assert len(D.load("sms", data_home=tmp_path)) == 5574
