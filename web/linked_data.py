"""Linked data: every PlanKG IRI dereferences, with content negotiation.

* ``/id/<path>`` (``https://w3id.org/plankg/id/<path>``): ``Accept`` (q-values, ``graph.store.formats``) picks
  Turtle, JSON-LD, N-Triples or RDF/XML — 200 with the node's description (``service.describe``),
  ``Content-Location`` of its suffix twin ``/id/<path>.ttl|.jsonld|.nt|.rdf`` — or HTML: 303 to the node's page,
  else to its generic resource page ``/resource/<path>``; an unknown IRI is a 404 in the format asked for;
* the pages of routes declared with ``rdf=`` (``/ontology``, ``/shapes``) answer the same RDF syntaxes by
  ``Accept`` and at ``<rule>.ttl`` …;
* ``/.well-known/void``: the VoID description (Turtle unless another RDF syntax is asked for);
* ``/downloads/plankg.nq`` and ``/downloads/plankg.ttl`` (``.gz``: the gzip file itself): dumps of the store,
  sent gzip-encoded to clients that accept it, written once per generation (``service.dumps``).

Every answer here carries ``Vary: Accept`` and ``Link: <…>; rel="alternate"; type=…`` for each syntax.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, send_file, stream_with_context
from rdflib import BNode, Graph, URIRef
from werkzeug.wrappers import Response as BaseResponse

from graph.rdf.ns import PREFIXES
from graph.store.formats import CANONICAL_MIME, GRAPH_MIMES, OX_RDF_FORMATS, parse_accept
from graph.store.terms import serialized
from service import dumps
from service.describe import Description
from service.links import LD_FORMATS, LD_MIME, LD_SUFFIX, id_path, page_path, resource_path
from service.payloads import linked
from service.resources import NotReady

from .http import resources
from .params import PathParam
from .routes import ROUTES, Route

bp = Blueprint("linked", __name__)

R = TypeVar("R", bound=BaseResponse)
HTML_MIMES = ("text/html", "application/xhtml+xml")
WILDCARDS = ("*/*", "text/*", "application/*")
LD_MIMES = {**{m: f for m, f in GRAPH_MIMES.items() if f in LD_FORMATS}, "application/json": "json-ld"}
WHY = "no such resource in PlanKG"


def choose(accept: str | None, default: str) -> str:
    """``"html"`` or an RDF format of ``LD_FORMATS`` for an Accept header (``default`` for none, a wildcard
    or nothing we have)."""
    for mime, _ in parse_accept(accept or ""):
        if mime in HTML_MIMES:
            return "html"
        if mime in LD_MIMES:
            return LD_MIMES[mime]
        if mime in WILDCARDS:
            return default
    return default


def preferred(default: str = "html") -> str:
    return choose(request.headers.get("Accept"), default)


@functools.lru_cache(maxsize=8)
def _parsed(path: str, mtime: float) -> Graph:
    return Graph().parse(path, format="turtle")


def serialize(source: Graph | Path | Description, fmt: str) -> bytes:
    """``source`` in ``fmt``. A Turtle file is sent as it is written (comments kept). JSON-LD is compacted by
    rdflib with the prefixes the data uses, and so is Turtle with blank nodes (VoID's partitions); the rest is
    written by pyoxigraph (several times faster), the triples of one subject together, a node's own first."""
    if isinstance(source, Path):
        if fmt == "turtle":
            return source.read_bytes()
        source = _parsed(str(source), source.stat().st_mtime)
    graph = source.graph if isinstance(source, Description) else source
    if fmt == "json-ld" or (fmt == "turtle" and any(isinstance(t, BNode) for triple in graph for t in triple)):
        terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
        used = {p: str(ns) for p, ns in PREFIXES.items() if any(t.startswith(ns) for t in terms)}
        if fmt == "json-ld":
            return graph.serialize(format="json-ld", context=used, auto_compact=True, encoding="utf-8")
        return graph.serialize(format="turtle", encoding="utf-8")
    if isinstance(source, Description):
        first = ox.NamedNode(source.iri)
        quads = sorted(source.triples, key=lambda q: (q.subject != first, str(q.subject)))
    else:
        nt = source.serialize(format="nt", encoding="utf-8")
        quads = sorted(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), key=lambda q: str(q.subject))
    # data IRIs stay whole (``id:plan\/…`` would need escapes)
    names = {str(q.predicate) for q in quads} | {str(q.object) for q in quads if isinstance(q.object, ox.NamedNode)}
    prefixes = {p: ns for p, ns in PREFIXES.items() if p != "id" and any(n.startswith(f"<{ns}") for n in names)}
    return serialized(ox.serialize(quads, format=OX_RDF_FORMATS[fmt], prefixes=prefixes if fmt != "ntriples" else {}))


