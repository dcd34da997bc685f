"""The events stage: dated, typed, located records with actors and fatalities.

One event per clause at most (its strongest trigger that reports something done); a later
trigger of the same type that refers back ("the onslaught", "these offensive operations", a
", killing 12" clause, a restated toll: "Of the 12 dead", "The death toll rose to 400" in any
later paragraph, a claim: "JNIM claimed responsibility for the attack") enriches the earlier
event instead of adding a row. Negated and irrealis triggers ("denied attacking", "could attack", "plans to
meet") are dropped, and so are deaths by flood, crash, disease or old age ("causes.toml").
A report's source ("..., police said") is no participant; victims ("23 people died when ...")
are actor2.

    >>> events, problems = extract_events(articles, mentions)            # doctest: +SKIP
    >>> events.loc[0, ["event_type", "actor1", "date_basis"]].tolist()   # doctest: +SKIP
    ['ASSAULT', 'Military Forces of Russia', 'relative']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

import pandas as pd

from etl.events.actors import (
    Actor,
    ArticleActors,
    Mention,
    _role_patterns,
    actor_from_template,
    find_mentions,
    is_patient,
    is_reporter,
    learn_names,
    main_country,
    relocate,
    resolve,
)
from etl.events.confidence import confidence
from etl.events.dating import (
    DateMentions,
    EventDate,
    MentionRow,
    carried_over,
    governing_date,
    mention_rows_by_article,
    publication_date,
)
from etl.events.fatalities import fatalities
from etl.events.locating import Location, Locator
from etl.events.resources import lexicon, modality, patterns
from etl.events.text import (
    Segment,
    Words,
    dateline_end,
    repeated_title_end,
    split_clauses,
    split_paragraphs,
    split_sentences,
    word_tokens,
)
from etl.events.triggers import (
    TriggerMatch,
    _names_any,
    assess,
    is_definite_noun,
    is_reported,
    is_victim_reference,
    match_tokens,
    needs_cause,
    nonviolent_death,
    priority,
)
from etl.problems import Problem
from etl.schema import EVENTS
from etl.temporal import reference_day

__all__ = ["EventRecord", "detect_article", "event_rows", "extract_events"]

STAGE = "events"
# Events kept from one article, in text order. News articles have tens (at most 48 in 10,000
# generated from real sentences); a text repeating event sentences by the thousand is no report,
# and its events would all be compared with each other by the merge (pairs grow as its square).
MAX_EVENTS_PER_ARTICLE = 2_000


@dataclass
class EventRecord:
    """One event while it is being assembled; ``row()`` gives its ``events`` table row."""

    article_id: str
    sentence: Segment
    clause: Segment
    trigger: TriggerMatch
    reported: bool
    actor1: Actor | None = None
    actor2: Actor | None = None
    actor1_source: str = "none"  # clause | inherited | none
    local_templates: tuple[str | None, str | None] = (None, None)  # for actors without a country
    date: EventDate = field(default_factory=lambda: publication_date(None))
    date_level: str = "clause"  # clause | sentence | context | publication
    location: Location = field(default_factory=Location.none)
    fatalities: int | None = None
    acled: tuple[str | None, str | None] = (None, None)

    @property
    def event_type(self) -> str:
        """The PLOVER type."""
        return self.trigger.sense.plover

    def event_id(self) -> str:
        """Stable id: a hash of the article id and the trigger's offsets."""
        key = f"{self.article_id}:{self.trigger.start}:{self.trigger.end}"
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def row(self, text: str) -> dict[str, Any]:
        """The ``events`` table row."""
        location = self.location
        return {
            "event_id": self.event_id(), "article_id": self.article_id,
            "sentence": text[self.sentence.start : self.sentence.end],
            "start": self.clause.start, "end": self.clause.end,
            "trigger": self.trigger.text, "trigger_start": self.trigger.start,
            "trigger_end": self.trigger.end,
            "event_date": self.date.event_date, "date_start": self.date.date_start,
            "date_end": self.date.date_end, "date_precision": self.date.date_precision,
            "time_precision": self.date.time_precision, "date_basis": self.date.date_basis,
            "date_mention_id": self.date.date_mention_id,
            "event_type": self.event_type, "quad_class": lexicon().types[self.event_type],
            "acled_event_type": self.acled[0], "acled_sub_event_type": self.acled[1],
            "actor1": _name(self.actor1), "actor1_country": _country(self.actor1),
            "actor1_sector": _sector(self.actor1),
            "actor2": _name(self.actor2), "actor2_country": _country(self.actor2),
            "actor2_sector": _sector(self.actor2),
            "location": location.location, "admin1": location.admin1,
            "country_iso3": location.country_iso3, "latitude": location.latitude,
            "longitude": location.longitude, "geo_precision": location.geo_precision,
            "geonameid": location.geonameid, "fatalities": self.fatalities,
            "confidence": confidence(self),
        }


def _name(actor: Actor | None) -> str | None:
    return actor.name if actor else None


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor else None


def _sector(actor: Actor | None) -> str | None:
    return actor.sector if actor else None


class _SentenceState:
    """What a sentence left for the next one: its events, date, place and first actor.

    A sentence without any trigger leaves only its date, place and first actor, and those
    are worked out when a later sentence asks for them (most never do).
    """

    def __init__(self, paragraph: int, events: list[EventRecord], actors: set[str],
                 date: Callable[[], EventDate | None],
                 place_and_actor: Callable[[], tuple[Location | None, Actor | None]]) -> None:
        self.paragraph = paragraph
        self.events = events
        self.actors = actors
        self._date = date
        self._place_and_actor = place_and_actor
        self._settled_date: tuple[EventDate | None] | None = None
        self._settled_rest: tuple[Location | None, Actor | None] | None = None

    @property
    def date(self) -> EventDate | None:
        if self._settled_date is None:
            self._settled_date = (self._date(),)
        return self._settled_date[0]

    def _rest(self) -> tuple[Location | None, Actor | None]:
        if self._settled_rest is None:
            self._settled_rest = self._place_and_actor()
        return self._settled_rest

    @property
    def location(self) -> Location | None:
        return self._rest()[0]

    @property
    def first_actor(self) -> Actor | None:
        return self._rest()[1]


