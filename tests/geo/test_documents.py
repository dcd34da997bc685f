"""An article scanned once answers for its parts exactly as scanning each part would.

`_Document.part_mentions`, the `within=` argument of `find_places` / `locate` /
`article_context`, `countries_named` and the inlined city scoring are speed-ups only: each test
compares them with the plain path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.geo import GeoContext, article_context, countries_named, find_places, gazetteer, locate, name_key
from etl.geo.resolve import (
    _bearers,
    _best_bearer,
    _best_city,
    _country_leaders,
    _cue_hits,
    _cues,
    _Document,
    _Mention,
    _scan_text,
    _score_city,
    _support,
)

SEED = Path(__file__).resolve().parents[2] / "data" / "raw" / "ukraine-2024-12-17.txt"

ARTICLE = (
    "KYIV, Dec 17 (Reuters) - Russian forces shelled Kharkiv and Sumy overnight, officials in the "
    "Kharkiv region said. Drones hit Bila Tserkva, Kyiv region, and the port of Chornomorsk in "
    "Odesa Oblast.\n\nNorth Korean troops are fighting in Kursk, President Zelenskiy said on "
    "Tuesday; the Washington Post reported on Minsk Protocol talks with Donald Trump.\n\n"
    "Poland's Tusk met leaders in Tallinn, Estonia. Separatists hold much of the Donets basin, "
    "officials in Stanytsia Luhanska said. The Donetsk and Luhansk regions were shelled, and the "
    "Donetsk city of Pokrovsk, in eastern Donetsk Oblast, came under attack.\n\n"
    "U.S. officials said the Kursk and Belgorod regions of Russia's west were hit; Odesa, "
    "Mykolaiv and Kherson lost power. Nizhni Lozovoe and Novi Sanzhary lie near Zaporizhzhia's front."
)

PARAGRAPHS = [
    "Russian forces shelled Kharkiv and Sumy overnight, officials in the Kharkiv region said.",
    "North Korean troops are fighting in Kursk, President Zelenskiy said.",
    "Poland's Tusk met leaders in Tallinn, Estonia.",
    "The Donetsk and Luhansk regions were shelled.",
    "U.S. officials said the Kursk and Belgorod regions of Russia's west were hit.",
    "Drones hit Bila Tserkva, Kyiv region, and the port of Chornomorsk in Odesa Oblast.",
    "Iran supplied drones; the DPR leadership and Moscow denied it.",
    "Nothing here names a place.",
    "",
]


def _dump(mentions: tuple[_Mention, ...], shift: int = 0) -> list[tuple[object, ...]]:
    """Every field of every mention, a qualifier as the index of the mention it is."""
    index = {id(m): k for k, m in enumerate(mentions)}
    return [
        (m.start - shift, m.end - shift, m.kind, m.key, m.country, m.region, tuple(m.cities), m.admin1s,
         m.part, m.glued, None if m.qualifier is None else index.get(id(m.qualifier), "outside"),
         m.is_qualifier)
        for m in mentions
    ]  # fmt: skip


def _seed_text() -> str:
    if not SEED.exists():
        return ARTICLE
    raw = SEED.read_text(encoding="utf-8")
    return raw.split("---", 2)[2].strip() if raw.startswith("---") else raw


def _check_part(doc: _Document, part: str) -> None:
    """Both ways of reusing the whole text's scan give the part's own scan."""
    alone = _dump(_scan_text(part, gazetteer()))
    assert _dump(doc.part_mentions(part)) == alone, part
    whole = doc.whole_part(part)
    if whole is not None:
        at, first, last = whole
        assert _dump(doc.mentions[first:last], at) == alone, part


def _parts(text: str) -> list[str]:
    """Paragraphs, sentences and comma clauses of a text, as the events stage asks for them."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.!?;])\s+", p) if s.strip()]
    clauses = [c for s in sentences for c in re.split(r",\s+", s) if c.strip()]
    return paragraphs + sentences + clauses


@pytest.mark.parametrize("text", [ARTICLE, _seed_text()], ids=["article", "seed"])
def test_parts_scan_as_if_alone(text: str) -> None:
    doc = _Document(text, gazetteer())
    assert _dump(doc.mentions) == _dump(_scan_text(text, gazetteer()))
    for part in _parts(text):
        _check_part(doc, part)


# Words that exercise the scan's edges: multi-word names, division and district words, titles,
# organizations, persons, possessives, qualifiers, plural divisions and lists.
_WORDS = [
    "Nova",
    "Kakhovka",
    "Kryvyi",
    "Rih",
    "Rostov-on-Don",
    "Donets",
    "basin",
    "New",
    "York",
    "North",
    "Korean",
    "Ivano-Frankivsk",
    "Oblast",
    "region",
    "regions",
    "Russia's",
    "Kyiv,",
    "Lviv.",
    "Bila",
    "Tserkva",
    "city",
    "of",
    "the",
    "in",
    "and",
    "or",
    "President",
    "Washington",
    "Post",
    "Donald",
    "Trump",
    "Kursk",
    "Belgorod",
    "eastern",
    "Donetsk",
    "Pokrovsk",
    "Tallinn,",
    "Estonia",
    "Odesa,",
    "Mykolaiv",
    "Kherson",
    "Zaporizhzhia's",
    "U.S.",
    "(Reuters)",
    "-",
    "Nizhni",
    "Lozovoe",
    "district",
    "Minsk",
    "Protocol",
]
_SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "  ", "\n\n", " - ", "'s "])
_TEXTS = st.lists(st.tuples(st.sampled_from(_WORDS), _SEPARATORS), min_size=1, max_size=40).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.data())
def test_any_window_scans_as_if_alone(text: str, data: st.DataObject) -> None:
    doc = _Document(text, gazetteer())
    # Windows that start or end right at a word are where a part's scan differs from the whole's.
    edges = sorted({0, len(text), *doc.words.starts, *(m.end() for m in re.finditer(r"\w+", text))})
    for _ in range(8):
        start = data.draw(st.sampled_from(edges) | st.integers(0, len(text)))
        end = data.draw(st.sampled_from([e for e in edges if e >= start]) | st.integers(start, len(text)))
        _check_part(doc, text[start:end])


