"""Serving under load: today's server against the new default, started one after the other on the same data.

    python bench/serve_load.py                         # builds the bundled corpus in a temp folder first
    python bench/serve_load.py --data /tmp/d --minutes 1 --seconds 10
    python bench/serve_load.py --configs baseline,w1,default,w3 --minutes 2   # PSS of 1 / 2 / 3 workers
    git worktree add /tmp/before HEAD~1 && python bench/serve_load.py --configs default@/tmp/before,default

Configurations (``--configs``, in that order):

* ``baseline``: today's server: gunicorn alone, 1 worker process x 8 threads, no response cache;
* ``default``: what ``plankg serve`` does now: nginx in front, ``PLANKG_WORKERS`` (2) x 8 threads, the
  response cache;
* ``w1`` / ``w3``: the default with 1 / 3 worker processes; ``nofront``: the default without nginx; ``t1``:
  the default with one torch thread per worker (``PLANKG_THREADS=1``) instead of every core; ``arenas``: the
  default with glibc's own malloc arenas (``PLANKG_MALLOC_ARENAS=0``); ``mmapfix``: the default with glibc's
  mmap threshold fixed at 128 KiB (glibc's ``MALLOC_MMAP_THRESHOLD_``; by default it moves up as mapped
  blocks are freed).

For each: (a) repeated queries (45 queries of bench/search_queries.json, each asked once before timing),
32 concurrent clients for ``--seconds``; (b) never-seen queries (distinct pairs of phrases cut from the plans:
nothing cached), 16 clients; (c) 200 idle connections + 20 that sent half a header, held 15 s, while a probe
asks ``/api/health`` and a new search every 0.5 s (each probe on a new connection); (d) a mixed load (searches
repeated and new, pages, API lists) by 8 clients for ``--minutes``, once every worker's response cache is
full (``bench/serve_memory.py``, at most ``--warm-minutes``) and ``--settle-minutes`` more have passed:
PSS, RSS and private memory of every process of the server (nginx, gunicorn master and workers, SPARQL query
workers) sampled every 5 s: at the start, the end, the most, and the slope. PSS (``/proc/<pid>/smaps_rollup``)
counts a page shared by n processes as 1/n in each: the honest sum for forked workers.

The load generator is one asyncio thread speaking HTTP/1.1 with keep-alive on raw sockets (no client
library), so that it takes as little CPU as it can: client and server share the machine's cores, and the
figures include that contention.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import memory, server_pids  # noqa: E402
from bench.serve_memory import mixed_memory, mixed_paths, warm_caches  # noqa: E402
from bench.servers import plankg_server  # noqa: E402
from config import Config  # noqa: E402

CONFIGS: dict[str, tuple[list[str], dict[str, str], str]] = {
    "baseline": (
        ["--front", "none", "--workers", "1", "--threads", "8"],
        {"PLANKG_RESPONSE_CACHE": "0"},
        "today: gunicorn 1 x 8 threads, no cache, no front",
    ),
    "default": ([], {}, "new default: nginx, 2 workers x 8 threads, response cache"),
    "w1": (["--workers", "1"], {}, "nginx, 1 worker x 8 threads, response cache"),
    "w3": (["--workers", "3"], {}, "nginx, 3 workers x 8 threads, response cache"),
    "nofront": (["--front", "none"], {}, "gunicorn alone, 2 workers x 8 threads, response cache"),
    "t1": ([], {"PLANKG_THREADS": "1"}, "new default, but 1 torch thread per worker (the cores shared out)"),
    "arenas": ([], {"PLANKG_MALLOC_ARENAS": "0"}, "new default, but glibc's own malloc arenas (8 per core)"),
    "mmapfix": ([], {"MALLOC_MMAP_THRESHOLD_": "131072"}, "new default, glibc's mmap threshold fixed at 128 KiB"),
}
ISOLATED = {
    "PLANKG_WORKERS",
    "PLANKG_FRONT",
    "PLANKG_RESPONSE_CACHE",
    "PLANKG_UPDATE_TOKEN",
    "PLANKG_STORE",
    "PLANKG_THREADS",
    "PLANKG_MALLOC_ARENAS",
}


# ----------------------------------------------------------------------------- queries


def repeated_queries() -> list[str]:
    data = json.loads((ROOT / "bench" / "search_queries.json").read_text(encoding="utf-8"))
    return [q["query"] for q in data["queries"]][:45]


def fresh_queries(n: int, seed: int = 7) -> list[str]:
    """``n`` distinct queries nobody asked before: two phrases of 2-6 characters cut from the plans."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "plans").glob("*.txt")))
    phrases = sorted({m for m in re.findall(r"[\u4e00-\u9fff]{2,6}", text)})
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        out.add(rng.choice(phrases) + rng.choice(phrases))
    return sorted(out, key=lambda _: rng.random())


