"""Gold labels as class ids: from label names (``HAM``), class ids (``1``) or ids as text (``"1"``)."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from lf.display import label_list
from lf.errors import DataError

__all__ = [
    "GoldColumn", "gold_ids", "has_gold", "mixed_kinds", "numbers_are_ambiguous", "refuse_ambiguous_numbers",
    "refuse_reordered_gold",
]


def _as_id(value: Any, k: int | None) -> int | None:
    """``value`` as a class id 0..k-1 (an int, an integral float, or either as text: ``"1"``,
    ``"1.0"``, as a CSV holds a float column of ids, which a missing value made float), else None.

    With ``k`` None (the number of classes not known yet) any id >= 0 is one."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        i = int(value)
    elif isinstance(value, str) and _whole(value.strip()):
        i = int(value.strip().partition(".")[0])
    else:
        return None
    return i if 0 <= i and (k is None or i < k) else None


def _whole(text: str) -> bool:
    """Digits, or digits, a point and zeros (``"7"``, ``"7.0"``): a whole number as text."""
    digits, point, zeros = text.partition(".")
    return digits.isdecimal() and (not point or (zeros != "" and not zeros.strip("0")))


def has_gold(values: Any) -> npt.NDArray[np.bool_]:
    """Which values of a partly hand-labeled column (a pandas Series) hold a label: not
    missing, and not text of spaces only (a cell cleared by hand)."""
    blank = values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
    return np.asarray((values.notna() & ~blank).to_numpy(), dtype=bool)


