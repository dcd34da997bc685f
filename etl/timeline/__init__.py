"""Cross-article merging: one timeline row per real-world event, and the queries people run on it.

    >>> from etl.timeline import build_timeline, query_timeline
    >>> timeline = build_timeline(events, articles)          # doctest: +SKIP
    >>> query_timeline(timeline, country="UKR", min_sources=2)  # doctest: +SKIP
"""

from __future__ import annotations

from etl.timeline.build import write_timeline
from etl.timeline.frames import load_tables, records, typed_frame
from etl.timeline.merge import build_timeline, compatible, timeline_id
from etl.timeline.query import format_table, query_timeline, to_csv, to_json

__all__ = [
    "build_timeline",
    "compatible",
    "format_table",
    "load_tables",
    "query_timeline",
    "records",
    "timeline_id",
    "to_csv",
    "to_json",
    "typed_frame",
    "write_timeline",
]
