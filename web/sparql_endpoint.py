"""SPARQL 1.1 Protocol endpoint at /sparql (query and update) plus its service description.

* query: GET ?query=, POST form (query=), POST application/sparql-query; dataset from
  default-graph-uri / named-graph-uri; results by Accept (q-values), default JSON / Turtle;
* update: POST form (update=) or application/sparql-update, only with ``Authorization: Bearer
  <token>``; using-graph-uri / using-named-graph-uri become USING clauses;
* results by ``format=`` (or ``output=`` / ``results=``, as SPARQLWrapper sends it) too: a short name
  mapped per query form by ``graph.store.formats.FORMAT_PARAM`` (``xml``: SPARQL results XML for
  SELECT/ASK, RDF/XML for CONSTRUCT/DESCRIBE; ``json``: results JSON or JSON-LD; ``n3``: Turtle) or a
  media type; it wins over Accept;
* limits: SERVICE refused (400; LOAD in updates too), a deadline per query (503 past it; the worker
  process running it is killed), a memory limit per query worker (503), at most ``max_rows`` results
  (X-PlanKG-Truncated: true), request size (413); control characters in a parameter are a 400 (tab,
  line feed and carriage return are allowed in the query or update text);
* CORS: queries and the service description are open to any origin. Every answer of ``/sparql`` (errors
  of every status and the preflight ``OPTIONS`` included) carries ``Access-Control-Allow-Origin: *``,
  never ``Access-Control-Allow-Credentials``, so a browser never sends cookies or HTTP authentication it
  holds for this site along. Updates are not opened: the preflight does not allow the ``Authorization``
  header, so a page of another origin cannot send the token (a browser refuses to), and the answers of an
  update carry no CORS headers, so such a page cannot even read whether its attempt was refused (only a
  413, refused before the body is read, cannot tell an update from a query).
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, g, render_template, request
from rdflib import Graph

from graph.rdf.ns import PREFIXES
from graph.store.formats import (
    CANONICAL_MIME,
    FORMAT_PARAM_NAMES,
    RDFLIB_NAMES,
    UnsupportedMediaType,
    format_param,
    negotiate,
    parse_accept,
)
from service.examples import EXAMPLES
from service.resources import NotReady
from service.sparql.execute import QueryError
from service.sparql.runner import Busy, OutOfMemory, QueryTimeout, ResultTooLarge, WorkerDied
from service.sparql.text import add_using, query_form, uses_load, uses_service

from .http import resources, settings
from .params import control_character

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_MIME = "application/sparql-query"
UPDATE_MIME = "application/sparql-update"
PATHS = ("/sparql", "/sparql/")
METHODS = ("GET", "POST", "OPTIONS")

# CORS of the read-only endpoint (module docstring): what every answer of /sparql carries, and the preflight
# answer on top. Allowed request headers: what SPARQL clients in browsers send (YASGUI, Comunica, fetch
# code) and conditional requests; never Authorization (updates stay same-origin).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-PlanKG-Rows, X-PlanKG-Truncated, X-PlanKG-Max-Rows, Retry-After, ETag",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": ", ".join(METHODS),
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Language, Content-Type, Cache-Control, "
    "Pragma, X-Requested-With, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
# text parameters of the protocol; only the operation's text may hold tab, line feed and carriage return
TEXT_PARAMS = ("query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
MULTILINE = ("query", "update")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def text_response(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=headers or {})


def _decode(body: bytes) -> str:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"only UTF-8 is accepted, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not valid UTF-8") from None


def read_operation() -> tuple[str, str | None, dict]:
    """('query' | 'update' | 'describe-service', text, params) from the request, or ProtocolError."""
    params = request.args.to_dict(flat=False)
    if request.method == "POST":
        mime = request.mimetype
        if mime == FORM:
            form = request.form.to_dict(flat=False)
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
        elif mime in (QUERY_MIME, UPDATE_MIME):
            if "query" in params or "update" in params:
                raise ProtocolError(400, "with a direct POST the operation goes in the body, not in the URL")
            params["query" if mime == QUERY_MIME else "update"] = [_decode(request.get_data())]
        else:
            raise ProtocolError(
                415, f"unsupported content type {mime or '(none)'}: use {FORM}, {QUERY_MIME} or {UPDATE_MIME}"
            )
    queries, updates = params.get("query", []), params.get("update", [])
    if updates:
        g.sparql_update = True  # its answers carry no CORS headers, whatever they say
    check_controls(params)
    if len(queries) > 1 or len(updates) > 1:
        raise ProtocolError(400, "more than one query or update string")
    if queries and updates:
        raise ProtocolError(400, "a request carries either a query or an update, not both")
    if updates:
        if request.method != "POST":
            raise ProtocolError(400, "updates must be sent with POST")
        return "update", updates[0], params
    if queries:
        return "query", queries[0], params
    if request.method == "POST":
        raise ProtocolError(400, "no query or update in the request")
    return "describe-service", None, params


def check_controls(params: dict) -> None:
    """400 for a control character in a protocol parameter (the operation's text may hold tab, LF, CR)."""
    for name in TEXT_PARAMS + FORMAT_PARAM_NAMES:
        for value in params.get(name, []):
            bad = control_character(value, multiline=name in MULTILINE)
            if bad is not None:
                raise ProtocolError(400, f"{name} contains the control character U+{ord(bad):04X}")


@bp.after_app_request
def _cors(resp: Response) -> Response:
    """The CORS headers of the read-only endpoint on every answer of /sparql (errors included; Flask
    runs this for the answers of error handlers too), except the answers of an update."""
    if request.path in PATHS and not _is_update():
        resp.headers.update(CORS_HEADERS)
        if request.method == "OPTIONS":
            resp.headers.update(PREFLIGHT_HEADERS)
    return resp


def _is_update() -> bool:
    return bool(g.get("sparql_update")) or (request.method == "POST" and request.mimetype == UPDATE_MIME)


@bp.route("/sparql", methods=list(METHODS), provide_automatic_options=False)
@bp.route("/sparql/", methods=list(METHODS), provide_automatic_options=False)
def endpoint():
    if request.method == "OPTIONS":  # a CORS preflight (its headers: ``_cors``) or a question for Allow
        resp = Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        del resp.headers["Content-Type"]  # no body, no type
        return resp
    try:
        op, text, params = read_operation()
        if op == "describe-service" or text is None:
            return service_description()
        if op == "update":
            return run_update(text, params)
        return as_download(run_query(text, params), params)
    except ProtocolError as e:
        return text_response(e.status, str(e), e.headers)
    except NotReady as e:
        return text_response(503, str(e))


DOWNLOAD_SUFFIX = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "ttl",
    "ntriples": "nt",
    "json-ld": "jsonld",
    "rdf-xml": "rdf",
    "nquads": "nq",
    "trig": "trig",
}


