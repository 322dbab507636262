"""Checks of what reaches a label model from outside: constructor arguments, a class
balance by label name, and the learned arrays of a model file."""

from __future__ import annotations

import hashlib
import inspect
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.display import label_list
from lf.errors import DataError, ParameterError
from lf.matrix import LabelMatrix

__all__ = [
    "SidecarMismatch",
    "balance_by_label",
    "check_loaded",
    "check_rates",
    "json_array",
    "refuse_arguments",
    "refuse_call_arguments",
    "sidecar_arrays",
]


def _by_class_id(items: list[tuple[Any, Any]]) -> list[Any] | None:
    """The numbers of a dict or Series keyed by class ids (whole floats too, as gold read
    with gaps holds them), in class order (None: keyed otherwise)."""
    keys = [key for key, _ in items]
    whole = (int, np.integer, float, np.floating)
    if not all(isinstance(key, whole) and not isinstance(key, (bool, np.bool_)) and float(key).is_integer() for key in keys):
        return None
    ids = [int(key) for key in keys]
    if sorted(ids) != list(range(len(ids))):
        raise ParameterError(
            f"`class_balance` is keyed by the class ids {ids}: it must hold each class id "
            f"0..{len(ids) - 1} once (one value per class), or be keyed by the label names."
        )
    return [value for _, value in sorted(zip(ids, (value for _, value in items), strict=True))]


def balance_by_label(class_balance: Any, L: Any) -> Any:
    """A class balance given as a dict or a pandas Series (``value_counts(normalize=True)``:
    the most frequent class first) as numbers in class order, read by its keys, label names
    (any case) or class ids, never by position; anything else as it is."""
    if isinstance(class_balance, Mapping) or (
        hasattr(class_balance, "index") and hasattr(class_balance, "items") and not isinstance(class_balance, np.ndarray)
    ):
        items = list(class_balance.items())
    else:
        return class_balance
    labels = list(L.labels) if isinstance(L, LabelMatrix) and L.labels else None
    numbers = [name for name, _ in items if not isinstance(name, str)]
    if numbers and labels is not None:
        from lf.gold import numbers_are_ambiguous

        if numbers_are_ambiguous(labels):
            raise ParameterError(
                f"`class_balance` is keyed by the number {numbers[0]!r}, and the labels {label_list(labels)} are "
                "numbers that are not their own class ids: it could be the label or the class id. Key it by "
                "the label names as text, or give one number per class, in class order."
            )
    in_order = _by_class_id(items)  # a dict or Series keyed by class ids (value_counts of ids)
    if in_order is not None:
        return in_order
    if labels is None:
        raise ParameterError(
            "`class_balance` by label name needs a LabelMatrix with label names; "
            "for this matrix give one number per class, in class order."
        )
    given: dict[str, Any] = {}
    for name, value in items:
        key = str(name).lower()
        if key not in {label.lower() for label in labels}:
            raise ParameterError(f"`class_balance` names {name!r}, not a label of the matrix ({label_list(labels)}).")
        if key in given:
            raise ParameterError(f"`class_balance` gives {name!r} more than once (label names match in any case).")
        given[key] = value
    missing = [label for label in labels if label.lower() not in given]
    if missing:
        raise ParameterError(f"`class_balance` gives no value for {', '.join(missing)}: give one for every label.")
    return [given[label.lower()] for label in labels]


def json_array(entry: dict[str, Any], name: str) -> npt.NDArray[Any]:
    """A learned array saved inline, in the dtype it was saved with; refused when that is
    not a number type or would change a value (a file edited by hand: an int8 cast turns
    every rate into 0)."""
    dtype, raw = np.dtype(entry["dtype"]), np.asarray(entry["array"])
    if dtype.kind not in "biuf" or (raw.size and raw.dtype.kind not in "biuf"):
        raise DataError(f"{name} must be numbers saved with a number dtype, not {dtype} ({raw.dtype} values)")
    with np.errstate(invalid="ignore", over="ignore"):
        arr = raw.astype(dtype)
    if not np.array_equal(arr.astype(np.float64), raw.astype(np.float64), equal_nan=True):
        raise DataError(f"{name}'s values change when read as its dtype {dtype}")
    return arr


