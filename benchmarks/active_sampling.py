"""Which 100 rows to hand-label: `lf sample --strategy mixed` against 100 random rows.

    python benchmarks/active_sampling.py                   # 5 seeds, ../shared/datasets
    python benchmarks/active_sampling.py --seeds 10 --json

Data: the UCI YouTube Spam Collection (``youtube_raw``). The LFs of
``labeling_functions/youtube_spam.py`` are applied to all five videos; the label model is
fitted on that whole matrix without gold (as ``lf label`` does). 100 rows of Youtube01-04
are "hand-labelled" (their gold from the data stands in for the annotator), chosen either
by ``lf.sample.sample`` (what ``lf sample --strategy mixed -n 100 --seed S`` runs: a
LabelModel for the uncertainty scores, TF-IDF diversity) or uniformly at random with the
same seed. Those rows are the dev set of ``--model auto --class-balance dev``: they pick
the model and give the class balance. Scored: accuracy on every Youtube05 row (never
sampled). Exit status 1 when the sampled rows do worse than random on average.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lf
from lf.models import LabelModel, select
from lf.sample import sample


def load(data_dir: Path) -> pd.DataFrame:
    files = sorted((data_dir / "youtube_raw").glob("Youtube0*.csv"))
    if len(files) != 5:
        raise SystemExit(f"youtube_raw not found under {data_dir} (need its 5 CSVs)")
    parts = [pd.read_csv(f).assign(video=f.stem.split("-")[0]) for f in files]
    frame = pd.concat(parts, ignore_index=True).rename(columns={"CONTENT": "text"})
    frame["id"] = np.arange(len(frame))  # comment ids repeat across the files: rows by position
    return frame[["id", "text", "CLASS", "video"]]


def run_seed(L: lf.LabelMatrix, frame: pd.DataFrame, seed: int, n: int) -> dict[str, float]:
    gold = frame["CLASS"].to_numpy(dtype=np.int64)
    pool = (frame["video"] != "Youtube05").to_numpy()
    test = ~pool
    scores = {}
    base = LabelModel().fit(L)
    chosen = sample(L, frame, n=n, strategy="mixed", model=base, exclude=~pool, seed=seed)
    where = chosen["id"].to_numpy(dtype=np.int64)
    rng = np.random.default_rng(seed)
    random_rows = rng.choice(np.flatnonzero(pool), size=n, replace=False)
    for name, rows in (("sampled", where), ("random", random_rows)):
        picked = select(None, L, L[rows], gold[rows], class_balance="dev")
        pred = np.asarray(picked.model.predict(L))
        scores[name] = float((pred[test] == gold[test]).mean())
        scores[f"{name}_model"] = picked.name  # type: ignore[assignment]
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    frame = load(args.data_dir)
    lfs = lf.load_lfs(str(ROOT / "labeling_functions" / "youtube_spam.py"))
    L = lf.apply(lfs, frame[["id", "text"]], progress=False)
    results = [run_seed(L, frame, seed, args.n) for seed in range(args.seeds)]
    sampled = np.array([r["sampled"] for r in results])
    rand = np.array([r["random"] for r in results])
    summary = {
        "seeds": args.seeds, "n": args.n, "test_rows": int((frame["video"] == "Youtube05").sum()),
        "sampled_mean": float(sampled.mean()), "random_mean": float(rand.mean()),
        "difference": float(sampled.mean() - rand.mean()), "per_seed": results,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"held-out Youtube05 accuracy ({summary['test_rows']} rows), dev = {args.n} hand-labelled rows")
        print(f"{'seed':>4}  {'lf sample mixed':>16}  {'random':>8}  models (sampled / random)")
        for seed, r in enumerate(results):
            print(f"{seed:>4}  {r['sampled']:>16.3f}  {r['random']:>8.3f}  {r['sampled_model']} / {r['random_model']}")
        print(f"mean  {sampled.mean():>16.3f}  {rand.mean():>8.3f}  difference {sampled.mean() - rand.mean():+.3f}")
    return 0 if sampled.mean() >= rand.mean() else 1


if __name__ == "__main__":
    raise SystemExit(main())
