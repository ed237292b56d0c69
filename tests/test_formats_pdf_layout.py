"""The PDF reader on small PDFs laid out by hand (tests/pdf_make.py): page furniture, line joining,
locators, scanned/corrupt/encrypted files. No LibreOffice or Chromium: the fast tier."""

from __future__ import annotations

import threading

import pytest

from graph.parse import ParseError, parse_bytes, parse_text
from graph.parse.formats.pdf import read
from tests.pdf_make import Text, encrypted_pdf, joined_pdf, pdf_bytes, scanned_pdf, typeset, width_em, wrap

BODY = [
    "某某市儿童发展规划（2026—2035年）",
    "一、总体要求",
    "本规划所称儿童是指未满十八周岁的未成年人。为进一步推进儿童事业发展，保障儿童生活和学习环境持续优化，"
    "根据有关法律法规和上级规划，结合本市实际，制定本规划。",
    "（一）主要目标",
    "1．新生儿死亡率控制在2.5‰以下，婴儿死亡率控制在4‰以下，5岁以下儿童死亡率控制在5‰以下。",
    "2．儿童近视率逐年下降，到2030年下降到40%以下，0—6岁儿童眼保健和视力检查覆盖率达到90%以上。",
    "Children first: every plan puts the interests of children first and keeps them there.",
]


def _han(start: int, n: int) -> str:
    """``n`` CJK characters, all different (PDFium drops a text object that repeats the one above it)."""
    return "".join(chr(0x4E00 + 7 * (start + k)) for k in range(n))


def _lines(data: bytes) -> list[str]:
    return read(data, "t.pdf").text.split("\n")


@pytest.mark.parametrize(
    "footer",
    [
        "- {n} -",
        "—{n}—",
        "— {n} —",
        "第 {n} 页",
        "第{n}页 共{t}页",
        "{n}/{t}",
        "{n} / {t}",
        "Page {n} of {t}",
        "{n}",
        "[{n}]",
    ],
)
def test_running_header_and_page_numbers_are_dropped(footer):
    paras = BODY * 4
    pages = typeset(paras, bottom=300, header=lambda n: "某某市儿童发展规划", footer=lambda n: footer.format(n=n, t=9))
    assert len(pages) >= 4
    broken = [n for n, page in enumerate(pages[1:], start=2) if not any(p.startswith(page[0].text) for p in paras)]
    assert broken  # pages that start inside a paragraph
    extracted = read(pdf_bytes(pages), "t.pdf")
    assert extracted.text.split("\n") == paras  # paragraphs joined across lines and pages, furniture gone
    first_page = {}  # the page each paragraph starts on
    k = 0
    for n, page in enumerate(pages, start=1):
        for t in page:  # (the header and footer are set in 9 pt)
            if t.size == 10 and k < len(paras) and paras[k].startswith(t.text):
                first_page[k], k = n, k + 1
    assert extracted.locators == [f"page={first_page[k]}" for k in range(len(paras))]


def test_print_stamps_are_dropped():
    """Chromium's print-to-PDF: date/time and title at the top, URL and n/N at the bottom."""
    pages = typeset(BODY * 3, bottom=400)
    for n, page in enumerate(pages, start=1):
        page += [Text(20, 20, 8, "2026/12/6 21:40"), Text(250, 20, 8, "某某市儿童发展规划 - 网页")]
        page += [Text(20, 830, 8, "file:///tmp/plan.html"), Text(540, 830, 8, f"{n}/{len(pages)}")]
    assert _lines(pdf_bytes(pages)) == BODY * 3


def test_stamps_on_a_single_page_and_chinese_dates():
    page = typeset(BODY)[0]
    page += [
        Text(20, 20, 8, "2021年8月12日 星期四 上午 9:30"),
        Text(20, 830, 8, "https://www.example.gov.cn/art/1.html"),
    ]
    page += [Text(540, 830, 8, "第1页 共1页")]
    assert _lines(pdf_bytes([page])) == BODY


