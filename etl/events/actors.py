"""Actors: who acted (actor1) and on whom (actor2), with ACLED-style names, ISO3 and sector.

Mentions come from dictionaries kept as data (countries and demonyms, actor head nouns,
offices, organizations, persons, foreign forces, names of two countries); names introduced with
an office ("Polish Prime Minister Donald Tusk") are remembered for the rest of the article
("Tusk said"), and the places and groups an article names decide what "Congo" is in it.

    >>> [m.actor.name for m in find_mentions("North Korean troops fought.", ArticleActors("UKR"))]
    ['Military Forces of North Korea']
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from string import ascii_lowercase

from etl.config import RESOURCES_DIR
from etl.events.resources import patterns, read_toml, read_tsv, split_alternatives
from etl.wordlists import literal_alternation

_ASCII_LOWERCASE = ascii_lowercase.encode()
# \b(?:[Tt]hey|[Hh]e|[Ss]he)\b, written to start with a character class: the regex engine then
# jumps from one candidate letter to the next instead of trying the pattern at every position
_PRONOUN = re.compile(r"[HhSsTt](?<!\w.)(?:(?<=[Tt])hey|(?<=[Hh])e|(?<=[Ss])he)\b")
_NAME = r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"


@dataclass(frozen=True)
class Actor:
    """A normalized actor: ``Actor("Military Forces of Russia", "RUS", "military")``."""

    name: str
    country: str | None
    sector: str


@dataclass(frozen=True)
class Mention:
    """An actor phrase in a sentence; ``kind`` says how it was found.

    kinds: office, person, org, group, local, country (a bare country name: the actor depends on
    the event type), modifier (a demonym or "X's": only the agent of a noun trigger), people (a
    counted demonym, "31 Palestinians": civilians, or protesters in a protest), pronoun.
    """

    start: int
    end: int
    kind: str
    actor: Actor | None = None
    country: str | None = None
    passive_agent: bool = False  # "supported by X"
    co_actor: bool = False  # "alongside X", "together with X", "according to X": not a role
    template: str | None = None  # local actors: re-named for the event's country


@dataclass
class ArticleActors:
    """What one article has taught about actors: its main country, learned names, and how often
    it has named each country's cues (country_context.tsv: "Goma" for the DR Congo)."""

    main_country: str | None
    learned: dict[str, Actor] = field(default_factory=dict)
    cues: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Dictionary:
    """Compiled actor dictionaries."""

    country_names: dict[str, str]  # iso3 -> name used in actor names
    alias_to_iso3: dict[str, str]
    demonym_to_iso3: dict[str, str]
    heads: dict[str, tuple[str, str]]  # head (lower) -> (sector, template)
    local_heads: frozenset[str]
    offices: dict[str, str]  # office -> sector
    orgs: dict[str, Actor]
    persons: dict[str, Actor]
    ref: re.Pattern[str]
    group: re.Pattern[str]
    local: re.Pattern[str]
    office: re.Pattern[str]
    org: re.Pattern[str]
    person: re.Pattern[str]
    locative: frozenset[str]
    office_word: re.Pattern[str]  # an office title anywhere: every ``office`` match holds one
    local_lowered: re.Pattern[str]  # ``local`` without case-folding, for lower-cased ASCII text
    # aliases on several rows or limited to some countries: (countries, actor) in file order
    org_rows: dict[str, tuple[tuple[frozenset[str], Actor], ...]]
    org_head: re.Pattern[str]  # a head noun an organization's name absorbs ("JNIM| militants")
    ambiguous: dict[str, tuple[str, ...]]  # "Congo" -> (COD, COG): the default first
    ambiguous_countries: dict[str, tuple[str, ...]]  # COG -> (COD, COG): a country's alternatives
    cue: re.Pattern[str] | None  # the cues of ``ambiguous``'s countries
    cue_country: dict[str, str]
    foreign: re.Pattern[str] | None  # "Russian fighters" (foreign_forces.tsv)
    foreign_rows: dict[tuple[str, str], tuple[Actor, frozenset[str]]]  # (iso3, head) -> actor, home


def _alternation(words: list[str]) -> str:
    """Any of ``words``, the longest that fits first (as a trie: lists run to thousands)."""
    return literal_alternation(words)


def _first_char(words: list[str]) -> str:
    """A lookahead for the first letters of ``words``: ``(?=[PU])`` for Poland, Ukraine.

    It matches nothing the alternation would not, but lets the regex engine skip a position
    with one test instead of trying hundreds of alternatives there (most words start no name).
    """
    firsts = sorted({w[0] for w in words if w})
    return f"(?=[{''.join(re.escape(c) for c in firsts)}])" if firsts else ""


def _word_start_alternation(words: list[str]) -> str:
    r"""Any of ``words`` where a word starts (after no letter, digit, _ or -), the longest that fits.

    ``(?<![\w-])(?:Poland|Ukraine)`` written ``(?:P(?<![\w-].)(?:oland)|U(?<![\w-].)(?:kraine))``:
    a pattern led by its first letters lets the regex engine jump from one such letter to the
    next instead of trying every position (the look-behind, moved past the letter, still reads
    the character before it).

        >>> [m.group() for m in re.finditer(_word_start_alternation(["Pol", "Poland"]), "Poland Apoland")]
        ['Poland']
    """
    rests: dict[str, list[str]] = {}
    for word in words:
        if word:
            rests.setdefault(word[0], []).append(word[1:])
    branches = [rf"{re.escape(first)}(?<![\w-].)(?:{_alternation(rest)})"
                for first, rest in sorted(rests.items())]
    return f"(?:{'|'.join(branches)})"


