"""Bad input never stops a read and never vanishes: one problem row each."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.ingest import csv_format, read_file


def _problems(tmp_path: Path, name: str, content: bytes) -> tuple[list, list]:
    path = tmp_path / name
    path.write_bytes(content)
    batch = read_file(path, tmp_path)
    return batch.articles, [(p.code, p.severity, p.line) for p in batch.problems]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "empty_file"),
        ("empty.jsonl", b"", "empty_file"),
        ("binary.txt", bytes(range(256)) * 4, "binary_file"),
        ("notes.docx", b"PK\x03\x04 whatever", "unknown_format"),
        ("noext", b"text", "unknown_format"),
        ("broken.jsonl.gz", b"\x1f\x8b\x08\x00garbage", "bad_gzip"),
        ("page.html", b"<html><body></body></html>", "no_main_text"),
        ("notext.jsonl", b'{"id": "x", "title": "only a title"}\n', "no_text"),
        ("notext.csv", b"id,text\nx,\n", "no_text"),
        ("list.jsonl", b"[1, 2]\n", "bad_json"),
        ("deep.jsonl", b"[" * 1000 + b"]" * 1000 + b"\n", "json_too_deep"),
    ],
)
def test_bad_file_becomes_one_error(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    articles, problems = _problems(tmp_path, name, content)
    assert articles == []
    assert [p[0] for p in problems] == [code]
    assert problems[0][1] == "error"


def test_malformed_json_line_spoils_only_itself(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "a", "text": "one"}), "{not json", json.dumps({"id": "b", "text": "two"})]
    articles, problems = _problems(tmp_path, "a.jsonl", ("\n".join(lines) + "\n").encode())
    assert [a["article_id"] for a in articles] == ["a", "b"]
    assert problems == [("bad_json", "error", 2)]


def test_non_utf8_text_is_decoded_and_reported(tmp_path: Path) -> None:
    content = "Kyiv\nShelling near the café in Kramatorsk — officials said.".encode("cp1252")
    articles, problems = _problems(tmp_path, "a.txt", content)
    assert articles[0]["text"] == "Shelling near the café in Kramatorsk — officials said."
    assert problems == [("non_utf8", "warning", None)]
    assert articles[0]["encoding"] != "utf-8"


def test_bad_published_is_a_warning_and_falls_back(tmp_path: Path) -> None:
    record = {"id": "a", "text": "KYIV, Dec 16, 2024 (Reuters) - Shelling.", "published": "soon"}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert problems == [("bad_published", "warning", 1)]
    assert articles[0]["published_basis"] == "dateline"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    batch = read_file(path, tmp_path)
    assert [p.code for p in batch.problems] == ["unreadable"]


def test_unreadable_directory_named_like_a_file(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    batch = read_file(tmp_path / "folder.txt", tmp_path)
    assert [p.code for p in batch.problems] == ["unreadable"]


def test_timestamp_past_the_calendar_is_a_bad_published_warning(tmp_path: Path) -> None:
    record = {"id": "edge", "text": "Shelling.", "published": "9999-12-31T23:00:00-05:00"}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert [a["article_id"] for a in articles] == ["edge"]
    assert problems == [("bad_published", "warning", 1)]


def test_lone_surrogate_spoils_nothing_and_is_said(tmp_path: Path) -> None:
    lines = ['{"id": "c1", "text": "bad \\ud800 text"}', json.dumps({"id": "c2", "text": "fine"}),
             '{"id": "c3", "title": "\\udc01 T", "text": "ok"}']
    articles, problems = _problems(tmp_path, "a.jsonl", ("\n".join(lines) + "\n").encode())
    assert [(a["article_id"], a["text"]) for a in articles] == [
        ("c1", "bad \ufffd text"), ("c2", "fine"), ("c3", "ok")]
    assert articles[2]["title"] == "\ufffd T"
    assert problems == [("lone_surrogate", "warning", 1), ("lone_surrogate", "warning", 3)]


def test_csv_sample_cut_inside_a_character_is_still_utf8(tmp_path: Path) -> None:
    head = b"id,text\nc1," + b"a" * ((1 << 20) - len(b"id,text\nc1,") - 1)
    content = head + "é hit Kharkiv\n".encode()
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert articles[0]["text"].endswith("aé hit Kharkiv")
    assert (articles[0]["encoding"], problems) == ("utf-8", [])


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    from etl import build, load

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / os.fsdecode(b"bad\xff.txt")).write_text("Title\nShelling.\n")
    build(raw, tmp_path / "out")
    # the byte that is not UTF-8 is escaped (lossless), not replaced by U+FFFD
    assert load(tmp_path / "out")["articles"]["input_file"].tolist() == ["bad\\xff.txt"]


def test_records_of_a_corrupt_archive_are_dropped(tmp_path: Path) -> None:
    import gzip

    lines = "".join(json.dumps({"id": f"a{i}", "text": f"Shelling number {i}."}) + "\n"
                    for i in range(300))
    packed = bytearray(gzip.compress(lines.encode()))
    packed[-8] ^= 0xFF  # a wrong CRC: every byte decompresses, the checksum fails at the end
    articles, problems = _problems(tmp_path, "a.jsonl.gz", bytes(packed))
    assert articles == []
    assert [p[0] for p in problems] == ["bad_gzip", "untrusted_archive"]


def test_non_utf8_html_is_decoded_and_reported(tmp_path: Path) -> None:
    page = ("<html><head><title>Strike</title></head><body><article><p>Shelling near the café in "
            "Kramatorsk damaged a school, regional officials said on Monday in a statement.</p>"
            "</article></body></html>").encode("cp1252")
    articles, problems = _problems(tmp_path, "a.html", page)
    assert "café" in articles[0]["text"]
    assert problems == [("non_utf8", "warning", None)]


@pytest.mark.parametrize(
    ("value", "kind"), [(["a", "b"], "a list"), ({"x": "y"}, "an object"), (True, "a boolean")])
def test_text_that_is_no_text_is_an_error_not_its_repr(tmp_path: Path, value: object, kind: str) -> None:
    record = {"id": "a", "body": value, "text": None}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert articles == []
    assert problems == [("bad_field", "error", 1)]
    batch = read_file(tmp_path / "a.jsonl", tmp_path)
    assert batch.problems[0].message == f"field 'body' is {kind}, not text"


def test_other_fields_that_are_no_text_are_ignored_with_a_warning(tmp_path: Path) -> None:
    record = {"id": {"x": 1}, "title": ["t"], "text": "Troops shelled Kharkiv.", "source": False,
              "url": "https://example.org/a", "published": [2024, 12, 17]}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    (article,) = articles
    assert article["article_id"] == article["content_sha256"][:16]  # the id fell back to the hash
    assert (article["title"], article["source"], article["published"]) == (None, None, None)
    assert article["url"] == "https://example.org/a"
    assert sorted(p[0] for p in problems) == ["bad_field"] * 4
    assert {p[1] for p in problems} == {"warning"}


def test_a_number_id_is_text(tmp_path: Path) -> None:
    articles, problems = _problems(tmp_path, "a.jsonl", b'{"id": 17, "text": "Shelling."}\n')
    assert articles[0]["article_id"] == "17"
    assert problems == []


@pytest.mark.parametrize(
    ("value", "code"),
    [("en", "en"), ("en-GB", "en"), ("uk_UA", "uk"), ("UKR", "uk"), ("fre", "fr"), ("Ukrainian", "uk"),
     ("fil", "fil"), ("und", "und"), (None, "en"), ("", "en"), ("English (UK)", "en"), ("Greek", "el"),
     ("Farsi", "fa"), ("Pashto", "ps"), ("Serbo-Croatian", "sh"), ("Haitian Creole", "ht"), ("iw", "he"),
     ("in", "id")],
)
def test_language_codes_and_names_become_iso_639_1(tmp_path: Path, value: str | None, code: str) -> None:
    record = {"id": "a", "text": "x", "language": value}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert articles[0]["language"] == code
    assert problems == []


@pytest.mark.parametrize("value", ["5", "xx", "Klingonese", "Englisch"])
def test_a_language_value_that_names_none_is_undetermined(tmp_path: Path, value: str) -> None:
    record = {"id": "a", "text": "x", "language": value}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert articles[0]["language"] == "und"
    assert problems == [("bad_language", "warning", 1)]


def test_csv_quote_never_closed_skips_the_row_it_swallowed(tmp_path: Path) -> None:
    content = b'id,text\na,"whole"\nb,"never closed\nc,would be inside b\nd,and so would this\n'
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == ["a"]
    assert problems == [("unclosed_quote", "error", 3)]


@pytest.mark.parametrize(
    "content",
    [b'id,text\na,"two\nlines"\n', b'id,text\na,5" guns\n', b'id,text\na,"say ""hi"""\n',
     b"id,text\na,plain"],
)
def test_csv_rows_ending_well_are_read(tmp_path: Path, content: bytes) -> None:
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == ["a"]
    assert problems == []


