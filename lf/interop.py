"""Bring labeling functions written for Snorkel into ``lf`` unchanged."""

from __future__ import annotations

from typing import Any

from lf.core import LabelingFunction
from lf.errors import LFDefinitionError

__all__ = ["as_lf", "is_snorkel_lf"]


def is_snorkel_lf(obj: Any) -> bool:
    """Whether ``obj`` is a ``snorkel.labeling.LabelingFunction`` (checked without importing Snorkel)."""
    return any(
        cls.__name__ == "LabelingFunction" and cls.__module__.startswith("snorkel.")
        for cls in type(obj).__mro__
    )


def as_lf(obj: Any) -> LabelingFunction:
    """Return ``obj`` as an ``lf`` LabelingFunction; Snorkel LFs keep their preprocessors and resources.

    A Snorkel LF is called as Snorkel calls it (``lf(x)`` runs its preprocessors, then its
    function with its resources) on ``lf``'s light row records, which support the attribute
    access, item access and ``copy`` that Snorkel preprocessors use.
    """
    if isinstance(obj, LabelingFunction):
        return obj
    if is_snorkel_lf(obj):
        return LabelingFunction(str(obj.name), obj)
    raise LFDefinitionError(
        f"Expected a labeling function (made with @lf.labeling_function() or lf.LabelingFunction). "
        f"Got {obj!r} of type {type(obj).__name__}."
    )
