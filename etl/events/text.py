"""Words, sentences and clauses with character offsets into the article text.

Sentence splitting survives abbreviations ("Gen.", "U.S.", "Dec. 16"), quotes and sentences
glued together without a space ("...the border.In the evening...").

    >>> text = "Gen. Smith left.He came back."
    >>> [text[s.start:s.end] for s in split_sentences(text)]
    ['Gen. Smith left.', 'He came back.']
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from etl.events.resources import modality, patterns
from etl.ingest.base import letters_key
from etl.ingest.reference import find_dateline

# A hyphen joins words ("counter-offensive", "F-16") except after a bare number, which is a
# wire prefix or a count ("UPDATE 5-Fighting", "3-day"): those split.
_WORD = re.compile(r"\d+(?=-[^\W\d_])|\w+(?:[-'’]\w+)*|[^\s\w]")
# A sentence-final mark with any closing quotes or brackets that belong to it.
_END = re.compile(r"[.!?]+[\"'”’)\]]*")
# the leftmost match starts after no word character (else one more would fit): the lookbehind
# skips the positions inside a word, which the search would otherwise try one by one to its end
_WORD_BEFORE = re.compile(r"(?<![\w.'’-])([\w.'’-]*\w)[.!?]*[\"'”’)\]]*$")
# ``_WORD_BEFORE`` on the reversed text, anchored: a match of it ends at the window's end, so
# the closers and marks come first, then the word's last letter; the word runs on as far as its
# characters go, which is where the leftmost match of ``_WORD_BEFORE`` starts
_WORD_BEFORE_REVERSED = re.compile(r"[\"'”’)\]]*[.!?]*(\w[\w.'’-]*)")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S / e.g / U.N (dot removed at the end)
_OPENERS = "\"'“‘([«"
_SPACES = re.compile(r"\s*")  # \s is str.isspace: what str.strip() removes
_GLUED = re.compile(r"[A-Z][a-z]")
_NEXT_WORD = re.compile(r"[\w'’-]+")
_LOWER_WORD = re.compile(r"[a-z]{2,}")


def _lowered_source(source: str) -> str | None:
    r"""``source`` with its letters in lower case, for text that is lower-cased ASCII; None when
    that could change what it matches (``_lowered_source("KIA|(?P<n>\d+)") == "kia|(?P<n>\d+)"``).

    Escapes (``\S``) and group names keep their case; an upper-case letter or a range other
    than ``a-z``/``0-9`` inside a character class (``[0-a]`` holds "B"), an inline flag, a
    non-ASCII cased letter (the Kelvin sign matches "k" only case-insensitively) or an escape
    naming a character by number gives None.
    """
    out: list[str] = []
    index, in_class, size = 0, False, len(source)
    while index < size:
        char = source[index]
        if char == "\\":
            escaped = source[index + 1 : index + 2]
            if escaped in ("x", "u", "U", "N") or escaped.isdigit():
                return None  # a character (or back-reference) by number
            out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            if char != char.lower() or (not char.isascii() and char != char.upper()):
                return None  # lower-case ASCII letters stay members as they are
            if char == "-" and out[-1] not in ("[", "[^") and source[index + 1 : index + 2] != "]":
                low, high = out[-1], source[index + 1 : index + 2]
                if not ("a" <= low <= high <= "z" or "0" <= low <= high <= "9"):
                    return None  # a range such as [0-a] holds upper-case letters unwritten
            in_class = char != "]" or out[-1] in ("[", "[^")  # "[]...]": a leading "]" is a member
        elif char == "[":
            in_class = True
            if source.startswith("[^", index):
                out.append("[^")
                index += 2
                continue
        elif char == "(" and source.startswith("(?", index):
            if not source.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?P<", "(?P="), index):
                return None  # an inline flag, a conditional...: keep the pattern as it is
            if source.startswith(("(?P<", "(?P="), index):
                close = source.find(">" if source[index + 3] == "<" else ")", index)
                out.append(source[index : close + 1])
                index = close + 1
                continue
        elif not char.isascii() and (char.lower() != char or char.upper() != char):
            return None
        out.append(char.lower() if char.isascii() else char)
        index += 1
    return "".join(out)


def ascii_lowered(source: str, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    """``re.compile(source, flags)`` for lower-cased ASCII text, without case-folding (None when
    there is no such form): ``ascii_lowered("KIA").search("1 kia") is not None``.

    Case-insensitive matching costs ``re`` its literal-prefix and first-character skips; on
    ASCII text lower-cased first, a lower-cased pattern matching case-sensitively finds the same
    spans (ASCII lower-casing maps one letter to one and keeps every character class).
    """
    if not flags & re.IGNORECASE or flags & re.VERBOSE:
        return None  # a case-sensitive pattern has no lower-case twin; comments would be lowered
    lowered = _lowered_source(source)
    return None if lowered is None else re.compile(lowered, flags & ~re.IGNORECASE)


class Token:
    """A word (or punctuation mark) with its offsets: ``Token("Kyiv", 0, 4).lower == "kyiv"``.

    Read-only by convention; a plain slotted class because articles make millions of them.
    """

    __slots__ = ("end", "lower", "start", "text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        # the word in lower case, curly apostrophes made straight: computed once, read many times
        self.lower = text.lower().replace("’", "'")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        return (self.text, self.start, self.end) == (other.text, other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.text, self.start, self.end))

    def __repr__(self) -> str:
        return f"Token(text={self.text!r}, start={self.start}, end={self.end})"


@dataclass(frozen=True)
class Segment:
    """A sentence or clause: offsets into the article text and the paragraph it belongs to."""

    start: int
    end: int
    paragraph: int


def word_tokens(text: str, offset: int = 0) -> list[Token]:
    """Words and punctuation marks: ``word_tokens("didn't stop.")`` -> didn't, stop, ``.``."""
    return [Token(m.group(), m.start() + offset, m.end() + offset) for m in _WORD.finditer(text)]