def alternates(resp: R, base: str, html: str | None = None) -> R:
    """``Vary: Accept`` and a ``Link`` alternate for each RDF syntax at ``base`` + suffix (and the page)."""
    links = [f'<{base}{LD_SUFFIX[f]}>; rel="alternate"; type="{LD_MIME[f]}"' for f in LD_FORMATS]
    if html:
        links.append(f'<{html}>; rel="alternate"; type="text/html"')
    resp.headers["Link"] = ", ".join(links)
    resp.vary.add("Accept")
    return resp


def rdf_response(source: Graph | Path | Description, fmt: str, base: str, html: str | None = None) -> Response:
    resp = Response(serialize(source, fmt), content_type=CANONICAL_MIME[fmt])
    resp.headers["Content-Location"] = base + LD_SUFFIX[fmt]
    return alternates(resp, base, html)


def not_found(fmt: str, message: str) -> Response:
    """A 404 in the syntax asked for: an error page, an empty graph with a comment, or a JSON error."""
    return error_in_format(fmt, 404, message)


def error_in_format(fmt: str, status: int, message: str) -> Response:
    """An error answer in the syntax asked for. ``message`` is made one line, and cannot close an XML comment,
    so that nothing in it can become a triple."""
    message = " ".join(str(message).split()).replace("--", "- -")
    if fmt == "html":
        body = render_template("error.html", error={"status": status, "error": message}, json_url=None)
        resp = Response(body, status, content_type="text/html; charset=utf-8")
    elif fmt == "json-ld":
        body = json.dumps({"error": message, "status": status}, ensure_ascii=False) + "\n"
        resp = Response(body, status, content_type=CANONICAL_MIME[fmt])
    elif fmt == "rdf-xml":
        body = f'<?xml version="1.0"?>\n<!-- {status}: {message} -->\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n'
        resp = Response(body, status, content_type=CANONICAL_MIME[fmt])
    else:
        resp = Response(f"# {status}: {message}\n", status, content_type=CANONICAL_MIME[fmt])
    resp.vary.add("Accept")
    return resp


def quoted(text: str) -> str:
    """``text`` safe to echo inside a comment of any syntax (percent-escaped, no ``--``)."""
    return quote(text, safe="/#=,._~").replace("--", "-%2D")


def raw_tail(prefix: str) -> str | None:
    """The request path after ``prefix`` as the client sent it (percent-escapes kept), when the server says."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    path = raw.split("?", 1)[0]
    return path[len(prefix) :] if path.startswith(prefix) else None


def unavailable(e: NotReady) -> Response:
    return Response(str(e) + "\n", 503, content_type="text/plain; charset=utf-8")


# ----------------------------------------------------------------------------- /id/…


@bp.get("/id/<path:local_id>")
def resolve(local_id: str):
    """Dereference ``https://w3id.org/plankg/id/<local_id>``: RDF by Accept, or 303 to the page about it."""
    raw = raw_tail("/id/")
    try:
        iri, fmt = linked.find_node(resources(), local_id, raw), preferred()
        for suffix_fmt, suffix in LD_SUFFIX.items():
            if iri is None and local_id.endswith(suffix):
                fmt = suffix_fmt
                stem = raw[: -len(suffix)] if raw and raw.endswith(suffix) else None
                iri = linked.find_node(resources(), local_id[: -len(suffix)], stem)
        if iri is None:
            return not_found(fmt, f"{WHY}: https://w3id.org/plankg/id/{quoted(local_id)}")
        base, page = id_path(iri) or "", page_path(iri) or resource_path(iri)
        if fmt == "html":
            return alternates(redirect(page or base, code=303), base, page)
        return rdf_response(linked.description(resources(), iri), fmt, base, page)
    except NotReady as e:
        return unavailable(e)


# ----------------------------------------------------------------------------- routes with RDF (/ontology, /shapes)


def rdf_view(route: Route, fmt: str | None) -> Callable:
    """The view of ``route``'s RDF: in ``fmt`` (a suffix twin), or by Accept (the page itself asks this)."""

    def view(**path):
        assert route.rdf is not None
        try:
            source = route.rdf(resources(), path)
        except NotReady as e:
            return unavailable(e)
        base = request.path[: -len(LD_SUFFIX[fmt])] if fmt else request.path
        return rdf_response(source, fmt or preferred("turtle"), base, base)

    view.__name__ = f"{route.name}_{fmt or 'rdf'}"
    return view


for _route in ROUTES:
    if _route.rdf is not None:
        for _fmt, _suffix in LD_SUFFIX.items():
            bp.add_url_rule(_route.rule + _suffix, f"{_route.name}_{_fmt}", rdf_view(_route, _fmt))


# ----------------------------------------------------------------------------- VoID and dumps


@bp.get("/.well-known/void")
def void():
    """The VoID description of the dataset (Turtle unless another RDF syntax is asked for)."""
    fmt = preferred("turtle")
    fmt = "turtle" if fmt == "html" else fmt  # no page: a browser gets the Turtle
    try:
        g = linked.void_description(resources(), request.url_root.rstrip("/"))
    except NotReady as e:
        return unavailable(e)
    resp = Response(serialize(g, fmt), content_type=CANONICAL_MIME[fmt])
    resp.vary.add("Accept")
    return resp


