"""The events stage's second round of shortcuts give what the plain forms they replace give.

Tokens as parallel lists (``Words``) against ``word_tokens``, trigger matching that visits only
the words that may start a trigger against the word-by-word loop, actor mentions with their
pre-filters against the plain scan, fatalities' count-led patterns tried only where a count
starts against ``finditer``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl.events import _starts_with
from etl.events.actors import (
    _CO_ACTOR,
    _PASSIVE_BY,
    _PRONOUN,
    Actor,
    ArticleActors,
    Mention,
    _add_country,
    _add_office,
    _casefolded_view,
    _foreign_actor,
    _group_mentions,
    actor_from_template,
    dictionary,
    find_mentions,
    find_names,
    in_org_name,
    in_place_name,
    learn_names,
    note_cues,
    org_actor,
)
from etl.events.fatalities import fatalities, plain_fatalities
from etl.events.resources import GAP, MAX_GAP_WORDS, TriggerForm, lexicon, modality
from etl.events.text import (
    _ACRONYM,
    _END,
    _GLUED,
    _NEXT_WORD,
    _OPENERS,
    _SPACES,
    _WORD,
    _WORD_BEFORE,
    Token,
    Words,
    _abbreviations,
    _is_boundary,
    _sentence_starters,
    _split_words,
    word_tokens,
)
from etl.events.triggers import (
    IGNORE,
    TriggerMatch,
    _determines,
    _opens_noun_phrase,
    assess,
    is_reported,
    match_tokens,
)

# white space of several kinds, word characters, marks that join words or stand alone
TOKEN_TEXT = st.text(alphabet="aZé9_ .,!?'’\"-\n\t\u00a0\x1cxyT2\u0301İ", max_size=40)


@settings(max_examples=500, deadline=None)
@given(TOKEN_TEXT, st.integers(0, 50))
@example("didn’t stop.", 3)
@example("UPDATE 5-Fighting, 3-day", 0)
@example("a_b. c- d' e’ 7-", 0)
def test_words_are_the_tokens(text: str, offset: int) -> None:
    tokens = word_tokens(text, offset)
    words = Words(text, offset)
    assert _split_words(text) == _WORD.findall(text)
    assert words.texts == [t.text for t in tokens]
    assert words.lowers == [t.lower for t in tokens]
    assert words.starts == [t.start for t in tokens]
    assert [words.end(i) for i in range(len(words))] == [t.end for t in tokens]
    made = Words.of_tokens(tokens)
    assert (made.texts, made.lowers, made.starts) == (words.texts, words.lowers, words.starts)


def _plain_match_form(form: TriggerForm, tokens: list[Token], at: int) -> int | None:
    position, index, words = at, 0, form.words
    while index < len(words):
        if words[index] == GAP:
            following = words[index + 1]
            for skip in range(MAX_GAP_WORDS + 1):
                probe = position + skip
                if probe >= len(tokens):
                    return None
                if tokens[probe].lower == following:
                    position, index = probe + 1, index + 2
                    break
                if not tokens[probe].text[0].isalnum():
                    return None
            else:
                return None
            continue
        if position >= len(tokens) or tokens[position].lower != words[index]:
            return None
        position, index = position + 1, index + 1
    return position - 1


def _plain_match_tokens(tokens: list[Token], text: str) -> list[TriggerMatch]:
    """Trigger matching as first written: every token tried in turn, on ``Token`` objects."""
    by_first = lexicon().by_first_word
    found: list[TriggerMatch] = []
    at = 0
    while at < len(tokens):
        forms = by_first.get(tokens[at].lower)
        if not forms:
            at += 1
            continue
        best: tuple[int, TriggerForm] | None = None
        before = tokens[at - 1] if at > 0 else None
        wanted = "noun" if before is not None and _opens_noun_phrase(before.text, before.lower) else "verb"
        for form in forms:
            last = _plain_match_form(form, tokens, at)
            if last is None:
                continue
            if best is None or last > best[0] or (
                last == best[0] and form.sense.pos == wanted != best[1].sense.pos
            ):
                best = (last, form)
        if (best is not None and best[1].sense.pos == "verb" and best[1].sense.plover != IGNORE
                and before is not None and _determines(before.lower)):
            best = None
        if best is None:
            at += 1
            continue
        last, form = best
        start, end = tokens[at].start, tokens[last].end
        if form.sense.plover != IGNORE:
            found.append(TriggerMatch(form.sense, text[start:end], start, end, at, last))
        at = last + 1
    return found


def _trigger_words() -> list[str]:
    words = sorted({w for forms in lexicon().by_first_word.values() for f in forms for w in f.words
                    if w != GAP})
    cues = sorted({w for name in ("negation", "irrealis", "reported") for cue in modality()[name]
                   for w in cue.split()})
    return [*words[::3], *cues[::4], "the", "its", "a", "to", "and", "Russian", "May", ",", ".",
            "heart", "attack", "shelled", "denied", "could", "said"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_trigger_words()), max_size=16))
@example(["Russia", "denied", "attacking", "the", "convoy", "."])
@example(["its", "appeal", "heart", "attack", "shelled"])
def test_trigger_matching_is_the_plain_loop(words: list[str]) -> None:
    text = " ".join(words)
    tokens = word_tokens(text)
    fast = match_tokens(Words(text), text)
    assert fast == _plain_match_tokens(tokens, text)
    assert match_tokens(tokens, text) == fast
    for match in fast:  # the same answers from Words as from the Token list
        assert assess(Words(text), match) == assess(tokens, match)
    assert is_reported(Words(text)) == is_reported(tokens)


@pytest.mark.parametrize("name", ["new_story", "continuation"])
@pytest.mark.parametrize("text", ["Meanwhile, troops left.", "In a separate development x", "They said",
                                  "the two sides", "", "Later", "the"])
def test_opening_cues_by_first_word(name: str, text: str) -> None:
    words = Words(text).lowers[:6]
    plain = [[t.lower for t in word_tokens(phrase)] for phrase in modality()[name]]
    assert _starts_with(words, name) == any(words[: len(cue)] == cue for cue in plain)


# ---- actor mentions: the scan as first written (no pre-filter, case-folding regex) ----------------

def _plain_find_mentions(text: str, article: ArticleActors, offset: int = 0) -> list[Mention]:
    view = _casefolded_view(text)
    d = dictionary()
    taken: list[Mention] = []

    def free(start: int, end: int) -> bool:
        return all(end <= m.start or start >= m.end for m in taken)

    def add(start: int, end: int, kind: str, actor: Actor | None = None, country: str | None = None,
            template: str | None = None) -> None:
        if free(start, end):
            taken.append(Mention(start, end, kind, actor, country, template=template))

    note_cues(view, article)
    for match in d.office.finditer(view):
        _add_office(match, article, add)
    for match in d.person.finditer(view):
        add(match.start(), match.end(), "person", d.persons[match.group()])
    for start, end in find_names(view, article.learned):
        add(start, end, "person", article.learned[view[start:end]])
    for match in d.org.finditer(view):
        org = org_actor(match.group(), article)
        if org is not None:
            head = d.org_head.match(view, match.end())
            add(match.start(), match.end() if head is None else head.end(), "org", org)
    refs = list(d.ref.finditer(view))
    for match in d.foreign.finditer(view) if d.foreign is not None else ():
        force = _foreign_actor(match, article, refs)
        if force is not None:
            add(match.start(), match.end(), "group", force, force.country)
    for match in d.group.finditer(view):
        first_ref = d.ref.match(view, match.start())
        if first_ref is not None and (in_org_name(view, *first_ref.span())
                                      or in_place_name(view, *first_ref.span())):
            continue
        if free(match.start(), match.end()):
            taken.extend(Mention(s, e, k, a, c, template=t)
                         for s, e, k, a, c, t in _group_mentions(match, article))
    for match in d.local.finditer(view):
        sector, template = d.heads[match.group("head").lower()]
        add(match.start(), match.end(), "local", actor_from_template(template, sector, article.main_country),
            article.main_country, template)
    for match in d.ref.finditer(view):
        _add_country(view, match, add, article)
    for match in _PRONOUN.finditer(text):
        add(match.start(), match.end(), "pronoun")

    def flagged(m: Mention) -> Mention:
        before = text[max(0, m.start - 20) : m.start].lower()
        return Mention(m.start + offset, m.end + offset, m.kind, m.actor, m.country,
                       _PASSIVE_BY.search(before) is not None, _CO_ACTOR.search(before) is not None,
                       m.template)

    return sorted((flagged(m) for m in taken), key=lambda m: (m.start, m.end))


def _actor_words() -> list[str]:
    d = dictionary()
    words = [*d.alias_to_iso3, *d.demonym_to_iso3, *d.orgs, *d.persons, *d.heads, *d.offices]
    return [*sorted(words)[::5], "President", "Prime Minister", "Donald Tusk", "Tusk", "the", "local",
            "The", "LOCAL", "POLICE", "Police", "by", "alongside", "he", "They", "Ukraine's"]


ACTOR_TEXT = st.lists(st.one_of(st.sampled_from(_actor_words()),
                                st.sampled_from([" ", " ", ", ", " and ", "-", "'s ", "x", "é", "_", "\n",
                                                 "Ivan Petrov", "SAID"])), max_size=14)


@settings(max_examples=400, deadline=None)
@given(ACTOR_TEXT, st.integers(0, 30))
@example(["Polish", " ", "Prime Minister", " ", "Donald Tusk", " said ", "the", " ", "local", " ", "police"],
         5)
@example(["THE", " ", "LOCAL", " ", "POLICE", " AND ", "Ukrainian", " ", "Police"], 0)
@example(["the", " ", "local", " ", "authorities", " é ", "The", " ", "army"], 0)
def test_mentions_are_the_plain_scan(pieces: list[str], offset: int) -> None:
    text = "".join(pieces)
    learned = {"Petrov": Actor("Government of Russia", "RUS", "government")}
    fast_article = ArticleActors("UKR", dict(learned))
    plain_article = ArticleActors("UKR", dict(learned))
    assert find_mentions(text, fast_article, offset) == _plain_find_mentions(text, plain_article, offset)
    assert fast_article.learned == plain_article.learned
    learning = ArticleActors("UKR", dict(learned))
    learn_names(text, learning)
    assert learning.learned == plain_article.learned


@settings(max_examples=400, deadline=None)
@given(ACTOR_TEXT)
def test_office_matches_hold_an_office_word(pieces: list[str]) -> None:
    text = "".join(pieces)
    d = dictionary()
    for match in d.office.finditer(text):
        assert d.office_word.search(match.group()) is not None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*sorted(dictionary().local_heads), "the", "local", "THE", "Local", "x",
                                 " ", "  ", "-", "\n", "_", "9"]), max_size=10))
def test_local_pattern_lower_cased_is_the_case_folding_one(pieces: list[str]) -> None:
    text = "".join(pieces)
    d = dictionary()
    plain = [(m.span(), m.group("head").lower()) for m in d.local.finditer(text)]
    lowered = [(m.span(), m.group("head")) for m in d.local_lowered.finditer(text.lower())]
    assert plain == lowered


# ---- fatalities: count-led patterns tried where a count starts ---------------------------------

def _unfiltered(sentence: str) -> int | None:
    """Every pattern over the whole sentence, no pre-filter: the module's own reference."""
    return plain_fatalities(sentence)


