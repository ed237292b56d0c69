"""Physical lines with their offsets, cleaned of conversion noise (Word bookmarks, list dashes, indents)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Source

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
LEADING_NOISE = re.compile(r"^[\s\u3000\ufeff]*(?:[-*•·]\s+)?[\s\u3000]*")


@dataclass
class Line:
    no: int  # 1-based physical line number
    start: int  # offset of the raw line in the text
    raw: str  # the line as in the file (without \n)
    text: str  # cleaned: bookmarks removed, leading noise and trailing spaces stripped
    text_start: int  # offset where ``text`` begins in the file text
    locator: str = ""  # where the line sits in the original document (formats.Extracted.locators)

    @property
    def end(self) -> int:
        """Offset just past the line's last non-space character."""
        return self.start + len(self.raw.rstrip())

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def is_cell(self) -> bool:
        """Flattened table cells come out of the converter as tab-indented lines."""
        return self.raw.startswith("\t")


def split_lines(text: str, locators: list[str] | None = None) -> list[Line]:
    lines, offset = [], 0
    locators = locators or []
    for no, raw in enumerate(text.split("\n"), start=1):
        unmarked = BOOKMARK.sub("", raw)
        noise = LEADING_NOISE.match(unmarked)
        assert noise is not None  # every part of the pattern is optional: it always matches
        lead = noise.end()
        cleaned = unmarked[lead:].rstrip()
        # position of the cleaned text in the raw line (bookmarks only ever precede it)
        pos = raw.find(cleaned[:8]) if cleaned else 0
        locator = locators[no - 1] if no <= len(locators) else ""
        lines.append(Line(no, offset, raw, cleaned, offset + max(pos, 0), locator))
        offset += len(raw) + 1
    return lines


def source_of(file: str, first: Line, last: Line | None = None, start: int | None = None) -> Source:
    """The span from ``first`` (at ``start``, default its text) to the end of ``last`` (default ``first``)."""
    last = last or first
    return Source(
        file, first.no, first.text_start if start is None else start, last.end, last.no, locator=first.locator
    )