def check_rates(model: Any, m: int | None, k: int) -> None:
    """The learned probability tables (``_rate_tables``) hold probabilities, and the
    accuracies are one per LF, each a probability.

    Only each rate is checked, not their sum over an LF's outcomes: a moment fit on few
    rows (LabelModel, TripletModel) can learn rates of one LF under a class that sum past
    1, and a model that fit gives must load back as it was saved."""
    for name in model._rate_tables:
        table = np.asarray(getattr(model, name), np.float64)
        if not (np.isfinite(table).all() and table.min(initial=0.0) >= 0.0 and table.max(initial=0.0) <= 1.0):
            raise DataError(f"{name} must hold probabilities, each in [0, 1]")
    acc = getattr(model, "accuracies_", None)
    if acc is not None:
        values = np.asarray(acc, np.float64)
        if m is not None and values.shape != (m,):
            raise DataError(f"accuracies_ must be {m} numbers, one per LF, not {values.size}")
        if np.any((values < 0.0) | (values > 1.0)) or np.isinf(values).any():
            raise DataError("accuracies_ must be between 0 and 1 (NaN for an LF that never votes)")


def refuse_arguments(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The ParameterError for constructor arguments ``cls`` does not take (keyword-only
    parameters given by position, or names it has not); returns for any other mismatch."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    allowed = ", ".join(names) or "none"
    if args and not any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params):
        example = f"{cls.__name__}({names[0]}=...)" if names else f"{cls.__name__}()"
        raise ParameterError(f"{cls.__name__} takes keyword arguments only, e.g. {example}. Got {args!r}.")
    unknown = sorted(set(kwargs) - set(names))
    if not unknown:
        return
    hint = (
        " The number of classes comes from the label matrix: a LabelMatrix knows it, and for a "
        "plain array pass fit(L, cardinality=k)."
        if "cardinality" in unknown
        else ""
    )
    raise ParameterError(f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))}.{hint} Its parameters: {allowed}.")


def sidecar_arrays(path: Path, name: Any, digest: Any = None) -> dict[str, npt.NDArray[Any]]:
    """Every array of a model's sidecar .npz, read now. ``digest``: the SHA-256 of its bytes
    the model file names (files saved before it was kept name none): another sidecar, left
    by another save of that name, is refused."""
    if not isinstance(name, str) or Path(name).name != name:
        raise DataError(f"the sidecar name must be a file name next to the model. Got {name!r}")
    data = path.with_name(name).read_bytes()
    if digest is not None and hashlib.sha256(data).hexdigest() != digest:
        raise SidecarMismatch(
            f"{str(path)!r} does not match its arrays file {name!r}: its bytes are not those the save "
            "wrote (damaged, or replaced by another save's, e.g. one interrupted between the two files). "
            "Save the model again."
        )
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {key: z[key] for key in z.files}


