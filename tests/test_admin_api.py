"""The admin API (/api/admin/plans), on a data folder of its own (a copy of the bundled corpus built
with the model-free encoder), so the other tests' data is never disturbed.

The app runs in process (``admin_app``: Flask's test client); the test that sends a 50 MB body over a
raw socket needs the real service (``admin_live``: gunicorn over HTTP, on another copy)."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest_app import live_or_app
from tests.corpus_util import (
    HASH_ENV,
    LUCHENG,
    LUCHENG_TITLE,
    QUZHOU,
    TOKEN,
    assert_consistent,
    auth,
    build_report,
    copy_data,
    current,
    multipart,
    snapshot,
    upload,
    variant,
)


def by_path(s, path: str):
    return s.post("/api/admin/plans", json.dumps({"path": path}), "application/json", headers=auth(), timeout=300)


@pytest.fixture(scope="module")
def hash_base(hash_data_dir):
    """The session's model-free build of the bundled corpus (tests/conftest_app.py); only copied here."""
    return hash_data_dir


@pytest.fixture(scope="module")
def upload_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    variant(folder, "ouhai.txt", "瓯海")
    text = LUCHENG.read_text(encoding="utf-8")
    (folder / "lucheng-v2.txt").write_text(text.replace("加强儿童安全", "加强儿童安全护苗哨卡", 1), encoding="utf-8")
    outside = folder.parent / "outside.txt"
    variant(folder.parent, "outside.txt", "洞头")
    (folder / "link-out.txt").symlink_to(outside)
    return folder


def admin_env(upload_dir) -> dict:
    return {**HASH_ENV, "PLANKG_ADMIN_TOKEN": TOKEN, "PLANKG_UPLOAD_DIR": str(upload_dir)}


@pytest.fixture(scope="module")
def admin_app(hash_base, upload_dir, tmp_path_factory, app_server):
    """The app in process on a copy of the base."""
    data = copy_data(hash_base, tmp_path_factory.mktemp("admin-data") / "data")
    server = app_server(data, env=admin_env(upload_dir))
    server.data = data
    return server


@pytest.fixture(scope="module")
def admin_live(hash_base, upload_dir, tmp_path_factory, start_server):
    """A real server (gunicorn) on another copy of the base."""
    data = copy_data(hash_base, tmp_path_factory.mktemp("admin-live-data") / "data")
    server = start_server(data, env=admin_env(upload_dir))
    server.data = data
    return server


@pytest.fixture
def admin(request):
    """The in-process app; the real server for the tests that use ``admin_live``."""
    return live_or_app(request, "admin_live", "admin_app")


def listing(s) -> dict:
    r = s.get("/api/admin/plans", headers=auth())
    assert r.status == 200, r.text
    return r.json()


def plan_titles(s) -> set[str]:
    return {p["title"] for p in s.get("/api/plans", {"per_page": 100}).json()["items"]}


def test_disabled_without_a_token_and_401_for_a_wrong_one(hash_base, tmp_path, app_server, admin):
    off = app_server(copy_data(hash_base, tmp_path / "data"), env={**HASH_ENV, "PLANKG_ADMIN_TOKEN": ""})
    r = upload(off, "ouhai.txt", b"x")
    assert r.status == 403 and "disabled" in r.json()["error"]
    assert off.get("/api/admin/plans", headers=auth()).status == 403
    for headers in ({}, auth("wrong"), {"Authorization": TOKEN}):
        r = admin.get("/api/admin/plans", headers=headers)
        assert r.status == 401 and "Bearer" in r.headers.get("www-authenticate", "")
    r = admin.request("DELETE", "/api/admin/plans/" + LUCHENG.name, headers=auth("wrong"))
    assert r.status == 401
    assert len(listing(admin)["files"]) == 5


