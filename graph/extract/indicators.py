"""Quantified targets in goal and key-project text, and indicator-table cells.

A target is a name phrase, a comparator and a value: "抽查批次合格率达到95%以上" (ge 95 %),
"儿童伤害死亡率低于8.78/10万" (lt 8.78 1/10万), "覆盖率90%以上", "每天1小时以上体育活动时间".
A number without a comparator ("每位学生掌握1-2项运动技能", "设有1个…中心") is not a target.

Relative targets ("以2020年为基数下降20%", "年均提高6%以上") are recorded as a signed change:
value -20 / +6 with comparator le / ge, ``baseline_year`` when a base year is written, and unit
suffixed "/年" for a yearly rate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.model import Indicator, IndicatorTable, TableRow

from .indicator_names import clean_name, split_names, with_subject, years_in
from .numbers import NUM, PER, SUFFIX, SUFFIXES, UNITS, VALUE_LIST, VERBS, combine, normal_unit, read_values
from .text import normalise, split_outside_brackets, split_sentences

_VERB_ALTS = "|".join(map(re.escape, sorted(VERBS, key=len, reverse=True)))
# comparator word + value list; a short "…的" may sit between ("达到儿童之家总数的15%以上"), or a short
# qualifier after an explicit inequality ("不低于市定考核目标 87%"), or 各/配备 after 至少
VERB_TARGET = re.compile(
    rf"(?P<dist>分别|均|各)?\s*(?P<verb>{_VERB_ALTS})\s*"
    rf"(?P<gap>[\u4e00-\u9fff]{{1,10}}?的|(?<=低于|高于|少于|多于|超过)[\u4e00-\u9fff]{{1,8}}?"
    rf"|(?<=至少|少于)各?(?:配备|配置|设置|建有|建成|开设|开展|组织|培育|有)?)?"
    rf"\s*(?P<vals>{VALUE_LIST})"
)
# a metric followed directly by its value: "覆盖率90%以上", "保障率100%", "合格率均 98%以上"
METRIC_TARGET = re.compile(rf"(?<=[率数例重])\s*(?P<dist>分别|均)?\s*(?P<vals>{VALUE_LIST})")
# a change relative to a base: "以2020年为基数下降20%", "年均提高6%以上"
RELATIVE_TARGET = re.compile(
    rf"(?:以(?P<y1>\d{{4}})年(?:数据)?为基数|在(?P<y2>\d{{4}})年(?:的)?基础上|在基线(?:水平)?基础上|"
    rf"比(?P<y3>\d{{4}})年)?\s*(?P<per>年均|每年|平均每年)?\s*"
    rf"(?P<dir>下降|降低|减少|提高|增长|增加|上升|提升)(?![至到])\s*"
    rf"(?P<num>(?<![\d.]){NUM})(?![\d.])(?!\s*[-—~～]\s*\d)\s*(?P<unit>个百分点|百分点|%|‰)\s*(?P<suf>以上|左右)?"
)
# a value with a suffix comparator anywhere: "1小时以上", "90%以上的社区图书馆", "1家以上"
SUFFIX_TARGET = re.compile(
    rf"(?<![\d.\-—~～])(?P<num>{NUM})(?![\d.])\s*(?P<unit>%|‰|小时|分钟|课时|家|所|个|名|张|人|次|项)\s*"
    rf"(?P<suf>{SUFFIX})"
)


@dataclass
class _Match:
    start: int
    end: int
    kind: str  # verb | metric | relative | suffix
    m: re.Match


def _matches(clause: str) -> list[_Match]:
    """Non-overlapping target matches of a clause, left to right (earlier kinds win ties)."""
    found = []
    for kind, rx in (
        ("relative", RELATIVE_TARGET),
        ("verb", VERB_TARGET),
        ("metric", METRIC_TARGET),
        ("suffix", SUFFIX_TARGET),
    ):
        for m in rx.finditer(clause):
            if kind == "metric" and not re.search(r"[%‰]|" + SUFFIX, m.group("vals")):
                continue
            if kind == "verb" and not read_values(m.group("vals")):
                continue
            found.append(_Match(m.start(), m.end(), kind, m))
    chosen: list[_Match] = []
    for x in sorted(found, key=lambda x: x.start):
        if all(x.start >= c.end or x.end <= c.start for c in chosen):
            chosen.append(x)
    return sorted(chosen, key=lambda x: x.start)


def _values(match: _Match) -> list[tuple[str, float, str | None]]:
    """(comparator, value, unit) per value of a match."""
    m = match.m
    if match.kind == "relative":
        sign = -1.0 if m.group("dir") in ("下降", "降低", "减少") else 1.0
        comparator = "approx" if m.group("suf") == "左右" else ("le" if sign < 0 else "ge")
        unit = m.group("unit") + ("/年" if m.group("per") else "")
        return [(comparator, sign * float(m.group("num")), unit)]
    if match.kind == "suffix":
        return [(SUFFIXES[m.group("suf")], float(m.group("num")), m.group("unit"))]
    verb = m.group("verb") if match.kind == "verb" else ""
    return [(combine(verb, suf), value, unit) for value, unit, suf in read_values(m.group("vals"))]


def _rows(names: list[str], values: list, years: Sequence[int | None]) -> list[tuple[str, tuple, int | None]]:
    """Pair names, values and years: one value for all names, one per name, or one per year."""
    if len(values) == 1:
        return [(name, values[0], years[0]) for name in names]
    if len(names) != len(values):
        names = ["、".join(names)] * len(values)
    return list(zip(names, values, years, strict=True))


def _years_for(n_names: int, n_values: int, years: list[int], default: int | None) -> Sequence[int | None]:
    """Target year per value: "2025年和2030年…分别" pairs years with values, else the last year."""
    if n_names == 1 and n_values > 1 and len(years) == n_values:
        return years
    year = years[-1] if years else default
    return [year] * n_values


def _name(clause: str, start: int, match: _Match, next_start: int, state: dict) -> tuple[str, int]:
    """Cleaned name of a target whose name phrase starts at ``start``, and where the target ends."""
    m, end = match.m, match.end
    region = clause[start : match.start]
    state["years"] = years_in(region) or state["years"]
    if match.kind == "suffix" or (match.kind == "verb" and m.group("verb") in ("至少", "不少于")):
        # the counted thing follows the value: "每天1小时以上体育活动时间"
        tail = clause[end:next_start]
        if tail and tail[0] not in "、和及与":
            region, end = region + re.sub(r"^的", "", tail.strip()), next_start
    name = clean_name(region)
    gap = m.groupdict().get("gap") or ""
    if gap.endswith("的") and name:
        # "示范型儿童之家达到儿童之家总数的15%以上": a share of a whole
        name = f"{name}占{gap[:-1]}比例"
    if name and state["names"]:
        name = with_subject(name, state["names"][-1])
    return name, end


def _clause_indicators(clause: str, state: dict, default_year: int | None) -> list[Indicator]:
    """Targets of one clause; ``state`` carries years and names on to the next clause."""
    matches = _matches(clause)
    if not matches:
        state["years"] = years_in(clause) or state["years"]
    out, start = [], 0
    for i, match in enumerate(matches):
        next_start = matches[i + 1].start if i + 1 < len(matches) else len(clause)
        name, end = _name(clause, start, match, next_start, state)
        values = _values(match)
        groups = match.m.groupdict()
        dist = groups.get("dist") or ""
        names = split_names(name, len(values), dist == "分别", dist in ("均", "各")) if name else []
        names = names or state["names"]  # "…，到2030年分别控制在…" reuses the names before it
        if names:
            state["names"] = names
            baseline = next((int(groups[k]) for k in ("y1", "y2", "y3") if groups.get(k)), None)
            text = clause[start:end].strip("，,、 ")
            years = _years_for(len(names), len(values), state["years"], default_year)
            for name_, (comparator, value, unit), year in _rows(names, values, years):
                out.append(
                    Indicator(
                        name=name_,
                        comparator=comparator,
                        value=value,
                        unit=unit,
                        year=year,
                        baseline_year=baseline,
                        text=text,
                    )
                )
        start = end
    return out


# Child mortality rates are per mille by definition; converted texts sometimes lose the ‰ sign.
PER_MILLE_BY_DEFINITION = re.compile(r"(?:新生儿|婴儿|5岁以下儿童|五岁以下儿童)死亡率$")


def find_indicators(text: str, plan_end_year: int | None = None) -> list[Indicator]:
    """Quantified targets of a goal or key project, in order of position."""
    norm, _ = normalise(text)
    out: list[Indicator] = []
    for _, sentence in split_sentences(norm):
        state: dict[str, list] = {"years": [], "names": []}
        for _, clause in split_outside_brackets(sentence.rstrip("。；;！？!?"), "，,：:"):
            out.extend(_clause_indicators(clause, state, plan_end_year))
    for ind in out:
        if ind.unit == "%" and PER_MILLE_BY_DEFINITION.search(ind.name or ""):
            ind.unit, ind.unit_as_written = "‰", "%"
    return out


# ------------------------------------------------------------------ indicator-table cells

TABLE_VALUE = re.compile(
    rf"^(?P<pre>≥|≤|<|>|＜|＞|>=|<=)?\s*(?P<num>{NUM})\s*(?P<unit>{PER}|{UNITS})?\s*"
    rf"(?P<suf>{SUFFIX})?$"
)
TABLE_PREFIX = {"≥": "ge", ">=": "ge", "≤": "le", "<=": "le", "<": "lt", "＜": "lt", ">": "gt", "＞": "gt"}


def parse_table_value(raw: str) -> tuple[str | None, float | None, str | None, str | None]:
    """(comparator, value, unit, qualitative) of an indicator-table cell.

    "≤6" -> ("le", 6.0, None, None); "90.1%" -> ("eq", 90.1, "%", None); "应援尽援" / "逐年增加"
    -> (None, None, None, text). A cell with several targets ("换届后当年达到100%，平时保持在85%以上")
    gives the last (standing) target and keeps the whole cell as ``qualitative``.
    """
    s = normalise(raw or "")[0].strip()
    if not s:
        return None, None, None, None
    m = TABLE_VALUE.match(s)
    if m:
        comparator = TABLE_PREFIX.get(m.group("pre") or "") or SUFFIXES.get(m.group("suf") or "") or "eq"
        return comparator, float(m.group("num")), normal_unit(m.group("unit")), None
    found = find_indicators(s)
    if found:
        last = found[-1]
        return last.comparator, last.value, last.unit, (s if len(found) > 1 else None)
    return None, None, None, s


def table_indicator(row: TableRow, table: IndicatorTable) -> Indicator:
    """The indicator of one table row: target cell parsed, baseline value and years from the table."""
    comparator, value, unit, qualitative = parse_table_value(row.target_raw)
    baseline = parse_table_value(row.baseline_raw)[1]
    row_unit = normal_unit(row.unit)
    if row_unit and re.fullmatch(r"1/[%‰]", row_unit):  # "（1/‰）" in a header means ‰
        row_unit = row_unit[2:]
    return Indicator(
        name=row.name,
        comparator=comparator,
        value=value,
        unit=row_unit or unit,
        year=table.target_year,
        baseline_value=baseline,
        baseline_year=table.baseline_year,
        text=row.target_raw.strip(),
        qualitative=qualitative,
    )
