"""Numbers, units and comparator words of indicator targets (on ``text.normalise``d text)."""

from __future__ import annotations

import re

NUM = r"\d+(?:\.\d+)?"
CN_NUM = r"[一二三四五六七八九十两]+"
# "万分之一", "十万分之九", "千分之三"
FRACTION = rf"(?P<den>十万|百万|千|万|百)分之(?P<fnum>{NUM}|{CN_NUM})"
# "8.78/10万" (value 8.78 per 100 000)
PER = r"1?/\s*(?:10万|十万|万|千|100万)"
UNITS = (
    r"个百分点|百分点|万人次|万人|人次|个月|小时|分钟|课时|平方米|%|‰|岁|张|名|个|人|次|家|所|年|月|天|元|项|户"
    r"|间|位|场|例|册"
)
SUFFIX = r"及以上|及以下|以上|以下|以内|左右|或以上"
# one value: number (not a year, not a range) + optional unit + optional suffix comparator
VALUE = (
    rf"(?:{FRACTION}|(?!(?:19|20)\d\d\s*年)(?P<num>(?<![\d.\-—~～]){NUM})(?![\d.])"
    rf"(?!\s*[-—~～]\s*\d)\s*(?P<unit>{PER}|{UNITS})?)\s*(?P<suf>{SUFFIX})?"
)
VALUE_RE = re.compile(VALUE)
_VALUE_UNNAMED = re.sub(r"\?P<\w+>", "", VALUE)
VALUE_LIST = rf"{_VALUE_UNNAMED}(?:\s*[、和及与或]\s*{_VALUE_UNNAMED})*"

# comparator words written before the value -> comparator (a suffix may refine it, see ``combine``);
# a target to reach (达到, 提高到, 增加到) is a floor: ge; holding a level (保持在, 稳定在) is eq
VERBS = {
    "达到并保持在": "ge",
    "达到并稳定在": "ge",
    "达到或超过": "ge",
    "达到或高于": "ge",
    "不低于": "ge",
    "不少于": "ge",
    "不小于": "ge",
    "不得少于": "ge",
    "至少": "ge",
    "最少": "ge",
    "不高于": "le",
    "不超过": "le",
    "不大于": "le",
    "不多于": "le",
    "最多": "le",
    "低于": "lt",
    "少于": "lt",
    "小于": "lt",
    "高于": "gt",
    "超过": "gt",
    "多于": "gt",
    "大于": "gt",
    "控制在": "le",
    "控制到": "le",
    "控制至": "le",
    "下降至": "le",
    "下降到": "le",
    "降至": "le",
    "降到": "le",
    "降低至": "le",
    "降低到": "le",
    "减少至": "le",
    "减少到": "le",
    "减至": "le",
    "提高到": "ge",
    "提高至": "ge",
    "提升到": "ge",
    "提升至": "ge",
    "增加到": "ge",
    "增加至": "ge",
    "增长到": "ge",
    "增长至": "ge",
    "增至": "ge",
    "上升到": "ge",
    "上升至": "ge",
    "保持在": "eq",
    "稳定在": "eq",
    "维持在": "eq",
    "达到": "ge",
    "达": "ge",
    "≥": "ge",
    ">=": "ge",
    "≤": "le",
    "<=": "le",
    "<": "lt",
    "＜": "lt",
    ">": "gt",
    "＞": "gt",
}
SUFFIXES = {"及以上": "ge", "以上": "ge", "或以上": "ge", "及以下": "le", "以下": "le", "以内": "le", "左右": "approx"}
INEQUALITY = {"ge", "le", "lt", "gt"}
EXPLICIT_VERBS = {v for v, c in VERBS.items() if c in INEQUALITY and v[-1] not in "在至到"}

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DENOMINATORS = {"百": "%", "千": "‰", "万": "1/万", "十万": "1/10万", "百万": "1/100万"}


def cn_number(s: str) -> float:
    """Small Chinese numerals (一 .. 九十九) or digits."""
    if re.fullmatch(NUM, s):
        return float(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return float(_CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0))
    return float(_CN_DIGITS.get(s, 0))


def normal_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    unit = re.sub(r"\s+", "", unit)
    if "/" in unit:
        return "1/" + unit.split("/", 1)[1].replace("十万", "10万")
    return unit


def read_value(m: re.Match) -> tuple[float, str | None, str | None]:
    """(value, unit, suffix comparator or None) of one VALUE match."""
    if m.group("den"):
        return cn_number(m.group("fnum")), _DENOMINATORS[m.group("den")], SUFFIXES.get(m.group("suf") or "")
    return float(m.group("num")), normal_unit(m.group("unit")), SUFFIXES.get(m.group("suf") or "")


def read_values(text: str) -> list[tuple[float, str | None, str | None]]:
    """Every value of a value list, with suffix comparators and units shared from the right
    ("3.0‰、4.5‰和5.5‰以下": all three are ≤)."""
    values = [read_value(m) for m in VALUE_RE.finditer(text)]
    out, unit, suf = [], None, None
    for value, u, s in reversed(values):
        unit, suf = u or unit, s or suf
        out.append((value, u or unit, s or suf))
    return out[::-1]


def combine(verb: str, suffix: str | None) -> str:
    """An explicit inequality word (不低于, 至少, ≥) wins; otherwise a suffix (以上, 以下, 左右)
    refines the verb (达到 X 以上 -> ge, 控制在 X 以下 -> le, 保持在 X 左右 -> approx)."""
    if verb in EXPLICIT_VERBS:
        return VERBS[verb]
    return suffix or VERBS.get(verb) or "eq"
