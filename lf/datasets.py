"""Datasets: :func:`load` a named dataset as a DataFrame, :func:`fetch` it first; WRENCH folders.

``load(name)`` returns one row per example with at least these columns:

- ``id`` (str): unique within the dataset;
- ``text`` (str): what the LFs read;
- ``label`` (str): the gold label *name* (e.g. ``"HAM"`` / ``"SPAM"``), missing where unknown;

plus the dataset's own columns (``author``, ``date``, ``video`` for ``youtube``; ``split``
for the WRENCH sets). The label names, in class-id order, are in ``df.attrs["labels"]``.
Each dataset is described by ``datasets/<name>/manifest.json``; see :mod:`lf.fetch`.

A WRENCH folder holds ``train.json`` / ``valid.json`` / ``test.json`` (each
``{id: {"label": int, "weak_labels": [one int per LF, -1 = abstain], "data": {...}}}``)
and ``label.json`` (class id -> name); :func:`load_wrench` reads one split with its LF votes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import DataError
from lf.fetch import fetch_dataset, file_digests
from lf.manifest import Manifest, dataset_dir, get_manifest, list_datasets, missing_files
from lf.matrix import LabelMatrix

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WrenchSplit", "dataset_path", "fetch", "list_datasets", "load", "load_wrench"]


class WrenchSplit(NamedTuple):
    """One split of a WRENCH-format dataset."""

    L: LabelMatrix
    y: npt.NDArray[np.int64]
    texts: list[str]
    labels: tuple[str, ...]
    ids: list[str]


def _splits(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json") if p.stem not in ("label", "labeled_ids"))


def _wrench_folders(parent: Path) -> list[str]:
    if not parent.is_dir():
        return []
    return sorted(p.name for p in parent.iterdir() if (p / "label.json").is_file())


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise DataError(f"{str(path)!r} is not valid JSON: {exc}.") from None


def _label_names(folder: Path) -> tuple[str, ...] | None:
    path = folder / "label.json"
    if not path.is_file():
        return None
    raw = _read_json(path)
    if not isinstance(raw, dict) or not raw:
        raise DataError(f"{str(path)!r} must map class ids to names, e.g. {{\"0\": \"ham\"}}.")
    try:
        ids = sorted(int(key) for key in raw)
    except ValueError:
        raise DataError(f"{str(path)!r} has a class id that is not an integer: {list(raw)}.") from None
    if ids != list(range(len(ids))):
        raise DataError(f"{str(path)!r} must number its classes 0..k-1. Got ids {ids}.")
    return tuple(str(raw[str(i)]) for i in ids)


def load_wrench(folder: str | Path, split: str) -> WrenchSplit:
    """Read one split of a WRENCH-format folder.

    Returns a :class:`WrenchSplit`: the :class:`~lf.LabelMatrix` (LF columns ``lf_0`` ...,
    label names from ``label.json``, row ids from the json keys), the gold labels as an int64
    array, the texts (``data["text"]``, or the whole ``data`` record as JSON when it has no
    text), the label names and the row ids. Raises :class:`~lf.errors.DataError` naming what
    exists when the folder or the split is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        known = _wrench_folders(folder.parent)
        where = f" Folders with a label.json in {str(folder.parent)!r}: {', '.join(known)}." if known else ""
        raise DataError(f"WRENCH folder not found: {str(folder)!r}.{where}")
    path = folder / f"{split}.json"
    if not path.is_file():
        have = _splits(folder)
        raise DataError(
            f"`split` {split!r} does not exist in {str(folder)!r}. "
            f"Available splits: {', '.join(have) if have else '(none)'}."
        )
    names = _label_names(folder)
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise DataError(f"{str(path)!r} must be a JSON object mapping ids to examples.")
    ids, rows, gold, texts = [], [], [], []
    for key, ex in raw.items():
        try:
            rows.append(ex["weak_labels"])
            gold.append(ex["label"])
            data = ex.get("data", {})
        except (KeyError, TypeError, AttributeError):
            raise DataError(
                f"Example {key!r} in {str(path)!r} needs 'label' and 'weak_labels' fields."
            ) from None
        ids.append(str(key))
        text = data.get("text") if isinstance(data, dict) else None
        texts.append(str(text) if text is not None else json.dumps(data, ensure_ascii=False))
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise DataError(f"{str(path)!r}: examples have different numbers of weak labels: {sorted(widths)}.")
    m = widths.pop() if widths else 0
    A = np.asarray(rows, dtype=np.int64).reshape(len(rows), m)
    y = np.asarray(gold, dtype=np.int64)
    k = len(names) if names is not None else None
    try:
        L = LabelMatrix(
            A, names=[f"lf_{j}" for j in range(m)], cardinality=k, labels=names, row_ids=np.asarray(ids)
        )
    except ValueError as exc:
        raise DataError(f"{str(path)!r}: {exc}") from None
    if y.size and (y.min() < 0 or y.max() >= L.cardinality):
        raise DataError(
            f"{str(path)!r}: gold label {int(y.max()) if y.max() >= L.cardinality else int(y.min())} "
            f"is out of range for {L.cardinality} classes."
        )
    return WrenchSplit(L, y, texts, L.labels or tuple(str(i) for i in range(L.cardinality)), ids)


