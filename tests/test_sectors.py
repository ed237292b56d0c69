"""Responsibility by sector across plans (``builds.aggregates``, ``graph.views.sectors``, /sectors).

The aggregates a build precomputes are checked against counts that independent SPARQL queries make on the
same store (units by agency type and strongest role, by domain column, pairs of types per role scope, plans
behind each); the store-made aggregates and the rows of the agency graph against the build's; the drill-down
to one plan against the agency graph as it was made before (from the SPARQL rows); the downloads (GraphML,
GEXF, CSV) against the JSON; every node, edge and cell against the units its link lists. Deltas (add, replace,
remove), ``plankg load`` and SPARQL Update keep them right (slow tier: they build data folders)."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from urllib.parse import parse_qs, urlparse

import networkx as nx
import pytest

from builds import aggregates as A
from builds import corpus
from builds.generations import current_generation
from builds.graphs import load as load_graph
from builds.graphs import parse_graph_file
from builds.layout import DataFolder
from builds.pipeline import build
from config import Config
from graph.parse import SourceFile
from graph.rdf.iri import short
from graph.store import open_store
from graph.views import agencies as views
from graph.views import sectors as S
from graph.views.sector_facts import responsibility_rows
from service import queries as q
from service.payloads import agencies as agency_payloads
from service.payloads import sectors as P
from tests.conftest import CORPUS
from tests.corpus_util import LUCHENG, QUZHOU, copy_data, variant

RANKED = """
  {{ SELECT ?u ?{k} (MAX(?r) AS ?{rank}) WHERE {{
      ?u pkg:hasResponsibility ?resp . ?resp pkg:agency ?a ; pkg:role ?role .
      ?a org:classification ?t . ?t skos:notation ?{k} .
      VALUES (?role ?r) {{ ("lead" 3) ("partner" 2) ("mentioned" 1) }}
    }} GROUP BY ?u ?{k} }}"""
PLAN_OF = "{ ?plan pkg:hasDomain ?d . ?d pkg:hasGoal|pkg:hasMeasure ?u } UNION { ?plan pkg:hasKeyProject ?u }"


def sparql_counts(store, plan_type: str | None = None) -> dict:
    """The aggregates' numbers, counted by SPARQL alone (optionally for the plans of one type)."""
    scope = f'{PLAN_OF} ?plan pkg:planType "{plan_type}" .' if plan_type else PLAN_OF
    out: dict = {"sectors": defaultdict(lambda: [0] * 6), "cells": defaultdict(dict), "pairs": {}}
    for r in q.select(
        store,
        f"SELECT ?k ?rank (COUNT(?u) AS ?n) WHERE {{ {RANKED.format(k='k', rank='rank')} {scope} }} GROUP BY ?k ?rank",
    ):
        out["sectors"][str(r["k"])][3 - int(r["rank"])] = int(r["n"])
    for t in (1, 2, 3):
        for r in q.select(
            store,
            f"SELECT ?k (COUNT(DISTINCT ?plan) AS ?n) WHERE {{ {RANKED.format(k='k', rank='rank')} "
            f"FILTER(?rank >= {t}) {scope} }} GROUP BY ?k",
        ):
            out["sectors"][str(r["k"])][2 + t] = int(r["n"])
    for r in q.select(
        store,
        f"""SELECT ?k ?col ?rank (COUNT(?u) AS ?n) WHERE {{ {RANKED.format(k="k", rank="rank")} {scope}
  OPTIONAL {{ ?d0 pkg:hasGoal|pkg:hasMeasure ?u . OPTIONAL {{ ?d0 pkg:domainConcept ?c }} }}
  BIND(IF(BOUND(?d0), COALESCE(STRAFTER(STR(?c), "/concept/"), "other"), "key-projects") AS ?col)
}} GROUP BY ?k ?col ?rank""",
    ):
        cell = out["cells"][str(r["k"])].setdefault(str(r["col"]), [0, 0, 0])
        cell[3 - int(r["rank"])] = int(r["n"])
    for t in (1, 2, 3):
        for r in q.select(
            store,
            f"""SELECT ?k1 ?k2 (COUNT(?u) AS ?n) (COUNT(DISTINCT ?plan) AS ?plans) WHERE {{
  {RANKED.format(k="k1", rank="r1")} {RANKED.format(k="k2", rank="r2")}
  FILTER(STR(?k1) < STR(?k2) && ?r1 >= {t} && ?r2 >= {t}) {scope} }} GROUP BY ?k1 ?k2""",
        ):
            pair = out["pairs"].setdefault(f"{r['k1']}|{r['k2']}", [0] * 6)
            pair[t - 1], pair[2 + t] = int(r["n"]), int(r["plans"])
    units = q.select(store, f"SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {{ {scope} }}")[0]["n"]
    named = q.select(store, f"SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {{ ?u pkg:hasResponsibility ?x . {scope} }}")
    plans = q.select(
        store,
        "SELECT (COUNT(?plan) AS ?n) WHERE { ?plan a pkg:Plan "
        + (f'; pkg:planType "{plan_type}"' if plan_type else "")
        + " }",
    )
    out.update(units=int(units), agency_units=int(named[0]["n"]), plans=int(plans[0]["n"]))
    out["sectors"] = dict(out["sectors"])
    out["cells"] = dict(out["cells"])
    return out


