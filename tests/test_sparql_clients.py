"""Real SPARQL clients against the real service (gunicorn over HTTP, tier: server): SPARQLWrapper and rdflib's
SPARQLStore, every query form, every return format they offer (and their defaults), GET and POST.

Each answer is decoded by the client the way its users decode it, and compared with the same query run
directly on the service's store (opened read-only beside it): the same rows in the same order, the same boolean,
isomorphic graphs. SPARQLWrapper sends its format as ``format=``, ``output=`` and ``results=`` (``xml`` by default,
also for CONSTRUCT/DESCRIBE) beside an Accept header: the endpoint maps them per query form
(``graph.store.formats.FORMAT_PARAM``)."""

from __future__ import annotations

import csv
import io
import warnings

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from builds.generations import current_generation
from builds.layout import DataFolder

# SPARQLWrapper and rdflib's JSON-LD parser build ConjunctiveGraphs, which rdflib 7 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

PKG = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
# rows with IRIs, language-tagged literals and typed literals (numbers), in a fixed order
SELECT = (
    PKG + "SELECT ?plan ?title (COUNT(?m) AS ?measures) WHERE { ?plan a pkg:Plan ; dcterms:title ?title . "
    "OPTIONAL { ?plan pkg:hasDomain/pkg:hasMeasure ?m } } GROUP BY ?plan ?title ORDER BY ?title"
)
ASK_YES = PKG + "ASK { ?p a pkg:Plan }"
ASK_NO = PKG + "ASK { ?p a pkg:NoSuchClass }"
CONSTRUCT = PKG + "CONSTRUCT { ?p dcterms:title ?t ; a pkg:Plan } WHERE { ?p a pkg:Plan ; dcterms:title ?t }"
DESCRIBE = PKG + "DESCRIBE ?p WHERE { ?p a pkg:Plan ; dcterms:title ?t } ORDER BY ?t LIMIT 1"

METHODS = {"GET": (GET, URLENCODED), "POST form": (POST, URLENCODED), "POST direct": (POST, POSTDIRECTLY)}


@pytest.fixture(scope="module")
def direct(built_data_dir):
    """The live server's store, opened read-only beside it."""
    gen = current_generation(DataFolder(built_data_dir))
    assert gen is not None
    return ox.Store.read_only(str(gen.store))


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server.url + "/sparql"


def wrapper(endpoint: str, query: str, fmt: str | None, method: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    verb, encoding = METHODS[method]
    sw.setMethod(verb)
    sw.setRequestMethod(encoding)
    if fmt is not None:
        sw.setReturnFormat(fmt)
    return sw


def run(sw: SPARQLWrapper):
    with warnings.catch_warnings():
        # SPARQLWrapper warns when the answer's syntax is not the one it asked for; that must never happen here
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "Sending Accept header", RuntimeWarning)  # its own Accept for format=json
        result = sw.query()
        return result.info()["content-type"], result.convert()


# ----------------------------------------------------------------------------- terms, both sides alike


def ox_term(t) -> tuple:
    if t is None:
        return ()
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode",)
    dt = t.datatype.value if t.datatype and not t.language else None
    return ("literal", t.value, t.language, None if dt == "http://www.w3.org/2001/XMLSchema#string" else dt)


def json_term(b: dict | None) -> tuple:
    if b is None:
        return ()
    if b["type"] == "uri":
        return ("uri", b["value"])
    if b["type"] == "bnode":
        return ("bnode",)
    return ("literal", b["value"], b.get("xml:lang"), b.get("datatype"))


