"""Pages in a real browser: Debian's Chromium driven by Playwright, against the live server.

Checks: results for a Chinese query, the agency graph renders and a click on a node opens the agency
page, the indicator chart and the SPARQL page work, no console errors, and no request leaves the
loopback host. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from urllib.parse import quote, urlparse

import pytest

from tests.browser_util import needs_chromium

pytestmark = needs_chromium


class Watch:
    """Console errors, page errors and every URL the page requested."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))

    def check(self):
        assert not self.errors, self.errors
        outside = [
            u
            for u in self.requests
            if not u.startswith("data:") and urlparse(u).hostname not in ("127.0.0.1", "localhost")
        ]
        assert not outside, f"requests left localhost: {outside}"


@pytest.fixture
def page(browser, live_server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.watch = Watch(pg)
    pg.base = live_server.url
    yield pg
    ctx.close()


def test_search_page_finds_chinese_query(page, artifacts):
    page.goto(page.base + "/search?q=" + quote("预防儿童溺水"))
    results = page.locator("ol.results li.result")
    assert results.count() >= 5
    marks = page.locator("mark").all_inner_texts()
    assert any("溺水" in m for m in marks), marks
    crumb = page.locator(".search-crumbs").first.inner_text()  # plan › domain › 策略措施 3, no file names
    assert "›" in crumb and crumb.endswith(tuple("0123456789")) and ".txt" not in crumb
    page.screenshot(path=str(artifacts / "search.png"), full_page=False)
    page.locator("a.similar-link").first.click()
    page.wait_for_url("**/similar/**")
    assert page.locator("h1").inner_text() == "其他规划中的相似条目"
    page.watch.check()


def test_search_page_at_phone_width(browser, live_server, artifacts):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    pg = ctx.new_page()
    watch = Watch(pg)
    pg.goto(live_server.url + "/search?q=" + quote("家庭教育指导服务"))
    assert pg.locator("ol.results li.result").count() > 0
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"page scrolls sideways at phone width ({width}px)"
    pg.screenshot(path=str(artifacts / "search-phone.png"))
    watch.check()
    ctx.close()


def test_agency_graph_renders_and_click_opens_agency(page, artifacts):
    page.goto(page.base + "/agency-graph?role=lead,partner,mentioned")  # every role (the default: lead, partner)
    page.wait_for_selector("#graph.ready canvas", timeout=30000)
    count = page.evaluate("window.plankgGraph.nodes().length")
    assert count >= 20
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "agency-graph.png"))
    # the rendered position of the biggest agency node, in page coordinates
    pos = page.evaluate("""() => {
        const cy = window.plankgGraph;
        const n = cy.nodes('[kind = "agency"]').sort((a, b) => b.data('units') - a.data('units'))[0];
        const box = cy.container().getBoundingClientRect();
        const p = n.renderedPosition();
        return {x: box.left + p.x, y: box.top + p.y, label: n.data('label')};
    }""")
    page.mouse.click(pos["x"], pos["y"])  # opens the side panel, whose link leads on
    if not page.locator("#graph-panel").is_visible():  # the click landed on a label drawn over the node
        page.evaluate("label => plankgGraph.nodes().filter(n => n.data('label') === label).emit('tap')", pos["label"])
    page.locator("#graph-panel").wait_for(state="visible")
    assert page.locator("#panel-title").inner_text() == pos["label"]
    page.locator("#panel-link").click()
    page.wait_for_url("**/agencies/**", timeout=10000)
    assert page.locator("h1").inner_text() == pos["label"]
    page.screenshot(path=str(artifacts / "agency-page.png"))
    page.watch.check()


def test_agency_graph_filtered_by_domain(page):
    page.goto(page.base + "/agency-graph?view=domains&domain=children-safety&role=lead,partner,mentioned")
    page.wait_for_selector("#graph.ready canvas", timeout=30000)
    kinds = page.evaluate("window.plankgGraph.nodes().map(n => n.data('kind'))")
    assert "domain" in kinds and "agency" in kinds
    page.watch.check()


def test_indicator_comparison_chart(page, artifacts):
    page.goto(page.base + "/indicators/compare?name=" + quote("5岁以下儿童死亡率"))
    assert page.locator("table.table tbody tr").count() >= 2
    page.wait_for_function("window.plankgChart !== undefined")
    page.screenshot(path=str(artifacts / "indicator-compare.png"), full_page=True)
    page.watch.check()


def test_plan_and_unit_pages(page, artifacts):
    page.goto(page.base + "/plans")
    page.locator("table.table a").first.click()
    page.wait_for_url("**/plans/**")
    assert page.locator("section.domain").count() >= 7
    page.locator("ol.units a.unit-link").first.click()
    page.wait_for_url("**/units/**")
    assert page.locator("blockquote.unit-full").inner_text()
    src = page.locator("details.provenance .src").first  # the file name only inside the folded 数据来源
    assert not src.is_visible()
    page.locator("details.provenance summary").click()
    assert src.inner_text().endswith(".txt")
    page.screenshot(path=str(artifacts / "unit.png"), full_page=True)
    page.watch.check()


def test_sparql_page_runs_an_example(page, artifacts):
    page.goto(page.base + "/sparql")
    page.select_option("#examples", "agencies-by-measures")
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#results table tbody tr", timeout=15000)
    assert page.locator("#results table tbody tr").count() > 5
    page.screenshot(path=str(artifacts / "sparql.png"))
    page.watch.check()
