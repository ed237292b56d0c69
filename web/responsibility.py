"""The adapters and parameters of the responsibility views across plans (/sectors, /sectors/units), declared
in the route table of ``web.routes``; the downloads (GraphML, GEXF, CSV) are in ``web.api``."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for

from service import labels
from service.payloads import sector_units as unit_payloads
from service.payloads import sectors as sector_payloads
from service.resources import Resources

from .params import Param

SECTOR_SCOPE = (
    Param("plan_type", "plan type", enum=tuple(labels.PLAN_TYPE)),
    Param("level", "administrative level", enum=tuple(labels.LEVEL)),
    Param("region", "region, e.g. 杭州市 (or a part of it)"),
    Param("period", "e.g. 2021-2030, or a year inside the plans' period"),
    Param(
        "role",
        "roles counted: all (lead, partner and mentions), lead,partner or lead",
        enum=sector_payloads.ROLE_SCOPES,
        default="all",
    ),
)
SECTOR_UNITS_PARAMS = (
    Param("page", "page number (1-based); past the last page: the last page", type="integer", default=1, minimum=1),
    Param("per_page", "units per page", type="integer", default=50, minimum=1, maximum=200, clamp=True),
    Param("sector", "agency type key, e.g. health", required=True, example="health"),
    Param("with", "a second agency type: the units naming both (an edge of the sector graph)"),
    Param("domain", "domain concept key, key-projects or other: the units of one matrix column"),
    Param("plan", "plan id, IRI or part of its title"),
    *SECTOR_SCOPE,
)


def sector_view(res: Resources, args: dict) -> dict:
    """The sector graph and matrix of a scope, with their downloads."""
    qs = request.query_string.decode()
    suffix = f"?{qs}" if qs else ""
    downloads = {fmt: url_for(f"api.sectors_{fmt}") + suffix for fmt in ("graphml", "gexf", "csv")}
    payload = sector_payloads.sector_view(res, sector_payloads.scope_filters(args), args["role"])
    return {**payload, "downloads": downloads}


def sector_units(res: Resources, args: dict) -> dict:
    """One page of the units behind a node, an edge or a cell of the sector view."""
    found = unit_payloads.sector_units(
        res,
        args["sector"],
        sector_payloads.scope_filters(args),
        args["role"],
        other=args["with"],
        domain=args["domain"],
        page=args["page"],
        per_page=args["per_page"],
    )

    def link(n: int) -> str | None:
        return f"?{urlencode({**request.args.to_dict(), 'page': n})}" if 1 <= n <= found["pages"] else None

    return {**found, "next": link(found["page"] + 1), "prev": link(found["page"] - 1)}
