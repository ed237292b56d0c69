"""HNSW against exact search on the real vectors of a built data folder (bench/growth.py uses ``hash``).

    python bench/hnsw_recall.py --data <folder built with the default encoders>

For each dense encoder of the folder's index: the exact index it has, and an HNSW index built from
the same vectors with the service's settings (``embeddings.index.HNSWSettings``). Queries: the 45
queries of bench/search_queries.json, encoded as queries, plus 200 random texts of the index (the
"find counterparts" case). Prints recall@10 of HNSW against exact, HNSW build time and time per
single query of each, in one run.
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
from embeddings.index import DenseIndex, HNSWSettings, make_faiss_index  # noqa: E402

K = 10


def per_query_ms(index: DenseIndex, queries: np.ndarray) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        index.search(q[None, :], K)
        out.append(1000 * (time.perf_counter() - t))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, required=True)
    args = ap.parse_args()
    threads = configure_threads()
    engine = SearchEngine.load(args.data / "current" / "index")
    texts = [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]]
    settings = HNSWSettings()
    print(
        f"{len(engine.docs):,} units, {len(engine.group_ids):,} distinct texts; threads: {threads}; "
        f"HNSW M={settings.m}, efConstruction={settings.ef_construction}, efSearch={settings.ef_search}"
    )
    print(
        "| encoder | dims | recall@10, 45 queries | recall@10, 200 corpus texts | HNSW build (s) "
        "| exact p50 / p99 (ms) | HNSW p50 / p99 (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(5)
    for name, exact in engine.dense.items():
        vecs = exact.vectors(np.arange(exact.ntotal))
        t = time.perf_counter()
        approx = DenseIndex(make_faiss_index(vecs, True, settings), settings.ef_search)
        build_s = time.perf_counter() - t
        queries = engine.encoders[name].encode_queries(texts).astype(np.float32)
        corpus = vecs[rng.choice(len(vecs), size=min(200, len(vecs)), replace=False)]
        recalls = []
        for qs in (queries, corpus):
            _, ie = exact.search(qs, K)
            _, ia = approx.search(qs, K)
            recalls.append(sum(len(set(a) & set(e)) for a, e in zip(ia.tolist(), ie.tolist(), strict=True)) / ie.size)
        both = np.vstack([queries, corpus])
        te, ta = per_query_ms(exact, both), per_query_ms(approx, both)
        print(
            f"| {name} | {vecs.shape[1]} | {recalls[0]:.3f} | {recalls[1]:.3f} | {build_s:.1f} "
            f"| {pct(te, 50):.2f} / {pct(te, 99):.2f} | {pct(ta, 50):.2f} / {pct(ta, 99):.2f} |"
        )


if __name__ == "__main__":
    main()
