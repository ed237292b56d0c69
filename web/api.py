"""JSON API under /api/ (documented in /api/openapi.json): ``/api<rule>`` of every route in ``web.routes``,
plus the hand-written index, OpenAPI document, health check and graph downloads."""

from __future__ import annotations

import gc
import os

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from graph.views import agencies as graph_views
from service import payloads as data
from service.payloads import sectors as sector_payloads

from .http import api_view, resources
from .openapi import openapi_document
from .params import parse_query
from .responsibility import SECTOR_SCOPE
from .route_adapters import GRAPH_PARAMS, graph_filters
from .routes import ROUTES, json_view

bp = Blueprint("api", __name__, url_prefix="/api")


for _route in ROUTES:
    if _route.api:
        bp.add_url_rule(_route.rule, _route.name, json_view(_route, _route.name))


@bp.get("/")
@api_view
def index():
    links = {name: url_for(f"api.{name}") for name in ("openapi", "health")}
    links.update({r.name: url_for(f"api.{r.name}") for r in ROUTES if r.api and not r.path})
    links["sparql"] = url_for("sparql.endpoint")
    return {"name": "PlanKG API", "links": links}


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.url_root.rstrip("/")))


@bp.get("/health")
@api_view
def health():
    res = resources()
    store = res.store()
    return {
        "status": "ok",
        "triples": store.triple_count(),
        "search_loaded": res._engine is not None,
        "query_workers": res.generation.query_workers(),
        "build": {k: v for k, v in res.manifest().items() if k in ("built_at", "plans", "files", "triples")},
        "process": process_facts(),
    }


def process_facts() -> dict:
    """The answering worker process: its pid, objects frozen out of the collector (inherited from the master
    by ``plankg serve``), and its response cache's fill."""
    cache = current_app.extensions.get("plankg_response_cache")
    return {"pid": os.getpid(), "gc_frozen": gc.get_freeze_count(), "response_cache": cache.stats() if cache else None}


def _graph_file(fmt: str) -> Response:
    """The agency graph of the same filters as /api/agency-graph, as a GraphML or GEXF download."""
    G = data.agency_graph(resources(), **graph_filters(parse_query(GRAPH_PARAMS, request.args)))
    body = graph_views.to_graphml(G) if fmt == "graphml" else graph_views.to_gexf(G)
    mime = "application/graphml+xml" if fmt == "graphml" else "application/gexf+xml"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="agency-graph.{fmt}"'})


@bp.get("/agency-graph.graphml")
@api_view
def agency_graph_graphml():
    return _graph_file("graphml")


@bp.get("/agency-graph.gexf")
@api_view
def agency_graph_gexf():
    return _graph_file("gexf")


def _sector_file(fmt: str) -> Response:
    """The sector graph (every edge) or the matrix of the same scope as /api/sectors, as a download."""
    args = parse_query(SECTOR_SCOPE, request.args)
    filters, role = sector_payloads.scope_filters(args), args["role"]
    if fmt == "csv":
        body: bytes = sector_payloads.matrix_csv(resources(), filters, role).encode("utf-8")
        mime = "text/csv; charset=utf-8"
    else:
        body = sector_payloads.graph_file(sector_payloads.sector_graph(resources(), filters, role), fmt)
        mime = "application/graphml+xml" if fmt == "graphml" else "application/gexf+xml"
    name = "sector-matrix.csv" if fmt == "csv" else f"sector-graph.{fmt}"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/sectors.graphml")
@api_view
def sectors_graphml():
    return _sector_file("graphml")


@bp.get("/sectors.gexf")
@api_view
def sectors_gexf():
    return _sector_file("gexf")


@bp.get("/sectors.csv")
@api_view
def sectors_csv():
    return _sector_file("csv")
