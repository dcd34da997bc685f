"""Input is read whole or reported: long numbers, BOM-declared UTF-16/32, late undecodable bytes,
header spelling, one-line text files and lone surrogates in ids."""

from __future__ import annotations

import codecs
import gzip
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.ingest import jsonl, read_file
from etl.ingest.decode import decode_bytes, looks_binary
from etl.ingest.text import parse_text_article, split_front_matter

KHARKIV = "Russian forces shelled Kharkiv on Friday, killing three civilians — officials said."
SHELLING = "Russian forces shelled Kharkiv on Friday and killed three civilians."  # no comma: a CSV cell
BAKHMUT = "Ukrainian troops attacked Russian positions near Bakhmut on Monday 😀."

BOMS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}


def _read(tmp_path: Path, name: str, content: bytes) -> tuple[list[dict], list[tuple]]:
    path = tmp_path / name
    path.write_bytes(content)
    batch = read_file(path, tmp_path)
    return batch.articles, [(p.code, p.severity, p.line) for p in batch.problems]


def _line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode()


# --- 1. a JSON number longer than Python converts spoils only its line -------------------------

@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz"])
@pytest.mark.parametrize("number", ["9" * 5000, "-" + "1" * 4400])
def test_a_number_of_too_many_digits_spoils_only_its_line(tmp_path: Path, name: str, number: str) -> None:
    content = (_line({"id": "a1", "text": KHARKIV})
               + b'{"id": "a2", "text": "x", "views": ' + number.encode() + b"}\n"
               + _line({"id": "a3", "text": BAKHMUT}))
    if name.endswith(".gz"):
        content = gzip.compress(content)
    articles, problems = _read(tmp_path, name, content)
    assert [a["article_id"] for a in articles] == ["a1", "a3"]
    assert problems == [("bad_json", "error", 2)]
    message = read_file(tmp_path / name, tmp_path).problems[0].message
    assert f"more than {sys.get_int_max_str_digits()} digits" in message


@pytest.mark.parametrize("number", ["1e999999999", "-1e-999999999", "1" * 6000 + ".5", "9" * 4300])
def test_huge_floats_exponents_and_integers_within_the_limit_are_read(tmp_path: Path, number: str) -> None:
    content = (b'{"id": "a", "text": "x", "views": ' + number.encode() + b"}\n"
               + _line({"id": "b", "text": "y"}))
    articles, problems = _read(tmp_path, "a.jsonl", content)
    assert ([a["article_id"] for a in articles], problems) == (["a", "b"], [])


# --- 2. UTF-16 and UTF-32 with a byte order mark read as the UTF-8 file is --------------------

def _files() -> dict[str, str]:
    return {
        "a.txt": f"---\nid: t1\npublished: 2024-12-17\n---\nStrike on Kharkiv\n\n{KHARKIV}\n{BAKHMUT}\n",
        "a.jsonl": "".join(_line({"id": f"j{i}", "text": f"{KHARKIV} {i}", "title": "Café"}).decode()
                           + _line({"id": f"k{i}", "text": BAKHMUT}).decode().replace("\n", "\r\n")
                           for i in range(400)),  # past the stream buffers
        "a.csv": "ID,Title,Text,Published\n" + "".join(
            f'c{i},Café {i},"{KHARKIV}\nsecond line {i}",2024-12-17\n' for i in range(400)),
    }


def _same_rows(got: list[dict], want: list[dict], encoding: str) -> None:
    assert [a["encoding"] for a in got] == [encoding] * len(want)
    strip = [{k: v for k, v in a.items() if k != "encoding"} for a in got]
    assert strip == [{k: v for k, v in a.items() if k != "encoding"} for a in want]


