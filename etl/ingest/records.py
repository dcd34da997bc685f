"""One raw record (a dict of input fields) to one ``articles`` row, or a problem.

    >>> row = normalize_record({"body": "Shelling hit Kharkiv.", "date": "2024-12-17"}, "a.csv", 2)
    >>> row["text"], row["published"].isoformat(), row["published_basis"]
    ('Shelling hit Kharkiv.', '2024-12-17T00:00:00', 'metadata')
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from typing import Any, NamedTuple

import dateparser
from dateparser.timezone_parser import pop_tz_offset_from_string

from etl.config import MAX_RECORD_BYTES, OUTSIDE_PUBLISHED_YEARS, RESOURCES_DIR, in_published_years
from etl.ingest.reference import UnknownZone, parse_zoned, zone_problem
from etl.problems import Problem

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content"),
    "published": ("published", "published_at", "date", "publish_date"),
    "url": ("url", "link"),
    "source": ("source", "outlet"),
    "language": ("language", "lang"),
}

# Parse only absolute dates: a metadata date must never be resolved against today's clock.
_METADATA_DATE_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DAY_OF_MONTH": "first",
    "DATE_ORDER": "YMD",
    "RELATIVE_BASE": datetime(2000, 1, 1),
}


class RecordError(ValueError):
    """A record that cannot become an article; carries the problem code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# A JSON field holding one of these is no text: str() of it would be Python's repr
# ("['a', 'b']", "{'x': 1}"), which must never pass for an article's text or id.
_NOT_TEXT: tuple[type, ...] = (Mapping, list, tuple, bool)


def _field(record: Mapping[str, Any], name: str) -> str | None:
    """The first non-empty alias of a field, as a stripped string (objects, lists and booleans skipped)."""
    for key in ALIASES[name]:
        value = record.get(key)
        if value is None or isinstance(value, _NOT_TEXT) or (isinstance(value, float) and math.isnan(value)):
            continue
        # an id must stay unique: U+FFFD would make "a\ud800" and "a\udc00" one id
        text = (escape_surrogates if name == "id" else clean_surrogates)(str(value)).strip()
        if text:
            return text
    return None


def parse_published(value: str) -> datetime | None:
    """An ISO 8601 (or otherwise absolute) date/datetime as naive UTC; None if it is no date.

    >>> parse_published("2024-12-17T09:30:00+02:00")
    datetime.datetime(2024, 12, 17, 7, 30)
    """
    parsed = parse_published_local(value)
    return None if parsed is None else parsed[0]


@lru_cache(maxsize=4096)
def parse_published_local(value: str) -> tuple[datetime, date] | None:
    """``parse_published`` and the calendar day as written, in the zone the value states.

    Relative dates in the text ("yesterday") count from the outlet's day, not from UTC's:

    >>> parse_published_local("2024-12-17T21:30:00-06:00")
    (datetime.datetime(2024, 12, 18, 3, 30), datetime.date(2024, 12, 17))
    """
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:  # "2024-12-17T10:00:00 Europe/Kyiv", "2024-12-17 10:00 [Europe/Kyiv]": tzdata's rules
            zoned = parse_zoned(value)
        except UnknownZone:
            return None  # record_problems says which name (zone_problem)
        if zoned is not None:
            return zoned
        parsed = dateparser.parse(value, languages=["en"], settings=_METADATA_DATE_SETTINGS)
        if parsed is None:
            return None
        # dateparser has already moved it to UTC: move it back by the offset the value states
        return _with_local_day(parsed.replace(microsecond=0), _stated_offset(value))
    local = parsed.date()
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # e.g. 9999-12-31T23:00-05:00: past the end of the calendar
            return None
    return parsed.replace(microsecond=0), local


def _stated_offset(value: str) -> timedelta | None:
    """The UTC offset a non-ISO date string states ("... 21:30 -0600", "... 9:30 pm CST"), as
    dateparser reads it when it converts the value to UTC; None when it states none."""
    _, zone = pop_tz_offset_from_string(value)
    return zone.utcoffset(None) if isinstance(zone, tzinfo) else None


def _with_local_day(utc: datetime, offset: timedelta | None) -> tuple[datetime, date]:
    """A naive UTC time with its local calendar day (UTC's own day without an offset)."""
    try:
        return utc, (utc + offset).date() if offset else utc.date()
    except OverflowError:  # 9999-12-31 plus hours: no local day in the calendar, keep UTC's
        return utc, utc.date()


def _not_text(record: Mapping[str, Any], name: str) -> list[str]:
    """What the aliases of a field hold when it is no text ("'body' is a list"), in alias order."""
    held = []
    for key in ALIASES[name]:
        value = record.get(key)
        if isinstance(value, _NOT_TEXT):
            kind = ("an object" if isinstance(value, Mapping)
                    else "a boolean" if isinstance(value, bool) else "a list")
            held.append(f"{key!r} is {kind}")
    return held


