"""Two ``lf apply --cache`` processes with a module of the user's package edited between them:
the second gives the labels of a run without the cache, however the LF reaches the module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import lf

LF_HEAD = "from lf import ABSTAIN, labeling_function\n"
HELPER = "WORDS = {words!r}\ndef hit(t):\n    return any(w in t for w in WORDS)\n"

# name -> (the LF module, whether the package has an __init__.py, whether the LF is cached)
CASES = {
    "submodule_as_an_attribute_of_its_package": (
        ("import wordpkg.rules\n@labeling_function()\ndef target(x):\n"
         "    return 1 if wordpkg.rules.hit(x.text) else ABSTAIN\n"),
        True,
        True,
    ),
    "submodule_of_a_namespace_package": (
        ("import wordpkg.rules\n@labeling_function()\ndef target(x):\n"
         "    return 1 if wordpkg.rules.hit(x.text) else ABSTAIN\n"),
        False,
        True,
    ),
    "submodule_of_a_subpackage_imported_by_name": (
        ("from wordpkg import sub\nimport wordpkg.sub.rules\n@labeling_function()\ndef target(x):\n"
         "    return 1 if sub.rules.hit(x.text) else ABSTAIN\n"),
        True,
        True,
    ),
    "module_named_at_run_time": (
        ("import importlib\n@labeling_function()\ndef target(x):\n"
         "    return 1 if importlib.import_module('wordpkg.rules').hit(x.text) else ABSTAIN\n"),
        True,
        False,
    ),
}


def _apply(root: Path, cache: bool) -> tuple[list[int], str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(lf.__file__).parents[1]), str(root)])}
    args = [sys.executable, "-m", "lf", "apply", "data.csv", "--lfs", "lfs.py", "-o", "L.parquet"]
    args += ["--cache", "cache"] if cache else []
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return pd.read_parquet(root / "L.parquet")["target"].tolist(), done.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_edited_module_reached_through_its_package_is_not_answered_from_the_cache(tmp_path: Path, case: str) -> None:
    module, regular, cached_lf = CASES[case]
    pkg = tmp_path / "wordpkg"
    for folder in (pkg, pkg / "sub"):
        folder.mkdir(exist_ok=True)
        if regular:
            (folder / "__init__.py").write_text("")
    (tmp_path / "data.csv").write_text("text\ngood day\nbad day\nfine thing\n")
    (tmp_path / "lfs.py").write_text(LF_HEAD + module)
    rules = [pkg / "rules.py", pkg / "sub" / "rules.py"]
    for path in rules:
        path.write_text(HELPER.format(words=["good"]))
    first, _ = _apply(tmp_path, cache=True)
    again, told = _apply(tmp_path, cache=True)
    assert first == again == [1, -1, -1]
    if cached_lf:  # an unchanged rerun reads the cache
        assert "1 of 1 LF x chunk results reused" in told, told
    else:
        assert "not cacheable: target (target: it uses importlib" in told, told
    for path in rules:
        path.write_text(HELPER.format(words=["good", "fine"]))
    cached, _ = _apply(tmp_path, cache=True)
    fresh, _ = _apply(tmp_path, cache=False)
    assert cached == fresh == [1, -1, 1]