@pytest.mark.parametrize("encoding", sorted(BOMS))
@pytest.mark.parametrize("name", ["a.txt", "a.jsonl", "a.csv", "a.jsonl.gz"])
def test_utf16_and_utf32_with_a_bom_read_as_the_utf8_file(tmp_path: Path, encoding: str, name: str) -> None:
    text = _files()[name.removesuffix(".gz")]
    utf8, utf8_problems = _read(tmp_path, "u8-" + name,
                                gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    content = BOMS[encoding] + text.encode(encoding)
    if name.endswith(".gz"):
        content = gzip.compress(content)
    articles, problems = _read(tmp_path, name, content)
    assert utf8 and utf8_problems == []
    for row in utf8:
        row["input_file"] = name
    assert problems == []  # the mark declares the encoding: nothing guessed, nothing to warn of
    _same_rows(articles, utf8, encoding)


def test_a_utf16_csv_past_the_first_mib_is_read_whole(tmp_path: Path) -> None:
    rows = "".join(f"c{i},{SHELLING} {i}\n" for i in range(15000))  # ~1.4 MB of UTF-8, 2.8 of UTF-16
    content = codecs.BOM_UTF16_LE + f"id,text\n{rows}".encode("utf-16-le")
    articles, problems = _read(tmp_path, "a.csv", content)
    assert (len(articles), problems) == (15000, [])
    assert articles[-1]["text"] == f"{SHELLING} 14999"


def test_bytes_a_utf16_file_cannot_decode_are_replaced_and_reported(tmp_path: Path) -> None:
    lone = b"\x00\xd8"  # a high surrogate with no low one after it
    content = (codecs.BOM_UTF16_LE + '{"id": "a", "text": "x'.encode("utf-16-le") + lone
               + '"}\n'.encode("utf-16-le") + _line({"id": "b", "text": "y"}).decode().encode("utf-16-le"))
    articles, problems = _read(tmp_path, "a.jsonl", content)
    assert [(a["article_id"], a["text"]) for a in articles] == [("a", "x\ufffd"), ("b", "y")]
    assert problems == [("non_utf8", "warning", 1)]


def test_an_over_long_utf16_line_is_skipped_and_the_next_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 200)
    monkeypatch.setattr(jsonl._Transcoded, "_CHUNK", 64)
    text = _line({"id": "long", "text": "é" * 150}) + _line({"id": "ok", "text": "y"})
    articles, problems = _read(tmp_path, "a.jsonl", codecs.BOM_UTF16_BE + text.decode().encode("utf-16-be"))
    assert [a["article_id"] for a in articles] == ["ok"]
    assert problems == [("line_too_long", "error", 1)]


@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_bom_marked_text_is_no_binary_file_but_nul_characters_are(encoding: str) -> None:
    assert not looks_binary(BOMS[encoding] + KHARKIV.encode(encoding))
    assert looks_binary(BOMS[encoding] + ("a\x00b" * 100).encode(encoding))


@settings(max_examples=60, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
       encoding=st.sampled_from(sorted(BOMS)))
def test_decode_bytes_reads_any_text_its_bom_declares(text: str, encoding: str) -> None:
    if encoding == "utf-16-le" and text.startswith("\x00"):  # its first bytes are UTF-32's mark
        return
    decoded = decode_bytes(BOMS[encoding] + text.encode(encoding))
    assert (decoded.text, decoded.replaced) == (text, False)
    assert decoded.encoding == encoding and decoded.declared


# --- 3a. undecodable bytes past the sample, and non-UTF-8 JSON lines, are reported ------------

def test_csv_bytes_past_the_first_mib_that_do_not_decode_are_reported(tmp_path: Path) -> None:
    head = b"id,text\n" + b"".join(b"a%d,%s\n" % (i, SHELLING.encode()) for i in range(14000))
    assert len(head) > 1 << 20
    articles, problems = _read(tmp_path, "a.csv", head + b"b,bad \xff byte\nc,bad \xfe again\n")
    assert articles[-2]["text"] == "bad \ufffd byte" and articles[-1]["article_id"] == "c"
    assert problems == [("non_utf8", "warning", 14002)]


def test_cp1252_csv_with_a_byte_cp1252_lacks_past_the_first_mib_is_reported(tmp_path: Path) -> None:
    head = b"id,text\n" + b"".join(b"a%d,caf\xe9 %d\n" % (i, i) for i in range(120000))
    assert len(head) > 1 << 20
    articles, problems = _read(tmp_path, "a.csv", head + b"b,x \x81 y\n")
    assert articles[0]["text"] == "café 0" and articles[-1]["text"] == "x \ufffd y"
    assert problems == [("non_utf8", "warning", None), ("non_utf8", "warning", 120002)]


def test_non_utf8_json_lines_are_read_and_reported_once(tmp_path: Path) -> None:
    content = (_line({"id": "a", "text": KHARKIV})
               + '{"id": "b", "text": "Shelling near the café in Kramatorsk."}\n'.encode("cp1252")
               + _line({"id": "c", "text": "y"})
               + '{"id": "d", "text": "Shelling near the café in Sloviansk."}\n'.encode("cp1252"))
    articles, problems = _read(tmp_path, "a.jsonl", content)
    assert [(a["article_id"], a["encoding"]) for a in articles] == [
        ("a", "utf-8"), ("b", "cp1252"), ("c", "utf-8"), ("d", "cp1252")]
    assert articles[1]["text"] == "Shelling near the café in Kramatorsk."
    assert problems == [("non_utf8", "warning", 2)]
    assert "2 lines" in read_file(tmp_path / "a.jsonl", tmp_path).problems[0].message


# --- 3b. CSV header names: case and outer spaces do not matter; a repeated one is reported ----

@pytest.mark.parametrize("header", ["ID,Title,TEXT", " id , title , text ", "Id,HEADLINE,Body"])
def test_csv_header_names_match_in_any_case(tmp_path: Path, header: str) -> None:
    articles, problems = _read(tmp_path, "a.csv", f"{header}\nc1,Strike,{SHELLING}\n".encode())
    assert problems == []
    assert [(a["article_id"], a["title"], a["text"]) for a in articles] == [("c1", "Strike", SHELLING)]


