"""Agency mentions in plan text.

Three kinds of evidence, all resolved through the lexicon (``agencies.tsv``):
  * standalone names anywhere: 市卫健委, 卫生健康部门, 公安机关, 妇联, 公检法司;
  * a bare stem after a level prefix: 市民政, 区财政 (followed by a list separator, 等, a role verb ...);
  * bare stems inside a shared-suffix list: "卫生健康、民政、残联、财政等部门".
A bare stem in running text (教育, 司法, 财政预算) is not an agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graph.model import AgencyMention

from .agency_lexicon import (
    NATIONAL_PREFIXES,
    PEOPLE_NOT_AFTER,
    PEOPLE_NOT_BEFORE,
    PREFIX_LEVEL,
    agency_lexicon,
    alias_table,
    canonical_label,
    people_words,
    types_by_key,
)
from .government import KEY as GOVERNMENT
from .government import government_spans
from .text import normalise

LIST_SEPARATORS = "、和及与"
SOFT_SEPARATORS = "，,/"  # continue a list only between two known items
STOPS = '。；;：:！？!?（）()“”"《》〈〉\n'
# a one-character level prefix counts only after one of these (or a non-Han character)
PREFIX_OK_BEFORE = set("、，,和及与由向同等（(：:各对将经请为在并或")
# what may follow "市民政" for it to be an agency rather than "市民政策"
AFTER_PREFIXED_STEM = re.compile(r"$|[^\u4e00-\u9fff]|等|和|及|与|牵头|负责|配合|协助|参与|会同|可|应|要|将")
DEPARTMENT_WORDS = re.compile(r"等[\u4e00-\u9fff]{0,10}?(部门|单位|机关|机构|组织)|等|(部门|单位|机关|机构)")
LEAD_AFTER = re.compile(r"(?:等?(?:相关|有关)?(?:部门|单位))?(?:牵头|负责(?!人)|主责|主导|统筹)")
PARTNER_AFTER = re.compile(r"(?:等?(?:相关|有关)?(?:部门|单位))?(?:配合|协助|参与(?!度)|协同|共同参与)")
ROLE_ORDER = {"lead": 0, "partner": 1, "mentioned": 2}
RESPONSIBLE_LABEL = r"(?:牵头|责任|主责|配合|协办|参与)(?:单位|部门)\s*[：:]"
RESPONSIBLE_SPAN = re.compile(rf"{RESPONSIBLE_LABEL}[^（）()。]*")


@dataclass
class _Hit:
    keys: tuple[str, ...]
    start: int  # in normalised text, prefix included
    end: int
    prefix: str = ""
    alias: str = ""
    role: str = "mentioned"


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@lru_cache(maxsize=1)
def _name_regex() -> re.Pattern:
    names = sorted((a for a, (_, standalone) in alias_table().items() if standalone), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@lru_cache(maxsize=1)
def _stem_regex() -> re.Pattern:
    stems = sorted({s for t in agency_lexicon() for s in t.stems}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, stems)))


@lru_cache(maxsize=1)
def _max_alias_len() -> int:
    return max(map(len, alias_table()))


def _guarded(text: str, start: int, end: int, keys: tuple[str, ...]) -> bool:
    """True when a lexicon guard rejects the match (e.g. 科协 in 多学科协作, 法官 in 女法官比例)."""
    if text[start:end] in people_words() and (
        PEOPLE_NOT_BEFORE.search(text[max(0, start - 2) : start]) or PEOPLE_NOT_AFTER.match(text[end : end + 4])
    ):
        return True
    for key in keys:
        t = types_by_key()[key]
        if t.not_before and t.not_before.search(text[max(0, start - 4) : start]):
            return True
        if t.not_after and t.not_after.match(text[end : end + 6]):
            return True
    return False


def level_prefix(text: str, start: int) -> str:
    """Level or national prefix written just before ``start`` ("市", "区政府", "市委", "最高")."""
    if text[max(0, start - 2) : start] in NATIONAL_PREFIXES:
        return text[start - 2 : start]
    for gov in ("人民政府", "政府", "委", ""):
        p = start - len(gov) - 1
        if p < 0 or text[p + 1 : start] != gov or text[p] not in PREFIX_LEVEL:
            continue
        before = text[p - 1] if p else ""
        if not _is_han(before) or before in PREFIX_OK_BEFORE:
            return text[p:start]
    return ""


def _name_hits(text: str) -> list[_Hit]:
    hits, pos, rx = [], 0, _name_regex()
    while (m := rx.search(text, pos)) is not None:
        keys = alias_table()[m.group()][0]
        if _guarded(text, m.start(), m.end(), keys):
            pos = m.start() + 1
            continue
        prefix = level_prefix(text, m.start())
        hits.append(_Hit(keys, m.start() - len(prefix), m.end(), prefix, m.group()))
        pos = m.end()
    return hits


def _prefixed_stem_hits(text: str) -> list[_Hit]:
    hits = []
    for m in _stem_regex().finditer(text):
        prefix = level_prefix(text, m.start())
        if not prefix or prefix in NATIONAL_PREFIXES or not AFTER_PREFIXED_STEM.match(text, m.end()):
            continue
        keys = alias_table()[m.group()][0]
        if not _guarded(text, m.start(), m.end(), keys):
            hits.append(_Hit(keys, m.start() - len(prefix), m.end(), prefix, m.group()))
    return hits


def _alias_ending_at(text: str, pos: int) -> str:
    table = alias_table()
    for n in range(min(_max_alias_len(), pos), 0, -1):
        if text[pos - n : pos] in table:
            return text[pos - n : pos]
    return ""


def _scan_list(text: str, end: int) -> list[_Hit]:
    """Items of the list ending at ``end``, right to left.

    The leftmost item may be glued to a verb ("加强卫生健康"); unknown items in the middle
    ("对口支援和区域合作") are skipped.
    """
    items: list[_Hit] = []
    pos, unknown = end, 0
    for filler in ("有关", "相关"):  # "民政、教育有关部门"
        if text[:pos].endswith(filler):
            pos -= len(filler)
    while pos > 0:
        alias = _alias_ending_at(text, pos)
        if alias and not _guarded(text, pos - len(alias), pos, alias_table()[alias][0]):
            start = pos - len(alias)
            prefix = level_prefix(text, start)
            start -= len(prefix)
            before = text[start - 1] if start else ""
            items.append(_Hit(alias_table()[alias][0], start, pos, prefix, alias))
            unknown = 0
            if before and before in LIST_SEPARATORS:
                pos = start - 1
            elif before and before in SOFT_SEPARATORS and _alias_ending_at(text, start - 1):
                pos = start - 1
            else:
                break
            continue
        j = pos - 1
        while (
            j >= max(0, pos - 12)
            and text[j] not in LIST_SEPARATORS
            and text[j] not in STOPS
            and text[j] not in SOFT_SEPARATORS
        ):
            j -= 1
        if not items or j < 0 or text[j] not in LIST_SEPARATORS or unknown >= 3:
            break  # the item next to the suffix must be known ("同级财政和本单位预算" is no list)
        unknown += 1
        pos = j
    return items


def _list_hits(text: str) -> list[_Hit]:
    hits = []
    for m in DEPARTMENT_WORDS.finditer(text):
        word = m.group(1) or m.group(2) or ""
        strong = word in ("部门", "单位", "机关")
        items = _scan_list(text, m.start())
        if not items:
            continue
        standalone = any(alias_table()[h.alias][1] for h in items)
        if not strong and (len(items) < 2 or not standalone):
            continue  # "卫生、教育、文旅等行业" is a list of fields
        role = _role(text, items[-1].start, m.end())
        for hit in items:
            hit.role = role
            hits.append(hit)
    return hits


def _government_hits(text: str, region: str) -> list[_Hit]:
    """各级政府, 区人民政府, 政府主导 … (``graph.extract.government``)."""
    rx = _name_regex()
    spans = government_spans(text, region, lambda i: rx.match(text, i) is not None)
    return [_Hit((GOVERNMENT,), start, end, prefix, text[start:end]) for start, end, prefix in spans]


def _role(text: str, start: int, end: int) -> str:
    after = text[end : end + 12]
    if LEAD_AFTER.match(after) or after.startswith("会同"):
        return "lead"
    if PARTNER_AFTER.match(after) or text[max(0, start - 2) : start] == "会同":
        return "partner"
    return "mentioned"


def _mentions(hits: list[_Hit], text: str, index: list[int], region: str, level: str) -> list[AgencyMention]:
    best: dict[str, AgencyMention] = {}
    order: dict[str, tuple[int, int]] = {}
    for hit in hits:
        if hit.role == "mentioned":
            hit.role = _role(text, hit.start, hit.end)
        for rank, key in enumerate(hit.keys):
            found = best.get(key)
            if found is None or (hit.start, rank) < order[key]:
                role = hit.role if found is None else min(hit.role, found.role, key=ROLE_ORDER.__getitem__)
                best[key] = AgencyMention(
                    key=key,
                    label=canonical_label(key, region, level, hit.prefix, hit.alias),
                    surface=text[hit.start : hit.end],
                    role=role,
                    start=index[hit.start],
                    end=index[hit.end - 1] + 1,
                )
                order[key] = (hit.start, rank)
            else:
                found.role = min(hit.role, found.role, key=ROLE_ORDER.__getitem__)
    return [best[k] for k in sorted(best, key=order.__getitem__)]


def _responsible_roles(text: str, hits: list[_Hit]) -> None:
    """Inside "责任单位：A、B、C" the first unit leads and the others are partners."""
    for m in RESPONSIBLE_SPAN.finditer(text):
        inside = sorted((h for h in hits if m.start() <= h.start < m.end()), key=lambda h: h.start)
        for i, hit in enumerate(inside):
            hit.role = "lead" if i == 0 else "partner"


def find_agencies(text: str, region: str = "", level: str = "") -> list[AgencyMention]:
    """One mention per agency type, at its first occurrence, in order of position."""
    norm, index = normalise(text)
    hits = _name_hits(norm) + _prefixed_stem_hits(norm) + _list_hits(norm) + _government_hits(norm, region)
    _responsible_roles(norm, hits)
    return _mentions(hits, norm, index, region, level)


def agency_types() -> list[dict]:
    """The lexicon for the ontology builder: key, zh/en labels, aliases, canonical suffixes."""
    return [
        {"key": t.key, "zh": t.zh, "en": t.en, "aliases": list(t.aliases), "canonical": dict(t.canonical)}
        for t in agency_lexicon()
    ]
