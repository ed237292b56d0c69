"""The ontology, schemes and shapes in the store as named graphs, and analysts' own RDF beside the plans.

In process (``client``: the app over the bundled corpus built with the model-free encoder): the reserved graphs
after a build. Through the command line as a subprocess (tier ``server``): ``plankg load`` of a Turtle file of
administrative-division codes for the bundled regions, joined with the plans by label, kept through ``plankg add``,
``remove`` and ``build``, dropped by ``--remove``; a bad file and reserved graph names change nothing; the W3C
protocol suite's data loaded into named graphs and queried over the endpoint."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from graph.rdf.graphs import ONTOLOGY_GRAPH, SHAPES_GRAPH, USER_GRAPH_NS
from tests.conftest import SHARED
from tests.corpus_util import copy_data, current, plankg, variant

DIVISIONS = USER_GRAPH_NS + "divisions"
PREFIXES = (
    "PREFIX pkg: <https://w3id.org/plankg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX div: <https://example.org/div#> "
)
# codes of the regions of the bundled plans (GB/T 2260), and 瓯海区 for the variant plan added below
DIVISIONS_TTL = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix div: <https://example.org/div#> .

<https://example.org/div/330100> rdfs:label "杭州市"@zh ; div:code "330100" ; div:level "city" .
<https://example.org/div/330800> rdfs:label "衢州市"@zh ; div:code "330800" ; div:level "city" .
<https://example.org/div/330302> rdfs:label "鹿城区"@zh ; div:code "330302" ; div:level "district" ;
    div:within <https://example.org/div/330300> .
<https://example.org/div/330304> rdfs:label "瓯海区"@zh ; div:code "330304" ; div:level "district" ;
    div:within <https://example.org/div/330300> .
<https://example.org/div/421303> rdfs:label "曾都区"@zh ; div:code "421303" ; div:level "district" .
<https://example.org/div/211122> rdfs:label "盘山县"@zh ; div:code "211122" ; div:level "county" .
"""
JOIN = (
    PREFIXES
    + f"""SELECT ?title ?code WHERE {{
  ?plan a pkg:Plan ; dcterms:title ?title ; pkg:region ?region .
  GRAPH <{DIVISIONS}> {{ ?d rdfs:label ?region ; div:code ?code }}
}} ORDER BY ?code ?title"""
)
KASEI = "http://kasei.us/2009/09/sparql/data/"
PROTOCOL = SHARED / "conformance" / "sparql11-protocol"


def ask(s, query: str, **params) -> bool:
    r = s.get("/sparql?" + urlencode({"query": PREFIXES + query, **params}), headers={"Accept": "application/json"})
    assert r.status == 200, r.text
    return r.json()["boolean"]


def select(data: Path, query: str) -> list[dict]:
    out = plankg("query", "--data", data, "--accept", "application/sparql-results+json", query).stdout
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]]


def loaded(data: Path) -> dict:
    """IRI -> triples of the loaded graphs, as ``plankg list --json`` shows them."""
    listing = json.loads(plankg("list", "--data", data, "--json").stdout)
    assert listing["problems"] == []
    return {g: n for e in listing["graphs"] for g, n in e["graphs"].items()}


def nquads(data: Path) -> list[str]:
    return sorted(plankg("export", "--data", data, "--format", "nquads").stdout.splitlines())


@pytest.fixture
def data(hash_data_dir, tmp_path) -> Path:
    return copy_data(hash_data_dir, tmp_path / "data")


@pytest.fixture
def divisions(tmp_path) -> Path:
    path = tmp_path / "divisions.ttl"
    path.write_text(DIVISIONS_TTL, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------- in process


def test_the_ontology_is_in_the_default_graph_and_in_its_named_graph(client):
    assert ask(client, "ASK { ?c a owl:Class }")
    assert ask(client, "ASK { pkg:Plan rdfs:label ?l FILTER(lang(?l) = 'zh') }")  # T-box labels join without GRAPH
    assert ask(client, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ pkg:Measure a owl:Class }} }}")
    assert ask(
        client, f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> }} }}"
    )
    assert ask(client, f"ASK {{ GRAPH <{SHAPES_GRAPH}> {{ ?s a sh:NodeShape }} }}")
    assert not ask(client, "ASK { ?s a sh:NodeShape }")  # the shapes are not in the default graph