def assert_equal_counts(total: dict, counted: dict) -> None:
    for key in ("plans", "units", "agency_units", "sectors", "cells", "pairs"):
        assert total[key] == counted[key], key


@pytest.fixture(scope="module")
def res(app):
    return app.extensions["plankg"]


@pytest.fixture(scope="module")
def agg(res):
    return P.aggregates(res)


@pytest.fixture(scope="module")
def sparql_rows(res) -> list[dict]:
    """The rows the agency graph was made from before: ``service.queries.responsibilities`` on the store."""
    return q.responsibilities(res.store())


def test_the_build_writes_the_aggregates_into_the_generation(res, agg):
    gen = res.generation.layout
    stored = json.loads(gen.aggregates_json.read_text(encoding="utf-8"))
    assert stored == agg and stored["version"] and len(stored["plans"]) == 7
    report = gen.read_build()["aggregates"]
    assert report["plans"] == 7 and report["parts_derived"] == 5 and report["sectors"] == len(agg["total"]["sectors"])
    for e in gen.read_build()["parts"]["files"]:  # each file's own facts, for the deltas
        assert A.read_part(gen, e["key"])


def test_aggregates_equal_counts_by_sparql_on_the_same_store(res, agg):
    store = res.store()
    assert_equal_counts(agg["total"], sparql_counts(store))
    children = P.scope(res, {"plan_type": "children"})[1]
    assert_equal_counts(children, sparql_counts(store, "children"))
    assert 0 < children["plans"] < agg["total"]["plans"]


def test_aggregates_made_from_the_store_equal_the_precomputed_ones(res, agg):
    assert P.from_store(res.store()) == agg


def test_agency_graph_rows_from_the_aggregates_equal_the_sparql_rows(agg, sparql_rows):
    def norm(rows):
        return {tuple(sorted((k, str(v)) for k, v in r.items() if v is not None)) for r in rows}

    mine = norm(r for p in agg["plans"] for r in responsibility_rows(p, agg["labels"]["agencies"]))
    assert mine == norm(sparql_rows) and len(mine) > 200


def cyto(G: nx.Graph) -> tuple[dict, set]:
    elements = views.to_cytoscape(G)
    nodes = {n["data"]["id"]: {k: v for k, v in n["data"].items() if k != "url"} for n in elements["nodes"]}
    edges = {(frozenset((e["data"]["source"], e["data"]["target"])), e["data"]["weight"]) for e in elements["edges"]}
    return nodes, edges


