"""Automated labeling on real spam corpora: LF suggestions from 100 hand labels, and the end model.

    python benchmarks/automated.py                  # everything (the 1,000,000-row timings too)
    python benchmarks/automated.py --skip-scale     # quality targets only (about a minute)
    python benchmarks/automated.py --data-dir ../shared/datasets --rows 1000000

Quality (UCI YouTube Spam Collection; UCI SMS Spam Collection):

1. Suggestions: for 5 seeds, 100 rows drawn from Youtube01-04 are "hand-labeled" (their
   gold labels), ``lf.suggest`` mines 20 LFs on Youtube01-04, the default ``LabelModel`` is
   fitted on Youtube01-04's matrix, and Youtube05 is scored: accuracy on the rows some LF
   covers, and coverage. Targets: mean accuracy >= 0.85 at mean coverage >= 0.70. Then the
   same with ``lfs=labeling_functions/youtube_spam.py`` (suggestions complement the module)
   and the two sets combined, against the module alone: coverage up, accuracy not down.
2. End model: labels of Youtube01-04 from ``labeling_functions/youtube_spam.py`` and the
   ``LabelModel``; ``lf.train`` on them; accuracy on all Youtube05 rows against the label
   model's accuracy on all rows, as ``lf label`` prints it (a row no LF covers has no label:
   wrong), and, stricter, with the prior's class on those rows (``--uncovered prior``). SMS: file order, first 80% to label and train, last 20%
   to score; spam F1 of the end model against the label model's.

Scale (``lf`` CLI in subprocesses, one run each; the machine may be shared, so times are
indicative): ``lf suggest`` on N unlabeled rows (SMS texts drawn with replacement, each with
a random number appended) with 500 labeled rows, target < 60 s; ``lf train`` on those N rows
(labels from ``lf label`` with the SMS LFs, not timed), target < 300 s and peak memory < 4 GB.
Exit status 1 when a target is missed, 2 when the data cannot be found.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import lf
from lf.models import LabelModel
from lf.output import labels_frame

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = (REPO / ".." / "shared" / "datasets").resolve()
YOUTUBE_LFS = REPO / "labeling_functions" / "youtube_spam.py"
SMS_LFS = REPO / "labeling_functions" / "sms_spam.py"
SEEDS = range(5)


def youtube(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    files = sorted((data_dir / "youtube_raw").glob("Youtube0*.csv"))
    if len(files) != 5:
        raise FileNotFoundError(f"the five UCI YouTube CSVs are not in {data_dir / 'youtube_raw'}")
    frames = [pd.read_csv(f).rename(columns={"CONTENT": "text", "CLASS": "gold"})[["text", "gold"]] for f in files]
    return pd.concat(frames[:4], ignore_index=True), frames[4].reset_index(drop=True)


def sms(data_dir: Path) -> pd.DataFrame:
    path = data_dir / "sms_raw" / "SMSSpamCollection"
    rows = [line.rstrip("\n").split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pd.DataFrame({"text": [t for _, t in rows], "gold": [int(g == "spam") for g, _ in rows]})


def _score(lfs: list[Any], train: pd.DataFrame, test: pd.DataFrame) -> tuple[float, float]:
    """LabelModel fitted on train's matrix; accuracy on test's covered rows, and coverage."""
    L = lf.apply(lfs, train[["text"]], cardinality=2, progress=False)
    Lt = lf.apply(lfs, test[["text"]], cardinality=2, progress=False)
    covered = (Lt.array != -1).any(axis=1)
    pred = LabelModel().fit(L).predict(Lt)
    return float((pred[covered] == test["gold"].to_numpy()[covered]).mean()), float(covered.mean())


def suggestions(train: pd.DataFrame, test: pd.DataFrame) -> list[tuple[str, bool]]:
    module = list(lf.load_lfs(str(YOUTUBE_LFS)))
    base_acc, base_cov = _score(module, train, test)
    alone, combined = [], []
    for seed in SEEDS:
        labeled = train.sample(100, random_state=seed)
        found = lf.suggest(train, labeled, "gold", labels=["HAM", "SPAM"], n=20, random_state=seed)
        alone.append(_score(found.lfs(), train, test))
        extra = lf.suggest(train, labeled, "gold", lfs=module, n=20, random_state=seed)
        combined.append(_score(module + extra.lfs(), train, test))
    acc, cov = np.mean(alone, axis=0)
    cacc, ccov = np.mean(combined, axis=0)
    print(f"suggestions alone (5 seeds): accuracy on covered {acc:.3f}, coverage {cov:.3f}")
    print(f"youtube_spam.py alone:       accuracy on covered {base_acc:.3f}, coverage {base_cov:.3f}")
    print(f"youtube_spam.py + suggested: accuracy on covered {cacc:.3f}, coverage {ccov:.3f}")
    return [
        ("suggestions accuracy >= 0.85", acc >= 0.85), ("suggestions coverage >= 0.70", cov >= 0.70),
        ("combined coverage > module's", ccov > base_cov), ("combined accuracy >= module's", cacc >= base_acc - 1e-12),
    ]


def _labels(lfs: Any, rows: pd.DataFrame) -> tuple[pd.DataFrame, Any, Any]:
    L = lf.apply(lfs, rows[["text"]], progress=False)
    model = LabelModel().fit(L)
    return labels_frame(L, model.predict_proba(L)), model, L


def _f1(pred: Any, gold: Any) -> float:
    tp = float(((pred == 1) & (gold == 1)).sum())
    return 2 * tp / max(float((pred == 1).sum() + (gold == 1).sum()), 1.0)


def end_model(train: pd.DataFrame, test: pd.DataFrame, sms_rows: pd.DataFrame) -> list[tuple[str, bool]]:
    lfs = lf.load_lfs(str(YOUTUBE_LFS))
    labels, model, _ = _labels(lfs, train)
    Lt = lf.apply(lfs, test[["text"]], progress=False)
    gold = test["gold"].to_numpy()
    # Over all rows as `lf label` prints it by default: an uncovered row has no label, so it
    # counts as wrong. With `--uncovered prior` it gets the prior's class instead.
    lm_acc = float((model.predict(Lt, abstain="uncovered") == gold).mean())
    lm_prior = float((model.predict(Lt) == gold).mean())
    em = lf.train(train[["text"]], labels)
    em_acc = float((em.predict(test["text"].tolist()) == gold).mean())
    print(f"youtube05, all rows: end model accuracy {em_acc:.3f} (C={em.C:g}, coverage 1.000); label model "
          f"{lm_acc:.3f} (coverage {float((Lt.array != -1).any(axis=1).mean()):.3f}, uncovered rows as wrong), "
          f"{lm_prior:.3f} with the prior's class on uncovered rows")
    cut = int(len(sms_rows) * 0.8)
    head, tail = sms_rows.iloc[:cut].reset_index(drop=True), sms_rows.iloc[cut:].reset_index(drop=True)
    slfs = lf.load_lfs(str(SMS_LFS))
    labels, model, _ = _labels(slfs, head)
    lm_f1 = _f1(model.predict(lf.apply(slfs, tail[["text"]], progress=False)), tail["gold"].to_numpy())
    em = lf.train(head[["text"]], labels)
    em_f1 = _f1(em.predict(tail["text"].tolist()), tail["gold"].to_numpy())
    print(f"sms last 20%: end model spam F1 {em_f1:.3f} (C={em.C:g}), label model {lm_f1:.3f}")
    return [("youtube05 end model accuracy >= label model's", em_acc >= lm_acc),
            ("youtube05 end model accuracy >= label model's with --uncovered prior", em_acc >= lm_prior),
            ("sms end model spam F1 >= label model's", em_f1 >= lm_f1)]


def _run(args: list[str]) -> tuple[float, float]:
    """Seconds and peak RSS (GB) of one ``lf`` CLI run in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lf", *args], check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"lf {' '.join(args)} failed: {proc.stderr.strip()}")
    said = " ".join(proc.stderr.split())
    print("  $ lf " + " ".join(args) + "\n    " + said[said.rfind("wrote ") :])
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20