@cache
def _opening_cues(name: str) -> tuple[list[str], ...]:
    """A ``modality.toml`` list of sentence openers as lowercase word lists, tokenized once."""
    return tuple([t.lower for t in word_tokens(phrase)] for phrase in modality()[name])


@cache
def _opening_cues_by_first(name: str) -> dict[str | None, tuple[list[str], ...]]:
    """``_opening_cues(name)`` by first word (None: an empty cue, which opens anything)."""
    index: dict[str | None, list[list[str]]] = {}
    for cue in _opening_cues(name):
        index.setdefault(cue[0] if cue else None, []).append(cue)
    return {first: tuple(cues) for first, cues in index.items()}


def _starts_with(words: list[str], name: str) -> bool:
    """Whether ``words`` start with one of the cues (only those with its first word can)."""
    by_first = _opening_cues_by_first(name)
    if None in by_first:
        return True
    return bool(words) and any(words[: len(cue)] == cue for cue in by_first.get(words[0], ()))


@cache
def _inside_cues(name: str) -> frozenset[str]:
    """A ``modality.toml`` list of one-word continuation cues, lower-cased."""
    return frozenset(word.lower() for word in modality()[name])


def _says_after(tokens: Words, name: str) -> bool:
    """Whether one of the cues ``name`` stands among the sentence's first words ("... later killed")."""
    cues = _inside_cues(name)
    return any(word in cues for word in tokens.lowers[: int(modality()["continuation_window"])])


def _continues(tokens: Words, actor1: Actor | None, previous: _SentenceState | None,
               paragraph: int) -> bool:
    """Whether a sentence continues the story of the one before (date and place carry over)."""
    if previous is None:
        return False
    words = tokens.lowers[:6]
    if _starts_with(words, "new_story"):
        return False
    if previous.paragraph != paragraph:
        # "An RSF drone attack later killed ...": told as what came next, in a paragraph of its own
        return previous.paragraph == paragraph - 1 and _says_after(tokens, "continuation_across_paragraphs")
    if _starts_with(words, "continuation") or _says_after(tokens, "continuation_inside"):
        return True
    return actor1 is not None and actor1.name in previous.actors


def _acled(event: EventRecord, main_iso3: str | None) -> tuple[str | None, str | None]:
    """ACLED type and sub-type, resolving the lexicon's ``@victim`` and ``@territory`` rules."""
    sense = event.trigger.sense
    if sense.acled_event_type == "@victim":
        if event.actor2 is not None and (
            event.actor2.sector == "civilians" or event.actor2.name.startswith("Protesters")
        ):
            return "Violence against civilians", "Attack"
        return "Battles", "Armed clash"
    if sense.acled_event_type == "@territory":
        actor = event.actor1
        if actor is not None and actor.sector in ("rebel", "militia"):
            return "Battles", "Non-state actor overtakes territory"
        home = event.location.country_iso3 or main_iso3
        if actor is not None and actor.sector in ("military", "police") and actor.country == home:
            return "Battles", "Government regains territory"
        return "Battles", "Armed clash"
    return sense.acled_event_type, sense.acled_sub_event_type


def _specific(trigger: TriggerMatch, asserted: list[TriggerMatch]) -> TriggerMatch:
    """A generic trigger ("killed") gives way to a specific one of its type in the clause
    ("a Russian drone strike ... killed"): the weapon says how, and its modifier says who."""
    if trigger.sense.acled_event_type not in ("@victim", None):
        return trigger
    specific = [m for m in asserted if m.sense.plover == trigger.sense.plover
                and m.sense.acled_event_type not in ("@victim", "@territory", None)]
    return specific[0] if specific else trigger