UNDETERMINED = "und"  # ISO 639-2/3 "undetermined": a language value that names no language


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def article_language(value: str | None, text: str) -> str:
    """The article's language: the one given, else the one its text's function words show, else en.

    >>> article_language("fr", "The army said."), article_language(None, "The army said.")
    ('fr', 'en')
    """
    if value and value.strip():
        return primary_language(value)
    guess = guess_language(text)
    return "en" if guess is None else guess.code


def language_basis(given: str | None, language: str) -> str:
    """Where an article's language came from: ``given``, ``guessed`` from its text, or ``default``.

    >>> language_basis("fr", "fr"), language_basis(None, "de"), language_basis(" ", "en")
    ('given', 'guessed', 'default')
    """
    if given and given.strip():
        return "given"
    return "default" if language == "en" else "guessed"


def primary_language(value: str | None) -> str:
    """The ISO 639-1 code of a language tag or name; ``und`` when it names no language.

    >>> [primary_language(v) for v in ("en-GB", "Ukrainian", "fre", "Farsi", "English (UK)", "5")]
    ['en', 'uk', 'fr', 'fa', 'en', 'und']
    """
    if not value or not value.strip():
        return "en"
    value = value.strip()
    if _LANGUAGE_TAG.fullmatch(value):
        return _language_code(re.split(r"[-_]", value)[0].lower())
    return _language_code(_PARENTHESES.sub("", value).strip().lower())  # a name: "English (UK)"


