"""The command line under the environments it runs in: shells with a C locale, cron jobs,
containers, CI. Each test runs ``python -m lf`` in a real subprocess with the environment set.

Intended behaviour, and the refusals among it:

- stdout or stderr that cannot encode a character (``PYTHONIOENCODING=ascii``, ``LC_ALL=C``
  with the UTF-8 mode off) shows it as its escape (``promo_\\xe9``); the files written keep
  the text as it is (UTF-8).
- A file name that is not UTF-8 (Latin-1 bytes on Linux) is refused, naming it, before any
  work: pyarrow, which reads and writes lf's files, takes UTF-8 names only. This holds for
  DATA, the files a glob pattern matches, outputs and every other argument.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]

LFS = """\
from lf import ABSTAIN, keyword_lf, labeling_function
LABELS = ["jamb\\u00f3n", "\\u5783\\u573e"]
promo = keyword_lf("promo_\\u00e9", ["subscribe", "my channel"], 1)
@labeling_function(name="court_\\u00fc")
def short(x):
    return 0 if len(x.text) < 20 else ABSTAIN
"""
TEXTS = ["caf\u00e9 subscribe to my channel", "nice song", "check my channel", "lovely", "ok", "subscribe \u5783\u573e"]


def _lf(args: list[str | bytes], cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LANG", "PYTHONIOENCODING", "PYTHONUTF8")}
    return subprocess.run(
        [sys.executable, "-m", "lf", *args], cwd=cwd, env={**environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, timeout=60, check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "lfs.py").write_text(LFS, encoding="utf-8")
    pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS, "gold": ["\u5783\u573e", "jamb\u00f3n"] * 3}).to_csv(
        tmp_path / "data.csv", index=False, encoding="utf-8"
    )
    return tmp_path


ASCII_ENVIRONMENTS = [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},  # stdout: ascii, surrogateescape
]


@pytest.mark.parametrize("env", ASCII_ENVIRONMENTS, ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"])
def test_an_ascii_stdout_shows_label_and_lf_names_and_texts_escaped(project: Path, env: dict[str, str]) -> None:
    """The report's table and the rows listed ended in 'internal error: UnicodeEncodeError'
    (after lf label had run every LF): the names were not ASCII."""
    done = _lf(["label", "data.csv", "--lfs", "lfs.py", "-o", "out.csv", "--model", "mv", "--gold", "gold"], project, **env)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("ascii")
    assert "promo_\\xe9" in out and "court_\\xfc" in out and "jamb\\xf3n" in out
    assert "jamb\u00f3n" in (project / "out.csv").read_text(encoding="utf-8")  # the file keeps the text
    done = _lf(["rows", "data.csv", "--lfs", "lfs.py", "--label", "1"], project, **env)
    assert done.returncode == 0, done.stderr
    assert "caf\\xe9 subscribe" in done.stdout.decode("ascii")


LATIN1 = os.fsdecode(b"caf\xe9")  # Latin-1 bytes of a file name, as Python holds them: 'caf\udce9'


@pytest.mark.parametrize(
    ("files", "args"),
    [
        ([LATIN1 + ".csv"], ["label", LATIN1 + ".csv", "--lfs", "lfs.py", "-o", "o.parquet"]),
        ([LATIN1 + ".csv"], ["label", "*.csv", "--lfs", "lfs.py", "-o", "o.parquet"]),
        ([], ["label", "data.csv", "--lfs", "lfs.py", "-o", LATIN1 + ".parquet"]),
        ([LATIN1 + ".parquet"], ["report", LATIN1 + ".parquet"]),
    ],
    ids=["data", "glob", "output", "matrix"],
)
def test_a_file_name_that_is_not_utf8_is_refused_naming_it(project: Path, files: list[str], args: list[str]) -> None:
    """pyarrow failed on it with 'internal error: UnicodeEncodeError ... surrogates not
    allowed' (an output only after every LF had run), or called a matrix no Parquet file."""
    assert _lf(["apply", "data.csv", "--lfs", "lfs.py", "-o", "L.parquet"], project).returncode == 0
    for name in files:
        source = project / ("L.parquet" if name.endswith(".parquet") else "data.csv")
        (project / name).write_bytes(source.read_bytes())
    done = _lf(args, project)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.startswith("error: ") and "caf\\udce9" in err and "not UTF-8" in err and len(err.splitlines()) == 1, err
    assert not list(project.glob("o*.parquet"))


