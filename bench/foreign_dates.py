"""Speed of the non-English date finder, and its agreement with another version of it.

    $ .venv/bin/python -m bench.foreign_dates                      # time per KB
    $ .venv/bin/python -m bench.foreign_dates --against OLD.py     # and mentions old vs new

Texts: the hand-written sentences of ``tests/temporal/data/foreign_sentences.tsv`` (alone and
joined into one article per language), news text repeated to 1 MB, and 24 KB of numbers.
CPU time (``time.process_time``); the machine is shared, so compare runs made close together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl.temporal import foreign

REPO = Path(__file__).resolve().parents[1]
SENTENCES = REPO / "tests" / "temporal" / "data" / "foreign_sentences.tsv"
PLAIN = REPO / "tests" / "temporal" / "data" / "foreign_plain.tsv"
REFERENCE = dt.date(2024, 12, 17)

Finder = Callable[[str, dt.date | None, str], list[Any]]


def sentences(path: Path = SENTENCES) -> list[tuple[str, str]]:
    """(language, sentence) pairs of an evaluation file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            language, text = line.split("\t", 1)
            rows.append((language, text))
    return rows


def articles() -> list[tuple[str, str]]:
    """One article per language: its sentences joined, two per paragraph."""
    by_language: dict[str, list[str]] = {}
    for language, text in sentences():
        by_language.setdefault(language, []).append(text)
    out = []
    for language, texts in by_language.items():
        paragraphs = [" ".join(texts[i : i + 2]) for i in range(0, len(texts), 2)]
        out.append((language, "\n\n".join(paragraphs)))
    return out


def realistic(language: str) -> str:
    """An article of the language's dated sentences, each followed by three without a date."""
    dated = [text for lang, text in sentences() if lang == language]
    plain = [text for lang, text in sentences(PLAIN) if lang == language]
    mixed = []
    for i, text in enumerate(dated):
        mixed += [text] + [plain[(3 * i + j) % len(plain)] for j in range(3)]
    return "\n\n".join(" ".join(mixed[i : i + 4]) for i in range(0, len(mixed), 4))


def numbers(size: int, seed: int = 1) -> str:
    """``size`` characters of numbers: counts, years, thousands, decimals, a table's rows."""
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < size:
        kind = rng.randrange(5)
        word = (
            str(rng.randrange(100)) if kind == 0
            else str(rng.randrange(100, 10000)) if kind == 1
            else str(rng.randrange(1000, 100000)) if kind == 2
            else f"{rng.randrange(1000)},{rng.randrange(10)}" if kind == 3
            else f"{rng.randrange(1, 29)}.{rng.randrange(1, 13):02d}.{rng.randrange(1990, 2030)}"
        )  # fmt: skip
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def jumble(language: str, size: int, seed: int) -> str:
    """Text dense in date words: dateparser's own words for the language, numbers, years and
    filler words of the hand-written sentences, at random (a stress test of window edges)."""
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(foreign._DATEPARSER_CODES.get(language, language)).info
    keys = [k for k in info if isinstance(info[k], list) and k not in ("skip", "simplifications")]
    date_words = [str(w) for k in keys for w in info[k] if "(" not in str(w)]
    date_words += [str(w) for v in (info.get("relative-type") or {}).values() for w in v]
    date_words += [str(w) for w in info.get("skip") or [] if str(w).strip()]
    filler = [w for lang, text in sentences(PLAIN) + sentences() for w in text.split() if lang == language]
    filler = filler or [w for _, text in sentences(PLAIN) for w in text.split()]
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        kind = rng.randrange(10)
        words.append(
            rng.choice(date_words) if kind < 3
            else str(rng.randrange(1, 32)) if kind < 5
            else str(rng.randrange(1900, 2030)) if kind == 5
            else rng.choice(filler)
        )  # fmt: skip
    return " ".join(words)


def mentions(find: Finder, text: str, reference: dt.date | None, language: str) -> list[tuple[Any, ...]]:
    """Every field of each mention, as a tuple."""
    return [
        (m.start, m.end, m.text, m.value, m.date_start, m.date_end, m.granularity, m.anchor, m.anchor_value)
        for m in find(text, reference, language)
    ]


def compare(old: Finder, new: Finder, jumbles: int = 0) -> None:
    """Print mentions identical / only old / only new, sentence by sentence and per article."""
    cases = [(language, text, "sentence") for language, text in sentences()]
    cases += [(language, text, "article") for language, text in articles()]
    for language in ("uk", "ru", "fr", "de", "es", "ar", "it", "pl", "pt", "nl", "tr", "no"):
        cases += [(language, jumble(language, 600, seed), "jumble") for seed in range(jumbles)]
    totals = {"same": 0, "lost": 0, "added": 0}
    for language, text, kind in cases:
        for reference in (REFERENCE, None):
            before = set(mentions(old, text, reference, language))
            after = set(mentions(new, text, reference, language))
            totals["same"] += len(before & after)
            totals["lost"] += len(before - after)
            totals["added"] += len(after - before)
            for tag, rows in (("lost", before - after), ("added", after - before)):
                for row in sorted(rows):
                    print(f"  {tag} [{language} {kind} ref={reference}] {row[2]!r} {row[3]} in {text[:70]!r}")
    print("mentions identical {same}, only old (lost) {lost}, only new (added) {added}".format(**totals))


def per_kb(find: Finder, text: str, language: str, repeat: int = 1) -> float:
    """CPU milliseconds per KB of text."""
    find("", REFERENCE, language)  # language data loaded outside the timing
    module = sys.modules[find.__module__]
    start = time.process_time()
    for _ in range(repeat):
        for cached in ("_parse", "_surfaces"):  # each run reads its dates afresh
            if hasattr(module, cached):
                getattr(module, cached).cache_clear()
        find(text, REFERENCE, language)
    return 1000 * (time.process_time() - start) / repeat / (len(text) / 1000)


def load(path: str) -> Finder:
    """``find_foreign`` of another version of ``etl/temporal/foreign.py``."""
    spec = importlib.util.spec_from_file_location("foreign_other", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    finder: Finder = module.find_foreign
    return finder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="another foreign.py to compare with (e.g. from git show)")
    parser.add_argument("--megabyte", action="store_true", help="also time 1 MB of French news")
    parser.add_argument("--jumbles", type=int, default=0, help="random date-word texts per language")
    args = parser.parse_args()
    finders: dict[str, Finder] = {"new": foreign.find_foreign}
    if args.against:
        finders = {"old": load(args.against), **finders}
        compare(finders["old"], finders["new"], args.jumbles)
    news = dict(articles())
    texts = [(f"dates only {lang}", lang, news[lang]) for lang in ("uk", "fr", "de", "ar")]
    texts += [(f"news {lang}", lang, realistic(lang)) for lang in ("uk", "ru", "fr", "de", "es", "ar")]
    texts += [("numbers 24 KB (fr)", "fr", numbers(24_000))]
    if args.megabyte:
        french = realistic("fr") + "\n\n"
        texts += [("French news 1 MB", "fr", french * (1_000_000 // len(french)))]
    for name, language, text in texts:
        cells = "  ".join(f"{who} {per_kb(find, text, language):8.1f} ms/KB" for who, find in finders.items())
        print(f"{name:22s} {len(text):8d} chars  {cells}")


if __name__ == "__main__":
    main()
