"""The service at scale, over HTTP: analyst SPARQL queries and search latency on a built data folder.

    python bench/scale_http.py --data /tmp/d100            # e.g. a 100x folder from bench/corpus_ops.py

Starts ``plankg serve`` on the folder twice: query workers reading the on-disk store
(``PLANKG_SPARQL_IN_MEMORY=off``) and with in-memory copies (``on``). For each, once ``/api/health`` says
the query workers are all ready (their copies made): Q1–Q5 of
bench/store_compare.py through ``POST /sparql`` (JSON results, row cap lifted), one warm-up pass and
three timed passes (median), then the 45 queries of bench/search_queries.json through
``GET /api/search`` (one client: p50 / p99 of the first pass, where every query is encoded, and of two
more passes, where the engine has the query vectors cached), and the RSS of the server's processes.
Search uses the folder's encoders: with the model-free ``hash`` encoder the figures measure index
size effects, not model inference (add the encoders' query time from docs/benchmarks.md#search).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import memory, server_pids  # noqa: E402
from bench.store_compare import QUERIES  # noqa: E402


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(p / 100 * (len(v) - 1))))]


def measure(data: Path, mode: str, logs: Path, passes: int = 3) -> dict:
    from tests.conftest_server import launch

    env = {
        "PLANKG_SPARQL_IN_MEMORY": mode,
        "PLANKG_MAX_ROWS": "10000000",
        "PLANKG_QUERY_TIMEOUT": "300",
        "PLANKG_QUERY_MEMORY": "8192",
    }
    t0 = time.perf_counter()
    server = launch(data, logs, env=env, wait_s=600)
    out: dict = {"mode": mode, "start_s": round(time.perf_counter() - t0, 1)}
    try:
        # in-memory workers copy the store one after the other, each copy taking a core: time nothing
        # before they are all up (a copy running beside the searches added ~20 ms to their p50 at 100x)
        deadline = time.monotonic() + 900
        while not (server.get("/api/health", timeout=60).json().get("query_workers") or {}).get("all_ready"):
            if time.monotonic() > deadline:
                raise SystemExit(f"{mode}: query workers not ready after 900 s")
            time.sleep(0.5)
        out["workers_ready_s"] = round(time.perf_counter() - t0, 1)

        def sparql(q: str) -> float:
            t = time.perf_counter()
            r = server.post(
                "/sparql",
                q,
                "application/sparql-query",
                headers={"Accept": "application/sparql-results+json"},
                timeout=600,
            )
            dt = time.perf_counter() - t
            if r.status != 200:
                raise SystemExit(f"{mode}: {r.status} {r.text[:300]}")
            return dt

        t = time.perf_counter()
        sparql("ASK { ?s ?p ?o }")
        out["first_query_s"] = round(time.perf_counter() - t, 2)
        out["queries_ms"] = {}
        for name, q in QUERIES.items():
            sparql(q)
            out["queries_ms"][name] = round(1000 * statistics.median(sparql(q) for _ in range(passes)))
        queries = [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]]
        server.get("/api/search", {"q": queries[0]}, timeout=600)
        lat = []
        for _ in range(passes):
            for q in queries:
                t = time.perf_counter()
                r = server.get("/api/search", {"q": q, "k": 10}, timeout=600)
                lat.append(1000 * (time.perf_counter() - t))
                if r.status != 200:
                    raise SystemExit(f"search {q!r}: {r.status} {r.text[:300]}")
        # the first pass encodes every query; later passes find the query vectors in the engine's cache
        first, again = lat[: len(queries)], lat[len(queries) :]
        out["search_ms"] = {
            "n": len(lat),
            "p50": round(pct(first, 50), 1),
            "p99": round(pct(first, 99), 1),
            "repeat_p50": round(pct(again, 50), 1),
            "repeat_p99": round(pct(again, 99), 1),
        }
        out["rss_mb"] = memory(server_pids(server.port, server.proc.pid))["rss_mb"]
    finally:
        server.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--modes", default="off,on")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    report = json.loads((args.data / "current" / "build.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as logs:
        runs = [measure(args.data, m, Path(logs)) for m in args.modes.split(",")]
    if args.json:
        args.json.write_text(json.dumps({"triples": report["triples"], "runs": runs}, indent=2), encoding="utf-8")
    print(
        f"{report['plans']} plans, {report['triples']:,} triples; encoders: "
        + ", ".join(e["name"] for e in (report.get("index") or {}).get("encoders", []))
    )
    print("| | " + " | ".join(f"query workers: {r['mode']}" for r in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for name in QUERIES:
        print(f"| {name} (ms) | " + " | ".join(str(r["queries_ms"][name]) for r in runs) + " |")
    print(
        "| search p50 / p99 over HTTP, 45 new queries (ms) | "
        + " | ".join(f"{r['search_ms']['p50']} / {r['search_ms']['p99']}" for r in runs)
        + " |"
    )
    print(
        "| search p50 / p99 over HTTP, the same queries again (ms) | "
        + " | ".join(f"{r['search_ms']['repeat_p50']} / {r['search_ms']['repeat_p99']}" for r in runs)
        + " |"
    )
    print(
        "| server start / query workers ready (s) | "
        + " | ".join(f"{r['start_s']} / {r['workers_ready_s']}" for r in runs)
        + " |"
    )
    print("| RSS of the server's processes after the run (MiB) | " + " | ".join(str(r["rss_mb"]) for r in runs) + " |")


if __name__ == "__main__":
    main()
