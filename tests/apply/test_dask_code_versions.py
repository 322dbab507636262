"""A long-lived Dask cluster must not label with an older version of a helper module.

The LF module goes to the workers by value, but a helper module it imports goes by name:
a worker that imported it for an earlier run kept that version after the file was edited
(and reloaded here), so the Dask matrix silently differed from the local one.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.dask import DaskEngine
from lf.errors import WorkerError

CASES = {
    "constant_via_the_module": (
        "LIMIT = 2\n", "LIMIT = 1\n",
        "import {helper}\n\n@labeling_function()\ndef many(x):\n    return 1 if len(x.text.split()) > {helper}.LIMIT else 0\n",
    ),
    "function_imported_by_name": (
        "def limit():\n    return 2\n", "def limit():\n    return 1\n",
        "from {helper} import limit\n\n@labeling_function()\ndef many(x):\n    return 1 if len(x.text.split()) > limit() else 0\n",
    ),
}


def _add_path(folder: str) -> None:
    if folder not in sys.path:
        sys.path.insert(0, folder)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_edited_helper_module_on_the_workers_is_an_error(
    case: str, client: Any, fresh_workers: Callable[[], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after, lfs_source = CASES[case]
    helper = f"lf_test_helper_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{helper}.py").write_text(before)
    (tmp_path / "lfs.py").write_text("from lf import labeling_function\n" + lfs_source.format(helper=helper))
    monkeypatch.syspath_prepend(str(tmp_path))
    client.run(_add_path, str(tmp_path))
    df = pd.DataFrame({"text": ["a b", "a b c", "a"]})

    lfs = lf.load_lfs(str(tmp_path / "lfs.py"))
    assert np.array_equal(lf.apply(lfs, df, engine=DaskEngine(client)), lf.apply(lfs, df))

    (tmp_path / f"{helper}.py").write_text(after)
    importlib.reload(sys.modules[helper])
    with open(tmp_path / "lfs.py", "a") as fh:  # loaded again, so it binds the new helper code
        fh.write("# edited\n")
    lfs = lf.load_lfs(str(tmp_path / "lfs.py"))
    assert np.asarray(lf.apply(lfs, df)).ravel().tolist() == [1, 1, 0]
    with pytest.raises(WorkerError, match=rf"holds another version of the module\(s\) '{helper}'"):
        lf.apply(lfs, df, engine=DaskEngine(client))

    fresh_workers()
    client.run(_add_path, str(tmp_path))
    assert np.asarray(lf.apply(lfs, df, engine=DaskEngine(client))).ravel().tolist() == [1, 1, 0]
    sys.modules.pop(helper, None)


def test_a_value_computed_per_process_is_not_taken_for_an_edit(client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper module's value computed at import (here the pid) differs on every worker by
    design: only constants its source assigns as literals are compared."""
    helper = f"lf_test_pid_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{helper}.py").write_text("import os\n\nLIMIT = 1\nRUN = str(os.getpid())\n\ndef limit():\n    return LIMIT\n")
    (tmp_path / "lfs.py").write_text(
        "from lf import labeling_function\n"
        f"from {helper} import limit\n\n@labeling_function()\ndef many(x):\n    return 1 if len(x.text.split()) > limit() else 0\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    client.run(_add_path, str(tmp_path))
    df = pd.DataFrame({"text": ["a b", "a b c", "a"]})
    lfs = lf.load_lfs(str(tmp_path / "lfs.py"))
    assert np.asarray(lf.apply(lfs, df, engine=DaskEngine(client))).ravel().tolist() == [1, 1, 0]
    sys.modules.pop(helper, None)


def test_literal_names_are_the_source_literals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from lf.apply.code_versions import literal_names

    source = (
        "import os\nLIMIT = 2\nWORDS: tuple = ('a', 'b')\nA = B = -1.5\nPID = os.getpid()\n"
        "HOME = os.environ.get('HOME', '')\nx, y = 1, 2\nif True:\n    INNER = 3\n"
    )
    (tmp_path / "lf_test_literals.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("lf_test_literals")
    try:
        assert literal_names(module) == {"LIMIT", "WORDS", "A", "B"}
    finally:
        sys.modules.pop("lf_test_literals", None)
    assert literal_names(types.ModuleType("no_source")) == frozenset()
