"""Find and resolve place mentions in English text against the gazetteer, using article context.

>>> ctx = article_context("Fighting in Ukraine", "Russian forces advanced on Pokrovsk.")
>>> p = locate("Russian forces advanced on Pokrovsk.", ctx)
>>> (p.name, p.admin1, p.country_iso3, p.geo_precision)
('Pokrovsk', 'Donetsk Oblast', 'UKR', 1)
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate, compress, count, pairwise
from operator import add, itemgetter
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

# A bare, ambiguous name with no support from the article's countries or regions must name a
# place at least this large; below it, news text far more often means something else.
MIN_BARE_POPULATION = 50_000
# Without context, a smaller name is accepted when all its bearers lie in one country, or when
# its largest bearer has at least this population and DOMINANCE times any bearer abroad.
MIN_UNIQUE_LENGTH = 5
MIN_DOMINANT_POPULATION = 1_000
DOMINANCE = 10

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_][\w'’]*(?:-[\w'’]+)*")
# Texts up to this length (sentences, clauses, headlines) have their scan and resolution cached.
_CACHED_TEXT_CHARS = 2000
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_POSSESSIVE_ENDINGS = ("'s", "’s")
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z'’.\- ]{1,40}?)(?:,\s*(?P<qual>[A-Z][A-Za-z.\- ]{1,30}?))?"
    r"\s*(?:\([^)\n]{1,40}\)\s*)?[–—-]{1,2}\s"
)


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
    qualifier: _Mention | None = None
    is_qualifier: bool = False


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
def _glue_exempt() -> tuple[frozenset[str], frozenset[str]]:
    """Words that do not glue to a name after it, and before it (demonyms too): built once."""
    after = _word_set("stopwords") | _word_set("titles")
    return after, after | frozenset(demonyms())


class _Words:
    """A text's tokens as parallel lists (cheaper than one object per word in a 5 KB article).

    Tokens are the matches of `_TOKEN` ("Russia's" -> "Russia"), found with one `re.split`.

    >>> w = _Words("Russia's army near Kharkiv")
    >>> w.words, w.starts, w.ends, w.capitals
    (['Russia', 'army', 'near', 'Kharkiv'], [0, 9, 14, 19], [6, 13, 18, 26], [0, 3])
    """

    __slots__ = ("_keys", "capitals", "ends", "starts", "text", "words")

    def __init__(self, text: str) -> None:
        parts = _TOKEN_SPLIT.split(text)  # gap, token, gap, token, ..., gap
        offsets = list(accumulate(map(len, parts), initial=0))
        raw = parts[1::2]
        self.text = text
        self.starts: list[int] = offsets[1 : len(parts) : 2]
        # a token holds no newline, so endswith is the same test as r"['’]s$"
        self.words: list[str] = [w[:-2] if w.endswith(_POSSESSIVE_ENDINGS) else w for w in raw]
        self.ends: list[int] = list(map(add, self.starts, map(len, self.words)))
        self.capitals: list[int] = list(compress(count(), map(str.isupper, map(itemgetter(0), self.words))))
        self._keys: dict[int, str] = {}

    def key(self, k: int) -> str:
        """The folded word at a position (folded on demand: most words are never looked up)."""
        found = self._keys.get(k)
        if found is None:
            found = self._keys[k] = name_key(self.words[k])
        return found

    def capitalized(self, k: int) -> bool:
        return self.words[k][:1].isupper()

    def joined(self, a: int, b: int) -> bool:
        """True when two tokens are adjacent words of one name (a single space between them)."""
        return self.text[self.ends[a] : self.starts[b]] == " "


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
    limit = min(gaz.max_words, len(w.words) - i)
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


def _scan(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    """Every name-like mention in a text, longest match first, left to right (cached per sentence).

    The mentions are shared between callers: read them, never change them.
    """
    if len(text) > _CACHED_TEXT_CHARS:
        return _scan_text(text, gaz)  # a whole article: scanned once, not worth keeping
    return _scan_cached(text, gaz)


@lru_cache(maxsize=4096)
def _scan_cached(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    return _scan_text(text, gaz)


def _scan_text(text: str, gaz: Gazetteer) -> tuple[_Mention, ...]:
    w = _Words(text)
    toks, key_at, starts, ends = w.words, w.key, w.starts, w.ends
    persons, titles = _word_set("person_names"), _word_set("titles")
    connectors, provinces, districts = (
        _word_set("connectors"),
        _word_set("province_words"),
        _word_set("district_words"),
    )
    directions, orgs = _word_set("directions"), _word_set("org_words")
    exempt_after, exempt_before = _glue_exempt()
    out: list[_Mention] = []
    i = 0
    for c in w.capitals:
        if c < i:
            continue  # inside the previous mention
        i = c
        found: _Mention | None = None
        n_used = 0
        # Every run of up to _longest_possible tokens is joined by single spaces.
        for n in range(_longest_possible(w, i, gaz), 0, -1):
            last = i + n - 1
            if not w.capitalized(last):
                # only a named region may end in a lowercase word ("Donets basin")
                if n > 1:
                    key = name_key(text[starts[i] : ends[last]])
                    region = gaz.lookup_region(key)
                    if region is not None:
                        found, n_used = _Mention(0, 0, "region", key, region=region), n
                        break
                continue
            if any(not w.capitalized(k) and key_at(k) not in connectors for k in range(i + 1, last)):
                continue
            template = _classified(text[starts[i] : ends[last]], gaz)
            if template is not None:
                found, n_used = _copy(template), n
                break
        if found is None:
            i += 1
            continue
        nxt = i + n_used if i + n_used < len(toks) else None
        prev = i - 1 if i > 0 else None
        if (
            found.kind in ("city", "province")
            and prev is not None
            and key_at(prev) in titles
            and w.capitalized(prev)
        ):
            i += n_used  # "President Washington", "Gen. Kursk": a person or a title, not a place
            continue
        if (
            nxt is not None
            and found.kind in ("city", "province")
            and w.capitalized(nxt)
            and w.joined(nxt - 1, nxt)
            and key_at(nxt) in orgs
        ):
            i += n_used  # "Washington Post", "Minsk Protocol": part of another name
            continue
        if nxt is not None and found.kind == "city" and w.capitalized(nxt) and key_at(nxt) in persons:
            i += n_used  # "Donald Trump"
            continue
        found.start, found.end = starts[i], ends[i + n_used - 1]
        if nxt is not None and found.kind in ("city", "province") and key_at(nxt) in provinces:
            found = _as_province(found, gaz)
            found.end = ends[nxt]
            n_used += 1
        elif nxt is not None and found.kind == "city" and key_at(nxt) in districts:
            found.kind, found.part = "district", True
            found.end = ends[nxt]
            n_used += 1
        elif found.kind == "city" and (
            _glued(w, i + n_used - 1, nxt, exempt_after) or _glued(w, i, prev, exempt_before)
        ):
            found.glued = True
        if prev is not None and found.kind == "province" and key_at(prev) in directions:
            found.part = True
        if found.kind == "province" and nxt is not None and toks[nxt].lower().endswith("s"):
            _spread_plural(out, text, found, gaz)
        out.append(found)
        i += n_used
    _link_qualifiers(text, out, gaz)
    return tuple(out)


def _glued(w: _Words, token: int, other: int | None, exempt: AbstractSet[str]) -> bool:
    """True when a neighbouring capitalized word joins the name ("Nizhni Lozovoe")."""
    if other is None or not w.capitalized(other) or w.key(other) in exempt:
        return False
    first, second = (token, other) if token < other else (other, token)
    return w.joined(first, second) and w.starts[other] > 0


def _copy(m: _Mention) -> _Mention:
    """A shallow copy of a mention (its lists are replaced, never changed in place)."""
    out = object.__new__(_Mention)
    out.__dict__.update(m.__dict__)
    return out


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
    if all(name_key(t) in stop for t in span):
        return None
    if any(t.isupper() and len(t) > 1 for t in span):
        return None  # acronyms ("SBU", "NATO") and shouted words are not place names here
    cities = gaz.lookup_city(key)
    admin1s = gaz.lookup_admin1(key)
    if cities:
        return _Mention(0, 0, "city", key, cities=cities, admin1s=admin1s)
    if admin1s:
        return _Mention(0, 0, "province", key, admin1s=admin1s)
    return None


def _as_province(m: _Mention, gaz: Gazetteer) -> _Mention:
    """Reread a name followed by 'region'/'oblast' as the division named after it."""
    admin1s = set(m.admin1s)
    if not admin1s:
        # "the Kursk region": the divisions of the places so named (the namesake's province).
        admin1s = {gaz.admin1_of[i] for i, _ in m.cities if gaz.admin1_of[i] >= 0}
    return replace(m, kind="province", admin1s=tuple(sorted(admin1s)), cities=[])


def _spread_plural(out: list[_Mention], text: str, last: _Mention, gaz: Gazetteer) -> None:
    """'Donetsk and Luhansk regions': the names chained before a plural division word are divisions."""
    start = last.start
    for j in range(len(out) - 1, -1, -1):
        m = out[j]
        between = text[m.end : start].strip().lower()
        if between not in (",", "and", ", and", "or", "&") or m.kind != "city":
            break
        out[j] = _as_province(m, gaz)
        start = m.start


_LIST_GOES_ON = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)[A-Z]")
_QUALIFY_AFTER = re.compile(r"^(?:,|\s+in|\s+in\s+the|\s+of\s+the|\s*\()\s*$")
_QUALIFY_BEFORE = re.compile(
    r"^\s+(?:(?:region|oblast|province)(?:['’]s)?\s+)?(?:city|town|village|settlement|port)\s+of\s+$"
)


def _qualifying_admin1s(place: _Mention, name: _Mention, gaz: Gazetteer) -> tuple[int, ...]:
    """Divisions a name can mean that contain one of the place's candidates ("Donetsk" for Pokrovsk)."""
    named = set(name.admin1s) | {gaz.admin1_of[i] for i, _ in name.cities if gaz.admin1_of[i] >= 0}
    return tuple(sorted(named & {gaz.admin1_of[i] for i, _ in place.cities}))


