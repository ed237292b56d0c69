"""Linked data (``web/linked_data.py``): every node kind dereferences with content negotiation, the ontology and
the shapes are served at their namespaces, the VoID description counts the store, dumps download and parse.

In process (``client``: the app over the hash-encoder build), plus one test over real HTTP where rdflib itself
is the client (``live_server``) and one in Chromium that takes the screenshots (desktop and phone).
"""

from __future__ import annotations

import gzip
import json
import re
import warnings
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from markupsafe import escape
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from graph.rdf import iri as iris
from graph.rdf.ns import ID, ONTOLOGY_TTL, PKG, SHAPES_TTL
from graph.rdf.vocab import ontology_graph, shapes_graph
from service.describe import candidates, describe
from tests.browser_util import needs_chromium
from tests.conftest_server import UPDATE_TOKEN

VOID = Namespace("http://rdfs.org/ns/void#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SYNTAXES = {  # media type -> (rdflib parser, suffix)
    "text/turtle": ("turtle", ".ttl"),
    "application/ld+json": ("json-ld", ".jsonld"),
    "application/n-triples": ("nt", ".nt"),
    "application/rdf+xml": ("xml", ".rdf"),
}
P = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
P += "PREFIX org: <http://www.w3.org/ns/org#> "
# one node of each kind: (SPARQL pattern binding ?x, the page it has or None: the generic resource page)
KINDS = {
    "plan": ("?x a pkg:Plan", "/plans/"),
    "domain": ("?x a pkg:DevelopmentDomain", "/plans/"),
    "goal": ("?x a pkg:Goal", "/units/"),
    "measure": ("?x a pkg:Measure", "/units/"),
    "key project": ("?x a pkg:KeyProject", "/units/"),
    "section": ("?x a pkg:Section", None),
    "indicator table": ("?x a pkg:IndicatorTable", None),
    "table row": ("?x a pkg:TableRow", None),
    "indicator": ("?x a pkg:Indicator FILTER NOT EXISTS { ?x a pkg:TableRow }", None),
    "responsibility": ("?x a pkg:Responsibility", None),
    "agency": ("?x a pkg:Agency", "/agencies/"),
    "agency type": ("?x a pkg:AgencyType", None),
    "domain concept": ("?x a pkg:DomainConcept", None),
    "concept scheme": ("?x a skos:ConceptScheme", None),
    "legal document": ("?x a pkg:LegalDocument", "/laws/"),
    "issuer": ("?x a org:Organization FILTER NOT EXISTS { ?x a pkg:Agency }", None),
    "source file": ("?x a pkg:SourceFile", None),
    "source span": ("?x a pkg:SourceSpan", None),
}


def sparql(client, query: str) -> list[dict]:
    r = client.get("/sparql", {"query": query}, {"Accept": "application/sparql-results+json"})
    assert r.status == 200, r.text[:300]
    return r.json()["results"]["bindings"]


@pytest.fixture(scope="module")
def nodes(client) -> dict[str, str]:
    """One IRI of each node kind in the build."""
    out = {}
    for kind, (pattern, _) in KINDS.items():
        rows = sparql(client, P + f"SELECT ?x WHERE {{ {pattern} FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT 1")
        assert rows, f"no {kind} in the build"
        out[kind] = rows[0]["x"]["value"]
    return out


def id_path(iri: str) -> str:
    return "/id/" + iri[len(ID) :].replace("#", "%23")


def parse(body: bytes, syntax: str) -> Graph:
    return Graph().parse(data=body, format=syntax)


# ----------------------------------------------------------------------------- /id/… for every node kind


