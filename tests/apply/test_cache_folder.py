"""The cache folder: declared files, a marker, self-healing entries, `lf cache info | clear`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.apply.cache import MARKER, LFCacheWarning, cache_info, clear_cache
from lf.cli import main
from lf.errors import DataError, LFDefinitionError

TEXTS = ["win big now", "hello", "hello there friend", "ok", "win", "a b", "x y z w"] * 6


def _module(tmp_path: Path) -> Path:
    (tmp_path / "words.txt").write_text("win\n")
    (tmp_path / "stop.txt").write_text("ok\n")
    module = tmp_path / "lfs.py"
    module.write_text(textwrap.dedent(f"""
        from pathlib import Path
        from lf import ABSTAIN, labeling_function, preprocessor

        WORDS = {str(tmp_path / "words.txt")!r}
        STOP = {str(tmp_path / "stop.txt")!r}

        @preprocessor(files=[STOP])
        def stop(x):
            x.stop = x.text in Path(STOP).read_text().split()
            return x

        @labeling_function(files=[WORDS])
        def spam_word(x):
            return 1 if set(x.text.split()) & set(Path(WORDS).read_text().split()) else ABSTAIN

        @labeling_function(pre=[stop])
        def stop_word(x):
            return 0 if x.stop else ABSTAIN

        @labeling_function()
        def short(x):
            return 0 if len(x.text) < 4 else ABSTAIN
    """))
    return module


def _apply(module: Path, cache: Path | None) -> lf.LabelMatrix:
    return lf.apply(lf.load_lfs(module), pd.DataFrame({"text": TEXTS}), chunk_size=10, cache=cache, progress=False)


# -- files= ---------------------------------------------------------------------------------
def test_editing_a_declared_file_reruns_the_lf_that_reads_it(tmp_path: Path) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    first = _apply(module, cache)
    (tmp_path / "words.txt").write_text("win\nhello\n")
    again = _apply(module, cache)
    np.testing.assert_array_equal(again.array, _apply(module, None).array)
    assert not np.array_equal(again.array, first.array)
    chunks = 5
    assert (again.cache_stats.reused, again.cache_stats.computed) == (2 * chunks, chunks)
    (tmp_path / "stop.txt").write_text("ok\nwin\n")  # a preprocessor's declared file
    third = _apply(module, cache)
    np.testing.assert_array_equal(third.array, _apply(module, None).array)
    assert (third.cache_stats.reused, third.cache_stats.computed) == (2 * chunks, chunks)


def test_the_declared_file_of_a_preprocessor_an_lf_calls_is_in_its_key(tmp_path: Path) -> None:
    """The LF opens files of its own (declared), so the call of the preprocessor, which opens
    its own, runs unflagged: its file must be in the LF's key."""
    module = _module(tmp_path)
    module.write_text(module.read_text() + textwrap.dedent("""
        @labeling_function(files=[WORDS])
        def calls_stop(x):
            return 0 if stop(x).stop else ABSTAIN
    """))
    cache = tmp_path / "cache"
    first = _apply(module, cache)
    (tmp_path / "stop.txt").write_text("ok\nwin\n")
    again, fresh = _apply(module, cache), _apply(module, None)
    np.testing.assert_array_equal(again.array, fresh.array)
    j = fresh.names.index("calls_stop")
    assert again.cache_stats.uncacheable == ()
    assert not np.array_equal(first.array[:, j], fresh.array[:, j])


def test_a_resource_of_the_users_str_subclass_is_keyed_by_its_class(tmp_path: Path) -> None:
    """Its methods, in the LF's own module, decide the labels as much as its text does."""
    module = tmp_path / "words_lfs.py"
    body = textwrap.dedent("""
        from lf import labeling_function
        class Word(str):
            def hit(self, t):
                return self in t
        @labeling_function(resources={"w": Word("win")})
        def target(x, w):
            return 1 if w.hit(x.text) else 0
    """)
    module.write_text(body)
    cache = tmp_path / "cache"
    first = _apply(module, cache)
    module.write_text(body.replace("return self in t", "return self not in t"))
    again, fresh = _apply(module, cache), _apply(module, None)
    np.testing.assert_array_equal(again.array, fresh.array)
    assert not np.array_equal(first.array, fresh.array)
    assert again.cache_stats.uncacheable == ()


