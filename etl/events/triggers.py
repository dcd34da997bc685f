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
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.events.resources import (
    GAP,
    MAX_GAP_WORDS,
    TriggerForm,
    TriggerSense,
    lexicon,
    modality,
    patterns,
)
from etl.events.text import Token, word_tokens
from etl.wordlists import literal_alternation

IGNORE = "IGNORE"


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


def _match_form(form: TriggerForm, tokens: list[Token], at: int) -> int | None:
    """Index of the last token matched by ``form`` starting at ``at``, or None."""
    position, index, words = at, 0, form.words
    while index < len(words):
        if words[index] == GAP:  # a form never ends with a gap
            following = words[index + 1]
            for skip in range(MAX_GAP_WORDS + 1):
                probe = position + skip
                if probe >= len(tokens):
                    return None
                if tokens[probe].lower == following:
                    position, index = probe + 1, index + 2
                    break
                if not tokens[probe].text[0].isalnum():  # a gap never crosses punctuation
                    return None
            else:
                return None
            continue
        if position >= len(tokens) or tokens[position].lower != words[index]:
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


def match_tokens(tokens: list[Token], text: str, offset: int = 0) -> list[TriggerMatch]:
    """Non-overlapping trigger matches over tokens, longest first at each position, idioms dropped."""
    by_first = lexicon().by_first_word
    found: list[TriggerMatch] = []
    at = 0
    while at < len(tokens):
        forms = by_first.get(tokens[at].lower)
        if not forms:  # most words start no trigger
            at += 1
            continue
        best: tuple[int, TriggerForm] | None = None
        wanted = "noun" if at > 0 and _opens_noun_phrase(tokens[at - 1]) else "verb"
        for form in forms:
            last = _match_form(form, tokens, at)
            if last is None:
                continue
            # equal length, both parts of speech ("strikes", "attack"): the word before decides
            if best is None or last > best[0] or (
                last == best[0] and form.sense.pos == wanted != best[1].sense.pos
            ):
                best = (last, form)
        # "its appeal", "a shell": after a determiner a verb-only form is no trigger
        if (best is not None and best[1].sense.pos == "verb" and best[1].sense.plover != IGNORE
                and at > 0 and _determines(tokens[at - 1])):
            best = None
        if best is None:
            at += 1
            continue
        last, form = best
        start, end = tokens[at].start, tokens[last].end
        if form.sense.plover != IGNORE:
            found.append(TriggerMatch(
                form.sense, text[start - offset : end - offset], start, end, at, last))
        at = last + 1
    return found


def _determines(token: Token) -> bool:
    """A determiner or possessive right before a word makes it a noun ("its appeal")."""
    return token.lower in _words("noun_determiners") or token.lower.endswith("'s")


def _opens_noun_phrase(token: Token) -> bool:
    """A determiner, possessive, preposition, number or adjective-like word before a noun."""
    return token.text[:1].isupper() or _opens_noun_phrase_word(token.lower)


@lru_cache(maxsize=1 << 16)
def _opens_noun_phrase_word(word: str) -> bool:
    # cached per word (bounded: a long run meets an open vocabulary); common words recur in
    # every sentence
    return (word in _words("determiners") or word.endswith("'s") or word in _words("noun_openers")
            or word.isdigit() or (word.endswith(("ed", "al", "ive", "ic", "ing")) and len(word) > 4))


def find_triggers(text: str) -> list[TriggerMatch]:
    """Trigger matches in a piece of text (offsets relative to it)."""
    return match_tokens(word_tokens(text), text)


@cache
def _cues(name: str) -> tuple[tuple[str, ...], ...]:
    """A cue list of ``modality.toml`` as word tuples, longest first."""
    phrases = [tuple(t.lower for t in word_tokens(cue)) for cue in modality()[name]]
    return tuple(sorted(phrases, key=len, reverse=True))


@cache
def _cues_by_first(name: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The cues of ``_cues(name)`` keyed by their first word: one dict lookup per word."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for cue in _cues(name):
        index.setdefault(cue[0], []).append(cue)
    return {first: tuple(cues) for first, cues in index.items()}


def _has_cue(words: list[str], name: str) -> bool:
    by_first = _cues_by_first(name)
    for index, word in enumerate(words):
        for cue in by_first.get(word, ()):
            if tuple(words[index : index + len(cue)]) == cue:
                return True
    return False


def is_definite_noun(tokens: list[Token], match: TriggerMatch, clause_first: int = 0) -> bool:
    """A noun trigger after the/this/their/X's within three words: presupposed to have happened."""
    if match.sense.pos != "noun":
        return False
    definite = _cue_words("definite")
    for token in tokens[max(clause_first, match.first_token - 3) : match.first_token]:
        if token.lower in definite or token.lower.endswith("'s"):
            return True
    return False


def _infinitive_before(tokens: list[Token], first: int, last: int, clause_first: int) -> bool:
    """A "to <verb>" between ``first`` and ``last`` whose verb is not after continue/begin,
    in a clause that does not say what was used ("used tear gas to disperse")."""
    factive = _cue_words("factive_to")
    instrumental = _cue_words("instrumental")
    if any(t.lower in instrumental for t in tokens[clause_first:last]):
        return False
    for index in range(first, last):
        if tokens[index].lower != "to" or index + 1 > last:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is None or not following.text.isalpha() or not following.text.islower():
            continue
        if following.lower in _words("determiners"):
            continue
        if index > 0 and tokens[index - 1].lower in factive:
            continue
        return True
    return False


def assess(tokens: list[Token], match: TriggerMatch, clause_first: int = 0) -> str:
    """``asserted``, ``negated`` or ``irrealis`` from cues before the trigger in its clause."""
    window = int(modality()["window"])
    first = max(clause_first, match.first_token - window)
    # "vowed to keep fighting and rejected calls": a past-tense verb after "and" is a new
    # predicate, out of the earlier cue's scope ("could attack and kill" stays in it)
    previous = tokens[match.first_token - 1].lower if match.first_token > first else ""
    past = match.sense.pos == "verb" and tokens[match.first_token].lower.endswith("ed")
    if previous in ("and", "but") and past:
        first = match.first_token
    # a capitalized word after the first is a name or month ("May 13"), never a cue
    before = [t.lower if index == 0 or not t.text[:1].isupper() else "" for index, t in
              enumerate(tokens[first : match.first_token], start=first)]
    presupposed = is_definite_noun(tokens, match, clause_first)
    if match.sense.pos == "noun" and not presupposed:
        # "A larger offensive might provoke ...": an indefinite subject of a modal is hypothetical
        following = [t.lower for t in tokens[match.last_token + 1 : match.last_token + 3]]
        if any(word in _words("modal_verbs") for word in following):
            return "irrealis"
    if not presupposed:
        if any(w.endswith("n't") for w in before) or _has_cue(before, "negation"):
            return "negated"
        if _has_cue(before, "irrealis") or _infinitive_before(tokens, first, match.first_token, clause_first):
            return "irrealis"
    return "asserted"


def is_reported(tokens: list[Token]) -> bool:
    """Whether the sentence attributes what it says to a source ("said", "reportedly")."""
    return _has_cue([t.lower for t in tokens], "reported")


def priority(match: TriggerMatch) -> tuple[int, int, int]:
    """Sort key choosing a clause's trigger: verbs first, then intensity, then position."""
    rank = type_priority().index(match.sense.plover)
    return (0 if match.sense.pos == "verb" else 1, rank, match.start)