def test_openapi_describes_the_admin_api(admin):
    doc = admin.get("/api/openapi.json").json()
    assert {"post", "get"} <= set(doc["paths"]["/api/admin/plans"]) and "delete" in doc["paths"][
        "/api/admin/plans/{id}"
    ]
    assert doc["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"


@pytest.mark.slow  # changes and rebuilds the data: 4.5 s
def test_upload_is_served_at_once_by_graph_search_and_agency_views(admin, upload_dir):
    data = (upload_dir / "ouhai.txt").read_bytes()
    r = upload(admin, "ouhai.txt", data)
    assert r.status == 201, r.text
    result = r.json()
    assert result["status"] == "added" and result["totals"]["plans"] == 8
    plan = result["plans"][0]
    assert plan["title"] == "瓯海区儿童发展“十四五”规划"
    assert plan["title"] in plan_titles(admin)  # the next request already sees it
    pid = plan["iri"].rsplit("/", 1)[-1]
    detail = admin.get(f"/api/plans/{pid}").json()
    assert len(detail["domains"]) == 7
    hits = admin.get("/api/search", {"q": "预防儿童溺水", "plan": pid, "mode": "bm25"}).json()["results"]
    assert hits and all(h["file"] == "ouhai.txt" for h in hits)
    graph = admin.get("/api/agency-graph", {"plan": pid}).json()
    assert graph["elements"]["nodes"] and all(
        "瓯海区" in n["data"]["label"] for n in graph["elements"]["nodes"] if n["data"].get("kind") == "agency"
    )
    health = admin.get("/api/health").json()
    assert health["build"]["plans"] == 8 and health["triples"] == result["totals"]["triples"]
    again = upload(admin, "ouhai.txt", data)
    assert again.status == 200 and again.json()["status"] == "unchanged" and "identical" in again.json()["message"]
    assert assert_consistent(admin.data)["plans"] == 8


@pytest.mark.slow  # changes and rebuilds the data: 6.9 s
def test_upload_by_path_replaces_and_delete_removes(admin, upload_dir):
    r = by_path(admin, "lucheng-v2.txt")
    assert r.status == 201, r.text
    assert r.json()["status"] == "replaced" and r.json()["replaced"] == [LUCHENG.name]
    files = {f["file"] for f in listing(admin)["files"]}
    assert "lucheng-v2.txt" in files and LUCHENG.name not in files
    unit = admin.get("/api/search", {"q": "护苗哨卡", "mode": "bm25", "k": 3}).json()["results"][0]
    assert unit["file"] == "lucheng-v2.txt"
    iri = next(p["iri"] for f in listing(admin)["files"] for p in f["plans"] if p["title"] == LUCHENG_TITLE)
    r = admin.request("DELETE", "/api/admin/plans/" + iri, headers=auth(), timeout=300)  # a full IRI in the path
    assert r.status == 200 and r.json()["removed"] == ["lucheng-v2.txt"], r.text
    assert LUCHENG_TITLE not in plan_titles(admin)
    after = admin.get("/api/search", {"q": "护苗哨卡", "mode": "bm25", "k": 3}).json()["results"]
    assert all(u["file"] != "lucheng-v2.txt" for u in after)  # (no other plan has the phrase: usually none at all)
    before = current(admin.data)
    for target, status in ((LUCHENG_TITLE, 404), ("衢州市妇女发展“十四五”规划", 409)):
        r = admin.request("DELETE", "/api/admin/plans/" + quote(target), headers=auth())
        assert r.status == status and r.json()["error"]
    assert current(admin.data) == before
    r = upload(admin, LUCHENG.name, LUCHENG.read_bytes())  # back as it was
    assert r.status == 201


@pytest.fixture(scope="module")
def refused_before_app(admin_app):
    return snapshot(admin_app.data)


@pytest.fixture(scope="module")
def refused_before_live(admin_live):
    return snapshot(admin_live.data)


@pytest.fixture
def refused_before(request):
    """What the admin's data folder served before the refused requests (of the server the test uses)."""
    return request.getfixturevalue(
        "refused_before_live" if "admin_live" in request.fixturenames else "refused_before_app"
    )


def _bad_uploads() -> list:
    text = LUCHENG.read_text(encoding="utf-8")
    quzhou = QUZHOU.read_text(encoding="utf-8")
    cut = quzhou.index("\n衢州市儿童发展“十四五”规划\n")
    return [
        ("empty.txt", b"", 400, ["empty.txt", "file is empty"]),
        ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 400, 400, ["binary.txt", "binary file"]),
        ("prose.txt", "只有一句话，没有任何规划结构。\n".encode(), 400, ["prose.txt", "no plan structure"]),
        (
            "zero.txt",
            "瓯江区儿童发展“十四五”规划\n\n二、发展领域、主要目标和措施\n（一）儿童与家庭\n主要目标：\n"
            "（二）儿童与健康\n主要措施：\n三、组织实施\n加强领导。\n".encode(),
            400,
            ["zero.txt:4", "no goals or measures"],
        ),
        ("twice.txt", (text.replace("鹿城", "瓯江") * 2).encode(), 400, ["twice.txt:", "duplicate plan title"]),
        (
            "invalid.txt",
            "第一行\n".encode() + b"\xff\xfe\xfa\xfb \x81\x20\n",
            400,
            ["invalid.txt:2", "not valid UTF-8"],
        ),
        ("plan.docx", text.encode(), 400, ["plan.docx", "not a Word .docx file"]),
        ("plan.rtf", text.encode(), 400, ["plan.rtf", "not a plan file type", ".txt, .docx"]),
        ("../../etc/evil.txt", b"", 400, ["evil.txt", "file is empty"]),  # the path part is dropped
        ("quzhou-women.txt", quzhou[:cut].encode(), 409, ["would replace only part", QUZHOU.name]),
    ]