def _lists_on(text: str, end: int) -> bool:
    """True when a list goes on after a name ("Odesa, Mykolaiv and Kherson")."""
    return _LIST_GOES_ON.match(text, end) is not None


def _link_qualifiers(text: str, mentions: list[_Mention], gaz: Gazetteer) -> None:
    """Mark 'Pokrovsk, Donetsk region', 'Tallinn, Estonia', 'the Donetsk city of Pokrovsk'.

    A bare place name is read as a qualifying division only when that division contains a
    place of the qualified name, and not inside a list of places.
    """
    places = [m for m in mentions if m.kind != "demonym"]
    for a, b in pairwise(places):
        between = text[a.end : b.start]
        if (
            a.kind in ("city", "district")
            and b.kind in ("province", "country", "region", "city")
            and _QUALIFY_AFTER.match(between)
        ):
            if b.kind == "city":
                admin1s = _qualifying_admin1s(a, b, gaz)
                if not admin1s or (between.strip() == "," and _lists_on(text, b.end)):
                    continue
                b.kind, b.admin1s, b.cities = "province", admin1s, []
            a.qualifier, b.is_qualifier = b, True
        elif b.kind == "city" and a.kind in ("city", "province") and _QUALIFY_BEFORE.match(between):
            if a.kind == "city":
                admin1s = _qualifying_admin1s(b, a, gaz)
                if not admin1s:
                    continue
                a.kind, a.admin1s, a.cities = "province", admin1s, []
            b.qualifier, a.is_qualifier = a, True


