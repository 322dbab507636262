"""The round trip through Label Studio: rows to label out as tasks, its export back as gold.

- :func:`labeling_config`: the project's labeling config (XML) for the class names: one
  ``<Text>`` and a single-choice ``<Choices>`` named ``label``.
- :func:`to_tasks`: rows (``lf sample`` output: ``id``, ``text``, ``label``,
  ``confidence``) as Label Studio's task import JSON, with the model's label as a
  pre-annotation (a ``prediction`` whose ``score`` is its confidence). The row's id
  travels in ``data.lf_id``: every row needs one, and its own.
- :func:`from_export`: a Label Studio JSON export (the full "JSON" format: tasks with
  their ``annotations``) back to a gold table keyed by id. Cancelled (skipped)
  annotations count for nothing. When the annotators of a task disagree, the task is
  reported as a conflict and gets no gold label: nothing is resolved silently. Tasks
  with the same id (a task file imported twice) are one row: their annotations are pooled.
  Annotations made with another labeling config (no ``label`` choices) are an error, not
  an empty answer. An export of Label Studio before 1.0 (``completions``) reads the same.

Ids compare as the text the rows' file holds (:func:`id_text`): ``7`` (a number, from
Parquet or JSON Lines) and ``"7"`` (from CSV) are one id, ``"007"`` and ``"7"`` are two, as
are ``1.0`` and ``1``. A task without an id, or with a list or object as its id, is an error.

No network and no Label Studio package needed: these are the documented JSON formats.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import quoteattr

from lf.display import label_list
from lf.errors import DataError, ParameterError

__all__ = ["FROM_NAME", "TO_NAME", "Imported", "class_names", "from_export", "id_text", "labeling_config", "to_tasks"]

FROM_NAME = "label"  # the <Choices> control
TO_NAME = "text"  # the <Text> object, and the task's data field holding the text
ID_FIELD = "lf_id"  # the task data field carrying the row's id


def class_names(labels: Sequence[str]) -> list[str]:
    """``labels`` as the class names of the labeling config: at least 2, distinct, none blank
    (a blank one would be a choice the annotators see as an empty button)."""
    names = [str(x) for x in labels]
    if len(names) < 2 or len(set(names)) != len(names) or any(not n.strip() for n in names):
        raise DataError(
            f"Label Studio needs at least 2 distinct, non-blank class names. Got {names}: give them as "
            "--labels HAM,SPAM (or the LABELS of --lfs)."
        )
    return names


def labeling_config(labels: Sequence[str]) -> str:
    """The labeling config for ``labels``: a text and one choice among the class names."""
    names = class_names(labels)
    choices = "\n".join(f"    <Choice value={quoteattr(n)}/>" for n in names)
    return (
        "<View>\n"
        f'  <Text name="{TO_NAME}" value="${TO_NAME}"/>\n'
        f'  <Choices name="{FROM_NAME}" toName="{TO_NAME}" choice="single" showInLine="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        "</View>\n"
    )


def _plain(v: Any) -> Any:
    v = v.item() if hasattr(v, "item") else v
    return None if isinstance(v, float) and math.isnan(v) else v


def id_text(value: Any) -> str | None:
    """A row id as the text its file holds (None: missing): ``7`` and ``"7"`` are ``"7"``."""
    v = _plain(value)
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return None
    return v if isinstance(v, str) else str(v)


def to_tasks(rows: Any, labels: Sequence[str], *, model_version: str = "lf") -> list[dict[str, Any]]:
    """Label Studio tasks for ``rows`` (a DataFrame with ``id`` and ``text``; ``label`` and
    ``confidence`` when present become the pre-annotation)."""
    if not hasattr(rows, "columns") or not hasattr(rows, "to_dict"):
        raise ParameterError(
            f"`rows` must be a DataFrame (as lf.sample.sample returns: id, text, label, confidence). "
            f"Got a {type(rows).__name__}; pandas.DataFrame(rows) makes one of a list of records."
        )
    missing = [c for c in ("id", "text") if c not in rows.columns]
    if missing:
        raise DataError(f"The rows to export need the columns 'id' and 'text'; missing {missing}. Columns: {', '.join(map(str, rows.columns))}.")
    names = class_names(labels)
    _check_ids([_plain(v) for v in rows["id"].tolist()])
    tasks = []
    for rec in rows.to_dict("records"):
        text = _plain(rec["text"])
        task: dict[str, Any] = {"data": {TO_NAME: "" if text is None else str(text), ID_FIELD: _plain(rec["id"])}}
        label = _plain(rec.get("label"))
        if label is not None and str(label) != "":
            if str(label) not in names:
                raise DataError(f"Row {rec['id']!r} has the label {label!r}, which is not a class name ({label_list(names)}).")
            task["predictions"] = [{
                "model_version": model_version,
                "score": _score(rec),
                "result": [{"from_name": FROM_NAME, "to_name": TO_NAME, "type": "choices", "value": {"choices": [str(label)]}}],
            }]
        tasks.append(task)
    return tasks


def _score(rec: dict[str, Any]) -> float | None:
    """The row's ``confidence`` as the prediction's score: a probability, or None when missing."""
    conf = _plain(rec.get("confidence"))
    try:
        score = None if conf is None or str(conf).strip() == "" else float(conf)
    except (TypeError, ValueError):
        score = math.nan
    if score is not None and not 0.0 <= score <= 1.0:  # NaN too: no JSON number, refused by Label Studio
        raise DataError(
            f"Row {rec['id']!r} has the confidence {conf!r}, not a probability (0 to 1): give the rows "
            "`lf sample` wrote, or leave the confidence empty."
        )
    return score


def _check_ids(ids: list[Any]) -> None:
    """Every row to export has an id, and no two the same: the labels come back by id."""
    missing = [i for i, v in enumerate(ids) if id_text(v) in (None, "")]
    if missing:
        raise DataError(
            f"{len(missing)} rows to export have no id (row positions {missing[:5]}): the labels come back "
            "by id, so give every row one (lf sample writes them)."
        )
    dup = sorted(str(v) for v, times in Counter(id_text(v) for v in ids).items() if times > 1)
    if dup:
        raise DataError(
            f"The rows to export repeat the ids {dup[:5]}: the labels come back by id, so each row needs its own."
        )


@dataclass(frozen=True)
class Imported:
    """A Label Studio export read back: ``gold`` (``id``, ``text``, ``gold``, ``annotators``),
    ``conflicts`` (``id``, ``text``, ``labels``: the tasks whose annotators disagree), and the
    ids of tasks with no usable annotation (``unlabeled``: skipped or never annotated)."""

    gold: Any
    conflicts: Any
    unlabeled: list[Any]


def _listed(value: Any, where: str, what: str) -> list[Any]:
    """``value``, a JSON list in the export (missing: none); else the export is not Label Studio's."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DataError(
            f"{where} has {what} {json.dumps(value)[:60]}, not a list as Label Studio's JSON export writes "
            "it: its labels cannot be read. Export the project again as JSON."
        )
    return value