@cache
def dictionary() -> Dictionary:
    """The actor dictionaries from ``etl/resources/events/``, compiled once."""
    names: dict[str, str] = {}
    aliases: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for row in read_tsv("countries.tsv"):
        names[row["iso3"]] = row["name"]
        for alias in split_alternatives(row["aliases"]):
            aliases.setdefault(alias, row["iso3"])
        for demonym in split_alternatives(row["demonyms"]):
            demonyms.setdefault(demonym, row["iso3"])
    heads: dict[str, tuple[str, str]] = {}
    local: set[str] = set()
    for row in read_tsv("actor_heads.tsv"):
        for head in split_alternatives(row["heads"]):
            heads.setdefault(head.lower(), (row["sector"], row["template"]))
            if row["local"] == "yes":
                local.add(head.lower())
    offices = {o: row["sector"] for row in read_tsv("offices.tsv")
               for o in split_alternatives(row["offices"])}
    orgs, org_rows = _organizations()
    persons = {a: Actor(row["name"], row["iso3"] or None, row["sector"])
               for row in read_tsv("persons.tsv") for a in split_alternatives(row["aliases"])}
    refs = [*aliases, *demonyms]
    ref = rf"{_word_start_alternation(refs)}(?:'s|’s)?(?![\w-])"
    head_alt = _alternation(list(heads))
    group = (rf"(?P<refs>{ref}(?:(?:\s*,\s*|\s+and\s+|\s+or\s+){ref})*)"
             rf"\s+(?:[\w-]+\s+){{0,2}}?(?i:(?P<head>{head_alt}))(?![\w])")
    local_first = _first_char(["the", "local", *local])
    # the heads are lower case: in lower-cased ASCII text the pattern needs no case-folding
    local_body = rf"{local_first}(?:the\s+)?(?:local\s+)?(?P<head>{_alternation(list(local))})"
    local_re = rf"(?<![\w-])(?i:{local_body})(?![\w])"
    local_lowered = rf"(?<![\w-])(?:{local_body})(?![\w])"
    modifiers = ["top", "senior", "former", "acting", "deputy"]
    office = (rf"{_first_char([*refs, *modifiers, *offices])}"
              rf"(?:(?P<ref>{ref})\s+)?(?:(?:{'|'.join(modifiers)})\s+)?"
              rf"(?P<office>{_alternation(list(offices))})\s+(?P<name>{_NAME})")
    org = rf"{_word_start_alternation(list(orgs))}(?![\w-])"
    person = rf"{_word_start_alternation(list(persons))}(?![\w-])"
    rules = read_toml("actor_rules.toml")
    armed = [h for h, (sector, _) in heads.items() if sector in rules["org_heads"]["sectors"]]
    org_head = rf"(?:'s|’s)?[ \t]+(?i:{_alternation(armed)})(?![\w])"
    ambiguous, cue_country = _ambiguous_names()
    cue = rf"{_word_start_alternation(list(cue_country))}(?![\w-])" if cue_country else None
    foreign, foreign_rows = _foreign_forces(aliases, demonyms, rules["foreign_forces"]["not_before"])
    return Dictionary(
        names, aliases, demonyms, heads, frozenset(local), offices, orgs, persons,
        re.compile(ref), re.compile(group), re.compile(local_re), re.compile(office),
        re.compile(org), re.compile(person), frozenset(patterns()["locative_words"]),
        re.compile(_alternation(list(offices))), re.compile(local_lowered),
        org_rows, re.compile(org_head), ambiguous,
        {iso3: options for options in ambiguous.values() for iso3 in options},
        re.compile(cue) if cue else None, cue_country,
        re.compile(foreign) if foreign else None, foreign_rows,
    )


def _organizations() -> tuple[dict[str, Actor], dict[str, tuple[tuple[frozenset[str], Actor], ...]]]:
    """``organizations.tsv``: each alias's actor (a row without a context first), and the
    rows of the aliases that need the article's country to tell ("SNA": Somalia's or Syria's)."""
    rows: dict[str, list[tuple[frozenset[str], Actor]]] = {}
    for row in read_tsv("organizations.tsv"):
        actor = Actor(row["name"], row["iso3"] or None, row["sector"])
        context = frozenset(split_alternatives(row.get("context", "")))
        for alias in split_alternatives(row["aliases"]):
            rows.setdefault(alias, []).append((context, actor))
    orgs = {alias: next((a for c, a in found if not c), found[0][1]) for alias, found in rows.items()}
    limited = {alias: tuple(found) for alias, found in rows.items()
               if len(found) > 1 or any(c for c, _ in found)}
    return orgs, limited


def _ambiguous_names() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """``country_context.tsv``: the countries each name may mean (default first), and each
    cue's country."""
    ambiguous: dict[str, list[str]] = {}
    cues: dict[str, str] = {}
    for row in read_tsv("country_context.tsv"):
        for surface in split_alternatives(row["surface"]):
            ambiguous.setdefault(surface, []).append(row["iso3"])
        for cue in split_alternatives(row["cues"]):
            cues.setdefault(cue, row["iso3"])
    return {surface: tuple(found) for surface, found in ambiguous.items()}, cues


