"""Label models against majority vote and Snorkel: quality (WRENCH), speed, parameter recovery.

    python benchmarks/label_models.py            # everything (a few minutes, most of it Snorkel)
    python benchmarks/label_models.py --quick    # smaller speed runs, fewer recovery seeds
    python benchmarks/label_models.py --only quality --data-dir ../shared/datasets

(a) quality, WRENCH protocol: fit on train's label matrix with the class balance of the valid
    gold labels, score accuracy on test with every row (rows no LF labels included). chemprot
    has no train split here: fit on valid, score test. sms is skipped: its valid/test weak
    labels do not line up with their texts. Ties: our models take the argmax of
    ``predict_proba`` (MajorityVoter: the tied class with the larger class balance); Snorkel's
    predictions use its deterministic ``tie_break_policy="random"`` (hash of the row index).
    ``select()`` chooses among its default candidates with the valid split as dev set (the
    dev class balance cross-validated inside it).
(a2) the same test sets with no gold labels at all, as users run ``lf label``: no class
    balance; majority vote with either tie rule, Dawid-Skene and Snorkel without a balance
    are the rivals. "MV prior, renamed" is majority vote's mean over 20 random renamings of
    the classes: without a balance its ties go to the lowest class id, so its figure as named
    depends on the data's class ids (ours does not). Also the expected calibration error on
    covered test rows.
(a3) the demo corpus (datasets/demo, whose spam LFs fire together by construction): accuracy
    on covered rows of majority vote, the default LabelModel and LabelModel(dependencies="auto").
(a4) generated two-class sets with no gold, every LF voting one class: 8 sets of 30,000 rows
    with 3-15% in class 1 ("rare") and 40 sets of 5,000 rows with 3-50% ("broad"): mean F1
    of class 1, accuracy and ECE on covered rows, and the error of the learned share of
    class 1, for LabelModel, Dawid-Skene, majority vote and Snorkel (information; no target).
(b0) fit-time targets of the default LabelModel (no class balance) on generated matrices:
    1,749 rows x 164 sparse LFs x 9 classes (< 1 s), 2,000 rows x 3 LFs x 200 classes
    (< 2 s), 1,000,000 rows x 20 LFs x 10 classes (>= 20x Snorkel's fit in the same run).
(b) speed at n = 1,000,000 on matrices generated from known accuracies and propensities;
    fit and predict_proba wall time (ours: best of ``--repeats`` runs after a first run, whose
    time is shown too; Snorkel: one run after a small warm-up fit), all given the true class
    balance.
(c) recovery: mean absolute error of the learned LF accuracies P(lambda = Y | lambda votes)
    on generated matrices (n = 100,000, m = 20, accuracies in [0.55, 0.95]).

Exit status: 0 when every target printed is met, 1 when one is missed, 2 without the data.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lf.datasets import load_wrench
from lf.models import DawidSkene, LabelModel, MajorityVoter, TripletModel, select
from lf.models._metrics import ece

REPO = Path(__file__).resolve().parents[1]
SKIP = {"sms": "valid/test weak_labels do not line up with their texts (see its SOURCE.md)"}
SNORKEL_EPOCHS = (100, 500)


# -- helpers ---------------------------------------------------------------------------------
def snorkel_model() -> Any:
    warnings.filterwarnings("ignore", message="Input has data type int64", category=FutureWarning)
    try:
        from snorkel.labeling.model import LabelModel as SnorkelLabelModel
    except ImportError:
        return None
    return SnorkelLabelModel


def fit_snorkel(cls: Any, L: np.ndarray, k: int, balance: np.ndarray, epochs: int, seed: int) -> Any:
    model = cls(cardinality=k, verbose=False)
    with contextlib.redirect_stderr(io.StringIO()):
        model.fit(L.astype(np.int64), class_balance=balance, n_epochs=epochs, seed=seed, progress_bar=False)
    return model


def snorkel_predict(model: Any, L: np.ndarray) -> np.ndarray:
    from snorkel.utils import probs_to_preds

    return np.asarray(probs_to_preds(model.predict_proba(L.astype(np.int64)), tie_break_policy="random"))


def generate(n: int, m: int, k: int, seed: int, *, prop: tuple[float, float] = (0.05, 0.3)) -> tuple[np.ndarray, ...]:
    """LF j votes with prob. prop_j, right with prob. acc_j, else a uniform wrong class."""
    rng = np.random.default_rng(seed)
    acc = rng.uniform(0.55, 0.95, m)
    propensity = rng.uniform(*prop, m)
    y = rng.integers(0, k, n)
    L = np.full((n, m), -1, np.int8 if k < 127 else np.int16)
    for j in range(m):
        fires = rng.random(n) < propensity[j]
        right = rng.random(n) < acc[j]
        wrong = (y + rng.integers(1, k, n)) % k
        L[:, j] = np.where(fires, np.where(right, y, wrong), -1)
    return L, y, acc


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """(first run, best of ``repeats`` later runs, result)."""
    t = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return first, min(times), out


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths)))
    body = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join([line, "-" * len(line), *body])


# -- (a) quality -----------------------------------------------------------------------------
OURS: dict[str, Callable[[], Any]] = {
    "MajorityVoter": MajorityVoter,
    "LabelModel": LabelModel,
    "LabelModel(model)": lambda: LabelModel(abstain="model"),
    "DawidSkene": DawidSkene,
    "TripletModel": TripletModel,
    "LM deps=auto": lambda: LabelModel(dependencies="auto"),
}


def quality(data_dir: Path, snorkel_seed: int) -> dict[str, Any]:
    folders = sorted(p for p in data_dir.iterdir() if (p / "label.json").is_file() and (p / "test.json").is_file())
    snorkel = snorkel_model()
    results: dict[str, Any] = {}
    for folder in folders:
        name = folder.name
        if name in SKIP:
            results[name] = {"skipped": SKIP[name]}
            continue
        train_split = "train" if (folder / "train.json").is_file() else "valid"
        train, valid, test = (load_wrench(folder, s) for s in (train_split, "valid", "test"))
        k = train.L.cardinality
        balance = np.bincount(valid.y, minlength=k) / len(valid.y)
        row: dict[str, float] = {}
        for label, make in OURS.items():
            model = make().fit(train.L, class_balance=balance)
            row[label] = float((model.predict(test.L) == test.y).mean())
        chosen = select(None, train.L, valid.L, valid.y)  # cross-validates the dev balance itself
        row["select()"] = float((chosen.model.predict(test.L) == test.y).mean())
        covered = (np.asarray(test.L.array) != -1).any(axis=1)
        lm = LabelModel().fit(train.L, class_balance=balance)
        eces = {"LabelModel": ece(test.y[covered], lm.predict_proba(test.L)[covered])}
        if snorkel is not None:
            for epochs in SNORKEL_EPOCHS:
                sm = fit_snorkel(snorkel, np.asarray(train.L.array), k, balance, epochs, snorkel_seed)
                row[f"Snorkel-{epochs}"] = float((snorkel_predict(sm, np.asarray(test.L.array)) == test.y).mean())
                proba = sm.predict_proba(np.asarray(test.L.array).astype(np.int64))
                eces[f"Snorkel-{epochs}"] = ece(test.y[covered], proba[covered])
        results[name] = {
            "fit_on": train_split,
            "accuracy": row,
            "selected": chosen.name,
            "no_gold": no_gold(train.L, test, k, snorkel, snorkel_seed),
            "ece_covered": eces,
        }
    return results


def no_gold(L_train: Any, test: Any, k: int, snorkel: Any, seed: int) -> dict[str, float]:
    """Test accuracy of the models as users run them without gold labels (no class balance)."""
    row: dict[str, float] = {}
    runs = {
        "LabelModel": LabelModel(),
        "LabelModel(em_steps=20)": LabelModel(em_steps=20),
        "LM deps=auto": LabelModel(dependencies="auto"),
        "DawidSkene": DawidSkene(),
        "MV ties to prior": MajorityVoter(),
        "MV random ties": MajorityVoter(tie_break="random", random_state=seed),
    }
    for label, model in runs.items():
        row[label] = float((model.fit(L_train, cardinality=k).predict(test.L) == test.y).mean())
    row["MV prior, renamed"] = renamed_majority(np.asarray(L_train.array), np.asarray(test.L.array), test.y, k)
    if snorkel is not None:
        A = np.asarray(L_train.array)
        model = snorkel(cardinality=k, verbose=False)
        with contextlib.redirect_stderr(io.StringIO()):
            model.fit(A.astype(np.int64), n_epochs=100, seed=seed, progress_bar=False)
        row["Snorkel-100"] = float((snorkel_predict(model, np.asarray(test.L.array)) == test.y).mean())
    return row


RENAMINGS = 20


def renamed_majority(A: np.ndarray, T: np.ndarray, y: np.ndarray, k: int) -> float:
    """Mean test accuracy of ``MajorityVoter()`` over ``RENAMINGS`` random renamings of the
    classes. Without a class balance its ties (and uncovered rows) go to the lowest class id,
    so its accuracy as named depends on which class the data calls 0; the LabelModel's does
    not (it fits the classes in a canonical order)."""
    rng = np.random.default_rng(0)
    accuracies = []
    for _ in range(RENAMINGS):
        perm = rng.permutation(k)

        def rename(X: np.ndarray, perm: np.ndarray = perm) -> np.ndarray:
            return np.where(X == -1, -1, perm[np.maximum(X, 0)]).astype(X.dtype)

        model = MajorityVoter().fit(rename(A), cardinality=k)
        accuracies.append(float((model.predict(rename(T)) == perm[y]).mean()))
    return float(np.mean(accuracies))


NO_GOLD_TARGETS = {"youtube": 85.2, "yoruba": 54.4, "hausa": 48.8, "chemprot": 51.0}
DEV_TODAY = {"youtube": 86.0, "yoruba": 64.6, "hausa": 49.8, "chemprot": 51.5}


def print_no_gold(results: dict[str, Any]) -> list[str]:
    missed: list[str] = []
    done = {n: r for n, r in results.items() if "no_gold" in r}
    if not done:
        return missed
    cols = list(next(iter(done.values()))["no_gold"])
    rows = [[n, *[f"{100 * r['no_gold'][c]:.1f}" for c in cols]] for n, r in done.items()]
    print("\n(a2) WRENCH test accuracy (%) with no gold labels at all (no class balance given)")
    print(table(["dataset", *cols], rows))
    print("\n  targets (default LabelModel): no gold / dev balance no worse than before / select()")
    for name, r in done.items():
        ours, dev = 100 * r["no_gold"]["LabelModel"], 100 * r["accuracy"]["LabelModel"]
        sel = 100 * r["accuracy"]["select()"]
        goal, before = NO_GOLD_TARGETS.get(name, 0.0), DEV_TODAY.get(name, 0.0)
        checks = [ours >= goal - 1e-9, dev >= before - 1e-9, sel >= dev - 1.0 - 1e-9]
        missed.extend(f"{name} {what}" for ok, what in zip(checks, ("no-gold", "dev", "select")) if not ok)
        verdict = " ".join("met" if ok else "MISSED" for ok in checks)
        print(f"    {name}: {ours:.1f} >= {goal} | {dev:.1f} >= {before} | {sel:.1f} >= {dev - 1:.1f} -> {verdict}")
    print("\n  expected calibration error on covered test rows (dev balance; lower is better)")
    for name, r in done.items():
        e = r["ece_covered"]
        ok = all(e["LabelModel"] <= v + 1e-9 for c, v in e.items() if c != "LabelModel")
        missed.extend([] if ok else [f"{name} ece"])
        others = ", ".join(f"{c} {v:.3f}" for c, v in e.items() if c != "LabelModel")
        print(f"    {name}: LabelModel {e['LabelModel']:.3f}; {others or '-'} -> {'met' if ok else 'MISSED'}")
    return missed


def print_quality(results: dict[str, Any]) -> list[str]:
    missed: list[str] = []
    cols: list[str] = []
    for r in results.values():
        for c in r.get("accuracy", {}):
            if c not in cols:
                cols.append(c)
    rows = []
    for name, r in results.items():
        if "skipped" in r:
            rows.append([name, *["skip"] * len(cols)])
            continue
        rows.append([f"{name} ({r['fit_on']})", *[f"{100 * r['accuracy'].get(c, np.nan):.1f}" for c in cols]])
    print("\n(a) WRENCH test accuracy (%), fit on the split in brackets, class balance from valid gold")
    print(table(["dataset", *cols], rows))
    for name, r in results.items():
        if "skipped" in r:
            print(f"  {name}: skipped, {r['skipped']}")
        else:
            print(f"  {name}: select() chose {r['selected']}")
    print("\n  targets (default LabelModel):")
    for name, r in results.items():
        if "skipped" in r:
            continue
        acc = r["accuracy"]
        ours = 100 * acc["LabelModel"]
        if name == "youtube":
            missed.extend([] if ours >= 86.0 - 1e-9 else [f"{name} accuracy"])
            print(f"    {name}: {ours:.1f} >= 86.0 -> {'met' if ours >= 86.0 - 1e-9 else 'MISSED'}")
            continue
        rivals = {c: 100 * v for c, v in acc.items() if c == "MajorityVoter" or c.startswith("Snorkel")}
        best = max(rivals.values())
        who = max(rivals, key=lambda c: rivals[c])
        missed.extend([] if ours >= best - 1e-9 else [f"{name} accuracy"])
        print(f"    {name}: {ours:.1f} vs best of MV/Snorkel {best:.1f} ({who}) -> {'met' if ours >= best - 1e-9 else 'MISSED'}")
    return missed


def demo_corpus() -> dict[str, float]:
    """Accuracy on the covered rows of the demo corpus (its spam LFs depend on each other)."""
    import pandas as pd

    import lf

    df = pd.read_csv(REPO / "datasets" / "demo" / "comments.csv")
    L = lf.apply(lf.load_lfs(str(REPO / "labeling_functions" / "demo_spam.py")), df, progress=False)
    y = np.array([L.labels.index(v) for v in df["label"]])
    covered = (np.asarray(L.array) != -1).any(axis=1)
    runs = {"MajorityVoter": MajorityVoter(), "LabelModel": LabelModel(), "LM deps=auto": LabelModel(dependencies="auto")}
    return {name: float((m.fit(L).predict(L)[covered] == y[covered]).mean()) for name, m in runs.items()}


def print_demo(result: dict[str, float]) -> list[str]:
    print("\n(a3) demo corpus, accuracy (%) on the rows some LF labels (gold column `label`)")
    print(table(list(result), [[f"{100 * v:.1f}" for v in result.values()]]))
    missed = []
    for name in ("LabelModel", "LM deps=auto"):
        ok = result[name] >= result["MajorityVoter"] - 1e-9
        print(f"  target: {name} >= MajorityVoter -> {'met' if ok else 'MISSED'}")
        missed += [] if ok else [f"demo corpus ({name})"]
    return missed


# -- (a4) generated two-class sets, no gold ------------------------------------------------
def two_class_sets(kind: str, sets: int, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two-class matrices whose LFs each vote one class (LF j fires on a share ``own`` of
    its class's rows and ``other`` of the rest). ``"rare"``: 3-15% of rows in class 1, 2-5
    LFs for each class, class-1 LFs firing on 20-50% of its rows (0.3-2% of the others),
    class-0 LFs on 5-20% (1-5%). ``"broad"``: 3-50% in class 1, 3-11 LFs of either class,
    ``own`` 2-50% and ``other`` 2-60% of ``own``."""
    out = []
    for seed in range(sets):
        rng = np.random.default_rng((100 if kind == "rare" else 1000) + seed)
        if kind == "rare":
            pos = rng.uniform(0.03, 0.15)
            specs = [(1, rng.uniform(0.2, 0.5), rng.uniform(0.003, 0.02)) for _ in range(rng.integers(2, 6))]
            specs += [(0, rng.uniform(0.05, 0.2), rng.uniform(0.01, 0.05)) for _ in range(rng.integers(2, 6))]
        else:
            pos = rng.uniform(0.03, 0.5)
            specs = []
            for _ in range(rng.integers(3, 12)):
                own = rng.uniform(0.02, 0.5)
                specs.append((int(rng.integers(0, 2)), own, min(own * rng.uniform(0.02, 0.6), 0.9)))
        y = (rng.random(n) < pos).astype(np.int64)
        L = np.full((n, len(specs)), -1, np.int8)
        for j, (c, own, other) in enumerate(specs):
            L[rng.random(n) < np.where(y == c, own, other), j] = c
        out.append((L, y))
    return out


