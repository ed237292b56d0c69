"""Payloads of the API and the pages (the JSON twin of a page is exactly its payload), with no HTTP in them.

Graph data comes from SPARQL (``service.queries``); search, similarity and gaps from the search engine.
Errors: ``NotFound`` (404), ``ValueError`` (400), ``service.resources.NotReady`` (503).
"""

from __future__ import annotations

from .agencies import agencies_list, agency_detail, agency_graph, co_agencies, responsibility_rows
from .common import NotFound, resolve_unit
from .indicators import indicator_compare, indicator_rows, indicators_list, norm_name
from .laws import law_detail, laws_list
from .plans import domains_list, find_plan, plan_detail, plans_list
from .responsibility import agency_coverage
from .search import SEARCH_FILTERS, gaps, search, similar
from .side_by_side import compare
from .units import unit_detail

__all__ = [
    "NotFound",
    "resolve_unit",
    "plans_list",
    "find_plan",
    "plan_detail",
    "domains_list",
    "unit_detail",
    "compare",
    "agencies_list",
    "agency_detail",
    "agency_graph",
    "co_agencies",
    "agency_coverage",
    "responsibility_rows",
    "laws_list",
    "law_detail",
    "indicator_rows",
    "indicators_list",
    "indicator_compare",
    "norm_name",
    "SEARCH_FILTERS",
    "search",
    "similar",
    "gaps",
]
