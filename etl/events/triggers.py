"""Find event triggers in a clause and decide whether each reports something that happened.

Matching is longest-first over lowercase words, so "seized ... weapons" beats "seized" and an
idiom ("heart attack", ``IGNORE`` in the lexicon) silences the word it contains.

    >>> [(m.text, m.sense.plover) for m in find_triggers("Troops shelled the town.")]
    [('shelled', 'ASSAULT')]
    >>> assess(word_tokens(s := "Russia denied attacking the convoy."), find_triggers(s)[-1])
    'negated'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress, count
from typing import Any

from etl.events.resources import (
    GAP,
    MAX_GAP_WORDS,
    TriggerForm,
    TriggerSense,
    fatality_patterns,
    lexicon,
    modality,
    patterns,
    read_toml,
)
from etl.events.text import Token, Words, word_tokens
from etl.wordlists import literal_alternation

IGNORE = "IGNORE"

# The rules read tokens as ``Words`` (parallel lists); ``word_tokens`` lists are accepted too.
Tokens = Words | Sequence[Token]


def as_words(tokens: Tokens) -> Words:
    """``tokens`` as ``Words``: ``as_words(word_tokens("a b")).lowers == ['a', 'b']``."""
    return tokens if isinstance(tokens, Words) else Words.of_tokens(tokens)


@cache
def _words(name: str) -> frozenset[str]:
    """A word list of ``patterns.toml``."""
    return frozenset(patterns()[name])


@cache
def _cue_words(name: str) -> frozenset[str]:
    """A one-word cue list of ``modality.toml`` as a set."""
    return frozenset(modality()[name])


def type_priority() -> tuple[str, ...]:
    """PLOVER types, most material and conflictual first (``modality.toml``)."""
    return tuple(modality()["type_priority"])


@dataclass(frozen=True)
class TriggerMatch:
    """A trigger found in text: its sense, offsets, and the token indexes it covers."""

    sense: TriggerSense
    text: str
    start: int
    end: int
    first_token: int
    last_token: int  # inclusive


def _match_form(form: TriggerForm, tokens: Words, at: int) -> int | None:
    """Index of the last token matched by ``form`` starting at ``at``, or None."""
    lowers, size = tokens.lowers, len(tokens.lowers)
    position, index, words = at, 0, form.words
    while index < len(words):
        if words[index] == GAP:  # a form never ends with a gap
            following = words[index + 1]
            for skip in range(MAX_GAP_WORDS + 1):
                probe = position + skip
                if probe >= size:
                    return None
                if lowers[probe] == following:
                    position, index = probe + 1, index + 2
                    break
                if not tokens.texts[probe][0].isalnum():  # a gap never crosses punctuation
                    return None
            else:
                return None
            continue
        if position >= size or lowers[position] != words[index]:
            return None
        position, index = position + 1, index + 1
    return position - 1


@cache
def _first_words() -> re.Pattern[str]:
    """Any word that opens a trigger form, as a whole word of lower-cased text."""
    return re.compile(rf"(?<!\w)(?:{literal_alternation(lexicon().by_first_word)})(?!\w)")


def may_have_triggers(text: str) -> bool:
    """False when no word of ``text`` opens a trigger, so ``match_tokens`` would find none.

        >>> may_have_triggers("The weather was mild in Geneva."), may_have_triggers("Troops shelled it.")
        (False, True)
    """
    return _first_words().search(text.lower().replace("’", "'")) is not None


def match_tokens(tokens: Tokens, text: str, offset: int = 0) -> list[TriggerMatch]:
    """Non-overlapping trigger matches over tokens, longest first at each position, idioms dropped."""
    words = as_words(tokens)
    lowers, texts = words.lowers, words.texts
    by_first = lexicon().by_first_word
    found: list[TriggerMatch] = []
    at = 0
    # most words start no trigger: only the positions of those that may are visited (found
    # by iterators in C), in order, each once the matches before it have ended
    for here in compress(count(), map(by_first.__contains__, lowers)):
        if here < at:
            continue
        at = here
        forms = by_first[lowers[at]]
        if not forms:
            continue
        best: tuple[int, TriggerForm] | None = None
        wanted: str | None = None  # worked out when two forms tie
        for form in forms:
            # a one-word form is the word looked up: it matches here
            last = at if len(form.words) == 1 else _match_form(form, words, at)
            if last is None:
                continue
            if best is None or last > best[0]:
                best = (last, form)
            elif last == best[0]:
                # equal length, both parts of speech ("strikes", "attack"): the word before decides
                if wanted is None:
                    wanted = ("noun" if at > 0 and _opens_noun_phrase(texts[at - 1], lowers[at - 1])
                              else "verb")
                if form.sense.pos == wanted != best[1].sense.pos:
                    best = (last, form)
        # "its appeal", "a shell": after a determiner a verb-only form is no trigger
        if (best is not None and best[1].sense.pos == "verb" and best[1].sense.plover != IGNORE
                and at > 0 and _determines(lowers[at - 1])):
            best = None
        if best is not None and lowers[at] in _words("capitalized_non_triggers") and _name_like(texts, at):
            best = None
        if best is None:
            at += 1
            continue
        last, form = best
        start, end = words.start(at), words.end(last)  # the offsets up to here, not the sentence's
        if form.sense.plover != IGNORE:
            found.append(TriggerMatch(
                form.sense, text[start - offset : end - offset], start, end, at, last))
        at = last + 1
    return found


def _name_like(texts: list[str], at: int) -> bool:
    """A capitalized word (not all caps) opening the text or before another capitalized word."""
    word = texts[at]
    if not word[:1].isupper() or word.isupper():
        return False
    return at == 0 or (at + 1 < len(texts) and texts[at + 1][:1].isupper())


def _determines(lower: str) -> bool:
    """A determiner or possessive right before a word makes it a noun ("its appeal")."""
    return lower in _words("noun_determiners") or lower.endswith("'s")


def _opens_noun_phrase(text: str, lower: str) -> bool:
    """A determiner, possessive, preposition, number or adjective-like word before a noun."""
    return text[:1].isupper() or _opens_noun_phrase_word(lower)


@lru_cache(maxsize=1 << 16)
def _opens_noun_phrase_word(word: str) -> bool:
    # cached per word (bounded: a long run meets an open vocabulary); common words recur in
    # every sentence
    return (word in _words("determiners") or word.endswith("'s") or word in _words("noun_openers")
            or word.isdigit() or (word.endswith(("ed", "al", "ive", "ic", "ing")) and len(word) > 4))


def find_triggers(text: str) -> list[TriggerMatch]:
    """Trigger matches in a piece of text (offsets relative to it)."""
    return match_tokens(Words(text), text)


@cache
def _cues(name: str) -> tuple[tuple[str, ...], ...]:
    """A cue list of ``modality.toml`` as word tuples, longest first."""
    phrases = [tuple(t.lower for t in word_tokens(cue)) for cue in modality()[name]]
    return tuple(sorted(phrases, key=len, reverse=True))


PhraseIndex = dict[str, tuple[tuple[str, ...], ...]]


def _by_first_word(phrases: Iterable[tuple[str, ...]]) -> PhraseIndex:
    """Word-tuple phrases keyed by their first word, in their order: one dict lookup per word."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(listed) for first, listed in index.items()}