def _annotations(task: dict[str, Any], rid: Any) -> list[dict[str, Any]]:
    """The task's annotations (each an object); Label Studio before 1.0 called them ``completions``."""
    key = "completions" if "annotations" not in task and "completions" in task else "annotations"
    got = _listed(task.get(key), f"Task {rid!r}", key)
    bad = [a for a in got if not isinstance(a, dict)]
    if bad:
        raise DataError(f"Task {rid!r} has the annotation {json.dumps(bad[0])[:60]}, not an object: export the project again as JSON.")
    return got


def _choices(annotation: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    results = [item for item in _listed(annotation.get("result"), where, "the result") if isinstance(item, dict)]
    for item in results:
        if item.get("from_name") == FROM_NAME and item.get("type") == "choices":
            value = item.get("value")
            out.extend(str(c) for c in _listed(value.get("choices") if isinstance(value, dict) else value, where, "the choices"))
    if results and not any(item.get("from_name") == FROM_NAME for item in results):
        other = sorted({f"{item.get('from_name')!s} ({item.get('type')!s})" for item in results})
        raise DataError(
            f"{where} has results for {', '.join(other)} but none for the choices {FROM_NAME!r}: the project's "
            "labeling config is not the one `lf labelstudio export --config` writes; label with that config."
        )
    if len(out) > 1:
        raise DataError(f"{where} chose {out}: the labeling config allows one class per task.")
    return out


def _annotator(annotation: dict[str, Any]) -> str:
    """Who made an annotation, as a conflict names it: the user id, or, where the export gives
    the user as an object (``{"id": 1, "email": ...}``), their email or id rather than the
    whole object; an annotation without its user (``completed_by`` left out) by its own id."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("username") or who.get("id")
    if who is not None and who != "":
        return f"annotator {who}"
    own = annotation.get("id")
    return "annotator unknown" if own is None else f"annotation {own}, annotator unknown"


def _by_id(doc: list[Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    """The tasks of the export grouped by row id (a file imported twice gives two tasks per row)."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for t, task in enumerate(doc):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or ID_FIELD not in data:
            if isinstance(task, dict) and ID_FIELD in task:
                raise DataError(
                    f"Task {t} of the export has {ID_FIELD} at the top level, as the JSON-MIN export writes "
                    "it: export the project as JSON (the full format, with its annotations)."
                )
            raise DataError(f"Task {t} of the export has no data.{ID_FIELD}: export the project the tasks of `lf labelstudio export` went into.")
        rid = data[ID_FIELD]
        if isinstance(rid, (list, dict, bool)) or id_text(rid) in (None, ""):
            raise DataError(
                f"Task {t} of the export has data.{ID_FIELD} {json.dumps(rid)}, not a row id: its label cannot "
                "be matched to a row. Give the task the id of its row (as `lf labelstudio export` writes it)."
            )
        groups.setdefault(str(id_text(rid)), []).append(task)
    # a list, not a dict keyed by the ids: 7 and 7.0 are two ids, but one dict key
    return [(group[0]["data"][ID_FIELD], group) for group in groups.values()]



def from_export(doc: Any, labels: Sequence[str]) -> Imported:
    """Read a Label Studio JSON export (a list of tasks) into gold labels keyed by id."""
    import pandas as pd

    if not isinstance(doc, list):
        raise DataError(
            f"A Label Studio export is a JSON list of tasks (Export > JSON). Got a {type(doc).__name__}."
        )
    names = class_names(labels)
    grouped = _by_id(doc)
    if not any("annotations" in task or "completions" in task for _, tasks in grouped for task in tasks):
        raise DataError(
            f"None of the {len(doc):,} tasks has annotations: these are tasks to label (as `lf labelstudio export` "
            "writes them), not a project's export. Import them into Label Studio, label them, and give its "
            "export (Export > JSON)."
        )
    gold, conflicts, unlabeled = [], [], []
    for rid, tasks in grouped:
        data = tasks[0]["data"]
        texts = {str(task["data"].get(TO_NAME)) for task in tasks}
        if len(texts) > 1:
            raise DataError(f"The export has {len(tasks)} tasks with id {rid!r} and different texts: one id, one row.")
        chosen = []
        for annotation in (a for task in tasks for a in _annotations(task, rid)):
            if annotation.get("was_cancelled"):
                continue  # skipped by the annotator
            got = _choices(annotation, f"Task {rid!r}, annotation {annotation.get('id')!r}")
            unknown = [c for c in got if c not in names]
            if unknown:
                raise DataError(f"Task {rid!r} is labeled {unknown[0]!r}, which is not a class name ({label_list(names)}).")
            chosen += [(c, _annotator(annotation)) for c in got]
        distinct = sorted({c for c, _ in chosen}, key=names.index)
        if not distinct:
            unlabeled.append(rid)
        elif len(distinct) > 1:
            conflicts.append({"id": rid, "text": data.get(TO_NAME), "labels": "; ".join(f"{c} ({who})" for c, who in chosen)})
        else:
            gold.append({"id": rid, "text": data.get(TO_NAME), "gold": distinct[0], "annotators": len(chosen)})
    every = [rec["id"] for rec in gold + conflicts] + unlabeled
    too_big = any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in every)  # no int64: no Parquet column
    if too_big or len({type(v) for v in every}) > 1:  # numbers and text, or 7 and 7.5 (7 would become 7.0): all as text
        for rec in gold + conflicts:
            rec["id"] = id_text(rec["id"])
        unlabeled = [id_text(v) for v in unlabeled]
    gold_frame = pd.DataFrame(gold, columns=["id", "text", "gold", "annotators"])
    conflict_frame = pd.DataFrame(conflicts, columns=["id", "text", "labels"])
    return Imported(gold_frame, conflict_frame, unlabeled)