@pytest.mark.parametrize("view", ["agencies", "domains"])
@pytest.mark.parametrize("role", ["lead,partner", "lead,partner,mentioned"])  # the page's default, and all
def test_drill_down_to_one_plan_shows_its_agencies_as_before(res, agg, sparql_rows, view, role):
    roles = role.split(",")
    shown = 0
    for plan in agg["plans"]:
        pid = short(plan["iri"])
        before = views.build(sparql_rows, plan=plan["iri"], view=view, roles=roles)
        page = agency_payloads.agency_graph_page(res, plan=pid, view=view, role=role)
        assert page["aggregated"] is None
        nodes, edges = cyto(before)
        assert {
            n["data"]["id"]: {k: v for k, v in n["data"].items() if k not in ("url", "aliases")}
            for n in page["elements"]["nodes"]
        } == nodes
        assert {
            (frozenset((e["data"]["source"], e["data"]["target"])), e["data"]["weight"])
            for e in page["elements"]["edges"]
        } == edges
        shown += bool(nodes)
        if "mentioned" in roles:
            assert nodes, pid  # every plan mentions agencies
    assert shown  # and some plans name leads or partners


def test_the_whole_corpus_agency_graph_is_as_before_below_the_cap(res, sparql_rows):
    before = views.build(sparql_rows, roles=["lead", "partner"])
    page = agency_payloads.agency_graph_page(res, role="lead,partner")
    assert page["aggregated"] is None and len(page["elements"]["nodes"]) == before.number_of_nodes()


def test_above_the_cap_the_agency_graph_is_summed_by_type_and_says_so(client, res, agg, monkeypatch):
    monkeypatch.setattr(agency_payloads, "AGENCY_CAP", 20)
    every_role = {"view": "agencies", "role": "lead,partner,mentioned"}  # the page's default is lead and partner
    page = client.get("/api/agency-graph", every_role).json()  # a URL of its own: not a cached answer
    info = page["aggregated"]
    assert info["cap"] == 20 and info["agencies"] > 20 and info["sectors"] == len(page["elements"]["nodes"]) <= 73
    kinds = {n["data"]["kind"] for n in page["elements"]["nodes"]}
    assert kinds == {"sector"}
    health = next(n["data"] for n in page["elements"]["nodes"] if n["data"]["id"] == "sector:health")
    listed = client.get(health["url"].replace("/sectors/units", "/api/sectors/units"), {"per_page": 1}).json()
    assert listed["total"] == health["units"] == S.sector_units(agg["total"]["sectors"]["health"], 1)
    html = client.get("/agency-graph", every_role).text
    assert "超过一张图能画清的 20 个" in html and "按部门类型汇总" in html


def test_betweenness_is_sampled_on_big_graphs():
    small = views.add_centrality(nx.path_graph(50))
    assert small.graph["betweenness"] == "exact" and small.nodes[25]["betweenness"] > 0.4
    big = views.add_centrality(nx.connected_watts_strogatz_graph(views.BETWEENNESS_EXACT + 20, 4, 0.1, seed=3))
    assert big.graph["betweenness"].startswith(f"estimated from {views.BETWEENNESS_SAMPLES} sampled sources")


# ----------------------------------------------------------------------------- the view and its data twins


@pytest.fixture(scope="module")
def view(client) -> dict:
    return client.get("/api/sectors").json()


