"""``--dependencies`` of ``lf label`` and ``lf fit``: LF pairs the LabelModel treats as dependent;
and what the fitted model says of its LFs' structure (the pairs used, votes reversed, a
class balance the votes hardly determine)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from lf.errors import ParameterError

OPTION_HELP = (
    "LF pairs the LabelModel treats as dependent (one joint factor for each group, so LFs that fire "
    "together count once): 'auto' (found from the label matrix) or pairs of LF names, e.g. "
    "'promo:url,short:shouting'. Default: none (LFs independent given the class)."
)


def parse(spec: str) -> str | list[tuple[str, str]]:
    """``'auto'`` or ``[(a, b), ...]`` from ``a:b,c:d``."""
    if spec.strip() == "auto":
        return "auto"
    pairs = []
    for item in spec.split(","):
        a, sep, b = item.strip().partition(":")
        if not sep or not a.strip() or not b.strip() or ":" in b:
            raise click.BadParameter(
                f"{item.strip()!r} is not a pair of LF names: write 'auto' or lf_a:lf_b,lf_c:lf_d.",
                param_hint="'--dependencies'",
            )
        pairs.append((a.strip(), b.strip()))
    return pairs


def with_dependencies(model_spec: str, spec: str | None, names: Sequence[str]) -> Any:
    """The model ``--model`` names with ``--dependencies`` set (an unfitted model object), or
    ``model_spec`` unchanged without ``--dependencies``. Pairs are checked against ``names``."""
    from lf.models import model_from_spec
    from lf.models._cliques import resolve_pairs

    if spec is None:
        return model_spec
    if model_spec == "auto" or model_spec.lower().endswith(".json") or Path(model_spec).is_file():
        raise click.BadParameter(
            "--dependencies sets up a model fitted here: give --model LabelModel, not 'auto' or a saved model.",
            param_hint="'--dependencies'",
        )
    model: Any = model_from_spec(model_spec)
    if "dependencies" not in model._param_names():
        raise click.BadParameter(
            f"{type(model).__name__} takes no dependencies; use --model LabelModel.", param_hint="'--dependencies'"
        )
    dependencies = parse(spec)
    if dependencies != "auto":
        try:
            resolve_pairs(dependencies, list(names), len(names))
        except ParameterError as exc:
            raise click.BadParameter(str(exc), param_hint="'--dependencies'") from None
    model.dependencies = dependencies
    return model


def dependency_lines(model: Any) -> list[str]:
    """What the fitted model treated as dependent, wrapped to 80 columns (nothing without it)."""
    from lf.display import one_line

    if getattr(model, "dependencies", None) is None:
        return []
    pairs = ", ".join(f"{one_line(a)}:{one_line(b)}" for a, b in getattr(model, "dependencies_", []))
    source = "found" if model.dependencies == "auto" else "declared"
    text = f"dependent LFs ({source}): {pairs or 'none'}"
    return _wrapped(text)


def reversed_lines(model: Any, labels: Sequence[str]) -> list[str]:
    """The votes the fitted model learned as worse than random (``reversed_votes_``), with
    the class each was fitted as pointing to, wrapped to 80 columns (nothing without any)."""
    from lf.display import one_line

    votes = getattr(model, "reversed_votes_", None) or []
    if not votes:
        return []

    def name(c: int) -> str:
        return one_line(labels[c]) if 0 <= c < len(labels) else str(c)

    listed = "; ".join(f"{one_line(lf)}: its {name(v)} votes go with {name(c)}" for lf, v, c in votes)
    text = f"learned as worse than random (the other LFs of the label avoid these votes): {listed}"
    return _wrapped(text)


BALANCE_FROM_VOTES = ("LabelModel", "DawidSkene", "TripletModel")  # models that estimate it


def balance_lines(model: Any, L: Any, estimated: bool) -> list[str]:
    """A note when the model estimated the class balance (``estimated``) from votes where
    every voted class has a single LF: a class's share and its LF's recall then trade off
    (WRENCH yoruba and hausa: 49.9 and 46.4 with the estimate, 64.6 and 49.8 with the
    balance of the gold dev rows). ``L``: the label matrix (or its pattern table)."""
    from collections import Counter

    from lf.analysis import lf_polarities

    if not estimated or type(model).__name__ not in BALANCE_FROM_VOTES:
        return []
    if type(model).__name__ == "TripletModel" or type(model).__name__ == "LabelModel" and not getattr(model, "em_steps", 0):
        return []  # their fit warns itself (lf.models.UnderdeterminedWarning), more generally
    voters = Counter(c for polarity in lf_polarities(L) for c in polarity)
    if len(voters) < 2 or max(voters.values()) > 1:
        return []
    text = (
        "note: each class is voted by one LF only, so the class balance learned from the votes is "
        "weakly determined (a class's share and its LF's recall trade off); if you know it, give "
        "--class-balance (the shares, or dev with gold dev rows)"
    )
    return _wrapped(text)


def learned_lines(model: Any, L: Any, estimated: bool) -> list[str]:
    """What ``lf fit`` and ``lf label`` say of the fitted model: the dependent pairs, the
    votes reversed, a balance the votes hardly determine (``estimated``: the model estimated
    it). ``L``: the label matrix it was fitted on (or its pattern table)."""
    from lf.output import label_names

    return (dependency_lines(model) + reversed_lines(model, label_names(L)) + balance_lines(model, L, estimated)
            + vote_share_lines(model))


def vote_share_lines(model: Any) -> list[str]:
    """A note that MajorityVoter's probabilities are the vote's outcome, not a confidence:
    a row with one vote gets 1.0 (four generated LFs 79-83% right: mean probability 0.94 on
    the covered rows, accuracy 0.85)."""
    if type(model).__name__ != "MajorityVoter":
        return []
    text = (
        "note: MajorityVoter's probabilities say which class won the vote (1 for a clear winner, "
        "even by one vote; split on ties), not how likely the label is right: its confidence "
        "column is no measure of certainty"
    )
    return _wrapped(text)


def _wrapped(text: str) -> list[str]:
    """A note in lines of at most 80 columns, the later ones indented."""
    from lf.cli._shared import wrap_cells

    return wrap_cells(text, 80)