DOWNLOAD_MIME = {"plankg.nq": CANONICAL_MIME["nquads"], "plankg.ttl": CANONICAL_MIME["turtle"]}


def accepts_gzip() -> bool:
    encodings = parse_accept(request.headers.get("Accept-Encoding") or "")
    return any(enc in ("gzip", "x-gzip") for enc, _ in encodings)


@bp.get("/downloads/<name>")
def download(name: str):
    """A dump of the store: ``plankg.nq`` (every graph), ``plankg.ttl`` (the default graph), or their ``.gz``."""
    gz = name.endswith(".gz")
    plain = name[:-3] if gz else name
    if plain not in dumps.DUMPS:
        return not_found("html", "no such download: plankg.nq, plankg.ttl, plankg.nq.gz or plankg.ttl.gz")
    try:
        path = linked.dump_path(resources(), plain)
    except NotReady as e:
        return unavailable(e)
    if gz:
        return send_file(path, mimetype="application/gzip", as_attachment=True, download_name=name, max_age=0)
    if accepts_gzip():
        resp = send_file(path, mimetype=DOWNLOAD_MIME[plain], max_age=0)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp = Response(stream_with_context(dumps.chunks(path)), content_type=DOWNLOAD_MIME[plain])
    resp.vary.add("Accept-Encoding")
    return resp


# ----------------------------------------------------------------------------- OpenAPI (merged by web.openapi)

_RDF_CONTENT = {LD_MIME[f]: {"schema": {"type": "string"}} for f in LD_FORMATS}
_ACCEPT = (
    "By Accept (q-values): text/turtle, application/ld+json, application/n-triples, application/rdf+xml "
    "(application/json and text/plain are taken as JSON-LD and N-Triples)"
)


def _rdf_get(summary: str, description: str, extra: dict | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "responses": {"200": {"description": "RDF", "content": _RDF_CONTENT}, **(extra or {})},
        }
    }


OPENAPI_PATHS = {
    "/id/{path}": {
        "get": {
            "summary": "Dereference a PlanKG IRI (https://w3id.org/plankg/id/{path}): RDF, or 303 to its page",
            "description": f"{_ACCEPT}: 200 with the node's triples, its blank-node closure, the labels of what it "
            "links to and of its classes, and up to 500 incoming links; Content-Location names the suffix twin "
            "{path}.ttl | .jsonld | .nt | .rdf, which answers that syntax whatever the Accept. text/html, */* or no "
            "Accept: 303 to the node's page, or to its generic page /resource/{path}. Vary: Accept; Link: the "
            "alternates. A hash IRI (a source span) is asked for with # sent as %23.",
            "parameters": [PathParam("path", "the IRI after https://w3id.org/plankg/id/").openapi()],
            "responses": {
                "200": {"description": "the node's description", "content": _RDF_CONTENT},
                "303": {"description": "See Other: the page about the node"},
                "404": {"description": "no such node (an error page, or an empty document in the syntax asked for)"},
            },
        }
    },
    "/ontology": _rdf_get(
        "The ontology at its namespace (https://w3id.org/plankg/ontology#)",
        f"{_ACCEPT}; text/html (and no Accept) gets the page, /ontology.json its data. Turtle is "
        "ontology/plankg.ttl as written. Also at /ontology.ttl, .jsonld, .nt, .rdf.",
    ),
    "/shapes": _rdf_get(
        "The SHACL shapes (https://w3id.org/plankg/shapes#)",
        f"{_ACCEPT}; text/html gets the page, /shapes.json its data. Also at /shapes.ttl, .jsonld, .nt, .rdf.",
    ),
    "/.well-known/void": _rdf_get(
        "VoID description of the dataset",
        "Turtle unless another RDF syntax is asked for: title, description, rights, sources, build time and "
        "generation, void:triples / entities / classes / properties, class and property partitions counted on "
        "the store, SPARQL endpoint, dumps, URI space, vocabularies.",
    ),
    **{
        f"/downloads/{name}": {
            "get": {
                "summary": f"Dump of the store as {fmt}" + (" (gzip file)" if gz else ""),
                "description": ("every graph" if name.startswith("plankg.nq") else "the default graph (the plan data)")
                + ("" if gz else "; gzip-encoded for a client that accepts it (Accept-Encoding), else streamed")
                + ". Written once per generation.",
                "responses": {
                    "200": {
                        "description": "the dump",
                        "content": {"application/gzip" if gz else mime.split(";")[0]: {"schema": {"type": "string"}}},
                    },
                    "503": {"description": "nothing built yet"},
                },
            }
        }
        for name, fmt, mime, gz in (
            (n + z, f, CANONICAL_MIME[dumps.DUMPS[n]], bool(z))
            for n, f in (("plankg.nq", "N-Quads"), ("plankg.ttl", "Turtle"))
            for z in ("", ".gz")
        )
    },
}