def fetch(
    name: str,
    *,
    data_home: str | Path | None = None,
    base_url: str | None = None,
    from_path: str | Path | None = None,
    progress: bool | None = None,
) -> Path:
    """Download (or register) dataset ``name`` into the data home and return its folder.

    Each file is streamed into a temporary file next to its destination, its sha256 checked
    against the manifest, then renamed into place; a mismatch raises
    :class:`~lf.errors.DataError` naming the file and both digests, and leaves nothing behind.
    Files already present and verified are skipped, so fetching twice is cheap.

    - ``data_home``: the cache folder (default ``$LF_DATA_HOME``, else the user cache dir).
    - ``base_url``: fetch every file from ``<base_url>/<file name>`` instead of the manifest's
      URLs (``{name}`` in it becomes the dataset name); default ``$LF_DATA_URL``.
    - ``from_path``: register a local copy instead of downloading: a folder holding the files
      (or the file itself for one-file datasets); checksums are verified before copying.
    - ``progress``: a download bar on stderr (default: when stderr is a terminal).
    """
    return fetch_dataset(
        name, data_home=data_home, base_url=base_url, from_path=from_path, progress=progress
    ).path


def dataset_path(name: str, *, data_home: str | Path | None = None) -> Path:
    """The folder holding dataset ``name``'s files; fails with the fetch command when absent.

    For the WRENCH sets, ``load_wrench(dataset_path("wrench_youtube"), "train")`` gives the
    LF votes of a split as a :class:`~lf.LabelMatrix`.
    """
    manifest = get_manifest(name)
    _require_fetched(manifest, data_home)
    return dataset_dir(manifest, data_home)


def _fetch_command(manifest: Manifest, data_home: str | Path | None) -> str:
    where = dataset_dir(manifest, data_home)
    home = f" --data-home {str(where.parent)!r}" if data_home is not None else ""
    return (
        f"lf datasets fetch {manifest.name}{home}  "
        f"(or, from a local copy: lf datasets fetch {manifest.name} --from PATH{home})"
    )


def _require_fetched(manifest: Manifest, data_home: str | Path | None) -> None:
    """Every file present with its size and sha256 (digests cached, see lf.fetch.file_digests)."""
    where = dataset_dir(manifest, data_home)
    wrong = missing_files(manifest, data_home)  # absent, or of another size
    absent = [f for f in wrong if not (where / f.name).is_file()]
    if absent and manifest.local:
        raise DataError(f"Dataset {manifest.name!r} ships with lf but {absent[0].name!r} is missing from {str(where)!r}.")
    if absent:
        raise DataError(
            f"Dataset {manifest.name!r} is not fetched yet (missing in {str(where)!r}: "
            f"{', '.join(f.name for f in absent)}). Run: {_fetch_command(manifest, data_home)}"
        )
    if wrong:
        size = (where / wrong[0].name).stat().st_size
        how = f"its size is {size:,} bytes, the manifest expects {wrong[0].size:,}"
        raise _changed(manifest, data_home, wrong[0].name, how)
    # The project folder of a dataset shipped with lf may be read-only: no digest file there.
    digests = file_digests(where, [f.name for f in manifest.files], remember=not manifest.local)
    for spec in manifest.files:
        if digests[spec.name] != spec.sha256:
            raise _changed(
                manifest, data_home, spec.name, f"its sha256 is {digests[spec.name]}, the manifest expects {spec.sha256}"
            )


def _changed(manifest: Manifest, data_home: str | Path | None, name: str, how: str) -> DataError:
    where = dataset_dir(manifest, data_home)
    fix = "Reinstall lf" if manifest.local else f"Fetch it again: {_fetch_command(manifest, data_home)}"
    return DataError(
        f"File {name!r} of dataset {manifest.name!r} in {str(where)!r} has changed since it was fetched: {how}. {fix}"
    )