def _holds_phrase(words: list[str], by_first: PhraseIndex) -> bool:
    """Whether ``words`` hold one of the indexed phrases, word for word.

        _holds_phrase(["did", "not", "strike"], {"not": (("not",),)})  # True
    """
    if not any(map(by_first.__contains__, words)):  # the usual answer, found in C
        return False
    return any(tuple(words[index : index + len(phrase)]) == phrase
               for index, word in enumerate(words) for phrase in by_first.get(word, ()))


@cache
def _cues_by_first(name: str) -> PhraseIndex:
    """The cues of ``_cues(name)`` keyed by their first word."""
    return _by_first_word(_cues(name))


def _has_cue(words: list[str], name: str) -> bool:
    return _holds_phrase(words, _cues_by_first(name))


def is_definite_noun(tokens: Tokens, match: TriggerMatch, clause_first: int = 0) -> bool:
    """A noun trigger after the/this/their/X's within three words: presupposed to have happened."""
    if match.sense.pos != "noun":
        return False
    definite = _cue_words("definite")
    for lower in as_words(tokens).lowers[max(clause_first, match.first_token - 3) : match.first_token]:
        if lower in definite or lower.endswith("'s"):
            return True
    return False


@cache
def _numbers() -> frozenset[str]:
    """Number words ("twelve", "dozen") of ``fatalities.toml``, one word each."""
    return frozenset(w for phrase in fatality_patterns()["numbers"] for w in phrase.split())


