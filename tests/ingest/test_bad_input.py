"""Bad input never stops a read and never vanishes: one problem row each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from etl.ingest import read_file


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


def test_lone_surrogate_spoils_nothing(tmp_path: Path) -> None:
    lines = ['{"id": "c1", "text": "bad \\ud800 text"}', json.dumps({"id": "c2", "text": "fine"})]
    articles, problems = _problems(tmp_path, "a.jsonl", ("\n".join(lines) + "\n").encode())
    assert [(a["article_id"], a["text"]) for a in articles] == [("c1", "bad \ufffd text"), ("c2", "fine")]
    assert problems == []


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
    assert load(tmp_path / "out")["articles"]["input_file"].tolist() == ["bad\ufffd.txt"]


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