def load(name: str, *, data_home: str | Path | None = None) -> pd.DataFrame:
    """Load dataset ``name`` as a DataFrame (schema in the module docstring and its manifest).

    Raises :class:`~lf.errors.DataError` listing the available names for an unknown name,
    and giving the exact ``lf datasets fetch`` command for a dataset not fetched yet.
    """
    manifest = get_manifest(name)
    _require_fetched(manifest, data_home)
    folder = dataset_dir(manifest, data_home)
    reader = _READERS[manifest.format]
    df = reader(folder, manifest)
    df.attrs["labels"] = list(manifest.labels)
    df.attrs["dataset"] = manifest.name
    return df


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({key: pd.Series(values, dtype="str") for key, values in columns.items()})


def _read_csv_frame(folder: Path, manifest: Manifest) -> pd.DataFrame:
    import pandas as pd

    parts = [
        pd.read_csv(folder / f.name, dtype="str", keep_default_na=False, encoding="utf-8")
        for f in manifest.files
    ]
    df = pd.concat(parts, ignore_index=True)
    for col in ("id", "text"):
        if col not in df.columns:
            raise DataError(f"Dataset {manifest.name!r}: its CSV has no {col!r} column. Columns: {list(df.columns)}.")
    if "label" in df.columns:
        df["label"] = df["label"].where(df["label"] != "")
    first = [c for c in ("id", "text", "label") if c in df.columns]
    return df[first + [c for c in df.columns if c not in first]]


def _read_uci_youtube(folder: Path, manifest: Manifest) -> pd.DataFrame:
    import pandas as pd

    parts = []
    for spec in manifest.files:
        raw = pd.read_csv(folder / spec.name, dtype="str", keep_default_na=False, encoding="utf-8")
        raw["video"] = spec.name.split("-", 1)[0]
        parts.append(raw)
    raw = pd.concat(parts, ignore_index=True)
    names = dict(zip(("0", "1"), manifest.labels, strict=True))
    unknown = sorted(set(raw["CLASS"]) - set(names))
    if unknown:
        raise DataError(f"Dataset {manifest.name!r}: CLASS values {unknown} are not 0 or 1.")
    ids = raw["COMMENT_ID"]
    seen = ids.groupby(ids).cumcount()  # the source repeats 3 comments verbatim: keep ids unique
    unique_ids = ids.where(seen == 0, ids + "#" + (seen + 1).astype("str"))
    df = _frame(
        {
            "id": unique_ids.tolist(),
            "text": raw["CONTENT"].tolist(),
            "label": [names[c] for c in raw["CLASS"]],
            "author": raw["AUTHOR"].tolist(),
            "video": raw["video"].tolist(),
            "comment_id": ids.tolist(),
        }
    )
    dates = raw["DATE"].where(raw["DATE"] != "")
    df.insert(4, "date", pd.to_datetime(dates, format="ISO8601"))
    return df


def _read_uci_sms(folder: Path, manifest: Manifest) -> pd.DataFrame:
    names = {name.lower(): name for name in manifest.labels}
    ids, texts, labels = [], [], []
    path = folder / manifest.files[0].name
    with open(path, encoding="utf-8", newline="") as fh:
        for i, line in enumerate(fh):
            line = line.rstrip("\r\n")
            if not line:
                continue
            tag, sep, text = line.partition("\t")
            if not sep or tag.lower() not in names:
                raise DataError(f"{str(path)!r} line {i + 1} is not '<ham|spam><TAB><text>': {line[:60]!r}.")
            ids.append(str(i))
            texts.append(text)
            labels.append(names[tag.lower()])
    return _frame({"id": ids, "text": texts, "label": labels})


def _read_wrench(folder: Path, manifest: Manifest) -> pd.DataFrame:
    names = manifest.labels
    columns: dict[str, list[Any]] = {"id": [], "text": [], "label": [], "split": []}
    extra: dict[str, list[Any]] = {}
    splits = [f.name[: -len(".json")] for f in manifest.files if f.name in ("train.json", "valid.json", "test.json")]
    for split in splits:
        path = folder / f"{split}.json"
        raw = _read_json(path)
        for key, ex in raw.items():
            label = ex.get("label") if isinstance(ex, dict) else None
            data = ex.get("data", {}) if isinstance(ex, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get("text"), str):
                raise DataError(f"Example {key!r} in {str(path)!r} has no data.text.")
            n = len(columns["id"])
            columns["id"].append(f"{split}-{key}")
            columns["text"].append(data["text"])
            columns["label"].append(names[label] if isinstance(label, int) and 0 <= label < len(names) else None)
            columns["split"].append(split)
            for field_name, value in data.items():
                if field_name != "text" and isinstance(value, str):
                    extra.setdefault(field_name, [None] * n).append(value)
            for values in extra.values():
                values.extend([None] * (n + 1 - len(values)))
    return _frame({**columns, **extra})


_READERS = {
    "csv": _read_csv_frame,
    "uci_youtube": _read_uci_youtube,
    "uci_sms": _read_uci_sms,
    "wrench": _read_wrench,
}
