"""Quantified targets in the text of goals, measures and key projects.

What is a target: a measured quantity (a rate, a share, a count, a time, a per-capita number)
with a target value, written in one of these forms (on ``text.normalise``d text):

* a comparator word or sign before the value: "抽查批次合格率达到95%以上" (ge 95 %), "儿童伤害死亡率
  低于8.78/10万" (lt 8.78 1/10万), "县至少设有1个危重新生儿救治中心" (ge 1 个);
* a metric followed directly by its value: "覆盖率90%以上", "保障率100%";
* a value with a suffix comparator: "每天1小时以上体育活动时间", "90%以上的社区图书馆…";
* a share of a population: "推动80%的基层医疗机构开展标准化发育筛查" (eq 80 %);
* a count of things to build or hold: "力争在5年内增建5个优质观护帮教基地" (eq 5 个), "每年开展心理健康
  教育及干预活动10场" — a build verb (增建 新建 建成 培育 …) right before or after the count;
* a per-capita count: "实现每千人4.6个托位";
* a change relative to a base ("以2020年为基数下降20%", "比2020年降低10%", "下降1/3", "年均提高6%以上"):
  no target value; ``change_direction`` (decrease | increase), ``change_amount`` (20, never negative),
  ``change_unit`` ("%", "个百分点", "%/年" for a yearly change) and ``baseline_year`` when written. The
  comparator then compares the amount (以上 ge, 左右 approx, else eq).

Not targets: a number without a comparator or build verb ("设有1个…中心", "每位学生掌握1-2项运动技能"),
ranges ("建成1—2个", "0—6岁", "1至2项"), ages and thresholds ("16周岁以下", "20万人口以上的县"),
years, durations ("5年内"), distances ("200米以内" is a rule, not a measured target), ordinals and
names containing digits ("12355", "1+N").

The target year is the last year written in the sentence before the target; without one it is the
plan's end year and ``year_inferred`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from graph.model import Indicator

from .indicator_concepts import concept_key
from .indicator_names import clean_name, split_names, subject_first, subject_from_context, with_subject, years_in
from .numbers import NUM, SUFFIX, SUFFIXES, VALUE_LIST, VERBS, cn_number, combine, read_values
from .text import normalise, split_outside_brackets, split_sentences

_VERB_ALTS = "|".join(map(re.escape, sorted(VERBS, key=len, reverse=True)))
# comparator word + value list; a short "…的" may sit between ("达到儿童之家总数的15%以上"), or a short
# qualifier after an explicit inequality ("不低于市定考核目标 87%"), or a verb after 至少 ("至少设有1个")
VERB_TARGET = re.compile(
    rf"(?P<dist>分别|均|各)?\s*(?P<verb>{_VERB_ALTS})\s*"
    rf"(?P<gap>[\u4e00-\u9fff]{{1,10}}?的|(?<=低于|高于|少于|多于|超过)[\u4e00-\u9fff]{{1,8}}?"
    rf"|(?<=至少|少于)各?[\u4e00-\u9fff]{{1,2}}?)?"
    rf"\s*(?P<vals>{VALUE_LIST})"
)
# a metric followed directly by its value: "覆盖率90%以上", "保障率100%", "合格率均 98%以上"
METRIC_TARGET = re.compile(rf"(?<=[率数例重])\s*(?P<dist>分别|均)?\s*(?P<vals>{VALUE_LIST})")
_BASE = (
    r"(?:以(?P<y1>\d{4})年(?:数据)?为基数|在(?P<y2>\d{4})年(?:的)?基础上|在基线(?:水平)?基础上"
    r"|(?:比|较|与)(?P<y3>\d{4})年(?:相比)?)"
)
_CN = r"[一二三四五六七八九十]+"
# a change relative to a base: "以2020年为基数下降20%", "年均提高6%以上", "下降1/3"
RELATIVE_TARGET = re.compile(
    rf"{_BASE}?\s*(?P<per>年均|每年|平均每年)?\s*"
    rf"(?P<dir>下降|降低|减少|提高|增长|增加|上升|提升)(?![至到])\s*"
    rf"(?:(?P<num>(?<![\d.]){NUM})(?![\d.])(?!\s*[-—~～]\s*\d)\s*(?P<unit>个百分点|百分点|%|‰)"
    rf"|(?P<fnum>\d+)/(?P<fden>\d+)(?![\d.万千])|(?P<cden>{_CN})分之(?P<cnum>{_CN}))\s*(?P<suf>以上|左右)?"
)
# a value with a suffix comparator anywhere: "1小时以上", "90%以上的社区图书馆", "1家以上"
SUFFIX_TARGET = re.compile(
    rf"(?<![\d.\-—~～])(?P<num>{NUM})(?![\d.])\s*(?P<unit>%|‰|小时|分钟|课时|家|所|个|名|张|人|次|项)\s*"
    rf"(?P<suf>{SUFFIX})"
)
# a share of a population: "80%的基层医疗机构…", "95%的城市社区和85%的农村社区…"
SHARE_TARGET = re.compile(rf"(?<![\d.\-—~～])(?P<num>{NUM})\s*(?P<unit>[%‰])\s*(?P<suf>以上)?的")
_COUNT_UNIT = r"个|所|家|名|场|处|座|支|批"
_BUILD = r"增建|新建|改扩建|建成|创建|培育|打造|新增|确立|举办"
_ONE = rf"(?<![\d.\-—~～])(?P<num>{NUM})(?![\d.])(?!\s*[-—~～至到]\s*\d)"
# a count to build: "增建5个优质观护帮教基地", "每年开展心理健康教育及干预活动10场" (count ending the clause)
COUNT_TARGET = re.compile(
    rf"(?P<verb>{_BUILD})\s*{_ONE}\s*(?P<unit>{_COUNT_UNIT})(?!以[上下内])"
    rf"|(?P<verb2>{_BUILD}|开展)(?P<obj>[^，,、0-9]{{2,24}}?)\s*(?P<num2>(?<![\d.\-—~～]){NUM})\s*"
    rf"(?P<unit2>{_COUNT_UNIT})$"
)
# a per-capita count: "每千人4.6个托位"
PER_CAPITA_TARGET = re.compile(
    rf"(?P<per>每千人口?|每千名儿童|每万人口?)(?:拥有)?\s*{_ONE}\s*(?P<unit>个|张|名)(?P<obj>[\u4e00-\u9fff]{{1,6}})"
)
_SHARE_PREDICATE = re.compile(r"建立|建成|建有|设立|开展|接受|拥有|实现|配备|参加")


@dataclass
class _Match:
    start: int
    end: int
    kind: str  # relative | verb | metric | share | count | per_capita | suffix
    m: re.Match


@dataclass
class _Value:
    comparator: str | None
    value: float | None
    unit: str | None
    change: tuple[str, float, str] | None = None  # direction, amount, unit


def _matches(clause: str) -> list[_Match]:
    """Non-overlapping target matches of a clause, left to right (earlier kinds win ties)."""
    found = []
    for kind, rx in (
        ("relative", RELATIVE_TARGET),
        ("verb", VERB_TARGET),
        ("metric", METRIC_TARGET),
        ("share", SHARE_TARGET),
        ("count", COUNT_TARGET),
        ("per_capita", PER_CAPITA_TARGET),
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


def _relative(m: re.Match) -> _Value:
    direction = "decrease" if m.group("dir") in ("下降", "降低", "减少") else "increase"
    if m.group("num"):
        amount, unit = float(m.group("num")), m.group("unit").replace("百分点", "个百分点").replace("个个", "个")
    else:  # a fraction of the base: "下降1/3", "减少三分之一" -> per cent, two decimals
        num, den = (m.group("fnum"), m.group("fden")) if m.group("fnum") else (m.group("cnum"), m.group("cden"))
        amount, unit = round(100 * cn_number(num) / cn_number(den), 2), "%"
    unit += "/年" if m.group("per") else ""
    comparator = SUFFIXES.get(m.group("suf") or "") or "eq"
    return _Value(comparator, None, None, (direction, amount, unit))


def _values(match: _Match) -> list[_Value]:
    m = match.m
    if match.kind == "relative":
        return [_relative(m)]
    if match.kind in ("suffix", "share", "per_capita"):
        suffix = m.groupdict().get("suf") or ""
        return [_Value(SUFFIXES.get(suffix) or "eq", float(m.group("num")), m.group("unit"))]
    if match.kind == "count":
        return [_Value("eq", float(m.group("num") or m.group("num2")), m.group("unit") or m.group("unit2"))]
    verb = m.group("verb") if match.kind == "verb" else ""
    return [_Value(combine(verb, suf), value, unit) for value, unit, suf in read_values(m.group("vals"))]


def _rows(names: list[str], values: list, years: Sequence[int | None]) -> list[tuple[str, _Value, int | None]]:
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


def _tail(clause: str, end: int, next_start: int) -> str:
    """The counted thing after a value ("…至少配备1名女干部"), up to a second count ("和1次…")."""
    tail = clause[end:next_start]
    cut = re.search(r"[和及与、]\s*\d", tail)
    return (tail[: cut.start()] if cut else tail).rstrip("和及与、")


def _name(clause: str, start: int, match: _Match, next_start: int, state: dict) -> tuple[str, int]:
    """Cleaned name of a target whose name phrase starts at ``start``, and where the target ends."""
    m, end = match.m, match.end
    region = clause[start : match.start]
    state["years"] = years_in(region) or state["years"]
    if match.kind == "share" and re.search(r"[和及与、]$", region):
        region = ""  # "市级和75%的县（市、区）…": the share is the counties'
    if match.kind == "per_capita":
        region += m.group("per") + m.group("obj") + "数"
    elif match.kind == "count" and m.group("verb"):  # "增建5个优质观护帮教基地"
        tail = _tail(clause, end, next_start)
        region, end = region + m.group("verb") + tail, end + len(tail)
    elif match.kind == "count":  # "每年开展心理健康教育及干预活动10场"
        region += m.group("verb2") + m.group("obj")
    elif match.kind in ("suffix", "share") or (match.kind == "verb" and m.group("verb") in ("至少", "不少于")):
        # the counted thing follows the value: "每天1小时以上体育活动时间"
        tail = _tail(clause, end, next_start)
        if tail and tail[0] not in "、和及与":
            region, end = region + re.sub(r"^的", "", tail.strip()), end + len(tail)
    name = subject_first(clean_name(region))
    gap = m.groupdict().get("gap") or ""
    if gap.endswith("的") and name:
        # "示范型儿童之家达到儿童之家总数的15%以上": a share of a whole
        name = f"{name}占{gap[:-1]}比例"
    if name and state["names"]:
        name = with_subject(name, state["names"][-1])
    elif name:
        name = subject_from_context(name, state["context"])
    return name, end


def _share_predicates(found: list[tuple[_Match, list[str]]]) -> None:
    """ "95%的城市社区和85%的农村社区建立家长学校": the first share takes the last one's predicate."""
    shares = [names for match, names in found if match.kind == "share" and len(names) == 1]
    last = shares[-1][0] if shares else ""
    predicate = _SHARE_PREDICATE.search(last)
    for names in shares[:-1]:
        if predicate and not _SHARE_PREDICATE.search(names[0]):
            names[0] += last[predicate.start() :]


