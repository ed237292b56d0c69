"""The /sparql endpoint: formats, negotiation, errors and limits.

In process (``client``: Flask's test client over the bundled corpus built with the model-free encoder)
except the tests marked ``live``, which need the real service (gunicorn over HTTP): a query stopped by
its timeout (the query worker killed) and a second server using the first as its remote store."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from tests.conftest_app import live_or_app
from tests.conftest_server import LIVE_MAX_ROWS, LIVE_TIMEOUT_S, UPDATE_TOKEN

PKG = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
PLANS = PKG + "SELECT ?plan ?title WHERE { ?plan a pkg:Plan ; dcterms:title ?title } ORDER BY ?title"
ASK = PKG + "ASK { ?p a pkg:Plan }"
CONSTRUCT = PKG + "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a pkg:Plan ; dcterms:title ?t }"


@pytest.fixture
def s(request):
    """The app in process (Flask's test client); the real server for the tests marked ``live``."""
    return live_or_app(request, "live_server", "client")


live = pytest.mark.usefixtures("live_server")  # real gunicorn over HTTP (tier: server)


def q(s, query, accept=None, **params):
    return s.get("/sparql?" + urlencode({"query": query, **params}), headers={"Accept": accept} if accept else None)


def test_select_defaults_to_json(s):
    r = q(s, PLANS)
    assert r.status == 200 and r.content_type.startswith("application/sparql-results+json")
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 7 and rows[0]["plan"]["type"] == "uri"
    assert rows[0]["title"].get("xml:lang") == "zh"


@pytest.mark.parametrize(
    "accept,mime",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/html, */*;q=0.1", "application/sparql-results+json"),
    ],
)
def test_select_negotiation(s, accept, mime):
    r = q(s, PLANS, accept)
    assert r.status == 200 and r.content_type.startswith(mime), r.content_type
    if mime == "text/csv":
        assert list(csv.reader(io.StringIO(r.text)))[0] == ["plan", "title"]
    if mime == "application/sparql-results+xml":
        assert len(ET.fromstring(r.body).findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 7
    if mime == "text/tab-separated-values":
        assert r.text.splitlines()[0] == "?plan\t?title" and '"@zh' in r.text


def test_ask_and_unacceptable_format(s):
    assert q(s, ASK).json() == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in q(s, ASK, "application/sparql-results+xml").text
    assert q(s, ASK, "text/csv").status == 406


@pytest.mark.parametrize(
    "accept,mime",
    [
        (None, "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_construct_formats(s, accept, mime):
    from rdflib import Graph

    r = q(s, CONSTRUCT, accept)
    assert r.status == 200 and r.content_type.startswith(mime)
    fmt = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }[mime]
    assert len(Graph().parse(data=r.body, format=fmt)) == 7


def test_service_description(s):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    r = s.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status == 200 and r.content_type.startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (None, RDF.type, URIRef("http://www.w3.org/ns/sparql-service-description#Service")) in g
    assert "SPARQL11Update" in r.text  # the live server has an update token
    page = s.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status == 200 and page.content_type.startswith("text/html") and "<textarea" in page.text


def test_post_forms_and_dataset(s):
    r = s.post("/sparql", urlencode({"query": PLANS}), "application/x-www-form-urlencoded")
    assert r.status == 200 and len(r.json()["results"]["bindings"]) == 7
    r = s.post("/sparql", PLANS, "application/sparql-query")
    assert r.status == 200 and len(r.json()["results"]["bindings"]) == 7
    # a protocol dataset replaces the store's: an unknown default graph is empty
    r = q(s, PLANS, **{"default-graph-uri": "http://example.org/none"})
    assert r.status == 200 and r.json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    "make",
    [
        lambda s: s.get("/sparql?" + urlencode([("query", ASK), ("query", ASK)])),
        lambda s: q(s, "SELECT * WHERE { ?s ?p "),
        lambda s: q(s, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
        lambda s: s.get("/sparql?" + urlencode({"update": "CLEAR ALL"})),
        lambda s: s.post("/sparql", ASK, "text/plain"),
        lambda s: s.request("POST", "/sparql", ASK.encode()),
    ],
)
def test_client_errors(s, make):
    r = make(s)
    assert 400 <= r.status < 500, (r.status, r.text)
    assert r.text.strip()


def test_wrong_content_type_is_415(s):
    assert s.post("/sparql", ASK, "text/plain").status == 415
    assert s.post("/sparql", ASK.encode("utf-16"), "application/sparql-query; charset=UTF-16").status == 415


def test_service_is_refused(s):
    r = q(s, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert r.status == 400 and "SERVICE" in r.text


def test_updates_need_the_token(s):
    body = "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }"
    r = s.post("/sparql", body, "application/sparql-update")
    assert r.status == 401 and "Bearer" in r.headers.get("www-authenticate", "")
    r = s.post("/sparql", body, "application/sparql-update", {"Authorization": "Bearer nope"})
    assert r.status == 401
    r = s.post(
        "/sparql", "DELETE WHERE { ?s ?p ?o ", "application/sparql-update", {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    )
    assert r.status == 400  # authorised but malformed: nothing changed
    assert q(s, ASK).json()["boolean"] is True


def test_result_rows_are_capped_and_flagged(s):
    r = q(s, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert r.status == 200
    assert r.headers.get("x-plankg-truncated") == "true"
    assert len(r.text.strip().splitlines()) == LIVE_MAX_ROWS + 1
    small = q(s, PLANS)
    assert "x-plankg-truncated" not in small.headers and small.headers.get("x-plankg-rows") == "7"


@live
def test_runaway_query_is_stopped_with_503(s):
    t0 = time.monotonic()
    r = q(s, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    took = time.monotonic() - t0
    assert r.status == 503 and "timed out" in r.text
    assert took < LIVE_TIMEOUT_S + 5
    # the endpoint answers at once afterwards (the worker running the query was killed)
    t0 = time.monotonic()
    assert q(s, ASK).status == 200
    assert time.monotonic() - t0 < 3


def test_request_size_limit(s):
    big = "a" * (2 << 20)
    r = s.post("/sparql", urlencode({"query": "ASK {} #" + big}), "application/x-www-form-urlencoded")
    assert r.status == 413


def test_example_queries_run(s):
    examples = s.get("/sparql.json").json()["examples"]
    ids = {e["id"] for e in examples}
    assert {"agencies-by-measures", "laws-by-plan", "measures-without-agency", "targets-2030"} <= ids
    for e in examples:
        r = s.post("/sparql", e["query"], "application/sparql-query")
        assert r.status == 200, (e["id"], r.text)
        assert r.json()["results"]["bindings"], e["id"]


@live
def test_remote_store_mode(s, built_data_dir, start_server):
    """PLANKG_STORE: the same pages and API served from a remote SPARQL endpoint (here: the live server)."""
    remote = start_server(built_data_dir, env={"PLANKG_STORE": s.url + "/sparql"})
    plans = remote.get("/api/plans").json()
    assert plans["total"] == 7
    plan = remote.get("/api/plans/" + plans["items"][0]["id"]).json()
    assert plan["domains"] and plan["domains"][0]["goals"] + plan["domains"][0]["measures"]
    assert remote.get("/agency-graph").status == 200
    r = remote.get("/sparql?" + urlencode({"query": PLANS}))
    assert r.status == 200 and len(r.json()["results"]["bindings"]) == 7