def is_victim_reference(tokens: Tokens, match: TriggerMatch, clause_first: int = 0) -> bool:
    """A death word naming the victims of an event already told: "Of the 12 dead", "the 12
    people killed included", "those killed". It restates a toll and reports no new event.

        >>> w = word_tokens(s := "Of the 12 dead, five were children.")
        >>> is_victim_reference(w, find_triggers(s)[0])
        True
    """
    words = as_words(tokens)
    lowers = words.lowers
    if match.first_token != match.last_token or lowers[match.first_token] not in _words(
            "victim_reference_forms"):
        return False
    index = match.first_token - 1
    noun = False
    if index >= clause_first and lowers[index] == "who":  # "those who died"
        index -= 1
    elif index >= clause_first and lowers[index].isalpha() and lowers[index] not in _numbers() and (
            lowers[index] not in _words("victim_reference_openers")):
        noun, index = True, index - 1  # "the 12 people killed"
    while index >= clause_first and (lowers[index].isdigit() or lowers[index] in _numbers()
                                     or lowers[index] == ","):
        index -= 1
    if index < clause_first or lowers[index] not in _words("victim_reference_openers"):
        return False
    following = match.last_token + 1
    return not noun or following >= len(lowers) or lowers[following] in _words(
        "victim_reference_followers")


@cache
def _cause_phrases(name: str) -> PhraseIndex:
    """A phrase list of ``causes.toml`` as lower-case word tuples keyed by their first word."""
    return _by_first_word(tuple(t.lower for t in word_tokens(phrase))
                          for phrase in read_toml("causes.toml")[name])


def _names_any(lowers: list[str], name: str) -> bool:
    """Whether ``lowers`` hold one of the phrases of the ``causes.toml`` list ``name``."""
    return _holds_phrase(lowers, _cause_phrases(name))


@cache
def _needs_cause_forms() -> frozenset[str]:
    return frozenset(read_toml("causes.toml")["needs_cause"])


def needs_cause(match: TriggerMatch) -> bool:
    """A generic death or harm trigger ("killed", "struck"): violence only with a violent cause."""
    return match.sense.plover == "ASSAULT" and " ".join(match.text.lower().split()) in _needs_cause_forms()


def nonviolent_death(tokens: Tokens, match: TriggerMatch, matches: Sequence[TriggerMatch],
                     clause: tuple[int, int]) -> bool:
    """Whether a generic death trigger reports a death by flood, crash, disease or old age:
    its clause (tokens ``clause[0]:clause[1]``), or its sentence, names such a cause and no
    violent agent, weapon or other violent trigger. ACLED and UCDP code no such deaths.

        >>> w = Words(s := "Floods killed 30 people in Maiduguri.")
        >>> nonviolent_death(w, (m := match_tokens(w, s))[0], m, (0, len(w)))
        True
    """
    if not needs_cause(match):
        return False
    lowers = as_words(tokens).lowers

    def violent(first: int, last: int) -> bool:
        return _names_any(lowers[first:last], "violent") or any(
            other.sense.plover == "ASSAULT" and first <= other.first_token < last
            and not needs_cause(other) and not is_refiner(other) for other in matches)

    first, last = clause
    if _names_any(lowers[first:last], "nonviolent") and not violent(first, last):
        return True
    return _names_any(lowers, "nonviolent") and not violent(0, len(lowers))


def _infinitive_before(tokens: Words, first: int, last: int, clause_first: int) -> bool:
    """A "to <verb>" between ``first`` and ``last`` whose verb is not after continue/begin,
    in a clause that does not say what was used ("used tear gas to disperse")."""
    lowers, texts = tokens.lowers, tokens.texts
    factive = _cue_words("factive_to")
    instrumental = _cue_words("instrumental")
    if "to" not in lowers[first:last]:  # the usual answer, found in C
        return False
    if not instrumental.isdisjoint(lowers[clause_first:last]):
        return False
    for index in range(first, last):
        if lowers[index] != "to" or index + 1 > last:
            continue
        if index + 1 >= len(lowers):
            continue
        following = texts[index + 1]
        if not following.isalpha() or not following.islower():
            continue
        if lowers[index + 1] in _words("determiners"):
            continue
        if index > 0 and lowers[index - 1] in factive:
            continue
        return True
    return False


