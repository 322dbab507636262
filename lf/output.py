"""Probabilistic training labels as a table: what ``lf label`` writes."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.core import ABSTAIN
from lf.errors import DataError, ParameterError
from lf.matrix import LabelMatrix
from lf.models.base import top_class

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RESERVED_COLUMNS", "UNCOVERED", "check_label_names", "label_names", "labels_frame"]

RESERVED_COLUMNS = ("id", "label", "confidence", "covered")


def label_names(L: LabelMatrix) -> tuple[str, ...]:
    """The class names of ``L``: its declared labels, else ``"0" .. "k-1"``."""
    return tuple(L.labels) if L.labels else tuple(str(c) for c in range(L.cardinality))


def check_label_names(names: Any) -> None:
    """Fail when a label name would collide with one of the other output columns."""
    clash = sorted(set(map(str, names or ())) & set(RESERVED_COLUMNS))
    if clash:
        raise DataError(
            f"Label name(s) {clash} collide with the output columns {list(RESERVED_COLUMNS)}; "
            "rename the labels in the LF module's LABELS."
        )


UNCOVERED = ("null", "prior")

# What pandas.read_csv reads as missing by default (its documented na_values).
_READ_AS_MISSING = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})


def warn_missing_looking_labels(names: Any, path: Any) -> None:
    """Warn when a CSV/TSV output would hold label names that ``pandas.read_csv`` reads back
    as missing with its defaults: a labeled row would look unlabeled to whoever reads it;
    and when a CSV/TSV/JSON Lines output would hold names that pandas' readers read back as
    one number (``01`` and ``1``): rows of one label would look like the other's."""
    from lf.io import detect_format

    try:
        fmt = None if path is None else detect_format(path)
    except DataError:  # an unknown suffix: the output checks say so
        return
    if fmt not in ("csv", "tsv", "jsonl"):
        return
    odd = [str(x) for x in names or () if str(x) in _READ_AS_MISSING]
    if odd and fmt != "jsonl":
        warnings.warn(
            f"Label name(s) {odd} in {str(path)!r} read back as missing with pandas.read_csv's defaults "
            "(so labeled rows look unlabeled): read it with keep_default_na=False, write Parquet "
            "or JSON Lines, or rename the labels in LABELS.",
            UserWarning,
            stacklevel=3,
        )
    same = _same_numbers([str(x) for x in names or ()])
    if same:
        reader = "pandas.read_json" if fmt == "jsonl" else "pandas.read_csv"
        warnings.warn(
            f"Label names {' and '.join(map(repr, same))} in {str(path)!r} read back as the same number with "
            f"{reader}'s defaults (so rows of one label look like the other's): read it with "
            "dtype={'label': str}, write Parquet, or rename the labels in LABELS.",
            UserWarning,
            stacklevel=3,
        )


def _same_numbers(names: list[str]) -> list[str]:
    """The first names that are different text but the same number (``01`` and ``1``,
    ``1.0`` and ``1``), as a CSV reader that parses numbers reads them; else none."""
    seen: dict[float, list[str]] = {}
    for name in names:
        try:
            value = float(name)
        except ValueError:
            continue
        seen.setdefault(value, []).append(name)
    return next((group for group in seen.values() if len(group) > 1), [])


def _check_probabilities(P: npt.NDArray[np.float64]) -> None:
    """Rows of class probabilities: finite, >= 0, summing to 1 (not scores, logits or counts,
    whose largest value would be written as a confidence)."""
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(P).all(axis=1) | (P < 0).any(axis=1) | (np.abs(P.sum(axis=1) - 1.0) > 1e-4)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"`probs` must hold class probabilities (each row >= 0, summing to 1): row {i} holds "
            f"{np.round(P[i], 6).tolist()} ({int(bad.sum()):,} such rows). Pass a model's predict_proba(L); "
            "scores or logits need a softmax first."
        )


