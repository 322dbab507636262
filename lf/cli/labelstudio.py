"""``lf labelstudio export | import``: rows to label out as Label Studio tasks, its export back as gold."""

from __future__ import annotations

from pathlib import Path

import click

from lf.cli._shared import _check_output, _console, say
from lf.paths import check_outputs

__all__ = ["labelstudio_group"]


def _class_names(labels: str | None, lfs_target: str | None) -> list[str]:
    if bool(labels) == bool(lfs_target):
        raise click.UsageError("Give the class names with --labels HAM,SPAM or --lfs MODULE (its LABELS), one of the two.")
    if labels:
        return [x.strip() for x in labels.split(",")]
    import lf

    names = lf.load_lfs(str(lfs_target)).labels
    if not names:
        raise click.BadParameter(f"{lfs_target!r} declares no LABELS; give --labels HAM,SPAM.", param_hint="'--lfs'")
    return list(names)


def _write_text(path: str, text: str) -> None:
    from lf.io import atomic_path

    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")


@click.group("labelstudio")
def labelstudio_group() -> None:
    """Round trip through Label Studio: export rows to label, import the labels back as gold."""


@labelstudio_group.command("export")
@click.argument("rows_file", metavar="to_label.csv")
@click.option("-o", "--output", required=True, metavar="tasks.json", help="Where to write the tasks (Label Studio's import JSON).")
@click.option("--config", "config_out", metavar="config.xml", help="Also write the labeling config for the class names.")
@click.option("--labels", metavar="A,B,...", help="The class names, in order.")
@click.option("--lfs", "lfs_target", metavar="MODULE", help="An LF module whose LABELS are the class names.")
def export_cmd(rows_file: str, output: str, config_out: str | None, labels: str | None, lfs_target: str | None) -> None:
    """Turn rows to label (`lf sample` output: id, text, label, confidence) into Label
    Studio tasks, the model's label as a pre-annotation."""
    import json

    from lf.io import iter_chunks
    from lf.labelstudio import labeling_config, to_tasks

    _check_output(output, (".json",), "tasks")
    if config_out:
        _check_output(config_out, (".xml",), "labeling config", "--config")
    inputs: list[tuple[str, str | Path]] = [("to_label.csv", rows_file)]
    if lfs_target and Path(lfs_target).is_file():
        inputs.append(("--lfs", lfs_target))
    check_outputs([("-o", output), *([("--config", config_out)] if config_out else [])], inputs)
    names = _class_names(labels, lfs_target)
    config = labeling_config(names)
    import pandas as pd

    from lf.errors import DataError

    chunks = list(iter_chunks([rows_file], 200_000))
    if not chunks:
        raise DataError(f"{rows_file!r} has no rows to export.")
    frame = pd.concat(chunks, ignore_index=True)
    tasks = to_tasks(frame, names)
    _write_text(output, json.dumps(tasks, ensure_ascii=False, indent=1))
    if config_out:
        _write_text(config_out, config)
    say(_console(stderr=True), f"wrote {output}: {len(tasks):,} tasks" + (f"; {config_out}" if config_out else ""),
        keep=[output, config_out or ""])


@labelstudio_group.command("import")
@click.argument("export_file", metavar="export.json")
@click.option("-o", "--output", required=True, metavar="gold.csv", help="Where to write the gold labels (id, text, gold, annotators).")
@click.option("--conflicts", "conflicts_out", metavar="conflicts.csv", help="Also write the tasks whose annotators disagree.")
@click.option("--labels", metavar="A,B,...", help="The class names, in order.")
@click.option("--lfs", "lfs_target", metavar="MODULE", help="An LF module whose LABELS are the class names.")
def import_cmd(export_file: str, output: str, conflicts_out: str | None, labels: str | None, lfs_target: str | None) -> None:
    """Read a Label Studio JSON export into a gold file keyed by id, for --gold or
    --dev-data/--dev-gold gold. Skipped tasks give no gold; tasks whose annotators
    disagree give none either and are reported."""
    import json

    from lf.display import visible
    from lf.errors import DataError
    from lf.io import write_frame
    from lf.labelstudio import from_export

    _check_output(output, (".csv", ".jsonl", ".parquet"), "gold labels")
    if conflicts_out:
        _check_output(conflicts_out, (".csv", ".jsonl"), "conflicts", "--conflicts")
    inputs: list[tuple[str, str | Path]] = [("export.json", export_file)]
    if lfs_target and Path(lfs_target).is_file():
        inputs.append(("--lfs", lfs_target))
    check_outputs([("-o", output), *([("--conflicts", conflicts_out)] if conflicts_out else [])], inputs)
    names = _class_names(labels, lfs_target)
    try:
        doc = json.loads(Path(export_file).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{export_file!r} is not a JSON file ({exc}); export the project as JSON.") from None
    got = from_export(doc, names)
    from lf.output import warn_missing_looking_labels

    warn_missing_looking_labels(names, output)  # its `gold` column: the class names
    write_frame(got.gold, output)
    if conflicts_out:
        write_frame(got.conflicts, conflicts_out)
    err = _console(stderr=True)
    say(
        err,
        f"wrote {output}: {len(got.gold):,} gold labels; {len(got.unlabeled):,} tasks skipped or "
        f"not annotated; {len(got.conflicts):,} with disagreeing annotators",
        keep=[output],
    )
    for rec in got.conflicts.head(10).to_dict("records"):
        say(err, f"conflict: id {visible(rec['id'])}: {visible(rec['labels'])}")
    if len(got.conflicts) > 10:
        say(err, f"... and {len(got.conflicts) - 10:,} more" + (f" (all in {conflicts_out})" if conflicts_out else ""), keep=[conflicts_out or ""])