def search_path(q: str) -> str:
    return "/api/search?q=" + quote(q) + "&k=10"


# ----------------------------------------------------------------------------- the load generator


class Conn:
    """One keep-alive HTTP/1.1 connection on raw sockets."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, timeout: float = 30.0) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        try:
            return await asyncio.wait_for(self._answer(), timeout)
        except BaseException:
            self.close()
            raise

    async def _answer(self) -> int:
        assert self.reader is not None
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head.split("\r\n")[1:] if h)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(p / 100 * (len(v) - 1))))] if v else float("nan")


async def _load(port: int, paths, clients: int, seconds: float) -> dict:
    """``clients`` connections asking the paths of the iterator ``paths`` until it ends or ``seconds`` pass."""
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    it = iter(paths)

    async def client() -> None:
        conn = Conn("127.0.0.1", port)
        while time.monotonic() < deadline:
            path = next(it, None)
            if path is None:
                break
            t = time.perf_counter()
            try:
                status = await conn.get(path)
            except Exception as e:  # noqa: BLE001 - counted
                errors.append(type(e).__name__)
                continue
            lat.append(1000 * (time.perf_counter() - t))
            if status != 200:
                errors.append(str(status))
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - t0
    return {
        "requests": len(lat),
        "req_s": round(len(lat) / wall, 1),
        "p50": round(pct(lat, 50), 1),
        "p99": round(pct(lat, 99), 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
    }


def cycle(items: list[str]):
    while True:
        yield from items


def repeated(port: int, clients: int, seconds: float) -> dict:
    queries = [search_path(q) for q in repeated_queries()]
    # each asked three times first: every worker process has had its chance to cache it (or its vectors)
    asyncio.run(_load(port, iter(queries * 3), 4, 600))
    return asyncio.run(_load(port, cycle(queries), clients, seconds))


def never_seen(port: int, queries: list[str], clients: int, seconds: float) -> dict:
    return asyncio.run(_load(port, (search_path(q) for q in queries), clients, seconds))


# ----------------------------------------------------------------------------- slow clients


def slow_clients(port: int, fresh: list[str], idle: int = 200, half: int = 20, hold_s: float = 15.0) -> dict:
    """Hold ``idle`` connections that send nothing and ``half`` that sent half a request header for
    ``hold_s`` seconds; meanwhile probe health and a new search every 0.5 s on new connections."""
    socks = []
    for i in range(idle + half):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i >= idle:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        socks.append(s)
    probes: list[tuple[str, float, str]] = []
    t_end = time.monotonic() + hold_s
    i = 0
    try:
        while time.monotonic() < t_end:
            path = "/api/health" if i % 2 == 0 else search_path(fresh[i])
            t = time.perf_counter()
            outcome = "ok"
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=30)
                s.settimeout(30)
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
                s.close()
                if not data.startswith(b"HTTP/1.1 200"):
                    outcome = data[:40].decode("latin-1") or "no answer"
            except OSError as e:
                outcome = type(e).__name__
            dt = 1000 * (time.perf_counter() - t)
            probes.append(("health" if i % 2 == 0 else "search", dt, outcome))
            i += 1
            time.sleep(max(0.0, 0.5 - dt / 1000))
    finally:
        for s in socks:
            s.close()
    return {
        "probes": len(probes),
        "worst_ms": round(max(p[1] for p in probes), 1),
        "worst_health_ms": round(max(p[1] for p in probes if p[0] == "health"), 1),
        "worst_search_ms": round(max((p[1] for p in probes if p[0] == "search"), default=0), 1),
        "over_1s": sum(p[1] > 1000 for p in probes),
        "failures": sum(p[2] != "ok" for p in probes),
    }


# ----------------------------------------------------------------------------- one configuration


def measure(name: str, data: Path, args, fresh: list[str], logs: Path) -> dict:
    """One configuration: ``name``, or ``name@DIR`` for that configuration run on the code checked out in DIR."""
    config, _, code = name.partition("@")
    argv, env, label = CONFIGS[config]
    env = {**{k: "" for k in ISOLATED}, **env}
    if code:
        label += f", the code of {Path(code).name} ({_commit(Path(code))})"
    print(f"[{name}] starting: {label}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    with plankg_server(data, argv, env, logs, code=Path(code) if code else ROOT) as server:
        out: dict = {"name": name, "label": label, "start_s": round(time.perf_counter() - t, 1)}
        out["idle"] = memory(server_pids(server.port, server.proc.pid))
        print(f"[{name}] (a) repeated queries", file=sys.stderr, flush=True)
        out["repeated"] = repeated(server.port, 32, args.seconds)
        print(f"[{name}] (b) never-seen queries", file=sys.stderr, flush=True)
        out["fresh"] = never_seen(server.port, fresh[: args.fresh], 16, args.seconds)
        print(f"[{name}] (c) slow clients", file=sys.stderr, flush=True)
        out["slow"] = slow_clients(server.port, fresh[args.fresh :], hold_s=args.hold)
        unasked = iter(fresh[args.fresh + 200 :])
        paths = mixed_paths(unasked, repeated_queries(), search_path)
        workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else Config().workers
        print(f"[{name}] (d) filling the response caches", file=sys.stderr, flush=True)
        out["warm"] = warm_caches(server, paths, _load, workers, args.warm_minutes, args.settle_minutes)
        print(f"[{name}] (d) mixed load, {args.minutes} min", file=sys.stderr, flush=True)
        out["memory"] = mixed_memory(server, paths, _load, args.minutes)
        out["memory"]["fresh_left"] = sum(1 for _ in unasked)  # 0 would mean the load ran out of new queries
    return out


def _commit(code: Path) -> str:
    out = subprocess.run(["git", "-C", str(code), "log", "-1", "--format=%h"], capture_output=True, text=True)
    return out.stdout.strip() or "not a git checkout"


def _kinds(mem: dict, what: str) -> str:
    start, end = mem[f"{what}_by_kind_start"], mem[f"{what}_by_kind_end"]
    return "; ".join(f"{k} {start.get(k, 0)} → {v}" for k, v in end.items())


def table(runs: list[dict], cores: int) -> str:
    def row(label: str, fn) -> str:
        return f"| {label} | " + " | ".join(str(fn(r)) for r in runs) + " |"

    lines = [
        f"Client and server share this machine's {cores} cores (the load generator is one asyncio thread).",
        "",
        "| | " + " | ".join(f"{r['name']}: {r['label']}" for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
        row("(a) repeated queries, 32 clients: req/s", lambda r: r["repeated"]["req_s"]),
        row("(a) p50 / p99 (ms)", lambda r: f"{r['repeated']['p50']} / {r['repeated']['p99']}"),
        row("(a) errors", lambda r: r["repeated"]["errors"]),
        row("(b) never-seen queries, 16 clients: req/s", lambda r: r["fresh"]["req_s"]),
        row("(b) p50 / p99 (ms)", lambda r: f"{r['fresh']['p50']} / {r['fresh']['p99']}"),
        row("(b) errors", lambda r: r["fresh"]["errors"]),
        row(
            "(c) 200 idle + 20 half-header connections: worst probe (ms)",
            lambda r: f"{r['slow']['worst_ms']} (health {r['slow']['worst_health_ms']})",
        ),
        row(
            "(c) probes over 1 s / failed, of",
            lambda r: f"{r['slow']['over_1s']} / {r['slow']['failures']}, of {r['slow']['probes']}",
        ),
        row(
            "(d) caches filled first: minutes, full; then settled (min)",
            lambda r: f"{r['warm']['minutes']}, {r['warm']['full']}; {r['warm']['settle']}",
        ),
        row("(d) new queries left unasked at the end (> 0: never ran out)", lambda r: r["memory"]["fresh_left"]),
        row(
            "(d) mixed load: req/s, errors",
            lambda r: f"{r['memory']['load']['req_s']}, {r['memory']['load']['errors']}",
        ),
        row(
            "(d) PSS start → end, max (MiB)",
            lambda r: f"{r['memory']['pss_start']} → {r['memory']['pss_end']}, {r['memory']['pss_max']}",
        ),
        row(
            "(d) slope of PSS / RSS, 2nd half (MiB/min)",
            lambda r: f"{r['memory']['pss_slope_mb_min']} / {r['memory']['rss_slope_mb_min']}",
        ),
        row("(d) PSS by process kind, start → end (MiB)", lambda r: _kinds(r["memory"], "pss")),
        row("(d) private memory by process kind, start → end (MiB)", lambda r: _kinds(r["memory"], "private")),
        row("(d) RSS summed start → end (MiB)", lambda r: f"{r['memory']['rss_start']} → {r['memory']['rss_end']}"),
        row(
            "(d) response caches at the end (MiB per worker)",
            lambda r: ", ".join(f"{c.get('bytes', 0) / 2**20:.1f}" for c in r["memory"]["caches_end"].values()) or "-",
        ),
        row("processes (nginx, gunicorn, query workers)", lambda r: r["memory"]["processes"]),
        row("PSS when idle, before the load (MiB)", lambda r: r["idle"]["pss_mb"]),
    ]
    return "\n".join(lines)


def build_corpus(folder: Path) -> Path:
    cache = ROOT / "var" / "main" / "embedding-cache"
    if cache.is_dir():  # a copy: the build may add to it, and that folder belongs to the main data
        shutil.copytree(cache, folder / "embedding-cache")
    env = {**os.environ, "PLANKG_DATA": str(folder), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "scripts.plankg", "build"], cwd=str(ROOT), env=env, check=True)
    return folder


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, help="a built data folder (default: build the bundled corpus in a temp dir)")
    ap.add_argument(
        "--configs",
        default="baseline,default",
        help=f"comma-separated: {', '.join(CONFIGS)}; NAME@DIR runs NAME on the code checked out in DIR",
    )
    ap.add_argument("--seconds", type=float, default=30.0, help="length of (a) and (b)")
    ap.add_argument("--hold", type=float, default=15.0, help="seconds the slow clients are held in (c)")
    ap.add_argument("--minutes", type=float, default=5.0, help="length of the mixed load of (d)")
    ap.add_argument("--warm-minutes", type=float, default=10.0, help="most time (d) spends filling the caches first")
    ap.add_argument(
        "--settle-minutes", type=float, default=0.0, help="(d) runs the load this long after the caches are full"
    )
    ap.add_argument("--fresh", type=int, default=4000, help="never-seen queries available to (b)")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n.partition("@")[0] not in CONFIGS]
    if unknown:
        ap.error(f"unknown configuration(s) {', '.join(unknown)}: choose from {', '.join(CONFIGS)}")
    # (d) asks ~25 new queries a second at most (the models' pace on 2 cores): 40 a second never run out
    fresh = fresh_queries(args.fresh + 200 + int(40 * 60 * (args.warm_minutes + args.settle_minutes + args.minutes)))
    with tempfile.TemporaryDirectory(prefix="plankg-serve-load-") as tmp:
        data = args.data or build_corpus(Path(tmp) / "data")
        runs = [measure(n, data, args, fresh, Path(tmp) / "logs") for n in names]
    cores = len(os.sched_getaffinity(0))
    if args.json:
        args.json.write_text(json.dumps({"cores": cores, "runs": runs}, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(runs, cores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