def _split_words(text: str) -> list[str]:
    r"""``_WORD.findall(text)``, most of it without the regex: ``_split_words("Hi, you.")`` -> Hi , you .

    Tokens never hold white space (``\s`` is ``str.isspace``), so each white-space-separated
    chunk is tokenized alone; a chunk of letters and digits (``\w`` is ``isalnum`` or ``_``) is
    one token, and so is the word before a final mark ("attack," "Kyiv.").
    """
    tokens: list[str] = []
    append = tokens.append
    for chunk in text.split():
        if chunk.isalnum():
            append(chunk)
        elif chunk[:-1].isalnum() and not (chunk[-1].isalnum() or chunk[-1] == "_"):
            append(chunk[:-1])  # a final hyphen or apostrophe joins nothing: no word follows
            append(chunk[-1])
        else:
            tokens.extend(_WORD.findall(chunk))
    return tokens


class Words:
    """``word_tokens`` as parallel lists: ``Words("Troops left.").lowers == ['troops', 'left', '.']``.

    What the trigger and modality rules read of a sentence's tokens, without an object per
    token (a sentence has dozens, most only looked up once): ``texts[i]`` and ``lowers[i]`` are
    ``tokens[i].text`` and ``tokens[i].lower``; ``start(i)``/``end(i)`` the offsets (computed on
    first use: few tokens are ever asked where they are).

        >>> w = Words("He didn’t go.", offset=10)
        >>> w.texts, w.lowers, w.start(1), w.end(1)
        (['He', 'didn’t', 'go', '.'], ['he', "didn't", 'go', '.'], 13, 19)
    """

    __slots__ = ("_at", "_starts", "lowers", "offset", "raw", "texts")

    def __init__(self, raw: str, offset: int = 0) -> None:
        self.raw = raw
        self.offset = offset
        self.texts: list[str] = _split_words(raw)
        self.lowers: list[str] = list(map(str.lower, self.texts))
        if "’" in raw:
            self.lowers = [lower.replace("’", "'") for lower in self.lowers]
        # the starts found so far (a prefix: most questions are about a sentence's first part),
        # and where in ``raw`` the walk that finds them stopped
        self._starts: list[int] = []
        self._at = 0

    @classmethod
    def of_tokens(cls, tokens: Sequence[Token]) -> Words:
        """The same lists made from ``Token`` objects (whatever text they came from)."""
        words = cls.__new__(cls)
        words.raw, words.offset, words._at = "", 0, 0
        words.texts = [t.text for t in tokens]
        words.lowers = [t.lower for t in tokens]
        words._starts = [t.start for t in tokens]
        return words

    def _walk(self, upto: int, position: int | None = None) -> None:
        """Find the starts of the tokens before index ``upto``, or up to the first one at or after
        ``position``, continuing from where the last walk stopped."""
        # only white space lies between tokens, and no token holds any: each token's first
        # occurrence after the one before is where it was found
        starts, texts, find, at, offset = self._starts, self.texts, self.raw.find, self._at, self.offset
        for index in range(len(starts), min(upto, len(texts))):
            token = texts[index]
            at = find(token, at)
            starts.append(at + offset)
            at += len(token)
            if position is not None and starts[-1] >= position:
                break
        self._at = at

    @property
    def starts(self) -> list[int]:
        """Each token's start offset (the ``offset`` added)."""
        if len(self._starts) < len(self.texts):
            self._walk(len(self.texts))
        return self._starts

    def start(self, index: int) -> int:
        """Start offset of token ``index``."""
        if index < 0:
            index += len(self.texts)
        if index >= len(self._starts):
            self._walk(index + 1)
        return self._starts[index]

    def end(self, index: int) -> int:
        """End offset of token ``index``."""
        return self.start(index) + len(self.texts[index])

    def index_at(self, position: int) -> int:
        """The first token starting at or after ``position`` (``len(self)`` if none):
        ``bisect_left(self.starts, position)``, finding no more starts than that needs.

            >>> Words("Troops left; others stayed.", offset=10).index_at(23)
            3
        """
        starts = self._starts
        if not starts or starts[-1] < position:
            self._walk(len(self.texts), position)
        return bisect_left(starts, position)

    def __len__(self) -> int:
        return len(self.texts)


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(patterns()["abbreviations_title"])


