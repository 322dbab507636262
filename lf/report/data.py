"""Everything a report shows, computed once from ``L`` (+ gold ``y``, + a fitted model).

The HTML page and the JSON document are both rendered from :class:`ReportData`; what they
hold is bounded by the number of LFs and classes, never by the number of rows (examples are
a few row indices per LF).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf import analysis
from lf.matrix import LabelMatrix, as_label_array, row_patterns

if TYPE_CHECKING:
    import pandas as pd

    from lf.models.dependencies import CorrelatedPair

__all__ = [
    "Examples", "Reliability", "ReportData", "build_report", "correlated_lfs", "label_counts", "pick_examples", "spread",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Examples:
    """Row indices to show: per LF where it fires and where it disagrees with the model."""

    fires: list[IntArray]
    disagrees: list[IntArray] | None  # None without a model
    uncovered: IntArray


@dataclass(frozen=True)
class ReportData:
    """The numbers of one report; ``predictions`` is the model's label per row (or None)."""

    array: npt.NDArray[np.integer[Any]]
    names: list[str]
    label_names: list[str]
    summary: pd.DataFrame
    totals: dict[str, Any]
    conflicts: npt.NDArray[np.float64] | None  # m x m; None when not asked for
    gold: IntArray | None
    model_name: str | None
    predictions: IntArray | None
    row_ids: npt.NDArray[Any] | None
    # With gold and a model: its scores on the rows it labels (accuracy, f1, coverage,
    # brier, ece) and the reliability bins of its probabilities on those rows.
    model_scores: dict[str, float] | None = None
    reliability: Reliability | None = None
    # What the model's fit warned (e.g. an underdetermined fit): how far to trust it.
    model_warnings: tuple[str, ...] = ()
    # LF pairs voting together far more than the model's independence predicts
    # (:func:`correlated_lfs`); None without a model that has vote rates.
    correlated: tuple[CorrelatedPair, ...] | None = None
    # LF pairs the model treats as dependent (its ``dependencies_``, declared or found, as
    # "declared" / "found" says); None for a model that takes no dependencies.
    dependencies: tuple[tuple[str, str], ...] | None = None
    dependencies_source: str | None = None


@dataclass(frozen=True)
class Reliability:
    """Confidence bins of a model's probabilities on covered gold rows (equal width in [0, 1])."""

    counts: list[int]
    confidence: list[float | None]  # mean probability of the labels given per bin (None when empty)
    accuracy: list[float | None]  # share of right labels given per bin (None when empty)


def spread(indices: IntArray, k: int) -> IntArray:
    """At most ``k`` of ``indices``, evenly spaced over them (deterministic, no RNG)."""
    if indices.shape[0] <= k:
        return indices.astype(np.int64)
    pos = np.linspace(0, indices.shape[0] - 1, k).round().astype(np.int64)
    return indices[np.unique(pos)].astype(np.int64)


def pick_examples(
    A: npt.NDArray[np.integer[Any]], predictions: IntArray | None, *, per_lf: int = 3, uncovered: int = 5
) -> Examples:
    """Choose example rows: where each LF fires, where it disagrees with the model, and
    rows no LF labels. Pure function of the matrix and the model's labels."""
    fires: list[IntArray] = []
    disagrees: list[IntArray] | None = [] if predictions is not None else None
    for j in range(A.shape[1]):
        col = A[:, j]
        voted = col != -1
        fires.append(spread(np.flatnonzero(voted), per_lf))
        if predictions is not None and disagrees is not None:
            differs = voted & (predictions != -1) & (col != predictions)
            disagrees.append(spread(np.flatnonzero(differs), per_lf))
    if A.shape[1]:
        none = np.flatnonzero((A == -1).all(axis=1))
    else:
        none = np.arange(A.shape[0])
    return Examples(fires, disagrees, spread(none, uncovered))


def label_counts(labels: IntArray, k: int) -> IntArray:
    """Counts of each class ``0..k-1`` in ``labels`` (ABSTAIN, -1, not counted)."""
    return np.bincount(labels[labels >= 0], minlength=k)[:k].astype(np.int64)


def correlated_lfs(L: Any, model: Any) -> tuple[CorrelatedPair, ...] | None:
    """LF pairs voting together far more than ``model``'s independence predicts, most
    significant first (:func:`lf.models.dependencies.correlated_pairs`), but for pairs inside
    one of its cliques, which it models as dependent; None for no model, or one without
    class-conditional vote rates (``MajorityVoter``)."""
    if model is None or not (hasattr(model, "mu_") or hasattr(model, "confusion_")):
        return None
    from lf.models.dependencies import correlated_pairs

    names = list(L.names) if isinstance(L, LabelMatrix) else [f"lf_{j}" for j in range(np.shape(L)[1])]
    cliques = [{names[j] for j in group} for group in getattr(model, "clique_members_", None) or []]
    return tuple(c for c in correlated_pairs(L, model) if not any({c.first, c.second} <= g for g in cliques))


