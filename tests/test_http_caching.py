"""HTTP caching in process (``web.caching``, ``web.assets``) and the front's pieces that need no server
(``web.front``, ``server.choose_front``). The same behaviour over a real server behind nginx is in
tests/test_serving.py."""

from __future__ import annotations

import doctest
import gc
import gzip
import logging
import os
import random
import re
import subprocess

import pytest

from config import Config
from tests.conftest_server import UPDATE_TOKEN
from tests.corpus_util import HASH_ENV, copy_data
from web import response_cache
from web.front import Front, nginx_binary
from web.response_cache import BLOCK, Entry, ResponseCache


def entry(gen: str, size: int) -> Entry:
    return Entry(gen, 200, (("Content-Type", "application/json"),), b"x" * size, None)


def test_the_lru_is_bounded_in_bytes_and_drops_older_generations():
    cache = ResponseCache(64 * 1024)
    for i in range(40):
        cache.put(f"k{i}", entry("gen-a#0", 3000))
    stats = cache.stats()
    assert stats["bytes"] <= 64 * 1024 and stats["entries"] < 40
    assert cache.get("k39") is not None and cache.get("k0") is None  # least recently used went first
    cache.put("big", entry("gen-a#0", 64 * 1024 // 16 + 1))  # over the per-entry bound: not kept
    assert cache.get("big") is None
    cache.put("new", entry("gen-b#0", 100))
    assert cache.stats()["entries"] == 1 and cache.get("k39") is None  # gen-a's answers are gone
    assert ResponseCache(0).max_entry == 0


def test_bodies_come_back_whole_through_the_churn_of_a_full_cache():
    """The bodies live in blocks of one mapping (``web.response_cache``): sizes on and around block edges,
    with and without gzip, thousands of puts past the bound, and every kept answer reads back byte for byte
    while the blocks in use and the free ones add up to the whole mapping."""
    rng = random.Random(5)
    cache = ResponseCache(1 << 20)  # entries up to 64 KiB: every one below is kept when put
    assert cache._arena is None  # mapped on the first put: in a gunicorn worker, after the fork
    sizes = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 17 * 1024 + 5]
    expected: dict[str, Entry] = {}
    for i in range(3000):
        size = sizes[i] if i < len(sizes) else rng.choice(sizes + [rng.randrange(1, 12_000)])
        body = rng.randbytes(size)
        gz = rng.randbytes(rng.randrange(0, size + 1)) if i % 3 else None
        key = f"k{rng.randrange(400)}"  # keys come back: replacing an entry frees its old blocks
        expected[key] = Entry("gen#0", 200, (("Content-Type", "application/json"),), body, gz)
        cache.put(key, expected[key])
        if i % 7 == 0:
            probe = f"k{rng.randrange(400)}"
            got = cache.get(probe)
            assert got is None or got == expected[probe]
    kept = [k for k in expected if cache.get(k) is not None]
    assert 10 < len(kept) < 400 and cache.stats()["bytes"] <= 1 << 20
    assert all(cache.get(k) == expected[k] for k in kept)
    arena = cache._arena
    used = sum(
        arena.blocks_for(e.body) + (arena.blocks_for(e.gz) if e.gz is not None else 0)
        for e in (expected[k] for k in kept)
    )
    assert used + arena.free == (1 << 20) // BLOCK
    example = doctest.testmod(response_cache, verbose=False)  # the module's example
    assert example.attempted >= 3 and example.failed == 0


def test_etag_304_head_and_what_is_never_cached(client):
    first = client.get("/api/plans")
    etag = first.headers["etag"]
    assert first.status == 200 and re.fullmatch(r'"[0-9a-f]{24}"', etag)
    assert client.get("/api/plans", headers={"If-None-Match": etag}).status == 304
    assert client.request("HEAD", "/api/plans").headers["etag"] == etag  # HEAD is GET without the body
    assert client.get("/api/plans?page=1").headers["etag"] != etag  # the query string is part of the key
    assert "etag" not in client.get("/api/plans", headers={"Authorization": "Bearer x"}).headers
    assert "etag" not in client.get("/api/health").headers
    bad = client.get("/api/plans/nope")
    assert bad.status == 404 and "etag" not in bad.headers
    zipped = client.get("/api/plans", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == first.body


def test_health_names_the_process_and_its_cache_fill(client):
    """Which worker answered and how full its response cache is: what an operator (and bench/serve_memory.py)
    reads to tell a filling cache from a leak."""
    before = client.get("/api/health").json()["process"]
    assert before["pid"] == os.getpid() and before["gc_frozen"] == gc.get_freeze_count()
    cache = before["response_cache"]
    assert cache["max_bytes"] == Config().response_cache * 2**20 and 0 <= cache["bytes"] <= cache["max_bytes"]
    assert client.get("/api/plans?page=1&per_page=7").status == 200  # a key nobody asked before
    after = client.get("/api/health").json()["process"]["response_cache"]
    assert after["entries"] == cache["entries"] + 1 and after["bytes"] > cache["bytes"]


def test_a_sparql_update_changes_the_etags(hash_data_dir, tmp_path, app_server):
    s = app_server(copy_data(hash_data_dir, tmp_path / "data"), token=UPDATE_TOKEN, env=HASH_ENV)
    before = s.get("/api/plans").headers["etag"]
    r = s.post(
        "/sparql",
        "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 1 } }",
        "application/sparql-update",
        headers={"Authorization": f"Bearer {UPDATE_TOKEN}"},
    )
    assert r.status == 204, r.text
    after = s.get("/api/plans", headers={"If-None-Match": before})
    assert after.status == 200 and after.headers["etag"] != before


def test_static_urls_carry_the_content_hash(client):
    page = client.get("/").text
    css = re.search(r'href="/static/app\.css\?v=([0-9a-f]{16})"', page)
    assert css
    r = client.get(f"/static/app.css?v={css.group(1)}")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/app.css?v=0123456789abcdef").headers["cache-control"] == "no-cache"  # an old URL
    assert client.get("/static/nope.js").status == 404
    assert client.get("/static/../server.py").status == 404


def test_without_nginx_serve_warns_and_runs_gunicorn_alone(monkeypatch, caplog):
    import server

    monkeypatch.setattr(server, "nginx_binary", lambda: None)
    with caplog.at_level(logging.WARNING, logger="plankg.web"):
        assert server.choose_front(Config(front="nginx"), None) is None
    assert "nginx is not installed" in caplog.text and "PLANKG_FRONT=none" in caplog.text
    caplog.clear()
    assert server.choose_front(Config(front="nginx"), "none") is None
    assert caplog.text == ""


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (scripts/setup.sh --test)")
def test_the_generated_front_config_is_valid_nginx():
    front = Front(nginx_binary() or "", Config(max_upload=5_000_000, max_body=1_000_000), "127.0.0.1", 8123)
    try:
        front.prepare()  # runs nginx -t on it
        text = (front.folder / "nginx.conf").read_text()
        assert "listen 127.0.0.1:8123" in text and f"server unix:{front.socket}" in text
        assert "client_max_body_size 6000000;" in text and "proxy_request_buffering on;" in text
        assert (front.folder / "static" / "vendor" / "cytoscape.min.js.gz").exists()
        check = subprocess.run(
            [front.binary, "-t", "-p", str(front.folder), "-c", str(front.folder / "nginx.conf"), "-e", "stderr"],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
    finally:
        front.cleanup()
    assert not front.folder.exists()


def test_malloc_arenas_are_limited_in_a_fresh_process():
    """glibc takes the limit (the serve path calls it before the models load); 0 leaves glibc's own."""
    import sys
    from pathlib import Path

    code = "import server; print(server.limit_malloc_arenas(2), server.limit_malloc_arenas(0))"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split() == ["True", "False"]