def _foreign_forces(
    aliases: dict[str, str], demonyms: dict[str, str], not_before: list[str],
) -> tuple[str | None, dict[tuple[str, str], tuple[Actor, frozenset[str]]]]:
    """``foreign_forces.tsv`` as one pattern ("Russian fighters") and its rows by country and head."""
    rows: dict[tuple[str, str], tuple[Actor, frozenset[str]]] = {}
    for row in read_tsv("foreign_forces.tsv"):
        actor = Actor(row["name"], row["iso3"] or None, row["sector"])
        home = frozenset(split_alternatives(row["home"]))
        for head in split_alternatives(row["heads"]):
            rows.setdefault((row["country"], head.lower()), (actor, home))
    if not rows:
        return None, rows
    countries = {iso3 for iso3, _ in rows}
    refs = [w for w, iso3 in [*aliases.items(), *demonyms.items()] if iso3 in countries]
    ref = rf"{_word_start_alternation(refs)}(?:'s|’s)?(?![\w-])"
    heads = _alternation(sorted({head for _, head in rows}))
    aircraft = _alternation(not_before)
    return (rf"(?P<ref>{ref})\s+(?:[\w-]+\s+)?(?i:(?P<head>{heads}))(?![\w-])"
            rf"(?!\s+(?i:{aircraft})(?![\w-]))"), rows


@lru_cache(maxsize=4096)  # the same few names and demonyms, again and again
def ref_country(surface: str) -> str | None:
    """ISO3 of a country name or demonym, "'s" allowed: ``ref_country("Ukraine's") == "UKR"``."""
    d = dictionary()
    bare = _POSSESSIVE.sub("", surface)
    return d.alias_to_iso3.get(bare) or d.demonym_to_iso3.get(bare)


def article_country(surface: str, article: ArticleActors | None) -> str | None:
    """``ref_country``, a name of two countries ("Congo") taken by the article's cues.

        >>> article = ArticleActors(None); note_cues("Fighting in Brazzaville.", article)
        >>> article_country("Congo's", article), article_country("Congo's", ArticleActors(None))
        ('COG', 'COD')
    """
    if article is not None and article.cues:
        options = dictionary().ambiguous.get(_POSSESSIVE.sub("", surface))
        if options is not None:  # the most cued country; a tie keeps the earlier (the default)
            return max(options, key=lambda iso3: (article.cues[iso3], -options.index(iso3)))
    return ref_country(surface)


def note_cues(text: str, article: ArticleActors) -> None:
    """Count the country cues ``text`` names ("Goma", "Brazzaville") into the article's."""
    cue = dictionary().cue
    if cue is not None:
        for match in cue.finditer(text):
            article.cues[dictionary().cue_country[match.group()]] += 1


def country_name(iso3: str | None) -> str | None:
    """The name used in actor names: ``country_name("PRK") == "North Korea"``."""
    return dictionary().country_names.get(iso3) if iso3 else None


@lru_cache(maxsize=4096)  # few templates and countries; an Actor is immutable, so shared
def actor_from_template(template: str, sector: str, iso3: str | None) -> Actor:
    """``"Civilians ({country})"`` + UKR -> ``Civilians (Ukraine)``; no country drops the part."""
    name = country_name(iso3)
    if name is None:
        text = template.replace(" ({country})", "").replace(" of {country}", "")
    elif "({country})" in template:  # "Civilians (United States)", not "(the United States)"
        text = template.replace("{country}", name.removeprefix("the "))
    else:
        text = template.replace("{country}", name)
    return Actor(text, iso3, sector)


def actor_for_country(iso3: str, event_type: str | None) -> Actor:
    """A bare country as an actor: its armed forces for violent types, else its government."""
    if event_type in patterns()["military_event_types"]:
        return actor_from_template("Military Forces of {country}", "military", iso3)
    return actor_from_template("Government of {country}", "government", iso3)


@cache
def _org_words() -> frozenset[str]:
    """Geo's ``org_words`` (words.json), folded: "Times", "University", "Post", "Independent" ...

    Read as data, not through ``etl.geo`` (which the events stage only uses when present), so
    both stages share one list of what makes a place name part of an organisation's name.
    """
    raw = json.loads((RESOURCES_DIR / "geo" / "words.json").read_text(encoding="utf-8"))
    return frozenset(word.casefold() for word in raw["org_words"])


@cache
def _org_words_after() -> frozenset[str]:
    """Org words that after a country or demonym make it an organisation's ("Ukraine Post")."""
    forces = {word.casefold() for word in patterns()["force_org_words"]}  # "the Russian Fleet"
    return _org_words() - forces


# "Times of Israel", "University of the Philippines": a capitalized word, "of" (capitalized in a
# title-cased headline), maybe "the", right before the name
_ORG_OF_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*)\s+[Oo]f\s+(?:[Tt]he\s+)?$")
_WORD_AFTER = re.compile(r"[ \t]+([A-Z][\w'’-]*)")  # "Israel Hayom", "Kyiv Post": the next word, same line


