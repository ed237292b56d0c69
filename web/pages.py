"""Server-rendered pages (Chinese UI): ``<rule>`` of every route in ``web.routes`` that has a template, with
its JSON twin at ``<rule>.json`` (``/`` -> ``/.json``, same query string, the same payload as ``/api<rule>``),
plus the hand-written ``/sparql.json`` and the ``/id/…`` resolver."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for

from graph.rdf.iri import ID, is_safe_iri
from service.examples import EXAMPLES
from service.links import page_path

from .http import call, json_url, with_links
from .routes import ROUTES, Route, json_view

bp = Blueprint("pages", __name__)


def html_view(route: Route, template: str) -> Callable:
    def view(**path):
        status, payload = call(route.make, path)
        if status != 200:
            return render_template("error.html", error=payload, json_url=json_url()), status
        if route.page_size is not None:  # the pager stays on the pages
            payload = with_links(payload, f"pages.{route.name}")
        return render_template(template, data=payload, json_url=json_url())

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


@bp.get("/id/<path:local_id>")
def resolve(local_id):
    """Dereference a PlanKG IRI (https://w3id.org/plankg/id/…) to its page (303 See Other)."""
    path = page_path(ID + local_id) if is_safe_iri(ID + local_id) and local_id.isprintable() else None
    if not path:
        abort(404)
    return redirect(path, code=303)
