"""Turn news articles about armed conflict into a clean, dated event dataset.

From a notebook:

    >>> import etl
    >>> etl.build("data/raw", "data/processed")   # doctest: +SKIP
    >>> tables = etl.load("data/processed")       # doctest: +SKIP
    >>> tables["events"].head()                   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.io.parquet import load
    from etl.pipeline import build

__all__ = ["__version__", "build", "load"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that the command line can choose Arrow's memory pool before
    # pyarrow is imported (etl.cli) and ``etl --help`` does not import pandas.
    if name == "build":
        from etl.pipeline import build
        return build
    if name == "load":
        from etl.io.parquet import load
        return load
    raise AttributeError(f"module 'etl' has no attribute {name!r}")
