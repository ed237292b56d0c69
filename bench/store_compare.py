#!/usr/bin/env python
"""Compare RDF stores on the PlanKG graph: load time and five representative SPARQL queries.

Engines:
  * pyoxigraph   — pyoxigraph.Store on a RocksDB directory, used directly (bulk_load, query),
                   and the same in memory (pyoxigraph.Store());
  * PlanKG store — graph.store.OxigraphStore on a directory (atomic-swap load, rows as python values);
  * oxrdflib     — rdflib.Graph(store="Oxigraph") (rdflib API, queries evaluated by Oxigraph);
  * rdflib       — plain in-memory rdflib.Graph, the baseline.

Usage:
  python bench/store_compare.py [GRAPH.ttl|GRAPH.nt] [--repeat 5] [--synthetic N]

Without a file it builds the bundled corpus (graph.pipeline / graph.parse + graph.rdf.build);
``--synthetic N`` adds N generated sample plans (graph.rdf.samples) to scale the data up.
Prints a markdown table: median time per operation and the speed-up against rdflib in memory.
"""

from __future__ import annotations

import argparse
import functools
import gc
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PFX = """PREFIX pkg: <https://w3id.org/plankg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

QUERIES = {
    "Q1 agencies by #measures (GROUP BY)": PFX
    + """
SELECT ?agency ?label (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?m a pkg:Measure ; pkg:involvesAgency ?agency .
  ?agency skos:prefLabel ?label .
} GROUP BY ?agency ?label ORDER BY DESC(?measures) ?label""",
    "Q2 path plan→domain→measure→agency": PFX
    + """
SELECT ?plan (COUNT(DISTINCT ?a) AS ?agencies) (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?plan a pkg:Plan ; pkg:hasDomain/pkg:hasMeasure ?m .
  OPTIONAL { ?m pkg:involvesAgency ?a }
} GROUP BY ?plan ORDER BY ?plan""",
    "Q3 indicators with targetYear 2030": PFX
    + """
SELECT ?i ?name ?value WHERE {
  ?i a pkg:Indicator ; pkg:indicatorName ?name ; pkg:targetYear ?y .
  FILTER(STR(?y) = "2030")
  OPTIONAL { ?i pkg:targetValue ?value }
} ORDER BY ?i""",
    "Q4 count all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "Q5 text FILTER CONTAINS": PFX
    + """