def in_org_name(text: str, start: int, end: int) -> bool:
    """Whether the country name or demonym at ``text[start:end]`` is part of an organisation's name.

    A name after an org word and "of" ("the Times of Israel", "University of Kyiv") or one
    followed by an org word ("Ukraine Post", "American University") names no country as a
    place or an actor; a demonym needs the word after it ("of Russian" names nothing).

        >>> in_org_name("the Times of Israel reported", 13, 19), in_org_name("troops in Israel", 10, 16)
        (True, False)
    """
    surface = text[start:end]
    if not surface.endswith(("'s", "’s")):  # "Ukraine's Independent Anti-Corruption Bureau" is Ukraine's
        after = _WORD_AFTER.match(text, end)
        if after is not None and after.group(1).casefold() in _org_words_after():
            return True
    if "f" not in text[max(0, start - 8) : start]:  # no "of" right before: the common case, cheaply
        return False
    if dictionary().alias_to_iso3.get(_POSSESSIVE.sub("", surface)) is None:
        return False  # a demonym after "of" ("the University of Russian Studies"?) is no org's country
    before = _ORG_OF_BEFORE.search(text[max(0, start - 40) : start])
    return before is not None and before.group(1).casefold() in _org_words()


def main_country(text: str) -> str | None:
    """The country the article names most (names and demonyms); ties go to the first named.

    Names inside an organisation's name count for nothing ("the Times of Israel reported",
    "Voice of America"): the article need not be about that country; nor does a neighbour ("on
    the border with Bangladesh").

        >>> main_country("A post was attacked, the Times of Israel said."), main_country("In Israel.")
        (None, 'ISR')
    """
    d = dictionary()
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    countryless: list[tuple[int, int]] | None = None  # spans of organisations of no country
    context: ArticleActors | None = None  # the cues, counted once a name of two countries is met
    for match in d.ref.finditer(text):
        if context is None and _POSSESSIVE.sub("", match.group()) in d.ambiguous:
            context = ArticleActors(None)
            note_cues(text, context)
        iso3 = article_country(match.group(), context)
        if iso3:
            start, end = match.span()
            if in_org_name(text, start, end) or _after_border(text, start):
                continue  # "the Times of Israel"; "on the border with Bangladesh": a neighbour
            if countryless is None:  # found once, and only for a text that names a country
                countryless = [m.span() for m in d.org.finditer(text) if d.orgs[m.group()].country is None]
            if any(o_start <= start and end <= o_end for o_start, o_end in countryless):
                continue  # "Voice of America", "Russia Today": a media or international body
            counts[iso3] += 1
            first.setdefault(iso3, match.start())
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], first[c]))


def _casefolded_view(text: str) -> str:
    """An ALL-CAPS headline title-cased (same length) so proper-noun patterns can match."""
    # most text is plainly not capitals: ASCII lower-case letters are a fifth of it or more
    ascii_text = text.encode("ascii", "ignore")  # counted in two passes, not one per letter
    if 5 * (len(ascii_text) - len(ascii_text.translate(None, _ASCII_LOWERCASE))) >= len(text):
        return text
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        titled = text.title()
        if len(titled) == len(text):
            return titled
    return text


# A mention while ``find_mentions`` collects them: (start, end, kind, actor, country, template);
# the ``Mention`` objects are made once, for the mentions kept.
_Found = tuple[int, int, str, "Actor | None", "str | None", "str | None"]


def find_mentions(text: str, article: ArticleActors, offset: int = 0) -> list[Mention]:
    """Actor mentions in ``text`` in text order, their offsets relative to it plus ``offset``."""
    view = _casefolded_view(text)
    d = dictionary()
    note_cues(view, article)
    taken: list[_Found] = []

    def free(start: int, end: int) -> bool:
        for found in taken:  # noqa: SIM110 (a loop: cheaper than all() over a generator)
            if end > found[0] and start < found[1]:
                return False
        return True

    def add(start: int, end: int, kind: str, actor: Actor | None = None, country: str | None = None,
            template: str | None = None) -> None:
        if free(start, end):
            taken.append((start, end, kind, actor, country, template))

    if d.office_word.search(view):  # most sentences name no office: skip the costly pattern
        for match in d.office.finditer(view):
            _add_office(match, article, add)
    for match in d.person.finditer(view):
        add(match.start(), match.end(), "person", d.persons[match.group()])
    for start, end in find_names(view, article.learned):
        add(start, end, "person", article.learned[view[start:end]])
    for match in d.org.finditer(view):
        org = org_actor(match.group(), article)
        if org is not None:  # "JNIM militants", "Hamas officials": the head noun is the group's
            head = d.org_head.match(view, match.end())
            if head is not None and match.group().endswith(".") and head.group().split()[-1][0].isupper():
                head = None  # "... the terms of U.N. Gunmen kill ...": a new sentence
            add(match.start(), match.end() if head is None else head.end(), "org", org)
    refs = list(d.ref.finditer(view))
    if refs and d.foreign is not None:  # "Russian fighters" in Mali: a foreign force, no rebels
        for match in d.foreign.finditer(view):
            force = _foreign_actor(match, article, refs)
            if force is not None:
                add(match.start(), match.end(), "group", force, force.country)
    if refs:  # a group starts with a country or demonym: where none is named there is no group
        for match in d.group.finditer(view):
            first_ref = d.ref.match(view, match.start())  # a group starts with its first ref
            if first_ref is not None and (in_org_name(view, *first_ref.span())
                                          or in_place_name(view, *first_ref.span())):
                continue  # "the Times of Israel military correspondent", "Niger Delta militants"
            if free(match.start(), match.end()):
                taken.extend(_group_mentions(match, article))
    for match in _local_matches(view):
        sector, template = d.heads[match.group("head").lower()]
        add(match.start(), match.end(), "local",
            actor_from_template(template, sector, article.main_country), article.main_country,
            template)
    for match in refs:
        if free(match.start(), match.end()):  # a ref inside a group or an organization adds nothing
            _add_country(view, match, add, article)
    for match in _PRONOUN.finditer(text):
        add(match.start(), match.end(), "pronoun")
    taken.sort(key=lambda found: (found[0], found[1]))
    return [_flag_roles(text, found, offset) for found in taken]


