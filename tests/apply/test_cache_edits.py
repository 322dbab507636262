"""Every edit that can change an LF's labels re-runs exactly the LFs it can change.

Each case writes an LF package (``lfs.py`` with the LF ``target`` that depends on the thing
edited, and ``other`` that does not; helper modules beside it), applies it with the cache,
edits the files on disk, and applies again with the cache, reloading the package as a
second ``lf apply --cache`` run would. The result must equal a run without the cache, cell
for cell, and only the LFs the edit can change may have run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.cache import lf_fingerprint

HEADER = """
import enum
from lf import ABSTAIN, keyword_lf, labeling_function, preprocessor

LOG = {log!r}

def _log(name):
    with open(LOG, "a") as fh:
        fh.write(name + "\\n")

@labeling_function()
def other(x):
    _log("other")
    return 0 if len(x.text) < 4 else ABSTAIN
"""

# name -> (files before, files after the edit, the LFs that must run again)
CASES: dict[str, tuple[dict[str, str], dict[str, str], set[str]]] = {
    "helper_as_module_attribute": (
        {
            "helpers.py": "def many(t):\n    return len(t.split()) > 2\n",
            "lfs.py": "from . import helpers\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if helpers.many(x.text) else ABSTAIN\n",
        },
        {"helpers.py": "def many(t):\n    return len(t.split()) > 1\n"},
        {"target"},
    ),
    "constant_of_another_module": (
        {
            "cfg.py": "MAX_WORDS = 2\n",
            "lfs.py": "from . import cfg\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > cfg.MAX_WORDS else ABSTAIN\n",
        },
        {"cfg.py": "MAX_WORDS = 1\n"},
        {"target"},
    ),
    "constant_reached_through_a_helper_module": (
        {
            "cfg.py": "MAX_WORDS = 2\n",
            "helpers.py": "from . import cfg\ndef many(t):\n    return len(t.split()) > cfg.MAX_WORDS\n",
            "lfs.py": "from . import helpers\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if helpers.many(x.text) else ABSTAIN\n",
        },
        {"cfg.py": "MAX_WORDS = 1\n"},
        {"target"},
    ),
    "name_imported_inside_the_lf": (
        {
            "helpers.py": "def many(t):\n    return len(t.split()) > 2\n",
            "lfs.py": "@labeling_function()\ndef target(x):\n    from .helpers import many\n    _log('target')\n    return 1 if many(x.text) else ABSTAIN\n",
        },
        {"helpers.py": "def many(t):\n    return len(t.split()) > 1\n"},
        {"target"},
    ),
    "call_of_an_object_that_describes_its_parameters": (
        {"lfs.py": "from lf import LabelingFunction\nclass Many:\n    def fingerprint(self):\n        return 'words>2'\n"
                   "    def __call__(self, x):\n        _log('target')\n        return 1 if len(x.text.split()) > 2 else ABSTAIN\n"
                   "target = LabelingFunction('target', Many())\n"},
        {"lfs.py": "from lf import LabelingFunction\nclass Many:\n    def fingerprint(self):\n        return 'words>2'\n"
                   "    def __call__(self, x):\n        _log('target')\n        return 1 if len(x.text.split()) >= 2 else ABSTAIN\n"
                   "target = LabelingFunction('target', Many())\n"},
        {"target"},
    ),
    "function_wrapping_a_library_one": (  # functools.wraps gives it json's __module__: still the user's code
        {
            "helpers.py": "import functools, json\n@functools.wraps(json.dumps)\ndef many(t):\n    return len(t.split()) > 2\n",
            "lfs.py": "from .helpers import many\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if many(x.text) else ABSTAIN\n",
        },
        {"helpers.py": "import functools, json\n@functools.wraps(json.dumps)\ndef many(t):\n    return len(t.split()) > 1\n"},
        {"target"},
    ),
    "function_attribute": (  # a static variable of the helper, read as many.limit
        {
            "helpers.py": "def many(t):\n    return len(t.split()) > many.limit\nmany.limit = 2\n",
            "lfs.py": "from .helpers import many\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if many(x.text) else ABSTAIN\n",
        },
        {"helpers.py": "def many(t):\n    return len(t.split()) > many.limit\nmany.limit = 1\n"},
        {"target"},
    ),
    "dataclass_default_factory": (
        {"lfs.py": "import dataclasses\n@dataclasses.dataclass\nclass Limits:\n    words: list = dataclasses.field(default_factory=lambda: [2])\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > Limits().words[0] else ABSTAIN\n"},
        {"lfs.py": "import dataclasses\n@dataclasses.dataclass\nclass Limits:\n    words: list = dataclasses.field(default_factory=lambda: [1])\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > Limits().words[0] else ABSTAIN\n"},
        {"target"},
    ),
    "dataclass_of_a_helper_module": (  # its generated __repr__ (dataclasses' code) reads no label
        {
            "shapes.py": "import dataclasses\n@dataclasses.dataclass\nclass Limits:\n    words: int = 2\n",
            "lfs.py": "from . import shapes\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > shapes.Limits().words else ABSTAIN\n",
        },
        {"shapes.py": "import dataclasses\n@dataclasses.dataclass\nclass Limits:\n    words: int = 1\n"},
        {"target"},
    ),
    "attribute_of_the_lf": (
        {"lfs.py": "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > target.limit else ABSTAIN\ntarget.limit = 2\n"},
        {"lfs.py": "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > target.limit else ABSTAIN\ntarget.limit = 1\n"},
        {"target"},
    ),
    "frozen_dataclass": (  # its generated __hash__ calls hash(): that decides no label
        {"lfs.py": "import dataclasses\n@dataclasses.dataclass(frozen=True)\nclass Limits:\n    words: int = 2\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > Limits().words else ABSTAIN\n"},
        {"lfs.py": "import dataclasses\n@dataclasses.dataclass(frozen=True)\nclass Limits:\n    words: int = 1\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > Limits().words else ABSTAIN\n"},
        {"target"},
    ),
    "partialmethod_arguments": (
        {"lfs.py": "import functools\nclass Counter:\n    def more(self, t, limit):\n        return len(t.split()) > limit\n"
                   "    many = functools.partialmethod(more, limit=2)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if Counter().many(x.text) else ABSTAIN\n"},
        {"lfs.py": "import functools\nclass Counter:\n    def more(self, t, limit):\n        return len(t.split()) > limit\n"
                   "    many = functools.partialmethod(more, limit=1)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if Counter().many(x.text) else ABSTAIN\n"},
        {"target"},
    ),
    "static_method": (
        {"lfs.py": "class Counter:\n    @staticmethod\n    def nwords(t):\n        return len(t.split())\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if Counter.nwords(x.text) > 1 else ABSTAIN\n"},
        {"lfs.py": "class Counter:\n    @staticmethod\n    def nwords(t):\n        return len(t.split()) + 1\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if Counter.nwords(x.text) > 1 else ABSTAIN\n"},
        {"target"},
    ),
    "class_attribute_of_another_module": (
        {
            "shapes.py": "class Counter:\n    LIMIT = 2\n    @classmethod\n    def many(cls, t):\n        return len(t.split()) > cls.LIMIT\n",
            "lfs.py": "from .shapes import Counter\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if Counter.many(x.text) else ABSTAIN\n",
        },
        {"shapes.py": "class Counter:\n    LIMIT = 1\n    @classmethod\n    def many(cls, t):\n        return len(t.split()) > cls.LIMIT\n"},
        {"target"},
    ),
    "lf_calling_an_lf_whose_body_changed": (
        {"lfs.py": "@labeling_function()\ndef inner(x):\n    _log('inner')\n    return 1 if len(x.text.split()) > 2 else ABSTAIN\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return inner(x)\n"},
        {"lfs.py": "@labeling_function()\ndef inner(x):\n    _log('inner')\n    return 1 if len(x.text.split()) > 1 else ABSTAIN\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return inner(x)\n"},
        {"inner", "target"},
    ),
    "int_enum_values": (
        {"lfs.py": "class Label(enum.IntEnum):\n    HAM = 0\n    SPAM = 1\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return Label.SPAM if 'win' in x.text else ABSTAIN\n"},
        {"lfs.py": "class Label(enum.IntEnum):\n    HAM = 1\n    SPAM = 0\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return Label.SPAM if 'win' in x.text else ABSTAIN\n"},
        {"target"},
    ),
    "module_constant": (
        {"lfs.py": "LIMIT = 2\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > LIMIT else ABSTAIN\n"},
        {"lfs.py": "LIMIT = 1\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > LIMIT else ABSTAIN\n"},
        {"target"},
    ),
    "resource": (
        {"lfs.py": "@labeling_function(resources={'limit': 2})\ndef target(x, limit):\n    _log('target')\n    return 1 if len(x.text.split()) > limit else ABSTAIN\n"},
        {"lfs.py": "@labeling_function(resources={'limit': 1})\ndef target(x, limit):\n    _log('target')\n    return 1 if len(x.text.split()) > limit else ABSTAIN\n"},
        {"target"},
    ),
    "preprocessor": (
        {"lfs.py": "@preprocessor()\ndef count(x):\n    x.n = len(x.text.split())\n    return x\n"
                   "@labeling_function(pre=[count])\ndef target(x):\n    _log('target')\n    return 1 if x.n > 2 else ABSTAIN\n"},
        {"lfs.py": "@preprocessor()\ndef count(x):\n    x.n = len(x.text.split()) + 1\n    return x\n"
                   "@labeling_function(pre=[count])\ndef target(x):\n    _log('target')\n    return 1 if x.n > 2 else ABSTAIN\n"},
        {"target"},
    ),
    "same_module_helper": (
        {"lfs.py": "def _many(t):\n    return len(t.split()) > 2\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if _many(x.text) else ABSTAIN\n"},
        {"lfs.py": "def _many(t):\n    return len(t.split()) > 1\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if _many(x.text) else ABSTAIN\n"},
        {"target"},
    ),
    "from_import_at_module_level": (
        {
            "helpers.py": "def many(t):\n    return len(t.split()) > 2\n",
            "lfs.py": "from .helpers import many\n@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if many(x.text) else ABSTAIN\n",
        },
        {"helpers.py": "def many(t):\n    return len(t.split()) > 1\n"},
        {"target"},
    ),
    "default_argument": (
        {"lfs.py": "@labeling_function()\ndef target(x, limit=2):\n    _log('target')\n    return 1 if len(x.text.split()) > limit else ABSTAIN\n"},
        {"lfs.py": "@labeling_function()\ndef target(x, limit=1):\n    _log('target')\n    return 1 if len(x.text.split()) > limit else ABSTAIN\n"},
        {"target"},
    ),
    "closure": (
        {"lfs.py": "def make(limit):\n    @labeling_function(name='target')\n    def f(x):\n        _log('target')\n        return 1 if len(x.text.split()) > limit else ABSTAIN\n    return f\ntarget = make(2)\n"},
        {"lfs.py": "def make(limit):\n    @labeling_function(name='target')\n    def f(x):\n        _log('target')\n        return 1 if len(x.text.split()) > limit else ABSTAIN\n    return f\ntarget = make(1)\n"},
        {"target"},
    ),
    "keyword_list": (
        {"lfs.py": "target = keyword_lf('target', ['win'], 1)\n"},
        {"lfs.py": "target = keyword_lf('target', ['win', 'hello'], 1)\n"},
        {"target"},
    ),
    "dict_order": (  # the first rule that matches wins: the order of a dict is data
        {"lfs.py": "RULES = {'big': 1, 'now': 0}\n@labeling_function()\ndef target(x):\n    _log('target')\n"
                   "    for word, label in RULES.items():\n        if word in x.text.split():\n            return label\n    return ABSTAIN\n"},
        {"lfs.py": "RULES = {'now': 0, 'big': 1}\n@labeling_function()\ndef target(x):\n    _log('target')\n"
                   "    for word, label in RULES.items():\n        if word in x.text.split():\n            return label\n    return ABSTAIN\n"},
        {"target"},
    ),
    "defaultdict_factory": (
        {"lfs.py": "from collections import defaultdict\nVOTES = defaultdict(lambda: ABSTAIN, win=1)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return VOTES[x.text.split()[0]]\n"},
        {"lfs.py": "from collections import defaultdict\nVOTES = defaultdict(lambda: 0, win=1)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return VOTES[x.text.split()[0]]\n"},
        {"target"},
    ),
    "method_of_a_dict_subclass": (
        {"lfs.py": "class Votes(dict):\n    def __missing__(self, key):\n        return ABSTAIN\nVOTES = Votes(win=1)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return VOTES[x.text.split()[0]]\n"},
        {"lfs.py": "class Votes(dict):\n    def __missing__(self, key):\n        return 0\nVOTES = Votes(win=1)\n"
                   "@labeling_function()\ndef target(x):\n    _log('target')\n    return VOTES[x.text.split()[0]]\n"},
        {"target"},
    ),
    "another_lf_body_only": (
        {"lfs.py": "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > 2 else ABSTAIN\n"
                   "@labeling_function()\ndef third(x):\n    _log('third')\n    return 1 if 'win' in x.text else ABSTAIN\n"},
        {"lfs.py": "@labeling_function()\ndef target(x):\n    _log('target')\n    return 1 if len(x.text.split()) > 2 else ABSTAIN\n"
                   "@labeling_function()\ndef third(x):\n    _log('third')\n    return 1 if 'hello' in x.text else ABSTAIN\n"},
        {"third"},
    ),
}

TEXTS = ["win big now", "hello", "hello there friend", "ok", "win", "a b", "x y z w"] * 9
CHUNK = 20  # four chunks, each with other rows


def _write_package(folder: Path, files: dict[str, str], log: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").write_text("")
    for name, text in files.items():
        body = textwrap.dedent(text)
        if name == "lfs.py":
            body = textwrap.dedent(HEADER.format(log=str(log))) + body
        (folder / name).write_text(body)


def _ran(log: Path) -> set[str]:
    names = set(log.read_text().split()) if log.exists() else set()
    log.unlink(missing_ok=True)
    return names


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_edit_reruns_exactly_the_lfs_it_can_change(tmp_path: Path, case: str) -> None:
    before, edits, expected = CASES[case]
    pkg, log, cache = tmp_path / "lfpkg", tmp_path / "calls.log", tmp_path / "cache"
    data = pd.DataFrame({"text": TEXTS})
    _write_package(pkg, before, log)
    first = lf.apply(lf.load_lfs(pkg), data, chunk_size=CHUNK, cache=cache, progress=False)
    _ran(log)
    _write_package(pkg, {**before, **edits}, log)
    cached = lf.apply(lf.load_lfs(pkg), data, chunk_size=CHUNK, cache=cache, progress=False)
    ran = _ran(log)
    fresh = lf.apply(lf.load_lfs(pkg), data, chunk_size=CHUNK, progress=False)
    _ran(log)
    assert cached.names == fresh.names
    np.testing.assert_array_equal(cached.array, fresh.array)  # nothing stale
    changed = {n for j, n in enumerate(fresh.names) if not np.array_equal(first.array[:, j], fresh.array[:, j])}
    assert changed and changed <= expected  # the edit does change labels
    assert ran == expected - {"target"} if case == "keyword_list" else ran == expected
    assert cached.cache_stats.uncacheable == ()
    chunks = -(-len(TEXTS) // CHUNK)
    assert cached.cache_stats.computed == len(expected) * chunks  # the others were reused
    assert cached.cache_stats.reused == (len(fresh.names) - len(expected)) * chunks


def test_a_helper_module_found_on_sys_path_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """``import mod; mod.f(x)`` with mod outside the LF package: a second process sees the edit."""
    (tmp_path / "site").mkdir()
    helper = tmp_path / "site" / "wordcount.py"
    module = tmp_path / "lfs.py"
    module.write_text(textwrap.dedent("""
        import wordcount
        from lf import ABSTAIN, labeling_function

        @labeling_function()
        def target(x):
            return 1 if wordcount.many(x.text) else ABSTAIN

        @labeling_function()
        def other(x):
            return 0 if len(x.text) < 4 else ABSTAIN
    """))
    script = (
        "import sys, lf, pandas as pd; sys.path.insert(0, sys.argv[1]);"
        "L = lf.apply(lf.load_lfs(sys.argv[2]), pd.DataFrame({'text': sys.argv[4].split(',')}),"
        " cache=sys.argv[3] if sys.argv[3] != '-' else None, progress=False);"
        "s = getattr(L, 'cache_stats', None); print(L.array.tolist()); print(s and (s.reused, s.computed))"
    )
    texts = "win big now,hello,a b,ok"

    def run(cache: str) -> list[str]:
        args = [sys.executable, "-c", script, str(tmp_path / "site"), str(module), cache, texts]
        return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout.split("\n")

    helper.write_text("def many(t):\n    return len(t.split()) > 2\n")
    first = run(str(tmp_path / "cache"))
    helper.write_text("def many(t):\n    return len(t.split()) > 1\n")
    cached, fresh = run(str(tmp_path / "cache")), run("-")
    assert cached[0] == fresh[0] != first[0]
    assert first[1] == "(0, 2)"
    assert cached[1] == "(1, 1)"  # `other` reused, `target` computed


def test_an_lf_reaching_an_object_with_state_is_not_cached(tmp_path: Path) -> None:
    pkg = tmp_path / "statepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helpers.py").write_text("class Model:\n    pass\nMODEL = Model()\n")
    (pkg / "lfs.py").write_text(
        "from lf import ABSTAIN, labeling_function\nfrom . import helpers\n"
        "@labeling_function()\ndef uses_model(x):\n    return 1 if helpers.MODEL else ABSTAIN\n"
    )
    (uses_model,) = lf.load_lfs(pkg)
    assert lf_fingerprint(uses_model) is None
    L = lf.apply([uses_model], pd.DataFrame({"text": ["a"]}), cache=tmp_path / "cache", progress=False)
    assert L.cache_stats.uncacheable == ("uses_model",) and L.cache_stats.reused == 0
    assert L.cache_stats.reasons == ("statepkg.helpers.MODEL is a Model object lf cannot read",)


def test_the_summary_says_which_object_makes_an_lf_run_every_time(tmp_path: Path) -> None:
    module = tmp_path / "stateful.py"
    module.write_text(textwrap.dedent("""
        from lf import ABSTAIN, LabelingFunction, labeling_function
        class Rules:
            def __init__(self, word):
                self.word = word
            def vote(self, x):
                return 1 if self.word in x.text else ABSTAIN
        RULES = Rules("win")
        method = LabelingFunction("method", RULES.vote)
        @labeling_function()
        def named(x):
            return RULES.vote(x)
        @labeling_function()
        def default(x, rules=RULES):
            return rules.vote(x)
    """))
    L = lf.apply(lf.load_lfs(module), pd.DataFrame({"text": ["win"]}), cache=tmp_path / "cache", progress=False)
    assert L.cache_stats.uncacheable == ("method", "named", "default")
    assert L.cache_stats.reasons == (
        "a method of a Rules object, whose state lf cannot read",
        "named reads RULES, a Rules object lf cannot read",
        "default: its defaults, closure or attributes hold an object lf cannot read",
    )


def test_installed_packages_enter_by_name_and_version_and_lf_itself_is_cacheable(tmp_path: Path) -> None:
    module = tmp_path / "uses_libs.py"
    module.write_text(
        "import lf, numpy as np, pandas as pd\n"
        "@lf.labeling_function()\n"
        "def signed(x):\n"
        "    return int(np.sign(len(x.text))) if pd.notna(x.text) else lf.ABSTAIN\n"
    )
    (signed,) = lf.load_lfs(module)
    assert lf_fingerprint(signed) is not None

    from lf.apply.fingerprint import Fingerprinter

    assert Fingerprinter()._installed_module("numpy").startswith(f"numpy=={np.__version__}#".encode())  # and its files' hashes
    assert Fingerprinter(lf_source=False)._installed_module("numpy") == f"numpy=={np.__version__}".encode()
    assert Fingerprinter()._installed_module("re") == f"stdlib:{sys.version}".encode()
    assert Fingerprinter()._installed_module("lf_user_uses_libs") is None  # the user's code


def test_a_memoized_helper_is_fingerprinted_by_its_code(tmp_path: Path) -> None:
    """functools.lru_cache / cache wrap a function: its code counts, and an edit of it is seen."""
    module = tmp_path / "memo.py"
    source = (
        "import functools, lf\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def long_text(text):\n"
        "    return len(text) > {limit}\n"
        "@lf.labeling_function()\n"
        "def wordy(x):\n"
        "    return 1 if long_text(x.text) else lf.ABSTAIN\n"
    )
    module.write_text(source.format(limit=10))
    (first,) = lf.load_lfs(module)
    before = lf_fingerprint(first)
    assert before is not None
    module.write_text(source.format(limit=20))
    (second,) = lf.load_lfs(module)
    assert lf_fingerprint(second) not in (None, before)


def test_lfs_own_source_enters_every_fingerprint(tmp_path: Path) -> None:
    """lf's kernel, rows, templates and readers decide labels as much as the LF does: an
    edit of any lf module (an upgrade, a fix between two checkouts of one release) gives
    other fingerprints."""
    from lf.apply.fingerprint import lf_code_digest

    (tmp_path / "apply").mkdir()
    (tmp_path / "core.py").write_text("A = 1\n")
    (tmp_path / "apply" / "kernel.py").write_text("B = 2\n")
    first = lf_code_digest(tmp_path)
    assert lf_code_digest(tmp_path) == first
    (tmp_path / "apply" / "kernel.py").write_text("B = 3\n")
    edited = lf_code_digest(tmp_path)
    (tmp_path / "apply" / "views.py").write_text("")
    assert len({first, edited, lf_code_digest(tmp_path)}) == 3
    assert lf_code_digest() != first  # the installed package's own


def _prize_frame_and_lfs() -> tuple[pd.DataFrame, list[lf.LabelingFunction]]:
    """A small frame, a row LF and a template: what a cache test needs of each kind."""
    frame = pd.DataFrame({"text": ["win a prize", "hello", "prize!"] * 10})

    @lf.labeling_function()
    def has_prize(x):
        return 1 if "prize" in x.text else lf.ABSTAIN

    return frame, [has_prize, lf.keyword_lf("win", ["win"], label=1)]


def test_a_cache_filled_by_another_lf_build_is_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lf.apply import fingerprint

    frame, lfs = _prize_frame_and_lfs()
    before = [lf_fingerprint(f) for f in lfs]
    first = lf.apply(lfs, frame, cache=tmp_path / "c", progress=False)
    assert lf.apply(lfs, frame, cache=tmp_path / "c", progress=False).cache_stats.computed == 0
    # not a lambda of this module: lf's globals lead to it, and its tests read the machine
    monkeypatch.setattr(fingerprint, "lf_code_digest", "another lf".encode)
    assert all(lf_fingerprint(f) not in (None, old) for f, old in zip(lfs, before))
    again = lf.apply(lfs, frame, cache=tmp_path / "c", progress=False)
    assert (again.cache_stats.reused, again.cache_stats.computed) == (0, 2)
    np.testing.assert_array_equal(again.array, first.array)


def test_a_helper_edited_but_not_reloaded_does_not_store_old_labels_under_the_new_source(tmp_path: Path) -> None:
    """A notebook session edits a helper's file without reloading it: the run uses the old
    code, so its labels must not be found later by a process running the new code."""
    (tmp_path / "site").mkdir()
    helper = tmp_path / "site" / "wordcount_stale.py"
    module = tmp_path / "lfs.py"
    module.write_text(textwrap.dedent("""
        import wordcount_stale
        from lf import ABSTAIN, labeling_function

        @labeling_function()
        def target(x):
            return 1 if wordcount_stale.many(x.text) else ABSTAIN
    """))
    script = (
        "import sys, pathlib, lf, pandas as pd; sys.path.insert(0, sys.argv[1]);"
        "df = pd.DataFrame({'text': ['win big now', 'a b', 'ok']});"
        "lfs = lf.load_lfs(sys.argv[2]);"
        "print(lf.apply(lfs, df, cache=sys.argv[3], progress=False).array.ravel().tolist());"
        "pathlib.Path(sys.argv[4]).write_text('def many(t):\\n    return len(t.split()) > 1\\n');"
        "print(lf.apply(lfs, df, cache=sys.argv[3], progress=False).array.ravel().tolist())"
    )
    helper.write_text("def many(t):\n    return len(t.split()) > 2\n")
    args = [sys.executable, "-c", script, str(tmp_path / "site"), str(module), str(tmp_path / "cache"), str(helper)]
    session = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout.split("\n")
    assert session[0] == session[1] == "[1, -1, -1]"  # the old code ran both times
    fresh = (
        "import sys, lf, pandas as pd; sys.path.insert(0, sys.argv[1]);"
        "df = pd.DataFrame({'text': ['win big now', 'a b', 'ok']});"
        "print(lf.apply(lf.load_lfs(sys.argv[2]), df, cache=sys.argv[3], progress=False).array.ravel().tolist())"
    )
    args = [sys.executable, "-c", fresh, str(tmp_path / "site"), str(module), str(tmp_path / "cache")]
    out = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout.split("\n")
    assert out[0] == "[1, 1, -1]"  # the new code's labels, not the stale entry


@pytest.mark.parametrize("library", ["pyarrow", "pandas", "numpy"])
def test_an_upgrade_of_a_library_lf_labels_with_is_not_answered_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    """keyword_lf matches with pyarrow's RE2 (its Unicode tables come with pyarrow), rows
    are built by pandas and numpy: after an upgrade the same LF on the same data may label
    otherwise, though neither the LF's code nor lf's changed."""
    import importlib.metadata

    frame, lfs = _prize_frame_and_lfs()
    before = [lf_fingerprint(f) for f in lfs]
    lf.apply(lfs, frame, cache=tmp_path / "c", progress=False)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "999.0" if name == library else real(name))
    assert all(lf_fingerprint(f) not in (None, old) for f, old in zip(lfs, before))
    again = lf.apply(lfs, frame, cache=tmp_path / "c", progress=False)
    assert (again.cache_stats.reused, again.cache_stats.computed) == (0, 2)