def _clause_indicators(clause: str, state: dict, default_year: int | None) -> list[Indicator]:
    """Targets of one clause; ``state`` carries years, names and text on to the next clause."""
    matches = _matches(clause)
    if not matches:
        state["years"] = years_in(clause) or state["years"]
    found: list[tuple[_Match, list[str], list[_Value], str]] = []
    start = 0
    for i, match in enumerate(matches):
        next_start = matches[i + 1].start if i + 1 < len(matches) else len(clause)
        name, end = _name(clause, start, match, next_start, state)
        values = _values(match)
        dist = match.m.groupdict().get("dist") or ""
        names = split_names(name, len(values), dist == "分别", dist in ("均", "各")) if name else []
        names = names or state["names"]  # "…，到2030年分别控制在…" reuses the names before it
        if names:
            state["names"] = names
            found.append((match, names, values, clause[start:end].strip("，,、 ")))
        start = end
    _share_predicates([(match, names) for match, names, _, _ in found])
    out = []
    for match, names, values, text in found:
        groups = match.m.groupdict()
        baseline = next((int(groups[k]) for k in ("y1", "y2", "y3") if groups.get(k)), None)
        years = _years_for(len(names), len(values), state["years"], default_year)
        for name, v, year in _rows(names, values, years):
            change = v.change or (None, None, None)
            out.append(
                Indicator(
                    name=name,
                    comparator=v.comparator,
                    value=v.value,
                    unit=v.unit,
                    year=year,
                    baseline_year=baseline,
                    text=text,
                    change_direction=change[0],
                    change_amount=change[1],
                    change_unit=change[2],
                    year_inferred=year is not None and not state["years"],
                )
            )
    state["context"] += clause + "，"
    return out


# Child mortality rates are per mille by definition; converted texts sometimes lose the ‰ sign.
PER_MILLE_BY_DEFINITION = re.compile(r"(?:新生儿|婴儿|5岁以下儿童|五岁以下儿童)死亡率$")


def find_indicators(text: str, plan_end_year: int | None = None) -> list[Indicator]:
    """Quantified targets of a goal, measure or key project, in order of position; each with the key
    of its normalised concept."""
    norm, _ = normalise(text)
    out: list[Indicator] = []
    for _, sentence in split_sentences(norm):
        state: dict = {"years": [], "names": [], "context": ""}
        for _, clause in split_outside_brackets(sentence.rstrip("。；;！？!?"), "，,：:"):
            out.extend(_clause_indicators(clause, state, plan_end_year))
    for ind in out:
        if ind.unit == "%" and PER_MILLE_BY_DEFINITION.search(ind.name or ""):
            ind.unit, ind.unit_as_written = "‰", "%"
        ind.concept = concept_key(ind.name)
    return out
