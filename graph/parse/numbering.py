"""Outline numbering as written in Chinese plans: 第一章 / 一、 / （一） / 1. / （1） / ①."""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN = "零〇一二两三四五六七八九十百"
OPEN, CLOSE = re.escape("（(［["), re.escape("）)］]")

PATTERNS = [  # (style, regex) — order matters: the more specific first
    ("chapter", re.compile(rf"^第\s*([{CN}]+|\d+)\s*(?:章|部分|篇)\s*[、.．:：]?\s*(.*)$")),
    ("cn_paren", re.compile(rf"^[{OPEN}]\s*([{CN}]+)\s*[{CLOSE}]\s*[、.．]?\s*(.*)$")),
    ("cn", re.compile(rf"^([{CN}]+)\s*[、.．,，]\s*(.*)$")),
    ("num_paren", re.compile(rf"^[{OPEN}]\s*(\d{{1,3}})\s*[{CLOSE}]\s*[、.．]?\s*(.*)$")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*(.*)$")),
    ("num", re.compile(r"^(\d{1,3})\s*(?:[.．、]|\s(?=\D))\s*(.*)$")),
]

# List labels are an open family: a short qualifier, then the head word (主要目标, 具体目标, 发展目标;
# 策略措施, 支持措施, 重点任务, 主要举措 …). The qualifier is at most four Han characters.
QUALIFIER = r"[\u4e00-\u9fff]{0,4}?"
GOAL_LABEL = re.compile(rf"^{QUALIFIER}目标$")
MEASURE_LABEL = re.compile(rf"^{QUALIFIER}(?:措施|举措|任务|策略)$")
KEY_PROJECT_LABEL = re.compile(r"^(?:重点)?(?:实事)?(?:项目|工程)$")
# qualifiers seen on labels; another qualifier makes a label only where the line is not the next item
COMMON_QUALIFIERS = frozenset("主要 具体 发展 总体 策略 支持 工作 推进 重点 保障 核心 预期 行动 实施 阶段".split()) | {
    ""
}
NOT_LABEL = re.compile(r"目标任务|[与和及、]")  # a combined heading such as 目标任务 or 目标与措施 is a section
LABEL_TRAIL = re.compile(r"[\s。.：:;；、]+$")
LABEL_HEAD = re.compile(r"^([\u4e00-\u9fff]{2,8}?)\s*[：:]\s*")


def cn_to_int(s: str) -> int:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105."""
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


@dataclass
class Numbered:
    style: str
    number: int
    rest: str  # the text after the number
    offset: int  # where ``rest`` starts within the cleaned line


def numbering(text: str) -> Numbered | None:
    for style, rx in PATTERNS:
        m = rx.match(text)
        if m:
            number = (
                int(m.group(1))
                if style in ("num", "num_paren")
                else (ord(m.group(1)) - 0x245F if style == "circled" else cn_to_int(m.group(1)))
            )
            return Numbered(style, number, m.group(2), m.start(2))
    return None


def label_of(text: str) -> str | None:
    """'goal' / 'measure' / 'key_project' when the line is a list label such as '主要目标：' or '2.策略措施。'."""
    core = LABEL_TRAIL.sub("", text)
    if len(core) > 10 or NOT_LABEL.search(core):
        return None
    if GOAL_LABEL.match(core):
        return "goal"
    if MEASURE_LABEL.match(core):
        return "measure"
    if KEY_PROJECT_LABEL.match(core):
        return "key_project"
    return None


def is_common_label(text: str) -> bool:
    """A label whose qualifier is a usual one (主要目标, 支持措施 …), never an item's heading."""
    core = LABEL_TRAIL.sub("", text)
    m = re.match(r"^(.*?)(?:目标|措施|举措|任务|策略|策略措施)$", core)
    return m is not None and label_of(text) is not None and m.group(1) in COMMON_QUALIFIERS


def split_label(text: str) -> tuple[str, int] | None:
    """A label sharing its line with the first item ('主要目标：1．婴儿死亡率…'): (kind, offset of the
    item in ``text``); None when the line is not that."""
    m = LABEL_HEAD.match(text)
    if not m or not text[m.end() :]:
        return None
    kind = label_of(m.group(1))
    first = numbering(text[m.end() :])
    if kind is None or first is None or not first.rest.strip():
        return None
    return kind, m.end()