def named_arrays_file(
    path: Path, name_key: str, digest_key: str, default: str | None = None
) -> tuple[Path, str | None] | None:
    """The arrays file the model file ``path`` names (under ``name_key``, its digest under
    ``digest_key``), if ``path`` is a readable JSON model file naming one next to it;
    ``default``: the name of a file that records a digest but no name (an older layout)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    name = doc.get(name_key, default if digest_key in doc else None)
    if not isinstance(name, str) or not name or Path(name).name != name:
        return None
    digest = doc.get(digest_key)
    return path.with_name(name), digest if isinstance(digest, str) else None


def _drop_replaced_arrays(old: tuple[Path, str | None] | None, kept: Path | None) -> None:
    """After a model file was replaced: remove the arrays file the replaced one named, unless
    the new one names it too. Only when its bytes are the ones that model file recorded (so
    only that save's own arrays, never a file that took the name since); a file it cannot
    remove is left, as are the arrays of files saved before the digest was kept."""
    if old is None or old[1] is None or (kept is not None and old[0].name == kept.name):
        return
    try:
        if hashlib.sha256(old[0].read_bytes()).hexdigest() == old[1]:
            old[0].unlink()
    except OSError:
        pass


def write_model_files(
    path: Path, doc: dict[str, Any], arrays: bytes | None, text: Callable[[dict[str, Any]], str], *,
    stem: str, keys: tuple[str, str], legacy: str | None = None,
) -> None:
    """Write the model file ``path`` (``text(doc)``) and its ``arrays`` (.npz bytes, or None
    for none) as ``<stem>.<digest>.npz`` beside it, ``doc`` naming them and their SHA-256
    under ``keys``. The arrays are named by their digest and written first, so a save that
    fails or is killed part way never replaces the arrays the older model file names: the
    older model stays whole (beside, perhaps, a new arrays file nothing names). Once the
    model file is in place, the arrays the replaced one named are removed. ``legacy``: the
    arrays name of files an older lf wrote with a digest but no name."""
    from lf.io import atomic_path

    refuse_other_model(path, str(doc["format"]))
    replaced = named_arrays_file(path, *keys, legacy) if path.is_file() else None
    npz = None
    if arrays is not None:
        digest = hashlib.sha256(arrays).hexdigest()
        npz = path.with_name(f"{stem}.{digest[:16]}.npz")
        with atomic_path(npz) as tmp, open(tmp, "wb") as fh:
            fh.write(arrays)
        doc[keys[0]], doc[keys[1]] = npz.name, digest
    with atomic_path(path) as tmp:
        tmp.write_text(text(doc), encoding="utf-8")
    _drop_replaced_arrays(replaced, npz)


_KINDS = {"lf.model": "a label model (lf fit)", "lf.end_model": "an end model (lf train)"}


def refuse_other_model(path: Path, fmt: str) -> None:
    """Refuse to save a model of format ``fmt`` over a model file of another kind (an end
    model's model.json where a label model is saved, or the other way round): the one
    there would be lost. A model of the same kind (any version) is replaced."""
    if not path.is_file():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    was = old.get("format") if isinstance(old, dict) else None
    if isinstance(was, str) and was.split("/")[0] in _KINDS and was.split("/")[0] != fmt.split("/")[0]:
        raise DataError(
            f"{str(path)!r} holds {_KINDS[was.split('/')[0]]}; saving {_KINDS.get(fmt.split('/')[0], 'a model')} "
            "there would replace it. Give another path (or remove that file)."
        )


def model_file_and_arrays(
    path: Path, keys: tuple[str, str] = ("npz", "npz_sha256"), legacy: str | None = None
) -> list[Path]:
    """A saved model's files as a command reads them: ``path``, the arrays name an older lf
    gave (``legacy``, default ``<stem>.model.npz``) and the arrays file ``path`` names."""
    old = path.with_name(legacy or f"{path.stem}.model.npz")
    named = named_arrays_file(path, *keys, legacy) if path.is_file() else None
    return list(dict.fromkeys([path, old, *([named[0]] if named else [])]))


class SidecarMismatch(DataError):
    """A model file and its sidecar .npz that do not belong together."""


def check_loaded(model: Any) -> None:
    """What a model file edited by hand or from another version may get wrong, as a
    DataError: its parameters, the shared learned attributes, and whether it predicts
    probabilities (one row with no vote, one row of every LF voting each class)."""
    from lf.models.base import check_class_balance

    try:
        model._check_params()
    except ParameterError as exc:
        raise DataError(str(exc)) from None
    model._check_fitted()
    k, m = model.cardinality_, getattr(model, "n_lfs_", None)
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise DataError(f"cardinality_ must be an integer >= 2, not {k!r}")
    if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
        raise DataError(f"n_lfs_ must be a positive integer, not {m!r}")
    try:
        check_class_balance(model.class_balance_, k)
    except ParameterError as exc:
        raise DataError(f"class_balance_: {exc}") from None
    names = getattr(model, "lf_names_", None)
    if names is not None and (
        not isinstance(names, list) or not all(isinstance(n, str) for n in names) or (m is not None and len(names) != m)
    ):
        raise DataError(f"lf_names_ must be {m if m is not None else 'the'} LF names, not {names!r}")
    prints = getattr(model, "lf_fingerprints_", None)
    if prints is not None and (
        names is None or not isinstance(prints, list) or len(prints) != len(names)
        or not all(p is None or isinstance(p, str) for p in prints)
    ):
        raise DataError(f"lf_fingerprints_ must hold one digest or null per LF name, not {str(prints)[:200]}")
    labels = getattr(model, "label_names_", None)
    if labels is not None and (not isinstance(labels, list) or len(labels) != k or not all(isinstance(n, str) for n in labels)):
        raise DataError(f"label_names_ must be {k} label names, not {labels!r}")
    check_rates(model, m, k)
    width = m if m is not None else len(names) if names is not None else None
    if width is None:  # a model that keeps no LF count (an old MajorityVoter, a plugin's)
        return
    probe = np.vstack([np.full((1, width), -1), np.repeat(np.arange(k), width).reshape(k, width)])
    proba = np.asarray(model.predict_proba(probe), dtype=np.float64)
    if proba.shape != (k + 1, k) or not np.all(np.isfinite(proba)) or not np.allclose(proba.sum(axis=1), 1.0):
        raise DataError("its learned parameters do not give probabilities")


# Snorkel's LabelModel.fit options that have no lf counterpart: lf's fits run to convergence.
_SNORKEL_TRAINING = frozenset({
    "n_epochs", "lr", "l2", "optimizer", "optimizer_config", "lr_scheduler", "lr_scheduler_config",
    "prec_init", "mu_eps", "log_freq", "seed", "progress_bar", "verbose", "device",
})
_SNORKEL_ARGUMENTS = {
    "Y_dev": "give the class balance instead: fit(L, class_balance=...), for dev gold labels "
    "np.bincount(y_dev, minlength=k) / len(y_dev).",
    "tie_break_policy": "lf's `abstain` says which rows get ABSTAIN: abstain='ties' (tied top classes "
    "and rows no LF voted on, as Snorkel's 'abstain'), 'uncovered', or None (every row labeled, "
    "the lowest class on a tie within 1e-5).",
    "return_probs": "call predict_proba(L) for the probabilities (predict_both(L) gives both).",
    "Y": "gold labels are the second argument: score(L, y, metrics).",
    "L_train": "the label matrix is the first argument: fit(L).",
}


# Snorkel's positional arguments after the ones lf's methods take, by method: a call such
# as ``model.predict(L, True)`` is refused as ``return_probs`` by name.
SNORKEL_POSITIONAL = {
    "fit": ("Y_dev", "class_balance", "progress_bar"),
    "predict": ("return_probs", "tie_break_policy"),
    "score": ("tie_break_policy",),
}


def refuse_call_arguments(
    model: Any, method: str, unknown: Mapping[str, Any], allowed: tuple[str, ...], extra: tuple[Any, ...] = (),
    positional: int = 1,
) -> None:
    """The ParameterError for arguments ``model.method`` does not take: keywords Snorkel's
    methods take (``fit(L, n_epochs=100)``, ``predict(L, tie_break_policy=...)``) named with
    what lf takes instead, any other one with the arguments there are; ``extra`` positional
    arguments beyond the ``positional`` ones lf takes, named as in Snorkel's method
    (``predict(L, True)`` is its ``return_probs``). Returns when there are none."""
    cls = type(model).__name__
    if extra:
        names = SNORKEL_POSITIONAL.get(method, ())[: len(extra)]
        if len(extra) > len(names):
            takes = ", ".join(allowed[:positional])
            raise ParameterError(
                f"{cls}.{method} takes {positional} positional argument{'s' if positional > 1 else ''} "
                f"({takes}); got {positional + len(extra)}. Pass the others by keyword: {', '.join(allowed)}."
            )
        taken = [n for n in names if n in allowed]
        if taken:
            raise ParameterError(f"{cls}.{method} takes `{taken[0]}` by keyword only: {method}(..., {taken[0]}=...).")
        unknown = {**dict(zip(names, extra)), **unknown}
    if not unknown:
        return
    name = min(unknown)
    params = type(model)._param_names()
    if name in params:
        raise ParameterError(f"`{name}` is a parameter of {cls}: {cls}({name}=...).{method}(L).")
    if name == "seed" and "random_state" in params:
        raise ParameterError(f"`seed` is `random_state` here: {cls}(random_state=...).{method}(L).")
    if name in _SNORKEL_ARGUMENTS:
        raise ParameterError(f"{cls}.{method} takes no `{name}` (Snorkel's argument): {_SNORKEL_ARGUMENTS[name]}")
    if name in _SNORKEL_TRAINING:
        raise ParameterError(
            f"{cls}.{method} takes no `{name}` (a Snorkel training option): lf fits its models by L-BFGS "
            "or EM until they converge, with no epochs, learning rate or seed. The model's options are "
            f"its parameters: {cls}({', '.join(params) or ''})."
        )
    raise ParameterError(f"{cls}.{method} has no argument {name!r}. Its arguments: {', '.join(allowed)}.")


class SnorkelMethodError(ParameterError, AttributeError):
    """One of Snorkel's label model methods lf's models do not have: an AttributeError (so
    ``hasattr`` says False) that names what lf has instead."""


def snorkel_method(cls: Any, name: str) -> AttributeError:
    """The error for ``model.<name>`` on a model of class ``cls``: Snorkel's ``get_weights``
    and ``get_conditional_probs`` name the learned attribute that holds the same numbers;
    any other missing attribute is Python's own AttributeError."""
    model, state = cls.__name__, cls._state
    if name == "get_weights":
        instead = (
            "its learned accuracies are the attribute `accuracies_` (one per LF, after fit)."
            if "accuracies_" in state else "it learns no weights: every LF's vote counts the same."
        )
    elif name == "get_conditional_probs":
        if "confusion_" in state:
            instead = "its tables are `confusion_` (m x (k+1) x k, P(vote | class), ABSTAIN first, as Snorkel's)."
        elif "mu_" in state:
            instead = (
                "its tables are `mu_` (m x k x k, P(vote | class) with ABSTAIN left out: "
                "P(ABSTAIN | class) is 1 minus a column's sum)."
            )
        else:
            instead = "it learns no tables: every LF's vote counts the same."
    else:
        return AttributeError(f"{model!r} object has no attribute {name!r}")
    return SnorkelMethodError(f"{model} has no {name}() (Snorkel's LabelModel method): {instead}")
