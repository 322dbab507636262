"""End to end on real spam corpora: fetch, apply an LF module, fit label models, score held-out rows.

    python benchmarks/end_to_end.py                       # youtube and sms, with Snorkel
    python benchmarks/end_to_end.py --only sms --json     # one dataset, machine-readable
    python benchmarks/end_to_end.py --data-dir ../shared/datasets --no-snorkel

For each dataset the raw files are registered with ``lf.datasets.fetch(from_path=...)`` in a
temporary data home (or read from ``--data-home`` when already fetched there), loaded with
``lf.datasets.load``, labelled with its LF module from ``labeling_functions/``, and every label
model is fitted on the matrix of the WHOLE corpus without gold labels. Scores are computed on
the held-out rows only, counting every row (a row no LF labels gets the model's prediction for
an all-abstain row):

- youtube: UCI YouTube Spam Collection; held out: the comments of video ``Youtube05``
  (the LF module was written looking at Youtube01-04 only).
  Its linguistic LFs (spaCy: imperative verbs, named entities, comments with no verb) are
  also left out in a second pass, to show their effect on the held-out video (coverage and
  accuracy of each of lf's models with and without them). They need a spaCy pipeline:
  ``en_core_web_sm``, or the one named by ``$LF_SPACY_MODEL``.
- sms: UCI SMS Spam Collection; held out: the last 20% of the messages in file order
  (the LF module was written looking at the first 80% only).

Models: ``lf.models.MajorityVoter`` (uniform prior: ties go to the lower class id, HAM),
``lf.models.LabelModel`` (defaults; class balance estimated from the votes) and Snorkel's
``snorkel.labeling.model.LabelModel`` (``n_epochs=500``, fixed seed; ties broken by Snorkel's
deterministic hash) twice: with its default uniform class balance, and with the balance lf's
LabelModel estimates, so that the models are compared on equal terms (the balance decides the
rows no LF labels). Fit times are single runs after an untimed torch warm-up: indicative only. Exit status 1 when a quality
target is missed, 2 when the data cannot be found.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import lf
from lf.datasets import fetch, load
from lf.errors import DataError
from lf.models import LabelModel, MajorityVoter

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = (REPO / ".." / "shared" / "datasets").resolve()
HAM, SPAM = 0, 1


@dataclass(frozen=True)
class Target:
    """A quality bar on the held-out rows: ``metric`` of ``model`` must reach ``minimum``."""

    model: str
    metric: str
    minimum: float


@dataclass(frozen=True)
class Dataset:
    name: str
    source_folder: str
    module: str
    held_out: str
    targets: tuple[Target, ...]


DATASETS = {
    "youtube": Dataset(
        "youtube",
        "youtube_raw",
        "labeling_functions/youtube_spam.py",
        "video Youtube05",
        (Target("LabelModel", "coverage", 0.90), Target("LabelModel", "accuracy", 0.88)),
    ),
    "sms": Dataset(
        "sms",
        "sms_raw",
        "labeling_functions/sms_spam.py",
        "last 20% of rows in file order",
        (Target("LabelModel", "spam_f1", 0.80),),
    ),
}


@dataclass
class Score:
    model: str
    coverage: float
    accuracy: float
    spam_f1: float
    spam_precision: float
    spam_recall: float
    fit_seconds: float


# -- pure scoring --------------------------------------------------------------------------------
def held_out_mask(name: str, df: Any) -> np.ndarray:
    """Boolean mask of the held-out rows of dataset ``name``'s frame."""
    if name == "youtube":
        return np.asarray(df["video"] == "Youtube05")
    n = len(df)
    mask = np.zeros(n, dtype=bool)
    mask[int(n * 0.8):] = True
    return mask