def test_declared_files_work_without_the_cache_and_are_checked(tmp_path: Path) -> None:
    module = _module(tmp_path)
    L = _apply(module, None)
    j = L.names.index("spam_word")
    assert (L.array[:, j] == 1).sum() == TEXTS.count("win big now") + TEXTS.count("win")
    spam_word = lf.load_lfs(module)[j]
    assert spam_word.files == (tmp_path / "words.txt",)

    with pytest.raises(LFDefinitionError, match=r"'reads' declares the file 'nowhere.txt'.*does not exist"):
        lf.LabelingFunction("reads", lambda x: 0, files=["nowhere.txt"])
    with pytest.raises(LFDefinitionError, match="`files` must be a list of file paths"):
        lf.preprocessor(files=str(tmp_path / "words.txt"))(lambda x: x)
    (tmp_path / "words.txt").unlink()  # gone after the LF was defined
    with pytest.raises(DataError, match=r"Labeling function 'spam_word' declares the file '.*words.txt'"):
        lf.apply([spam_word], pd.DataFrame({"text": ["a"]}), cache=tmp_path / "cache", progress=False)


# -- the marker and damaged entries --------------------------------------------------------
def test_a_folder_holding_other_files_is_not_used_as_a_cache(tmp_path: Path) -> None:
    module = _module(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(DataError, match="'.*mine' is not an lf cache: it holds other files"):
        _apply(module, tmp_path / "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    _apply(module, tmp_path / "new")
    assert (tmp_path / "new" / MARKER).read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def _damage(entry: Path, how: str) -> None:
    if how == "truncated":
        entry.write_bytes(entry.read_bytes()[:40])
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "garbage":
        entry.write_bytes(b"\x00garbage" * 50)
    elif how == "folder":
        entry.unlink()
        entry.mkdir()
        (entry / "x").write_text("?")
    elif how == "wrong_shape":
        np.savez(entry, labels=np.zeros(3, np.int8), errors=np.int64(0), seconds=np.float64(0))


DAMAGE = ["truncated", "empty", "garbage", "folder", "wrong_shape"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_entry_is_recomputed_and_replaced(tmp_path: Path, how: str) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    fresh = _apply(module, cache)
    entry = min(cache.glob("*/*.npz"))
    _damage(entry, how)
    with pytest.warns(LFCacheWarning, match=f"entry '{entry}' is damaged"):
        healed = _apply(module, cache)
    np.testing.assert_array_equal(healed.array, fresh.array)
    assert healed.cache_stats.computed == 1
    again = _apply(module, cache)  # replaced: no warning (they are errors here), all reused
    assert again.cache_stats.computed == 0 and entry.is_file()


def test_a_damaged_marker_is_written_again(tmp_path: Path) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    _apply(module, cache)
    (cache / MARKER).write_bytes(b"\xff\xfe junk")
    with pytest.warns(LFCacheWarning, match="marker .* was damaged"):
        L = _apply(module, cache)
    assert L.cache_stats.computed == 0
    assert cache_info(cache).entries == 15


@pytest.mark.parametrize("how", DAMAGE)
def test_the_cli_heals_a_damaged_entry_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    data = tmp_path / "data.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(data, index=False)
    args = [str(data), "--lfs", str(module), "--chunk-size", "10", "--cache", str(cache), "-o"]
    assert main(["apply", *args, str(tmp_path / "L1.parquet")]) == 0
    assert "cache: 0 of 15 LF x chunk results reused, 15 computed" in capsys.readouterr().err
    entry = min(cache.glob("*/*.npz"))
    _damage(entry, how)
    assert main(["apply", *args, str(tmp_path / "L2.parquet")]) == 0
    err = capsys.readouterr().err
    assert f"warning: The lf cache entry '{entry}' is damaged" in err and "Traceback" not in err
    assert "cache: 14 of 15 LF x chunk results reused, 1 computed" in err
    assert lf.LabelMatrix.load(tmp_path / "L2.parquet") == lf.LabelMatrix.load(tmp_path / "L1.parquet")


def test_an_unwritable_cache_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = _module(tmp_path)
    (tmp_path / "afile").write_text("")
    with pytest.raises(DataError, match="Cannot write to the cache folder '.*afile/cache'"):
        _apply(module, tmp_path / "afile" / "cache")
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        data = tmp_path / "data.csv"
        pd.DataFrame({"text": TEXTS}).to_csv(data, index=False)
        code = main(["apply", str(data), "--lfs", str(module), "--cache", str(ro), "-o", str(tmp_path / "L.parquet")])
        err = capsys.readouterr().err
        # The CLI refuses it before any LF runs, naming the option and the folder.
        assert code == 2 and f"--cache '{ro}'" in err and "not writable" in err
        assert len(err.strip().splitlines()) == 1
    finally:
        subprocess.run(["umount", str(ro)], check=True)


# -- lf cache info | clear -----------------------------------------------------------------
def test_info_and_clear_count_and_remove_only_cache_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    _apply(module, cache)
    (tmp_path / "words.txt").write_text("win\nhello\n")
    _apply(module, cache)
    info = cache_info(cache)
    assert (info.entries, info.fingerprints, info.lfs) == (20, 4, ("short", "spam_word", "stop_word"))
    assert info.bytes > 0 and info.oldest is not None and info.oldest <= (info.newest or 0)
    assert main(["cache", "info", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "entries 20" in out and "LFs     3 (4 fingerprints" in out
    assert max(map(len, out.splitlines())) <= 80
    (cache / "README").write_text("not ours")  # an lf cache with a stray file: kept
    assert main(["cache", "clear", str(cache)]) == 0
    assert "removed 20 entries" in capsys.readouterr().out
    assert sorted(p.name for p in cache.iterdir()) == [MARKER, "README"]
    assert clear_cache(cache) == (0, 0)
    assert _apply(module, cache).cache_stats.reused == 0


def test_clear_refuses_a_folder_that_is_not_an_lf_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "ab").mkdir()
    (folder / "ab" / "cat.npz").write_bytes(b"precious")
    assert main(["cache", "clear", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "is not an lf cache" in err and len(err.strip().splitlines()) == 1
    assert (folder / "ab" / "cat.npz").read_bytes() == b"precious"
    assert main(["cache", "info", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    # a file is not called a missing folder
    assert main(["cache", "clear", str(folder / "ab" / "cat.npz")]) == 2
    assert "is a file, not an lf cache" in capsys.readouterr().err
    assert (folder / "ab" / "cat.npz").read_bytes() == b"precious"
    with pytest.raises(DataError, match="not an lf cache"):
        clear_cache(folder)


def test_the_cli_rewrites_a_damaged_marker_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module, cache = _module(tmp_path), tmp_path / "cache"
    data = tmp_path / "data.csv"
    pd.DataFrame({"text": TEXTS}).to_csv(data, index=False)
    args = ["apply", str(data), "--lfs", str(module), "--chunk-size", "10", "--cache", str(cache), "-o"]
    assert main([*args, str(tmp_path / "L1.parquet")]) == 0
    (cache / MARKER).unlink()
    (cache / MARKER).mkdir()  # a folder where the marker should be
    capsys.readouterr()
    assert main([*args, str(tmp_path / "L2.parquet")]) == 0
    err = capsys.readouterr().err
    assert f"warning: The lf cache marker '{cache / MARKER}' was damaged" in err and "Traceback" not in err
    assert "cache: 15 of 15 LF x chunk results reused, 0 computed" in err
    assert (cache / MARKER).is_file()
    assert lf.LabelMatrix.load(tmp_path / "L2.parquet") == lf.LabelMatrix.load(tmp_path / "L1.parquet")


def test_a_run_sharing_a_new_cache_with_a_concurrent_run_does_not_fail(tmp_path: Path) -> None:
    # Two runs on one new cache: the other run creates the marker and an LF's entry folder
    # just before this one does. This run stopped with "Cannot write to the cache folder:
    # File exists". The child process makes the other run win every such race: each time
    # this run creates a folder or the marker in the cache, the other run's copy appears first.
    cache = tmp_path / "cache"
    script = textwrap.dedent(f"""
        import os, sys, warnings
        from pathlib import Path
        import pandas as pd
        import lf
        from lf import keyword_lf

        CACHE = Path({str(cache)!r})
        MARKER = "Signature: 8a477f597d28d172789f06886806bc55\\n# This file marks an lf cache (labeling-function results); see `lf cache info`.\\n"

        busy = []

        def other_run_first(event, args):
            # the other run's marker appears as this run looks into the new folder, and an
            # LF's entry folder appears just before this run creates it
            if busy or not args or not isinstance(args[0], (str, os.PathLike)):
                return
            busy.append(1)
            try:
                path = Path(args[0])
                if event == "os.mkdir" and path.parent == CACHE:
                    os.makedirs(path, exist_ok=True)
                elif event in ("os.listdir", "os.scandir") and path == CACHE and not (CACHE / "CACHEDIR.TAG").exists():
                    tmp = CACHE.parent / "marker.tmp"
                    tmp.write_text(MARKER)
                    os.replace(tmp, CACHE / "CACHEDIR.TAG")
            finally:
                busy.clear()

        warnings.simplefilter("error")
        lfs = [keyword_lf("win", ["win"], 1), keyword_lf("hello", ["hello"], 0)]
        df = pd.DataFrame({{"text": ["win big", "hello", "ok"]}})
        CACHE.mkdir()
        sys.addaudithook(other_run_first)
        print(lf.apply(lfs, df, cache=CACHE).array.tolist())
    """)
    root = str(Path(lf.__file__).resolve().parents[1])  # this checkout's lf in the child
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[[1, -1], [-1, 0], [-1, -1]]"
    info = cache_info(cache)
    assert info.entries == 2 and info.lfs == ("hello", "win")


def _labels_of(entry: Path) -> np.ndarray:
    with np.load(entry) as z:
        return np.asarray(z["labels"])


@pytest.mark.parametrize("source", ["another_chunk", "another_lf"])
def test_an_entry_copied_over_by_hand_is_not_read_for_another_chunk_or_lf(tmp_path: Path, source: str) -> None:
    """A valid entry under another name (a file moved or copied in the folder) holds the
    labels of another chunk or LF: taken as this one's, they were reused without a sign."""
    module, cache = _module(tmp_path), tmp_path / "cache"
    fresh = _apply(module, cache)
    entries = sorted(cache.glob("*/*.npz"))
    same_lf = source == "another_chunk"
    target, donor = next(
        (a, b) for a in entries for b in entries
        if (a.parent == b.parent) == same_lf and (same_lf or a.name == b.name)
        and _labels_of(a).shape == _labels_of(b).shape and not np.array_equal(_labels_of(a), _labels_of(b))
    )
    target.write_bytes(donor.read_bytes())
    with pytest.warns(LFCacheWarning, match=f"entry '{target}' is damaged"):
        healed = _apply(module, cache)
    np.testing.assert_array_equal(healed.array, fresh.array)
    assert healed.cache_stats.computed == 1


def test_cache_clear_never_cuts_the_folder_at_its_spaces(tmp_path: Path, capsys, monkeypatch) -> None:
    # "removed 12 entries (44.3 KiB) from c/a very long ... goes" then "on and on ...": the
    # folder, folded at 80 columns, was cut where a copy of it named no folder.
    monkeypatch.setenv("COLUMNS", "80")
    cache = tmp_path / "My LF caches" / "the cache of the demo comments for this week"
    _apply(_module(tmp_path), cache)
    assert main(["cache", "clear", str(cache)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.strip() == str(cache) or line.endswith(f" {cache}") for line in lines), lines
    assert all(len(line) <= 80 for line in lines if str(cache) not in line)
