"""Label models: fit on a LabelMatrix (never on the corpus), output class probabilities."""

from __future__ import annotations

from lf.errors import ParameterError
from lf.models._registry import ENTRY_POINT_GROUP, MODELS, get_model, register
from lf.models.base import (
    BaseLabelModel,
    ConvergenceWarning,
    LFChangedWarning,
    OverconfidenceWarning,
    ReversedVotesWarning,
    UnderdeterminedWarning,
    UninformativeLFWarning,
    UnvotedClassWarning,
)
from lf.models.dawid_skene import DawidSkene
from lf.models.majority import MajorityVoter
from lf.models.matrix_completion import LabelModel
from lf.models.select import Selection, select
from lf.models.snorkel import SnorkelLabelModel
from lf.models.triplet import TripletModel

__all__ = [
    "ENTRY_POINT_GROUP",
    "MODELS",
    "BaseLabelModel",
    "ConvergenceWarning",
    "DawidSkene",
    "LFChangedWarning",
    "LabelModel",
    "MajorityVoter",
    "OverconfidenceWarning",
    "ReversedVotesWarning",
    "Selection",
    "SnorkelLabelModel",
    "TripletModel",
    "UnderdeterminedWarning",
    "UninformativeLFWarning",
    "UnvotedClassWarning",
    "get_model",
    "model_from_spec",
    "register",
    "select",
]


def model_from_spec(spec: str) -> BaseLabelModel:
    """A model from what a user types: a saved model file (``*.json``, fitted), a name, or a
    name with keyword parameters as ``select`` prints them (``LabelModel(abstain='model')``)."""
    from pathlib import Path

    if spec.lower().endswith(".json") or Path(spec).is_file():
        return BaseLabelModel.load(spec)
    if spec.strip().lower() == "auto":  # the callers that take it handle it first
        raise ParameterError(
            "'auto' chooses a model on gold-labeled dev rows: `lf label` and `lf fit` take it, with "
            "their dev options. Here, give a model name (e.g. LabelModel) or a saved model.json."
        )
    name, paren, _ = spec.partition("(")
    cls = get_model(name.strip())
    if not paren:  # 'LabelModel(' is a spec cut short, read (and refused) as one
        return cls()
    return cls(**_spec_params(spec, cls))


def _spec_params(spec: str, cls: type[BaseLabelModel]) -> dict[str, object]:
    """Keyword parameters of ``Name(key=literal, ...)``; only Python literals are read."""
    allowed = cls._param_names()
    params = _literal_keywords(spec)
    if params is None:
        raise ParameterError(
            f"Cannot read the model {spec!r}: write Name(key=value, ...) with literal values, "
            "e.g. LabelModel(abstain='model')."
        )
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ParameterError(
            f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))} (in {spec!r}). "
            f"Its parameters: {', '.join(allowed)}."
        )
    return dict(params)


def _literal_keywords(spec: str) -> dict[str, object] | None:
    """``{key: value}`` of ``Name(key=literal, ...)``, or None when ``spec`` is not that."""
    import ast

    try:
        call = ast.parse(spec.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(call, ast.Call) or call.args or any(kw.arg is None for kw in call.keywords):
        return None
    params: dict[str, object] = {}
    for kw in call.keywords:
        try:
            params[str(kw.arg)] = ast.literal_eval(kw.value)
        except ValueError:
            return None
    return params
