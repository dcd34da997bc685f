"""Small DataFrame helpers for the analysis side: plain records in, contract-typed frames out.

    >>> records(pd.DataFrame({"a": [1, None]}))
    [{'a': 1.0}, {'a': None}]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from etl.io.parquet import arrow_to_frame
from etl.schema import TABLES


def _plain(value: Any) -> Any:
    """A Python value with every pandas/NumPy missing marker turned into None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()  # NumPy scalars and arrays (list columns) become Python values
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, None where missing."""
    columns = list(frame.columns)
    return [
        {name: _plain(value) for name, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def typed_frame(table: str, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows conformed to a contract table: exactly its columns, in order, with its types."""
    schema = TABLES[table]
    arrow = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)
    return arrow_to_frame(table, arrow)


def load_tables(out_dir: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Every table present in a processed folder, by name, through ``etl.load``."""
    from etl import load

    return load(Path(out_dir))
