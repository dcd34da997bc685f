"""Bytes to text: UTF-8 when it is, the encoding a BOM declares, a detected one otherwise; say which.

    >>> decode_bytes("Shelling near the café".encode("cp1252")).encoding
    'cp1252'
    >>> decode_bytes("café".encode("utf-16")).encoding in ("utf-16-le", "utf-16-be")
    True
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from charset_normalizer import from_bytes


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, whether undecodable bytes were replaced, and whether a
    byte order mark declared the encoding (then it is no guess)."""

    text: str
    encoding: str
    replaced: bool = False
    declared: bool = False


# UTF-32 first: its little-endian mark begins with UTF-16's. UTF-8's mark is read by utf-8-sig.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def declared_encoding(head: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding a file's byte order mark declares, else None.

    >>> declared_encoding(b"\\xff\\xfeK\\x00"), declared_encoding(b"Kyiv")
    ('utf-16-le', None)
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def stream_codec(encoding: str) -> str:
    """The codec that decodes a whole stream in ``encoding``, its byte order mark dropped.

    >>> stream_codec("utf-8"), stream_codec("utf-16-be"), stream_codec("cp1252")
    ('utf-8-sig', 'utf-16', 'cp1252')
    """
    if encoding == "utf-8":
        return "utf-8-sig"
    if encoding.startswith(("utf-16-", "utf-32-")):
        return encoding[:6]  # "utf-16" reads the mark and the byte order from it
    return encoding


# Stream decoders use this error handler: an undecodable sequence becomes MARK, as "replace"
# makes it U+FFFD, so that a reader can tell a replacement from a U+FFFD the file itself holds.
# A lone surrogate is never the output of a strict decoder (UTF-8, UTF-16 and UTF-32 reject
# them; code pages have none), so MARK cannot come from the input.
MARK = "\ud800"
MARK_ERRORS = "etl-ingest-mark"


def _mark(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return MARK, exc.end


codecs.register_error(MARK_ERRORS, _mark)


def unmark(text: str) -> tuple[str, bool]:
    """Text decoded with MARK_ERRORS as "replace" would give it, and whether anything was replaced.

    >>> unmark(b"a\\xffb".decode("utf-8", MARK_ERRORS))
    ('a\\ufffdb', True)
    """
    if MARK not in text:
        return text, False
    return text.replace(MARK, "\ufffd"), True


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f]")


def looks_binary(data: bytes) -> bool:
    """True for content that is not text: NUL bytes or mostly control bytes in the first 8 KiB
    (characters, for UTF-16 and UTF-32 text with a byte order mark)."""
    head = data[:8192]
    if (declared := declared_encoding(head)) is not None:
        unit = 4 if declared.startswith("utf-32") else 2
        text = head[:len(head) - len(head) % unit].decode(declared, errors="replace")[1:]
        if "\x00" in text:
            return True
        return bool(text) and len(_CONTROL_CHARS.findall(text)) / len(text) > 0.10
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return bool(head) and controls / len(head) > 0.10


def _mostly_ascii_cp1252(data: bytes) -> str | None:
    """Windows-1252 text when it decodes and its letters are mostly ASCII; else None.

    Short Western text with a few accents and typographic dashes is where detectors guess
    Baltic or Turkish code pages; text in another script is dense in non-ASCII letters.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    non_ascii = sum(1 for c in letters if ord(c) > 127)
    return text if non_ascii / len(letters) < 0.2 else None


def decode_bytes(data: bytes) -> Decoded:
    """Decode as UTF-8 (BOM allowed), as a UTF-16/32 BOM says, else the encoding
    charset-normalizer finds, else replace."""
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(data)
    if declared is not None:
        text, replaced = unmark(data.decode(stream_codec(declared), MARK_ERRORS))
        return Decoded(text, declared, replaced, declared=True)
    western = _mostly_ascii_cp1252(data)
    if western is not None:
        return Decoded(western, "cp1252")
    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            return Decoded(data.decode(best.encoding), best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return Decoded(data.decode("utf-8", errors="replace"), "utf-8", replaced=True)


class Prefixed(io.RawIOBase):
    """A raw stream that replays bytes already read, then continues from the source stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