def test_body_lines_in_the_margins_are_kept():
    """A bare number ending a page is a page number only where the pages run in sequence; a date kept."""
    pages = typeset(BODY * 3, bottom=300, footer=lambda n: str(n + 4))
    pages[1].append(Text(72, 760, 10, "7"))  # a table cell at the foot of page 2, above the page number
    pages[0].insert(0, Text(72, 40, 10, "2021年8月2日"))  # a date at the top of page 1 only
    lines = _lines(pdf_bytes(pages))
    assert lines[0] == "2021年8月2日" and "7" in lines and not {"5", "6", "8"} & set(lines)


def test_headings_and_numbered_items_are_not_joined():
    item = [_han(46 * k, 46) + "。" for k in range(4)]  # with （一） exactly two full lines of 25 em
    paras = [
        "二、策略措施",
        "（一）" + item[0],
        "（二）" + item[1],
        "主要目标：",
        "（三）" + item[2],
        "保障措施",
        item[3],
    ]
    pages = typeset(paras, line_em=25)
    assert [width_em(t.text) for t in pages[0][1:6]] == [25, 25, 25, 25, 5]  # items end at the right edge
    assert _lines(pdf_bytes(pages)) == paras
    # without an indent or a gap, a plain paragraph after a full line that ends a sentence cannot be told
    # from a continuation: it is joined
    assert _lines(pdf_bytes(typeset(paras[:3] + ["下一段" + item[3]], line_em=25)))[-1].endswith("。下一段" + item[3])


def test_continuation_that_looks_like_a_number_is_joined():
    para = "3．新生儿死亡率分别降至3.5‰以下和3‰以下，婴儿死亡率分别控制在5‰以下和4.5‰以下。"
    line_em = next(w for w in range(10, 40) if wrap(para, w)[-1].startswith("4.5‰"))
    pages = typeset(["2．前一项。", para], line_em=line_em)
    assert _lines(pdf_bytes(pages)) == ["2．前一项。", para]


def test_word_style_indents_and_paragraph_gaps():
    full = [_han(60 * k, 26) + "，" + _han(60 * k + 30, 26) + "。" for k in range(3)]  # two full lines
    paras = [full[0], full[1], "短段落。", full[2]]
    assert all(len(wrap(f, 27)) == 2 and width_em(wrap(f, 27)[1]) == 27 for f in full)
    for style in ({"indent_em": 2}, {"gap_em": 0.8}, {"indent_em": 2, "gap_em": 0.5}):
        assert _lines(pdf_bytes(typeset(paras, line_em=27, **style))) == paras, style


def test_line_pitch_comes_from_wrapped_lines_not_tables():
    """Body set at 1.8 lines (公文 style), a table column at 1.2: wrapped lines are still joined."""
    paras = [_han(100 * k, 60) + "。" for k in range(3)]
    page = typeset(paras, line_em=25, pitch=1.8)[0]
    y = page[-1].y
    page += [Text(72, y + 12 * (k + 1), 10, f"{k + 1}.{k}%") for k in range(12)]
    assert _lines(pdf_bytes([page])) == paras + [f"{k + 1}.{k}%" for k in range(12)]


def test_hanging_indent_after_the_number():
    """Word's numbered lists: the number at the margin, the text and its continuation lines indented."""
    paras = [f"{k}．" + _han(80 * k, 70) + "。" for k in range(1, 4)]
    pages = typeset(paras, line_em=25, hang_em=1.5)
    assert {t.x for t in pages[0]} == {72.0, 87.0}
    assert _lines(pdf_bytes(pages)) == paras


def test_latin_words_get_a_space_cjk_none():
    paras = ["Children first: every plan puts the interests of children first, " * 2 + "done.", _han(0, 79) + "。"]
    lines = _lines(pdf_bytes(typeset(paras, line_em=20)))
    assert lines == [p.strip() for p in paras]