@pytest.mark.parametrize("kind", KINDS)
def test_every_node_kind_dereferences_to_turtle_about_it(client, nodes, kind):
    node = nodes[kind]
    r = client.get(id_path(node), headers={"Accept": "text/turtle"})
    assert r.status == 200 and r.content_type.startswith("text/turtle"), (node, r.status, r.text[:200])
    g = parse(r.body, "turtle")
    assert len(list(g.triples((URIRef(node), None, None)))) > 0
    assert (URIRef(node), RDF.type, None) in g
    assert "Accept" in r.headers["vary"]
    assert r.headers["content-location"] == id_path(node) + ".ttl"
    for mime, (_, suffix) in SYNTAXES.items():
        assert f'<{id_path(node)}{suffix}>; rel="alternate"; type="{mime}"' in r.headers["link"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_node_kind_in_every_rdf_syntax_and_its_suffix_twin(client, nodes, kind):
    node = nodes[kind]
    turtle = parse(client.get(id_path(node), headers={"Accept": "text/turtle"}).body, "turtle")
    for mime, (syntax, suffix) in SYNTAXES.items():
        r = client.get(id_path(node), headers={"Accept": mime})
        assert r.status == 200 and r.content_type.startswith(mime), (kind, mime, r.text[:200])
        g = parse(r.body, syntax)
        assert (URIRef(node), None, None) in g, (kind, mime)
        assert len(g) == len(turtle), (kind, mime)
        twin = client.get(id_path(node) + suffix)
        assert twin.status == 200 and twin.content_type.startswith(mime) and twin.body == r.body  # the same document


@pytest.mark.parametrize("kind", KINDS)
def test_browsers_are_sent_to_the_page_or_the_generic_resource_page(client, nodes, kind):
    node = nodes[kind]
    page_prefix = KINDS[kind][1]
    r = client.get(id_path(node), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status == 303 and "Accept" in r.headers["vary"]
    where = r.headers["location"]
    assert where.startswith(page_prefix or "/resource/"), (kind, where)
    page = client.get(where.split("#")[0])
    assert page.status == 200 and page.content_type.startswith("text/html")
    assert '<link rel="alternate" type="text/turtle"' in page.text
    assert client.get(id_path(node)).headers["location"] == where  # no Accept: the page too


def test_accept_q_values_decide(client, nodes):
    path = id_path(nodes["plan"])
    for accept, mime in (
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.8", "application/rdf+xml"),
        ("text/turtle;q=0.1, application/n-triples;q=0.7, text/html;q=0.2", "application/n-triples"),
        ("application/json", "application/ld+json"),
    ):
        r = client.get(path, headers={"Accept": accept})
        assert r.status == 200 and r.content_type.startswith(mime), (accept, r.content_type)
    assert client.get(path, headers={"Accept": "text/turtle;q=0.4, text/html;q=0.9"}).status == 303


def test_a_description_has_labels_of_what_it_links_to_and_its_incoming_links(client, nodes):
    concept = URIRef(nodes["domain concept"])
    rows = sparql(client, P + f"SELECT ?d WHERE {{ ?d pkg:domainConcept <{concept}> }}")
    g = parse(client.get(id_path(str(concept)), headers={"Accept": "text/turtle"}).body, "turtle")
    domains = {URIRef(r["d"]["value"]) for r in rows}
    assert {s for s in g.subjects(PKG.domainConcept, concept)} == domains  # which domains point to it
    for d in domains:
        assert g.value(d, DCTERMS.title) is not None  # each labelled
    assert g.value(PKG.DomainConcept, RDFS.label) is not None  # and its class
    scheme = g.value(concept, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"))
    assert scheme is not None and list(g.objects(scheme, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))


def test_a_source_file_carries_its_spans_and_a_span_is_reached_by_its_full_iri(client, nodes):
    file, span = nodes["source file"], nodes["source span"]
    g = parse(client.get(id_path(file), headers={"Accept": "text/turtle"}).body, "turtle")
    spans = set(g.subjects(PKG.sourceFile, URIRef(file)))
    assert spans and all(str(s).startswith(file + "#char=") for s in spans)
    assert all((s, PKG.charStart, None) in g for s in spans)
    one = parse(client.get(id_path(span), headers={"Accept": "application/n-triples"}).body, "nt")
    assert (URIRef(span), PKG.charEnd, None) in one
    page = client.get("/resource/" + span[len(ID) :].replace("#", "%23"))
    assert page.status == 200 and "字符" in page.text


def test_incoming_links_are_bounded(app, nodes):
    store = app.extensions["plankg"].store()
    scheme = nodes["concept scheme"]
    full = describe(store, scheme)
    few = describe(store, scheme, incoming_limit=5)
    assert full is not None and few is not None
    assert full.incoming_total == few.incoming_total > 5 and few.incoming_shown == 5 and few.truncated
    assert not full.truncated and full.incoming_shown == full.incoming_total


def test_iris_with_escaped_characters_are_found_from_the_path_as_sent_or_decoded():
    minted = str(iris.concept("t-儿童 福利"))
    local = minted[len(ID) :]
    assert minted in candidates("concept/t-儿童 福利")  # Flask's decoded path
    assert candidates("concept/t-儿童 福利", local)[0] == minted  # the raw path as sent
    span = str(iris.span("a b.txt", 1, 5))
    assert span in candidates("source/a b.txt#char=1,5")
    assert span in candidates("source/a b.txt#char=1,5", span[len(ID) :].replace("#", "%23"))


@pytest.mark.parametrize(
    "accept,mime",
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_unknown_iris_are_404_in_the_negotiated_format(client, accept, mime):
    for path in ("/id/plan/ffffffffffff", "/id/nothing/here", "/id/plan/ffffffffffff.ttl", "/id/%5B%3C"):
        r = client.get(path, headers={"Accept": accept})
        assert r.status == 404, (path, accept)
        if not path.endswith(".ttl"):
            assert r.content_type.startswith(mime), (path, r.content_type)
    # a control character in a path is refused as a bad request, in the negotiated format too
    r = client.get("/id/%0D%0A%3C", headers={"Accept": accept})
    assert r.status == 400 and r.content_type.startswith(mime), r.content_type
    bad = client.get("/id/nothing%0D%0A<x>%20<y>%20<z>%20.", headers={"Accept": "text/turtle"})
    assert bad.status == 400 and len(Graph().parse(data=bad.body, format="turtle")) == 0  # nothing injected
    assert json.loads(client.get("/id/x", headers={"Accept": "application/ld+json"}).body)["status"] == 404
    assert client.get("/resource/nothing/here").status == 404
    assert client.get("/resource/nothing/here.json").json()["status"] == 404


def test_generic_resource_page_and_its_json_twin(client, nodes):
    node = nodes["indicator"]
    path = "/resource/" + node[len(ID) :]
    page, twin = client.get(path), client.get(path + ".json")
    assert page.status == 200 and twin.status == 200
    data = twin.json()
    assert data["iri"] == node and data["label"] and data["types"][0]["curie"] == "pkg:Indicator"
    assert {p["property"]["curie"] for p in data["properties"]} >= {"pkg:indicatorName", "prov:wasDerivedFrom"}
    assert any(s["url"].startswith("/indicators/compare?name=") for s in data["see_also"])
    assert data["incoming"] and data["incoming"][0]["property"]["curie"] == "pkg:hasIndicator"
    assert data["label"] in page.text and "指标名称" in page.text and "指向它的链接" in page.text
    assert f'href="{id_path(node)}.ttl"' in page.text


# ----------------------------------------------------------------------------- the ontology and the shapes


def test_the_ontology_page_lists_every_class_with_both_labels_and_an_example(client):
    page = client.get("/ontology")
    assert page.status == 200 and page.content_type.startswith("text/html") and "Accept" in page.headers["vary"]
    onto = ontology_graph()
    classes = [c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(str(PKG))]
    assert len(classes) >= 15
    text = page.text
    for c in classes:
        name = str(c)[len(str(PKG)) :]
        assert f'id="{name}"' in text, name
        for lab in onto.objects(c, RDFS.label):
            assert str(lab) in text, (name, str(lab))
    data = client.get("/ontology.json").json()
    terms = {t["curie"]: t for s in data["sections"] for t in s["terms"]}
    for c in classes:
        t = terms["pkg:" + str(c)[len(str(PKG)) :]]
        assert t["label_zh"] and t["label_en"] and t["comment_zh"]
        if t["count"]:
            assert t["example"]["subject"]["iri"].startswith((str(ID), str(PKG))), t["curie"]
    has_domain = terms["pkg:hasDomain"]
    assert has_domain["domain"][0]["curie"] == "pkg:Plan" and has_domain["range"][0]["curie"] == "pkg:DevelopmentDomain"
    assert has_domain["example"]["object"]["url"].startswith("/plans/")
    assert '<link rel="alternate" type="text/turtle" href="/ontology.ttl"' in text


def test_the_ontology_is_served_at_its_namespace_in_every_syntax(client):
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status == 200 and r.body == ONTOLOGY_TTL.read_bytes() and r.headers["content-location"] == "/ontology.ttl"
    onto = ontology_graph()
    for mime, (syntax, suffix) in SYNTAXES.items():
        for got in (client.get("/ontology", headers={"Accept": mime}), client.get("/ontology" + suffix)):
            assert got.status == 200 and got.content_type.startswith(mime)
            assert parse(got.body, syntax).isomorphic(onto), mime


def test_the_shapes_are_served_with_their_constraints_and_messages(client):
    r = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert r.status == 200 and r.body == SHAPES_TTL.read_bytes()
    assert parse(client.get("/shapes.jsonld").body, "json-ld").isomorphic(shapes_graph())
    page = client.get("/shapes")
    assert page.status == 200 and page.content_type.startswith("text/html")
    g = shapes_graph()
    for shape in g.subjects(RDF.type, SH.NodeShape):
        assert f'id="{str(shape).rsplit("#", 1)[1]}"' in page.text
    for message in g.objects(None, SH.message):
        assert str(escape(str(message))) in page.text
    assert "最少个数" in page.text and "警告" in page.text


def test_pages_link_the_ontology_void_and_dumps(client):
    for path in ("/", "/sparql"):
        text = client.get(path, headers={"Accept": "text/html"}).text
        for href in ("/ontology", "/.well-known/void", "/downloads/plankg.nq"):
            assert f'href="{href}"' in text, (path, href)


# ----------------------------------------------------------------------------- VoID and dumps


@pytest.fixture(scope="module")
def void(client) -> Graph:
    r = client.get("/.well-known/void")
    assert r.status == 200 and r.content_type.startswith("text/turtle") and "Accept" in r.headers["vary"]
    return parse(r.body, "turtle")


def dataset(void: Graph) -> URIRef:
    found = list(void.subjects(RDF.type, VOID.Dataset))
    primary = next(void.objects(None, URIRef("http://xmlns.com/foaf/0.1/primaryTopic")))
    assert primary in found
    return primary


def number(g: Graph, s, p) -> int:
    v = g.value(s, p)
    assert isinstance(v, Literal), (s, p)
    return int(v)


def test_void_counts_the_store(client, void, app):
    ds = dataset(void)
    store = app.extensions["plankg"].store()
    triples = number(void, ds, VOID.triples)
    assert triples == store.triple_count() == client.get("/api/health").json()["triples"]
    props = {
        void.value(p, VOID.property): number(void, p, VOID.triples) for p in void.objects(ds, VOID.propertyPartition)
    }
    assert sum(props.values()) == triples and len(props) == number(void, ds, VOID.properties)
    classes = {
        void.value(p, VOID["class"]): number(void, p, VOID.entities) for p in void.objects(ds, VOID.classPartition)
    }
    assert len(classes) == number(void, ds, VOID.classes)
    assert classes[PKG.Plan] == len(client.get("/api/plans").json()["items"]) == 7
    assert props[RDF.type] >= sum(classes.values())  # one rdf:type triple per (entity, class)
    assert number(void, ds, VOID.entities) >= classes[PKG.PlanUnit] + classes[PKG.Plan]
    assert void.value(ds, VOID.uriSpace) == Literal(str(ID))


def test_void_says_what_it_is_where_it_comes_from_and_where_to_get_it(client, void, nodes):
    ds = dataset(void)
    assert {lab.language for lab in void.objects(ds, DCTERMS.title)} == {"zh", "en"}
    assert {lab.language for lab in void.objects(ds, DCTERMS.description)} == {"zh", "en"}
    rights = " ".join(void.objects(ds, DCTERMS.rights))
    assert "MIT" in rights and "public government documents" in rights
    sources = set(void.objects(ds, DCTERMS.source))
    assert URIRef(nodes["source file"]) in sources and len(sources) == 5
    assert str(void.value(ds, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    dumps = {str(d) for d in void.objects(ds, VOID.dataDump)}
    assert dumps == {"http://localhost/downloads/plankg.nq", "http://localhost/downloads/plankg.ttl"}
    vocabularies = {str(v) for v in void.objects(ds, VOID.vocabulary)}
    assert {
        "https://w3id.org/plankg/ontology",
        "http://www.w3.org/2004/02/skos/core#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/ns/org#",
    } <= vocabularies
    build = void.value(ds, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    assert str(void.value(build, DCTERMS.identifier)).startswith("gen-")
    assert void.value(ds, URIRef("http://www.w3.org/ns/prov#generatedAtTime")) is not None
    for mime, (syntax, _) in SYNTAXES.items():
        r = client.get("/.well-known/void", headers={"Accept": mime})
        assert r.content_type.startswith(mime) and parse(r.body, syntax).isomorphic(void), mime


def test_dumps_download_and_parse(client, void, app):
    triples = number(void, dataset(void), VOID.triples)
    named = sum(number(void, g, VOID.triples) for g in void.objects(None, URIRef("http://xmlns.com/foaf/0.1/topic")))
    zipped = client.get("/downloads/plankg.nq", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.status == 200 and zipped.headers["content-encoding"] == "gzip"
    assert zipped.content_type.startswith("application/n-quads") and "Accept-Encoding" in zipped.headers["vary"]
    quads = list(ox.parse(gzip.decompress(zipped.body), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == triples + named
    assert sum(isinstance(q.graph_name, ox.DefaultGraph) for q in quads) == triples
    plain = client.get("/downloads/plankg.nq")
    assert "content-encoding" not in plain.headers and plain.body == gzip.decompress(zipped.body)
    ttl = client.get("/downloads/plankg.ttl")
    assert ttl.content_type.startswith("text/turtle")
    assert len(list(ox.parse(ttl.body, format=ox.RdfFormat.TURTLE))) == triples
    gz = client.get("/downloads/plankg.ttl.gz")
    assert gz.content_type == "application/gzip" and gzip.decompress(gz.body) == ttl.body
    assert client.get("/downloads/plankg.xml").status == 404
    folder = app.extensions["plankg"].generation.layout.dumps
    assert sorted(p.name for p in folder.glob("*.gz")) == ["plankg.nq.gz", "plankg.ttl.gz"]


def test_an_update_refreshes_void_and_dumps(tmp_path, hash_data_dir, app_server):
    from tests.corpus_util import copy_data

    s = app_server(copy_data(hash_data_dir, tmp_path / "data"), token=UPDATE_TOKEN)
    before = parse(s.get("/.well-known/void").body, "turtle")
    count = number(before, dataset(before), VOID.triples)
    assert s.get("/downloads/plankg.ttl").status == 200
    insert = f'INSERT DATA {{ <{ID}plan/ffffffffffff> <{RDFS.label}> "新增" }}'
    r = s.post("/sparql", insert, "application/sparql-update", {"Authorization": f"Bearer {UPDATE_TOKEN}"})
    assert r.status == 204
    after = parse(s.get("/.well-known/void").body, "turtle")
    assert number(after, dataset(after), VOID.triples) == count + 1
    assert len(list(ox.parse(s.get("/downloads/plankg.ttl").body, format=ox.RdfFormat.TURTLE))) == count + 1
    new = s.get("/id/plan/ffffffffffff", headers={"Accept": "text/turtle"})
    assert new.status == 200 and "新增" in new.text


# ----------------------------------------------------------------------------- a real client over HTTP


def test_rdflib_loads_iris_void_and_the_ontology_over_http(live_server):
    base = live_server.url
    plan = json.loads(live_server.get("/api/plans").body)["items"][0]["iri"]
    url = base + "/id/" + plan[len(ID) :]
    g = Graph().parse(url)  # rdflib's own Accept header (every syntax it reads)
    assert (URIRef(plan), RDF.type, PKG.Plan) in g
    for syntax in ("turtle", "json-ld", "xml", "nt"):
        assert (URIRef(plan), RDF.type, PKG.Plan) in Graph().parse(url, format=syntax), syntax
    row = live_server.get(
        "/sparql",
        {"query": "SELECT ?x WHERE { ?x a <%s> } LIMIT 1" % PKG.TableRow},
        {"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["x"]["value"]
    assert (URIRef(row), RDF.type, PKG.TableRow) in Graph().parse(base + "/id/" + row[len(ID) :])
    void = Graph().parse(base + "/.well-known/void")
    triples = number(void, dataset(void), VOID.triples)
    assert triples > 10000
    assert Graph().parse(base + "/ontology").isomorphic(ontology_graph())
    quads = Dataset()
    with warnings.catch_warnings():  # rdflib warns about its own default_context once per quad
        warnings.simplefilter("ignore", DeprecationWarning)
        quads.parse(base + "/downloads/plankg.nq", format="nquads")
    assert len(list(quads.quads())) >= triples


# ----------------------------------------------------------------------------- how the pages look


@needs_chromium
def test_ontology_and_resource_pages_on_desktop_and_phone(browser, live_server, artifacts):
    base = live_server.url
    row = live_server.get(
        "/sparql",
        {"query": "SELECT ?x WHERE { ?x a <%s> } LIMIT 1" % PKG.Indicator},
        {"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["x"]["value"]
    pages = {"ontology": "/ontology", "resource-indicator": "/id/" + quote(row[len(ID) :])}
    for width, height, tag in ((1280, 900, "desktop"), (375, 812, "phone")):
        ctx = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            device_scale_factor=2 if width < 500 else 1,
            is_mobile=width < 500,
        )
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for name, path in pages.items():
            pg.goto(base + path)
            assert pg.locator("h1").count() == 1
            if name == "ontology":
                assert pg.locator("article.term").count() > 60
            else:
                assert pg.url.startswith(base + "/resource/") and pg.locator("table.props tr").count() > 3
            scroll = pg.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, f"{name} scrolls sideways at {width}px ({scroll}px)"
            pg.screenshot(path=str(artifacts / f"{name}-{tag}.png"), full_page=name != "ontology")
        assert not errors, errors
        ctx.close()
    assert re.search(r"[\u4e00-\u9fff]", live_server.get("/ontology").text)


@pytest.mark.parametrize("fmt", ["turtle", "rdf-xml", "json-ld", "ntriples"])
def test_an_error_message_cannot_become_a_triple(app, fmt):
    from web import linked_data

    with app.test_request_context("/id/x"):
        resp = linked_data.error_in_format(fmt, 400, "bad\n<http://a> <http://b> <http://c> .\n-->\n")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and body.count("\n") <= 3 and "-->\n<http" not in body
    if fmt != "json-ld":
        assert len(Graph().parse(data=body, format={"rdf-xml": "xml", "ntriples": "nt"}.get(fmt, fmt))) == 0