def scale(sms_rows: pd.DataFrame, n: int) -> list[tuple[str, bool]]:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "unlabeled.parquet"
        pick = rng.integers(0, len(sms_rows), size=n)
        texts = sms_rows["text"].to_numpy()[pick] + " " + rng.integers(0, 10**6, size=n).astype(str)
        pd.DataFrame({"text": texts}).to_parquet(big, index=False)
        labeled = Path(tmp) / "labeled.csv"
        sms_rows.sample(500, random_state=0).assign(gold=lambda d: d["gold"].map({0: "HAM", 1: "SPAM"})).to_csv(labeled, index=False)
        s_sec, _ = _run(["suggest", str(big), "--gold-data", str(labeled), "--gold", "gold", "--labels", "HAM,SPAM", "-o", f"{tmp}/s.py"])
        _run(["label", str(big), "--lfs", str(SMS_LFS), "-o", f"{tmp}/labels.parquet", "--no-progress"])
        t_sec, t_gb = _run(["train", str(big), "--labels", f"{tmp}/labels.parquet", "-o", f"{tmp}/model"])
    print(f"{n:,} rows: lf suggest {s_sec:.1f} s; lf train {t_sec:.1f} s, peak RSS of the largest child {t_gb:.2f} GB")
    return [("lf suggest < 60 s", s_sec < 60), ("lf train < 300 s", t_sec < 300), ("lf train peak < 4 GB", t_gb < 4)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for the scale runs")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    try:
        train, test = youtube(args.data_dir)
        sms_rows = sms(args.data_dir)
    except FileNotFoundError as exc:
        print(f"data not found: {exc}", file=sys.stderr)
        return 2
    results = suggestions(train, test) + end_model(train, test, sms_rows)
    if not args.skip_scale:
        results += scale(sms_rows, args.rows)
    for name, ok in results:
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
