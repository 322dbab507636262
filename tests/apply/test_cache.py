"""The LF cache: an edit re-runs only the edited LF, an interrupted run resumes, nothing stale."""

from __future__ import annotations

import linecache
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.cache import chunk_key, lf_fingerprint
from lf.errors import LFRuntimeError

MODULE = """
from lf import ABSTAIN, keyword_lf, labeling_function

LOG = {log!r}
LABELS = ["HAM", "SPAM"]
WORDS = ("win", "free")

def _called(name):
    with open(LOG, "a") as fh:
        fh.write(name + "\\n")

@labeling_function()
def money(x):
    _called("money")
    return 1 if any(w in x.text for w in WORDS) else ABSTAIN

@labeling_function()
def short(x):
    _called("short")
    if x.text == "stop here":
        raise RuntimeError("interrupted")
    return 0 if len(x.text) < {limit} else ABSTAIN

link = keyword_lf("link", ["http"], 1)
"""


def _write(path: Path, tmp: Path, limit: int = 12) -> None:
    path.write_text(textwrap.dedent(MODULE.format(log=str(tmp / "calls.log"), limit=limit)))


def _calls(tmp: Path) -> list[str]:
    log = tmp / "calls.log"
    lines = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


@pytest.fixture
def corpus() -> pd.DataFrame:
    texts = ["win big", "hello", "free http stuff", "ok", "a much longer comment", "stop"] * 50
    return pd.DataFrame({"text": texts, "id": [f"r{i}" for i in range(len(texts))]})


def test_a_second_run_reads_every_lf_from_the_cache(tmp_path: Path, corpus: pd.DataFrame) -> None:
    module = tmp_path / "lfs.py"
    _write(module, tmp_path)
    first = lf.apply(lf.load_lfs(module), corpus, chunk_size=100, cache=tmp_path / "cache", progress=False)
    assert _calls(tmp_path).count("money") == len(corpus)
    again = lf.apply(lf.load_lfs(module), corpus, chunk_size=100, cache=tmp_path / "cache", progress=False)
    assert _calls(tmp_path) == []  # no LF ran
    assert again == first
    assert again.seconds.tolist() == first.seconds.tolist()  # as measured when they ran
    fresh = lf.apply(lf.load_lfs(module), corpus, chunk_size=100, progress=False)
    np.testing.assert_array_equal(again.array, fresh.array)


def test_editing_one_lf_reruns_only_that_lf(tmp_path: Path, corpus: pd.DataFrame) -> None:
    module = tmp_path / "lfs.py"
    _write(module, tmp_path, limit=12)
    before = lf.apply(lf.load_lfs(module), corpus, chunk_size=100, cache=tmp_path / "cache", progress=False)
    _calls(tmp_path)
    _write(module, tmp_path, limit=3)  # edit `short` only
    after = lf.apply(lf.load_lfs(module), corpus, chunk_size=100, cache=tmp_path / "cache", progress=False)
    calls = _calls(tmp_path)
    assert set(calls) == {"short"} and len(calls) == len(corpus)
    j = after.names.index("short")
    assert (after.array[:, j] == 0).sum() < (before.array[:, j] == 0).sum()
    np.testing.assert_array_equal(after.array, lf.apply(lf.load_lfs(module), corpus, chunk_size=100, progress=False).array)


def test_an_interrupted_run_resumes_from_the_chunks_already_labeled(tmp_path: Path, corpus: pd.DataFrame) -> None:
    module = tmp_path / "lfs.py"
    _write(module, tmp_path)
    data = corpus.copy()
    data.loc[250, "text"] = "stop here"  # `short` fails in the third chunk
    with pytest.raises(LFRuntimeError, match="interrupted"):
        lf.apply(lf.load_lfs(module), data, chunk_size=100, cache=tmp_path / "cache", progress=False)
    _calls(tmp_path)
    data = corpus  # the failing row fixed: the first two chunks are as they were
    resumed = lf.apply(lf.load_lfs(module), data, chunk_size=100, cache=tmp_path / "cache", progress=False)
    assert _calls(tmp_path).count("money") == 100  # only the chunk that failed, and the rest
    assert resumed == lf.apply(lf.load_lfs(module), data, chunk_size=100, progress=False)


def test_results_counted_as_errors_are_not_reused_when_errors_must_raise(tmp_path: Path) -> None:
    @lf.labeling_function()
    def fragile(x):  # type: ignore[no-untyped-def]
        if x.text == "bad":
            raise ValueError("bad row")
        return 1

    data = pd.DataFrame({"text": ["ok", "bad", "ok"]})
    counted = lf.apply([fragile], data, on_error="abstain", cache=tmp_path, progress=False)
    assert counted.errors.tolist() == [1]
    with pytest.raises(LFRuntimeError, match="bad row"):
        lf.apply([fragile], data, on_error="raise", cache=tmp_path, progress=False)


