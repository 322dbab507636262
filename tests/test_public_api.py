"""The public surface: __all__, the exception tree, and a light `import lf`."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import lf
from lf import errors

HEAVY = ["pandas", "pyarrow", "scipy", "dask", "spacy", "torch", "snorkel", "rich", "click"]


def test_all_is_sorted_unique_and_every_name_exists():
    assert lf.__all__ == sorted(lf.__all__)
    assert len(set(lf.__all__)) == len(lf.__all__)
    for name in lf.__all__:
        assert hasattr(lf, name), name


def test_design_names_are_exported():
    for name in ("ABSTAIN", "LabelingFunction", "labeling_function", "preprocessor", "keyword_lf", "regex_lf",
                 "apply", "LabelMatrix", "summarize", "load_lfs"):
        assert name in lf.__all__, name


@pytest.mark.parametrize("module", ["lf.errors", "lf.core", "lf.matrix", "lf.analysis", "lf.models", "lf.io"])
def test_submodule_all_names_exist(module):
    import importlib

    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_every_error_is_an_lf_error_and_the_matching_builtin():
    expected = {
        "LFDefinitionError": TypeError,
        "LFOutputError": ValueError,
        "LFRuntimeError": RuntimeError,
        "LFImportError": ImportError,
        "DataError": ValueError,
        "NotFittedError": ValueError,
        "MissingExtraError": ImportError,
        "ParameterError": ValueError,
        "RowSelectionError": IndexError,
        "WorkerError": RuntimeError,
    }
    for name, builtin in expected.items():
        cls = getattr(errors, name)
        assert issubclass(cls, errors.LFError) and issubclass(cls, builtin), name


# Builtin exceptions lf may still raise on purpose: protocol errors whose type callers rely on
# (a Row's missing field is a KeyError / AttributeError, as for a dict or an object).
_ALLOWED_BUILTIN_RAISES = {("lf/core.py", "KeyError"), ("lf/core.py", "AttributeError"),
                           ("lf/__init__.py", "AttributeError"), ("lf/models/base.py", "NotImplementedError")}


def test_lf_raises_only_its_own_errors():
    """Every `raise SomeBuiltinError(...)` in lf/ would escape `except lf.LFError`."""
    import ast
    import builtins
    from pathlib import Path

    root = Path(lf.__file__).resolve().parents[1]
    found = []
    for path in sorted((root / "lf").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = call.id if isinstance(call, ast.Name) else None
                if name and isinstance(getattr(builtins, name, None), type) and (rel, name) not in _ALLOWED_BUILTIN_RAISES:
                    found.append(f"{rel}:{node.lineno} raises {name}")
    assert not found, found


def test_duplicate_lf_names_are_the_same_error_in_apply_and_in_a_matrix():
    import numpy as np
    import pandas as pd

    a = lf.LabelingFunction("a", lambda x: 0)
    with pytest.raises(errors.LFDefinitionError, match="names must be unique. Duplicated: a"):
        lf.apply([a, lf.LabelingFunction("a", lambda x: 1)], pd.DataFrame({"text": ["x"]}))
    with pytest.raises(errors.LFDefinitionError, match="names must be unique. Duplicated: a"):
        lf.LabelMatrix(np.zeros((1, 2), np.int8), names=["a", "a"])


def test_require_names_the_install_command():
    with pytest.raises(errors.MissingExtraError, match=r"pip install 'lf\[nlp\]'"):
        errors.require("surely_missing_module_xyz", "nlp")


def test_import_lf_loads_no_heavy_dependency():
    code = (
        "import json, sys; import lf; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_import_lf_models_and_analysis_load_no_pandas():
    code = (
        "import json, sys; import lf.models, lf.analysis, lf.matrix; "
        "print(json.dumps(sorted(m for m in ['pandas', 'pyarrow', 'dask', 'spacy', 'torch', 'snorkel'] if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_version():
    assert isinstance(lf.__version__, str) and lf.__version__.count(".") >= 1


def test_submodules_are_reachable_from_a_plain_import_lf_and_load_on_first_use():
    code = (
        "import json, sys; import lf; before = 'lf.models' in sys.modules; "
        "ok = all(callable(x) for x in (lf.models.LabelModel, lf.output.labels_frame, lf.datasets.load, lf.analysis.lf_coverages)); "
        "print(json.dumps([before, ok, 'lf.models' in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, True, True]
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        lf.nope  # noqa: B018


@pytest.mark.parametrize(("name", "home"), [("LabelModel", "lf.models"), ("nlp_labeling_function", "lf.nlp"), ("DaskEngine", "lf.apply.dask")])
def test_a_name_looked_up_on_lf_that_lives_in_a_submodule_says_where(name: str, home: str) -> None:
    # `lf.LabelModel(...)` is what a new user types first; the error said only "no attribute"
    with pytest.raises(AttributeError, match=rf"no attribute '{name}': it is {home}\.{name} \(from {home} import {name}\)"):
        getattr(lf, name)
    assert not hasattr(lf, name)  # still not an attribute: one place for each name
    assert hasattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError, match=r"^module 'lf' has no attribute 'nope'$"):
        lf.nope  # noqa: B018
