"""Indicator names: cleaning the phrase before a comparator, and distributive lists.

"新生儿、婴儿和5岁以下儿童死亡率分别…" names three indicators: the last item's metric head
(死亡率) is shared by the items that lack one. "5岁以下儿童贫血患病率、生长迟缓率" shares the
first item's subject (5岁以下儿童) with items that have none.
"""

from __future__ import annotations

import re

from .text import split_outside_brackets

YEAR_PHRASE = re.compile(r"(?:到|至|在|于)?((?:19|20)\d\d)\s*年(?:底|末)?(?:前)?")
LEADING = re.compile(
    r"^(?:[、和及与并且而，,]|已经|到|至|确保|保证(?!率)|保障(?!率)|力争|争取|实现|推动|促进|使|让|要|其中|同时|努力|基本|"
    r"进一步|以后|此后|全市|全区|全县|全省|全州|全域|全旗|全镇|全乡|在?\d+年内|在?[一二三四五]年内)+"
)
TRAILING = re.compile(r"(?:分别|均|各|要|应|一般|力争|争取|逐步|将|需|必须|的目标|的|，|、)+$")
# a counting-unit qualifier inside a name: "接种率以镇（街道）为单位"
PER_UNIT = re.compile(r"以[^，,。以]{1,14}为单位")
# a name ending like this is a measurable quantity
METRIC = re.compile(r"(率|数|比例|比重|比|量|寿命|年限|时间|指数|面积|人次|覆盖面|占比)$")
# population / object words that open a name ("5岁以下儿童" + 死亡率)
ENTITY = re.compile(
    "|".join(
        sorted(
            "儿童 妇女 女性 男性 婴儿 新生儿 婴幼儿 幼儿 孕产妇 孕妇 产妇 学生 小学生 初中生 高中生 中学生 "
            "中小学生 大学生 青少年 未成年人 老年人 残疾人 女职工 职工 人口 居民 家庭 女干部 干部 孤儿 人员 "
            "食品 药品 化妆品 用品 产品 消费品".split(),
            key=len,
            reverse=True,
        )
    )
)


# an age written before a population word: "0—6岁", "3岁以下", "6个月内"
AGE = r"(?:\d+(?:[-—～~至]\d+)?(?:周岁|岁|个月)(?:以下|以上|内)?)?"


def years_in(text: str) -> list[int]:
    return [int(y) for y in YEAR_PHRASE.findall(text)]


def clean_name(text: str) -> str:
    name = PER_UNIT.sub("", YEAR_PHRASE.sub("", text))
    name = re.sub(r"\s+", "", name)
    for left, right in ("（）", "“”", "()"):
        if name.count(left) != name.count(right):  # a bracket opened before the clause
            name = name.replace(left, "").replace(right, "")
    for _ in range(3):
        name = LEADING.sub("", TRAILING.sub("", name))
    return name


def _subject_end(item: str) -> int:
    """End of the last population/object word in ``item`` (0 when none)."""
    ends = [m.end() for m in ENTITY.finditer(item)]
    return ends[-1] if ends else 0


def with_subject(name: str, previous: str) -> str:
    """A short name without a subject borrows the subject of the previous name in its sentence:
    "保障率" after "孤儿…基本生活养育标准", "床位" after "每千名儿童拥有儿科执业（助理）医生"; a bare
    population ("初中生" after "小学生每天睡眠时间") borrows the previous name's metric instead."""
    end = _subject_end(previous)
    if ENTITY.fullmatch(name) and 0 < end < len(previous) and ENTITY.fullmatch(previous[:end]):
        return name + previous[end:]
    if len(name) > 4 or _subject_end(name):
        return name
    return previous[:end] + name


def subject_first(name: str) -> str:
    """ "每天睡眠时间小学生" (a metric, then its population) reads as "小学生每天睡眠时间"."""
    m = re.search(f"(?:{ENTITY.pattern})$", name)
    if m and m.start() > 0 and METRIC.search(name[: m.start()]) and not _subject_end(name[: m.start()]):
        return m.group() + name[: m.start()]
    return name


def subject_from_context(name: str, context: str) -> str:
    """A bare metric ("访视率") whose subject is in an earlier clause of its sentence
    ("加强新生儿规范化访视，访视率保持在90%以上"): the population and age before the metric's stem."""
    stem = name[:-1] if name.endswith("率") else ""
    if len(name) > 4 or _subject_end(name) or not stem or stem not in context:
        return name
    before = context[: context.rindex(stem)]
    found = list(re.finditer(f"{AGE}(?:{ENTITY.pattern})", before))
    if not found:
        return name
    subject = found[-1]
    return subject.group() + before[subject.end() :] + name


def _head(donor: str, before_donor: str) -> str:
    """The metric head of ``donor`` shared with items that lack one."""
    cut = _subject_end(donor) or len(before_donor)
    head = donor[cut:]
    return head if 0 < cut < len(donor) else ""


def fill_items(items: list[str]) -> list[str]:
    """Complete the items of a distributive list with the shared subject and metric head."""
    first_subject = items[0][: _subject_end(items[0])]
    share_subject = bool(first_subject) and len(first_subject) < len(items[0])
    out = []
    for i, item in enumerate(items):
        name = item
        if i and share_subject and not _subject_end(item):
            name = first_subject + name
        if not METRIC.search(item):
            donor = next((j for j in range(i + 1, len(items)) if METRIC.search(items[j])), None)
            if donor is not None:
                name += _head(items[donor], items[donor - 1])
        out.append(name)
    return out


def split_names(name: str, n_values: int, distributive: bool, shared: bool) -> list[str]:
    """Indicator names of one name phrase.

    ``distributive`` (分别) with as many items as values: one name per item. ``shared`` (均) or a
    plain list of complete metrics ("3岁以下儿童系统管理率和7岁以下儿童健康管理率"): each item
    takes the one value. Anything else stays one name ("公办幼儿园和普惠性民办幼儿园覆盖率").
    """
    items = [p for _, p in split_outside_brackets(name, "、和及与") if p]
    if len(items) < 2:
        return [name]
    if distributive and n_values == len(items):
        return fill_items(items)
    if n_values == 1:
        if shared:
            filled = fill_items(items)
            if all(METRIC.search(x) for x in filled):
                return filled
        elif all(METRIC.search(x) for x in items):
            return items
    return [name]
