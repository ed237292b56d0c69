"""Indicator tables flattened to one cell per line (序号 / 指标 / 2020年 / 2025年 …)."""

from __future__ import annotations

import re

from ..model import IndicatorTable, TableRow
from .lines import Line, source_of
from .numbering import numbering

CAPTION = re.compile(r"(?:指标|目标)[^，。；]{0,12}表$")
YEAR = re.compile(r"^(\d{4})\s*年?")
HAN = re.compile(r"[\u4e00-\u9fff]")
VALUE = re.compile(r"^[<>＜＞≤≥≦≧~～约达到以上下内左右\d.．%‰/—\-－\s]+$")
UNIT_SUFFIX = re.compile(r"^(.*?)[（(]([^（()）]{1,12})[）)]$")


def is_value(text: str) -> bool:
    """A table value such as '5.85', '≥95%', '4‰以下' (not an outline item)."""
    return bool(VALUE.match(text))


def is_caption(line: Line) -> bool:
    return 4 <= len(line.text) <= 60 and bool(CAPTION.search(line.text)) and numbering(line.text) is None


def _cells(lines: list[Line], i: int) -> tuple[list[list[Line]], int]:
    """Rows of cell lines after a caption at ``i``; returns (groups, index after the table)."""
    j = i + 1
    while j < len(lines) and lines[j].blank and not lines[j].is_cell:
        j += 1
    tabbed = j < len(lines) and lines[j].is_cell
    if tabbed:  # groups separated by blank lines; a lone tab is an empty cell
        groups, cur = [], []
        while j < len(lines):
            line = lines[j]
            if line.is_cell:
                cur.append(line)
            elif line.raw.strip() == "":
                if cur:
                    groups.append(cur)
                    cur = []
            else:
                break
            j += 1
        if cur:
            groups.append(cur)
        return groups, j
    # untabbed: header cells until the first row number "1", rows restart at each next number
    flat = []
    while j < len(lines):
        line = lines[j]
        if not line.blank:
            if len(line.text) > 40 or (numbering(line.text) and HAN.search(line.text) and not is_value(line.text)):
                break  # the next outline item, not a cell ("5.85" and "≥95%" are values)
            flat.append(line)
        j += 1
    first = next((k for k, c in enumerate(flat) if c.text == "1"), None)
    if first is None:
        return [], i + 1
    width = first
    groups = [flat[:first]]
    for k in range(first, len(flat), width):
        groups.append(flat[k : k + width])
    return groups, j


def _cell(cells: list[str], col: int | None) -> str:
    return cells[col] if col is not None and col < len(cells) else ""


def read_table(lines: list[Line], i: int, file: str) -> tuple[IndicatorTable | None, int]:
    caption = lines[i]
    groups, end = _cells(lines, i)
    if len(groups) < 2:
        return None, i + 1
    header = [c.raw.strip() for c in groups[0]]
    years = [(k, int(m.group(1))) for k, h in enumerate(header) if (m := YEAR.match(h))]
    name_col = next((k for k, h in enumerate(header) if not YEAR.match(h) and "序号" not in h), 1)
    base_col, base_year = years[0] if len(years) >= 2 else (None, None)
    target_col, target_year = years[-1] if years else (None, None)
    table = IndicatorTable(
        caption.text,
        source_of(file, caption),
        base_year,
        target_year,
        header,
    )
    for group in groups[1:]:
        cells = [c.raw.strip() for c in group]
        if not cells or not cells[0].isdigit() or len(cells) <= name_col:
            break
        m = UNIT_SUFFIX.match(cells[name_col])
        name, unit = (m.group(1), m.group(2)) if m else (cells[name_col], None)
        src = source_of(file, group[0], group[-1])
        table.rows.append(TableRow(int(cells[0]), name, unit, _cell(cells, base_col), _cell(cells, target_col), src))
    return (table if table.rows else None), end
