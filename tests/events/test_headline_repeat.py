"""A headline printed again as the first line of the text (a JSONL record whose ``text`` starts
with its ``title``, a text file whose front matter gives ``title:`` and whose body repeats it) is
the title, not a sentence: its events would be counted twice. The text and every offset stay
the input's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl import build, load
from etl.events.text import repeated_title_end
from tests.events.conftest import tagged_events


def _events(title: str, text: str) -> pd.DataFrame:
    return tagged_events(text, date(2025, 3, 10), title)


@pytest.mark.parametrize(("title", "text", "expected"), [
    ("Gunmen kill 12 in Zamfara village", "Gunmen kill 12 in Zamfara village\nGunmen killed 12 "
     "villagers in Zamfara on Sunday.", 1),
    ("RSF kills more than 100 in Gezira village", "RSF KILLS MORE THAN 100 IN GEZIRA VILLAGE\n\n"
     "The RSF killed more than 100 people in a village in Gezira state on Saturday.", 1),
    ("Al-Shabaab attack kills 20 soldiers – Somalia", "Al-Shabaab attack kills 20 soldiers - "
     "Somalia\nAl-Shabaab fighters attacked a base in Mogadishu on Wednesday, killing 20 soldiers.",
     1),
    # a headline alone is the text: its event stays
    ("Gunmen kill 12 in Zamfara village", "Gunmen kill 12 in Zamfara village", 1),
    # a first line that only begins like the title is a sentence of the story
    ("Gunmen kill 12", "Gunmen kill 12 villagers and burn a market in Zamfara.\nThe police "
     "arrested two suspects on Monday.", 1),
])
def test_a_repeated_headline_is_not_an_event_again(title: str, text: str, expected: int) -> None:
    found = _events(title, text)
    assert len(found[found["event_type"] == "ASSAULT"]) == expected
    if expected and repeated_title_end(title, text):
        headline_end = text.index("\n")
        assert (found["trigger_start"] > headline_end).all()  # offsets into the text as given


def test_without_a_repeated_headline_both_lines_count() -> None:
    text = "Gunmen kill 12 in Zamfara village\nBandits killed five herders in Katsina on Monday."
    found = _events("Violence in northern Nigeria", text)
    assert len(found[found["event_type"] == "ASSAULT"]) == 2


def test_jsonl_and_text_files_count_a_repeated_headline_once(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    title = "Drone strike kills 40 at market in Djibo"
    body = "A drone strike killed 40 people at a market in Djibo, Burkina Faso, on Saturday."
    (raw / "a.jsonl").write_text(json.dumps({"id": "j1", "title": title, "published": "2025-03-10",
                                             "text": f"{title}\n{body}"}) + "\n")
    (raw / "b.txt").write_text(f"---\nid: t1\ntitle: {title}\npublished: 2025-03-10\n---\n"
                               f"{title}\n{body}\n")
    build(raw, tmp_path / "out", jobs=1)
    tables = load(tmp_path / "out")
    events = tables["events"]
    for article_id in ("j1", "t1"):
        rows = events[events["article_id"] == article_id]
        assert len(rows) == 1 and rows["fatalities"].tolist() == [40]
        text = tables["articles"].set_index("article_id").loc[article_id, "text"]
        assert text.startswith(title)  # the text is the input's