def _local_matches(view: str) -> Iterable[re.Match[str]]:
    """``dictionary().local.finditer(view)``: the same spans, ``head`` maybe in lower case.

    ASCII text is matched lower-cased without case-folding (cheaper): ASCII lower-casing maps
    one letter to one and keeps every character class, so the matches are the same.
    """
    d = dictionary()
    if view.isascii():
        return d.local_lowered.finditer(view.lower())
    return d.local.finditer(view)


def learn_names(text: str, article: ArticleActors) -> None:
    """Learn office holders' names from ``text`` as ``find_mentions`` would, collecting nothing.

        >>> article = ArticleActors("UKR"); learn_names("President Volodymyr Zelensky said", article)
        >>> article.learned["Zelensky"].name
        'Government of Ukraine'
    """
    view = _casefolded_view(text)
    d = dictionary()
    note_cues(view, article)
    if d.office_word.search(view) is None:
        return
    for match in d.office.finditer(view):
        _add_office(match, article, _ignore)


def _ignore(*found: object) -> None:
    """An ``add`` that keeps nothing."""


def org_actor(alias: str, article: ArticleActors) -> Actor | None:
    """The organization an alias names in this article: the row whose context holds the
    article's country, else the row without a context, else none ("PDF" outside Myanmar).

        >>> org_actor("SNA", ArticleActors("SOM")).name, org_actor("PDF", ArticleActors("USA"))
        ('Military Forces of Somalia', None)
    """
    d = dictionary()
    rows = d.org_rows.get(alias)
    if rows is None:
        return d.orgs[alias]
    home = article_home(article)
    return next((actor for context, actor in rows if home in context), None) or next(
        (actor for context, actor in rows if not context), None)


def article_home(article: ArticleActors) -> str | None:
    """The article's main country, a country of a name of two ("Congo") taken by its cues.

        >>> article_home(ArticleActors("COG")), article_home(ArticleActors("UKR"))
        ('COD', 'UKR')
    """
    main = article.main_country
    d = dictionary()
    if main is None or main not in d.ambiguous_countries:
        return main
    options = d.ambiguous_countries[main]
    return max(options, key=lambda iso3: (article.cues[iso3], -options.index(iso3)))


def _foreign_actor(match: re.Match[str], article: ArticleActors, refs: list[re.Match[str]]) -> Actor | None:
    """The force of a ``foreign`` match ("Russian mercenaries": Wagner Group) abroad: in an
    article whose main country is none of its row's home countries, or, in an article that
    names the force's own country most, beside another country the sentence names ("Malian
    soldiers and Russian fighters": the geo context may rank Russia first)."""
    iso3 = ref_country(match.group("ref"))
    found = dictionary().foreign_rows.get((iso3 or "", match.group("head").lower()))
    if found is None or article.main_country is None:
        return None
    force, home = found
    main = article_home(article)
    if main not in home:
        return force
    if main != iso3:
        return None
    hosts = {ref_country(ref.group()) for ref in refs} - {iso3, None}
    return force if hosts and not hosts & home else None


def _group_mentions(match: re.Match[str], article: ArticleActors | None = None) -> list[_Found]:
    """One mention per coordinated country ("Ukrainian and US officials"), each at its ref."""
    sector, template = dictionary().heads[match.group("head").lower()]
    refs = list(dictionary().ref.finditer(match.group("refs")))
    mentions: list[_Found] = []
    for index, ref in enumerate(refs):
        iso3 = article_country(ref.group(), article)
        start = match.start() + ref.start()
        end = match.end() if index == len(refs) - 1 else match.start() + ref.end()
        mentions.append((start, end, "group", actor_from_template(template, sector, iso3), iso3, None))
    return mentions


def _add_office(match: re.Match[str], article: ArticleActors, add: Callable[..., None]) -> None:
    """"Polish Prime Minister Donald Tusk": the office's government (or forces), name learned."""
    d = dictionary()
    name = match.group("name")
    known = d.persons.get(name) or article.learned.get(name)
    iso3 = article_country(match.group("ref"), article) if match.group("ref") else None
    sector = d.offices[match.group("office")]
    if iso3 is not None:
        template = "Government of {country}" if sector == "government" else "Military Forces of {country}"
        actor = actor_from_template(template, sector, iso3)
    elif known is not None:
        actor = known
    elif article.main_country is not None:  # "Prime Minister Irakli Kobakhidze" in a Georgian story
        template = "Government of {country}" if sector == "government" else "Military Forces of {country}"
        actor = actor_from_template(template, sector, article.main_country)
        add(match.start(), match.end(), "local", actor, actor.country, template)
        article.learned.setdefault(name, actor)
        return
    else:
        return
    article.learned[name] = actor
    surname = name.split()[-1]
    if len(name.split()) > 1 and surname not in d.alias_to_iso3:
        article.learned.setdefault(surname, actor)
    add(match.start(), match.end(), "office", actor, actor.country)


