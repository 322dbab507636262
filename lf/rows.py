"""Look at the rows behind the numbers: where an LF fires, where two LFs conflict, where an
LF is wrong against gold, which rows no LF labels (``lf rows`` and :func:`rows`).

Selections are pure functions of the label matrix (+ gold); the texts are read once, only
for the rows shown. A template LF (``keyword_lf`` / ``regex_lf``) also reports the span it
matched, so a row can be shown cut around its match with the match highlighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import LabelMatrix

if TYPE_CHECKING:
    import pandas as pd

    from lf.core import LabelingFunction

__all__ = ["buckets", "read_rows", "rows", "select_rows", "snippet"]

IntArray = npt.NDArray[np.int64]
ELLIPSIS = "\u2026"


def buckets(*labels: Any) -> dict[tuple[int, ...], IntArray]:
    """Row positions grouped by their labels in each array: ``buckets(y_true, y_pred)[(1, 0)]``
    are the rows with gold 1 that were labeled 0 (Snorkel's ``get_label_buckets``).

    Any number of arrays of equal length (gold, a model's predictions, an LF's column), each
    of shape ``(n,)`` or ``(n, 1)`` holding integer labels (fractions, NaN and text are
    refused); ABSTAIN (-1) is a label like any other here."""
    if not labels:
        raise ParameterError("`buckets` needs at least one array of labels (e.g. buckets(y_true, y_pred)).")
    arrays = [_bucket_labels(a, i) for i, a in enumerate(labels)]
    n = arrays[0].shape[0]
    bad = [a.shape[0] for a in arrays if a.shape[0] != n]
    if bad:
        raise ParameterError(f"`buckets` needs arrays of one length: got lengths {[a.shape[0] for a in arrays]}.")
    if n == 0:
        return {}
    keys, inverse = np.unique(np.stack(arrays, axis=1), axis=0, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.cumsum(np.bincount(inverse.ravel(), minlength=keys.shape[0]))[:-1]
    groups = np.split(order, bounds)
    return {tuple(int(v) for v in key): g.astype(np.int64) for key, g in zip(keys, groups)}


def _bucket_labels(labels: Any, i: int) -> IntArray:
    """One array of :func:`buckets`: shape ``(n,)`` or ``(n, 1)`` (a gold column, as Snorkel
    takes it), integer labels (floats holding whole numbers too)."""
    from lf.matrix import _integral

    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    what = f"`buckets`' array {i + 1}"
    if arr.ndim != 1:
        raise ParameterError(f"{what} must hold one label per row (shape (n,) or (n, 1)). Got shape {arr.shape}.")
    return np.asarray(_integral(arr, what), dtype=np.int64)


def _lf_index(L: LabelMatrix, name: str, option: str) -> int:
    if name not in L.names:
        raise ParameterError(f"`{option}` {name!r} is not an LF of the matrix. LFs: {', '.join(L.names)}.")
    return L.names.index(name)


def _label_id(L: LabelMatrix, label: Any) -> int:
    from lf.gold import gold_ids

    return int(gold_ids([label], list(L.labels) if L.labels else None, L.cardinality, what="`label`")[0])


def select_rows(
    L: LabelMatrix,
    *,
    lf: str | None = None,
    label: Any = None,
    conflicts: Sequence[str] | None = None,
    wrong: bool = False,
    y: Any = None,
    uncovered: bool = False,
) -> IntArray:
    """Positions of the rows matching every filter given (all rows when none is given).

    ``lf``: rows where that LF votes (``label``: votes that label; without ``lf``, rows some
    LF votes ``label`` on). ``conflicts=(a, b)``: both vote, differently. ``wrong`` (needs
    ``y``): ``lf`` votes against gold (without ``lf``: some LF does). ``uncovered``: no
    LF votes. ``label`` and ``y`` are class ids or label names."""
    if not isinstance(L, LabelMatrix):
        raise ParameterError(
            f"`L` must be a LabelMatrix (what lf.apply returns; LabelMatrix(array, names=...) wraps an "
            f"array): rows are selected by LF name. Got a {type(L).__name__}."
        )
    A = np.asarray(L.array)
    keep = np.ones(A.shape[0], dtype=bool)
    j = _lf_index(L, lf, "lf") if lf is not None else None
    votes = A[:, j] if j is not None else None
    if label is not None:
        c = _label_id(L, label)
        keep &= (votes == c) if votes is not None else (A == c).any(axis=1)
    elif votes is not None:
        keep &= votes != -1
    if conflicts is not None:
        if isinstance(conflicts, str) or len(conflicts) != 2 or conflicts[0] == conflicts[1]:
            raise ParameterError(f"`conflicts` must name two different LFs, e.g. ('a', 'b'). Got {conflicts!r}.")
        a, b = (A[:, _lf_index(L, name, "conflicts")] for name in conflicts)
        keep &= (a != -1) & (b != -1) & (a != b)
    if wrong:
        if y is None:
            raise ParameterError("`wrong=True` needs gold labels `y` (the CLI: --wrong --gold COLUMN).")
        from lf.summary import gold_labels

        gold = np.asarray(gold_labels(L, y, L.cardinality))
        if votes is not None:
            keep &= (votes != -1) & (votes != gold)
        else:
            keep &= ((A != -1) & (A != gold[:, None])).any(axis=1)
    if uncovered:
        keep &= (A == -1).all(axis=1)
    return np.flatnonzero(keep).astype(np.int64)


def _spread(indices: IntArray, n: int | None) -> IntArray:
    """At most ``n`` of ``indices``, evenly spaced over the corpus (deterministic)."""
    if n is None or indices.shape[0] <= n:
        return indices
    pos = np.unique(np.linspace(0, indices.shape[0] - 1, n).round().astype(np.int64))
    return indices[pos]


def read_rows(
    data: Any, positions: IntArray, text_column: str, id_column: str | None = None, *, id_optional: bool = False,
    n_rows: int | None = None,
) -> pd.DataFrame:
    """The text (and id) of the rows at ``positions`` (sorted) of ``data``, read chunk by chunk.

    ``id_optional``: a data without ``id_column`` gives no id, rather than an error, and a
    warning: its texts go to the matrix's rows (and ids) by position, unchecked.
    ``n_rows``: the rows of the matrix the positions are of; data of another length is a
    DataError (a filtered or longer frame would give rows other rows' texts)."""
    import warnings

    import pandas as pd

    from lf.core import text_column_hint
    from lf.corpus import as_corpus
    from lf.errors import DataError

    wanted = list(dict.fromkeys(c for c in (id_column, text_column) if c))  # ids may be the texts
    parts, offset = [], 0
    for chunk in as_corpus(data).chunks(200_000):  # whatever lf.apply reads: records, a Dask frame ...
        if id_optional and id_column is not None and id_column in wanted and id_column not in chunk.columns:
            wanted = [text_column]
            warnings.warn(
                f"The label matrix names its rows by id, but `data` has no {id_column!r} column to check that its "
                "rows are the matrix's: its texts are taken by position, unchecked (the data reordered, or another "
                "file, would give rows other rows' texts). Pass `id_column=` the column the matrix's ids came from.",
                UserWarning, stacklevel=3,
            )
        missing = [c for c in wanted if c not in chunk.columns]
        if missing:
            shown = ", ".join(str(c) for c in chunk.columns)
            hint = text_column_hint(missing[0]) if missing[0] == text_column else ""
            raise DataError(f"The data has no column {missing[0]!r}. Available columns: {shown}.{hint}")
        lo, hi = np.searchsorted(positions, [offset, offset + len(chunk)])
        if hi > lo:
            parts.append(chunk.iloc[positions[lo:hi] - offset][wanted])
        offset += len(chunk)
    if (positions.size and positions[-1] >= offset) or (n_rows is not None and offset != n_rows):
        more = "more" if n_rows is None else f"{n_rows:,}"
        raise DataError(
            f"The data has {offset:,} rows but the label matrix has {more}: its rows would get other rows' texts. "
            "Give the data the matrix was made from."
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: [] for c in wanted})


def rows(
    L: LabelMatrix,
    data: Any = None,
    *,
    lf: str | None = None,
    label: Any = None,
    conflicts: Sequence[str] | None = None,
    wrong: bool = False,
    y: Any = None,
    uncovered: bool = False,
    n: int | None = 20,
    lfs: Sequence[LabelingFunction] | None = None,
    text_column: str = "text",
    id_column: str | None = None,
) -> pd.DataFrame:
    """The rows matching the filters of :func:`select_rows`, as a DataFrame; ``data``, the
    data ``L`` was made from, is anything :func:`lf.apply` reads.

    Columns: ``row`` (position in the data), ``id`` (the matrix's row ids, else the
    position), ``text`` (when ``data`` is given), one column per LF of interest with its
    vote as a label name (``lf``, or both LFs of ``conflicts``), ``gold`` (with ``y``),
    ``wrong_lfs`` (with ``wrong`` and no ``lf``: the LFs that voted against gold), and
    ``span_start`` / ``span_end`` (character offsets of the match; ``-1`` where unknown)
    when ``lf`` is a template LF found in ``lfs``. ``n`` rows at most, spread evenly over
    the corpus (None: all of them). When the matrix has row ids, the ids in ``data``'s
    ``id_column`` (default: its ``id`` column, if any) must be the same at the rows shown,
    or it is a DataError: the texts would be another data set's (data without that column is
    read by position, with a warning). ``data`` must have the matrix's number of rows, and
    a template ``lf`` found in ``lfs`` that votes otherwise on the texts read gets a warning.
    """
    import pandas as pd

    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ParameterError(f"`n` must be an integer >= 1 or None. Got {n!r}.")
    picked = _spread(select_rows(L, lf=lf, label=label, conflicts=conflicts, wrong=wrong, y=y, uncovered=uncovered), n)
    ids = L.row_ids[picked] if L.row_ids is not None else picked
    out = pd.DataFrame({"row": picked, "id": ids})
    if data is not None:
        id_col = None if L.row_ids is None else (id_column or "id")
        read = read_rows(data, picked, text_column, id_col, id_optional=id_column is None, n_rows=L.n)
        if id_col is not None and id_col in read.columns:
            same_ids(ids, read[id_col].tolist(), picked)
        out["text"] = read[text_column].to_numpy(dtype=object)
    for name in ([lf] if lf else []) + [c for c in (conflicts or []) if c != lf]:
        col = np.asarray(L.array)[picked, L.names.index(name)]
        out[name] = [L.label_name(int(v)) for v in col]
    if y is not None:
        from lf.summary import gold_labels

        gold = np.asarray(gold_labels(L, y, L.cardinality))[picked]
        out["gold"] = [L.label_name(int(v)) for v in gold]
        if wrong and lf is None:  # which LFs voted against gold on each row
            sub = np.asarray(L.array)[picked]
            bad = (sub != -1) & (sub != gold[:, None])
            out["wrong_lfs"] = [", ".join(L.names[j] for j in np.flatnonzero(row)) for row in bad]
    if lf is not None and lfs is not None and data is not None:
        _add_spans(out, lf, lfs)
        _warn_other_votes(L, picked, lf, lfs, out["text"].tolist())
    return out


def _warn_other_votes(L: LabelMatrix, picked: IntArray, name: str, lfs: Sequence[LabelingFunction], texts: list[Any]) -> None:
    """A template LF run again on the texts read votes as the matrix holds: else they are
    not the texts it labeled (data reordered or another file, read by position) or it changed."""
    import warnings

    import pandas as pd

    template: Any = next((x.f for x in lfs if x.name == name and callable(getattr(x.f, "spans", None))), None)
    if template is None or template.column != "text" or not texts:
        return
    votes = np.asarray(template(pd.DataFrame({"text": texts})))
    held = np.asarray(L.array)[picked, L.names.index(name)]
    off = np.flatnonzero(votes != held)
    if off.size:
        at = int(picked[off[0]])
        warnings.warn(
            f"LF {name!r} votes {L.label_name(int(votes[off[0]]))} on the text `data` gives for row {at:,}, but the "
            f"label matrix holds its vote {L.label_name(int(held[off[0]]))} there ({off.size} of the {len(texts)} rows "
            "shown differ): the texts are not the rows the matrix was made from (data reordered, filtered or "
            "another file), or the LF changed since. Give the data and LFs the matrix was made with.",
            UserWarning, stacklevel=3,
        )


def _id_key(value: Any) -> Any:
    """An id compared across readers: missing as None, numbers by value ('7', 7, 7.0), else text."""
    from lf._matrix_io import is_missing

    if is_missing(value):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)  # exactly: 19-digit ids one apart are one float
    if isinstance(value, str) and value.strip().lstrip("+-").isdecimal():
        return int(value.strip())
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(number):
        return str(value)
    return int(number) if number.is_integer() else number


