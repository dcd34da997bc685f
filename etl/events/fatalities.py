"""Fatalities: the number killed when the text states one, None when it does not.

Injured, wounded, captured and missing people are never counted, and no number is guessed:
"reports of casualties" gives None, never 0.

    >>> fatalities("The death toll rose to 28."), fatalities("Shelling wounded 5 people.")
    (28, None)
"""

from __future__ import annotations

import re
from functools import cache

from etl.events.resources import fatality_patterns
from etl.wordlists import literal_alternation

_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


@cache
def _cue() -> re.Pattern[str]:
    """Any death word of ``fatalities.toml``: a sentence without one states no toll."""
    cues = "|".join(re.escape(c) for c in fatality_patterns()["cues"])
    return re.compile(rf"\b(?:{cues})", re.IGNORECASE)


@cache
def _number() -> str:
    """What ``{N}`` stands for: a count, in digits or words."""
    word_alt = literal_alternation(fatality_patterns()["numbers"])
    tens = "|".join(_TENS)
    units = "one|two|three|four|five|six|seven|eight|nine"
    # a count starts a word: "often died" states no ten deaths
    return rf"\b(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{tens})[- ](?:{units})|{word_alt})"


@cache
def _compiled() -> tuple[re.Pattern[str], ...]:
    data = fatality_patterns()
    compiled = []
    for pattern in data["patterns"]:
        text = (pattern.replace("{Q}", data["quantifiers"]).replace("{N}", _number())
                .replace("{V}", data["victims"]))
        compiled.append(re.compile(text, re.IGNORECASE))
    return tuple(compiled)


@cache
def _any_number() -> re.Pattern[str]:
    """``{N}`` alone: where it matches nowhere, no pattern stating a count with it can match."""
    return re.compile(_number(), re.IGNORECASE)


@cache
def _states_number() -> tuple[bool, ...]:
    """For each pattern, whether it has a ``{N}`` (what it matches holds a match of ``{N}``)."""
    return tuple("{N}" in pattern for pattern in fatality_patterns()["patterns"])


@cache
def _number_words() -> dict[str, int]:
    return {**fatality_patterns()["numbers"], "a": 1, "an": 1}


def parse_number(text: str) -> int | None:
    """A stated count as an int: ``parse_number("twenty-five") == 25``, ``parse_number("1,200") == 1200``."""
    words = _number_words()
    cleaned = text.lower().replace(",", "").strip()
    if cleaned.isdigit():
        return int(cleaned)
    if cleaned in words:
        return int(words[cleaned])
    parts = re.split(r"[- ]", cleaned)
    if len(parts) == 2 and all(p in words for p in parts):
        return int(words[parts[0]]) + int(words[parts[1]])
    return None


def fatalities(sentence: str) -> int | None:
    """The largest number of dead the sentence states ("killed 12", "death toll rose to 28")."""
    if not _cue().search(sentence):  # most sentences name no death: skip the big patterns
        return None
    # a sentence without any count skips the patterns that need one (costly: those led by a
    # count are tried at every position of the sentence)
    has_number = _any_number().search(sentence) is not None
    found = []
    for pattern, states_number in zip(_compiled(), _states_number(), strict=True):
        if states_number and not has_number:
            continue
        for match in pattern.finditer(sentence):
            value = parse_number(match.group("n"))
            if value is not None and _plausible(sentence, match, value):
                found.append(value)
    return max(found) if found else None


def _plausible(sentence: str, match: re.Match[str], value: int) -> bool:
    """Not a year ("killed in 2014 ...") nor a number glued to a unit ("F-16", "10-nation")."""
    start = match.start("n")
    if start > 0 and sentence[start - 1] in "-/.":
        return False
    return not (1900 <= value <= 2100 and match.group("n").isdigit())
