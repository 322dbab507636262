"""The HTML report at scale: 1,000,000 rows x 50 LFs, with gold labels, a model and texts.

    python benchmarks/report_scale.py                  # n = 1,000,000, m = 50
    python benchmarks/report_scale.py --model LabelModel --repeats 3
    python benchmarks/report_scale.py --rows 200000 --lfs 20

The matrix is generated from known LF accuracies and propensities (3 classes); the texts are
generated comments (a few words from a small vocabulary plus the row number). The timed step
is ``lf.report.write_html(path, L, y=y, model=model, texts=texts)``: the summary, the m x m
conflict matrix, the model's predictions, the examples, rendering and the atomic write. The
model's fit is timed separately. Targets: under 10 s and under 5 MB. The same report for a
corpus 100 times smaller shows that the size does not grow with the number of rows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

import lf
from lf.models import get_model
from lf.report import write_html

TIME_TARGET_S = 10.0
SIZE_TARGET_MB = 5.0
WORDS = np.array(
    [
        "love", "this", "song", "chorus", "free", "prize", "subscribe", "my", "channel", "check",
        "out", "video", "views", "billion", "lol", "haha", "amazing", "voice", "beat", "lyrics",
        "click", "here", "win", "money", "follow", "me", "best", "ever",
    ]
)


def generate(n: int, m: int, k: int, seed: int) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Votes of m conditionally independent LFs with accuracies in [0.55, 0.95]."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    acc = rng.uniform(0.55, 0.95, m)
    prop = rng.uniform(0.01, 0.15, m)
    L = np.full((n, m), -1, np.int8)
    for j in range(m):
        votes = rng.random(n) < prop[j]
        right = rng.random(n) < acc[j]
        wrong = (y + rng.integers(1, k, n)) % k
        L[:, j] = np.where(votes, np.where(right, y, wrong), -1)
    return L, y


def texts_for(n: int, seed: int) -> npt.NDArray[np.object_]:
    rng = np.random.default_rng(seed)
    picks = WORDS[rng.integers(0, len(WORDS), (n, 6))]
    return np.array([f"comment {i}: " + " ".join(row) for i, row in enumerate(picks.tolist())], dtype=object)


def timed_report(path: Path, L: lf.LabelMatrix, y: npt.NDArray[np.int64], model: object, texts: object) -> float:
    start = time.perf_counter()
    write_html(path, L, y=y, model=model, texts=texts)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lfs", type=int, default=50)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--model", default="MajorityVoter", help="label model name (lf.models.get_model)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs; the best and the first are shown")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    A, y = generate(args.rows, args.lfs, args.classes, args.seed)
    L = lf.LabelMatrix(A, names=[f"lf_{j:02d}" for j in range(args.lfs)], labels=[f"class_{c}" for c in range(args.classes)])
    texts = texts_for(args.rows, args.seed)
    print(f"generated {args.rows:,} rows x {args.lfs} LFs and texts in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    model = get_model(args.model)().fit(L)
    print(f"fit {type(model).__name__}: {time.perf_counter() - t0:.2f} s (not part of the report time)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        times = [timed_report(path, L, y, model, texts) for _ in range(max(args.repeats, 1))]
        size_mb = path.stat().st_size / 1e6
        small_n = max(args.rows // 100, 1000)
        small = lf.LabelMatrix(A[:small_n], names=L.names, labels=L.labels)
        small_path = Path(tmp) / "small.html"
        timed_report(small_path, small, y[:small_n], get_model(args.model)().fit(small), texts[:small_n])
        small_mb = small_path.stat().st_size / 1e6

    best = min(times)
    ok_time, ok_size = best < TIME_TARGET_S, size_mb < SIZE_TARGET_MB
    print(f"write_html: best {best:.2f} s, first {times[0]:.2f} s over {len(times)} run(s) (target < {TIME_TARGET_S:g} s)")
    print(f"size: {size_mb:.2f} MB at {args.rows:,} rows, {small_mb:.2f} MB at {small_n:,} rows (target < {SIZE_TARGET_MB:g} MB)")
    print(f"time {'PASS' if ok_time else 'FAIL'}, size {'PASS' if ok_size else 'FAIL'}")
    return 0 if ok_time and ok_size else 1


if __name__ == "__main__":
    sys.exit(main())