# ---------------------------------------------------------------- resolution


@dataclass(frozen=True)
class _Support:
    countries: dict[str, int]  # ISO alpha-2 -> rank
    admin1s: frozenset[int]


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
    return set(q.admin1s), set()


def _score_city(i: int, primary: bool, sup: _Support, gaz: Gazetteer) -> float:
    cc = gaz.country_code(i)
    score = math.log10(gaz.populations[i] + 10) + (3.0 if primary else 0.0)
    if cc in sup.countries:
        score += max(2.0, 3.0 - 0.5 * sup.countries[cc])
    if gaz.admin1_of[i] in sup.admin1s:
        score += 2.0
    return score


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
    best = max(cands, key=lambda c: (_score_city(c[0], c[1], sup, gaz), -gaz.geonameid[c[0]]))
    i = best[0]
    if qualified or gaz.country_code(i) in sup.countries or gaz.admin1_of[i] in sup.admin1s:
        return i
    pop = gaz.populations[i]
    if m.glued and pop < MIN_BARE_POPULATION:
        return None  # likely the first word of a longer name the gazetteer lacks
    if pop >= MIN_BARE_POPULATION:
        return i
    if len(m.key) < MIN_UNIQUE_LENGTH:
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


def _city_place(i: int, gaz: Gazetteer, precision: int = 1) -> Place:
    row = gaz.place(i)
    adm = gaz.admin1s[row.admin1].name if row.admin1 >= 0 else None
    iso3 = gaz.country(row.country_iso2)[0] if gaz.has_country(row.country_iso2) else row.country_iso2
    return Place(row.name, adm, iso3, row.latitude, row.longitude, precision, row.geonameid, "city")


