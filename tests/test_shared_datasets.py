"""The `datasets_dir` fixture on a clone without ``../shared``: skip naming the folder, but fail
under CI (which has the folder). Runs this project's conftest in a real pytest subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A project folder in tmp_path (whose parent has no shared/) with our conftest and one
    test that needs the shared datasets."""
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    shutil.copy(TESTS / "conftest.py", tests / "conftest.py")
    (tests / "test_needs_data.py").write_text(
        "def test_reads_the_shared_data(datasets_dir):\n    assert (datasets_dir / 'youtube').is_dir()\n",
        encoding="utf-8",
    )
    return tmp_path / "project"


def _pytest(clone: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "LF_REQUIRE_SHARED", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "tests"],
        cwd=clone, env={**base, **env}, capture_output=True, text=True, timeout=120, check=False,
    )


def test_a_clone_without_shared_data_skips_naming_the_folder(clone: Path) -> None:
    proc = _pytest(clone)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout
    expected = clone.parent / "shared" / "datasets"
    assert f"needs the shared datasets at {expected}" in proc.stdout, proc.stdout


@pytest.mark.parametrize("env", [{"CI": "true"}, {"LF_REQUIRE_SHARED": "1"}])
def test_ci_fails_when_the_shared_data_is_missing(clone: Path, env: dict[str, str]) -> None:
    proc = _pytest(clone, **env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 error" in proc.stdout and "shared datasets not found at" in proc.stdout, proc.stdout

