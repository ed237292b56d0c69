"""The acting government, found by rule rather than by name.

* 各级政府, 各级人民政府, 县级以上（地方）人民政府, 本级/同级政府 → the government at the plan's level, the
  prefix kept in the surface;
* 市政府, 区人民政府, 县级政府, 各县（市、区）政府, 市委、市政府 → the government of that level (the plan's own,
  or one level up or down);
* the plan's region named in full (衢州市人民政府) → the plan's government; another region's is left out;
* bare 政府 where it is a body (政府主导, 政府牵头, 落实政府……责任, 纳入政府购买服务) → the plan's government,
  but not in a concept (数字政府, 法治政府, 有为政府, 中央政府), generic departments (政府部门, 政府有关部门),
  another body's prefix (政府妇儿工委), an office (政府办公室), its means (政府力量, 政府资源), 政府性基金 or
  政府保护 listed among the six protections of minors.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .agency_lexicon import PREFIX_LEVEL

KEY = "government"
_PLAN_LEVEL = r"各级(?:地方)?|县级以上(?:地方)?(?:各级)?|县级及以上|本级|同级"
_LEVEL = r"各?[省市区县旗州盟](?:[（(][省市区县旗、，,]{1,6}[）)])?级?"
GOVERNMENT = re.compile(rf"(?P<pre>{_PLAN_LEVEL}|{_LEVEL})?(?P<name>(?:人民)?政府)")
NOT_AFTER = re.compile(
    r"(?:部门|各部门|有关部门|相关部门|工作部门|职能部门|组成部门|机构|机关|办公室|办公厅|办|性|债|网站|"
    r"信息公开|工作报告|令|规章|文件|举办|力量|资源|保护、)"
)
NOT_BEFORE = re.compile(r"(?:数字|电子|型|法治|智慧|透明|诚信|廉洁|阳光|有为|有效|整体|网上|中央|国家|外国|各国|地方)$")
BOUNDARY_OK = set("、，,和及与由向同等（(：:对将经请为在并或委")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def government_spans(text: str, region: str, agency_at: Callable[[int], bool]) -> list[tuple[int, int, str]]:
    """(start, end, level prefix) of each government named in ``text``; the prefix is "" for the plan's
    own level and the level character (市, 县 …) otherwise. ``agency_at(i)``: another agency's name
    starts at ``i`` (then 政府 is that body's prefix, as in 区政府妇儿工委)."""
    out = []
    for m in GOVERNMENT.finditer(text):
        end = m.end()
        if NOT_AFTER.match(text, end) or agency_at(end):
            continue
        pre, start = m.group("pre") or "", m.start()
        name_at = m.start("name")
        before = text[start - 1] if start else ""
        if region and text[:name_at].endswith(region):  # 衢州市人民政府 in a 衢州市 plan
            out.append((name_at - len(region), end, ""))
        elif not pre:
            if not NOT_BEFORE.search(text[:start]):
                out.append((start, end, ""))
        elif re.fullmatch(_PLAN_LEVEL, pre):
            out.append((start, end, ""))
        elif not _is_han(before) or before in BOUNDARY_OK or pre.startswith("各"):
            level_char = next(c for c in pre if c in PREFIX_LEVEL)
            out.append((start, end, level_char))
        # else a level character inside another region's name (杭州市政府 in a 衢州 plan): left out
    return out
