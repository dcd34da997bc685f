"""Find and resolve place mentions in English text against the gazetteer, using article context.

>>> ctx = article_context("Fighting in Ukraine", "Russian forces advanced on Pokrovsk.")
>>> p = locate("Russian forces advanced on Pokrovsk.", ctx)
>>> (p.name, p.admin1, p.country_iso3, p.geo_precision)
('Pokrovsk', 'Donetsk Oblast', 'UKR', 1)
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate, compress, count, pairwise, repeat
from operator import attrgetter, is_not, itemgetter
from typing import NamedTuple

from etl.geo.index import (
    GEO_RESOURCES,
    Gazetteer,
    demonyms,
    gazetteer,
    loose_key,
    name_key,
    resource_rows,
    words,
)
from etl.ingest.reference import find_dateline

# A bare, ambiguous name with no support from the article's countries or regions must name a
# place at least this large; below it, news text far more often means something else.
MIN_BARE_POPULATION = 50_000
# Without context, a smaller name is accepted when all its bearers lie in one country, or when
# its largest bearer has at least this population and DOMINANCE times any bearer abroad.
MIN_UNIQUE_LENGTH = 5
MIN_DOMINANT_POPULATION = 1_000
DOMINANCE = 10
# Shouted words (all capitals) shorter than this are acronyms ("UN", "SBU"), not place names.
MIN_SHOUTED_LENGTH = 4

# Possessive quantifiers (*+, ++) match what the greedy ones would (what follows each run of
# word characters starts with "-", which the run never holds: backtracking never helps), and
# keep no backtracking points: a faster split of a whole article.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w'’]*+(?:-[\w'’]++)*+")
# Texts up to this length (sentences, clauses, headlines) have their scan and resolution cached.
_CACHED_TEXT_CHARS = 2000
# `_TOKEN` led by its first letter (the acronym alternative checked behind it, then possessive):
# the regex engine then skips from one letter to the next instead of trying every position.
# The same tokens: both alternatives start with a letter, tried in the same order.
_TOKEN_LED = r"[^\W\d_](?:(?<=[A-Z])\.(?:[A-Z]\.)++|[\w'’]*+(?:-[\w'’]++)*+)"
_TOKEN_SPLIT = re.compile(f"({_TOKEN_LED})")
_POSSESSIVE_ENDINGS = ("'s", "’s")


@dataclass(frozen=True)
class Place:
    """A resolved location: names, ISO alpha-3 country, point, precision and GeoNames id.

    >>> Place("Lviv", "Lviv Oblast", "UKR", 49.83826, 24.02324, 1, 702550, "city").geo_precision
    1
    """

    name: str
    admin1: str | None
    country_iso3: str
    latitude: float
    longitude: float
    geo_precision: int
    geonameid: int | None
    feature: str  # "city" | "admin1" | "country" | "region"


@dataclass(frozen=True)
class GeoContext:
    """What an article is about, geographically: countries and first-level divisions by salience.

    `admin1s` holds GeoNames keys such as "UA.05"; `dateline` is where the report was filed.

    >>> GeoContext(countries=("UKR", "RUS")).countries[0]
    'UKR'
    """

    countries: tuple[str, ...] = ()
    admin1s: tuple[str, ...] = ()
    dateline: Place | None = None


@dataclass
class _Mention:
    start: int
    end: int
    kind: str  # country | region | province | district | city | demonym
    key: str
    country: str | None = None  # ISO alpha-2 for country mentions
    region: int | None = None
    cities: list[tuple[int, bool]] = field(default_factory=list)
    admin1s: tuple[int, ...] = ()
    part: bool = False  # a directional word makes it part of the division
    glued: bool = False  # directly followed by another capitalized word ("Nizhni Lozovoe")
    weak: bool = False  # its capital proves nothing: a sentence's first word, or shouted
    qualifier: _Mention | None = None
    is_qualifier: bool = False
    # "Mafa village in Yobe State": the place must lie in the qualifier
    strict: bool = False


class _Token(NamedTuple):
    start: int
    end: int
    text: str


def _tokens(text: str) -> list[_Token]:
    """The word tokens of a text with their offsets (possessive 's dropped), as `_Words` reads them."""
    out = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(), m.start()
        if word.endswith(_POSSESSIVE_ENDINGS):  # a token holds no newline: endswith = r"['’]s$"
            word = word[:-2]
        out.append(_Token(start, start + len(word), word))
    return out


def _word_set(name: str) -> frozenset[str]:
    return words()[name]


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Lower-case English words that are also place names (common_words.txt: folded already)."""
    lines = (GEO_RESOURCES / "common_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _scan_words() -> tuple[frozenset[str], ...]:
    """Persons, titles, province words, district words, directions and organization words."""
    names = ("person_names", "titles", "province_words", "district_words", "directions", "org_words")
    return tuple(_word_set(name) for name in names)


@lru_cache(maxsize=1)
def _glue_exempt() -> tuple[frozenset[str], frozenset[str]]:
    """Words that do not glue to a name after it, and before it (demonyms too): built once."""
    after = _word_set("stopwords") | _word_set("titles")
    return after, after | frozenset(demonyms())


class _Words:
    """A text's tokens as parallel lists (cheaper than one object per word in a 5 KB article).

    Tokens are the matches of `_TOKEN` ("Russia's" -> "Russia"), found with one `re.split`.
    Only `raw`, `starts` and `capitals` are built up front (in C); a word's possessive-free
    form, end and key are made on demand, since the scan reads few words besides capitals.

    >>> w = _Words("Russia's army near Kharkiv")
    >>> w.words, w.starts, w.ends, w.capitals
    (['Russia', 'army', 'near', 'Kharkiv'], [0, 9, 14, 19], [6, 13, 18, 26], [0, 3])
    """

    __slots__ = ("capitals", "raw", "starts", "text")

    def __init__(self, text: str) -> None:
        parts = _TOKEN_SPLIT.split(text)  # gap, token, gap, token, ..., gap
        self.text = text
        self.raw: list[str] = parts[1::2]
        self.starts: list[int] = list(accumulate(map(len, parts), initial=0))[1 : len(parts) : 2]
        # Dropping "'s" keeps a token's first letter (a token is a letter, then 2+ more here).
        self.capitals: list[int] = list(compress(count(), map(str.isupper, map(itemgetter(0), self.raw))))

    @property
    def words(self) -> list[str]:
        """Every token without its possessive ending."""
        return [_word(r) for r in self.raw]

    @property
    def ends(self) -> list[int]:
        """End offset of every token (possessive ending excluded)."""
        return [self.end(k) for k in range(len(self.raw))]

    def word(self, k: int) -> str:
        """The token at a position without its possessive ending ("Russia's" -> "Russia")."""
        return _word(self.raw[k])

    def end(self, k: int) -> int:
        """End offset of the token at a position (possessive ending excluded)."""
        token = self.raw[k]
        return self.starts[k] + (len(token) - 2 if token.endswith(_POSSESSIVE_ENDINGS) else len(token))

    def key(self, k: int) -> str:
        """The folded word at a position (folded on demand: most words are never looked up)."""
        token = self.raw[k]
        found = _TOKEN_KEYS.get(token)
        if found is None:
            if len(_TOKEN_KEYS) >= 1 << 16:
                _TOKEN_KEYS.clear()  # bounded: words repeat across articles
            found = _TOKEN_KEYS[token] = name_key(_word(token))
        return found

    def capitalized(self, k: int) -> bool:
        """Capitalized, or an Arabic article before a capital inside a name ("Deir ez-Zor")."""
        token = self.raw[k]
        return token[:1].isupper() or (
            token[2:4].find("-") >= 0 and _ARTICLE_CAPITAL.match(token) is not None
        )

    def joined(self, a: int, b: int) -> bool:
        """True when two tokens are adjacent words of one name (a single space between them)."""
        return self.text[self.end(a) : self.starts[b]] == " "


# The Arabic article, lowercase, hyphened to the next word of a name: "Deir ez-Zor", "Ras al-Ain".
_ARTICLE_CAPITAL = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|ed|en|er|es|et|ez|ul)-[A-Z]")

_TOKEN_KEYS: dict[str, str] = {}  # token as split -> `name_key` of its word


def _word(token: str) -> str:
    # a token holds no newline, so endswith is the same test as r"['’]s$"
    return token[:-2] if token.endswith(_POSSESSIVE_ENDINGS) else token


@lru_cache(maxsize=1 << 15)
def _may_start_name(key: str, gaz: Gazetteer) -> bool:
    """True when a folded word begins some multi-word name key (as `_longest_possible` tests it)."""
    twice = name_key(key)
    prefixes = gaz.name_prefixes
    return key in prefixes or twice in prefixes or loose_key(twice) in prefixes


def _longest_possible(w: _Words, i: int, gaz: Gazetteer) -> int:
    """How many joined tokens from `i` on can still form one name: beyond it no lookup can match.

    A run of n words can only be a name when each of its shorter runs is a word prefix of some
    multi-word name key (plain, folded twice as the lookups do, or loose) and its words are
    joined by single spaces; every run up to the returned length is so joined.
    """
    limit = min(gaz.max_words, len(w.raw) - i)
    plain = w.key(i)
    if limit <= 1 or not _may_start_name(plain, gaz):
        return 1  # the common case, decided once per word
    prefixes = gaz.name_prefixes
    twice = name_key(plain)
    loose = loose_key(twice)
    n = 1
    while n < limit and (plain in prefixes or twice in prefixes or loose in prefixes):
        if not w.joined(i + n - 1, i + n):
            break
        key = w.key(i + n)
        word = name_key(key)
        plain, twice, loose = f"{plain} {key}", f"{twice} {word}", f"{loose} {loose_key(word)}"
        n += 1
    return n


class _Start(NamedTuple):
    """What a capitalized token can start, by itself: decided once per distinct token."""

    may_continue: bool  # a multi-word name may begin with it (`_may_start_name`)
    single: _Mention | None  # what the word alone is (`_classified` template), if anything


_NOTHING = _Start(False, None)  # the usual capital: no name starts here


@lru_cache(maxsize=8)
def _start_memo(gaz: Gazetteer) -> dict[str, _Start]:
    """Per gazetteer: raw capitalized token -> `_Start` (bounded by `_start_of`)."""
    return {}


def _start_of(token: str, gaz: Gazetteer) -> _Start:
    """What a capitalized token (as split, possessive included) can start (memoized)."""
    memo = _start_memo(gaz)
    found = memo.get(token)
    if found is None:
        if len(memo) >= 1 << 16:
            memo.clear()  # bounded: names and sentence-initial words repeat across articles
        word = _word(token)
        found = _Start(_may_start_name(name_key(word), gaz), _classified(word, gaz))
        if not found.may_continue and found.single is None:
            found = _NOTHING
        memo[token] = found
    return found


def _match_at(w: _Words, i: int, gaz: Gazetteer, connectors: AbstractSet[str]) -> tuple[_Mention | None, int]:
    """The longest name starting at capitalized token `i` (a fresh mention) and its token count."""
    text, starts = w.text, w.starts
    # Every run of up to _longest_possible tokens is joined by single spaces.
    for n in range(_longest_possible(w, i, gaz), 0, -1):
        last = i + n - 1
        if not w.capitalized(last):
            # only a named region ("Donets basin") or a division whose listed name ends in its
            # kind ("Shan state", "Bay region": the name alone is no division) may end in a
            # lowercase word
            if n > 1:
                key = name_key(text[starts[i] : w.end(last)])
                region = gaz.lookup_region(key)
                if region is not None:
                    return _Mention(0, 0, "region", key, region=region), n
                admin1s = gaz.lookup_admin1(key)
                if admin1s and w.key(last) in _word_set("province_words"):
                    return _Mention(0, 0, "province", key, admin1s=admin1s), n
            continue
        if any(not w.capitalized(k) and w.key(k) not in connectors for k in range(i + 1, last)):
            continue
        template = _classified(text[starts[i] : w.end(last)], gaz)
        if template is not None:
            return _copy(template), n
    return None, 0


@lru_cache(maxsize=8)
def _runs(max_words: int) -> re.Pattern[str]:
    """Up to `max_words` tokens joined by single spaces (every token a name could span)."""
    return re.compile(rf"(?:{_TOKEN.pattern})(?: (?:{_TOKEN.pattern})){{0,{max_words - 1}}}")


@lru_cache(maxsize=8)
def _run_memo(gaz: Gazetteer) -> dict[str, tuple[_Mention | None, int]]:
    """Per gazetteer: a run of joined tokens -> the name its first token starts (bounded)."""
    return {}


def _run_match(run: str, gaz: Gazetteer) -> tuple[_Mention | None, int]:
    """`_match_at` the first token of a run of joined tokens, read alone (memoized, unchanged).

    Only the run's own tokens and the single spaces between them decide the match: every run
    `_longest_possible` admits is joined, and a possessive ("Russia's army") ends the joining.
    """
    memo = _run_memo(gaz)
    if len(memo) >= 1 << 16:
        memo.clear()
    found = memo[run] = _match_at(_Words(run), 0, gaz, _word_set("connectors"))
    return found


class _Pair(NamedTuple):
    """What a run's first two joined tokens (or its only token) decide, read alone."""

    template: _Mention | None  # as `_run_match`: the name the first token starts, if any
    n_used: int
    final: bool  # no longer run starting with these tokens can match differently


@lru_cache(maxsize=8)
def _pair_memo(gaz: Gazetteer) -> dict[str, _Pair]:
    """Per gazetteer: one or two joined tokens -> `_Pair` (bounded by `_pair_match`)."""
    return {}


def _pair_match(pair: str, gaz: Gazetteer) -> _Pair:
    """`_run_match` of a run cut after its first two tokens, and whether that cut changes nothing.

    It changes nothing when the run is one token, or when `_longest_possible` stops within
    the two tokens: when they are not joined, or are no word prefix of a longer name. Runs
    repeat far more often cut than whole ("The Ukrainian" of "The Ukrainian army said ...").

    >>> _pair_match("The Ukrainian", gazetteer()).final
    True
    """
    memo = _pair_memo(gaz)
    if len(memo) >= 1 << 16:
        memo.clear()
    w = _Words(pair)
    template, n_used = _match_at(w, 0, gaz, _word_set("connectors"))
    final = len(w.raw) == 1 or _longest_possible(w, 0, gaz) < 2 or gaz.max_words <= 2
    if not final:
        keys = [name_key(w.key(0)), name_key(w.key(1))]
        forms = (f"{w.key(0)} {w.key(1)}", " ".join(keys), " ".join(map(loose_key, keys)))
        final = not any(form in gaz.name_prefixes for form in forms)
    found = memo[pair] = _Pair(template, n_used, final)
    return found


def _scan(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    """Every name-like mention in a text, longest match first, left to right (cached per sentence).

    The mentions are shared between callers: read them, never change them.
    """
    if len(text) > _CACHED_TEXT_CHARS:
        return _document(text, gaz).mentions  # a whole article: its last few scans are kept
    return _scan_cached(text, gaz)


@lru_cache(maxsize=4096)
def _scan_cached(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    return _scan_text(text, gaz)


def _scan_text(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    w = _Words(text)
    out = _scan_range(w, 0, len(w.raw), 0, len(text), gaz)
    _link_qualifiers(text, out, gaz)
    return tuple(out)


class _Step(NamedTuple):
    """What the scan of a whole text decided at one capitalized token, and what it read to decide.

    A scan of a part of the text decides the same there when the part holds every token read
    (`lo` to `hi`) and the token before (`prev_start`) keeps its place relative to the part's start.
    """

    after: int  # the token the scan goes on from
    mention: _Mention | None  # as decided, before plurals and qualifiers change it (copy to use)
    spread: bool  # a plural division word follows: the names chained before it are divisions
    lo: int
    hi: int
    prev_start: int  # offset of the token before, -1 when not read
    mention_index: int = -1  # the mention's place among the whole text's mentions


# `_new_tuple(_Step, (all seven fields))` builds a step without the named tuple's Python frame.
_new_tuple = tuple.__new__


class _Document:
    """A text scanned once, whose parts (sentences, clauses, paragraphs) reuse that scan.

    >>> doc = _Document("Shelling hit Kharkiv. Troops left Izium.", gazetteer())
    >>> [(m.start, m.key) for m in doc.part_mentions("Troops left Izium.")]
    [(12, 'izium')]
    """

    __slots__ = (
        "gaz", "linked_after", "linked_before", "mentions", "mentions_before", "place_indexes",
        "spread_by", "starting", "step_capitals", "step_his", "step_los", "steps", "text", "words",
    )  # fmt: skip

    def __init__(self, text: str, gaz: Gazetteer) -> None:
        self.text, self.gaz = text, gaz
        self.words = w = _Words(text)
        self.steps: dict[int, _Step] = {}
        spreads: list[tuple[int, int]] = []
        out = _scan_range(w, 0, len(w.raw), 0, len(text), gaz, record=self.steps, spreads=spreads)
        linked = _link_qualifiers(text, out, gaz, shared=True)  # the steps keep the unlinked
        self.mentions: tuple[_Mention, ...] = tuple(out)
        # The capitals that may start a name: a part's scan passes over the others.
        # (Built by iterators in C: an article has a few hundred capitals and steps.)
        memo, capitals = _start_memo(gaz), w.capitals
        found = map(memo.get, map(w.raw.__getitem__, capitals))
        self.starting = list(compress(capitals, map(is_not, found, repeat(_NOTHING))))
        # What `whole_part` checks: where each decision read, who changed whom.
        steps = self.steps.values()
        self.step_capitals = list(self.steps)  # ascending: the scan goes left to right
        self.step_los = list(map(attrgetter("lo"), steps))
        self.step_his = list(map(attrgetter("hi"), steps))
        # mentions_before[k]: how many of the first k steps found a mention (its index: steps
        # append their mentions in order); -1 < index means it found one.
        self.mentions_before = list(
            accumulate(map((-1).__lt__, map(attrgetter("mention_index"), steps)), initial=0)
        )
        # The mentions that are places (no demonyms): the first and last of a part are checked.
        self.place_indexes = [k for k, m in enumerate(self.mentions) if m.kind != "demonym"]
        self.spread_by = dict(spreads)  # mention index -> index of the one that made it a division
        self.linked_before = {id(b) for _, b in linked}  # linked to the place before it
        self.linked_after = {id(a) for a, _ in linked}

    def locate_part(self, part: str) -> tuple[int, int, int, int] | None:
        """(offset, end, first token, end token) of a part cut at word boundaries, else None."""
        at = self.text.find(part) if part else -1
        if at < 0:
            return None
        end = at + len(part)
        starts, raw = self.words.starts, self.words.raw
        lo = bisect_left(starts, at)
        hi = bisect_left(starts, end)
        if (lo > 0 and starts[lo - 1] + len(raw[lo - 1]) > at) or (
            hi > 0 and starts[hi - 1] + len(raw[hi - 1]) > end
        ):
            return None  # the part cuts a word: its own tokens differ
        return at, end, lo, hi

    def part_mentions(self, part: str) -> tuple[_Mention, ...]:
        """`_scan_text(part)` for a part of the text: mostly from the whole text's scan."""
        found = self.locate_part(part)
        if found is None:
            return _scan_text(part, self.gaz)
        at, end, lo, hi = found
        w = self.words
        out = _scan_range(w, lo, hi, at, end, self.gaz, reuse=self.steps, capitals=self.starting)
        _link_qualifiers(self.text, out, self.gaz, end)
        for m in out:  # all fresh copies: shift them to the part's offsets
            m.start -= at
            m.end -= at
        return tuple(out)

    def whole_part(self, part: str) -> tuple[int, int, int] | None:
        """(offset, first, end) when the part's scan is exactly `mentions[first:end]` shifted back
        by offset: the whole text's decisions there read nothing outside the part, and no
        plural division word or qualifier links a mention inside to one outside. Else None.
        """
        found = self.locate_part(part)
        if found is None:
            return None
        at, end, lo, hi = found
        starting, caps = self.starting, self.step_capitals
        k = bisect_left(starting, lo)
        if k == len(starting) or starting[k] >= hi:
            return at, 0, 0  # no capital here starts a name
        if starting[k] not in self.steps:
            return None  # the whole text's scan went through it inside a longer name
        ka, kb = bisect_left(caps, lo), bisect_left(caps, hi)
        if min(self.step_los[ka:kb]) < lo or max(self.step_his[ka:kb]) > hi:
            return None  # a decision read a word outside
        if at > 0 and lo < len(self.words.starts) and self.words.starts[lo] == at:
            after_first = self.steps.get(lo + 1)
            if after_first is not None and after_first.prev_start == at:
                return None  # a glued name reads whether its neighbour starts the text
        first, last = self.mentions_before[ka], self.mentions_before[kb]
        if first == last:
            return at, 0, 0
        spread_by = self.spread_by
        if spread_by and any(spread_by.get(i, -1) >= last for i in range(first, last)):
            return None  # a plural division word after the part made a name in it a division
        indexes = self.place_indexes
        pa, pb = bisect_left(indexes, first), bisect_left(indexes, last)
        if pa < pb:  # places in the part, the first and last:
            head, tail = self.mentions[indexes[pa]], self.mentions[indexes[pb - 1]]
            if id(head) in self.linked_before or id(tail) in self.linked_after:
                return None  # qualified by, or qualifying, a name outside
            more = _LIST_GOES_ON.match(self.text, tail.end)
            if more is not None and more.end() > end:
                return None  # whether a list goes on is read past the part
        return at, first, last

    def places_under(self, context: GeoContext, first: int, last: int) -> list[Place | None]:
        """The resolved place of each mention (None for demonyms and the unresolved), resolved
        on demand: those from `first` to `last` are (a third of them are never asked)."""
        memo = _context_memo(context).by_document
        places = memo.get(self.text)
        if places is None:
            places = memo[self.text] = [_UNSEEN] * len(self.mentions)
        sup = None
        for k in range(first, last):
            if places[k] is _UNSEEN:
                m = self.mentions[k]
                if m.kind == "demonym":
                    places[k] = None
                else:
                    sup = sup or _support(context, self.gaz)
                    places[k] = _resolve_cached(m, sup, self.gaz)
        return places


@lru_cache(maxsize=4)
def _document(text: str, gaz: Gazetteer) -> _Document:
    """The scan of a whole article (kept: its sentences and paragraphs are asked next)."""
    return _Document(text, gaz)


def _scan_range(
    w: _Words,
    lo: int,
    hi: int,
    base: int,
    end_at: int,
    gaz: Gazetteer,
    record: dict[int, _Step] | None = None,
    reuse: dict[int, _Step] | None = None,
    capitals: list[int] | None = None,
    spreads: list[tuple[int, int]] | None = None,
) -> list[_Mention]:
    """Mentions among tokens lo..hi-1, read as the text `w.text[base:end_at]` (offsets in `w.text`).

    Qualifiers are not linked yet. `record` keeps each decision of a whole-text scan; `reuse`
    takes such decisions over where the part holds everything they read. A capital that starts
    nothing changes nothing, so `capitals` may omit it. `spreads` collects (mention changed,
    mention whose plural division word changed it).
    """
    text, raw, starts = w.text, w.raw, w.starts
    key_at, end = w.key, w.end
    persons, titles, provinces, districts, directions, orgs = _scan_words()
    areas, small, common = _word_set("area_words"), _word_set("title_small_words"), _common_words()
    exempt_after, exempt_before = _glue_exempt()
    memo = _start_memo(gaz)
    max_words = gaz.max_words
    runs, run_memo, pair_memo = _runs(max_words), _run_memo(gaz), _pair_memo(gaz)
    if capitals is None:
        capitals = w.capitals  # `capitals` may leave out those that start nothing
    if lo > 0 or hi < len(raw):
        capitals = capitals[bisect_left(capitals, lo) : bisect_left(capitals, hi)]
    out: list[_Mention] = []
    i = lo
    for c in capitals:
        if c < i:
            continue  # inside the previous mention
        if reuse is not None:
            step = reuse.get(c)
            if (
                step is not None
                and lo <= step.lo
                and step.hi <= hi
                and (base == 0 or step.prev_start != base)
            ):
                i = step.after
                if step.mention is not None:
                    found = _copy(step.mention)
                    if step.spread:
                        _spread_plural(out, text, found, gaz)
                    out.append(found)
                continue
        start = memo.get(raw[c]) or _start_of(raw[c], gaz)
        if start is _NOTHING:
            i = c + 1  # most capitals: decided by one look-up
            continue
        i = c
        template: _Mention | None
        if start.may_continue and min(max_words, hi - i) > 1:
            # The match depends only on the run of space-joined tokens from here: memoized,
            # mostly by its first two tokens (the token after the first is inside the part).
            after = starts[i] + len(raw[i])
            if starts[i + 1] == after + 1 and text[after] == " ":
                pair = text[starts[i] : after + 1 + len(raw[i + 1])]
            else:
                pair = raw[i]  # the whole run
            known = pair_memo.get(pair) or _pair_match(pair, gaz)
            if known.final:
                template, n_used = known.template, known.n_used
            else:
                run = runs.match(text, starts[i], end_at)
                assert run is not None  # a token starts here
                surface = run.group()
                template, n_used = run_memo.get(surface) or _run_match(surface, gaz)
        else:
            template, n_used = start.single, 1
        if template is None:
            i += 1
            if record is not None:
                # Nothing starts here, and nothing would in a part cut short after this word:
                # its runs of words are fewer, and each was tried here.
                record[c] = _new_tuple(_Step, (i, None, False, c, c + 1, -1, -1))
            continue
        kind = template.kind
        placelike = kind == "city" or kind == "province"
        nxt = i + n_used if i + n_used < hi else None
        prev = i - 1 if i > lo else None
        # Neighbours are mostly lowercase: their capital is tested before their key.
        next_capital = nxt is not None and raw[nxt][0].isupper()
        prev_capital = prev is not None and raw[prev][0].isupper()
        # A step reads a neighbour only where a rule about it fires: without one, the same
        # decision stands with the neighbour absent (a part's first or last word).
        if template.weak and not (
            (prev is not None and _shouts_on(w, prev, i, prev))
            or (nxt is not None and _shouts_on(w, nxt - 1, nxt, nxt))
        ):
            i += n_used  # a lone word in capitals ("KYIV –" of a dateline) is no shouted headline
            if record is not None:
                read_lo, read_hi = c - 1 if prev is not None else c, i if nxt is None else nxt + 1
                record[c] = _new_tuple(_Step, (i, None, False, read_lo, read_hi, -1, -1))
            continue
        if (
            kind != "demonym"
            and i - 2 >= lo
            and raw[i - 1] == "of"
            and raw[i - 2][0].isupper()
            and key_at(i - 2) in orgs
            and w.joined(i - 2, i - 1)
            and w.joined(i - 1, i)
        ):
            i += n_used  # "Times of Israel", "University of Kyiv": part of another name
            if record is not None:
                record[c] = _new_tuple(_Step, (i, None, False, c - 2, i, -1, -1))
            continue
        if placelike and prev_capital and key_at(i - 1) in titles:
            i += n_used  # "President Washington", "Gen. Kursk": a person or a title, not a place
            if record is not None:
                record[c] = _new_tuple(_Step, (i, None, False, c - 1, i, starts[c - 1], -1))
            continue
        if placelike and next_capital and w.joined(i + n_used - 1, i + n_used) and key_at(i + n_used) in orgs:
            i += n_used  # "Washington Post", "Minsk Protocol": part of another name
            if record is not None:
                record[c] = _new_tuple(_Step, (i, None, False, c, i + 1, -1, -1))
            continue
        if kind == "city" and next_capital and key_at(i + n_used) in persons:
            i += n_used  # "Donald Trump"
            if record is not None:
                record[c] = _new_tuple(_Step, (i, None, False, c, i + 1, -1, -1))
            continue
        if (
            kind == "city"
            and prev_capital
            and nxt is not None
            and key_at(nxt) in areas
            and _glued(w, i, prev, exempt_before, base)
        ):
            i += n_used  # "the Wharf Jeremie area": a neighbourhood's longer name, not Jérémie
            if record is not None:
                record[c] = _new_tuple(_Step, (i, None, False, c - 1, i + 1, starts[c - 1], -1))
            continue
        found = _copy(template)
        found.start, found.end = starts[i], end(i + n_used - 1)
        prev_used = False
        title_lo = c  # the first token read to tell a title-cased headline
        next_used = template.weak and nxt is not None  # shouted: its neighbours were read
        # The token before was read (the gap after it, its capitals), but not whether it starts
        # the text: a part starting there decides the same, one starting here may not.
        prev_read = template.weak and prev is not None
        if placelike and n_used == 1 and not found.weak:
            # A one-word name opening a sentence (or the text) is capitalized whatever it means.
            if c == lo or _SENTENCE_GAP.search(text, starts[c - 1] + len(raw[c - 1]), starts[c]) is not None:
                found.weak = True
            else:
                prev_read = True  # decided by the gap before: a part starting here reads it as first
                if key_at(c) in common:
                    # In a title-cased headline ("Separatists Down Military Transport Jet, Killing
                    # 49 in ...") a common word's capital proves nothing either.
                    title_lo = max(lo, c - TITLE_CASE_WINDOW)
                    found.weak = _title_cased(w, title_lo, c, small)
        next_key = key_at(nxt) if nxt is not None and placelike else ""
        if nxt is not None and placelike and next_key in provinces:
            found = _as_province(found, gaz)
            found.end = end(nxt)
            n_used += 1
            next_used = True
        elif nxt is not None and kind == "city" and next_key in districts:
            found.kind, found.part = "district", True
            found.end = end(nxt)
            n_used += 1
            next_used = True
        elif kind == "city":
            if next_capital and _glued(w, i + n_used - 1, nxt, exempt_after, base):
                found.glued = next_used = True
            elif prev_capital and _glued(w, i, prev, exempt_before, base):
                found.glued = prev_used = True
        if prev is not None and found.kind == "province" and key_at(prev) in directions:
            found.part = prev_used = True
        spread = found.kind == "province" and nxt is not None and w.word(nxt).lower().endswith("s")
        if record is not None:
            next_used = next_used or spread
            record[c] = _new_tuple(
                _Step,
                (  # `found` itself: only qualifiers change it later, on a copy
                    i + n_used,
                    found,
                    spread,
                    min(c - 1 if prev_used or prev_read else c, title_lo),
                    (nxt + 1 if nxt is not None else hi) if next_used else i + n_used,
                    starts[c - 1] if prev_used else -1,
                    len(out),
                ),
            )
        if spread:
            changed = _spread_plural(out, text, found, gaz)
            if spreads is not None:
                spreads.extend((k, len(out)) for k in range(changed, len(out)))
        out.append(found)
        i += n_used
    return out


def _shouts_on(w: _Words, a: int, b: int, other: int) -> bool:
    """True when tokens a, b (one after the other, space between) are a shouted run: `other`
    of them, the name's neighbour, is a word in capitals too ("STRUCK KHARKIV")."""
    word = w.raw[other]
    return len(word) > 1 and word.isupper() and w.text[w.end(a) : w.starts[b]].isspace()


def _glued(w: _Words, token: int, other: int | None, exempt: AbstractSet[str], base: int = 0) -> bool:
    """True when a neighbouring capitalized word joins the name ("Nizhni Lozovoe")."""
    if other is None or not w.capitalized(other) or w.key(other) in exempt:
        return False
    first, second = (token, other) if token < other else (other, token)
    return w.joined(first, second) and w.starts[other] > base


# How many words before a capitalized common word tell whether it stands in a title-cased headline.
TITLE_CASE_WINDOW = 4


def _title_cased(w: _Words, lo: int, c: int, small: AbstractSet[str]) -> bool:
    """True when the words lo..c-1 other than small words ("in", "of") are all capitalized, two
    at least: the text there is a title-cased headline.

    >>> w = _Words("Separatists Down Military Transport Jet, Killing 49")
    >>> _title_cased(w, 1, 5, frozenset()), _title_cased(_Words("troops near Killing"), 0, 2, frozenset())
    (True, False)
    """
    seen = 0
    for k in range(lo, c):
        if w.key(k) in small:
            continue
        if not w.capitalized(k):
            return False
        seen += 1
    return seen >= 2


def _copy(m: _Mention) -> _Mention:
    """A shallow copy of a mention (its lists are replaced, never changed in place)."""
    out = _new_object(_Mention)
    out.__dict__ = m.__dict__.copy()  # cheaper than a dataclass constructor: a hot path
    return out


_new_object = object.__new__


@lru_cache(maxsize=1 << 13)
def _classified(surface: str, gaz: Gazetteer) -> _Mention | None:
    """`_classify` of a name written as one run of words (cached: copy the result before use)."""
    return _classify(
        name_key(surface),
        surface.split(" "),
        gaz,
        demonyms(),
        _word_set("stopwords"),
        _word_set("person_names"),
    )


def _classify(
    key: str,
    span: list[str],
    gaz: Gazetteer,
    dem: dict[str, str],
    stop: frozenset[str],
    persons: frozenset[str],
) -> _Mention | None:
    """What a candidate name (words in `span`) is, if anything: demonym, country, region, city, division."""
    single = len(span) == 1
    if key in dem:
        return _Mention(0, 0, "demonym", key, country=gaz.iso2(dem[key]))
    iso2 = gaz.lookup_country(key)
    if iso2 is not None:
        return _Mention(0, 0, "country", key, country=iso2)
    region = gaz.lookup_region(key)
    if region is not None:
        return _Mention(0, 0, "region", key, region=region)
    if single and (key in stop or key in persons):
        return None
    if all(name_key(t) in stop for t in span) and not gaz.lookup_admin1(key):
        return None  # "The State", not "Unity State" (South Sudan) or "Mon State" (Myanmar)
    shouted = False
    for t in span:
        if t.isupper() and len(t) > 1:
            if len(t) < MIN_SHOUTED_LENGTH and name_key(t) not in _word_set("connectors"):
                return None  # acronyms ("SBU", "UN") are not place names
            shouted = True  # a headline in capitals ("... IN GAZA CITY"): its capitals prove nothing
    cities = gaz.lookup_city(key)
    admin1s = gaz.lookup_admin1(key)
    if cities and not (admin1s and _only_namesakes(key, cities, admin1s, gaz)):
        return _Mention(0, 0, "city", key, cities=cities, admin1s=admin1s, weak=shouted)
    if admin1s:
        return _Mention(0, 0, "province", key, admin1s=admin1s, weak=shouted)
    return None


def _only_namesakes(
    key: str, cities: list[tuple[int, bool]], admin1s: tuple[int, ...], gaz: Gazetteer
) -> bool:
    """True when the places bearing a division's name are mere namesakes: the name is the division.

    A namesake is small (below MIN_BARE_POPULATION) and lies outside the divisions so named or
    bears the name only as an alternate name, or it bears the name only as an alternate name
    abroad: "Michoacán" is the state, not a village of 574 in Chiapas; "Cauca" not Coca
    (Spain); "Antioquia" not Antakya (Turkey) nor Santa Fe de Antioquia. A common English word
    stays a place name (its capital may prove nothing).

    >>> gaz = gazetteer()
    >>> _only_namesakes("cauca", gaz.lookup_city("Cauca"), gaz.lookup_admin1("Cauca"), gaz)
    True
    >>> _only_namesakes("kyiv", gaz.lookup_city("Kyiv"), gaz.lookup_admin1("Kyiv"), gaz)
    False
    """
    if key in _common_words():
        return False
    homes = {gaz.admin1s[a].country_iso2 for a in admin1s}
    for i, primary in cities:
        small = gaz.populations[i] < MIN_BARE_POPULATION
        if gaz.admin1_of[i] in admin1s:
            if primary or not small:
                return False  # "Donetsk", "Kharkiv", "Odessa": the city of its own division
        elif not small and (primary or gaz.country_code(i) in homes):
            return False
    return True


def _as_province(m: _Mention, gaz: Gazetteer) -> _Mention:
    """Reread a name followed by 'region'/'oblast' as the division named after it.

    When no division has the name, its places are kept: `_resolve` then reads "the Kursk
    region" through the place (`_namesake_division`), never through any namesake village.
    """
    if not m.admin1s:
        return replace(m, kind="province")
    return replace(m, kind="province", cities=[])


def _spread_plural(out: list[_Mention], text: str, last: _Mention, gaz: Gazetteer) -> int:
    """'Donetsk and Luhansk regions': the names chained before a plural division word are divisions.

    Returns the index of the first name so changed (`len(out)` when none).
    """
    start = last.start
    first = len(out)
    for j in range(len(out) - 1, -1, -1):
        m = out[j]
        between = text[m.end : start].strip().lower()
        if between not in (",", "and", ", and", "or", "&") or m.kind != "city":
            break
        out[j] = _as_province(m, gaz)
        start = m.start
        first = j
    return first


# The gap before a word that opens a sentence: end punctuation (closing quotes) then space, or a
# line break; then opening quotes or brackets.
_SENTENCE_GAP = re.compile(r"(?:[.!?…][\"'”’)\]]*\s|\n)[\s\"'“‘(\[]*$")
_LIST_GOES_ON = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)[A-Z]")
_QUALIFY_AFTER = re.compile(
    r"^(?:,|\s+(?:(?:village|town|city|settlement|area|camp|district|neighbou?rhood|township|locality)"
    r"\s+)?in|\s+in\s+the|\s+of\s+the|\s*\()\s*$"
)
# ... where the qualified place must lie in the qualifier, else it is not that place at all
# (only with a settlement word: "Kharkiv, Sumy region" may be a list, "Kyiv in Donetsk region" a trip)
_QUALIFY_STRICT = re.compile(r"^\s+[a-z]+\s+in\s*$")
_QUALIFY_BEFORE = re.compile(
    r"^\s+(?:(?:region|oblast|province)(?:['’]s)?\s+)?(?:city|town|village|settlement|port)\s+of\s+$"
)


def _qualifying_admin1s(place: _Mention, name: _Mention, gaz: Gazetteer) -> tuple[int, ...]:
    """Divisions a name can mean that contain one of the place's candidates ("Donetsk" for Pokrovsk)."""
    named = set(name.admin1s) | {gaz.admin1_of[i] for i, _ in name.cities if gaz.admin1_of[i] >= 0}
    return tuple(sorted(named & {gaz.admin1_of[i] for i, _ in place.cities}))


def _lists_on(text: str, end: int, text_end: int | None = None) -> bool:
    """True when a list goes on after a name ("Odesa, Mykolaiv and Kherson"), text read to `text_end`."""
    return _LIST_GOES_ON.match(text, end, len(text) if text_end is None else text_end) is not None


def _link_qualifiers(
    text: str,
    mentions: list[_Mention],
    gaz: Gazetteer,
    text_end: int | None = None,
    shared: bool = False,
) -> list[tuple[_Mention, _Mention]]:
    """Mark 'Pokrovsk, Donetsk region', 'Tallinn, Estonia', 'the Donetsk city of Pokrovsk'.

    A bare place name is read as a qualifying division only when that division contains a
    place of the qualified name, and not inside a list of places. Returns the pairs linked
    (only linked mentions are changed; with `shared`, copies of them replace them in the list).
    """
    order = [k for k, m in enumerate(mentions) if m.kind != "demonym"]
    linked: list[tuple[_Mention, _Mention]] = []
    owned: set[int] = set()

    def own(k: int) -> _Mention:
        m = mentions[k]
        if shared and id(m) not in owned:
            m = mentions[k] = _copy(m)
            owned.add(id(m))
        return m

    for ka, kb in pairwise(order):
        a, b = mentions[ka], mentions[kb]
        between = text[a.end : b.start]
        if (
            a.kind in ("city", "district")
            and b.kind in ("province", "country", "region", "city")
            and _QUALIFY_AFTER.match(between)
        ):
            if b.kind == "city":
                admin1s = _qualifying_admin1s(a, b, gaz)
                if not admin1s or (between.strip() == "," and _lists_on(text, b.end, text_end)):
                    continue
                b = own(kb)
                b.kind, b.admin1s, b.cities = "province", admin1s, []
            a, b = own(ka), own(kb)
            a.qualifier, b.is_qualifier = b, True
            # "Mafa village in Yobe State": a Mafa elsewhere is another village, not this one
            a.strict = b.kind != "city" and _QUALIFY_STRICT.match(between) is not None
            linked.append((a, b))
        elif b.kind == "city" and a.kind in ("city", "province") and _QUALIFY_BEFORE.match(between):
            if a.kind == "city":
                admin1s = _qualifying_admin1s(b, a, gaz)
                if not admin1s:
                    continue
                a = own(ka)
                a.kind, a.admin1s, a.cities = "province", admin1s, []
            a, b = own(ka), own(kb)
            b.qualifier, a.is_qualifier = a, True
            linked.append((a, b))
    return linked


# ---------------------------------------------------------------- resolution


@dataclass(frozen=True)
class _Support:
    countries: dict[str, int]  # ISO alpha-2 -> rank
    admin1s: frozenset[int]
    # Resolutions under this support, by what decides them (`_reading`): an article names
    # the same places in its sentences, clauses and paragraphs.
    resolved: dict[tuple[object, ...], Place | None] = field(default_factory=dict, compare=False)
    picks: dict[tuple[object, ...], int | None] = field(default_factory=dict, compare=False)


@lru_cache(maxsize=256)
def _support(context: GeoContext, gaz: Gazetteer) -> _Support:
    """The context's country ranks and division indexes (cached: an article asks for each sentence)."""
    ranks: dict[str, int] = {}
    for rank, iso3 in enumerate(context.countries):
        iso2 = gaz.iso2(iso3)
        if iso2 is not None and iso2 not in ranks:
            ranks[iso2] = rank
    codes = gaz.admin1_by_code
    return _Support(ranks, frozenset(codes[c] for c in context.admin1s if c in codes))


def _allowed(m: _Mention, gaz: Gazetteer) -> tuple[set[int], set[str]] | None:
    """Divisions and countries a qualifier allows, or None without a qualifier."""
    q = m.qualifier
    if q is None:
        return None
    if q.kind == "country" and q.country:
        return set(), {q.country}
    if q.kind == "region" and q.region is not None:
        return set(), {gaz.regions[q.region][1]}
    if not q.admin1s:  # "..., Homs province" without a division so named: the namesake's
        return {gaz.admin1_of[i] for i, _ in q.cities if gaz.admin1_of[i] >= 0}, set()
    return set(q.admin1s), set()


def _score_city(i: int, primary: bool, sup: _Support, gaz: Gazetteer) -> float:
    cc = gaz.country_code(i)
    score = math.log10(gaz.populations[i] + 10) + (3.0 if primary else 0.0)
    if cc in sup.countries:
        score += max(2.0, 3.0 - 0.5 * sup.countries[cc])
    if gaz.admin1_of[i] in sup.admin1s:
        score += 2.0
    return score


def _best_city(cands: list[tuple[int, bool]], sup: _Support, gaz: Gazetteer) -> int:
    """The candidate of highest (`_score_city`, -geonameid): that score, inlined (a hot loop)."""
    ranks, admin1s = sup.countries, sup.admin1s
    pops, admin1_of, gids, codes = gaz.populations, gaz.admin1_of, gaz.geonameid, gaz.country_codes
    log10 = math.log10
    best, best_key = -1, (-math.inf, 0)
    for i, primary in cands:
        score = log10(pops[i] + 10) + (3.0 if primary else 0.0)  # the same sums, in the same order
        rank = ranks.get(codes[2 * i : 2 * i + 2])
        if rank is not None:
            score += max(2.0, 3.0 - 0.5 * rank)
        if admin1_of[i] in admin1s:
            score += 2.0
        key = (score, -gids[i])
        if best < 0 or key > best_key:
            best, best_key = i, key
    return best


class _Bearers(NamedTuple):
    """The places one name can mean, arranged so that a context's best is found by few scores."""

    ranked: list[tuple[int, bool]]  # by score without context (then -geonameid), best first
    by_country: dict[str, list[tuple[float, tuple[int, bool]]]]  # (that score, bearer), ranked
    by_admin1: dict[int, list[tuple[int, bool]]]


@lru_cache(maxsize=8)
def _bearers_memo(gaz: Gazetteer) -> dict[str, _Bearers]:
    return {}


def _bearers(key: str, cands: list[tuple[int, bool]], gaz: Gazetteer) -> _Bearers:
    """`_Bearers` of a name key whose candidates are `cands` (memoized by key)."""
    memo = _bearers_memo(gaz)
    found = memo.get(key)
    if found is None:
        if len(memo) >= 1 << 14:
            memo.clear()
        by_country: dict[str, list[tuple[float, tuple[int, bool]]]] = defaultdict(list)
        by_admin1: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        ranked = sorted(
            cands, key=lambda c: (_base_score(c[0], c[1], gaz), -gaz.geonameid[c[0]]), reverse=True
        )
        for c in ranked:
            by_country[gaz.country_code(c[0])].append((_base_score(c[0], c[1], gaz), c))
            by_admin1[gaz.admin1_of[c[0]]].append(c)
        found = memo[key] = _Bearers(ranked, dict(by_country), dict(by_admin1))
    return found


def _base_score(i: int, primary: bool, gaz: Gazetteer) -> float:
    """`_score_city` without context (the first sum of `_best_city`)."""
    return math.log10(gaz.populations[i] + 10) + (3.0 if primary else 0.0)


def _country_leaders(scored: list[tuple[float, tuple[int, bool]]], bonus: float) -> list[tuple[int, bool]]:
    """The bearers in one of the context's countries that can be the best of them.

    Each scores its base score plus the country's `bonus`: a sum that keeps the bases' order, so
    only the first and those the sum ties with it count. (A bearer also in one of the context's
    divisions scores 2 more: `_best_bearer` takes all those.)
    """
    leaders: list[tuple[int, bool]] = []
    top = -math.inf
    for base, c in scored:
        score = base + bonus  # as `_best_city` sums it
        if leaders and score != top:
            break  # lower, as are all after it: adding one number keeps the order
        top = score
        leaders.append(c)
    return leaders


def _best_bearer(bearers: _Bearers, sup: _Support, gaz: Gazetteer) -> int:
    """`_best_city` of all a name's bearers, scoring only those the context can lift.

    A bearer outside the context's countries and divisions scores its base score alone, so
    the best of them is the first such in `ranked`; the best overall is among it, the leaders of
    each lifted country and the bearers in lifted divisions (in any order: the best is the one
    candidate of highest key, geonameids being unique).
    """
    ranks, admin1s = sup.countries, sup.admin1s
    by_country, by_admin1 = bearers.by_country, bearers.by_admin1
    lifted: list[tuple[int, bool]] = []
    for cc in ranks if len(ranks) < len(by_country) else list(by_country):  # the shorter side
        if cc in ranks and cc in by_country:
            lifted += _country_leaders(by_country[cc], max(2.0, 3.0 - 0.5 * ranks[cc]))
    for a in admin1s if len(admin1s) < len(by_admin1) else list(by_admin1):
        if a in admin1s and a in by_admin1:
            lifted += by_admin1[a]
    codes, admin1_of = gaz.country_codes, gaz.admin1_of
    for c in bearers.ranked:
        i = c[0]
        if codes[2 * i : 2 * i + 2] not in ranks and admin1_of[i] not in admin1s:
            lifted.append(c)
            break
    return _best_city(lifted, sup, gaz)


def _pick_city(m: _Mention, sup: _Support, gaz: Gazetteer) -> int | None:
    """The place a city mention means, or None when no reading is safe enough."""
    cands = m.cities
    allowed = _allowed(m, gaz)
    qualified = False
    if allowed is not None:
        adm, ccs = allowed
        narrowed = [(i, p) for i, p in cands if gaz.admin1_of[i] in adm or gaz.country_code(i) in ccs]
        if narrowed:
            cands, qualified = narrowed, True
        elif m.strict:
            return None  # its qualifier (the division named) is then the place
    if len(cands) == 1:
        i = cands[0][0]  # half the city mentions: nothing to weigh
    elif qualified or len(cands) < 8:
        i = _best_city(cands, sup, gaz)
    else:  # a city mention's candidates are `lookup_city(m.key)`: arranged once per key
        i = _best_bearer(_bearers(m.key, cands, gaz), sup, gaz)
    supported = gaz.country_code(i) in sup.countries or gaz.admin1_of[i] in sup.admin1s
    pop = gaz.populations[i]
    if not qualified and (m.glued or (m.weak and m.key in _common_words())):
        primary = any(p for j, p in cands if j == i)
        if m.glued and not primary:
            return None  # "Human Rights Watch": a foreign name of Uman starting an English name
        if m.weak and m.key in _common_words() and not (supported and primary):
            # A common word whose capital proves nothing (a sentence's first word, shouted): a
            # place only by its own name, in a country the article supports. "Date set for
            # talks" is no town in Japan, "Blast kills 3" no Plast (a German name) in Russia,
            # "Human rights groups said" no Uman ("Humań").
            return None
    if m.kind == "district" and not qualified and gaz.admin1_of[i] not in sup.admin1s:
        cc, a = gaz.country_code(i), gaz.admin1_of[i]
        rivals = (j for j, _ in cands if gaz.country_code(j) == cc and gaz.admin1_of[j] != a)
        if any(DOMINANCE * gaz.populations[j] >= pop for j in rivals):
            return None  # "the city's Kyivskyi district": a district of one of several cities
    if qualified or supported:
        return i
    if m.glued and pop < MIN_BARE_POPULATION:
        return None  # likely the first word of a longer name the gazetteer lacks
    if pop >= MIN_BARE_POPULATION:
        return i
    if len(m.key) < MIN_UNIQUE_LENGTH:
        return None
    if sup.countries and not any(p for j, p in cands if j == i):
        # Small, named only by one of its alternate names (a transliteration GeoNames lists),
        # and in none of the countries the article is about: "Tabayin township" in an article
        # on Myanmar is no Tabāzīn (Iran). A context-free headline keeps it ("Marinovka").
        return None
    # No context: accept a name that only one country has, or whose largest bearer dwarfs every
    # bearer abroad ("Debaltseve", "Ilovaisk"); a name shared across countries stays unresolved.
    cc = gaz.country_code(i)
    abroad = [gaz.populations[c] for c, _ in cands if gaz.country_code(c) != cc]
    if not abroad:
        return i
    return i if pop >= MIN_DOMINANT_POPULATION and pop >= DOMINANCE * max(abroad) else None


def _pick_admin1(m: _Mention, sup: _Support, gaz: Gazetteer) -> int | None:
    if not m.admin1s:
        return None

    def score(a: int) -> tuple[bool, bool, bool, int, int]:
        adm = gaz.admin1s[a]
        rank = sup.countries.get(adm.country_iso2)
        return (a in sup.admin1s, rank is not None, not _city_division(a, gaz), -(rank or 0), adm.population)

    allowed = _allowed(m, gaz)
    cands = list(m.admin1s)
    if allowed is not None:
        narrowed = [a for a in cands if gaz.admin1s[a].country_iso2 in allowed[1]]
        cands = narrowed or cands
    return max(cands, key=score)


def _city_division(a: int, gaz: Gazetteer) -> bool:
    """True for a division that is one city ('Moscow', 'Sevastopol'): 'X region' means the other one."""
    name = gaz.admin1s[a].name
    return name is not None and any(
        gaz.admin1_of[i] == a and p for i, p in gaz.lookup_city(name, loose=False)
    )


@lru_cache(maxsize=1 << 14)  # places are immutable: one object per place serves all
def _city_place(i: int, gaz: Gazetteer, precision: int = 1) -> Place:
    row = gaz.place(i)
    adm = gaz.admin1s[row.admin1].name if row.admin1 >= 0 else None
    iso3 = gaz.country(row.country_iso2)[0] if gaz.has_country(row.country_iso2) else row.country_iso2
    return Place(row.name, adm, iso3, row.latitude, row.longitude, precision, row.geonameid, "city")


@lru_cache(maxsize=1 << 12)
def _admin1_place(a: int, gaz: Gazetteer, precision: int = 3) -> Place:
    adm = gaz.admin1s[a]
    iso3 = gaz.country(adm.country_iso2)[0]
    name = adm.name or f"{gaz.country(adm.country_iso2)[1]} division {adm.code}"
    return Place(name, adm.name, iso3, adm.latitude, adm.longitude, precision, None, "admin1")


@lru_cache(maxsize=1 << 12)
def _country_place(iso2: str, gaz: Gazetteer) -> Place:
    iso3, name, lat, lon, geonameid = gaz.country(iso2)
    return Place(name, None, iso3, lat, lon, 3, geonameid, "country")


_UNSEEN = Place("", None, "", 0.0, 0.0, 0, None, "")  # marks a reading not resolved yet


def _reading(m: _Mention) -> tuple[object, ...]:
    """Everything `_resolve` reads of a mention (a city's candidates follow from its key)."""
    q = m.qualifier
    allowed = None if q is None else (q.kind, q.key, q.country, q.region, q.admin1s)
    return (m.kind, m.key, m.country, m.region, m.admin1s, m.part, m.glued, m.weak, allowed, m.strict)


def _resolve_cached(m: _Mention, sup: _Support, gaz: Gazetteer) -> Place | None:
    """`_resolve`, remembered under the support by what it reads of the mention."""
    reading = _reading(m)
    place = sup.resolved.get(reading, _UNSEEN)
    if place is _UNSEEN:
        place = sup.resolved[reading] = _resolve(m, sup, gaz)
    return place


@lru_cache(maxsize=1)
def _shared_country_names() -> dict[str, str]:
    """Folded country name -> ISO alpha-2 of the other country it may name (countries.tsv's third
    column: "congo" -> "CG"; the gazetteer's reading is the default)."""
    gaz = gazetteer()
    shared: dict[str, str] = {}
    for row in resource_rows(GEO_RESOURCES / "countries.tsv"):
        iso2 = gaz.iso2(row[0])
        if len(row) > 2 and row[2] and iso2 is not None:
            shared.update((name_key(form), iso2) for form in row[2].split("|"))
    return shared


def _country_reading(m: _Mention, ranks: dict[str, int]) -> str | None:
    """The country a country mention names: a shared name ("Congo") takes its other country when
    the context ranks that above the default (`ranks`: ISO alpha-2 -> rank).

    >>> _country_reading(_Mention(0, 0, "country", "congo", country="CD"), {"CG": 0, "CD": 1})
    'CG'
    """
    other = _shared_country_names().get(m.key) if m.country else None
    if other is not None and other in ranks and ranks[other] < ranks.get(m.country or "", len(ranks)):
        return other
    return m.country


def _resolve(m: _Mention, sup: _Support, gaz: Gazetteer) -> Place | None:
    if m.kind == "country" and m.country and gaz.has_country(m.country):
        return _country_place(_country_reading(m, sup.countries) or m.country, gaz)
    if m.kind == "region" and m.region is not None:
        name, iso2, lat, lon = gaz.regions[m.region]
        return Place(name, None, gaz.country(iso2)[0], lat, lon, 3, None, "region")
    if m.kind == "province":
        if not m.admin1s:
            return _namesake_division(m, sup, gaz)
        a = _pick_admin1(m, sup, gaz)
        return _named_admin1_place(a, gaz, 2 if m.part else 3)
    if m.kind in ("city", "district"):
        i = _pick_city(m, sup, gaz)
        if i is not None:
            if m.kind == "city" and m.admin1s and gaz.admin1_of[i] not in m.admin1s:
                a = _pick_admin1(m, sup, gaz)  # "Crimea": the division, not a far-off village
                if (
                    a is not None
                    and gaz.admin1s[a].name is not None
                    and m.qualifier is None
                    and gaz.country_code(i) not in sup.countries
                    and gaz.admin1s[a].country_iso2 != gaz.country_code(i)
                    and (a in sup.admin1s or gaz.admin1s[a].country_iso2 in sup.countries)
                ):
                    return _admin1_place(a, gaz)
            return _city_place(i, gaz, 2 if m.kind == "district" else 1)
        if m.kind == "city" and m.admin1s and not m.strict:  # "Kaduna town in Zamfara State": no
            return _named_admin1_place(_pick_admin1(m, sup, gaz), gaz)
    return None


def _named_admin1_place(a: int | None, gaz: Gazetteer, precision: int = 3) -> Place | None:
    """The division as a place; None when the gazetteer has no name for it (nothing to show)."""
    if a is None or gaz.admin1s[a].name is None:
        return None
    return _admin1_place(a, gaz, precision)


def _namesake_division(m: _Mention, sup: _Support, gaz: Gazetteer) -> Place | None:
    """'X region' where no division is named X: through the place X, if it is safe to read.

    The division it lies in when X is one of that division's largest places ("the Kursk
    region"; GeoNames may list a city's old town apart, larger than the city),
    else the area around X (precision 2, "the Pokrovsk region"). A namesake village abroad
    is no reading: "Borno State" is not Lombardy, where a village Borno lies.
    """
    i = _namesake_pick(m, sup, gaz)
    if i is None:
        return None
    a = gaz.admin1_of[i]
    if a >= 0 and gaz.admin1s[a].name is not None and i in gaz.admin1_largest[a]:
        return _admin1_place(a, gaz, 2 if m.part else 3)
    return _city_place(i, gaz, 2)


def _namesake_pick(m: _Mention, sup: _Support, gaz: Gazetteer) -> int | None:
    """The place X of 'X region' when no division is named X (`_pick_city`, and by its own
    name unless the article supports its country: no Hīrān of Iraq for "Hiiraan region")."""
    i = _pick_city(m, sup, gaz) if m.cities else None
    if i is None or gaz.country_code(i) in sup.countries or gaz.admin1_of[i] in sup.admin1s:
        return i
    return i if any(p for j, p in m.cities if j == i) else None


def _clear_caches() -> None:
    """Forget every per-text and per-context cache (benchmarks time the cold path with it)."""
    for cached in (
        _scan_cached, _classified, _may_start_name, _support, _start_memo, _run_memo, _pair_memo,
        _document,
        _bearers_memo, _city_place, _admin1_place, _country_place,
    ):  # fmt: skip
        cached.cache_clear()
    _BY_CONTEXT.clear()
    _TOKEN_KEYS.clear()


# ---------------------------------------------------------------- public

_Resolved = tuple[tuple[int, int, Place, bool], ...]


class _ContextMemo(NamedTuple):
    """What was resolved under one context: callers often ask find_places and then locate, or a
    clause and then its sentence, all under their article's context."""

    context: GeoContext  # held, so that no other context can take its id while the memo lives
    by_sentence: dict[str, _Resolved]
    by_document: dict[str, list[Place | None]]  # article text -> `_Document.places_under`


# Keyed by the context's id, checked by identity: a context (with its dateline Place) is dear to
# hash, and an article asks under one context object. Equal contexts made apart just do not
# share. Bounded by clearing.
_BY_CONTEXT: dict[int, _ContextMemo] = {}
_CONTEXTS_KEPT = 64
_SENTENCES_KEPT = 4096


def _context_memo(context: GeoContext) -> _ContextMemo:
    memo = _BY_CONTEXT.get(id(context))
    if memo is None or memo.context is not context:
        if len(_BY_CONTEXT) >= _CONTEXTS_KEPT:
            _BY_CONTEXT.clear()
        memo = _BY_CONTEXT[id(context)] = _ContextMemo(context, {}, {})
    return memo


def _mentions(text: str, gaz: Gazetteer, within: str | None) -> tuple[_Mention, ...]:
    """The scan of a text, taken from the scan of a text containing it when there is one."""
    if within is None:
        return _scan(text, gaz)
    doc = _document(within, gaz)
    return doc.mentions if text == within else doc.part_mentions(text)


def _mentions_shifted(text: str, gaz: Gazetteer, within: str | None) -> tuple[tuple[_Mention, ...], int]:
    """The scan of a text, and by how much its offsets exceed the text's own (a slice of the
    scan of `within`, shared and unshifted, when that is exact)."""
    if within is not None and text != within:
        doc = _document(within, gaz)
        whole = doc.whole_part(text)
        if whole is not None:
            at, first, last = whole
            return doc.mentions[first:last], at
    return _mentions(text, gaz, within), 0


def _resolved(sentence: str, context: GeoContext, within: str | None = None) -> _Resolved:
    """(start, end, place, is a qualifier of another place) for each resolved mention."""
    if len(sentence) > _CACHED_TEXT_CHARS:
        return _resolved_now(sentence, context, within)
    memo = _context_memo(context).by_sentence
    found = memo.get(sentence)
    if found is None:
        if len(memo) >= _SENTENCES_KEPT:
            memo.clear()
        found = memo[sentence] = _resolved_now(sentence, context, within)
    return found


def _resolved_now(sentence: str, context: GeoContext, within: str | None) -> _Resolved:
    gaz = gazetteer()
    if within is not None and sentence != within:
        doc = _document(within, gaz)
        whole = doc.whole_part(sentence)
        if whole is not None:  # the article's mentions there, resolved once per article
            at, first, last = whole
            places = doc.places_under(context, first, last)
            return tuple(
                [  # a list first: cheaper than a generator for a few items
                    (m.start - at, m.end - at, place, m.is_qualifier)
                    for m, place in zip(doc.mentions[first:last], places[first:last], strict=True)
                    if place is not None
                ]
            )
    return _resolve_all(_mentions(sentence, gaz, within), context, gaz)


def _resolve_all(mentions: tuple[_Mention, ...], context: GeoContext, gaz: Gazetteer) -> _Resolved:
    sup = _support(context, gaz)
    out = []
    for m in mentions:
        if m.kind == "demonym":
            continue
        place = _resolve_cached(m, sup, gaz)
        if place is not None:
            out.append((m.start, m.end, place, m.is_qualifier))
    return tuple(out)


def find_places(
    sentence: str, context: GeoContext, within: str | None = None
) -> list[tuple[int, int, Place]]:
    """Resolved place mentions of a sentence as (start, end, Place), in text order.

    `within`, the article the sentence is taken from, changes nothing but speed: the
    sentence's scan is then mostly read off the article's (scanned once).

    >>> [(s, e, p.name) for s, e, p in find_places("Tusk met Zelenskiy in Lviv.", GeoContext())]
    [(22, 26, 'Lviv')]
    """
    return [(start, end, place) for start, end, place, _ in _resolved(sentence, context, within)]


def locate(sentence: str, context: GeoContext, within: str | None = None) -> Place | None:
    """The most specific place the sentence names (qualifiers like ', Estonia' only refine it).

    `within` as for `find_places`.

    >>> locate("JEF leaders convened in Tallinn, Estonia.", GeoContext()).name
    'Tallinn'
    """
    found = _resolved(sentence, context, within)
    if not found:
        return None
    locative, directions = _word_set("locative"), _word_set("directions")

    def after_locative(start: int) -> bool:  # "in Lviv", "into southern Lebanon"
        before = name_key(sentence[max(0, start - 40) : start]).split()
        while len(before) > 1 and before[-1] in directions:
            before.pop()
        return bool(before) and before[-1] in locative

    ranked = sorted(
        range(len(found)),
        key=lambda k: (
            found[k][3],
            # "on the border with Bangladesh": a neighbour, the place only when nothing else is
            found[k][2].feature == "country" and names_neighbour(sentence, found[k][0]),
            found[k][2].geo_precision,
            not after_locative(found[k][0]),
            k,
        ),
    )
    return found[ranked[0]][2]


# How far back "the city" may reach: sentences (pieces between end punctuation) before it.
CONTINUATION_SENTENCES = 4
# ... and characters: a longer piece is cut (its start is then no sentence start: harmless).
CONTINUATION_CHARS = 2_000
# "The city", "the town" refer to a place at least this large.
MIN_CONTINUED_POPULATION = 5_000
_PIECE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+|\n+")


@lru_cache(maxsize=1)
def _continuation_cue() -> tuple[tuple[str, ...], re.Pattern[str]]:
    """The last words of words.json `continuation_nouns`, and the pattern of "the city", "the
    town's", "this provincial capital" not followed by "of" (then it names its place: "the city
    of Pokrovsk")."""
    raw = json.loads((GEO_RESOURCES / "words.json").read_text(encoding="utf-8"))["continuation_nouns"]
    tails = tuple(sorted({noun.split()[-1].split("-")[-1] for noun in raw}))
    nouns = "|".join(
        re.escape(n).replace(r"\ ", r"\s+").replace(r"\-", "[- ]?")
        for n in sorted(raw, key=len, reverse=True)
    )
    return tails, re.compile(rf"\b[Tt]h(?:e|is|at)\s+(?:{nouns})(?:['’]s)?\b(?!\s+of\b)")


def _part_start(article: str, part: str) -> int | None:
    """Where `part` lies in `article`, its blanked names (runs of spaces) aside; None if absent."""
    pieces = [(m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", part)]
    if not pieces:
        return None
    a, b = max(pieces, key=lambda ab: ab[1] - ab[0])
    at = article.find(part[a:b])
    while at >= 0:
        start = at - a
        if start >= 0 and all(article[start + x : start + y] == part[x:y] for x, y in pieces):
            return start
        at = article.find(part[a:b], at + 1)
    return None


def continued_place(article: str, part: str, context: GeoContext) -> Place | None:
    """The city that "the city", "the town's", "the provincial capital" of a part refers to.

    The part is a sentence or clause of `article` that names no place of its own; the city is
    the last one named in the nearest text before it (the same sentence's start, then up to
    CONTINUATION_SENTENCES sentences back, not the dateline) that names any place below country
    level. None when that text names no city (only a division or a district: "the city" is then
    unknown) or only one below MIN_CONTINUED_POPULATION, when no such text is near, or when the
    part or the text in between names another country than the city's (a paragraph about
    another country breaks the thread).

    >>> text = "Shelling hit Kharkiv on Monday. A drone hit the city's Kyivskyi district."
    >>> continued_place(text, "A drone hit the city's Kyivskyi district.", GeoContext()).name
    'Kharkiv'
    """
    nouns, cue = _continuation_cue()
    if not any(noun in part for noun in nouns) or cue.search(part) is None:
        return None  # substring tests first: most parts hold none of the nouns
    start = _part_start(article, part)
    if start is None:
        return None
    dateline = find_dateline(article)
    floor = max(dateline.end if dateline is not None else 0, start - CONTINUATION_CHARS)
    before = article[floor:start]
    bounds = [floor] + [floor + m.end() for m in _PIECE_END.finditer(before)]
    countries = {p.country_iso3 for _, _, p in find_places(part, context, within=article)}
    for k in range(len(bounds) - 1, max(-1, len(bounds) - 2 - CONTINUATION_SENTENCES), -1):
        piece = article[bounds[k] : start if k == len(bounds) - 1 else bounds[k + 1]]
        if not piece.strip():
            continue
        found = [p for _, _, p in find_places(piece, context, within=article)]
        below = [p for p in found if p.feature != "country"]
        if not below:
            countries.update(p.country_iso3 for p in found)
            continue
        cities = [p for p in below if p.feature == "city" and p.geo_precision == 1]
        if not cities or countries - {cities[-1].country_iso3} or not _town_sized(cities[-1]):
            return None
        return cities[-1]
    return None


def _town_sized(place: Place) -> bool:
    """True for a place of at least MIN_CONTINUED_POPULATION people: a town, not a hamlet (a
    hamlet is more often a misread name: "Scheer", "Ali", "Belleau")."""
    gaz = gazetteer()
    return any(
        gaz.geonameid[i] == place.geonameid and gaz.populations[i] >= MIN_CONTINUED_POPULATION
        for i, _ in gaz.lookup_city(place.name, loose=False)
    )


def context_place(context: GeoContext) -> Place | None:
    """A fallback location from the context alone: its first division, else its first country.

    Never the dateline (where the report was filed).

    >>> context_place(GeoContext(countries=("UKR",), admin1s=("UA.05",))).name
    'Donetsk Oblast'
    """
    gaz = gazetteer()
    for code in context.admin1s:
        if code in gaz.admin1_by_code:
            place = _named_admin1_place(gaz.admin1_by_code[code], gaz)
            if place is not None:
                return place
    for iso3 in context.countries:
        iso2 = gaz.iso2(iso3)
        if iso2 is not None and gaz.has_country(iso2):
            return _country_place(iso2, gaz)
    return None


def parse_dateline(text: str) -> Place | None:
    """The place a leading dateline names ('KYIV – ...', 'Tallinn, Estonia (Reuters) -').

    The dateline's grammar is `find_dateline`'s; this only resolves its place in the gazetteer.

    >>> parse_dateline("KYIV – Russian forces ...").name
    'Kyiv'
    """
    dateline = find_dateline(text)
    if dateline is None:
        return None
    gaz = gazetteer()
    qualifier = gaz.lookup_country(dateline.region) if dateline.region else None
    for name in dateline.places:  # "KYIV/MOSCOW": where it was filed first, else the next
        place = _dateline_place(name, qualifier, gaz)
        if place is not None:
            return place
    return None


def _dateline_place(name: str, qualifier: str | None, gaz: Gazetteer) -> Place | None:
    """A dateline's place name as a country or city; a qualifying country narrows the cities."""
    iso2 = gaz.lookup_country(name)
    if iso2 is not None:
        return _country_place(iso2, gaz)
    cands = gaz.lookup_city(name)
    if not cands:
        return None
    narrowed = [c for c in cands if gaz.country_code(c[0]) == qualifier] or cands
    best = max(narrowed, key=lambda c: (c[1], gaz.populations[c[0]], -gaz.geonameid[c[0]]))
    if gaz.populations[best[0]] < MIN_BARE_POPULATION and qualifier is None:
        return None
    return _city_place(best[0], gaz)


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """Context cues of cues.tsv ("DPR" -> Donetsk Oblast) as one case-sensitive pattern.

    The pattern leaves out the cue's "no word character before" test (`_cue_hits` makes it):
    led by a lookbehind, the regex engine would try every position of a text; led by the
    cues, it skips to the positions where one can start.
    """
    targets = {r[0]: tuple(r[1].split("|")) for r in resource_rows(GEO_RESOURCES / "cues.tsv")}
    alternation = "|".join(re.escape(c) for c in sorted(targets, key=lambda c: (-len(c), c)))
    return re.compile(rf"(?:{alternation})(?!\w)"), targets


_WORD_CHAR = re.compile(r"\w")
_NEXT_WORD = re.compile(r"(?:['’]s)?[ \t]*([^\W\d_]+)")
# What a demonym or country before an attacker noun ("Russian drones", "US forces", "Russia's
# army") counts, where a place counts 0.5:
# a tie-breaker, so that even several "Russian missiles" never outweigh one "struck Kharkiv".
ATTACKER_WEIGHT = 0.1


@lru_cache(maxsize=1)
def _neighbour_lead() -> re.Pattern[str]:
    """A `neighbour_leads` phrase ending right before a name ("near the border with |Chad")."""
    raw = json.loads((GEO_RESOURCES / "words.json").read_text(encoding="utf-8"))["neighbour_leads"]
    leads = "|".join(r"\s+".join(map(re.escape, lead.split())) for lead in sorted(raw, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{leads})\s+(?:the\s+)?$", re.IGNORECASE)


@lru_cache(maxsize=1)
def direction_words() -> frozenset[str]:
    """Folded compass adjectives ("southern", "north-eastern") that may precede a place name."""
    folded = _word_set("directions")  # folding made "north-eastern" "north eastern"
    return folded | frozenset(w.replace(" ", "-") for w in folded)


def names_neighbour(text: str, start: int) -> bool:
    """Whether the country named at `text[start:]` is introduced as a neighbour, not the place.

    >>> names_neighbour("Rebels took Maungdaw on the border with Bangladesh", 40)
    True
    >>> names_neighbour("Fighting in Chad", 12)
    False
    """
    return _neighbour_lead().search(text, max(0, start - 40), start) is not None


def _cue_hits(text: str) -> list[tuple[int, str]]:
    r"""(offset, cue) of each cue in a text: the matches of `(?<!\w)(?:cues)(?!\w)`, in order.

    >>> _cue_hits("The DPR's leader and the xDPR met in the Kremlin.")
    [(4, 'DPR'), (41, 'Kremlin')]
    """
    pattern, targets = _cues()
    if not targets:
        return []
    found: list[tuple[int, str]] = []
    at = 0
    while (hit := pattern.search(text, at)) is not None:
        start = hit.start()
        if start > 0 and _WORD_CHAR.match(text, start - 1):
            at = start + 1  # no match starts here: the lookbehind would fail at every cue
            continue
        found.append((start, hit.group()))
        at = hit.end()
    return found


def article_context(title: str, text: str, within: str | None = None) -> GeoContext:
    """Countries and divisions an article is about (by salience), and its dateline place.

    `within`, a text that `text` is taken from (a paragraph's article), changes nothing but
    speed, as for `find_places`.

    Countries count once per mention of the country, a demonym or a division, half for a safely
    resolved place, a tenth for a demonym or country before a force or weapon ("Russian
    missiles", "US forces": the attacker's, not where it struck); the title counts double.
    Divisions are those named as such ("the Kursk region", "the Donetsk city of ..."). Ties keep
    the order of first mention.

    >>> article_context("Tusk meets Zelenskiy", "KYIV – Ukraine's ... in Lviv.").countries[:1]
    ('UKR',)
    """
    found = _context(title, text, within, None)
    assert found is not None  # only a `stop_at` stops it early
    return found


def _context(title: str, text: str, within: str | None, stop_at: str | None) -> GeoContext | None:
    """`article_context`, or None as soon as the country `stop_at` (ISO alpha-3) has a vote of
    its own (a country, demonym, region, cue or dateline): before any place is weighed."""
    gaz = gazetteer()
    weight: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    aweight: dict[int, float] = defaultdict(float)
    afirst: dict[int, int] = {}
    dateline = parse_dateline(text)
    text_mentions, shift = _mentions_shifted(text, gaz, within)
    scans: list[tuple[tuple[_Mention, ...], float, int]] = [
        (_scan(title, gaz), 2.0, 0),
        (text_mentions, 1.0, len(title) + 1 - shift),
    ]
    sources = ((title, 0), (text, shift))  # each scan's text, and its mentions' offset there
    attackers = _word_set("attacker_nouns")

    def add_country(iso2: str | None, w: float, pos: int) -> None:
        if iso2 and gaz.has_country(iso2):
            weight[iso2] += w
            first.setdefault(iso2, pos)

    def add_admin1(a: int, w: float, pos: int) -> None:
        aweight[a] += w
        afirst.setdefault(a, pos)
        add_country(gaz.admin1s[a].country_iso2, w, pos)

    if dateline is not None:
        add_country(gaz.iso2(dateline.country_iso3), 1.0, -1)
    codes = gaz.admin1_by_code
    targets = _cues()[1]
    for source, w, offset in ((title, 2.0, 0), (text, 1.0, len(title) + 1)):
        for start, cue in _cue_hits(source):
            for target in targets[cue]:
                if target in codes:
                    add_admin1(codes[target], w, offset + start)
                else:
                    add_country(gaz.iso2(target), w, offset + start)
    shared = _shared_country_names()
    deferred: list[tuple[_Mention, float, int]] = []  # shared names ("Congo"): counted last
    alternate: dict[str, float] = defaultdict(float)  # votes of places named by an alternate name
    for (mentions, w, offset), (source, at) in zip(scans, sources, strict=True):
        for m in mentions:
            if m.kind in ("country", "demonym"):
                if m.kind == "country" and names_neighbour(source, m.start - at):
                    continue  # "near the border with Chad": a neighbour of where things happen
                if m.kind == "country" and m.key in shared:
                    deferred.append((m, w, offset + m.start))
                    continue
                # "Russian missiles", "Israeli airstrikes", "US forces": the attacker's country, weak
                # evidence of where things happen, below a place named in the text ("struck Kharkiv").
                after = _NEXT_WORD.match(source, m.end - at)
                weak = after is not None and name_key(after.group(1)) in attackers
                add_country(m.country, ATTACKER_WEIGHT * w if weak else w, offset + m.start)
            elif m.kind == "region" and m.region is not None:
                add_country(gaz.regions[m.region][1], w, offset + m.start)
    if stop_at is not None and any(gaz.country(c)[0] == stop_at for c in weight):
        return None  # votes only add: `stop_at` is among the countries whatever comes next
    prelim = GeoContext(
        tuple(gaz.country(c)[0] for c in sorted(weight, key=lambda c: (-weight[c], first[c])))
    )
    sup = _support(prelim, gaz)
    for mentions, w, offset in scans:
        for m in mentions:
            if m.kind == "province" and m.admin1s:
                reading = _reading(m)
                a = sup.picks[reading] if reading in sup.picks else _pick_admin1(m, sup, gaz)
                sup.picks[reading] = a
                if a is not None:
                    add_admin1(a, w, offset + m.start)
            elif m.kind in ("city", "district", "province"):  # a province here: named after a place
                # A place adds its country only: adding its own division would let a name vote
                # for itself ("Donetsk" the city for Donetsk Oblast over Donetsk, Rostov Oblast).
                reading = _reading(m)
                pick = _namesake_pick if m.kind == "province" else _pick_city
                i = sup.picks[reading] if reading in sup.picks else pick(m, sup, gaz)
                sup.picks[reading] = i
                if i is not None:
                    cc = gaz.country_code(i)
                    add_country(cc, 0.5 * w, offset + m.start)
                    if (  # (a country named outright is never removed: no need to look)
                        cc not in sup.countries
                        and m.kind != "province"
                        and not any(p for j, p in m.cities if j == i)
                    ):
                        alternate[cc] += 0.5 * w
    # A country voted for only by places named by an alternate name ("Tabayin": Tabāzīn, Iran)
    # is no evidence when the article supports another country by a place or a name (a tenth
    # for "Israeli airstrikes" is not enough: "... IN GAZA CITY" stays Gaza).
    if any(weight[c] - alternate.get(c, 0.0) >= 0.5 for c in weight):
        for c in [c for c, v in alternate.items() if weight[c] <= v]:
            del weight[c]
    for m, w, pos in deferred:  # the rest of the evidence decides which country it names
        ranked = sorted(weight, key=lambda c: (-weight[c], first[c]))
        add_country(_country_reading(m, {c: r for r, c in enumerate(ranked)}), w, pos)
    countries = tuple(gaz.country(c)[0] for c in sorted(weight, key=lambda c: (-weight[c], first[c])))
    admin1s = tuple(
        gaz.admin1s[a].country_iso2 + "." + gaz.admin1s[a].code
        for a in sorted(aweight, key=lambda a: (-aweight[a], afirst[a]))
    )
    return GeoContext(countries, admin1s, dateline)


def countries_named(text: str, within: str | None = None) -> tuple[str, ...]:
    """The countries of `article_context("", text)`, most salient first (`within` as there).

    >>> countries_named("Drones hit Kharkiv. Poland protested.")  # a country counts twice a city
    ('POL', 'UKR')
    """
    return article_context("", text, within).countries


def countries_unless(text: str, iso3: str, within: str | None = None) -> tuple[str, ...] | None:
    """`countries_named(text, within)`, or None when `iso3` is one of them: quicker when the text
    names that country itself (no place is weighed then).

    >>> countries_unless("Poland protested. Drones hit Kharkiv.", "POL") is None
    True
    >>> countries_unless("Drones hit Kharkiv.", "POL")
    ('UKR',)
    """
    found = _context("", text, within, iso3)
    if found is None or iso3 in found.countries:
        return None
    return found.countries
