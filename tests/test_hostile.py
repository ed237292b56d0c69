"""Hostile input against the service: runaway and huge SPARQL queries,
federated queries (SERVICE) in every disguise, updates without the token, oversized requests, search
parameters out of range, malformed percent-encoding and invalid UTF-8, and a short load smoke test.

What must hold: every answer is a 2xx/4xx or the documented 503 of a stopped query, in bounded time
(the query timeout plus slack), never a 500; the server keeps answering other requests meanwhile; no
query makes the server open a connection to anywhere.

The checks of the app's own logic (parameters, encodings, SERVICE, tokens, row caps) run in process
(``client``: Flask's test client over a model-free build); the tests marked ``live`` need the real
service (gunicorn over HTTP): stopped and killed query workers, concurrency, raw sockets, load.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import pytest

from tests.conftest_app import live_or_app
from tests.conftest_server import LIVE_MAX_ROWS, LIVE_TIMEOUT_S, UPDATE_TOKEN

SLACK_S = 5  # on top of the query timeout, for a loaded 2-core machine
BOUND_S = LIVE_TIMEOUT_S + SLACK_S
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture
def s(request):
    """The app in process (Flask's test client); the real server for the tests marked ``live``."""
    return live_or_app(request, "live_server", "client")


live = pytest.mark.usefixtures("live_server")  # real gunicorn over HTTP (tier: server)


def q(s, query, accept=None, **kw):
    return s.get("/sparql?" + urlencode({"query": query}), headers={"Accept": accept} if accept else None, **kw)


def timed(fn, *args, **kw):
    t0 = time.monotonic()
    r = fn(*args, **kw)
    return r, time.monotonic() - t0


class Listener:
    """A TCP listener on loopback that records every connection made to it (SSRF canary)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def canary():
    listener = Listener()
    yield listener
    listener.close()


# ----------------------------------------------------------------------------- runaway queries

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize(
    "query,accept",
    [
        (CARTESIAN, None),
        (CARTESIAN, "text/csv"),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+xml"),
        ("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples"),
        ("SELECT DISTINCT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f }", None),
    ],
)
def test_streaming_blowup_is_truncated_and_flagged(s, query, accept):
    r, took = timed(q, s, query, accept)
    assert took < BOUND_S, took
    assert r.status == 200, r.text[:300]
    assert r.headers.get("x-plankg-truncated") == "true"
    assert r.headers.get("x-plankg-rows") == str(LIVE_MAX_ROWS)
    assert r.headers.get("x-plankg-max-rows") == str(LIVE_MAX_ROWS)


@live
@pytest.mark.parametrize(
    "query",
    [
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",  # one blocking aggregate
        "SELECT ?c (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?c",
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",  # sort: time and memory
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STRLEN(CONCAT(STR(?c), STR(?f))) < 0) } LIMIT 1",  # never true
    ],
)
def test_blocking_runaway_query_is_stopped_in_bounded_time(s, query):
    r, took = timed(q, s, query)
    assert took < BOUND_S, took
    assert r.status == 503, (r.status, r.text[:300])
    assert "stopped" in r.text and "LIMIT" in r.text
    # the worker that ran it was killed: the endpoint answers at once afterwards
    r2, took2 = timed(q, s, ASK)
    assert r2.status == 200 and took2 < 3


@live
def test_huge_values_per_row_are_bounded(s):
    """Strings doubled 20 times per row: stopped by the worker's memory limit, the result size limit or
    the timeout, never a multi-GB answer and never a 500."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(20))
    r, took = timed(q, s, f"SELECT ?x20 WHERE {{ ?s ?p ?o BIND(STR(?o) AS ?x0) {binds} }}")
    assert took < BOUND_S
    assert r.status == 503 and ("stopped" in r.text or "MiB" in r.text), (r.status, r.text[:300])


@live
def test_server_stays_responsive_while_runaway_queries_run(s):
    """More runaway queries than query workers + waiting places: the excess is refused at once (503 +
    Retry-After), every one ends in bounded time, and health, search and pages answer quickly meanwhile."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(timed, q, s, runaway) for _ in range(12)]
        time.sleep(1.0)  # let them reach the workers
        for path in ("/api/health", "/api/search?q=" + quote("溺水") + "&k=3", "/plans", "/api/plans"):
            r, took = timed(s.get, path)
            assert r.status == 200, path
            assert took < 3, f"{path} took {took:.1f}s while runaway queries ran"
        results = [f.result(timeout=BOUND_S + 10) for f in futures]
    assert all(r.status == 503 for r, _ in results), [r.status for r, _ in results]
    assert max(took for _, took in results) < BOUND_S, [round(t, 1) for _, t in results]
    refused = [r for r, took in results if "busy" in r.text]
    assert refused and all(r.headers.get("retry-after") for r in refused)
    assert q(s, ASK).status == 200


# ----------------------------------------------------------------------------- SERVICE and LOAD


def service_variants(port: int) -> list[str]:
    e = f"<http://127.0.0.1:{port}/sparql>"
    g = "{ ?s ?p ?o }"
    px = f"PREFIX ex: <http://example.org/> PREFIX e: <http://127.0.0.1:{port}/> PREFIX : <http://127.0.0.1:{port}/> "
    return [
        f"SELECT * WHERE {{ SERVICE {e} {g} }}",
        f"select * where {{ service {e} {g} }}",
        f"SELECT * WHERE {{ SeRvIcE SILENT {e} {g} }}",
        f"SELECT*WHERE{{SERVICE{e}{g}}}",  # no whitespace at all
        f"SELECT * WHERE {{ SERVICESILENT{e} {g} }}",  # keywords glued together
        px + f"SELECT * WHERE {{ SERVICE:sparql {g} }}",  # keyword glued to a name
        px + f"SELECT * WHERE {{ SERVICEe:sparql {g} }}",
        f"SELECT * WHERE {{ ?s ?p true SERVICE {e} {g} }}".replace("true SERVICE", "trueSERVICE"),
        f"SELECT * WHERE {{ #comment\nSERVICE#another\n{e}\t{g} }}",  # comments and whitespace
        f"SELECT * WHERE {{ # comment ended by CR\rSERVICE {e} {g} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {e} {g} }} }} }}",  # sub-query
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE {e} {g} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z MINUS {{ SERVICE {e} {g} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE {e} {g} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {e} {g} }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER EXISTS {{ SERVICE {e} {g} }} }}",
        f"ASK {{ SERVICE {e} {g} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {e} {g} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE {e} {g} }}",
        f"SELECT * WHERE {{ VALUES ?u {{ {e} }} SERVICE ?u {g} }}",  # the endpoint in a variable
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {g} }}",
        # where a context-free tokenizer goes wrong: escapes in names, odd IRI characters, "<" as less-than
        px + f"SELECT * WHERE {{ OPTIONAL {{ ?x ex:a\\#b ?y }} SERVICE {e} {g} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ ?x <http://e.org/a\u00a0#> ?y }} SERVICE {e} {g} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(1<2)SERVICE#>\n{e} {g} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<2).SERVICE#>\n{e} {g} }}",
        f'SELECT * WHERE {{ BIND("not a # comment" AS ?z) SERVICE {e} {g} }}',
    ]


def test_service_check_lets_ordinary_queries_through():
    """Conservative, but not so much that queries merely mentioning services are refused."""
    from service.sparql.text import uses_service

    for text in [
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT ?s { ?s a sd:Service }",
        'SELECT ?service { ?service <http://e/serviceType> "SERVICE" } # SERVICE <http://x>',
        "SELECT * { ?s ex:SERVICE ?o ; ex:noservice ?x FILTER(?o < 2 && ?x > 1) }",
        'SELECT * { ?s ?p """multi\nline SERVICE""" }',
    ]:
        assert not uses_service(text), text
    for port in (9, 65535):
        for text in service_variants(port):
            assert uses_service(text), text


def test_service_is_refused_in_every_disguise(s, canary):
    for query in service_variants(canary.port):
        for send in (
            lambda: q(s, query),
            lambda: s.post("/sparql", query, "application/sparql-query"),
            lambda: s.post("/sparql", urlencode({"query": query}), "application/x-www-form-urlencoded"),
        ):
            r = send()
            assert r.status == 400 and "SERVICE" in r.text, (query, r.status, r.text[:200])
    time.sleep(0.3)
    assert canary.hits == 0, "the server connected to the SERVICE endpoint"


def test_service_and_load_refused_in_updates(s, canary):
    auth = {"Authorization": f"Bearer {UPDATE_TOKEN}"}
    e = f"<http://127.0.0.1:{canary.port}/sparql>"
    for update, word in [
        (f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }}", "SERVICE"),
        (f"DELETE {{ ?s ?p ?o }} WHERE {{ OPTIONAL {{ service silent {e} {{ ?s ?p ?o }} }} }}", "SERVICE"),
        (f"LOAD {e}", "LOAD"),
        (f"load silent {e} INTO GRAPH <http://example.org/g>", "LOAD"),
    ]:
        r = s.post("/sparql", update, "application/sparql-update", auth)
        assert r.status == 400 and word in r.text, (update, r.status, r.text[:200])
    time.sleep(0.3)
    assert canary.hits == 0


def test_query_workers_cannot_open_network_sockets(hash_data_dir, canary):
    """Second line of defence: even a SERVICE query sent straight to a query worker (past the endpoint's
    check) cannot connect anywhere: the worker process runs under a seccomp filter that denies
    AF_INET/AF_INET6 sockets."""
    import platform
    import sys

    from service.sparql.runner import _Worker

    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip("the socket filter is installed on Linux x86_64/aarch64 only")
    w = _Worker(os.path.realpath(hash_data_dir / "current" / "store"))
    try:
        if not w.no_network:
            pytest.skip("seccomp is not available here")
        for host in ("127.0.0.1", "localhost"):
            info, _ = w.call(
                {
                    "query": f"SELECT * WHERE {{ SERVICE <http://{host}:{canary.port}/s> {{ ?s ?p ?o }} }}",
                    "format": "json",
                    "max_rows": 10,
                },
                time.monotonic() + 10,
            )
            assert not info["ok"] and "denied" in info["error"].lower(), info
        info, body = w.call({"query": ASK, "format": "json", "max_rows": 10}, time.monotonic() + 10)
        assert info["ok"] and b"true" in body  # the worker itself still works
    finally:
        w.kill()
    time.sleep(0.3)
    assert canary.hits == 0


def test_updates_are_refused_without_the_token(s):
    probe = "ASK { <http://example.org/hostile> ?p ?o }"
    insert = "INSERT DATA { <http://example.org/hostile> <http://example.org/p> 1 }"
    attempts = [
        s.post("/sparql", insert, "application/sparql-update"),
        s.post("/sparql", insert, "application/sparql-update", {"Authorization": "Bearer wrong"}),
        s.post("/sparql", insert, "application/sparql-update", {"Authorization": f"Basic {UPDATE_TOKEN}"}),
        s.post("/sparql", insert, "application/sparql-update", {"Authorization": f"Bearer {UPDATE_TOKEN}x"}),
        s.post("/sparql", urlencode({"update": insert}), "application/x-www-form-urlencoded"),
        s.post("/sparql", "CLEAR ALL", "application/sparql-update"),
        s.post("/sparql", "DROP ALL", "application/sparql-update", {"Authorization": "Bearer "}),
    ]
    assert [r.status for r in attempts] == [401] * len(attempts), [(r.status, r.text[:80]) for r in attempts]
    assert all("bearer" in r.headers.get("www-authenticate", "").lower() for r in attempts)
    get_update = s.get("/sparql?" + urlencode({"update": insert}))
    assert get_update.status == 400
    # an update smuggled in as a query is a syntax error, not an update
    assert q(s, insert).status == 400
    assert q(s, probe).json()["boolean"] is False
    assert q(s, ASK).json()["boolean"] is True


# ----------------------------------------------------------------------------- request size


def raw_request(s, data: bytes, timeout: float = 20) -> int:
    with socket.create_connection((s.host, s.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading it all
        head = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(head.split()[1])


@live
def test_request_size_limits(s):
    big = b"a" * (2 << 20)
    assert (
        s.post(
            "/sparql", urlencode({"query": "ASK {} #" + "a" * (2 << 20)}), "application/x-www-form-urlencoded"
        ).status
        == 413
    )
    assert s.post("/sparql", b"ASK {} #" + big, "application/sparql-query").status == 413
    assert (
        s.post(
            "/sparql",
            b"INSERT DATA {} #" + big,
            "application/sparql-update",
            {"Authorization": f"Bearer {UPDATE_TOKEN}"},
        ).status
        == 413
    )
    # chunked bodies (no Content-Length) are held to the same limit
    chunks = b"".join(b"%x\r\n%s\r\n" % (1 << 16, b"a" * (1 << 16)) for _ in range(40)) + b"0\r\n\r\n"
    for mime in (b"application/sparql-query", b"application/x-www-form-urlencoded"):
        status = raw_request(
            s,
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: "
            + mime
            + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunks,
        )
        assert status == 413, mime
    small = b"ASK { ?s ?p ?o }"
    assert (
        raw_request(
            s,
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(small), small),
        )
        == 200
    )
    # a very long URL or header is refused by gunicorn with a 4xx
    assert 400 <= raw_request(s, b"GET /api/search?q=" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n") < 500
    assert 400 <= raw_request(s, b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n") < 500


# ----------------------------------------------------------------------------- search parameters


def test_search_query_length_limit(s):
    r = s.get("/api/search", {"q": "溺" * 201})
    assert r.status == 400 and "at most 200" in r.json()["error"]
    assert s.get("/api/search", {"q": "溺" * 200, "k": 1}).status == 200
    page = s.get("/search", {"q": "x" * 1000})
    assert page.status == 400 and page.content_type.startswith("text/html") and "at most 200" in page.text
    assert s.get("/api/gaps", {"q": "y" * 201}).status == 400
    assert s.get("/api/indicators/compare", {"name": "z" * 201}).status == 400


def test_numeric_parameters_are_bounded(s):
    def search(**kw):
        return s.get("/api/search", {"q": "溺水", **kw})

    assert search(k=100000).json()["k"] == 100 and len(search(k=100000).json()["results"]) <= 100
    assert search(k=0).json()["k"] == 1 and len(search(k=-5).json()["results"]) == 1
    assert search(k="9" * 1000).json()["k"] == 100
    for bad in ("abc", "1e9", "1.5", "0x10", "ten"):
        r = search(k=bad)
        assert r.status == 400 and "k must be an integer" in r.json()["error"], bad
    assert search(k="").json()["k"] == 10  # an empty form field: the default
    plans = s.get("/api/plans", {"per_page": 100000}).json()
    assert plans["per_page"] == 500 and len(plans["items"]) <= 500
    assert s.get("/api/plans", {"per_page": 0}).json()["per_page"] == 1
    assert s.get("/api/plans", {"per_page": "many"}).status == 400
    assert s.get("/api/plans", {"page": 10**6}).json()["page"] == s.get("/api/plans").json()["pages"]
    assert s.get("/api/agencies", {"page": "x"}).status == 400


@pytest.mark.parametrize(
    "params,message",
    [
        ({"mode": "nonsense"}, "mode must be one of"),
        ({"kind": "bogus"}, "kind must be one of"),
        ({"plan_type": "<script>"}, "plan_type must be one of"),
        ({"level": "planet"}, "level must be one of"),
        ({"region": "r" * 201}, "at most 200"),
        ({"agency": "a" * 500}, "at most 200"),
    ],
)
def test_unknown_search_values_are_400(s, params, message):
    r = s.get("/api/search", {"q": "溺水", **params})
    assert r.status == 400 and message in r.json()["error"], (r.status, r.text[:200])
    page = s.get("/search", {"q": "溺水", **params})
    assert page.status == 400 and message in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/agency-graph?view=galaxy",
        "/api/agency-graph?role=boss",
        "/api/agency-graph?role=lead,king",
        "/agency-graph?view=x",
        "/api/similar/x?threshold=nan",
        "/api/similar/x?threshold=2",
        "/api/similar/x?threshold=abc",
        "/api/indicators/compare",
    ],
)
def test_other_bad_parameters_are_400(s, path):
    assert s.get(path).status == 400, path


# ----------------------------------------------------------------------------- encoding

BAD_ENCODING = [
    "/api/search?q=%FF",
    "/api/search?q=%C3%28",
    "/api/search?q=%E6%BA",
    "/api/search?q=%ED%A0%80",
    "/api/search?q=%C0%AF",
    "/api/search?q=%ZZ",
    "/api/search?q=%",
    "/api/search?q=abc%2",
    "/api/search?q=x&kind=%FF",
    "/search?q=%FF",
    "/search?q=%G0",
    "/gaps?q=%FE",
    "/api/gaps?q=%E6",
    "/api/plans/%FF",
    "/plans/%FF",
    "/plans/%ZZ",
    "/units/plan/%FF",
    "/api/similar/%FF",
    "/agencies/%C3%28",
    "/plans/%FF.json",
    "/sparql?query=%FF",
    "/sparql?query=ASK%7B%7D%ZZ",
    "/api/agency-graph?plan=%FF",
    "/id/plan/%FF",
    "/%FF",
    "/indicators/compare?name=%E6%BA",
]


@pytest.mark.parametrize("path", BAD_ENCODING)
def test_malformed_percent_encoding_and_invalid_utf8_are_400(s, path):
    r = s.get(path)
    assert r.status == 400, (path, r.status, r.text[:200])
    assert "percent-encoding" in r.text or "UTF-8" in r.text


def test_invalid_utf8_in_bodies_is_400(s):
    assert s.post("/sparql", b"query=ASK%7B%7D%FF", "application/x-www-form-urlencoded").status == 400
    assert s.post("/sparql", b"query=%ZZ", "application/x-www-form-urlencoded").status == 400
    assert s.post("/sparql", b"ASK { ?s ?p '\xff' }", "application/sparql-query").status == 400


def test_well_formed_text_is_not_affected(s):
    assert s.get("/api/search?q=" + quote("预防儿童溺水") + "&k=1").status == 200
    assert s.get("/api/search?q=a+b%2Bc%26d%25e&k=1").status == 200  # + space, escaped + & %
    assert s.get("/search?q=" + quote("<b>溺水</b>")).status == 200


@live
def test_fuzzed_parameters_never_give_a_server_error(s):
    values = [
        "%00",
        "%0D%0A",
        "%01",
        "%22%3E%3Cscript%3E",
        "%5C",
        "'",
        "%60",
        "x" * 250,
        "-1",
        "1e999",
        "%E2%80%AE",
        "%F4%8F%BF%BF",
        "..%2F..%2Fetc%2Fpasswd",
        "a%23b",
        "%7B%7D",
    ]
    paths = [
        "/api/search?q=x&k={v}",
        "/api/search?q={v}&plan={v}&domain={v}&period={v}",
        "/api/similar/{v}",
        "/api/similar/{v}:L3",
        "/api/plans/{v}",
        "/plans/{v}",
        "/api/units/{v}",
        "/units/plan/{v}",
        "/api/agencies/{v}",
        "/agencies/{v}/x",
        "/api/laws/{v}",
        "/laws/{v}",
        "/id/{v}",
        "/id/plan/{v}",
        "/id/{v}.ttl",
        "/resource/{v}",
        "/downloads/{v}",
        "/api/indicators/compare?name={v}",
        "/api/agency-graph?plan={v}&domain={v}",
        "/api/plans?page={v}",
        "/{v}.json",
        "/sparql?query={v}",
    ]
    conn = http.client.HTTPConnection(s.host, s.port, timeout=60)
    failures = []
    try:
        for p in paths:
            for v in values:
                url = p.format(v=v)
                conn.putrequest("GET", url, skip_accept_encoding=True)
                conn.endheaders()
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 500:
                    failures.append((url, resp.status))
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(s.host, s.port, timeout=60)
    finally:
        conn.close()
    assert not failures, failures


# ----------------------------------------------------------------------------- load smoke


@live
def test_load_smoke(s):
    """bench/load.py for 5 s with 8 clients: no errors at all, memory of the server's processes read."""
    from bench.load import run_load

    r = run_load(s.url, clients=8, seconds=5, warmup=1, log=lambda m: None)
    assert r["requests"] >= 20, r
    assert r["errors"] == 0 and r["server_errors_5xx"] == 0, (r["status"], r["error_examples"])
    assert all(t["requests"] for t in r["by_type"].values()), r["by_type"]
    assert r["memory"]["before"]["processes"] >= 2 and r["memory"]["max_rss_mb"] > 0
    assert r["overall"]["p99_ms"] is not None