def assess(tokens: Tokens, match: TriggerMatch, clause_first: int = 0) -> str:
    """``asserted``, ``negated`` or ``irrealis`` from cues before the trigger in its clause;
    ``other_sense`` for a trigger word that reports no event here ("demonstrated that",
    "captured Allied tanks"); a weapon ("warplanes") is assessed as the trigger it refines.

        assess(Words("US warplanes did not hit the port."), <"warplanes">)  # 'negated'
    """
    words = as_words(tokens)
    if is_refiner(match):
        refined = refined_trigger(words, match, clause_first)
        return "other_sense" if refined is None else assess(words, refined, clause_first)
    if other_sense(words, match, clause_first):
        return "other_sense"
    lowers, texts = words.lowers, words.texts
    window = int(modality()["window"])
    first = max(clause_first, match.first_token - window)
    # "vowed to keep fighting and rejected calls": a past-tense verb after "and" is a new
    # predicate, out of the earlier cue's scope ("could attack and kill" stays in it)
    previous = lowers[match.first_token - 1] if match.first_token > first else ""
    past = match.sense.pos == "verb" and lowers[match.first_token].endswith("ed")
    if previous in ("and", "but") and past:
        first = match.first_token
    # a capitalized word after the first is a name or month ("May 13"), never a cue
    before = [lowers[index] if index == 0 or not texts[index][:1].isupper() else ""
              for index in range(first, match.first_token)]
    presupposed = is_definite_noun(words, match, clause_first)
    if match.sense.pos == "noun" and not presupposed:
        # "A larger offensive might provoke ...": an indefinite subject of a modal is hypothetical
        following = lowers[match.last_token + 1 : match.last_token + 3]
        if any(word in _words("modal_verbs") for word in following):
            return "irrealis"
    if not presupposed:
        if any(w.endswith("n't") for w in before) or _has_cue(before, "negation"):
            return "negated"
        if _has_cue(before, "irrealis") or _infinitive_before(words, first, match.first_token, clause_first):
            return "irrealis"
    return "asserted"


def is_reported(tokens: Tokens) -> bool:
    """Whether the sentence attributes what it says to a source ("said", "reportedly")."""
    return _has_cue(as_words(tokens).lowers, "reported")


def priority(match: TriggerMatch) -> tuple[int, int, int, int]:
    """Sort key choosing a clause's trigger: verbs first, then intensity, then position; a
    weapon that refines a verb (asserted only then) counts as a verb and goes before it."""
    rank = type_priority().index(match.sense.plover)
    refiner = is_refiner(match)
    return (0 if refiner or match.sense.pos == "verb" else 1, rank, 0 if refiner else 1, match.start)


# --- senses that report no event, and weapons that refine a generic trigger (senses.toml) ---


@cache
def _senses() -> dict[str, Any]:
    return read_toml("senses.toml")


@dataclass(frozen=True)
class _SenseRule:
    """One ``[[sense]]`` of ``senses.toml``: the contexts selecting a trigger's other sense."""

    next: frozenset[str]
    objects: frozenset[str]
    within: int
    heads_before: frozenset[str]
    passive_next: frozenset[str]
    needs_later: frozenset[str]
    bare_next: frozenset[str]


@cache
def _sense_rules() -> dict[tuple[str, ...], _SenseRule]:
    """The ``[[sense]]`` rules keyed by the lower-case words of each trigger form they cover."""
    rules: dict[tuple[str, ...], _SenseRule] = {}
    for entry in _senses()["sense"]:
        def words(key: str, entry: dict[str, Any] = entry) -> frozenset[str]:
            return frozenset(entry.get(key, ()))

        rule = _SenseRule(words("next"), words("objects"), int(entry.get("within", 0)),
                          words("heads_before"), words("passive_next"), words("needs_later"),
                          words("bare_next"))
        for form in entry["forms"]:
            rules[tuple(t.lower for t in word_tokens(form))] = rule
    return rules


@cache
def _section(name: str) -> dict[str, frozenset[str]]:
    """A table of ``senses.toml`` with its word lists as sets (numbers left out)."""
    return {key: frozenset(value) for key, value in _senses()[name].items() if isinstance(value, list)}


def _auxiliary_before(lowers: list[str], first: int, clause_first: int) -> bool:
    """A be/have/get auxiliary among the two words before ``first`` ("was also accused")."""
    auxiliaries = _section("participles")["auxiliaries"]
    return any(word in auxiliaries for word in lowers[max(clause_first, first - 2) : first])


