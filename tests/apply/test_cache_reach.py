"""Two ``lf apply --cache`` processes with a module of the user's package edited between them:
the second gives the labels of a run without the cache, however the LF reaches the module."""

from __future__ import annotations

import os
import shutil
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


READ_WORDS = "from pathlib import Path\nWORDS = Path('words.txt').read_text().split()\n"
# name -> (the LF module, the helper module wordpkg/rules.py): both read words.txt on import
BOUND = {
    "dict_get_of_the_lf_module": (
        READ_WORDS + LF_HEAD + "vote = dict.fromkeys(WORDS, 1).get\n@labeling_function()\ndef target(x):\n"
        "    return vote(x.text.split()[0], ABSTAIN)\n",
        "",
    ),
    "pattern_search_imported_from_a_helper": (
        LF_HEAD + "from wordpkg.rules import find\n@labeling_function()\ndef target(x):\n"
        "    return 1 if find(x.text) else ABSTAIN\n",
        "import re\n" + READ_WORDS + "find = re.compile('|'.join(WORDS)).search\n",
    ),
    "pattern_search_as_a_helper_attribute": (  # the words are in no global of the helper
        LF_HEAD + "from wordpkg import rules\n@labeling_function()\ndef target(x):\n"
        "    return 1 if rules.find(x.text) else ABSTAIN\n",
        "import re\nfrom pathlib import Path\nfind = re.compile('|'.join(Path('words.txt').read_text().split())).search\n",
    ),
}


@pytest.mark.parametrize("case", sorted(BOUND))
def test_a_method_bound_to_data_is_keyed_by_that_data(tmp_path: Path, case: str) -> None:
    """``RULES.get``, ``re.compile(...).search``: a builtin method bound to data the module
    builds on import (here from a file), not by its name alone."""
    _edit_the_words_file(tmp_path, *BOUND[case])


RULE_USER = (
    LF_HEAD + "import wordpkg.rules\n@labeling_function()\ndef target(x):\n"
    "    return 1 if wordpkg.rules.Rule().hit(x.text) else ABSTAIN\n"
)
# name -> the helper module wordpkg/rules.py, whose class Rule reads words.txt on import
# into a place other than a plain global of the module
CLASS_STATE = {
    "method_default": "class Rule:\n    def hit(self, t, words=open('words.txt').read().split()):\n"
    "        return any(w in t for w in words)\n",
    "static_method_default": "class Rule:\n    @staticmethod\n    def hit(t, words=open('words.txt').read().split()):\n"
    "        return any(w in t for w in words)\n",
    "nested_class_attribute": "class Rule:\n    class Words:\n        ALL = open('words.txt').read().split()\n"
    "    def hit(self, t):\n        return any(w in t for w in self.Words.ALL)\n",
    "private_module_global": "__words = open('words.txt').read().split()\ndef _hit(t):\n"
    "    return any(w in t for w in __words)\nclass Rule:\n    def hit(self, t):\n        return _hit(t)\n",
    "method_closure": "def make(words):\n    def hit(self, t):\n        return any(w in t for w in words)\n"
    "    return hit\nclass Rule:\n    hit = make(open('words.txt').read().split())\n",
}


@pytest.mark.parametrize("case", sorted(CLASS_STATE))
def test_a_class_of_a_reached_module_is_keyed_by_what_its_methods_hold(tmp_path: Path, case: str) -> None:
    """A default, a closure or a nested class a module's class computes on import (from a
    file, the environment) is in no global of the module and not in its source."""
    _edit_the_words_file(tmp_path, RULE_USER, CLASS_STATE[case])


# name -> (wordpkg/rules.py, wordpkg/factory.py): rules builds Rule on import, from
# words.txt, with code of the factory module
FACTORY = {
    "function_closure": (
        "from wordpkg import factory\nclass Rule:\n    hit = staticmethod(factory.make(open('words.txt').read().split()))\n",
        "def make(words):\n    def hit(t):\n        return any(w in t for w in words)\n    return hit\n",
    ),
    "class_attribute": (
        "from wordpkg import factory\nRule = factory.make(open('words.txt').read().split())\n",
        ("def make(words):\n    class Rule:\n        WORDS = words\n        def hit(self, t):\n"
         "            return any(w in t for w in self.WORDS)\n    return Rule\n"),
    ),
}


@pytest.mark.parametrize("case", sorted(FACTORY))
def test_what_another_modules_code_makes_on_import_is_keyed_by_what_it_holds(tmp_path: Path, case: str) -> None:
    """A function or class another user module's factory makes (so named as that module's)
    holds data in no global and no source of either module."""
    _edit_the_words_file(tmp_path, RULE_USER, *FACTORY[case])


def _edit_the_words_file(tmp_path: Path, module: str, helper: str, factory: str = "") -> None:
    (tmp_path / "wordpkg").mkdir()
    (tmp_path / "wordpkg" / "factory.py").write_text(factory)
    (tmp_path / "wordpkg" / "__init__.py").write_text("")
    (tmp_path / "wordpkg" / "rules.py").write_text(helper)
    (tmp_path / "data.csv").write_text("text\ngood day\nbad day\nfine thing\n")
    (tmp_path / "lfs.py").write_text(module)
    (tmp_path / "words.txt").write_text("good\n")
    first, _ = _apply(tmp_path, cache=True)
    again, told = _apply(tmp_path, cache=True)
    assert first == again == [1, -1, -1]
    assert "1 of 1 LF x chunk results reused" in told, told
    (tmp_path / "words.txt").write_text("good\nfine\n")  # the modules' source is unchanged
    cached, _ = _apply(tmp_path, cache=True)
    fresh, _ = _apply(tmp_path, cache=False)
    assert cached == fresh == [1, -1, 1]


