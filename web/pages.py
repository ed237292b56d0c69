"""Server-rendered pages (Chinese UI): ``<rule>`` of every route in ``web.routes`` that has a template, with
its JSON twin at ``<rule>.json`` (``/`` -> ``/.json``, same query string, the same payload as ``/api<rule>``),
plus the hand-written ``/sparql.json`` and the upload page ``/upload`` (its twin
``/upload.json``: the formats, the limit and the admin endpoints the page calls; the page itself only talks to
``/api/admin/preview`` and ``/api/admin/plans`` with the token the user pastes, kept in sessionStorage).
A route declared with ``rdf=`` answers RDF on its page when ``Accept`` asks for it (``web.linked_data``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from graph.parse.formats import supported_suffixes
from service.examples import EXAMPLES

from . import linked_data
from .http import call, json_url, settings, with_links
from .routes import ROUTES, Route, json_view

bp = Blueprint("pages", __name__)


def html_view(route: Route, template: str) -> Callable:
    rdf = linked_data.rdf_view(route, None) if route.rdf else None

    def view(**path):
        if rdf is not None and linked_data.preferred() != "html":
            return rdf(**path)
        status, payload = call(route.make, path)
        if status != 200:
            return render_template("error.html", error=payload, json_url=json_url()), status
        if route.page_size is not None:  # the pager stays on the pages
            payload = with_links(payload, f"pages.{route.name}")
        page = render_template(template, data=payload, json_url=json_url())
        return linked_data.alternates(Response(page), request.path) if rdf else page

    view.__name__ = route.name
    view.__doc__ = route.summary
    return view


for _route in ROUTES:
    if _route.template:
        bp.add_url_rule(_route.rule, _route.name, html_view(_route, _route.template))
        bp.add_url_rule(_route.rule + ".json", f"{_route.name}_json", json_view(_route, f"{_route.name}_json"))


@bp.get("/sparql.json")
def sparql_examples():
    return jsonify({"endpoint": url_for("sparql.endpoint", _external=True), "examples": EXAMPLES})


def upload_info() -> dict:
    """What the upload page needs: whether the admin API is on, the accepted suffixes, the size limit of one
    request, and the endpoints it calls."""
    cfg = settings()
    return {
        "admin_enabled": bool(cfg.admin_token),
        "formats": list(supported_suffixes()),
        "max_upload": int(cfg.max_upload),
        "endpoints": {
            "preview": url_for("admin.preview_plans"),
            "add": url_for("admin.add_plan"),
            "list": url_for("admin.list_plans"),
        },
    }


@bp.get("/upload")
def upload():
    """Upload plan files: preview what the parser finds and what adding them would do, then add them."""
    return render_template("upload.html", data=upload_info(), json_url=url_for("pages.upload_json"))


@bp.get("/upload.json")
def upload_json():
    return jsonify(upload_info())
