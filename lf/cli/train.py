"""``lf train`` and ``lf predict``: the end model, trained on probabilistic labels."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import click

from lf.cli._checks import data_files
from lf.cli._shared import _check_output, _console, _source, say
from lf.corpus import is_pattern
from lf.paths import check_outputs, check_unmatched

__all__ = ["predict_cmd", "train_cmd"]


def _a_number(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """--C as given: NaN passes click's range (no comparison with it holds), and so does inf."""
    if value is not None and math.isnan(value):
        raise click.BadParameter("nan is not a number: give the inverse regularisation, e.g. 1 or 16.")
    if value is not None and math.isinf(value):
        raise click.BadParameter(
            "inf leaves the weights unregularised (on text they grow until the solver stops, and most "
            "probabilities come out near 0 or 1): give a finite value, e.g. 1 or 16."
        )
    return value


@click.command("train")
@click.argument("data", nargs=-1, required=True)
@click.option("--labels", "labels_path", required=True, metavar="labels.parquet", help="What `lf label` wrote for DATA (a .parquet one is checked to hold DATA's rows; with --engine dask, its folder of part files).")
@click.option("-o", "--output", required=True, metavar="MODEL_DIR", help="Folder to save the model in (model.json + arrays.<digest>.npz).")
@click.option("--text-column", default="text", show_default=True, metavar="COLUMN", help="The text column of DATA (and --dev-data).")
@click.option("--id-column", metavar="COLUMN", help="Row ids matching the labels' `id` (default: DATA's `id` column, else row positions).")
@click.option("--all-rows", is_flag=True, help="Also train on rows no LF covered (their labels are only the class prior).")
@click.option("--dev-data", multiple=True, metavar="DEV_DATA", help="Gold-labeled rows to choose the regularisation on (instead of cross-validation); the fits scored on them leave out rows of DATA with the same text.")
@click.option("--dev-gold", metavar="COLUMN", help="Column of --dev-data with the gold labels.")
@click.option("--C", "C", type=click.FloatRange(min=0, min_open=True), callback=_a_number, help="Fix the inverse regularisation instead of choosing it.")
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(min=2), help="Train on a random sample of this many covered rows when there are more.")
@click.option("--progress/--no-progress", default=None, help="Progress bar counting the fits (default: when stderr is a terminal).")
def train_cmd(
    data: tuple[str, ...], labels_path: str, output: str, text_column: str, id_column: str | None, all_rows: bool,
    dev_data: tuple[str, ...], dev_gold: str | None, C: float | None, max_rows: int, progress: bool | None,
) -> None:
    """Train a text classifier (TF-IDF n-grams + logistic regression) on DATA and its labels.

    The label model's probabilities are soft targets (each row once per class, weighted by
    the probability). Needs scikit-learn: pip install 'lf[train]'.
    """
    from lf.train import train

    if bool(dev_data) != bool(dev_gold):
        raise click.UsageError("--dev-data and --dev-gold go together: the dev rows and their gold column.")
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"{output!r} is a file; give a folder for the model.", param_hint="'-o'")
    if not out.parent.exists():
        raise click.BadParameter(f"{output!r}: the folder {str(out.parent)!r} does not exist.", param_hint="'-o'")
    inputs = [("DATA", p) for p in data_files(data)] + [("--labels", labels_path)]
    inputs += [("--dev-data", p) for p in data_files(dev_data)] if dev_data else []
    if out.is_dir():  # the files the model is saved as must not be ones the run reads
        check_outputs([("-o", out / "model.json"), ("-o", out / "arrays.npz")], inputs)
        from lf.models._checks import refuse_other_model
        from lf.train import FORMAT

        refuse_other_model(out / "model.json", FORMAT)  # refused now, not once the model is trained
    start = time.perf_counter()
    model = train(
        _source(data), labels_path, text_column=text_column, id_column=id_column, all_rows=all_rows,
        dev_data=_source(dev_data) if dev_data else None, dev_gold=dev_gold, C=C, max_rows=max_rows, progress=progress,
    )
    model.save(out)
    info = model.info
    sampled = f" (a random {info['sampled']:,} of them)" if "sampled" in info else ""
    how = f"chosen by {info['c_chosen_by']}" if "c_chosen_by" in info else "given"
    if info.get("dev_texts_in_training") and "c_chosen_by" in info:
        how += f", on fits without the {info['dev_texts_in_training']:,} rows sharing a dev text"
    say(
        _console(stderr=True),
        f"wrote {output}: trained on {info['trained_rows']:,} of {info['data_rows']:,} rows{sampled}, "
        f"{model.coef.shape[1]:,} features, C={model.C:g} ({how}), in {time.perf_counter() - start:.2f} s",
        keep=[output],
    )


