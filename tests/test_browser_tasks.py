"""Each user's task end to end in Chromium against the live server, at desktop and phone width (issue 15):

* drafter: search → unit → in-plan view (passage and query marked) → copy citation → compare with two
  counterparts;
* analyst: a SPARQL example → edit → Ctrl+Enter → CSV download.

No console errors and no request off the loopback host. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote, urlparse

import pytest

from tests.browser_util import needs_chromium
from tests.test_browser import Watch

pytestmark = needs_chromium

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


@pytest.fixture(params=list(WIDTHS))
def page(request, browser, live_server):
    w, h = WIDTHS[request.param]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN", accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    pg = ctx.new_page()
    pg.watch = Watch(pg)
    pg.base = live_server.url
    pg.width_name = request.param
    yield pg
    ctx.close()


def test_drafter_search_unit_plan_cite_compare(page, artifacts):
    query = "预防儿童溺水"
    page.goto(page.base + "/search?q=" + quote(query))
    first = page.locator("ol.results li.result a[href^='/units/']").first
    href = first.get_attribute("href")
    assert "q=" in href, "a search hit links to its unit with the query"
    first.click()
    page.wait_for_url("**/units/**")
    citation = page.locator("[data-cite]").get_attribute("data-cite")
    assert citation.startswith("《") and "》" in citation
    assert page.locator("blockquote.unit-full mark").count() >= 1, "the query is marked in the unit text"
    page.screenshot(path=str(artifacts / f"task-unit-{page.width_name}.png"), full_page=True)

    # in the plan: the passage is the target, marked, with the query highlighted
    page.locator("a[data-keep-q]").click()
    page.wait_for_url("**/plans/**")
    url = urlparse(page.url)
    assert "q=" in url.query and url.fragment
    target = page.locator(f"li.unit#{url.fragment}")
    assert "is-target" in (target.get_attribute("class") or "")
    assert target.locator("mark").count() >= 1
    assert target.bounding_box()["y"] < page.viewport_size["height"], "the passage is scrolled into view"
    page.screenshot(path=str(artifacts / f"task-plan-{page.width_name}.png"))
    page.go_back()
    page.wait_for_url("**/units/**")

    # copy the citation
    page.locator("[data-cite]").click()
    page.wait_for_function("document.querySelector('[data-cite-status]').textContent.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == citation
    page.locator("[data-cite-with-source]").check()
    page.locator("[data-cite]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(citation) and "原文第" in copied

    # compare with the two counterparts ticked by default
    ticked = page.locator("form.compare-pick input[name=units][type=checkbox]:checked")
    assert ticked.count() == 2
    page.locator("form.compare-pick button[type=submit]").click()
    page.wait_for_url("**/compare?**")
    cols = page.locator(".compare-col")
    assert cols.count() == 3
    assert page.locator(".compare-col .diff-shared").count() >= 1
    page.screenshot(path=str(artifacts / f"task-compare-{page.width_name}.png"), full_page=True)
    page.watch.check()


def test_analyst_sparql_example_edit_download(page, artifacts):
    page.goto(page.base + "/sparql")
    page.select_option("#examples", index=1)
    text = page.locator("#query")
    query = text.input_value()
    assert "LIMIT" in query or "SELECT" in query
    edited = query.rstrip() + "\n" if "LIMIT" in query else query.rstrip() + "\nLIMIT 20\n"
    text.fill(edited)
    text.press("Control+Enter")
    page.wait_for_selector("#results table")
    rows = page.locator("#results table tbody tr").count()
    assert rows >= 1
    assert "#query=" in page.url, "the query is in the URL"
    with page.expect_download() as info:
        page.locator("[data-download=csv]").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    body = open(download.path(), encoding="utf-8").read()
    table = list(csv.reader(io.StringIO(body)))
    assert len(table) - 1 == rows
    page.screenshot(path=str(artifacts / f"task-sparql-{page.width_name}.png"), full_page=True)

    # a syntax error is explained in Chinese with its line and column
    text.fill("SELECT ?x WHERE {\n ?x a ?y\n FILTER( }")
    text.press("Control+Enter")
    page.wait_for_selector("#results .error")
    assert "第 3 行第" in page.locator("#results .error p").inner_text()

    # the shared link runs the same query
    shared = page.url
    page.goto(page.base + "/")
    page.goto(shared)
    page.wait_for_selector("#results .error")
    page.watch.errors = [e for e in page.watch.errors if "400" not in e]  # the syntax error's own answer
    page.watch.check()


def test_official_agency_graph_find_panel_units(page, artifacts):
    page.goto(page.base + "/agency-graph?role=lead,partner,mentioned")
    page.wait_for_selector("#graph.ready")
    layout = page.evaluate(
        "plankgGraph.nodes().map(n => [n.id(), Math.round(n.position('x')), Math.round(n.position('y'))])"
    )
    page.fill("#graph-find", "卫健委")
    page.press("#graph-find", "Enter")
    panel = page.locator("#graph-panel")
    panel.wait_for(state="visible")
    title = page.locator("#panel-title").inner_text()
    assert "卫生健康" in title, title
    assert page.evaluate("plankgGraph.$('node.found').length") == 1
    page.screenshot(path=str(artifacts / f"task-graph-{page.width_name}.png"))
    page.locator("#panel-link").click()
    page.wait_for_url("**/agencies/**")
    assert "卫生健康" in page.locator("h1").inner_text()
    assert page.locator("li.unit, .unit").count() >= 1, "the agency page lists its units"
    # the layout is the same on every load
    page.goto(page.base + "/agency-graph?role=lead,partner,mentioned")
    page.wait_for_selector("#graph.ready")
    again = page.evaluate(
        "plankgGraph.nodes().map(n => [n.id(), Math.round(n.position('x')), Math.round(n.position('y'))])"
    )
    assert again == layout
    page.watch.check()
