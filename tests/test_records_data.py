"""Data as Snorkel's LFApplier takes it: a list of records or a 2-D NumPy array."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import lf
from lf.errors import DataError

# The expected matrices are worked out by hand from the LFs below.

_NUMS = [3, 43, 12, 9, 3]


@lf.labeling_function()
def _big(x):
    return 0 if x.num > 42 else -1


@lf.labeling_function(resources={"db": [3, 6, 9]})
def _listed(x, db):
    return 0 if x.num in db else -1


@lf.labeling_function()
def _typo(x):
    return 0 if x.mum > 42 else -1


_EXPECTED = [[-1, 0], [0, -1], [-1, -1], [-1, 0], [-1, 0]]

_Point = namedtuple("_Point", ["num"])


@dataclass(slots=True)
class _Slotted:  # attributes without a __dict__
    num: int


@pytest.mark.parametrize(
    "records",
    [
        [SimpleNamespace(num=n) for n in _NUMS],
        [{"num": n} for n in _NUMS],
        tuple(pd.Series({"num": n}) for n in _NUMS),
        [_Point(n) for n in _NUMS],
        [_Slotted(n) for n in _NUMS],
    ],
    ids=["namespaces", "dicts", "series", "namedtuples", "slots"],
)
def test_a_list_of_records_is_data(records):
    assert lf.apply([_big, _listed], records, progress=False).array.tolist() == _EXPECTED


def test_a_2d_numpy_array_is_data_with_fields_by_position():
    @lf.labeling_function()
    def big_np(x):
        return 0 if x[1] > 42 else -1

    X = np.vstack((_NUMS, _NUMS)).T
    assert lf.apply([big_np], X, progress=False).array[:, 0].tolist() == [row[0] for row in _EXPECTED]
    with pytest.raises(DataError, match=r"must have one row per data point \(2-D\); got 1 dimension"):
        lf.apply([big_np], np.array(_NUMS), progress=False)


def test_records_fault_tolerance_as_snorkels_applier():
    records = [SimpleNamespace(num=n) for n in _NUMS]
    with pytest.raises(AttributeError, match="no field 'mum'"):
        lf.apply([_big, _typo], records, progress=False)
    L = lf.apply([_big, _typo], records, on_error="abstain", progress=False)
    assert L.array.tolist() == [[-1, -1], [0, -1], [-1, -1], [-1, -1], [-1, -1]]
    assert L.errors.tolist() == [0, 5]


def test_records_with_other_fields_are_refused_not_filled_with_missing_values():
    # called on the record itself, an LF reading a field it lacks raises: a NaN would not
    with pytest.raises(DataError, match=r"Record 1 of the data has the fields \['nom'\], record 0 has \['num'\]"):
        lf.apply([_big], [{"num": 1}, {"nom": 2}], progress=False)


def test_lfs_passed_as_the_data_are_named():
    with pytest.raises(DataError, match=r"is a LabelingFunction, .*swapped\? It is apply\(lfs, data\)"):
        lf.apply([_big], [_big, _listed], progress=False)


def test_a_dict_of_columns_is_a_table_as_pandas_reads_it():
    """``lf.apply(lfs, {"num": [...]})``: iterated as data, the dict gave its column names
    as rows ("Item 0 of the data iterable is a str")."""
    assert lf.apply([_big, _listed], {"num": _NUMS}).array.tolist() == _EXPECTED
    assert lf.apply([_big, _listed], {"num": np.array(_NUMS)}).array.tolist() == _EXPECTED


@pytest.mark.parametrize(
    "data, message",
    [
        ({"num": 3}, r"The data is a dict, read as columns \(name -> values\), but its 'num' is a single value \(int\)\. Pass one record as a list: \[record\]"),
        ({"num": _NUMS, "other": [1]}, r"The data is a dict of columns of different lengths \(\{'num': 5, 'other': 1\}\): give every column one value per row\."),
    ],
)
def test_a_dict_that_is_not_a_table_is_refused_saying_what_it_was_read_as(data, message):
    with pytest.raises(DataError, match=message):
        lf.apply([_big], data)
