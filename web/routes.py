"""The route table: every resource of the site declared once, as data.

One ``Route`` gives
* ``/api<rule>``: its payload as JSON (``web.api``), unless ``api=False``;
* ``<rule>``: the HTML page rendered from ``template``, and ``<rule>.json``: the same payload (``web.pages``);
* its entry in ``/api/openapi.json`` (``web.openapi``).
Query parameters are parsed and checked by their declarations (``web.params``), so the document and the
behaviour cannot drift apart. A payload function takes the resources of the request and a dict of the path
variables and the parsed query parameters; paginated lists return the whole list and ``page_size`` pages it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request

from graph.rdf.ns import ONTOLOGY_TTL, SHAPES_TTL
from service import payloads as data
from service.payloads import linked
from service.resources import Resources

from . import check as check_view
from .http import call, json_response, paginate, resources, with_links
from .params import Param, PathParam, parse_query, rule_variables
from .responsibility import SECTOR_SCOPE, SECTOR_UNITS_PARAMS, sector_units, sector_view
from .route_adapters import (
    GRAPH_PARAMS,
    SEARCH_PARAMS,
    agency_graph,
    compare,
    home,
    resource,
    search,
)

Payload = Callable[[Resources, dict], Any]
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Route:
    """One resource: its path rule (without ``/api``), what it answers and how it is shown."""

    name: str  # endpoint: api.<name>, pages.<name>, pages.<name>_json
    rule: str  # Flask rule, e.g. "/plans/<id>"; its variables are ``path``
    summary: str
    payload: Payload
    answer: str  # what the 200 answer holds
    template: str | None = None  # the HTML page (none: no page and no .json twin)
    path: tuple[PathParam, ...] = ()
    query: tuple[Param, ...] = ()
    page_size: int | None = None  # a paginated list: ?page=&per_page= with this default
    schema: str | None = None  # name in components/schemas of the 200 answer
    api: bool = True  # also at /api<rule>
    rdf: Payload | None = None  # an RDF graph (or Turtle file): by Accept and at <rule>.ttl|.jsonld|.nt|.rdf
    methods: tuple[str, ...] = ("GET",)  # of the JSON (/api and .json twin); the page is GET only

    def __post_init__(self):
        assert rule_variables(self.rule) == [p.name for p in self.path], f"{self.rule}: declare each variable"
        assert self.api or self.template, f"{self.rule}: neither API nor page"

    @property
    def params(self) -> tuple[Param, ...]:
        """Every query parameter, paging included."""
        if self.page_size is None:
            return self.query
        return self.query + (
            Param(
                "page",
                "page number (1-based); past the last page: the last page",
                type="integer",
                default=1,
                minimum=1,
                clamp=True,
            ),
            Param(
                "per_page",
                "items per page",
                type="integer",
                default=self.page_size,
                minimum=1,
                maximum=MAX_PER_PAGE,
                clamp=True,
            ),
        )

    @property
    def json_endpoint(self) -> str:
        """The endpoint of its JSON (the API, else the page's twin): pagination links point there."""
        return f"api.{self.name}" if self.api else f"pages.{self.name}_json"

    def make(self, **path: str) -> Any:
        """The payload for the current request (ValueError: a bad parameter, 400)."""
        args = {**parse_query(self.params, request.args), **path}
        body = self.payload(resources(), args)
        if self.page_size is None:
            return body
        extra = {}
        if isinstance(body, dict):  # {"items": [...], and what the page says about the whole list}
            extra = {k: v for k, v in body.items() if k != "items"}
            body = body["items"]
        return {**with_links(paginate(body, args["page"], args["per_page"]), self.json_endpoint), **extra}


def json_view(route: Route, endpoint: str) -> Callable:
    """The view answering ``route``'s payload as JSON (its /api path or its page's .json twin)."""

    def view(**path):
        return json_response(*call(route.make, path))

    view.__name__ = endpoint
    view.__doc__ = route.summary
    view.methods = route.methods  # type: ignore[attr-defined]  # read by Flask's add_url_rule
    return view


# ----------------------------------------------------------------------------- the table

UNIT = PathParam("unit", "unit path (plan/…/measure/3), IRI or search id (file:L12)")

ROUTES: tuple[Route, ...] = (
    Route(
        "home",
        "/",
        "Home page: the plans and the build time",
        home,
        "plans and build time",
        template="home.html",
        api=False,
    ),
    Route(
        "search",
        "/search",
        "Search goals, measures and key projects (hybrid BM25 + dense)",
        search,
        "results, one per duplicate-text group, and the plans and domains to filter by",
        template="search.html",
        query=SEARCH_PARAMS,
        schema="SearchResults",
    ),
    Route(
        "similar",
        "/similar/<path:unit>",
        "Counterparts of a unit in the other plans",
        lambda res, a: data.similar(res, a["unit"], a["threshold"]),
        "source unit and its counterparts",
        template="similar.html",
        path=(UNIT,),
        query=(Param("threshold", "minimum calibrated similarity", type="number", minimum=-1, maximum=1),),
    ),
    Route(
        "gaps",
        "/gaps",
        "Plans with nothing on a topic",
        lambda res, a: data.gaps(res, a["q"]),
        "gaps (uncovered plans) and coverage of every plan",
        template="gaps.html",
        query=(Param("q", "topic; without it the answer has no coverage", default=""),),
    ),
    Route(
        "plans",
        "/plans",
        "Plans",
        lambda res, a: data.plans_list(res),
        "paginated list of plans",
        template="plans.html",
        page_size=50,
        schema="Page",
    ),
    Route(
        "plan",
        "/plans/<id>",
        "One plan: domains with goals/measures, key projects, indicator tables, laws",
        lambda res, a: data.plan_detail(res, a["id"]),
        "the plan",
        template="plan.html",
        path=(PathParam("id", "plan id (12 hex digits) or IRI"),),
    ),
    Route(
        "domains",
        "/domains",
        "Domain concepts shared across plans",
        lambda res, a: {"items": data.domains_list(res)},
        "concepts with each plan's domain",
        template="domains.html",
    ),
    Route(
        "unit",
        "/units/<path:unit>",
        "One goal/measure/key project with agencies, laws, indicators, counterparts",
        lambda res, a: data.unit_detail(res, a["unit"]),
        "the unit",
        template="unit.html",
        path=(UNIT,),
    ),
    Route(
        "compare",
        "/compare",
        "2–4 units side by side, each text marked where it shares wording with the others",
        compare,
        "columns (unit, marked text segments, agencies, indicators, laws) and the first unit's counterparts",
        template="compare.html",
        query=(Param("units", "2–4 unit paths or IRIs, repeated or comma-separated", default="", max_length=1200),),
    ),
    Route(
        "agencies",
        "/agencies",
        "Agencies with unit counts",
        lambda res, a: {"items": data.agencies_list(res), "coverage": data.agency_coverage(res)["by_kind"]},
        "paginated list of agencies",
        template="agencies.html",
        page_size=100,
        schema="Page",
    ),
    Route(
        "agency",
        "/agencies/<path:id>",
        "One agency: its units by plan and domain, lead vs partner",
        lambda res, a: data.agency_detail(res, a["id"]),
        "the agency",
        template="agency.html",
        path=(PathParam("id", "region hash/type key, e.g. 38150fb2d76a/health"),),
    ),
    Route(
        "laws",
        "/laws",
        "Cited laws and policy documents",
        lambda res, a: data.laws_list(res),
        "paginated list of cited documents",
        template="laws.html",
        page_size=100,
        schema="Page",
    ),
    Route(
        "law",
        "/laws/<id>",
        "One cited document and the plans/units citing it",
        lambda res, a: data.law_detail(res, a["id"]),
        "the law",
        template="law.html",
        path=(PathParam("id", "law id"),),
    ),
    Route(
        "indicators",
        "/indicators",
        "Indicator names with the number of plans targeting them",
        lambda res, a: data.indicators_list(res),
        "paginated list of indicator names",
        template="indicators.html",
        page_size=100,
        schema="Page",
    ),
    Route(
        "indicator_compare",
        "/indicators/compare",
        "One indicator across plans (targets, years, baselines)",
        lambda res, a: data.indicator_compare(res, a["name"]),
        "rows per plan",
        template="indicator_compare.html",
        query=(Param("name", "indicator name", required=True, example="5岁以下儿童死亡率"),),
    ),
    Route(
        "agency_graph",
        "/agency-graph",
        "Agency co-responsibility graph of a plan or region (Cytoscape.js elements + centrality)",
        agency_graph,
        "graph elements (summed by agency type above 120 agencies: aggregated), summary, downloads, filters",
        template="agency_graph.html",
        query=GRAPH_PARAMS,
    ),
    Route(
        "sectors",
        "/sectors",
        "Responsibility by agency type across plans: co-responsibility graph and sector × domain matrix",
        sector_view,
        "scope, filters with plan counts, graph (capped: notices), matrix, links to the units, downloads",
        template="sectors.html",
        query=SECTOR_SCOPE,
    ),
    Route(
        "sector_units",
        "/sectors/units",
        "The units behind a node (sector), an edge (sector + with) or a cell (sector + domain) of /sectors",
        sector_units,
        "one page of units with plan, domain, text and the agencies they name (their roles)",
        template="sector_units.html",
        query=SECTOR_UNITS_PARAMS,
    ),
    Route(
        "resource",
        "/resource/<path:iri>",
        "Any node of the graph: its types, properties and incoming links (RDF: /id/<iri>)",
        resource,
        "label, types, properties with values, incoming links and the node's RDF addresses",
        template="resource.html",
        path=(PathParam("iri", "the IRI after https://w3id.org/plankg/id/, e.g. concept/children-health"),),
        api=False,
    ),
    Route(
        "ontology",
        "/ontology",
        "The PlanKG ontology (https://w3id.org/plankg/ontology#): classes and properties with an example each",
        lambda res, a: linked.ontology_detail(res),
        "terms with zh/en labels, comments, domain, range, counts and examples; RDF by Accept or /ontology.ttl",
        template="ontology.html",
        api=False,
        rdf=lambda res, a: ONTOLOGY_TTL,
    ),
    Route(
        "shapes",
        "/shapes",
        "The SHACL shapes every build is validated against, with their constraints and messages",
        lambda res, a: linked.shapes_detail(res),
        "node shapes with targets and property constraints; RDF by Accept or /shapes.ttl",
        template="shapes.html",
        api=False,
        rdf=lambda res, a: SHAPES_TTL,
    ),
    Route(
        "check",
        "/check",
        "Check a draft plan against the plans of the graph: counterparts, missing topics, targets (nothing stored)",
        check_view.check_resource,
        "GET: the plans a draft is checked against and the filters (with against: the peers it selects); "
        "POST the draft: the report (README, Checking a draft), or with format=html|docx|csv a download",
        template="check.html",
        query=(check_view.AGAINST,),
        schema="CheckForm",
        methods=("GET", "POST"),
    ),
)