def test_csv_rows_around_a_line_over_the_cell_limit_are_kept(tmp_path: Path) -> None:
    content = b"id,text\na,one\nb,two\nc," + b"x" * 100 + b"\nd,four\n"
    limit = csv.field_size_limit(50)  # a cell over the limit is what csv cannot read
    try:
        articles, problems = _problems(tmp_path, "a.csv", content)
    finally:
        csv.field_size_limit(limit)
    assert [a["article_id"] for a in articles] == ["a", "b", "d"]
    assert problems == [("bad_csv", "error", 4)]


def test_front_matter_never_closed_is_read_as_text_with_a_warning(tmp_path: Path) -> None:
    content = b"---\npublished: 2024-12-17\nTroops shelled Kharkiv.\n"
    articles, problems = _problems(tmp_path, "a.txt", content)
    assert articles[0]["published"] is None and "Troops shelled Kharkiv." in articles[0]["text"]
    assert problems == [("unclosed_front_matter", "warning", 1)]


@pytest.mark.parametrize("published", ["9999-12-31", "0001-01-01", "1599-12-31T23:00:00"])
def test_published_outside_the_years_of_news_is_ignored(tmp_path: Path, published: str) -> None:
    record = {"id": "a", "text": "Troops shelled Kharkiv on Monday.", "published": published}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert (articles[0]["published"], articles[0]["published_basis"]) == (None, "none")
    assert problems == [("bad_published", "warning", 1)]
    assert "outside the years 1600-2299" in read_file(tmp_path / "a.jsonl", tmp_path).problems[0].message


