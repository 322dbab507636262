"""Model choice with a few gold labels: fit every candidate, keep the best on a labeled dev set."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import LabelMatrix, as_gold_array, as_label_array
from lf.models.base import BaseLabelModel, check_class_balance

__all__ = ["Selection", "default_candidates", "score", "select"]

METRICS = ("accuracy", "f1_macro")


class Selection(NamedTuple):
    """What :func:`select` returns: the fitted winner, its name, and every candidate's score."""

    model: BaseLabelModel
    name: str
    scores: dict[str, float]


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
    """``accuracy`` or ``f1_macro`` (F1 averaged over the classes present in ``y_true``)."""
    yp = np.asarray(y_pred)
    yt = as_gold_array(y_true, yp.shape[0], name="y_true")
    if metric == "accuracy":
        return float((yt == yp).mean()) if yt.size else math.nan
    f1s = []
    for c in np.unique(yt):
        tp = float(((yp == c) & (yt == c)).sum())
        fp = float(((yp == c) & (yt != c)).sum())
        fn = float(((yp != c) & (yt == c)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(f1s)) if f1s else math.nan


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
) -> Selection:
    """Fit each candidate on ``L_train`` and keep the one that scores best on ``(L_dev, y_dev)``.

    Parameters
    ----------
    candidates:
        Models (fitted or not; each is copied from its parameters), model classes or names
        from ``lf.models.MODELS``. ``None`` uses :func:`default_candidates`. On equal scores
        the earlier candidate wins.
    L_train, L_dev:
        Label matrices with the same LFs (columns) and cardinality.
    y_dev:
        Gold labels of the dev rows (``0 .. k-1``).
    class_balance:
        ``"dev"`` (default): the class frequencies of ``y_dev`` (every class gets at least
        one pseudo-count); ``None``: each model estimates or assumes its own; or ``k`` numbers.
    metric:
        ``"accuracy"`` (default) or ``"f1_macro"``.

    A candidate that cannot be fitted on this data (e.g. a model needing 3 LFs) scores NaN
    and is skipped; if none can be fitted, the first error is raised.
    """
    if metric not in METRICS:
        raise ParameterError(f"`metric` must be one of {METRICS}. Got {metric!r}.")
    A_train, k = as_label_array(L_train, getattr(L_train, "cardinality", None))
    A_dev, k_dev = as_label_array(L_dev, getattr(L_dev, "cardinality", None) or k)
    if k_dev != k:
        raise ParameterError(f"`L_dev` has cardinality {k_dev} but `L_train` has {k}.")
    if A_dev.shape[1] != A_train.shape[1]:
        raise ParameterError(f"`L_dev` has {A_dev.shape[1]} LFs but `L_train` has {A_train.shape[1]}.")
    if isinstance(L_train, LabelMatrix) and isinstance(L_dev, LabelMatrix) and L_train.names != L_dev.names:
        raise ParameterError("`L_train` and `L_dev` must have the same LFs in the same order (names differ).")
    y = as_gold_array(y_dev, A_dev.shape[0], name="y_dev")
    if y.size == 0:
        raise ParameterError("`y_dev` is empty: select needs at least one labeled dev row.")
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= k:
        raise ParameterError(f"`y_dev` must hold class ids 0..{k - 1}. Got values in [{y.min()!r}, {y.max()!r}].")
    if isinstance(class_balance, str):
        if class_balance != "dev":
            raise ParameterError(f"`class_balance` must be 'dev', None or {k} numbers. Got {class_balance!r}.")
        counts = np.bincount(y, minlength=k) + 1.0
        balance: Any = counts / counts.sum()
    else:
        balance = None if class_balance is None else check_class_balance(class_balance, k)

    # Any: BaseLabelModel declares no fit(); every registered model has one.
    models: list[Any] = [_as_model(c) for c in (default_candidates() if candidates is None else candidates)]
    if not models:
        raise ParameterError("`candidates` is empty: give at least one model.")
    scores: dict[str, float] = {}
    best: tuple[float, str, Any] | None = None
    first_error: Exception | None = None
    for model in models:
        name = _name(model, set(scores))
        try:
            model.fit(L_train, class_balance=balance, cardinality=k)
        except ValueError as exc:
            first_error = first_error or exc
            scores[name] = math.nan
            continue
        s = score(y, model.predict(L_dev), k, metric)
        scores[name] = s
        if best is None or s > best[0]:
            best = (s, name, model)
    if best is None:
        assert first_error is not None
        raise first_error
    return Selection(best[2], best[1], scores)
