"""Non-English dates found in candidate windows: values per language, exact offsets, and work
bounded by the number of candidates (dateparser is never handed the whole article)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.temporal import foreign, tag
from etl.temporal.foreign import candidate_windows, find_foreign

REF = date(2024, 12, 17)
DATA = Path(__file__).resolve().parent / "data"

# (language, sentence, surface found, value): the surface must be exactly the mention's text.
CASES = [
    ("uk", "Вчора ввечері в Одесі пролунали вибухи.", "Вчора", "2024-12-16"),
    ("uk", "Позавчора на Запоріжжі зафіксовано 300 обстрілів.", "Позавчора", "2024-12-15"),
    ("uk", "Ракетний удар 8 липня зруйнував дитячу лікарню.", "8 липня", "2024-07-08"),
    ("uk", "16 грудня 2024 року російські війська атакували Київ.", "16 грудня 2024 року", "2024-12-16"),
    ("uk", "Наступ почався 4 червня 2023 року і тривав місяці.", "4 червня 2023 року", "2023-06-04"),
    ("ru", "Позавчера над Крымом сбили 14 дронов.", "Позавчера", "2024-12-15"),
    ("ru", "Президент выступил с обращением 21 сентября, объявив мобилизацию.", "21 сентября", "2024-09-21"),
    ("ru", "Переговоры завершились 12 февраля 2015 года подписанием.", "12 февраля 2015 года", "2015-02-12"),
    ("fr", "Aujourd'hui, le gouvernement a annoncé de nouvelles sanctions.", "Aujourd'hui", "2024-12-17"),
    ("fr", "Demain, le Parlement européen votera une nouvelle aide.", "Demain", "2024-12-18"),
    ("fr", "L'offensive a débuté le 4 juin 2023 et a duré des mois.", "le 4 juin 2023 et a", "2023-06-04"),
    ("fr", "En mars 2022, les troupes russes se sont retirées.", "En mars 2022", "2022-03"),
    ("de", "Gestern wurden bei einem Angriff drei Zivilisten getötet.", "Gestern", "2024-12-16"),
    ("de", "Im März 2022 zogen sich die Truppen aus der Region Kiew zurück.", "Im März 2022", "2022-03"),
    ("de", "1994 begann der erste Tschetschenienkrieg.", "1994", "1994"),
    ("fr", "2023 — 45 000 morts selon le bilan.", "2023", "2023"),  # a window of no French letter
    ("es", "Ayer murieron tres civiles en un bombardeo en Jersón.", "Ayer", "2024-12-16"),
    ("es", "Anteayer, las autoridades registraron 300 ataques.", "Anteayer", "2024-12-15"),
    ("es", "El 16 de diciembre de 2024, las tropas atacaron Kiev.", "16 de diciembre de 2024", "2024-12-16"),
    ("es", "El ataque del 22/03/2024 dejó 145 muertos.", "22/03/2024", "2024-03-22"),
    ("ar", "قُتل أمس ثلاثة مدنيين في قصف على خيرسون.", "أمس", "2024-12-16"),
    ("ar", "في 16 ديسمبر 2024 هاجمت القوات الروسية كييف بالصواريخ.", "في 16 ديسمبر 2024", "2024-12-16"),
    ("ar", "في مارس 2022 انسحبت القوات الروسية من منطقة كييف.", "في مارس 2022", "2022-03"),
    ("it", "Il 16 dicembre 2024 le truppe russe hanno attaccato Kiev.", "16 dicembre 2024", "2024-12-16"),
    ("it", "Ieri tre civili sono stati uccisi a Kherson.", "Ieri", "2024-12-16"),
    ("pl", "Wczoraj w ostrzale Chersonia zginęło trzech cywilów.", "Wczoraj", "2024-12-16"),
    ("pl", "16 grudnia 2024 roku rosyjskie wojska zaatakowały Kijów.", "16 grudnia 2024 roku", "2024-12-16"),
]

# dateparser's locale quirks, fixed by rewriting the window (same length) or re-reading the
# surface: a year word after a year read as a count of years ("2022 року" = year 2), locative
# month names it lacks, "Am"/"am" read as a.m., ordinal days ("1er", "1.º"), a year after a
# preposition, a time of day read as a year ("15 Uhr" = 2015).
QUIRKS = [
    ("uk", "У березні 2022 року окупанти відступили.", "березні 2022 року", "2022-03"),
    ("uk", "У 2014 році Росія анексувала Крим.", "2014 році", "2014"),
    ("uk", "Протягом 2023 року до лав ЗСУ долучилися тисячі добровольців.", "Протягом 2023 року", "2023"),
    ("uk", "Бої тривали у листопаді 2023 р. біля Авдіївки.", "листопаді 2023 р.", "2023-11"),
    ("uk", "Станом на 5 травня 2023 р. втрати зросли.", "5 травня 2023 р.", "2023-05-05"),
    ("ru", "В 1994 году началась первая чеченская война.", "В 1994 году", "1994"),
    ("ru", "В феврале 2022 года началось полномасштабное вторжение.", "В феврале 2022 года", "2022-02"),
    ("ru", "Учения прошли в сентябре 2021 года в Беларуси.", "в сентябре 2021 года", "2021-09"),
    ("ru", "В 2008 г. Россия воевала с Грузией.", "В 2008 г.", "2008"),
    ("ru", "Мост был поврежден 8 октября 2022 и 17 июля 2023 года.", "17 июля 2023 года", "2023-07-17"),
    ("de", "Am 16. Dezember 2024 griffen russische Truppen Kiew an.", "16. Dezember 2024", "2024-12-16"),
    ("de", "Die Verhandlungen fanden am 29. März 2022 in Istanbul statt.", "29. März 2022", "2022-03-29"),
    ("de", "Am 8. Juli zerstörte ein Raketenangriff ein Kinderkrankenhaus.", "8. Juli", "2024-07-08"),
    ("de", "Der Sicherheitsrat tagt am Dienstag, 17. Dezember, um 15 Uhr.", "Dienstag, 17. Dezember",
     "2024-12-17"),
    ("de", "Im Jahr 2014 annektierte Russland die Krim.", "Im Jahr 2014", "2014"),
    ("de", "In 2022 flohen Millionen Menschen aus der Ukraine.", "In 2022", "2022"),
    ("fr", "Le 1er mars 2022, un convoi stationnait au nord de Kiev.", "Le 1er mars 2022", "2022-03-01"),
    ("fr", "La trêve est entrée en vigueur le 1re septembre 2020 selon Bakou.", "le 1re septembre 2020",
     "2020-09-01"),
    ("fr", "En 2019, les combats ont repris dans la région.", "En 2019", "2019"),
    ("fr", "Le conseil se réunira mardi 17 décembre à 15 heures.", "mardi 17 décembre à", "2024-12-17"),
    ("es", "El 1.º de marzo de 2022 comenzó el asedio de Mariúpol.", "1.º de marzo de 2022", "2022-03-01"),
    ("es", "En 1994 comenzó la primera guerra de Chechenia.", "En 1994", "1994"),
    ("it", "Il 1º marzo 2022 è iniziato l'assedio.", "1º marzo 2022", "2022-03-01"),
    ("pl", "Kontrofensywa rozpoczęła się 4 czerwca 2023 roku.", "4 czerwca 2023 roku", "2023-06-04"),
    ("pl", "W 2022 roku wojska rosyjskie zajęły Chersoń.", "W 2022 roku", "2022"),
]  # fmt: skip

# A short month abbreviation that is a common word is no month ("się" is Polish "itself",
# dateparser's "sie" = August; Spanish "mar" = sea, dateparser's March): before, each gave a
# date beside the real one.
COMMON_WORDS = [
    ("pl", "Okazało się 4 grudnia 2024 roku, że rakiety nie dotarły.",
     [("4 grudnia 2024 roku", "2024-12-04")]),
    ("pl", "Kontrofensywa rozpoczęła się 4 czerwca 2023 roku.", [("4 czerwca 2023 roku", "2023-06-04")]),
    ("es", "En el mar 4 barcos fueron hundidos el 3 de marzo de 2022.",
     [("3 de marzo de 2022", "2022-03-03")]),
    ("es", "Desde 2022 el mar 4 veces más agitado.", [("2022", "2022")]),
    ("pl", "Atak nastąpił 4 sie. rano.", [("4 sie", "2024-08-04")]),  # written as an abbreviation
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "expected"), COMMON_WORDS)
def test_a_common_word_is_no_month(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.text, m.value) for m in tag(text, REF, language)] == expected


def _sentences(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(line.split("\t", 1)[0], line.split("\t", 1)[1]) for line in lines if line and line[0] != "#"]


@pytest.mark.parametrize("reference", [REF, None])
def test_a_value_says_what_the_surface_says(reference: date | None) -> None:
    """A four-digit year in the surface is the value's year, and no value falls before 1000
    ("2022 року" was 2022 years ago: the year 2; "15 Uhr" was the year 2015)."""
    checked = 0
    for language, text in _sentences("foreign_sentences.tsv"):
        found = find_foreign(text, reference, language)
        for i, m in enumerate(found):
            after = found[i + 1] if i + 1 < len(found) else None
            if m.rule == "day_range":  # "11" of "11 et 12 juillet 2023": the last day's month and year
                assert after is not None and after.value[:8] == m.value[:8], (m.text, m.value)
                continue
            if m.rule == "month_alone" and m.anchor == "absolute":  # "марта" of "с марта по май 2022 года"
                assert after is not None and int(after.value[:4]) - int(m.value[:4]) in (0, 1), (
                    m.text,
                    m.value,
                )
                continue
            if m.anchor == "narrative":  # "w listopadzie" after "W 2022 roku": the year written before
                assert m.anchor_value is not None and m.value[:4] == m.anchor_value[:4], (m.text, m.value)
                continue
            written = {y for y in re.findall(r"(?<!\d)\d{4}(?!\d)", m.text)}
            if written:
                assert m.value[:4] in written, (m.text, m.value)
                checked += 1
            elif m.value[:4] != "XXXX":
                assert reference is not None and abs(int(m.value[:4]) - reference.year) <= 1, (
                    m.text,
                    m.value,
                )
    assert checked >= 100


def test_rewrites_keep_the_length() -> None:
    for language, text in _sentences("foreign_sentences.tsv"):
        normalised, blanks, _ = foreign._normalise(text, language)
        assert len(normalised) == len(text)
        assert all(not normalised[low:high].strip() for low, high in blanks)


def _article(language: str) -> str:
    return "\n\n".join(text for lang, text in _sentences("foreign_sentences.tsv") if lang == language)


@pytest.mark.parametrize("language", ["uk", "ru", "fr", "de", "es", "ar"])
def test_windows_give_what_the_whole_text_gives(language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-written articles: windows find what searching the whole text finds, except a
    time of day alone ("2:50 Uhr": no date, its value was the reference day)."""
    text = _article(language)
    windowed = {(m.start, m.end, m.value) for m in find_foreign(text, REF, language)}
    monkeypatch.setattr(foreign, "candidate_windows", lambda text, language: [(0, len(text))])
    whole = {(m.start, m.end, m.value) for m in find_foreign(text, REF, language)}
    assert windowed <= whole
    assert all(re.fullmatch(r"\D*\d{1,2}:\d\d\D*", text[s:e]) for s, e, _ in whole - windowed)
    assert len(windowed) >= 20  # most of the 25-30 sentences give a date


