"""Where a mention is written: offsets in a unit's (or a preamble's) text → a span of the file's text.

A unit's text is not a slice of the file: its lines are joined without their breaks and leading
noise, a heading line gets a "。" before its body, a key project loses its "（责任单位：…）". So the
offsets an extractor finds inside the unit text are mapped back character by character: ``text_map``
aligns the unit text with the unit's span of ``ParsedFile.text`` (a greedy walk that skips the file's
whitespace, else ``difflib``'s matching blocks); a preamble is mapped line by line, since it is the
cleaned text of whole physical lines. ``source_text[span.start:span.end]`` is then the mention as
written, line breaks included.
"""

from __future__ import annotations

import bisect
import re
from difflib import SequenceMatcher
from functools import lru_cache

from graph.model import AgencyMention, LawMention, Plan, Source, Unit

from ..parse.lines import split_lines
from .agencies import RESPONSIBLE_LABEL
from .text import normalise

RESPONSIBLE_LABEL_RX = re.compile(RESPONSIBLE_LABEL)

_SKIPPABLE = frozenset(" \t\r\n\u3000\ufeff\xa0")


def text_map(derived: str, source: str, start: int, end: int) -> list[int]:
    """For every character of ``derived``, its offset in ``source[start:end]`` (-1: not there, e.g. an
    inserted "。")."""
    out = _greedy(derived, source, start, end)
    if out is not None:
        return out
    out = [-1] * len(derived)
    matcher = SequenceMatcher(None, derived, source[start:end], autojunk=False)
    for a, b, n in matcher.get_matching_blocks():
        for k in range(n):
            out[a + k] = start + b + k
    return out


def _greedy(derived: str, source: str, start: int, end: int) -> list[int] | None:
    """The common case: ``derived`` is ``source[start:end]`` without some whitespace."""
    out, j = [], start
    for ch in derived:
        while j < end and source[j] != ch and source[j] in _SKIPPABLE:
            j += 1
        if j >= end or source[j] != ch:
            return None
        out.append(j)
        j += 1
    return out


def preamble_map(preamble: str, source: str, start: int, end: int) -> list[int]:
    """Offsets of a plan's preamble (cleaned physical lines, each followed by "\\n") in ``source``:
    each preamble line is found as the next physical line of ``source[start:end]`` with that text."""
    out: list[int] = []
    lines = [ln for ln in split_lines(source) if start <= ln.text_start < end and not ln.blank]
    i = 0
    for text in preamble.split("\n")[:-1] if preamble.endswith("\n") else preamble.split("\n"):
        while i < len(lines) and lines[i].text != text:
            i += 1
        if i == len(lines):  # not found: leave the rest unplaced
            out += [-1] * (len(text) + 1)
            continue
        ln = lines[i]
        at = ln.text_start
        if source[at : at + len(text)] == text:
            out += range(at, at + len(text))
        else:  # a bookmark inside the line: align the cleaned text with the raw line
            out += text_map(text, source, ln.start, ln.start + len(ln.raw))
        out.append(-1)  # the "\n" joining preamble lines
        i += 1
    return out


class LineIndex:
    """1-based line numbers of offsets in one text."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def place(
    offsets: list[int], start: int, end: int, file: str, lines: LineIndex, near: Source | None = None
) -> Source | None:
    """The span of characters [start, end) of a mapped text (None when none of them is placed).
    ``near``: the span of the unit, whose locator the mention shares when it starts on the unit's line."""
    placed = [o for o in offsets[max(0, start) : end] if o >= 0]
    if start < 0 or end <= start or not placed:
        return None
    s, e = placed[0], placed[-1] + 1
    line = lines.line(s)
    locator = near.locator if near is not None and near.locator and line == near.line else ""
    return Source(file, line, s, e, lines.line(e - 1), locator)


@lru_cache(maxsize=4)
def line_index(text: str) -> LineIndex:
    return LineIndex(text)


def place_unit(unit: Unit, responsible: list[AgencyMention], source: str) -> None:
    """Set ``span`` on the agency and law mentions of ``unit`` (its text's offsets mapped into ``source``,
    the file's text). Responsible units of a key project were cut out of its text: they are found in the
    unit's span of ``source``, after the 责任单位 label."""
    src, lines = unit.source, line_index(source)
    offsets: list[int] | None = None
    mentions: list[AgencyMention | LawMention] = [*unit.laws]
    mentions += [a for a in unit.agencies if not any(a is r for r in responsible)]
    for m in mentions:
        if m.start < 0 or m.end <= m.start:
            continue
        if offsets is None:
            offsets = text_map(unit.text, source, src.start, src.end)
        m.span = place(offsets, m.start, m.end, src.file, lines, src)
    if responsible:
        _place_responsible(responsible, source, src, lines)


def _place_responsible(mentions: list[AgencyMention], source: str, src: Source, lines: LineIndex) -> None:
    norm, index = normalise(source[src.start : src.end])
    label = RESPONSIBLE_LABEL_RX.search(norm)
    cursor = label.end() if label else 0
    last: tuple[str, Source | None] = ("", None)
    for m in mentions:
        if m.surface == last[0]:  # an abbreviation naming several bodies: one span
            m.span = last[1]
            continue
        at = norm.find(m.surface, cursor) if m.surface else -1
        if at < 0:
            last = (m.surface, None)
            continue
        start, end = src.start + index[at], src.start + index[at + len(m.surface) - 1] + 1
        line = lines.line(start)
        locator = src.locator if line == src.line else ""
        m.span = Source(src.file, line, start, end, lines.line(end - 1), locator)
        cursor = at + len(m.surface)
        last = (m.surface, m.span)


def place_preamble(plan: Plan, source: str) -> None:
    """Set ``span`` on the laws cited in ``plan``'s preamble."""
    if not plan.preamble_laws:
        return
    offsets = preamble_map(plan.preamble, source, plan.source.start, plan.source.end)
    for m in plan.preamble_laws:
        if 0 <= m.start < m.end:
            m.span = place(offsets, m.start, m.end, plan.source.file, line_index(source))
