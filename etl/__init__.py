"""Turn news articles about armed conflict into a clean, dated event dataset.

From a notebook:

    >>> import etl
    >>> etl.build("data/raw", "data/processed")   # doctest: +SKIP
    >>> tables = etl.load("data/processed")       # doctest: +SKIP
    >>> tables["events"].head()                   # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from etl.io.parquet import load
from etl.pipeline import build

__all__ = ["__version__", "build", "load"]
