"""PDF with a text layer → text, one paragraph per line, each with its page (``page=N``, RFC 8118).

PDFium (pypdfium2) gives every character with its box; ``pdf_lines`` groups them into lines and
drops page furniture (running headers/footers, page numbers, print stamps), ``pdf_paras`` joins
hard-wrapped lines into paragraphs. Scanned PDFs (images, no text) are refused: they need OCR first.
PDFium is not thread-safe: every call into it holds ``_LOCK``.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from ..errors import ParseError
from .base import Extracted
from .pdf_lines import Glyph, Line, page_lines, strip_furniture
from .pdf_paras import paragraphs

_LOCK = threading.Lock()
LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "the PDF is password-protected (encrypted): save an unprotected copy and upload that",
    pdfium_c.FPDF_ERR_SECURITY: "the PDF uses an unsupported security (encryption) handler: save an unprotected copy",
    pdfium_c.FPDF_ERR_FORMAT: "not a readable PDF: the file is damaged or is not a PDF (PDFium: data format error)",
}
SCANNED = (
    "no text layer (scanned?): this PDF has images but no text; run OCR first "
    "(e.g. ocrmypdf --language chi_sim in.pdf out.pdf) or upload the Word/text version"
)


@dataclass
class _Page:
    glyphs: list[Glyph]
    height: float
    images: int  # image objects, counted only on pages without text
    unmapped: int  # characters the font could not map to Unicode


def _load(data: bytes, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        reason = LOAD_ERRORS.get(code or -1, f"not a readable PDF ({e})")
        raise ParseError(name, reason) from None


def _count_images(page: pdfium.PdfPage) -> int:
    return sum(1 for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))


def _glyphs(page: pdfium.PdfPage) -> _Page:
    """The page's characters with their boxes, from the top of the page (PDFium's made-up spaces and
    line breaks left out)."""
    _, bottom, _, top = page.get_bbox()  # the visible part of the page (media box ∩ crop box)
    textpage = page.get_textpage()
    c = pdfium_c
    try:
        tp, rect = textpage.raw, c.FS_RECTF()
        box = ctypes.byref(rect)
        glyphs, unmapped, high = [], 0, 0  # high: a high surrogate waiting for its pair
        for i in range(c.FPDFText_CountChars(tp)):
            if c.FPDFText_IsGenerated(tp, i) == 1:
                continue  # spacing is read from the boxes instead
            code = c.FPDFText_GetUnicode(tp, i)
            if 0xD800 <= code < 0xDC00:
                high = code
                continue
            if 0xDC00 <= code < 0xE000 and high:
                code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
            high = 0
            if code in (0, 0xFFFD) or 0xD800 <= code < 0xE000 or c.FPDFText_HasUnicodeMapError(tp, i) == 1:
                unmapped += 1
                continue
            ch = chr(code)
            if (
                ch in "\r\n\ufeff\u200b"
                or not (ch.isprintable() or ch.isspace())
                or not c.FPDFText_GetLooseCharBox(tp, i, box)
            ):
                continue
            ch = " " if ch.isspace() and ch not in "\xa0\u3000" else ch  # no-break and ideographic spaces kept
            glyphs.append(Glyph(ch, rect.left, rect.right, top - rect.top, top - rect.bottom))
    finally:
        textpage.close()
    images = 0 if any(not g.ch.isspace() for g in glyphs) else _count_images(page)
    return _Page(glyphs, top - bottom, images, unmapped)


def _pages(data: bytes, name: str) -> list[_Page]:
    with _LOCK:
        doc = _load(data, name)
        try:
            if len(doc) == 0:
                raise ParseError(name, "the PDF has no pages")
            pages = []
            for k in range(len(doc)):
                page = doc[k]
                try:
                    pages.append(_glyphs(page))
                finally:
                    page.close()
            return pages
        except pdfium.PdfiumError as e:
            raise ParseError(name, f"the PDF could not be read: {e}") from None
        finally:
            doc.close()


def read(data: bytes, name: str) -> Extracted:
    pages = _pages(data, name)
    notices = []
    with_text = [k for k, p in enumerate(pages) if any(not g.ch.isspace() for g in p.glyphs)]
    if not with_text:
        if any(p.images for p in pages):
            raise ParseError(name, SCANNED)
        if any(p.unmapped for p in pages):
            raise ParseError(name, "its text cannot be read: the fonts map no characters to Unicode; run OCR first")
        raise ParseError(name, "the PDF has no text: its pages are empty")
    scanned = [k + 1 for k, p in enumerate(pages) if p.images and k not in with_text]
    if scanned:
        notices.append(f"pages without a text layer (scanned?) were skipped: {', '.join(map(str, scanned))}")
    unmapped = sum(p.unmapped for p in pages)
    if unmapped:
        notices.append(f"{unmapped} characters have no Unicode mapping in the PDF's fonts and were left out")
    lines: list[list[Line]] = [page_lines(k + 1, p.glyphs) for k, p in enumerate(pages)]
    lines = strip_furniture(lines, [p.height for p in pages])
    texts, locators = [], []
    for para in paragraphs(lines):
        texts.append(para.text)
        locators.append(f"page={para.lines[0].page}")
    if not texts:
        raise ParseError(name, "the PDF has no text besides page headers and footers")
    return Extracted("\n".join(texts), "pdf", "pdf", locators, notices)
