"""Fast unit tests of web helpers (no server): SPARQL text inspection, highlighting, ids, graph views."""

from __future__ import annotations

import pytest

from graph.rdf.iri import short
from graph.rdf.iri import unit_from_path as unit_iri
from service.links import page_path
from service.sparql.text import add_using, has_dataset_clause, query_form, uses_service
from web.http import highlight


@pytest.mark.parametrize(
    "text,form",
    [
        ("PREFIX s: <http://x/select#> ASK {}", "ask"),
        ("# SELECT in a comment\nCONSTRUCT { ?s ?p 'SELECT' } WHERE {}", "graph"),
        ("base <http://x/> describe <a>", "graph"),
        ("select * { ?s ?p ?o }", "select"),
        ("garbage", None),
    ],
)
def test_query_form(text, form):
    assert query_form(text) == form


def test_service_detection_ignores_strings_iris_and_names():
    assert uses_service("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }")
    assert uses_service("select * { service silent <http://e/> { ?s ?p ?o } }")
    assert not uses_service('SELECT * { ?s <http://e/SERVICE> "SERVICE" ; ex:service ?service } # SERVICE')


def test_add_using_inserts_before_top_level_where_only():
    u = (
        "INSERT { ?s a ?t } WHERE { ?s a ?t { SELECT ?s WHERE { ?s ?p ?o } } } ; "
        "DELETE WHERE { ?a ?b ?c } ; DELETE { ?x ?y ?z } WHERE { ?x ?y ?z }"
    )
    out = add_using(u, ["http://g/1"], ["http://g/2"])
    assert out.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 2
    assert "DELETE WHERE { ?a" in out and "SELECT ?s WHERE" in out
    assert add_using(u, [], []) == u
    with pytest.raises(ValueError):
        add_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g/1"], [])
    assert has_dataset_clause("INSERT { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }")


def test_highlight_escapes_and_merges():
    out = str(highlight("<b>溺水</b>预防溺水", [[3, 5], [9, 11], [10, 13], [50, 60]]))
    assert out == "&lt;b&gt;<mark>溺水</mark>&lt;/b&gt;<mark>预防溺水</mark>"


def test_ids_and_paths():
    u = "https://w3id.org/plankg/id/plan/471f10cf4ce0/domain/1/measure/3"
    assert unit_iri("plan/471f10cf4ce0/domain/1/measure/3") == u and unit_iri(u) == u
    assert page_path(u) == "/units/plan/471f10cf4ce0/domain/1/measure/3"
    assert page_path("https://w3id.org/plankg/id/plan/471f10cf4ce0") == "/plans/471f10cf4ce0"
    assert page_path("https://w3id.org/plankg/id/plan/471f10cf4ce0/domain/2") == "/plans/471f10cf4ce0#domain-2"
    assert short("https://w3id.org/plankg/id/agency/38150fb2d76a/health") == "38150fb2d76a/health"
    assert page_path("http://example.org/x") is None


def test_agency_views():
    from graph.views import agencies as views

    rows = [
        {
            "u": f"u{i}",
            "kind": "measure",
            "plan": "p",
            "plan_title": "P",
            "d": "d",
            "domain_title": "D",
            "concept": "https://w3id.org/plankg/id/concept/children-health",
            "a": a,
            "label": a,
            "region": "R",
            "role": role,
        }
        for i, pairs in enumerate(
            [[("A", "lead"), ("B", "partner")], [("A", "lead"), ("B", "partner"), ("C", "mentioned")]]
        )
        for a, role in pairs
    ]
    G = views.build(rows)
    assert G["A"]["B"]["weight"] == 2 and G["A"]["C"]["weight"] == 1
    assert G.nodes["A"]["lead"] == 2 and G.nodes["C"]["mentioned"] == 1
    assert set(views.build(rows, roles=["lead", "partner"]).nodes) == {"A", "B"}
    assert not views.build(rows, domain="education").nodes
    D = views.build(rows, view="domains")
    assert D["A"]["domain:children-health"]["weight"] == 2
    assert b"<graphml" in views.to_graphml(G) and b"<gexf" in views.to_gexf(G)
    assert len(views.to_cytoscape(G)["edges"]) == 3
