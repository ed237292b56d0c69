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

GOAL_LABEL = re.compile(r"^(?:主要|发展|具体|总体)?目标$")
MEASURE_LABEL = re.compile(r"^(?:主要|策略|具体|重点|工作)?(?:措施|举措|任务|策略措施)$")
KEY_PROJECT_LABEL = re.compile(r"^(?:重点)?(?:实事)?(?:项目|工程)$")
LABEL_TRAIL = re.compile(r"[\s。.：:;；、]+$")


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
    if len(core) > 10:
        return None
    if GOAL_LABEL.match(core):
        return "goal"
    if MEASURE_LABEL.match(core):
        return "measure"
    if KEY_PROJECT_LABEL.match(core):
        return "key_project"
    return None
