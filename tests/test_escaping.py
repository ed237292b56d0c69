"""Text from plans and from queries is data, never markup: a plan whose domain titles, goals, measures,
key project and an agency-looking phrase carry script payloads, served by the app in process (Flask's
test client: the HTML and JSON checks) and by a real gunicorn opened in headless Chromium.

For every page: no injected element exists (no inline script, no element with an event handler), no
script ran (``window.__pwned`` stays undefined, no dialog), also with the Content-Security-Policy
switched off in the browser (so the escaping alone is tested, not the CSP), the payloads are shown as
literal text, and the CSP header is sent. The JSON endpoints return the payloads as plain string data.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from tests.browser_util import needs_chromium
from tests.conftest_app import live_or_app

P_SCRIPT = "<script>window.__pwned=1</script>"
P_IMG = '<img src=x onerror="window.__pwned=2;alert(2)">'
P_ATTR = "\"'><svg/onload=window.__pwned=3>"  # no spaces: titles lose theirs
P_AGENCY = "<script>window.__pwned=4;alert(4)</script>"
P_MEASURE = "'\"><img src=x onerror=alert(5)>"
QUERY = "儿童<script>window.__pwned=9</script>\"'><img src=x onerror=alert(9)>健康"
P_404 = "\"'><img src=x onerror=alert(7)>"  # no "/": it has to stay one path segment
PAYLOADS = (P_SCRIPT, P_IMG, P_ATTR, P_AGENCY, P_MEASURE)
RAW_MARKERS = ("<script>window.__pwned", "<img src=x onerror", "<svg/onload")

# the structure of tests/test_parse_variants.py's SYNTHETIC, with payloads in every kind of text
PLAN = f"""某某省儿童发展规划（2026—2035年）

