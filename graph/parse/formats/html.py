"""Government web pages (.html/.htm) → the article's text, one block per line.

The page is decoded (BOM; valid UTF-8; the meta charset; else GB18030), boilerplate is removed and
the article container chosen (``html_article``). Each block (p, div with its own text, h1-h6, li, …)
becomes a line and each ``<br>`` starts a new one; ``<ol>`` items get their numbers ("1.", "a.", "一、"
for cjk-ideographic); tables become tab-indented cell lines with a blank line after each row; meta
lines (发布时间/来源/浏览次数/字号/打印/关闭/分享到 …) are dropped. Locators: ``xpath=`` + the path of
the line's block element in the page as it was read (before anything was removed).
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from ..errors import ParseError
from ..numbering import numbering
from .base import Extracted
from .html_article import cjk_count, clean, container, first_heading_inside, tag_of, title_above
from .word_numbering import format_number

BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "dl", "blockquote", "pre", "section",
    "article", "main", "center", "address", "figure", "figcaption", "caption", "hr", "tr", "td", "th", "tbody",
    "thead", "tfoot", "table", "body", "html", "fieldset", "legend", "details", "summary", "header", "footer", "form",
}  # fmt: skip
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
LIST_TYPES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
CSS_TYPES = {
    "decimal": "decimal", "decimal-leading-zero": "decimalZero", "lower-alpha": "lowerLetter",
    "lower-latin": "lowerLetter", "upper-alpha": "upperLetter", "upper-latin": "upperLetter",
    "lower-roman": "lowerRoman", "upper-roman": "upperRoman", "cjk-ideographic": "chineseCounting",
    "simp-chinese-informal": "chineseCounting", "trad-chinese-informal": "chineseCounting",
    "cjk-decimal": "ideographDigital", "none": "none", "disc": "bullet", "circle": "bullet", "square": "bullet",
}  # fmt: skip
LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:\s*([^;]+)", re.I)
META_WORDS = re.compile(
    r"浏览次数|阅读次数|访问次数|点击数|点击量|浏览量|字号|分享到|打印本页|关闭窗口|扫一扫|【打印】|【关闭】"
)
META_START = re.compile(
    r"^[【\[]?\s*(?:发布时间|发布日期|更新时间|来源|信息来源|文章来源|稿件来源|作者|编辑|责任编辑|"
    r"当前位置|您的位置|您现在的位置|所在位置|上一篇|下一篇|相关链接|字体)\s*[：:]"
)
META_ONLY = re.compile(r"^(?:[\s【】\[\]|｜/:：]|打印|关闭|收藏|纠错|分享|返回顶部|大|中|小|字号|字体|默认)+$")
CRUMBS = re.compile(r"^(?:首页|网站首页|主页)\s*[>›»＞→]")
_CJK_BREAK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n\f]*\n[ \t\r\n\f]*(?=[\u3000-\u9fff\uff00-\uffef])")
_SPACES = re.compile(r"[ \t\r\n\f\xa0]+")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


def decode(data: bytes, name: str) -> tuple[str, str, str]:
    """(text, encoding, notice): by the BOM; else UTF-8 when the bytes are valid UTF-8 (whatever the page
    declares: GBK text never is); else the meta charset; else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8", ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16", "UTF-16 web page"
    m = META_CHARSET.search(data[:8192])
    declared = m.group(1).decode("ascii", "replace").lower() if m else ""
    if declared in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936"):
        declared = "gb18030"  # pages labelled GB2312 use GBK characters all the time
    try:
        declared = codecs.lookup(declared).name if declared else ""
    except LookupError:
        declared = ""
    try:  # bytes that are valid UTF-8 are UTF-8 whatever the page says (GBK text is never valid UTF-8)
        text = data.decode("utf-8")
        mislabelled = declared not in ("", "utf-8") and not data.isascii()
        return text, "utf-8", f"declared {declared} but is UTF-8" if mislabelled else ""
    except UnicodeDecodeError:
        pass
    for enc in dict.fromkeys(e for e in (declared, "gb18030") if e and e != "utf-8"):
        try:
            return data.decode(enc), enc, "" if enc == declared else f"not UTF-8: decoded as {enc.upper()}"
        except UnicodeDecodeError:
            continue
    raise ParseError(name, "the web page is neither UTF-8 nor GB18030 text")


def _norm(s: str) -> str:
    return _SPACES.sub(" ", _CJK_BREAK.sub("", s)).strip()


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and part and not (_CJK_CHAR.match(out[-1]) or _CJK_CHAR.match(part[0])):
            out += " "
        out += part
    return out


def is_meta(line: str) -> bool:
    """A publication meta line (date, source, views, font size, print/close/share …) or breadcrumbs."""
    if len(line) > 150:
        return False
    return bool(META_WORDS.search(line) or META_START.match(line) or META_ONLY.match(line) or CRUMBS.match(line))


def _list_format(el: Any, default: str) -> str:
    m = LIST_STYLE.search(el.get("style") or "")
    for word in m.group(1).lower().split() if m else ():
        if word in CSS_TYPES:
            return CSS_TYPES[word]
    return LIST_TYPES.get(el.get("type") or "", default)


def _int_attr(el: Any, attr: str) -> int | None:
    try:
        return int((el.get(attr) or "").strip())
    except ValueError:
        return None


