"""What the pages give each user for their task (issue 15), in process over the hash-encoder build:
citations and in-plan anchors, side-by-side compare, responsibility without dead ends, the Chinese 404."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest

from service.payloads.side_by_side import segments, shared_mask
from service.queries import select


@pytest.fixture(scope="module")
def plan(client) -> dict:
    first = client.get("/api/plans").json()["items"][0]
    return client.get(f"/api/plans/{first['id']}").json()


def _units(plan: dict) -> list[dict]:
    return [u for d in plan["domains"] for u in d["goals"] + d["measures"]] + plan["key_projects"]


def test_every_unit_has_a_unique_anchor_on_its_plan_page(client, plan):
    html = client.get(plan["url"]).text
    ids = re.findall(r'<li class="unit" id="([^"]+)"', html)
    assert len(ids) == len(_units(plan)) > 20
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert {u["anchor"] for u in _units(plan)} == set(ids)


def test_unit_page_cites_and_links_into_its_plan(client, plan):
    domain = plan["domains"][1]
    unit = domain["measures"][2]
    u = client.get("/api" + unit["url"]).json()
    kind = "策略措施" if u["kind"] == "measure" else "主要目标"
    assert u["citation"] == f"《{plan['title']}》“{domain['title']}”{kind} {unit['number']}"
    path, anchor = u["in_plan_url"].split("#")
    assert path == plan["url"] and anchor == unit["anchor"]
    html = unescape(client.get(unit["url"]).text)
    assert f'data-cite="{u["citation"]}"' in html and "复制引用" in html
    assert f'href="{u["in_plan_url"]}"' in html
    # the hash file name is only inside the collapsed 数据来源 detail
    before, _, after = html.partition('<details class="provenance">')
    assert u["file"] not in before and u["file"] in after


def test_plan_page_names_its_publisher_not_its_file(client):
    plans = client.get("/api/plans").json()["items"]
    issued = [p for p in plans if p["publisher"]]
    assert issued, "the bundled corpus has plans with an issuing body"
    p = issued[0]
    html = client.get(p["url"]).text
    header = html.split('<nav class="toc"')[0]
    assert p["publisher"] in header and p["file"] not in header


def test_shared_mask_marks_runs_of_two_or_more():
    mask = shared_mask("加强儿童安全教育", ["开展儿童安全宣传"])
    assert "".join(c for c, m in zip("加强儿童安全教育", mask, strict=True) if m) == "儿童安全"
    assert shared_mask("的确", ["目的"]) == [False, False]  # a lone shared character is not shared wording
    segs = segments("加强儿童安全教育", mask)
    assert "".join(s["text"] for s in segs) == "加强儿童安全教育"
    assert [s["shared"] for s in segs] == [False, True, False]


def test_compare_columns_rebuild_their_texts_and_mark_shared_wording(client, plan):
    units = [u["url"].removeprefix("/units/") for u in plan["domains"][0]["measures"][:3]]
    data = client.get("/api/compare", params={"units": ",".join(units)}).json()
    assert [c["url"] for c in data["columns"]] == ["/units/" + u for u in units]
    for col in data["columns"]:
        assert "".join(s["text"] for s in col["segments"]) == col["text"]
        shared = "".join(s["text"] for s in col["segments"] if s["shared"])
        assert col["shared_share"] == pytest.approx(len(shared) / len(col["text"]), abs=1e-3)
    # a column's shared text occurs in the first column (2+ characters at a time)
    first = data["columns"][0]["text"]
    for s in data["columns"][1]["segments"]:
        if s["shared"]:
            assert s["text"] in first
    page = client.get("/compare", params={"units": units}).text  # the repeated form of the parameter
    assert page.count('class="compare-col"') == 3


def test_compare_refuses_one_unit_and_caps_at_four(client, plan):
    measures = [u["url"].removeprefix("/units/") for u in plan["domains"][0]["measures"]]
    one = client.get("/api/compare", params={"units": measures[0]})
    assert one.status == 400 and "至少 2 个" in one.json()["error"]
    many = client.get("/api/compare", params={"units": measures[:6]}).json()
    assert len(many["columns"]) == 4 and many["dropped"] == measures[4:6]
    assert (
        client.get("/api/compare", params={"units": [measures[0], "plan/000000000000/domain/1/goal/1"]}).status == 404
    )


def test_unit_without_agency_says_so_and_suggests_with_evidence(client):
    items = client.get("/api/search", params={"q": "预防儿童溺水", "k": 20}).json()["results"]
    checked = 0
    for hit in items:
        u = client.get("/api" + hit["url"]).json()
        if u["agencies"]:
            continue
        html = client.get(hit["url"]).text
        assert "没有写明由哪个部门负责" in html and "未识别到责任部门" not in html
        cov = u["plan_agency_coverage"]
        assert cov and 0 <= cov["carried"] <= cov["named"] <= cov["units"]
        for s in u["suggested_agencies"]:
            assert s["plans"] == len({e["plan"] for e in s["evidence"]}) >= 1
            for e in s["evidence"]:  # the evidence unit really names an agency of that type
                other = client.get("/api" + e["unit"]).json()
                assert e["plan"] != u["plan"]["title"]
                assert any(a["label"] == e["agency"] for a in other["agencies"]), (e, other["agencies"])
        checked += 1
    assert checked >= 3


def test_agencies_banner_counts_match_sparql(client, app):
    data = client.get("/api/agencies").json()
    store = app.extensions["plankg"].store()
    rows = select(
        store,
        """SELECT (COUNT(DISTINCT ?m) AS ?all) (COUNT(DISTINCT ?named) AS ?named) WHERE {
             ?m a pkg:Measure . OPTIONAL { ?m pkg:hasResponsibility ?r BIND(?m AS ?named) } }""",
    )
    assert data["coverage"]["measure"]["units"] == int(rows[0]["all"])
    assert data["coverage"]["measure"]["named"] == int(rows[0]["named"])
    html = client.get("/agencies").text
    assert f"全部 {rows[0]['all']} 项措施中，{rows[0]['named']} 项写明了部门" in html
    agency = client.get(data["items"][0]["url"]).text
    assert f"全部 {rows[0]['all']} 项措施中只有 {rows[0]['named']} 项写明了部门" in agency


def test_not_found_page_speaks_chinese_and_offers_a_way_on(client):
    r = client.get("/plans/nope")
    assert r.status == 404
    assert "找不到您要的内容" in r.text and 'name="q"' in r.text and "返回首页" in r.text


def test_every_page_has_a_skip_link_and_a_phone_menu(client):
    html = client.get("/").text
    assert '<a class="skip-link" href="#main">跳到正文</a>' in html and '<main id="main"' in html
    assert 'class="nav-toggle' in html and 'aria-controls="main-nav"' in html


def test_search_facets_count_units_and_filter_to_them(client):
    data = client.get("/api/search", params={"q": "托育服务"}).json()
    facets = {f["name"]: f for f in data["facets"]}
    assert set(facets) == {"plan", "plan_type", "level", "domain", "kind", "agency"}
    per_plan = sum(v["count"] for v in facets["plan"]["values"])
    assert per_plan == sum(v["count"] for v in facets["kind"]["values"]) >= data["total"] > 0
    top = facets["plan"]["values"][0]
    narrowed = client.get("/api/search", params={"q": "托育服务", "plan": top["value"], "k": 100}).json()
    assert {r["plan"]["id"] for r in narrowed["results"]} == {top["value"]}
    assert 0 < narrowed["total"] <= top["count"]
    chosen = {f["name"]: f for f in narrowed["facets"]}["plan"]["values"]
    assert [v["selected"] for v in chosen] == [True]
    html = client.get("/search", params={"q": "托育服务"}).text
    assert 'class="search-facets"' in html and top["label"] in html
    assert "?q=" in html.split('class="result-title"')[0].rsplit("href=", 1)[-1], "hits link to units with the query"
