"""Bytes to text: UTF-8 when it is, a detected encoding when it is not, and say which.

    >>> decode_bytes("café".encode("cp1252")).encoding
    'cp1252'
"""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the encoding used, and whether undecodable bytes were replaced."""

    text: str
    encoding: str
    replaced: bool = False


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def looks_binary(data: bytes) -> bool:
    """True for content that is not text: NUL bytes or mostly control bytes in the first 8 KiB."""
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
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
    """Decode as UTF-8 (BOM allowed), else the encoding charset-normalizer finds, else replace."""
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        pass
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
