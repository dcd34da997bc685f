"""The stage function's contract: columns, types, stable ids, offsets, determinism."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.events import extract_events
from etl.schema import EVENTS

from .conftest import NO_MENTIONS, article_frame

TEXT = ("KYIV – Russian forces shelled Kharkiv, killing 12 civilians. Ukrainian troops "
        "repelled an attack near Pokrovsk.\nSeparately, police detained two men.")


def test_columns_are_exactly_the_schema() -> None:
    events, problems = extract_events(article_frame(TEXT), NO_MENTIONS)
    assert list(events.columns) == EVENTS.names
    assert problems == []
    assert str(events["fatalities"].dtype) == "Int64"
    assert events["quad_class"].notna().all()
    assert events["confidence"].between(0, 1).all()


def test_empty_batch() -> None:
    events, problems = extract_events(article_frame("")[:0], NO_MENTIONS)
    assert list(events.columns) == EVENTS.names and events.empty and problems == []


def test_offsets_index_into_the_text() -> None:
    events, _ = extract_events(article_frame(TEXT), NO_MENTIONS)
    for row in events.itertuples():
        assert TEXT[row.trigger_start : row.trigger_end] == row.trigger
        assert row.start <= row.trigger_start < row.trigger_end <= row.end
        assert TEXT[row.start : row.end] in row.sentence


def test_event_ids_are_stable_and_independent_of_other_articles() -> None:
    alone, _ = extract_events(article_frame(TEXT, article_id="x"), NO_MENTIONS)
    other = article_frame("Protesters rallied in Tbilisi.", article_id="y")
    together, _ = extract_events(pd.concat([other, article_frame(TEXT, article_id="x")]), NO_MENTIONS)
    again, _ = extract_events(article_frame(TEXT, article_id="x"), NO_MENTIONS)
    ids = together[together["article_id"] == "x"]["event_id"].tolist()
    assert ids == alone["event_id"].tolist() == again["event_id"].tolist()
    assert len(set(ids)) == len(ids)
    pd.testing.assert_frame_equal(alone, again)


def test_missing_publication_date_is_a_warning() -> None:
    _, problems = extract_events(article_frame(TEXT, published=None), NO_MENTIONS)
    assert [(p.stage, p.severity, p.code) for p in problems] == [("events", "warning", "no_reference_date")]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([
    "Russian forces shelled Kharkiv.", "Police detained 3 men in Odesa.", "He said no.",
    "Talks could resume.", "The death toll rose to 28.", "U.S. officials met Gen. Smith.",
    "Troops withdrew.In the evening rebels attacked.", "\n", " ", "Kyiv condemned the strike",
]), max_size=8))
def test_invariants_hold_on_any_text(pieces: list[str]) -> None:
    text = " ".join(pieces)
    events, _ = extract_events(article_frame(text), NO_MENTIONS)
    for row in events.itertuples():
        assert text[row.trigger_start : row.trigger_end] == row.trigger
        assert pd.isna(row.fatalities) or row.fatalities > 0
        assert row.date_start <= row.event_date <= row.date_end <= date(2024, 12, 17)


def test_table_passes_the_writer_schema() -> None:
    from etl.io.parquet import to_arrow

    events, _ = extract_events(article_frame(TEXT), NO_MENTIONS)
    arrow = to_arrow("events", events)
    assert arrow.schema.names == EVENTS.names and arrow.num_rows == len(events)


def test_other_languages_are_skipped_with_a_warning() -> None:
    frame = article_frame("Російські війська обстріляли Харків.")
    frame["language"] = "uk"
    events, problems = extract_events(frame, NO_MENTIONS)
    assert events.empty
    assert [p.code for p in problems] == ["unsupported_language"]


def test_missing_article_fields_are_tolerated() -> None:
    frame = article_frame(TEXT).astype({"language": "string", "title": "string", "input_file": "string"})
    frame.loc[0, ["language", "title", "input_file"]] = pd.NA
    events, problems = extract_events(frame, NO_MENTIONS)
    assert not events.empty and problems == []