def _add_country(view: str, match: re.Match[str], add: Callable[..., None],
                 article: ArticleActors | None = None) -> None:
    """A bare country name (an actor unless it names a place or a neighbour), a demonym (a
    modifier) or a counted demonym (people: "killed 31 Palestinians")."""
    d = dictionary()
    surface = match.group()
    iso3 = article_country(surface, article)
    if iso3 is None or in_org_name(view, match.start(), match.end()):
        return  # "the Times of Israel reported": a newspaper, not Israel
    possessive = surface.endswith(("'s", "’s"))
    bare = _POSSESSIVE.sub("", surface)
    if bare in d.alias_to_iso3 and not possessive and (
            _after_border(view, match.start()) or in_place_name(view, match.start(), match.end())):
        return  # "near the border with Chad", "Lake Chad": a neighbour or a place, no side
    if bare in d.demonym_to_iso3 and bare not in d.alias_to_iso3 and not possessive and (
            _counted_people(view, match.start(), match.end(), bare.endswith("s"))):
        add(match.start(), match.end(), "people", None, iso3)
        return
    plural_demonym = bare in d.demonym_to_iso3 and bare.endswith("s") and bare not in d.alias_to_iso3
    if (bare in d.alias_to_iso3 and not possessive) or plural_demonym:
        before = view[max(0, match.start() - 60) : match.start()].rstrip()
        # read backwards, one anchored try (``before`` ends in no newline, where ``$`` differs)
        backwards = before[::-1]
        previous = _LAST_WORD_REVERSED.match(backwards)
        if previous is not None and previous.group() in ("eht", "ehT") and not plural_demonym:
            # "in the Central African Republic" is a place; "fire from the Iraqis" still a side
            gap = len(backwards) - len(backwards[previous.end() :].lstrip())
            previous = _LAST_WORD_REVERSED.match(backwards, gap) if gap > previous.end() else None
        locative = previous is not None and previous.group()[::-1].lower() in d.locative
        appositive = (before.endswith(",") and _NAME_AND_COMMA.search(before) is not None
                      and not _ends_with_ref(before[:-1]))
        if not locative and not appositive:
            add(match.start(), match.end(), "country", None, iso3)
            return
        if locative or appositive:
            return
    add(match.start(), match.end(), "modifier", None, iso3)


@cache
def _people_rules() -> tuple[re.Pattern[str], frozenset[str], frozenset[str], re.Pattern[str]]:
    """A count (and "other", "more" ...) that ends a text, the last words of such counts, the
    words a noun demonym may precede, and a force the count measures ("a force of")
    (actor_rules.toml [counted_people])."""
    rules = read_toml("actor_rules.toml")["counted_people"]
    counts = _any_word(rules["counts"])
    between = _any_word(rules["between"])
    # "31", "twenty-one", "dozens of", then maybe "other", "more" before the demonym
    count = re.compile(rf"(?:^|(?<=[\s(]))(?P<count>\d[\d,]*|(?:[a-z]+-)?(?:{counts}))\s+"
                       rf"(?:(?:{between})\s+){{0,2}}$", re.IGNORECASE)
    last_words = frozenset(phrase.split()[-1].lower() for phrase in [*rules["counts"], *rules["between"]])
    force = re.compile(rf"\b(?:{_any_word(rules['force_before'])})\s+of\s+$", re.IGNORECASE)
    return count, last_words, frozenset(rules["noun_followers"]), force


@cache
def _people_templates() -> tuple[frozenset[str], tuple[str, str], tuple[str, str]]:
    """The event types of protesters, their (template, sector), and that of other people."""
    rules = read_toml("actor_rules.toml")["counted_people"]
    return (frozenset(rules["protest_types"]), (rules["protesters"][0], rules["protesters"][1]),
            (rules["people"][0], rules["people"][1]))


_NEXT_WORD = re.compile(r"\s*(?P<word>[A-Za-z]+)?")


def _counted_people(view: str, start: int, end: int, plural: bool) -> bool:
    """Whether the demonym at ``view[start:end]`` is counted people: "31 Palestinians", "dozens
    of Nigerians", "20 Sudanese." (a demonym also an adjective only at the end of its phrase).

        >>> _counted_people("killed 31 Palestinians", 10, 22, True)
        True
        >>> _counted_people("in 2014 Ukrainians voted", 8, 18, True)
        False
    """
    count_before, last_words, followers, force = _people_rules()
    backwards = _LAST_WORD_REVERSED.match(view[max(0, start - 24) : start].rstrip()[::-1])
    previous = backwards.group()[::-1] if backwards is not None else ""
    if not previous or not (previous[0].isdigit() or previous.lower().rsplit("-", 1)[-1] in last_words):
        return False  # most demonyms follow no count: one look at the word before
    found = count_before.search(view, max(0, start - 40), start)
    if found is None:
        return False
    number = found.group("count")
    if len(number) == 4 and number.isdigit() and 1800 <= int(number) <= 2100:
        return False  # "in 2014 Ukrainians voted": a year, no count
    if force.search(view, max(0, found.start() - 30), found.start()) is not None:
        return False  # "a force of 1,000 Ethiopians": soldiers
    following = _NEXT_WORD.match(view, end)
    word = following.group("word") if following is not None else None
    if word is not None and word.lower() in dictionary().heads:
        return False  # "31 Palestinians fighters": the head noun says who they are
    if plural:
        return True
    return word is None or (following is not None and following.start("word") > end
                            and word.lower() in followers)


