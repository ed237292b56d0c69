"""JSON API and pages of the real service (gunicorn over HTTP) on the built bundled corpus."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.usefixtures("live_server")


@pytest.fixture(scope="module")
def s(live_server):
    return live_server


def api(s, path, **params):
    r = s.get(path, params or None)
    assert r.status == 200, f"{path}: {r.status} {r.text[:500]}"
    assert r.content_type.startswith("application/json")
    return r.json()


def test_openapi_lists_every_endpoint(s):
    doc = api(s, "/api/openapi.json")
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/search",
        "/api/similar/{unit}",
        "/api/gaps",
        "/api/plans",
        "/api/plans/{id}",
        "/api/domains",
        "/api/units/{unit}",
        "/api/agencies",
        "/api/agencies/{id}",
        "/api/laws",
        "/api/laws/{id}",
        "/api/indicators",
        "/api/indicators/compare",
        "/api/agency-graph",
        "/sparql",
    ):
        assert path in doc["paths"], path


def test_plans_paginated_with_next_link(s):
    first = api(s, "/api/plans", per_page=3)
    assert first["total"] == 7 and first["page"] == 1 and len(first["items"]) == 3
    assert first["next"] and first["prev"] is None
    second = s.get(first["next"]).json()
    assert second["page"] == 2 and {p["iri"] for p in second["items"]}.isdisjoint({p["iri"] for p in first["items"]})
    titles = {p["title"] for p in api(s, "/api/plans")["items"]}
    assert any("杭州" in t for t in titles) and any("曾都区妇女" in t for t in titles)


def test_plan_detail_matches_reference_counts(s):
    plans = api(s, "/api/plans")["items"]
    hz = next(p for p in plans if p["title"].startswith("杭州"))
    plan = api(s, f"/api/plans/{hz['id']}")
    assert len(plan["domains"]) == 7
    assert sum(len(d["goals"]) for d in plan["domains"]) == 47
    assert sum(len(d["measures"]) for d in plan["domains"]) == 61
    assert len(plan["key_projects"]) == 5
    assert plan["tables"] and plan["tables"][0]["rows"]
    unit = plan["domains"][0]["goals"][0]
    assert unit["file"] == "000_66127fe5ef2e4799.txt" and unit["line"] > 0 and unit["url"].startswith("/units/")


def test_search_chinese_query_with_highlights_and_sources(s):
    res = api(s, "/api/search", q="预防儿童溺水", k=5)
    assert res["query"] == "预防儿童溺水" and len(res["results"]) == 5
    top = res["results"][0]
    for key in ("kind", "number", "text", "plan", "domain", "file", "line", "iri", "scores", "highlights", "plans"):
        assert key in top, key
    assert "溺水" in top["text"]
    assert any(top["text"][a:b] in "预防儿童溺水" for a, b in top["highlights"])
    assert top["iri"].startswith("https://w3id.org/plankg/id/plan/")
    assert top["plans"] and all(p["plan"]["title"] for p in top["plans"])


def test_search_filters(s):
    res = api(s, "/api/search", q="家庭暴力", kind="measure", plan_type="women", k=10)
    assert res["results"]
    assert all(r["kind"] == "measure" for r in res["results"])
    assert all("妇女" in r["plan"]["title"] for r in res["results"])
    assert s.get("/api/search", {"q": "x", "mode": "nonsense"}).status == 400


def test_similar_and_unit_detail(s):
    top = api(s, "/api/search", q="预防儿童溺水", k=1)["results"][0]
    sim = api(s, f"/api/similar/{top['id']}")
    assert sim["source"]["iri"] == top["iri"]
    assert sim["counterparts"] and all(c["plan"]["iri"] != top["plan"]["iri"] for c in sim["counterparts"])
    by_iri = api(s, "/api/similar/" + quote(top["iri"], safe=":/"))
    assert by_iri["source"]["id"] == sim["source"]["id"]
    unit = api(s, top["url"].replace("/units/", "/api/units/", 1))
    assert unit["text"] == top["text"] and unit["file"] == top["file"] and unit["line"] == top["line"]
    assert unit["plan"]["iri"] and isinstance(unit["counterparts"], list)
    assert s.get("/api/units/plan/000000000000/domain/1/goal/1").status == 404


def test_gaps(s):
    res = api(s, "/api/gaps", q="反家庭暴力")
    assert len(res["coverage"]) == 7
    assert {g["iri"] for g in res["gaps"]} <= {c["iri"] for c in res["coverage"]}


def test_agencies_and_agency_detail(s):
    page = api(s, "/api/agencies", per_page=500)
    assert page["total"] >= 20
    top = page["items"][0]
    assert top["units"] >= page["items"][-1]["units"]
    agency = api(s, "/api" + top["url"])
    assert agency["label"] == top["label"] and agency["units"] == top["units"]
    assert agency["plans"] and agency["plans"][0]["domains"][0]["units"]
    assert set(agency["counts"]) == {"lead", "partner", "mentioned"}


def test_laws(s):
    laws = api(s, "/api/laws", per_page=500)["items"]
    assert any("未成年人保护法" in law["title"] for law in laws)
    law = api(s, "/api" + laws[0]["url"])
    assert law["plans"] and law["title"] == laws[0]["title"]


def test_indicator_comparison_across_plans(s):
    names = api(s, "/api/indicators", per_page=500)["items"]
    assert names and names[0]["plans"] >= names[-1]["plans"]
    cmp = api(s, "/api/indicators/compare", name="5岁以下儿童死亡率")
    assert cmp["plans"] >= 2, cmp["matched_names"]
    row = cmp["rows"][0]
    assert (
        row["plan"]["title"] and row["file"] and (row["value"] is not None or row["target_text"] or row["qualitative"])
    )
    assert s.get("/api/indicators/compare").status == 400


def test_indicators_are_grouped_by_concept(s):
    """One row per indicator concept, whatever the wording; any wording compares the whole concept."""
    items = api(s, "/api/indicators", per_page=500)["items"]
    places = [i for i in items if i["concept"] == "childcare-places-per-1000"]
    assert len(places) == 1 and len(places[0]["names"]) >= 3 and places[0]["plans"] >= 5
    assert len({i["concept"] for i in items}) == len(items)
    cmp = api(s, "/api/indicators/compare", name="每千人拥有3岁以下婴幼儿托位数")
    assert cmp["plans"] >= 5 and len(cmp["matched_names"]) >= 3
    assert [c["key"] for c in cmp["concepts"]] == ["childcare-places-per-1000"]
    relative = api(s, "/api/indicators/compare", name="儿童伤害死亡率")
    changes = [r for r in relative["rows"] if r["change"]]
    assert changes and all(r["value"] is None and r["change_text"] == "较2020年下降20%" for r in changes)


def test_domains(s):
    items = api(s, "/api/domains")["items"]
    law = next(c for c in items if c["concept"] == "children-law")
    assert law["plans"] >= 4 and {d["title"] for d in law["domains"]} >= {"儿童与法律保护"}


def test_agency_graph_json_graphml_gexf(s):
    import networkx as nx

    g = api(s, "/api/agency-graph")  # lead and partner by default: an agency that is only mentioned is left out
    nodes, edges = g["elements"]["nodes"], g["elements"]["edges"]
    assert nodes and edges and all(n["data"]["lead"] + n["data"]["partner"] > 0 for n in nodes)
    every = api(s, "/api/agency-graph", role="lead,partner,mentioned")["elements"]["nodes"]
    assert len(every) >= 20 and len(every) > len(nodes) and any(n["data"]["mentioned"] for n in every)
    assert all("weight" in e["data"] for e in edges)
    assert all("betweenness" in n["data"] and n["data"]["url"].startswith("/agencies/") for n in nodes)
    hz = next(p for p in api(s, "/api/plans")["items"] if p["title"].startswith("杭州"))
    sub = api(s, "/api/agency-graph", plan=hz["id"], domain="children-health", role="lead,partner,mentioned")
    assert 0 < len(sub["elements"]["nodes"]) < len(every)
    dom = api(s, "/api/agency-graph", view="domains")
    assert any(n["data"]["kind"] == "domain" for n in dom["elements"]["nodes"])
    gml = s.get(g["downloads"]["graphml"])
    assert gml.status == 200 and "graphml" in gml.content_type
    assert nx.read_graphml(io.BytesIO(gml.body)).number_of_nodes() == len(nodes)
    gexf = s.get(g["downloads"]["gexf"])
    assert gexf.status == 200 and nx.read_gexf(io.BytesIO(gexf.body)).number_of_nodes() == len(nodes)


PAGES = [
    "/",
    "/search?q=溺水",
    "/plans",
    "/domains",
    "/agencies",
    "/agency-graph",
    "/laws",
    "/indicators",
    "/indicators/compare?name=5岁以下儿童死亡率",
    "/gaps?q=反家庭暴力",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_json_twin(s, path):
    html = s.get(quote(path, safe="/?=&"))
    assert html.status == 200 and html.content_type.startswith("text/html")
    assert 'lang="zh-CN"' in html.text and "https://cdn" not in html.text
    base, _, qs = path.partition("?")
    twin = s.get(quote(base + ".json" + ("?" + qs if qs else ""), safe="/?=&."))
    assert twin.status == 200 and twin.content_type.startswith("application/json")
    assert 'rel="alternate" type="application/json"' in html.text


def test_detail_pages_and_twins_equal_api(s):
    plan = api(s, "/api/plans")["items"][0]
    unit = api(s, f"/api/plans/{plan['id']}")["domains"][0]["measures"][0]
    agency = api(s, "/api/agencies")["items"][0]
    law = api(s, "/api/laws")["items"][0]
    for obj in (plan, unit, agency, law):
        html = s.get(obj["url"])
        assert html.status == 200 and html.content_type.startswith("text/html"), obj["url"]
        assert s.get(obj["url"] + ".json").json() == s.get("/api" + obj["url"]).json()


def test_search_page_escapes_user_text(s):
    r = s.get("/search", {"q": "<script>alert(1)</script>溺水"})
    assert r.status == 200
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    assert "<mark>" in r.text


def test_id_dereferencing_and_errors(s):
    plan = api(s, "/api/plans")["items"][0]
    r = s.get("/id/plan/" + plan["id"])
    assert r.status == 303 and r.headers["location"].endswith(plan["url"])
    assert s.get("/plans/ffffffffffff").status == 404
    assert s.get("/plans/ffffffffffff.json").json()["status"] == 404
    assert s.get("/api/nothing-here").status == 404
