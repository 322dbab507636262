"""The contract every label model follows (scikit-learn style), and JSON (+ .npz) persistence."""

from __future__ import annotations

import functools
import inspect
import io
import json
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, overload

import numpy as np
import numpy.typing as npt

from lf.errors import DataError, NotFittedError, ParameterError
from lf.matrix import LabelMatrix, WeightedRows, as_label_array
from lf.models._checks import (
    SidecarMismatch,
    balance_by_label,
    check_loaded,
    json_array,
    refuse_arguments,
    refuse_call_arguments,
    sidecar_arrays,
    write_model_files,
)

if TYPE_CHECKING:
    from lf.models._stats import MatrixCounts

__all__ = [
    "ABSTAIN_POLICIES",
    "BaseLabelModel",
    "ConvergenceWarning",
    "LFChangedWarning",
    "OverconfidenceWarning",
    "ReversedVotesWarning",
    "UnderdeterminedWarning",
    "UninformativeLFWarning",
    "UnvotedClassWarning",
    "as_number",
    "check_abstain",
    "check_class_balance",
]

M = TypeVar("M", bound="BaseLabelModel")
_FORMAT = "lf.model/1"
_NAMES_KEPT = ("lf_names_", "label_names_", "lf_fingerprints_")  # saved when known
_INLINE_MAX = 4096  # arrays with more elements go to a sidecar .npz
ABSTAIN_POLICIES = ("uncovered", "ties")
TIE_TOL = 1e-5  # probabilities this close to the top one tie with it (as in Snorkel)


class ConvergenceWarning(UserWarning):
    """A model's fit stopped at its iteration limit before meeting its tolerance."""


class UnderdeterminedWarning(UserWarning):
    """A model's fit had fewer statistics to match than unknowns to learn: what it learned
    rests on its prior, not on the data."""


class UninformativeLFWarning(UserWarning):
    """An LF votes the same class on every row: its vote says nothing about the class, yet a
    model counts it as evidence for that class on every row."""


class UnvotedClassWarning(UserWarning):
    """No row can get a class's label: no LF votes it, or the class balance gives it 0."""


class OverconfidenceWarning(UserWarning):
    """A model's learned accuracies leave two LFs fewer wrong votes than their conflicts
    prove (one of two disagreeing LFs is wrong): it is surer than the votes allow."""


class ReversedVotesWarning(UserWarning):
    """A model that takes every LF as better than random is fitted on an LF whose votes the
    other LFs' contradict, as a worse-than-random LF's: it counts them the wrong way."""


class LFChangedWarning(UserWarning):
    """A fitted model is used with an LF whose definition changed since the fit (same name)."""
# Models whose fit reads the matrix only through its patterns (lf.models._stats).
_FITS_FROM_PATTERNS = frozenset({"LabelModel", "TripletModel", "DawidSkene", "MajorityVoter"})


def check_class_balance(class_balance: Any, k: int) -> npt.NDArray[np.float64]:
    """Validate a class balance: k non-negative numbers summing to 1."""
    try:
        p = np.asarray(class_balance, dtype=np.float64)
    except (TypeError, ValueError):
        p = np.full(0, np.nan)  # text or nested lists: refused below, by the same message
    if p.shape != (k,) or np.any(p < 0) or not np.isclose(p.sum(), 1.0, atol=1e-6):
        dev = (
            " 'dev' (the shares of gold-labeled dev rows) is taken by lf.label and select, which are given "
            "those rows; here give the shares, e.g. y_dev.value_counts(normalize=True)."
            if isinstance(class_balance, str) and class_balance.strip().lower() == "dev" else ""
        )
        raise ParameterError(
            f"`class_balance` must be {k} non-negative numbers summing to 1 (one per class). "
            f"Got {class_balance!r}.{dev}"
        )
    return np.asarray(p / p.sum(), dtype=np.float64)