PRINTING_LFS = """\
print("loading my LFs")
from lf import ABSTAIN, labeling_function
LABELS = ["HAM", "SPAM"]
@labeling_function()
def link(x):
    print("checking", x.text)
    return 1 if "channel" in x.text else ABSTAIN
@labeling_function()
def short(x):
    return 0 if len(x.text) < 10 else ABSTAIN
"""


@pytest.mark.parametrize("engine", [["--n-jobs", "1"], ["--n-jobs", "2"], ["--engine", "dask", "--n-jobs", "2"]], ids=["local", "pool", "dask"])
def test_what_an_lf_module_prints_goes_to_stderr_not_into_json_on_stdout(project: Path, engine: list[str]) -> None:
    """An LF module printing at import or in an LF wrote into `lf report --json` and `lf rows
    --json` output (from the workers of lf's local Dask cluster too): a file made with
    `> report.json` did not parse."""
    import json

    (project / "printing.py").write_text(PRINTING_LFS, encoding="utf-8")
    if engine[1] == "dask":  # one command: a local cluster takes seconds to start
        pytest.importorskip("distributed")
    else:
        done = _lf(["report", "data.csv", "--lfs", "printing.py", "--json", *engine], project)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["totals"]["rows"] == len(TEXTS)
    done = _lf(["rows", "data.csv", "--lfs", "printing.py", "--json", *engine], project)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["row"] for line in done.stdout.splitlines()] == [0, 1, 2, 3, 4, 5]
    assert b"loading my LFs" in done.stderr and b"checking nice song" in done.stderr


def test_lf_sample_with_engine_dask_starts_its_local_cluster(project: Path) -> None:
    """`lf sample` (and `lf rows`) offered --engine dask but started no cluster: they failed
    with a hint for Python users (create a dask.distributed Client first)."""
    pytest.importorskip("distributed")
    done = _lf(["sample", "data.csv", "--lfs", "lfs.py", "-o", "s.csv", "-n", "3", "--model", "mv", "--engine", "dask", "--n-jobs", "2"], project)
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(project / "s.csv")) == 3


def test_an_lf_module_changing_the_working_directory_does_not_move_the_output(project: Path) -> None:
    """An LF module calling os.chdir on import sent `-o out.parquet` into the other folder
    (checked as writable and apart from the inputs in this one) and said 'wrote out.parquet'."""
    other = project / "elsewhere"
    other.mkdir()
    (project / "moving.py").write_text(f"import os\nos.chdir({str(other)!r})\n" + LFS, encoding="utf-8")
    done = _lf(["label", str(project / "data.csv"), "--lfs", "moving.py", "-o", "out.parquet", "--model", "mv"], project)
    assert done.returncode == 0, done.stderr
    assert (project / "out.parquet").is_file() and not list(other.iterdir())
    assert b"warning: Importing the LF module 'moving.py' changed the working directory" in done.stderr


@pytest.mark.parametrize("suffix", [".parquet", ".npz"])
def test_an_output_name_near_the_file_system_limit_is_written(project: Path, suffix: str) -> None:
    """A 240-byte file name is a legal one (the limit is 255): its temporary file, named
    '.NAME.HOST~NS-PID.XXXXXXXX.tmp', was not, and lf label failed 'File name too long'."""
    name = "a" * 240 + ".parquet"
    done = _lf(["label", "data.csv", "--lfs", "lfs.py", "-o", name, "--matrix", "m" * 240 + suffix, "--model", "mv"], project)
    assert done.returncode == 0, done.stderr
    assert (project / name).is_file() and (project / ("m" * 240 + suffix)).is_file()
    assert not [p.name for p in project.iterdir() if p.name.startswith(".")]
