"""Server-rendered pages (Chinese UI). Each page has its JSON twin at the same path + ``.json``."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, url_for

from graph.rdf.iri import ID, is_safe_iri
from service import payloads as data
from service.examples import EXAMPLES
from service.links import page_path

from .api import MAX_QUERY_CHARS, agency_graph_payload, search_params, text_arg, threshold_arg
from .http import page, paginate, resources

bp = Blueprint("pages", __name__)


@page(bp, "/", "home.html")
def home():
    res = resources()
    return {"plans": data.plans_list(res), "build": res.manifest().get("built_at")}


@page(bp, "/search", "search.html")
def search():
    params = search_params()
    res = resources()
    payload = {"query": params["query"], "mode": params["mode"] or "hybrid", "k": params["k"],
               "filters": params["filters"], "results": []}
    if params["query"].strip():
        payload = data.search(res, **params)
    payload["plans"] = [{"id": p["id"], "title": p["title"]} for p in data.plans_list(res)]
    payload["domains"] = [{"concept": d["concept"], "label": d["label"]} for d in data.domains_list(res)]
    return payload


@page(bp, "/similar/<path:uid>", "similar.html")
def similar(uid):
    return data.similar(resources(), uid, threshold_arg())


@page(bp, "/gaps", "gaps.html")
def gaps():
    return data.gaps(resources(), text_arg("q", MAX_QUERY_CHARS))


@page(bp, "/plans", "plans.html")
def plans():
    return paginate(data.plans_list(resources()))


@page(bp, "/plans/<pid>", "plan.html")
def plan(pid):
    return data.plan_detail(resources(), pid)


@page(bp, "/domains", "domains.html")
def domains():
    return {"items": data.domains_list(resources())}


@page(bp, "/units/<path:uid>", "unit.html")
def unit(uid):
    return data.unit_detail(resources(), uid)


@page(bp, "/agencies", "agencies.html")
def agencies():
    return paginate(data.agencies_list(resources()), default_per_page=100)


@page(bp, "/agencies/<path:aid>", "agency.html")
def agency(aid):
    return data.agency_detail(resources(), aid)


@page(bp, "/agency-graph", "agency_graph.html")
def agency_graph():
    payload = agency_graph_payload()
    res = resources()
    payload["plans"] = [{"id": p["id"], "title": p["title"]} for p in data.plans_list(res)]
    payload["domains"] = [{"concept": d["concept"], "label": d["label"]} for d in data.domains_list(res)]
    return payload


@page(bp, "/laws", "laws.html")
def laws():
    return paginate(data.laws_list(resources()), default_per_page=100)


@page(bp, "/laws/<lid>", "law.html")
def law(lid):
    return data.law_detail(resources(), lid)


@page(bp, "/indicators", "indicators.html")
def indicators():
    return paginate(data.indicators_list(resources()), default_per_page=100)


@page(bp, "/indicators/compare", "indicator_compare.html")
def indicator_compare():
    name = text_arg("name", MAX_QUERY_CHARS).strip()
    if not name:
        return {"name": "", "matched_names": [], "rows": [], "plans": 0,
                "suggestions": data.indicators_list(resources())[:30]}
    return data.indicator_compare(resources(), name)


@bp.get("/sparql.json")
def sparql_examples():
    return jsonify({"endpoint": url_for("sparql.endpoint", _external=True), "examples": EXAMPLES})


@bp.get("/id/<path:local_id>")
def resolve(local_id):
    """Dereference a PlanKG IRI (https://w3id.org/plankg/id/…) to its page (303 See Other)."""
    path = page_path(ID + local_id) if is_safe_iri(ID + local_id) and local_id.isprintable() else None
    if not path:
        abort(404)
    return redirect(path, code=303)
