"""Apply throughput: ``lf.apply`` against Snorkel's ``PandasLFApplier`` on YouTube comments.

How to run (from anywhere; the data path is resolved relative to this file)::

    .venv/bin/python benchmarks/apply_throughput.py            # 1,000,000 rows, 50,000 for Snorkel
    .venv/bin/python benchmarks/apply_throughput.py --quick    # 100,000 rows, 20,000 for Snorkel
    .venv/bin/python benchmarks/apply_throughput.py --rows 2000000 --snorkel-rows 100000
    .venv/bin/python benchmarks/apply_throughput.py --limit-only --rows 200000 --repeats 5
    .venv/bin/python benchmarks/apply_throughput.py --small-only --repeats 5

What it measures. The 1,956 comments of the UCI YouTube Spam Collection
(``../shared/datasets/youtube_raw/*.csv``, ``CONTENT`` renamed to ``text``) are replicated to
``--rows`` rows. The LF set below has 10 row LFs plus 2 templates (``lf.keyword_lf``,
``lf.regex_lf``); Snorkel has no templates, so it runs hand-written row equivalents of the two
(Python ``re`` with ``re.ASCII | re.IGNORECASE``, matching RE2's ASCII ``\\b``). The row LFs are
plain functions wrapped both ways, so ``lf`` and Snorkel run literally the same logic.

Timed (``time.perf_counter``, best of ``--repeats``):

* Snorkel ``PandasLFApplier`` on a seeded random sample (``--snorkel-rows``): all 12 LFs, and
  the 2 template equivalents alone;
* ``lf.apply`` on all rows: the 12 LFs with ``n_jobs=1`` and ``n_jobs=2``, the 2 templates alone.
  ``n_jobs=1`` is one process; inside it the 2 templates run on threads beside the row LFs
  (pyarrow releases the GIL), as they do for any user.

Reported: rows/s of each run and three ratios against their targets (lf n_jobs=1 vs Snorkel
>= 10x; n_jobs=2 vs n_jobs=1 >= 1.7x; templates vs Snorkel's row equivalents >= 50x), whether
lf's matrix equals Snorkel's on the sampled rows, and the peak RSS of a fresh process that
builds the corpus and applies the 12 LFs (target < 1 GB = 10^9 bytes with ``n_jobs=1``; the
``n_jobs=2`` figures, workers included, are information only).

The limit (``run_limit``, alone with ``--limit-only``): ``lf.apply`` with one process against
a bare Python loop calling the same functions once per row on SimpleNamespace records built
beforehand, for the 10 row LFs and for 12 one-substring LFs (target >= 90% of the loop's
rows/s, identical matrix; up to 200,000 rows). A small input (``run_small``, alone with
``--small-only``): the 12 LFs on 30,000 rows, as a frame and as a CSV file, with ``n_jobs=2``
against ``n_jobs=1`` (target >= 1.5x). Exit status 1 when a matrix differs or a
target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import string
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt

import lf

if TYPE_CHECKING:
    import pandas as pd

HAM, SPAM, ABSTAIN = 0, 1, lf.ABSTAIN

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "youtube_raw"
DEFAULT_ROWS = 1_000_000
DEFAULT_SNORKEL_ROWS = 50_000
QUICK_ROWS = 100_000
QUICK_SNORKEL_ROWS = 20_000
SAMPLE_SEED = 0

TARGET_VS_SNORKEL = 10.0
TARGET_PARALLEL = 1.7
TARGET_TEMPLATES = 50.0
TARGET_PEAK_BYTES = 10**9
TARGET_VS_LIMIT = 0.9
TARGET_SMALL_PARALLEL = 1.5
SMALL_ROWS = 30_000  # a small input: under two default chunks
LIMIT_ROWS = 200_000  # rows for the bare-loop comparison (its records are all held in memory)

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Row LFs: plain functions of one row ``x`` (``x.text``, ``x.AUTHOR``), shared by lf and Snorkel.
# --------------------------------------------------------------------------------------

_PUNCT = string.punctuation
_MONEY_WORDS = frozenset({"money", "cash", "earn", "dollars", "paypal", "free", "win", "bitcoin", "income", "$"})
_PROMO_AUTHOR = ("official", "music", "tv", "records", "channel", "productions", "studio")
_PROMO_CALL = re.compile(r"\b(?:check|visit|watch|look at|go to)\b.{0,20}\b(?:my|our|this|out)\b", re.IGNORECASE)


def mentions_channel(x: Any) -> int:
    return SPAM if "channel" in x.text.lower() else ABSTAIN


def asks_to_subscribe(x: Any) -> int:
    return SPAM if "subscrib" in x.text.lower() else ABSTAIN


def has_link(x: Any) -> int:
    text = x.text.lower()
    return SPAM if "http" in text or "www." in text or ".com" in text else ABSTAIN


def promo_call_regex(x: Any) -> int:
    return SPAM if _PROMO_CALL.search(x.text) else ABSTAIN


def money_talk(x: Any) -> int:
    words = {w.strip(_PUNCT) for w in x.text.lower().split()}
    return ABSTAIN if _MONEY_WORDS.isdisjoint(words) else SPAM


def short_comment(x: Any) -> int:
    return HAM if len(x.text) < 25 else ABSTAIN


def shouting(x: Any) -> int:
    letters = sum(map(str.isalpha, x.text))
    if letters < 30:
        return ABSTAIN
    return SPAM if sum(map(str.isupper, x.text)) / letters >= 0.5 else ABSTAIN


def talks_about_views(x: Any) -> int:
    text = x.text.lower()
    return HAM if "billion" in text or "views" in text else ABSTAIN


def promo_author(x: Any) -> int:
    author = x.AUTHOR.lower()
    return SPAM if any(w in author for w in _PROMO_AUTHOR) else ABSTAIN


def short_love(x: Any) -> int:
    return HAM if len(x.text) < 60 and "love" in x.text.lower() else ABSTAIN


ROW_FUNCS: tuple[Callable[[Any], int], ...] = (
    mentions_channel,
    asks_to_subscribe,
    has_link,
    promo_call_regex,
    money_talk,
    short_comment,
    shouting,
    talks_about_views,
    promo_author,
    short_love,
)

# 12 one-substring row LFs: the cheapest LFs there are, so the kernel's own per-row cost shows.
SUBSTRINGS = ("check", "subscribe", "love", "song", "http", "channel", "views", "please", "money", "free",
              "best", "!")


def _substring_func(word: str, label: int) -> Callable[[Any], int]:
    def has(x: Any) -> int:
        return label if word in x.text else ABSTAIN

    has.__name__ = "has_" + (word if word.isalpha() else "bang")
    return has


SUBSTRING_FUNCS: tuple[Callable[[Any], int], ...] = tuple(
    _substring_func(w, SPAM if i % 2 else HAM) for i, w in enumerate(SUBSTRINGS)
)

# --------------------------------------------------------------------------------------
# Templates (lf) and their row equivalents (for Snorkel, which has no templates).
# --------------------------------------------------------------------------------------

SELF_PROMO_NAME = "kw_self_promo"
SELF_PROMO_WORDS = ("my channel", "my videos", "my page", "follow me", "add me", "subscribe to me", "my music")
SONG_PRAISE_NAME = "re_song_praise"
SONG_PRAISE_PATTERN = r"\b(?:love|like|best|great)\b.*\b(?:songs?|track)\b"

# keyword_lf(whole_word=True, case_sensitive=False) requires a non-word character (not a
# letter, mark, digit or underscore, in any script) or the text's edge on each side of a
# keyword; Python's Unicode [^\w] is the same class but for combining marks. regex_lf runs
# the pattern on RE2, whose \b is ASCII and whose '.' stops at '\n' like Python's; re.ASCII
# gives Python the same \b.
_KEYWORDS = "|".join(re.escape(w) for w in SELF_PROMO_WORDS)
_SELF_PROMO_RE = re.compile(r"(?:^|[^\w])(?:" + _KEYWORDS + r")(?:[^\w]|$)", re.IGNORECASE)
_SONG_PRAISE_RE = re.compile(SONG_PRAISE_PATTERN, re.ASCII | re.IGNORECASE)


def kw_self_promo(x: Any) -> int:
    return SPAM if _SELF_PROMO_RE.search(x.text) else ABSTAIN


def re_song_praise(x: Any) -> int:
    return HAM if _SONG_PRAISE_RE.search(x.text) else ABSTAIN


TEMPLATE_ROW_FUNCS: tuple[Callable[[Any], int], ...] = (kw_self_promo, re_song_praise)


def lf_row_lfs() -> list[lf.LabelingFunction]:
    return [lf.labeling_function()(f) for f in ROW_FUNCS]


def lf_templates() -> list[lf.LabelingFunction]:
    return [
        lf.keyword_lf(SELF_PROMO_NAME, SELF_PROMO_WORDS, SPAM),
        lf.regex_lf(SONG_PRAISE_NAME, SONG_PRAISE_PATTERN, HAM),
    ]


def snorkel_lfs(funcs: Sequence[Callable[[Any], int]]) -> list[Any]:
    from snorkel.labeling import labeling_function as snorkel_labeling_function

    return [snorkel_labeling_function()(f) for f in funcs]


# --------------------------------------------------------------------------------------
# Corpus, timing, comparison
# --------------------------------------------------------------------------------------


def load_comments(data_dir: Path) -> pd.DataFrame:
    import pandas as pd

    files = sorted(data_dir.glob("*.csv"))
    if len(files) != 5:
        raise SystemExit(f"Expected the 5 YouTube CSVs in {data_dir}; found {len(files)}. Use --data-dir.")
    frames = [pd.read_csv(f) for f in files]
    return pd.concat(frames, ignore_index=True).rename(columns={"CONTENT": "text"})


def build_corpus(data_dir: Path, rows: int) -> tuple[pd.DataFrame, int]:
    """The comments replicated (in order, cyclically) to ``rows`` rows, and the distinct count."""
    base = load_comments(data_dir)
    corpus = base.take(np.arange(rows) % len(base)).reset_index(drop=True)
    return corpus, len(base)


@dataclass
class Timing:
    label: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def us_per_row(self) -> float:
        return 1e6 * self.seconds / self.rows


def best_of(repeats: int, func: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of ``repeats`` calls, and the last result."""
    best = float("inf")
    result: T
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def compare_matrices(
    L_lf: npt.NDArray[Any],
    lf_names: Sequence[str],
    L_snorkel: npt.NDArray[Any],
    snorkel_names: Sequence[str],
    texts: Sequence[str],
) -> list[str]:
    """Lines describing the differences (empty when the matrices are identical)."""
    order = [list(snorkel_names).index(name) for name in lf_names]
    theirs = np.asarray(L_snorkel)[:, order]
    diff = np.asarray(L_lf, dtype=np.int64) != theirs
    if not diff.any():
        return []
    bad_rows = np.flatnonzero(diff.any(axis=1))
    lines = [f"{len(bad_rows):,} of {len(diff):,} rows differ"]
    for j, name in enumerate(lf_names):
        if diff[:, j].any():
            lines.append(f"  {name}: {int(diff[:, j].sum()):,} rows")
    for i in bad_rows[:5].tolist():
        cols = np.flatnonzero(diff[i]).tolist()
        what = ", ".join(f"{lf_names[j]} lf={int(L_lf[i, j])} snorkel={int(theirs[i, j])}" for j in cols)
        lines.append(f"  row {i}: {what}; text={texts[i][:80]!r}")
    return lines


