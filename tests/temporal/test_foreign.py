"""Non-English articles: absolute and simple relative dates through dateparser's language data."""

from __future__ import annotations

from datetime import date

import pytest

from etl.temporal import tag, tag_rows

REF = date(2024, 12, 17)

CASES = [
    ("uk", "16 грудня 2024 року російські війська атакували Київ.", "16 грудня 2024", "2024-12-16"),
    ("uk", "Вчора загинули троє людей.", "Вчора", "2024-12-16"),
    ("ru", "16 декабря 2024 года российские войска атаковали Киев.", "16 декабря 2024", "2024-12-16"),
    ("ru", "Вчера погибли три человека.", "Вчера", "2024-12-16"),
    ("fr", "Le 16 décembre 2024, l'armée a frappé Kharkiv.", "16 décembre 2024", "2024-12-16"),
    ("fr", "Hier, trois civils ont été tués.", "Hier", "2024-12-16"),
    ("fr", "En mars 2022, les troupes se sont retirées.", "mars 2022", "2022-03"),
    ("no", "I går ble tre mennesker drept.", "I går", "2024-12-16"),
]


@pytest.mark.parametrize(("language", "text", "surface", "value"), CASES)
def test_foreign_dates(language: str, text: str, surface: str, value: str) -> None:
    found = {(m.text, m.value) for m in tag(text, REF, language)}
    assert any(surface in t and v == value for t, v in found), found


@pytest.mark.parametrize(("language", "text", "surface", "value"), CASES)
def test_foreign_offsets_slice(language: str, text: str, surface: str, value: str) -> None:
    for m in tag(text, REF, language):
        assert text[m.start : m.end] == m.text


def test_foreign_relative_without_reference_stays_unresolved() -> None:
    values = [m.value for m in tag("Вчора загинули троє людей.", None, "uk")]
    assert values == ["XXXX-XX-XX"]


def test_foreign_day_without_year_uses_reference_or_stays_unknown() -> None:
    text = "16 грудня російські війська атакували Київ."
    assert [m.value for m in tag(text, REF, "uk")] == ["2024-12-16"]
    assert [m.value for m in tag(text, None, "uk")] == ["XXXX-12-16"]


def test_a_language_without_date_data_is_reported_not_silent() -> None:
    articles = [{"article_id": a, "text": "16 грудня 2024 року", "published": None, "language": language,
                 "input_file": "x.jsonl", "input_line": 1} for a, language in (("u", "uk"), ("x", "und"))]
    rows, problems = tag_rows(articles)
    assert {r["article_id"] for r in rows} == {"u"}
    assert [(p.article_id, p.code) for p in problems if p.code != "no_reference_date"] == [
        ("x", "unsupported_language")]