@click.command("predict")
@click.argument("model_dir", metavar="MODEL_DIR")
@click.argument("data", nargs=-1, required=True)
@click.option("-o", "--output", required=True, metavar="preds.parquet", help="Where to write the predictions (.parquet, .csv or .jsonl).")
@click.option("--text-column", metavar="COLUMN", help="The text column of DATA (default: the one the model was trained on).")
@click.option("--id-column", metavar="COLUMN", help="Column to copy as `id` (default: DATA's `id` column, else row positions).")
@click.option("--chunk-size", default=50_000, show_default=True, type=click.IntRange(min=1), help="Rows per chunk.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def predict_cmd(
    model_dir: str, data: tuple[str, ...], output: str, text_column: str | None, id_column: str | None,
    chunk_size: int, progress: bool | None,
) -> None:
    """Predict labels for DATA with a model saved by `lf train`, chunk by chunk.

    The output has `id`, one probability column per label, `label` and `confidence`.
    """
    from lf.train import iter_predictions, load_model
    from lf.train_data import write_predictions

    _check_output(output, (".parquet", ".csv", ".jsonl"), "predictions")
    from lf.models._checks import model_file_and_arrays
    from lf.train import ARRAYS

    meta = Path(model_dir) / "model.json"
    model_inputs = [("MODEL_DIR", p) for p in model_file_and_arrays(meta, ("arrays", "arrays_sha256"), ARRAYS)]
    check_outputs([("-o", output)], [("DATA", p) for p in data_files(data)] + model_inputs)
    check_unmatched([("-o", output)], [("DATA", d) for d in data if is_pattern(d)])
    start = time.perf_counter()
    model = load_model(model_dir)
    from lf.output import warn_missing_looking_labels

    warn_missing_looking_labels(model.labels, output)  # its `label` column: the model's label names
    frames = iter_predictions(model, _source(data), text_column=text_column, id_column=id_column, chunk_size=chunk_size, progress=progress)
    rows = write_predictions(frames, output)
    say(_console(stderr=True), f"wrote {output}: {rows:,} rows in {time.perf_counter() - start:.2f} s", keep=[output])


def end_model_line(model_dir: str, data: tuple[str, ...], text_column: str | None, y: Any, L: Any, label_model: Any) -> str:
    """``lf report --end-model``: the end model's accuracy against gold next to the label model's."""
    import numpy as np

    from lf.errors import DataError
    from lf.models import LabelModel
    from lf.train import load_model, predict

    if y is None or not data:
        raise click.UsageError("--end-model is scored against gold labels: give --gold (and --data with a saved matrix).")
    model = load_model(model_dir)
    if tuple(model.labels) != tuple(L.labels or [str(c) for c in range(L.cardinality)]):
        raise DataError(f"The end model in {model_dir!r} has labels {list(model.labels)}, the LFs {list(L.labels or [])}.")
    pred = predict(model, _source(data), text_column=text_column, progress=False)
    right = np.asarray([model.labels.index(v) for v in pred["label"]]) == y
    end_acc = float(right.mean())
    which = ""
    if label_model is None:  # not the model whose labels trained the end model: say so
        label_model = LabelModel().fit(L)
        which = "\n  (fitted here on these rows' votes; --model model.json scores a saved one)"
    lm_acc = float((label_model.predict(L) == y).mean())
    covered = float((L.array != -1).any(axis=1).mean())
    return (  # both over every row: a row no LF votes on gets what predict gives it (lf label writes none)
        f"end model accuracy against gold: {end_acc:.3f} over all {len(y):,} rows\n"
        + _trained_on(model, data, text_column, right)
        + f"label model ({type(label_model).__name__}): {lm_acc:.3f} over the same rows (LF coverage\n"
        f"  {covered:.3f}; a row no LF votes on counts with the model's guess, if any){which}"
    )


def _trained_on(model: Any, data: tuple[str, ...], text_column: str | None, right: Any) -> str:
    """Lines saying how many rows scored have the text of a row the end model was trained
    on (its accuracy there is not held out) and its accuracy on the others; "" when none
    has, or the model kept no record of its training texts (saved by an older lf)."""
    import numpy as np

    from lf.io import iter_chunks

    column = text_column or model.text_column
    parts = [model.seen(chunk[column].tolist()) for chunk in iter_chunks(_source(data), 200_000)]
    if not parts or parts[0] is None:
        return ""
    seen = np.concatenate(parts)
    if not seen.any():
        return ""
    rest = f"{right[~seen].mean():.3f} on the other {int((~seen).sum()):,}" if not seen.all() else "no other rows"
    return (
        f"  ({int(seen.sum()):,} of them have the text of a row it was trained on, so it is not\n"
        f"  held out there: {rest})\n"
    )
