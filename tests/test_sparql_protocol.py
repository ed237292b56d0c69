"""W3C SPARQL 1.1 Protocol conformance, read from ../shared/conformance/sparql11-protocol/manifest.ttl.

The manifest is parsed at test time (rdflib); every request of every test (method, path, headers,
body as the manifest gives them) is sent to the app in process (Flask's test client; the protocol is
the endpoint's logic, no test needs gunicorn) running on a scratch store where data1.nt, data2.nt and
data3.nt are loaded into the named graphs the suite expects. The update token is sent with every
request, so the 14 update tests run against an endpoint that accepts updates from an authorised user.
"""

from __future__ import annotations

import gc
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest_server import UPDATE_TOKEN

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT.parent / "shared" / "conformance" / "sparql11-protocol"
MANIFEST = SUITE / "manifest.ttl"
ENDPOINT = "/sparql"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

BOOLEAN_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/json",
    "application/xml",
    "text/xml",
)
TABULAR_TYPES = BOOLEAN_TYPES + ("text/csv", "text/tab-separated-values")
RDF_TYPES = (
    "application/rdf+xml",
    "text/turtle",
    "application/n-triples",
    "text/plain",
    "text/html",
    "application/xhtml+xml",
    "application/ld+json",
    "application/x-turtle",
)


def load_manifest() -> list[dict]:
    from rdflib import Graph, URIRef
    from rdflib.collection import Collection

    g = Graph()
    g.parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    u = URIRef

    def one(s, p):
        return g.value(s, u(p))

    manifest = next(g.subjects(u("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), u(MF + "Manifest")))
    tests = []
    for entry in Collection(g, one(manifest, MF + "entries")):
        action = one(entry, MF + "action")
        requests = []
        for req in Collection(g, one(action, HT + "requests")):
            headers = {}
            hlist = one(req, HT + "headers")
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(one(h, HT + "fieldName"))] = str(one(h, HT + "fieldValue"))
            body = one(req, HT + "body")
            resp = one(req, HT + "resp")
            expected_bool = one(resp, MF + "expectedBoolean")
            requests.append(
                {
                    "method": str(one(req, HT + "methodName")),
                    "path": str(one(req, HT + "absolutePath")),
                    "headers": headers,
                    "body": None if body is None else str(one(body, CNT + "chars")),
                    "encoding": "UTF-8" if body is None else str(one(body, CNT + "characterEncoding") or "UTF-8"),
                    "statuses": sorted(
                        str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(resp, u(MF + "expectedStatus"))
                    ),
                    "boolean": None if expected_bool is None else expected_bool.toPython(),
                    "format": None
                    if one(resp, MF + "expectedFormat") is None
                    else str(one(resp, MF + "expectedFormat")),
                }
            )
        graphs = [(str(one(d, UT + "graph")), str(one(d, RDFS_LABEL))) for d in g.objects(entry, u(UT + "graphData"))]
        name = str(entry).rsplit("#", 1)[-1]
        tests.append(
            {
                "id": name,
                "name": str(one(entry, MF + "name")),
                "requests": requests,
                "graphs": graphs,
                "kind": "update" if "update" in name else "query",
            }
        )
    return tests


TESTS = load_manifest() if MANIFEST.exists() else []
pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason=f"conformance suite not found at {MANIFEST}")


def local_path(absolute_path: str) -> str:
    """The manifest's /sparql/… path on this service's endpoint."""
    assert absolute_path.startswith("/sparql/")
    rest = absolute_path[len("/sparql/") :]
    return ENDPOINT + rest


def graph_data() -> dict[str, str]:
    """graph IRI -> N-Triples text of data1..3.nt."""
    return {
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": (SUITE / f"data{i}.nt").read_text("utf-8")
        for i in (1, 2, 3)
    }


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory, app_server):
    """A scratch store with the suite's data in named graphs, served with an update token."""
    import pyoxigraph as ox

    data_dir = tmp_path_factory.mktemp("protocol-data")
    gen = data_dir / "gen-protocol"
    gen.mkdir()
    store = ox.Store(str(gen / "store"))
    for graph, nt in graph_data().items():
        store.load(nt.encode(), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    store.flush()
    del store
    gc.collect()
    (data_dir / "current").symlink_to(gen.name)
    return app_server(data_dir, token=UPDATE_TOKEN)


def reset_data(server) -> None:
    """Put data1..3 back in their named graphs (update tests clear the store)."""
    inserts = " ".join(f"GRAPH <{g}> {{ {nt} }}" for g, nt in graph_data().items())
    r = server.post(
        ENDPOINT,
        f"DROP ALL ; INSERT DATA {{ {inserts} }}",
        "application/sparql-update",
        {"Authorization": f"Bearer {UPDATE_TOKEN}"},
    )
    assert r.status in (200, 204), r.text


def boolean_of(reply) -> bool:
    ctype = reply.content_type.split(";")[0].strip()
    if "json" in ctype:
        return bool(json.loads(reply.body)["boolean"])
    root = ET.fromstring(reply.body)
    el = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    return el.text.strip() == "true"


def check(reply, req: dict) -> None:
    klass = f"{reply.status // 100}xx"
    assert klass in req["statuses"], f"status {reply.status} not in {req['statuses']}: {reply.text[:300]}"
    if not reply.status // 100 == 2:
        return
    ctype = reply.content_type.split(";")[0].strip().lower()
    fmt = req["format"]
    if fmt == "boolean":
        assert ctype in BOOLEAN_TYPES, ctype
    elif fmt == "tabular":
        assert ctype in TABULAR_TYPES, ctype
    elif fmt == "RDF":
        assert ctype in RDF_TYPES, ctype
    if req["boolean"] is not None:
        assert boolean_of(reply) is req["boolean"], reply.text


@pytest.mark.parametrize("test", TESTS, ids=[t["id"] for t in TESTS])
def test_protocol(test, protocol_server):
    if test["graphs"]:
        reset_data(protocol_server)
    for req in test["requests"]:
        headers = {"Authorization": f"Bearer {UPDATE_TOKEN}", **req["headers"]}
        body = (
            None
            if req["body"] is None
            else req["body"].encode("utf-16" if req["encoding"].upper() == "UTF-16" else "utf-8")
        )
        reply = protocol_server.request(req["method"], local_path(req["path"]), body, headers)
        check(reply, req)


def test_manifest_counts():
    """The suite as described in shared/conformance/README.md: 20 query tests and 14 update tests."""
    kinds = [t["kind"] for t in TESTS]
    assert kinds.count("query") == 20 and kinds.count("update") == 14, kinds


def test_updates_refused_without_token(protocol_server):
    """A request without the token cannot change the data (401), and the data is still there."""
    r = protocol_server.post(ENDPOINT, "CLEAR ALL", "application/sparql-update")
    assert r.status == 401
    assert re.search("bearer", r.headers.get("www-authenticate", ""), re.I)
    r = protocol_server.post(ENDPOINT, "CLEAR ALL", "application/sparql-update", {"Authorization": "Bearer wrong"})
    assert r.status == 401
