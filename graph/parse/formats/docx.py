"""Word .docx → text: body paragraphs and tables in document order, list numbers rendered.

Hidden text, deleted revisions, text boxes and the table of contents (TOC styles or a TOC content
control) are left out, as are headers, footers and footnotes (not part of the body).

Locators: ``paragraph=N`` (N: 1-based index of the paragraph among the body's paragraphs outside
tables, in document order) and ``table=T,row=R,cell=C`` for a table cell (all 1-based; T counts the
body's top-level tables).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ..errors import ParseError
from .base import Extracted
from .word_numbering import ListNumbering, W

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNZIPPED = 200 * 1024 * 1024  # a plan's XML is a few MB; more is a zip bomb, not a plan
_SKIP = {W + "txbxContent", W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "instrText", W + "delText"}
_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
_LINE_BREAKS = str.maketrans("", "", "\r\n\v\f")


def _check_container(data: bytes, name: str) -> None:
    if data.startswith(OLE2):
        if "EncryptionInfo".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            raise ParseError(
                name, "the .docx is encrypted (password-protected): remove the password in Word and save again"
            )
        raise ParseError(name, "not a .docx but an old Word .doc (or an encrypted .docx): rename it to .doc")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            size = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise ParseError(name, f"not a Word .docx file (not a zip archive: {e})") from None
    if "word/document.xml" not in names:
        raise ParseError(name, "not a Word .docx file (the zip has no word/document.xml)")
    if size > MAX_UNZIPPED:
        raise ParseError(name, f"not a Word .docx file (unpacks to {size // 2**20} MB)")


def _part_element(doc: Any, reltype_tail: str) -> Any | None:
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/" + reltype_tail) and not rel.is_external:
            return getattr(rel.target_part, "element", None)
    return None


def _join(parts: list[str]) -> str:
    """Join pieces of one line: no space between CJK pieces, one between Latin words."""
    out = ""
    for part in parts:
        if out and part and not (_CJK.match(out[-1]) or _CJK.match(part[0]) or out[-1].isspace() or part[0].isspace()):
            out += " "
        out += part
    return out


def _runs_text(p: Any) -> str:
    """The visible text of a w:p: w:t, tabs, symbols; soft breaks join (Chinese text has no spaces)."""
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "r" and _hidden(child):
                continue
            if tag == W + "t":
                out.append(child.text or "")
            elif tag == W + "tab" and el.tag == W + "r":
                out.append("\t")
            elif tag in (W + "noBreakHyphen",):
                out.append("-")
            elif tag == W + "sym":
                char = child.get(W + "char") or ""
                try:
                    code = int(char, 16)
                    out.append(chr(code - 0xF000 if code >= 0xF000 else code))
                except ValueError:
                    pass
            elif tag == W + "p":  # a paragraph nested in a run (text box fallback): not body text
                continue
            else:
                walk(child)

    walk(p)
    return "".join(out)


def _hidden(run: Any) -> bool:
    """A run formatted as hidden text (w:vanish): Word does not show or print it."""
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


def _toc_styles(styles: Any | None) -> set[str]:
    """The ids of the table-of-contents paragraph styles ("toc 1" …; Chinese Word gives them numeric ids)."""
    out = set()
    for el in styles.iter(W + "style") if styles is not None else ():
        name = el.find(W + "name")
        if name is not None and re.fullmatch(r"toc \d", (name.get(W + "val") or "").lower()):
            out.add(el.get(W + "styleId") or "")
    return out


def _is_toc_block(sdt: Any) -> bool:
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "contents" in (gallery.get(W + "val") or "").lower()


def _page_break_only(p: Any) -> bool:
    return (
        any(br.get(W + "type") == "page" for br in p.iter(W + "br"))
        or p.find(f".//{W}lastRenderedPageBreak") is not None
    )


class _Reader:
    """Walks the body: emits a line per paragraph (table of contents left out) and per table cell."""

    def __init__(self, numbering: ListNumbering, toc_styles: set[str]):
        self.numbering, self.toc_styles = numbering, toc_styles
        self.in_toc = False
        self.lines: list[str] = []
        self.locators: list[str] = []
        self.paragraphs = 0
        self.tables = 0

    def emit(self, text: str, locator: str) -> None:
        self.lines.append(text)
        self.locators.append(locator)

    def paragraph_text(self, p: Any) -> str:
        return (self.numbering.label(p) + _runs_text(p)).translate(_LINE_BREAKS).rstrip()

    def block(self, el: Any) -> None:
        tag = el.tag
        if tag == W + "p":
            self.paragraphs += 1
            style = el.find(f"{W}pPr/{W}pStyle")
            if self.in_toc or (style is not None and style.get(W + "val") in self.toc_styles):
                return  # a table-of-contents entry ("一、总体要求……3"), not the text itself
            text = self.paragraph_text(el)
            if not text and _page_break_only(el):
                return
            self.emit(text, f"paragraph={self.paragraphs}")
        elif tag == W + "tbl":
            self.tables += 1
            self.table(el, self.tables)
        elif tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"):
            toc = tag == W + "sdt" and _is_toc_block(el)
            self.in_toc |= toc
            for child in el:
                self.block(child)
            self.in_toc &= not toc

    def cell_text(self, el: Any) -> list[str]:
        """The paragraphs of a cell (nested tables flattened into it), rendered."""
        out: list[str] = []
        for child in el:
            if child.tag == W + "p":
                out.append(self.paragraph_text(child).strip())
            elif child.tag in (W + "tbl", W + "tr", W + "tc", W + "sdt", W + "sdtContent", W + "customXml"):
                out.extend(self.cell_text(child))
        return out

    def table(self, tbl: Any, t: int) -> None:
        r = 0
        for tr in _children(tbl, "tr"):
            r += 1
            cells = _children(tr, "tc")
            for c, tc in enumerate(cells, start=1):
                text = _join([s for s in self.cell_text(tc) if s]).replace("\t", " ")
                self.emit("\t" + text, f"table={t},row={r},cell={c}")
            if cells:
                self.emit("", f"table={t},row={r}")


def _children(el: Any, tag: str) -> list[Any]:
    """Direct children named ``tag``, looking through content controls and custom XML wrappers."""
    out = []
    for child in el:
        if child.tag == W + tag:
            out.append(child)
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            out.extend(_children(child, tag))
    return out


def read(data: bytes, name: str) -> Extracted:
    """A .docx as text, one line per body paragraph, tables as tab-indented cell lines."""
    _check_container(data, name)
    import docx  # python-docx; imported here so that reading .txt never needs it

    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many types for a broken package
        raise ParseError(name, f"not a Word .docx file ({type(e).__name__}: {e})") from None
    styles = _part_element(doc, "styles")
    reader = _Reader(ListNumbering(_part_element(doc, "numbering"), styles), _toc_styles(styles))
    for el in doc.element.body:
        reader.block(el)
    while reader.lines and not reader.lines[-1]:  # trailing blank paragraphs
        reader.lines.pop()
        reader.locators.pop()
    if not any(line.strip() for line in reader.lines):
        raise ParseError(name, "the Word document has no text")
    return Extracted("\n".join(reader.lines), "docx", "docx", reader.locators)