def test_a_url_date_outside_the_years_of_news_is_no_reference(tmp_path: Path) -> None:
    record = {"id": "a", "text": "Troops shelled Kharkiv.", "url": "https://example.org/9999/12/31/a.html"}
    articles, _ = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert articles[0]["published_basis"] == "none"
    record["url"] = "https://example.org/2024/12/17/a.html"
    articles, _ = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert (articles[0]["published_basis"], articles[0]["published"].year) == ("inferred", 2024)


@pytest.mark.parametrize(
    ("text", "language", "warned"),
    [("Вчора російські війська атакували Київ, загинули троє людей.", None, True),
     ("Вчора російські війська атакували Київ, загинули троє людей.", "en", True),
     ("Вчора російські війська атакували Київ, загинули троє людей.", "uk", False),
     ("قصف الجيش مدينة حلب يوم الاثنين", None, True),
     ("Troops shelled Kharkiv (Харків) on Monday, the governor, Oleh Syniehubov, said.", None, False),
     ("L’armée a frappé Kharkiv le 16 décembre — trois civils ont été tués à Kyïv.", "fr", False)],
)
def test_text_in_another_script_coded_english_is_a_warning(
    tmp_path: Path, text: str, language: str | None, warned: bool,
) -> None:
    record = {"id": "a", "text": text, "language": language}
    _, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert problems == ([("language_mismatch", "warning", 1)] if warned else [])


@pytest.mark.parametrize(
    ("content", "kept", "line"),
    [(b'id,text\n1,aa\n2,"bb\n3,cc\n4,"dd"\n5,ee\n', ["1", "5"], 3),  # a later quote "closes" it
     (b'id,title,text\n1,t,aa\n2,"x"y,"bb\n3,t,cc\n4,t,dd\n', ["1"], 3),  # after a sloppy "x"y
     (b'id,text\n1,aa\n2,x,"bb\n3,cc\n', ["1"], 3),  # in a row with a cell too many
     (b'id,text\r\n1,aa\r\n2,"bb\r\n3,cc\r\n', ["1"], 3)],
)
def test_csv_rows_a_stray_quote_swallows_are_reported(
    tmp_path: Path, content: bytes, kept: list[str], line: int,
) -> None:
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == kept
    assert problems == [("unclosed_quote", "error", line)]


