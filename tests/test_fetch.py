"""lf.datasets.fetch and `lf datasets`: real downloads from a loopback HTTP server, real checksums."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import lf.datasets as D
from lf.cli import main
from lf.errors import DataError
from lf.fetch import fetch_dataset
from lf.manifest import get_manifest, read_manifest


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[object]:
    """``serve(folder) -> base URL``: serve a folder over HTTP on 127.0.0.1 (a free port)."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_download_over_http_then_load(serve, datasets_dir, tmp_path):
    base = serve(datasets_dir)
    result = fetch_dataset("youtube", data_home=tmp_path, base_url=f"{base}/youtube_raw", progress=False)
    assert result.path == tmp_path / "youtube" and len(result.downloaded) == 5 and not result.skipped
    for spec in get_manifest("youtube").files:
        assert (result.path / spec.name).read_bytes() == (datasets_dir / "youtube_raw" / spec.name).read_bytes()
    assert _leftovers(result.path) == sorted(f.name for f in get_manifest("youtube").files)
    assert len(D.load("youtube", data_home=tmp_path)) == 1956


def test_fetch_is_idempotent_and_repairs_a_damaged_file(serve, datasets_dir, tmp_path):
    base = serve(datasets_dir / "hausa")
    first = fetch_dataset("hausa", data_home=tmp_path, base_url=base, progress=False)
    assert len(first.downloaded) == 4
    again = fetch_dataset("hausa", data_home=tmp_path, base_url=base, progress=False)
    assert again.downloaded == () and len(again.skipped) == 4
    damaged = tmp_path / "hausa" / "valid.json"
    data = bytearray(damaged.read_bytes())
    data[100] ^= 1  # same size, different content
    damaged.write_bytes(bytes(data))
    repaired = fetch_dataset("hausa", data_home=tmp_path, base_url=base, progress=False)
    assert repaired.downloaded == ("valid.json",)
    assert damaged.read_bytes() == (datasets_dir / "hausa" / "valid.json").read_bytes()


def test_base_url_may_name_the_dataset_and_comes_from_the_environment(serve, datasets_dir, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror" / "sms"
    mirror.mkdir(parents=True)
    shutil.copy(datasets_dir / "sms_raw" / "SMSSpamCollection", mirror)
    monkeypatch.setenv("LF_DATA_URL", serve(tmp_path / "mirror") + "/{name}/")
    path = D.fetch("sms", data_home=tmp_path / "home", progress=True)
    assert len(D.load("sms", data_home=tmp_path / "home")) == 5574
    assert path == tmp_path / "home" / "sms"


def test_corrupted_download_is_rejected_and_leaves_nothing(serve, datasets_dir, tmp_path):
    tampered = tmp_path / "tampered"
    shutil.copytree(datasets_dir / "youtube_raw", tampered)
    bad = tampered / "Youtube03-LMFAO.csv"
    bad.write_bytes(bad.read_bytes()[:-1] + b"!")  # same size, one byte changed
    expected = next(f.sha256 for f in get_manifest("youtube").files if f.name == bad.name)
    home = tmp_path / "home"
    with pytest.raises(DataError, match="Youtube03-LMFAO.csv") as info:
        fetch_dataset("youtube", data_home=home, base_url=serve(tampered), progress=False)
    message = str(info.value)
    assert expected in message and "Checksum mismatch" in message
    # the two good files before it were kept (verified); the bad one and any temp file are gone
    assert _leftovers(home) == ["Youtube01-Psy.csv", "Youtube02-KatyPerry.csv"]
    with pytest.raises(DataError, match="not fetched yet"):
        D.load("youtube", data_home=home)


def test_oversized_download_is_rejected(serve, datasets_dir, tmp_path):
    tampered = tmp_path / "big"
    tampered.mkdir()
    (tampered / "SMSSpamCollection").write_bytes((datasets_dir / "sms_raw" / "SMSSpamCollection").read_bytes() * 3)
    with pytest.raises(DataError, match="SMSSpamCollection.*larger than the expected 477907 bytes.*7d039a24"):
        fetch_dataset("sms", data_home=tmp_path / "home", base_url=serve(tampered), progress=False)
    assert _leftovers(tmp_path / "home") == []


def test_http_error_names_the_url_and_the_way_out(serve, tmp_path):
    base = serve(tmp_path)  # an empty folder: every file is a 404
    with pytest.raises(DataError, match=r"HTTP 404.*--from PATH") as info:
        fetch_dataset("sms", data_home=tmp_path / "home", base_url=base, progress=False)
    assert f"{base}/SMSSpamCollection" in str(info.value)
    assert not (tmp_path / "home" / "sms").exists()


def test_from_path_checksum_mismatch_copies_nothing(datasets_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(datasets_dir / "yoruba", copy)
    (copy / "test.json").write_bytes((copy / "test.json").read_bytes().replace(b"a", b"b", 1))
    with pytest.raises(DataError, match="'test.json' of dataset 'yoruba'.*expected sha256 ce6b14c3"):
        D.fetch("yoruba", from_path=copy, data_home=tmp_path / "home")
    assert _leftovers(tmp_path / "home") == [], "sources are all verified before anything is copied"


def test_from_path_names_missing_files(datasets_dir, tmp_path):
    with pytest.raises(DataError, match=r"missing train.json, labeled_ids.json\. Files found there: .*test.json"):
        D.fetch("wrench_youtube", from_path=datasets_dir / "chemprot", data_home=tmp_path)


def test_dataset_without_a_direct_link_says_to_register_a_copy(tmp_path, datasets_dir):
    raw = json.loads((get_manifest("sms").folder / "manifest.json").read_text(encoding="utf-8"))
    raw["name"] = "offline_sms"
    for spec in raw["files"]:
        spec["url"] = None
    (tmp_path / "offline_sms").mkdir()
    (tmp_path / "offline_sms" / "manifest.json").write_text(json.dumps(raw), encoding="utf-8")
    manifest = read_manifest(tmp_path / "offline_sms" / "manifest.json")
    with pytest.raises(DataError, match=r"no direct download link.*lf datasets fetch offline_sms --from PATH"):
        fetch_dataset(manifest, data_home=tmp_path / "home", progress=False)
    done = fetch_dataset(manifest, data_home=tmp_path / "home", from_path=datasets_dir / "sms_raw")
    assert done.copied == ("SMSSpamCollection",)


def test_bad_manifest_names_the_field(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"name": "x", "format": "wrench", "files": [{"name": "a/b.json", "size": 1, "sha256": "0" * 64}]}))
    with pytest.raises(DataError, match="plain file name"):
        read_manifest(path)
    path.write_text(json.dumps({"name": "x", "format": "zip", "files": []}))
    with pytest.raises(DataError, match="format must be one of"):
        read_manifest(path)


