"""Word documents: .docx (python-docx, list numbering rendered) and .doc (LibreOffice headless → .docx).

The bundled plans are converted for real (LibreOffice: .txt → .docx and .txt → .doc; python-docx: a
.docx with Word automatic list numbering) and must give exactly the units of their .txt. LibreOffice
conversions take seconds: each file is converted once per session (tests/format_convert.py).
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from graph.parse import ParseError, parse_bytes
from graph.parse.formats import office
from graph.parse.formats.word_numbering import W_NS, ListNumbering, format_number
from tests.format_convert import PLANS, converted, expected_units, require_soffice, soffice_convert_many, units_of
from tests.format_convert_word import BOOKMARK, LEAD, list_form

pytestmark = pytest.mark.slow
IDS = [p.stem[:3] for p in PLANS]


@pytest.mark.parametrize("fmt", ["docx", "doc"])
@pytest.mark.parametrize("txt", PLANS, ids=IDS)
def test_libreoffice_conversion_gives_the_units_of_the_text(txt, fmt):
    path = converted(txt, fmt)
    parsed = parse_bytes(path.read_bytes(), path.name)
    assert parsed.format == fmt
    assert units_of(parsed) == expected_units(txt)


@pytest.mark.parametrize("txt", PLANS, ids=IDS)
def test_autonumbered_docx_gives_the_units_of_the_text(txt):
    path = converted(txt, "numbered.docx")
    document = docx.Document(str(path))
    numbered = [p for p in document.paragraphs if p.style.name == "PlanListCn" or p._p.xpath("w:pPr/w:numPr")]
    text = txt.read_text(encoding="utf-8")
    lines = [LEAD.sub("", BOOKMARK.sub("", ln)).rstrip() for ln in text.split("\n") if not ln.startswith("\t")]
    forms = [f for f in map(list_form, lines) if f]
    assert len(numbered) == len(forms) > 50  # each numbered line is a Word list paragraph …
    assert [p.text for p in numbered] == [f[3] for f in forms]  # … whose number is not in its text
    formats = {el.get(qn("w:val")) for el in document.part.numbering_part.element.iter(qn("w:numFmt"))}
    assert {"chineseCounting", "decimal"} <= formats
    assert units_of(parse_bytes(path.read_bytes(), path.name)) == expected_units(txt)


def test_autonumbered_docx_numbers_agree_with_libreoffice(tmp_path):
    """LibreOffice renders the generated numbering to the very numbers of the original text."""
    require_soffice()
    sources = [converted(txt, "numbered.docx") for txt in PLANS]
    outs = soffice_convert_many(sources, "txt:Text (encoded):UTF8", tmp_path)
    for txt, out in zip(PLANS, outs):
        squeeze = re.compile(r"\s|\[bookmark:[^\]]*\]")
        want = [squeeze.sub("", line).lstrip("-*•·") for line in txt.read_text(encoding="utf-8").split("\n")]
        got = [squeeze.sub("", line) for line in out.read_text(encoding="utf-8-sig").split("\n")]
        assert [w for w in want if w] == [g for g in got if g], txt.name


@pytest.mark.parametrize("fmt", ["docx", "numbered.docx"])
def test_locators_point_to_the_paragraph_and_table_cell(fmt):
    txt = PLANS[0]  # 000: an indicator table between paragraphs
    path = converted(txt, fmt)
    parsed = parse_bytes(path.read_bytes(), path.name)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    doc = office.docx.read(path.read_bytes(), path.name)
    assert len(doc.locators) == len(doc.text.split("\n")) and all(doc.locators)
    for unit in [u for p in parsed.plans for _, u in p.units()]:
        m = re.fullmatch(r"paragraph=(\d+)", unit.source.locator)
        assert m, unit.source
        located = "".join(paragraphs[int(m.group(1)) - 1].text.split())
        assert "".join(unit.text.split())[:8] in located, (unit.source.locator, unit.text[:20])
    rows = parsed.plans[0].tables[0].rows
    assert len(rows) > 10
    for row in rows:  # LibreOffice keeps the text's tab-indented cells as paragraphs; the other .docx has a table
        m = re.fullmatch(r"table=(\d+),row=(\d+),cell=1|paragraph=(\d+)", row.source.locator)
        assert m and bool(m.group(1)) == (fmt == "numbered.docx"), row.source
        if m.group(1):
            cell = document.tables[int(m.group(1)) - 1].rows[int(m.group(2)) - 1].cells[0].text
        else:
            cell = paragraphs[int(m.group(3)) - 1].text
        assert cell.strip() == str(row.number)


# -- numbering.xml rendered --------------------------------------------------------------------------------


def test_number_formats():
    cn = [format_number(n, "chineseCounting") for n in (1, 9, 10, 11, 19, 20, 21, 99, 100, 105, 110, 1001)]
    assert " ".join(cn) == "一 九 十 十一 十九 二十 二十一 九十九 一百 一百零五 一百一十 一千零一"
    for fmt in ("chineseCountingThousand", "taiwaneseCounting", "japaneseCounting"):
        assert [format_number(n, fmt) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert format_number(10, "ideographDigital") == "一〇"
    assert [format_number(n, "ideographTraditional") for n in (1, 2, 10, 11)] == ["甲", "乙", "癸", "甲"]
    assert [format_number(n, "decimalEnclosedCircle") for n in (1, 10, 20, 21)] == ["①", "⑩", "⑳", "㉑"]
    assert format_number(3, "decimalEnclosedCircleChinese") == "③"
    assert format_number(12, "decimalFullWidth") == "１２"
    assert format_number(7, "decimalZero") == "07" and format_number(12, "decimalZero") == "12"
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert format_number(2, "upperLetter") == "B"
    assert [format_number(n, "lowerRoman") for n in (4, 9, 14)] == ["iv", "ix", "xiv"]
    assert format_number(1999, "upperRoman") == "MCMXCIX"
    assert format_number(5, "bullet") == format_number(5, "none") == ""
    assert format_number(5, "decimal") == format_number(5, "someNewFormat") == "5"


def _lvl(ilvl, fmt, text, start=1, extra=""):
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:suff w:val="nothing"/><w:lvlText w:val="{text}"/></w:lvl>'
    )


def _numbering(abstracts: dict[int, str], nums: dict[int, tuple[int, str]], styles: str = ""):
    body = "".join(f'<w:abstractNum w:abstractNumId="{a}">{lv}</w:abstractNum>' for a, lv in abstracts.items())
    body += "".join(f'<w:num w:numId="{n}"><w:abstractNumId w:val="{a}"/>{ov}</w:num>' for n, (a, ov) in nums.items())
    numbering = etree.fromstring(f'<w:numbering xmlns:w="{W_NS}">{body}</w:numbering>')
    style_root = etree.fromstring(f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>')
    return ListNumbering(numbering, style_root)


def _p(num_id=None, ilvl=None, style=None):
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None or ilvl is not None:
        ppr += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
        ppr += (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "") + "</w:numPr>"
    return etree.fromstring(f'<w:p xmlns:w="{W_NS}"><w:pPr>{ppr}</w:pPr></w:p>')


OUTLINE = _lvl(0, "chineseCounting", "%1、") + _lvl(1, "chineseCounting", "（%2）") + _lvl(2, "decimal", "%3.")


def test_levels_count_and_restart_under_higher_levels():
    lists = _numbering({1: OUTLINE}, {1: (1, "")})
    labels = [lists.label(_p(1, lv)) for lv in (0, 1, 1, 2, 2, 1, 2, 0, 1, 2)]
    assert labels == ["一、", "（一）", "（二）", "1.", "2.", "（三）", "1.", "二、", "（一）", "1."]


def test_multilevel_lvl_text_and_legal_numbering():
    levels = _lvl(0, "decimal", "%1.") + _lvl(1, "decimal", "%1.%2") + _lvl(2, "lowerLetter", "%1.%2.%3")
    lists = _numbering({1: levels}, {1: (1, "")})
    assert [lists.label(_p(1, lv)) for lv in (0, 1, 1, 2, 0, 1)] == ["1.", "1.1", "1.2", "1.2.a", "2.", "2.1"]
    legal = _lvl(0, "chineseCounting", "%1、") + _lvl(1, "decimal", "%1.%2", extra="<w:isLgl/>")
    lists = _numbering({1: legal}, {1: (1, "")})
    assert [lists.label(_p(1, lv)) for lv in (0, 1, 0, 1)] == ["一、", "1.1", "二、", "2.1"]
    # a level used before its parent shows the parent's start value
    assert _numbering({1: levels}, {1: (1, "")}).label(_p(1, 1)) == "1.1"


def test_start_override_restarts_and_shared_abstract_continues():
    over = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>'
    lists = _numbering({1: _lvl(0, "decimal", "%1．")}, {1: (1, ""), 2: (1, ""), 3: (1, over)})
    labels = [lists.label(_p(n, 0)) for n in (1, 1, 3, 3, 2, 1)]
    assert labels == ["1．", "2．", "5．", "6．", "3．", "4．"]  # nums 1 and 2 are one list; num 3 restarts at 5


def test_lvl_restart_and_start_values():
    never = _lvl(0, "decimal", "%1.") + _lvl(1, "decimalEnclosedCircle", "%2", extra='<w:lvlRestart w:val="0"/>')
    lists = _numbering({1: never}, {1: (1, "")})
    assert [lists.label(_p(1, lv)) for lv in (0, 1, 1, 0, 1)] == ["1.", "①", "②", "2.", "③"]
    from_three = _numbering({1: _lvl(0, "chineseCounting", "%1、", start=3)}, {1: (1, "")})
    assert [from_three.label(_p(1, 0)) for _ in range(2)] == ["三、", "四、"]


def test_bullets_none_and_suffix():
    lists = _numbering({1: _lvl(0, "bullet", "\u2022"), 2: _lvl(0, "none", "")}, {1: (1, ""), 2: (2, "")})
    assert lists.label(_p(1, 0)) == "" and lists.label(_p(2, 0)) == ""
    tab = '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>'
    assert _numbering({1: tab}, {1: (1, "")}).label(_p(1, 0)) == "1 "  # Word's tab after the number


def test_numbering_from_paragraph_style_and_its_base_style():
    styles = (
        '<w:style w:type="paragraph" w:styleId="ListBase"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr>'
        '</w:style><w:style w:type="paragraph" w:styleId="Item"><w:basedOn w:val="ListBase"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Sub"><w:basedOn w:val="ListBase"/><w:pPr><w:numPr>'
        '<w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
    )
    lists = _numbering({1: OUTLINE}, {1: (1, "")}, styles)
    labels = [lists.label(p) for p in (_p(style="Item"), _p(style="Sub"), _p(style="Item"), _p(0, style="Item"))]
    assert labels == ["一、", "（一）", "二、", ""]  # numId 0 on the paragraph removes the style's numbering
    assert lists.label(_p(style="Normal")) == lists.label(_p()) == ""


# -- errors ------------------------------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"this is not a zip at all", "not a Word .docx file (not a zip"),
        (_zip({"content.xml": b"<x/>"}), "not a Word .docx file (the zip has no word/document.xml)"),
        (_zip({"word/document.xml": b"<broken"}), "not a Word .docx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Word .doc (or an encrypted .docx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"), "encrypted (password-protected)"),
    ],
    ids=["not-zip", "no-document-xml", "broken-xml", "ole2", "encrypted"],
)
def test_bad_docx_is_refused_with_a_reason(data, reason):
    with pytest.raises(ParseError) as e:
        parse_bytes(data, "plan.docx")
    assert reason in e.value.reason and e.value.file == "plan.docx"


def test_truncated_docx_is_refused_and_a_docx_named_doc_is_read():
    data = converted(PLANS[3], "docx").read_bytes()
    with pytest.raises(ParseError, match="not a Word .docx file"):
        parse_bytes(data[: len(data) // 2], "plan.docx")
    parsed = parse_bytes(data, "plan.doc")
    assert units_of(parsed) == expected_units(PLANS[3]) and any("read as .docx" in n for n in parsed.notices)


def test_doc_without_libreoffice_names_the_package(monkeypatch):
    data = converted(PLANS[3], "doc").read_bytes()
    monkeypatch.setattr(office.shutil, "which", lambda *a, **k: None)  # as on a machine without LibreOffice
    with pytest.raises(ParseError) as e:
        parse_bytes(data, "plan.doc")
    assert "LibreOffice" in e.value.reason and "libreoffice-writer-nogui" in e.value.reason


def test_bad_doc_files(monkeypatch):
    with pytest.raises(ParseError, match="not a Word .doc/.wps file"):
        parse_bytes(b"just some text, not a Word file", "plan.doc")
    require_soffice()
    with pytest.raises(ParseError, match="LibreOffice could not convert"):  # OLE2 magic, then garbage
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8, "plan.doc")
    monkeypatch.setattr(office, "TIMEOUT", 0.01)
    with pytest.raises(ParseError, match="did not finish"):
        parse_bytes(converted(PLANS[3], "doc").read_bytes(), "plan.wps")


def test_wps_and_rtf_are_read_through_libreoffice(tmp_path):
    txt = PLANS[3]
    as_wps = parse_bytes(converted(txt, "doc").read_bytes(), "plan.wps")  # WPS Office writes Word's binary format
    assert as_wps.format == "doc" and units_of(as_wps) == expected_units(txt)
    rtf = soffice_convert_many([txt], "rtf", tmp_path)[0].read_bytes()
    assert rtf.startswith(b"{\\rtf")
    as_doc = parse_bytes(rtf, "plan.doc")  # Word's "save as RTF" under a .doc name
    assert units_of(as_doc) == expected_units(txt) and any("RTF" in n for n in as_doc.notices)


def test_docx_body_text_details(tmp_path):
    """Soft line breaks join, page breaks and headers are not text, deletions are dropped, tables in order."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_BREAK

    from graph.parse.formats import read_document

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉文字"
    p = document.add_paragraph("第一行")
    p.add_run().add_break()  # a soft line break (Shift+Enter) inside the paragraph
    p.add_run("接着第一行")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # a page break alone in its paragraph
    document.add_paragraph("")
    gone = document.add_paragraph("保留")
    deleted = etree.SubElement(gone._p, qn("w:del"))
    run = etree.SubElement(deleted, qn("w:r"))
    etree.SubElement(run, qn("w:delText")).text = "删除的文字"
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "指标"
    table.cell(1, 0).text = "1"
    table.cell(1, 1).paragraphs[0].text = "婴儿死亡率"
    table.cell(1, 1).add_paragraph("（‰）")
    document.add_paragraph("表后的段落\t有制表符  ")
    toc = document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("一、总体要求\t3", style=toc)  # a table-of-contents entry
    hidden = document.add_paragraph("可见")
    hidden.add_run("隐藏文字").font.hidden = True
    sdt = etree.fromstring(  # a table of contents as Word inserts it: a content control
        f'<w:sdt xmlns:w="{W_NS}"><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>目录</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.add_paragraph("最后")._p.addprevious(sdt)
    path = tmp_path / "d.docx"
    document.save(str(path))
    doc = read_document(path.read_bytes(), "d.docx")
    assert doc.text.split("\n") == [
        "第一行接着第一行", "", "保留", "\t序号", "\t指标", "", "\t1", "\t婴儿死亡率（‰）", "", "表后的段落\t有制表符",
        "可见", "最后",
    ]  # fmt: skip
    assert doc.locators == [
        "paragraph=1", "paragraph=3", "paragraph=4", "table=1,row=1,cell=1", "table=1,row=1,cell=2", "table=1,row=1",
        "table=1,row=2,cell=1", "table=1,row=2,cell=2", "table=1,row=2", "paragraph=5", "paragraph=7",
        "paragraph=9",
    ]  # fmt: skip