@cache
def _language_aliases() -> dict[str, str]:
    """Names and retired codes pycountry does not map (``etl/resources/ingest/languages.tsv``)."""
    lines = (RESOURCES_DIR / "ingest" / "languages.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=512)
def _language_code(primary: str) -> str:
    """ISO 639-1 for a code (639-1, -2 or -3) or an English name; 639-3 where 639-1 has none."""
    if primary in _language_aliases():
        return _language_aliases()[primary]
    import pycountry  # its language list loads once, and only for a value to look up

    languages = pycountry.languages
    if len(primary) == 2:
        language = languages.get(alpha_2=primary)
    elif len(primary) == 3:  # "fre" and "ger" are the bibliographic forms of "fra" and "deu"
        language = languages.get(alpha_3=primary) or languages.get(bibliographic=primary)
    else:  # a name: lookup() also matches codes, but codes were handled above ("en" is no name)
        try:
            language = languages.lookup(primary)
        except LookupError:
            language = None
    if language is None:
        return UNDETERMINED
    return str(getattr(language, "alpha_2", None) or language.alpha_3)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_surrogates(value: str) -> str:
    """Lone UTF-16 surrogates (valid in JSON, not in UTF-8) become U+FFFD."""
    return LONE_SURROGATE.sub("\ufffd", value)


def escape_surrogates(value: str) -> str:
    r"""Lone UTF-16 surrogates become their JSON escape, six characters: different ones stay apart.

    >>> escape_surrogates("a\ud800"), escape_surrogates("a\udc00")
    ('a\\ud800', 'a\\udc00')
    """
    return LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", value)


def lone_surrogate_problem(record: Mapping[str, Any], input_file: str, line: int | None) -> Problem | None:
    """The ``lone_surrogate`` warning for a record whose fields hold a UTF-16 surrogate without
    its pair (valid JSON, no character): the id keeps it as its six-character escape, the other
    fields read have U+FFFD in its place.

        {"id": "a\\ud800"}  ->  Problem(..., "a\\ud800", ..., "lone_surrogate", "field 'id' holds ...")
    """
    used = _field(record, "id")
    found: list[tuple[str, str]] = []  # (field, its first lone surrogate)
    for keys in ALIASES.values():
        for key in keys:  # the alias read: the first that gives text
            value = record.get(key)
            if not isinstance(value, str) or not value.strip():
                continue
            if (lone := LONE_SURROGATE.search(value)) is not None:
                found.append((key, f"\\u{ord(lone.group()):04x}"))
            break
    if not found:
        return None
    said = []
    for key, escape in found:
        if key in ALIASES["id"]:
            said.append(f"field {key!r} holds a lone UTF-16 surrogate ({escape}), which is no "
                        f"character: the id keeps it as the six characters {escape}")
        else:
            said.append(f"field {key!r} holds a lone UTF-16 surrogate ({escape}), which is no "
                        "character: it was read as U+FFFD")
    return Problem(input_file, line, used, "ingest", "warning", "lone_surrogate", "; ".join(said))


def content_hash(title: str | None, text: str) -> str:
    """SHA-256 of title and text: the article's content fingerprint."""
    return hashlib.sha256(f"{title or ''}\x1f{text}".encode()).hexdigest()


def normalize_record(
    record: Mapping[str, Any], input_file: str, line: int | None, encoding: str = "utf-8"
) -> dict[str, Any]:
    """Map input fields and their aliases to an ``articles`` row; raise RecordError if unusable."""
    text = _field(record, "text")
    if text is None:
        if held := _not_text(record, "text"):
            raise RecordError("bad_field", f"field {held[0]}, not text")
        raise RecordError("no_text", "record has no text (fields text, body or content)")
    raw_text = next(clean_surrogates(str(record[k])) for k in ALIASES["text"]
                    if _field({k: record.get(k)}, "text"))
    title = _field(record, "title")
    sha = content_hash(title, raw_text)
    published_raw = _field(record, "published")
    parsed = parse_published_local(published_raw) if published_raw else None
    published, local_day = parsed if parsed is not None else (None, None)
    outside = published is not None and not in_published_years(published.year)
    if outside:
        published = local_day = None
    language_raw = _field(record, "language")
    # also an alias beside the one read ("text" a list of paragraphs, "body" a summary)
    ignored = [f"{held}, not text" for name in ALIASES for held in _not_text(record, name)]
    return {
        "article_id": _field(record, "id") or sha[:16],
        "title": title,
        "text": raw_text,
        "url": _field(record, "url"),
        "source": _field(record, "source"),
        "language": (language := article_language(language_raw, raw_text)),
        "language_basis": language_basis(language_raw, language),
        "language_raw": language_raw,
        "ignored_fields": ignored,
        "published": published,
        "published_basis": "metadata" if published else "none",
        "published_local_date": local_day,
        "published_raw": published_raw,
        "published_outside": outside,
        "input_file": input_file,
        "input_line": line,
        "content_sha256": sha,
        "encoding": encoding,
    }


def record_problems(row: Mapping[str, Any]) -> list[Problem]:
    """Warnings about a normalized row: a field that is no text, an unparsable published date or
    language, an over-long text."""
    problems = []
    where = (row["input_file"], row["input_line"], row["article_id"])
    for ignored in row.get("ignored_fields", ()):
        problems.append(Problem(*where, "ingest", "warning", "bad_field", f"field {ignored}; ignored"))
    raw_language = row.get("language_raw")
    if raw_language and row["language"] == UNDETERMINED and raw_language.lower() != UNDETERMINED:
        problems.append(
            Problem(*where, "ingest", "warning", "bad_language",
                    f"language value {raw_language!r} names no language; coded {UNDETERMINED!r}"))
    if row.get("published_raw") and row["published"] is None:
        why = OUTSIDE_PUBLISHED_YEARS if row.get("published_outside") else (
            zone_problem(row["published_raw"]) or "is not a date")
        problems.append(
            Problem(*where, "ingest", "warning", "bad_published",
                    f"published value {row['published_raw']!r} {why}; ignored")
        )
    if (mismatch := language_problem(row)) is not None:
        problems.append(mismatch)
    if len(row["text"].encode("utf-8")) > MAX_RECORD_BYTES:
        problems.append(
            Problem(*where, "ingest", "warning", "text_too_long",
                    f"text longer than {MAX_RECORD_BYTES} bytes; truncated")
        )
    return problems


_LETTER = re.compile(r"[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_SAMPLE_CHARS = 4000  # the start of a text tells its script


def other_script(text: str) -> str | None:
    """The script most letters of a text are written in when it is not Latin ("Cyrillic"), else None.

    >>> other_script("Вчора російські війська атакували Київ."), other_script("Troops shelled Kyiv.")
    ('Cyrillic', None)
    """
    sample = text[:_SAMPLE_CHARS]
    if 4 * (len(sample) - len(sample.encode("ascii", "ignore"))) < len(sample):
        return None  # too few characters outside ASCII for most letters to be (the usual case)
    letters = _LETTER.findall(sample)
    if not letters or 2 * len(_LATIN_LETTER.findall(sample)) >= len(letters):
        return None
    scripts = Counter(unicodedata.name(ch, "UNKNOWN").split()[0] for ch in letters[:500])
    script = scripts.most_common(1)[0][0]
    return script if script == "CJK" else script.title()


def language_problem(row: Mapping[str, Any]) -> Problem | None:
    """A warning for an article whose language was guessed from its text (``language_guessed``),
    or coded English while its text is mostly in another script or reads as another Latin-script
    language (``language_mismatch``)."""
    where = (row["input_file"], row["input_line"], row["article_id"], "ingest", "warning")
    given = bool(row.get("language_raw"))
    if not given and row["language"] != "en" and (guess := guess_language(row["text"])) is not None:
        return Problem(*where, "language_guessed",
                       f"no language was given; coded {guess.code!r} from the text: {guess.evidence}; "
                       "dates are read in that language, events only from English text")
    if row["language"] != "en":
        return None
    if (script := other_script(row["text"])) is not None:
        return Problem(*where, "language_mismatch",
                       f"most of the text's letters are {script}, but its language is 'en' "
                       f"({'given' if given else 'the default: none was given'}): "
                       "dates and events are read as English; give the article's language")
    if given and (guess := guess_language(row["text"])) is not None:  # given 'en' is kept
        return Problem(*where, "language_mismatch",
                       f"the text reads as {guess.code!r} ({guess.evidence}), but its language is "
                       "given as 'en': dates and events are read as English; check the language")
    return None


# Evidence for guessing a Latin-script language: the different function words of each language
# (etl/resources/ingest/function_words.tsv) among the whitespace-separated tokens of the text's
# start. Tokens match as written: capitalized ones are mostly names ("Die Welt", "La Paz", "De
# Gaulle"), and a token with a hyphen, apostrophe or dot is none of the words ("el-Sisi",
# "l'armée", "e.g.", "21y.o."). A word glued to punctuation ("de,") is missed, but a text has
# plenty of others. Different words, not occurrences: a name's "de" said ten times is one word.
# Counting stays in C (split, set intersections): it runs for every article without a language.
_GUESS_CHARS = 2000  # ~330 tokens; English news shows ~24 different English function words there
# English holds when the start has the word "the" _ENGLISH_THE times (English news has it ~20
# times in 2000 characters, the bench corpus never fewer than 8): a text in another language has
# that many only with a long English passage, and then stays 'en' as before. Else another
# language is coded only when it shows at least _MIN_WORDS different function words and
# _DOMINANCE times as many as English. On ~12,000 English texts (bench corpus, WikiWars articles
# and paragraphs, UCDP headlines, the sample) no language shows more than 4, and never a third of
# the English count; a foreign news paragraph of two or three sentences shows 6 to 15. A short
# text (a headline, a short sentence) shows too few and stays 'en', as before.
_ENGLISH_THE = 5
_MIN_WORDS = 5
_DOMINANCE = 3


class LanguageGuess(NamedTuple):
    """A language read from function words, and the counts that show it, for the warning."""

    code: str
    evidence: str


@cache
def _function_words() -> tuple[frozenset[str], tuple[tuple[str, frozenset[str]], ...]]:
    """Every function word, and each language's (English first), from the resource file."""
    path = RESOURCES_DIR / "ingest" / "function_words.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    languages = tuple((code, frozenset(words.split())) for code, words in
                      (line.split("\t") for line in lines if line and not line.startswith("#")))
    return frozenset().union(*(words for _, words in languages)), languages


def guess_language(text: str) -> LanguageGuess | None:
    """The Latin-script language whose function words clearly outnumber English ones at the
    start of a text; None when English holds or the text is too short to tell.

    >>> guess_language("Die Armee meldete am Montag, dass bei dem Angriff auf die Stadt in der "
    ...                "Nacht mindestens zwölf Menschen getötet und 40 verletzt wurden.").code
    'de'
    >>> guess_language("Die Welt reported that the army shelled the town.") is None
    True
    """
    # The usual English article ends here, after one substring count (no tokens made).
    if text.count(" the ", 0, _GUESS_CHARS) >= _ENGLISH_THE:
        return None
    vocabulary, languages = _function_words()
    found = vocabulary.intersection(text[:_GUESS_CHARS].split())
    if len(found) < _MIN_WORDS:
        return None
    english = len(found & languages[0][1])
    shown = sorted(((len(found & words), n) for n, (_, words) in enumerate(languages) if n),
                   key=lambda count_index: -count_index[0])  # stable: ties keep the file's order
    (best, index), (runner, runner_index) = shown[0], shown[1]
    if best < _MIN_WORDS or best < _DOMINANCE * english:
        return None
    code, words = languages[index]
    examples = sorted(found & words)
    listed = ", ".join(examples[:6]) + (", ..." if len(examples) > 6 else "")
    return LanguageGuess(code, f"{best} different {code!r} function words ({listed}) against "
                         f"{english} English ones in its first {_GUESS_CHARS} characters; next "
                         f"{languages[runner_index][0]!r} with {runner}")


def truncate_text(text: str) -> str:
    """Cut a text to the record size limit on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= MAX_RECORD_BYTES:
        return text
    return data[:MAX_RECORD_BYTES].decode("utf-8", errors="ignore")
