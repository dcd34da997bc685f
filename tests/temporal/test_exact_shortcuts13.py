"""Speed pass 13: each shortcut gives exactly what the code it replaces gives, on real and tricky text.

- ``_candidate_tokens`` runs two token finders (after a space, after any other non-word character)
  instead of the one-pass ``_token_finder``;
- ``_span_edge_before`` answers ``_word_before(...) in ("until", "till", "since")`` by a substring
  test first;
- ``tense._sentence_cues`` splits the lower-cased sentence when lower-casing keeps its tokens.

Real texts: WikiWars and the UCDP file under ``../shared/dev`` (skipped when absent), news gold,
the shared sample article, and the tricky strings of the other shortcut tests.
"""

from __future__ import annotations

import csv
import json
import string
import sys
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import resolve, tense
from tests.temporal.test_scan_shortcuts import TRICKY as SCAN_TRICKY
from tests.temporal.test_scan_shortcuts import reference_sentence_cues
from tests.temporal.test_start_texts import TRICKY as START_TRICKY
from tests.temporal.test_start_texts import texts as generated_texts

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
NEWS_GOLD = Path(__file__).resolve().parents[1] / "data" / "news_gold" / "articles.jsonl"
UCDP_ROWS = 3000  # rows of the UCDP file read: headlines, source lists, places (Cyrillic among them)

MORE_TRICKY = [
    "held until May, till 5 June, SINCE 2022, Until-June, untill May, since\u00a0May",
    # Each odd character in a sentence of its own: the Kelvin sign makes "wor\u212aed" one word
    # when lower-cased ("worked"), two words as written; "\u0130" changes the length.
    "The \u212aelvin sign. They wor\u212aed on May 5. WEE\u212a 6. \u0130 will be held on June 1.",
    "they had stopped, will be attacked; won\u2019t have killed, \u017failed, FIRED",
    "_ until May, x_since 2024, \u00e9till May",
]


@cache
def real_texts() -> tuple[str, ...]:
    """Article texts of the shared data and the repository's gold, as many as are present."""
    found = [json.loads(line)["text"] for line in NEWS_GOLD.read_text(encoding="utf-8").splitlines()]
    sample = SHARED / "samples" / "ukraine-2024-12-17.txt"
    if sample.is_file():
        found.append(sample.read_text(encoding="utf-8"))
    wikiwars = SHARED / "dev" / "wikiwars" / "articles.jsonl"
    if wikiwars.is_file():
        found += [json.loads(line)["text"] for line in wikiwars.read_text(encoding="utf-8").splitlines()]
    ucdp = SHARED / "dev" / "ucdp-ged-ukraine" / "conflict_data_ukr.csv"
    if ucdp.is_file():
        with ucdp.open(encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle)):
                if n >= UCDP_ROWS:
                    break
                fields = (row["source_headline"], row["source_article"], row["where_description"])
                found.append(". ".join(fields))
    return tuple(found)


def all_texts() -> list[str]:
    return [*real_texts(), *SCAN_TRICKY, *START_TRICKY, *MORE_TRICKY]


def one_pass_tokens(text: str) -> list[tuple[int, int, str]]:
    """``_candidate_tokens`` as it was: one ``_token_finder`` pass."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return resolve._all_tokens(text)
    finder = resolve._token_finder()
    found = [(m.start(1), m.end(1), text[m.start(1) : m.end(1)]) for m in finder.finditer(lowered)]
    first = resolve._TOKEN.match(text)
    return [(first.start(), first.end(), first.group(0)), *found] if first else found


def test_real_texts_are_read() -> None:
    texts = real_texts()
    assert len(texts) >= 9
    if (SHARED / "dev" / "wikiwars" / "articles.jsonl").is_file():
        assert len(texts) > 1000 and any(not t.isascii() for t in texts)


def test_two_token_finders_find_what_one_pass_finds() -> None:
    for text in all_texts():
        assert resolve._candidate_tokens(text) == one_pass_tokens(text), text[:80]


@settings(max_examples=300, deadline=None)
@given(generated_texts)
def test_two_token_finders_on_generated_text(text: str) -> None:
    assert resolve._candidate_tokens(text) == one_pass_tokens(text)


def test_other_finder_is_every_non_word_character_but_space() -> None:
    """``[^a-z0-9 ](?<=[\\W_])`` before a token is ``[\\W_]`` without the space, for every code point."""
    _, other = resolve._token_finders()
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        expected = char != " " and (not char.isalnum() or char == "_")
        assert (other.match(char + "0") is not None) == expected, hex(code)


def span_edge_reference(text: str, start: int) -> bool:
    return resolve._word_before(text, start) in ("until", "till", "since")


def test_span_edge_before_on_real_texts() -> None:
    checked = hits = 0
    for text in all_texts():
        # Every word start and a spread of other offsets, cheap enough on all texts.
        for start in range(0, len(text) + 1, 3 if len(text) < 20000 else 11):
            fast = resolve._span_edge_before(text, start)
            assert fast == span_edge_reference(text, start), (text[max(0, start - 30) : start], start)
            checked += 1
            hits += fast
    assert hits > 0 and checked > hits


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["until", "Till", "SINCE", "til", "since-", "untill", "in", "\u212a"])
        | st.sampled_from([" ", "-", ", ", "_", "\u00a0", "\u0130", "(", "\u2019"]),
        max_size=15,
    ).map("".join),
    st.integers(min_value=0, max_value=80),
)
def test_span_edge_before_on_generated_text(text: str, start: int) -> None:
    start = min(start, len(text))
    assert resolve._span_edge_before(text, start) == span_edge_reference(text, start)


def test_only_the_kelvin_sign_lower_cases_into_a_token_character() -> None:
    """What the lower-cased split of ``_sentence_cues`` relies on, for every code point."""
    token = set(string.ascii_letters + "'")
    odd = [
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if len(lower := char.lower()) == 1 and (lower in token) != (char in token)
    ]
    assert odd == [tense._LOWERS_TO_LETTER]


def test_sentence_cues_on_every_sentence_of_real_texts() -> None:
    sentences = 0
    for text in all_texts():
        ends, starts = tense._sentence_breaks(text)
        for s_start, s_end in zip([0, *starts], [*ends, len(text)], strict=True):
            expected = reference_sentence_cues(text, s_start, s_end)
            assert tense._sentence_cues.__wrapped__(text, s_start, s_end) == expected, text[s_start:s_end]
            sentences += 1
    assert sentences > len(all_texts())
