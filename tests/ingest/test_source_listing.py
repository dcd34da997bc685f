"""Listing raw files: what cannot be read becomes a problem row, and names stay lossless."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import build, load
from etl.ingest.source import LocalSource, list_sources, name_problems, text_name

ARTICLE = "---\nid: {id}\npublished: 2024-12-17\n---\nT\n\nRussian forces shelled Kharkiv on Friday.\n"


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ARTICLE.format(id="a"))
    return raw


def _outcome(out: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    tables = load(out)
    problems = tables["problems"]
    return (tables["articles"]["input_file"].tolist(),
            [tuple(row) for row in problems[["input_file", "code", "message"]].values.tolist()])


def _locations(raw: Path) -> list[str]:
    return [str(raw), f"local://{raw}", f"file://{raw}"]


@pytest.mark.parametrize("form", [0, 1, 2], ids=["path", "local-url", "file-url"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda raw: os.symlink("loop.txt", raw / "loop.txt"), "Too many levels of symbolic links"),
        (lambda raw: os.symlink("gone.txt", raw / "loop.txt"),
         "a symbolic link to a file that does not exist"),
        (lambda raw: os.mkfifo(raw / "loop.txt"), "not a regular file (a named pipe)"),
    ],
    ids=["symlink-loop", "dangling-symlink", "named-pipe"],
)
def test_a_file_that_cannot_be_read_is_a_problem_and_the_build_goes_on(
        tmp_path: Path, make: object, message: str, form: int) -> None:
    raw = _raw(tmp_path)
    make(raw)  # type: ignore[operator]
    build(_locations(raw)[form], tmp_path / "out", jobs=1)
    articles, problems = _outcome(tmp_path / "out")
    assert articles == ["a.txt"]
    assert problems == [("loop.txt", "unreadable", f"cannot read file: {message}")]
    listed = {entry.source.name: entry.size for entry in list_sources(raw)}
    assert listed["loop.txt"] == -1  # read at once, never hashed (a pipe would block a hash)


@pytest.mark.parametrize(("gone", "why"), [(False, "deleted or moved"), (True, "symbolic link")])
def test_a_missing_file_says_so(tmp_path: Path, gone: bool, why: str) -> None:
    path = tmp_path / "a.txt"
    if gone:
        os.symlink("nowhere.txt", path)
    source = LocalSource(str(path), "a.txt")
    for call in (source.open, source.size):
        with pytest.raises(FileNotFoundError) as caught:
            call()
        assert why in str(caught.value.strerror)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="a folder"):
        LocalSource(str(tmp_path), "x.txt").open()


def _bytes_name(raw: Path, name: bytes, article: str) -> None:
    with open(os.path.join(os.fsencode(raw), name), "wb") as handle:
        handle.write(ARTICLE.format(id=article).encode())


@pytest.mark.parametrize("form", [0, 1], ids=["path", "local-url"])
def test_names_that_are_not_utf8_stay_apart_and_are_not_reprocessed(tmp_path: Path, form: int) -> None:
    raw = _raw(tmp_path)
    _bytes_name(raw, b"b\xff.txt", "ff")
    _bytes_name(raw, b"b\xfe.txt", "fe")
    location, out = _locations(raw)[form], tmp_path / "out"
    build(location, out, jobs=1)
    articles, problems = _outcome(out)
    assert articles == ["a.txt", "b\\xfe.txt", "b\\xff.txt"]
    assert [(f, c) for f, c, _ in problems] == [("b\\xfe.txt", "non_utf8_name"),
                                                ("b\\xff.txt", "non_utf8_name")]
    assert build(location, out, jobs=1).processed == 0
    warned = [name_problems(entry.source) for entry in list_sources(raw)]
    assert [[p.code for p in found] for found in warned] == [[], ["non_utf8_name"], ["non_utf8_name"]]


def test_a_remote_listing_with_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/src14/raw/" + os.fsdecode(b"c\xff.txt"), ARTICLE.format(id="c").encode())
    fs.pipe("/src14/raw/a.txt", ARTICLE.format(id="a").encode())
    try:
        entries = list_sources("memory://src14/raw")
        assert [(e.source.name, e.source.non_utf8_name) for e in entries] == [
            ("a.txt", False), ("c\\xff.txt", True)]
        build("memory://src14/raw", tmp_path / "out", jobs=1)
        assert _outcome(tmp_path / "out")[0] == ["a.txt", "c\\xff.txt"]
    finally:
        fs.rm("/src14", recursive=True)


@pytest.mark.parametrize(
    ("name", "shown", "non_utf8"),
    [
        ("a.txt", "a.txt", False),
        ("café/é.txt", "café/é.txt", False),
        ("back\\slash.txt", "back\\slash.txt", False),  # a UTF-8 name is never changed
        (os.fsdecode(b"a\xff.txt"), "a\\xff.txt", True),
        (os.fsdecode(b"caf\xe9 \\.txt"), "caf\\xe9 \\\\.txt", True),  # Latin-1 name, a backslash
        (os.fsdecode("é".encode() + b"\x80"), "é\\x80", True),
    ],
)
def test_text_name(name: str, shown: str, non_utf8: bool) -> None:
    assert text_name(name) == (shown, non_utf8)


@given(st.lists(st.binary(min_size=1, max_size=6).filter(lambda b: b"/" not in b and b"\0" not in b),
                min_size=2, max_size=2, unique=True))
def test_text_names_of_different_byte_names_differ(names: list[bytes]) -> None:
    shown = [text_name(os.fsdecode(name)) for name in names]
    for text, _ in shown:
        text.encode("utf-8")  # always writable to a table
    both_utf8 = not shown[0][1] and not shown[1][1]
    both_not = shown[0][1] and shown[1][1]
    if both_utf8 or both_not:  # a UTF-8 name spelling out an escape is the only collision
        assert shown[0][0] != shown[1][0]
