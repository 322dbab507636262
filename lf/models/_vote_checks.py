"""Votes that cannot carry what a label model learns from them, checked once per fit.

An LF that votes one class on every row says nothing about the class (its vote never
changes), yet every model counts it as evidence for that class on every row: with one
among four LFs about 80% right on balanced classes, the LabelModel learned a balance of
0.78 and gave 69% of the rows that class (tests/models/test_vote_checks.py). A class no LF votes can never be a row's label: its rows get other classes'.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.matrix import LabelMatrix
from lf.models._stats import MatrixCounts
from lf.models.base import UninformativeLFWarning, UnvotedClassWarning

__all__ = ["constant_lfs", "names_of", "quoted", "unvoted_classes", "warn_votes"]

FloatArray = npt.NDArray[np.float64]
SHOWN = 3  # classes named in the warning; the rest are counted
MIN_ROWS = 100  # on fewer rows an LF can vote on all of them, or a class go unvoted, by chance


def constant_lfs(votes: FloatArray, n: int) -> list[tuple[int, int]]:
    """``(lf, class)`` for each LF that votes the same class on every row (of ``MIN_ROWS``
    or more), from the ``m x k`` tally of :func:`lf.models._stats.vote_tally` of ``n`` rows."""
    if n < MIN_ROWS:
        return []
    return [(int(j), int(c)) for j, c in zip(*np.nonzero(votes == n))]


def unvoted_classes(votes: FloatArray, n: int) -> list[int]:
    """The classes no LF votes on any row (of ``MIN_ROWS`` or more), from the same tally."""
    if n < MIN_ROWS:
        return []
    return [int(c) for c in np.flatnonzero(votes.sum(axis=0) == 0)]


def names_of(L: Any, k: int) -> tuple[Sequence[str] | None, Sequence[str]]:
    """The LF names (None for a bare array) and label names to show."""
    from lf.display import one_line

    if isinstance(L, LabelMatrix):
        labels = [one_line(x) for x in L.labels] if L.labels else [str(c) for c in range(k)]
        return [one_line(x) for x in L.names], labels
    return None, [f"class {c}" for c in range(k)]


def listed(words: Sequence[str]) -> str:
    """The first ``SHOWN`` of ``words``, the rest counted: a list of hundreds of classes
    would fill the screen."""
    more = len(words) - SHOWN
    return ", ".join(words[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def quoted(name: str) -> str:
    """An LF name in quotes as it is written (``repr`` would double a backslash in ``\\d+``)."""
    return f"'{name}'"


def warn_votes(model: str, L: Any, counts: MatrixCounts) -> None:
    """Warn about each LF that votes one class on every row, and the classes no LF votes,
    from the ``counts`` of the matrix the model was fitted on."""
    votes, n = counts.votes()
    constant, unvoted = constant_lfs(votes, n), unvoted_classes(votes, n)
    k = counts.k
    if not constant and not unvoted:
        return
    names, labels = names_of(L, k)
    for j, c in constant:
        lf = f"LF {quoted(names[j])}" if names is not None else f"the LF in column {j}"
        warnings.warn(UninformativeLFWarning(
            f"{model}: {lf} votes {labels[c]} on every row: a vote that never changes says nothing about "
            f"the class, yet it counts as evidence for {labels[c]} on every row, pulling the labels (and an "
            "estimated class balance) toward it. Drop the LF, or make it abstain where it has no evidence."
        ), stacklevel=3)  # the caller of fit
    if unvoted:
        shown = listed([labels[c] for c in unvoted])
        one = len(unvoted) == 1
        warnings.warn(UnvotedClassWarning(
            f"{model}: no LF votes {shown} ({len(unvoted)} of {k} classes): no vote is evidence for "
            f"{'it' if one else 'them'}, so the model cannot recognise {'its' if one else 'their'} rows "
            "(they get other classes' labels, or the prior's). Add an LF that votes "
            f"{'it' if one else 'each'}, or leave {'it' if one else 'them'} out of LABELS if the data has none."
        ), stacklevel=3)  # the caller of fit


def warn_zero_balance(model: str, L: Any, counts: MatrixCounts, balance: Any) -> None:
    """Warn about each class that LFs vote but the given class balance weighs 0: its
    posterior is 0 on every row, so no row gets it however many LFs vote it."""
    if balance is None:
        return
    p = np.asarray(balance, np.float64)
    votes = counts.votes()[0].sum(axis=0)
    zero = [int(c) for c in np.flatnonzero((p == 0) & (votes > 0))]
    if not zero:
        return
    _, labels = names_of(L, counts.k)
    shown = listed([f"{labels[c]} ({int(votes[c]):,} votes)" for c in zero])
    warnings.warn(UnvotedClassWarning(
        f"{model}: the class balance gives {shown} a share of 0, so no row gets "
        f"{'that label' if len(zero) == 1 else 'those labels'}, however many LFs vote "
        f"{'it' if len(zero) == 1 else 'them'}. Give every class the data may hold a share above 0."
    ), stacklevel=3)  # the caller of fit

