"""Scores of a label model against gold labels: pure functions over plain arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError

__all__ = [
    "METRICS", "accuracy", "brier", "check_gold", "check_metrics", "class_f1", "ece", "f1", "macro_f1", "reliability", "scores",
]

METRICS = ("accuracy", "f1", "coverage", "brier", "ece")
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def check_metrics(metrics: Any) -> tuple[str, ...]:
    """``metrics`` as a tuple of known names (a single name is accepted too)."""
    try:
        names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    except TypeError:  # None, a number: not names
        names = ()
    unknown = [m for m in names if not isinstance(m, str) or m not in METRICS]
    if unknown or not names:
        raise ParameterError(
            f"`metrics` must name one or more of {', '.join(METRICS)}. Got {metrics!r}."
        )
    return names


def named_gold(y: Any, n: int, k: int, labels: Sequence[str] | None, what: str) -> IntArray | None:
    """Gold labels given as label names (or ids among them, as lf.summarize takes them) for
    ``n`` rows, as class ids; None when the classes have no names or ``y`` holds numbers.
    A column vector (``n x 1``) is taken too. ``what`` names ``y`` in the errors."""
    values = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)  # a list of ints stays ints
    if not labels or values.dtype.kind not in "OUS":
        return None
    from lf.gold import gold_ids

    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape != (n,):
        raise ParameterError(f"{what} must hold one gold label per row: {n} rows, got shape {values.shape}.")
    return gold_ids(values, labels, k, what=what)


def check_gold(y: Any, n: int, k: int, labels: Sequence[str] | None = None) -> IntArray:
    """Gold labels: one class id ``0 .. k-1`` per row, or ``-1`` for a row without one; or,
    when the classes have names (``labels``), those names in any case.

    As everywhere in lf, a column vector (``n x 1``, as Snorkel's tests pass) and floats
    holding whole numbers are accepted.
    """
    from lf.matrix import as_gold_array, check_gold_range

    named = named_gold(y, n, k, labels, "`y`")
    if named is not None:
        return named
    arr = as_gold_array(y, n)
    if labels:
        from lf.gold import refuse_ambiguous_numbers

        refuse_ambiguous_numbers(labels, "`y`")
    check_gold_range(arr, k, name="y", matrix="L", missing=True)
    return arr


def accuracy(y: IntArray, pred: IntArray) -> float:
    """Share of rows where ``pred`` equals ``y`` (NaN without rows)."""
    return float((pred == y).mean()) if y.size else float("nan")


def class_f1(y: IntArray, pred: IntArray, c: int) -> float:
    """F1 of class ``c`` (a prediction of -1, an abstain, is a miss). NaN, undefined, when no
    row has ``c`` as its gold label or its prediction: scikit-learn's ``zero_division=np.nan``,
    not its default 0, which reads as a class always missed."""
    tp = float(np.count_nonzero((pred == c) & (y == c)))
    wrong = float(np.count_nonzero((pred == c) != (y == c)))  # false positives + negatives
    return 2.0 * tp / (2.0 * tp + wrong) if tp + wrong else float("nan")


def macro_f1(y: IntArray, pred: IntArray) -> float:
    """The mean :func:`class_f1` over the classes that occur in ``y`` or ``pred`` (scikit-learn's
    macro F1: a class in neither is undefined and left out, as ``zero_division=np.nan`` does);
    NaN without rows."""
    classes = np.union1d(y, pred[pred >= 0])
    return float(np.mean([class_f1(y, pred, int(c)) for c in classes])) if classes.size else float("nan")


def f1(y: IntArray, pred: IntArray, k: int) -> float:
    """Binary (``k = 2``): F1 of the positive class 1, NaN (undefined) when no row has class 1
    as its gold label or its prediction. ``k > 2``: :func:`macro_f1`."""
    if not y.size:
        return float("nan")
    return class_f1(y, pred, 1) if k == 2 else macro_f1(y, pred)


def brier(y: IntArray, proba: FloatArray) -> float:
    """Mean over rows of ``sum_c (P(c) - 1[y = c])^2`` (0 is perfect, 2 the worst): Brier's
    own multi-class score. With two classes it is twice scikit-learn's ``brier_score_loss``,
    which scores the positive class's probability only."""
    if not y.size:
        return float("nan")
    onehot = np.zeros_like(proba)
    onehot[np.arange(y.size), y] = 1.0
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def reliability(
    y: IntArray, proba: FloatArray, bins: int = 10, pred: IntArray | None = None
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Rows binned by confidence (the probability of their label) into ``bins`` equal-width
    bins of [0, 1]: per bin the row count, the summed confidence and the number of right labels.

    ``pred``: the labels given (a model's ``predict``); without it, each row's argmax (the
    top probability). They differ where a tie was broken otherwise
    (``MajorityVoter(tie_break="random")``), and the bins must score the labels the accuracy
    scores, at the confidence ``lf label`` writes for them."""
    chosen = (proba.argmax(axis=1) if y.size else np.zeros(0, np.int64)) if pred is None else pred
    conf = np.asarray(proba[np.arange(y.size), chosen] if y.size else np.zeros(0), np.float64)
    right = np.asarray(chosen == y, np.float64)
    which = np.minimum((conf * bins).astype(np.int64), bins - 1)
    counts = np.bincount(which, minlength=bins).astype(np.int64)
    total_conf = np.bincount(which, weights=conf, minlength=bins).astype(np.float64)
    total_right = np.bincount(which, weights=right, minlength=bins).astype(np.float64)
    return counts, total_conf, total_right


def ece(y: IntArray, proba: FloatArray, bins: int = 10, pred: IntArray | None = None) -> float:
    """Expected calibration error: over the :func:`reliability` bins, the row-weighted mean
    of ``|accuracy - mean confidence|`` (the accuracy of ``pred``, else of the argmax)."""
    if not y.size:
        return float("nan")
    _, conf, right = reliability(y, proba, bins, pred)
    return float(np.abs(right - conf).sum() / y.size)


def scores(
    metrics: Sequence[str], y: IntArray, pred: IntArray, proba: FloatArray, k: int
) -> dict[str, float]:
    """Each metric over the rows with a prediction and a gold label (``pred != -1``,
    ``y != -1``); ``coverage`` is the share of all rows with a prediction."""
    labelled = pred != -1
    keep = labelled & (y != -1)
    yk, pk, qk = y[keep], pred[keep], proba[keep]
    out: dict[str, float] = {}
    for name in metrics:
        if name == "accuracy":
            out[name] = accuracy(yk, pk)
        elif name == "f1":
            out[name] = f1(yk, pk, k)
        elif name == "coverage":
            out[name] = float(labelled.mean()) if labelled.size else float("nan")
        elif name == "brier":
            out[name] = brier(yk, qk)
        else:
            out[name] = ece(yk, qk, pred=pk)
    return out
