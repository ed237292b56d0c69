"""A bundled plan .txt → a government article web page, as such sites publish plans.

The article sits in realistic boilerplate: a header with a navigation menu, breadcrumbs (首页 > 政务公开
> …), a related-links sidebar, the title in an ``<h1>`` above the article, a meta line (发布时间 / 来源 /
浏览次数 / 字号：大 中 小), a print / close / share bar, and a footer with 版权所有 and an ICP number.
Each text line is a ``<p>`` (``br=True``: the lines of a passage in one ``<p>`` split by ``<br>``);
``[bookmark: x]`` marks become ``<a name>`` anchors; tab-indented cell lines become a ``<table>``;
with ``lists=True`` the items written "1." and "一、" are ``<ol>`` items whose numbers exist only in the
list (``start``, ``value``, ``list-style-type: cjk-ideographic``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from graph.parse import parse_file
from graph.parse.numbering import numbering

BOOKMARK = re.compile(r"\[bookmark:\s*([^\]]*)\]")
LEAD = re.compile(r"^[\s\u3000\ufeff]*(?:[-*•·]\s+)?[\s\u3000]*")
CN_DIGITS = "一二三四五六七八九十"

HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_政府信息公开_人民政府门户网站</title>
<link rel="stylesheet" href="/css/main.css"><style>.nav li{{float:left}} #zoom p{{line-height:2}}</style>
<script>var _hmt = _hmt || []; document.write("<div>统计代码</div>");</script>
</head><body>
<div class="topbar">欢迎访问人民政府门户网站 <a href="/wza">无障碍</a> <a href="/en">English</a> 登录 注册</div>
<div id="header" class="header"><div class="logo"><img src="/logo.png" alt="人民政府门户网站"></div>
<div class="search"><form action="/search"><input name="q" value="请输入关键词"><button>搜索</button></form></div></div>
<div class="nav" id="mainNav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/zwfw">政务服务</a></li><li><a href="/hdjl">互动交流</a></li><li><a href="/zjxx">走进本市</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/zwgk/ghjh">规划计划</a>
 &gt; 专项规划</div>
<div class="container clearfix">
<div class="sidebar related-links"><h3>相关链接</h3><ul>
<li><a href="/a1">关于进一步加强儿童福利工作的通知</a></li><li><a href="/a2">我市召开妇女儿童工作会议</a></li>
<li><a href="/a3">国民经济和社会发展第十四个五年规划纲要</a></li><li><a href="/a4">政策解读：妇女儿童发展规划</a></li></ul>
<p>联系电话：0570-1234567</p></div>
<div class="main-content">
<div class="article">
<div class="article-title"><h1>{title}</h1></div>
<div class="info">发布时间：2021-08-12 10:21 &nbsp; 来源：市政府办公室 &nbsp; 浏览次数：<span id="hits">3021</span>
&nbsp; 字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>
<div class="TRS_Editor" id="zoom">
"""
TAIL = """</div>
<div class="share-bar"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a>
分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a></div>
<div class="pages"><p>上一篇：<a href="/p">关于印发城市更新行动方案的通知</a></p>
<p>下一篇：<a href="/n">关于做好防汛工作的通知</a></p></div>
</div></div></div>
<div class="footer" id="footer"><p><a href="/about">关于我们</a> | <a href="/map">网站地图</a> | <a href="/c">联系我们</a></p>
<p>版权所有：人民政府办公室 &nbsp; 主办：人民政府办公室 &nbsp; 承办：大数据发展管理局</p>
<p>浙ICP备12345678号-1 &nbsp; 浙公网安备 33080202000123号 &nbsp; 网站标识码：3308000001</p></div>
<script src="/js/share.js"></script>
</body></html>
"""


def page_title(txt: Path, lines: list[str]) -> str:
    """The page's h1: the notice or plan title the text starts with, else the plan's (inferred) title."""
    heads = [LEAD.sub("", BOOKMARK.sub("", ln)).strip() for ln in lines if ln.strip()][:4]
    if heads and len(heads[0]) <= 40 and "。" not in heads[0] and re.search("规划|通知|纲要", heads[0]):
        for k, line in enumerate(heads):
            if line.endswith("通知"):
                return "".join(heads[: k + 1])
        return heads[0]
    return parse_file(txt).plans[0].title


