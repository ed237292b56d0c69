"""JSON API under /api/ (documented in /api/openapi.json)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from . import data
from .ids import page_path
from .openapi import openapi_document
from .views import api_view, int_arg, paginate, resources

bp = Blueprint("api", __name__, url_prefix="/api")

MODES = ("hybrid", "bm25", "dense")


def search_params() -> dict:
    mode = request.args.get("mode") or None
    if mode and mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    filters = {k: request.args.get(k, "").strip() for k in data.SEARCH_FILTERS if request.args.get(k, "").strip()}
    return {"query": request.args.get("q", ""), "k": int_arg("k", 10, 1, 100), "mode": mode, "filters": filters}


@bp.get("/")
@api_view
def index():
    links = {name: url_for(f"api.{name}") for name in
             ("openapi", "health", "search", "gaps", "plans", "domains", "agencies", "laws", "indicators",
              "indicator_compare", "agency_graph")}
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
    return {"status": "ok", "triples": store.triple_count(), "search_loaded": res._engine is not None,
            "build": {k: v for k, v in res.manifest().items() if k in ("built_at", "plans", "files", "triples")}}


@bp.get("/search")
@api_view
def search():
    return data.search(resources(), **search_params())


@bp.get("/similar/<path:uid>")
@api_view
def similar(uid):
    threshold = request.args.get("threshold")
    return data.similar(resources(), uid, float(threshold) if threshold else None)


@bp.get("/gaps")
@api_view
def gaps():
    return data.gaps(resources(), request.args.get("q", ""))


@bp.get("/plans")
@api_view
def plans():
    return paginate(data.plans_list(resources()))


@bp.get("/plans/<pid>")
@api_view
def plan(pid):
    return data.plan_detail(resources(), pid)


@bp.get("/domains")
@api_view
def domains():
    return {"items": data.domains_list(resources())}


@bp.get("/units/<path:uid>")
@api_view
def unit(uid):
    return data.unit_detail(resources(), uid)


@bp.get("/agencies")
@api_view
def agencies():
    return paginate(data.agencies_list(resources()))


@bp.get("/agencies/<path:aid>")
@api_view
def agency(aid):
    return data.agency_detail(resources(), aid)


@bp.get("/laws")
@api_view
def laws():
    return paginate(data.laws_list(resources()))


@bp.get("/laws/<lid>")
@api_view
def law(lid):
    return data.law_detail(resources(), lid)


@bp.get("/indicators")
@api_view
def indicators():
    return paginate(data.indicators_list(resources()))


@bp.get("/indicators/compare")
@api_view
def indicator_compare():
    name = request.args.get("name", "").strip()
    if not name:
        raise ValueError("name is required, e.g. ?name=5岁以下儿童死亡率")
    return data.indicator_compare(resources(), name)


def graph_args() -> dict:
    view = request.args.get("view", "agencies")
    if view not in ("agencies", "domains"):
        raise ValueError("view must be agencies or domains")
    return {"plan": request.args.get("plan") or None, "domain": request.args.get("domain") or None,
            "view": view, "role": request.args.get("role") or None}


def agency_graph_payload() -> dict:
    from graph.views import agencies as views
    args = graph_args()
    G = data.agency_graph(resources(), **args)
    elements = views.to_cytoscape(G)
    for node in elements["nodes"]:
        d = node["data"]
        d["url"] = page_path(d["id"]) if d.get("kind") == "agency" else \
            url_for("pages.domains") + "#" + d["id"].split(":", 1)[-1]
    qs = request.query_string.decode()
    suffix = f"?{qs}" if qs else ""
    return {"filters": args, "summary": views.summary(G), "elements": elements,
            "downloads": {"graphml": url_for("api.agency_graph_graphml") + suffix,
                          "gexf": url_for("api.agency_graph_gexf") + suffix}}


@bp.get("/agency-graph")
@api_view
def agency_graph():
    return agency_graph_payload()


def _graph_file(fmt: str):
    from graph.views import agencies as views
    G = data.agency_graph(resources(), **graph_args())
    body = views.to_graphml(G) if fmt == "graphml" else views.to_gexf(G)
    mime = "application/graphml+xml" if fmt == "graphml" else "application/gexf+xml"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="agency-graph.{fmt}"'})


@bp.get("/agency-graph.graphml")
@api_view
def agency_graph_graphml():
    return _graph_file("graphml")


@bp.get("/agency-graph.gexf")
@api_view
def agency_graph_gexf():
    return _graph_file("gexf")
