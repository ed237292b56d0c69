"""Plain-text encodings: UTF-16 with its BOM reads like UTF-8; the format table refuses the unknown."""

from __future__ import annotations

import pytest

from graph.parse import ParseError, parse_bytes, parse_file
from graph.parse.formats import FORMATS, format_of, supported_suffixes
from tests.format_convert import PLANS, units_of


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_gives_the_units_of_utf8(codec):
    txt = PLANS[3]
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    text = txt.read_text(encoding="utf-8")
    parsed = parse_bytes(bom + text.encode(codec), txt.name)
    assert parsed.encoding == "utf-16" and parsed.format == "txt"
    assert units_of(parsed) == units_of(parse_file(txt))
    assert all(u.source.locator == "" for p in parsed.plans for _, u in p.units())


def test_unknown_suffix_names_the_supported_ones():
    with pytest.raises(ParseError) as err:
        parse_bytes(b"{\\rtf1 hello}", "plan.rtf")
    assert err.value.file == "plan.rtf"
    for suffix in (".txt", ".docx", ".doc", ".wps", ".pdf", ".html", ".htm"):
        assert suffix in err.value.reason


def test_format_table_is_the_one_source_of_suffixes():
    assert set(supported_suffixes()) == {s for f in FORMATS for s in f.suffixes}
    assert format_of("规划.PDF").name == "pdf" and format_of("a.HTM").name == "html"
    assert {f.name for f in FORMATS} == {"txt", "docx", "doc", "pdf", "html"}