@pytest.mark.parametrize("name,data,status,phrases", _bad_uploads(), ids=[b[0] for b in _bad_uploads()])
def test_bad_uploads_are_refused_and_change_nothing(admin, refused_before, name, data, status, phrases):
    r = upload(admin, name, data)
    assert r.status == status, r.text
    body = r.json()
    for phrase in phrases:
        assert phrase in body["error"], body
    if status == 400:
        assert body["file"] and body["reason"]
    assert snapshot(admin.data) == refused_before


def test_requests_that_are_not_one_file_or_path(admin, upload_dir, refused_before):
    body, ctype = multipart([("a.txt", b"x"), ("b.txt", b"y")])
    r = admin.post("/api/admin/plans", body, ctype, headers=auth())
    assert r.status == 400 and "exactly one" in r.json()["error"]
    r = admin.post("/api/admin/plans", LUCHENG.read_bytes(), "text/plain", headers=auth())
    assert r.status == 415
    for path, status, phrase in (
        ("../outside.txt", 403, "outside the upload folder"),
        ("/etc/passwd", 403, "outside the upload folder"),
        ("link-out.txt", 403, "outside the upload folder"),
        ("", 400, "path"),
        ("missing.txt", 400, "not found"),
    ):
        r = by_path(admin, path)
        assert r.status == status and phrase in r.json()["error"], (path, r.text)
    assert snapshot(admin.data) == refused_before