def _clause_actors(
    mentions: list[Mention], clause: Segment, trigger: TriggerMatch, text: str,
    asserted: list[TriggerMatch] | None = None,
) -> tuple[Mention | None, Mention | None, bool]:
    """actor1 and actor2 mentions of a trigger within its clause, and whether actor1 is the
    agent of a noun trigger ("the Russian advances", "Russia's invasion").

    The source of a report ("..., police said") is no participant, unless it reports what it
    suffered ("Ukraine reports 66 enemy attacks": actor2); who suffered ("23 people died
    when ...", "40 were injured in the attack") is actor2, never actor1.
    """
    clause_mentions = [m for m in mentions if m.start >= clause.start and m.end <= clause.end]
    sources = {id(m) for m in clause_mentions if is_reporter(text, m)}
    inside = [m for m in clause_mentions if id(m) not in sources]
    # "a Russian drone strike": the mention "Russian drone" ends inside the noun trigger
    before = [m for m in inside if m.end <= trigger.start
              or (m.start < trigger.start and m.end <= trigger.end and trigger.sense.pos == "noun")]
    # a noun trigger's own words may name the target: "exposure of 12 Russian agents"
    object_from = trigger.end if trigger.sense.pos == "verb" else trigger.start
    after = [m for m in inside if m.start >= object_from and not m.co_actor]
    # nouns of a verb's type before it head its subject ("An Israeli strike on ... killed")
    heads = [m for m in asserted or [] if m.sense.pos == "noun" and m.sense.plover == trigger.sense.plover
             and clause.start <= m.start and m.end <= trigger.start] if trigger.sense.pos == "verb" else []
    candidates = [m for m in before if not m.passive_agent and not m.co_actor and m.kind != "modifier"]
    subjects = _outside_modifiers(candidates, before, heads, text, trigger.start)
    # "A Russian attack on Ukrainian positions killed ...": the target named in the subject
    # (a bare country there is rather a place: "Strike on Gaza school kills 22")
    target = next((m for m in candidates if m not in subjects and m.kind not in ("pronoun", "country")
                   and _phrases_at_start("target_openers").match(_gap_before(m, before, heads, text))), None)
    if subjects and subjects[-1].kind == "pronoun":
        # "The Houthis said they shot down ...": "they" is who said it
        subjects[-1] = _speaker(mentions, subjects[-1], heads, text) or subjects[-1]
    objects = [m for m in after if m.kind not in ("modifier", "pronoun") and not m.passive_agent]
    victims = [m for m in subjects if is_patient(text, m)]
    reporter = _self_reporter([m for m in clause_mentions if id(m) in sources], trigger, text)
    if trigger.sense.pos == "noun":
        # "shelling by Ukrainian troops", "an attack by gunmen": the "by" phrase acted
        by_noun = _agent_by(after, trigger.end, text)
        if by_noun is not None:
            # who suffered: a subject named so ("Two civilians killed in ..."), else the last one
            victim = next((m for m in reversed(victims)), None) or next(
                (m for m in reversed(subjects) if m.kind != "pronoun"), None)
            return by_noun, victim or next((m for m in objects if m.start > by_noun.end), reporter), True
    if trigger.sense.pos == "noun" and before:
        last = before[-1]
        words_between = text[last.end : trigger.start].split()
        if (last.kind in ("modifier", "country", "group", "org") and len(words_between) <= 2
                and last not in victims):
            rest = [m for m in subjects if m is not last]
            return last, (rest[-1] if rest else None) or (objects[0] if objects else reporter), True
    by_agent = next((m for m in after if m.passive_agent), None)
    preceding = text[clause.start : trigger.start].split()
    if preceding and preceding[-1].lower() in patterns()["passive_auxiliaries"]:
        agent = by_agent or _subordinate_agent(after, text, asserted or [])
        return agent, (subjects[-1] if subjects else reporter), False
    if subjects and subjects[-1] in victims:
        # "23 people died when a Russian missile struck", "Russian strikes left 12 people dead"
        noun = trigger.sense.pos == "noun"
        agent = by_agent or _subordinate_agent(after, text, asserted or [], noun) or next(
            (m for m in reversed(before) if m.kind in ("modifier", "country")
             and m.end <= subjects[-1].start), None)
        return agent, subjects[-1], False
    victim = objects[0] if objects else (victims[-1] if victims else target or reporter)
    if subjects:
        return subjects[-1], victim, False
    # "An Israeli strike on a school ... killed", "A missile fired by the Houthis struck": the
    # agent of the subject's head; "four ceasefire violations by Ukrainian troops": the "by" phrase
    head_agent = _head_agent(before, heads, text) if trigger.sense.pos == "verb" else None
    return head_agent or by_agent, victim, False


@cache
def _phrases_at_start(name: str) -> re.Pattern[str]:
    """A ``patterns.toml`` list of words and phrases as one pattern matching at a text's start."""
    phrases = sorted(patterns()[name], key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"\s*(?:{alternation})\b", re.IGNORECASE)


def _outside_modifiers(subjects: list[Mention], before: list[Mention], heads: list[TriggerMatch],
                       text: str, verb: int) -> list[Mention]:
    """``subjects`` without those named inside a modifier of an earlier head of the subject
    (which ends at ``verb``): "An Israeli strike on a school sheltering displaced families ...
    killed" (not the families), "Gunmen loyal to the former government ambushed" (not the
    government). Right before the verb an actor after another one stays the subject unless
    allegiance links them ("death of a fighter in Ukrainian forces shelling": the forces)."""
    kept = []
    for mention in subjects:
        gap = _gap_before(mention, before, heads, text)
        if (len(gap.split()) <= 8 and not _CLAUSE_MARK.search(gap)
                and _phrases_at_start("subject_modifier_openers").match(gap)
                and (text[mention.end : verb].strip() != "" or _after_head(mention, heads)
                     or _phrases_at_start("allegiance_phrases").match(gap))):
            continue
        kept.append(mention)
    return kept


def _after_head(mention: Mention, heads: list[TriggerMatch]) -> bool:
    """Whether a head noun of the subject comes before the mention ("An attack on| X")."""
    return any(h.end <= mention.start for h in heads)


def _gap_before(mention: Mention, before: list[Mention], heads: list[TriggerMatch], text: str) -> str:
    """The text between a mention and the nearest actor or head noun before it ("" if none)."""
    ends = [m.end for m in before if m.kind != "pronoun" and m.end <= mention.start]
    ends += [h.end for h in heads if h.end <= mention.start]
    return text[max(ends) : mention.start] if ends else ""


_CLAUSE_MARK = re.compile(r"[,;:()\[\]\n—–]")
_BY = re.compile(r"\s+by\s+(?:the\s+)?$", re.IGNORECASE)


def _agent_by(after: list[Mention], end: int, text: str) -> Mention | None:
    """The "by" agent right after ``end`` ("shelling| by Ukrainian troops")."""
    return next((m for m in after if m.passive_agent and m.start > end
                 and _BY.fullmatch(text[end : m.start]) is not None), None)


def _head_agent(before: list[Mention], heads: list[TriggerMatch], text: str) -> Mention | None:
    """Who acted, for a subject that names no actor as its head: the actor right before its head
    noun ("An Israeli strike on ..."), the "by" agent after it ("Shelling by Ukrainian troops
    killed ...") or after a participle ("A missile fired by the Houthis struck ...")."""
    for head in heads[:1]:
        leading = [m for m in before if m.start < head.start and not m.passive_agent
                   and m.kind in ("modifier", "country", "group", "org")
                   and len(text[m.end : head.start].split()) <= 2]
        if leading:
            return leading[-1]
        by_head = _agent_by(before, head.end, text)
        if by_head is not None:
            return by_head
    for mention in before:
        if mention.passive_agent and _acting_participle(mention, text):
            return mention
    return None


