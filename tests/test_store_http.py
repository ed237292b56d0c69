"""SparqlHttpStore against a real ``oxigraph serve`` (skipped when the binary is not installed:
``pip install oxigraph`` provides it, or point $PLANKG_OXIGRAPH_BIN at one)."""
from __future__ import annotations

import json
import os
import shutil
import sys
import socket
import subprocess
import time
import urllib.request

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.rdf import plans_to_graph
from graph.rdf.samples import SAMPLE_AGENCY_TYPES, sample_parsed_file
from graph.store import QueryError, SelectResult, open_store
from graph.store.http import SparqlHttpStore

BIN = (os.environ.get("PLANKG_OXIGRAPH_BIN") or shutil.which("oxigraph")
       or shutil.which("oxigraph", path=os.path.dirname(sys.executable)))
pytestmark = [pytest.mark.skipif(not BIN, reason="oxigraph server binary not installed"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

PFX = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    loc = tmp_path_factory.mktemp("oxserve")
    proc = subprocess.Popen([BIN, "serve", "--location", str(loc), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except Exception:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {proc.stderr.read().decode()[:500]}")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def graphs():
    a = plans_to_graph([sample_parsed_file("a.txt")], SAMPLE_AGENCY_TYPES)
    b = plans_to_graph([sample_parsed_file("b.txt", region="衢州市", plan_type="women")], SAMPLE_AGENCY_TYPES)
    return a, b


def test_load_query_export(server, graphs):
    a, b = graphs
    s = open_store(server)
    assert isinstance(s, SparqlHttpStore)
    assert s.load(a) == len(a)
    assert s.load(b, replace=True) == len(b)                 # whole dataset replaced
    assert isomorphic(Graph().parse(data=s.export(None, "ntriples"), format="nt"), b)
    assert s.load(a, replace=False) == len(a) + len(b) - len(a & b)
    s.load(b)
    rows = s.query(PFX + "SELECT ?t (COUNT(?m) AS ?n) WHERE { ?p dcterms:title ?t ; pkg:hasDomain/pkg:hasMeasure ?m }"
                         " GROUP BY ?t")
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
    s = open_store(server)
    s.load(a)
    with pytest.raises(SyntaxError):     # rejected client-side before anything is sent
        s.load(b"<http://e/a> <http://e/b> nonsense .", format="ntriples")
    assert s.triple_count() == len(a)