@cache
def _border_patterns() -> re.Pattern[str]:
    """The text before a neighbour country ("the border with ", "the border between Sudan and ")."""
    rules = read_toml("actor_rules.toml")["neighbour"]
    before = _any_word(rules["before"])
    between = _any_word(rules["between"])
    return re.compile(
        rf"\b(?:(?:{before})\s+(?:the\s+)?"
        rf"|(?:{between})\s+(?:the\s+)?(?:[A-Z][\w'’.-]*\s+){{0,3}}?(?:and\s+(?:the\s+)?)?)$",
        re.IGNORECASE)


@cache
def _place_name_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The words that make a country's name part of a place's ("Lake Chad", "Niger Delta")."""
    rules = read_toml("actor_rules.toml")["place_names"]
    return (re.compile(rf"(?<![\w-])(?:{_any_word(rules['before'])})\s+$"),
            re.compile(rf"[ \t]+(?:{_any_word(rules['after'])})(?![\w-])"))


def in_place_name(text: str, start: int, end: int) -> bool:
    """Whether the country name at ``text[start:end]`` is part of a place's name, no country.

        >>> in_place_name("near Lake Chad", 10, 14), in_place_name("the Niger Delta", 4, 9)
        (True, True)
    """
    before, after = _place_name_patterns()
    return after.match(text, end) is not None or before.search(text[max(0, start - 12) : start]) is not None


def _after_border(view: str, start: int) -> bool:
    """Whether the country name at ``start`` follows "the border with" and the like."""
    before = view[max(0, start - 60) : start]
    lowered = before.lower()
    if "border" not in lowered and "frontier" not in lowered and "boundary" not in lowered:
        return False  # the common case, cheaply
    return _border_patterns().search(before) is not None


def _ends_with_ref(text: str) -> bool:
    """Whether ``text`` ends with a country name (a list "North Korea, Belarus", not "Tallinn, Estonia")."""
    tail = text[-40:]
    return any(m.end() == len(tail) for m in dictionary().ref.finditer(tail))


_PASSIVE_BY = re.compile(r"\bby\s+(?:the\s+)?$")
_CO_ACTOR = re.compile(r"\b(?:alongside|together with|along with|according to)\s+(?:the\s+)?$")
_POSSESSIVE = re.compile(r"(?:'s|’s)$")
_LAST_WORD = re.compile(r"(?<![\w'’-])([\w'’-]+)$")  # the lookbehind: as _WORD_BEFORE in text.py
# ``_LAST_WORD`` on the reversed text, anchored: the last word runs back as far as its
# characters go, which is where ``_LAST_WORD``'s leftmost match starts
_LAST_WORD_REVERSED = re.compile(r"[\w'’-]+")
_NAME_AND_COMMA = re.compile(r"[A-Z][\w'’-]+,$")


def _flag_roles(text: str, found: _Found, offset: int) -> Mention:
    """The mention, passive agents ("supported by X") and co-actors ("alongside X") marked,
    shifted by ``offset``."""
    start, end, kind, actor, country, template = found
    before = text[max(0, start - 20) : start].lower()
    # each pattern needs a word of its own: most mentions follow neither (a search tries all 20 places)
    passive = "by" in before and _PASSIVE_BY.search(before) is not None
    co_actor = ("with" in before or "alongside" in before or "according" in before) and (
        _CO_ACTOR.search(before) is not None)
    return Mention(start + offset, end + offset, kind, actor, country, passive, co_actor, template)


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_-"


def find_names(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of whole-word ``names`` in ``text``, leftmost first, the longest at a position,
    never overlapping: what ``(?<![\\w-])(?:names)(?![\\w-])`` finds, without compiling a
    regex for every new set of names an article teaches.

        >>> find_names("Tusk met Donald Tusk; Tusks", ["Tusk", "Donald Tusk"])
        [(0, 4), (9, 20)]
    """
    found: list[tuple[int, int]] = []
    for name in names:
        start = text.find(name) if name else -1
        while start != -1:
            end = start + len(name)
            if not (start > 0 and _is_name_char(text[start - 1])) and not (
                    end < len(text) and _is_name_char(text[end])):
                found.append((start, end))
            start = text.find(name, start + 1)
    found.sort(key=lambda span: (span[0], -span[1]))
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def _any_word(words: Iterable[str]) -> str:
    """An alternation of words and phrases, the longest first, spaces as any white space."""
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