第一章 总体要求
本规划所称儿童是指未满十八周岁的未成年人。
第二章 发展领域与主要目标、策略措施
一、儿童与健康{P_SCRIPT}
（一）主要目标
1、新生儿死亡率控制在2.5‰以下{P_ATTR}。
2、儿童近视率逐年下降，
到2030年下降到40%以下。
（二）策略措施
1、加强儿童健康管理{P_IMG}，由省卫生健康委{P_AGENCY}牵头，省教育厅配合。
2、12岁儿童口腔保健纳入基本公共卫生服务{P_MEASURE}。
二、儿童与安全{P_ATTR}
（一）主要目标
1、儿童溺水死亡率持续下降。
（二）策略措施
1、强化儿童溺水预防{P_SCRIPT}，公安、教育、应急管理等部门按职责分工负责。
第三章 重点实事项目
一、儿童安全守护工程{P_IMG}。建设一批防溺水设施。（责任单位：省教育厅、省应急管理厅）
第四章 组织实施
一、加强组织领导。
"""

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def xss_data(tmp_path_factory):
    """A data dir built from the payload plan (model-free 'hash' encoder)."""
    from builds.pipeline import build
    from config import Config

    root = tmp_path_factory.mktemp("xss")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "xss_plan.txt").write_text(PLAN, encoding="utf-8")
    data = root / "data"
    build(Config.from_env(data_dir=data, corpus=corpus), encoders="hash")
    return data


def with_payload_units(server):
    """``server`` with the plan, its detail and its units read through its API."""
    plan = server.get("/api/plans").json()["items"][0]
    detail = server.get(f"/api/plans/{plan['id']}").json()
    units = [u for d in detail["domains"] for u in d["goals"] + d["measures"]] + detail["key_projects"]
    server.plan, server.detail, server.units = plan, detail, units
    return server


@pytest.fixture(scope="module")
def xss_app(xss_data, app_server):
    """The app over the payload data, in process (Flask's test client)."""
    return with_payload_units(app_server(xss_data, env={"PLANKG_ENCODERS": "hash"}))


@pytest.fixture(scope="module")
def xss_live(xss_data, start_server):
    """A real server (gunicorn) over the payload data, for the browser."""
    return with_payload_units(start_server(xss_data, env={"PLANKG_ENCODERS": "hash"}))


@pytest.fixture
def xss(request):
    """The in-process app; the real server for the tests that use ``xss_live`` (the browser's)."""
    return live_or_app(request, "xss_live", "xss_app")


def unit_with(server, payload: str) -> dict:
    return next(u for u in server.units if payload in u["text"])


def test_payloads_survived_parsing(xss):
    """Otherwise the rest of this module would prove nothing."""
    titles = [d["title"] for d in xss.detail["domains"]]
    assert any(P_SCRIPT in t for t in titles) and any(P_ATTR in t for t in titles), titles
    texts = " ".join(u["text"] for u in xss.units)
    for p in PAYLOADS:
        assert p in texts, p
    agency_unit = unit_with(xss, P_AGENCY)
    assert any(a["label"].endswith("卫生健康委员会") for a in agency_unit["agencies"]), agency_unit["agencies"]


def pages(s) -> list[tuple[str, list[str]]]:
    """(path, strings that must appear literally in the page's text)."""
    d = s.detail
    titles = [x["title"] for x in d["domains"]]
    texts = [u["text"] for u in s.units]
    img_unit, agency_unit = unit_with(s, P_IMG), unit_with(s, P_AGENCY)
    key_project = d["key_projects"][0]
    health = next(a for a in agency_unit["agencies"] if a["label"].endswith("卫生健康委员会"))
    return [
        ("/search?" + urlencode({"q": QUERY}), [QUERY]),
        ("/search?" + urlencode({"q": "儿童健康管理", "region": P_ATTR, "agency": P_IMG}), []),
        ("/search?" + urlencode({"q": "溺水预防"}), [unit_with(s, P_SCRIPT)["text"]]),
        (s.plan["url"], titles + texts),
        (img_unit["url"], [img_unit["text"], titles[0]]),
        (key_project["url"], [key_project["text"]]),
        (health["url"], [agency_unit["text"]]),
        ("/agency-graph", []),
        ("/agency-graph?view=domains&role=lead,partner,mentioned", []),
        ("/domains", titles),
        ("/similar/" + agency_unit["id"], [agency_unit["text"]]),
        ("/gaps?" + urlencode({"q": QUERY}), []),
        ("/indicators/compare?" + urlencode({"name": QUERY}), []),
        ("/indicators", []),
        ("/plans/" + quote(P_404, safe=""), ["<img src=x onerror=alert(7)>"]),  # the 404 page names the id
    ]


def test_pages_escape_plan_and_query_text(xss):
    """Server side: the raw payloads never reach the HTML, their escaped forms do; CSP on every page."""
    for path, _ in pages(xss):
        r = xss.get(path)
        assert r.status in (200, 404), (path, r.status)
        assert r.content_type.startswith("text/html"), path
        for marker in RAW_MARKERS:
            assert marker not in r.text, (path, marker)
        csp = r.headers.get("content-security-policy", "")
        assert (
            "script-src 'self'" in csp
            and "object-src 'none'" in csp
            and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
        ), (path, csp)
        assert r.headers.get("x-content-type-options") == "nosniff"
    plan_page = xss.get(xss.plan["url"]).text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in plan_page
    assert "&lt;svg/onload=window.__pwned=3&gt;" in plan_page and "&#34;&#39;&gt;" in plan_page


def test_json_endpoints_return_the_payloads_as_data(xss):
    detail = xss.get(f"/api/plans/{xss.plan['id']}")
    assert detail.content_type.startswith("application/json")
    assert detail.headers.get("x-content-type-options") == "nosniff"
    assert any(P_SCRIPT in d["title"] for d in detail.json()["domains"])
    unit = unit_with(xss, P_AGENCY)
    api_unit = xss.get("/api/units/" + unit["id"]).json()
    assert P_AGENCY in api_unit["text"] and P_IMG in api_unit["text"]
    assert xss.get(unit["url"] + ".json").json() == api_unit
    found = xss.get("/api/search", {"q": QUERY}).json()
    assert found["query"] == QUERY and found["results"]
    assert any(P_IMG in r["text"] or P_SCRIPT in r["text"] for r in found["results"])
    labels = [
        n["data"]["label"]
        for n in xss.get("/api/agency-graph?view=domains&role=lead,partner,mentioned").json()["elements"]["nodes"]
    ]
    assert any(P_SCRIPT in x for x in labels) and any(P_ATTR in x for x in labels), labels
    titles = (
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?t WHERE { ?d dcterms:title ?t FILTER(CONTAINS(?t, 'svg')) }"
    )
    rows = xss.get("/sparql?" + urlencode({"query": titles})).json()
    assert any(P_ATTR in b["t"]["value"] for b in rows["results"]["bindings"])
    # the JSON twin of a page is JSON even though the strings look like HTML
    twin = xss.get("/search.json?" + urlencode({"q": QUERY}))
    assert twin.content_type.startswith("application/json") and json.loads(twin.body)["query"] == QUERY


# ----------------------------------------------------------------------------- in the browser

INJECTED = """() => Array.from(document.querySelectorAll('*')).filter(el =>
    (el.tagName === 'SCRIPT' && !el.src && el.type !== 'application/json') ||
    (el.tagName === 'IMG' && el.getAttribute('src') === 'x') ||
    el.tagName.toLowerCase() === 'svg' ||
    Array.from(el.attributes).some(a => a.name.startsWith('on'))).map(el => el.outerHTML.slice(0, 120))"""


@pytest.mark.usefixtures("xss_live")
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-off"])
def test_no_script_runs_in_the_browser(xss, browser, bypass_csp, artifacts):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=bypass_csp)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path, literal in pages(xss):
            resp = page.goto(xss.url + path, wait_until="load")
            assert resp is not None and "script-src 'self'" in (resp.headers.get("content-security-policy") or "")
            if path.startswith("/agency-graph"):
                page.wait_for_selector("#graph.ready canvas", timeout=30000)
            page.wait_for_timeout(50)
            assert page.evaluate("typeof window.__pwned") == "undefined", path
            assert page.evaluate(INJECTED) == [], path
            text = page.evaluate("document.body.innerText")
            for s in literal:
                assert s in text, (path, s)
        # query text goes back into the form fields unchanged
        page.goto(xss.url + "/search?" + urlencode({"q": QUERY, "region": P_ATTR}))
        assert page.input_value("input[name=q]") == QUERY
        assert page.input_value("input[name=region]") == P_ATTR
        page.goto(xss.url + "/gaps?" + urlencode({"q": QUERY}))
        assert page.input_value("input[name=q]") == QUERY
        page.goto(xss.url + "/indicators/compare?" + urlencode({"name": QUERY}))
        assert page.input_value("input[name=name]") == QUERY
        assert page.evaluate(INJECTED) == [] and page.evaluate("typeof window.__pwned") == "undefined"
        # the agency graph draws domain titles as labels from the page's JSON block, intact
        # every role: the hostile domain titles hang on mentions only
        page.goto(xss.url + "/agency-graph?view=domains&role=lead,partner,mentioned")
        page.wait_for_selector("#graph.ready canvas", timeout=30000)
        labels = page.evaluate("window.plankgGraph.nodes().map(n => n.data('label'))")
        assert any(P_SCRIPT in x for x in labels) and any(P_ATTR in x for x in labels), labels
        # the SPARQL page puts result values in table cells as text
        page.goto(xss.url + "/sparql")
        page.fill("#query", "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?t WHERE { ?d dcterms:title ?t }")
        page.click("#sparql-form button[type=submit]")
        page.wait_for_selector("#results table tbody tr", timeout=15000)
        cells = page.locator("#results td").all_inner_texts()
        assert any(P_SCRIPT in c for c in cells) and any(P_ATTR in c for c in cells), cells
        assert page.evaluate(INJECTED) == []
        if bypass_csp:
            page.screenshot(path=str(Path(artifacts) / "escaping-sparql.png"))
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert dialogs == [], dialogs
    finally:
        ctx.close()
