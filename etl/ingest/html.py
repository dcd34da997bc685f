"""HTML (``*.html``, ``*.htm``): main text, title and date through trafilatura, not regexes.

The page's headline (``<h1>``) is the title, not part of the text, as in a text file: trafilatura
repeats it as the text's first line, and the events stage would read it as an event of its own.

    <html><head><title>Strike</title><meta property="article:published_time"
    content="2024-12-17">…<article><h1>Strike</h1><p>Shelling hit Kharkiv.</p></article>
        ->  RawRecord(fields={"title": "Strike", "published": "2024-12-17", "text": "Shelling…"})
"""

from __future__ import annotations

import logging
from typing import Any

import trafilatura

from etl.ingest.base import (
    RawRecord,
    ReaderOutput,
    encoding_problem,
    file_problem,
    letters_key,
    read_all,
)
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source

# htmldate's default upper bound is today's date: pin it so output never depends on the clock.
_DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "min_date": "1900-01-01",
    "max_date": "2099-12-31",
}
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def without_headline(title: str | None, text: str) -> str:
    """The text without a first line that repeats the title (spacing, case, punctuation aside).

    A headline alone stays (the text is then that line, as a one-line text file's is):
    ``without_headline("Strike", "STRIKE\\nShelling hit Kharkiv.") == "Shelling hit Kharkiv."``.
    """
    headline, newline, rest = text.lstrip().partition("\n")
    key = letters_key(title or "")
    rest = rest.strip()
    if not key or not newline or not rest or letters_key(headline) != key:
        return text
    return rest


def extract_html(content: str) -> dict[str, Any] | None:
    """Title, main text, date, url, source and language of a web page; None if it has no text."""
    document = trafilatura.bare_extraction(
        content,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None:
        return None
    if not isinstance(document, dict):
        document = document.as_dict()
    if not document.get("text"):
        return None
    title = document.get("title")
    return {
        "title": title,
        # the extraction is the article's text: every offset of later stages indexes into it
        "text": without_headline(title, document["text"]),
        "published": document.get("date"),
        "url": document.get("url"),
        "source": document.get("sitename") or document.get("hostname"),
        "language": document.get("language"),
    }


def read_html(source: Source, input_file: str) -> ReaderOutput:
    """Read one article from a web page."""
    decoded = decode_bytes(read_all(source))
    if (warning := encoding_problem(decoded, input_file)) is not None:
        yield warning
    fields = extract_html(decoded.text)
    if fields is None:
        yield file_problem(input_file, "no_main_text", "no main text found in the HTML page")
        return
    yield RawRecord(fields, None, decoded.encoding)
