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

from etl.wordlists import literal_alternation

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
    # Lower-case text one of which every match starts with, at a word start (None: no such list).
    starts: tuple[str, ...] | None = None
    marks: re.Pattern[str] | None = None  # the characters every match starts with, none a word character


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


def _holiday_names(names: list[str]) -> str:
    """Capitalised and upper-case holiday names, any whitespace and either apostrophe inside.

        >>> bool(re.fullmatch(_holiday_names(["new year's eve"]), "New Year’s  Eve"))
        True

    ``str.title`` would give "New Year'S Eve": each word is capitalised on its own instead.
    """
    capitalised = {" ".join(w[:1].upper() + w[1:] for w in n.split(" ")) for n in names}
    forms = capitalised | {n.upper() for n in names}
    ordered = sorted(forms, key=lambda w: (-len(w), w))
    alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+").replace("'", "['’]") for f in ordered)
    return "(?-i:" + alternation + ")"


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
            r"\s+of|(?:early|late|later|earlier)\s+in|(?:early|late)\s+on\s|early|late|mid-|mid|around|about|approximately|circa|ca\.)"
        ),
        "HOLIDAY": "(?P<holiday>" + _holiday_names(list(lex["holidays"])) + ")",
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


def _first_char_class(regex: str) -> str:
    """A character class of every possible first character of ``regex`` ("" when there is none)."""
    try:
        chars, nullable = _first_chars(_parser.parse(regex, re.IGNORECASE).data)
    except Exception:  # re._parser is internal: without it rules only lose this speed-up
        return ""
    if chars is None or nullable or not chars:
        return ""
    both = {c for ch in chars for c in (ch.lower(), ch.upper()) if len(c) == 1} | chars
    return "[" + "".join(re.escape(c) for c in sorted(both)) + "]"


def _first_char_guard(regex: str) -> str:
    """A one-character lookahead listing every possible first character: most positions fail at once."""
    first = _first_char_class(regex)
    return f"(?={first})" if first else ""


def _first_marks(regex: str) -> re.Pattern[str] | None:
    """The guard's class of first characters, if it holds no word character: ``['’]`` for "'90s".

        >>> _first_marks(r"['’](?P<year2>\\d\\d)").pattern
        "['’]"

    Matches can start only at those marks, rare in text, so the rule is tried only there.
    """
    first = _first_char_class(regex)
    if not first or re.search(r"\w", first):  # a letter, digit or "_" in the class
        return None
    return re.compile(first, re.IGNORECASE)  # the guard's class, with the rule's flag


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


_PREFIX_CHARS = 8  # longer start texts hardly narrow the places to try further
_PREFIX_COUNT = 300  # beyond this many start texts, they are cut shorter (a large trie compiles slowly)
_ANY_DIGIT = "\x00"  # stands for a character \d matches while start texts are collected
# In start texts: a run of whitespace, where the pattern has \s+ ("the\s+5th" starts "the" GAP "5").
# A place is found by reading GAP as \s+ (``start_pattern``), and its text looked up with each run of
# whitespace written as GAP (``gap_key``).
GAP = "\x01"
_SPACE_RUN = re.compile(r"\s+")

# A set of prefixes: (text, open). An open text is all the pattern matched so far and can be
# extended by what follows; a closed one stopped at something that is no short list of literals.
_Prefixes = set[tuple[str, bool]]


def _node_prefixes(op: str, av: Any) -> _Prefixes:
    """The texts one parsed regex item can start with, lower-cased (ASCII only)."""
    if op in ("AT", "ASSERT", "ASSERT_NOT"):
        return {("", True)}  # zero width: takes no text
    if op == "LITERAL":
        char = chr(av)
        # Whitespace is written only as GAP: gap_key would turn a literal one into a GAP.
        return {(char.lower(), True)} if char.isascii() and not char.isspace() else {("", False)}
    if op == "IN":
        chars: set[str] = set()
        for item_op, item_av in av:
            if str(item_op) == "LITERAL" and item_av < 128:
                chars.add(chr(item_av).lower())
            elif str(item_op) == "RANGE" and item_av[1] < 128:
                chars.update(chr(c).lower() for c in range(item_av[0], item_av[1] + 1))
            elif str(item_op) == "CATEGORY" and str(item_av) == "CATEGORY_DIGIT":
                chars.add(_ANY_DIGIT)
            else:
                return {("", False)}
        if any(c.isspace() for c in chars):
            return {("", False)}
        return {(c, True) for c in chars}
    if op in ("SUBPATTERN", "ATOMIC_GROUP"):
        return _prefixes((av[-1] if op == "SUBPATTERN" else av).data)
    if op == "BRANCH":
        return set().union(*(_prefixes(alternative.data) for alternative in av[1]))
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = av
        if op == "MAX_REPEAT" and low >= 1 and _is_space_class(sub.data):
            return {(GAP, True)}  # \s+: one run of whitespace, taken whole (greedy)
        once = _prefixes(sub.data)
        if (low, high) == (1, 1):
            return once
        if (low, high) == (0, 1):
            return once | {("", True)}
        # More than one repetition may follow: what comes after cannot be known here.
        closed = {(text, False) for text, _ in once}
        return closed | {("", True)} if low == 0 else closed
    return {("", False)}


