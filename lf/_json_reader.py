"""JSON Lines batches with pyarrow, where a JSON string always stays a string.

pyarrow's JSON reader types a field whose strings all look like ISO dates as a timestamp:
``"2020-01-01"`` reached LFs as ``Timestamp('2020-01-01')`` (``x.date.startswith`` failed),
``"...T10:00:00Z"`` lost its zone, and a later block holding another string switched the
rest of the file to text. The reader is opened again with those fields declared as text;
a timestamp field first seen in a later block sends the file to Python's parser (the
caller's fallback for any type change).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["TimestampField", "json_batches"]


class TimestampField(Exception):
    """A block typed a field as a timestamp although the JSON holds strings, or as a float
    although it holds integers too large for int64."""


def json_batches(path: Path, block_size: int) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa
    import pyarrow.json as pjson

    read = pjson.ReadOptions(block_size=block_size)
    reader = pjson.open_json(path, read_options=read)
    dates = [f.name for f in reader.schema if _has_timestamp(f.type)]
    if dates:
        reader.close()
        schema = pa.schema([f.with_type(pa.string()) if f.name in dates else f for f in reader.schema])
        parse = pjson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        reader = pjson.open_json(path, read_options=read, parse_options=parse)
    with reader:
        for batch in reader:
            if any(_has_timestamp(f.type) for f in batch.schema):
                raise TimestampField()
            if _rounded_integers(batch):
                raise TimestampField()  # Python's parser keeps such integers exact
            yield batch


def _rounded_integers(batch: pa.RecordBatch) -> bool:
    """Whether a float column holds a whole number of 2**53 or more: pyarrow types an
    integer beyond int64 as a float, rounded (three ids 18446744073709551610, ...611, ...612
    all became 1.8446744073709552e+19)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for column in batch.columns:
        if pa.types.is_floating(column.type) and len(column):
            big = pc.and_(pc.greater_equal(pc.abs(column), 2.0**53), pc.equal(pc.floor(column), column))
            if pc.any(big).as_py():
                return True
    return False


def _has_timestamp(kind: pa.DataType) -> bool:
    import pyarrow as pa

    if pa.types.is_timestamp(kind):
        return True
    if pa.types.is_struct(kind):
        return any(_has_timestamp(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_timestamp(kind.value_type)
    return False