def _missing(value: Any) -> bool:
    """None, NaN, pandas' NA or NaT."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in ("NAType", "NaTType")


def _folded(value: Any) -> str:
    """A value as it is matched to the label names: in any case, spaces around it aside
    (``"spam "`` is ``SPAM``), as :func:`lf.matrix.duplicate_labels` keeps names apart."""
    return str(value).strip().lower()


def _show(values: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" ... ({len(values)} in all)" if len(values) > limit else "")


def numbers_are_ambiguous(labels: Sequence[str] | None) -> bool:
    """Whether numbers as gold are ambiguous with these label names: some name is a number
    that is not its own class id (``LABELS = ["1", "0"]``: is 1 the label "1" or class 1?)."""
    return any(str(name).strip().isdecimal() and int(str(name).strip()) != i for i, name in enumerate(labels or ()))


def refuse_ambiguous_numbers(labels: Sequence[str] | None, what: str) -> None:
    """The DataError for gold given as numbers when :func:`numbers_are_ambiguous`."""
    if numbers_are_ambiguous(labels):
        raise DataError(
            f"{what} holds numbers, and the label names {label_list(labels)} are numbers "
            "that are not their own class ids: a 1 could be the label '1' or the class id 1. Give "
            "the gold labels as text (the label names), or rename the labels in LABELS."
        )


def refuse_reordered_gold(L: Any, y: Any, name: str = "y", matrix: str = "L") -> None:
    """Refuse gold ``y``, a pandas Series, whose index holds the row ids of the matrix ``L``
    in another order: gold is read by position, so each label would score another row (a
    gold file read with ``set_index("id")``, sorted otherwise). An index that is the ids in
    their order, a ``RangeIndex`` or other labels (a filtered or shuffled frame's positions)
    says nothing of the order and is read by position as before. Ids compare as text."""
    pd = sys.modules.get("pandas")  # no pandas imported: ``y`` is no Series
    ids = getattr(L, "row_ids", None)
    if pd is None or not isinstance(y, (pd.Series, pd.DataFrame)) or ids is None or len(y) != len(ids) or not len(ids):
        return
    from lf._row_digest import as_text

    index = y.index
    if isinstance(index, (pd.RangeIndex, pd.MultiIndex)):
        return
    ours = as_text(np.asarray(index, dtype=object)).astype(str)  # missing ids too, as "None" / "nan"
    theirs = as_text(np.asarray(ids, dtype=object)).astype(str)
    moved = np.flatnonzero(ours != theirs)
    if not len(moved):
        return
    if bool((np.sort(ours) == np.sort(theirs)).all()):
        at = int(moved[0])
        raise DataError(
            f"`{name}` is indexed by the row ids of `{matrix}` in another order (at row {at:,} `{matrix}` has the id "
            f"{str(theirs[at])!r}, `{name}` the id {str(ours[at])!r}): gold labels are read by position, so each would score "
            f"another row. Pass `{name}.reindex({matrix}.row_ids)` (or `{name}.to_numpy()` if its order is the "
            "matrix's)."
        )
    shared = np.flatnonzero(np.isin(ours, theirs))
    if index.name is not None and len(shared):  # a named index of ids (set_index("id")): of other rows, some of them L's
        at = int(shared[0])
        raise DataError(
            f"`{name}` is indexed by ids ({index.name!r}), some of them row ids of `{matrix}` at other rows (`{name}`'s "
            f"row {at:,} has the id {str(ours[at])!r}, `{matrix}`'s row {int(np.flatnonzero(theirs == ours[at])[0]):,}), "
            f"and {len(ours) - int(np.isin(ours, theirs).sum()):,} ids `{matrix}` does not have: gold labels are read by "
            f"position, so each would score another row. Pass `{name}.reindex({matrix}.row_ids)` (rows without gold "
            "become missing: leave them out of both)."
        )


def gold_ids(values: Any, labels: Sequence[str] | None, k: int | None, *, what: str = "The gold column") -> npt.NDArray[np.int64]:
    """Map gold values to class ids ``0..k-1`` (see :func:`_gold_ids`)."""
    return _gold_ids(values, labels, k, what, 0)[0]


class GoldColumn:
    """:func:`gold_ids` over a column read chunk by chunk (``column(values, first_row)``, as
    :class:`lf.apply.run.Pass` converts a side column): rows are named by their position in
    the column, and a chunk of label names after one of class ids (or the other way round)
    is refused as in one chunk, whatever the chunk size, so every engine gives one answer."""

    def __init__(self, labels: Sequence[str] | None, k: int | None, what: str) -> None:
        self.labels, self.k, self.what = labels, k, what
        self.first: tuple[str, Any] | None = None  # the kind of the first chunk, and one of its values

    def __call__(self, values: Any, first_row: int = 0) -> npt.NDArray[np.int64]:
        ids, kind, example = _gold_ids(values, self.labels, self.k, self.what, first_row)
        if example is None:
            return ids
        if self.first is None:
            self.first = (kind, example)
        elif self.first[0] != kind:
            names, numbers = (self.first[1], example) if kind == "ids" else (example, self.first[1])
            raise mixed_kinds(self.what, [names], [numbers], self.labels, self.k, f"; from row {first_row:,} on")
        return ids


def mixed_kinds(what: str, names: list[Any], ids: list[Any], labels: Sequence[str] | None, k: int | None, where: str = "") -> DataError:
    """The error for a gold column holding both label names and class ids."""
    ids_text = f"0..{k - 1}" if k is not None else "0, 1, 2 and so on"
    return DataError(
        f"{what} mixes label names ({_show(names)}) with class ids ({_show(ids)}{where}). "
        f"Use one kind for every row: {label_list(labels)} or {ids_text}."
    )


def _gold_ids(
    values: Any, labels: Sequence[str] | None, k: int | None, what: str, first_row: int
) -> tuple[npt.NDArray[np.int64], str, Any]:
    """Map gold values to class ids ``0..k-1``; also say whether they were label names or
    class ids ("names" / "ids"), with one of them (None: no values). ``first_row``: the row
    position of the first value, for messages.

    ``k`` None checks what can be checked before the number of classes is known (before a
    run, with no LABELS): names, missing values, ids that are not non-negative integers.

    A gold column holds either label names (``labels``, matched in any case, spaces around
    them aside) or class ids
    (``0``, ``1`` ... also as text, as a CSV gives them), not both: a name column that also
    holds ids is more likely a broken column than a shorthand. When the label names are
    themselves digits (``LABELS = ["1", "0"]``), text values are names; numbers are then
    refused (:func:`refuse_ambiguous_numbers`), as they could be either. ``what`` names the values in
    messages (``--gold column 'y'``). Missing values, unknown values and a mix of names and
    ids are a :class:`~lf.errors.DataError` that lists the offending values.
    """
    codes, distinct = _factorize(values)
    gaps = [c for c, v in enumerate(distinct) if _missing(v)]
    where = np.flatnonzero((codes < 0) | np.isin(codes, gaps))
    if len(where):
        rows = ", ".join(str(first_row + i) for i in where[:5]) + (" ..." if len(where) > 5 else "")
        values_word = "a missing value (row position" if len(where) == 1 else f"{len(where)} missing values (row positions"
        raise DataError(
            f"{what} has {values_word} {rows}); every row needs a gold label. To score the labeled "
            "rows alone, leave the others out first (a file of just them, as `lf labelstudio import` writes)."
        )
    if any(_as_id(v, None) is not None and not (isinstance(v, str) and v.strip().isdecimal()) for v in distinct):
        refuse_ambiguous_numbers(labels, what)  # numbers, floats as text too ("1.0" could be the label "1")
    by_name = {_folded(name): i for i, name in enumerate(labels or [])}
    kind = "ids"
    if by_name and all(_folded(v) in by_name for v in distinct):
        table = [by_name[_folded(v)] for v in distinct]
        kind = "names"
    else:
        names = [v for v in distinct if _folded(v) in by_name]
        ids = {v: _as_id(v, k) for v in distinct if _folded(v) not in by_name}
        unknown = sorted((v for v, i in ids.items() if i is None), key=str)
        ids_text = f"0..{k - 1}" if k is not None else "0, 1, 2 and so on"
        named = any(isinstance(v, str) and not v.strip().lstrip("-").isdecimal() for v in unknown)
        allowed = (
            f"the label names {label_list(labels)} or the class ids {ids_text}" if labels
            else f"the class ids {ids_text}" + (" (label names once the labels are declared: LABELS in the LF module, labels= in Python)" if named else "")
        )
        if unknown:
            raise DataError(f"{what} has values that are neither label names nor class ids: {_show(unknown)}. Allowed: {allowed}.")
        if names:
            raise mixed_kinds(what, names, list(ids), labels, k)
        known = {v: i for v, i in ids.items() if i is not None}  # every value, here
        table = [known[v] for v in distinct]
    out = np.asarray(table, dtype=np.int64)[codes] if len(codes) else np.zeros(0, np.int64)
    return out, kind, distinct[0] if distinct else None


def _factorize(values: Any) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """Each value's index among the distinct values (pandas' factorize when given a Series)."""
    if hasattr(values, "factorize"):  # a pandas Series / Index: vectorised; missing values get -1
        codes, uniques = values.factorize()
        return np.asarray(codes, dtype=np.intp), list(uniques.tolist())
    index: dict[Any, int] = {}
    items = values.tolist() if hasattr(values, "tolist") else list(values)
    codes = np.fromiter((index.setdefault(v, len(index)) for v in items), dtype=np.intp, count=len(items))
    return codes, list(index)
