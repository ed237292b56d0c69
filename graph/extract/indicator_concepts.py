"""Normalised indicator concepts: one concept for every wording of the same measure.

Plans word one indicator in many ways ("每千人口拥有3岁以下婴幼儿托位数" / "每千人拥有3岁以下婴幼儿
托位数", "0-6岁…" / "0—6岁…", "高中阶段毛入学率" / "高中阶段教育毛入学率"). ``indicator_concepts.tsv``
(beside this module) lists the concepts met in the bundled plans: a key, the preferred Chinese and
English labels, whether the measure can be negative (a growth rate), and every other wording seen.

A name is looked up by its *normal form* (``normal_name``): NFKC, no spaces, quotes or 的, dashes and
至 between numbers as "-", 每千人口/每千人/千人 as 每千人, a trailing parenthesised unit ("（%）",
"(1/10万)") dropped, 比重/占比 as 比例, 覆盖面 as 覆盖率. A name that is no wording of a listed concept
gets the deterministic key ``name-<sha256(normal form)[:10]>``, so that identical wordings still
group across plans.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

TSV = Path(__file__).with_name("indicator_concepts.tsv")

_UNIT_IN_BRACKETS = re.compile(r"\((?:%|‰|1/‰|1/10万|1/万|个|张|名|人|岁|年|万人|小时|次|家|所|项|户|‰/%)\)$")
_RANGE_DASH = re.compile(r"(?<=\d)\s*(?:[-‐‑‒–—―~～]+|至|到)\s*(?=\d)")


@dataclass(frozen=True)
class IndicatorConcept:
    key: str
    zh: str
    en: str
    signed: bool  # the measure can be negative (a growth rate)
    alt: tuple[str, ...]  # other wordings seen


def normal_name(name: str) -> str:
    """The form indicator names are compared in (see the module docstring)."""
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[“”\"'‘’「」『』《》〈〉]", "", s)
    s = _RANGE_DASH.sub("-", s)
    s = _UNIT_IN_BRACKETS.sub("", s)
    s = re.sub(r"(?:每?千人口|每?千人)(?:拥有)?", "每千人", s)
    s = re.sub(r"每?千名儿童(?:拥有)?", "每千名儿童", s)
    s = s.replace("的", "").replace("比重", "比例").replace("占比", "比例").replace("覆盖面", "覆盖率")
    return s


def _row(line: str) -> IndicatorConcept | None:
    if not line.strip() or line.startswith("#"):
        return None
    cells = line.rstrip("\n").split("\t")
    key, zh, en, signed = (cells + ["", "", "", ""])[:4]
    return IndicatorConcept(
        key.strip(),
        zh.strip(),
        en.strip(),
        signed.strip() == "signed",
        tuple(c.strip() for c in cells[4:] if c.strip()),
    )


@functools.cache
def concepts() -> dict[str, IndicatorConcept]:
    """The listed concepts by key, in file order."""
    out: dict[str, IndicatorConcept] = {}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        c = _row(line)
        if c is not None:
            if c.key in out or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", c.key):
                raise ValueError(f"{TSV.name}: bad or repeated key {c.key!r}")
            out[c.key] = c
    return out


@functools.cache
def _by_normal_name() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in concepts().values():
        for label in (c.zh, *c.alt):
            n = normal_name(label)
            if index.setdefault(n, c.key) != c.key:
                raise ValueError(f"{TSV.name}: {label!r} is a wording of both {index[n]} and {c.key}")
    return index


def concept_key(name: str) -> str:
    """Key of the concept an indicator name is a wording of (``name-<hash>`` when none is listed)."""
    n = normal_name(name)
    return _by_normal_name().get(n) or "name-" + hashlib.sha256(n.encode("utf-8")).hexdigest()[:10]


def concept_of(key: str) -> IndicatorConcept | None:
    return concepts().get(key)