@pytest.mark.parametrize(("header", "cells", "given"), [
    ("id,text,text", "c1,first,second", "2 ('text'), 3 ('text')"),
    ("id,Text,title, TEXT", "c1,first,t,second", "2 ('Text'), 4 (' TEXT')"),
])
def test_a_repeated_csv_column_is_reported_and_the_first_read(
    tmp_path: Path, header: str, cells: str, given: str,
) -> None:
    articles, problems = _read(tmp_path, "a.csv", f"{header}\n{cells}\n".encode())
    assert [a["text"] for a in articles] == ["first"]
    assert problems == [("duplicate_column", "warning", 1)]
    message = read_file(tmp_path / "a.csv", tmp_path).problems[0].message
    assert f"the field 'text' in columns {given}: column 2 is read" in message


# --- 3c. a text file of one line: that line is the text ---------------------------------------

@pytest.mark.parametrize(
    ("content", "title", "text"),
    [(f"{KHARKIV}\n", None, KHARKIV),
     (f"\n\n  {KHARKIV}  \n\n", None, KHARKIV),
     (f"---\nid: t\ntitle: Strike\n---\n{KHARKIV}", "Strike", KHARKIV),
     (f"Strike\n\n{KHARKIV}\n", "Strike", KHARKIV),  # title and text: as before
     (f"Strike\n{KHARKIV}\n", "Strike", KHARKIV)],
)
def test_a_one_line_text_file_is_its_text(tmp_path: Path, content: str, title: str | None, text: str) -> None:
    articles, problems = _read(tmp_path, "a.txt", content.encode())
    assert problems == []
    assert (articles[0]["title"], articles[0]["text"]) == (title, text)


@settings(max_examples=200, deadline=None)
@given(content=st.text(st.sampled_from("ab \n-:"), max_size=40))
def test_a_text_body_with_words_always_has_text_and_loses_none(content: str) -> None:
    meta, body = split_front_matter(content)
    fields = parse_text_article(content)
    kept = (fields.get("title") or "").split() + fields["text"].split()
    if "title" not in meta:  # a front matter title replaces the first line (the contract)
        assert sorted(kept) == sorted(body.split())
    assert bool(fields["text"].strip()) == bool(body.strip())


# --- 3d. lone surrogates in ids: kept apart, reported ----------------------------------------

def test_ids_with_lone_surrogates_stay_distinct_and_are_reported(tmp_path: Path) -> None:
    content = (b'{"id": "a\\ud800", "text": "x"}\n{"id": "a\\uDC00", "text": "y"}\n'
               b'{"id": "a\\ud83d\\ude00", "text": "z \\ud800"}\n')
    articles, problems = _read(tmp_path, "a.jsonl", content)
    assert [(a["article_id"], a["text"]) for a in articles] == [
        ("a\\ud800", "x"), ("a\\udc00", "y"), ("a\U0001F600", "z \ufffd")]
    # the third id is a valid pair (an emoji); its text's lone surrogate is read as U+FFFD, and said
    assert problems == [("lone_surrogate", "warning", 1), ("lone_surrogate", "warning", 2),
                        ("lone_surrogate", "warning", 3)]
    warned = read_file(tmp_path / "a.jsonl", tmp_path).problems
    assert [p.article_id for p in warned] == ["a\\ud800", "a\\udc00", "a\U0001F600"]
    assert "\\ud800" in warned[0].message
    assert "'text'" in warned[2].message and "U+FFFD" in warned[2].message


def test_a_lone_surrogate_in_an_id_alias_not_read_is_no_warning(tmp_path: Path) -> None:
    articles, problems = _read(tmp_path, "a.jsonl", b'{"id": "a", "article_id": "b\\ud800", "text": "x"}\n')
    assert ([a["article_id"] for a in articles], problems) == (["a"], [])


@pytest.mark.parametrize(("content", "title", "text"), [
    ("---\ntitle: Strikes on Kharkiv\n---\nKYIV -\nTroops shelled Kharkiv.\n",
     "Strikes on Kharkiv", "KYIV -\nTroops shelled Kharkiv."),  # the first body line is text
    ("---\ntitle:\n---\nStrikes on Kharkiv\nTroops shelled Kharkiv.\n",
     "Strikes on Kharkiv", "Troops shelled Kharkiv."),  # an empty title: the first line is it
    ("---\nid: a\n---\nStrikes on Kharkiv\nTroops shelled Kharkiv.\n",
     "Strikes on Kharkiv", "Troops shelled Kharkiv."),
])
def test_no_body_line_is_lost_to_a_title_from_front_matter(content: str, title: str, text: str) -> None:
    fields = parse_text_article(content)
    assert (fields["title"], fields["text"]) == (title, text)
