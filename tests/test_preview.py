"""The dry run of adding plan files (``builds.preview``): in process on a copy of the session's model-free
build, through the admin API (``POST /api/admin/preview``, Flask's test client), the upload page's HTML and
``plankg add --dry-run``. Every answer is compared with what the parser itself finds in the same bytes, and
the data folder is checked to be left exactly as it was."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from builds import corpus
from builds.lock import DataLock
from builds.preview import extracted_counts, preview
from config import Config
from graph.extract import extract_file
from graph.parse import ParseError, SourceFile, parse_bytes
from graph.parse.formats import supported_suffixes
from tests.corpus_util import HASH_ENV, LUCHENG, LUCHENG_TITLE, QUZHOU, TOKEN, auth, copy_data, multipart

docx = pytest.importorskip("docx")


def lucheng_as(district: str) -> str:
    return LUCHENG.read_text(encoding="utf-8").replace("鹿城", district)


def docx_bytes(text: str) -> bytes:
    """A Word document with one paragraph per line of ``text`` (python-docx)."""
    doc = docx.Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def expected(data: bytes, name: str) -> list[dict]:
    """Per plan: title and the counts the parser and the extractor give for these bytes."""
    parsed = extract_file(parse_bytes(data, name))
    return [{"title": p.title, "counts": p.counts(), "extracted": extracted_counts(p)} for p in parsed.plans]


def state(data: Path) -> dict:
    """Everything in a data folder: each path with its size and modification time, and where links point."""
    out = {}
    for root, dirs, files in os.walk(data):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(data))] = (st.st_size, st.st_mtime_ns, os.readlink(p) if p.is_symlink() else None)
    return out


@pytest.fixture(scope="module")
def data(hash_data_dir, tmp_path_factory) -> Path:
    return copy_data(hash_data_dir, tmp_path_factory.mktemp("preview-data") / "data")


@pytest.fixture(scope="module")
def cfg(data) -> Config:
    return Config(data_dir=data)


@pytest.fixture(scope="module")
def admin(data, app_server):
    return app_server(data, env={**HASH_ENV, "PLANKG_ADMIN_TOKEN": TOKEN})


# ----------------------------------------------------------------------------- builds.preview


def test_upload_names_of_every_supported_format_are_accepted():
    for suffix in supported_suffixes():
        assert corpus.check_upload_name("dir/plan" + suffix.upper()) == "plan" + suffix.upper()
    with pytest.raises(ParseError, match=r"plan.rtf: not a plan file type .*\.txt, \.docx, \.doc, \.wps, \.pdf"):
        corpus.check_upload_name("plan.rtf")


def test_new_replace_unchanged_and_bad_files_in_one_call_write_nothing(cfg, data):
    quzhou = QUZHOU.read_text(encoding="utf-8")
    women_only = quzhou[: quzhou.index("\n衢州市儿童发展“十四五”规划\n")]
    v2 = LUCHENG.read_text(encoding="utf-8").replace("加强儿童安全", "加强儿童安全护苗哨卡", 1)
    sources = [
        SourceFile("dongtou.txt", lucheng_as("洞头").encode()),  # new
        SourceFile(LUCHENG.name, LUCHENG.read_bytes()),  # the same bytes
        SourceFile("lucheng-v2.txt", v2.encode()),  # a plan of a stored title: replaces its file
        SourceFile("prose.txt", "只有一句话，没有任何规划结构。\n".encode()),  # no plan structure
        SourceFile("empty.txt", b""),
        SourceFile("quzhou-women.txt", women_only.encode()),  # only part of a stored file's plans
        SourceFile("plan.rtf", b"{\\rtf1}"),
        SourceFile(
            "dongtou-v2.txt", lucheng_as("洞头").replace("加强儿童安全", "加强儿童安全教育", 1).encode()
        ),  # replaces dongtou.txt
    ]
    before, gen = state(data), os.readlink(data / "current")
    result = preview(cfg, sources)
    assert state(data) == before and os.readlink(data / "current") == gen == result["generation"]

    by = {f["file"]: f for f in result["files"]}
    assert [f["file"] for f in result["files"]] == [s.name for s in sources]
    assert result["stored"] == {"files": 5, "plans": 7}
    assert result["summary"] == {"new": 1, "replace": 2, "unchanged": 1, "error": 4}

    assert by["dongtou.txt"]["action"] == "new" and by["dongtou.txt"]["error"] is None
    assert by[LUCHENG.name]["action"] == "unchanged" and by[LUCHENG.name]["same_as"] == LUCHENG.name
    v2_entry = by["lucheng-v2.txt"]
    assert v2_entry["action"] == "replace" and v2_entry["replaces"] == [LUCHENG.name]
    assert v2_entry["replaced_plans"] == [LUCHENG_TITLE]
    # judged against the corpus once the earlier good files are in: the second 洞头 file replaces the first
    assert by["dongtou-v2.txt"]["action"] == "replace" and by["dongtou-v2.txt"]["replaces"] == ["dongtou.txt"]

    for name, status, line, phrase in (
        ("prose.txt", 400, 1, "no plan structure"),
        ("empty.txt", 400, None, "file is empty"),
        ("quzhou-women.txt", 409, None, "would replace only part of the stored file " + QUZHOU.name),
        ("plan.rtf", 400, None, "not a plan file type"),
    ):
        err = by[name]["error"]
        assert by[name]["action"] == "error"
        assert (by[name]["outline"] is None) == (status == 400)
        assert err["status"] == status and err["line"] == line and phrase in err["reason"], err
        assert err["file"] in (name, None) and phrase in err["message"]
    # the refused partial replacement still shows what the parser found
    assert by["quzhou-women.txt"]["outline"]["plans"][0]["title"] == "衢州市妇女发展“十四五”规划"

    # the counts are the parser's and the extractor's own
    for src in sources:
        entry = by[src.name]
        if entry["outline"] is None:
            continue
        want = expected(src.data, src.name)
        got = entry["outline"]["plans"]
        assert [p["title"] for p in got] == [w["title"] for w in want]
        for g, w in zip(got, want, strict=True):
            assert {k: g["counts"][k] for k in w["counts"]} == w["counts"]
            assert g["extracted"] == w["extracted"]
    x = by["dongtou.txt"]["outline"]["plans"][0]["extracted"]
    assert x["agencies"] > 5 and x["laws"] > 3 and x["indicators"] > 10


def test_the_preview_agrees_with_what_add_does(cfg, data, tmp_path):
    """The same files through ``corpus.add`` on a copy: the same action and the same replaced files."""
    scratch = copy_data(data, tmp_path / "data")
    v2 = LUCHENG.read_text(encoding="utf-8").replace("加强儿童安全", "加强儿童安全护苗", 1).encode()
    src = SourceFile("lucheng-v2.txt", v2)
    dry = preview(Config(data_dir=scratch), [src])["files"][0]
    done = corpus.add(Config(data_dir=scratch), [src], encoders="hash")
    assert (dry["action"], dry["replaces"]) == ("replace", done["replaced"]) == ("replace", [LUCHENG.name])
    again = preview(Config(data_dir=scratch), [src])["files"][0]
    assert again["action"] == "unchanged" and again["same_as"] == "lucheng-v2.txt"


def test_the_preview_takes_no_lock(cfg, data):
    """A change holding the data folder's lock does not hold up a preview (nor the other way round)."""
    with DataLock(data, wait=0, what="a change under way"):
        result = preview(cfg, [SourceFile("ruian.txt", lucheng_as("瑞安").encode())])
    assert result["files"][0]["action"] == "new"


