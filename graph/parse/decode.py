"""Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 with a notice; binary and
empty input refused."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FileTooLarge, ParseError

MAX_BYTES = 20 * 1024 * 1024  # a plan is ~100 KB; anything this big is not a plan


@dataclass
class Decoded:
    text: str  # line endings normalised to \n, BOM removed
    encoding: str  # "utf-8", "utf-8-sig", "utf-16" or "gb18030"
    notice: str = ""  # set when the input was not plain UTF-8


def too_big(size: int) -> str:
    return f"file is {size / (1024 * 1024):.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit for a plan"


def decode(data: bytes, name: str) -> Decoded:
    if len(data) > MAX_BYTES:
        raise FileTooLarge(name, too_big(len(data)))
    if not data.strip():
        raise ParseError(name, "file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its BOM (Windows Notepad's "Unicode")
        utf16 = _utf16(data)
        if utf16 is not None:
            return _checked(utf16, "utf-16", "UTF-16 text", name)
    if b"\x00" in data[:8192]:
        raise ParseError(name, "binary file (NUL bytes), not a plan text")
    encoding, notice = "utf-8", ""
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "utf-8-sig", data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise ParseError(name, "not valid UTF-8 nor GB18030 text", line) from None
        encoding, notice = "gb18030", "not UTF-8: decoded as GB18030"
    return _checked(text, encoding, notice, name)


def _utf16(data: bytes) -> str | None:
    """UTF-16 text, or None when the bytes only start like it (noncharacters, lone surrogates)."""
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        return None
    head = text[:8192]
    plain = sum(1 for ch in head if ch < "\u0080" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return text if plain >= 0.6 * len(head) else None


def _checked(text: str, encoding: str, notice: str, name: str) -> Decoded:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > 8:
        raise ParseError(name, "binary file (control characters), not a plan text")
    if not text.strip():
        raise ParseError(name, "file is empty")
    return Decoded(text, encoding, notice)