def test_sector_view_numbers_are_the_aggregates(view, agg):
    total = agg["total"]
    nodes = {n["data"]["id"]: n["data"] for n in view["graph"]["elements"]["nodes"]}
    assert set(nodes) == {k for k, v in total["sectors"].items() if S.sector_units(v, 1)}
    for key, d in nodes.items():
        assert [d["lead"], d["partner"], d["mentioned"], d["plans"]] == total["sectors"][key][:4]
    edges = view["graph"]["elements"]["edges"]
    assert view["graph"]["edges_total"] == sum(1 for v in total["pairs"].values() if v[0])
    assert len(edges) == min(P.EDGE_CAP, view["graph"]["edges_total"])
    for e in edges:
        pair = total["pairs"][e["data"]["id"]]
        assert (e["data"]["weight"], e["data"]["plans"], e["data"]["responsible"]) == (pair[0], pair[3], pair[1])
    weights = [e["data"]["weight"] for e in edges]
    assert weights == sorted(weights, reverse=True)  # the strongest ones are drawn
    if view["graph"]["edges_total"] > P.EDGE_CAP:
        assert any("图中只画出共同条目最多的" in n for n in view["notices"])
    assert view["scope"]["plans"] == 7 and view["scope"]["agency_units"] == total["agency_units"]
    assert len(json.dumps(view, ensure_ascii=False).encode()) < 100_000


def test_facets_count_plans_under_the_other_filters(client, agg):
    v = client.get("/api/sectors", {"plan_type": "children"}).json()
    assert sum(f["count"] for f in v["facets"]["plan_type"]) == 7  # its own filter left out
    children = [p for p in agg["plans"] if p["type"] == "children"]
    assert v["scope"]["plans"] == len(children) == sum(f["count"] for f in v["facets"]["level"])
    assert {f["value"]: f["count"] for f in v["facets"]["region"]} == {
        r: sum(1 for p in children if p["region"] == r) for r in {p["region"] for p in children}
    }
    assert {f["label"] for f in v["facets"]["plan_type"]} == {"儿童", "妇女"}
    year = client.get("/api/sectors", {"period": "2028"}).json()["scope"]["plans"]
    assert year == sum(1 for p in agg["plans"] if p["start"] <= 2028 <= p["end"])


def test_lead_partner_scope_counts_only_those_roles(client, agg):
    v = client.get("/api/sectors", {"role": "lead,partner"}).json()
    for n in v["graph"]["elements"]["nodes"]:
        lpm = agg["total"]["sectors"][n["data"]["id"]]
        assert n["data"]["units"] == lpm[0] + lpm[1] and n["data"]["plans"] == lpm[4]
    for e in v["graph"]["elements"]["edges"]:
        assert e["data"]["weight"] == agg["total"]["pairs"][e["data"]["id"]][1]


def test_every_node_edge_and_cell_counts_exactly_the_units_it_links_to(view, res, agg):
    plans = agg["plans"]
    for n in view["graph"]["elements"]["nodes"]:
        args = parse_qs(urlparse(n["data"]["url"]).query)
        assert len(list(S.select_units(plans, args["sector"][0], 1))) == n["data"]["units"]
    for e in view["graph"]["elements"]["edges"]:
        args = parse_qs(urlparse(e["data"]["url"]).query)
        assert len(list(S.select_units(plans, args["sector"][0], 1, other=args["with"][0]))) == e["data"]["weight"]
    m = view["matrix"]
    for row in m["rows"]:
        for col, cell in zip(m["columns"], row["cells"], strict=True):
            if cell:
                assert len(list(S.select_units(plans, row["sector"], 1, col=col["key"]))) == sum(cell)


def test_the_units_behind_a_cell_an_edge_and_a_node_over_http(client, view):
    m = view["matrix"]
    row = m["rows"][0]
    i, cell = next((i, c) for i, c in enumerate(row["cells"]) if c)
    col = m["columns"][i]["key"]
    listed = client.get("/api/sectors/units", {"sector": row["sector"], "domain": col, "per_page": 200}).json()
    assert listed["total"] == sum(cell) == len(listed["items"])
    assert all(u["text"] and u["url"].startswith("/units/") for u in listed["items"])
    assert all(any(a["selected"] for a in u["agencies"]) for u in listed["items"])
    edge = view["graph"]["elements"]["edges"][0]["data"]
    both = client.get(edge["url"].replace("/sectors/units", "/api/sectors/units"), {"per_page": 3}).json()
    assert both["total"] == edge["weight"] and len(both["items"]) == min(3, edge["weight"])
    for u in both["items"]:
        assert {edge["source"], edge["target"]} <= {a["key"] for a in u["agencies"]}
    assert both["next"] and "page=2" in both["next"]
    page = client.get(edge["url"])
    assert page.status == 200 and both["items"][0]["text"][:20] in page.text


