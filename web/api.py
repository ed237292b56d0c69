"""JSON API under /api/ (documented in /api/openapi.json)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from graph.views import agencies as views
from service import labels
from service import payloads as data
from service.links import page_path

from .http import api_view, int_arg, paginate, resources
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")

MODES = ("hybrid", "bm25", "dense")
MAX_QUERY_CHARS = 200       # q of search and gaps, indicator names
MAX_FILTER_CHARS = 200      # any other text parameter
# filters with a closed set of values: anything else is a 400, not an empty result
CLOSED_FILTERS = {"kind": labels.KIND, "plan_type": labels.PLAN_TYPE, "level": labels.LEVEL}


def text_arg(name: str, limit: int = MAX_FILTER_CHARS) -> str:
    """A text parameter, at most ``limit`` characters (ValueError -> 400 with the reason)."""
    value = request.args.get(name, "")
    if len(value) > limit:
        raise ValueError(f"{name} is too long: {len(value)} characters, at most {limit}")
    return value


def search_params() -> dict:
    mode = text_arg("mode") or None
    if mode and mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    filters = {k: text_arg(k).strip() for k in data.SEARCH_FILTERS if request.args.get(k, "").strip()}
    for key, allowed in CLOSED_FILTERS.items():
        if key in filters and filters[key] not in allowed:
            raise ValueError(f"{key} must be one of {', '.join(allowed)}")
    return {"query": text_arg("q", MAX_QUERY_CHARS), "k": int_arg("k", 10, 1, 100), "mode": mode,
            "filters": filters}


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
            "query_workers": res.generation.query_workers(),
            "build": {k: v for k, v in res.manifest().items() if k in ("built_at", "plans", "files", "triples")}}


@bp.get("/search")
@api_view
def search():
    return data.search(resources(), **search_params())


@bp.get("/similar/<path:uid>")
@api_view
def similar(uid):
    return data.similar(resources(), uid, threshold_arg())


def threshold_arg():
    threshold = text_arg("threshold")
    if not threshold:
        return None
    try:
        value = float(threshold)
    except ValueError:
        raise ValueError("threshold must be a number between -1 and 1") from None
    if not -1.0 <= value <= 1.0:       # also rejects nan and inf
        raise ValueError("threshold must be a number between -1 and 1")
    return value


@bp.get("/gaps")
@api_view
def gaps():
    return data.gaps(resources(), text_arg("q", MAX_QUERY_CHARS))


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
    name = text_arg("name", MAX_QUERY_CHARS).strip()
    if not name:
        raise ValueError("name is required, e.g. ?name=5岁以下儿童死亡率")
    return data.indicator_compare(resources(), name)


def graph_args() -> dict:
    view = text_arg("view") or "agencies"
    if view not in ("agencies", "domains"):
        raise ValueError("view must be agencies or domains")
    role = text_arg("role") or None
    if role and not set(role.split(",")) <= set(labels.ROLE):
        raise ValueError(f"role must be a comma-separated list of {', '.join(labels.ROLE)}")
    return {"plan": text_arg("plan") or None, "domain": text_arg("domain") or None, "view": view, "role": role}


def agency_graph_payload() -> dict:
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
