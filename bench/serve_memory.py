"""(d) of ``bench/serve_load.py``: memory of a running ``plankg serve`` under a mixed load.

Each worker process keeps a response cache bounded in bytes (``PLANKG_RESPONSE_CACHE``, 64 MiB by default):
while it fills, memory grows by design. So the caches are filled first (the same mixed load, until every
worker reports its cache at least ``FULL`` of its bound in ``/api/health``, or ``warm_minutes`` pass), and
then the load runs ``minutes`` more while PSS, RSS and private memory of every process are sampled. A
server without a cache is measured at once.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from bench.load import memory, server_pids
from bench.servers import PlanKGServer

FULL = 0.9  # a cache this full counts as filled


def mixed_paths(fresh: Iterator[str], repeated: list[str], search_path: Callable[[str], str], seed: int = 11):
    """Searches asked before (50 %) and new (20 %), pages and API lists (30 %), in a seeded order."""
    rng = random.Random(seed)
    pages = ["/plans", "/agencies", "/domains", "/laws", "/indicators", "/api/plans", "/api/agencies", "/search?q="]
    while True:
        r = rng.random()
        if r < 0.5:
            yield search_path(rng.choice(repeated))
        elif r < 0.7:
            yield search_path(next(fresh, rng.choice(repeated)))
        else:
            page = rng.choice(pages)
            yield page + (quote(rng.choice(repeated)) if page.endswith("=") else "")


def worker_caches(server: PlanKGServer, rounds: int = 5, at_once: int = 16) -> dict[int, dict]:
    """{worker pid: its response cache's stats}, from ``/api/health``. Asked ``at_once`` at a time: one at a
    time, nginx reuses one kept-alive connection to gunicorn and the same worker answers every time."""

    def ask(_: int) -> dict:
        with urllib.request.urlopen(server.url + "/api/health", timeout=30) as r:
            return json.loads(r.read()).get("process") or {}

    seen: dict[int, dict] = {}
    with ThreadPoolExecutor(at_once) as pool:
        for _ in range(rounds):
            for proc in pool.map(ask, range(at_once)):
                if proc.get("pid"):
                    seen[proc["pid"]] = proc.get("response_cache") or {}
    return seen


def caches_full(caches: dict[int, dict], workers: int) -> bool:
    return len(caches) >= workers and all(c.get("bytes", 0) >= FULL * c.get("max_bytes", 0) for c in caches.values())


def warm_caches(
    server: PlanKGServer, paths, load, workers: int, warm_minutes: float, settle_minutes: float = 0
) -> dict:
    """Run the load in 20-s rounds until every worker's cache is full, then ``settle_minutes`` more while the
    caches evict (the heap takes a while to settle after the first evictions); {'minutes', 'full', 'caches',
    'settle'}."""
    t0 = time.monotonic()
    caches = worker_caches(server)
    if not any(c.get("max_bytes") for c in caches.values()):
        return {"minutes": 0.0, "full": None, "caches": caches, "settle": 0.0}
    while not caches_full(caches, workers) and time.monotonic() - t0 < warm_minutes * 60:
        asyncio.run(load(server.port, paths, 8, 20))
        caches = worker_caches(server)
    minutes = round((time.monotonic() - t0) / 60, 1)
    if settle_minutes > 0:
        asyncio.run(load(server.port, paths, 8, settle_minutes * 60))
    return {"minutes": minutes, "full": caches_full(caches, workers), "caches": caches, "settle": settle_minutes}


def mixed_memory(server: PlanKGServer, paths, load, minutes: float, every: float = 5.0) -> dict:
    """``minutes`` of the load by 8 clients, memory of every process of the server sampled every ``every`` s."""
    stop = threading.Event()
    t0 = time.monotonic()
    first = memory(server_pids(server.port, server.proc.pid))  # also kept for its split by process kind
    samples: list[tuple[float, float, float]] = [(0.0, first["pss_mb"], first["rss_mb"])]

    def sample() -> None:
        while not stop.wait(every):
            m = memory(server_pids(server.port, server.proc.pid))
            samples.append(((time.monotonic() - t0) / 60, m["pss_mb"], m["rss_mb"]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    result = asyncio.run(load(server.port, paths, 8, minutes * 60))
    stop.set()
    sampler.join()
    last = memory(server_pids(server.port, server.proc.pid))
    samples.append(((time.monotonic() - t0) / 60, last["pss_mb"], last["rss_mb"]))
    t, pss, rss = [s[0] for s in samples], [s[1] for s in samples], [s[2] for s in samples]
    half = len(samples) // 2

    def slope(values: list[float]) -> float:
        return round(statistics.linear_regression(t[half:], values[half:]).slope, 2) if len(t) >= 4 else float("nan")

    return {
        "load": result,
        "processes": last["processes"],
        "pss_start": samples[0][1],
        "pss_end": samples[-1][1],
        "pss_max": max(pss),
        "rss_start": samples[0][2],
        "rss_end": samples[-1][2],
        "pss_slope_mb_min": slope(pss),  # over the second half of the run
        "rss_slope_mb_min": slope(rss),
        "pss_by_kind_start": first["pss_by_kind"],
        "pss_by_kind_end": last["pss_by_kind"],
        "private_by_kind_start": first["private_by_kind"],
        "private_by_kind_end": last["private_by_kind"],
        "caches_end": worker_caches(server),
    }