EXTENSION = """
#include <Python.h>
static PyObject* hit(PyObject* self, PyObject* args) {
    const char* s;
    if (!PyArg_ParseTuple(args, "s", &s)) return NULL;
    return PyBool_FromLong(strstr(s, WORD) != NULL);
}
static PyMethodDef methods[] = {{"hit", hit, METH_VARARGS, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "wordpkg.fast", NULL, -1, methods};
PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&module); }
"""


def test_a_function_of_the_users_compiled_module_is_keyed_by_its_file(tmp_path: Path) -> None:
    """A function of a C extension in the user's package is a builtin: rebuilt to match other
    words, it labels anew (it was keyed by its name alone)."""
    import sysconfig

    compiler, include = shutil.which("cc"), sysconfig.get_paths()["include"]
    if compiler is None or not (Path(include) / "Python.h").exists():
        pytest.skip("needs a C compiler and Python's headers")
    (tmp_path / "wordpkg").mkdir()
    (tmp_path / "wordpkg" / "__init__.py").write_text("")
    (tmp_path / "fast.c").write_text(EXTENSION)
    (tmp_path / "data.csv").write_text("text\ngood day\nbad day\nfine thing\n")
    (tmp_path / "lfs.py").write_text(
        LF_HEAD + "from wordpkg.fast import hit\n@labeling_function()\ndef target(x):\n    return 1 if hit(x.text) else ABSTAIN\n"
    )
    built = tmp_path / "wordpkg" / f"fast{sysconfig.get_config_var('EXT_SUFFIX')}"

    def build(word: str) -> None:
        args = [compiler, "-shared", "-fPIC", f'-DWORD="{word}"', f"-I{include}", "fast.c", "-o", str(built)]
        subprocess.run(args, cwd=tmp_path, check=True, capture_output=True, timeout=120)

    build("good")
    first, _ = _apply(tmp_path, cache=True)
    again, told = _apply(tmp_path, cache=True)
    assert first == again == [1, -1, -1]
    assert "1 of 1 LF x chunk results reused" in told, told
    build("fine")
    cached, _ = _apply(tmp_path, cache=True)
    fresh, _ = _apply(tmp_path, cache=False)
    assert cached == fresh == [-1, -1, 1]


def _install(site_dir: Path, words: list[str]) -> None:
    """Install the package `wordrules` 1.0 into ``site_dir`` as an installer does: its files,
    and a .dist-info folder whose RECORD lists each file's hash."""
    import base64
    import hashlib

    code = HELPER.format(words=words).encode()
    (site_dir / "wordrules").mkdir(parents=True, exist_ok=True)
    (site_dir / "wordrules" / "__init__.py").write_bytes(code)
    info = site_dir / "wordrules-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: wordrules\nVersion: 1.0\n")
    digest = base64.urlsafe_b64encode(hashlib.sha256(code).digest()).rstrip(b"=").decode()
    (info / "RECORD").write_text(
        f"wordrules/__init__.py,sha256={digest},{len(code)}\nwordrules/__pycache__/__init__.cpython-311.pyc,,\n"
        "wordrules-1.0.dist-info/METADATA,,\nwordrules-1.0.dist-info/RECORD,,\n"
    )


def test_a_package_reinstalled_with_other_code_under_the_same_version_is_not_answered_from_the_cache(
    tmp_path: Path,
) -> None:
    # The user's own rules package, rebuilt and installed again without a new version number.
    site_dir = tmp_path / "base" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    _install(site_dir, ["good"])
    (tmp_path / "data.csv").write_text("text\ngood day\nbad day\nfine thing\n")
    (tmp_path / "lfs.py").write_text(
        LF_HEAD + "import wordrules\n@labeling_function()\ndef target(x):\n"
        "    return 1 if wordrules.hit(x.text) else ABSTAIN\n"
    )
    env = {**os.environ, "PYTHONUSERBASE": str(tmp_path / "base")}  # its site-packages: an installed package
    env["PYTHONPATH"] = os.pathsep.join([str(Path(lf.__file__).parents[1]), str(tmp_path), str(site_dir)])

    def apply(cache: bool) -> tuple[list[int], str]:
        args = [sys.executable, "-m", "lf", "apply", "data.csv", "--lfs", "lfs.py", "-o", "L.parquet"]
        args += ["--cache", "cache"] if cache else []
        done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return pd.read_parquet(tmp_path / "L.parquet")["target"].tolist(), done.stderr

    assert apply(cache=True)[0] == [1, -1, -1]
    again, told = apply(cache=True)
    assert again == [1, -1, -1] and "1 of 1 LF x chunk results reused" in told, told  # an installed package: cached
    _install(site_dir, ["good", "fine"])
    cached, _ = apply(cache=True)
    assert cached == apply(cache=False)[0] == [1, -1, 1]