def test_spacing_from_gaps_and_table_cells():
    em = 10.0
    # 0.2 em after 到: no space (LibreOffice's CJK/Latin spacing); 0.8 em after 85%: a space (this font is
    # not embedded: PDFium measures Latin glyphs with the substitute font's wider widths)
    row = [Text(72, 100, em, "达到"), Text(92 + 0.2 * em, 100, em, "85%"), Text(109 + 0.8 * em, 100, em, "以上")]
    cells = [Text(72, 120, em, "1"), Text(150, 120, em, "千名儿童儿科执业医师数"), Text(400, 120, em, "1.94")]
    assert _lines(pdf_bytes([row + cells])) == ["达到85% 以上", "1", "千名儿童儿科执业医师数", "1.94"]


def test_locators_give_the_page_where_a_unit_starts():
    plan = [
        "某某省儿童发展规划（2026—2035年）",
        "第一章 总体要求",
        "本规划所称儿童是指未满十八周岁的未成年人。",
        "第二章 发展领域与主要目标、策略措施",
        "一、儿童与健康",
        "（一）主要目标",
        *[
            f"{k}．儿童健康水平持续提升，第{k}项指标按年度监测，到2035年达到全国先进水平并保持稳定。"
            for k in range(1, 9)
        ],
        "（二）策略措施",
        *[f"{k}．加强儿童健康管理，由省卫生健康委牵头，教育、民政等部门按职责分工负责落实。" for k in range(1, 9)],
    ]
    pages = typeset(plan, line_em=24, bottom=330, footer=lambda n: f"- {n} -")
    data = pdf_bytes(pages)
    parsed = parse_bytes(data, "plan.pdf")
    expected = parse_text("\n".join(plan), "plan.txt").plans[0]
    plan_pdf = parsed.plans[0]
    assert parsed.format == "pdf" and plan_pdf.counts() == expected.counts() == {
        "domains": 1,
        "goals": 8,
        "measures": 8,
        "key_projects": 0,
    }
    assert [u.text for _, u in plan_pdf.units()] == [u.text for _, u in expected.units()]
    starts = {}  # first line of each paragraph → its page
    for n, page in enumerate(pages, start=1):
        for t in page:
            starts.setdefault(t.text, n)
    pages_seen = set()
    for _, unit in plan_pdf.units():
        head = next(t for t in starts if t.startswith(f"{unit.number}．{unit.text[:10]}"))
        assert unit.source.locator == f"page={starts[head]}"
        pages_seen.add(unit.source.locator)
    assert len(pages_seen) >= 3


def test_scanned_pdf_is_refused():
    data = scanned_pdf(typeset(BODY))
    with pytest.raises(ParseError, match=r"no text layer \(scanned\?\).*OCR"):
        read(data, "scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n", b"not a pdf at all", pdf_bytes(typeset(BODY))[:400], b"PK\x03\x04" + b"\0" * 100],
    ids=["empty", "header-only", "text", "truncated", "zip"],
)
def test_corrupt_pdf_gives_a_clear_error(data):
    with pytest.raises(ParseError, match="not a readable PDF") as err:
        parse_bytes(data, "broken.pdf")
    assert err.value.file == "broken.pdf"


def test_scanned_pages_among_text_pages_are_reported():
    data = joined_pdf(pdf_bytes(typeset(BODY[:3])), scanned_pdf(typeset(BODY[3:])), pdf_bytes(typeset(BODY[3:])))
    extracted = read(data, "mixed.pdf")
    assert extracted.text.split("\n") == BODY[:3] + BODY[3:]
    assert extracted.locators == ["page=1"] * 3 + ["page=3"] * 4
    assert extracted.notices == ["pages without a text layer (scanned?) were skipped: 2"]


def test_encrypted_pdf_is_refused():
    with pytest.raises(ParseError, match="password"):
        read(encrypted_pdf(typeset(BODY)), "secret.pdf")


def test_empty_pages_give_a_clear_error():
    with pytest.raises(ParseError, match="no text"):
        read(pdf_bytes([[], []]), "blank.pdf")


def test_threads_read_in_parallel():
    data = pdf_bytes(typeset(BODY * 5, bottom=400, footer=lambda n: f"第 {n} 页"))
    want = read(data, "t.pdf").text
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(read(data, "t.pdf").text)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 6
