"""The agency lexicon (``agencies.tsv``): agency types, their surface forms and canonical names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

LEXICON_FILE = Path(str(files(__package__) / "agencies.tsv"))

# stem + one of these is a standalone name ("卫生健康" -> "卫生健康部门")
DEPARTMENT_SUFFIXES = ("部门", "行政部门", "主管部门")

# abbreviations naming several bodies at once
ABBREVIATIONS = {
    "公检法司": ("public_security", "procuratorate", "court", "justice"),
    "公检法": ("public_security", "procuratorate", "court"),
}

LEVELS = ("province", "city", "county")
LEVEL_RANK = {"province": 3, "city": 2, "county": 1, "district": 1}
# a one-character prefix before an agency name and the level it denotes ("省妇联", "区卫健局")
PREFIX_LEVEL = {
    "省": "province",
    "市": "city",
    "州": "city",
    "盟": "city",
    "区": "county",
    "县": "county",
    "旗": "county",
}
NATIONAL_PREFIXES = ("最高", "国家", "中央")

# a member named for the body (法官, 民警) counts only where the body acts through them: not in a statistic
# about members (女法官, 法官中女性比例), a law's title (法官法, 人民警察法) or a school (警察学院)
PEOPLE_NOT_BEFORE = re.compile(r"(?:女|男|小|模拟|少年)$")
PEOPLE_NOT_AFTER = re.compile(r"^(?:法|学院|学校|大学|中|的比例|比例|占比|人数|数量|队伍|职业|节|察)")


@dataclass(frozen=True)
class AgencyType:
    key: str
    zh: str  # generic name, used when the region is unknown
    en: str
    canonical: dict  # level -> canonical name suffix (or "{region}" template)
    names: tuple[str, ...]  # standalone forms
    stems: tuple[str, ...]  # forms valid only in lists or after a level prefix
    not_before: re.Pattern | None  # guard on the text just before a match
    not_after: re.Pattern | None  # guard on the text just after a match
    people: tuple[str, ...] = ()  # members through whom the body acts (法官, 民警): standalone, guarded

    @property
    def aliases(self) -> tuple[str, ...]:
        generated = tuple(s + suf for s in self.stems for suf in DEPARTMENT_SUFFIXES)
        return tuple(dict.fromkeys(self.names + generated + self.stems + self.people))


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


def _guard(cell: str, after: bool) -> re.Pattern | None:
    alts = _split(cell)
    if not alts:
        return None
    body = "|".join(map(re.escape, alts))
    return re.compile(f"^(?:{body})" if after else f"(?:{body})$")


@lru_cache(maxsize=1)
def agency_lexicon() -> tuple[AgencyType, ...]:
    types = []
    for line in LEXICON_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("key\t"):
            continue
        key, zh, en, prov, city, county, names, stems, nb, na, people = (line.split("\t") + [""] * 11)[:11]
        types.append(
            AgencyType(
                key=key,
                zh=zh,
                en=en,
                canonical={"province": prov, "city": city, "county": county},
                names=_split(names),
                stems=_split(stems),
                not_before=_guard(nb, after=False),
                not_after=_guard(na, after=True),
                people=_split(people),
            )
        )
    return tuple(types)


@lru_cache(maxsize=1)
def types_by_key() -> dict[str, AgencyType]:
    return {t.key: t for t in agency_lexicon()}


@lru_cache(maxsize=1)
def alias_table() -> dict[str, tuple[tuple[str, ...], bool]]:
    """alias -> (agency keys, standalone?). Abbreviations map to several keys."""
    table: dict[str, tuple[tuple[str, ...], bool]] = {}
    for t in agency_lexicon():
        standalone = set(t.names) | set(t.people) | {s + suf for s in t.stems for suf in DEPARTMENT_SUFFIXES}
        for alias in t.aliases:
            if alias in table and table[alias][0] != (t.key,):
                raise ValueError(f"alias {alias!r} is claimed by {table[alias][0]} and {t.key}")
            table[alias] = ((t.key,), alias in standalone)
    for abbr, keys in ABBREVIATIONS.items():
        table[abbr] = (keys, True)
    return table


def level_of_region(region: str) -> str:
    if region.endswith(("省", "自治区")):
        return "province"
    if region.endswith(("市", "州", "盟")):
        return "city"
    if region.endswith(("县", "区", "旗")):
        return "county"
    return ""


def _level_column(level: str) -> str:
    return "county" if level == "district" else level


def canonical_label(key: str, region: str = "", level: str = "", prefix: str = "", alias: str = "") -> str:
    """Canonical name of an agency of type ``key``.

    Plan region known: "杭州市" + "卫生健康委员会". A prefix of another level than the plan's
    ("省妇联" in a city plan) names that level's body without a region ("省妇女联合会");
    "最高人民检察院" and other national bodies keep their own name; no region: the generic name.
    """
    t = types_by_key()[key]
    if prefix in NATIONAL_PREFIXES:
        return prefix + alias
    plan_level = level or level_of_region(region)
    prefix_level = PREFIX_LEVEL.get(prefix[:1], "")
    if prefix_level and plan_level and LEVEL_RANK[prefix_level] != LEVEL_RANK.get(plan_level, 0):
        return _fill(t.canonical[_level_column(prefix_level)], prefix[:1])
    if not region:
        return t.zh
    suffix = t.canonical.get(_level_column(plan_level)) or t.canonical["city"]
    return _fill(suffix, region)


@lru_cache(maxsize=1)
def people_words() -> frozenset[str]:
    return frozenset(w for t in agency_lexicon() for w in t.people)


def _fill(suffix: str, region: str) -> str:
    if suffix.startswith("="):  # the whole name: no region ("村（居）民委员会")
        return suffix[1:]
    return suffix.replace("{region}", region) if "{region}" in suffix else region + suffix
