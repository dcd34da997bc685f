"""Plain text (``*.txt``): optional front matter, then a title line, then the text (a body of one
line is the text).

    ---                          RawRecord(fields={"id": "k1", "published": "2024-12-17",
    id: k1                                        "title": "Strike on Kharkiv",
    published: 2024-12-17                         "text": "KHARKIV - ..."})
    ---
    Strike on Kharkiv
    KHARKIV - ...
"""

from __future__ import annotations

from typing import Any

from etl.ingest.base import RawRecord, ReaderOutput, encoding_problem, file_problem, read_all
from etl.ingest.decode import decode_bytes
from etl.ingest.source import Source


def split_front_matter(content: str) -> tuple[dict[str, str], str]:
    """Front matter ``key: value`` lines between two ``---`` lines, and the rest of the file."""
    lines = content.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, content
    meta: dict[str, str] = {}
    for index, line in enumerate(lines[1:], 1):
        if line.strip() == "---":
            return meta, "".join(lines[index + 1:])
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return {}, content  # no closing line: not front matter after all


def parse_text_article(content: str) -> dict[str, Any]:
    """Fields of a text article: front matter, the first non-empty line as title, the rest as
    text; a body of one line is the text (no title but front matter's): it is no headline alone.
    A title given in front matter is the title: the whole body is then the text (its first line
    is not dropped).

        "Title\\nShelling.\\n"  ->  {"title": "Title", "text": "Shelling."}
        "Shelling.\\n"         ->  {"text": "Shelling."}
        "---\\ntitle: T\\n---\\nKYIV -\\nShelling.\\n"  ->  {"title": "T", "text": "KYIV -\\nShelling."}
    """
    meta, body = split_front_matter(content)
    fields: dict[str, Any] = dict(meta)
    lines = body.strip().splitlines()
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        fields.setdefault("text", "")
        return fields
    if fields.get("title"):
        fields["text"] = "\n".join(lines[title_index:]).strip()
        return fields
    text = "\n".join(lines[title_index + 1:]).strip()
    if not text:
        fields["text"] = lines[title_index].strip()
        return fields
    fields["title"] = lines[title_index].strip()  # front matter's ``title:`` was empty or absent
    fields["text"] = text
    return fields


def read_text(source: Source, input_file: str) -> ReaderOutput:
    """Read one article from a text file."""
    decoded = decode_bytes(read_all(source))
    if (warning := encoding_problem(decoded, input_file)) is not None:
        yield warning
    if _unclosed_front_matter(decoded.text):
        yield file_problem(input_file, "unclosed_front_matter",
                           "the first line '---' opens front matter that no '---' line closes; "
                           "the file is read as title and text", 1, severity="warning")
    yield RawRecord(parse_text_article(decoded.text), None, decoded.encoding)


def _unclosed_front_matter(content: str) -> bool:
    """True when the file opens front matter (a first ``---`` line) and never closes it."""
    if not content.lstrip(" \t").startswith("---"):  # nearly every file: no need to split it
        return False
    lines = content.splitlines()  # the lines split_front_matter reads
    return bool(lines) and lines[0].strip() == "---" and not any(line.strip() == "---" for line in lines[1:])
