"""Every input format of the data contract reads into the same article fields."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from etl.ingest import discover, format_of, read_file
from etl.ingest.source import list_sources
from etl.ingest.text import parse_text_article, split_front_matter

TEXT = "KHARKIV – Russian shelling hit a residential district on Monday, officials said."


def _read_one(tmp_path: Path, name: str, content: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(content)
    batch = read_file(path, tmp_path)
    assert batch.problems == [], batch.problems
    assert len(batch.articles) == 1
    return batch.articles[0]


def test_jsonl(tmp_path: Path) -> None:
    line = {"id": "a1", "title": "Strike", "text": TEXT, "published": "2024-12-16T08:00:00Z",
            "url": "https://example.org/x", "source": "Example", "language": "en"}
    row = _read_one(tmp_path, "a.jsonl", (json.dumps(line) + "\n").encode())
    assert row["article_id"] == "a1"
    assert row["text"] == TEXT
    assert row["published"] == datetime(2024, 12, 16, 8, 0)
    assert row["published_basis"] == "metadata"
    assert (row["url"], row["source"], row["language"], row["input_line"]) == (
        "https://example.org/x", "Example", "en", 1)


def test_jsonl_gz_and_aliases(tmp_path: Path) -> None:
    line = {"headline": "Strike", "body": TEXT, "published_at": "2024-12-16"}
    row = _read_one(tmp_path, "a.jsonl.gz", gzip.compress((json.dumps(line) + "\n").encode()))
    assert row["title"] == "Strike"
    assert row["text"] == TEXT
    assert row["published"] == datetime(2024, 12, 16)
    assert len(row["article_id"]) == 16  # content hash when no id is given


def test_csv(tmp_path: Path) -> None:
    content = f'id,title,content,date,source\nc1,Strike,"{TEXT}",2024-12-16,Wire\n'.encode()
    row = _read_one(tmp_path, "a.csv", content)
    assert (row["article_id"], row["text"], row["source"], row["input_line"]) == ("c1", TEXT, "Wire", 2)
    assert row["published"] == datetime(2024, 12, 16)


def test_csv_multiline_cell_keeps_line_numbers(tmp_path: Path) -> None:
    content = b'id,text\nc1,"first\nsecond"\nc2,third\n'
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    batch = read_file(path, tmp_path)
    assert [(a["article_id"], a["input_line"]) for a in batch.articles] == [("c1", 2), ("c2", 4)]


def test_text_with_front_matter(tmp_path: Path) -> None:
    content = f"---\nid: t1\npublished: 2024-12-17\nsource: Wire\n---\n\nStrike on Kharkiv\n{TEXT}\n"
    row = _read_one(tmp_path, "a.txt", content.encode())
    assert (row["article_id"], row["title"], row["text"], row["source"]) == (
        "t1", "Strike on Kharkiv", TEXT, "Wire")
    assert row["published_basis"] == "metadata"


def test_text_without_front_matter_uses_dateline(tmp_path: Path) -> None:
    content = "Strike on Kharkiv\nKHARKIV, Dec 16, 2024 (Reuters) - Russian shelling hit the city.\n"
    row = _read_one(tmp_path, "a.txt", content.encode())
    assert row["title"] == "Strike on Kharkiv"
    assert row["published"] == datetime(2024, 12, 16)
    assert row["published_basis"] == "dateline"


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    page = f"""<!DOCTYPE html><html lang="en"><head><title>Strike on Kharkiv | Example News</title>
    <meta property="og:title" content="Strike on Kharkiv">
    <meta property="article:published_time" content="2024-12-16T09:30:00+00:00">
    </head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>Strike on Kharkiv</h1><p>{TEXT}</p>
    <p>Regional governor Oleh Syniehubov said the attack damaged several buildings and cut power
    to thousands of homes in the northern districts of the city.</p></article>
    <footer>Copyright Example News. All rights reserved.</footer></body></html>"""
    row = _read_one(tmp_path, "a.html", page.encode())
    assert row["title"] == "Strike on Kharkiv"
    assert TEXT in row["text"]
    assert "Copyright" not in row["text"] and "Home" not in row["text"]
    assert row["published"] == datetime(2024, 12, 16)


def test_seed_article(seed_raw: Path) -> None:
    batch = read_file(seed_raw / "ukraine-2024-12-17.txt", seed_raw)
    (row,) = batch.articles
    assert row["article_id"] == "ukraine-2024-12-17"
    assert row["published"] == datetime(2024, 12, 17)
    assert row["published_basis"] == "metadata"
    assert row["title"].startswith("Intensified Attacks in Ukraine")
    assert row["text"].startswith("KYIV – Amidst")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.jsonl", "jsonl"), ("a.JSONL.GZ", "jsonl"), ("a.csv", "csv"), ("a.txt", "text"),
     ("a.htm", "html"), ("a.html", "html"), ("a.json", None), ("a.gz", None), ("README", None)],
)
def test_format_of(name: str, fmt: str | None) -> None:
    assert format_of(Path(name)) == fmt


def test_discover_is_sorted_and_recursive(tmp_path: Path) -> None:
    for rel in ["b/2.txt", "a.txt", "b/1.txt", ".hidden.txt", ".git/x.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == [
        "a.txt", "b/1.txt", "b/2.txt"]


def test_list_sources_gives_names_sizes_and_versions(tmp_path: Path) -> None:
    for rel, text in [("b/c/3.txt", "xyz"), ("a-b.txt", "x"), ("b/1.txt", "xy"), (".h/x.txt", "")]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "linked").symlink_to(tmp_path / "b", target_is_directory=True)  # not entered
    entries = list_sources(tmp_path)
    assert [e.source.name for e in entries] == ["a-b.txt", "b/1.txt", "b/c/3.txt"]
    assert [e.size for e in entries] == [1, 2, 3]
    assert [e.version for e in entries] == [
        (tmp_path / e.source.name).stat().st_mtime_ns for e in entries]
    assert entries[2].source.open().read() == b"xyz"


@pytest.mark.parametrize(
    ("content", "meta", "rest"),
    [("---\na: 1\nb: two\n---\nbody", {"a": "1", "b": "two"}, "body"),
     ("no front matter\n---\n", {}, "no front matter\n---\n"),
     ("---\nunclosed: yes\nbody", {}, "---\nunclosed: yes\nbody")],
)
def test_split_front_matter(content: str, meta: dict, rest: str) -> None:
    assert split_front_matter(content) == (meta, rest)


def test_parse_text_article_title_is_first_nonempty_line() -> None:
    fields = parse_text_article("\n\n  Title here  \n\nBody line one.\nBody line two.\n")
    assert fields == {"title": "Title here", "text": "Body line one.\nBody line two."}


@pytest.mark.parametrize(("tag", "code"), [("en-GB", "en"), ("en_US", "en"), ("UK", "uk"), ("", "en")])
def test_language_is_the_primary_subtag(tmp_path: Path, tag: str, code: str) -> None:
    line = json.dumps({"id": "a", "text": TEXT, "language": tag}) + "\n"
    assert _read_one(tmp_path, "a.jsonl", line.encode())["language"] == code


@pytest.mark.parametrize("dateline", ["KYIV, Dec 16, 2024 (REUTERS) - Shelling.",
                                      "KYIV, Dec 16, 2024 (afp) - Shelling."])
def test_agency_case_does_not_matter(tmp_path: Path, dateline: str) -> None:
    row = _read_one(tmp_path, "a.txt", f"Title\n{dateline}\n".encode())
    assert (row["published"], row["published_basis"]) == (datetime(2024, 12, 16), "dateline")
