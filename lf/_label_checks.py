"""What ``lf.label`` checks before the run: its output paths, a given model and class balance."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lf.errors import DataError, ParameterError

__all__ = ["check_balance", "check_cluster_paths", "check_paths", "check_to_fit", "declared_files", "model_object"]


def check_paths(outputs: list[tuple[str, Any]], corpus: Any, dev: Any = None, model: Any = None, lfs: Any = ()) -> None:
    """Before the run: outputs of a known format, in writable folders, none of them a data
    file, a dev data file, the saved model read or a file an LF declares (the outputs
    replace their files at the end)."""
    from lf.io import _as_paths, detect_format
    from lf.paths import check_outputs, check_unmatched, refuse_folder_name

    named = [(option, Path(path)) for option, path in outputs if path is not None]
    for option, path in outputs:
        if path is not None:
            refuse_folder_name(option, path)
    for option, path in named:
        if option == "`matrix`" and path.suffix.lower() not in (".npz", ".parquet"):
            raise ParameterError(f"`matrix` must be a .npz or .parquet file name. Got {str(path)!r}.")
        if option == "`output`":
            _output_format(path, detect_format)
    dev_files = _as_paths(dev) or []  # a dev Corpus is read later: its files are not known here
    models = [Path(model)] if isinstance(model, (str, os.PathLike)) and str(model).lower().endswith(".json") else []
    inputs = [("`data`", p) for p in corpus.files or []] + [("`dev`", p) for p in dev_files]
    if models:
        from lf.models._checks import model_file_and_arrays

        inputs += [("`model`", p) for m in models for p in model_file_and_arrays(m)]
    check_outputs(named, inputs + declared_files(lfs))
    check_unmatched(named, _patterns(corpus, dev))


def check_balance(class_balance: Any, names: tuple[str, ...], labels: Any, k: int | None) -> None:
    """Before the run, a class balance as ``fit`` will check it (numbers, or a dict or Series
    read by label name or class id), when the classes are known: after it, every LF has run."""
    if class_balance is None or k is None or isinstance(class_balance, str) and class_balance == "dev":
        return
    import numpy as np

    from lf.matrix import LabelMatrix
    from lf.models._checks import balance_by_label
    from lf.models.base import check_class_balance

    no_rows = LabelMatrix(np.empty((0, len(names)), np.int8), names=list(names), cardinality=k, labels=labels)
    check_class_balance(balance_by_label(class_balance, no_rows), k)


def declared_files(lfs: Any) -> list[tuple[str, Path]]:
    """The files the LFs and their preprocessors declare (``files=``): what they read."""
    steps = [step for x in lfs for step in (x, *x.pre)]
    kinds = {id(x): "LF" for x in lfs}
    return [
        (f"file {kinds.get(id(step), 'preprocessor')} {step.name!r} declares (files=)", Path(p))
        for step in steps for p in getattr(step, "files", ())
    ]


def check_cluster_paths(outputs: list[tuple[str, Any]], corpus: Any) -> None:
    """Before a run on Dask: output folders that are new or folders (never a data file, nor
    one another), writable, and whose part files no data pattern matches."""
    from lf.paths import check_outputs, check_unmatched

    named = [(option, Path(path)) for option, path in outputs if path is not None]
    for option, path in named:
        if path.suffix.lower() in (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".gz", ".bz2", ".zst", ".npz"):
            raise ParameterError(
                f"{option} {str(path)!r}: with the Dask engine it is a folder of Parquet part files, not a "
                f"{path.suffix} file. Name the folder without {path.suffix!r} (say {path.with_suffix('').name!r})."
            )
    check_outputs([], [("`data`", p) for p in corpus.files or []], folders=named)
    check_unmatched([(option, path / "part-00000.parquet") for option, path in named], _patterns(corpus, None))


def _patterns(corpus: Any, dev: Any) -> list[tuple[str, str]]:
    """The glob patterns the data (and dev rows) are read by, each named by its argument."""
    from lf.corpus import Corpus, is_pattern

    found = [("`data`", p) for p in getattr(corpus, "patterns", [])]
    if isinstance(dev, Corpus):
        return found + [("`dev`", p) for p in dev.patterns]
    items = [dev] if isinstance(dev, (str, os.PathLike)) else dev if isinstance(dev, (list, tuple)) else []
    return found + [("`dev`", os.fspath(d)) for d in items if isinstance(d, (str, os.PathLike)) and is_pattern(d)]


def _output_format(path: Path, detect: Any) -> None:
    """The labels output is a file of a format lf writes (the reader's message would call
    an output without a suffix, or a folder, an unknown *data* format)."""
    try:
        detect(path)
    except DataError:
        folder = " is a folder, not a file name:" if path.is_dir() else ":"
        raise ParameterError(
            f"`output` {str(path)!r}{folder} name the labels file with the suffix of its format "
            "(.parquet, .csv, .tsv or .jsonl; .gz, .bz2 or .zst to compress a text one)."
        ) from None


def model_object(
    model: Any, names: tuple[str, ...], labels: tuple[str, ...] | None = None, k: int | None = None,
    fingerprints: tuple[str | None, ...] | None = None,
) -> Any:
    from lf.models import model_from_spec
    from lf.models.base import check_fitted_on

    if model == "auto":
        return None
    if isinstance(model, os.PathLike):  # a saved model.json, as a Path
        model = os.fspath(model)
    obj = model_from_spec(model) if isinstance(model, str) else model
    if not hasattr(obj, "fit_patterns"):
        raise ParameterError(f"`model` must be a model name, 'auto', a model.json or a label model object. Got {model!r}.")
    if not hasattr(obj, "cardinality_"):
        check_to_fit(obj, names, k)
        return obj
    # fitted: on these LFs and classes (checked before the run, not once every LF has run)
    check_fitted_on(obj, names, labels, who="The model", lfs_of="the ones given here", labels_of="the LFs here label",
                    fingerprints=fingerprints, unnamed=True)
    if k is not None and int(obj.cardinality_) != k:
        raise DataError(f"The model was fitted on {int(obj.cardinality_)} classes; the LFs here vote for {k}. Fit the model again.")
    return obj


def check_to_fit(model: Any, names: Sequence[str], k: int | None) -> None:
    """A model to be fitted on the votes of the LFs ``names`` (``k`` classes, when known),
    checked as its fit will check it, before the run: too few LFs, a bad parameter, declared
    dependent pairs that name other LFs or make a group too large for ``k`` classes."""
    from lf.models._stats import check_lf_count

    check_lf_count(type(model).__name__, getattr(model, "_min_lfs", 1), len(names), "")
    if hasattr(model, "_check_params"):
        model._check_params()
    dependencies = model.get_params().get("dependencies") if hasattr(model, "get_params") else None
    if dependencies is None or isinstance(dependencies, str) and dependencies == "auto":
        return
    from lf.models._cliques import group, resolve_pairs

    pairs = resolve_pairs(dependencies, list(names), len(names))
    if k is not None:
        group(pairs, len(names), k)