# --------------------------------------------------------------------------------------
# Peak memory, measured in a fresh process
# --------------------------------------------------------------------------------------


def memory_probe(data_dir: Path, rows: int, n_jobs: int) -> None:
    """Child side: build the corpus, apply the 12 LFs, print peak RSS (bytes) as JSON."""
    corpus, _ = build_corpus(data_dir, rows)
    after_corpus = _peak_rss_self()
    L = lf.apply(lf_row_lfs() + lf_templates(), corpus, n_jobs=n_jobs, progress=False)
    report = {
        "shape": list(L.shape),
        "after_corpus": after_corpus,
        "self": _peak_rss_self(),
        "self_ru_maxrss": _ru_maxrss_bytes(resource.RUSAGE_SELF),
        "children": _ru_maxrss_bytes(resource.RUSAGE_CHILDREN),
    }
    print(json.dumps(report))


def _peak_rss_self() -> int:
    """Peak RSS of this process: VmHWM on Linux, else ``ru_maxrss``.

    Linux keeps ``ru_maxrss`` across ``execve``, so a child started by a big parent can report
    the parent's size; VmHWM belongs to the new address space and does not have that problem.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return _ru_maxrss_bytes(resource.RUSAGE_SELF)


def _ru_maxrss_bytes(who: int) -> int:
    kib = resource.getrusage(who).ru_maxrss  # KiB on Linux (bytes on macOS)
    return int(kib) if sys.platform == "darwin" else int(kib) * 1024


def measure_peak_memory(data_dir: Path, rows: int, n_jobs: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-probe", "--probe-jobs", str(n_jobs),
           "--rows", str(rows), "--data-dir", str(data_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"memory probe failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def _mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"


def print_timings(timings: Sequence[Timing]) -> None:
    print(f"{'run':<58}{'rows':>11}{'best s':>9}{'rows/s':>13}{'us/row':>9}")
    for t in timings:
        print(f"{t.label:<58}{t.rows:>11,}{t.seconds:>9.2f}{t.rows_per_s:>13,.0f}{t.us_per_row:>9.2f}")


def print_ratio(label: str, value: float, target: float) -> bool:
    ok = value >= target
    print(f"{label:<58}{value:>8.1f}x   target >= {target:g}x   {'PASS' if ok else 'FAIL'}")
    return ok


def print_header(args: argparse.Namespace, distinct: int, m_row: int, m_tpl: int) -> None:
    import pandas as pd
    import pyarrow as pa
    import snorkel

    print("lf apply throughput vs Snorkel - UCI YouTube spam comments")
    print(f"corpus: {args.rows:,} rows ({distinct:,} distinct comments replicated); "
          f"Snorkel sample: {args.snorkel_rows:,} rows (seed {SAMPLE_SEED}); timings: best of {args.repeats} "
          "after an untimed warm-up")
    print(f"LFs: {m_row} row LFs + {m_tpl} templates (Snorkel: {m_row + m_tpl} row LFs)")
    print(f"python {platform.python_version()}, lf {lf.__version__}, snorkel {snorkel.__version__}, "
          f"pandas {pd.__version__}, pyarrow {pa.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs")
    print()


def print_memory(rows: int, one: dict[str, Any], two: dict[str, Any]) -> bool:
    ok = one["self"] < TARGET_PEAK_BYTES
    print(f"peak RSS, fresh process, {rows:,} rows x 12 LFs incl. corpus, n_jobs=1: {_mb(one['self'])}   "
          f"target < {_mb(TARGET_PEAK_BYTES)}   {'PASS' if ok else 'FAIL'}")
    print(f"  (peak once the corpus was built: {_mb(one['after_corpus'])}; ru_maxrss: {_mb(one['self_ru_maxrss'])})")
    print(f"peak RSS, n_jobs=2 (info): parent {_mb(two['self'])}, largest worker {_mb(two['children'])} "
          "(RUSAGE_CHILDREN; a forked worker's RSS counts pages it shares with the parent)")
    return ok


def print_lf_logic_floor(logic: Timing, snorkel_all: Timing, lf_one: Timing, L: lf.LabelMatrix) -> None:
    """How much of each side's time is the LFs' own Python code, and the ratio that leaves."""
    per_lf = sorted(zip(1e6 * L.seconds / L.n, L.names), reverse=True)
    costliest = ", ".join(f"{name} {us:.2f}" for us, name in per_lf[:4])
    print(f"LF logic alone ({logic.label}): {logic.us_per_row:.2f} us/row")
    print(f"  costliest LFs in lf's n_jobs=1 run (LabelMatrix.seconds, us/row): {costliest}")
    print(f"  per-row framework overhead beyond it: Snorkel {snorkel_all.us_per_row - logic.us_per_row:.2f} us, "
          f"lf {lf_one.us_per_row - logic.us_per_row:.2f} us (lf's includes its 2 templates)")
    print(f"  ceiling of 'lf n_jobs=1 vs Snorkel' for this LF set with a zero-cost lf: "
          f"{snorkel_all.us_per_row / logic.us_per_row:.1f}x")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=None, help=f"corpus rows (default {DEFAULT_ROWS:,})")
    p.add_argument("--snorkel-rows", type=int, default=None,
                   help=f"rows of the Snorkel sample (default {DEFAULT_SNORKEL_ROWS:,})")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: {QUICK_ROWS:,} rows, {QUICK_SNORKEL_ROWS:,} Snorkel rows, 1 repeat")
    p.add_argument("--repeats", type=int, default=None, help="take the best of this many runs (default 2)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="folder with the 5 YouTube CSVs")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocess runs")
    p.add_argument("--limit-only", action="store_true",
                   help="only lf.apply n_jobs=1 against the bare loop (10 row LFs; 12 substring LFs)")
    p.add_argument("--small-only", action="store_true",
                   help=f"only n_jobs=2 against n_jobs=1 on {SMALL_ROWS:,} rows (a frame and a CSV file)")
    p.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--probe-jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.rows = args.rows or (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    args.snorkel_rows = args.snorkel_rows or (QUICK_SNORKEL_ROWS if args.quick else DEFAULT_SNORKEL_ROWS)
    args.repeats = args.repeats or (1 if args.quick else 2)
    if args.snorkel_rows > args.rows and not (args.limit_only or args.small_only):
        p.error(f"--snorkel-rows ({args.snorkel_rows:,}) must not exceed --rows ({args.rows:,}).")
    return args


def run_snorkel(sample: pd.DataFrame, repeats: int) -> tuple[Timing, Timing, npt.NDArray[Any], list[str]]:
    from snorkel.labeling import PandasLFApplier

    all_lfs = snorkel_lfs(ROW_FUNCS + TEMPLATE_ROW_FUNCS)
    tpl_lfs = snorkel_lfs(TEMPLATE_ROW_FUNCS)
    PandasLFApplier(all_lfs).apply(sample.iloc[:500], progress_bar=False)  # warm-up
    n = len(sample)
    secs, L = best_of(repeats, lambda: PandasLFApplier(all_lfs).apply(sample, progress_bar=False))
    all_t = Timing(f"snorkel PandasLFApplier, {len(all_lfs)} row LFs", n, secs)
    secs_tpl, _ = best_of(repeats, lambda: PandasLFApplier(tpl_lfs).apply(sample, progress_bar=False))
    tpl_t = Timing(f"snorkel PandasLFApplier, {len(tpl_lfs)} template-equivalent row LFs", n, secs_tpl)
    return all_t, tpl_t, L, [x.name for x in all_lfs]


def run_lf(corpus: pd.DataFrame, repeats: int) -> tuple[list[Timing], lf.LabelMatrix, bool]:
    lfs = lf_row_lfs() + lf_templates()
    templates = lf_templates()
    lf.apply(lfs, corpus.iloc[:500], progress=False)  # warm-up (lazy imports)
    n = len(corpus)
    secs1, L1 = best_of(repeats, lambda: lf.apply(lfs, corpus, n_jobs=1, progress=False))
    secs2, L2 = best_of(repeats, lambda: lf.apply(lfs, corpus, n_jobs=2, progress=False))
    secs_t, _ = best_of(max(repeats, 3), lambda: lf.apply(templates, corpus, progress=False))
    timings = [
        Timing(f"lf.apply, {len(lfs)} LFs, n_jobs=1", n, secs1),
        Timing(f"lf.apply, {len(lfs)} LFs, n_jobs=2", n, secs2),
        Timing(f"lf.apply, {len(templates)} templates, n_jobs=1", n, secs_t),
    ]
    same_parallel = L1.names == L2.names and np.array_equal(L1.array, L2.array)
    return timings, L1, same_parallel


def time_lf_logic(sample: pd.DataFrame, repeats: int) -> Timing:
    """The 10 row functions in a bare loop over pre-built records: the cost no applier can avoid."""
    records = [SimpleNamespace(**r) for r in sample.to_dict("records")]

    def run() -> None:
        for f in ROW_FUNCS:
            [f(x) for x in records]

    secs, _ = best_of(repeats, run)
    return Timing(f"{len(ROW_FUNCS)} row functions, bare loop", len(records), secs)


def run_limit(corpus: pd.DataFrame, repeats: int) -> bool:
    """lf.apply (one process) against the bare loop, for the 10 row LFs and 12 substring LFs.

    The limit: each function called once per row on plain light objects (SimpleNamespace)
    built beforehand from the same corpus, outside the timing. lf's time includes everything
    it does: reading the columns into Python objects, its rows, the output checks, the matrix.
    The two runs alternate, so a change in the machine's load hits both.
    """
    cols = list(corpus.columns)
    records = [SimpleNamespace(**dict(zip(cols, v))) for v in zip(*[corpus[c].tolist() for c in cols])]
    ok = True
    for title, funcs in (("benchmark's 10 row LFs", ROW_FUNCS), ("12 one-substring LFs", SUBSTRING_FUNCS)):
        lfs = [lf.labeling_function()(f) for f in funcs]
        lf.apply(lfs, corpus.iloc[:500], progress=False)  # warm-up
        bare_t: list[float] = []
        lf_t: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            bare = np.array([[f(x) for x in records] for f in funcs], np.int8).T
            bare_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            L = lf.apply(lfs, corpus, n_jobs=1, progress=False)
            lf_t.append(time.perf_counter() - start)
        same = np.array_equal(L.array, bare)
        ratio = min(bare_t) / min(lf_t)
        good = ratio >= TARGET_VS_LIMIT and same
        # A cost the loop's prebuilt records do not pay: the text column (which every LF here
        # reads) as Python strings. lf converts only the columns its LFs' code reads.
        convert, _ = best_of(repeats, lambda: corpus["text"].tolist())
        print(f"{title}, {len(corpus):,} rows:")
        for name, times in (("bare loop", bare_t), ("lf.apply, n_jobs=1", lf_t)):
            print(f"  {name:<20}best {min(times):7.3f} s   median {float(np.median(times)):7.3f} s")
        print(f"  (the text column to Python strings alone, which the loop's prebuilt records "
              f"skip: {convert:.3f} s = {convert / min(bare_t):.0%} of the loop)")
        print(f"  lf at {ratio:.1%} of the limit's rows/s (target >= {TARGET_VS_LIMIT:.0%}); matrix "
              f"{'identical' if same else 'DIFFERENT'}   {'PASS' if good else 'FAIL'}")
        ok = ok and good
    return ok


def run_small(corpus: pd.DataFrame, repeats: int) -> bool:
    """The 12 LFs with n_jobs=2 against n_jobs=1 on a small input, as a frame and as a CSV file.

    The frame's row count is known; the CSV's is estimated from its size. Either way the
    chunks shrink so both workers get rows. Runs alternate; the pool's start-up is timed.
    """
    import tempfile

    lfs = lf_row_lfs() + lf_templates()
    lf.apply(lfs, corpus.iloc[:500], progress=False)  # warm-up
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comments.csv"
        corpus.to_csv(path, index=False)
        for title, data in (("frame", corpus), ("CSV file", str(path))):
            times: dict[int, list[float]] = {1: [], 2: []}
            results = {}
            for _ in range(repeats):
                for n_jobs in (1, 2):
                    start = time.perf_counter()
                    results[n_jobs] = lf.apply(lfs, data, n_jobs=n_jobs, progress=False)
                    times[n_jobs].append(time.perf_counter() - start)
            same = np.array_equal(results[1].array, results[2].array)
            best = min(times[1]) / min(times[2])
            median = float(np.median(times[1]) / np.median(times[2]))
            good = best >= TARGET_SMALL_PARALLEL and same
            print(f"{len(corpus):,} rows x {len(lfs)} LFs, {title}:")
            for n_jobs, ts in times.items():
                print(f"  n_jobs={n_jobs}  best {min(ts):6.3f} s   median {float(np.median(ts)):6.3f} s")
            print(f"  n_jobs=2 vs 1: {best:.2f}x best, {median:.2f}x median (target >= "
                  f"{TARGET_SMALL_PARALLEL:g}x); matrix {'identical' if same else 'DIFFERENT'}   "
                  f"{'PASS' if good else 'FAIL'}")
            ok = ok and good
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_probe:
        memory_probe(args.data_dir, args.rows, args.probe_jobs)
        return 0
    # Memory first, while this process is still small (see _peak_rss_self).
    if args.limit_only or args.small_only:
        corpus, _ = build_corpus(args.data_dir, SMALL_ROWS if args.small_only else args.rows)
        print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs; {args.repeats} alternating runs each")
        return 0 if (run_small if args.small_only else run_limit)(corpus, args.repeats) else 1
    memory = None if args.no_memory else [measure_peak_memory(args.data_dir, args.rows, j) for j in (1, 2)]
    corpus, distinct = build_corpus(args.data_dir, args.rows)
    print_header(args, distinct, len(ROW_FUNCS), len(TEMPLATE_ROW_FUNCS))

    rng = np.random.default_rng(SAMPLE_SEED)
    sample_idx = np.sort(rng.choice(len(corpus), size=args.snorkel_rows, replace=False))
    sample = corpus.iloc[sample_idx]
    sn_all, sn_tpl, L_sn, sn_names = run_snorkel(sample, args.repeats)
    lf_timings, L_lf, same_parallel = run_lf(corpus, args.repeats)
    lf1, lf2, lf_tpl = lf_timings
    print_timings([sn_all, sn_tpl, *lf_timings])
    print()

    targets_met = [
        print_ratio("lf n_jobs=1 vs Snorkel, same 12 LFs", lf1.rows_per_s / sn_all.rows_per_s, TARGET_VS_SNORKEL),
        print_ratio("lf n_jobs=2 vs lf n_jobs=1", lf2.rows_per_s / lf1.rows_per_s, TARGET_PARALLEL),
        print_ratio("lf templates vs Snorkel's 2 row equivalents", lf_tpl.rows_per_s / sn_tpl.rows_per_s, TARGET_TEMPLATES),
    ]
    print()
    print_lf_logic_floor(time_lf_logic(sample, args.repeats), sn_all, lf1, L_lf)
    print()
    targets_met.append(run_limit(corpus.iloc[: min(len(corpus), LIMIT_ROWS)], max(args.repeats, 3)))
    print()

    texts = sample["text"].tolist()
    diffs = compare_matrices(L_lf.array[sample_idx], L_lf.names, L_sn, sn_names, texts)
    covered = len(np.unique(sample_idx % distinct))
    where = f"{len(sample_idx):,} sampled rows ({covered:,} of {distinct:,} distinct comments) x {L_lf.m} LFs"
    print(f"matrix, lf vs Snorkel on {where}: {'identical' if not diffs else 'DIFFERENT'}")
    for line in diffs:
        print(line)
    print(f"matrix, lf n_jobs=2 vs n_jobs=1 on all {L_lf.n:,} rows: {'identical' if same_parallel else 'DIFFERENT'}")

    if memory is not None:
        print()
        targets_met.append(print_memory(args.rows, *memory))
    return 0 if not diffs and same_parallel and all(targets_met) else 1


if __name__ == "__main__":
    sys.exit(main())
