"""The article context and the article scan equal a plain reckoning (guards for speed-ups).

`article_context` / `countries_named` (with and without `within=`) against a readable
reference that counts one vote at a time; the article's `_Document` scan against `_scan_text`.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.geo import GeoContext, article_context, countries_named, countries_unless, gazetteer
from etl.geo.index import words
from etl.geo.resolve import (
    _cue_hits,
    _cues,
    _Document,
    _Mention,
    _mentions_shifted,
    _namesake_pick,
    _pick_admin1,
    _pick_city,
    _scan,
    _scan_text,
    _support,
    parse_dateline,
)

ARTICLE = (
    "KYIV, Dec 17 (Reuters) - Russian forces shelled Kharkiv and Sumy overnight, officials in the "
    "Kharkiv region said. Drones hit Bila Tserkva, Kyiv region, and the port of Chornomorsk.\n\n"
    "North Korean troops are fighting in Kursk; the DPR leadership and the Kremlin denied it.\n\n"
    "Poland's Tusk met leaders in Tallinn, Estonia. The Donetsk and Luhansk regions were shelled, "
    "and the Donetsk city of Pokrovsk came under attack. Alexandria and Springfield, Illinois, "
    "sent aid; Paris and Victoria pledged more."
)


def _reference_context(title: str, text: str) -> GeoContext:
    """`article_context` written out plainly: one vote at a time, every pick worked out afresh."""
    gaz = gazetteer()
    weight: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    aweight: dict[int, float] = defaultdict(float)
    afirst: dict[int, int] = {}

    def add_country(iso2: str | None, w: float, pos: int) -> None:
        if iso2 and gaz.has_country(iso2):
            weight[iso2] += w
            first.setdefault(iso2, pos)

    def add_admin1(a: int, w: float, pos: int) -> None:
        aweight[a] += w
        afirst.setdefault(a, pos)
        add_country(gaz.admin1s[a].country_iso2, w, pos)

    def ranked() -> tuple[str, ...]:
        return tuple(gaz.country(c)[0] for c in sorted(weight, key=lambda c: (-weight[c], first[c])))

    dateline = parse_dateline(text)
    scans = [(_scan(title, gaz), 2.0, 0), (_scan(text, gaz), 1.0, len(title) + 1)]
    if dateline is not None:
        add_country(gaz.iso2(dateline.country_iso3), 1.0, -1)
    codes, targets = gaz.admin1_by_code, _cues()[1]
    for source, w, offset in ((title, 2.0, 0), (text, 1.0, len(title) + 1)):
        for start, cue in _cue_hits(source):
            for target in targets[cue]:
                if target in codes:
                    add_admin1(codes[target], w, offset + start)
                else:
                    add_country(gaz.iso2(target), w, offset + start)
    attackers = words()["attacker_nouns"]
    for (mentions, w, offset), source in zip(scans, (title, text), strict=True):
        for m in mentions:
            if m.kind in ("country", "demonym"):  # "Russian missiles", "US forces": a tenth
                after = re.match(r"(?:['’]s)?[ \t]*([^\W\d_]+)", source[m.end :])
                weapon = after is not None and after.group(1).lower() in attackers
                add_country(m.country, 0.1 * w if weapon else w, offset + m.start)
            elif m.kind == "region" and m.region is not None:
                add_country(gaz.regions[m.region][1], w, offset + m.start)
    sup = _support(GeoContext(ranked()), gaz)
    for mentions, w, offset in scans:
        for m in mentions:
            if m.kind == "province" and m.admin1s:
                a = _pick_admin1(m, sup, gaz)
                if a is not None:
                    add_admin1(a, w, offset + m.start)
            elif m.kind in ("city", "district", "province"):  # a province named after a place
                i = (_namesake_pick if m.kind == "province" else _pick_city)(m, sup, gaz)
                if i is not None:
                    add_country(gaz.country_code(i), 0.5 * w, offset + m.start)
    admin1s = tuple(
        gaz.admin1s[a].country_iso2 + "." + gaz.admin1s[a].code
        for a in sorted(aweight, key=lambda a: (-aweight[a], afirst[a]))
    )
    return GeoContext(ranked(), admin1s, dateline)


_WORDS = [
    "Kharkiv", "Kyiv", "region", "Russian", "Ukraine's", "Poland", "Tallinn,", "Estonia", "DPR",
    "Kremlin", "Donetsk", "Luhansk", "regions", "Pokrovsk", "city", "of", "the", "and", "in",
    "Alexandria", "Springfield,", "Illinois", "Paris", "Victoria", "Kursk", "Oblast", "KYIV", "–",
    "Drones", "hit", "Moscow", "Texas", "Mexican", "Washington", "Post", "President", "Novoselivka",
    "missiles", "KHARKIV", "STRUCK", "Times", "State", "Borno", "Russia's", "forces", "US",
]  # fmt: skip
_TEXTS = st.lists(
    st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", " ", ", ", ". ", "\n\n"])), max_size=30
).map(lambda pairs: "".join(w + s for w, s in pairs))


@pytest.mark.parametrize("title", ["", "Fighting in Ukraine", "Paris talks on Kursk"])
def test_context_counts_as_the_reference(title: str) -> None:
    assert article_context(title, ARTICLE) == _reference_context(title, ARTICLE)
    for paragraph in ARTICLE.split("\n\n"):
        expected = _reference_context("", paragraph).countries
        assert countries_named(paragraph) == expected
        assert countries_named(paragraph, within=ARTICLE) == expected


@settings(max_examples=150, deadline=None)
@given(_TEXTS, _TEXTS)
def test_context_counts_as_the_reference_on_generated_texts(title: str, text: str) -> None:
    assert article_context(title, text) == _reference_context(title, text)
    assert countries_named(text) == _reference_context("", text).countries
    within = f"Intro. {text} Outro."
    assert countries_named(text, within=within) == _reference_context("", text).countries
    mentions, shift = _mentions_shifted(text, gazetteer(), within)
    assert [(m.start - shift, m.key) for m in mentions] == [
        (m.start, m.key) for m in _scan(text, gazetteer())
    ]


def _fields(m: _Mention) -> tuple[object, ...]:
    q = m.qualifier
    return (m.start, m.end, m.kind, m.key, m.country, m.region, tuple(m.cities), m.admin1s, m.part,
            m.glued, None if q is None else (q.start, q.kind, q.admin1s), m.is_qualifier)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_article_scan_is_the_plain_scan(text: str) -> None:
    """The article's scan (whose parts reuse its steps) finds what a plain scan does."""
    doc = _Document(text, gazetteer())
    assert [_fields(m) for m in doc.mentions] == [_fields(m) for m in _scan_text(text, gazetteer())]


