"""Key-project responsible units: "（责任单位：市卫健委、市教育局等）" -> lead and partner mentions."""

from __future__ import annotations

import re

from graph.model import AgencyMention

from .agencies import RESPONSIBLE_LABEL, find_agencies, level_prefix
from .agency_lexicon import alias_table, canonical_label

RESPONSIBLE_BRACKET = re.compile(rf"[（(]\s*({RESPONSIBLE_LABEL}[^（）()]*)[）)]")
RESPONSIBLE_TRAILING = re.compile(rf"(?:^|(?<=[。；;\s]))({RESPONSIBLE_LABEL}[^。（）()]+?)\s*。?\s*$")


def parse_responsible(text: str) -> tuple[str, list[str]]:
    """Split "（责任单位：市卫健委、市教育局等）" off a key project: (text without it, names as written)."""
    names: list[str] = []
    for rx in (RESPONSIBLE_BRACKET, RESPONSIBLE_TRAILING):
        for m in rx.finditer(text):
            for part in re.split(RESPONSIBLE_LABEL, m.group(1)):
                for name in re.split(r"[、，,；;/]", part):
                    name = re.sub(r"\s+", "", name).rstrip("等")
                    if name and name not in names:
                        names.append(name)
        text = rx.sub("", text)
    return text.rstrip(), names


def _resolve(name: str) -> tuple[tuple[str, ...], str, str]:
    """(keys, prefix, alias) of one written responsible unit ("市民政" -> civil_affairs)."""
    table = alias_table()
    for n in range(0, min(6, len(name))):
        prefix, rest = name[:n], name[n:]
        if rest in table and (not prefix or level_prefix(name, n) == prefix):
            return table[rest][0], prefix, rest
    found = find_agencies(name)
    if found:
        return (found[0].key,), "", found[0].surface
    return (), "", name


def responsible_mentions(names: list[str], region: str = "", level: str = "") -> list[AgencyMention]:
    """Responsible units as mentions: the first is the lead, the others partners.

    A name the lexicon does not know is kept with key "other" and itself as label.
    """
    out: list[AgencyMention] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        role = "lead" if i == 0 else "partner"
        keys, prefix, alias = _resolve(name)
        if not keys:
            out.append(AgencyMention("other", name, name, role))
            continue
        for key in keys:
            if key not in seen:
                seen.add(key)
                out.append(AgencyMention(key, canonical_label(key, region, level, prefix, alias), name, role))
    return out
