"""Load test of the PlanKG service: a mixed workload from many concurrent clients over loopback.

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000            # a running server
    .venv/bin/python bench/load.py --data var/bench                        # start one on that data dir
    .venv/bin/python bench/load.py --data var/bench --clients 32 --seconds 60 --json load.json --markdown
    .venv/bin/python bench/load.py --data var/bench --md docs/benchmarks.md   # (re)write its "Load" section

Each client is a thread with its own keep-alive HTTP connection that sends requests back to back,
picking the next one at random from the mix below (weights in ``MIX``): search (API and page),
similar units, SPARQL (a typical aggregate, "agencies by number of measures", and the other example
queries), pages, and their JSON twins. Targets (plans, units, agencies, laws, queries) are read from
the server before the run.

Reported: requests, throughput, errors by status (and connection errors), latency p50/p95/p99 overall
and per request type, and the server's memory: the sum of VmRSS (and of PSS, which counts pages shared
between the forked processes once) over the gunicorn master, its workers and the SPARQL query worker
processes, read from /proc before the run, every 0.5 s during it (max) and after it. The server's
processes are found by the port: whoever holds the listening socket, plus all their descendants.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent

# request type -> weight (share of the requests each client sends)
MIX = {
    "api_search": 20,  # /api/search?q=…
    "search_page": 5,  # /search?q=… (HTML)
    "similar": 10,  # /api/similar/<unit>
    "sparql_agencies": 8,  # the typical aggregate: agencies by number of measures
    "sparql_other": 7,  # the other example queries
    "page": 28,  # HTML pages: plans, plan, unit, agencies, agency, laws, law, indicators, graph, …
    "json_twin": 22,  # the same pages as .json
}
TYPICAL_SPARQL = "agencies-by-measures"


# ----------------------------------------------------------------------------- the server's processes


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9 and parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    return inodes


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def server_pids(port: int, root_pid: int | None = None) -> list[int]:
    """Processes holding the listening socket of ``port`` (or ``root_pid``), plus all descendants."""
    roots = set()
    if root_pid:
        roots.add(root_pid)
    else:
        wanted = {f"socket:[{i}]" for i in _listening_inodes(port)}
        for pid in _all_pids():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in wanted:
                        roots.add(pid)
                        break
            except OSError:
                continue
    if not roots:
        return []
    parents = {pid: _ppid(pid) for pid in _all_pids()}
    tree, grew = set(roots), True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sorted(tree)


def _kib(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _rollup(pid: int) -> dict[str, int]:
    """KiB per field of ``/proc/<pid>/smaps_rollup`` (Rss, Pss, Private_Dirty, Shared_Clean, …)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            key, _, val = line.partition(":")
            out[key] = int(val.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def memory(pids: list[int]) -> dict:
    """{'rss_mb', 'pss_mb', 'pss_by_kind', 'private_by_kind', 'processes', 'by_process': [(pid, name, rss_mb)]}
    over ``pids``. A process's private pages are its own (new memory, or pages copied from its parent on
    write); the rest of its RSS is shared with the processes it forked from or beside."""
    rows = []
    for pid in pids:
        rss = _kib(f"/proc/{pid}/status", "VmRSS:")
        if not rss:
            continue
        roll = _rollup(pid)
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = "?"
        name = "sparql-worker" if "sparql.worker" in cmd else "nginx" if "nginx" in cmd else "gunicorn"
        rows.append((pid, name, rss, roll.get("Pss", 0), roll.get("Private_Dirty", 0) + roll.get("Private_Clean", 0)))
    pss_kinds: dict[str, float] = {}
    private_kinds: dict[str, float] = {}
    for _, name, _, pss, private in rows:
        pss_kinds[name] = pss_kinds.get(name, 0.0) + pss / 1024
        private_kinds[name] = private_kinds.get(name, 0.0) + private / 1024
    return {
        "rss_mb": round(sum(r[2] for r in rows) / 1024, 1),
        "pss_mb": round(sum(r[3] for r in rows) / 1024, 1),
        "pss_by_kind": {k: round(v, 1) for k, v in sorted(pss_kinds.items())},  # where a growth is
        "private_by_kind": {k: round(v, 1) for k, v in sorted(private_kinds.items())},
        "processes": len(rows),
        "by_process": [(pid, name, round(rss / 1024, 1)) for pid, name, rss, _, _ in rows],
    }


class MemorySampler(threading.Thread):
    def __init__(self, port: int, root_pid: int | None, every: float = 0.5):
        super().__init__(daemon=True, name="rss-sampler")
        self.port, self.root_pid, self.every = port, root_pid, every
        self.samples: list[tuple[float, float, float, int]] = []  # (t, rss_mb, pss_mb, processes)
        self._halt = threading.Event()
        self.t0 = time.monotonic()

    def run(self):
        while not self._halt.is_set():
            m = memory(server_pids(self.port, self.root_pid))
            self.samples.append((round(time.monotonic() - self.t0, 1), m["rss_mb"], m["pss_mb"], m["processes"]))
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join(5)


# ----------------------------------------------------------------------------- HTTP


class Client:
    """One keep-alive connection; reconnects after errors."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if attempt:  # a keep-alive connection the server had closed: retried once
                    raise e
            except Exception:
                self.close()
                raise
        raise RuntimeError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def get_json(client: Client, path: str):
    status, data = client.request("GET", path, headers={"Accept": "application/json"})
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {data[:200]!r}")
    return json.loads(data)


# ----------------------------------------------------------------------------- the workload


def discover(client: Client) -> dict:
    """Targets for the mix, read from the server itself."""
    plans = get_json(client, "/api/plans?per_page=500")["items"]
    units = []
    for p in plans:
        detail = get_json(client, f"/api/plans/{p['id']}")
        for d in detail["domains"]:
            units += [u["url"] for u in d["goals"] + d["measures"]]
        units += [u["url"] for u in detail["key_projects"]]
    agencies = [a["url"] for a in get_json(client, "/api/agencies?per_page=500")["items"]]
    laws = [x["url"] for x in get_json(client, "/api/laws?per_page=500")["items"]]
    indicators = [x["name"] for x in get_json(client, "/api/indicators?per_page=500")["items"]][:30]
    examples = get_json(client, "/sparql.json")["examples"]
    queries = [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text("utf-8"))["queries"]]
    return {
        "plans": [p["url"] for p in plans],
        "units": units,
        "agencies": agencies,
        "laws": laws,
        "indicators": indicators,
        "examples": examples,
        "queries": queries,
    }


def build_mix(t: dict) -> dict[str, Callable[[random.Random], tuple]]:
    """request type -> f(rng) -> (method, path, body, headers)."""
    typical = next(e["query"] for e in t["examples"] if e["id"] == TYPICAL_SPARQL)
    others = [e["query"] for e in t["examples"] if e["id"] != TYPICAL_SPARQL]

    def query(rng):
        q = rng.choice(t["queries"])
        if rng.random() < 0.5:  # half of them new text, so that the query-vector cache misses
            q = q[: max(2, len(q) // 2)] + rng.choice(t["queries"])[-3:]
        return q

    def page_path(rng):
        kind = rng.choices(
            [
                "home",
                "plans",
                "plan",
                "unit",
                "agencies",
                "agency",
                "laws",
                "law",
                "indicators",
                "indicator",
                "domains",
                "graph",
                "gaps",
            ],
            weights=[4, 4, 10, 16, 4, 10, 3, 6, 3, 4, 3, 3, 2],
        )[0]
        return {
            "home": lambda: "/",
            "plans": lambda: "/plans",
            "agencies": lambda: "/agencies",
            "laws": lambda: "/laws",
            "indicators": lambda: "/indicators",
            "domains": lambda: "/domains",
            "plan": lambda: rng.choice(t["plans"]),
            "unit": lambda: rng.choice(t["units"]),
            "agency": lambda: rng.choice(t["agencies"]),
            "law": lambda: rng.choice(t["laws"]),
            "indicator": lambda: "/indicators/compare?" + urlencode({"name": rng.choice(t["indicators"])}),
            "graph": lambda: "/agency-graph" + rng.choice(["", "?view=domains", "?role=lead"]),
            "gaps": lambda: "/gaps?" + urlencode({"q": query(rng)}),
        }[kind]()

    def twin(path: str) -> str:
        base, _, qs = path.partition("?")
        return ("/.json" if base == "/" else base + ".json") + ("?" + qs if qs else "")

    return {
        "api_search": lambda rng: ("GET", "/api/search?" + urlencode({"q": query(rng), "k": 10}), None, {}),
        "search_page": lambda rng: ("GET", "/search?" + urlencode({"q": query(rng)}), None, {}),
        "similar": lambda rng: ("GET", "/api/similar/" + rng.choice(t["units"])[len("/units/") :], None, {}),
        "sparql_agencies": lambda rng: (
            "POST",
            "/sparql",
            typical.encode(),
            {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        ),
        "sparql_other": lambda rng: (
            "GET",
            "/sparql?" + urlencode({"query": rng.choice(others)}),
            None,
            {"Accept": rng.choice(["application/sparql-results+json", "text/csv"])},
        ),
        "page": lambda rng: ("GET", quote(page_path(rng), safe="/?=&%"), None, {"Accept": "text/html"}),
        "json_twin": lambda rng: ("GET", quote(twin(page_path(rng)), safe="/?=&%."), None, {}),
    }


# ----------------------------------------------------------------------------- the run


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def _summary(latencies: list[float]) -> dict:
    ms = [x * 1000 for x in latencies]
    return {
        "n": len(ms),
        "p50_ms": _r(_pct(ms, 50)),
        "p95_ms": _r(_pct(ms, 95)),
        "p99_ms": _r(_pct(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
    }


def _r(x):
    return None if x is None else round(x, 1)


def run_load(
    url: str,
    clients: int = 32,
    seconds: float = 60,
    warmup: float = 2.0,
    seed: int = 1,
    root_pid: int | None = None,
    mix: dict | None = None,
    log=print,
) -> dict:
    u = urlparse(url)
    host, port = u.hostname or "127.0.0.1", u.port or 80
    targets = discover(Client(host, port))
    gens = build_mix(targets)
    weights = mix or MIX
    kinds = [k for k in weights if weights[k] > 0]
    pids = server_pids(port, root_pid)
    if not pids:
        log(f"note: no process found listening on port {port}; memory is not reported")

    lat: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    errors: list[str] = []
    lock = threading.Lock()
    phase = {"record": False}
    stop = threading.Event()

    def worker(i: int):
        rng = random.Random(seed * 1000 + i)
        client = Client(host, port)
        while not stop.is_set():
            kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
            method, path, body, headers = gens[kind](rng)
            t = time.perf_counter()
            try:
                status, _ = client.request(method, path, body, headers)
            except Exception as e:  # noqa: BLE001 - counted as a connection error
                status = f"{type(e).__name__}"
                with lock:
                    if len(errors) < 20:
                        errors.append(f"{kind} {method} {path[:120]}: {e!r}")
            dt = time.perf_counter() - t
            if phase["record"]:
                with lock:
                    statuses[kind][status] += 1
                    if isinstance(status, int) and status < 400:
                        lat[kind].append(dt)
                    if isinstance(status, int) and status >= 500 and len(errors) < 20:
                        errors.append(f"{kind} {method} {path[:120]}: {status}")
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True, name=f"client-{i}") for i in range(clients)]
    for th in threads:
        th.start()
    load_before = os.getloadavg()[0]  # before our clients start: what else is using the machine
    time.sleep(warmup)  # connections open, caches warm, workers started
    mem_before = memory(server_pids(port, root_pid))
    sampler = MemorySampler(port, root_pid)
    sampler.start()
    phase["record"] = True
    t0 = time.monotonic()
    time.sleep(seconds)
    phase["record"] = False
    elapsed = time.monotonic() - t0
    stop.set()
    for th in threads:
        th.join(90)
    sampler.stop()
    mem_after = memory(server_pids(port, root_pid))

    all_lat = [x for v in lat.values() for x in v]
    total = sum(sum(c.values()) for c in statuses.values())
    by_status: Counter = Counter()
    for c in statuses.values():
        by_status.update(c)
    samples = sampler.samples
    rss_series = [s[1] for s in samples]
    result = {
        "url": url,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": total,
        "throughput_rps": round(total / elapsed, 1) if elapsed else None,
        "status": {str(k): v for k, v in sorted(by_status.items(), key=lambda kv: str(kv[0]))},
        "errors": sum(v for k, v in by_status.items() if not (isinstance(k, int) and k < 400)),
        "server_errors_5xx": sum(v for k, v in by_status.items() if isinstance(k, int) and k >= 500),
        "overall": _summary(all_lat),
        "by_type": {
            k: {
                **_summary(lat[k]),
                "requests": sum(statuses[k].values()),
                "status": {str(s): n for s, n in statuses[k].items()},
            }
            for k in kinds
        },
        "memory": {
            "before": mem_before,
            "after": mem_after,
            "max_rss_mb": max(rss_series) if rss_series else None,
            "max_pss_mb": max((s[2] for s in samples), default=None),
            "max_processes": max((s[3] for s in samples), default=None),
            "series": samples[:: max(1, len(samples) // 60)],
        },
        "error_examples": errors,
        "mix": weights,
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
    }
    return result


# ----------------------------------------------------------------------------- reporting


def report(r: dict) -> str:
    lines = [
        f"{r['requests']} requests in {r['seconds']} s from {r['clients']} clients: "
        f"{r['throughput_rps']} req/s; statuses {r['status']}; errors {r['errors']}, 5xx {r['server_errors_5xx']}",
        f"latency overall: p50 {r['overall']['p50_ms']} ms, p95 {r['overall']['p95_ms']} ms, "
        f"p99 {r['overall']['p99_ms']} ms, max {r['overall']['max_ms']} ms",
        f"{'type':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses",
    ]
    for k, s in r["by_type"].items():
        lines.append(
            f"{k:<16}{s['requests']:>9}{s['p50_ms'] or '-':>9}{s['p95_ms'] or '-':>9}{s['p99_ms'] or '-':>9}"
            f"{s['max_ms'] or '-':>9}  {s['status']}"
        )
    m = r["memory"]
    lines.append(
        f"server memory (RSS sum over {m['before']['processes']}→{m['after']['processes']} processes): "
        f"before {m['before']['rss_mb']} MB, max {m['max_rss_mb']} MB, after {m['after']['rss_mb']} MB "
        f"(PSS before {m['before']['pss_mb']}, max {m['max_pss_mb']}, after {m['after']['pss_mb']} MB)"
    )
    if r["error_examples"]:
        lines.append("examples of errors: " + "; ".join(r["error_examples"][:5]))
    return "\n".join(lines)


def markdown(r: dict, settings: str = "") -> str:
    m = r["memory"]
    bt = r["by_type"]
    out = [
        f"{r['clients']} concurrent clients for {r['seconds']:.0f} s over loopback{settings}: "
        f"**{r['requests']} requests, {r['throughput_rps']} req/s, {r['errors']} errors "
        f"({r['server_errors_5xx']} 5xx)**; statuses {', '.join(f'{k}: {v}' for k, v in r['status'].items())}.",
        "",
        "| request type | share | requests | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| **all** | 100% | {r['requests']} | {r['overall']['p50_ms']} | {r['overall']['p95_ms']} | "
        f"{r['overall']['p99_ms']} | {r['overall']['max_ms']} |",
    ]
    total_w = sum(r["mix"].values())
    for k, s in r["by_type"].items():
        out.append(
            f"| {k} | {100 * r['mix'][k] / total_w:.0f}% | {s['requests']} | {s['p50_ms']} | {s['p95_ms']} | "
            f"{s['p99_ms']} | {s['max_ms']} |"
        )
    out += [
        "",
        f"Server memory, summed over the gunicorn master, its worker and the SPARQL query workers "
        f"({m['before']['processes']} processes before, {m['after']['processes']} after): RSS "
        f"**{m['before']['rss_mb']} MB before, {m['max_rss_mb']} MB max during the run, {m['after']['rss_mb']} MB "
        f"after**; PSS (shared pages counted once) {m['before']['pss_mb']} / {m['max_pss_mb']} / "
        f"{m['after']['pss_mb']} MB.",
    ]
    if "api_search" in bt and "sparql_agencies" in bt:
        out += [
            "",
            f"Under this load: `/api/search` p50 **{bt['api_search']['p50_ms']} ms**, p99 "
            f"**{bt['api_search']['p99_ms']} ms**; the typical SPARQL query (agencies by number of measures, "
            f"POST `/sparql`) p50 **{bt['sparql_agencies']['p50_ms']} ms**, "
            f"p99 **{bt['sparql_agencies']['p99_ms']} ms**.",
        ]
    return "\n".join(out)


def write_md_section(path: Path, body: str) -> None:
    """Put ``body`` under a "## Load" heading of ``path``: replace that section, keep everything else."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find("\n## Load\n")
    if start >= 0:
        end = old.find("\n## ", start + 5)
        old = old[:start] + ("\n" + old[end + 1 :] if end >= 0 else "\n")
    path.write_text(old.rstrip("\n") + "\n\n## Load\n\n" + body.rstrip("\n") + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- starting a server


def start_server(
    data: str, port: int, workers: int, threads: int, env: dict | None = None, log_path: str | None = None
) -> subprocess.Popen:
    full_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **(env or {}),
    }
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.plankg",
            "serve",
            "--data",
            data,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=str(ROOT),
        env=full_env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    client = Client("127.0.0.1", port, timeout=5)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if client.request("GET", "/api/health")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not start")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    where.add_argument("--data", help="start `plankg serve` on this data dir (on a free port) and stop it after")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pid", type=int, help="the server's main process (default: found by the port)")
    ap.add_argument("--workers", type=int, default=1, help="with --data: gunicorn worker processes")
    ap.add_argument("--threads", type=int, default=8, help="with --data: threads per worker")
    ap.add_argument("--server-log", help="with --data: write the server's log here")
    ap.add_argument("--json", help="write the full result (with the RSS series) to this file")
    ap.add_argument("--markdown", action="store_true", help="also print the result as Markdown")
    ap.add_argument("--md", help='write the result as the "Load" section of this Markdown file')
    a = ap.parse_args(argv)

    load_at_start = round(os.getloadavg()[0], 2)  # before this script (or its server) uses the CPU
    proc = None
    url, root_pid = a.url, a.pid
    if a.data:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        print(
            f"starting the server on {a.data} (port {port}, {a.workers} worker(s) x {a.threads} threads)…",
            file=sys.stderr,
        )
        proc = start_server(a.data, port, a.workers, a.threads, log_path=a.server_log)
        url, root_pid = f"http://127.0.0.1:{port}", proc.pid
    try:
        r = run_load(
            url, a.clients, a.seconds, a.warmup, a.seed, root_pid=root_pid, log=lambda m: print(m, file=sys.stderr)
        )
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(report(r))
    settings = (
        f" against `plankg serve` with its defaults ({a.workers} worker process × {a.threads} threads)"
        if a.data
        else ""
    )
    if a.markdown:
        print()
        print(markdown(r, settings))
    if a.md:
        import platform

        cmd = "python bench/load.py " + " ".join(argv if argv is not None else sys.argv[1:])
        head = (
            f"`{cmd}` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {platform.python_version()}). "
            "A mixed workload from one process on the same machine (so client and server share the cores): "
            "each client sends requests back to back, drawn at random with these shares: "
            + ", ".join(f"{k} {v}%" for k, v in r["mix"].items())
            + ". Latencies are for answered "
            "requests (2xx/3xx); the memory is read from /proc (see the script's docstring). "
            f"1-minute load average when the script started: {load_at_start} "
            "(other work on the machine shares the 2 cores and slows every figure here).\n\n"
        )
        write_md_section(Path(a.md), head + markdown(r, settings))
    r["loadavg_at_start"] = load_at_start
    if a.json:
        Path(a.json).write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if r["server_errors_5xx"] else 0


if __name__ == "__main__":
    sys.exit(main())
