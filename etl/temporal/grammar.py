"""The English temporal grammar: rules from ``grammar.toml`` with word lists from ``lexicon.json``.

Both files live in ``etl/resources/temporal/``; they are read and compiled once per process.

    >>> rule = next(r for r in rules() if r.name == "month_day_year")
    >>> rule.regex.search("On December 16, troops ...").group(0)
    'December 16'
"""

from __future__ import annotations

import json
import re
import re._parser as _parser
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# Classes of number tokens, recognized by shape rather than listed (see etl.temporal.resolve).
NUMBER_CLASSES = ("digit", "year4", "decade", "clock")
_MACRO = re.compile(r"\{([A-Z][A-Z_0-9]*)\}")


@dataclass(frozen=True)
class Rule:
    """One compiled grammar rule: a name, the normalizer kind and the regex."""

    name: str
    kind: str
    regex: re.Pattern[str]
    priority: int = 0
    prev_in: str | None = None
    filter: str | None = None
    era: str | None = None
    trigger: str = "digit"
    needs: re.Pattern[str] | None = None  # text every match contains: a window without it is skipped


def _read(name: str) -> str:
    return resources.files("etl").joinpath("resources", "temporal", name).read_text(encoding="utf-8")


@cache
def lexicon() -> dict[str, Any]:
    """The word lists of ``lexicon.json``: ``lexicon()["months"]["december"] == 12``."""
    data: dict[str, Any] = json.loads(_read("lexicon.json"))
    return data


def _alternation(words: list[str]) -> str:
    """Regex alternation of words, longest first so that "a few" beats "a"."""
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts)


def _case_sensitive_names(names: list[str]) -> str:
    """Title-case and upper-case forms only: "May" is a month, "may" a modal verb."""
    forms = sorted({n.title() for n in names} | {n.upper() for n in names}, key=lambda w: (-len(w), w))
    return "(?-i:" + "|".join(re.escape(f) for f in forms) + ")"


@cache
def macros() -> dict[str, str]:
    """Named-group regex fragments substituted for ``{MACRO}`` in rule patterns."""
    lex = lexicon()
    months: dict[str, int] = lex["months"]
    full = [m for m in months if len(m) > 4 or m in ("may", "june", "july")]
    abbrev = [m for m in months if m not in full]
    # An abbreviation must carry its dot or be followed by a day number ("Dec 16").
    abbrev_re = _case_sensitive_names(abbrev) + r"(?:\.|(?=\s+\d))"
    month = f"(?P<month>{_case_sensitive_names(full)}(?!\\w)|{abbrev_re})"
    number_words = list(lex["numbers"]) + list(lex["vague_numbers"])
    tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    ones = "one|two|three|four|five|six|seven|eight|nine"
    num = (
        rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?(?![\d,])|(?:{tens})[\s-](?:{ones})|"
        rf"(?<![\w-])(?:{_alternation(number_words)})(?![\w]))"
    )
    units: dict[str, str] = lex["units"]
    plural = [u for u in units if u.endswith("s") or u == "centuries"]
    singular = [u for u in units if u not in plural]
    return {
        "MONTH": month,
        "DAY": r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:])",
        "DAY_ORD": r"(?P<day>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)(?!\w)",
        "YEAR": r"(?P<year>1\d{3}|20\d{2})(?![\d])",
        "WEEKDAY": f"(?P<weekday>{_case_sensitive_names(list(lex['weekdays']))})",
        "NUM": num,
        "UNIT": f"(?P<unit>{_alternation(list(units))})(?![\\w-])",
        "UNIT1": f"(?P<unit>{_alternation(_SINGULAR_UNITS)})(?![\\w-])",
        "UNITS": f"(?P<unit>{_alternation([u for u in plural if u != 'nights'])})(?![\\w-])",
        "SEASON": f"(?P<season>{_alternation(list(lex['seasons']))})(?![\\w-])",
        "PART": f"(?P<part>{_alternation(list(lex['parts_of_day']))})",
        "ORD": f"(?P<ord>{_alternation(list(lex['ordinals']))})",
        "QUARTER": f"(?P<quarter>{_alternation(list(lex['quarters']))})",
        "MOD": (
            r"(?P<mod>(?:the\s+)?(?:very\s+)?(?:end|beginning|start|middle|rest|remainder|close|turn|"
            r"first\s+half|second\s+half|latter\s+part|early\s+part|later\s+part|first\s+days|last\s+days)"
            r"\s+of|(?:early|late|later|earlier)\s+in|early|late|mid-|mid|around|about|approximately|circa|ca\.)"
        ),
        "HOLIDAY": "(?P<holiday>" + _case_sensitive_names(list(lex["holidays"])).replace(r"\ ", r"\s+") + ")",
        "VAGUE": f"(?P<vague_word>{_alternation([w for w, v in lex['vague'].items() if v])})",
        "_unused_singular": "|".join(singular),
    }


_SINGULAR_UNITS = ["day", "week", "month", "year", "decade", "century", "hour"]


