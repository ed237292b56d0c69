"""PDF page layout: glyphs → lines (rows by baseline, cells split at wide gaps); running headers,
footers, page numbers and print stamps removed."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

SPACE_EM = 0.25  # a gap of a quarter em or more between two glyphs is a space (LO's CJK/Latin autospace: 0.2 em)
CELL_EM = 2.0  # a gap of two em splits a row into separate lines (table cells, a date set apart)
BAND = 0.15  # headers and footers sit in the top and bottom 15 % of the page
EDGE_ROWS = 4  # … among its first and last four rows
REPEAT_SHARE = 0.4  # a running header/footer is on at least 40 % of the pages (and on two)
CLOSING = set("。，、；：！？）》」』”’〉】〕,.;:!?)]%‰")  # never start a line
OPENING = set("“‘《（「『【〈〔([")  # never end a line
NBSP = "\xa0"


@dataclass(frozen=True)
class Glyph:
    """One character with its box in top-down page coordinates (points)."""

    ch: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Line:
    """A line of text on a page (a whole row, or one cell of a row)."""

    page: int  # 1-based
    row: int  # rows are numbered top to bottom; the cells of one row share the number
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    em: float  # font size estimate: the width of a CJK character
    lead: float  # width of the first word: what would have had to fit at the end of the line above
    cells: int = 1  # how many lines its row was split into
    cjk: bool = True  # has CJK characters (else ``em`` is the page's, or guessed from the glyph height)
    xs: tuple[float, ...] = ()  # where each character of ``text`` starts


def is_wide(ch: str) -> bool:
    """CJK characters and full-width forms (one em wide)."""
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF01 <= o <= 0xFF60 or 0x20000 <= o


def _em(glyphs: list[Glyph]) -> float | None:
    """The width of the row's CJK characters; None for a row without any (Latin, digits)."""
    wide = [g.x1 - g.x0 for g in glyphs if is_wide(g.ch) and g.x1 > g.x0]
    return statistics.median(wide) if wide else None


