"""Serving through the real front: ``plankg serve`` with nginx in front of gunicorn (``web.front``), HTTP
caching keyed on the build generation (``web.caching``), compression and versioned static assets
(``web.assets``), JSON 414 / 431, slow clients, and nginx stopping with the server.

Servers run over copies of the session's model-free build (``hash_data_dir``), so they start in seconds.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import socket
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from bench.load import server_pids
from tests.conftest_server import Server
from tests.corpus_util import HASH_ENV, TOKEN, auth, copy_data, upload, variant
from web.front import nginx_binary

pytestmark = pytest.mark.server

needs_nginx = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (scripts/setup.sh --test)")
QUERY = quote("儿童溺水预防")


@pytest.fixture(scope="module")
def front(hash_data_dir, tmp_path_factory, start_server) -> Server:
    """plankg serve behind nginx (the default front) on a copy of the hash build, admin API on."""
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (scripts/setup.sh --test)")
    data = copy_data(hash_data_dir, tmp_path_factory.mktemp("front-data") / "data")
    server = start_server(data, env={**HASH_ENV, "PLANKG_FRONT": "nginx", "PLANKG_ADMIN_TOKEN": TOKEN})
    assert server.get("/api/").headers.get("server", "").startswith("nginx")
    return server


@pytest.fixture(scope="module")
def plain(tmp_path_factory, start_server) -> Server:
    """gunicorn alone (``PLANKG_FRONT=none``) on an empty data folder: its own limits answer."""
    server = start_server(tmp_path_factory.mktemp("plain-data"), env={**HASH_ENV, "PLANKG_FRONT": "none"})
    assert "nginx" not in server.get("/api/").headers.get("server", "")
    return server


def gunzip_json(reply) -> object:
    assert reply.headers.get("content-encoding") == "gzip"
    return json.loads(gzip.decompress(reply.body))


# ----------------------------------------------------------------------------- ETag, Last-Modified, 304


@pytest.mark.parametrize("path", ["/plans", "/api/plans", "/plans.json", "/api/search?q=" + QUERY])
def test_etag_and_last_modified_give_304_without_a_body(front, path):
    first = front.get(path)
    assert first.status == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', etag)  # strong, and identity (no gzip asked)
    assert first.headers["cache-control"] == "no-cache"
    assert {"Accept", "Accept-Encoding"} <= {v.strip() for v in first.headers["vary"].split(",")}

    again = front.get(path, headers={"If-None-Match": etag})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    assert front.get(path, headers={"If-Modified-Since": modified}).status == 304
    assert front.get(path, headers={"If-None-Match": "W/" + etag}).status == 304  # weak comparison

    other = front.get(path, headers={"If-None-Match": '"0000"'})
    assert (other.status, other.body) == (200, first.body)
    assert other.headers.get("x-plankg-cache") == "hit"  # the LRU answered: the view did not run again


def test_etag_depends_on_the_representation(front):
    html = front.get("/plans", headers={"Accept": "text/html"})
    as_json = front.get("/plans.json")
    zipped = front.get("/plans", headers={"Accept": "text/html", "Accept-Encoding": "gzip"})
    tags = {html.headers["etag"], as_json.headers["etag"], zipped.headers["etag"]}
    assert len(tags) == 3 and zipped.headers["etag"].endswith('-gz"')
    assert front.get("/plans", headers={"Accept": "text/html", "If-None-Match": zipped.headers["etag"]}).status == 200


def test_answers_that_change_or_need_a_token_have_no_etag(front):
    assert "etag" not in front.get("/api/health").headers
    assert "etag" not in front.get("/api/admin/plans", headers=auth()).headers
    r = front.get("/sparql", params={"query": "SELECT (NOW() AS ?t) {}"}, headers={"Accept": "application/json"})
    assert r.status == 200 and "etag" not in r.headers


# ----------------------------------------------------------------------------- compression


def test_gzip_when_asked_and_only_then(front):
    path = "/api/search?q=" + QUERY
    plain = front.get(path)
    assert plain.status == 200 and "content-encoding" not in plain.headers and len(plain.body) > 1024
    zipped = front.get(path, headers={"Accept-Encoding": "gzip, deflate"})
    assert gunzip_json(zipped) == plain.json()
    assert len(zipped.body) < len(plain.body) / 2
    refused = front.get(path, headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused.headers and refused.body == plain.body
    page = front.get("/plans", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(page.body).decode("utf-8") == front.get("/plans").text


def test_small_answers_and_sparql_results(front):
    small = front.get("/api/health", headers={"Accept-Encoding": "gzip"})
    assert len(small.body) < 1024 and "content-encoding" not in small.headers  # not worth it
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    plain = front.post("/sparql", q, "application/sparql-query", headers={"Accept": "application/sparql-results+json"})
    zipped = front.post(
        "/sparql",
        q,
        "application/sparql-query",
        headers={"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"},
    )
    assert plain.status == 200 and len(plain.json()["results"]["bindings"]) == 200
    assert gunzip_json(zipped) == plain.json()


# ----------------------------------------------------------------------------- static assets


def test_versioned_assets_are_immutable_and_precompressed(front):
    page = front.get("/agency-graph").text
    srcs = re.findall(r'src="(/static/[^"]+)"', page)
    lib = next(s for s in srcs if "cytoscape.min.js" in s)
    assert re.search(r"\?v=[0-9a-f]{16}$", lib)
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{16})"', page)
    assert css, "the stylesheet URL is versioned too"

    plain = front.get(lib)
    assert plain.status == 200 and len(plain.body) > 400_000
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    zipped = front.get(lib, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == plain.body
    assert len(zipped.body) < len(plain.body) / 2
    assert front.get(lib, headers={"If-None-Match": plain.headers["etag"]}).status == 304

    unversioned = front.get(lib.split("?")[0])
    assert unversioned.status == 200 and unversioned.headers["cache-control"] == "no-cache"


# ----------------------------------------------------------------------------- limits as JSON


def check_json_error(reply, status: int) -> None:
    assert reply.status == status, reply.text[:300]
    assert reply.content_type.startswith("application/json"), reply.content_type
    body = reply.json()
    assert body["status"] == status and body["error"]


@pytest.mark.parametrize("which", ["front", "plain"])
def test_too_long_url_and_too_large_headers_get_json(which, request):
    server = request.getfixturevalue(which)
    check_json_error(server.get("/api/search?q=" + "a" * 9000), 414)
    check_json_error(server.get("/api/plans", headers={"X-Big": "b" * 9000}), 431)
    many = {f"X-H{i}": "v" for i in range(120)}
    check_json_error(server.get("/api/plans", headers=many), 431)
    # under the limits, the same request is served
    assert server.get("/api/", headers={"X-Big": "b" * 4000}).status == 200


# ----------------------------------------------------------------------------- slow clients


@needs_nginx
def test_idle_and_half_sent_connections_do_not_hold_the_workers(front):
    held = []
    try:
        for i in range(60):
            s = socket.create_connection((front.host, front.port), timeout=5)
            if i >= 50:  # 10 that stop in the middle of their headers
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(s)
        time.sleep(1)  # long enough for a gthread worker to take them up
        for path in ("/api/health", "/api/search?q=" + QUERY, "/api/health"):
            t = time.perf_counter()
            r = front.get(path, timeout=10)
            assert r.status == 200 and time.perf_counter() - t < 1.0, (path, time.perf_counter() - t)
    finally:
        for s in held:
            s.close()


# ----------------------------------------------------------------------------- through the front


def test_sparql_results_and_dumps_stream_through_the_front(front):
    r = front.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 10_000
    csv = front.post(
        "/sparql",
        "query=SELECT ?s WHERE { ?s ?p ?o }",
        "application/x-www-form-urlencoded",
        headers={"Accept": "text/csv"},
    )
    assert csv.status == 200 and csv.text.count("\n") > 10_000
    dump = front.get("/downloads/plankg.nq")
    assert dump.status == 200 and dump.text.count(" .\n") > 10_000
    zipped = front.get("/downloads/plankg.nq", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.body) == dump.body


def test_a_refused_body_leaves_the_connection_open(plain):
    """gunicorn drains at most 64 KiB of a body the app left unread, then closes the connection; nginx,
    which keeps its upstream connections alive, would answer a 502 on one it was still sending to. So the
    app reads a body it refuses (``web.http.drain_unread_body``): the 413 comes back on a connection that
    goes on to serve the next request."""
    conn = http.client.HTTPConnection(plain.host, plain.port, timeout=20)
    body = urlencode({"query": "ASK {} #" + "a" * (2 << 20)})  # over PLANKG_MAX_BODY (1 MiB)
    socks = set()
    try:
        for _ in range(3):
            conn.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"})
            refused = conn.getresponse()
            refused.read()
            socks.add(conn.sock)
            assert refused.status == 413 and refused.getheader("connection", "").lower() != "close"
            conn.request("GET", "/api/")
            after = conn.getresponse()
            assert after.status == 200 and json.loads(after.read())
        assert len(socks) == 1 and conn.sock in socks  # one connection throughout
    finally:
        conn.close()


@needs_nginx
@pytest.mark.slow  # an upload rebuilds a generation: ~10 s
def test_upload_through_the_front_publishes_a_generation_that_changes_every_etag(front, tmp_path):
    paths = ["/api/plans", "/plans", "/plans.json", "/api/search?q=" + QUERY, "/api/domains"]
    before = {p: front.get(p) for p in paths}
    data = variant(tmp_path, "ouhai.txt", "瓯海").read_bytes()
    r = upload(front, "ouhai.txt", data)
    assert r.status == 201, r.text
    time.sleep(1.2)  # the server looks at `current` at most once a second
    for p in paths:
        after = front.get(p, headers={"If-None-Match": before[p].headers["etag"]})
        assert after.status == 200, (p, after.status, after.text[:300])  # the old ETag no longer matches
        assert after.headers["etag"] != before[p].headers["etag"], p
        assert after.headers["last-modified"] != before[p].headers["last-modified"], p
    assert "瓯海区儿童发展“十四五”规划" in front.get("/api/plans").text


# ----------------------------------------------------------------------------- stopping


def children(pid: int) -> dict[int, str]:
    """The descendants of ``pid``: {pid: command line}."""
    out = {}
    for p in set(server_pids(0, root_pid=pid)) - {pid}:
        try:
            out[p] = (Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ")).decode(errors="replace")
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@needs_nginx
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_nginx_stops_when_plankg_serve_stops(sig, tmp_path, start_server):
    server = start_server(tmp_path / "data", env={**HASH_ENV, "PLANKG_FRONT": "nginx"})
    nginx = {p: cmd for p, cmd in children(server.proc.pid).items() if cmd.startswith("nginx")}
    master = next((cmd for cmd in nginx.values() if "master process" in cmd), None)
    assert master and len(nginx) >= 2, children(server.proc.pid)  # the master and its worker
    folder = Path(re.search(r" -p (\S+)", master).group(1))
    assert (folder / "nginx.conf").exists()
    server.proc.send_signal(sig)
    server.proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in nginx) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in nginx if alive(p)], "nginx outlived plankg serve"
    assert not folder.exists()
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=2).close()


def test_workers_fork_with_the_masters_objects_frozen(front):
    """``server.freeze_heap``: the app the master made before forking (its modules, vocabularies, indexes)
    sits in the collector's permanent generation of every worker, so a worker's full collection does not
    write to (and copy) the pages it shares with the master."""
    proc = front.get("/api/health").json()["process"]
    assert proc["pid"] != front.proc.pid and proc["pid"] in children(front.proc.pid)  # a forked worker answered
    assert proc["gc_frozen"] > 20_000, proc  # ~100,000 objects of the app over a model-free build; 0 unfrozen
    assert proc["response_cache"]["max_bytes"] == 64 * 2**20  # PLANKG_RESPONSE_CACHE's default, per worker


def test_the_first_searches_of_a_forked_worker_may_come_at_once(built_data_dir, tmp_path, start_server):
    """The real models are loaded in the gunicorn master, then the worker forks. torch re-makes its thread
    pool in the child on first use, and first uses from several threads at once can fail ("Invalid thread
    pool!", a 500 seen under bench/load.py), so the worker makes it before it serves (server.py,
    post_worker_init). The race is narrow: this checks that first searches at once are all answered, it
    does not reliably reproduce the failure without that step."""
    from concurrent.futures import ThreadPoolExecutor

    server = start_server(copy_data(built_data_dir, tmp_path / "data"), env={"PLANKG_FRONT": "none"})
    queries = ["儿童溺水", "家庭暴力", "心理健康", "托育服务", "营养改善", "校园欺凌", "妇女就业", "出生缺陷"]
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda q: server.get("/api/search", {"q": q, "k": 3}, timeout=120), queries))
    assert [r.status for r in replies] == [200] * 8, [r.text[:200] for r in replies if r.status != 200]