@cache
def _sentence_starters() -> frozenset[str]:
    return frozenset(patterns()["sentence_starters"])


def _is_boundary(text: str, mark_start: int, mark_end: int) -> bool:
    """Whether the end mark at ``text[mark_start:mark_end]`` closes a sentence."""
    # read the text after the mark in place: copying the rest of a long paragraph for every
    # end mark in it made splitting quadratic
    following_at = _SPACES.match(text, mark_end).end()  # type: ignore[union-attr]
    if following_at == len(text):  # only white space after the mark
        return True
    is_period = text[mark_start] == "."
    if following_at == mark_end:  # glued: "the border.In the evening"
        if not (is_period and _GLUED.match(text, mark_end)):
            return False
        return _LOWER_WORD.fullmatch(_word_before(text, mark_end)) is not None
    following = text[following_at]
    if following.islower():
        return False
    if is_period:
        word = _word_before(text, mark_end)
        if word:
            if word in _abbreviations() or word.rstrip(".") in _abbreviations():
                return False
            if len(word) == 1 and "A" <= word <= "Z":  # an initial: "J. Smith"
                return False
            if _ACRONYM.match(word):  # "U.S. officials" vs "in the U.S. The talks"
                next_word_match = _NEXT_WORD.match(text, following_at)
                return (next_word_match.group() if next_word_match else "") in _sentence_starters()
    return following.isupper() or following.isdigit() or following in _OPENERS


def _word_before(text: str, mark_end: int) -> str:
    """The word before the end mark that ends at ``mark_end`` ("" if none)."""
    window = text[max(0, mark_end - 60) : mark_end]  # bounded: no O(n²)
    if window.endswith("\n"):  # ``$`` matches before a final newline too: the plain search
        plain = _WORD_BEFORE.search(window)
        return plain.group(1) if plain else ""
    # read backwards: one anchored match instead of a search tried at every word start
    before = _WORD_BEFORE_REVERSED.match(window[::-1])
    return before.group(1)[::-1] if before else ""


