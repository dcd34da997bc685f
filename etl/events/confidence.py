"""Confidence of an event row, 0..1, from how each of its fields was obtained.

    confidence = 0.40 * trigger + 0.25 * date + 0.20 * actor + 0.15 * location

trigger: 1.0 verb, 0.85 noun; times 0.85 when the sentence attributes it to a source.
date: explicit 1.0, relative 0.9, context 0.75, publication 0.5, none 0.3; times 0.9 when the
mention was found elsewhere in the sentence rather than in the event's clause.
actor: 1.0 actor1 named in the clause, 0.8 inherited (pronoun, earlier clause), 0.5 none;
plus 0.0 / minus nothing for actor2 (optional in most events).
location: clause 1.0, sentence 0.9, carried from the previous sentence 0.7, the article's
main country 0.4, none 0.2.

    >>> WEIGHTS["trigger"] + WEIGHTS["date"] + WEIGHTS["actor"] + WEIGHTS["location"]
    1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.events import EventRecord

WEIGHTS = {"trigger": 0.40, "date": 0.25, "actor": 0.20, "location": 0.15}
DATE_SCORE = {"explicit": 1.0, "relative": 0.9, "context": 0.75, "publication": 0.5}
ACTOR_SCORE = {"clause": 1.0, "inherited": 0.8, "none": 0.5}
LOCATION_SCORE = {"clause": 1.0, "sentence": 0.9, "context": 0.7, "country": 0.4}
REPORTED_FACTOR = 0.85
SENTENCE_DATE_FACTOR = 0.9


def confidence(event: EventRecord) -> float:
    """The weighted score of the event's fields, rounded to 3 decimals."""
    trigger = 1.0 if event.trigger.sense.pos == "verb" else 0.85
    if event.reported:
        trigger *= REPORTED_FACTOR
    date = DATE_SCORE.get(event.date.date_basis or "", 0.3)
    if event.date_level == "sentence":
        date *= SENTENCE_DATE_FACTOR
    actor = ACTOR_SCORE[event.actor1_source if event.actor1 is not None else "none"]
    location = LOCATION_SCORE.get(event.location.source or "", 0.2)
    score = (WEIGHTS["trigger"] * trigger + WEIGHTS["date"] * date
             + WEIGHTS["actor"] * actor + WEIGHTS["location"] * location)
    return round(min(1.0, max(0.0, score)), 3)