def labels_frame(
    L: LabelMatrix | npt.ArrayLike,
    probs: npt.ArrayLike,
    *,
    filter_abstain: bool = False,
    uncovered: str = "null",
    prior: npt.ArrayLike | None = None,
    predictions: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """One row per data row: ``id``, one probability column per class, ``label``, ``confidence``.

    ``id`` is the matrix's row ids (the data's id column) or else the row position; the
    probability columns are named by the label names (``HAM``, ``SPAM`` ...; ``0``, ``1``
    ... when none are declared); ``label`` is the most probable class (its name; on a tie
    within ``1e-5``, the lowest, as a model's ``predict`` picks) and ``confidence`` its
    probability; ``covered`` says whether any LF voted on the row.

    A row no LF voted on carries no evidence: with ``uncovered="null"`` (default) its
    ``label`` and ``confidence`` are null and its probabilities are ``prior`` (the model's
    class balance; ``probs`` when ``prior`` is None). ``uncovered="prior"`` keeps ``probs``
    and labels the row with their most probable class, so every row gets a label. With
    ``filter_abstain`` those rows are left out.

    ``predictions`` (the model's ``predict``: a class per row, ABSTAIN for none) sets
    ``label`` instead of the most probable class, so a model's own tie policy holds (a
    ``MajorityVoter`` that abstains or draws on ties); ``confidence`` is then the
    probability of that label.

    ``L`` may be a plain 2-d array of labels, as Snorkel's ``filter_unlabeled_dataframe``
    takes it: its classes are then the columns of ``probs``. ``probs`` must be rows of
    class probabilities (>= 0, summing to 1): scores or logits are a DataError.
    """
    import pandas as pd

    if uncovered not in UNCOVERED:
        raise ParameterError(f"`uncovered` must be 'null' or 'prior'. Got {uncovered!r}.")
    P = np.array(probs, dtype=np.float64)
    if not isinstance(L, LabelMatrix):
        L = LabelMatrix(L, cardinality=P.shape[1] if P.ndim == 2 and P.shape[1] >= 2 else None)
    n, k = L.n, L.cardinality
    if P.shape != (n, k):
        raise DataError(f"`probs` must have shape ({n}, {k}) to match the label matrix. Got {P.shape}.")
    _check_probabilities(P)
    names = label_names(L)
    check_label_names(names)
    ids: Any = L.row_ids if L.row_ids is not None else np.arange(n)
    covered = (L.array != ABSTAIN).any(axis=1)
    blank = ~covered if uncovered == "null" else np.zeros(n, bool)
    if prior is not None and blank.any():
        P[blank] = _check_prior(prior, k)
    best = top_class(P) if predictions is None else _check_predictions(predictions, n, k)
    blank = blank | (best == ABSTAIN)
    best = np.where(blank, 0, best)
    data: dict[str, Any] = {"id": ids}
    for c, name in enumerate(names):
        data[name] = P[:, c]
    data["label"] = pd.Categorical.from_codes(np.where(blank, -1, best), categories=list(names))
    data["confidence"] = np.where(blank, np.nan, P[np.arange(n), best])
    data["covered"] = covered
    frame = pd.DataFrame(data)
    if filter_abstain:
        frame = frame[covered].reset_index(drop=True)
    return frame


def _check_predictions(predictions: npt.ArrayLike, n: int, k: int) -> npt.NDArray[np.int64]:
    pred = np.asarray(predictions)
    if pred.shape != (n,) or pred.dtype.kind not in "iu" or (n and (pred.min() < ABSTAIN or pred.max() >= k)):
        raise DataError(f"`predictions` must be {n} class ids 0..{k - 1} or ABSTAIN (-1). Got {pred.dtype} of shape {pred.shape}.")
    return np.asarray(pred, np.int64)


def _check_prior(prior: npt.ArrayLike, k: int) -> npt.NDArray[np.float64]:
    p = np.asarray(prior, dtype=np.float64)
    if p.shape != (k,) or (p < 0).any() or not np.isclose(p.sum(), 1.0):
        raise DataError(f"`prior` must be {k} non-negative numbers summing to 1. Got {prior!r}.")
    return p