def _acting_participle(mention: Mention, text: str) -> bool:
    """Whether a "by" agent follows a participle modifying a noun ("a missile fired by|", "an
    attack carried out by|"), not a backer ("rebels backed by"), a clause's own passive ("was
    marked by") or a noun ("victory by")."""
    words = text[max(0, mention.start - 50) : mention.start].lower().split()
    while words and words[-1] in ("by", "the"):
        words.pop()
    if len(words) >= 2 and words[-1] == "out":  # "carried out by"
        words.pop()
    if len(words) < 2 or not words[-1].endswith(("ed", "en", "wn")):
        return False
    auxiliaries = {*patterns()["passive_auxiliaries"], "has", "had", "have"}
    return words[-1] not in patterns()["support_participles"] and words[-2] not in auxiliaries


def _speaker(mentions: list[Mention], pronoun: Mention, heads: list[TriggerMatch],
             text: str) -> Mention | None:
    """Who says "they" did it: the subject of "X said (on Friday) they ..." ("M23 rebels backed
    by Rwanda said they had captured Goma": the rebels, not their backer)."""
    source_after = _role_patterns()[0]
    earlier = [m for m in mentions if m.end <= pronoun.start]
    for index in range(len(earlier) - 1, -1, -1):
        found = source_after.match(text, earlier[index].end)
        if found is None or found.group("self") is None:
            continue
        if found.end("self") != pronoun.end:
            return None  # the speaker's "it/they" is another one
        # the subject ends at the reporting verb: its head, outside modifiers and "by" phrases
        subject = [m for m in earlier[: index + 1] if m.kind not in ("pronoun", "modifier")
                   and not m.co_actor and not m.passive_agent]
        subject = _outside_modifiers(subject, earlier[: index + 1], heads, text, found.start())
        return subject[-1] if subject else None
    return None


def _subordinate_agent(after: list[Mention], text: str, asserted: list[TriggerMatch],
                       noun: bool = False) -> Mention | None:
    """The actor after the trigger that caused the harm: it opens a "when/as/after ..." clause
    ("when a Russian missile struck") or leads a violent noun ("in a Russian helicopter attack")."""
    for mention in after:
        if mention.kind == "pronoun" or mention.passive_agent:
            continue
        before = text[max(0, mention.start - 20) : mention.start].lower().split()
        while before and before[-1] in ("a", "an", "the"):
            before.pop()
        if before and before[-1] in patterns()["agent_subordinators"]:
            return mention
        if before and before[-1] in patterns()["agent_prepositions"] and noun:
            return mention
        if mention.kind in ("modifier", "country", "group", "org", "local") and any(
                m.sense.plover == "ASSAULT" and m.sense.pos == "noun" and m.start >= mention.end
                and len(text[mention.end : m.start].split()) <= 1 for m in asserted):
            return mention
    return None


def _self_reporter(sources: list[Mention], trigger: TriggerMatch, text: str) -> Mention | None:
    """A party reporting what it suffered, named as a noun ("Ukraine reports 66 enemy attacks",
    "DPR reports four ceasefire violations by ..."): the event's actor2. Media and international
    organizations only report."""
    if trigger.sense.pos != "noun":
        return None
    verbs = patterns()["self_report_verbs"]
    for source in sources:
        if source.end > trigger.start or (
                source.actor is not None and source.actor.sector in patterns()["source_sectors"]):
            continue
        words = text[source.end : trigger.start].split()
        if words and words[0].lower() in verbs and len(words) <= 10:
            return source
    return None


def _resolve_pronoun(mention: Mention | None, previous: _SentenceState | None,
                     sentence_events: list[EventRecord]) -> Actor | None:
    if mention is None or mention.kind != "pronoun":
        return None
    if sentence_events and sentence_events[-1].actor1 is not None:
        return sentence_events[-1].actor1
    if previous is not None:
        for event in reversed(previous.events):
            if event.actor1 is not None:
                return event.actor1
        return previous.first_actor
    return None


def _antecedent(
    trigger: TriggerMatch, actor1: Actor | None, candidates: list[EventRecord]
) -> EventRecord | None:
    """The latest earlier event of the same type whose actor does not contradict ``actor1``."""
    for event in reversed(candidates):
        if event.event_type != trigger.sense.plover:
            continue
        if actor1 is not None and event.actor1 is not None and actor1.country != event.actor1.country:
            continue
        return event
    return None


def detect_article(
    article: dict[str, Any], mentions: list[MentionRow], problems: list[Problem]
) -> list[EventRecord]:
    """All events of one article, assembled (dates, actors, places, fatalities)."""
    text = _cell(article.get("text")) or ""
    title = _cell(article.get("title")) or ""
    article_id = str(article["article_id"])
    published = reference_day(article)  # the outlet's local day of publication
    locator = Locator(title, text)
    # where things happen beats who is named most: the geo context's country comes first
    actors = ArticleActors(locator.main_country() or main_country(f"{title}\n{text}"))
    dateline = dateline_end(text)
    searchable = " " * dateline + text[dateline:]  # the dateline names no event's place
    # the dateline's date ("KYIV, Dec 17 (Reuters) -") is when it was filed, no event's date
    dates = DateMentions([m for m in mentions if m.start >= dateline], published, text)
    events: list[EventRecord] = []
    previous: _SentenceState | None = None
    headline_end = repeated_title_end(title, text)
    for sentence in split_sentences(text):
        if sentence.end <= headline_end:
            continue
        state = _sentence_events(
            text, searchable, sentence, article_id, dates, published, actors, locator,
            previous, events,
        )
        events.extend(state.events)
        previous = state
        if len(events) > MAX_EVENTS_PER_ARTICLE:
            del events[MAX_EVENTS_PER_ARTICLE:]
            problems.append(Problem(
                _cell(article.get("input_file")), None, article_id, STAGE, "warning", "too_many_events",
                f"more than {MAX_EVENTS_PER_ARTICLE:,} events in one article: the first "
                f"{MAX_EVENTS_PER_ARTICLE:,} are kept (to character {sentence.end:,} of "
                f"{len(text):,}), the rest of the text is not read for events"))
            break
    paragraph_country: dict[int, str | None] = {}
    paragraphs = split_paragraphs(text)
    for event in events:
        if event.location.source is None:
            number = event.sentence.paragraph
            if number not in paragraph_country:
                p_start, p_end = paragraphs[number]
                # geo stops early when the paragraph names the main country itself
                countries = (locator.countries_unless(searchable[p_start:p_end], actors.main_country)
                             if len(paragraphs) > 1 else [])
                paragraph_country[number] = (actors.main_country if countries is None
                                             else _paragraph_country(countries, actors.main_country))
            home = paragraph_country[number] or actors.main_country
            event.location = locator.country(_fallback_country(event, home))
        _relocate_actors(event)
        event.acled = _acled(event, actors.main_country)
    return events


