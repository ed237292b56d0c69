"""The format table and the one entry point, ``read_document``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ParseError


@dataclass
class Extracted:
    """A document as text: what every reader returns."""

    text: str  # one paragraph per line, "\n" line ends; tables as tab-indented cell lines
    format: str  # "txt", "docx", "doc", "pdf", "html"
    encoding: str  # the text encoding for .txt ("utf-8", "gb18030", …); the format name otherwise
    # where each line of ``text`` sits in the original ("page=3", "paragraph=41", "xpath=/html/body/…");
    # one entry per line (``len(text.split("\n"))``); empty for .txt, whose lines are the original's
    locators: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # e.g. "not UTF-8: decoded as GB18030"

    def locator(self, line_no: int) -> str:
        """The locator of a 1-based line of ``text`` ('' when there is none)."""
        return self.locators[line_no - 1] if 0 < line_no <= len(self.locators) else ""


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    media_type: str
    module: str  # the reader module in this package; it defines ``read(data, name) -> Extracted``
    needs: str  # what it needs installed, for the README and for errors

    def reader(self) -> Callable[[bytes, str], Extracted]:
        reader: Callable[[bytes, str], Extracted] = importlib.import_module(f"{__package__}.{self.module}").read
        return reader


FORMATS = (
    Format("txt", (".txt",), "text/plain", "text", "nothing"),
    Format(
        "docx",
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "python-docx",
    ),
    Format("doc", (".doc", ".wps"), "application/msword", "office", "LibreOffice (Debian: libreoffice-writer-nogui)"),
    Format("pdf", (".pdf",), "application/pdf", "pdf", "pypdfium2; a text layer (scanned PDFs are refused)"),
    Format("html", (".html", ".htm"), "text/html", "html", "lxml"),
)


def supported_suffixes() -> tuple[str, ...]:
    return tuple(s for f in FORMATS for s in f.suffixes)


def media_type_of(format_name: str) -> str:
    """'pdf' → 'application/pdf' (the IANA media type of a format of ``FORMATS``)."""
    return next((f.media_type for f in FORMATS if f.name == format_name), "application/octet-stream")


def format_of(name: str) -> Format:
    """The format of a file name, by suffix; ParseError naming the supported ones otherwise."""
    lower = name.lower()
    for f in FORMATS:
        if lower.endswith(f.suffixes):
            return f
    raise ParseError(name, "unsupported file type; plans can be " + ", ".join(supported_suffixes()))


def read_document(data: bytes, name: str) -> Extracted:
    """The text of a plan document; ParseError (file, reason) when it cannot be read."""
    return format_of(name).reader()(data, name)