def _admin1_place(a: int, gaz: Gazetteer, precision: int = 3) -> Place:
    adm = gaz.admin1s[a]
    iso3 = gaz.country(adm.country_iso2)[0]
    name = adm.name or f"{gaz.country(adm.country_iso2)[1]} division {adm.code}"
    return Place(name, adm.name, iso3, adm.latitude, adm.longitude, precision, None, "admin1")


def _country_place(iso2: str, gaz: Gazetteer) -> Place:
    iso3, name, lat, lon, geonameid = gaz.country(iso2)
    return Place(name, None, iso3, lat, lon, 3, geonameid, "country")


def _resolve(m: _Mention, sup: _Support, gaz: Gazetteer) -> Place | None:
    if m.kind == "country" and m.country and gaz.has_country(m.country):
        return _country_place(m.country, gaz)
    if m.kind == "region" and m.region is not None:
        name, iso2, lat, lon = gaz.regions[m.region]
        return Place(name, None, gaz.country(iso2)[0], lat, lon, 3, None, "region")
    if m.kind == "province":
        a = _pick_admin1(m, sup, gaz)
        return None if a is None else _admin1_place(a, gaz, 2 if m.part else 3)
    if m.kind in ("city", "district"):
        i = _pick_city(m, sup, gaz)
        if i is not None:
            if m.kind == "city" and m.admin1s and gaz.admin1_of[i] not in m.admin1s:
                a = _pick_admin1(m, sup, gaz)  # "Crimea": the division, not a far-off village
                if (
                    a is not None
                    and m.qualifier is None
                    and gaz.country_code(i) not in sup.countries
                    and gaz.admin1s[a].country_iso2 != gaz.country_code(i)
                    and (a in sup.admin1s or gaz.admin1s[a].country_iso2 in sup.countries)
                ):
                    return _admin1_place(a, gaz)
            return _city_place(i, gaz, 2 if m.kind == "district" else 1)
        if m.kind == "city" and m.admin1s:
            a = _pick_admin1(m, sup, gaz)
            return None if a is None else _admin1_place(a, gaz)
    return None


def _clear_caches() -> None:
    """Forget every per-text and per-context cache (benchmarks time the cold path with it)."""
    for cached in (_scan_cached, _classified, _may_start_name, _resolved_cached, _support):
        cached.cache_clear()


# ---------------------------------------------------------------- public


def _resolved(sentence: str, context: GeoContext) -> tuple[tuple[int, int, Place, bool], ...]:
    """(start, end, place, is a qualifier of another place) for each resolved mention."""
    if len(sentence) > _CACHED_TEXT_CHARS:
        return _resolved_cached.__wrapped__(sentence, context, gazetteer())
    return _resolved_cached(sentence, context, gazetteer())


@lru_cache(maxsize=4096)
def _resolved_cached(
    sentence: str, context: GeoContext, gaz: Gazetteer
) -> tuple[tuple[int, int, Place, bool], ...]:
    # Cached: callers often ask find_places and then locate, or a clause and then its sentence.
    sup = _support(context, gaz)
    out = []
    for m in _scan(sentence, gaz):
        place = None if m.kind == "demonym" else _resolve(m, sup, gaz)
        if place is not None:
            out.append((m.start, m.end, place, m.is_qualifier))
    return tuple(out)


def find_places(sentence: str, context: GeoContext) -> list[tuple[int, int, Place]]:
    """Resolved place mentions of a sentence as (start, end, Place), in text order.

    >>> [(s, e, p.name) for s, e, p in find_places("Tusk met Zelenskiy in Lviv.", GeoContext())]
    [(22, 26, 'Lviv')]
    """
    return [(start, end, place) for start, end, place, _ in _resolved(sentence, context)]


def locate(sentence: str, context: GeoContext) -> Place | None:
    """The most specific place the sentence names (qualifiers like ', Estonia' only refine it).

    >>> locate("JEF leaders convened in Tallinn, Estonia.", GeoContext()).name
    'Tallinn'
    """
    found = _resolved(sentence, context)
    if not found:
        return None
    locative = _word_set("locative")
    before = [name_key(sentence[max(0, s - 12) : s]).split()[-1:] for s, _, _, _ in found]
    ranked = sorted(
        range(len(found)),
        key=lambda k: (
            found[k][3],
            found[k][2].geo_precision,
            not (before[k] and before[k][0] in locative),
            k,
        ),
    )
    return found[ranked[0]][2]