def test_units_list_refuses_what_does_not_exist(client):
    for params, word in (
        ({"sector": "nope"}, "sector"),
        ({}, "sector is required"),
        ({"sector": "health", "with": "health"}, "with"),
        ({"sector": "health", "domain": "nowhere"}, "domain"),
        ({"sector": "health", "role": "boss"}, "role"),
    ):
        r = client.get("/api/sectors/units", params)
        assert r.status == 400 and word in r.json()["error"], (params, r.text)


def test_graphml_gexf_and_csv_hold_the_same_numbers(client, view, agg):
    total = agg["total"]
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        r = client.get(f"/api/sectors.{fmt}")
        assert r.status == 200 and "attachment" in r.headers["content-disposition"]
        G = reader(io.BytesIO(r.body))
        assert G.number_of_nodes() == len(view["graph"]["elements"]["nodes"])
        assert G.number_of_edges() == view["graph"]["edges_total"]  # every edge, not only the drawn ones
        for a, b, d in G.edges(data=True):
            assert int(d["weight"]) == total["pairs"]["|".join(sorted((a, b)))][0]
        assert G.nodes["health"]["label"] == agg["labels"]["sectors"]["health"]
    r = client.get("/api/sectors.csv", {"role": "lead,partner"})
    assert r.content_type.startswith("text/csv") and r.body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    m = client.get("/api/sectors", {"role": "lead,partner"}).json()["matrix"]
    assert rows[1][2:] == [c["key"] for c in m["columns"]] and rows[0][2:] == [c["label"] for c in m["columns"]]
    for line, row in zip(rows[2:], m["rows"], strict=True):
        assert line[1] == row["sector"] and [int(x) for x in line[2:]] == [
            c[0] + c[1] if c else 0 for c in row["cells"]
        ]


def test_the_page_has_the_graph_the_matrix_and_chinese_labels(client, view):
    html = client.get("/sectors").text
    assert 'class="sector-svg sector-svg-wide"' in html and 'class="matrix"' in html
    wide = html.split('class="sector-svg sector-svg-wide"')[1].split("</svg>")[0]
    drawn = wide.count('class="sector-edge"') + wide.count('class="sector-edge sector-mention"')
    assert drawn == len(view["graph"]["elements"]["edges"])
    assert wide.count('<a href="/sectors/units?sector=') == len(view["graph"]["elements"]["nodes"]) + len(
        view["graph"]["elements"]["edges"]
    )
    for label in ("卫生健康部门", "教育部门", "儿童", "重点项目", "最常一起负责的部门类型"):
        assert label in html
    cells = html.count('class="matrix-cell')
    assert cells == sum(1 for r in view["matrix"]["rows"] for c in r["cells"] if c)
    assert "/sectors/units?sector=" in html and "&amp;domain=" in html


def test_a_sector_cap_sums_the_smallest_types(client, monkeypatch):
    monkeypatch.setattr(P, "SECTOR_CAP", 10)
    v = client.get("/api/sectors", {"role": "all"}).json()  # a URL of its own: not a cached answer
    ids = [n["data"]["id"] for n in v["graph"]["elements"]["nodes"]]
    assert len(ids) == 10 and S.OTHER_SECTORS in ids
    assert any("合并为“其他部门类型”" in n for n in v["notices"])


# ----------------------------------------------------------------------------- kept right by every change


