"""Label models: fit on a LabelMatrix (never on the corpus), output class probabilities."""

from __future__ import annotations

from lf.models.base import BaseLabelModel
from lf.models.majority import MajorityVoter

__all__ = ["BaseLabelModel", "MODELS", "MajorityVoter", "get_model"]

MODELS: dict[str, type[BaseLabelModel]] = {
    "MajorityVoter": MajorityVoter,
}
_ALIASES = {"majority": "MajorityVoter", "mv": "MajorityVoter"}


def get_model(name: str) -> type[BaseLabelModel]:
    """Look a model class up by name or alias (as the CLI's ``--model`` does)."""
    key = _ALIASES.get(name.lower(), name)
    for cls_name, cls in MODELS.items():
        if cls_name.lower() == key.lower():
            return cls
    names = sorted(set(_ALIASES) | {n.lower() for n in MODELS})
    raise ValueError(f"Unknown model {name!r}. Available: {', '.join(names)}.")