def test_plain_text_hands_dateparser_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_dateparser_input(monkeypatch)
    for language, text in _sentences("foreign_plain.tsv"):
        assert find_foreign(text, REF, language) == []
    assert seen == []


def _count_dateparser_input(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the length of each text handed to dateparser (the real search still runs)."""
    seen: list[int] = []
    real = foreign._search_dates
    foreign._surfaces.cache_clear()  # every window reaches dateparser, none is served from cache

    def counting(text: str, language: str, settings: dict[str, Any]) -> Any:
        seen.append(len(text))
        return real(text, language, settings)

    monkeypatch.setattr(foreign, "_search_dates", counting)
    return seen


def _numbers(size: int) -> str:
    """A table of numbers, years and numeric dates, as statistics pages have."""
    words: list[str] = []
    for i in range(size // 6):
        words.append(str(i * 7919 % 100000) if i % 3 else f"{i % 28 + 1}.{i % 12 + 1:02d}.{1990 + i % 40}")
        if i % 11 == 0:
            words.append(str(1900 + i % 120))
    return " ".join(words)[:size]


def _hostile() -> Iterator[tuple[str, str]]:
    yield "fr", _numbers(6000)
    yield "fr", " ".join(f"{i % 28 + 1} mars {i % 9} {i}" for i in range(300))
    yield "uk", "вчора " * 400
    yield "de", "x" * 3000 + " 1994 " + "9" * 3000 + " Januar " + "y" * 3000


@pytest.mark.parametrize(("language", "text"), list(_hostile()), ids=["numbers", "months", "words", "tokens"])
def test_dateparser_input_is_bounded_per_candidate(
    language: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _count_dateparser_input(monkeypatch)
    find_foreign(text, REF, language)
    lexicon = foreign._lexicon(language)
    candidates = sum(1 for _ in lexicon.anchors.finditer(text))
    longest = max(len(m.group()) for m in lexicon.anchors.finditer(text))
    assert seen
    assert sum(seen) <= candidates * (2 * foreign._SIDE_CHARS + longest + len(lexicon.lead))
    assert all(n <= foreign._WINDOW_CHARS + len(lexicon.lead) for n in seen)


def test_a_table_of_numbers_is_mostly_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_dateparser_input(monkeypatch)
    text = _numbers(6000)
    found = find_foreign(text, REF, "fr")
    assert sum(seen) < len(text) / 5
    # Years alone, and numeric dates read day-first without dateparser ("4.06.1991").
    years = [m.value for m in found if m.rule == "dateparser"]
    assert years and all(re.fullmatch(r"(1[5-9]|20)\d\d", v) for v in years)
    numeric = [m for m in found if m.rule != "dateparser"]
    assert numeric and all(m.rule == "dotted_date" for m in numeric)
    assert all(m.value == "{2}-{1:0>2}-{0:0>2}".format(*m.text.split(".")) for m in numeric)


_WORDS = ["16", "2024", "4.06.1991", "грудня", "вчора", "року", "тому", "3", "дні", "Київ", "атакували",
          "і", "-", "  ", "\n", ",", "2024р.", "через"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=60), st.sampled_from([" ", "", "\n"]))
def test_windows_are_ordered_disjoint_and_short(words: list[str], glue: str) -> None:
    text = glue.join(words)
    windows = candidate_windows(text, "uk")
    assert windows == sorted(windows)
    assert all(0 <= s < e <= len(text) and e - s <= foreign._WINDOW_CHARS for s, e in windows)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(windows))
    # Every relative word and every year alone is inside a window.
    for m in foreign._lexicon("uk").anchors.finditer(text):
        if m.lastgroup == "standalone" or (m.lastgroup == "year" and not foreign._glued(text, *m.span())):
            assert any(s <= m.start() and m.end() <= e for s, e in windows), (m.group(), windows)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_foreign_offsets_slice_the_text(words: list[str]) -> None:
    text = " ".join(words)
    for m in find_foreign(text, REF, "uk"):
        assert text[m.start : m.end] == m.text
