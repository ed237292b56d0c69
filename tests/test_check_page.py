"""The drafting workbench page (/check) in headless Chromium against the live server (real models): a draft file
is chosen, the peers narrowed to children's plans but the one the draft was made from, the report read top to bottom (summary, coverage by domain,
missing topics, weaker targets, then unit by unit with the counterpart side by side and the differences marked),
and the three downloads (.docx, printable HTML, CSV) taken. At desktop (1280 px) and phone (375 px) width;
screenshots go to test-artifacts/check-*.png."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser_util import needs_chromium
from tests.check_util import bundled_plan, write_plan
from tests.test_browser import Watch

pytestmark = needs_chromium
docx = pytest.importorskip("docx")
expect = pytest.importorskip("playwright.sync_api").expect

REMOVED = ("溺水", "近视")


def draft() -> bytes:
    plan = bundled_plan("曾都区儿童")
    return write_plan(
        plan,
        rename=("曾都", "青山"),
        keep=lambda u: not any(w in u.text for w in REMOVED),
        edit=lambda u, t: t.replace("婴儿死亡率分别控制在5%以下和4.5%以下", "婴儿死亡率分别控制在8%以下和9%以下"),
    ).encode("utf-8")


@pytest.fixture(params=[(1280, 900, "desktop"), (375, 812, "phone")], ids=["desktop", "phone"])
def page(request, browser, live_server):
    width, height, name = request.param
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
    pg = ctx.new_page()
    pg.watch = Watch(pg)
    pg.base = live_server.url
    pg.shot = name
    pg.width = width
    yield pg
    ctx.close()


def no_sideways_scroll(pg) -> None:
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    assert scroll <= pg.width + 1, f"the page scrolls sideways at {pg.width}px ({scroll}px)"


def download(pg, fmt: str, tmp_path) -> bytes:
    with pg.expect_download(timeout=180_000) as info:
        pg.click(f"button[name=format][value={fmt}]")
    dl = info.value
    assert dl.failure() is None
    path = tmp_path / f"report.{fmt}"
    dl.save_as(path)
    return path.read_bytes()


def test_upload_report_and_downloads(page, artifacts, tmp_path):
    pg = page
    pg.goto(pg.base + "/check")
    expect(pg.locator("h1")).to_have_text("起草检查")
    assert pg.locator("nav a", has_text="起草检查").count() == 1
    expect(pg.locator("#check-peers")).to_contain_text("将对照全部 7 部规划")
    pg.select_option("#against-type", "children")
    expect(pg.locator("#check-peers")).to_contain_text("将对照 5 部规划")
    pg.select_option("#against-exclude", "曾都区儿童发展规划（2021—2030年）")  # the plan the draft was made from
    expect(pg.locator("#check-peers")).to_contain_text("将对照 4 部规划")
    assert pg.input_value("#check-against") == "plan_type=children,exclude=曾都区儿童发展规划（2021—2030年）"
    no_sideways_scroll(pg)
    pg.screenshot(path=str(artifacts / f"check-form-{pg.shot}.png"))

    pg.set_input_files(
        "#check-file", files=[{"name": "青山区儿童发展规划.txt", "mimeType": "text/plain", "buffer": draft()}]
    )
    pg.click("#check-run")
    expect(pg.locator("#check-report")).to_be_visible(timeout=300_000)
    expect(pg.locator("#check-status")).to_contain_text("检查完成")
    # summary first: the draft, its peers and the numbers
    summary = pg.locator("#check-summary")
    expect(summary).to_contain_text("《青山区儿童发展规划（2021—2030年）》")
    expect(summary.locator(".check-draft-title a")).to_have_count(4)
    assert int(summary.locator(".check-stat-warn .check-stat-n").first.inner_text()) > 0
    # coverage by domain: the seven children's domains
    assert pg.locator("#check-coverage tbody tr").count() >= 7
    # the removed topics are missing, with the peers' own words
    missing = pg.locator("#check-missing .check-topic")
    assert missing.count() >= 2
    for word in REMOVED:
        assert any(word in t for t in pg.locator("#check-missing .check-example").all_text_contents()), word
    # the weakened target is the first kind of news about targets
    weaker = pg.locator("#check-targets table").first
    expect(weaker).to_contain_text("婴儿死亡率")
    expect(weaker).to_contain_text("弱于同类")
    pg.screenshot(path=str(artifacts / f"check-report-{pg.shot}.png"))
    # unit by unit: the draft beside its best counterpart, shared text muted, differences marked
    pair = pg.locator("#check-units .check-pair").first
    expect(pair.locator(".check-col-draft")).to_be_visible()
    expect(pair.locator(".check-col-peer .check-sim")).to_contain_text("相似度")
    copied = pg.locator("#check-units .check-same-note").first  # a unit worded as in another plan: shown once
    expect(copied).to_contain_text("文字相同")
    assert pg.locator("#check-units .check-same").count() > 100
    assert pg.locator("#check-units mark.check-peer").count() > 10
    changed = pg.locator("#check-units .check-unit").filter(has=pg.locator("mark.check-draft")).first
    changed.scroll_into_view_if_needed()
    pg.screenshot(path=str(artifacts / f"check-units-{pg.shot}.png"))
    total = pg.locator("#check-units .check-unit").count()
    pg.select_option("#check-show", "agencies")
    with_agencies = pg.locator("#check-units .check-unit").count()
    assert 0 < with_agencies < total
    assert pg.locator("#check-units .check-agencies .chip").count() >= with_agencies
    pg.select_option("#check-show", "all")
    no_sideways_scroll(pg)

    # the downloads: the same form posted with format=…, answered from the report just made
    word = docx.Document(io.BytesIO(download(pg, "docx", tmp_path)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert (
        "起草检查报告" in text
        and "逐条对照" in text
        and "婴儿死亡率" in "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
    )
    rows = list(csv.reader(io.StringIO(download(pg, "csv", tmp_path).decode("utf-8-sig"))))
    assert rows[0][0] == "草稿规划" and len(rows) > total
    html = download(pg, "html", tmp_path).decode("utf-8")
    assert "@media print" in html and "<script" not in html
    pg.watch.check()  # no console errors, nothing fetched from outside
    printable = tmp_path / "printable.html"
    printable.write_text(html, encoding="utf-8")
    pg.goto(printable.as_uri())
    expect(pg.locator("h1")).to_contain_text("起草检查报告")
    pg.screenshot(path=str(artifacts / f"check-printable-{pg.shot}.png"))
    pg.emulate_media(media="print")
    pg.screenshot(path=str(artifacts / f"check-printable-print-{pg.shot}.png"))


def test_bad_input_is_said_in_chinese(browser, live_server, artifacts):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.goto(live_server.url + "/check")
    pg.click("#check-run")
    expect(pg.locator("#check-status")).to_contain_text("请先选择草稿文件或粘贴草稿文本")
    pg.set_input_files(
        "#check-file", files=[{"name": "说明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 nope"}]
    )
    pg.click("#check-run")
    expect(pg.locator("#check-status")).to_contain_text("检查未完成", timeout=60_000)
    expect(pg.locator("#check-status")).to_contain_text("说明.pdf")
    assert pg.locator("#check-report").is_hidden()
    ctx.close()