def same_ids(ours: Any, theirs: list[Any], picked: IntArray) -> None:
    """The data's ids at the picked rows are the matrix's: else it is another data set."""
    from lf.errors import DataError

    for pos, a, b in zip(picked.tolist(), np.asarray(ours).tolist(), theirs):
        if _id_key(a) != _id_key(b):
            raise DataError(
                f"Row {pos:,} of the data has id {b!r} but the label matrix has id {a!r} there: give "
                "the data the matrix was made from (or the `id_column` it used)."
            )


def _add_spans(out: pd.DataFrame, name: str, lfs: Sequence[LabelingFunction]) -> None:
    from lf.templates import match_spans

    found = [x for x in lfs if x.name == name]
    spans = match_spans(found[0], out["text"].tolist()) if found else None
    if spans is None:
        return
    out["span_start"] = np.array([s[0] if s else -1 for s in spans], dtype=np.int64)
    out["span_end"] = np.array([s[1] if s else -1 for s in spans], dtype=np.int64)


def snippet(
    text: str, span: tuple[int, int] | None, width: int, *, cells: bool = False,
) -> tuple[str, tuple[int, int] | None]:
    """``text`` cut to about ``width`` characters around ``span`` (the match centred, an
    ellipsis on each cut side); returns the cut text and the span's place in it.

    Without a span the start is kept. A match longer than ``width`` keeps its start.
    ``cells``: ``width`` counts terminal columns instead, as the text is shown there (a
    CJK character or an emoji takes two, a control character its escape's: ``\\x1b``)."""
    if width < 8:
        raise ParameterError(f"`width` must be at least 8 characters. Got {width!r}.")
    size = _cell_size if cells else _one
    if _reach(text, 0, 1, width, size)[0] == len(text):  # it fits (no more than width steps to know)
        return text, span
    if span is None:
        return text[: _reach(text, 0, 1, width - 1, size)[0]] + ELLIPSIS, None
    start, end = span
    room = width - 2  # an ellipsis may go on each side
    match = sum(map(size, text[start:end]))
    if match >= room:  # the match keeps its start
        left, right = start, _reach(text, start, 1, room, size)[0]
    else:
        left, used = _reach(text, start, -1, (room - match) // 2, size)
        right, more = _reach(text, end, 1, room - match - used, size)
        left = _reach(text, start, -1, room - match - more, size)[0]  # room the end left over
    head = ELLIPSIS if left > 0 else ""
    tail = ELLIPSIS if right < len(text) else ""
    cut = head + text[left:right] + tail
    shift = len(head) - left
    return cut, (start + shift, min(end, right) + shift)


def _one(ch: str) -> int:
    return 1


def _cell_size(ch: str) -> int:
    """The terminal columns ``ch`` takes as shown (its escape for a control character)."""
    from rich.cells import cell_len

    from lf.display import visible

    return cell_len(visible(ch))


def _reach(text: str, at: int, step: int, budget: int, size: Any) -> tuple[int, int]:
    """From position ``at``, going right (``step`` 1) or left (-1): the farthest position
    whose characters passed fit in ``budget`` (measured by ``size``), and what they take."""
    used = 0
    while 0 < at if step < 0 else at < len(text):
        need = size(text[at if step > 0 else at - 1])
        if used + need > budget:
            break
        used += need
        at += step
    return at, used