def _unless_reference(text: str, iso3: str, within: str | None) -> tuple[str, ...] | None:
    countries = countries_named(text, within=within)
    return None if iso3 in countries else countries


_ISO3 = ["UKR", "RUS", "POL", "EST", "USA", "FRA", "PRK", "XKX"]


@pytest.mark.parametrize("iso3", _ISO3)
def test_countries_unless_is_countries_named_or_none(iso3: str) -> None:
    """It stops before weighing places only when the country voted for itself: same answer."""
    for paragraph in ARTICLE.split("\n\n"):
        for within in (None, ARTICLE):
            assert countries_unless(paragraph, iso3, within) == _unless_reference(paragraph, iso3, within)


def test_countries_unless_examples() -> None:
    assert countries_unless("Poland protested. Drones hit Kharkiv.", "POL") is None
    assert countries_unless("Drones hit Kharkiv.", "POL") == ("UKR",)
    assert countries_unless("Drones hit Kharkiv.", "UKR") is None  # named by a place only
    assert countries_unless("The weather was mild.", "UKR") == ()


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.sampled_from(_ISO3))
def test_countries_unless_on_generated_texts(text: str, iso3: str) -> None:
    assert countries_unless(text, iso3) == _unless_reference(text, iso3, None)
    within = f"Intro. {text} Outro."
    assert countries_unless(text, iso3, within) == _unless_reference(text, iso3, within)