def test_a_docx_gives_the_counts_of_its_text(cfg):
    text = lucheng_as("瓯海")
    result = preview(cfg, [SourceFile("ouhai.docx", docx_bytes(text)), SourceFile("ouhai.txt", text.encode())])
    as_docx, as_txt = result["files"]
    assert as_docx["action"] == "new" and as_docx["outline"]["format"] == "docx"
    assert as_txt["action"] == "replace" and as_txt["replaces"] == ["ouhai.docx"]  # same title, judged in order
    want = expected(text.encode(), "ouhai.txt")
    for entry in (as_docx, as_txt):
        (plan,) = entry["outline"]["plans"]
        assert plan["title"] == "瓯海区儿童发展“十四五”规划" and not plan["title_inferred"]
        assert {k: plan["counts"][k] for k in want[0]["counts"]} == want[0]["counts"]
        assert plan["extracted"] == want[0]["extracted"]
        assert [d["title"] for d in plan["domains"]] == [d["title"] for d in as_txt["outline"]["plans"][0]["domains"]]
    assert as_docx["outline"]["plans"][0]["domains"][0]["locator"].startswith("paragraph=")


# ----------------------------------------------------------------------------- the admin API


def post_preview(s, files: list[tuple[str, bytes]], headers: dict | None = None):
    body, ctype = multipart(files)
    return s.post("/api/admin/preview", body, ctype, headers=auth() if headers is None else headers)


def test_admin_preview_needs_the_token(admin, data, tmp_path, app_server):
    files = [("x.txt", lucheng_as("洞头").encode())]
    for headers in ({}, auth("wrong"), {"Authorization": TOKEN}):
        r = post_preview(admin, files, headers)
        assert r.status == 401 and "Bearer" in r.headers.get("www-authenticate", "")
    off = app_server(copy_data(data, tmp_path / "data"), env={**HASH_ENV, "PLANKG_ADMIN_TOKEN": ""})
    r = post_preview(off, files)
    assert r.status == 403 and "disabled" in r.json()["error"]