def xml_rows(doc, names: list[str]) -> list[tuple]:
    rows = []
    for result in doc.getElementsByTagName("result"):
        bound = {}
        for b in result.getElementsByTagName("binding"):
            node = next(n for n in b.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = "".join(c.data for c in node.childNodes if c.nodeType == c.TEXT_NODE)
            if node.tagName == "uri":
                bound[b.getAttribute("name")] = ("uri", text)
            elif node.tagName == "bnode":
                bound[b.getAttribute("name")] = ("bnode",)
            else:
                bound[b.getAttribute("name")] = (
                    "literal",
                    text,
                    node.getAttribute("xml:lang") or None,
                    node.getAttribute("datatype") or None,
                )
        rows.append(tuple(bound.get(n, ()) for n in names))
    return rows


def direct_select(direct, query: str) -> tuple[list[str], list[tuple]]:
    res = direct.query(query)
    names = [v.value for v in res.variables]
    return names, [tuple(ox_term(sol[n]) for n in names) for sol in res]


def direct_graph(direct, query: str) -> Graph:
    data = ox.serialize(list(direct.query(query)), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data.decode(), format="nt")


def as_graph(converted, content_type: str) -> Graph:
    """SPARQLWrapper's conversion of a graph answer: an rdflib graph (RDF/XML, JSON-LD) or the bytes (Turtle)."""
    if isinstance(converted, Graph):
        g = Graph()
        for t in converted:
            g.add(t)
        return g
    assert content_type.startswith("text/turtle"), content_type
    return Graph().parse(data=converted.decode("utf-8"), format="turtle")


# ----------------------------------------------------------------------------- SPARQLWrapper


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", [None, JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(endpoint, direct, fmt, method):
    names, expected = direct_select(direct, SELECT)
    assert len(expected) >= 5 and any(r[2][3] for r in expected)  # typed numbers among the rows
    content_type, got = run(wrapper(endpoint, SELECT, fmt, method))
    if fmt == JSON:
        assert content_type.startswith("application/sparql-results+json")
        assert got["head"]["vars"] == names
        rows = [tuple(json_term(b.get(n)) for n in names) for b in got["results"]["bindings"]]
        assert rows == expected
    elif fmt in (None, XML):  # SPARQLWrapper's default is XML
        assert content_type.startswith("application/sparql-results+xml")
        assert xml_rows(got, names) == expected
    else:  # CSV / TSV: SPARQLWrapper hands over the text
        assert content_type.startswith("text/csv" if fmt == CSV else "text/tab-separated-values")
        text = got.decode("utf-8")
        if fmt == CSV:
            table = list(csv.reader(io.StringIO(text)))
            assert table[0] == names
            assert [tuple(r) for r in table[1:]] == [tuple(t[1] for t in row) for row in expected]
        else:
            lines = text.rstrip("\n").split("\n")
            assert lines[0].split("\t") == ["?" + n for n in names]
            assert len(lines) == len(expected) + 1
            for line, row in zip(lines[1:], expected, strict=True):
                cells = line.split("\t")
                assert cells[0] == f"<{row[0][1]}>" and cells[1].startswith(f'"{row[1][1]}"@')


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", [None, JSON, XML])
@pytest.mark.parametrize("query", [ASK_YES, ASK_NO], ids=["true", "false"])
def test_sparqlwrapper_ask(endpoint, direct, query, fmt, method):
    expected = bool(direct.query(query))
    content_type, got = run(wrapper(endpoint, query, fmt, method))
    if fmt == JSON:
        assert content_type.startswith("application/sparql-results+json") and got["boolean"] is expected
    else:
        assert content_type.startswith("application/sparql-results+xml")
        text = got.getElementsByTagName("boolean")[0].firstChild.data
        assert text == ("true" if expected else "false")


GRAPH_FORMATS = {  # SPARQLWrapper's return format -> the media type it must get
    None: "application/rdf+xml",  # its default, XML, sent as format=xml: RDF/XML for a graph
    XML: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    TURTLE: "text/turtle",
    N3: "text/turtle",  # Turtle is N3; SPARQLWrapper reads it as N3
    JSONLD: "application/ld+json",
    JSON: "application/ld+json",  # the JSON of a graph
}


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS), ids=[str(f) for f in GRAPH_FORMATS])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graphs(endpoint, direct, query, fmt, method):
    expected = direct_graph(direct, query)
    assert len(expected) >= 7
    content_type, got = run(wrapper(endpoint, query, fmt, method))
    assert content_type.startswith(GRAPH_FORMATS[fmt]), content_type
    assert isomorphic(as_graph(got, content_type), expected)


def test_sparqlwrapper_refused_format_is_a_clear_400(endpoint):
    """A format that fits no result of the query form: 400 naming it and what fits."""
    sw = wrapper(endpoint, CONSTRUCT, CSV, "GET")
    with pytest.raises(Exception) as caught:
        sw.query()
    text = str(caught.value)
    assert "400" in text or "QueryBadFormed" in type(caught.value).__name__, text
    assert "format=csv" in text and "turtle" in text, text


# ----------------------------------------------------------------------------- rdflib's SPARQLStore


def rdflib_term(t) -> tuple:
    if t is None:
        return ()
    if isinstance(t, URIRef):
        return ("uri", str(t))
    if isinstance(t, BNode):
        return ("bnode",)
    assert isinstance(t, Literal)
    return ("literal", str(t), t.language, str(t.datatype) if t.datatype else None)


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_sparqlstore_query(endpoint, direct, return_format, method):
    g = Graph(store=SPARQLStore(endpoint, returnFormat=return_format, method=method))
    names, expected = direct_select(direct, SELECT)
    rows = [tuple(rdflib_term(v) for v in row) for row in g.query(SELECT)]
    assert rows == expected
    assert g.query(ASK_YES).askAnswer is bool(direct.query(ASK_YES))
    assert g.query(ASK_NO).askAnswer is bool(direct.query(ASK_NO))
    if return_format == "xml":  # its Accept for xml also takes RDF/XML: graphs come back
        assert isomorphic(g.query(CONSTRUCT).graph, direct_graph(direct, CONSTRUCT))


def test_sparqlstore_triples(endpoint, direct):
    """Graph.triples() over the endpoint: the triples of the default graph that match the pattern."""
    g = Graph(store=SPARQLStore(endpoint))
    _, rows = direct_select(direct, SELECT)
    plan = URIRef(rows[0][0][1])
    expected = {
        (plan, URIRef(q.predicate.value), rdflib_object(q.object))
        for q in direct.quads_for_pattern(ox.NamedNode(str(plan)), None, None, ox.DefaultGraph())
    }
    got = set(g.triples((plan, None, None)))
    assert len(expected) >= 5 and got == expected
    title = next(o for _, p, o in got if str(p) == "http://purl.org/dc/terms/title")
    assert set(g.subjects(URIRef("http://purl.org/dc/terms/title"), title)) == {plan}
    assert (plan, URIRef("http://purl.org/dc/terms/title"), title) in g


def rdflib_object(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    dt = t.datatype.value if t.datatype else None
    return Literal(t.value, datatype=None if dt == "http://www.w3.org/2001/XMLSchema#string" else URIRef(dt))
