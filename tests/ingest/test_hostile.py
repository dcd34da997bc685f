"""Hostile input: bounded memory and one problem row each, never a crash."""

from __future__ import annotations

import gzip
import json
import resource
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import build, load
from etl.config import MAX_DOCUMENT_BYTES, MAX_LINE_BYTES
from etl.ingest import read_file
from etl.ingest.text import parse_text_article


def _codes(batch) -> list[str]:
    return [p.code for p in batch.problems]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_200_mb_single_line_jsonl_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"id": "huge", "text": "')
        chunk = b"x" * (1 << 20)
        for _ in range(200):
            out.write(chunk)
        out.write(b'"}\n' + json.dumps({"id": "ok", "text": "Shelling."}).encode() + b"\n")
    before = _peak_rss_mb()
    batch = read_file(path, tmp_path)
    assert _codes(batch) == ["line_too_long"]
    assert [a["article_id"] for a in batch.articles] == ["ok"]
    assert _peak_rss_mb() - before < 6 * MAX_LINE_BYTES / 2**20  # chunks, never the whole line


def test_oversized_text_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Title\n" + b"word " * (MAX_DOCUMENT_BYTES // 5 + 10))
    assert _codes(read_file(path, tmp_path)) == ["file_too_large"]


def test_gzip_bomb_expands_a_thousandfold(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    payload = b'{"text": "' + b"A" * (50 << 20) + b'"}\n'
    path.write_bytes(gzip.compress(payload, compresslevel=9))
    assert path.stat().st_size * 1000 < len(payload) * 1.1  # roughly a thousandfold
    batch = read_file(path, tmp_path)
    assert _codes(batch) == ["line_too_long"]
    assert batch.articles == []


def test_html_entity_expansion_is_not_expanded(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY l0 "lol">{laughs}]>'
            "<html><head><title>Laughs</title></head><body><article><p>&l9;</p>"
            "<p>Russian shelling hit Kharkiv on Monday, regional officials said in a statement.</p>"
            "</article></body></html>")
    path = tmp_path / "laughs.html"
    path.write_text(page)
    batch = read_file(path, tmp_path)
    texts = [a["text"] for a in batch.articles]
    assert all(len(t) < 10_000 for t in texts)  # a billion "lol"s would be 3 GB


def test_five_mb_article_is_read_whole(tmp_path: Path) -> None:
    text = "Russian shelling hit Kharkiv on Monday. " * (5 * 2**20 // 40)
    (tmp_path / "big.jsonl").write_text(json.dumps({"id": "big", "text": text}) + "\n")
    batch = read_file(tmp_path / "big.jsonl", tmp_path)
    assert batch.problems == [] and batch.articles[0]["text"] == text


def test_control_characters_are_kept_and_written(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "Shelling\x07 hit\x1b[31m Kharkiv\x00 on Monday.\u2028Next line."
    (raw / "a.jsonl").write_text(json.dumps({"id": "ctl", "text": text}) + "\n")
    build(raw, tmp_path / "out")
    assert load(tmp_path / "out")["articles"]["text"].tolist() == [text]


def test_path_like_id_never_becomes_a_path(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.jsonl").write_text(json.dumps({"id": "../../etc/passwd", "text": "Shelling."}) + "\n"
                                 + json.dumps({"id": "/abs/x", "text": "Shelling again."}) + "\n")
    out = tmp_path / "work" / "out"
    build(raw, out)
    assert load(out)["articles"]["article_id"].tolist() == ["../../etc/passwd", "/abs/x"]
    outside = [p for p in tmp_path.rglob("*") if out not in p.parents and p != out
               and raw not in p.parents and p not in (raw, out.parent)]
    assert outside == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_ingest(tmp_path: Path, content: bytes) -> None:
    for name in ("x.txt", "x.jsonl", "x.csv", "x.html", "x.jsonl.gz"):
        path = tmp_path / name
        path.write_bytes(content)
        batch = read_file(path, tmp_path)
        for article in batch.articles:
            assert isinstance(article["text"], str) and article["text"]
        assert batch.articles or batch.problems


@given(content=st.text(max_size=500))
def test_text_articles_keep_their_words(content: str) -> None:
    fields = parse_text_article(content)
    assert set(fields.get("text", "").split()) <= set(content.split())


@pytest.mark.parametrize("closed", [False, True])
def test_csv_quote_open_over_16_mib_is_reported_where_it_opened(tmp_path: Path, closed: bool) -> None:
    path = tmp_path / "open.csv"
    swallowed = 17 * 2**20 // 44  # rows of 44 characters: past csv's 16 MiB cell limit
    with path.open("w") as out:
        out.write("id,title,text,published\n"
                  "a,A,Troops shelled Kharkiv.,2024-12-16\n"
                  "b,B,Shelling near Izium.,2024-12-16\n"
                  'c,C,"The quote opens and is never closed,2024-12-16\n')
        out.write("d,D,A row inside the open quote!,2024-12-16\n" * swallowed)
        if closed:  # csv ends the cell at a later cell's quote, and the row at this line
            out.write('e,E,A "quoted" word,2024-12-16\n')
        out.write("f,F,A row after it.,2024-12-16\n")
    batch = read_file(path, tmp_path)
    assert [a["article_id"] for a in batch.articles] == (["a", "b", "f"] if closed else ["a", "b"])
    assert [(p.code, p.line) for p in batch.problems] == [("unclosed_quote", 4)]
    end = 4 + swallowed + 1  # e's line, or f's (the last) when nothing closes the quote
    assert batch.problems[0].message.startswith("a quoted cell opened on line 4 ")
    assert batch.problems[0].message.endswith(f": lines 4-{end} were read as one row; skipped")


def test_csv_quote_open_over_many_short_lines_keeps_none_of_them(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_bytes(b'id,text\na,ok\nb,"open\n' + b"x\n" * 2**18 + b"c,fine\n")
    tracemalloc.start()
    try:
        batch = read_file(path, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert _codes(batch) == ["unclosed_quote"]
    assert [a["article_id"] for a in batch.articles] == ["a"]
    # csv's own cell buffer takes 2 MiB (4 bytes a character); the quarter million lines, kept
    # as strings, took 20 MiB more
    assert peak < 8 * 2**20