def other_sense(tokens: Tokens, match: TriggerMatch, clause_first: int = 0) -> bool:
    """Whether a trigger word is used in a sense that reports no event of its type.

        >>> s = "The attacks demonstrated that the militants were well armed."
        >>> other_sense(Words(s), find_triggers(s)[-1])
        True
    """
    words = as_words(tokens)
    lowers = words.lowers
    first, last = match.first_token, match.last_token
    rule = _sense_rules().get(tuple(lowers[first : last + 1]))
    if rule is not None and _rule_applies(words, rule, first, last, clause_first):
        return True
    if match.sense.pos == "verb" and first == last and _attributive(words, first):
        return True
    noun = match.sense.pos == "noun"
    if (noun or lowers[last].endswith("ing")) and _generic(words, first):  # "the art of fighting"
        return True
    return noun and is_definite_noun(words, match, clause_first) and _evaluated(words, last)


def _rule_applies(words: Words, rule: _SenseRule, first: int, last: int, clause_first: int) -> bool:
    lowers, texts = words.lowers, words.texts
    following = lowers[last + 1] if last + 1 < len(lowers) else ""
    if following in rule.next:
        return True
    if rule.objects:
        for index in range(last + 1, min(len(lowers), last + 1 + rule.within)):
            if not texts[index][0].isalnum():  # the object ends at punctuation
                break
            if lowers[index] in rule.objects:
                return True
    if first > clause_first and lowers[first - 1] in rule.heads_before:
        return True
    passive = first > clause_first and lowers[first - 1] in _section("participles")["auxiliaries"]
    if rule.passive_next and passive and following not in rule.passive_next:
        return True
    if rule.needs_later and not (passive and following in rule.passive_next) and rule.needs_later.isdisjoint(
            lowers[last + 1 : last + 13]):
        return True
    if following in rule.bare_next and not _auxiliary_before(lowers, first, clause_first) and (
            _section("participles")["relatives"].isdisjoint(lowers[max(clause_first, first - 4) : first])):
        # "accused by rights groups of ...": an agent makes it an act after all; so does a
        # subject after a fronted object ("an attempt, which Saddam Hussein blamed on Iran")
        rest = lowers[last + 1 :]
        end = next((i for i, w in enumerate(rest) if w in (";", ".")), len(rest))
        return "by" not in rest[:end]
    return False


def _attributive(words: Words, at: int) -> bool:
    """A one-word verb trigger in -ed/-en describing the noun after it: "in occupied Crimea",
    "employed captured Allied tanks" (a preposition or a past verb before it)."""
    lowers, texts = words.lowers, words.texts
    word = lowers[at]
    if at == 0 or not word.endswith(("ed", "en")):
        return False
    section = _section("attributive")
    before = lowers[at - 1]
    if before in section["prepositions"]:
        return True
    if (not before.endswith("ed") or len(before) < 4 or before in section["not_verbs"]
            or not texts[at - 1].islower()):
        return False
    following = texts[at + 1] if at + 1 < len(texts) else ""
    return following.isalpha() and lowers[at + 1] not in section["not_nouns"] and (
        lowers[at + 1] not in section["prepositions"])


def _generic(words: Words, first: int) -> bool:
    """A noun trigger inside "<generic noun> of ..." ("an age of ... artillery fire", "examples
    of a strategic withdrawal", "the anniversary of the massacre"): a kind of act, no act.
    The scan back may cross the clause's start: ", and" also joins the nouns of a list."""
    lowers, texts = words.lowers, words.texts
    low = max(0, first - int(_senses()["generic"]["within"]))
    skills = _section("generic")["skill_heads"]
    if "of" not in lowers[low:first] and skills.isdisjoint(lowers[low:first]):  # the usual answer
        return False
    heads, stops = _section("generic")["heads"], _section("generic")["stops"]
    determiners = _words("determiners")
    for index in range(first - 1, low - 1, -1):
        word = lowers[index]
        if word == "of":
            return index > 0 and lowers[index - 1] in heads
        if word in ("at", "in") and index > 0 and lowers[index - 1] in skills:
            return True
        if word in stops:
            return False
        if word == "," and index + 1 < first:
            after = index + 2 if lowers[index + 1] in ("and", "or") and index + 2 < first else index + 1
            if lowers[after] in determiners or not texts[after].islower():
                return False  # "fears of escalation, (and) a Russian offensive ...": a new phrase
    return False