def _model_name(model: Any) -> str | None:
    return None if model is None else type(model).__name__


def build_report(
    L: LabelMatrix | Any, *, y: Any = None, model: Any = None, conflicts: bool = True,
    model_warnings: Sequence[str] = (),
) -> ReportData:
    """Compute the summary, totals, the LF x LF conflict matrix and the model's labels.

    ``model`` must already be fitted on a matrix with the same LFs as ``L``. ``conflicts=False``
    skips the m x m conflict matrix (a pass over all rows per class) when nothing shows it.
    ``model_warnings``: what the model's fit warned, kept with the report.
    """
    from lf.summary import gold_labels, summarize, totals

    A, k = as_label_array(L)
    predictions = proba = None
    if model is not None:  # predicting first checks the model fits this matrix
        proba, predictions = _answers(L, A, k, model)
    summary = summarize(L, y=y, model=model)  # validates y
    gold = None if y is None else np.asarray(gold_labels(L, y, k), dtype=np.int64)  # names or ids
    if isinstance(L, LabelMatrix):
        names = list(L.names)
        label_names = list(L.labels) if L.labels else [str(c) for c in range(k)]
        row_ids = L.row_ids
    else:
        names = [f"lf_{j}" for j in range(A.shape[1])]
        label_names = [str(c) for c in range(k)]
        row_ids = None
    scores = bins = None
    if gold is not None and predictions is not None and proba is not None:
        scores, bins = _model_against_gold(A, gold, predictions, proba, k)
    return ReportData(
        array=A,
        names=names,
        label_names=label_names,
        summary=summary,
        totals=totals(L),
        conflicts=analysis.conflict_matrix(A, k) if conflicts else None,
        gold=gold,
        model_name=_model_name(model),
        predictions=predictions,
        row_ids=row_ids,
        model_scores=scores,
        reliability=bins,
        model_warnings=tuple(str(w) for w in model_warnings),
        correlated=correlated_lfs(L, model),
        **_dependencies(model),
    )


def _dependencies(model: Any) -> dict[str, Any]:
    """The pairs ``model`` treats as dependent and whether they were declared or found."""
    if model is None or getattr(model, "dependencies", None) is None:
        return {}
    return {
        "dependencies": tuple((str(a), str(b)) for a, b in getattr(model, "dependencies_", [])),
        "dependencies_source": "found" if model.dependencies == "auto" else "declared",
    }


def _answers(L: Any, A: npt.NDArray[np.integer[Any]], k: int, model: Any) -> tuple[npt.NDArray[np.float64], IntArray]:
    """The model's probabilities and labels of each row, as ``lf label`` writes them: asked
    once per distinct row of votes (a random tie-break gives the same votes the same label,
    whatever the rows' order), and no label on a row no LF voted on (not the prior's class)."""
    if not A.shape[0]:
        return np.asarray(model.predict_proba(L), np.float64), np.asarray(model.predict(L, abstain="uncovered"), np.int64)
    if isinstance(L, LabelMatrix):
        pat = L.patterns()
        votes: Any = LabelMatrix(pat.rows, names=L.names, cardinality=k, labels=L.labels, lf_fingerprints=L.lf_fingerprints)
    else:
        pat = row_patterns(A, k)
        votes = pat.rows
    proba, labels = model.predict_both(votes)
    labels = np.where((pat.rows != -1).any(axis=1), labels, -1)
    return np.asarray(proba, np.float64)[pat.inverse], np.asarray(labels, np.int64)[pat.inverse]


def _model_against_gold(
    A: npt.NDArray[np.integer[Any]], gold: IntArray, predictions: IntArray, proba: npt.NDArray[np.float64], k: int
) -> tuple[dict[str, float], Reliability]:
    """The model's scores and reliability bins on the rows it labels (what
    ``model.score(L, y, METRICS)`` gives, from the labels and probabilities at hand)."""
    from lf.models._metrics import METRICS, reliability, scores

    labeled = predictions  # ABSTAIN on the rows no LF voted on (and a model's own abstains)
    got = scores(METRICS, gold, labeled, proba, k)
    keep = labeled != -1  # the rows every score but coverage is over
    counts, conf, right = reliability(gold[keep], proba[keep], pred=labeled[keep])

    def mean(total: npt.NDArray[np.float64]) -> list[float | None]:
        return [float(t / c) if c else None for t, c in zip(total, counts, strict=True)]

    return got, Reliability(counts.tolist(), mean(conf), mean(right))