def score(model: str, L: np.ndarray, pred: np.ndarray, y: np.ndarray, fit_seconds: float) -> Score:
    """Coverage (rows with at least one vote), accuracy and spam precision / recall / F1."""
    tp = int(((pred == SPAM) & (y == SPAM)).sum())
    n_pred, n_true = int((pred == SPAM).sum()), int((y == SPAM).sum())
    return Score(
        model=model,
        coverage=float((L != lf.ABSTAIN).any(axis=1).mean()),
        accuracy=float((pred == y).mean()),
        spam_f1=2 * tp / (n_pred + n_true) if n_pred + n_true else 0.0,
        spam_precision=tp / n_pred if n_pred else 0.0,
        spam_recall=tp / n_true if n_true else 0.0,
        fit_seconds=fit_seconds,
    )


def _is_nlp(x: lf.LabelingFunction) -> bool:
    return any(type(p).__name__ == "SpacyPreprocessor" for p in x.pre)


# -- models ----------------------------------------------------------------------------------------
def ours(cls: Callable[[], Any]) -> Callable[[lf.LabelMatrix], np.ndarray]:
    def run(L: lf.LabelMatrix) -> np.ndarray:
        return np.asarray(cls().fit(L).predict(L))

    return run


def snorkel(epochs: int, seed: int, *, our_balance: bool = False) -> Callable[[lf.LabelMatrix], np.ndarray] | None:
    """Snorkel's LabelModel; with ``our_balance`` it gets the class balance lf's LabelModel
    estimates from the votes (Snorkel's own default is uniform, which decides the rows no LF
    labels: the comparison of the models themselves is the ``our_balance`` row)."""
    warnings.filterwarnings("ignore", message="Input has data type int64", category=FutureWarning)
    try:
        from snorkel.labeling.model import LabelModel as SnorkelLabelModel
        from snorkel.utils import probs_to_preds
    except ImportError:
        return None

    def run(L: lf.LabelMatrix) -> np.ndarray:
        L64 = np.asarray(L).astype(np.int64)
        balance = LabelModel().fit(L).class_balance_.tolist() if our_balance else None
        model = SnorkelLabelModel(cardinality=2, verbose=False)
        with contextlib.redirect_stderr(io.StringIO()):
            model.fit(L64, n_epochs=epochs, seed=seed, progress_bar=False, class_balance=balance)
        return np.asarray(probs_to_preds(model.predict_proba(L64), tie_break_policy="random"))

    run(lf.LabelMatrix(np.array([[0, 1, 0], [1, 1, -1], [0, -1, 0]]), cardinality=2))  # warm torch up, untimed
    return run


def timed(run: Callable[[lf.LabelMatrix], np.ndarray], L: lf.LabelMatrix) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    pred = run(L)
    return pred, time.perf_counter() - start


# -- one dataset -----------------------------------------------------------------------------------
def load_frame(spec: Dataset, data_dir: Path, data_home: Path | None) -> Any:
    if data_home is not None:
        return load(spec.name, data_home=data_home)
    with tempfile.TemporaryDirectory(prefix="lf-e2e-") as tmp:
        fetch(spec.name, from_path=data_dir / spec.source_folder, data_home=tmp, progress=False)
        return load(spec.name, data_home=tmp)