@pytest.mark.usefixtures("admin_live")  # a raw socket: real gunicorn over HTTP (tier: server)
def test_a_50_mb_upload_is_refused_before_it_is_read(admin, refused_before):
    size = 50 * 1024 * 1024
    boundary = "b" + uuid.uuid4().hex
    head = (
        f"POST /api/admin/plans HTTP/1.1\r\nHost: {admin.host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    t0 = time.monotonic()
    with socket.create_connection((admin.host, admin.port), timeout=30) as sock:
        sock.sendall(
            head
            + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'.encode()
            + LUCHENG.read_bytes()[:65536]
        )
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
        while True:  # the JSON body
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            reply += chunk
            if reply.rstrip().endswith(b"}"):
                break
    elapsed = time.monotonic() - t0
    status_line = reply.split(b"\r\n", 1)[0].decode()
    assert " 413 " in status_line, reply[:500]
    answer = reply.decode("utf-8", "replace")  # from the app, or from nginx in front of it (its own limit)
    assert ("50.0 MB" in answer or "too large: at most" in answer) and elapsed < 10
    assert snapshot(admin.data) == refused_before


@pytest.mark.slow  # changes and rebuilds the data: 5.7 s
def test_gb18030_upload_is_accepted_with_a_notice_and_concurrent_uploads_serialise(admin, tmp_path):
    gbk = variant(tmp_path, "yongjia-gbk.txt", "永嘉", encoding="gb18030").read_bytes()
    crlf = variant(tmp_path, "dongtou-bom-crlf.txt", "洞头", bom=True, crlf=True).read_bytes()
    before = build_report(admin.data)["plans"]
    results = {}

    def send(name, data):
        results[name] = upload(admin, name, data)

    threads = [
        threading.Thread(target=send, args=a) for a in (("yongjia-gbk.txt", gbk), ("dongtou-bom-crlf.txt", crlf))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert [results[n].status for n in ("yongjia-gbk.txt", "dongtou-bom-crlf.txt")] == [201, 201], {
        n: r.text[:300] for n, r in results.items()
    }
    assert any("GB18030" in n for n in results["yongjia-gbk.txt"].json()["notices"])
    report = assert_consistent(admin.data)
    assert report["plans"] == before + 2
    assert {"永嘉区儿童发展“十四五”规划", "洞头区儿童发展“十四五”规划"} <= plan_titles(admin)
    stored = admin.data / "current" / "sources"
    assert (stored / "yongjia-gbk.txt").read_bytes() == gbk and (stored / "dongtou-bom-crlf.txt").read_bytes() == crlf


@pytest.mark.slow  # changes and rebuilds the data: 5.0 s
def test_a_request_in_flight_finishes_on_its_generation(hash_base, tmp_path):
    """In-process, with the server's own Resources: a request pinned to generation N keeps its store
    and index while a change flips ``current``; later requests get N+1; N is closed when the request
    ends, and kept on disk (not cleaned up) as long as it is in use."""
    from builds import corpus
    from builds.generations import cleanup_stale
    from builds.layout import DataFolder
    from config import Config
    from graph.parse import SourceFile
    from service.resources import Resources

    data = copy_data(hash_base, tmp_path / "data")
    settings = Config.from_env(data_dir=data)
    res = Resources(settings)
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/plankg/ontology#Plan> }"

    def plans_now() -> int:
        return int(res.store().query(count)[0]["n"])

    res.begin_request()  # request A, on generation N
    gen_a = res.generation
    assert plans_now() == 7 and len(res.engine().docs) == 829
    for name, district in (
        ("ouhai.txt", "瓯海"),
        ("longwan.txt", "龙湾"),
    ):  # two changes: N is no longer even `previous`
        src = variant(tmp_path, name, district)
        corpus.add(settings, [SourceFile(name, src.read_bytes())])
    seen = {}

    def request_b():
        res.check_reload(force=True)
        res.begin_request()
        seen.update(plans=plans_now(), docs=len(res.engine().docs), gen=res.generation.name)
        res.end_request()

    t = threading.Thread(target=request_b)
    t.start()
    t.join(60)
    assert seen == {"plans": 9, "docs": 829 + 2 * 95, "gen": current(data)}
    assert res.generation is gen_a and plans_now() == 7 and len(res.engine().docs) == 829
    cleanup_stale(DataFolder(data))
    assert Path(gen_a.path).is_dir()  # in use: not removed
    res.end_request()
    assert gen_a.closed
    assert cleanup_stale(DataFolder(data)) == [gen_a.name]
    res.close()