def test_a_list_beside_the_text_read_is_reported(tmp_path: Path) -> None:
    record = {"id": "a", "text": ["Para one.", "Para two."], "body": "Summary only."}
    articles, problems = _problems(tmp_path, "a.jsonl", (json.dumps(record) + "\n").encode())
    assert articles[0]["text"] == "Summary only."
    assert problems == [("bad_field", "warning", 1)]


@pytest.fixture
def small_cell_limit() -> Iterator[int]:
    """csv's cell-size limit (16 MiB in a build) lowered to 40 characters for the test."""
    limit = csv.field_size_limit(40)
    try:
        yield 40
    finally:
        csv.field_size_limit(limit)


_SWALLOWED = b"3,cc\n" * 20  # 100 characters: over the lowered limit inside a quoted cell


@pytest.mark.parametrize(
    ("content", "kept", "line"),
    [(b'id,text\n1,aa\n2,"bb\n' + _SWALLOWED, ["1"], 3),  # never closed
     (b'id,text\n1,aa\n2,"bb\n' + _SWALLOWED + b'4,"dd"\n5,ee\n', ["1", "5"], 3),  # closed later
     (b'id,text\r\n1,aa\r\n2,"bb\r\n' + _SWALLOWED + b'4,"dd"\r\n5,ee\r\n', ["1", "5"], 3),
     (b'id,text\n1,aa\n\n2,"bb\n' + _SWALLOWED + b'4,"dd"\n5,ee\n', ["1", "5"], 4)],  # a blank line
)
def test_csv_stray_quote_past_the_cell_limit_is_reported_as_below_it(
    tmp_path: Path, content: bytes, kept: list[str], line: int,
) -> None:
    below = _problems(tmp_path, "a.csv", content)
    limit = csv.field_size_limit(40)
    try:
        articles, problems = _problems(tmp_path, "a.csv", content)
    finally:
        csv.field_size_limit(limit)
    assert [a["article_id"] for a in articles] == kept
    assert problems == [("unclosed_quote", "error", line)]
    assert (articles, problems) == below


def test_csv_quoted_cell_over_the_cell_limit_is_skipped_and_reading_goes_on(
    tmp_path: Path, small_cell_limit: int,
) -> None:
    content = b'id,text\n1,aa\n2,"' + b"a paragraph\n" * 10 + b'end"\n3,cc\n'
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == ["1", "3"]
    assert problems == [("bad_csv", "error", 3)]
    message = read_file(tmp_path / "a.csv", tmp_path).problems[0].message
    assert f"limit of {small_cell_limit} characters: lines 3-13 skipped" in message


def test_csv_header_over_the_cell_limit_is_reported_at_line_1(
    tmp_path: Path, small_cell_limit: int,
) -> None:
    articles, problems = _problems(tmp_path, "a.csv", b'"' + b"h" * 100 + b'"\n1,aa\n')
    assert (articles, problems) == ([], [("bad_csv", "error", 1)])


def test_csv_quote_open_at_the_file_size_limit_is_reported_before_it(
    tmp_path: Path, small_cell_limit: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_format, "MAX_FILE_BYTES", 300)
    content = b'id,text\n1,aa\n2,"bb\n' + _SWALLOWED * 4
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == ["1"]
    # 19 characters to the quote, then 56 lines of 5 fit in 300: the limit is passed after line 59
    assert problems == [("unclosed_quote", "error", 3), ("file_too_large", "error", 59)]


@pytest.mark.parametrize(
    ("content", "line"),
    [(b'id,text\n1,aa\n\n2,"bb\n3,cc\n', 4),  # after a blank line
     (b'id,text\n1,aa\n2,"two\nlines",x,"bb\n3,cc\n', 4),  # on the second line of its row
     (b'id,text\n1,aa\n2,"bb\n3,cc\n', 3)],
)
def test_csv_unclosed_quote_is_reported_at_the_line_it_opened(
    tmp_path: Path, content: bytes, line: int,
) -> None:
    articles, problems = _problems(tmp_path, "a.csv", content)
    assert [a["article_id"] for a in articles] == ["1"]
    assert problems == [("unclosed_quote", "error", line)]
    message = read_file(tmp_path / "a.csv", tmp_path).problems[0].message
    assert message.startswith(f"a quoted cell opened on line {line} is never closed: lines ")
