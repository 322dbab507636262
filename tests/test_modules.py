"""load_lfs: LFs from a .py file, a package folder, a module name or a module object."""

from __future__ import annotations

import textwrap
import types

import pandas as pd
import pytest

import lf
from lf import LFSet, load_lfs
from lf.errors import LFDefinitionError, LFImportError

HEADER = "import lf\nfrom lf import ABSTAIN, labeling_function, keyword_lf\n"


def _write(path, body, header=HEADER):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + textwrap.dedent(body))
    return path


def test_load_file_collects_lfs_in_definition_order_and_ignores_other_objects(tmp_path):
    f = _write(
        tmp_path / "my_lfs.py",
        """
        THRESHOLD = 3

        @labeling_function()
        def zeta(x):
            return 1 if "http" in x.text else ABSTAIN

        def helper(x):  # a plain function is not an LF
            return 0

        kw_song = keyword_lf("kw_song", ["song"], 0)

        @labeling_function(name="alpha")
        def short(x):
            return 0 if len(x.text) < THRESHOLD else ABSTAIN
        """,
    )
    lfs = load_lfs(f)
    assert isinstance(lfs, LFSet) and isinstance(lfs, tuple)
    assert lfs.names == ("zeta", "kw_song", "alpha")
    assert lfs.labels is None
    assert lfs.source == str(f)
    assert "3 LFs" in repr(lfs)
    L = lf.apply(lfs, pd.DataFrame({"text": ["http://x", "my song", "ab"]}), progress=False)
    assert L.names == ("zeta", "kw_song", "alpha")
    assert L.array.tolist() == [[1, -1, -1], [-1, 0, -1], [-1, -1, 0]]


def test_load_file_given_as_str_or_path(tmp_path):
    f = _write(tmp_path / "one.py", "@labeling_function()\ndef a(x):\n    return 0\n")
    assert load_lfs(str(f)).names == load_lfs(f).names == ("a",)


@pytest.mark.parametrize(
    "labels_src, expected",
    [
        ('LABELS = ["HAM", "SPAM"]', ("HAM", "SPAM")),
        ("LABELS = {1: 'SPAM', 0: 'HAM'}", ("HAM", "SPAM")),
        ("import enum\nclass LABELS(enum.IntEnum):\n    HAM = 0\n    SPAM = 1\n    OTHER = 2\n", ("HAM", "SPAM", "OTHER")),
    ],
    ids=["list", "dict", "intenum"],
)
def test_labels_declared_by_the_module(tmp_path, labels_src, expected):
    f = _write(tmp_path / "lab.py", labels_src + "\n@labeling_function()\ndef a(x):\n    return 1\n")
    lfs = load_lfs(f)
    assert lfs.labels == expected
    L = lf.apply(lfs, pd.DataFrame({"text": ["x"]}), progress=False)
    assert L.labels == expected
    assert L.cardinality == len(expected)
    assert L.label_name(1) == expected[1]


@pytest.mark.parametrize(
    "labels_src", ['LABELS = ["ONLY"]', "LABELS = {1: 'a', 2: 'b'}", "LABELS = 3", 'LABELS = "HAM,SPAM"']
)
def test_bad_labels_declaration_is_reported(tmp_path, labels_src):
    f = _write(tmp_path / "badlab.py", labels_src + "\n@labeling_function()\ndef a(x):\n    return 1\n")
    with pytest.raises(LFDefinitionError, match=r"LABELS in .*badlab\.py"):
        load_lfs(f)


def test_package_walks_submodules_sorted_supports_relative_imports_and_counts_reexports_once(tmp_path):
    pkg = tmp_path / "spam_lfs"
    _write(pkg / "__init__.py", 'LABELS = ["HAM", "SPAM"]\nfrom .b_links import has_link\n')
    _write(pkg / "_shared.py", "WORDS = ['song', 'love']\n", header="")
    _write(
        pkg / "b_links.py",
        """
        @labeling_function()
        def has_link(x):
            return 1 if "http" in x.text else ABSTAIN
        """,
    )
    _write(
        pkg / "a_words.py",
        """
        from ._shared import WORDS
        kw_ham = keyword_lf("kw_ham", WORDS, 0)
        """,
    )
    lfs = load_lfs(pkg)
    # __init__ first (it re-exports has_link), then the submodules sorted by name
    assert lfs.names == ("has_link", "kw_ham")
    assert lfs.labels == ("HAM", "SPAM")


def test_duplicate_names_across_modules_name_both_places(tmp_path):
    pkg = tmp_path / "dup_pkg"
    _write(pkg / "__init__.py", "", header="")
    _write(pkg / "a.py", "@labeling_function()\ndef same(x):\n    return 0\n")
    _write(pkg / "b.py", "@labeling_function(name='same')\ndef other(x):\n    return 1\n")
    with pytest.raises(LFDefinitionError, match=r"Two labeling functions are named 'same': same in .*a\.py and other in .*b\.py\.") as info:
        load_lfs(pkg)
    assert "lf_user_" not in str(info.value)


