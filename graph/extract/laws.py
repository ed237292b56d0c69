"""Laws and policy documents cited in plan text.

《》 titles are kept when their form is that of a legal or policy document (…法, …条例, …规划,
…纲要, …意见, …标准 ...); book or animation titles (《雾山五行》) are not. Well-known national
laws are also found without 《》 ("深入实施反家庭暴力法"), but not inside a longer word
("反家庭暴力法律法规"). Titles are normalised to one canonical form (see ``canonical_law``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from graph.model import LawMention

from .text import normalise

ALIAS_FILE = Path(str(files(__package__) / "laws.tsv"))
PRC = "中华人民共和国"

# title ending -> document type, checked in this order (办法 before 法, 规划纲要 is an outline)
DOC_TYPES = (
    ("regulation", ("实施办法", "实施细则", "条例", "规定", "办法", "细则", "规则", "规章")),
    ("law", ("法典", "法")),
    ("outline", ("纲要", "大纲")),
    ("plan", ("规划", "计划", "方案", "行动", "策略", "战略", "工程")),
    ("opinion", ("指导意见", "意见", "决定", "通知", "决议", "批复", "公告", "通告")),
    ("standard", ("标准", "指南", "规范", "准则", "导则", "指引", "目录")),
    ("other", ("公约", "宣言", "议程", "章程", "纲领", "白皮书")),
)
# words ending in 法 that are not laws (《今日说法》, 《学习方法》)
NOT_LAW_ENDINGS = (
    "说法",
    "方法",
    "做法",
    "看法",
    "想法",
    "书法",
    "语法",
    "魔法",
    "算法",
    "兵法",
    "手法",
    "疗法",
    "技法",
    "画法",
    "写法",
    "用法",
    "读法",
    "玩法",
    "教法",
    "学法",
    "司法",
    "执法",
    "立法",
    "普法",
    "守法",
    "违法",
    "犯法",
    "合法",
    "依法",
    "非法",
)
# a 《》 title followed by one of these is a work, not a document
WORK_AFTER = re.compile(r"(栏目|节目|动画|动漫|丛书|绘本|读本|图书|杂志|专栏|电影|影片|剧|歌曲|系列|书籍|读物|一书)")
# a bare law name followed by one of these is part of a longer word (法律, 法规, 法治 ...)
BARE_NOT_AFTER = set("律规治制院庭官学典条师定理")

BRACKETED = re.compile(r"《((?:[^《》]|《[^《》]*》)+)》")
YEAR_RANGE = re.compile(r"(\d{4})\s*年?\s*[-－–—―~～至]+\s*(\d{4})")


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    """(any name -> canonical title, bare-matchable name -> canonical title)."""
    names, bare = {}, {}
    for line in ALIAS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("canonical\t"):
            continue
        canonical, aliases, is_bare = (line.split("\t") + ["", ""])[:3]
        names[canonical] = canonical
        if canonical.endswith("法") or canonical.endswith("公约"):
            bare[canonical] = canonical
        for alias in filter(None, aliases.split("|")):
            names[alias] = canonical
            if is_bare.strip() == "1":
                bare[alias] = canonical
    return names, bare


def tidy_law_title(title: str) -> str:
    t = re.sub(r"\s+", "", title.strip().strip("《》"))
    t = re.sub(r"《([^《》]*)》", r"〈\1〉", t)
    t = t.replace("(", "（").replace(")", "）")
    t = re.sub(r'"([^"]*)"', r"“\1”", t)
    return YEAR_RANGE.sub(r"\1—\2", t)


def doc_type(title: str) -> str | None:
    """Document type from the form of a title, or None when it is not a document."""
    core = re.sub(r"（[^（）]*）$", "", title).strip("“”\"'")
    if core.endswith(NOT_LAW_ENDINGS) or len(core) < 2:
        return None
    for kind, endings in DOC_TYPES:
        if core.endswith(endings):
            return kind
    return None


def canonical_law(title: str) -> tuple[str, str] | None:
    """(canonical title, doc type) of a cited title, or None when it is not a document.

    National laws get their 中华人民共和国 prefix (《民法典》 -> 中华人民共和国民法典); period dashes
    are unified (2021-2030年 -> 2021—2030年); half-width brackets become full-width.
    """
    t = tidy_law_title(title)
    t = _aliases()[0].get(t, t)
    kind = doc_type(t)
    if kind is None:
        return None
    if kind == "law" and not t.startswith(PRC):
        t = PRC + t
    return t, kind


@lru_cache(maxsize=1)
def _bare_regex() -> re.Pattern:
    names = sorted(_aliases()[1], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def find_laws(text: str) -> list[LawMention]:
    """Cited laws and policy documents, one per canonical title, in order of first citation."""
    norm, index = normalise(text)
    found: list[tuple[int, LawMention]] = []
    covered: list[tuple[int, int]] = []
    for m in BRACKETED.finditer(norm):
        covered.append(m.span())
        resolved = canonical_law(m.group(1))
        if resolved is None or WORK_AFTER.match(norm, m.end()):
            continue
        title, kind = resolved
        found.append((m.start(), LawMention(title, m.group(), kind, True, index[m.start()])))
    for m in _bare_regex().finditer(norm):
        if any(a <= m.start() < b for a, b in covered):
            continue
        if m.end() < len(norm) and norm[m.end()] in BARE_NOT_AFTER:
            continue
        title, kind = canonical_law(_aliases()[1][m.group()]) or (m.group(), "law")
        found.append((m.start(), LawMention(title, m.group(), kind, False, index[m.start()])))
    seen, out = set(), []
    for _, law in sorted(found, key=lambda p: p[0]):
        if law.title not in seen:
            seen.add(law.title)
            out.append(law)
    return out
