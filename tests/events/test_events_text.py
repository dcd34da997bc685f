"""Sentence and clause splitting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.events.text import dateline_end, split_clauses, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Syrskiy said troops held. They withdrew later.",
         ["Gen. Syrskiy said troops held.", "They withdrew later."]),
        ("U.S. officials met on Dec. 16 in Kyiv. Talks ended.",
         ["U.S. officials met on Dec. 16 in Kyiv.", "Talks ended."]),
        ("Aid arrived from the U.S. The convoy left.",
         ["Aid arrived from the U.S.", "The convoy left."]),
        ("Troops reached the border.In the evening they shelled it.",
         ["Troops reached the border.", "In the evening they shelled it."]),
        ('"We will not retreat," he said. "Never." The shelling went on.',
         ['"We will not retreat," he said.', '"Never."', "The shelling went on."]),
        ('He said: "Russia attacked us." Officials agreed.',
         ['He said: "Russia attacked us."', "Officials agreed."]),
        ("Mr. Tusk met Dr. Smith and Lt. Col. Ivanov.", ["Mr. Tusk met Dr. Smith and Lt. Col. Ivanov."]),
        ("J. Smith arrived. He left.", ["J. Smith arrived.", "He left."]),
        ("Prices rose 3.5 percent. Markets fell.", ["Prices rose 3.5 percent.", "Markets fell."]),
        ("First paragraph\nSecond one. Third!", ["First paragraph", "Second one.", "Third!"]),
        ("Who fired? Nobody knows.", ["Who fired?", "Nobody knows."]),
        ("Visit example.com today.", ["Visit example.com today."]),
    ],
)
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"'AB,U.S")), max_size=80))
def test_sentences_are_ordered_trimmed_slices(text: str) -> None:
    last_end = 0
    for sentence in split_sentences(text):
        piece = text[sentence.start : sentence.end]
        assert piece and piece == piece.strip()
        assert sentence.start >= last_end
        last_end = sentence.end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Missiles struck Kharkiv, killing 12 people.", ["Missiles struck Kharkiv", "killing 12 people."]),
        ("Troops advanced, as rebels fled; the town fell.",
         ["Troops advanced", "as rebels fled", "the town fell."]),
        ("Leaders met in Tallinn, reiterating their support.",
         ["Leaders met in Tallinn", "reiterating their support."]),
        ("Fighting continued during the morning, officials said.",
         ["Fighting continued during the morning, officials said."]),
    ],
)
def test_clause_splitting(text: str, expected: list[str]) -> None:
    sentence = split_sentences(text)[0]
    assert [text[c.start : c.end] for c in split_clauses(text, sentence)] == expected


@pytest.mark.parametrize(
    ("text", "end"),
    [("KYIV – Russian forces", 7), ("KYIV, Dec 17 (Reuters) - Troops", 25), ("Russian forces - again", 0)],
)
def test_dateline(text: str, end: int) -> None:
    assert dateline_end(text) == end
