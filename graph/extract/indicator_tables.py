"""The indicator of an indicator-table row: its target cell parsed, years and baseline from the table."""

from __future__ import annotations

import re

from graph.model import Indicator, IndicatorTable, TableRow

from .indicator_concepts import concept_key
from .indicators import find_indicators
from .numbers import NUM, PER, SUFFIX, SUFFIXES, UNITS, normal_unit
from .text import normalise

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
    found = [i for i in find_indicators(s) if i.value is not None]
    if found:
        last = found[-1]
        return last.comparator, last.value, last.unit, (s if len(found) > 1 else None)
    return None, None, None, s


def table_indicator(row: TableRow, table: IndicatorTable) -> Indicator:
    """The indicator of one table row: target cell parsed, baseline value and years from the table
    (the year of a column header such as "2025年目标值" is written, not inferred)."""
    comparator, value, unit, qualitative = parse_table_value(row.target_raw)
    baseline = parse_table_value(row.baseline_raw)[1]
    row_unit = normal_unit(row.unit)
    if row_unit and re.fullmatch(r"1/[%‰]", row_unit):  # "（1/‰）" in a header means ‰
        row_unit = row_unit[2:]
    change = next((i for i in find_indicators(row.target_raw) if i.change_direction), None) if value is None else None
    if change is not None:  # "比2020年下降20%": a relative target, no value
        comparator, qualitative = change.comparator, None
    ind = Indicator(
        name=row.name,
        comparator=comparator,
        value=value,
        unit=row_unit or unit,
        year=table.target_year,
        baseline_value=baseline,
        baseline_year=table.baseline_year,
        text=row.target_raw.strip(),
        qualitative=qualitative,
        concept=concept_key(row.name),
    )
    if change is not None:
        ind.change_direction, ind.change_amount, ind.change_unit = (
            change.change_direction,
            change.change_amount,
            change.change_unit,
        )
        ind.baseline_year = change.baseline_year or ind.baseline_year
    return ind