@pytest.mark.parametrize(
    "text",
    [
        ARTICLE,
        "Talks in Kyiv. President Washington and Kursk Oblast.",
        "Shelling hit Pokrovsk, Donetsk and Kharkiv overnight.",
        "Shelling hit Pokrovsk, Donetsk, and Kharkiv overnight.",
        "Talks in New York today. Shelling hit Donetsk, and Luhansk regions.",
        "Fighting near Nizhni Lozovoe and Novi Sanzhary.",
        "Fighting near Qwzx Lozovoe and Novi Sanzhary.",
    ],
)
def test_every_word_aligned_window_scans_as_if_alone(text: str) -> None:
    doc = _Document(text, gazetteer())
    edges = sorted({0, len(text), *doc.words.starts, *(m.end() for m in re.finditer(r"\w+", text))})
    if len(edges) > 60:
        edges = edges[:60]  # the first paragraph: every window of it
    for k, start in enumerate(edges):
        for end in edges[k:]:
            _check_part(doc, text[start:end])


@pytest.mark.parametrize("text", [ARTICLE, _seed_text()], ids=["article", "seed"])
def test_within_changes_nothing(text: str) -> None:
    context = article_context("", text)
    assert article_context("Title", text, within=text) == article_context("Title", text)
    for part in _parts(text):
        assert find_places(part, context, within=text) == find_places(part, context)
        assert locate(part, context, within=text) == locate(part, context)
        assert countries_named(part, within=text) == article_context("", part).countries


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
def test_countries_named_is_the_context_countries(paragraph: str) -> None:
    assert countries_named(paragraph) == article_context("", paragraph).countries
    assert countries_named(paragraph, within=ARTICLE) == article_context("", paragraph).countries


def test_countries_named_examples() -> None:
    assert countries_named("Drones hit Kharkiv. Poland protested.") == ("POL", "UKR")
    assert countries_named("Nothing here names a place.") == ()


@settings(max_examples=100, deadline=None)
@given(_TEXTS)
def test_countries_named_on_generated_texts(text: str) -> None:
    assert countries_named(text) == article_context("", text).countries
    assert countries_named(text, within=f"Intro. {text} Outro.") == article_context("", text).countries


_CONTEXTS = [
    GeoContext(),
    GeoContext(countries=("UKR", "RUS")),
    GeoContext(countries=("RUS", "UKR", "POL", "USA", "DEU", "FRA", "GBR"), admin1s=("UA.05", "RU.41")),
]


_MANY_BEARERS = [
    "Alexandria", "Donetsk", "Kursk", "Springfield", "Paris", "Pokrovsk", "Victoria", "San Jose",
    "Santa Cruz", "Washington", "Berlin", "Moscow", "Novoselivka", "Mykolaivka",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_MANY_BEARERS),
    st.sampled_from(_CONTEXTS)
    | st.builds(
        GeoContext,
        st.lists(st.sampled_from(["UKR", "RUS", "USA", "ESP", "MEX", "BRA", "PHL", "ARG"]), unique=True).map(
            tuple
        ),
        st.lists(st.sampled_from(["UA.05", "UA.14", "RU.41", "US.CA", "US.TX"]), unique=True).map(tuple),
    ),
)
def test_best_city_is_the_highest_score(name: str, context: GeoContext) -> None:
    gaz = gazetteer()
    cands = gaz.lookup_city(name)
    sup = _support(context, gaz)
    expected = max(cands, key=lambda c: (_score_city(c[0], c[1], sup, gaz), -gaz.geonameid[c[0]]))[0]
    assert _best_city(cands, sup, gaz) == expected
    assert _best_bearer(_bearers(name_key(name), cands, gaz), sup, gaz) == expected


@pytest.mark.parametrize(
    ("bases", "leaders"),
    [
        ([5.0, 5.0, 4.0], [1, 2]),  # equal bases tie
        ([5.0, 4.0, 4.0], [1]),
        ([1.0, 1.0 - 2.0**-53, 0.5], [1, 2]),  # different bases, tied by rounding the sum
    ],
)
def test_country_leaders_are_the_top_sums(bases: list[float], leaders: list[int]) -> None:
    scored = [(base, (k + 1, True)) for k, base in enumerate(bases)]
    assert [i for i, _ in _country_leaders(scored, 2.0)] == leaders


_CUE_TEXTS = st.lists(
    st.sampled_from(
        ["DPR", "Donbas", "Donbass", "Verkhovna Rada", "Rada", "White House", "Kremlin", "x", "_", "1",
         " ", "'s", "-", "(", ".", "é", "Donetsk People's Republic", "People's"]
    ),
    max_size=25,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_CUE_TEXTS)
def test_cue_hits_are_the_lookbehind_matches(text: str) -> None:
    cues = sorted(_cues()[1], key=lambda c: (-len(c), c))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, cues)) + r")(?!\w)")
    assert _cue_hits(text) == [(m.start(), m.group()) for m in pattern.finditer(text)]
