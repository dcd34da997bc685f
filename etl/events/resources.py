"""The events stage's data files under ``etl/resources/events/``, loaded once and cached.

Lexicons, dictionaries and patterns are data a user can extend without touching code; this
module only parses them.

    >>> lexicon().types["ASSAULT"]
    'material_conflict'
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from etl.config import RESOURCES_DIR

EVENTS_RESOURCES = RESOURCES_DIR / "events"
GAP = "..."  # in a trigger form: 0-3 words may stand here
MAX_GAP_WORDS = 3


def read_tsv(name: str) -> Iterator[dict[str, str]]:
    """Rows of a TSV data file as dicts, ``#`` lines skipped: ``next(read_tsv("plover.tsv"))["type"]``."""
    path: Path = EVENTS_RESOURCES / name
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        yield {key: (value or "").strip() for key, value in row.items()}


def read_toml(name: str) -> dict[str, Any]:
    """A TOML data file as a dict: ``read_toml("modality.toml")["window"] == 6``."""
    with (EVENTS_RESOURCES / name).open("rb") as handle:
        return tomllib.load(handle)


def split_alternatives(cell: str) -> list[str]:
    """``"a|b| c"`` -> ``["a", "b", "c"]`` (empty cells give no alternatives)."""
    return [part.strip() for part in cell.split("|") if part.strip()]


@dataclass(frozen=True)
class TriggerSense:
    """One row of the trigger lexicon: a PLOVER type, ACLED type/sub-type and part of speech."""

    plover: str
    acled_event_type: str | None
    acled_sub_event_type: str | None
    pos: str  # "verb" | "noun"


@dataclass(frozen=True)
class TriggerForm:
    """One surface form of a trigger, as lowercase words; ``GAP`` marks a skippable stretch."""

    words: tuple[str, ...]
    sense: TriggerSense


@dataclass(frozen=True)
class Lexicon:
    """The trigger lexicon indexed by first word, plus both vocabularies."""

    by_first_word: dict[str, tuple[TriggerForm, ...]]
    types: dict[str, str]  # PLOVER type -> quad class
    acled: frozenset[tuple[str, str]]  # (event type, sub-event type)
    forms: tuple[TriggerForm, ...]


def _none_if_dash(cell: str) -> str | None:
    return None if cell in ("", "-") else cell


@cache
def lexicon() -> Lexicon:
    """The trigger lexicon from ``triggers.tsv``, ``plover.tsv`` and ``acled.tsv``."""
    from etl.events.text import word_tokens  # text depends on resources, not the reverse

    types = {row["type"]: row["quad_class"] for row in read_tsv("plover.tsv")}
    acled = frozenset((row["event_type"], row["sub_event_type"]) for row in read_tsv("acled.tsv"))
    forms: list[TriggerForm] = []
    for row in read_tsv("triggers.tsv"):
        sense = TriggerSense(
            row["plover"], _none_if_dash(row["acled_event_type"]),
            _none_if_dash(row["acled_sub_event_type"]), row["pos"],
        )
        for form in split_alternatives(row["forms"]):
            words = tuple(GAP if w == GAP else w.lower() for w in _form_words(form, word_tokens))
            forms.append(TriggerForm(words, sense))
    index: dict[str, list[TriggerForm]] = {}
    for trigger_form in forms:
        index.setdefault(trigger_form.words[0], []).append(trigger_form)
    return Lexicon(
        {word: tuple(entries) for word, entries in index.items()}, types, acled, tuple(forms)
    )


def _form_words(form: str, tokenize: Any) -> list[str]:
    """Words of a lexicon form, keeping ``...`` as one gap marker."""
    words: list[str] = []
    for chunk in form.split(GAP):
        words.extend(token.text for token in tokenize(chunk))
        words.append(GAP)
    return words[:-1]


@cache
def modality() -> dict[str, Any]:
    """Negation, irrealis, reporting, continuation and clause cues (``modality.toml``)."""
    return read_toml("modality.toml")


@cache
def patterns() -> dict[str, Any]:
    """Sentence and dateline patterns (``patterns.toml``)."""
    return read_toml("patterns.toml")


@cache
def fatality_patterns() -> dict[str, Any]:
    """Fatality patterns and number words (``fatalities.toml``)."""
    return read_toml("fatalities.toml")