def context_place(context: GeoContext) -> Place | None:
    """A fallback location from the context alone: its first division, else its first country.

    Never the dateline (where the report was filed).

    >>> context_place(GeoContext(countries=("UKR",), admin1s=("UA.05",))).name
    'Donetsk Oblast'
    """
    gaz = gazetteer()
    for code in context.admin1s:
        if code in gaz.admin1_by_code:
            return _admin1_place(gaz.admin1_by_code[code], gaz)
    for iso3 in context.countries:
        iso2 = gaz.iso2(iso3)
        if iso2 is not None and gaz.has_country(iso2):
            return _country_place(iso2, gaz)
    return None


def parse_dateline(text: str) -> Place | None:
    """The place a leading dateline names ('KYIV – ...', 'Tallinn, Estonia (Reuters) -').

    >>> parse_dateline("KYIV – Russian forces ...").name
    'Kyiv'
    """
    m = _DATELINE.match(text)
    if not m:
        return None
    gaz = gazetteer()
    name = m.group("place").strip()
    iso2 = gaz.lookup_country(name)
    if iso2 is not None:
        return _country_place(iso2, gaz)
    cands = gaz.lookup_city(name)
    if not cands:
        return None
    ccs: set[str] = set()
    if m.group("qual"):
        q = gaz.lookup_country(m.group("qual"))
        if q:
            ccs.add(q)
    narrowed = [c for c in cands if gaz.country_code(c[0]) in ccs] or cands
    best = max(narrowed, key=lambda c: (c[1], gaz.populations[c[0]], -gaz.geonameid[c[0]]))
    if gaz.populations[best[0]] < MIN_BARE_POPULATION and not ccs:
        return None
    return _city_place(best[0], gaz)


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """Context cues of cues.tsv ("DPR" -> Donetsk Oblast) as one case-sensitive pattern."""
    targets = {r[0]: tuple(r[1].split("|")) for r in resource_rows(GEO_RESOURCES / "cues.tsv")}
    alternation = "|".join(re.escape(c) for c in sorted(targets, key=lambda c: (-len(c), c)))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), targets


def article_context(title: str, text: str) -> GeoContext:
    """Countries and divisions an article is about (by salience), and its dateline place.

    Countries count once per mention of the country, a demonym or a division, half for a safely
    resolved place; the title counts double. Divisions are those named as such ("the Kursk
    region", "the Donetsk city of ..."). Ties keep the order of first mention.

    >>> article_context("Tusk meets Zelenskiy", "KYIV – Ukraine's ... in Lviv.").countries[:1]
    ('UKR',)
    """
    gaz = gazetteer()
    weight: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    aweight: dict[int, float] = defaultdict(float)
    afirst: dict[int, int] = {}
    dateline = parse_dateline(text)
    scans: list[tuple[tuple[_Mention, ...], float, int]] = [
        (_scan(title, gaz), 2.0, 0),
        (_scan(text, gaz), 1.0, len(title) + 1),
    ]

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
    pattern, targets = _cues()
    for source, w, offset in ((title, 2.0, 0), (text, 1.0, len(title) + 1)):
        for hit in pattern.finditer(source) if targets else ():
            for target in targets[hit.group()]:
                if target in codes:
                    add_admin1(codes[target], w, offset + hit.start())
                else:
                    add_country(gaz.iso2(target), w, offset + hit.start())
    for mentions, w, offset in scans:
        for m in mentions:
            if m.kind in ("country", "demonym"):
                add_country(m.country, w, offset + m.start)
            elif m.kind == "region" and m.region is not None:
                add_country(gaz.regions[m.region][1], w, offset + m.start)
    prelim = GeoContext(
        tuple(gaz.country(c)[0] for c in sorted(weight, key=lambda c: (-weight[c], first[c])))
    )
    sup = _support(prelim, gaz)
    for mentions, w, offset in scans:
        for m in mentions:
            if m.kind == "province":
                a = _pick_admin1(m, sup, gaz)
                if a is not None:
                    add_admin1(a, w, offset + m.start)
            elif m.kind in ("city", "district"):
                # A place adds its country only: adding its own division would let a name vote
                # for itself ("Donetsk" the city for Donetsk Oblast over Donetsk, Rostov Oblast).
                i = _pick_city(m, sup, gaz)
                if i is not None:
                    add_country(gaz.country_code(i), 0.5 * w, offset + m.start)
    countries = tuple(gaz.country(c)[0] for c in sorted(weight, key=lambda c: (-weight[c], first[c])))
    admin1s = tuple(
        gaz.admin1s[a].country_iso2 + "." + gaz.admin1s[a].code
        for a in sorted(aweight, key=lambda a: (-aweight[a], afirst[a]))
    )
    return GeoContext(countries, admin1s, dateline)
