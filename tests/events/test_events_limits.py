"""An article that repeats event sentences by the thousand: its first events only, and a warning."""

from __future__ import annotations

from datetime import date

import pytest

import etl.events as events_stage
from etl.events import event_rows

SENTENCES = ["Russian forces shelled Kharkiv on Friday, killing three civilians.",
             "Ukrainian drones struck an oil depot in Bryansk on 12 December.",
             "Two people died in an attack on Kherson, officials said on Monday."]


def _article(n: int) -> dict[str, object]:
    return {"article_id": "a", "input_file": "a.txt", "published": date(2024, 12, 17),
            "text": " ".join(SENTENCES[k % 3] for k in range(n))}


@pytest.mark.parametrize("sentences", [4, 5, 12])
def test_the_first_events_of_an_article_are_kept_up_to_the_limit(
        sentences: int, monkeypatch: pytest.MonkeyPatch) -> None:
    all_rows, none = event_rows([_article(sentences)], [])
    assert len(all_rows) == sentences and none == []  # one event a sentence, below any limit
    monkeypatch.setattr(events_stage, "MAX_EVENTS_PER_ARTICLE", 5)
    rows, problems = event_rows([_article(sentences)], [])
    kept = min(sentences, 5)
    assert len(rows) == kept
    assert [r["event_id"] for r in rows] == [r["event_id"] for r in all_rows[:kept]]  # the same events
    if sentences > 5:
        assert [(p.code, p.severity, p.article_id, p.input_file) for p in problems] == [
            ("too_many_events", "warning", "a", "a.txt")]
        assert "the first 5 are kept" in problems[0].message
    else:
        assert problems == []
