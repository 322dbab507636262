"""What ``lf.apply`` says to the arguments of Snorkel's appliers it does not take."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lf.errors import ParameterError

__all__ = ["refuse_applier_arguments"]

# Snorkel's applier arguments, with what lf takes instead.
_SNORKEL = {
    "progress_bar": "pass progress=True or False (by default a bar shows when stderr is a terminal).",
    "fault_tolerant": "pass on_error='abstain': a row where an LF raises gets ABSTAIN and is counted in "
    "the matrix's `errors`.",
    "return_meta": "the matrix carries what Snorkel's metadata held: L.errors (rows each LF failed on, "
    "under on_error='abstain') and L.seconds.",
    "n_parallel": "pass n_jobs= (worker processes of the pool engine).",
    "scheduler": "pass engine='local', 'pool' (with n_jobs=) or 'dask' (a dask.distributed cluster).",
}
# PandasLFApplier.apply(df, progress_bar, fault_tolerant, return_meta), as LFApplier's.
_POSITIONAL = ("progress_bar", "fault_tolerant", "return_meta")


def refuse_applier_arguments(extra: Sequence[Any], unknown: Mapping[str, Any], apply: Callable[..., Any]) -> None:
    """The ParameterError for arguments ``apply`` (``lf.apply``) does not take: Snorkel's
    applier arguments (by keyword, or after ``lfs, data`` in Snorkel's positions) named with
    what lf takes instead, any other one with the arguments there are. Returns when there
    are none."""
    params = inspect.signature(apply).parameters.values()
    allowed = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(extra) > len(_POSITIONAL):
        raise ParameterError(
            f"lf.apply takes 2 positional arguments (lfs, data); got {2 + len(extra)}. "
            f"Pass the others by keyword: {', '.join(allowed)}."
        )
    given = {**dict(zip(_POSITIONAL, extra)), **unknown}
    if not given:
        return
    name = next((n for n in (*_POSITIONAL, *_SNORKEL) if n in given), min(given))
    if name in _SNORKEL:
        raise ParameterError(f"lf.apply takes no `{name}` (Snorkel's applier argument): {_SNORKEL[name]}")
    raise ParameterError(f"lf.apply has no argument {name!r}. Its arguments: {', '.join(allowed)}.")