def as_download(resp: Response, params: dict) -> Response:
    """``download=1`` (the SPARQL page's buttons): the answer as an attachment, named by its format."""
    if resp.status_code == 200 and any(v not in ("", "0", "false") for v in params.get("download", [])):
        mime = (resp.mimetype or "").lower()
        fmt = next((f for f, m in CANONICAL_MIME.items() if m.split(";")[0] == mime), "txt")
        resp.headers["Content-Disposition"] = f'attachment; filename="plankg-results.{DOWNLOAD_SUFFIX.get(fmt, "txt")}"'
    return resp


def _format_for(form: str, params: dict) -> str:
    """The result format: the first ``format`` / ``output`` / ``results`` value that fits the query form
    (SPARQLWrapper repeats its choice in all three, some as a short name and a media type), else by Accept.
    Values given but none fitting: 400 naming the first."""
    forced = [v for name in FORMAT_PARAM_NAMES for v in params.get(name, []) if v.strip()]
    problem = None
    for value in forced:
        try:
            return format_param(value, form)
        except UnsupportedMediaType as e:
            problem = problem or str(e)
    if problem:
        raise ProtocolError(400, problem)
    try:
        return negotiate(request.headers.get("Accept"), form)
    except UnsupportedMediaType as e:
        raise ProtocolError(406, str(e)) from None


