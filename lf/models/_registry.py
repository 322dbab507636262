"""The label-model registry: each model file registers its class; other packages add theirs
through the entry-point group ``lf.models`` (``name = "package.module:ModelClass"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lf.errors import LFImportError, ParameterError

if TYPE_CHECKING:
    from lf.models.base import BaseLabelModel

__all__ = ["ALIASES", "ENTRY_POINT_GROUP", "MODELS", "get_model", "register"]

ENTRY_POINT_GROUP = "lf.models"
MODELS: dict[str, type[BaseLabelModel]] = {}  # class name -> class, filled by @register and entry points
ALIASES: dict[str, str] = {}  # lower-case alias -> class name
C = TypeVar("C", bound="type[BaseLabelModel]")


def register(*aliases: str) -> Callable[[C], C]:
    """Class decorator: make a model available by its class name and ``aliases``
    (``--model NAME``, ``get_model``, ``BaseLabelModel.load``)."""

    def add(cls: C) -> C:
        MODELS[cls.__name__] = cls
        for alias in aliases:
            ALIASES[alias.lower()] = cls.__name__
        return cls

    return add


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _load_plugin(name: str) -> type[BaseLabelModel] | None:
    """The class an installed package registers under ``name`` (or its class name), else None."""
    from lf.models.base import BaseLabelModel as Base

    for ep_name, ep in _entry_points().items():
        if name.lower() not in (ep_name.lower(), str(ep.value).rsplit(":", 1)[-1].lower()):
            continue
        try:
            cls = ep.load()
        except Exception as exc:  # any import failure of a third-party package
            raise LFImportError(
                f"The label model {ep_name!r} (entry point {ep.value!r} in group "
                f"{ENTRY_POINT_GROUP!r}) failed to import: {type(exc).__name__}: {exc}."
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, Base)):
            raise ParameterError(
                f"The entry point {ep_name!r} in group {ENTRY_POINT_GROUP!r} gives {cls!r}, "
                "not a BaseLabelModel subclass."
            )
        taken = MODELS.get(cls.__name__)
        if taken is not None and taken is not cls:  # it would replace that model for every later lookup
            raise ParameterError(
                f"The entry point {ep_name!r} in group {ENTRY_POINT_GROUP!r} gives {cls.__module__}.{cls.__qualname__}, "
                f"named as {taken.__module__}.{taken.__qualname__} is: --model {cls.__name__} and saved models, which "
                "name their class, would get one for the other. Give the class a name of its own."
            )
        MODELS[cls.__name__] = cls
        ALIASES[ep_name.lower()] = cls.__name__
        return cls
    return None


def get_model(name: str) -> type[BaseLabelModel]:
    """Look a model class up by name or alias (as the CLI's ``--model`` does), then among the
    installed packages' ``lf.models`` entry points."""
    key = ALIASES.get(name.lower(), name)
    for cls_name, cls in MODELS.items():
        if cls_name.lower() == key.lower():
            return cls
    found = _load_plugin(name)
    if found is not None:
        return found
    names = sorted(set(ALIASES) | {n.lower() for n in MODELS} | {n.lower() for n in _entry_points()})
    raise ParameterError(f"Unknown model {name!r}. Available: {', '.join(names)}.")
