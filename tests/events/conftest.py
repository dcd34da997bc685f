"""Helpers for the events tests: one-article frames and the events they give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from etl.events import extract_events
from etl.schema import columns
from etl.temporal import tag_articles

NO_MENTIONS = pd.DataFrame(columns=columns("date_mentions"))


def article_frame(text: str, published: date | None = date(2024, 12, 17), title: str = "",
                  article_id: str = "a1") -> pd.DataFrame:
    """A one-article ``articles`` frame."""
    row = {name: None for name in columns("articles")}
    row.update(article_id=article_id, title=title, text=text, language="en",
               published=pd.Timestamp(published) if published else pd.NaT)
    frame = pd.DataFrame([row], columns=columns("articles"))
    frame["published"] = pd.to_datetime(frame["published"])
    return frame


def tagged_events(text: str, published: date | None = date(2024, 12, 17),
                  title: str = "") -> pd.DataFrame:
    """The events table of one article, its date mentions tagged by the temporal stage."""
    articles = article_frame(text, published, title)
    mentions, _ = tag_articles(articles)
    frame, _ = extract_events(articles, mentions)
    return frame


@pytest.fixture
def events_of() -> Callable[..., pd.DataFrame]:
    """``events_of(text, mentions=None, published=...)`` -> the events table of one article."""

    def run(text: str, mentions: pd.DataFrame | None = None,
            published: date | None = date(2024, 12, 17), title: str = "") -> pd.DataFrame:
        frame, _ = extract_events(article_frame(text, published, title),
                                  NO_MENTIONS if mentions is None else mentions)
        return frame

    return run
