"""What ``lf.label`` checks before the run: its output paths and a given model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lf.errors import DataError, ParameterError

__all__ = ["check_paths", "model_object"]


def check_paths(outputs: list[tuple[str, Any]], corpus: Any, dev: Any = None, model: Any = None) -> None:
    """Before the run: outputs of a known format, in writable folders, none of them a data
    file, a dev data file or the saved model read (the outputs replace their files at the end)."""
    from lf.io import _as_paths, detect_format
    from lf.paths import check_outputs

    named = [(option, Path(path)) for option, path in outputs if path is not None]
    for option, path in named:
        if option == "`matrix`" and path.suffix.lower() not in (".npz", ".parquet"):
            raise ParameterError(f"`matrix` must be a .npz or .parquet file name. Got {str(path)!r}.")
        if option == "`output`":
            detect_format(path)
    dev_files = _as_paths(dev) or []  # a dev Corpus is read later: its files are not known here
    models = [Path(model)] if isinstance(model, (str, os.PathLike)) and str(model).lower().endswith(".json") else []
    inputs = [("`data`", p) for p in corpus.files or []] + [("`dev`", p) for p in dev_files]
    inputs += [("`model`", p) for m in models for p in (m, m.with_name(f"{m.stem}.model.npz"))]
    check_outputs(named, inputs)


def model_object(model: Any, names: tuple[str, ...], labels: tuple[str, ...] | None = None, k: int | None = None) -> Any:
    from lf.models import model_from_spec
    from lf.models._stats import check_lf_count

    if model == "auto":
        return None
    obj = model_from_spec(model) if isinstance(model, str) else model
    if not hasattr(obj, "fit_patterns"):
        raise ParameterError(f"`model` must be a model name, 'auto', a model.json or a label model object. Got {model!r}.")
    if not hasattr(obj, "cardinality_"):  # to be fitted: too few LFs stop the run before it starts
        check_lf_count(type(obj).__name__, getattr(obj, "_min_lfs", 1), len(names), "")
    fitted_names = getattr(obj, "lf_names_", None)
    if hasattr(obj, "cardinality_") and fitted_names is not None and list(fitted_names) != list(names):
        raise DataError(
            f"The model was fitted on other LFs ({', '.join(fitted_names)}) than the ones given here "
            f"({', '.join(names)}). Apply the LF module the model was fitted with, or fit the model again."
        )
    _same_classes_as(obj, labels, k)
    return obj


def _same_classes_as(model: Any, labels: tuple[str, ...] | None, k: int | None) -> None:
    """A fitted model must know the classes the LFs vote for (same names, same order):
    checked before the run, not once every LF has run."""
    if not hasattr(model, "cardinality_"):
        return
    fitted = getattr(model, "label_names_", None)
    if labels and fitted is not None and list(fitted) != list(labels):
        raise DataError(
            f"The model was fitted on the labels {', '.join(fitted)} (in that order); the LFs here label "
            f"{', '.join(labels)}. Its class ids would mean other labels: fit the model again."
        )
    if k is not None and int(model.cardinality_) != k:
        raise DataError(f"The model was fitted on {int(model.cardinality_)} classes; the LFs here vote for {k}. Fit the model again.")
