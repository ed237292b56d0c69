"""The upload page (/upload) in headless Chromium against a real server with an admin token: the token is
pasted once (sessionStorage, never the URL), files are given through the file input, the keyboard-operated
drop zone and a drop; the preview shows what graph.parse finds in them and what adding them would do; the
confirm button adds the good files through POST /api/admin/plans, and the new plans are then served.
Screenshots at desktop (1280 px) and phone (375 px) width go to test-artifacts/upload-*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from graph.extract import extract_file
from graph.parse import parse_bytes
from graph.parse.formats import supported_suffixes
from tests.browser_util import needs_chromium
from tests.corpus_util import HASH_ENV, LUCHENG, TOKEN, copy_data
from tests.test_browser import Watch

pytestmark = needs_chromium
docx = pytest.importorskip("docx")
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture(scope="module")
def upload_server(hash_data_dir, tmp_path_factory, start_server):
    data = copy_data(hash_data_dir, tmp_path_factory.mktemp("upload-page-data") / "data")
    return start_server(data, env={**HASH_ENV, "PLANKG_ADMIN_TOKEN": TOKEN})


def lucheng_as(district: str) -> str:
    return LUCHENG.read_text(encoding="utf-8").replace("鹿城", district)


def plan_files(folder: Path, txt_district: str, docx_district: str) -> list[Path]:
    """A good .txt (a new plan), a .docx of another new plan, and a file without plan structure."""
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / f"{txt_district}.txt"
    good.write_text(lucheng_as(txt_district), encoding="utf-8")
    doc = docx.Document()
    for line in lucheng_as(docx_district).split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    word = folder / f"{docx_district}规划.docx"
    word.write_bytes(buf.getvalue())
    bad = folder / "说明.txt"
    bad.write_text("这份文件只有一句说明，没有规划结构。\n", encoding="utf-8")
    return [good, word, bad]


def counts_of(path: Path) -> dict:
    (plan,) = extract_file(parse_bytes(path.read_bytes(), path.name)).plans
    return {"title": plan.title, **plan.counts()}


def shown_counts(card) -> dict:
    """The numbers the card shows, by their Chinese label."""
    out = {}
    for item in card.locator(".uf-counts li").all():
        number, label = item.locator("b").inner_text(), item.inner_text().split(" ", 1)[1]
        out[label.strip()] = number
    return out


def no_sideways_scroll(pg, width: int) -> None:
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"the page scrolls sideways at {width}px ({scroll}px)"


def enter_token(pg) -> None:
    pg.fill("#admin-token", TOKEN)
    pg.click("#token-form button[type=submit]")
    assert "已保存" in pg.locator("#token-state").inner_text()
    assert TOKEN not in pg.url
    assert pg.evaluate("sessionStorage.getItem('plankg-admin-token')") == TOKEN


def check_preview(pg, files: list[Path]) -> None:
    cards = pg.locator("#preview-list > li")
    expect(cards).to_have_count(3, timeout=60000)
    assert cards.count() == 3
    for card, path in zip(cards.all(), files[:2], strict=False):
        want = counts_of(path)
        assert card.locator(".uf-name").inner_text() == path.name
        assert want["title"] in card.locator(".uf-plan-title").inner_text()
        assert "推断" not in card.locator(".uf-plan-title").inner_text()
        shown = shown_counts(card)
        assert (shown["领域"], shown["目标"], shown["措施"], shown["重点项目"]) == tuple(
            str(want[k]) for k in ("domains", "goals", "measures", "key_projects")
        ), shown
        assert int(shown["部门"]) > 0 and int(shown["引用法规"]) > 0 and int(shown["指标"]) > 0
        assert card.locator(".uf-action").inner_text() == "导入后：新增"
    assert cards.nth(0).locator(".badge").nth(1).inner_text() == "TXT"
    assert cards.nth(1).locator(".badge").nth(1).inner_text() == "DOCX"
    bad = cards.nth(2)
    assert "state-error" in (bad.get_attribute("class") or "")
    assert bad.locator(".uf-action").inner_text().startswith(f"错误：{files[2].name}:1: no plan structure")
    color = bad.locator(".uf-action").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(179, 38, 30)", color  # red
    assert "新增 2" in pg.locator("#preview-summary").inner_text()
    assert pg.locator("#commit").inner_text() == "确认导入（2 个文件）" and pg.locator("#commit").is_enabled()


def commit_and_check(pg, server, files: list[Path]) -> None:
    pg.click("#commit")
    expect(pg.locator("#status")).to_contain_text("导入完成", timeout=180000)
    assert pg.locator("#status").inner_text() == "导入完成：成功 2 个。"
    results = pg.locator("#result-list > li.ok")
    assert results.count() == 2
    titles = {p["title"] for p in server.get("/api/plans", {"per_page": 100}).json()["items"]}
    for path in files[:2]:
        assert counts_of(path)["title"] in titles
    assert pg.locator("#preview-list p.action-done").count() == 2
    assert pg.locator("#preview-summary").inner_text().startswith("3 个文件：已导入 2，")
    assert pg.locator("#commit").is_disabled()


def test_upload_page_at_desktop_width(browser, upload_server, artifacts, tmp_path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    watch = Watch(pg)
    pg.goto(upload_server.url + "/")
    pg.click("header nav >> text=上传规划")
    pg.wait_for_url("**/upload")
    assert pg.locator("#file-input").get_attribute("accept") == ",".join(supported_suffixes())
    enter_token(pg)
    files = plan_files(tmp_path, "泰顺", "文成")
    pg.set_input_files("#file-input", [str(p) for p in files])
    check_preview(pg, files)
    first = pg.locator("#preview-list > li").first
    first.locator("details summary").click()
    assert first.locator("details ul.outline > li").first.is_visible()
    assert "发展领域" in first.locator("details").inner_text() and "主要目标" in first.locator("details").inner_text()
    no_sideways_scroll(pg, 1280)
    pg.screenshot(path=str(artifacts / "upload-preview-desktop.png"), full_page=True)
    commit_and_check(pg, upload_server, files)
    pg.screenshot(path=str(artifacts / "upload-result-desktop.png"), full_page=True)
    pg.locator("#result-list a").first.click()
    pg.wait_for_url("**/plans/**")
    assert pg.locator("h1").inner_text() == counts_of(files[0])["title"]
    pg.goto(upload_server.url + "/upload")  # the token stays for the tab, not in the URL
    assert pg.input_value("#admin-token") == TOKEN and "已保存" in pg.locator("#token-state").inner_text()
    watch.check()
    ctx.close()


def test_upload_page_at_phone_width_by_keyboard(browser, upload_server, artifacts, tmp_path):
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True)
    pg = ctx.new_page()
    pg.on("filechooser", lambda _: None)  # intercept file dialogs from the start (the first one can be missed)
    watch = Watch(pg)
    pg.goto(upload_server.url + "/upload")
    enter_token(pg)
    files = plan_files(tmp_path, "苍南", "平阳")
    pg.focus("#dropzone")
    with pg.expect_file_chooser() as chooser:
        pg.keyboard.press("Enter")  # the drop zone is a button that opens the file dialog
    assert chooser.value.is_multiple()
    chooser.value.set_files([str(p) for p in files])
    check_preview(pg, files)
    pg.locator("#preview-list > li").nth(1).locator("details summary").click()
    no_sideways_scroll(pg, 375)
    pg.screenshot(path=str(artifacts / "upload-preview-phone.png"), full_page=True)
    commit_and_check(pg, upload_server, files)
    no_sideways_scroll(pg, 375)
    pg.screenshot(path=str(artifacts / "upload-result-phone.png"), full_page=True)
    watch.check()
    ctx.close()


def test_dropped_file_is_previewed_and_a_wrong_token_is_said(browser, upload_server):
    ctx = browser.new_context(viewport={"width": 1024, "height": 800})
    pg = ctx.new_page()
    pg.goto(upload_server.url + "/upload")
    pg.fill("#admin-token", "wrong-token")
    pg.click("#token-form button[type=submit]")
    text = LUCHENG.read_text(encoding="utf-8")
    drop = """([name, text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, {type: "text/plain"}));
        document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }"""
    pg.evaluate(drop, [LUCHENG.name, text])
    expect(pg.locator("#status")).to_contain_text("令牌不正确", timeout=30000)
    assert pg.evaluate("sessionStorage.getItem('plankg-admin-token')") is None
    enter_token(pg)  # saving the right token previews the files already chosen
    card = pg.locator("#preview-list > li")
    expect(card).to_have_count(1, timeout=30000)
    assert card.locator(".uf-action").inner_text().startswith("导入后：未变化（与已存储的 " + LUCHENG.name)
    assert pg.locator("#commit").is_disabled()
    ctx.close()
