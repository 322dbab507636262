"""JSON Lines text of a DataFrame whose floats read back bit-exact.

pandas writes JSON numbers with at most 15 significant digits: ``0.1 + 0.2`` became
``0.3``, a float id ``2.0**53 + 2`` another id, a probability another number. Float
columns are written as the shortest text that reads back as the same double (Arrow's
float-to-text cast, with ``.0`` kept on whole numbers so that they stay floats), float
values in object columns (ids mixing types) as Python's ``repr``; missing and infinite
values as ``null``, as pandas writes them. Integer and boolean columns are cast by Arrow
too (faster than pandas' writer, column by column); pandas writes every other column.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["json_lines"]


def json_lines(df: pd.DataFrame) -> str:
    """One JSON object per row of ``df`` (its columns as keys, in order), each line ending
    in a line break; ``""`` for no rows."""
    import pyarrow.compute as pc

    if len(df) == 0:
        return ""
    if not any(_has_floats(df.iloc[:, at]) for at in range(df.shape[1])):
        text = _pandas_lines(df)
        return text if text.endswith("\n") else text + "\n"
    parts = [_members(df, at) for at in range(df.shape[1])]
    parts[0] = pc.binary_join_element_wise("{", parts[0], "")
    parts[-1] = pc.binary_join_element_wise(parts[-1], "}\n", "")
    return "".join(pc.binary_join_element_wise(*parts, ",").to_pylist())


def _members(df: pd.DataFrame, at: int) -> pa.Array:
    """Column ``at`` as JSON object members, ``"name":value``, one per row."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    column = df.iloc[:, at]
    key = json.dumps(str(df.columns[at]), ensure_ascii=False) + ":"
    if column.dtype.kind == "f":
        values = pa.array(column.to_numpy(dtype=np.float64))
        text = pc.cast(values, pa.string())
        whole = pc.match_substring_regex(text, r"^-?[0-9]+$")  # 1.0 is cast to "1"
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
        text = pc.if_else(pc.fill_null(pc.is_finite(values), False), text, "null")
        return pc.binary_join_element_wise(key, text, "")
    if column.dtype.kind in "iub":  # integers and booleans: Arrow's text is JSON's
        values = pa.array(column, from_pandas=True)
        text = pc.if_else(values, "true", "false") if column.dtype.kind == "b" else pc.cast(values, pa.string())
        return pc.binary_join_element_wise(key, pc.fill_null(text, "null"), "")
    theirs = [line[1:-1] for line in _pandas_lines(df.iloc[:, [at]]).split("\n")[: len(df)]]
    if _has_floats(column):
        theirs = [key + _float_text(v) if isinstance(v, float) else s for v, s in zip(column.tolist(), theirs, strict=True)]
    return pa.array(theirs, pa.string())


def _has_floats(column: pd.Series) -> bool:
    if column.dtype.kind == "f":
        return True
    return column.dtype == object and any(isinstance(v, float) for v in column.tolist())


def _float_text(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else "null"


def _pandas_lines(df: pd.DataFrame) -> str:
    return df.to_json(orient="records", lines=True, force_ascii=False, double_precision=15) or ""