TWO_CLASS = {"rare": (8, 30_000), "broad": (40, 5_000)}  # kind: (sets, rows)


def two_class(snorkel_seed: int) -> dict[str, dict[str, dict[str, float]]]:
    """Mean F1 (class 1), accuracy and ECE on covered rows, and error of the learned share of
    class 1, with no gold (``MajorityVoter``'s balance is uniform by definition)."""
    snorkel = snorkel_model()
    results: dict[str, dict[str, dict[str, float]]] = {}
    for kind, (sets, n) in TWO_CLASS.items():
        scores: dict[str, list[tuple[float, float, float, float]]] = {}
        for L, y in two_class_sets(kind, sets, n):
            covered = (L != -1).any(axis=1)
            probs = {name: make().fit(L, cardinality=2) for name, make in
                     (("LabelModel", LabelModel), ("DawidSkene", DawidSkene), ("MajorityVoter", MajorityVoter))}
            found = {name: (m.predict_proba(L), float(m.class_balance_[1])) for name, m in probs.items()}
            if snorkel is not None:
                sm = snorkel(cardinality=2, verbose=False)
                with contextlib.redirect_stderr(io.StringIO()):
                    sm.fit(L.astype(np.int64), n_epochs=100, seed=snorkel_seed, progress_bar=False)
                found["Snorkel-100"] = (sm.predict_proba(L.astype(np.int64)), float(np.asarray(sm.p)[1]))  # uniform: it learns none
            for name, (P, share) in found.items():
                pred = P.argmax(axis=1)
                tp = int(((pred == 1) & (y == 1)).sum())
                f1 = 2 * tp / max(2 * tp + int(((pred == 1) & (y == 0)).sum()) + int(((pred == 0) & (y == 1)).sum()), 1)
                scores.setdefault(name, []).append(
                    (f1, float((pred == y)[covered].mean()), ece(y[covered], P[covered]), abs(share - float(y.mean())))
                )
        results[kind] = {name: dict(zip(("f1", "covered_accuracy", "ece", "share_error"), np.mean(v, axis=0).tolist()))
                         for name, v in scores.items()}
    return results


