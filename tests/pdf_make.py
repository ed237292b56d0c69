"""Small PDFs laid out by hand for the PDF reader's unit tests (no LibreOffice or Chromium needed).

Text is placed at exact positions in a CID font (Identity-H, not embedded, with a ToUnicode map):
CJK characters are 1 em wide, ASCII ½ em. ``typeset`` wraps paragraphs into lines like a word processor
(left-aligned, optional first-line indent and paragraph gap, running header and footer per page);
``pdf_bytes`` writes the pages; ``scanned_pdf`` renders them to an image-only PDF; ``encrypted_pdf``
adds a password.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium

A4 = (595.0, 842.0)


@dataclass
class Text:
    x: float  # left, in points
    y: float  # baseline, from the top of the page
    size: float
    text: str


def width_em(text: str) -> float:
    return sum(0.5 if ord(c) < 0x7F else 1.0 for c in text)


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: an ASCII word, a space, or one CJK character (with the closing punctuation after it)."""
    out: list[str] = []
    for ch in text:
        glue = out and (
            (ch.isascii() and not ch.isspace() and out[-1][-1:].isascii() and not out[-1][-1:].isspace())
            or ch in "。，、；：！？）》”"
        )
        if glue:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap(text: str, line_em: float, indent_em: float = 0.0, hang_em: float = 0.0) -> list[str]:
    """``text`` broken into lines of at most ``line_em`` (the first ``indent_em`` shorter, the others ``hang_em``)."""
    lines, cur, room = [], "", line_em - indent_em
    for tok in _tokens(text):
        if cur and width_em(cur + tok.rstrip()) > room:
            lines.append(cur.rstrip())
            cur, room = ("" if tok.isspace() else tok), line_em - hang_em
        else:
            cur += tok
    lines.append(cur.rstrip())
    return lines


def typeset(
    paragraphs: list[str],
    *,
    line_em: float = 30,
    size: float = 10.0,
    left: float = 72.0,
    top: float = 90.0,
    bottom: float = 752.0,
    pitch: float = 1.5,
    indent_em: float = 0.0,
    hang_em: float = 0.0,
    gap_em: float = 0.0,
    header: Callable[[int], str] | None = None,
    footer: Callable[[int], str] | None = None,
    page_size: tuple[float, float] = A4,
) -> list[list[Text]]:
    """Pages of placed text: paragraphs wrapped to ``line_em``, ``pitch`` × size apart, new pages at ``bottom``."""
    pages: list[list[Text]] = [[]]
    y = top
    for para in paragraphs:
        for k, line in enumerate(wrap(para, line_em, indent_em, hang_em)):
            if y > bottom:
                pages.append([])
                y = top
            pages[-1].append(Text(left + (indent_em if k == 0 else hang_em) * size, y, size, line))
            y += pitch * size
        y += gap_em * size
    width, height = page_size
    for n, page in enumerate(pages, start=1):
        for make, at in ((header, 50.0), (footer, height - 40.0)):
            if make is not None and (s := make(n)):
                page.append(Text((width - width_em(s) * 9) / 2, at, 9.0, s))
    return pages


def _hex(text: str) -> str:
    return "".join(f"{ord(c):04X}" for c in text)


def pdf_bytes(pages: list[list[Text]], page_size: tuple[float, float] = A4, trailer_extra: str = "") -> bytes:
    """A PDF of the pages (one font object shared by all pages)."""
    width, height = page_size
    cmap = "\n".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(256) if not 0xD8 <= h <= 0xDF)
    tounicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Uni def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{cmap.count(chr(10)) + 1} beginbfrange\n{cmap}\nendbfrange\nendcmap CMapName currentdict /CMap "
        "defineresource pop end end"
    )
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # pages, below
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] "
        "/ToUnicode 5 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
        "/Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 /W [32 126 500] >>",
        f"<< /Length {len(tounicode)} >>\nstream\n{tounicode}\nendstream",
        "<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 "
        "/Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    ]
    kids = []
    for page in pages:
        ops = [f"BT /F1 {t.size:g} Tf 1 0 0 1 {t.x:.2f} {height - t.y:.2f} Tm <{_hex(t.text)}> Tj ET" for t in page]
        stream = "\n".join(ops)
        objs.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objs)} 0 R >>"
        )
        kids.append(f"{len(objs)} 0 R")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    trailer = f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n"
    out.write(trailer.encode())
    return out.getvalue()


def encrypted_pdf(pages: list[list[Text]]) -> bytes:
    """A PDF that asks for a password (standard security handler; the empty user password is wrong)."""
    key = "<" + "5A" * 32 + ">"
    extra = f"/Encrypt << /Filter /Standard /V 1 /R 2 /O {key} /U {key} /P -4 >> /ID [<0123456789ABCDEF> <01>] "
    return pdf_bytes(pages, trailer_extra=extra)


def scanned_pdf(pages: list[list[Text]]) -> bytes:
    """The pages rendered to images and saved as an image-only PDF (what a scanner makes)."""
    doc = pdfium.PdfDocument(pdf_bytes(pages))
    try:
        images = []
        for page in doc:
            images.append(page.render(scale=1).to_pil().convert("RGB"))
            page.close()
    finally:
        doc.close()
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=72.0)
    return out.getvalue()


def joined_pdf(*parts: bytes) -> bytes:
    """The pages of several PDFs in one."""
    out = pdfium.PdfDocument.new()
    try:
        for data in parts:
            src = pdfium.PdfDocument(data)
            out.import_pages(src)
            src.close()
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        out.close()
