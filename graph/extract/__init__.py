"""Extraction stage: agencies, laws and quantified indicators of plan units.

Pure functions over text; the lexicons live next to the code (``agencies.tsv``, ``laws.tsv``).
"""

from __future__ import annotations

from graph.model import KEY_PROJECT, ParsedFile, Unit

from .agencies import agency_types, find_agencies
from .indicator_concepts import concept_key
from .indicator_tables import parse_table_value, table_indicator
from .indicators import find_indicators
from .laws import canonical_law, find_laws
from .responsible import parse_responsible, responsible_mentions
from .spans import place_preamble, place_unit
from .version import extractor_version

__all__ = [
    "extract_file",
    "extract_unit",
    "find_agencies",
    "parse_responsible",
    "responsible_mentions",
    "agency_types",
    "find_laws",
    "canonical_law",
    "find_indicators",
    "concept_key",
    "parse_table_value",
    "table_indicator",
    "extractor_version",
]


def extract_unit(unit: Unit, region: str, level: str, plan_end_year: int | None, source_text: str = "") -> Unit:
    """Fill ``unit.agencies``, ``unit.laws`` and ``unit.indicators``.

    A key project's "（责任单位：…）" is moved out of its text into ``unit.responsible``; those
    units become agency mentions with role lead (first) / partner (others) and replace a
    running-text mention of the same agency type. Output follows text order, responsible last.
    ``source_text``: the file's text (``ParsedFile.text``); given, every agency and law mention gets
    its ``span`` in it.
    """
    responsible = []
    if unit.kind == KEY_PROJECT:
        text, names = parse_responsible(unit.text)
        if names:
            unit.text, unit.responsible = text, names
        responsible = responsible_mentions(unit.responsible, region, level)
    keys = {m.key for m in responsible}
    unit.agencies = [m for m in find_agencies(unit.text, region, level) if m.key not in keys]
    unit.agencies += responsible
    unit.laws = find_laws(unit.text)
    unit.indicators = find_indicators(unit.text, plan_end_year)
    if source_text:
        place_unit(unit, responsible, source_text)
    return unit


def extract_file(parsed: ParsedFile) -> ParsedFile:
    """Agencies, laws and indicators for every unit and table row of a parsed file (in place)."""
    for plan in parsed.plans:
        plan.preamble_laws = find_laws(plan.preamble)
        if parsed.text:
            place_preamble(plan, parsed.text)
        for _, unit in plan.units():
            extract_unit(unit, plan.region, plan.level, plan.period_end, parsed.text)
        for table in plan.tables:
            for row in table.rows:
                row.indicator = table_indicator(row, table)
    return parsed