def test_admin_preview_of_several_files_in_one_request(admin, data):
    text = lucheng_as("瓯海")
    files = [
        ("ouhai.docx", docx_bytes(text)),
        (LUCHENG.name, LUCHENG.read_bytes()),
        ("bad.txt", "只有一句话。\n".encode()),
        ("ouhai.txt", text.encode()),
    ]
    before = state(data)
    r = post_preview(admin, files)
    assert r.status == 200, r.text
    body = r.json()
    assert [f["file"] for f in body["files"]] == [n for n, _ in files]
    assert [f["action"] for f in body["files"]] == ["new", "unchanged", "error", "replace"]
    err = body["files"][2]["error"]
    assert (err["file"], err["line"], err["status"]) == ("bad.txt", 1, 400) and "no plan structure" in err["reason"]
    want = expected(text.encode(), "ouhai.txt")[0]
    plan = body["files"][0]["outline"]["plans"][0]
    assert plan["title"] == want["title"] and plan["extracted"] == want["extracted"]
    assert {k: plan["counts"][k] for k in want["counts"]} == want["counts"]
    assert state(data) == before
    assert LUCHENG_TITLE in {p["title"] for p in admin.get("/api/plans", {"per_page": 100}).json()["items"]}
    assert "瓯海区儿童发展“十四五”规划" not in {p["title"] for p in admin.get("/api/plans").json()["items"]}


def test_admin_preview_refuses_requests_without_files_or_over_the_limit(admin, data, tmp_path, app_server):
    r = post_preview(admin, [])
    assert r.status == 400 and "one or more plan files" in r.json()["error"]
    r = admin.post("/api/admin/preview", LUCHENG.read_bytes(), "text/plain", headers=auth())
    assert r.status == 415
    small = app_server(
        copy_data(data, tmp_path / "data"), env={**HASH_ENV, "PLANKG_ADMIN_TOKEN": TOKEN, "PLANKG_MAX_UPLOAD": "1000"}
    )
    r = post_preview(small, [("a.txt", b"x" * 40_000), ("b.txt", b"y" * 40_000)])
    assert r.status == 413 and "limit" in r.json()["error"]


def test_openapi_and_the_upload_page(admin, client):
    doc = admin.get("/api/openapi.json").json()
    op = doc["paths"]["/api/admin/preview"]["post"]
    assert op["security"] == [{"adminToken": []}] and {"200", "400", "401", "403", "413"} <= set(op["responses"])
    page = admin.get("/upload")
    assert page.status == 200 and "static/upload.js" in page.text and 'type="file"' in page.text
    accept = page.text.split('accept="', 1)[1].split('"', 1)[0]
    assert accept.split(",") == list(supported_suffixes())
    assert ">上传规划</a>" in admin.get("/").text  # in the navigation when the admin API is on
    info = admin.get("/upload.json").json()
    assert info["admin_enabled"] and info["endpoints"]["preview"] == "/api/admin/preview"
    assert TOKEN not in page.text and TOKEN not in json.dumps(info)
    # the session's app has no admin token: no link, and the page says why instead of offering the form
    assert ">上传规划</a>" not in client.get("/").text
    off = client.get("/upload")
    assert off.status == 200 and "PLANKG_ADMIN_TOKEN" in off.text and "static/upload.js" not in off.text


# ----------------------------------------------------------------------------- plankg add --dry-run


def test_cli_dry_run_prints_the_preview_and_changes_nothing(data, tmp_path, capsys):
    from scripts.plankg import main

    (tmp_path / "ouhai.docx").write_bytes(docx_bytes(lucheng_as("瓯海")))
    (tmp_path / "prose.txt").write_text("只有一句话。\n", encoding="utf-8")
    before = state(data)
    code = main(["add", "--dry-run", "--data", str(data), str(tmp_path / "ouhai.docx"), str(LUCHENG)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ouhai.docx (docx" in out and "瓯海区儿童发展“十四五”规划  [title line" in out
    assert "→ would be added (new)" in out and f"→ unchanged: identical to the stored {LUCHENG.name}" in out
    assert "1 new, 0 replace, 1 unchanged, 0 with errors; nothing changed" in out
    code = main(["add", "--dry-run", "--json", "--data", str(data), str(tmp_path / "prose.txt"), "missing.txt"])
    captured = capsys.readouterr()
    assert code == 2 and "missing.txt: file not found" in captured.err
    assert json.loads(captured.out)["files"][0]["error"]["line"] == 1
    assert state(data) == before
