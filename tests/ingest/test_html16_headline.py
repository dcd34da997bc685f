"""An HTML page's headline is its title, not a line of its text (review 16 F18, a27).

trafilatura repeats the ``<h1>`` as the extraction's first line; kept, the events stage read the
headline as an event of its own and the events table held its toll twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.events import extract_events
from etl.ingest import read_file
from etl.ingest.html import without_headline
from etl.temporal import tag_articles
from etl.timeline import typed_frame

# review 16 repro a27.html, as the reviewer wrote it
A27 = ('<!doctype html><html><head><title>RSF kills more than 100 in Gezira village</title><meta '
       'property="article:published_time" content="2024-06-06T10:00:00Z"></head><body><article><h1>'
       'RSF kills more than 100 in Gezira village</h1><p>Paramilitary forces killed more than 100 '
       'people in an attack on the village of Wad al-Nourah in Gezira state on Wednesday, activists '
       'said.</p><p>The Rapid Support Forces said it had attacked army positions near the village '
       'and denied targeting civilians.</p></article><footer>Copyright</footer></body></html>')


def page(title: str | None, h1: str | None, *paragraphs: str, published: str = "2024-06-06") -> str:
    head = f"<title>{title}</title>" if title is not None else ""
    meta = f'<meta property="article:published_time" content="{published}T10:00:00Z">'
    body = (f"<h1>{h1}</h1>" if h1 is not None else "") + "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head>{head}{meta}</head><body><article>{body}</article>"
            "<footer>Copyright</footer></body></html>")


def read_page(tmp_path: Path, html: str) -> dict:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    batch = read_file(path, tmp_path)
    assert batch.problems == [], batch.problems
    (row,) = batch.articles
    return row


GEZIRA = ("Paramilitary forces killed more than 100 people in an attack on the village of Wad "
          "al-Nourah in Gezira state on Wednesday, activists said.")
SECOND = "The Rapid Support Forces said it had attacked army positions near the village."
ZAMFARA = ("GUSAU, Nigeria, May 6 (Reuters) - Gunmen killed 12 villagers in an attack on a village "
           "in Zamfara state on Monday, police said.")
GAZA = "An Israeli air strike on a house in Khan Younis killed nine people overnight, medics said."
MYANMAR = "Junta aircraft bombed a monastery in Sagaing region on Friday, killing at least 20 people."


@pytest.mark.parametrize(("title", "h1", "paragraphs", "first"), [
    # review 16 a27
    ("RSF kills more than 100 in Gezira village", "RSF kills more than 100 in Gezira village",
     [GEZIRA, SECOND], GEZIRA),
    # the <title> carries the site's name; trafilatura takes the <h1> as title
    ("Gunmen kill 12 in Zamfara village | Example News", "Gunmen kill 12 in Zamfara village",
     [ZAMFARA], ZAMFARA),
    # case, spacing and punctuation of the two differ
    ("Israeli strike kills nine in Khan Younis", "ISRAELI STRIKE  KILLS NINE IN KHAN YOUNIS.",
     [GAZA], GAZA),
    ("Air strike on monastery kills 20 — Sagaing", "Air strike on monastery kills 20 - Sagaing",
     [MYANMAR], MYANMAR),
])
def test_a_headline_repeated_as_the_first_line_is_the_title_only(
        tmp_path: Path, title: str, h1: str, paragraphs: list[str], first: str) -> None:
    row = read_page(tmp_path, page(title, h1, *paragraphs))
    assert row["text"].startswith(first)
    assert row["text"].count("\n") == len(paragraphs) - 1  # no line left for the headline
    assert row["title"]


@pytest.mark.parametrize(("title", "h1", "paragraphs", "first"), [
    # the first paragraph is not the headline, though it begins like it
    ("Strike on Kharkiv", None, ["Strike on Kharkiv kills three, officials said on Monday."],
     "Strike on Kharkiv kills three"),
    # a page of a headline alone: the headline is the text (a one-line text file's rule)
    ("Gunmen kill 12 in Zamfara village", "Gunmen kill 12 in Zamfara village", [],
     "Gunmen kill 12 in Zamfara village"),
    # no title at all: nothing to compare with
    (None, None, [GAZA], GAZA),
])
def test_other_first_lines_stay(tmp_path: Path, title: str | None, h1: str | None,
                                paragraphs: list[str], first: str) -> None:
    row = read_page(tmp_path, page(title, h1, *paragraphs))
    assert row["text"].startswith(first)


@pytest.mark.parametrize(("title", "text", "expected"), [
    ("Strike", "STRIKE\nShelling hit Kharkiv.", "Shelling hit Kharkiv."),
    ("Strike", "  Strike!\n\nShelling hit Kharkiv.", "Shelling hit Kharkiv."),
    ("Strike", "Strike", "Strike"),
    ("Strike", "Strike\n  ", "Strike\n  "),
    ("Strike", "Strikes\nShelling hit Kharkiv.", "Strikes\nShelling hit Kharkiv."),
    ("Strike", "Shelling hit Kharkiv.\nStrike", "Shelling hit Kharkiv.\nStrike"),
    (None, "Strike\nShelling hit Kharkiv.", "Strike\nShelling hit Kharkiv."),
    ("...", "...\nShelling hit Kharkiv.", "...\nShelling hit Kharkiv."),  # no letters: no headline
])
def test_without_headline(title: str | None, text: str, expected: str) -> None:
    assert without_headline(title, text) == expected


def _events(rows: list[dict]) -> list[dict]:
    articles = typed_frame("articles", rows)
    mentions, _ = tag_articles(articles)
    events, _ = extract_events(articles, mentions)
    return list(events.to_dict("records"))


def test_the_headline_is_no_event_and_offsets_index_the_text(tmp_path: Path) -> None:
    """Review 16 a27: the toll of 100 is in the events table once, and every offset fits the text."""
    row = read_page(tmp_path, page("RSF kills more than 100 in Gezira village",
                                   "RSF kills more than 100 in Gezira village", GEZIRA, SECOND))
    events = _events([row])
    assert [e["fatalities"] for e in events if e["fatalities"] is not None] == [100]
    assert all(not e["sentence"].startswith("RSF kills") for e in events)
    for e in events:
        assert row["text"][e["start"]:e["end"]] == e["sentence"]
        assert row["text"][e["trigger_start"]:e["trigger_end"]] == e["trigger"]


def test_review_repro_page(tmp_path: Path) -> None:
    row = read_page(tmp_path, A27)
    assert row["title"] == "RSF kills more than 100 in Gezira village"
    assert row["text"].startswith("Paramilitary forces killed more than 100 people")
    assert [e["fatalities"] for e in _events([row]) if e["fatalities"] is not None] == [100]
