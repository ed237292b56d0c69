"""Encoding a new search query with every model: one after the other, or side by side on threads.

    python bench/query_encode.py --data var/test-server      # any built data folder with real encoders

A new query (not in the engine's query-vector cache) is encoded by each dense encoder before the
search itself; with the two default models that is most of a search's time. For each of the 45
queries of bench/search_queries.json, with the query cache cleared each time, the script times
``encoder.encode_queries`` called in turn for every model (the baseline) and
``SearchEngine.encode_queries_all`` (the models on threads, as the service does), alternating which
goes first, and checks that both give the same vectors. Prints p50 / p99 of each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.scale_http import pct  # noqa: E402
from embeddings.encoders import configure_threads  # noqa: E402
from embeddings.engine import SearchEngine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "var")
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    threads = configure_threads()
    engine = SearchEngine.load(args.data / "current" / "index")
    names = list(engine.encoders)
    if len(names) < 2:
        raise SystemExit(f"{args.data}: needs two or more dense encoders, has {names}")
    queries = [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]]

    def sequential(q: str) -> dict:
        return {n: engine.encoders[n].encode_queries([q])[0] for n in names}

    def parallel(q: str) -> dict:
        engine.clear_query_cache()
        return engine.encode_queries_all(names, q)

    for q in queries[:3]:  # warm-up: model loading, first-call allocations
        sequential(q), parallel(q)
    times: dict[str, list[float]] = {"one after the other": [], "side by side": []}
    for p in range(args.passes):
        for i, q in enumerate(queries):
            order = [("one after the other", sequential), ("side by side", parallel)]
            if (i + p) % 2:
                order.reverse()
            got = {}
            for label, fn in order:
                t = time.perf_counter()
                got[label] = fn(q)
                times[label].append(1000 * (time.perf_counter() - t))
            for n in names:
                np.testing.assert_allclose(got["one after the other"][n], got["side by side"][n], rtol=1e-4, atol=1e-5)
    base = times["one after the other"]
    print(f"encoders: {', '.join(names)}; torch/BLAS threads: {threads}; {len(queries)} queries x {args.passes} passes")
    print("| encoding a new query | p50 (ms) | p99 (ms) | p50 ratio |")
    print("|---|---:|---:|---:|")
    for label, v in times.items():
        print(f"| {label} | {pct(v, 50):.1f} | {pct(v, 99):.1f} | {pct(v, 50) / pct(base, 50):.2f}x |")


if __name__ == "__main__":
    main()
