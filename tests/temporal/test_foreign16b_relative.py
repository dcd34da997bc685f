"""Weekdays, "N days ago", "last week" and months alone in non-English articles (foreign16b).

They are coded as the English grammar codes "on Sunday", "three days ago", "last week" and
"in February": rule weekday / offset / relative_unit / month_alone, anchor reference.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.temporal import foreign
from etl.temporal.foreign import find_foreign
from etl.temporal.resolve import find

REF = dt.date(2024, 12, 17)  # a Tuesday


def _values(text: str, language: str, reference: dt.date | None = REF) -> list[str]:
    return [m.value for m in find_foreign(text, reference, language)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # past: the last such day on or before the publication day
        ("fr", "Les rebelles sont entrés dimanche dans Bukavu.", ["2024-12-15"]),
        ("fr", "Mardi, le conseil s'est réuni.", ["2024-12-17"]),
        ("es", "El domingo, los rebeldes tomaron el aeropuerto.", ["2024-12-15"]),
        ("de", "Am Sonntag griffen Drohnen Odessa an.", ["2024-12-15"]),
        ("ru", "В воскресенье войска обстреляли Херсон.", ["2024-12-15"]),
        ("ru", "Во вторник в Москве задержали 17 человек.", ["2024-12-17"]),
        ("uk", "У п’ятницю ворог атакував Одесу.", ["2024-12-13"]),
        ("pl", "W środę rebelianci zaatakowali.", ["2024-12-11"]),
        ("uk", "Минулої неділі в Сумах загинули 12 людей.", ["2024-12-15"]),
        ("ru", "В ночь с субботы на воскресенье дроны атаковали Москву.", ["2024-12-14", "2024-12-15"]),
        ("pl", "W nocy z soboty na niedzielę drony zaatakowały.", ["2024-12-14", "2024-12-15"]),
        ("ru", "Загрязнение среды выросло.", []),
        ("it", "Giovedì i ribelli hanno attaccato Goma.", ["2024-12-12"]),
        ("pt", "No sábado, os rebeldes atacaram.", ["2024-12-14"]),
        ("ar", "أعلنت وزارة الصحة الأحد أن عدد القتلى ارتفع.", ["2024-12-15"]),
        ("nl", "Op zondag vielen rebellen aan.", ["2024-12-15"]),
        # future clause: the next such day on or after it
        ("fr", "Le président se rendra jeudi à Kiev.", ["2024-12-19"]),
        ("es", "El consejo se reunirá el martes.", ["2024-12-17"]),
        ("de", "Die Wahl findet am Sonntag statt.", ["2024-12-22"]),
        ("ru", "Переговоры состоятся в пятницу.", ["2024-12-20"]),
        # "last"/"next": never the publication day itself
        ("fr", "Mardi dernier, les rebelles sont entrés.", ["2024-12-10"]),
        ("fr", "Les négociations reprendront mardi prochain.", ["2024-12-24"]),
        ("es", "El pasado domingo atacaron.", ["2024-12-15"]),
        ("de", "Am vergangenen Dienstag griffen sie an.", ["2024-12-10"]),
        ("it", "Domenica scorsa i ribelli hanno attaccato.", ["2024-12-15"]),
        ("ar", "وصل الوفد الخميس الماضي.", ["2024-12-12"]),
        # a weekday with its date is the date
        ("fr", "Lundi 9 décembre, la délégation est arrivée.", ["2024-12-09"]),
        ("de", "Am Montag, dem 9. Dezember, traf die Delegation ein.", ["2024-12-09"]),
        ("es", "El lunes 9 de diciembre llegó la delegación.", ["2024-12-09"]),
        ("ar", "وصل الوفد إلى واشنطن يوم الاثنين 9 ديسمبر.", ["2024-12-09"]),
        # not a date: habitual, feasts, names, other words
        ("fr", "Le mardi gras a été fêté sous les bombes.", []),
        ("fr", "Le dimanche, les marchés sont fermés.", []),
        ("fr", "Tous les vendredis, ils manifestent.", []),
        ("fr", "Le Vendredi saint, les fidèles ont prié.", []),
        ("es", "El tenor Plácido Domingo canceló su concierto.", []),
        ("es", "Domingo Pérez fue detenido en Caracas.", []),
        ("es", "Los lunes el mercado cierra.", []),
        ("es", "Llegaron a Santo Domingo el domingo.", ["2024-12-15"]),
        ("it", "La senatrice Domenica Rossi ha visitato Kiev.", []),
        ("pl", "Minister Piątek powiedział, że wojsko jest gotowe.", []),
        ("ru", "Окружающая среда пострадала от войны.", []),
        ("ar", "خرج المتظاهرون بعد صلاة الجمعة.", []),
        ("ar", "شارك الأحد عشر لاعبا في المباراة.", []),  # "the eleven"
        ("de", "Das sagte Sprecherin Freitag am Abend.", []),
    ],
)
def test_weekdays(language: str, text: str, expected: list[str]) -> None:
    assert _values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "Il y a trois jours, une frappe a touché Kherson.", ["2024-12-14"]),
        ("fr", "Il y a 3 jours, une frappe a touché Kherson.", ["2024-12-14"]),
        ("es", "Hace dos días, un dron impactó en Járkov.", ["2024-12-15"]),
        ("de", "Vor drei Tagen traf eine Drohne ein Wohnhaus.", ["2024-12-14"]),
        ("de", "Vor zwei Wochen wurde der Kommandeur abgesetzt.", ["2024-W49"]),
        ("ru", "Три дня назад в Курске объявили режим ЧС.", ["2024-12-14"]),
        ("ru", "Неделю назад в Курске объявили режим ЧС.", ["2024-W50"]),
        ("uk", "Три дні тому дрон влучив у будинок.", ["2024-12-14"]),
        ("it", "Tre giorni fa un drone ha colpito Kharkiv.", ["2024-12-14"]),
        ("pl", "Trzy dni temu dron uderzył w blok.", ["2024-12-14"]),
        ("ar", "قبل ثلاثة أيام أصاب طائرة مسيرة مبنى.", ["2024-12-14"]),
        ("ar", "قبل يومين قصفت الطائرات المدينة.", ["2024-12-15"]),
        ("fr", "Il y a deux mois, la ville est tombée.", ["2024-10"]),
        ("es", "Hace dos años, la guerra empezó.", ["2022"]),
        # counted forward
        ("fr", "Dans une semaine, les ministres se retrouveront.", ["2024-W52"]),
        ("ru", "Через неделю делегации встретятся в Стамбуле.", ["2024-W52"]),
        ("de", "In drei Tagen beginnt der Gipfel.", ["2024-12-20"]),
        # not "ago": before an event, since a year, a length of time
        ("ar", "قبل ثلاثة أيام من الانتخابات قصفت الطائرات.", []),
        ("ar", "منذ عام 2011 نزح أكثر من 6 ملايين سوري.", ["2011"]),
        ("uk", "Після 2 тижнів важких боїв підрозділ вийшов.", []),
        ("uk", "ППО працювала протягом 24 годин.", []),
        ("ru", "Конфликт длился 44 дня.", []),
    ],
)
def test_counted_days(language: str, text: str, expected: list[str]) -> None:
    assert _values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "La semaine dernière, 35 personnes ont été tuées.", ["2024-W50"]),
        ("es", "La semana pasada murieron 35 personas.", ["2024-W50"]),
        ("de", "Letzte Woche starben 35 Menschen.", ["2024-W50"]),
        ("ru", "На прошлой неделе в Москве задержали 17 человек.", ["2024-W50"]),
        ("pl", "W zeszłym tygodniu w Sumach zginęło 35 osób.", ["2024-W50"]),
        ("it", "La settimana scorsa sono morte 35 persone.", ["2024-W50"]),
        ("ar", "قتل 35 شخصا الأسبوع الماضي.", ["2024-W50"]),
        ("fr", "Le mois dernier, les combats ont repris.", ["2024-11"]),
        ("es", "El año pasado murieron 300 civiles.", ["2023"]),
        ("fr", "La semaine prochaine, le sommet aura lieu.", ["2024-W52"]),
        ("uk", "Цього року обстріли посилилися.", ["2024"]),
    ],
)
def test_relative_units(language: str, text: str, expected: list[str]) -> None:
    assert _values(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "2 500 soldats ont été blessés en février.", ["2024-02"]),
        ("fr", "L'évacuation se poursuit depuis août.", ["2024-08"]),
        ("fr", "Les frappes se sont intensifiées en octobre et novembre.", ["2024-10", "2024-11"]),
        ("fr", "Les combats ont repris en décembre.", ["2024-12"]),
        ("fr", "Le sommet aura lieu en février.", ["2025-02"]),
        ("fr", "Depuis décembre dernier, rien n'a changé.", ["2023-12"]),
        ("de", "Im Februar wurden 2.500 Soldaten verwundet.", ["2024-02"]),
        ("es", "Los combates se intensificaron en febrero.", ["2024-02"]),
        ("uk", "Евакуація триває з серпня.", ["2024-08"]),
        ("uk", "Обстріли посилилися в жовтні та листопаді.", ["2024-10", "2024-11"]),
        ("ru", "Штурм продолжался с марта по май 2022 года.", ["2022-03", "2022-05"]),
        ("pl", "W 2022 roku wojska zajęły Chersoń, a w listopadzie się wycofały.", ["2022", "2022-11"]),
        ("ar", "تجاوز عدد القتلى 40 ألفا منذ أكتوبر الماضي.", ["2024-10"]),
        # with a day or a year it is dateparser's date
        ("fr", "En mars 2022, les troupes se sont retirées.", ["2022-03"]),
        ("de", "Im März 2022 zogen sich die Truppen zurück.", ["2022-03"]),
        # no preposition: no month alone ("Mars" the planet, Arabic "مارس" = "practised")
        ("fr", "La sonde a atteint Mars.", []),
    ],
)
def test_months_alone(language: str, text: str, expected: list[str]) -> None:
    assert sorted(_values(text, language)) == expected


def test_codes_mirror_english() -> None:
    """Same columns as the English "on Sunday", "three days ago", "last week", "in February"."""
    pairs = [
        ("Rebels entered Bukavu on Sunday.", "Les rebelles sont entrés dimanche dans Bukavu.", "fr"),
        ("Three days ago a drone hit Kharkiv.", "Vor drei Tagen traf eine Drohne Charkiw.", "de"),
        ("Last week 35 people died.", "La semana pasada murieron 35 personas.", "es"),
        ("In February, 2500 soldiers were wounded.", "В феврале были ранены 2500 солдат.", "ru"),
        ("The talks will take place on Thursday.", "Переговоры состоятся в четверг.", "ru"),
    ]
    columns = (
        "type",
        "value",
        "date_start",
        "date_end",
        "granularity",
        "anchor",
        "anchor_value",
        "rule",
        "tense",
    )
    for english, other, language in pairs:
        for reference in (REF, None):
            en = [tuple(getattr(m, c) for c in columns) for m in find(english, reference)]
            xx = [tuple(getattr(m, c) for c in columns) for m in find_foreign(other, reference, language)]
            assert xx == en, (other, reference)


def test_without_a_reference_weekdays_keep_their_day() -> None:
    found = find_foreign("Les rebelles sont entrés dimanche dans Bukavu.", None, "fr")
    assert [(m.value, m.granularity, m.anchor) for m in found] == [("XXXX-WXX-7", "week", None)]


def test_every_listed_word_is_found() -> None:
    """Each weekday form and relative phrase of the data file is read in its language."""
    data = foreign._relative_data()
    for language, week in data["weekdays"].items():
        for index, forms in enumerate(week["names"]):
            for form in forms:
                found = find_foreign(f"Xx {form} xx.", REF, language)
                assert [m.date_start.weekday() for m in found if m.date_start] == [index], (language, form)
    for language, phrases in data["relative_units"].items():
        for phrase, (unit, _) in phrases.items():
            found = find_foreign(f"Xx {phrase} xx.", REF, language)
            assert [m.granularity for m in found] == [unit], (language, phrase)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(0, 6))
def test_weekday_is_within_a_week(reference: dt.date, index: int) -> None:
    """Past: within the 7 days up to the reference, on the named weekday; future: the 7 from it."""
    names = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    past = find_foreign(f"Les rebelles sont entrés {names[index]} dans la ville.", reference, "fr")
    future = find_foreign(f"Le président se rendra {names[index]} dans la ville.", reference, "fr")
    (p,), (f,) = past, future
    assert p.date_start is not None and f.date_start is not None
    assert p.date_start.weekday() == f.date_start.weekday() == index
    assert 0 <= (reference - p.date_start).days < 7 and 0 <= (f.date_start - reference).days < 7
    assert (p.tense, f.tense) == ("past", "future")


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a count with a thousands separator is no day: was "marzo, 2" = 2024-03-02
        ("es", "Según el informe del 3 de marzo, 2.500 soldados resultaron heridos.", ["2024-03-03"]),
        ("fr", "Le 3 mars, 2 500 soldats ont été blessés.", ["2024-03-03"]),
        # words after a comma belong to the next clause: was "et 2019, le" (dropped)
        ("fr", "Entre 2015 et 2019, le conflit a fait 13 000 morts.", ["2015", "2019"]),
        # a month with its year that dateparser splits ("d'août" + "2022")
        ("fr", "La bataille a duré d'août 2022 à mai 2023.", ["2022-08", "2023-05"]),
        # Arabic "يوم" (day) before a weekday and "منذ" (ago) before a day: blanked for dateparser
        ("ar", "منذ 24 فبراير 2022 قتل أكثر من 10 آلاف مدني.", ["2022-02-24"]),
        ("ar", "تستمر الغارات منذ 23 سبتمبر.", ["2024-09-23"]),
        ("ru", "С 24 февраля из страны выехали миллионы людей.", ["2024-02-24"]),
        # the whole publication day is past: a time after its midnight is still that day
        ("es", "El martes 17 de diciembre a las 15:00 se reunió el consejo.", ["2024-12-17"]),
        ("ar", "يجتمع مجلس الأمن يوم الثلاثاء 17 ديسمبر في الساعة 15:00.", ["2024-12-17"]),
    ],
)
def test_dateparser_repairs(language: str, text: str, expected: list[str]) -> None:
    assert sorted(_values(text, language)) == expected


def test_month_year_spans_take_the_month() -> None:
    found = find_foreign("La bataille a duré d'août 2022 à mai 2023.", REF, "fr")
    assert next((m.text, m.rule, m.anchor) for m in found) == ("août 2022", "month_year", "absolute")