def _inline(raw: str) -> str:
    """A line's HTML: bookmarks as anchors, the text escaped."""
    anchors = "".join(f'<a name="{html.escape(n)}"></a>' for n in BOOKMARK.findall(raw))
    return anchors + html.escape(LEAD.sub("", BOOKMARK.sub("", raw)).rstrip())


def _ol_item(raw: str) -> tuple[str, int, str] | None:
    """("decimal" | "cjk", number, rest) for an item written "N." or "一、" (what an <ol> renders)."""
    text = LEAD.sub("", BOOKMARK.sub("", raw)).rstrip()
    nb = numbering(text)
    if nb is None or not nb.rest:
        return None
    if nb.style == "num" and text.startswith(f"{nb.number}.") and nb.offset == len(str(nb.number)) + 1:
        return "decimal", nb.number, nb.rest
    if nb.style == "cn" and nb.number <= 10 and text.startswith(CN_DIGITS[nb.number - 1] + "、") and nb.offset == 2:
        return "cjk", nb.number, nb.rest
    return None


def _table(rows: list[list[str]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse"><tbody>']
    for r, cells in enumerate(rows):
        tag = "th" if r == 0 else "td"
        out.append("<tr>" + "".join(f"<{tag}><p>{html.escape(c.strip())}</p></{tag}>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def article_html(lines: list[str], lists: bool = False, br: bool = False) -> str:
    """The article body for the text lines."""
    out: list[str] = []
    passage: list[str] = []  # br mode: lines of one <p>
    ol: tuple[str, int] | None = None  # the open <ol>: (kind, last number)

    def end_passage() -> None:
        if passage:
            out.append('<p style="text-indent:2em">' + "<br>\n".join(passage) + "</p>")
            passage.clear()

    def close() -> None:
        nonlocal ol
        end_passage()
        if ol:
            out.append("</ol>")
            ol = None

    i = 0
    while i < len(lines):
        raw = lines[i]
        if raw.startswith("\t"):  # a table: rows of cell lines, a blank line after each
            close()
            rows: list[list[str]] = [[]]
            while i < len(lines) and (lines[i].startswith("\t") or not lines[i].strip()):
                if lines[i].startswith("\t"):
                    rows[-1].append(lines[i][1:])
                elif rows[-1]:
                    rows.append([])
                i += 1
            out.append(_table([r for r in rows if r]))
            continue
        i += 1
        if not raw.strip():  # ends a <br> passage; an <ol> goes on over blank lines
            end_passage()
            continue
        item = _ol_item(raw) if lists else None
        if item:
            kind, number, rest = item
            value = ""
            if passage or not ol or ol[0] != kind:
                close()
                style = ' style="list-style-type: cjk-ideographic"' if kind == "cjk" else ""
                out.append(f"<ol{style}" + (f' start="{number}"' if number != 1 else "") + ">")
            elif ol[1] + 1 != number:
                value = f' value="{number}"'
            anchors = "".join(f'<a name="{html.escape(n)}"></a>' for n in BOOKMARK.findall(raw))
            out.append(f"<li{value}>{anchors}{html.escape(rest)}</li>")
            ol = (kind, number)
            continue
        if ol:
            close()
        if br:
            passage.append(_inline(raw))
        else:
            out.append(f'<p style="text-indent:2em">{_inline(raw)}</p>')
    close()
    return "\n".join(out)


def txt_to_article_html(
    txt: Path, out: Path, *, lists: bool = False, br: bool = False, encoding: str = "utf-8"
) -> Path:
    """Write ``out``: the plan as a government article page (see the module doc); ``encoding`` "gb18030"
    writes the page in GB18030 labelled ``charset=gb2312``, as many such sites do."""
    lines = txt.read_text(encoding="utf-8").split("\n")
    title = page_title(txt, lines)
    charset = "gb2312" if encoding == "gb18030" else encoding
    page = HEAD.format(title=html.escape(title), charset=charset) + article_html(lines, lists, br) + TAIL
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(page.encode(encoding))
    return out
