"""``etl report``: a printed summary of a processed folder and PNG charts of its events.

    >>> tables = etl.load("data/processed")                     # doctest: +SKIP
    >>> print(format_summary(summarize(tables)))                # doctest: +SKIP
    >>> write_charts(tables, Path("reports/charts"))            # doctest: +SKIP
"""

from __future__ import annotations

from etl.report.charts import write_charts
from etl.report.summary import Summary, format_summary, summarize

__all__ = ["Summary", "format_summary", "summarize", "write_charts"]
