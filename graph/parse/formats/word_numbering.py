"""Word automatic list numbering: numbering.xml (+ styles.xml) → the number a list paragraph shows.

Word keeps "一、", "（1）", "1." out of the paragraph text when a paragraph is a list item (``w:numPr``,
set on the paragraph or inherited from its style). ``ListNumbering.label(p)`` renders that number from
numId → num → abstractNum: per-level counters (a level restarts when a higher one is used, or as its
``lvlRestart`` says), ``start``/``startOverride``, ``lvlText`` (%1 … %9) and ``numFmt``. Call it on
every paragraph in document order: it advances the counters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
_CN = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_PLACEHOLDER = re.compile(r"%([1-9])")
_PUNCT_END = tuple("、.．,，:：)）]］】〕") + (" ", "\u3000", "\t")


def _val(el: Any, tag: str) -> str | None:
    """The w:val of the child ``tag`` of ``el`` (None when absent)."""
    child = el.find(W + tag) if el is not None else None
    return None if child is None else child.get(W + "val")


def _int(s: str | None, default: int | None = None) -> int | None:
    try:
        return int(s) if s is not None else default
    except ValueError:
        return default


def cn_count(n: int, digits: str = _CN, ten: str = "十", hundred: str = "百", thousand: str = "千") -> str:
    """Chinese counting: 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五, 110 → 一百一十."""
    if n <= 0:
        return digits[0] if n == 0 else str(n)
    if n >= 10000:
        return str(n)
    out, zero, top = "", False, True
    for unit, name in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out += digits[0]
            out += ("" if (unit == 10 and d == 1 and top) else digits[d]) + name
            zero, top = False, False
        elif out:
            zero = True
    return out


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = ""
    for value, sym in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                       (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):  # fmt: skip
        while n >= value:
            out, n = out + sym, n - value
    return out


def _circled(n: int) -> str:
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter value in a Word numFmt ("decimal", "chineseCounting", "lowerRoman", …)."""
    if fmt in ("none", "bullet"):
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _circled(n)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting", "ideographEnclosedCircle"):  # fmt: skip
        return cn_count(n)
    if fmt == "chineseLegalSimplified":
        return cn_count(n, _CN_LEGAL, "拾", "佰", "仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(c)] for c in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).upper() if fmt == "upperRoman" else _roman(n)
    return str(n)  # decimal, decimalHalfWidth and the formats not rendered specially


@dataclass
class Level:
    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # lvlRestart: 1-based level whose use restarts this one; 0 never
    legal: bool = False  # isLgl: every number shown in decimal
    suffix: str = "tab"  # what follows the number: tab, space, nothing
    style: str | None = None  # pStyle: the paragraph style this level belongs to


def _level(el: Any) -> Level:
    lgl = el.find(W + "isLgl")
    return Level(
        start=_int(_val(el, "start"), 0) or 0,
        fmt=_val(el, "numFmt") or "decimal",
        text=_val(el, "lvlText") or "",
        restart=_int(_val(el, "lvlRestart")),
        legal=lgl is not None and lgl.get(W + "val", "1") not in ("0", "false", "off"),
        suffix=_val(el, "suff") or "tab",
        style=_val(el, "pStyle"),
    )


@dataclass
class _Instance:
    """A list whose counters run together: an abstractNum, or a num that restarts it (startOverride)."""

    levels: dict[int, Level]
    counters: list[int | None] = field(default_factory=lambda: [None] * 9)


class ListNumbering:
    """The numbering definitions of one document and the running counters of its lists."""

    def __init__(self, numbering: Any | None, styles: Any | None):
        self.abstract: dict[str, dict[int, Level]] = {}
        self.abstract_link: dict[str, str] = {}  # abstractNum → numbering style it follows (numStyleLink)
        self.nums: dict[str, tuple[str, dict[int, Level], dict[int, int]]] = {}
        self.instances: dict[str, _Instance] = {}
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # id → basedOn, numId, ilvl
        self.default_style: str | None = None
        for el in styles.iter(W + "style") if styles is not None else ():
            sid, ppr = el.get(W + "styleId"), el.find(W + "pPr")
            numpr = ppr.find(W + "numPr") if ppr is not None else None
            if sid:
                self.styles[sid] = (_val(el, "basedOn"), _val(numpr, "numId"), _val(numpr, "ilvl"))
                if el.get(W + "default") in ("1", "true") and el.get(W + "type") == "paragraph":
                    self.default_style = sid
        for el in numbering.iter(W + "abstractNum") if numbering is not None else ():
            aid = el.get(W + "abstractNumId") or ""
            self.abstract[aid] = {_int(lv.get(W + "ilvl"), 0) or 0: _level(lv) for lv in el.findall(W + "lvl")}
            link = _val(el, "numStyleLink")
            if link:
                self.abstract_link[aid] = link
        for el in numbering.iter(W + "num") if numbering is not None else ():
            levels, starts = {}, {}
            for ov in el.findall(W + "lvlOverride"):
                ilvl = _int(ov.get(W + "ilvl"), 0) or 0
                lv = ov.find(W + "lvl")
                if lv is not None:
                    levels[ilvl] = _level(lv)
                start = _int(_val(ov, "startOverride"))
                if start is not None:
                    starts[ilvl] = start
            self.nums[el.get(W + "numId") or ""] = (_val(el, "abstractNumId") or "", levels, starts)

    def _style_numpr(self, style: str | None) -> tuple[str | None, str | None, str | None]:
        """(numId, ilvl, the style that set numId) along the basedOn chain of a paragraph style."""
        num_id, ilvl, seen = None, None, set()
        while style and style in self.styles and style not in seen:
            seen.add(style)
            based_on, s_num, s_lvl = self.styles[style]
            ilvl = ilvl if ilvl is not None else s_lvl
            if s_num is not None:
                return s_num, ilvl, style
            style = based_on
        return num_id, ilvl, None

    def _abstract_levels(self, aid: str, depth: int = 0) -> dict[int, Level]:
        link = self.abstract_link.get(aid)
        if link and depth < 4:  # the abstractNum is a numbering style's: follow it to the real definition
            num_id = self._style_numpr(link)[0]
            if num_id in self.nums and self.nums[num_id][0] != aid:
                return self._abstract_levels(self.nums[num_id][0], depth + 1)
        return self.abstract.get(aid, {})

    def _instance(self, num_id: str) -> _Instance | None:
        if num_id not in self.nums:
            return None
        aid, overrides, starts = self.nums[num_id]
        key = f"num:{num_id}" if overrides or starts else f"abstract:{aid}"
        if key not in self.instances:
            levels = {**self._abstract_levels(aid), **overrides}
            for ilvl, start in starts.items():
                base = levels.get(ilvl, Level())
                levels[ilvl] = Level(start, base.fmt, base.text, base.restart, base.legal, base.suffix, base.style)
            self.instances[key] = _Instance(levels)
        return self.instances[key]

    def label(self, p: Any) -> str:
        """The number a w:p shows ("" for none or a bullet), counters advanced; call in document order."""
        ppr = p.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        style = _val(ppr, "pStyle") if ppr is not None else None
        s_num, s_lvl, s_style = self._style_numpr(style or self.default_style)
        num_id, ilvl_s = _val(numpr, "numId"), _val(numpr, "ilvl")
        num_id = num_id if num_id is not None else s_num
        if num_id is None or num_id == "0":
            return ""
        inst = self._instance(num_id)
        if inst is None:
            return ""
        ilvl = _int(ilvl_s if ilvl_s is not None else s_lvl)
        if ilvl is None:  # a numbered style without ilvl: the level that names the style, else 0
            ilvl = next((k for k, lv in inst.levels.items() if s_style and lv.style == s_style), 0)
        ilvl = min(max(ilvl, 0), 8)
        return self.advance(inst, ilvl)

    def advance(self, inst: _Instance, ilvl: int) -> str:
        level = inst.levels.get(ilvl, Level())
        c = inst.counters
        c[ilvl] = level.start if c[ilvl] is None else (c[ilvl] or 0) + 1
        for k in range(ilvl + 1, 9):  # lower levels restart when this one is used (or as lvlRestart says)
            r = inst.levels[k].restart if k in inst.levels else None
            limit = k if r is None or r > k else r
            if ilvl < limit:
                c[k] = None
        if level.fmt == "bullet":
            return ""

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = inst.levels.get(k, Level())
            value = c[k] if c[k] is not None else lv.start
            return format_number(value or 0, "decimal" if level.legal and lv.fmt != "none" else lv.fmt)

        label = _PLACEHOLDER.sub(number, level.text)
        if label and level.suffix != "nothing" and not label.endswith(_PUNCT_END):
            label += " "  # "1" + tab in Word: keep the number apart from the text
        return label