SELECT ?u ?text WHERE {
  ?u a pkg:PlanUnit ; pkg:text ?text .
  FILTER(CONTAINS(?text, "心理健康") || CONTAINS(?text, "家庭教育"))
} ORDER BY ?u""",
}


# ------------------------------------------------------------------ input


def build_corpus_graph(synthetic: int = 0):
    """The bundled corpus as a graph (plus ``synthetic`` generated plans)."""
    from graph.rdf.build import plans_to_graph
    from tests.rdf_samples import corpus_agency_types, extract_corpus

    items, types, how = [], None, "no corpus"
    try:
        from graph.parse import parse_corpus

        items = extract_corpus(parse_corpus(Path(__file__).resolve().parent.parent / "data" / "plans"))
        types = corpus_agency_types()
        how = "bundled corpus" + ("" if types is not None else " (parse only: no extractor)")
    except ImportError:
        if not synthetic:
            raise SystemExit("graph.parse is not available: pass a Turtle/N-Triples file or --synthetic N") from None
    if synthetic:
        from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_parsed_file

        regions = ["杭州市", "衢州市", "温州市", "宁波市", "湖州市", "嘉兴市", "绍兴市", "金华市", "台州市", "丽水市"]
        for i in range(synthetic):
            region = f"{regions[i % len(regions)][:-1]}{i // len(regions) or ''}市"
            items.append(
                sample_parsed_file(f"synthetic-{i:04d}.txt", region=region, plan_type=("children", "women")[i % 2])
            )
        known = {d.get("key") for d in types or []}
        types = (types or []) + [t for t in SAMPLE_AGENCY_TYPES if t["key"] not in known]
        how += f" + {synthetic} synthetic plans"
    return plans_to_graph(items, types), how


def resolve_input(args, workdir: Path) -> tuple[Path, str]:
    if args.graph:
        return Path(args.graph), f"file {args.graph}"
    g, how = build_corpus_graph(args.synthetic)
    path = workdir / "graph.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    return path, how


# ------------------------------------------------------------------ engines


def _fmt(path: Path) -> str:
    return "turtle" if path.suffix.lower() in (".ttl", ".turtle") else "nt"


class PyOxigraph:
    name = "pyoxigraph (direct, on disk)"

    def __init__(self, workdir: Path):
        self.dir = workdir / "pyoxigraph"

    def load(self, path: Path):
        import pyoxigraph as ox

        self.store = ox.Store(str(self.dir))
        self.store.bulk_load(
            path=str(path), format=ox.RdfFormat.TURTLE if _fmt(path) == "turtle" else ox.RdfFormat.N_TRIPLES
        )
        self.store.flush()

    def run(self, q: str) -> int:
        res = self.store.query(q)
        return len([[s[v] for v in res.variables] for s in res])  # materialise every term


class PyOxigraphMemory(PyOxigraph):
    name = "pyoxigraph (direct, in memory)"

    def load(self, path: Path):
        import pyoxigraph as ox

        self.store = ox.Store()
        self.store.load(
            path=str(path), format=ox.RdfFormat.TURTLE if _fmt(path) == "turtle" else ox.RdfFormat.N_TRIPLES
        )


class PlanKGStore:
    name = "PlanKG OxigraphStore (on disk)"

    def __init__(self, workdir: Path):
        self.dir = workdir / "plankg"

    def load(self, path: Path):
        from graph.store import OxigraphStore

        self.store = OxigraphStore(self.dir)
        self.store.load(path)

    def run(self, q: str) -> int:
        return len(self.store.query(q))


class OxRdflib:
    name = "rdflib + oxrdflib (Oxigraph store)"

    def __init__(self, workdir: Path):
        pass

    def load(self, path: Path):
        from rdflib import Graph

        self.g = Graph(store="Oxigraph")
        self.g.parse(str(path), format="ox-turtle" if _fmt(path) == "turtle" else "ox-nt")

    def run(self, q: str) -> int:
        return len(list(self.g.query(q)))


class RdflibMemory:
    name = "rdflib in-memory (baseline)"

    def __init__(self, workdir: Path):
        pass

    def load(self, path: Path):
        from rdflib import Graph

        self.g = Graph()
        self.g.parse(str(path), format=_fmt(path))

    def run(self, q: str) -> int:
        return len(list(self.g.query(q)))


ENGINES = [PyOxigraph, PyOxigraphMemory, PlanKGStore, OxRdflib, RdflibMemory]


def timed(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up (query parsing caches, lazy imports)
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# ------------------------------------------------------------------ main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("graph", nargs="?", help="Turtle (.ttl) or N-Triples (.nt) file; default: build the corpus")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query (median reported)")
    ap.add_argument("--synthetic", type=int, default=0, help="add N generated sample plans")
    args = ap.parse_args(argv)

    import pyoxigraph
    import rdflib

    with tempfile.TemporaryDirectory(prefix="plankg-bench-") as tmp:
        work = Path(tmp)
        path, how = resolve_input(args, work)
        engines = [E(work) for E in ENGINES]
        results: dict[str, dict[str, tuple[float, object]]] = {}
        for e in engines:
            r = results[e.name] = {}
            t0 = time.perf_counter()
            e.load(path)
            r["load"] = (time.perf_counter() - t0, None)
            for label, q in QUERIES.items():
                r[label] = timed(functools.partial(e.run, q), args.repeat)
        triples = engines[-1].g.__len__()

    base = RdflibMemory.name
    print(f"## Store comparison — {triples} triples ({how})\n")
    print(
        f"Python {platform.python_version()}, rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}; "
        f"median of {args.repeat} runs after one warm-up (load: one run). "
        "Cell: time, and speed-up vs rdflib in-memory (>1 = faster).\n"
    )
    header = ["operation", "rows"] + [e.name for e in engines]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * len(engines)) + "|")
    mismatches = []
    for op in ["load"] + list(QUERIES):
        rows = {e.name: results[e.name][op][1] for e in engines}
        row_counts = {v for v in rows.values() if v is not None}
        if len(row_counts) > 1:
            mismatches.append((op, rows))
        cells = [op, "" if op == "load" else str(rows[base])]
        b = results[base][op][0]
        for e in engines:
            t = results[e.name][op][0]
            cells.append(f"{t * 1000:.1f} ms ({b / t:.1f}×)" if t > 0 else "—")
        print("| " + " | ".join(cells) + " |")
    if mismatches:
        print("\n**Row counts differ between engines:**")
        for op, rows in mismatches:
            print(f"- {op}: {rows}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
