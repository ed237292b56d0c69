"""SparqlHttpStore against a real ``oxigraph serve`` and a real Virtuoso, both started here on loopback
with scratch folders (bench/servers.py). ``pip install oxigraph`` (requirements-dev) provides the first
($PLANKG_OXIGRAPH_BIN overrides), Debian ``virtuoso-opensource`` the second ($PLANKG_VIRTUOSO_BIN); a
missing one is skipped with the reason."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from bench.servers import oxigraph_bin, oxigraph_server, virtuoso_bin, virtuoso_server
from graph.rdf import plans_to_graph
from graph.store import QueryError, SelectResult, open_store
from graph.store.http import SparqlHttpStore
from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_parsed_file

BIN = oxigraph_bin()
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"), pytest.mark.server]  # real servers

PFX = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request, tmp_path_factory):
    """(url, SparqlHttpStore options) of a running server."""
    if request.param == "oxigraph":
        if not BIN:
            pytest.skip("oxigraph server binary not installed (pip install oxigraph)")
        with oxigraph_server(tmp_path_factory.mktemp("oxserve"), BIN) as url:
            yield url, {}
    else:
        if not virtuoso_bin():
            pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource)")
        with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), buffers=20000) as v:
            # small load pieces so that the chunked Graph Store load (PUT, then POSTs) is exercised
            yield (
                v.url + "/sparql",
                {"flavor": "virtuoso", "username": v.user, "password": v.password, "load_chunk_triples": 40},
            )


@pytest.fixture(scope="module")
def graphs():
    a = plans_to_graph([sample_parsed_file("a.txt")], SAMPLE_AGENCY_TYPES)
    b = plans_to_graph([sample_parsed_file("b.txt", region="衢州市", plan_type="women")], SAMPLE_AGENCY_TYPES)
    return a, b


def test_load_query_export(server, graphs):
    a, b = graphs
    s = open_store(server[0], **server[1])
    assert isinstance(s, SparqlHttpStore)
    assert s.load(a) == len(a)
    assert s.load(b, replace=True) == len(b)  # whole dataset replaced
    assert isomorphic(Graph().parse(data=s.export(None, "ntriples"), format="nt"), b)
    assert s.load(a, replace=False) == len(a) + len(b) - len(a & b)
    s.load(b)
    rows = s.query(
        PFX + "SELECT ?t (COUNT(?m) AS ?n) WHERE { ?p dcterms:title ?t ; pkg:hasDomain/pkg:hasMeasure ?m } GROUP BY ?t"
    )
    assert isinstance(rows, SelectResult) and rows == [{"t": "衢州市妇女发展“十四五”规划", "n": 3}]
    assert s.query(PFX + "ASK { ?p a pkg:Plan }") is True
    g = s.query(PFX + "CONSTRUCT WHERE { ?p a pkg:Plan }")
    assert isinstance(g, Graph) and len(g) == 1
    body = s.query_raw(PFX + "SELECT ?p WHERE { ?p a pkg:Plan }", "application/sparql-results+json")
    assert len(json.loads(body)["results"]["bindings"]) == 1
    body, ctype = s.query_negotiated(PFX + "CONSTRUCT WHERE { ?p a pkg:Plan }", "text/turtle")
    assert ctype.startswith("text/turtle") and len(Graph().parse(data=body, format="turtle")) == 1
    for fmt, rf in (("turtle", "turtle"), ("json-ld", "json-ld")):
        assert isomorphic(Graph().parse(data=s.export(None, fmt), format=rf), b), fmt
    s.update("INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }")
    assert s.triple_count() == len(b) + 1
    with pytest.raises(QueryError):
        s.query("SELEC nonsense")


def test_failed_replace_keeps_old_data(server, graphs):
    a, _ = graphs
    s = open_store(server[0], **server[1])
    s.load(a)
    with pytest.raises(SyntaxError):  # rejected client-side before anything is sent
        s.load(b"<http://e/a> <http://e/b> nonsense .", format="ntriples")
    assert s.triple_count() == len(a)


def test_query_form_and_chunks():
    from graph.store.http import _line_chunks, query_form

    assert query_form(PFX + "# a comment\nSELECT * WHERE {}") == "SELECT"
    assert query_form("BASE <http://e/> PREFIX : <http://e/> construct where { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("DESCRIBE <http://e/a>") == "DESCRIBE" and query_form("INSERT DATA {}") == ""
    data = b"".join(b'<http://e/a> <http://e/b> "%d" .\n' % i for i in range(10))
    chunks = _line_chunks(data, 3)
    assert [c.count(b"\n") for c in chunks] == [3, 3, 3, 1] and b"".join(chunks) == data
    with pytest.raises(ValueError):
        SparqlHttpStore("http://127.0.0.1:1", flavor="nope")


def test_apply_delta_deletes_then_inserts(server, graphs):
    from graph.rdf.build import ntriples

    a, b = graphs
    s = open_store(server[0], **server[1])
    s.load(a)
    gone = sorted(a)[:40]
    s.apply_delta(ntriples(gone), ntriples(b), chunk_lines=25)  # several pieces each way
    expected = Graph()
    for t in set(a) - set(gone) | set(b):
        expected.add(t)
    assert isomorphic(Graph().parse(data=s.export(None, "ntriples"), format="nt"), expected)


def test_add_and_remove_on_a_remote_store_match_an_embedded_full_build(server, tmp_path, monkeypatch):
    """The build pipeline with ``PLANKG_STORE`` = this server: a full build, then an add and a
    remove as deltas (SPARQL Update on the server); its graph equals the embedded store's full
    build of the same files."""
    from builds import corpus
    from builds.layout import DataFolder
    from builds.pipeline import build
    from config import Config
    from graph.parse import SourceFile, read_sources
    from tests.conftest import CORPUS
    from tests.corpus_util import QUZHOU, variant

    monkeypatch.setenv("PLANKG_STORE_OPTIONS", json.dumps(server[1]))
    remote = Config(tmp_path / "remote", CORPUS, remote_store=server[0])
    build(remote, encoders="hash", with_index=False)
    new = variant(tmp_path, "ouhai.txt", "瓯海")
    corpus.add(remote, [SourceFile(new.name, new.read_bytes())], encoders="hash", with_index=False)
    corpus.remove(remote, QUZHOU.name)
    report = json.loads((DataFolder(remote.data_dir).current / "build.json").read_text(encoding="utf-8"))
    assert report["delta"]["removed"] == [QUZHOU.name]

    local = Config(tmp_path / "local", CORPUS)
    files = [p for p in sorted(CORPUS.glob("*.txt")) if p.name != QUZHOU.name] + [new]
    build(local, sources=read_sources(files), encoders="hash", with_index=False)
    embedded = open_store(str(DataFolder(local.data_dir).current / "store"), read_only=True)
    try:
        want = Graph().parse(data=embedded.export(None, "ntriples"), format="nt")
    finally:
        embedded.close()
    got = Graph().parse(data=open_store(server[0], **server[1]).export(None, "ntriples"), format="nt")
    assert report["triples"] == len(want) and isomorphic(got, want)
