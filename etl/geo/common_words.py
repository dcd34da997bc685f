"""Write `common_words.txt`: lower-case English dictionary words that GeoNames also has as a place.

A capital at the start of a sentence (or in a shouted headline) proves nothing, so such a word
there ("Date set for talks", "Blast kills 3") is read as a place only with the article's support
(`etl.geo.resolve`). The list is made once, offline, from a case-sensitive word list such as
Debian's `wamerican` (SCOWL): its lower-case entries are common words, its capitalized ones names.

$ python -m etl.geo.common_words /usr/share/dict/american-english

>>> sorted(collisions(["date", "Kyiv", "blast", "xylophone"], gazetteer()))
['blast', 'date']
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from etl.geo.index import GEO_RESOURCES, Gazetteer, gazetteer, name_key

TARGET = GEO_RESOURCES / "common_words.txt"
HEADER = """\
# Lower-case English words that GeoNames also lists as a place name (main or alternate) or a
# division: a word opening a sentence is read as such a place only with the article's support.
# Made by `python -m etl.geo.common_words /usr/share/dict/american-english` from the lower-case
# entries of Debian's wamerican word list (SCOWL, size 50), Copyright 2000-2011 by Kevin
# Atkinson: "Permission to use, copy, modify, distribute and sell these word lists, the
# associated scripts, the output created from the scripts, and its documentation for any
# purpose is hereby granted without fee, provided that the above copyright notice appears in
# all copies and that both that copyright notice and this permission notice appear in
# supporting documentation. Kevin Atkinson makes no representations about the suitability of
# this array for any purpose. It is provided "as is" without express or implied warranty."
"""


def collisions(entries: Iterable[str], gaz: Gazetteer) -> set[str]:
    """The lower-case ASCII words of at least three letters among `entries` that name a place."""
    found = set()
    for entry in entries:
        word = entry.strip()
        plain = len(word) >= 3 and word.isascii() and word.isalpha() and word.islower()
        if plain and (gaz.lookup_city(word) or gaz.lookup_admin1(word)):
            found.add(name_key(word))
    return found


def main(argv: list[str]) -> int:
    """Write the list from the word list file named in `argv` (one word a line)."""
    if len(argv) != 1:
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    entries = Path(argv[0]).read_text(encoding="utf-8").splitlines()
    TARGET.write_text(HEADER + "\n".join(sorted(collisions(entries, gazetteer()))) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