LOCAL_SECTORS = frozenset({"civilians", "other", "police", "rebel", "militia"})


def _paragraph_country(countries: list[str], main_iso3: str | None) -> str | None:
    """A paragraph that never names the article's country tells another country's story."""
    if not countries or main_iso3 in countries:
        return main_iso3
    return countries[0]


def _fallback_country(event: EventRecord, main_iso3: str | None) -> str | None:
    """Without a place: the country of a local actor ("Polish farmers protested"), else the main one."""
    for actor, template in zip((event.actor1, event.actor2), event.local_templates, strict=True):
        if actor is not None and template is None and actor.sector in LOCAL_SECTORS and actor.country:
            return actor.country
    return main_iso3


def _relocate_actors(event: EventRecord) -> None:
    """Actors named without a country ("police", "civilians") belong to where the event happened."""
    iso3 = event.location.country_iso3
    first, second = event.local_templates
    if event.actor1 is not None and first is not None:
        event.actor1 = relocate(event.actor1, first, iso3)
    if event.actor2 is not None and second is not None:
        event.actor2 = relocate(event.actor2, second, iso3)


def _cell(value: Any) -> str | None:
    """A string cell of the articles table, None for None, NaN or pd.NA."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def _sentence_events(
    text: str, searchable: str, sentence: Segment, article_id: str, dates: DateMentions,
    published: date | None, actors: ArticleActors, locator: Locator,
    previous: _SentenceState | None, earlier: list[EventRecord],
) -> _SentenceState:
    """Events of one sentence; merges back-references into ``earlier`` events."""
    body = searchable[sentence.start : sentence.end]
    raw = text[sentence.start : sentence.end]
    # (``may_have_triggers`` would cost more than these tokens: matching finds the same nothing)
    tokens = Words(raw, sentence.start)
    sentence_matches = match_tokens(tokens, text)
    clauses = _asserting_clauses(text, sentence, tokens, sentence_matches) if sentence_matches else []
    if not clauses:
        # nothing happens here (or is denied, feared...): what it leaves is worked out on demand
        before = ArticleActors(actors.main_country, dict(actors.learned))
        if earlier and any(cue in raw for cue in _TOLL_CUES):  # cheaply ruled out for most
            _restate_toll(body, raw, sentence, tokens, earlier, before, locator)
        if earlier and _may_claim(raw):
            _claim_without_trigger(body, raw, sentence, earlier, before, locator)
        learn_names(body, actors)
        return _SentenceState(
            sentence.paragraph, [], set(),
            lambda: _sentence_date(dates, dates.inside(sentence.start, sentence.end)),
            lambda: _quiet_place_and_actor(body, sentence, before, locator))
    found, body = _sentence_mentions(body, sentence, actors)
    reported = is_reported(tokens)
    sentence_place = locator.specific(body, "sentence")
    sentence_country = locator.named_country(body, "sentence")
    mentions = dates.inside(sentence.start, sentence.end)  # the clauses' lie inside too
    sentence_date = _sentence_date(dates, mentions)
    new: list[EventRecord] = []
    merged: list[EventRecord] = []
    first_actor = _first_actor(found)
    for clause, first_token, asserted in clauses:
        trigger = _specific(min(asserted, key=priority), asserted)
        roles = _roles(found, clause, sentence, trigger, text, previous, new, first_actor, asserted)
        actor1, actor1_source, actor2 = roles.actor1, roles.actor1_source, roles.actor2
        clause_text = body[clause.start - sentence.start : clause.end - sentence.start]
        clause_place = locator.specific(clause_text, "clause")
        clause_date = governing_date(mentions, clause.start, clause.end, trigger.start, published, text,
                                     dates.date_of)
        own = actor1_source == "clause" and (trigger.sense.pos == "verb" or roles.from_agent)
        own_actor = actor1 if own else None
        antecedent = _antecedent(trigger, own_actor, new)
        refers_back = any(m.sense.plover == trigger.sense.plover and is_definite_noun(tokens, m, first_token)
                          for m in asserted)
        restates = _restatement(trigger, clause_text[: trigger.end - clause.start])
        if antecedent is None and restates is not None and (refers_back or restates == "claim"):
            # "JNIM claimed responsibility for the attack", "The death toll rose to 400 by Sunday":
            # the latest such event told, in any paragraph (of the place it names, if any)
            candidates = earlier if clause_place is None else [
                e for e in earlier if e.location.geonameid == clause_place.geonameid]
            if restates == "claim":  # not an attack whose attacker is known to be someone else
                candidates = [e for e in candidates if _claimable(e, roles.actor1)]
            else:
                candidates = _with_toll(candidates)
            antecedent = _antecedent(trigger, own_actor, candidates)
            if antecedent is not None and restates == "toll" and not _same_actors(roles, antecedent):
                antecedent = None  # a toll of some other actors' fighting
            if antecedent is not None:
                if restates == "claim":
                    _lend_claimant(antecedent, roles)
                merged.append(antecedent)  # the claim's or the toll's date is no date of the event
                continue
        if antecedent is None and refers_back and clause_place is None:
            antecedent = _antecedent(trigger, own_actor, _same_paragraph(earlier, sentence.paragraph))
        if antecedent is None and any(m.sense.plover == trigger.sense.plover
                                      and is_victim_reference(tokens, m, first_token) for m in asserted):
            # "Of the 12 dead, five were children": the toll of the latest such event, restated
            # (wire copy gives it a paragraph of its own); one that names its place, of that place
            place = locator.specific(body[: _victim_phrase_end(tokens, trigger) - sentence.start], "clause")
            antecedent = _antecedent(trigger, None, earlier if place is None else [
                e for e in earlier if e.location.geonameid == place.geonameid])
        if antecedent is not None:
            if antecedent.date.date_basis in (None, "publication") and clause_date is not None:
                antecedent.date, antecedent.date_level = clause_date, "clause"
            if antecedent.actor2 is None and actor2 is not None and actor2 != antecedent.actor1:
                # with its template: victims named without a country ("killing five people")
                # belong to where the event happened, not to the article's main country
                antecedent.actor2 = actor2
                antecedent.local_templates = (antecedent.local_templates[0], roles.templates[1])
            merged.append(antecedent)
            continue
        event = EventRecord(article_id, sentence, clause, trigger, reported, actor1, actor2, actor1_source)
        event.local_templates = roles.templates
        event.date, event.date_level = _choose_date(
            clause_date, sentence_date, previous, tokens, actor1, sentence.paragraph, published)
        event.location = _choose_location(
            clause_place, sentence_place, previous, tokens, actor1, sentence.paragraph
        ) or locator.named_country(clause_text, "clause") or sentence_country or Location.none()
        new.append(event)
    _attach_fatalities(raw, [*new, *merged])
    actor_names = {e.actor1.name for e in new if e.actor1} | {e.actor2.name for e in new if e.actor2}
    carried_date = sentence_date or next((e.date for e in new if e.date.date_basis != "publication"), None)
    if carried_date is None and previous is not None and new and new[0].date_level == "context":
        carried_date = previous.date
    place = sentence_place or next(
        (e.location for e in new if e.location.source in ("clause", "sentence", "context")), None)
    return _SentenceState(sentence.paragraph, new, actor_names, lambda: carried_date,
                          lambda: (place, first_actor))


_TOLL_CUES = ("toll", "Toll", "umber of")  # what every ``toll_nouns`` phrase holds


def _may_claim(text: str) -> bool:
    """Whether ``text`` may hold a ``responsibility_claims`` phrase (each has one of these)."""
    return "laim" in text or "esponsib" in text


def _restatement(trigger: TriggerMatch, leading: str) -> str | None:
    """"claim" for a claim of responsibility ("JNIM claimed responsibility for the attack|"),
    "toll" for a death toll, else None; ``leading`` is the clause's text up to the trigger's end."""
    # most clauses hold neither word: ruled out before the patterns are tried
    if _may_claim(leading) and _phrases_anywhere("responsibility_claims").search(leading):
        return "claim"
    words = trigger.text
    if any(cue in words for cue in _TOLL_CUES) and _phrases_anywhere("toll_nouns").search(words):
        return "toll"  # "death toll", "toll ... rose to"
    return None


@cache
def _phrases_anywhere(name: str) -> re.Pattern[str]:
    """A ``patterns.toml`` list of words and phrases as one pattern for ``search``."""
    phrases = sorted(patterns()[name], key=len, reverse=True)
    alternation = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases)
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


def _same_actors(roles: _Roles, event: EventRecord) -> bool:
    """Whether a toll names no actor the event lacks ("the toll of the RSF attack"); who gives
    the toll ("Police later put the death toll at 32") is before it, no participant."""
    named = (roles.actor1 if roles.from_agent else None, roles.actor2)
    return all(actor is None or actor in (event.actor1, event.actor2) for actor in named)


def _generic(event: EventRecord) -> bool:
    """Whether an event's attacker is unknown or only an armed group's head noun ("Gunmen
    killed ...": Rebels (Mali)), which a claim of responsibility may name."""
    actor = event.actor1
    return actor is None or (event.local_templates[0] is not None and actor.sector in ("rebel", "militia"))


def _claimable(event: EventRecord, claimant: Actor | None) -> bool:
    """Whether a claim of responsibility may be for the event: its attacker is unknown, generic,
    or the claimant itself (not the army's own operation told in between)."""
    return _generic(event) or (claimant is not None and event.actor1 == claimant)


def _lend_claimant(event: EventRecord, roles: _Roles) -> None:
    """A named claimant ("JNIM claimed responsibility for the attack") becomes actor1 of an
    attack whose attacker was unknown or generic ("Gunmen killed 30 soldiers ...")."""
    claimant = roles.actor1
    if (claimant is None or roles.actor1_source != "clause" or roles.templates[0] is not None
            or not _generic(event) or claimant == event.actor2):
        return
    event.actor1 = claimant
    event.local_templates = (None, event.local_templates[1])


def _restate_toll(body: str, raw: str, sentence: Segment, tokens: Words, earlier: list[EventRecord],
                  actors: ArticleActors, locator: Locator) -> None:
    """A sentence that only restates a toll ("The toll later rose to 52.") updates the latest
    violent event told (of the place it names, if any), unless it names other actors, a
    non-violent cause ("the toll from the floods") or a projection ("could rise to 100")."""
    toll = _phrases_anywhere("toll_nouns").search(raw)
    if toll is None:
        return
    lowers = tokens.lowers
    if _names_any(lowers, "nonviolent") or not set(patterns()["modal_verbs"]).isdisjoint(lowers):
        return
    count = fatalities(raw)
    if count is None:
        return
    found, blanked = _sentence_mentions(body, sentence, actors)
    # who gives the toll is named before it ("Police later put the toll at 32"); an actor named
    # after it ("the toll of the RSF attack") must be one of the event's
    named = {resolve(m, "ASSAULT") for m in found if m.kind not in ("pronoun", "modifier")
             and not m.co_actor and m.start >= sentence.start + toll.start()
             and not is_reporter(raw, _shifted(m, sentence.start))}
    place = locator.specific(blanked, "sentence")
    event = next((e for e in reversed(_with_toll(earlier)) if e.event_type == "ASSAULT"), None)
    if event is None or (place is not None and event.location.geonameid != place.geonameid) or not (
            named <= {event.actor1, event.actor2, None}):
        return
    event.fatalities = count if event.fatalities is None else max(event.fatalities, count)


def _claim_without_trigger(body: str, raw: str, sentence: Segment, earlier: list[EventRecord],
                           actors: ArticleActors, locator: Locator) -> None:
    """A claim naming its act with no trigger word ("Islamic State claimed responsibility for the
    bombing") lends its claimant, as one with a trigger does (``_lend_claimant``)."""
    claim = _phrases_anywhere("responsibility_claims").search(raw)
    if claim is None:
        return
    found, blanked = _sentence_mentions(body, sentence, actors)
    claimant = next((m for m in reversed(found) if m.end <= sentence.start + claim.start()
                     and m.kind not in ("pronoun", "modifier", "local") and not m.co_actor
                     and not m.passive_agent), None)
    if claimant is None:
        return
    actor = resolve(claimant, "ASSAULT")
    place = locator.specific(blanked, "sentence")
    event = next((e for e in reversed(earlier) if e.event_type == "ASSAULT" and _claimable(e, actor)
                  and (place is None or e.location.geonameid == place.geonameid)), None)
    if event is not None:
        _lend_claimant(event, _Roles(actor, "clause", None, False, (None, None)))


def _with_toll(events: list[EventRecord]) -> list[EventRecord]:
    """The violent events that stated a toll, if any did: a toll that "rose to 52" revises one
    (not a restated "the strike hit a gathering" told in between)."""
    tolled = [e for e in events if e.event_type == "ASSAULT" and e.fatalities is not None]
    return tolled or events


def _shifted(mention: Mention, offset: int) -> Mention:
    """The mention with offsets into the sentence rather than the article."""
    return replace(mention, start=mention.start - offset, end=mention.end - offset)


def _victim_phrase_end(tokens: Words, trigger: TriggerMatch) -> int:
    """Where the noun phrase of a victim reference ends: "the 12 killed in Kharkiv| included"."""
    ends = patterns()["victim_reference_ends"]
    index = trigger.last_token + 1
    while index < len(tokens) and tokens.lowers[index] not in ends:
        index += 1
    return tokens.end(index - 1)


def _asserting_clauses(
    text: str, sentence: Segment, tokens: Words, matches: list[TriggerMatch],
) -> list[tuple[Segment, int, list[TriggerMatch]]]:
    """The clauses with a trigger reporting something done: (clause, its first token, those triggers)."""
    found = []
    for clause in split_clauses(text, sentence):
        first_token = tokens.index_at(clause.start)  # offsets found only as far as asked
        asserted = [m for m in matches if clause.start <= m.start < clause.end
                    and assess(tokens, m, first_token) == "asserted"]
        if asserted and any(map(needs_cause, asserted)):
            # "Floods killed 30", "died at the age of 92": no political violence
            span = (first_token, tokens.index_at(clause.end))
            asserted = [m for m in asserted if not nonviolent_death(tokens, m, matches, span)]
        if asserted:
            found.append((clause, first_token, asserted))
    return found


def _same_paragraph(earlier: list[EventRecord], paragraph: int) -> list[EventRecord]:
    """The earlier events of ``paragraph``: the last ones, as sentences come in text order."""
    first = len(earlier)
    while first > 0 and earlier[first - 1].sentence.paragraph == paragraph:
        first -= 1
    return earlier[first:]


def _sentence_mentions(body: str, sentence: Segment, actors: ArticleActors) -> tuple[list[Mention], str]:
    """The sentence's actor mentions (text offsets), and its text with organizations blanked:
    an organization's name is no place ("Kiev forces shelled Luhansk" happened in Luhansk)."""
    found = find_mentions(body, actors, sentence.start)
    for mention in found:
        if mention.kind == "org":
            size = mention.end - mention.start
            local = mention.start - sentence.start
            body = body[:local] + " " * size + body[local + size :]
    return found, body


def _sentence_date(dates: DateMentions, mentions: list[MentionRow]) -> EventDate | None:
    """The first of a sentence's date mentions (rows of ``dates``) that gives an event date."""
    return next((d for d in map(dates.date_of, mentions) if d), None)


def _first_actor(found: list[Mention]) -> Actor | None:
    return next((resolve(m, None) for m in found if m.kind not in ("pronoun", "modifier")), None)


def _quiet_place_and_actor(
    body: str, sentence: Segment, actors: ArticleActors, locator: Locator,
) -> tuple[Location | None, Actor | None]:
    """Place and first actor of a sentence without triggers (``actors`` as it stood then)."""
    found, body = _sentence_mentions(body, sentence, actors)
    return locator.specific(body, "sentence"), _first_actor(found)


@dataclass(frozen=True)
class _Roles:
    """actor1 and actor2 of a clause's event, and how actor1 was found."""

    actor1: Actor | None
    actor1_source: str  # clause | inherited | none
    actor2: Actor | None
    from_agent: bool  # actor1 is the agent of a noun trigger ("the Russian advances")
    templates: tuple[str | None, str | None]  # for local actors named without a country


def _roles(
    found: list[Mention], clause: Segment, sentence: Segment, trigger: TriggerMatch, text: str,
    previous: _SentenceState | None, new: list[EventRecord], first_actor: Actor | None,
    asserted: list[TriggerMatch] | None = None,
) -> _Roles:
    """Resolve the clause's actor mentions; a clause without a subject inherits the sentence's."""
    actor1_mention, actor2_mention, from_agent = _clause_actors(found, clause, trigger, text, asserted)
    actor1 = _resolve_pronoun(actor1_mention, previous, new) or (
        resolve(actor1_mention, trigger.sense.plover) if actor1_mention else None)
    source = "clause" if actor1 is not None else "none"
    inherited_template: str | None = None
    if actor1 is None and new:
        actor1, source = new[-1].actor1, "inherited"
        # "Gunmen attacked ..., and later burned ...": still re-homed where this event happened
        inherited_template = new[-1].local_templates[0]
    elif actor1 is None and first_actor is not None and clause.start > sentence.start:
        # the sentence's first actor before this clause that acted: not the clause's own victims
        # ("A Russian drone crashed ..., killing two people"), nor a report's source
        earlier = next((m for m in found if m.end <= clause.start and m.kind not in ("pronoun", "modifier")
                        and not is_reporter(text, m) and not is_patient(text, m)), None)
        if earlier is not None:
            actor1, source = resolve(earlier, None), "inherited"
    elif actor1_mention is not None and actor1_mention.kind == "pronoun":
        source = "inherited"
    actor2 = resolve(actor2_mention, trigger.sense.plover) if actor2_mention else None
    templates = (
        actor1_mention.template if actor1_mention is not None and source == "clause"
        else inherited_template,
        actor2_mention.template if actor2_mention is not None else None,
    )
    if actor1_mention is not None and source == "clause" and _pro_government(actor1_mention, found, text):
        # "Gunmen loyal to the former government ambushed ...": a militia, not the government
        template = patterns()["allegiance_template"]
        actor1 = actor_from_template(template, "militia", actor1_mention.country)
        templates = (template if actor1_mention.template is not None else None, templates[1])
    return _Roles(actor1, source, actor2, from_agent, templates)


def _pro_government(mention: Mention, found: list[Mention], text: str) -> bool:
    """Whether armed men are named with their allegiance to a government, its army or leader
    ("gunmen loyal to the former government", "fighters allied with the army")."""
    if mention.actor is None or mention.actor.sector != "rebel":
        return False
    pledge = _phrases_at_start("allegiance_phrases").match(text, mention.end)
    if pledge is None:
        return False
    window = text[pledge.end() : pledge.end() + 50]
    words = [w.strip(".,;:'’").lower() for w in window.split()[:5]]
    if any(w in patterns()["allegiance_government_words"] for w in words):
        return True
    limit = pledge.end() + len(" ".join(window.split()[:5])) + 1
    return any(m.actor is not None and m.actor.sector in ("government", "military", "police")
               and pledge.end() <= m.start < limit for m in found)


def _choose_date(
    clause_date: EventDate | None, sentence_date: EventDate | None,
    previous: _SentenceState | None, tokens: Words, actor1: Actor | None,
    paragraph: int, published: date | None,
) -> tuple[EventDate, str]:
    if clause_date is not None:
        return clause_date, "clause"
    if sentence_date is not None:
        return sentence_date, "sentence"
    # whether the story continues first: a quiet sentence's date is worked out only if it counts
    if previous is not None and _continues(tokens, actor1, previous, paragraph) and previous.date is not None:
        return carried_over(previous.date), "context"
    return publication_date(published), "publication"


def _choose_location(
    clause_place: Location | None, sentence_place: Location | None,
    previous: _SentenceState | None, tokens: Words, actor1: Actor | None, paragraph: int,
) -> Location | None:
    if clause_place is not None:
        return clause_place
    if sentence_place is not None:
        return sentence_place
    # whether the story continues first: a quiet sentence's place (its actor mentions and a
    # geo look-up) is worked out only if it counts
    if previous is not None and _continues(
        tokens, actor1, previous, paragraph
    ) and previous.location is not None:
        return replace(previous.location, source="context")
    return None


def _attach_fatalities(sentence_text: str, events: list[EventRecord]) -> None:
    """The sentence's stated death count goes to its first violent event (new or referred to)."""
    target = next((e for e in events if e.event_type == "ASSAULT"), None)
    if target is None:  # the count would go nowhere: no need to read it
        return
    count = fatalities(sentence_text)
    if count is None:
        return
    target.fatalities = count if target.fatalities is None else max(target.fatalities, count)


def extract_events(articles: pd.DataFrame, mentions: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The ``events`` table of a batch of articles, and the problems met on the way."""
    rows, problems = event_rows(_records(articles), [] if mentions is None else _records(mentions))
    return events_frame(rows), problems


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def event_rows(
    articles: Iterable[Mapping[str, Any]], mentions: Iterable[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """``events`` rows of article rows and their ``date_mentions`` rows, in the table's order.

        >>> rows, _ = event_rows([{"article_id": "a", "text": "Troops shelled Kharkiv.",
        ...                        "published": date(2024, 12, 17)}], [])
        >>> rows[0]["event_type"], rows[0]["location"]
        ('ASSAULT', 'Kharkiv')
    """
    problems: list[Problem] = []
    by_article = mention_rows_by_article(mentions)
    rows: list[dict[str, Any]] = []
    for record in articles:
        article = {str(key): value for key, value in record.items()}
        article_id = str(article["article_id"])
        if reference_day(article) is None:
            problems.append(Problem(
                _cell(article.get("input_file")), None, article_id, STAGE, "warning", "no_reference_date",
                "the article has no publication date: events without a date of their own are undated"))
        language = (_cell(article.get("language")) or "en").lower()
        if language != "en":
            problems.append(Problem(
                _cell(article.get("input_file")), None, article_id, STAGE, "warning", "unsupported_language",
                f"events are extracted from English text only; this article is {language!r}"))
            continue
        text = _cell(article.get("text")) or ""
        for event in detect_article(article, by_article.get(article_id, []), problems):
            rows.append(event.row(text))
    rows.sort(key=lambda r: (r["article_id"], r["start"], r["trigger_start"], r["event_id"]))
    return rows, problems


def events_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly the ``events`` columns and types, in the table's order."""
    frame = pd.DataFrame(rows, columns=EVENTS.names)
    for column in ("start", "end", "trigger_start", "trigger_end", "time_precision",
                   "geo_precision", "geonameid", "fatalities"):
        frame[column] = frame[column].astype("Int64")
    for column in ("latitude", "longitude", "confidence"):
        frame[column] = frame[column].astype("float64")
    for column in ("event_date", "date_start", "date_end"):
        frame[column] = frame[column].astype("object")
    frame = frame.sort_values(["article_id", "start", "trigger_start", "event_id"], kind="stable")
    return frame.reset_index(drop=True)
