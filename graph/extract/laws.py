"""Laws and policy documents cited in plan text.

《》 titles are kept when their form is that of a legal or policy document (…法, …条例, …规划,
…纲要, …意见, …标准 ...); book or animation titles (《雾山五行》) are not. Well-known national
laws are also found without 《》 ("深入实施反家庭暴力法"), but not inside a longer word
("反家庭暴力法律法规"). Titles are normalised to one canonical form (see ``canonical_law``).

A title nested in another (《浙江省实施〈中华人民共和国妇女权益保障法〉办法》) cites both documents. Titles
written without 《》 are taken where their form is unmistakable (``graph.extract.law_titles``). Every
citation says how its title was resolved (``resolve_law``): ``lexicon`` (a document of laws.tsv, under its
canonical title), ``title`` (not in the lexicon, but the title names its issuer or region and stands for
itself) or ``unresolved`` (kept as written, typed by its ending, with the reason: nothing is invented,
e.g. no 中华人民共和国 before an unknown law's short name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from graph.model import LawMention

from .law_titles import issuer_length, names_itself, unbracketed_titles
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
NESTED = re.compile(r"[《〈]([^《》〈〉]+)[》〉]")
LEXICON, TITLE, UNRESOLVED = "lexicon", "title", "unresolved"
NOTE_LAW = (
    "a law's short name that is not in the lexicon (graph/extract/laws.tsv): kept as written, "
    "中华人民共和国 not assumed"
)
NOTE_OTHER = (
    "not in the lexicon (graph/extract/laws.tsv) and the title names no issuer or region: kept as written, "
    "typed by its ending"
)
NOTE_UNBRACKETED = "cited without 《》 and without its issuer: kept as written, which document is meant is not certain"
YEAR_RANGE = re.compile(r"(\d{4})\s*年?\s*[-－–—―~～至]+\s*(\d{4})")


@lru_cache(maxsize=1)
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    """(any name, tidied -> canonical title, bare-matchable name -> canonical title)."""
    names, bare = {}, {}
    for line in ALIAS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("canonical\t"):
            continue
        canonical, aliases, is_bare = (line.split("\t") + ["", ""])[:3]
        names[tidy_law_title(canonical)] = canonical
        if canonical.endswith("法") or canonical.endswith("公约"):
            bare[canonical] = canonical
        for alias in filter(None, aliases.split("|")):
            names[tidy_law_title(alias)] = canonical
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


@dataclass(frozen=True)
class Resolution:
    title: str  # canonical title (lexicon) or the title as written, tidied
    kind: str  # document type
    resolution: str  # lexicon | title | unresolved
    note: str = ""  # why, for an unresolved title


def resolve_law(title: str) -> Resolution | None:
    """How a cited title resolves (None: it is no document). An issuer before a 关于 title of the
    lexicon is dropped for the lookup (中共中央 国务院关于…的决定 → 关于…的决定)."""
    t = tidy_law_title(title)
    names = _aliases()[0]
    known = names.get(t)
    if known is None and (n := issuer_length(t)):
        known = names.get(t[n:])
    if known is not None:
        return Resolution(known, doc_type(known) or "other", LEXICON)
    kind = doc_type(t)
    if kind is None:
        return None
    if names_itself(t):
        return Resolution(t, kind, TITLE)
    return Resolution(t, kind, UNRESOLVED, NOTE_LAW if kind == "law" else NOTE_OTHER)


def canonical_law(title: str) -> tuple[str, str] | None:
    """(canonical title, doc type) of a cited title, or None when it is not a document.

    Titles of the lexicon get their canonical form (《民法典》 -> 中华人民共和国民法典); others are kept as
    written. Period dashes are unified (2021-2030年 -> 2021—2030年), half-width brackets become full-width.
    """
    r = resolve_law(title)
    return None if r is None else (r.title, r.kind)


@lru_cache(maxsize=1)
def _bare_regex() -> re.Pattern:
    names = sorted(_aliases()[1], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def _mention(r: Resolution, norm: str, index: list[int], start: int, end: int, bracketed: bool, within: str = ""):
    return LawMention(
        r.title,
        norm[start:end],
        r.kind,
        bracketed,
        index[start],
        index[end - 1] + 1,
        resolution=r.resolution,
        note=r.note,
        within=within,
    )


def find_laws(text: str) -> list[LawMention]:
    """Cited laws and policy documents, one per canonical title, in order of first citation."""
    norm, index = normalise(text)
    found: list[tuple[int, LawMention]] = []
    covered: list[tuple[int, int]] = []  # 《》 titles
    outer: list[tuple[int, int, str]] = []  # titles without 《》 (a bare name inside one is nested in it)

    def nested(start: int, end: int, within: str) -> None:
        for inner in NESTED.finditer(norm, start, end):
            r = resolve_law(inner.group(1))
            if r is not None:
                found.append((inner.start(), _mention(r, norm, index, inner.start(), inner.end(), True, within)))

    for m in BRACKETED.finditer(norm):
        covered.append(m.span())
        resolved = resolve_law(m.group(1))
        if resolved is None or WORK_AFTER.match(norm, m.end()):
            continue
        found.append((m.start(), _mention(resolved, norm, index, m.start(), m.end(), True)))
        nested(m.start(1), m.end(1), resolved.title)
    for start, end, named in unbracketed_titles(norm):
        if any(a < end and start < b for a, b in covered):
            continue
        resolved = resolve_law(norm[start:end])
        if resolved is None:
            continue
        if not named and resolved.resolution != LEXICON:
            resolved = replace(resolved, resolution=UNRESOLVED, note=NOTE_UNBRACKETED)
        found.append((start, _mention(resolved, norm, index, start, end, False)))
        outer.append((start, end, resolved.title))
        nested(start, end, resolved.title)
    for m in _bare_regex().finditer(norm):
        if any(a <= m.start() < b for a, b in covered):
            continue
        if m.end() < len(norm) and norm[m.end()] in BARE_NOT_AFTER:
            continue
        resolved = resolve_law(_aliases()[1][m.group()]) or Resolution(m.group(), "law", UNRESOLVED, NOTE_LAW)
        within = next((t for a, b, t in outer if a <= m.start() < b and t != resolved.title), "")
        if any(a <= m.start() < b and t == resolved.title for a, b, t in outer):
            continue  # the unbracketed title is this law itself
        found.append((m.start(), _mention(resolved, norm, index, m.start(), m.end(), False, within)))
    seen, out = set(), []
    for _, law in sorted(found, key=lambda p: p[0]):
        if law.title not in seen:
            seen.add(law.title)
            out.append(law)
    return out