@cache
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The source that follows its mention, the source after ", said", the victim, and the
    victim of a headline passive ("soldier reported killed")."""
    p = patterns()
    verbs, speakers, selves = (
        _any_word(p[key]) for key in ("reporting_verbs", "speaker_words", "self_reference"))
    # "the army said on Friday it ...", "said late on Sunday in a statement that they ...": time
    # adverbs and short prepositional phrases may stand between the verb and "it/they"
    adverb = rf"(?i:{_any_word(p['self_report_adverbs'])})"
    stops = _any_word(p["self_report_phrase_stops"])
    # a word of the phrase ("U.S." ends in a period, "Sunday." ends the sentence: no word)
    word = rf"(?!(?:{stops})\b)[\w'’-]+(?:\.[\w'’-]+)*(?:\.(?<![a-z]{{2}}\.))?"
    phrase = (rf"(?:{adverb}\b|(?:{adverb}\s+)?(?:{_any_word(p['self_report_prepositions'])})"
              rf"\s+(?:{word}\s+){{0,3}}?{word})")
    # "..., police said", "officials on Monday said", "the army's spokesman said (it)", "police
    # in Kaduna State said"
    source_after = re.compile(
        rf"(?:'s|’s)?(?:\s+(?:{speakers}|on\s+[A-Z][a-z]+|in\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){{0,2}}))"
        rf"{{0,3}}\s*,?\s+(?:{verbs})\b"
        rf"(?P<self>(?:\s*,?\s+{phrase}){{0,3}}?\s*,?(?:\s+that)?\s+(?:{selves})\b)?")
    # ", said a police spokesman", ", according to Ukrainian officials", "told Ukrainian media"
    source_before = re.compile(
        rf"(?:,\s*(?:{verbs}|according\s+to)|\b(?:told|tells))\s+(?:[a-z]+\s+){{0,2}}$")
    adverbs = _any_word(p["victim_adverbs"])
    auxiliaries = r"(?:(?:have|has|had)\s+)?(?:were|was|are|is|been|being|got|get)"
    patient = re.compile(
        rf"\s+(?:(?:who|that)\s+)?(?:(?:{adverbs})\s+)?(?:"
        rf"{auxiliaries}\s+(?:(?:{adverbs})\s+)?(?:{_any_word(p['victim_participles'])})"
        rf"|(?:(?:have|has|had)\s+)?(?:(?:{adverbs})\s+)?(?:{_any_word(p['victim_verbs'])}))\b",
        re.IGNORECASE)
    hedges = _any_word(p["victim_hedges"])
    bare = re.compile(
        rf"\s+(?:(?P<hedge>{hedges})\s+(?:to\s+have\s+been\s+|to\s+be\s+)?)?"
        rf"(?:(?:{adverbs})\s+)?(?:{_any_word(p['victim_participles'])}|dead)\b",
        re.IGNORECASE)
    return source_after, source_before, patient, bare


@cache
def _followers() -> frozenset[str]:
    return frozenset(patterns()["victim_reference_followers"])


_NEXT_TOKEN = re.compile(r"\s*(\w+|[^\w\s])?")  # the word (or mark) after a match


def is_reporter(text: str, mention: Mention) -> bool:
    """Whether the mention names who reports the event ("..., police said"), no participant;
    a source saying "it"/"they" did something stays that act's actor ("the army said it ...",
    also past a time or a source: "the army said on Friday it ...", "... in a statement they").

        >>> m = find_mentions("Gunmen attacked a church, police said.", ArticleActors("NGA"))[-1]
        >>> is_reporter("Gunmen attacked a church, police said.", m)
        True
        >>> s = "Police said on Monday they had killed five kidnappers."
        >>> is_reporter(s, find_mentions(s, ArticleActors("NGA"))[0])
        False
    """
    source_after, source_before, _, bare = _role_patterns()
    found = source_after.match(text, mention.end)
    if found is not None:
        # "soldier reported killed", "civilians said killed": who suffered, not who reports
        hedged = bare.match(text, mention.end)
        return found.group("self") is None and (hedged is None or hedged.group("hedge") is None)
    before = text[max(0, mention.start - 40) : mention.start]
    return ("," in before or "tell" in before or "told" in before) and (
        source_before.search(before) is not None)


def is_patient(text: str, mention: Mention) -> bool:
    """Whether the mention names who suffered ("12 people were killed", "23 civilians died").

        >>> m = find_mentions("Five people died in the attack.", ArticleActors("UKR"))[0]
        >>> is_patient("Five people died in the attack.", m)
        True
    """
    _, _, patient, bare = _role_patterns()
    if patient.match(text, mention.end) is not None:
        return True
    found = bare.match(text, mention.end)
    if found is None:
        return False
    if found.group("hedge") is not None:
        return True
    following = _NEXT_TOKEN.match(text, found.end())
    if following is None or following.group(1) is None:
        return True
    word = following.group(1).lower()
    then = f"{word} {text[following.end() : following.end() + 12].lstrip().lower()}"
    if any(then.startswith(opener) for opener in patterns()["count_openers"]):
        return False
    return word in _followers()


def relocate(actor: Actor, template: str, iso3: str | None) -> Actor:
    """A local actor ("police", "civilians") re-named for the country the event happened in."""
    return actor_from_template(template, actor.sector, iso3) if iso3 else actor


def resolve(mention: Mention, event_type: str | None) -> Actor | None:
    """The actor a mention stands for, given the event type (bare countries depend on it)."""
    if mention.actor is not None:
        return mention.actor
    if mention.country is not None and mention.kind in ("country", "modifier"):
        return actor_for_country(mention.country, event_type)
    if mention.country is not None and mention.kind == "people":
        protest_types, protesters, people = _people_templates()
        template, sector = protesters if event_type in protest_types else people
        return actor_from_template(template, sector, mention.country)
    return None
