"""Rows of only the columns the LFs read: what the bytecode proves, and nothing else changes."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lf
from lf import ABSTAIN, LabelingFunction
from lf.apply.kernel import label_chunk
from lf.apply.reads import fields_needed, fields_read
from lf.errors import LFRuntimeError

WORDS = ("free", "win")


def _helper(x: Any) -> int:
    return 1 if x.author else 0


def reads_text(x):  # type: ignore[no-untyped-def]
    return 1 if "free" in x.text.lower() else ABSTAIN


def genexpr(x):  # type: ignore[no-untyped-def]
    return 1 if any(w in x.text for w in WORDS) and x["author"] else ABSTAIN


def comprehension(x):  # type: ignore[no-untyped-def]
    return len([w for w in WORDS if w in x.body])


def nested(x):  # type: ignore[no-untyped-def]
    def inner():  # type: ignore[no-untyped-def]
        return x.text

    return inner()


def int_key(x):  # type: ignore[no-untyped-def]
    return x[0] + len(x.text)


def shadowed(x):  # type: ignore[no-untyped-def]
    g = lambda x: len(x)  # its own x: a string
    return g(x.text)


def passes_row(x):  # type: ignore[no-untyped-def]
    return _helper(x)


def uses_getattr(x):  # type: ignore[no-untyped-def]
    return getattr(x, "author", None)


def uses_get(x):  # type: ignore[no-untyped-def]
    return x.get("author")


def writes(x):  # type: ignore[no-untyped-def]
    x.text = "changed"
    return 0


def escapes_in_lambda(x):  # type: ignore[no-untyped-def]
    return (lambda: x)().author  # noqa: PLC3002


def dunder(x):  # type: ignore[no-untyped-def]
    return x.__dict__["author"]


def rebinds(x):  # type: ignore[no-untyped-def]
    x = x.text
    return len(x)


def uses_locals(x):  # type: ignore[no-untyped-def]
    return locals()["x"].author


def contains(x):  # type: ignore[no-untyped-def]
    return 1 if "author" in x else 0


def star(*args):  # type: ignore[no-untyped-def]
    return args[0].text


class Callable:
    def __call__(self, x: Any) -> int:
        return 0


@pytest.mark.parametrize(
    "func, fields",
    [
        (reads_text, {"text"}),
        (genexpr, {"text", "author"}),
        (comprehension, {"body"}),
        (nested, {"text"}),
        (int_key, {0, "text"}),
        (shadowed, {"text"}),
        (lambda x: x.title.upper(), {"title"}),
        (lambda x: 0, set()),
        (passes_row, None),
        (uses_getattr, None),
        (uses_get, None),
        (writes, None),
        (escapes_in_lambda, None),
        (dunder, None),
        (rebinds, None),
        (uses_locals, None),
        (contains, None),
        (star, None),
        (Callable(), None),
        (functools.partial(reads_text), None),
        (print, None),
    ],
)
def test_fields_read_is_exact_or_none(func, fields):  # type: ignore[no-untyped-def]
    got = fields_read(func)
    assert got == (None if fields is None else frozenset(fields))


def test_a_preprocessor_or_one_unknown_lf_means_every_column() -> None:
    pre = lf.preprocessor()(lambda x: x)
    assert fields_needed([LabelingFunction("a", reads_text), LabelingFunction("b", genexpr)]) == {"text", "author"}
    assert fields_needed([LabelingFunction("a", reads_text), LabelingFunction("b", passes_row)]) is None
    assert fields_needed([LabelingFunction("a", reads_text, pre=[pre])]) is None


class _CountsCopies:
    """An opaque object in the caller's data: rows get deep copies of it, which we count."""

    copies = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> _CountsCopies:
        type(self).copies += 1
        return _CountsCopies()


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "text": ["free stuff", "hello there", "win a prize", "ok"] * (n // 4),
        "author": ["ann", "", "bob", ""] * (n // 4),
        "blob": [_CountsCopies() for _ in range(n)],
    })


def test_columns_no_lf_reads_are_not_converted_or_copied() -> None:
    frame = _frame(40)
    _CountsCopies.copies = 0
    label_chunk([LabelingFunction("t", reads_text), LabelingFunction("g", genexpr)], frame, cardinality=2)
    assert _CountsCopies.copies == 0
    label_chunk([LabelingFunction("t", reads_text), LabelingFunction("h", passes_row)], frame, cardinality=2)
    assert _CountsCopies.copies >= 40  # one LF whose reads are unknown: full rows, copied


def test_matrix_is_the_same_with_rows_of_some_columns_or_of_all() -> None:
    frame = _frame(400)
    provable = [LabelingFunction("t", reads_text), LabelingFunction("g", genexpr), LabelingFunction("s", shadowed)]
    opaque = LabelingFunction("h", passes_row)  # forces every column into the rows
    pruned = lf.apply(provable, frame, progress=False).array
    full = lf.apply([*provable, opaque], frame, progress=False).array[:, :3]
    np.testing.assert_array_equal(pruned, full)
    assert (pruned[:, 0] == np.tile([1, ABSTAIN, ABSTAIN, ABSTAIN], 100)).all()


def test_a_field_that_is_no_column_still_names_every_column() -> None:
    typo = LabelingFunction("typo", lambda x: 1 if x.txt else 0)
    with pytest.raises(LFRuntimeError, match=r"no field 'txt'\. Available fields: 'text', 'author', 'blob'"):
        label_chunk([typo], _frame(4), cardinality=2)


def test_integer_column_labels_are_fields_by_subscript() -> None:
    frame = pd.DataFrame({0: [3, 4], "text": ["a", "bb"], 2: [object(), object()]})
    out = label_chunk([LabelingFunction("k", lambda x: 1 if x[0] + len(x.text) > 4 else 0)], frame, cardinality=2)
    assert out.labels[:, 0].tolist() == [0, 1]
