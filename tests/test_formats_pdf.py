"""PDF: the bundled plans converted for real give exactly the units of their .txt.

Two routes (tests/pdf_convert.py, each file converted once and cached): LibreOffice headless txt → pdf
(A4, no page furniture), and Chromium's print-to-PDF of a web page made from the .txt, with Chromium's
default header (date/time, page title) and footer (file URL, n/N). Long paragraphs wrap over several
lines and page breaks fall inside paragraphs. Units are compared (kinds, numbers, texts, domain titles,
in order); indicator tables are not: their cells come out of a PDF as plain lines, not tab-indented.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.parse import parse_bytes
from graph.parse.formats.pdf import read
from tests.pdf_convert import (
    PLANS,
    chromium_pdfs,
    expected_units,
    lo_pdfs,
    page_texts,
    page_title,
    units_of,
)

pytestmark = pytest.mark.slow
IDS = [p.stem[:3] for p in PLANS]
ROUTES = {"libreoffice": lo_pdfs, "chromium": chromium_pdfs}
DATE_TIME = re.compile(r"\d{1,4}/\d{1,2}/\d{1,4},?\s+\d{1,2}:\d{2}")
_parsed: dict[tuple[str, Path], object] = {}


def _pdf(route: str, txt: Path) -> Path:
    return ROUTES[route](PLANS)[PLANS.index(txt)]  # the whole corpus in one go (cached)


def _parse(route: str, txt: Path):
    key = (route, txt)
    if key not in _parsed:
        path = _pdf(route, txt)
        _parsed[key] = parse_bytes(path.read_bytes(), path.name)
    return _parsed[key]


_read: dict[tuple[str, Path], list[str]] = {}


def _lines(route: str, txt: Path) -> list[str]:
    """The lines of the extracted text (read once per session)."""
    if (route, txt) not in _read:
        path = _pdf(route, txt)
        extracted = read(path.read_bytes(), path.name)
        assert len(extracted.locators) == len(extracted.text.split("\n"))
        _read[(route, txt)] = extracted.text.split("\n")
    return _read[(route, txt)]


def _han(text: str) -> str:
    """Only the CJK ideographs of a text: page text and unit text compared without spacing and quotes
    (LibreOffice draws “ ” after the run they belong to)."""
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("txt", PLANS, ids=IDS)
def test_converted_pdf_gives_the_units_of_the_text(txt, route):
    parsed = _parse(route, txt)
    assert parsed.format == "pdf"
    assert units_of(parsed) == expected_units(txt)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("txt", PLANS, ids=IDS)
def test_locators_give_the_page_where_each_unit_starts(txt, route):
    pages = [_han(t) for t in page_texts(_pdf(route, txt))]
    for plan in _parse(route, txt).plans:
        for _, unit in plan.units():
            n = int(unit.source.locator.removeprefix("page="))
            head = _han(unit.text)[:8]
            assert head in pages[n - 1], (unit.source.locator, unit.text[:30])


@pytest.mark.parametrize("route", ROUTES)
def test_paragraphs_wrap_and_cross_page_breaks(route):
    """The conversions do what the other tests rely on: paragraphs over several lines, and units that
    start on one page and end on the next (one unit each)."""
    crossing = 0
    for txt in PLANS:
        path = _pdf(route, txt)
        raw = page_texts(path)
        lines = sum(len(t.split("\r\n")) for t in raw)
        assert lines > 1.5 * len(_lines(route, txt))
        pages = [_han(t) for t in raw]
        for plan in _parse(route, txt).plans:
            for _, unit in plan.units():
                n = int(unit.source.locator.removeprefix("page="))
                tail = _han(unit.text)[-8:]
                if n < len(pages) and tail not in pages[n - 1] and tail in pages[n]:
                    crossing += 1
    assert crossing >= 5


def test_chromium_header_and_footer_are_printed_and_dropped():
    for txt in PLANS:
        path = _pdf("chromium", txt)
        raw = page_texts(path)
        title, total = page_title(txt), len(raw)
        for n, text in enumerate(raw, start=1):  # Chromium's default header and footer are on every page
            assert DATE_TIME.search(text) and title in text, text[:200]
            assert "file:///" in text and f"{n}/{total}" in text, text[-200:]
        for line in _lines("chromium", txt):
            assert "file://" not in line and title not in line and not DATE_TIME.search(line), line
            assert not re.fullmatch(r"\d+/\d+", line), line


@pytest.mark.parametrize("route", ROUTES)
def test_each_line_of_the_text_is_one_paragraph(route):
    """Beyond units: each non-empty line of the .txt comes out as one line (its wrapped lines rejoined),
    tables included (cells one per line), but for a rare pair: a line that ends a sentence at the right
    margin followed by a plain paragraph looks exactly like a wrapped paragraph (no indent, no gap in
    LibreOffice's text import) and is joined to it."""
    joined = 0
    for txt in PLANS:
        want = [ln.strip() for ln in txt.read_text(encoding="utf-8").split("\n") if ln.strip()]
        got = _lines(route, txt)
        missing = [ln for ln in want if ln not in got]
        assert len(got) + len(missing) // 2 == len(want), (txt.name, missing[:4])
        joined += len(missing) // 2
    assert joined <= 2