def test_builds_report_the_named_graphs(hash_data_dir):
    report = json.loads((hash_data_dir / "current" / "build.json").read_text(encoding="utf-8"))
    assert report["graphs"][ONTOLOGY_GRAPH] > 500 and report["graphs"][SHAPES_GRAPH] > 100


def test_graph_names_analysts_may_not_use():
    from graph.rdf.graphs import refusal, user_graph_iri

    for iri in (ONTOLOGY_GRAPH, SHAPES_GRAPH, "default", "", "https://w3id.org/plankg/graph/other", "not an iri"):
        assert refusal(iri), iri
    assert refusal(USER_GRAPH_NS + "x") is None and refusal("urn:example:codes") is None
    assert user_graph_iri("行政区划 codes") == USER_GRAPH_NS + "行政区划%20codes"


# ----------------------------------------------------------------------------------------- the command line


@pytest.mark.server
def test_loaded_graph_joins_the_plans_and_survives_every_change(data, divisions, tmp_path):
    out = plankg("load", "--data", data, divisions).stdout
    assert f"<{DIVISIONS}> (20 triples)" in out
    assert loaded(data) == {DIVISIONS: 20}
    rows = select(data, JOIN)
    assert {(r["title"], r["code"]) for r in rows} >= {
        ("杭州市儿童发展“十四五”规划", "330100"),
        ("鹿城区儿童发展“十四五”规划", "330302"),
        ("盘山县儿童发展规划（2021—2030年）", "211122"),
    }
    assert len(rows) == 7  # every bundled plan has its region's code
    # user graphs are only in their named graph
    assert select(data, PREFIXES + "SELECT ?d WHERE { ?d div:code ?c }") == []

    plankg("add", "--data", data, "--quiet", variant(tmp_path, "ouhai.txt", "瓯海"))
    assert loaded(data) == {DIVISIONS: 20}
    assert ("瓯海区儿童发展“十四五”规划", "330304") in {(r["title"], r["code"]) for r in select(data, JOIN)}

    plankg("remove", "--data", data, "--quiet", "ouhai.txt")
    assert loaded(data) == {DIVISIONS: 20} and len(select(data, JOIN)) == 7

    plankg("build", "--data", data, "--quiet")  # a full build from the corpus folder
    report = json.loads((data / "current" / "build.json").read_text(encoding="utf-8"))
    assert "delta" not in report and report["graphs"][DIVISIONS] == 20
    assert loaded(data) == {DIVISIONS: 20} and len(select(data, JOIN)) == 7

    before = current(data)
    out = plankg("load", "--data", data, "--remove", DIVISIONS).stdout
    assert out.startswith(f"removed <{DIVISIONS}>") and current(data) != before
    assert loaded(data) == {} and select(data, JOIN) == []
    assert not (data / "current" / "graphs" / "manifest.json").exists()


@pytest.mark.server
def test_loading_again_replaces_or_changes_nothing(data, divisions):
    plankg("load", "--data", data, divisions)
    gen = current(data)
    assert plankg("load", "--data", data, divisions).stdout.startswith("unchanged:") and current(data) == gen
    divisions.write_text(DIVISIONS_TTL.replace("330100", "330100000000"), encoding="utf-8")
    result = json.loads(plankg("load", "--data", data, "--json", divisions).stdout)
    assert result["status"] == "replaced" and result["graphs"] == {DIVISIONS: 20}
    assert {r["code"] for r in select(data, JOIN)} >= {"330100000000"} and "330100" not in {
        r["code"] for r in select(data, JOIN)
    }


@pytest.mark.server
def test_a_bad_file_or_a_reserved_graph_changes_nothing(data, divisions, tmp_path):
    plankg("load", "--data", data, divisions)
    before = (current(data), nquads(data), sorted(p.name for p in data.glob("gen-*")))
    bad = tmp_path / "codes.ttl"
    bad.write_text(DIVISIONS_TTL.replace('"421303" ;', '"421303"'), "utf-8")  # a lost ";" on line 10
    proc = plankg("load", "--data", data, bad, check=False)
    assert proc.returncode == 2 and "codes.ttl:10: not valid turtle: column" in proc.stderr, proc.stderr
    for graph in (SHAPES_GRAPH, ONTOLOGY_GRAPH, "default"):
        proc = plankg("load", "--data", data, "--graph", graph, divisions, check=False)
        assert proc.returncode == 2 and ("reserved" in proc.stderr or "default graph" in proc.stderr), proc.stderr
    proc = plankg("load", "--data", data, "--remove", SHAPES_GRAPH, check=False)
    assert proc.returncode == 2 and "reserved" in proc.stderr
    quads = tmp_path / "sneaky.nq"
    quads.write_text(f'<https://e/a> <https://e/b> "c" <{ONTOLOGY_GRAPH}> .\n', encoding="utf-8")
    proc = plankg("load", "--data", data, quads, check=False)
    assert proc.returncode == 2 and "reserved" in proc.stderr
    proc = plankg("load", "--data", data, "--remove", USER_GRAPH_NS + "nothing", check=False)
    assert proc.returncode == 2 and "no loaded graph" in proc.stderr
    assert (current(data), nquads(data), sorted(p.name for p in data.glob("gen-*"))) == before


