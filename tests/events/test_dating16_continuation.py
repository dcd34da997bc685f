"""Review 16, F19: "later" and "also" inside a sentence carry the previous sentence's date.

The cue words are data (``continuation_inside``, ``continuation_across_paragraphs`` in
``etl/resources/events/modality.toml``); ``etl.events._continues`` reads them once the patch in
/work/notes/dating16_continues.patch is applied. Until then these tests are expected to fail
(strict: the marker goes when the patch lands).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.events.conftest import tagged_events as events


@pytest.mark.parametrize(
    ("text", "published", "day", "trigger"),
    [
        # a06: "later" in a paragraph of its own
        ("Sudan's army said on Friday it had recaptured the Republican Palace in Khartoum.\n"
         "An RSF drone attack on the palace later killed several soldiers, the army said.",
         date(2025, 3, 21), date(2025, 3, 21), "drone attack"),
        # a35: "also" after the subject
        ("Gang members attacked the town of Pont-Sonde early on October 3, killing at least 115 "
         "people. Gunmen from the Gran Grif gang also set fire to houses and vehicles.",
         date(2024, 10, 21), date(2024, 10, 3), "set fire to"),
        ("Jihadists attacked an army post near Djibo on Saturday. Soldiers then shelled their "
         "positions in the hills.", date(2025, 3, 12), date(2025, 3, 8), "shelled"),
        ("Israeli jets struck a house in Khan Younis on Sunday, medics said.\nIsraeli tanks "
         "subsequently shelled the eastern outskirts of the city.", date(2025, 3, 12),
         date(2025, 3, 9), "shelled"),
    ],
)
def test_a_continuing_sentence_carries_the_date(text: str, published: date, day: date,
                                                trigger: str) -> None:
    found = events(text, published)
    row = found[found["trigger"] == trigger].iloc[0]
    assert (row["date_start"], row["date_end"], row["date_basis"]) == (day, day, "context")


@pytest.mark.parametrize(
    "text",
    [
        # "also" carries only within its paragraph
        "Russian drones struck Odesa on Monday.\nUkrainian forces also shelled Belgorod.",
        # a new story says so
        "Russian drones struck Odesa on Monday.\nSeparately, Ukrainian forces later shelled Belgorod.",
        # no cue at all
        "Russian drones struck Odesa on Monday.\nUkrainian forces shelled Belgorod.",
    ],
)
def test_no_carry_over_without_a_cue(text: str) -> None:
    found = events(text, date(2025, 3, 12))
    row = found[found["trigger"] == "shelled"].iloc[0]
    assert row["date_basis"] == "publication"
