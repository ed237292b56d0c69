"""Web pages (.html/.htm): the article found among boilerplate, blocks as lines, ``<ol>`` numbers, tables.

The bundled plans are written as government article pages (tests/format_convert_html.py: navigation,
breadcrumbs, a related-links sidebar, a meta line, share/print bars, a footer) and must give exactly the
units of their .txt.
"""

from __future__ import annotations

import re

import lxml.html
import pytest

from graph.parse import ParseError, parse_bytes
from graph.parse.formats import read_document
from tests.format_convert import HTML_VARIANTS, PLANS, converted, expected_units, units_of

IDS = [p.stem[:3] for p in PLANS]


@pytest.mark.parametrize("variant", list(HTML_VARIANTS))
@pytest.mark.parametrize("txt", PLANS, ids=IDS)
def test_article_page_gives_the_units_of_the_text(txt, variant):
    path = converted(txt, variant)
    parsed = parse_bytes(path.read_bytes(), path.name)
    assert parsed.format == "html"
    assert units_of(parsed) == expected_units(txt)
    text = parsed.text
    for noise in ("首页", "浏览次数", "字号", "分享到", "版权所有", "ICP备", "相关链接", "上一篇", "统计代码"):
        assert noise not in text, noise


def test_ol_variant_has_its_numbers_only_in_the_list():
    page = converted(PLANS[1], "ol.html").read_text(encoding="utf-8")
    items = re.findall(r"<li>(?:<a [^>]*></a>)*([^<]*)</li>", page)
    assert len(items) > 100 and not any(re.match(r"\d+\.", i) for i in items)
    assert "list-style-type: cjk-ideographic" in page
    text = read_document(page.encode(), "p.html").text
    assert "\n1.坚持党的全面领导。" in text and "\n二、发展领域、主要目标和策略措施" in text


def _resolve(data: bytes, locator: str):
    assert locator.startswith("xpath=/html/"), locator
    root = lxml.html.document_fromstring(data)
    found = root.getroottree().xpath(locator[len("xpath=") :])
    assert len(found) == 1, locator
    return found[0]


@pytest.mark.parametrize("variant", ["html", "ol.html", "br.html"])
def test_locators_point_to_the_element_in_the_original_page(variant):
    path = converted(PLANS[0], variant)
    data = path.read_bytes()
    parsed = parse_bytes(data, path.name)
    doc = read_document(data, path.name)
    assert len(doc.locators) == len(doc.text.split("\n")) and all(doc.locators)
    for unit in [u for p in parsed.plans for _, u in p.units()]:
        element = _resolve(data, unit.source.locator)
        assert "".join(unit.text.split())[:8] in "".join(element.text_content().split()), unit.source.locator
    rows = parsed.plans[0].tables[0].rows
    assert len(rows) > 10
    for row in rows:
        cell = _resolve(data, row.source.locator)
        assert cell.tag == "td" and cell.text_content().strip() == str(row.number)


# -- the reader on small pages -----------------------------------------------------------------------------

BODY = "<p>为促进儿童全面发展，保障儿童合法权益，根据有关法律法规，结合本地实际，制定本规划。</p>"


def _page(article: str, before: str = "", head: str = "<meta charset='utf-8'>") -> bytes:
    return (
        f"<html><head>{head}<title>t</title><script>var x='<p>脚本里的文字</p>';</script></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/a'>政务公开</a> <a href='/b'>政务服务</a></div>"
        f"{before}<div class='content'>{article}</div>"
        "<div id='footer'>版权所有：某某市人民政府 浙ICP备000001号</div></body></html>"
    ).encode()


def _lines(data: bytes) -> list[str]:
    return read_document(data, "page.html").text.split("\n")


def test_ordered_lists_render_their_numbers():
    lines = _lines(
        _page(
            BODY + "<ol><li>甲项内容</li><li>乙项内容</li></ol>"
            "<ol start='3'><li>丙项内容</li><li value='7'>丁项内容</li><li>戊项内容</li></ol>"
            "<ol type='a'><li>子项一</li><li>子项二</li></ol><ol type='I' start='4'><li>罗马四</li></ol>"
            "<ol style='list-style-type: cjk-ideographic'><li>总体要求</li><li>主要目标</li></ol>"
            "<ul><li>没有编号的项</li></ul><ol style='list-style:none'><li>隐藏编号的项</li></ol>"
            "<ol><li>1.编号已在文字里</li><li>2.第二项也是</li></ol>"
            "<ol><li><p>段落里的项</p><ol><li>嵌套一</li><li>嵌套二</li></ol></li><li>外层二</li></ol>"
        )
    )
    assert lines[1:] == [
        "1.甲项内容", "2.乙项内容", "3.丙项内容", "7.丁项内容", "8.戊项内容", "a.子项一", "b.子项二", "IV.罗马四",
        "一、总体要求", "二、主要目标", "没有编号的项", "隐藏编号的项", "1.编号已在文字里", "2.第二项也是",
        "1.段落里的项", "1.嵌套一", "2.嵌套二", "2.外层二",
    ]  # fmt: skip