def test_duplicate_names_in_a_file_name_the_file_not_lfs_internal_module_name(tmp_path, monkeypatch):
    _write(tmp_path / "mine.py", "@labeling_function()\ndef a(x):\n    return 0\nb = keyword_lf('a', ['x'], 1)\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LFDefinitionError) as info:
        load_lfs("mine.py")
    assert str(info.value) == "Two labeling functions are named 'a': a in mine.py and b in mine.py. Give each LF a unique name."


def test_module_without_lfs_says_how_to_define_them(tmp_path):
    f = _write(tmp_path / "empty_mod.py", "x = 1\n")
    with pytest.raises(LFImportError, match=r"No labeling functions found in .*empty_mod\.py.*@lf\.labeling_function\(\)"):
        load_lfs(f)


def test_missing_file(tmp_path):
    with pytest.raises(LFImportError, match=r"LF module file not found: .*nope\.py"):
        load_lfs(tmp_path / "nope.py")


def test_module_raising_at_import_reports_the_file_and_the_original_error(tmp_path):
    f = _write(tmp_path / "broken.py", "raise RuntimeError('boom at import')\n")
    with pytest.raises(LFImportError, match=r"(?s)Importing the LF module .*broken\.py.*RuntimeError: boom at import"):
        load_lfs(f)


def test_syntax_error_reports_the_file(tmp_path):
    f = _write(tmp_path / "syntax.py", "def (:\n")
    with pytest.raises(LFImportError, match=r"(?s)syntax\.py.*SyntaxError"):
        load_lfs(f)


def test_module_importing_a_missing_package_names_that_package(tmp_path, monkeypatch):
    _write(tmp_path / "needs_missing.py", "import surely_not_installed_pkg_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(LFImportError, match=r"(?s)'needs_missing' failed.*surely_not_installed_pkg_xyz"):
        load_lfs("needs_missing")


def test_unknown_module_name():
    with pytest.raises(LFImportError, match=r"No module named 'no_such_lf_module_abc'.*path to a \.py file"):
        load_lfs("no_such_lf_module_abc")


def test_a_data_file_given_as_the_lf_module_is_named_as_a_file(tmp_path, monkeypatch):
    # `--lfs comments.csv` (DATA and --lfs swapped) said "No module named 'comments.csv'",
    # as if the file were missing.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "comments.csv").write_text("text\nhello\n")
    with pytest.raises(LFImportError, match=r"^'comments\.csv' is a file but not a Python module: LFs are read from a \.py"):
        load_lfs("comments.csv")


def test_importable_module_name(tmp_path, monkeypatch):
    _write(tmp_path / "importable_lfs_mod.py", "@labeling_function()\ndef a(x):\n    return 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_lfs("importable_lfs_mod").names == ("a",)


def test_dotted_name_relative_to_the_working_directory(tmp_path, monkeypatch):
    _write(tmp_path / "proj" / "rules.py", "@labeling_function()\ndef rule(x):\n    return 1\n")
    monkeypatch.chdir(tmp_path)
    assert load_lfs("proj.rules").names == ("rule",)


def test_module_object():
    mod = types.ModuleType("inline_lfs")
    mod.a = lf.keyword_lf("a", ["x"], 1)
    mod.b = lf.LabelingFunction("b", lambda x: 0)
    mod.LABELS = ["N", "Y"]
    lfs = load_lfs(mod)
    assert lfs.names == ("a", "b") and lfs.labels == ("N", "Y") and lfs.source == "inline_lfs"


def test_snorkel_lfs_in_a_module_are_wrapped(tmp_path):
    f = _write(
        tmp_path / "snork.py",
        """
        from snorkel.labeling import labeling_function as snorkel_lf

        @snorkel_lf()
        def s_link(x):
            return 1 if "http" in x.text else -1
        """,
        header="",
    )
    lfs = load_lfs(f)
    assert lfs.names == ("s_link",)
    assert isinstance(lfs[0], lf.LabelingFunction)
    assert lf.apply(lfs, pd.DataFrame({"text": ["http", "no"]}), progress=False).array[:, 0].tolist() == [1, -1]


def test_loading_a_file_again_after_editing_it_returns_the_new_lfs(tmp_path):
    # In a notebook, the user edits the LF file and calls load_lfs again; the edit must count.
    f = _write(tmp_path / "edited.py", "@labeling_function()\ndef old_name(x):\n    return 0\n")
    assert load_lfs(f).names == ("old_name",)
    _write(f, "@labeling_function()\ndef new_name(x):\n    return 1\n")
    assert load_lfs(f).names == ("new_name",)


def test_loading_an_unchanged_file_again_gives_the_same_lf_objects(tmp_path):
    f = _write(tmp_path / "stable.py", "@labeling_function()\ndef a(x):\n    return 0\n")
    first = load_lfs(f)
    again = load_lfs(f)
    assert again[0] is first[0]


def test_editing_a_submodule_of_a_package_is_picked_up(tmp_path):
    pkg = tmp_path / "edit_pkg"
    _write(pkg / "__init__.py", 'LABELS = ["HAM", "SPAM"]\n', header="")
    sub = _write(pkg / "rules.py", "@labeling_function()\ndef first(x):\n    return 0\n")
    assert load_lfs(pkg).names == ("first",)
    _write(sub, "@labeling_function()\ndef second(x):\n    return 1\n")
    lfs = load_lfs(pkg)
    assert lfs.names == ("second",)
    assert lf.apply(lfs, pd.DataFrame({"text": ["a"]}), progress=False).array.tolist() == [[1]]


def test_a_file_fixed_after_a_failed_import_loads(tmp_path):
    f = _write(tmp_path / "fixme.py", "raise RuntimeError('not yet')\n")
    with pytest.raises(LFImportError, match="not yet"):
        load_lfs(f)
    _write(f, "@labeling_function()\ndef ok(x):\n    return 0\n")
    assert load_lfs(f).names == ("ok",)


def test_lfs_kept_in_module_level_lists_are_found_in_order_once(tmp_path):
    path = tmp_path / "listed.py"
    path.write_text(
        "from lf import keyword_lf, labeling_function, ABSTAIN\n"
        "single = keyword_lf('single', ['a'], 0)\n"
        "KEYWORD_LFS = [keyword_lf(f'kw_{w}', [w], 1) for w in ('b', 'c')]\n"
        "ALSO = (single,)  # the same LF again: listed once\n"
        "NOT_LFS = [1, 2, 3]\n"
        "@labeling_function()\n"
        "def last(x):\n"
        "    return ABSTAIN\n"
    )
    assert [f.name for f in load_lfs(path)] == ["single", "kw_b", "kw_c", "last"]


def test_a_duplicate_name_inside_a_list_is_named_with_its_position(tmp_path):
    path = tmp_path / "dup_list.py"
    path.write_text(
        "from lf import keyword_lf\n"
        "a = keyword_lf('k', ['a'], 0)\n"
        "MORE = [keyword_lf('k', ['b'], 1)]\n"
    )
    with pytest.raises(LFDefinitionError, match=r"named 'k': a in .*dup_list\.py and MORE\[0\] in .*dup_list\.py\."):
        load_lfs(path)


def test_importing_a_helper_beside_the_lf_file_says_why_it_is_not_found(tmp_path):
    # `import helper` works in a script run from its folder, not in an LF file lf loads
    _write(tmp_path / "helper.py", "WORDS = ['check']\n", header="")
    path = _write(tmp_path / "mine.py", "import helper\nk = keyword_lf('k', helper.WORDS, 1)\n")
    with pytest.raises(LFImportError) as info:
        load_lfs(path)
    message = str(info.value)
    assert "No module named 'helper'. 'helper' is beside the LF file" in message
    assert f"PYTHONPATH={tmp_path}" in message and "`from . import helper`." in message
    missing = _write(tmp_path / "other.py", "import no_such_module_here\n")
    with pytest.raises(LFImportError) as info:
        load_lfs(missing)
    assert str(info.value).endswith("ModuleNotFoundError: No module named 'no_such_module_here'")


def test_a_module_of_a_package_keeps_its_relative_imports_by_path_or_dotted_name(tmp_path, monkeypatch):
    """`--lfs pkg/mod.py` (and `--lfs pkg.mod` where the working directory is not on Python's
    path, as for the installed `lf` command) ran mod.py as a lone file: its `from .helpers
    import WORDS` failed with "attempted relative import with no known parent package"."""
    _write(tmp_path / "rel_pkg" / "__init__.py", "", header="")
    _write(tmp_path / "rel_pkg" / "helpers.py", "WORDS = ['check']\n", header="")
    _write(tmp_path / "rel_pkg" / "sub" / "__init__.py", "", header="")
    _write(tmp_path / "rel_pkg" / "sub" / "mod.py", "from ..helpers import WORDS\nk = keyword_lf('k', WORDS, 1)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.path", [p for p in __import__("sys").path if p not in ("", str(tmp_path))])
    frame = pd.DataFrame({"text": ["check this", "nice"]})
    for target in ("rel_pkg/sub/mod.py", tmp_path / "rel_pkg" / "sub" / "mod.py", "rel_pkg.sub.mod"):
        lfs = load_lfs(target)
        assert lfs.names == ("k",), target
        assert lf.apply(lfs, frame).array[:, 0].tolist() == [1, -1]
