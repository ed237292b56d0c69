"""The embedded Oxigraph store: persistence, queries, atomic replace, export round trips."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.rdf import plans_to_graph, to_ntriples_sorted
from graph.store import (
    OxigraphStore,
    QueryError,
    QueryTimeout,
    ReadOnlyStore,
    SelectResult,
    StoreError,
    UnsupportedMediaType,
    open_store,
    swap,
)
from graph.store import oxigraph as oxmod
from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_parsed_file

# rdflib's own N-Quads/TriG/JSON-LD parsers (used to check round trips) warn about their internals
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PFX = "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "


@pytest.fixture(scope="module")
def graph_a() -> Graph:
    return plans_to_graph([sample_parsed_file("a.txt")], SAMPLE_AGENCY_TYPES)


@pytest.fixture(scope="module")
def graph_b() -> Graph:
    return plans_to_graph(
        [sample_parsed_file("a.txt"), sample_parsed_file("b.txt", region="衢州市", plan_type="women")],
        SAMPLE_AGENCY_TYPES,
    )


def _leftovers(path):
    return sorted(
        p.name for p in path.parent.iterdir() if p.name.startswith(f".{path.name}.") and not p.name.endswith(".lock")
    )


def _as_graph(store) -> Graph:
    return Graph().parse(data=store.export(None, "ntriples"), format="nt")


# ------------------------------------------------------------------ persistence


def test_persist_and_reopen(tmp_path, graph_a):
    path = tmp_path / "store"
    s = OxigraphStore(path)
    assert s.load(graph_a) == len(graph_a)
    s.close()
    assert s.closed
    with pytest.raises(StoreError):
        s.triple_count()
    s2 = OxigraphStore(path)
    assert s2.triple_count() == len(graph_a)
    assert isomorphic(_as_graph(s2), graph_a)
    s2.close()


def test_building_twice_gives_identical_data(tmp_path, graph_a):
    outs = []
    for name in ("one", "two"):
        with OxigraphStore(tmp_path / name) as s:
            s.load(graph_a)
            outs.append(s.export(None, "ntriples"))
    assert sorted(outs[0].splitlines()) == sorted(outs[1].splitlines())
    # and reloading the same path replaces rather than accumulates
    with OxigraphStore(tmp_path / "one") as s:
        s.load(graph_a)
        s.load(graph_a)
        assert s.triple_count() == len(graph_a)
        assert to_ntriples_sorted(_as_graph(s)) == to_ntriples_sorted(graph_a)


def test_replace_swaps_whole_data_and_add_mode_accumulates(tmp_path, graph_a, graph_b):
    with OxigraphStore(tmp_path / "s") as s:
        s.load(graph_b)
        assert s.triple_count() == len(graph_b)
        s.load(graph_a, replace=True)
        assert isomorphic(_as_graph(s), graph_a)
        extra = Graph()
        extra.add((URIRef("http://example.org/x"), URIRef("http://example.org/p"), Literal("新")))
        s.load(extra, replace=False)
        assert s.triple_count() == len(graph_a) + 1
    assert _leftovers(tmp_path / "s") == []


def test_load_from_files_and_bytes(tmp_path, graph_a):
    ttl = tmp_path / "g.ttl"
    graph_a.serialize(ttl, format="turtle")
    nt = tmp_path / "g.nt"
    graph_a.serialize(nt, format="nt", encoding="utf-8")
    for src, kw in (
        (ttl, {}),
        (str(nt), {}),
        (nt.read_bytes(), {"format": "ntriples"}),
        (ttl.read_text(encoding="utf-8"), {"format": "turtle"}),
    ):
        for store in (OxigraphStore(tmp_path / "p"), OxigraphStore()):
            with store:
                assert store.load(src, **kw) == len(graph_a)
                assert isomorphic(_as_graph(store), graph_a)


def test_read_only_reader(tmp_path, graph_a):
    path = tmp_path / "ro"
    with OxigraphStore(path) as s:
        s.load(graph_a)
    with open_store(str(path), read_only=True) as r:
        assert r.triple_count() == len(graph_a)
        with pytest.raises(ReadOnlyStore):
            r.load(graph_a)
        with pytest.raises(ReadOnlyStore):
            r.update("INSERT DATA { <http://e/a> <http://e/b> 1 }")


# ------------------------------------------------------------------ atomic replace


def _raising_triples(graph, after):
    for i, t in enumerate(graph):
        if i == after:
            raise RuntimeError("source broke mid-load")
        yield t


@pytest.mark.parametrize("memory", [False, True], ids=["persistent", "memory"])
def test_failed_replace_leaves_old_data(tmp_path, graph_a, graph_b, memory):
    path = tmp_path / "store"
    s = OxigraphStore(None if memory else path)
    s.load(graph_a)
    before = to_ntriples_sorted(_as_graph(s))
    with pytest.raises(RuntimeError, match="mid-load"):
        s.load(_raising_triples(graph_b, after=len(graph_b) // 2))
    assert to_ntriples_sorted(_as_graph(s)) == before
    # a file that turns out to be malformed halfway
    bad = tmp_path / "bad.nt"
    bad.write_text(graph_b.serialize(format="nt") + "\n<http://e/a> <http://e/b> not-a-term .\n", encoding="utf-8")
    with pytest.raises(SyntaxError):
        s.load(bad)
    assert to_ntriples_sorted(_as_graph(s)) == before
    assert s.query(PFX + "ASK { ?p a pkg:Plan }") is True
    s.close()
    if not memory:
        assert _leftovers(path) == []
        with OxigraphStore(path) as again:  # and on disk too
            assert to_ntriples_sorted(_as_graph(again)) == before


def test_failed_add_leaves_old_data(tmp_path, graph_a, graph_b):
    with OxigraphStore(tmp_path / "s") as s:
        s.load(graph_a)
        with pytest.raises(RuntimeError):
            s.load(_raising_triples(graph_b, after=100), replace=False)
        assert s.triple_count() == len(graph_a)


def test_failed_directory_swap_rolls_back(tmp_path, graph_a, graph_b, monkeypatch):
    path = tmp_path / "store"
    s = OxigraphStore(path)
    s.load(graph_a)

    def broken_exchange(a, b):
        raise OSError(5, "simulated I/O error during the swap")

    monkeypatch.setattr(swap, "exchange", broken_exchange)
    with pytest.raises(OSError, match="simulated"):
        s.load(graph_b)
    assert isomorphic(_as_graph(s), graph_a)
    assert _leftovers(path) == []

    # the two-rename fallback (no renameat2) works too
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    s.load(graph_b)
    assert isomorphic(_as_graph(s), graph_b)
    assert _leftovers(path) == []

    # and rolls back when the second rename fails
    real_rename = os.rename

    def rename(src, dst):
        if ".tmp-" in str(src):
            raise OSError(28, "simulated: no space left")
        return real_rename(src, dst)

    monkeypatch.setattr(oxmod.os, "rename", rename)
    with pytest.raises(OSError, match="no space"):
        s.load(graph_a)
    monkeypatch.setattr(oxmod.os, "rename", real_rename)
    assert isomorphic(_as_graph(s), graph_b)
    assert _leftovers(path) == []
    s.close()


# ------------------------------------------------------------------ queries


@pytest.fixture()
def mem(graph_b):
    s = open_store(":memory:")
    s.load(graph_b)
    yield s
    s.close()


def test_select_returns_python_values(mem):
    rows = mem.query(
        PFX
        + """
        SELECT ?name ?value ?year ?title WHERE {
          ?plan a pkg:Plan ; dcterms:title ?title ; pkg:hasDomain/pkg:hasGoal/pkg:hasIndicator ?i .
          ?i pkg:indicatorName ?name . OPTIONAL { ?i pkg:targetValue ?value } OPTIONAL { ?i pkg:targetYear ?year }
        } ORDER BY ?title ?name"""
    )
    assert isinstance(rows, SelectResult) and rows.variables == ["name", "value", "year", "title"]
    assert len(rows) == 6
    r = next(r for r in rows if r["name"] == "婴儿死亡率" and r["title"].startswith("杭州"))
    assert r == {"name": "婴儿死亡率", "value": Decimal("2.5"), "year": 2030, "title": "杭州市儿童发展“十四五”规划"}
    q = next(r for r in rows if r["name"] == "儿童心理健康服务能力")
    assert q["value"] is None and q["year"] is None
    counts = mem.query(PFX + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a pkg:Measure }")
    assert counts == [{"n": 6}]
    assert isinstance(counts[0]["n"], int)
    flags = mem.query(PFX + "SELECT ?d WHERE { ?p pkg:draft ?d } LIMIT 1")
    assert flags[0]["d"] is False


def test_ask_construct_update_count(mem, graph_b):
    assert mem.query(PFX + "ASK { ?x pkg:role 'lead' }") is True
    assert mem.query(PFX + "ASK { ?x pkg:role 'boss' }") is False
    g = mem.query(PFX + "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a pkg:Plan ; dcterms:title ?t }")
    assert isinstance(g, Graph) and len(g) == 2
    assert {o.language for o in g.objects()} == {"zh"}
    assert mem.triple_count() == len(graph_b)
    mem.update("INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }")
    assert mem.triple_count() == len(graph_b) + 1
    mem.update("DELETE WHERE { <http://example.org/a> ?p ?o }")
    assert mem.triple_count() == len(graph_b)
    with pytest.raises(QueryError):
        mem.query("SELEC nonsense")
    with pytest.raises(QueryError):
        mem.update("INSERT nonsense")


def test_query_raw_formats(mem):
    sel = PFX + "SELECT ?t WHERE { ?p a pkg:Plan ; dcterms:title ?t } ORDER BY ?t"
    doc = json.loads(mem.query_raw(sel, "application/sparql-results+json"))
    assert doc["head"]["vars"] == ["t"]
    assert [b["t"]["value"] for b in doc["results"]["bindings"]] == [
        "杭州市儿童发展“十四五”规划",
        "衢州市妇女发展“十四五”规划",
    ]
    assert doc["results"]["bindings"][0]["t"]["xml:lang"] == "zh"
    rows = list(csv.reader(io.StringIO(mem.query_raw(sel, "text/csv").decode("utf-8"))))
    assert rows == [["t"], ["杭州市儿童发展“十四五”规划"], ["衢州市妇女发展“十四五”规划"]]
    tsv = mem.query_raw(sel, "text/tab-separated-values").decode("utf-8").splitlines()
    assert tsv[0] == "?t" and tsv[1] == '"杭州市儿童发展“十四五”规划"@zh'
    root = ET.fromstring(mem.query_raw(sel, "application/sparql-results+xml"))
    assert len(root.findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 2
    ask = json.loads(mem.query_raw(PFX + "ASK { ?p a pkg:Plan }", "application/sparql-results+json"))
    assert ask["boolean"] is True
    cons = PFX + "CONSTRUCT WHERE { ?p a pkg:Plan ; dcterms:title ?t }"
    for mime, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        g = Graph().parse(data=mem.query_raw(cons, mime), format=fmt)
        assert len(g) == 4, mime
    assert mem.query_raw(sel, "").startswith(b'{"head"')  # default: SPARQL JSON
    with pytest.raises(UnsupportedMediaType):
        mem.query_raw(cons, "text/csv")
    with pytest.raises(UnsupportedMediaType):
        mem.query_raw(sel, "text/turtle")


def test_query_negotiated(mem):
    sel = PFX + "SELECT ?p WHERE { ?p a pkg:Plan }"
    body, ctype = mem.query_negotiated(sel, "text/html, text/csv;q=0.8, application/sparql-results+json;q=0.9")
    assert ctype == "application/sparql-results+json" and json.loads(body)["head"]["vars"] == ["p"]
    body, ctype = mem.query_negotiated(PFX + "CONSTRUCT WHERE { ?p a pkg:Plan }", "*/*")
    assert ctype.startswith("text/turtle")
    body, ctype = mem.query_negotiated(sel, None)
    assert ctype == "application/sparql-results+json"
    with pytest.raises(UnsupportedMediaType):
        mem.query_negotiated(sel, "image/png")


def test_timeout_hook(mem):
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout):
        mem.query(heavy, timeout=0.05)
    assert mem.query(PFX + "ASK { ?p a pkg:Plan }", timeout=30) is True
    assert mem.query_raw(PFX + "SELECT ?p WHERE { ?p a pkg:Plan }", "text/csv", timeout=30).startswith(b"p\r\n")


# ------------------------------------------------------------------ export


@pytest.mark.parametrize(
    "fmt, rdflib_fmt",
    [
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("json-ld", "json-ld"),
        ("jsonld", "json-ld"),
        ("nquads", "nquads"),
        ("trig", "trig"),
        ("rdf-xml", "xml"),
    ],
)
def test_export_round_trips(tmp_path, graph_b, fmt, rdflib_fmt):
    with OxigraphStore(tmp_path / "s") as s:
        s.load(graph_b)
        data = s.export(None, fmt)
        back = Graph().parse(data=data, format=rdflib_fmt)
        assert isomorphic(back, graph_b), fmt
        # to a path and to a binary stream, then back into a fresh store
        out = tmp_path / f"out.{fmt}"
        s.export(out, fmt)
        buf = io.BytesIO()
        s.export(buf, fmt)
        assert buf.getvalue() == out.read_bytes() == data
    with OxigraphStore() as fresh:
        fresh.load(data, format=fmt)
        assert isomorphic(_as_graph(fresh), graph_b)


def test_turtle_export_uses_prefixes(mem):
    text = mem.export(None, "turtle").decode("utf-8")
    assert "@prefix pkg: <https://w3id.org/plankg/ontology#>" in text
    sio = io.StringIO()
    mem.export(sio, "ntriples")
    assert sio.getvalue().count("\n") == mem.triple_count()


# ------------------------------------------------------------------ factory


def test_open_store_factory(tmp_path):
    m = open_store(":memory:")
    assert isinstance(m, OxigraphStore) and m.memory
    assert isinstance(open_store(None), OxigraphStore)
    p = open_store(str(tmp_path / "x"), auth=None)  # auth is ignored for local stores
    assert isinstance(p, OxigraphStore) and not p.memory and (tmp_path / "x").is_dir()
    p.close()
    from graph.store.http import SparqlHttpStore

    h = open_store("http://localhost:7878", auth="Bearer t")
    assert isinstance(h, SparqlHttpStore)
    assert (h.query_endpoint, h.update_endpoint, h.store_endpoint) == (
        "http://localhost:7878/query",
        "http://localhost:7878/update",
        "http://localhost:7878/store",
    )
    assert h.headers["Authorization"] == "Bearer t"
    with pytest.raises(ValueError):
        open_store("ftp://example.org/store")