def _rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped by baseline (vertical centre), top to bottom, each row left to right."""
    rows: list[list[Glyph]] = []
    centre = height = 0.0
    for g in sorted(glyphs, key=lambda g: (g.top + g.bottom) / 2):
        c, h = (g.top + g.bottom) / 2, g.bottom - g.top
        if rows and abs(c - centre) <= 0.45 * max(h, height):
            rows[-1].append(g)
            height = max(height, h)
        else:
            rows.append([g])
            centre, height = c, h
    return [sorted(r, key=lambda g: g.x0) for r in rows]


def _lead(glyphs: list[Glyph]) -> float:
    """Width of the first unbreakable piece: opening punctuation, a CJK character or a Latin word, the
    closing punctuation after it, and what a no-break space glues on."""

    def word_end(i: int) -> int:
        while i < len(glyphs) and glyphs[i].ch in OPENING:
            i += 1
        if i < len(glyphs) and is_wide(glyphs[i].ch):
            return i + 1
        while i < len(glyphs) and not glyphs[i].ch.isspace() and not is_wide(glyphs[i].ch):
            i += 1
        return i

    end = word_end(0)
    while end < len(glyphs) and (glyphs[end].ch in CLOSING or glyphs[end].ch == NBSP):
        end = word_end(end + 1) if glyphs[end].ch == NBSP else end + 1
    return glyphs[max(end, 1) - 1].x1 - glyphs[0].x0


def _make_line(page: int, row: int, glyphs: list[Glyph], em: float) -> Line | None:
    """One line from its glyphs (left to right); spaces where the PDF has one, or a gap of SPACE_EM."""
    visible = [g for g in glyphs if not g.ch.isspace()]
    if not visible:
        return None
    text, xs, prev = "", [], None
    for g in glyphs:
        if g.ch in " \xa0":
            add = "" if text.endswith(" ") else " "
        else:
            gap = g.x0 - prev.x1 if prev is not None else 0.0
            if prev is not None and is_wide(prev.ch) and is_wide(g.ch) and gap >= 0.8 * em:
                add = "\u3000" * round(gap / em)  # ideographic spaces (前　　言) not drawn as glyphs
            else:
                add = " " if gap >= SPACE_EM * em and not text.endswith(" ") else ""
            add += g.ch
        text += add
        xs += [g.x0] * len(add)
        prev = g
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    first = glyphs.index(visible[0])
    top, bottom = min(g.top for g in visible), max(g.bottom for g in visible)
    x1 = max(g.x1 for g in visible)
    line = Line(page, row, text, visible[0].x0, x1, top, bottom, em, _lead(glyphs[first:]))
    line.xs = tuple(xs[lead : lead + len(text)])
    return line


def _dedup(row: list[Glyph]) -> list[Glyph]:
    """Drop glyphs drawn twice at the same place (fake bold, shadows)."""
    out: list[Glyph] = []
    for g in row:
        if out and g.ch == out[-1].ch and abs(g.x0 - out[-1].x0) < 0.3 * max(g.x1 - g.x0, 0.5):
            continue
        out.append(g)
    return out


def page_lines(page: int, glyphs: list[Glyph]) -> list[Line]:
    """The lines of one page in reading order (rows top to bottom, cells left to right)."""
    rows = [_dedup(row) for row in _rows(glyphs)]
    ems = [_em(row) for row in rows]
    known = [e for e in ems if e]
    heights = [g.bottom - g.top for g in glyphs if g.bottom > g.top]
    usual = statistics.median(known) if known else 0.85 * statistics.median(heights) if heights else 10.0
    lines: list[Line] = []
    for r, (row, em) in enumerate(zip(rows, ems, strict=True)):
        cells: list[list[Glyph]] = [[]]
        last: Glyph | None = None
        for g in row:
            if last is not None and not g.ch.isspace() and g.x0 - last.x1 > CELL_EM * (em or usual) and cells[-1]:
                cells.append([])
            cells[-1].append(g)
            if not g.ch.isspace():
                last = g
        made = [ln for c in cells if (ln := _make_line(page, r, c, em or usual)) is not None]
        for ln in made:
            ln.cells, ln.cjk = len(made), em is not None
        lines += made
    return lines


# -- running headers, footers, page numbers, print stamps ----------------------------------------
_N = r"(?:\d{1,4}|[一二三四五六七八九十百零〇]{1,5})"
PAGE_NO = re.compile(
    rf"""^(?:[-—–－‐_·•~〜\s]*\d{{1,4}}[-—–－‐_·•~〜\s]*  # - 7 -  —7—  ·7·
    |[\[【(（]\s*\d{{1,4}}\s*[\]】)）]
    |第\s*{_N}\s*页(?:\s*[,，/／]?\s*共\s*{_N}\s*页)?      # 第 3 页  第3页 共12页
    |共\s*{_N}\s*页\s*[,，/／]?\s*第\s*{_N}\s*页
    |\d{{1,4}}\s*[/／]\s*\d{{1,4}}                        # 3/12
    |(?:page|p\.)\s*\d{{1,4}}(?:\s*(?:of|/)\s*\d{{1,4}})?  # Page 3 of 12
    |\d{{1,4}}\s*of\s*\d{{1,4}})$""",
    re.I | re.X,
)
BARE_NO = re.compile(r"^\d{1,4}$")
URL = re.compile(r"^(?:(?:https?|file|ftp)://|www\.)\S*$", re.I)
_TIME = r"(?:上午|下午|AM|PM)?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM|上午|下午)?"
DATE_TIME = re.compile(
    rf"^(?:\d{{1,4}}[/.\-]\d{{1,2}}[/.\-]\d{{1,4}}|\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)"
    rf"\s*[,，]?\s*(?:星期.|周.)?\s*{_TIME}$",
    re.I,
)


def _key(line: Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def _stamp(line: Line) -> bool:
    """Page furniture by its form alone: a page number with its decoration, a URL, a date with a time."""
    text = line.text.strip()
    return bool(PAGE_NO.match(text) and not BARE_NO.match(text) or URL.match(text) or DATE_TIME.match(text))


def _edge_rows(lines: list[Line], height: float) -> tuple[list[int], list[int]]:
    """Row numbers in the top band (top down) and in the bottom band (bottom up), at most EDGE_ROWS each."""
    rows = sorted({ln.row for ln in lines})
    top = {ln.row for ln in lines if ln.bottom <= BAND * height}
    bottom = {ln.row for ln in lines if ln.top >= (1 - BAND) * height}
    return [r for r in rows[:EDGE_ROWS] if r in top], [r for r in reversed(rows[-EDGE_ROWS:]) if r in bottom]


def strip_furniture(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """The pages without running headers/footers, page numbers and print stamps (date/time, URL, 1/12)
    in their top and bottom bands: lines of a repeated text (digits aside) at the same height on
    many pages, page numbers in any common form, URLs and date-time stamps."""
    n = len(pages)
    edges = [_edge_rows(lines, h) for lines, h in zip(pages, heights, strict=True)]
    # repeated texts: (band, key, height rounded to 3 pt) on how many pages
    seen: Counter[tuple[int, str, int]] = Counter()
    bare: Counter[tuple[int, int]] = Counter()  # (band, number - page) of bare page numbers
    for lines, (top, bottom) in zip(pages, edges, strict=True):
        keys = set()
        for band, rows in ((0, top), (1, bottom)):
            for ln in (ln for ln in lines if ln.row in rows):
                keys |= {(band, _key(ln), round(ln.top / 3) + d) for d in (-1, 0, 1)}
                if BARE_NO.match(ln.text) and ln.cells == 1:
                    bare[(band, int(ln.text) - ln.page)] += 1
        seen.update(keys)
    need = max(2, REPEAT_SHARE * n)

    def droppable(ln: Line, band: int) -> bool:
        if _stamp(ln) or seen[(band, _key(ln), round(ln.top / 3))] >= need:
            return True
        if BARE_NO.match(ln.text) and ln.cells == 1:
            count = bare[(band, int(ln.text) - ln.page)]
            return count >= need or (n <= 2 and int(ln.text) == ln.page)
        return False

    out = []
    for lines, (top, bottom) in zip(pages, edges, strict=True):
        drop: set[int] = set()
        for band, rows in ((0, top), (1, bottom)):
            for r in rows:
                row = [ln for ln in lines if ln.row == r]
                # a row goes when one of its cells is a stamp and the rest are short (date + title),
                # or when every cell is droppable
                if all(droppable(ln, band) for ln in row) or (
                    any(_stamp(ln) for ln in row) and all(len(ln.text) <= 60 for ln in row)
                ):
                    drop.add(r)
                else:
                    break
        out.append([ln for ln in lines if ln.row not in drop])
    return out
