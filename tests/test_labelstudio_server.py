"""The Label Studio round trip against a real Label Studio server, started by this test.

Label Studio pins older numpy / pyarrow / python-dateutil than lf's, so it lives in its own
virtualenv: ``scripts/test.sh`` makes one (``pip install 'lf[labelstudio]'`` into
``.venv-labelstudio``) and points ``LF_LABEL_STUDIO`` at its ``label-studio`` executable.
Without it the test skips, naming the variable; ``LF_REQUIRE_LABEL_STUDIO=1`` (CI) makes
that a failure. The server runs on 127.0.0.1 with a fresh data folder and SQLite, is driven
through its REST API, and is always stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from lf.cli import main

pytestmark = pytest.mark.slow

TOKEN = "0123456789abcdef0123456789abcdef01234567"
START_TIMEOUT = 600  # seconds: the first start migrates a fresh database (minutes on a busy machine)


def _executable() -> str:
    exe = os.environ.get("LF_LABEL_STUDIO", "")
    if exe and Path(exe).is_file():
        return exe
    why = f"LF_LABEL_STUDIO={exe!r} is not a file" if exe else "LF_LABEL_STUDIO is not set"
    if os.environ.get("LF_REQUIRE_LABEL_STUDIO"):
        pytest.fail(f"{why}; scripts/test.sh installs Label Studio into .venv-labelstudio and sets it")
    pytest.skip(f"needs a Label Studio executable: {why} (scripts/test.sh sets it up)")


class Server:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: Any = None, token: str = TOKEN) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Token {token}")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    exe = _executable()
    home = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    env = {
        **os.environ,
        "LABEL_STUDIO_USERNAME": "lf-test@example.com",
        "LABEL_STUDIO_PASSWORD": "lf-test-password-1",
        "LABEL_STUDIO_USER_TOKEN": TOKEN,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",  # the fixed token above authenticates API calls
        "LABEL_STUDIO_BASE_DATA_DIR": str(home),
        "DJANGO_DB": "sqlite",
        "HOME": str(home),
    }
    log = open(home / "server.log", "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen(
        [exe, "start", "--no-browser", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(home / "data")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"label-studio exited with {proc.returncode}: {(home / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"label-studio did not answer within {START_TIMEOUT} s")
            time.sleep(2)
        yield Server(url)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def choice(label: str) -> list[dict[str, Any]]:
    return [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]


# Three LFs on two classes leave the LabelModel that `--model auto` picks underdetermined,
# which it rightly says; this test is about the round trip.
@pytest.mark.filterwarnings("ignore::lf.models.UnderdeterminedWarning")
def test_round_trip_through_a_real_label_studio(server: Server, tmp_path: Path, capsys):
    texts = [f"subscribe to my channel number {i}" for i in range(15)] + [f"what a great song {i}" for i in range(15)]
    texts += [f"first comment {i}" for i in range(10)]
    data = tmp_path / "d.csv"
    pd.DataFrame({"id": [f"c{i}" for i in range(40)], "text": texts}).to_csv(data, index=False)
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "sub = keyword_lf('sub', ['subscribe'], 1)\nchan = keyword_lf('chan', ['channel', 'song'], 1)\n"
        "song = keyword_lf('song', ['song'], 0)\n"
    )
    rows, tasks_file, config = tmp_path / "to_label.csv", tmp_path / "tasks.json", tmp_path / "config.xml"
    assert run(capsys, "sample", data, "--lfs", mod, "-n", "8", "--model", "mv", "-o", rows)[0] == 0
    code, _, err = run(capsys, "labelstudio", "export", rows, "--lfs", mod, "-o", tasks_file, "--config", config)
    assert code == 0, err

    project = server.call("POST", "/api/projects", {"title": "lf round trip", "label_config": config.read_text()})
    pid = project["id"]
    server.call("POST", f"/api/projects/{pid}/import", json.loads(tasks_file.read_text()))
    tasks = server.call("GET", f"/api/tasks?project={pid}&page_size=100")
    tasks = tasks["tasks"] if isinstance(tasks, dict) else tasks
    assert len(tasks) == 8
    second = server.call("POST", "/api/users/", {"email": "second@example.com", "username": "second"})
    for i, task in enumerate(sorted(tasks, key=lambda t: t["id"])):
        truth = "SPAM" if "subscribe" in task["data"]["text"] else "HAM"
        if i == 0:  # skipped by the annotator
            server.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": [], "was_cancelled": True})
            skipped = task["data"]["lf_id"]
            continue
        server.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": choice(truth)})
        if i == 1:  # a second annotator disagrees
            other = "HAM" if truth == "SPAM" else "SPAM"
            server.call("POST", f"/api/tasks/{task['id']}/annotations", {"result": choice(other), "completed_by": second["id"]})
            disputed = task["data"]["lf_id"]
    export = server.call("GET", f"/api/projects/{pid}/export?exportType=JSON")
    export_file = tmp_path / "export.json"
    export_file.write_text(json.dumps(export))
    annotators = {a["completed_by"] for t in export for a in t["annotations"]}
    assert len(annotators) == 2, annotators

    gold = tmp_path / "gold.csv"
    code, _, err = run(capsys, "labelstudio", "import", export_file, "--lfs", mod, "-o", gold, "--conflicts", tmp_path / "conflicts.csv")
    assert code == 0, err
    assert "6 gold labels" in err and "1 tasks skipped" in err and "1 with disagreeing annotators" in err
    assert f"conflict: id {disputed}" in err
    frame = pd.read_csv(gold)
    assert set(frame["id"]).isdisjoint({skipped, disputed}) and len(frame) == 6
    assert pd.read_csv(tmp_path / "conflicts.csv")["id"].tolist() == [disputed]
    truth = {f"c{i}": ("SPAM" if "subscribe" in t else "HAM") for i, t in enumerate(texts)}
    assert all(truth[r] == g for r, g in zip(frame["id"], frame["gold"]))
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows a warning: one stderr line
        code, _, err = run(
            capsys, "label", data, "--lfs", mod, "--dev-data", gold, "--dev-gold", "gold", "--model", "auto", "-o", tmp_path / "labels.csv"
        )
    assert code == 0, err
    for label in sorted({"HAM", "SPAM"} - set(frame["gold"])):  # a dev balance without a class says so
        assert f"none of them is {label}" in err
    code, _, err = run(capsys, "sample", data, "--lfs", mod, "-n", "8", "--model", "mv", "--labeled", gold, "-o", tmp_path / "next.csv")
    assert code == 0, err
    assert set(pd.read_csv(tmp_path / "next.csv")["id"]).isdisjoint(set(frame["id"]))  # labelled rows are not asked again
