"""Finding the article of a government web page: boilerplate removed, the main text container chosen.

``clean`` drops what is never article text (scripts, navigation, menus, breadcrumbs, share and print
bars, footers, sidebars of related links …, by tag and by id/class words); ``container`` picks the
deepest element that holds most of the page's Chinese text outside links (so a plan split over several
sibling sections keeps them all); ``title_above`` finds the article's title heading just above it.
"""

from __future__ import annotations

import re
from typing import Any

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
DROP_TAGS = {
    "script", "style", "noscript", "nav", "aside", "iframe", "object", "embed", "svg", "canvas", "select",
    "button", "input", "textarea", "template", "link", "meta", "head", "map", "audio", "video", "dialog",
}  # fmt: skip
OUTER_TAGS = {"header", "footer", "form"}  # dropped unless they hold the article (WebForms wrap the page in a form)
BOILERPLATE = re.compile(
    r"(?:^|[^a-z])(?:nav|navbar|menu|submenu|breadcrumbs?|crumbs?|bread|footer|foot|share|bdshare|print|toolbar|"
    r"tools?|sidebar|side|aside|related|relate|recommend|pager|paging|pagination|copyright|banner|topbar|"
    r"login|search|qrcode|ewm|erweima|comment|gotop|backtop|friendlink|links|location|position|dqwz|xglj|"
    r"bottom|skip|fontsize|font-size|zihao|wza|accessib)(?:[^a-z]|$)",
    re.I,
)
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
TITLE_CLASS = re.compile(r"(?:^|[^a-z])(?:title|tit|biaoti|bt|headline|art-?title|article-?title)(?:[^a-z]|$)", re.I)
HEADINGS = {"h1", "h2", "h3"}
NOT_TITLE = re.compile(r"^(?:相关|热点|热门|推荐|最新|栏目|专题|导航|友情|网站|图片|视频|政务|信息公开|当前位置)")
# elements that can hold an article (not a paragraph, list item or inline element, however long)
CONTAINERS = {"body", "div", "section", "article", "main", "td", "th", "center", "form", "blockquote", "dd"}


def tag_of(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def cjk_count(s: str) -> int:
    return len(CJK.findall(s))


def _marks(el: Any) -> str:
    """id and class words, camelCase split ("topNav" → "top Nav")."""
    return re.sub(r"([a-z])([A-Z])", r"\1 \2", f"{el.get('id') or ''} {el.get('class') or ''}")


def own_text_counts(root: Any) -> dict[Any, int]:
    """Chinese characters outside links, per element, its descendants included (bottom-up)."""
    counts: dict[Any, int] = {}

    def walk(el: Any, in_link: bool) -> int:
        link = in_link or tag_of(el) == "a"
        n = 0 if link else cjk_count(el.text or "")
        for child in el:
            n += walk(child, link) if isinstance(child.tag, str) else 0
            n += 0 if link else cjk_count(child.tail or "")
        counts[el] = n
        return n

    walk(root, False)
    return counts


def _drop(el: Any) -> None:
    """Remove an element and its content; its tail text stays in the page."""
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def clean(root: Any) -> None:
    """Remove boilerplate in place (comments, hidden, navigation …); an element holding most of the
    page's text is kept whatever its class says (a wrapper such as ``<div class="main nav-open">``)."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) and el.getparent() is not None:  # comments, processing instructions
            el.drop_tree()
    for el in list(root.iter()):
        if isinstance(el.tag, str) and tag_of(el) in DROP_TAGS and el.getparent() is not None:
            _drop(el)
    counts = own_text_counts(root)
    total = max(counts.get(root, 0), 1)
    for el in list(root.iter()):
        if el.getparent() is None or not isinstance(el.tag, str):
            continue
        tag, share = tag_of(el), counts.get(el, 0) / total
        if tag in ("body", "html"):
            continue
        boiler = (
            (tag in OUTER_TAGS and not any(tag_of(a) == "article" for a in el.iterancestors()))
            or bool(BOILERPLATE.search(_marks(el)))
            or bool(HIDDEN.search(el.get("style") or ""))
            or el.get("hidden") is not None
            or el.get("aria-hidden") == "true"
        )
        if boiler and share < 0.4:
            _drop(el)


def container(root: Any) -> tuple[Any, int]:
    """The deepest container element (``CONTAINERS``) holding ≥ 80% of the page's Chinese text outside
    links, and that count."""
    counts = own_text_counts(root)
    total = counts.get(root, 0)
    best, depth = root, 0
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        el, d = stack.pop()
        if counts.get(el, 0) >= 0.8 * total and d >= depth and (tag_of(el) in CONTAINERS or el is root):
            best, depth = el, d
        for child in el:
            if isinstance(child.tag, str) and counts.get(child, 0) >= 0.8 * total:
                stack.append((child, d + 1))
    return best, total


def _heading_text(el: Any) -> str:
    return " ".join(el.text_content().split())


def _is_title(el: Any) -> bool:
    if not isinstance(el.tag, str):
        return False
    text = _heading_text(el)
    if not 2 <= len(text) <= 150 or cjk_count(text) < 2 or NOT_TITLE.match(text):
        return False
    return tag_of(el) in HEADINGS or (bool(TITLE_CLASS.search(_marks(el))) and len(el) <= 3)


def title_above(article: Any) -> Any | None:
    """The article's title when it sits just above the container: the nearest preceding heading (h1-h3
    or an element whose class/id says title), looking through three ancestors' earlier siblings."""
    el, levels = article, 0
    while el is not None and levels < 4:
        for sib in el.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            found = [d for d in sib.iter() if _is_title(d)]
            if found:
                h = [d for d in found if tag_of(d) in HEADINGS]
                return (h or found)[-1]
            if cjk_count(sib.text_content()) > 200:  # past real content: the title is not "just above"
                return None
        el, levels = el.getparent(), levels + 1
    return None


def first_heading_inside(article: Any) -> bool:
    """Whether the container itself starts with a heading (then no title is looked for above it)."""
    for el in article.iter():
        if el is article or not isinstance(el.tag, str):
            continue
        if tag_of(el) in HEADINGS and _heading_text(el):
            return True
        if cjk_count(el.text or "") > 0:
            return False
    return False