def _rows(tbl: Any) -> list[Any]:
    out = []
    for child in tbl:
        t = tag_of(child)
        if t == "tr":
            out.append(child)
        elif t in ("thead", "tbody", "tfoot"):
            out.extend(c for c in child if tag_of(c) == "tr")
    return out


def is_data_table(tbl: Any) -> bool:
    """A table of data (indicators …), not one used for page layout."""
    rows = _rows(tbl)
    if (
        len(rows) < 2
        or tbl.get("role") == "presentation"
        or any(tag_of(t) == "table" for t in tbl.iter() if t is not tbl)
    ):
        return False
    cells = [[c for c in r if tag_of(c) in ("td", "th")] for r in rows]
    return max(len(r) for r in cells) >= 2 and all(cjk_count(c.text_content()) <= 300 for r in cells for c in r)


class _Emitter:
    def __init__(self, paths: dict[Any, str], filter_meta: bool = True):
        self.paths, self.filter_meta = paths, filter_meta
        self.lines: list[str] = []
        self.locators: list[str] = []
        self.buf: list[str] = []
        self.loc = ""
        self.prefix = ""  # the number of the list item whose first line comes next ("3.", "二、")
        self.number = 0

    def path(self, el: Any) -> str:
        return "xpath=" + self.paths.get(el, "")

    def add(self, text: str | None, loc: str) -> None:
        if text:
            if not "".join(self.buf).strip():
                self.loc = loc
            self.buf.append(text)

    def flush(self) -> None:
        line, self.buf = _norm("".join(self.buf)), []
        if not line or (self.filter_meta and is_meta(line)):
            return
        if self.prefix:
            num = numbering(line)
            if not (num and num.number == self.number):  # the number is in the text already
                line = self.prefix + line
            self.prefix = ""
        self.lines.append(line)
        self.locators.append(self.loc)

    def walk(self, el: Any, loc: str) -> None:
        tag = tag_of(el)
        if tag == "br":
            self.flush()
            return
        if tag == "table" and is_data_table(el):
            self.flush()
            self.table(el)
            return
        if tag in ("ol", "ul", "menu", "dir"):
            self.flush()
            self.list(el, tag == "ol")
            return
        block = tag in BLOCK
        if block:
            self.flush()
            loc = self.path(el)
        if tag == "pre":
            for line in (el.text_content() or "").split("\n"):
                self.add(line, loc)
                self.flush()
            return
        self.add(el.text, loc)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child, loc)
            self.add(child.tail, loc)
        if block:
            self.flush()

    def list(self, el: Any, ordered: bool) -> None:
        fmt = _list_format(el, "decimal" if ordered else "bullet")
        start = _int_attr(el, "start")
        n = 1 if start is None else start
        for child in el:
            if tag_of(child) == "li":
                value = _int_attr(child, "value")
                n = n if value is None else value
                item_fmt = _list_format(child, fmt)
                label = format_number(n, item_fmt)
                chinese = "chinese" in item_fmt.lower() or item_fmt == "ideographDigital"
                self.flush()
                self.prefix, self.number = (label + ("、" if chinese else ".") if label else ""), n
                self.walk(child, self.path(child))
                self.flush()
                self.prefix = ""
                n += 1
            elif isinstance(child.tag, str):
                self.walk(child, self.path(el))
            self.add(child.tail, self.path(el))
        self.flush()

    def table(self, tbl: Any) -> None:
        for tr in _rows(tbl):
            cells = [c for c in tr if tag_of(c) in ("td", "th")]
            for cell in cells:
                sub = _Emitter(self.paths, filter_meta=False)
                sub.walk(cell, sub.path(cell))
                sub.flush()
                self.lines.append("\t" + _join(sub.lines).replace("\t", " "))
                self.locators.append(self.path(cell))
            if cells:
                self.lines.append("")
                self.locators.append(self.path(tr))


def _parse(text: str, name: str) -> Any:
    import lxml.html  # type: ignore[import-untyped]  # here, so that reading .txt never needs lxml

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except Exception as e:  # lxml: ParserError "Document is empty", XMLSyntaxError …
        raise ParseError(name, f"not a readable web page ({e})") from None


def read(data: bytes, name: str) -> Extracted:
    """The article text of a web page, with an ``xpath=`` locator per line."""
    text, encoding, notice = decode(data, name)
    if not text.strip():
        raise ParseError(name, "file is empty")
    root = _parse(text, name)
    tree = root.getroottree()
    paths = {el: tree.getpath(el) for el in root.iter() if isinstance(el.tag, str)}
    clean(root)
    article, total = container(root)
    if total < 20:
        raise ParseError(name, "no article text found in the web page")
    out = _Emitter(paths)
    out.walk(article, out.path(article))
    out.flush()
    title = None if first_heading_inside(article) else title_above(article)
    if title is not None:
        line = _norm(title.text_content())
        start = "".join("".join(out.lines[:8]).split())[:400]
        if line and "".join(line.split()) not in start:
            out.lines.insert(0, line)
            out.locators.insert(0, out.path(title))
    while out.lines and not out.lines[-1]:
        out.lines.pop()
        out.locators.pop()
    if not any(cjk_count(line) for line in out.lines):
        raise ParseError(name, "no article text found in the web page")
    return Extracted("\n".join(out.lines), "html", encoding, out.locators, [notice] if notice else [])
