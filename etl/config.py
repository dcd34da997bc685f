"""Paths and limits in one place; everything else imports them from here.

    >>> DEFAULT_RAW_DIR.name, DEFAULT_OUT_DIR.name
    ('raw', 'processed')
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_RAW_DIR = Path("data/raw")
DEFAULT_OUT_DIR = Path("data/processed")
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"

# Input limits: hostile input must cost bounded memory and become a problem row, not a crash.
MAX_FILE_BYTES = 256 * 1024 * 1024  # a streamed file (JSONL, CSV; a .gz once expanded) is cut here
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # a one-article file (text, HTML) is read whole: refused above
MAX_RECORD_BYTES = 8 * 1024 * 1024  # one article's text; longer is truncated with a warning
MAX_LINE_BYTES = 16 * 1024 * 1024  # one JSON line
MAX_JSON_DEPTH = 64  # nesting deeper than this in a JSON record is refused
# A publication date outside these years is a data error, not a news date (and near the ends of
# the calendar, resolving "next year" against it would overflow): it is ignored with a warning.
PUBLISHED_YEARS = (1600, 2299)
OUTSIDE_PUBLISHED_YEARS = f"lies outside the years {PUBLISHED_YEARS[0]}-{PUBLISHED_YEARS[1]}"


def in_published_years(year: int) -> bool:
    """Whether a date of this year can be a publication date: ``in_published_years(9999) is False``."""
    return PUBLISHED_YEARS[0] <= year <= PUBLISHED_YEARS[1]

# Extensions read by ingest, by format module name.
FORMATS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".csv": "csv",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
}
