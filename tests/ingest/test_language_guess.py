"""An article without a language field gets the language its text's function words show.

Only Latin-script languages are guessed (other scripts are the ``language_mismatch`` warning's
job); English, short texts and texts that merely quote another language stay ``en``; a given
language is never replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.ingest.records import (
    article_language,
    guess_language,
    normalize_record,
    primary_language,
    record_problems,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

# Short news paragraphs, written for these tests (several outlets' styles, several conflicts).
FOREIGN = [
    ("de", "Die Armee meldete 12 Tote und 40 Verletzte nach dem Angriff auf Kramatorsk. Nach "
           "Angaben der Behörden wurden auch zwei Schulen beschädigt. Der Gouverneur sagte, die "
           "Rettungsarbeiten dauerten noch an."),
    ("de", "Bei einem Drohnenangriff auf ein Wohnhaus in Odessa sind in der Nacht mindestens drei "
           "Menschen getötet worden. Das teilte die Militärverwaltung am Morgen mit. Unter den "
           "Opfern ist auch ein Kind."),
    ("de", "Im Sudan haben sich die Kämpfe zwischen der Armee und den RSF-Milizen weiter "
           "verschärft. Hilfsorganisationen warnen vor einer Hungersnot, weil die Lieferungen "
           "seit Wochen nicht mehr ankommen."),
    ("fr", "L'armée malienne a annoncé lundi avoir repoussé une attaque contre un camp militaire "
           "dans le centre du pays. Selon une source sécuritaire, au moins dix assaillants ont été "
           "tués et plusieurs soldats blessés."),
    ("fr", "Des affrontements ont éclaté dans la nuit entre des groupes armés à Bangui, a indiqué "
           "la mission de l'ONU. Les habitants ont fui vers les quartiers voisins pour se mettre à "
           "l'abri des tirs."),
    ("fr", "Le bilan de la frappe israélienne sur un immeuble de Beyrouth s'élève à quatre morts, "
           "selon le ministère de la Santé libanais, qui fait aussi état de 18 blessés."),
    ("es", "Al menos siete personas murieron este martes en un ataque armado contra una comisaría "
           "en el estado de Guerrero, según informaron las autoridades locales. Los agresores "
           "huyeron y el ejército inició un operativo en la zona."),
    ("es", "El Gobierno colombiano denunció que disidencias de las FARC atacaron con drones una "
           "base militar en el Cauca. Dos soldados resultaron heridos y fueron trasladados a un "
           "hospital de Popayán."),
    ("es", "La ONU advirtió que la violencia de las pandillas en Haití ha desplazado a más de "
           "setecientas mil personas, la mitad de ellas niños, desde que comenzó la crisis."),
    ("it", "Secondo fonti locali, almeno cinque civili sono stati uccisi durante un bombardamento "
           "nella regione di Kherson. Le autorità ucraine hanno accusato le forze russe di avere "
           "colpito un mercato affollato."),
    ("it", "Il ministero della Difesa ha confermato che il convoglio è stato attaccato vicino al "
           "confine, ma non ci sono vittime tra i militari italiani della missione."),
    ("pt", "Pelo menos oito pessoas morreram num ataque de insurgentes a uma aldeia no norte de "
           "Moçambique, segundo fontes locais. Os atacantes incendiaram casas e a população fugiu "
           "para o mato."),
    ("pt", "A polícia do Rio de Janeiro informou que uma operação contra o tráfico no Complexo da "
           "Maré deixou três mortos. Moradores relataram tiroteios durante toda a manhã e as "
           "escolas não abriram."),
    ("nl", "Bij een aanval op een legerbasis in het noorden van Burkina Faso zijn volgens lokale "
           "bronnen tientallen soldaten om het leven gekomen. De regering heeft nog niet "
           "gereageerd op de berichten."),
    ("nl", "Het Israëlische leger zegt dat het de nacht door doelen in het zuiden van Libanon heeft "
           "aangevallen. Er zouden ook burgers zijn gedood, maar dat kon niet worden bevestigd."),
    ("pl", "W wyniku ostrzału Chersonia zginęły dwie osoby, a pięć zostało rannych, poinformowały "
           "w poniedziałek władze obwodu. Pociski trafiły w budynek mieszkalny i sklep. Według "
           "mera miasta rosyjskie wojska ostrzelały także port, a szpital został uszkodzony."),
    ("pl", "Według ukraińskiego sztabu generalnego w ciągu doby doszło do ponad stu starć na "
           "froncie. Najcięższe walki toczyły się pod Pokrowskiem, gdzie rosyjskie wojska nie "
           "przerwały natarcia."),
    ("tr", "Suriye'nin kuzeyinde bir pazar yerine düzenlenen bombalı saldırıda en az dokuz kişi "
           "hayatını kaybetti. Yetkililer saldırının ardından bölgede güvenlik önlemlerinin "
           "artırıldığını ve yaralıların hastaneye kaldırıldığını açıkladı."),
    ("tr", "Milli Savunma Bakanlığı, Irak'ın kuzeyinde düzenlenen hava harekâtında çok sayıda "
           "hedefin imha edildiğini bildirdi. Bakanlık ayrıca operasyonun devam ettiğini ve bir "
           "askerin yaralandığını açıkladı."),
    ("ro", "Cel puțin trei persoane au fost ucise și alte zece au fost rănite în urma unui atac cu "
           "drone asupra orașului Izmail, a anunțat guvernatorul regiunii. Atacul a avut loc în "
           "timpul nopții, lângă granița cu România."),
    ("ro", "Ministerul Apărării a transmis că fragmente de drone au fost găsite pe teritoriul "
           "românesc, dar nu există victime. Autoritățile au cerut populației să nu se apropie de "
           "resturi."),
    ("id", "Sedikitnya lima anggota TNI tewas dalam baku tembak dengan kelompok bersenjata di "
           "Kabupaten Intan Jaya, Papua, pada Selasa pagi. Menurut juru bicara militer, para "
           "pelaku melarikan diri ke hutan setelah serangan itu."),
    ("id", "Polisi mengatakan bahwa ledakan yang terjadi di depan gereja tersebut telah "
           "menewaskan dua orang dan melukai belasan lainnya. Pihak berwenang masih menyelidiki "
           "siapa yang bertanggung jawab atas serangan ini."),
    ("sv", "Minst tolv personer dödades när en marknad i norra Nigeria besköts på söndagen, uppger "
           "lokala myndigheter. Det är inte klart vilken grupp som ligger bakom attacken, men "
           "armén har skickat förstärkningar till området."),
    ("sv", "Enligt FN har striderna i Sudan drivit mer än tio miljoner människor på flykt. Många av "
           "dem har tagit sig till grannländerna och lever nu i läger med för lite mat och vatten."),
    ("ca", "L'exèrcit va informar que almenys sis persones van morir en un atac contra una base "
           "militar al nord del país. Segons les autoritats, els atacants també van cremar "
           "diverses cases i la població va fugir."),
    ("cs", "Při ruském útoku na Charkov zahynuli nejméně tři lidé a další byli zraněni, uvedl "
           "starosta města. Podle něj rakety zasáhly obytný dům a také nemocnici, která byla "
           "evakuována."),
    ("da", "Mindst fire personer blev dræbt, da en bombe eksploderede på et marked i det nordlige "
           "Irak, oplyser politiet. Det er endnu ikke klart, hvem der står bag angrebet, men "
           "myndighederne har indledt en efterforskning."),
    ("hr", "U napadu na vojnu bazu na sjeveru zemlje poginulo je najmanje osam vojnika, a više od "
           "dvadeset ih je ranjeno, priopćilo je ministarstvo obrane. Prema izvorima, napadači su "
           "nakon toga pobjegli prema granici."),
    ("hu", "Az orosz hadsereg éjjel ismét rakétatámadást indított Kijev ellen, és a légvédelem "
           "szerint több drónt is lelőttek. A polgármester azt mondta, hogy egy lakóépület "
           "kigyulladt, de nem volt halálos áldozat."),
    ("fi", "Venäjän ilmaiskussa Harkovaan kuoli ainakin kolme ihmistä ja useita loukkaantui, "
           "kertoi kaupungin pormestari. Hänen mukaansa ohjukset osuivat asuinrakennukseen, "
           "mutta tarkka vahinkojen määrä ei ole vielä selvillä."),
    ("sq", "Policia e Kosovës njoftoi se një grup i armatosur sulmoi një patrullë në veri të vendit "
           "dhe se një polic u vra. Sipas ministrit, sulmuesit u larguan drejt kufirit pas "
           "përleshjes që zgjati disa orë."),
]

ENGLISH = [
    # foreign outlets, names and particles
    "Die Welt reported that the army had shelled the town for three days, and the mayor said that "
    "at least 12 people were killed in the attack on the market.",
    "Forces loyal to Abdel Fattah el-Sisi and officials in El Fasher said the convoy of the UN "
    "mission was attacked near Kutum; Jean-Pierre de la Cruz, a spokesman, said two were hurt.",
    "Le Monde, El País and La Repubblica all reported that the talks in Doha had stalled, while "
    "Der Spiegel said the German government would send more air defence systems to Ukraine.",
    # a French quote inside English text
    "The spokesman told reporters that the situation was \"très grave, nous sommes dans une "
    "situation de guerre\" and that the army would respond. The ministry said later that the "
    "attack had killed four soldiers and that two others were missing after the clashes.",
    # a Spanish slogan and German words quoted
    "Protesters chanted \"el pueblo unido jamás será vencido\" as police fired tear gas, the "
    "report said. The Bundeswehr, as the German army is known, said it had no troops in the area "
    "and that its aircraft had returned to the base after the mission.",
    # abbreviations that look like single-letter words
    "A 21y.o. soldier, e.g. one of the conscripts, died at 5 a.m. in hospital, i.e. before the "
    "evacuation, the regional governor said on Telegram.",
]

SHORT = [
    "Die Armee meldete 12 dead und 40 wounded nach dem Angriff auf Kramatorsk.",  # review #15
    "Ataque en Guerrero deja siete muertos.",
    "Trois soldats tués dans le nord du Mali.",
    "Bombardamento su Kherson: cinque morti.",
    "Atak na Chersoń: dwie ofiary.",
]


def _row(text: str, language: str | None = None) -> dict[str, object]:
    record = {"id": "a1", "text": text, "date": "2024-12-17"}
    if language is not None:
        record["language"] = language
    return normalize_record(record, "raw/a.jsonl", 1)


def _codes(row: dict[str, object]) -> list[str]:
    return [problem.code for problem in record_problems(row)]


@pytest.mark.parametrize(("language", "text"), FOREIGN)
def test_foreign_text_without_language_is_coded_with_its_language(language: str, text: str) -> None:
    row = _row(text)
    assert row["language"] == language
    assert row["language_raw"] is None
    problems = [p for p in record_problems(row) if p.code == "language_guessed"]
    assert len(problems) == 1 and problems[0].stage == "ingest" and problems[0].severity == "warning"
    assert f"coded {language!r}" in problems[0].message and "English ones" in problems[0].message


@pytest.mark.parametrize("text", ENGLISH)
def test_english_that_names_or_quotes_other_languages_stays_english(text: str) -> None:
    row = _row(text)
    assert row["language"] == "en"
    assert guess_language(text) is None
    assert not {"language_guessed", "language_mismatch"} & set(_codes(row))


@pytest.mark.parametrize("text", SHORT)
def test_a_short_text_stays_english(text: str) -> None:
    row = _row(text)
    assert row["language"] == "en"
    assert "language_guessed" not in _codes(row)


@pytest.mark.parametrize(("language", "text"), FOREIGN[::3])
@pytest.mark.parametrize("given", ["fr", "ru", "es-MX", "Ukrainian"])
def test_a_given_language_is_never_replaced(language: str, text: str, given: str) -> None:
    row = _row(text, given)
    assert row["language"] != language or given.startswith(language)
    assert row["language"] == {"fr": "fr", "ru": "ru", "es-MX": "es", "Ukrainian": "uk"}[given]
    assert "language_guessed" not in _codes(row)


@pytest.mark.parametrize(("language", "text"), FOREIGN)
def test_given_english_is_kept_but_a_latin_script_mismatch_is_warned(language: str, text: str) -> None:
    row = _row(text, "en")
    assert row["language"] == "en"
    problems = [p for p in record_problems(row) if p.code == "language_mismatch"]
    assert len(problems) == 1 and f"reads as {language!r}" in problems[0].message


@pytest.mark.parametrize("text", ENGLISH)
def test_given_english_with_english_text_has_no_warning(text: str) -> None:
    assert not {"language_guessed", "language_mismatch"} & set(_codes(_row(text, "en")))


def test_other_scripts_keep_the_script_warning_and_english() -> None:
    row = _row("Вчора російські війська атакували Київ. За даними влади, загинули троє людей, "
               "ще десятеро поранені. Рятувальники працюють на місці удару.")
    assert row["language"] == "en"
    codes = _codes(row)
    assert "language_mismatch" in codes and "language_guessed" not in codes


def test_english_passage_before_foreign_text_keeps_english() -> None:
    # " the " five times in the start: a long English passage, so the article stays 'en'
    text = ("The report by the agency said the attack on the base and the town was the worst. "
            + FOREIGN[0][1])
    assert _row(text)["language"] == "en"


def test_the_repro_as_an_article_gives_german() -> None:
    article = FOREIGN[0][1] + " " + FOREIGN[1][1]
    assert _row(article)["language"] == "de"


@settings(max_examples=200, deadline=None)
@given(language=st.sampled_from(["en", "de", "fr", "uk", "es-MX", "English", "xx"]),
       text=st.sampled_from([text for _, text in FOREIGN] + ENGLISH) | st.text(max_size=300))
def test_a_given_language_always_wins(language: str, text: str) -> None:
    assert article_language(language, text) == primary_language(language)


def _english_dev_texts() -> list[str]:
    texts = [(SHARED / "samples" / "ukraine-2024-12-17.txt").read_text(encoding="utf-8")]
    with (SHARED / "dev" / "wikiwars" / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)["text"]
            texts.append(article)
            texts.extend(paragraph for paragraph in article.split("\n") if paragraph.strip())
    return texts


@pytest.mark.skipif(not (SHARED / "dev" / "wikiwars").is_dir(),
                    reason="../shared is not beside the repository")
def test_no_english_dev_text_is_guessed_another_language() -> None:
    texts = _english_dev_texts()
    assert len(texts) > 500  # the 22 WikiWars articles, their paragraphs and the sample
    assert [text[:80] for text in texts if guess_language(text) is not None] == []


GERMAN = ("Die Armee meldete am Montag, dass die Angriffe auf die Stadt in der Nacht mit Drohnen "
          "und Raketen fortgesetzt wurden. Nach Angaben der Behörden wurden dabei auch zivile "
          "Gebäude beschädigt, und es gab mehrere Verletzte, die in Krankenhäuser gebracht wurden.")


@pytest.mark.parametrize(("given", "text", "language", "basis"), [
    ("de", GERMAN, "de", "given"),
    ("en", GERMAN, "en", "given"),
    (None, GERMAN, "de", "guessed"),
    ("", GERMAN, "de", "guessed"),
    (None, "Russian missiles struck Kharkiv on Monday, the governor said.", "en", "default"),
])
def test_language_basis_says_where_the_language_came_from(
        given: str | None, text: str, language: str, basis: str) -> None:
    record = {"body": text, "date": "2024-12-17"} | ({"language": given} if given is not None else {})
    row = normalize_record(record, "a.jsonl", 1)
    assert (row["language"], row["language_basis"]) == (language, basis)
