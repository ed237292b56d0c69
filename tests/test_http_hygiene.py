"""Protocol details that tools trip on: ``Allow`` on every 405, CORS on the read-only SPARQL endpoint (preflight,
errors, service description; never for updates, never on the admin API, never with credentials), ``format=``
per query form, control characters refused in every parameter, the query-worker pool refilled after a kill.

In process (``client``: Flask's test client over a model-free build) except the tests marked ``live``, which
need the real service (gunicorn behind its front, over HTTP): a runaway query killed and its worker replaced.
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.store.formats import CANONICAL_MIME, FORMAT_FORMS, FORMAT_PARAM, RDFLIB_NAMES
from tests.conftest_app import live_or_app
from tests.conftest_server import LIVE_TIMEOUT_S, UPDATE_TOKEN


@pytest.fixture
def s(request):
    """The app in process (Flask's test client); the real server for the tests marked ``live``."""
    return live_or_app(request, "live_server", "client")


live = pytest.mark.usefixtures("live_server")  # real gunicorn over HTTP (tier: server)

PKG = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
SELECT = PKG + "SELECT ?plan ?title WHERE { ?plan a pkg:Plan ; dcterms:title ?title } ORDER BY ?title"
ASK = PKG + "ASK { ?p a pkg:Plan }"
CONSTRUCT = PKG + "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a pkg:Plan ; dcterms:title ?t }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = "application/x-www-form-urlencoded"


def sparql(s, query: str, headers: dict | None = None, **params):
    return s.get("/sparql?" + urlencode({"query": query, **params}, doseq=True), headers=headers)


def methods(value: str) -> set[str]:
    return {m.strip() for m in value.split(",") if m.strip()}


# ----------------------------------------------------------------------------- Allow on 405

# (method not accepted, path, the methods the resource does accept besides HEAD and OPTIONS)
NOT_ALLOWED = [
    ("POST", "/search", {"GET"}),
    ("PUT", "/api/search", {"GET"}),
    ("DELETE", "/api/plans", {"GET"}),
    ("PATCH", "/plans.json", {"GET"}),
    ("PUT", "/sparql", {"GET", "POST"}),
    ("DELETE", "/sparql/", {"GET", "POST"}),
    ("POST", "/id/plan/abc", {"GET"}),
    ("PUT", "/domains", {"GET"}),
    ("POST", "/static/app.css", {"GET"}),
    ("PUT", "/api/admin/plans", {"GET", "POST"}),
    ("GET", "/api/admin/preview", {"POST"}),
    ("POST", "/api/openapi.json", {"GET"}),
]


@pytest.mark.parametrize("method,path,accepted", NOT_ALLOWED, ids=[f"{m} {p}" for m, p, _ in NOT_ALLOWED])
def test_every_405_says_which_methods_are_allowed(s, method, path, accepted):
    r = s.request(method, path)
    assert r.status == 405, (r.status, r.text[:200])
    allow = methods(r.headers.get("allow", ""))
    assert allow - {"HEAD", "OPTIONS"} == accepted, r.headers
    assert method not in allow
    for other in accepted - {"POST"}:  # what Allow lists is really there (POST needs a body to mean anything)
        assert s.request(other, path).status != 405
    if path.startswith("/api/"):
        assert r.json() == {"error": r.json()["error"], "status": 405}
    elif path.startswith("/sparql"):
        assert r.content_type.startswith("text/plain")


@live
@pytest.mark.parametrize("method,path,accepted", NOT_ALLOWED[:8], ids=[f"{m} {p}" for m, p, _ in NOT_ALLOWED[:8]])
def test_405_through_the_real_server(s, method, path, accepted):
    r = s.request(method, path)
    assert r.status == 405 and methods(r.headers.get("allow", "")) - {"HEAD", "OPTIONS"} == accepted, r.headers


# ----------------------------------------------------------------------------- CORS on /sparql


def assert_open_cors(r):
    assert r.headers.get("access-control-allow-origin") == "*", (r.status, r.headers)
    assert "access-control-allow-credentials" not in r.headers


def assert_no_cors(r):
    assert not any(k.startswith("access-control-") for k in r.headers), (r.status, r.headers)


@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_cors_preflight(s, path):
    r = s.request(
        "OPTIONS",
        path,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert r.status == 204 and not r.body
    assert_open_cors(r)
    assert methods(r.headers["access-control-allow-methods"]) == {"GET", "POST", "OPTIONS"}
    allowed = {h.lower() for h in methods(r.headers["access-control-allow-headers"])}
    assert {"content-type", "accept"} <= allowed
    assert "authorization" not in allowed  # a page of another origin cannot send the update token
    assert int(r.headers["access-control-max-age"]) > 0
    assert methods(r.headers["allow"]) >= {"GET", "POST", "OPTIONS"}


CORS_CASES = {
    "select": (200, lambda s: sparql(s, SELECT)),
    "construct": (200, lambda s: sparql(s, CONSTRUCT)),
    "post direct": (200, lambda s: s.post("/sparql", ASK, "application/sparql-query")),
    "service description": (200, lambda s: s.get("/sparql", headers={"Accept": "text/turtle"})),
    "service description page": (200, lambda s: s.get("/sparql/", headers={"Accept": "text/html"})),
    "400 syntax": (400, lambda s: sparql(s, "SELECT * WHERE { ?s ")),
    "400 format": (400, lambda s: sparql(s, CONSTRUCT, format="csv")),
    "400 SERVICE": (400, lambda s: sparql(s, "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }")),
    "400 control character": (400, lambda s: sparql(s, "ASK {}\x00")),
    "400 percent-encoding": (400, lambda s: s.get("/sparql?query=%ZZ")),
    "405": (405, lambda s: s.request("PUT", "/sparql")),
    "406": (406, lambda s: sparql(s, SELECT, {"Accept": "image/png"})),
    "413": (413, lambda s: s.post("/sparql", urlencode({"query": "ASK {} #" + "a" * (2 << 20)}), FORM)),
    "415": (415, lambda s: s.post("/sparql", ASK, "text/plain")),
}


@pytest.mark.parametrize("case", list(CORS_CASES))
def test_cors_on_every_answer_of_the_query_endpoint(s, case):
    status, make = CORS_CASES[case]
    r = make(s)
    assert r.status == status, (r.status, r.text[:200])
    assert_open_cors(r)
    assert "X-PlanKG-Rows" in r.headers.get("access-control-expose-headers", "")


def test_updates_are_not_opened_to_other_origins(s):
    """Answers of an update carry no CORS headers, whatever they say; nor does the admin API."""
    insert = "INSERT DATA { <http://example.org/cors> <http://example.org/p> 1 }"
    origin = {"Origin": "https://elsewhere.example"}
    answers = [
        s.post("/sparql", insert, "application/sparql-update", origin),
        s.post("/sparql", insert, "application/sparql-update", {**origin, "Authorization": "Bearer wrong"}),
        s.post("/sparql", urlencode({"update": insert}), FORM, origin),
        # authorised but malformed: a 400 of the update, nothing changed
        s.post(
            "/sparql", "DELETE WHERE { ?s ", "application/sparql-update", {"Authorization": f"Bearer {UPDATE_TOKEN}"}
        ),
        s.post("/sparql", urlencode({"update": "CLEAR"}), FORM, {"Authorization": f"Bearer {UPDATE_TOKEN}"}),
        s.post("/sparql", urlencode({"update": "CLEAR ALL\x00"}), FORM, origin),
    ]
    assert [r.status for r in answers] == [401, 401, 401, 400, 400, 400], [(r.status, r.text[:80]) for r in answers]
    for r in answers:
        assert_no_cors(r)
    assert sparql(s, "ASK { <http://example.org/cors> ?p ?o }").json()["boolean"] is False
    for r in (
        s.get("/api/admin/plans", headers=origin),
        s.request("OPTIONS", "/api/admin/plans", headers={**origin, "Access-Control-Request-Method": "POST"}),
        s.get("/api/plans", headers=origin),
    ):
        assert_no_cors(r)


# ----------------------------------------------------------------------------- format= per query form


def graph_of(r) -> Graph:
    mime = r.content_type.split(";")[0]
    syntax = {"application/rdf+xml": "xml", "application/ld+json": "json-ld", "text/turtle": "turtle"}
    return Graph().parse(data=r.body, format=syntax.get(mime, "nt"))


def rows_of(r) -> list[tuple]:
    """(plan IRI, title text) rows of a SELECT answer in JSON, XML, CSV or TSV."""
    mime = r.content_type.split(";")[0]
    if mime == "application/sparql-results+json":
        return [(b["plan"]["value"], b["title"]["value"]) for b in r.json()["results"]["bindings"]]
    if mime == "application/sparql-results+xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        out = []
        for result in ET.fromstring(r.body).iter(ns + "result"):
            cells = {b.get("name"): "".join(b.itertext()) for b in result.iter(ns + "binding")}
            out.append((cells["plan"], cells["title"]))
        return out
    if mime == "text/csv":
        return [tuple(row) for row in list(csv.reader(io.StringIO(r.text)))[1:]]
    assert mime == "text/tab-separated-values", mime
    return [(a[1:-1], b.rsplit("@", 1)[0][1:-1]) for a, b in (ln.split("\t") for ln in r.text.splitlines()[1:])]


def test_format_xml_is_the_xml_of_each_query_form(s):
    """SPARQLWrapper's default: format=xml. RDF/XML for a graph, SPARQL results XML for SELECT and ASK."""
    turtle = sparql(s, CONSTRUCT)
    assert turtle.status == 200 and turtle.content_type.startswith("text/turtle")
    expected = graph_of(turtle)
    assert len(expected) == 7
    for name in ("xml", "rdf", "rdfxml", "rdf+xml", "application/rdf+xml"):
        r = sparql(s, CONSTRUCT, format=name)
        assert r.status == 200 and r.content_type.startswith("application/rdf+xml"), (name, r.status, r.text[:200])
        assert isomorphic(graph_of(r), expected), name
    rows = rows_of(sparql(s, SELECT))
    r = sparql(s, SELECT, format="xml")
    assert r.content_type.startswith("application/sparql-results+xml") and rows_of(r) == rows
    r = sparql(s, ASK, format="xml")
    assert r.content_type.startswith("application/sparql-results+xml") and b"<boolean>true</boolean>" in r.body


def test_other_format_names_per_form(s):
    expected = graph_of(sparql(s, CONSTRUCT))
    for name, mime in (
        ("json", "application/ld+json"),
        ("n3", "text/turtle"),
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
    ):
        r = sparql(s, CONSTRUCT, format=name)
        assert r.status == 200 and r.content_type.startswith(mime), (name, r.content_type)
        assert isomorphic(graph_of(r), expected), name
    rows = rows_of(sparql(s, SELECT))
    for name in ("json", "csv", "tsv", "text/csv", "application/sparql-results+json"):
        r = sparql(s, SELECT, format=name)
        assert r.status == 200 and rows_of(r) == rows, (name, r.content_type)
    assert sparql(s, ASK, format="json").json()["boolean"] is True


def test_format_wins_over_accept_and_repeats_like_sparqlwrapper(s):
    expected = graph_of(sparql(s, CONSTRUCT))
    r = sparql(s, CONSTRUCT, {"Accept": "text/turtle"}, format="xml")
    assert r.content_type.startswith("application/rdf+xml") and isomorphic(graph_of(r), expected)
    # SPARQLWrapper's JSON-LD: format=json-ld&format=application/ld+json, the same in output= and results=
    both = ["json-ld", "application/ld+json"]
    r = sparql(s, CONSTRUCT, {"Accept": "application/ld+json"}, format=both, output=both, results=both)
    assert r.content_type.startswith("application/ld+json") and isomorphic(graph_of(r), expected)
    r = s.post("/sparql", urlencode({"query": SELECT, "output": "tsv"}), FORM)
    assert r.content_type.startswith("text/tab-separated-values") and rows_of(r) == rows_of(sparql(s, SELECT))


@pytest.mark.parametrize(
    "query,name,message",
    [
        (CONSTRUCT, "csv", "format=csv does not fit CONSTRUCT/DESCRIBE results"),
        (SELECT, "turtle", "format=turtle does not fit SELECT results"),
        (ASK, "tsv", "format=tsv does not fit ASK results"),
        (SELECT, "bogus", "format=bogus is not a known format for SELECT results"),
        (CONSTRUCT, "text/html", "format=text/html does not fit CONSTRUCT/DESCRIBE results"),
    ],
)
def test_formats_that_do_not_fit_are_a_clear_400(s, query, name, message):
    r = sparql(s, query, format=name)
    assert r.status == 400 and message in r.text, r.text
    assert "use one of" in r.text


def test_every_name_of_the_format_table_is_honoured(s):
    """Each name of FORMAT_PARAM gives each query form the format of its row (or a 400), as served."""
    queries = {"select": SELECT, "ask": ASK, "graph": CONSTRUCT}
    for name, row in FORMAT_PARAM.items():
        for form, fmt in zip(FORMAT_FORMS, row, strict=True):
            r = sparql(s, queries[form], format=name)
            if fmt is None:
                assert r.status == 400, (name, form)
                continue
            assert r.status == 200 and r.content_type.split(";")[0] == CANONICAL_MIME[fmt].split(";")[0], (name, form)
            if form == "graph":
                assert len(Graph().parse(data=r.body, format=RDFLIB_NAMES[fmt])) == 7


# ----------------------------------------------------------------------------- control characters


@pytest.mark.parametrize(
    "path,params,name",
    [
        ("/api/search", {"q": "溺水\x00"}, "q"),
        ("/api/search", {"q": "溺水\x1b[31m"}, "q"),
        ("/api/search", {"q": "溺水\n预防"}, "q"),  # a line break inside one line of text
        ("/api/search", {"q": "溺水", "region": "杭州\x7f"}, "region"),
        ("/api/search", {"q": "溺水", "agency": "教育\x85"}, "agency"),  # C1 (NEL)
        ("/api/gaps", {"q": "家暴\x08"}, "q"),
        ("/api/indicators/compare", {"name": "\x00"}, "name"),
        ("/api/agency-graph.graphml", {"plan": "x\x00"}, "plan"),
        ("/api/similar/x", {"threshold": "0.5\x00"}, "threshold"),
        ("/api/plans", {"page": "1\x00"}, "page"),
    ],
)
def test_control_characters_are_refused_naming_the_parameter(s, path, params, name):
    r = s.get(path, params)
    assert r.status == 400, (r.status, r.text[:200])
    error = r.json()["error"]
    assert error.startswith(f"{name} contains the control character U+"), error
    page_path = path.removeprefix("/api")
    if not page_path.endswith(".graphml"):
        page = s.get(page_path, params)
        assert page.status == 400 and f"{name} contains the control character" in page.text


def test_control_characters_in_sparql_parameters_and_paths(s):
    r = sparql(s, "ASK { ?s ?p ?o }\x00")
    assert r.status == 400 and "query contains the control character U+0000" in r.text
    r = s.post("/sparql", urlencode({"query": "ASK {\x0b}"}), FORM)
    assert r.status == 400 and "query contains the control character U+000B" in r.text
    r = sparql(s, SELECT, **{"default-graph-uri": "http://example.org/g\n"})
    assert r.status == 400 and "default-graph-uri contains the control character U+000A" in r.text
    r = sparql(s, SELECT, format="json\x00")
    assert r.status == 400 and "format contains the control character" in r.text
    # tab, line feed and carriage return are the layout of a query
    layout = "PREFIX pkg: <https://w3id.org/plankg/ontology#>\r\nASK {\n\t?p a pkg:Plan\n}\n"
    assert sparql(s, layout).json()["boolean"] is True
    assert s.post("/sparql", layout, "application/sparql-query").json()["boolean"] is True
    r = s.get("/api/units/" + quote("a\x00b"))
    assert r.status == 400 and "URL path contains the control character U+0000" in r.json()["error"]


def test_ordinary_text_is_not_affected(s):
    for q in ("溺水", " 预防溺水\n", "溺水\u3000预防", "儿童 · 安全", "溺水\t"):
        assert s.get("/api/search", {"q": q, "k": 1}).status == 200, repr(q)


def test_an_empty_sparql_graph_iri_is_a_400_not_a_500(s):
    r = s.get("/sparql?query=" + quote(SELECT) + "&default-graph-uri=&named-graph-uri=")
    assert r.status == 400 and "default-graph-uri" in r.text and "absolute IRI" in r.text, r.text


# ----------------------------------------------------------------------------- OpenAPI and behaviour agree


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    return client.get("/api/openapi.json").json()


def parameters(openapi: dict, path: str) -> dict:
    return {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"]}


def test_optional_and_empty_parameters_behave_as_documented(s, openapi):
    """q is optional: without it /api/search answers 200 with no results (the empty form); a required
    parameter missing is a 400; an empty value of an optional one is its default (allowEmptyValue)."""
    q = parameters(openapi, "/api/search")["q"]
    assert q["required"] is False and q["allowEmptyValue"] is True
    r = s.get("/api/search")
    assert r.status == 200 and r.json()["results"] == [] and r.json()["query"] == ""
    assert s.get("/api/search", {"q": ""}).json()["results"] == []
    k = parameters(openapi, "/api/search")["k"]
    assert s.get("/api/search", {"q": "溺水", "k": ""}).json()["k"] == k["schema"]["default"]
    name = parameters(openapi, "/api/indicators/compare")["name"]
    assert name["required"] is True and "allowEmptyValue" not in name
    assert s.get("/api/indicators/compare").status == 400
    assert s.get("/api/indicators/compare", {"name": ""}).status == 400


def test_clamped_and_checked_bounds_are_documented_as_they_behave(s, openapi):
    for path, spec in openapi["paths"].items():
        for p in spec.get("get", {}).get("parameters", []):
            schema = p["schema"]
            if "x-clamp" in schema:  # accepted whatever the value: no minimum/maximum in the schema
                assert "minimum" not in schema and "maximum" not in schema, (path, p["name"])
                assert "clamped to the nearest bound" in p["description"], (path, p["name"])
            elif "minimum" in schema or "maximum" in schema:
                assert "out-of-range values are a 400" in p["description"].lower(), (path, p["name"])
    search = s.get("/api/search", {"q": "溺水", "k": 10**6})
    clamp = parameters(openapi, "/api/search")["k"]["schema"]["x-clamp"]
    assert search.status == 200 and search.json()["k"] == clamp["maximum"]
    threshold = parameters(openapi, "/api/similar/{unit}")["threshold"]["schema"]
    r = s.get("/api/similar/x", {"threshold": threshold["maximum"] + 1})
    assert r.status == 400 and "threshold" in r.json()["error"]


def test_health_answer_fits_its_schema(s, openapi):
    schema = openapi["components"]["schemas"]["Health"]
    health = s.get("/api/health").json()
    assert set(schema["required"]) <= set(health)
    workers = health["query_workers"]
    assert workers is None or set(schema["properties"]["query_workers"]["required"]) <= set(workers)


# ----------------------------------------------------------------------------- the worker pool after a kill


def health_workers(s) -> dict:
    return s.get("/api/health").json()["query_workers"] or {}


def wait_all_ready(s, within: float) -> tuple[bool, float, dict]:
    t0 = time.monotonic()
    state = health_workers(s)
    while not state.get("all_ready") and time.monotonic() - t0 < within:
        time.sleep(0.2)
        state = health_workers(s)
    return bool(state.get("all_ready")), time.monotonic() - t0, state


@live
def test_pool_is_refilled_after_a_runaway_query_is_killed(s):
    assert sparql(s, ASK).status == 200  # the pool exists and its workers are started
    ready, _, before = wait_all_ready(s, 60)
    assert ready and before["ready"] == before["size"], before
    t0 = time.monotonic()
    r = sparql(s, RUNAWAY)
    assert r.status == 503 and "timed out" in r.text, (r.status, r.text[:200])
    assert time.monotonic() - t0 < LIVE_TIMEOUT_S + 10
    assert_open_cors(r)  # the 503 of a stopped query is readable by a page of another origin too
    ready, took, after = wait_all_ready(s, 30)
    assert ready and after["ready"] == after["size"] == before["size"], (took, after)
    print(f"pool refilled {took:.1f} s after the 503: {json.dumps(after)}")
    r = sparql(s, SELECT)
    assert r.status == 200 and len(r.json()["results"]["bindings"]) == 7


@pytest.mark.parametrize("path,status", [("/id/%5B%C3%AE", 404), ("/id/%25%40E", 404), ("/id/plan/%zz", 400)])
def test_ids_the_store_cannot_hold_are_not_found_not_an_error(s, path, status):
    """Found by the schemathesis run: a path that is no valid IRI ('[', a bad percent escape) was a 500;
    a malformed escape in the URL itself is a bad request."""
    r = s.get(path, headers={"Accept": "text/turtle"})
    assert r.status == status, (r.status, r.text[:200])


@pytest.mark.parametrize("fmt,suffix", [("csv", "csv"), ("tsv", "tsv"), ("json", "json")])
def test_download_names_the_attachment_by_its_format(s, fmt, suffix):
    """The SPARQL page's download buttons: ``download=1`` → Content-Disposition: attachment."""
    r = s.get("/sparql", params={"query": SELECT, "format": fmt, "download": "1"})
    assert r.status == 200
    assert r.headers["content-disposition"] == f'attachment; filename="plankg-results.{suffix}"'
    plain = s.get("/sparql", params={"query": SELECT, "format": fmt})
    assert "content-disposition" not in plain.headers and plain.body == r.body