def as_number(value: Any) -> float:
    """``value`` as a float for a parameter check; NaN (which fails every range test) for
    text, None, a list or a bool."""
    if isinstance(value, (bool, np.bool_)):
        return float("nan")
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def check_fitted_on(
    model: Any,
    names: Sequence[str],
    labels: Sequence[str] | None,
    *,
    who: str,
    lfs_of: str,
    labels_of: str,
    fingerprints: Sequence[str | None] | None = None,
    unnamed: bool = False,
) -> None:
    """A fitted ``model`` is used on the LFs ``names`` voting ``labels``: they must be the
    ones it was fitted on, in the same order (class ids mean labels), when it knows them.
    ``who``, ``lfs_of``, ``labels_of`` word the error ("This LabelModel", "the matrix's",
    "the matrix has"). ``fingerprints``: the LFs' definitions
    (:func:`lf.apply.fingerprint.lf_definitions`), when known; an LF whose definition
    differs from the one the model was fitted with is an :class:`LFChangedWarning`: its
    learned accuracy describes the old LF. ``unnamed``: warn when the model knows no LF
    names (fitted on a bare array), as its columns then meet these LFs unchecked."""
    fitted = getattr(model, "lf_names_", None)
    if fitted is None and unnamed and hasattr(model, "cardinality_"):  # fitted, on a bare array
        warnings.warn(
            f"{who} was fitted on a matrix without LF names, so whether its columns are the {len(names)} LFs "
            "here, in this order, is unchecked. Fit it on a LabelMatrix (from lf.apply, or a saved one) "
            "to have them checked.",
            UserWarning,
            stacklevel=3,
        )
    if fitted is not None and list(names) != list(fitted):
        missing, new = [n for n in fitted if n not in names], [n for n in names if n not in fitted]
        detail = f"missing {missing}, new {new}" if missing or new else "same LFs in another order"
        raise DataError(
            f"{who} was fitted on other LFs than {lfs_of} ({detail}). "
            "Apply the LF module the model was fitted with, or fit the model again."
        )
    fitted_labels = getattr(model, "label_names_", None)
    if labels and fitted_labels is not None and list(labels) != list(fitted_labels):
        raise DataError(
            f"{who} was fitted on {_labels_differ(list(map(str, fitted_labels)), list(map(str, labels)), labels_of)}. "
            "Its class ids would mean other labels: fit the model again."
        )
    then = getattr(model, "lf_fingerprints_", None)
    if fingerprints is not None and then is not None and len(then) == len(names) == len(fingerprints):
        changed = [n for n, old, new in zip(names, then, fingerprints) if old and new and old != new]
        if changed:
            shown = ", ".join(repr(n) for n in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            # One text and one place whoever asks (a command's check, then predict, then
            # predict_proba): Python shows it once.
            warnings.warn(
                f"The model was fitted when LF{'s' if len(changed) > 1 else ''} {shown} had another definition "
                "(code, code it calls, resources or declared files): what it learned of "
                f"{'them' if len(changed) > 1 else 'it'} describes the old one. Fit the model again.",
                LFChangedWarning,
                stacklevel=1,
            )


def _labels_differ(then: list[str], now: list[str], now_of: str, shown: int = 10) -> str:
    """Two lists of label names that differ, for a message: both in full when short, else
    their lengths and the first class where they part (hundreds of names filled a screen)."""
    if max(len(then), len(now)) <= shown:
        return f"the labels {', '.join(then)} (in that order); {now_of} {', '.join(now)}"
    at = next((i for i, (a, b) in enumerate(zip(then, now)) if a != b), min(len(then), len(now)))
    if at < min(len(then), len(now)):
        where = f"class {at} is {then[at]!r} there and {now[at]!r} here"
    else:
        where = f"the first {at} the same, then {(then if len(then) > at else now)[at]!r} in one list only"
    return f"{len(then)} labels; {now_of} {len(now)}: {where}"


def near_top(proba: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Per row, the classes whose probability ties with the top one: less than ``TIE_TOL``
    below it, as Snorkel's ``probs_to_preds`` has it."""
    return np.asarray(proba.max(axis=1, keepdims=True) - proba < TIE_TOL)


def top_class(proba: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Per row, the most probable class; on a tie (:func:`near_top`) the lowest one. Not the
    bare argmax: two classes a fit finds equally likely differ in their last bits, by the
    order it summed the LFs in, and the label would follow that order."""
    return np.asarray(near_top(proba).argmax(axis=1), dtype=np.int64)


def check_abstain(abstain: Any) -> None:
    """``predict``'s ``abstain``: None, ``"uncovered"`` or ``"ties"``."""
    if abstain is not None and abstain not in ABSTAIN_POLICIES:
        raise ParameterError(
            f"`abstain` must be None, 'uncovered' or 'ties'. Got {abstain!r}."
        )


def _json_safe(value: Any, what: str, model: object) -> Any:
    """``value`` as plain JSON types (numpy scalars become Python numbers), or a DataError."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, what, model) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _json_safe(v, what, model) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.ndim <= 1 and value.size <= _INLINE_MAX:
        return [_json_safe(v, what, model) for v in value.tolist()]
    name = type(model).__name__
    if isinstance(value, (np.random.Generator, np.random.RandomState, np.random.BitGenerator, np.random.SeedSequence)):
        raise DataError(
            f"Cannot save this {name}: its {what} is a {type(value).__name__}, whose state is not "
            f"saved. Pass an int seed instead (e.g. {name}(random_state=0)) and fit again."
        )
    raise DataError(
        f"Cannot save this {name}: its {what} is a {type(value).__name__} ({value!r}), which has no "
        "JSON form. Use a number, a string, a list or a dict of those."
    )


class _Load(classmethod):  # type: ignore[type-arg]
    """``Model.load(path)``: a new model read from a file written by ``save``
    (``BaseLabelModel.load`` picks the class). ``model.load(path)``, as Snorkel's models load:
    the file's parameters and learned state replace ``model``'s, which it returns. A
    classmethod (of the one given) to what reads classes as code (the LF cache's
    fingerprints)."""

    def __init__(self, method: Any) -> None:
        super().__init__(method.__func__)

    @overload  # type: ignore[override]
    def __get__(self, obj: None, owner: type[M], /) -> Callable[[str | Path], M]: ...
    @overload
    def __get__(self, obj: M, owner: type[M] | None = None, /) -> Callable[[str | Path], M]: ...
    def __get__(self, obj: Any, owner: Any = None, /) -> Any:
        if obj is None:
            return super().__get__(obj, owner)
        return functools.partial(_load_into, obj)


def _load_into(model: M, path: str | Path) -> M:
    loaded = type(model)._load(path)  # refuses a file of another model, leaving ``model`` alone
    if type(loaded) is not type(model):
        raise DataError(
            f"{str(path)!r} holds a {type(loaded).__name__!r}, not a {type(model).__name__}: "
            "read it with BaseLabelModel.load(path)."
        )
    vars(model).clear()
    vars(model).update(vars(loaded))
    return model


class BaseLabelModel:
    """Keyword-only ``__init__`` that only stores parameters; learned state ends in ``_``.

    :meth:`fit` checks the parameters (``_check_params``), the matrix (at least
    ``_min_lfs`` LFs, one row, labels in range) and the class balance once, then calls the
    model's own ``_fit(L, A, k, class_balance)``, which sets the learned attributes listed
    in ``_state``. Subclasses implement ``_fit`` and ``predict_proba(L)``.
    """

    _state: ClassVar[tuple[str, ...]] = ("cardinality_", "class_balance_")
    _min_lfs: ClassVar[int] = 1
    # Whether the class balance weighs the votes (a posterior): a class it gives 0 is then
    # never a row's label. False where it only settles ties (MajorityVoter).
    _balance_weighs_votes: ClassVar[bool] = True
    # Learned ``m x outcomes x k`` tables of P(outcome of an LF | class), checked at load.
    _rate_tables: ClassVar[tuple[str, ...]] = ()
    # Parameters older versions took without any effect (random_state on deterministic
    # models): a saved model that has them still loads.
    _retired_params: ClassVar[frozenset[str]] = frozenset({"random_state"})
    cardinality_: int  # set by fit
    class_balance_: npt.NDArray[np.float64]  # set by fit

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Arguments ``__init__`` does not take are a ParameterError that says what to do
        (``LabelModel(cardinality=2)``, as a Snorkel user writes it), not Python's bare
        TypeError."""
        try:
            inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        except TypeError:
            refuse_arguments(cls, args, kwargs)  # another mismatch: __init__ says it, in Python's words
        return super().__new__(cls)

    def fit(
        self, L: Any = None, *extra: Any, class_balance: Any = None, cardinality: int | None = None, **unknown: Any
    ) -> Self:
        """Learn from the label matrix ``L``; returns ``self``.

        ``class_balance``: ``P(Y)`` as ``k`` numbers summing to 1 in class order, or as a
        dict or a pandas Series read by its keys, label names (for a LabelMatrix that names
        its classes; any case) or class ids, not by position
        (``gold.value_counts(normalize=True)`` lists the most frequent class first; keys
        that are numbers are refused when the label names are other numbers); kept
        as given (None: the model estimates it); ``cardinality``: the number of classes of a
        bare array (a LabelMatrix knows its own). Snorkel's arguments (``n_epochs``, ``seed``,
        ``Y_dev`` ...; in ``predict`` and ``score``, ``tie_break_policy``) are refused by name
        with what lf takes instead.
        """
        from lf.models._conflict_bound import warn_copies, warn_overconfident
        from lf.models._stats import MatrixCounts, check_matrix, resolve_class_balance
        from lf.models._vote_checks import warn_votes, warn_zero_balance

        refuse_call_arguments(self, "fit", unknown, ("L", "class_balance", "cardinality"), extra)
        if L is None:
            raise ParameterError(f"`L` (the label matrix) is missing: {type(self).__name__}().fit(L).")
        self._check_params()
        A, k = check_matrix(L, cardinality, min_lfs=self._min_lfs, model=type(self).__name__)
        balance = resolve_class_balance(balance_by_label(class_balance, L), k)
        counts = MatrixCounts(A, k)  # what the fit and the checks after it both count, once
        self._fit_counts = counts
        try:
            self._fit(L, A, k, balance)
        finally:
            del self._fit_counts
        warn_votes(type(self).__name__, L, counts)
        if self._balance_weighs_votes:
            warn_zero_balance(type(self).__name__, L, counts, balance)
        warn_overconfident(self, L, counts)
        warn_copies(self, L, counts)
        self._remember_lfs(L)
        return self

    def _shared_counts(self, A: npt.NDArray[np.integer[Any]], k: int) -> MatrixCounts:
        """The counts of ``A`` that this fit shares with its checks (fresh ones outside a
        fit, or for another matrix)."""
        from lf.models._stats import MatrixCounts

        counts: MatrixCounts | None = getattr(self, "_fit_counts", None)
        return MatrixCounts(A, k) if counts is None else counts.for_matrix(A, k)

    def _check_params(self) -> None:
        """Refuse bad constructor parameters, naming them (nothing to check by default)."""

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, class_balance: npt.NDArray[np.float64] | None) -> None:
        """Set the learned attributes from the checked matrix ``A`` (``L`` as given, for
        its LF names) and the checked ``class_balance`` (None: estimate it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _fit (or fit).")

    if not TYPE_CHECKING:  # type checkers keep finding misspelt attributes

        def __getattr__(self, name: str) -> Any:
            """Only for attributes not found otherwise: Snorkel's ``get_weights()`` and
            ``get_conditional_probs()`` are refused naming the attribute lf has instead."""
            from lf.models._checks import snorkel_method

            raise snorkel_method(type(self), name)

    # -- parameters --------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.kind == p.KEYWORD_ONLY]

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- checks ------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not all(hasattr(self, name) for name in self._state):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(L) before using it."
            )

    def _remember_lfs(self, L: Any) -> None:
        """Keep the LF and label names of a LabelMatrix fitted on, so predicting checks the
        columns and what each class id means."""
        self.lf_names_ = list(L.names) if isinstance(L, LabelMatrix) else None
        self.label_names_ = list(L.labels) if isinstance(L, LabelMatrix) and L.labels else None
        prints = L.lf_fingerprints if isinstance(L, LabelMatrix) else None
        self.lf_fingerprints_ = list(prints) if prints is not None else None

    def _check_L(self, L: Any) -> npt.NDArray[np.integer[Any]]:
        """Validate a matrix to predict on against what the model was fitted with."""
        self._check_fitted()
        if isinstance(L, LabelMatrix):
            check_fitted_on(self, L.names, L.labels, who=f"This {type(self).__name__}", lfs_of="the matrix's",
                            labels_of="the matrix has", fingerprints=L.lf_fingerprints)
        A, k = as_label_array(L, getattr(L, "cardinality", None) or self.cardinality_)
        if k != self.cardinality_:
            raise ParameterError(f"The label matrix has cardinality {k}; the model was fitted with {self.cardinality_}.")
        m = getattr(self, "n_lfs_", None)
        if m is not None and A.shape[1] != m:
            raise ParameterError(f"The label matrix has {A.shape[1]} LFs; the model was fitted on {m}.")
        return A

    def fit_patterns(self, table: Any, *, class_balance: Any = None) -> Self:
        """Fit from a :class:`~lf.matrix.PatternTable`: distinct rows with their counts.

        What a streaming or distributed run keeps instead of the matrix. The built-in models
        that fit from patterns get the table's rows as :class:`~lf.matrix.WeightedRows`
        (cost: the patterns, not n); any other model gets the rows rebuilt (int8, n x m, in
        pattern order). Either way the result equals fitting on the original matrix.
        """
        counts = np.asarray(table.counts)
        n_rows = np.shape(table.rows)[0] if np.ndim(table.rows) == 2 else -1
        if counts.shape != (n_rows,) or counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
            raise ParameterError(
                f"A pattern table's `counts` must be one whole number >= 0 per pattern row ({n_rows}). "
                f"Got {counts.dtype} of shape {counts.shape}"
                + (f", smallest {counts.min().item()}." if counts.size and counts.dtype.kind in "iuf" else ".")
            )
        if not counts.sum():  # before: NaN probabilities from the moment models
            raise ParameterError(f"{type(self).__name__} cannot be fitted on an empty pattern table (its counts sum to 0).")
        if type(self).__module__.startswith("lf.models.") and type(self).__name__ in _FITS_FROM_PATTERNS:
            L = LabelMatrix(table.rows, names=table.names, cardinality=table.cardinality, labels=table.labels,
                            lf_fingerprints=getattr(table, "lf_fingerprints", None))
            weighted = WeightedRows(L.array, table.counts)
            weighted.setflags(write=False)
            L._array = weighted
        else:
            from lf.matrix import _storage_dtype

            try:  # in the matrix's own storage, not the table's (int64, say)
                rows = np.repeat(np.asarray(table.rows, _storage_dtype(table.cardinality)), counts, axis=0)
            except MemoryError:
                raise DataError(
                    f"{type(self).__name__} fits on rows, and the pattern table's {int(counts.sum()):,} rows of "
                    f"{np.shape(table.rows)[1]} LFs do not fit in memory. Fit a model that fits from patterns "
                    f"({', '.join(sorted(_FITS_FROM_PATTERNS))}), or on fewer rows."
                ) from None
            L = LabelMatrix(rows, names=table.names, cardinality=table.cardinality, labels=table.labels,
                            lf_fingerprints=getattr(table, "lf_fingerprints", None))
        self.fit(L, class_balance=class_balance)
        return self

    # -- prediction --------------------------------------------------------------------
    def predict_proba(self, L: Any) -> npt.NDArray[np.float64]:
        raise NotImplementedError

    def predict(self, L: Any, *extra: Any, abstain: str | None = None, **unknown: Any) -> npt.NDArray[np.int64]:
        """Most probable class per row (on a tie, within ``1e-5``, the lowest class index).

        ``abstain`` says which rows get ABSTAIN (-1) instead of a class, as Snorkel's tie
        policy does: ``None`` (default) labels every row (a row no LF voted on gets the
        class its posterior favours, usually the prior's); ``"uncovered"``: the rows no LF
        voted on; ``"ties"``: those and the rows whose top probabilities tie (within
        ``1e-5``).
        """
        refuse_call_arguments(self, "predict", unknown, ("L", "abstain"), extra)
        check_abstain(abstain)
        A = self._check_L(L)
        proba = self.predict_proba(L)
        pred = self._decide(A, proba)
        if abstain is None:
            return pred
        drop = ~(A != -1).any(axis=1)
        if abstain == "ties":
            drop |= self._ties(A, proba)
        return np.where(drop, -1, pred).astype(np.int64)

    def predict_both(self, L: Any) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """``(predict_proba(L), predict(L))`` with the probabilities computed once (what
        ``lf label`` writes: a model's own rule, such as a tie policy, picks the label)."""
        A = self._check_L(L)
        proba = self.predict_proba(L)
        return proba, self._decide(A, proba)

    def score(
        self,
        L: Any,
        y: Any = None,
        metrics: Sequence[str] | str = ("accuracy",),
        *extra: Any,
        abstain: str | None = "uncovered",
        **unknown: Any,
    ) -> dict[str, float]:
        """Scores of the model's labels against gold labels ``y``, by metric name.

        ``metrics``: any of ``"accuracy"``, ``"f1"`` (binary: F1 of class 1, NaN when no
        scored row has class 1 as its gold label or its label, where F1 is undefined, as
        scikit-learn's ``zero_division=np.nan``; more classes: macro F1 over the classes
        some scored row has as its gold label or its label), ``"coverage"`` (share of rows the model labels), ``"brier"`` (mean of
        ``sum_c (P(c) - 1[y = c])^2``) and ``"ece"`` (expected calibration error of
        the labels given, 10 confidence bins). ``abstain`` is ``predict``'s: by default the rows no LF voted on
        are left out of every score but ``coverage`` (their label would be the prior's
        guess); ``None`` scores every row, as the WRENCH protocol does (but for the ties a
        ``MajorityVoter(tie_break="abstain")`` leaves unlabeled: rows without a label are
        left out of every score but ``coverage``, as in Snorkel). ``y`` holds class ids
        or, when the classes have names, label names (any case). A gold label of ``-1`` marks
        a row without one: it is left out of every score but ``coverage`` (as in Snorkel).
        """
        from lf.gold import refuse_reordered_gold
        from lf.models._metrics import check_gold, check_metrics, scores

        refuse_call_arguments(self, "score", unknown, ("L", "y", "metrics", "abstain"), extra, positional=3)
        if y is None:
            raise ParameterError("`y` (the gold labels) is missing: score(L, y, metrics).")
        names = check_metrics(metrics)
        check_abstain(abstain)
        A = self._check_L(L)
        refuse_reordered_gold(L, y)
        labels = L.labels if isinstance(L, LabelMatrix) and L.labels else getattr(self, "label_names_", None)
        gold = check_gold(y, A.shape[0], self.cardinality_, labels)
        return scores(names, gold, self.predict(L, abstain=abstain), self.predict_proba(L), self.cardinality_)

    def _decide(self, A: npt.NDArray[np.integer[Any]], proba: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The class ``predict`` gives each row before ``abstain`` applies (:func:`top_class`)."""
        return top_class(proba)

    def _ties(self, A: npt.NDArray[np.integer[Any]], proba: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Rows whose top probabilities tie (within ``TIE_TOL``)."""
        return np.asarray(near_top(proba).sum(axis=1) > 1)

    # -- persistence -------------------------------------------------------------------
    def _loaded(self) -> None:
        """Hook after :meth:`load` set the saved state (e.g. JSON lists back to tuples)."""

    def save(self, path: str | Path) -> Path:
        """Write parameters and learned state as JSON (large arrays in a sidecar ``.npz``).

        The sidecar is named by its digest (``model.model.<digest>.npz``) and written before
        the JSON replaces an older one, which names its own: a save that fails or is killed
        part way leaves the older model whole (and perhaps a new sidecar no model file
        names). Once the JSON is in place, the sidecar the older one named is removed. A
        failed write (a full disk, say) is a DataError naming the path.
        """
        self._check_fitted()
        path = Path(path)
        params = {name: _json_safe(value, f"parameter `{name}`", self) for name, value in self.get_params().items()}
        state: dict[str, Any] = {}
        big: dict[str, npt.NDArray[Any]] = {}
        names = [n for n in _NAMES_KEPT if getattr(self, n, None) is not None]
        for name in (*self._state, *names):
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                if value.size > _INLINE_MAX:
                    big[name] = value
                    state[name] = {"npz": name}
                else:
                    state[name] = {"array": value.tolist(), "dtype": str(value.dtype)}
            else:
                state[name] = _json_safe(value, f"learned attribute `{name}`", self)
        doc = {"format": _FORMAT, "model": type(self).__name__, "params": params, "state": state}
        arrays = None
        if big:
            buffer = io.BytesIO()
            np.savez_compressed(buffer, allow_pickle=False, **big)
            arrays = buffer.getvalue()
        # never the name a matrix would have: "<stem>.model.<digest>.npz"
        write_model_files(path, doc, arrays, lambda d: json.dumps(d, indent=1), stem=f"{path.stem}.model", keys=("npz", "npz_sha256"))
        return path

    @classmethod
    def _load(cls, path: str | Path) -> Self:
        """Read a model written by :meth:`save` (``BaseLabelModel.load`` picks the class);
        ``model.load(path)`` on an instance loads into it, as Snorkel's ``load`` does."""
        from lf.models import MODELS, get_model

        path = Path(path)
        if not path.exists():
            raise DataError(f"Model file not found: {str(path)!r}.")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            why = "nested too deep" if isinstance(exc, RecursionError) else exc
            raise DataError(f"{str(path)!r} is not a model file written by lf (truncated or not JSON: {why}).") from None
        except OSError as exc:
            raise DataError(f"Cannot read the model file {str(path)!r}: {exc.strerror or exc}.") from None
        fmt = doc.get("format") if isinstance(doc, dict) else None
        if isinstance(fmt, str) and fmt.startswith(_FORMAT.split("/")[0] + "/") and fmt != _FORMAT:
            raise DataError(
                f"{str(path)!r} is a model file of another version of lf (format {fmt!r}; this lf reads "
                f"{_FORMAT!r}): load it with the lf that saved it, or fit the model again with this one."
            )
        if fmt != _FORMAT:
            raise DataError(f"{str(path)!r} is not a model file written by lf.")
        kind = MODELS.get(str(doc.get("model")))
        if kind is None and isinstance(doc.get("model"), str):
            try:  # a model an installed package registers
                kind = get_model(doc["model"])
            except ParameterError:
                kind = None
        if kind is None:
            raise DataError(
                f"{str(path)!r} holds a {doc.get('model')!r}, a model this lf does not know: install the package "
                "that registers it (entry point group 'lf.models'), or fit a model of lf's own."
            )
        if not issubclass(kind, cls):
            raise DataError(f"{str(path)!r} holds a {doc.get('model')!r}, not a {cls.__name__}.")
        try:
            params = dict(doc["params"])
            for name in kind._retired_params - set(kind._param_names()):
                params.pop(name, None)
            model = kind(**params)
            arrays = sidecar_arrays(path, doc["npz"], doc.get("npz_sha256")) if "npz" in doc else {}
            unknown = set(doc["state"]) - {*kind._state, *_NAMES_KEPT}
            if unknown:  # never set an attribute the model does not learn (a method, say)
                raise DataError(f"unknown learned attributes {sorted(unknown)}")
            for name, value in doc["state"].items():
                if isinstance(value, dict) and "array" in value:
                    value = json_array(value, name)
                elif isinstance(value, dict) and "npz" in value:
                    value = arrays[value["npz"]]
                    if value.dtype.kind not in "biuf":
                        raise DataError(f"{name} must be numbers, not {value.dtype}")
                setattr(model, name, value)
            model._loaded()
            check_loaded(model)
        except SidecarMismatch:
            raise  # says itself what happened
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise DataError(
                f"{str(path)!r} is not a complete {doc.get('model')} file ({type(exc).__name__}: {exc}); "
                "save the model again with this version of lf."
            ) from None
        return model

    load = _Load(_load)