def test_br_splits_a_paragraph_and_blocks_are_lines():
    lines = _lines(
        _page(
            "<p>一、总体要求<br>（一）指导思想。坚持儿童优先。<br/>\n（二）基本原则。</p>"
            "<div>直接写在div里的文字<span>和行内元素</span>连在一起</div><h2>二、主要目标</h2>"
            "<p>第一行<br><br>第二行</p>" + BODY
        )
    )
    assert lines[:7] == [
        "一、总体要求", "（一）指导思想。坚持儿童优先。", "（二）基本原则。", "直接写在div里的文字和行内元素连在一起",
        "二、主要目标", "第一行", "第二行",
    ]  # fmt: skip


def test_meta_lines_breadcrumbs_and_share_bars_are_dropped():
    lines = _lines(
        _page(
            "<p>当前位置：首页 &gt; 政务公开 &gt; 规划计划</p><p>发布时间：2021-08-12 来源：市妇儿工委 浏览次数：12</p>"
            "<p>【字体：大 中 小】</p><p>首页 &gt; 政务公开</p>" + BODY + "<p>打印 关闭</p><p>分享到：微信 微博</p>"
            "<p>来源：本站</p><p>【打印本页】【关闭窗口】</p>"
        )
    )
    assert lines == [BODY[3:-4]]


def test_title_above_the_article_is_the_first_line_once():
    before = "<div class='crumb'>首页 &gt; 规划</div><div class='art-head'><h1>某市儿童发展规划</h1></div>"
    data = _page(BODY * 20, before)
    assert _lines(data)[:2] == ["某市儿童发展规划", BODY[3:-4]]
    assert read_document(data, "p.html").locators[0] == "xpath=/html/body/div[3]/h1"
    repeated = _page("<p>某市儿童发展规划</p>" + BODY * 20, before)  # the body repeats the title: kept once
    assert _lines(repeated)[:2] == ["某市儿童发展规划", BODY[3:-4]]


def test_tables_become_cell_lines_and_layout_tables_do_not():
    data = _page(
        BODY + "<table><tr><th>序号</th><th>指标</th><th>2020年</th></tr>"
        "<tr><td>1</td><td><p>婴儿死亡率</p><p>（‰）</p></td><td>2.0</td></tr></table>"
    )
    assert _lines(data)[1:] == ["\t序号", "\t指标", "\t2020年", "", "\t1", "\t婴儿死亡率（‰）", "\t2.0"]
    layout = (
        "<html><body><table><tr><td><a href='/'>首页</a></td><td>"
        "<table><tr><td>" + BODY * 3 + "</td></tr></table></td></tr>"
        "<tr><td>版权所有</td><td>网站地图</td></tr></table></body></html>"
    )
    assert _lines(layout.encode()) == [BODY[3:-4]] * 3


def test_locators_are_paths_in_the_page_as_written():
    data = _page("<p>第一段文字内容较长一些。</p><!-- note --><script>1</script><p>第二段<b>文字</b>内容。</p>" + BODY)
    doc = read_document(data, "p.html")
    assert doc.locators[:2] == ["xpath=/html/body/div[2]/p[1]", "xpath=/html/body/div[2]/p[2]"]
    assert len(doc.locators) == len(doc.text.split("\n"))


def test_encodings():
    gbk = _page(BODY, head="<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>")
    gbk = gbk.decode("utf-8").encode("gb18030")
    assert _lines(gbk) == [BODY[3:-4]]
    doc = read_document(_page(BODY, head="").decode().encode("gb18030"), "p.htm")  # no charset: not UTF-8
    assert doc.text == BODY[3:-4] and doc.encoding == "gb18030" and doc.notices
    assert _lines(b"\xef\xbb\xbf" + _page(BODY, head="")) == [BODY[3:-4]]


def test_article_in_a_page_wide_form_is_found():
    data = (
        _page(BODY * 5)
        .replace(b"<body>", b"<body><form id='form1' action='x.aspx'>")
        .replace(b"</body>", b"</form></body>")
    )
    assert _lines(data) == [BODY[3:-4]] * 5


@pytest.mark.parametrize(
    "data, reason",
    [
        (_page("").replace(b"<div class='content'></div>", b""), "no article text found in the web page"),
        (
            b"<html><body><div class='menu'><a href='/'>" + "首页".encode() * 50 + b"</a></div></body></html>",
            "no article",
        ),
        (b"   \n", "file is empty"),
    ],
    ids=["boilerplate-only", "links-only", "empty"],
)
def test_pages_without_an_article_are_refused(data, reason):
    with pytest.raises(ParseError) as e:
        parse_bytes(data, "page.html")
    assert reason in e.value.reason


def test_html5_article_word_sections_and_pre():
    html5 = (
        "<html><body><header><nav><a href='/'>首页</a></nav></header><main><article>"
        "<header><h1>某区儿童发展规划</h1><p class='meta'>发布时间：2022-01-05</p></header>"
        "<div class='WordSection1'>" + BODY * 3 + "</div><div class='WordSection2'>" + BODY * 3 + "</div>"
        "<pre>（一）预排版的第一行\n（二）第二行</pre></article></main><footer>版权所有</footer></body></html>"
    )
    lines = _lines(html5.encode())
    assert lines == ["某区儿童发展规划"] + [BODY[3:-4]] * 6 + ["（一）预排版的第一行", "（二）第二行"]


def test_mislabelled_charset_is_read_as_utf8():
    data = _page(BODY, head="<meta charset='gb2312'>")  # the bytes are UTF-8
    doc = read_document(data, "p.htm")
    assert doc.text == BODY[3:-4] and doc.encoding == "utf-8" and "declared gb18030" in doc.notices[0]