def test_cli_fetch_then_list(serve, datasets_dir, tmp_path, capsys):
    home = str(tmp_path / "home")
    assert main(["datasets", "fetch", "sms", "--from", str(datasets_dir / "sms_raw"), "--data-home", home]) == 0
    assert "1 copied" in capsys.readouterr().err
    base = serve(datasets_dir / "chemprot")
    assert main(["datasets", "fetch", "chemprot", "--url", base, "--data-home", home, "--no-progress"]) == 0
    assert "3 downloaded" in capsys.readouterr().err
    assert main(["datasets", "fetch", "chemprot", "--url", base, "--data-home", home]) == 0
    assert "3 already present" in capsys.readouterr().err
    assert main(["datasets", "list", "--data-home", home]) == 0
    cells = [line.split("│") for line in capsys.readouterr().out.splitlines() if line.startswith("│")]
    rows = {c[1].strip(): "|".join(c) for c in cells if c[1].strip()}
    assert set(rows) == set(D.list_datasets())
    assert "not fetched" not in rows["sms"] and "fetched" in rows["sms"] and "5,574" in rows["sms"]
    assert "fetched" in rows["chemprot"] and "not fetched" in rows["youtube"]
    assert "ships with lf" in rows["demo"]


def test_cli_errors_are_one_line_with_exit_code_2(tmp_path, datasets_dir, capsys):
    assert main(["datasets", "fetch", "youtub", "--data-home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'youtube'?" in err and "wrench_youtube" in err
    tampered = tmp_path / "copy"
    tampered.mkdir()
    (tampered / "SMSSpamCollection").write_text("ham\thello\n")
    assert main(["datasets", "fetch", "sms", "--from", str(tampered), "--data-home", str(tmp_path / "h")]) == 2
    assert "Checksum mismatch for file 'SMSSpamCollection'" in capsys.readouterr().err


def test_cli_datasets_show_a_data_home_literally(datasets_dir, tmp_path, capsys):
    """The data home is user text: its control characters are shown as escapes and its
    brackets as they are, in the list's title and in the fetch line."""
    home = tmp_path / "dh[bold]x[/]\x1b[31m"
    home.mkdir(parents=True)
    assert main(["datasets", "list", "--data-home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "dh[bold]x[/]\\x1b[31m" in out
    assert main(["datasets", "fetch", "sms", "--from", str(datasets_dir / "sms_raw"), "--data-home", str(home)]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "dh[bold]x[/]\\x1b[31m" in err and "1 copied" in err


def test_a_data_home_that_cannot_be_made_names_the_ways_to_choose_another(tmp_path, capsys):
    """Before: the CLI's generic 'Cannot access PATH: Not a directory.' (a read-only HOME
    gave 'Read-only file system'), naming neither --data-home nor LF_DATA_HOME."""
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DataError, match=r"Cannot make the dataset folder .*a_file.*--data-home DIR.*LF_DATA_HOME"):
        fetch_dataset("sms", data_home=blocked, base_url="http://127.0.0.1:9", progress=False)
    assert main(["datasets", "fetch", "sms", "--data-home", str(blocked)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Cannot make the dataset folder") and "LF_DATA_HOME" in err