def _expand(pattern: str) -> str:
    table = macros()
    expanded = _MACRO.sub(lambda m: table[m.group(1)], pattern)
    if pattern.startswith(("(?<", "(?=", "'", '"', "\\b")):
        return expanded
    # Matches start at a word start: failing fast elsewhere makes scanning several times faster.
    return r"\b(?=[^\W_])" + expanded


def _guarded(pattern: str) -> str:
    expanded = _expand(pattern)
    return _first_char_guard(expanded) + expanded


@cache
def trigger_classes() -> dict[str, frozenset[str]]:
    """Word classes rules are triggered by: ``"december" in trigger_classes()["months"]``."""
    lex = lexicon()
    classes: dict[str, frozenset[str]] = {}
    for rule_spec in tomllib.loads(_read("grammar.toml"))["rule"]:
        name = rule_spec["trigger"]
        if name in NUMBER_CLASSES or name in classes:
            continue
        entries = lex[name]
        words: set[str] = set()
        stop = set(lex["trigger_stopwords"])
        for phrase in entries:
            if name == "vague" and not entries[phrase]:
                continue
            # One distinctive word per phrase is enough to trigger it; "the" would trigger everywhere.
            tokens = re.findall(r"[^\W_]+", str(phrase).lower())
            distinctive = [t for t in tokens if t not in stop] or tokens
            words.add(max(distinctive, key=len))
        classes[name] = frozenset(words)
    return classes


def _first_chars(items: Any) -> tuple[set[str] | None, bool]:
    """Characters a parsed regex can start with (None: any) and whether it can match empty."""
    chars: set[str] = set()
    for op, av in items:
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # zero width: look at what follows
        if name == "LITERAL":
            return chars | {chr(av)}, False
        if name == "IN":
            found: set[str] = set()
            for item_op, item_av in av:
                if str(item_op) == "LITERAL":
                    found.add(chr(item_av))
                elif str(item_op) == "RANGE" and item_av[1] - item_av[0] < 128:
                    found.update(chr(c) for c in range(item_av[0], item_av[1] + 1))
                elif str(item_op) == "CATEGORY" and str(item_av) == "CATEGORY_DIGIT":
                    found.update("0123456789")  # news numbers are ASCII; other scripts go to dateparser
                else:
                    return None, False  # categories (\d, \w) and negations: any character
            return chars | found, False
        if name == "BRANCH":
            nullable = False
            for alternative in av[1]:
                sub, sub_nullable = _first_chars(alternative.data)
                if sub is None:
                    return None, False
                chars |= sub
                nullable = nullable or sub_nullable
            if not nullable:
                return chars, False
            continue
        if name in ("SUBPATTERN", "ATOMIC_GROUP"):
            sub, nullable = _first_chars((av[-1] if name == "SUBPATTERN" else av).data)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            sub, nullable = _first_chars(av[2].data)
            nullable = nullable or av[0] == 0
        else:
            return None, False
        if sub is None:
            return None, False
        chars |= sub
        if not nullable:
            return chars, False
    return chars, True


def _first_char_guard(regex: str) -> str:
    """A one-character lookahead listing every possible first character: most positions fail at once."""
    try:
        chars, nullable = _first_chars(_parser.parse(regex, re.IGNORECASE).data)
    except Exception:  # re._parser is internal: without it rules only lose this speed-up
        return ""
    if chars is None or nullable or not chars:
        return ""
    both = {c for ch in chars for c in (ch.lower(), ch.upper()) if len(c) == 1} | chars
    return "(?=[" + "".join(re.escape(c) for c in sorted(both)) + "])"


def _required_text(regex: str) -> re.Pattern[str] | None:
    """The longest literal every match of ``regex`` contains, as a regex with the rule's flags.

        >>> _required_text(r"(?P<q>first|last)\\s+quarter").pattern
        'quarter'

    Only top-level literals count (nothing optional or alternative), so a window in which this
    does not occur cannot hold a match. Short words ("of") occur nearly everywhere: not worth a
    check, unless they hold a character that is no letter ("-", ":").
    """
    try:
        items = _parser.parse(regex, re.IGNORECASE).data
    except Exception:  # re._parser is internal: without it rules only lose this speed-up
        return None
    runs: list[str] = []
    run = ""
    for op, av in items:
        if str(op) == "LITERAL":
            run += chr(av)
            continue
        runs.append(run)
        run = ""
    runs.append(run)
    useful = [r for r in runs if len(r) >= 4 or (r and not r.isalpha())]
    if not useful:
        return None
    return re.compile(re.escape(max(useful, key=len)), re.IGNORECASE)


@cache
def rules() -> tuple[Rule, ...]:
    """All grammar rules, compiled once: ``len(rules()) > 30``."""
    spec = tomllib.loads(_read("grammar.toml"))
    compiled = []
    for item in spec["rule"]:
        pattern = _guarded(item["pattern"])
        compiled.append(
            Rule(
                name=item["name"],
                kind=item["kind"],
                regex=re.compile(pattern, re.IGNORECASE),
                priority=int(item.get("priority", 0)),
                prev_in=item.get("prev_in"),
                filter=item.get("filter"),
                era=item.get("era"),
                trigger=item["trigger"],
                needs=_required_text(pattern),
            )
        )
    return tuple(compiled)