def current_aggregates(cfg: Config) -> tuple[dict, dict]:
    """The generation's aggregates (as the server reads them) and those made from its store."""
    g = current_generation(DataFolder(cfg.data_dir))
    store = open_store(str(g.store), read_only=True)
    try:
        return A.load(g, lambda: P.agency_labels(store)), P.from_store(store)
    finally:
        store.close()


def test_deltas_and_loads_keep_the_aggregates_right(tmp_path):
    files = sorted(CORPUS.glob("*.txt"))
    cfg = Config(data_dir=tmp_path / "data", corpus=CORPUS)
    build(cfg, files=[f for f in files if f != LUCHENG], with_index=False)
    stored, from_store = current_aggregates(cfg)
    assert stored == from_store and stored["total"]["plans"] == 6

    new = variant(tmp_path, "ouhai.txt", "瓯海")
    corpus.add(cfg, [SourceFile(new.name, new.read_bytes(), str(new))], with_index=False)
    report = json.loads((DataFolder(cfg.data_dir).current / "build.json").read_text(encoding="utf-8"))
    assert report["aggregates"]["parts_derived"] == 1  # only the added file's facts were derived
    stored, from_store = current_aggregates(cfg)
    assert stored == from_store and stored["total"]["plans"] == 7

    corpus.remove(cfg, QUZHOU.name)  # a file with two plans
    stored, from_store = current_aggregates(cfg)
    assert stored == from_store and stored["total"]["plans"] == 5

    full = Config(data_dir=tmp_path / "full", corpus=CORPUS)
    keep = [f for f in files if f not in (LUCHENG, QUZHOU)] + [new]
    build(full, files=keep, with_index=False)
    assert current_aggregates(full)[0] == stored  # the same as a full build of the same files

    ttl = b'@prefix ex: <https://example.org/> . ex:a ex:says "hello" .'
    load_graph(cfg, parse_graph_file("notes.ttl", ttl, graph="https://example.org/g"))
    gen = DataFolder(cfg.data_dir).current
    assert not (gen / "aggregates.json").exists() or json.loads((gen / "aggregates.json").read_text()) == stored
    after, from_store = current_aggregates(cfg)  # named graphs leave the counts alone; read from the parts
    assert after == stored == from_store


def test_a_store_changed_by_sparql_update_is_counted_from_the_store(hash_data_dir, tmp_path, app_server):
    c = app_server(copy_data(hash_data_dir, tmp_path / "data"), token="t0ken")
    before = c.get("/api/sectors").json()
    health = next(n["data"] for n in before["graph"]["elements"]["nodes"] if n["data"]["id"] == "health")
    unit = next(
        u
        for u in c.get("/api/sectors/units", {"sector": "education", "per_page": 200}).json()["items"]
        if "health" not in {a["key"] for a in u["agencies"]}
    )
    agency = "https://w3id.org/plankg/id/agency/" + next(a for a in unit["agencies"] if a["key"] == "education")[
        "url"
    ].split("/agencies/")[1].replace("education", "health")
    update = f"""PREFIX pkg: <https://w3id.org/plankg/ontology#>
INSERT DATA {{ <{unit["iri"]}> pkg:hasResponsibility <{unit["iri"]}/responsibility/health/lead> .
  <{unit["iri"]}/responsibility/health/lead> pkg:agency <{agency}> ; pkg:role "lead" . }}"""
    r = c.post("/sparql", update, "application/sparql-update", headers={"Authorization": "Bearer t0ken"})
    assert r.status in (200, 204), r.text
    after = c.get("/api/sectors").json()
    health_after = next(n["data"] for n in after["graph"]["elements"]["nodes"] if n["data"]["id"] == "health")
    assert health_after["lead"] == health["lead"] + 1 and health_after["units"] == health["units"] + 1
    edge = next(e["data"] for e in after["graph"]["elements"]["edges"] if e["data"]["id"] == "education|health")
    old = next(e["data"] for e in before["graph"]["elements"]["edges"] if e["data"]["id"] == "education|health")
    assert edge["weight"] == old["weight"] + 1