def print_two_class(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    print("\n(a4) generated two-class sets, no gold, LFs voting one class each (means; see two_class_sets)")
    for kind, rows in results.items():
        sets, n = TWO_CLASS[kind]
        print(f"  {kind}: {sets} sets of {n:,} rows")
        print("  " + table(["model", "F1 (class 1)", "acc covered", "ECE covered", "|share error|"],
                           [[name, f"{r['f1']:.3f}", f"{r['covered_accuracy']:.3f}", f"{r['ece']:.3f}", f"{r['share_error']:.3f}"]
                            for name, r in rows.items()]).replace("\n", "\n  "))
    return []  # information: the issue sets no target here


# -- (b) speed -------------------------------------------------------------------------------
def speed(n: int, repeats: int, configs: list[tuple[int, int]]) -> dict[str, Any]:
    snorkel = snorkel_model()
    results: dict[str, Any] = {}
    for m, k in configs:
        L, y, _ = generate(n, m, k, seed=m * 100 + k)
        balance = np.full(k, 1.0 / k)
        entry: dict[str, Any] = {}
        for label, make in (("LabelModel", LabelModel), ("TripletModel", TripletModel), ("DawidSkene", DawidSkene), ("MajorityVoter", MajorityVoter)):
            def fit(make: Any = make, L: np.ndarray = L, k: int = k, balance: np.ndarray = balance) -> Any:
                return make().fit(L, cardinality=k, class_balance=balance)

            c_fit, t_fit, model = best_time(fit, repeats)
            c_pred, t_pred, proba = best_time(lambda model=model, L=L: model.predict_proba(L), repeats)
            entry[label] = {
                "fit": t_fit,
                "predict": t_pred,
                "fit_first": c_fit,
                "predict_first": c_pred,
                "accuracy": float((proba.argmax(1) == y).mean()),
            }
        if snorkel is not None:
            fit_snorkel(snorkel, L[:2000], k, balance, 5, 0)  # warm-up (torch start-up)
            t = time.perf_counter()
            sm = fit_snorkel(snorkel, L, k, balance, 100, 0)
            t_fit = time.perf_counter() - t
            t = time.perf_counter()
            proba = sm.predict_proba(L.astype(np.int64))
            t_pred = time.perf_counter() - t
            entry["Snorkel-100"] = {"fit": t_fit, "predict": t_pred, "accuracy": float((proba.argmax(1) == y).mean())}
        results[f"m={m}, k={k}"] = entry
    return results


SPEED_TARGET_ROWS = 1_000_000  # section (b)'s targets are for this many rows


def print_speed(results: dict[str, Any], n: int) -> list[str]:
    missed: list[str] = []
    print(f"\n(b) speed at n = {n:,} (seconds; x = Snorkel time / our time)")
    for config, entry in results.items():
        ref = entry.get("Snorkel-100")
        rows = []
        for label, r in entry.items():
            fx = f"{ref['fit'] / r['fit']:.1f}x" if ref else "-"
            px = f"{ref['predict'] / r['predict']:.1f}x" if ref else "-"
            first = f"{r['fit_first']:.3f} / {r['predict_first']:.3f}" if "fit_first" in r else "-"
            rows.append([label, f"{r['fit']:.3f}", fx, f"{r['predict']:.3f}", px, first, f"{100 * r['accuracy']:.1f}"])
        print(f"  {config}")
        print(table(["model", "fit s", "fit x", "predict s", "predict x", "1st run fit/predict", "acc %"], rows))
    first = next(iter(results.values()), {})
    if "LabelModel" in first and "Snorkel-100" in first:
        lm, sn = first["LabelModel"], first["Snorkel-100"]
        ratio = sn["fit"] / lm["fit"]
        cold = sn["fit"] / lm["fit_first"]
        if n != SPEED_TARGET_ROWS:  # fixed costs weigh more on fewer rows: the target is not for them
            print(f"  m=20, k=10: fit {ratio:.1f}x faster than Snorkel (first run {cold:.1f}x), predict_proba "
                  f"{lm['predict']:.3f} s (information: the targets are for n = {SPEED_TARGET_ROWS:,}, without --quick)")
            return missed
        missed.extend([] if ratio >= 20 and lm["predict"] < 1 else ["speed"])
        print(f"  target m=20, k=10: fit {ratio:.1f}x faster than Snorkel (>= 20x: {'met' if ratio >= 20 else 'MISSED'}; "
              f"first run {cold:.1f}x), predict_proba {lm['predict']:.3f} s (< 1 s: {'met' if lm['predict'] < 1 else 'MISSED'})")
    return missed


# -- (b0) fit-time targets ----------------------------------------------------------------
# name: (rows, LFs, classes, range of the share of rows each LF votes on, target)
FIT_TARGETS: dict[str, tuple[int, int, int, tuple[float, float], str]] = {
    "sparse: 1,749 x 164 LFs (~1% each), k=9": (1_749, 164, 9, (0.005, 0.015), "< 1 s"),
    "many classes: 2,000 x 3 LFs, k=200": (2_000, 3, 200, (0.3, 0.9), "< 2 s"),
    "dense: 1,000,000 x 20 LFs (10-50%), k=10": (1_000_000, 20, 10, (0.1, 0.5), ">= 20x Snorkel"),
}


def fit_targets(repeats: int) -> dict[str, Any]:
    """Default ``LabelModel().fit`` (no class balance; BLAS on one thread inside the fit), best
    of ``repeats``, and Snorkel's default fit (100 epochs, after a warm-up) on the same matrix."""
    snorkel = snorkel_model()
    results: dict[str, Any] = {}
    for name, (n, m, k, prop, _) in FIT_TARGETS.items():
        L, _, acc = generate(n, m, k, seed=n + m + k, prop=prop)
        _, best, model = best_time(lambda L=L, k=k: LabelModel().fit(L, cardinality=k), repeats)
        entry: dict[str, Any] = {"fit": best, "accuracy_mae": float(np.nanmean(np.abs(model.accuracies_ - acc)))}
        if snorkel is not None:
            A = L.astype(np.int64)
            fit_snorkel_default(snorkel, A[: min(n, 2000)], k, 5)  # warm-up (torch start-up)
            t = time.perf_counter()
            fit_snorkel_default(snorkel, A, k, 100)
            entry["snorkel_fit"] = time.perf_counter() - t
        results[name] = entry
    return results


def fit_snorkel_default(cls: Any, A: np.ndarray, k: int, epochs: int) -> Any:
    model = cls(cardinality=k, verbose=False)
    with contextlib.redirect_stderr(io.StringIO()):
        model.fit(A, n_epochs=epochs, seed=0, progress_bar=False)
    return model


def print_fit_targets(results: dict[str, Any], repeats: int) -> list[str]:
    missed: list[str] = []
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n(b0) LabelModel().fit wall time, best of {repeats} (load average {load})")
    for name, r in results.items():
        target = FIT_TARGETS[name][4]
        snorkel = r.get("snorkel_fit")
        if target.startswith("<"):
            ok = r["fit"] < float(target.split()[1])
        else:
            ok = snorkel is not None and snorkel / r["fit"] >= 20
        missed.extend([] if ok else [f"fit time ({name.split(':')[0]})"])
        ratio = f"{snorkel:.2f} s, {snorkel / r['fit']:.1f}x" if snorkel else "not installed"
        print(f"  {name}")
        print(f"    {r['fit']:.3f} s (target {target}: {'met' if ok else 'MISSED'}); Snorkel {ratio}; "
              f"accuracy MAE {r['accuracy_mae']:.3f}")
    return missed


# -- (c) recovery ----------------------------------------------------------------------------
def recovery(n: int, seeds: int) -> dict[str, Any]:
    snorkel = snorkel_model()
    results: dict[str, Any] = {}
    for k in (2, 3, 10):
        errs: dict[str, list[float]] = {}
        for seed in range(seeds):
            L, _, acc = generate(n, 20, k, seed=1000 + 10 * k + seed, prop=(0.05, 0.5))
            balance = np.full(k, 1.0 / k)
            runs: dict[str, Any] = {
                "LabelModel": LabelModel().fit(L, cardinality=k, class_balance=balance).accuracies_,
                "LabelModel (balance estimated)": LabelModel().fit(L, cardinality=k).accuracies_,
                "DawidSkene": DawidSkene().fit(L, cardinality=k, class_balance=balance).accuracies_,
                "TripletModel": TripletModel().fit(L, cardinality=k, class_balance=balance).accuracies_,
            }
            if snorkel is not None:
                runs["Snorkel-100"] = fit_snorkel(snorkel, L, k, balance, 100, seed).get_weights()
            for label, learned in runs.items():
                errs.setdefault(label, []).append(float(np.abs(np.asarray(learned) - acc).mean()))
        results[f"k={k}"] = {label: float(np.mean(v)) for label, v in errs.items()}
    return results


def print_recovery(results: dict[str, Any], n: int, seeds: int) -> list[str]:
    missed: list[str] = []
    print(f"\n(c) recovery: mean |learned - true accuracy| over 20 LFs (n = {n:,}, mean of {seeds} seeds)")
    labels = list(next(iter(results.values())))
    rows = [[label, *[f"{results[c][label]:.4f}" for c in results]] for label in labels]
    print(table(["model", *results], rows))
    mae = results["k=2"]["LabelModel"]
    missed.extend([] if mae < 0.02 else ["recovery"])
    print(f"  target (k=2, LabelModel): MAE {mae:.4f} < 0.02 -> {'met' if mae < 0.02 else 'MISSED'}")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--quick", action="store_true", help="n = 200,000 for speed, 1 recovery seed")
    parser.add_argument("--only", choices=("quality", "speed", "recovery"), action="append")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per model (best is kept)")
    parser.add_argument("--snorkel-seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    parts = set(args.only or ("quality", "speed", "recovery"))
    if snorkel_model() is None:
        print("Snorkel is not installed (pip install 'lf[snorkel]'): its columns are left out.")
    out: dict[str, Any] = {}
    missed: list[str] = []
    if "quality" in parts:
        if not args.data_dir.is_dir():
            print(f"data directory not found: {args.data_dir} (use --data-dir)", file=sys.stderr)
            return 2
        out["quality"] = quality(args.data_dir, args.snorkel_seed)
        missed += print_quality(out["quality"])
        missed += print_no_gold(out["quality"])
        out["demo"] = demo_corpus()
        missed += print_demo(out["demo"])
        out["two_class"] = two_class(args.snorkel_seed)
        missed += print_two_class(out["two_class"])
    if "speed" in parts:
        out["fit_targets"] = fit_targets(args.repeats)
        missed += print_fit_targets(out["fit_targets"], args.repeats)
        n = 200_000 if args.quick else SPEED_TARGET_ROWS
        out["speed"] = speed(n, 1 if args.quick else args.repeats, [(20, 10), (50, 2)])
        missed += print_speed(out["speed"], n)
    if "recovery" in parts:
        seeds = 1 if args.quick else 3
        out["recovery"] = recovery(100_000, seeds)
        missed += print_recovery(out["recovery"], 100_000, seeds)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    if missed:
        print(f"\ntargets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