def run_query(text: str, params: dict) -> Response:
    if uses_service(text):
        raise ProtocolError(400, "SERVICE (federated query) is not allowed on this endpoint")
    form = query_form(text) or "select"
    fmt = _format_for(form, params)
    res = resources()
    cfg = settings()
    if res.remote:
        try:
            body, mime = res.store().query_negotiated(text, CANONICAL_MIME[fmt], timeout=cfg.query_timeout)
        except Exception as e:  # noqa: BLE001 - the remote endpoint's error, passed on
            raise ProtocolError(502, f"remote store: {e}") from None
        return Response(body, mimetype=mime)
    default_graphs, named_graphs = params.get("default-graph-uri"), params.get("named-graph-uri")
    req = {
        "query": text,
        "format": fmt,
        "max_rows": cfg.max_rows,
        "base_iri": request.base_url,
        "default_graph": default_graphs,
        "named_graphs": named_graphs,
        "prefixes": PREFIXES if fmt == "turtle" else {},
    }
    try:
        info, body = res.runner().run(req)
    except QueryTimeout:
        raise ProtocolError(
            503,
            f"query timed out after {cfg.query_timeout:g} s and was stopped; "
            "add a LIMIT or make the query more selective",
        ) from None
    except OutOfMemory as e:
        raise ProtocolError(503, f"{e} and was stopped; add a LIMIT or make the query more selective") from None
    except ResultTooLarge as e:
        raise ProtocolError(503, f"{e}; add a LIMIT or select fewer or shorter values") from None
    except Busy:
        raise ProtocolError(503, "the endpoint is busy, retry shortly", {"Retry-After": "5"}) from None
    except WorkerDied as e:
        raise ProtocolError(500, f"query worker failed: {e}") from None
    except QueryError as e:
        raise ProtocolError(e.status, str(e)) from None
    headers = {"Vary": "Accept", "X-PlanKG-Rows": str(info.get("rows", 0))}
    if info.get("truncated"):
        headers["X-PlanKG-Truncated"] = "true"
        headers["X-PlanKG-Max-Rows"] = str(cfg.max_rows)
    return Response(body, headers=headers, content_type=info["mime"])


def check_token() -> None:
    token = settings().update_token
    if not token:
        raise ProtocolError(403, "updates are disabled on this endpoint")
    auth = request.headers.get("Authorization", "")
    given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise ProtocolError(
            401, "updates need Authorization: Bearer <token>", {"WWW-Authenticate": 'Bearer realm="plankg"'}
        )


def run_update(text: str, params: dict) -> Response:
    check_token()
    if uses_service(text):
        raise ProtocolError(400, "SERVICE is not allowed on this endpoint")
    if uses_load(text):
        raise ProtocolError(400, "LOAD (fetching a document from the web) is not allowed on this endpoint")
    try:
        text = add_using(text, params.get("using-graph-uri", []), params.get("using-named-graph-uri", []))
    except ValueError as e:
        raise ProtocolError(400, str(e)) from None
    res = resources()
    store = res.store()
    try:
        if res.remote:
            store.update(text)
        else:
            with current_app.extensions["plankg_update_lock"]:
                store.oxigraph.update(text, base_iri=request.base_url)
    except SyntaxError as e:
        raise ProtocolError(400, f"SPARQL syntax error: {e}") from None
    except (ValueError, TypeError) as e:
        raise ProtocolError(400, f"update failed: {e}") from None
    except OSError as e:
        raise ProtocolError(500, f"update failed: {e}") from None
    res.data_changed()
    return Response(status=204)


# ----------------------------------------------------------------------------- service description

SD_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def wants_html() -> bool:
    for mime, _ in parse_accept(request.headers.get("Accept", "")):
        if mime in ("text/html", "application/xhtml+xml"):
            return True
        if mime in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "*/*"):
            return False
    return False


def service_description() -> Response:
    if wants_html():
        return Response(
            render_template(
                "sparql.html", data={"examples": EXAMPLES, "endpoint": request.base_url}, json_url="/sparql.json"
            )
        )
    url = request.base_url
    langs = "sd:SPARQL11Query" + (", sd:SPARQL11Update" if settings().update_token else "")
    formats = ",\n        ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in SD_FORMATS)
    ttl = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{url}> a sd:Service ;
    rdfs:label "PlanKG SPARQL endpoint" ;
    sd:endpoint <{url}> ;
    sd:supportedLanguage {langs} ;
    sd:resultFormat {formats} ;
    sd:feature sd:EmptyGraphs ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""
    try:
        fmt = negotiate(request.headers.get("Accept"), "graph")
    except UnsupportedMediaType:
        fmt = "turtle"
    if fmt == "turtle":
        return Response(ttl, content_type="text/turtle; charset=utf-8")
    body = Graph().parse(data=ttl, format="turtle").serialize(format=RDFLIB_NAMES[fmt], encoding="utf-8")
    return Response(body, content_type=CANONICAL_MIME[fmt])