def _is_space_class(items: Any) -> bool:
    r"""Whether a parsed regex is exactly ``\s``."""
    return (
        len(items) == 1
        and str(items[0][0]) == "IN"
        and _items(items[0][1]) == {("CATEGORY", "CATEGORY_SPACE")}
    )


def _prefixes(items: Any) -> _Prefixes:
    """The texts a parsed regex can start with: what ``_start_texts`` collects."""
    current: _Prefixes = {("", True)}
    for op, av in items:
        if not any(is_open for _, is_open in current):
            break
        step = _node_prefixes(str(op), av)
        joined: _Prefixes = set()
        for text, is_open in current:
            if not is_open:
                joined.add((text, False))
                continue
            for more, more_open in step:
                if text.endswith(GAP) and more and (more[0] == GAP or more[0].isspace()):
                    # Whitespace right after a GAP: the GAP would not be one whole run. Stop before it.
                    joined.add((text, False))
                    continue
                whole = text + more
                joined.add((whole[:_PREFIX_CHARS], more_open and len(whole) < _PREFIX_CHARS))
        current = joined
        # Too many texts make a slow finder: shorter ones still cover every match.
        for size in range(_PREFIX_CHARS - 1, 1, -1):
            if len(current) <= _PREFIX_COUNT:
                break
            current = {(text[:size], False) for text, _ in current}
    return current


def _spell_digits(text: str) -> list[str]:
    r"""A start text with ``_ANY_DIGIT`` written out as 0-9, cut where that would need other scripts' digits.

        >>> _spell_digits("1" + _ANY_DIGIT + "th")[:2], _spell_digits("q" + _ANY_DIGIT)
        (['10th', '11th'], ['q'])

    \d matches every script's digits, the start texts only 0-9. That is exact only while the word
    (the text after the last GAP) is all digits: the caller makes sure such words hold ASCII digits
    only. A word after a GAP starts after whitespace, at a word start too.
    """
    cut = text.find(_ANY_DIGIT)
    if cut < 0:
        return [text]
    head = text[:cut]
    if not all(c in "0123456789" for c in head.rpartition(GAP)[2]):
        return [head]
    return [t for digit in "0123456789" for t in _spell_digits(head + digit + text[cut + 1 :])]


def _items(av: Any) -> set[tuple[str, str]]:
    """The items of a parsed character class, as names: ``{("CATEGORY", "CATEGORY_WORD"), ...}``."""
    return {(str(op), str(arg)) for op, arg in av}


def _starts_at_word(items: Any) -> bool:
    """Whether the zero-width items a parsed regex begins with demand a non-word character before it."""
    for op, av in items:
        name = str(op)
        if name == "AT" and str(av) == "AT_BOUNDARY":
            return True  # with a word character first (checked by the caller)
        if name == "ASSERT_NOT" and av[0] == -1:
            body = av[1].data  # (?<![\w-]): the character before is no word character
            if (
                len(body) == 1
                and str(body[0][0]) == "IN"
                and ("CATEGORY", "CATEGORY_WORD") in _items(body[0][1])
                and not any(op == "NEGATE" for op, _ in _items(body[0][1]))  # (?<![^\w]) says the opposite
            ):
                return True
            continue
        if name not in ("AT", "ASSERT", "ASSERT_NOT"):
            return False
    return False


def _start_texts(regex: str) -> tuple[str, ...] | None:
    r"""Lower-case texts, one of which begins every match of ``regex``, if each match starts a word.

        >>> _start_texts(r"\b(?:next|last)\s*(?:May|June)"), _start_texts(r"\b(?:next|last)\s+May")
        (('last', 'next'), ('last\x01may', 'next\x01may'))

    In the lower-cased text, a match can only start where a word starts with one of these, so
    the rule needs to be tried only there. None when there is no such short list. A GAP stands
    for a run of whitespace (\s+ in the pattern).
    """
    try:
        items = _parser.parse(regex, re.IGNORECASE).data
    except Exception:  # re._parser is internal: without it rules only lose this speed-up
        return None
    found = {spelled for text, _ in _prefixes(items) for spelled in _spell_digits(text)}
    if "" in found or not all(text[0].isalnum() for text in found) or not _starts_at_word(items):
        return None
    # A text another one begins with adds nothing: "mid" covers "middle".
    kept = [t for t in found if not any(t[:k] in found for k in range(1, len(t)))]
    return tuple(sorted(kept))


def start_pattern(texts: Any) -> str:
    r"""A regex alternation (a trie, longest first) of start texts, with GAP read as \s+.

        >>> start_pattern(["the" + GAP + "5", "the"])
        'the(?:\\s+5)?'
    """
    return literal_alternation(texts).replace(GAP, r"\s+")


def gap_key(found: str) -> str:
    r"""A text ``start_pattern`` found, whitespace runs written as GAP: ``gap_key("a  b") == "a\x01b"``."""
    return _SPACE_RUN.sub(GAP, found)


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
                starts=_start_texts(pattern),
                marks=_first_marks(_expand(item["pattern"])),
            )
        )
    return tuple(compiled)
