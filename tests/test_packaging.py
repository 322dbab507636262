"""What an installed lf contains: every package, and the dataset manifests with the demo corpus."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_the_package_list_covers_every_package_and_dataset_folder() -> None:
    packages = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "lf").rglob("__init__.py") if "__pycache__" not in p.parts
    }
    datasets = {f"lf._datasets.{p.parent.name}" for p in (ROOT / "datasets").glob("*/manifest.json")}
    assert _declared() == packages | datasets | {"lf._datasets"}


@pytest.mark.slow
def test_a_built_wheel_knows_the_datasets_without_the_source_tree(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("lf-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for manifest in (ROOT / "datasets").glob("*/manifest.json"):
        assert f"lf/_datasets/{manifest.parent.name}/manifest.json" in names
    assert "lf/_datasets/demo/comments.csv" in names and "lf/py.typed" in names
    code = (
        "import json, lf, lf.datasets, lf.manifest; "
        "print(json.dumps([lf.__file__, lf.manifest.list_datasets(), len(lf.datasets.load('demo'))]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
    )
    where, names_listed, rows = json.loads(out.stdout)
    assert where.startswith(str(tmp_path / "site"))  # the installed copy, not this checkout
    assert sorted(names_listed) == sorted(p.parent.name for p in (ROOT / "datasets").glob("*/manifest.json"))
    assert rows == 2000


def test_the_datasets_folder_never_shadows_another_datasets_package() -> None:
    # Run from the project folder, `import datasets` must still find e.g. Hugging Face's.
    assert not (ROOT / "datasets" / "__init__.py").exists()
    code = "import importlib.util; s = importlib.util.find_spec('datasets'); print(s is None or s.loader is None)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "True"  # at most a namespace portion, which any real package outranks
