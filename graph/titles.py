"""The identity key of a title: two spellings of one plan, agency region or law title get one key.

>>> title_key("《杭州市儿童发展规划（2021–2030年）》") == title_key("杭州市儿童发展规划(2021-2030年)")
True

(``graph.parse.plans.tidy_plan_title`` chooses how a plan title is displayed and
``graph.extract.laws.tidy_law_title`` how a cited title is; this key only decides identity.)
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({c: '"' for c in "“”„‟〝〞＂「」『』'‘’"})
_DASHES = re.compile(r"[‐‑‒–—―－~～〜]+")
_SPACE = re.compile(r"\s+")


def title_key(title: str) -> str:
    """NFKC, no whitespace, unified quotes and dashes, no 《》 around it."""
    t = unicodedata.normalize("NFKC", title or "")
    t = t.translate(_QUOTES)
    t = _DASHES.sub("-", t)
    t = _SPACE.sub("", t)
    t = t.strip("《》<>")
    return t
