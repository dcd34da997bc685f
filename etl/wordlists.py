"""Regular expressions for long word lists, compiled as a trie so that matching stays fast.

Python's ``re`` tries the alternatives of ``Kyiv|Kharkiv|Kherson|...`` one after another at
every position; a list of a thousand names costs a thousand tests wherever a word starts. The
same list written as a trie (``K(?:h(?:arkiv|erson)|yiv)``) costs about one test per letter.
It matches exactly what the longest-first alternation matches, and prefers the same word:
among the words that fit at a position, the longest is tried first.

    >>> literal_alternation(["Kyiv", "Kyiv Oblast", "Kharkiv"])
    'K(?:harkiv|yiv(?:\\\\ Oblast)?)'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""  # marks a node where a word ends: no real child has the empty string as its key


def literal_alternation(words: Iterable[str]) -> str:
    """A pattern matching any of ``words`` (longest first), without an enclosing group."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    return _emit(trie)


def _emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    if len(branches) == 1:
        body = branches[0]
        return f"(?:{body})?" if _END in node else body
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if _END in node else body  # a longer word first, this one if none fits