def _evaluated(words: Words, last: int) -> bool:
    """A definite noun trigger that is the subject of a verb of showing ("The attacks
    demonstrated that ...", "Their offensive had proved ..."): it is judged, not reported."""
    verbs = _section("evaluated")["verbs"]
    lowers = words.lowers
    for index in range(last + 1, min(len(lowers), last + 4)):
        if lowers[index] in verbs:
            return True
        if lowers[index] not in _section("evaluated")["between"]:
            return False
    return False


@cache
def _refiner_forms() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t.lower for t in word_tokens(form)) for form in _senses()["refiners"]["forms"])


@cache
def _refinable_forms() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t.lower for t in word_tokens(form)) for form in _senses()["refiners"]["refinable"])


def is_refiner(match: TriggerMatch) -> bool:
    """A weapon noun ("warplanes", "suicide vest") that only refines a trigger next to it."""
    return (match.sense.pos == "noun" and match.sense.plover == "ASSAULT"
            and match.sense.acled_event_type == "Explosions/Remote violence" and _refiner_text(match.text))


@lru_cache(maxsize=1 << 12)
def _refiner_text(text: str) -> bool:
    return tuple(t.lower for t in word_tokens(text.replace("’", "'"))) in _refiner_forms()


def _form_at(words: Words, at: int) -> TriggerMatch | None:
    """The longest lexicon form starting at token ``at`` (any sense), as a match without text."""
    best: tuple[int, TriggerForm] | None = None
    for form in lexicon().by_first_word.get(words.lowers[at], ()):
        last = at if len(form.words) == 1 else _match_form(form, words, at)
        if last is not None and (best is None or last > best[0]):
            best = (last, form)
    return None if best is None else TriggerMatch(best[1].sense, "", 0, 0, at, best[0])


def _refinable(words: Words, match: TriggerMatch | None) -> bool:
    """A generic ASSAULT trigger ("struck", "killed", "attack") or an explosion verb."""
    if match is None or match.sense.plover != "ASSAULT":
        return False
    if match.sense.acled_event_type == "@victim":
        return True
    return match.sense.pos == "verb" and tuple(
        words.lowers[match.first_token : match.last_token + 1]) in _refinable_forms()


def refined_trigger(tokens: Tokens, match: TriggerMatch, clause_first: int = 0) -> TriggerMatch | None:
    """The generic trigger a weapon refines: the verb it is the subject of ("US warplanes
    struck"), or the trigger it is the instrument or, for an explosion, the object of
    ("killed by a drone", "attacked the base with rockets", "detonated a suicide vest").

        >>> s = "US warplanes struck the port."
        >>> refined_trigger(Words(s), find_triggers(s)[0]).last_token
        2
    """
    words = as_words(tokens)
    lowers, texts = words.lowers, words.texts
    section = _senses()["refiners"]
    gap = int(section["gap"])
    passive, instrument, between = (_section("refiners")[key] for key in ("passive", "instrument", "between"))
    # subject: the weapon, then at most ``gap`` words (other weapons, adverbs, auxiliaries)
    index = match.last_token + 1
    while index < len(lowers) and index <= match.last_token + 1 + gap and texts[index][0].isalnum():
        if lowers[index] in passive:  # "a jet was hit": the weapon suffered
            break
        found = _form_at(words, index)
        if found is not None:
            if _refinable(words, found) and (found.sense.pos == "verb" or index == match.last_token + 1):
                return found
            if not is_refiner(TriggerMatch(found.sense, " ".join(lowers[index : found.last_token + 1]),
                                           0, 0, index, found.last_token)):
                break
            index = found.last_token + 1
            continue
        if lowers[index] not in between:  # "bomb disposal squad": the weapon names something else
            break
        index += 1
    # instrument or object: a trigger, then at most ``gap`` words (and "by"/"with"), the weapon
    index = match.first_token - 1
    low = max(clause_first, match.first_token - 2 * gap - 2)
    while index >= low and texts[index][0].isalnum():
        if lowers[index] in instrument:
            for start in range(index - 1, max(low, index - gap - 2) - 1, -1):
                if not texts[start][0].isalnum():
                    break
                found = _form_at(words, start)
                if _refinable(words, found) and found is not None and found.last_token < index and (
                        lowers[index] != "by" or found.last_token == index - 1):
                    return found
            return None
        if index >= match.first_token - gap - 1:
            found = _form_at(words, index)
            if (found is not None and found.last_token < match.first_token and _refinable(words, found)
                    and found.sense.acled_event_type != "@victim"):
                return found  # "detonated a suicide vest", "blew up a car bomb"
        index -= 1
    return None