def run_dataset(spec: Dataset, args: argparse.Namespace) -> dict[str, Any]:
    df = load_frame(spec, args.data_dir, args.data_home)
    lfs = lf.load_lfs(str(REPO / spec.module))
    start = time.perf_counter()
    L = lf.apply(lfs, df, labels=lfs.labels)
    apply_seconds = time.perf_counter() - start
    A = np.asarray(L)
    y = np.asarray((df["label"] == "SPAM").to_numpy(), dtype=np.int64)
    mask = held_out_mask(spec.name, df)

    models: list[tuple[str, Callable[[lf.LabelMatrix], np.ndarray] | None]] = [
        ("MajorityVoter", ours(MajorityVoter)),
        ("LabelModel", ours(LabelModel)),
    ]
    if not args.no_snorkel:
        models.append(("Snorkel LabelModel", snorkel(args.snorkel_epochs, args.seed)))
        models.append(("Snorkel + lf's balance", snorkel(args.snorkel_epochs, args.seed, our_balance=True)))
    scores, missing = [], []
    for name, run in models:
        if run is None:
            missing.append(name)
            continue
        pred, seconds = timed(run, L)  # fitted on every row, no gold
        scores.append(score(name, A[mask], pred[mask], y[mask], seconds))

    without = [x for x in lfs if not _is_nlp(x)]
    ablation = []
    if len(without) < len(lfs):  # the same models without the linguistic (spaCy) LFs
        L_plain = lf.apply(without, df, labels=lfs.labels)
        for name, run in models[:2]:
            pred, seconds = timed(run, L_plain)
            ablation.append(asdict(score(name, np.asarray(L_plain)[mask], pred[mask], y[mask], seconds)))

    by_model = {s.model: asdict(s) for s in scores}
    checks = [
        {**asdict(t), "value": by_model[t.model][t.metric], "passed": by_model[t.model][t.metric] >= t.minimum}
        for t in spec.targets
    ]
    return {
        "dataset": spec.name,
        "module": spec.module,
        "held_out": spec.held_out,
        "rows": len(df),
        "held_out_rows": int(mask.sum()),
        "held_out_spam_rate": float(y[mask].mean()),
        "lfs": len(lfs),
        "apply_seconds": apply_seconds,
        "scores": [asdict(s) for s in scores],
        "not_installed": missing,
        "nlp_lfs": len(lfs) - len(without),
        "without_nlp_lfs": ablation,
        "targets": checks,
    }


# -- output ----------------------------------------------------------------------------------------
def print_result(res: dict[str, Any]) -> None:
    print(
        f"\n{res['dataset']}: {res['rows']} rows, {res['lfs']} LFs from {res['module']} "
        f"(applied in {res['apply_seconds']:.2f} s); models fitted on all rows, no gold"
    )
    print(
        f"held out: {res['held_out']} ({res['held_out_rows']} rows, spam rate "
        f"{res['held_out_spam_rate']:.3f}); every held-out row counted"
    )
    head = f"  {'model':<24} {'coverage':>9} {'accuracy':>9} {'spam F1':>8} {'spam P':>7} {'spam R':>7} {'fit s':>7}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for s in res["scores"]:
        print(
            f"  {s['model']:<24} {s['coverage']:>9.3f} {s['accuracy']:>9.3f} {s['spam_f1']:>8.3f} "
            f"{s['spam_precision']:>7.3f} {s['spam_recall']:>7.3f} {s['fit_seconds']:>7.2f}"
        )
    for name in res["not_installed"]:
        print(f"  {name:<24} not installed (pip install 'lf[snorkel]')")
    if res["without_nlp_lfs"]:
        print(f"  without its {res['nlp_lfs']} linguistic (spaCy) LFs:")
        for s in res["without_nlp_lfs"]:
            print(f"  {s['model']:<24} {s['coverage']:>9.3f} {s['accuracy']:>9.3f} {s['spam_f1']:>8.3f} "
                  f"{s['spam_precision']:>7.3f} {s['spam_recall']:>7.3f} {s['fit_seconds']:>7.2f}")
    for t in res["targets"]:
        verdict = "PASS" if t["passed"] else "FAIL"
        print(f"  target: {t['model']} {t['metric']} >= {t['minimum']:.2f}: {t['value']:.3f}  {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="folder holding youtube_raw/ and sms_raw/ (default: ../shared/datasets)")
    parser.add_argument("--data-home", type=Path, default=None,
                        help="use datasets already fetched into this data home instead of fetching")
    parser.add_argument("--only", choices=sorted(DATASETS), action="append",
                        help="run only this dataset (repeatable)")
    parser.add_argument("--no-snorkel", action="store_true", help="skip Snorkel's LabelModel")
    parser.add_argument("--snorkel-epochs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0, help="Snorkel's training seed")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.only or list(DATASETS)
    try:
        results = [run_dataset(DATASETS[name], args) for name in names]
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    passed = all(t["passed"] for res in results for t in res["targets"])
    if args.json:
        print(json.dumps({"results": results, "passed": passed}, indent=2))
    else:
        for res in results:
            print_result(res)
        print(f"\nall targets: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
