"""Hard-wrapped PDF lines → paragraphs, by geometry: a line continues the one above when that one runs
to the right edge of the text block (the next word would not have fitted), this one starts at the
block's left edge, and no paragraph gap, font change or outline number says otherwise."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..numbering import cn_to_int
from .pdf_lines import Line

INDENT_EM = 0.5  # a line starting half an em right of the block's left edge is indented
GAP_FACTOR = 1.25  # a line pitch 1.25 times the usual one is a paragraph gap
SENTENCE_END = re.compile(r"[。；：！？!?;:]$")
QUOTES = re.compile(r"[”’」』\"')）\]】》]+$")
NOISE = re.compile(r"^(?:\[bookmark:[^\]]*\])*(?:[-*•·]\s+)?")
CN = "一二三四五六七八九十百零〇两"
OUTLINE = [  # (style, pattern): 第一章 一、 （一） 1． （1） ①
    ("chapter", re.compile(rf"第\s*([{CN}]+|\d+)\s*(?:章|部分|篇|节)")),
    ("cn_paren", re.compile(rf"[（(]\s*([{CN}]+)\s*[）)]")),
    ("cn", re.compile(rf"([{CN}]+)\s*[、.．,，]")),
    ("num_paren", re.compile(r"[（(]\s*(\d{1,3})\s*[）)]")),
    ("circled", re.compile(r"([\u2460-\u2473])")),
    ("num", re.compile(r"(\d{1,3})\s*(?:[.．、](?!\d{3})|\s(?=\D))")),
]
PUNCT = re.compile(r"[，。；、：！？,.;:!?（）()“”‘’《》]")
LABEL_MAX = 16  # a short unpunctuated line after a finished sentence is a heading, not a continuation
LATIN_END = re.compile(r"[A-Za-z0-9][,.;:!?)\]'\"%]*$")
LATIN_START = re.compile(r"[(\['\"]?[A-Za-z0-9]")


def _cn(s: str) -> int:
    """Outline numbers as integers: ``numbering.cn_to_int``, plus circled digits (①)."""
    if len(s) == 1 and "\u2460" <= s <= "\u2473":
        return ord(s) - 0x245F
    return cn_to_int(s)


def outline_number(text: str) -> tuple[str, int, int] | None:
    """(style, number, where the text after it starts) of a line that starts with an outline number."""
    noise = NOISE.match(text)
    start = noise.end() if noise else 0
    for style, rx in OUTLINE:
        m = rx.match(text, start)
        if m:
            return style, _cn(m.group(1)), len(text) - len(text[m.end() :].lstrip())
    return None


@dataclass
class Block:
    """The text block of a page: left and right edges of its body text."""

    left: float
    right: float


def text_blocks(pages: list[list[Line]]) -> list[Block]:
    """Each page's text block: its leftmost line start, and the document's usual width: where most of
    the lines that run to the right end (a line or two overhanging the margin do not count)."""
    lefts = [min((ln.x0 for ln in p), default=0.0) for p in pages]
    widths = [round(ln.x1 - left) for p, left in zip(pages, lefts, strict=True) for ln in p if ln.cells == 1]
    if not widths:
        return [Block(left, left) for left in lefts]
    em = statistics.median(ln.em for p in pages for ln in p)
    widest = max(widths)
    counts = Counter(w for w in widths if w >= widest - 3 * em)
    usual = max(counts, key=lambda w: (counts[w], w))
    return [Block(left, left + usual) for left in lefts]


def usual_pitch(pages: list[list[Line]], blocks: list[Block]) -> float:
    """The line pitch inside a paragraph, in em: the median pitch after lines that run to the right edge
    of the text block (wrapped lines, so tables and headings set tighter or looser do not count)."""
    ratios = []
    for lines, block in zip(pages, blocks, strict=True):
        for a, b in zip(lines, lines[1:], strict=False):
            if a.row + 1 == b.row and a.cells == b.cells == 1 and block.right - a.x1 < a.em:
                if abs(a.em - b.em) < 0.1 * a.em and abs(b.x0 - block.left) < INDENT_EM * b.em:
                    ratios.append((b.top - a.top) / a.em)
    return statistics.median(ratios) if len(ratios) >= 3 else 0.0


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)
    cont_x: float | None = None  # where its continuation lines start

    @property
    def text(self) -> str:
        out = ""
        for ln in self.lines:
            latin = LATIN_END.search(out) and LATIN_START.match(ln.text)  # Latin word + Latin word: a space
            out += (" " if latin else "") + ln.text
        return out


class Joiner:
    """Decides, line by line, whether a line continues the paragraph before it."""

    def __init__(self, pages: list[list[Line]]):
        self.blocks = text_blocks(pages)
        self.pitch = usual_pitch(pages, self.blocks)
        self.last: dict[str, int] = {}  # the last outline number seen, per style

    def continues(self, para: Paragraph, b: Line) -> bool:
        a = para.lines[-1]
        if a.cells > 1 or b.cells > 1:
            return False  # table rows
        if a.cjk and b.cjk and abs(a.em - b.em) > 0.12 * max(a.em, b.em):
            return False  # another font size
        if b.page == a.page:
            if b.row <= a.row:
                return False
            if self.pitch and (b.top - a.top) / a.em > GAP_FACTOR * self.pitch:
                return False  # a paragraph gap
        elif b.page != a.page + 1:
            return False
        block_a, block_b = self.blocks[a.page - 1], self.blocks[b.page - 1]
        if block_a.right - a.x1 > b.lead + 0.3 * a.em:
            return False  # the line above ended short: its next word would have fitted
        if not self._aligned(para, b, block_b.left):
            return False  # indented (or outdented): a new paragraph
        ended = SENTENCE_END.search(QUOTES.sub("", a.text)) is not None
        num = outline_number(b.text)
        if num is not None:
            style, n, _ = num
            if ended or (a.text[-1:] in "）)" and n == self.last.get(style, 0) + 1):
                return False  # a numbered item after a finished sentence
        elif ended and len(b.text) <= LABEL_MAX and not PUNCT.search(b.text.rstrip("：:")):
            if block_b.right - b.x1 > 2 * b.em:
                return False  # a short heading such as 主要目标： (no punctuation, or only a final colon)
        return True

    @staticmethod
    def _aligned(para: Paragraph, b: Line, left: float) -> bool:
        """Whether ``b`` starts where a continuation line of ``para`` does: at the block's left edge, where
        its earlier continuation lines start, or under the text after its number (a hanging indent)."""
        if para.cont_x is not None:
            return abs(b.x0 - para.cont_x) <= INDENT_EM * b.em
        if abs(b.x0 - left) <= INDENT_EM * b.em:
            return True
        first = para.lines[0]
        num = outline_number(first.text)
        if num is None or num[2] >= len(first.xs) or b.x0 <= first.x0:
            return False
        return abs(b.x0 - first.xs[num[2]]) <= INDENT_EM * b.em

    def note(self, first: Line):
        """Remember the outline number a paragraph starts with."""
        num = outline_number(first.text)
        if num is not None:
            self.last[num[0]] = num[1]


def paragraphs(pages: list[list[Line]]) -> Iterator[Paragraph]:
    """The paragraphs of the pages in reading order, each with its lines."""
    joiner = Joiner(pages)
    para: Paragraph | None = None
    for lines in pages:
        for ln in lines:
            if para is not None and joiner.continues(para, ln):
                if para.cont_x is None:
                    para.cont_x = ln.x0
                para.lines.append(ln)
                continue
            if para is not None:
                yield para
            para = Paragraph([ln])
            joiner.note(ln)
    if para is not None:
        yield para