def test_a_result_with_errors_is_run_again_not_reused(tmp_path: Path) -> None:
    flag = tmp_path / "low-memory"
    flag.write_text("yes\n")
    name = str(flag)

    @lf.labeling_function()
    def fragile(x):  # type: ignore[no-untyped-def]
        linecache.checkcache(name)  # a read of the machine the cache cannot see
        if linecache.getline(name, 1):
            raise MemoryError("no room")
        return 1

    data = pd.DataFrame({"text": ["a", "b", "c"]})
    first = lf.apply([fragile], data, on_error="abstain", cache=tmp_path / "cache", progress=False)
    assert first.errors.tolist() == [3]
    assert "fragile" not in lf.apply([fragile], data, on_error="abstain", cache=tmp_path / "c2", progress=False).cache_stats.uncacheable
    flag.unlink()
    again = lf.apply([fragile], data, on_error="abstain", cache=tmp_path / "cache", progress=False)
    assert again.errors.tolist() == [0]  # this run's count, not the stored one
    assert again.array[:, 0].tolist() == [1, 1, 1]


def test_an_lf_with_opaque_state_is_never_cached(tmp_path: Path) -> None:
    class Counter:
        calls = 0

    counter = Counter()

    @lf.labeling_function(resources={"counter": counter})
    def counts(x, counter):  # type: ignore[no-untyped-def]
        counter.calls += 1
        return lf.ABSTAIN

    assert lf_fingerprint(counts) is None
    data = pd.DataFrame({"text": ["a", "b"]})
    lf.apply([counts], data, cache=tmp_path, progress=False)
    lf.apply([counts], data, cache=tmp_path, progress=False)
    assert counter.calls == 4


def test_fingerprints_follow_what_decides_the_labels() -> None:
    def make(limit: int, pad: str = ""):  # type: ignore[no-untyped-def]
        namespace: dict[str, object] = {}
        exec(f"{pad}def f(x):\n    return 0 if len(x.text) < {limit} else -1\n", namespace)  # noqa: S102 - the same LF at another line
        return lf.LabelingFunction("f", namespace["f"])  # type: ignore[arg-type]

    assert lf_fingerprint(make(5)) == lf_fingerprint(make(5, pad="\n\n\n"))  # moved, not edited
    assert lf_fingerprint(make(5)) != lf_fingerprint(make(6))
    k1, k2 = lf.keyword_lf("k", ["a"], 1), lf.keyword_lf("k", ["b"], 1)
    assert lf_fingerprint(k1) == lf_fingerprint(lf.keyword_lf("k", ["a"], 1)) != lf_fingerprint(k2)
    a = pd.DataFrame({"text": ["x", "y"]})
    assert chunk_key(a) == chunk_key(a.copy()) != chunk_key(a.assign(text=["x", "z"]))


@pytest.mark.slow
def test_the_pool_engine_fills_and_reads_the_same_cache(tmp_path: Path, corpus: pd.DataFrame) -> None:
    module = tmp_path / "lfs.py"
    _write(module, tmp_path)
    # 300 rows in chunks of 25: n_jobs=2 keeps that size (it cuts at most 300 / 8 = 38)
    local = lf.apply(lf.load_lfs(module), corpus, chunk_size=25, cache=tmp_path / "cache", progress=False)
    _calls(tmp_path)
    pooled = lf.apply(lf.load_lfs(module), corpus, chunk_size=25, n_jobs=2, cache=tmp_path / "cache", progress=False)
    assert _calls(tmp_path) == [] and pooled == local


def test_fingerprints_do_not_depend_on_the_process_string_hashing(tmp_path: Path) -> None:
    import subprocess
    import sys

    module = tmp_path / "sets.py"
    module.write_text(
        "from lf import ABSTAIN, labeling_function\n"
        "WORDS = {'win', 'free', 'cash', 'prize', 'offer'}\n"
        "@labeling_function()\n"
        "def literal(x):\n"
        "    return 1 if x.text in {'a', 'b', 'c', 'd', 'e', 'f'} else ABSTAIN\n"
        "@labeling_function()\n"
        "def from_global(x):\n"
        "    return 1 if x.text in WORDS else ABSTAIN\n"
    )
    code = f"import lf; from lf.apply.cache import lf_fingerprint; print([lf_fingerprint(f) for f in lf.load_lfs({str(module)!r})])"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(runs) == 1 and "None" not in runs.pop()
