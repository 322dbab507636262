"""Model choice with a few gold labels: fit every candidate, keep the best on a labeled dev set."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.gold import refuse_reordered_gold
from lf.matrix import LabelMatrix, as_gold_array, as_label_array, check_gold_range
from lf.models._checks import balance_by_label
from lf.models.base import (
    BaseLabelModel,
    OverconfidenceWarning,
    ReversedVotesWarning,
    UnderdeterminedWarning,
    UninformativeLFWarning,
    UnvotedClassWarning,
    check_class_balance,
)

__all__ = ["Selection", "default_candidates", "dev_balance", "score", "select"]

METRICS = ("accuracy", "f1_macro")


class Selection(NamedTuple):
    """What :func:`select` returns.

    ``model`` is the chosen candidate fitted on ``L_train`` with ``class_balance``;
    ``scores`` the cross-validated dev score of every candidate (NaN: could not be fitted);
    ``intervals`` the 95 % paired bootstrap interval of each candidate's score minus the
    default's; ``default`` the candidate kept unless another wins beyond that interval;
    ``balance_source`` says where ``class_balance`` came from.
    """

    model: BaseLabelModel
    name: str
    scores: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    default: str
    class_balance: npt.NDArray[np.float64] | None
    balance_source: str


def default_candidates() -> list[BaseLabelModel]:
    """The candidates ``select`` (and ``--model auto``) tries when none are given."""
    from lf.models import DawidSkene, LabelModel, MajorityVoter, TripletModel

    return [
        LabelModel(),
        LabelModel(abstain="model"),
        MajorityVoter(),
        DawidSkene(),
        TripletModel(),
    ]


def score(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, k: int, metric: str = "accuracy") -> float:
    """``accuracy`` or ``f1_macro`` (F1 averaged over the classes in ``y_true`` or
    ``y_pred``, as scikit-learn's macro F1; a prediction of -1, an abstain, is a miss)."""
    if metric not in METRICS:  # any other name scored as macro F1
        raise ParameterError(f"`metric` must be one of {METRICS}. Got {metric!r}.")
    yp = np.asarray(y_pred)
    yt = as_gold_array(y_true, yp.shape[0], name="y_true")
    check_gold_range(yt, k, name="y_true", matrix="y_pred", missing=False)  # -1 is no class
    if metric == "accuracy":
        return float((yt == yp).mean()) if yt.size else math.nan
    from lf.models._metrics import macro_f1

    return macro_f1(yt, yp)


def _name(model: BaseLabelModel, taken: set[str]) -> str:
    """Class name plus the parameters that differ from the defaults."""
    import inspect

    sig = inspect.signature(type(model).__init__).parameters
    changed = [f"{k}={v!r}" for k, v in model.get_params().items() if k in sig and sig[k].default != v]
    base = f"{type(model).__name__}({', '.join(changed)})" if changed else type(model).__name__
    name, i = base, 2
    while name in taken:
        name, i = f"{base} #{i}", i + 1
    return name


def _as_model(candidate: Any) -> BaseLabelModel:
    from lf.models import get_model

    if isinstance(candidate, str):
        return get_model(candidate)()
    if isinstance(candidate, type) and issubclass(candidate, BaseLabelModel):
        return candidate()
    if isinstance(candidate, BaseLabelModel):
        return type(candidate)(**candidate.get_params())  # a fresh copy: never refit the caller's
    raise ParameterError(
        "Each candidate must be a label model, a model class or a model name. "
        f"Got {candidate!r} ({type(candidate).__name__})."
    )


def select(
    candidates: Sequence[Any] | None,
    L_train: Any,
    L_dev: Any,
    y_dev: npt.ArrayLike,
    *,
    class_balance: Any = "dev",
    metric: str = "accuracy",
    folds: int = 3,
    n_boot: int = 1000,
    random_state: int = 0,
) -> Selection:
    """Choose a label model with a few gold-labeled dev rows, without overfitting them.

    Every candidate is fitted on ``L_train`` (never on the dev rows) and scored on the dev
    rows. With ``class_balance="dev"`` the balance comes from gold labels, so the dev rows
    are scored by ``folds``-fold cross-validation: each fold's rows are predicted by models
    fitted with the balance of the other folds' gold labels (the folds drawn with
    ``random_state``, an integer >= 0). The first candidate that can be fitted is the
    default; another candidate is chosen only when the 95 % paired bootstrap interval
    (``n_boot`` resamples of the dev rows, seeded by ``random_state``) of its score minus
    the default's lies above 0, and then the best such one. The chosen
    model is fitted again on ``L_train`` with the balance of all dev rows.

    Parameters
    ----------
    candidates:
        Models (fitted or not; each is copied from its parameters), model classes or names
        from ``lf.models.MODELS``. ``None`` uses :func:`default_candidates`. On equal scores
        the earlier candidate wins.
    L_train, L_dev:
        Label matrices with the same LFs (columns) and cardinality.
    y_dev:
        Gold labels of the dev rows (``0 .. k-1``, or label names, in any case, when the
        matrices have them).
    class_balance:
        ``"dev"`` (default): the class frequencies of ``y_dev`` (every class gets one
        pseudo-count); ``None``: each model estimates or assumes its own; or ``k`` numbers
        (keyed by label name or class id as ``fit`` takes them).
    metric:
        ``"accuracy"`` (default) or ``"f1_macro"``.

    A candidate that cannot be fitted on this data (e.g. a model needing 3 LFs) scores NaN
    and is skipped; if none can be fitted, the first error is raised.
    """
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {METRICS}. Got {metric!r}.")
    for name, value, low in (("folds", folds, 2), ("n_boot", n_boot, 1), ("random_state", random_state, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError(f"`{name}` must be an integer >= {low}. Got {value!r}.")
    A_train, k = as_label_array(L_train, getattr(L_train, "cardinality", None))
    A_dev, k_dev = as_label_array(L_dev, getattr(L_dev, "cardinality", None) or k)
    if k_dev != k:
        raise ParameterError(f"`L_dev` has cardinality {k_dev} but `L_train` has {k}.")
    if A_dev.shape[1] != A_train.shape[1]:
        raise ParameterError(f"`L_dev` has {A_dev.shape[1]} LFs but `L_train` has {A_train.shape[1]}.")
    if isinstance(L_train, LabelMatrix) and isinstance(L_dev, LabelMatrix) and L_train.names != L_dev.names:
        raise ParameterError("`L_train` and `L_dev` must have the same LFs in the same order (names differ).")
    if isinstance(L_train, LabelMatrix) and isinstance(L_dev, LabelMatrix) and L_train.labels and L_dev.labels \
            and L_train.labels != L_dev.labels:
        raise ParameterError(
            f"`L_train` labels {', '.join(L_train.labels)} and `L_dev` labels {', '.join(L_dev.labels)} (in that "
            "order): a class id would mean another label in each. Apply the same LF module to both."
        )
    if isinstance(L_train, LabelMatrix) and isinstance(L_dev, LabelMatrix):
        pairs = zip(L_train.names, L_train.lf_fingerprints or (), L_dev.lf_fingerprints or ())
        changed = [n for n, a, b in pairs if a and b and a != b]
        if changed:
            raise ParameterError(
                f"`L_dev` was made when LF {changed[0]!r} had another definition (code, code it calls, resources or "
                "declared files) than in `L_train`: the dev rows would score the models on votes the training "
                "matrix's LF does not give. Apply the same LF module to both."
            )
    labels = next((M.labels for M in (L_dev, L_train) if isinstance(M, LabelMatrix) and M.labels), None)
    refuse_reordered_gold(L_dev, y_dev, "y_dev", "L_dev")
    y = _dev_ids(y_dev, A_dev.shape[0], k, labels)
    if y.size == 0:
        raise ParameterError("`y_dev` is empty: select needs at least one labeled dev row.")
    check_gold_range(y, k, name="y_dev", matrix="L_dev", missing=False)
    from_dev = isinstance(class_balance, str)
    if from_dev and class_balance != "dev":
        raise ParameterError(f"`class_balance` must be 'dev', None or {k} numbers. Got {class_balance!r}.")
    balance = (dev_balance(y, k, labels, warn=True) if from_dev else None if class_balance is None
               else check_class_balance(balance_by_label(class_balance, L_train), k))
    source = (
        f"dev gold labels ({y.size:,} rows)" if from_dev else "estimated by each model" if balance is None else "given"
    )
    # Any: BaseLabelModel declares no fit(); every registered model has one.
    models: list[Any] = [_as_model(c) for c in (default_candidates() if candidates is None else candidates)]
    if not models:
        raise ParameterError("`candidates` is empty: give at least one model.")
    for model in models:  # a bad parameter is the caller's error, not "cannot be fitted here"
        model._check_params()
    fold = np.random.default_rng(random_state).permutation(y.size) % min(folds, y.size) if from_dev else None
    names: list[str] = []
    preds: dict[str, npt.NDArray[np.int64]] = {}
    first_error: Exception | None = None
    for model in models:
        name = _name(model, set(names))
        names.append(name)
        try:
            preds[name] = _held_out(model, L_train, L_dev, y, k, balance, fold)
        except ValueError as exc:
            first_error = first_error or exc
    if not preds:
        assert first_error is not None
        raise first_error
    scores = {name: score(y, preds[name], k, metric) if name in preds else math.nan for name in names}
    default = next(name for name in names if name in preds)
    intervals = paired_intervals(y, preds, default, k, metric, n_boot, random_state)
    winners = [n for n in preds if n != default and intervals[n][0] > 0.0]
    chosen = max(winners, key=lambda n: scores[n]) if winners else default  # max keeps the earlier on ties
    model = models[names.index(chosen)]
    model.fit(L_train, class_balance=balance, cardinality=k)
    return Selection(model, chosen, scores, intervals, default, balance, source)


def dev_balance(y: npt.NDArray[np.int64], k: int, labels: Sequence[str] | None = None, *, warn: bool = False) -> npt.NDArray[np.float64]:
    """Class frequencies of gold labels, one pseudo-count per class.

    ``warn``: say when some class has no dev row (its share is then the pseudo-count's
    alone, and the labels lean away from it however the LFs vote)."""
    counts = np.bincount(y, minlength=k) + 1.0
    balance = np.asarray(counts / counts.sum(), np.float64)
    absent = np.flatnonzero(counts == 1.0)
    if warn and absent.size:
        names = [str(labels[int(c)]) if labels else str(c) for c in absent]
        warnings.warn(
            f"The class balance comes from {y.size:,} dev rows, and none of them is {' or '.join(names)}: "
            f"the balance gives {' and '.join(f'{n} {balance[c]:.3f}' for n, c in zip(names, absent, strict=True))}, "
            "so the labels lean away from it whatever the LFs vote. Add dev rows of every class, or give the "
            "class balance.",
            UserWarning,
            stacklevel=3,
        )
    return balance


def _dev_ids(y_dev: Any, n: int, k: int, labels: Sequence[str] | None) -> npt.NDArray[np.int64]:
    """``y_dev`` as class ids: label names are taken, as everywhere gold labels are."""
    from lf.models._metrics import named_gold

    named = named_gold(y_dev, n, k, labels, "`y_dev`")
    return named if named is not None else as_gold_array(y_dev, n, name="y_dev")


def _held_out(
    model: Any, L_train: Any, L_dev: Any, y: npt.NDArray[np.int64], k: int, balance: Any, fold: Any
) -> npt.NDArray[np.int64]:
    """Dev predictions of ``model`` fitted on ``L_train``; per fold when the balance is the dev rows'.

    A fit that is underdetermined here is said once, by the chosen model's final fit (when
    it is chosen), not by every candidate and fold."""
    with warnings.catch_warnings():
        for said_once in (UnderdeterminedWarning, UninformativeLFWarning, UnvotedClassWarning, ReversedVotesWarning,
                          OverconfidenceWarning):
            warnings.simplefilter("ignore", said_once)
        return _held_out_fits(model, L_train, L_dev, y, k, balance, fold)


def _held_out_fits(
    model: Any, L_train: Any, L_dev: Any, y: npt.NDArray[np.int64], k: int, balance: Any, fold: Any
) -> npt.NDArray[np.int64]:
    if fold is None:
        return np.asarray(model.fit(L_train, class_balance=balance, cardinality=k).predict(L_dev), np.int64)
    A_dev = np.asarray(L_dev.array if isinstance(L_dev, LabelMatrix) else L_dev)
    out = np.empty(y.size, np.int64)
    for f in np.unique(fold):
        rows = fold == f
        model.fit(L_train, class_balance=dev_balance(y[~rows], k), cardinality=k)
        out[rows] = model.predict(L_dev[rows] if isinstance(L_dev, LabelMatrix) else A_dev[rows])
    return out


def paired_intervals(
    y: npt.NDArray[np.int64],
    preds: dict[str, npt.NDArray[np.int64]],
    default: str,
    k: int,
    metric: str,
    n_boot: int,
    random_state: int,
) -> dict[str, tuple[float, float]]:
    """95 % interval of ``score(candidate) - score(default)`` over bootstrap resamples of the rows
    (the same resamples for every candidate: a paired comparison)."""
    rng = np.random.default_rng(random_state)
    idx = rng.integers(0, y.size, (n_boot, y.size))
    base = _boot_scores(y, preds[default], idx, k, metric)
    out: dict[str, tuple[float, float]] = {}
    for name, pred in preds.items():
        diff = _boot_scores(y, pred, idx, k, metric) - base
        lo, hi = np.percentile(diff, [2.5, 97.5])
        out[name] = (float(lo), float(hi))
    return out


def _boot_scores(
    y: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], idx: npt.NDArray[np.int64], k: int, metric: str
) -> npt.NDArray[np.float64]:
    if metric == "accuracy":
        return np.asarray((pred == y)[idx].mean(axis=1), np.float64)
    return np.array([score(y[i], pred[i], k, metric) for i in idx])