FATALITY_WORDS = ["killed", "a", "an", "soldier", "12", "1,200", "one", "twenty-one", "twenty one", "was",
                  "dead", "toll", "death toll", "rose to", "people", "at least", "more than", "about",
                  "some", ",", "died", "KIA", "killed in action", "deaths", "fatalities", "bodies",
                  "dead bodies", "lives", "claimed", "left", "civilians", "were", "x", "-", "F-16",
                  "2014", "a dozen", "dozen", "hundred", "Ten", "TWO", "wounded"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FATALITY_WORDS), max_size=12), st.sampled_from([" ", "  ", "\n", ""]))
@example(["at least", "twenty-one", "civilians", "were", "killed"], " ")
@example(["about", "1,200", "deaths", "and", "5", "KIA"], " ")
def test_count_led_patterns_tried_where_a_count_starts(words: list[str], glue: str) -> None:
    sentence = glue.join(words)
    assert fatalities(sentence) == _unfiltered(sentence)



# ---- sentence ends: the word before the mark read only when a rule needs it -----------------------

def _plain_is_boundary(text: str, mark_start: int, mark_end: int) -> bool:
    following_at = _SPACES.match(text, mark_end).end()  # type: ignore[union-attr]
    if following_at == len(text):
        return True
    before = _WORD_BEFORE.search(text[max(0, mark_end - 60) : mark_end])
    word = before.group(1) if before else ""
    is_period = text[mark_start] == "."
    if following_at == mark_end:
        glued = _GLUED.match(text, mark_end)
        return bool(glued and is_period and re.fullmatch(r"[a-z]{2,}", word or ""))
    following = text[following_at]
    next_word_match = _NEXT_WORD.match(text, following_at)
    next_word = next_word_match.group() if next_word_match else ""
    if following.islower():
        return False
    if is_period and word:
        if word in _abbreviations() or word.rstrip(".") in _abbreviations():
            return False
        if re.fullmatch(r"[A-Z]", word):
            return False
        if _ACRONYM.match(word):
            return next_word in _sentence_starters()
    return following.isupper() or following.isdigit() or following in _OPENERS


SENTENCE_PIECES = ["Gen", "Dec", "U.S", "U.N", "J", "Smith", "the border", "In", "The", "officials", "he",
                   "e.g", "Mr", "vs", "a", "Z", "16", "“", "(", ".", ". ", "! ", "? ", ".”", ".) ", "..",
                   " ", "\n", ".In", "Kyiv"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=16))
@example(["the border", ".In", " ", "the"])
@example(["in the", " ", "U.S", ". ", "The", " ", "talks"])
@example(["J", ". ", "Smith", " left", "."])
def test_sentence_ends_are_the_plain_ones(pieces: list[str]) -> None:
    text = "".join(pieces)
    for mark in _END.finditer(text):
        assert _is_boundary(text, mark.start(), mark.end()) == _plain_is_boundary(
            text, mark.start(), mark.end())
