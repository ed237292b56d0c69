"""What the route table's entries take and do beyond a plain payload call: the parameters of search and the
agency graph, and the adapters from parsed parameters (and, where a route needs it, the raw request) to the
payload functions of ``service.payloads``. Declared here so that ``web.routes`` stays the table itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request, url_for

from service import labels
from service import payloads as data
from service.payloads import agencies as agency_payloads
from service.payloads import linked
from service.resources import Resources

from .params import Param

MAX_SEARCH_OFFSET = 10_000  # /search?offset=: how deep paging may go (a 400 beyond)


# ----------------------------------------------------------------------------- parameters


def choice(name: str, description: str, values: Iterable[str], **kw: Any) -> Param:
    return Param(name, description, enum=tuple(values), **kw)


SEARCH_PARAMS = (
    Param("q", "query text; without it the answer has no results, only the form's choices", default=""),
    Param("k", "number of results", type="integer", default=10, minimum=1, maximum=100, clamp=True),
    choice(
        "mode", "ranking: BM25 and dense fused, BM25 only, or dense only", ("hybrid", "bm25", "dense"), default="hybrid"
    ),
    Param(
        "offset",
        "results to skip: the page starting at rank offset + 1 (offset = (page - 1) x k); past the total: none",
        type="integer",
        default=0,
        minimum=0,
        maximum=MAX_SEARCH_OFFSET,
    ),
    Param(
        "expand",
        "1: also search the plan terms the thesaurus gives for everyday words (家暴: 家庭暴力); 0: the words only",
        type="integer",
        default=1,
        minimum=0,
        maximum=1,
    ),
    choice("group", "plan: the results grouped per plan, with counts", ("plan",)),
    Param("plan", "plan id, IRI or part of its title"),
    choice("plan_type", "plan type", labels.PLAN_TYPE),
    Param("region", "region, e.g. 杭州市"),
    choice("level", "administrative level", labels.LEVEL),
    Param("domain", "domain concept, e.g. children-safety (or topic: safety)"),
    choice("kind", "kind of unit", labels.KIND),
    Param("agency", "agency type key or name"),
    Param("law", "cited law title (part)"),
    Param("period", "e.g. 2021-2030 or a year"),
)
assert {p.name for p in SEARCH_PARAMS} >= set(data.SEARCH_FILTERS)

GRAPH_PARAMS = (
    Param("plan", "plan id, IRI or part of its title"),
    Param("region", "region of the plans, e.g. 杭州市 (or a part of it)"),
    Param("domain", "domain concept key or topic"),
    choice(
        "view", "agencies (co-responsibility) | domains (agency–domain)", ("agencies", "domains"), default="agencies"
    ),
    choice("role", "roles to keep (lead,partner,mentioned for all)", labels.ROLE, listed=True, default="lead,partner"),
)


# ----------------------------------------------------------------------------- payload adapters


def form_choices(res: Resources) -> dict:
    """The plans and domains a filter form offers."""
    return {
        "plans": [{"id": p["id"], "title": p["title"]} for p in data.plans_list(res)],
        "domains": [{"concept": d["concept"], "label": d["label"]} for d in data.domains_list(res)],
    }


def search(res: Resources, args: dict) -> dict:
    filters = {key: args[key] for key in data.SEARCH_FILTERS if args[key]}
    found = data.search(  # without q: no results, only the form's choices
        res, args["q"], args["k"], args["mode"], filters, args["offset"], bool(args["expand"]), args["group"]
    )
    return {**found, **form_choices(res)}


def graph_filters(args: dict) -> dict:
    """The agency-graph filters of parsed ``GRAPH_PARAMS``."""
    return {key: args[key] for key in ("plan", "region", "domain", "view", "role")}


def agency_graph(res: Resources, args: dict) -> dict:
    """The per-agency graph of a scope (summed by agency type above the page's cap), with its downloads."""
    qs = request.query_string.decode()
    suffix = f"?{qs}" if qs else ""
    downloads = {fmt: url_for(f"api.agency_graph_{fmt}") + suffix for fmt in ("graphml", "gexf")}
    return {**agency_payloads.agency_graph_page(res, **graph_filters(args)), "downloads": downloads}


def compare(res: Resources, args: dict) -> dict:
    units = [u for v in request.args.getlist("units") for u in v.split(",")] or [args["units"] or ""]
    return data.compare(res, units)


def home(res: Resources, args: dict) -> dict:
    return {"plans": data.plans_list(res), "build": res.manifest().get("built_at")}


def resource(res: Resources, args: dict) -> dict:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    raw = raw.split("?", 1)[0].removeprefix("/resource/").removesuffix(".json") if raw.startswith("/resource/") else ""
    return linked.resource_detail(res, args["iri"], raw or None)