def split_paragraphs(text: str, most: int | None = None) -> list[tuple[int, int]]:
    """Offsets of the non-empty lines of ``text`` (the first ``most`` of them, if given):
    ``split_paragraphs("a\\n\\nb") == [(0, 1), (3, 4)]``."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().strip()
        if stripped:
            lead = len(match.group()) - len(match.group().lstrip())
            spans.append((match.start() + lead, match.start() + lead + len(stripped)))
            if len(spans) == most:
                break
    return spans


def repeated_title_end(title: str, text: str) -> int:
    """Where the text's first line ends when it repeats the title (spacing, case, punctuation
    aside) and more text follows, else 0: a headline printed again above the body is the
    title, not a sentence of the story (its events would be counted twice).

        repeated_title_end("Gunmen kill 12", "GUNMEN KILL 12\nGunmen killed 12 …") == 14
    """
    key = letters_key(title)
    if not key:
        return 0
    found = split_paragraphs(text, most=2)  # the first two lines, not the whole text's
    if len(found) < 2:
        return 0
    start, end = found[0]
    return end if _same_letters(key, text[start:end]) else 0


def _same_letters(key: str, line: str) -> bool:
    """``letters_key(line) == key``, read only until they differ (a lead paragraph, not a
    repeated headline, differs within a few letters)."""
    letters = (ch for ch in unicodedata.normalize("NFKC", line).casefold() if ch.isalnum())
    return all(expected == found for expected, found in itertools.zip_longest(key, letters))


def split_sentences(text: str) -> list[Segment]:
    """Sentences of every paragraph, as offsets: ``text[s.start:s.end]`` is the sentence."""
    sentences: list[Segment] = []
    for number, (p_start, p_end) in enumerate(split_paragraphs(text)):
        paragraph = text[p_start:p_end]
        start = 0
        for mark in _END.finditer(paragraph):
            if _is_boundary(paragraph, mark.start(), mark.end()):
                _append_trimmed(sentences, paragraph, start, mark.end(), p_start, number)
                start = mark.end()
        _append_trimmed(sentences, paragraph, start, len(paragraph), p_start, number)
    return sentences


def _append_trimmed(
    out: list[Segment], paragraph: str, start: int, end: int, offset: int, number: int
) -> None:
    piece = paragraph[start:end]
    if not piece.strip():
        return
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    out.append(Segment(offset + start + lead, offset + end - trail, number))


@cache
def _clause_pattern() -> re.Pattern[str]:
    cues = sorted(modality()["clause_boundaries"], key=len, reverse=True)
    skip = "|".join(re.escape(word) for word in patterns()["non_participles"])
    participle = rf",\s+(?!(?:{skip})\b)[a-z]+ing\b"
    return re.compile("|".join([*(re.escape(cue) for cue in cues), participle]), re.IGNORECASE)


@cache
def _lowered_clause_pattern() -> re.Pattern[str] | None:
    """``_clause_pattern()`` for lower-cased ASCII text (see ``ascii_lowered``)."""
    return ascii_lowered(_clause_pattern().pattern, _clause_pattern().flags)


def split_clauses(text: str, sentence: Segment) -> list[Segment]:
    """Clauses of one sentence, split at connectives ("; ", ", while", ", which", ", killing")."""
    body = text[sentence.start : sentence.end]
    cuts = [0]
    # ASCII text lower-cased is matched without case-folding: the same spans, cheaper
    lowered = _lowered_clause_pattern() if body.isascii() else None
    matches = lowered.finditer(body.lower()) if lowered else _clause_pattern().finditer(body)
    for match in matches:
        lead = len(match.group()) - len(match.group().lstrip(",; "))
        cut = match.start() + lead
        if cut - cuts[-1] >= 3:
            cuts.append(cut)
    cuts.append(len(body))
    clauses = []
    for begin, finish in itertools.pairwise(cuts):
        piece = body[begin:finish].rstrip(",; ")
        if piece.strip():
            clauses.append(Segment(sentence.start + begin, sentence.start + begin + len(piece),
                                   sentence.paragraph))
    return clauses


def dateline_end(text: str) -> int:
    """Where an opening dateline ("KYIV –") ends, 0 when there is none: ``dateline_end("KYIV – x") == 7``.

    The grammar is `find_dateline`'s (``etl/resources/ingest/dateline.json``).
    """
    dateline = find_dateline(text)
    return dateline.end if dateline is not None else 0
