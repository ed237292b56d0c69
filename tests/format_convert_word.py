"""A bundled plan .txt → a .docx with Word automatic list numbering, built with python-docx.

Every line the parser's ``numbering()`` reads as numbered (一、 （一） 1. 1． （1） ① …) becomes a Word
list paragraph: its number removed from the text and rendered by a numbering definition instead (an
abstractNum per written form, numFmt chineseCounting / decimal / decimalEnclosedCircle, lvlText such as
"%1、", "（%1）", "%1．"). Consecutive items of one form share a numId; a list that does not continue the
previous one gets a new num with ``startOverride``. Items written "一、" take their numbering from a
paragraph style (``PlanListCn`` based on ``PlanListCnBase``, which carries the numPr) while they continue
the style's list. ``[bookmark: x]`` marks become Word bookmarks; tab-indented cell lines become tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from graph.parse.formats.word_numbering import format_number
from graph.parse.numbering import CN, numbering

BOOKMARK = re.compile(r"\[bookmark:\s*([^\]]*)\]")
LEAD = re.compile(r"^[\s\u3000\ufeff]*(?:[-*•·]\s+)?[\s\u3000]*")
FORMATS = {"cn": "chineseCounting", "cn_paren": "chineseCounting", "num": "decimal", "num_paren": "decimal"}
FORMATS["circled"] = "decimalEnclosedCircle"
NUMBER = {"cn": f"[{CN}]+", "cn_paren": f"[{CN}]+", "num": r"\d+", "num_paren": r"\d+", "circled": "[\u2460-\u2473]"}


def list_form(text: str) -> tuple[str, str, int, str] | None:
    """(numFmt, lvlText, number, text after it) for a numbered line Word can number, else None."""
    nb = numbering(text)
    if nb is None or nb.style not in FORMATS:
        return None
    prefix, fmt = text[: nb.offset], FORMATS[nb.style]
    lvl_text = re.sub(NUMBER[nb.style], "%1", prefix, count=1)
    if "%1" not in lvl_text or lvl_text.replace("%1", format_number(nb.number, fmt)) != prefix:
        return None  # written in a way Word would not render (两、 05.): leave the number in the text
    return fmt, lvl_text, nb.number, text[nb.offset :]


def _w(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _numpr(num_id: int) -> Any:
    numpr = _w("w:numPr")
    numpr.append(_w("w:ilvl", val="0"))
    numpr.append(_w("w:numId", val=str(num_id)))
    return numpr


class _Lists:
    """The numbering part: an abstractNum per (numFmt, lvlText), a num per list."""

    def __init__(self, document: Any):
        self.doc = document
        self.root = document.part.numbering_part.element
        ids = [int(e.get(qn("w:abstractNumId"))) for e in self.root.iter(qn("w:abstractNum"))]
        nums = [int(e.get(qn("w:numId"))) for e in self.root.iter(qn("w:num"))]
        self.next_abstract, self.next_num = max(ids, default=0) + 1, max(nums, default=0) + 1
        self.abstract: dict[tuple[str, str], int] = {}
        self.current: dict[tuple[str, str], tuple[int, int]] = {}  # form → (numId, last number)
        self.style_num: int | None = None

    def _abstract(self, form: tuple[str, str]) -> int:
        if form not in self.abstract:
            aid = self.abstract[form] = self.next_abstract
            self.next_abstract += 1
            el = _w("w:abstractNum", abstractNumId=str(aid))
            el.append(_w("w:multiLevelType", val="singleLevel"))
            lvl = _w("w:lvl", ilvl="0")
            for tag, val in (("start", "1"), ("numFmt", form[0]), ("suff", "nothing"), ("lvlText", form[1])):
                lvl.append(_w(f"w:{tag}", val=val))
            lvl.append(_w("w:lvlJc", val="left"))
            el.append(lvl)
            first_num = self.root.find(qn("w:num"))
            if first_num is not None:  # the schema wants every abstractNum before the nums
                first_num.addprevious(el)
            else:
                self.root.append(el)
        return self.abstract[form]

    def num_for(self, form: tuple[str, str], number: int) -> int:
        """The numId that makes Word show ``number``: the running list's, or a new one starting there."""
        if form in self.current and self.current[form][1] + 1 == number:
            num_id = self.current[form][0]
        else:
            num_id, self.next_num = self.next_num, self.next_num + 1
            num = _w("w:num", numId=str(num_id))
            num.append(_w("w:abstractNumId", val=str(self._abstract(form))))
            override = _w("w:lvlOverride", ilvl="0")
            override.append(_w("w:startOverride", val=str(number)))
            num.append(override)
            self.root.append(num)
        self.current[form] = (num_id, number)
        return num_id

    def style_for(self, num_id: int) -> str:
        """A paragraph style whose base style carries numId ``num_id`` (made for the first "一、" list)."""
        if self.style_num is None:
            self.style_num = num_id
            base = self.doc.styles.add_style("PlanListCnBase", WD_STYLE_TYPE.PARAGRAPH)
            base.base_style = self.doc.styles["Normal"]
            base.element.get_or_add_pPr().append(_numpr(num_id))
            item = self.doc.styles.add_style("PlanListCn", WD_STYLE_TYPE.PARAGRAPH)
            item.base_style = base
        return "PlanListCn"


def _paragraph(document: Any, lists: _Lists, raw: str, bookmark_id: list[int]) -> bool:
    """Add one line as a paragraph; True when it became a list item."""
    marks = BOOKMARK.findall(raw)
    text = BOOKMARK.sub("", raw)
    lead = LEAD.match(text)
    form = list_form(text[lead.end() if lead else 0 :].rstrip())
    p = document.add_paragraph()
    for name in marks:
        bookmark_id[0] += 1
        p._p.append(_w("w:bookmarkStart", id=str(bookmark_id[0]), name=name))
        p._p.append(_w("w:bookmarkEnd", id=str(bookmark_id[0])))
    if form is None:
        p.add_run(text)
        return False
    fmt, lvl_text, number, rest = form
    num_id = lists.num_for((fmt, lvl_text), number)
    if lvl_text == "%1、" and lists.style_for(num_id) and lists.style_num == num_id:
        p.style = document.styles["PlanListCn"]  # numbered through the style chain
    else:
        p._p.get_or_add_pPr().append(_numpr(num_id))
    p.add_run(rest)
    return True


def _table(document: Any, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, cells in enumerate(rows):
        tr = table.rows[r]._tr
        for c, tc in enumerate(tr.findall(qn("w:tc"))):
            if c < len(cells):
                table.cell(r, c).text = cells[c]
            else:
                tr.remove(tc)  # a shorter row, as in the text


def txt_to_docx_autonumbered(txt: Path, out: Path) -> Path:
    """Write ``out``: the plan text with its numbered lines as Word list paragraphs (see module doc)."""
    lines = txt.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    document = docx.Document()
    lists, bookmark_id = _Lists(document), [0]
    i = 0
    while i < len(lines):
        if lines[i].startswith("\t"):
            rows: list[list[str]] = [[]]
            while i < len(lines) and (lines[i].startswith("\t") or not lines[i].strip()):
                if lines[i].startswith("\t"):
                    rows[-1].append(lines[i][1:].rstrip())
                elif rows[-1]:
                    rows.append([])
                i += 1
            _table(document, [r for r in rows if r])
            continue
        _paragraph(document, lists, lines[i], bookmark_id)
        i += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out
