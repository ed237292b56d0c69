"""The responsibility page (/sectors) in headless Chromium against the live server: it paints the sector graph
fast, every node, edge and matrix cell leads to the units it counts, the drill-down opens the per-agency graph
of one region, nothing is requested outside, and it reads at desktop and phone width (screenshots in
test-artifacts/)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser_util import needs_chromium
from tests.test_browser import Watch

pytestmark = needs_chromium


def open_page(browser, live_server, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.watch = Watch(page)
    return ctx, page


def units_total(page, base: str, href: str) -> int:
    """The number of units the list at ``href`` holds (its JSON twin, one unit per page)."""
    u = urlparse(href)
    r = page.request.get(f"{base}{u.path}.json?{u.query}&per_page=1")
    assert r.ok, (href, r.status)
    return r.json()["total"]


def test_sector_page_paints_and_every_number_leads_to_its_units(browser, live_server, artifacts):
    ctx, page = open_page(browser, live_server, 1280)
    page.goto(live_server.url + "/sectors")  # a first load: the server reads the aggregates now
    page.goto(live_server.url + "/sectors?role=all")
    shown = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0]; return n.domContentLoadedEventEnd; })()"
    )
    assert shown < 1000, f"the page (its graph drawn in it) was ready after {shown:.0f} ms"
    page.screenshot(path=str(artifacts / "sectors.png"), full_page=True)
    data = page.request.get(live_server.url + "/sectors.json").json()
    wide = ".sector-svg-wide"
    nodes = page.eval_on_selector_all(
        f"{wide} a.sector-node", "as => as.map(a => [a.getAttribute('href'), +a.dataset.units])"
    )
    assert len(nodes) == len(data["graph"]["elements"]["nodes"]) >= 20
    edges = page.eval_on_selector_all(
        f"{wide} a.sector-edge", "as => as.map(a => [a.getAttribute('href'), +a.dataset.weight])"
    )
    assert len(edges) == len(data["graph"]["elements"]["edges"]) > 0
    for href, number in nodes + edges:  # every node and every edge
        assert units_total(page, live_server.url, href) == number, href
    cells = page.eval_on_selector_all(".matrix-cell a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    assert len(cells) == sum(1 for r in data["matrix"]["rows"] for c in r["cells"] if c)
    for href, text in cells:  # every cell
        assert units_total(page, live_server.url, href) == int(text), href

    # pointing at a type brings out its links; a click opens the list of its units
    busiest = page.locator(f"{wide} a.sector-node").first
    label = data["graph"]["elements"]["nodes"][0]["data"]["label"]
    units = data["graph"]["elements"]["nodes"][0]["data"]["units"]
    busiest.hover()
    assert page.locator(f"{wide}.sector-dim .sector-edge.sector-hot").count() > 0
    page.screenshot(path=str(artifacts / "sectors-hover.png"))
    busiest.click()
    page.wait_for_url("**/sectors/units?**", timeout=10000)
    assert page.locator("h1").inner_text() == label
    assert f"共 {units} 个条目" in page.locator(".sector-units-scope").inner_text()
    assert page.locator("ol.sector-unit-list li.unit").count() == min(50, units)
    page.screenshot(path=str(artifacts / "sector-units.png"))
    # an edge and a cell open the units of both types, of the type in that domain
    page.go_back()
    page.locator(f"{wide} a.sector-edge").first.dispatch_event("click")
    page.wait_for_url("**/sectors/units?**with=**", timeout=10000)
    assert " 与 " in page.locator("h1").inner_text()
    page.go_back()
    page.locator(".matrix-cell a").first.click()
    page.wait_for_url("**/sectors/units?**domain=**", timeout=10000)
    assert "·" in page.locator("h1").inner_text()
    page.watch.check()
    ctx.close()


def test_drill_down_to_a_region_shows_its_agencies(browser, live_server, artifacts):
    ctx, page = open_page(browser, live_server, 1280)
    page.goto(live_server.url + "/sectors")
    region = page.eval_on_selector(".sector-drill select[name=region] option:nth-child(2)", "o => o.value")
    page.select_option(".sector-drill select[name=region]", region)
    page.locator(".sector-drill button").first.click()
    page.wait_for_url("**/agency-graph?region=**")
    page.wait_for_selector("#graph.ready canvas", timeout=30000)
    kinds = set(page.evaluate("window.plankgGraph.nodes().map(n => n.data('kind'))"))
    assert kinds == {"agency"} and page.locator(".agency-aggregated").count() == 0
    regions = set(page.evaluate("window.plankgGraph.nodes().map(n => n.data('region'))"))
    assert regions == {region}
    page.screenshot(path=str(artifacts / "agency-graph-region.png"))
    page.watch.check()
    ctx.close()


@pytest.mark.parametrize("width", [375])
def test_sector_page_reads_at_phone_width(browser, live_server, artifacts, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=2, is_mobile=True)
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(live_server.url + "/sectors")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"the page scrolls sideways at {width}px ({scroll}px)"
    assert not page.locator(".sector-svg-wide").is_visible() and page.locator(".sector-svg-phone").is_visible()
    drawn = page.locator(".sector-svg-phone .sector-node").count()
    assert 0 < drawn <= 16 and page.locator(".sector-phone-note").is_visible() == (drawn == 16)
    page.locator(".matrix-wrap").scroll_into_view_if_needed()  # laid out once on screen (content-visibility)
    assert page.locator(".matrix-wrap").evaluate("e => e.scrollWidth > e.clientWidth")  # the matrix scrolls itself
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=str(artifacts / "sectors-phone.png"), full_page=True)
    watch.check()
    ctx.close()