@pytest.mark.server
@pytest.mark.skipif(not PROTOCOL.is_dir(), reason=f"conformance suite not found at {PROTOCOL}")
def test_the_protocol_suites_data_loads_and_is_served_in_named_graphs(data, tmp_path, app_server):
    plankg("load", "--data", data, "--graph", KASEI + "data1.rdf", PROTOCOL / "data1.nt")
    # an N-Quads file keeps its own graph names
    dataset = tmp_path / "kasei.nq"
    with open(dataset, "w", encoding="utf-8") as out:
        for i in (2, 3):
            for line in (PROTOCOL / f"data{i}.nt").read_text(encoding="utf-8").splitlines():
                out.write(line.rstrip().removesuffix(".").rstrip() + f" <{KASEI}data{i}.rdf> .\n")
    plankg("load", "--data", data, dataset)
    assert set(loaded(data)) == {KASEI + f"data{i}.rdf" for i in (1, 2, 3)}

    s = app_server(data)
    assert ask(s, f"ASK {{ GRAPH <{KASEI}data1.rdf> {{ <{KASEI}data1.rdf> a <http://xmlns.com/foaf/0.1/Document> }} }}")
    count = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    r = s.get("/sparql?" + urlencode({"query": count, "named-graph-uri": KASEI + "data2.rdf"}))
    assert r.status == 200 and [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [KASEI + "data2.rdf"]
    r = s.get("/sparql?" + urlencode({"query": count}))
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {KASEI + f"data{i}.rdf" for i in (1, 2, 3)} | {ONTOLOGY_GRAPH, SHAPES_GRAPH}
    # the dataset of a request may take the plans (default graph) and one loaded graph together
    both = PREFIXES + f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a pkg:Plan GRAPH <{KASEI}data3.rdf> {{ ?s ?x ?o }} }}"
    r = s.get("/sparql?" + urlencode({"query": both}))
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0
    plankg("load", "--data", data, "--remove", "kasei.nq")
    assert set(loaded(data)) == {KASEI + "data1.rdf"}


@pytest.mark.server
def test_a_remote_store_gets_the_named_graphs_and_loaded_ones(tmp_path, tmp_path_factory, divisions):
    from bench.servers import oxigraph_bin, oxigraph_server
    from builds import graphs
    from builds.pipeline import build
    from config import Config
    from graph.store import open_store
    from tests.conftest import CORPUS

    if not oxigraph_bin():
        pytest.skip("oxigraph server binary not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxserve"), oxigraph_bin()) as url:
        cfg = Config(data_dir=tmp_path / "remote", corpus=CORPUS, remote_store=url)
        build(cfg, encoders="hash", with_index=False)
        store = open_store(url)
        assert store.query(PREFIXES + "ASK { ?c a owl:Class }") is True
        assert store.query(PREFIXES + f"ASK {{ GRAPH <{SHAPES_GRAPH}> {{ ?s a sh:NodeShape }} }}") is True
        result = graphs.load(cfg, graphs.read_graph_file(divisions))
        assert result["status"] == "loaded" and result["graphs"] == {DIVISIONS: 20}
        rows = store.query(JOIN)
        assert len(rows) == 7 and {r["code"] for r in rows} >= {"330100", "211122"}
        build(cfg, encoders="hash", with_index=False)  # a full build PUTs the whole dataset: the graph is in it
        assert len(store.query(JOIN)) == 7
        graphs.remove(cfg, "divisions.ttl")
        assert (
            store.query(JOIN) == [] and graphs.entries(graphs.current_generation(graphs.DataFolder(cfg.data_dir))) == []
        )
