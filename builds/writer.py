"""Writing a generation: sources, parts, loaded graphs, store, search index, build report; then the flip."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass

from config import Config
from embeddings.build import build_index, hints_from_meta
from embeddings.documents import SearchDoc, docs_from_plans
from embeddings.encoders import Encoder
from graph.fsutil import fsync_tree
from graph.rdf.graphs import ONTOLOGY_GRAPH, SHAPES_GRAPH, vocabulary_nquads
from graph.store import open_store
from graph.store.oxigraph import OxigraphStore

from . import aggregates as A
from . import graphs as G
from . import parts as P
from .faults import fault
from .generations import cleanup_stale, current_generation, current_index_meta, is_current, new_generation, publish
from .layout import DataFolder, Generation
from .report import Timer, corpus_digest, make_report


@dataclass
class Change:
    """What a new generation is made of: parts kept from ``prev`` (entries of its build.json)
    and new ones (source, parsed and extracted file, its ``FilePart``); the shared triples; for a
    delta, the N-Triples to remove from and insert into a checkpoint of ``prev``'s store."""

    kept: list
    new: list
    shared_nt: str
    graph_triples: int
    prev: Generation | None = None
    delta: tuple[str, str] | None = None
    info: dict | None = None
    kept_summaries: dict | None = None
    agency_labels: dict | None = None  # agency id -> prefLabel of the shared triples (builds.aggregates)


def write_generation(
    cfg: Config,
    change: Change,
    timer: Timer,
    t0: float,
    *,
    with_index: bool,
    progress: bool,
    encoders: str | None,
    live_encoders: Sequence[Encoder] | None,
) -> dict:
    folder = DataFolder(cfg.data_dir)
    folder.root.mkdir(parents=True, exist_ok=True)
    prev = change.prev
    summaries = dict(change.kept_summaries or {})
    for src, pf, part in change.new:
        summaries[pf.file] = P.summarize(pf, part, len(src.data))
    names = sorted(summaries)
    digest = corpus_digest(summaries)
    hints_meta = current_index_meta(folder)
    graphs_from = prev if prev is not None else current_generation(folder)  # analysts' graphs live on
    gen = new_generation(folder, digest)
    try:
        with timer.stage("sources"):
            gen.sources.mkdir()
            for e in change.kept:
                assert prev is not None
                P.link_or_copy(prev.source(e["file"]), gen.source(e["file"]))
                if prev.derived_text(e["file"]).is_file():
                    gen.derived.mkdir(exist_ok=True)
                    P.link_or_copy(prev.derived_text(e["file"]), gen.derived_text(e["file"]))
            for src, pf, _ in change.new:
                gen.source(src.name).write_bytes(src.data)
                if pf.format != "txt":
                    gen.derived.mkdir(exist_ok=True)
                    gen.derived_text(src.name).write_text(pf.text, encoding="utf-8")
        with timer.stage("parts"):
            entries = {e["file"]: {"file": e["file"], "sha256": e["sha256"], "key": e["key"]} for e in change.kept}
            for e in change.kept:
                assert prev is not None
                P.link_part(prev, gen, e["key"])
            new_docs: dict[str, list[SearchDoc]] = {}
            for _src, pf, part in change.new:
                new_docs[pf.file] = docs_from_plans([pf])
                entries[pf.file] = P.write_part(gen, pf, part, new_docs[pf.file], summaries[pf.file])
            gen.shared_nt.write_text(change.shared_nt, encoding="utf-8")
            graph_files = G.carry(graphs_from, gen)
        with timer.stage("aggregates"):
            new_parsed = {entries[pf.file]["key"]: pf for _src, pf, _ in change.new}
            aggregates = A.write(gen, [entries[n] for n in names], new_parsed, change.agency_labels or {})
        with timer.stage("store"):
            triples, graphs = _fill_store(cfg, gen, change, [entries[n]["key"] for n in names], graph_files)
        fault("store")
        index_info = None
        if with_index:
            with timer.stage("index"):
                docs = [
                    d for n in names for d in (new_docs[n] if n in new_docs else P.read_docs(gen, entries[n]["key"]))
                ]
                index_info = build_index(
                    None,
                    gen.index,
                    encoders=encoders,
                    progress=progress,
                    cache_dir=cfg.embed_cache or folder.embedding_cache,
                    hints=hints_from_meta(hints_meta),
                    live=live_encoders,
                    extra_meta={"plankg_corpus_sha256": digest},
                    docs=docs,
                )
            fault("index")
        report = make_report(
            [summaries[n] for n in names], triples, change.graph_triples, digest, timer, t0, index_info
        )
        report["generation"] = gen.name
        report["graphs"] = graphs
        report["aggregates"] = aggregates
        report["parts"] = {
            "schema": P.PARTS_SCHEMA,
            "fingerprint": P.fingerprint(),
            "files": [entries[n] for n in names],
        }
        if change.info is not None:
            assert prev is not None
            report["delta"] = dict(change.info, base=prev.name)
        gen.build_json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        fault("manifest")
        with timer.stage("sync"):
            fsync_tree(gen.root)
        fault("flip")
        publish(folder, gen)
    except BaseException:
        if not is_current(folder, gen):
            shutil.rmtree(gen.root, ignore_errors=True)
        raise
    fault("published")
    cleanup_stale(folder)
    report["seconds"]["total"] = round(time.perf_counter() - t0, 3)
    return report


def _fill_store(
    cfg: Config, gen: Generation, change: Change, keys: list[str], graph_files: list[dict]
) -> tuple[int, dict[str, int]]:
    """Fill the generation's store (or the remote one): a bulk load of every part, the vocabulary
    (``graph.rdf.graphs``) and the loaded graphs for a full build, a checkpoint of the previous store
    (which holds the loaded graphs) plus the difference for a delta. Returns the default graph's
    triples and the named graphs' ones."""
    remote = cfg.remote_store
    named = [ONTOLOGY_GRAPH, SHAPES_GRAPH] + G.graph_iris(graph_files)
    if change.delta is not None:
        if remote:
            store = open_store(remote, auth=cfg.remote_auth)
        else:
            assert change.prev is not None
            OxigraphStore.checkpoint(change.prev.store, gen.store)
            store = open_store(str(gen.store))
        try:
            store.apply_delta(*change.delta)
            G.refresh_vocabulary(store)
            return store.triple_count(), store.graph_triples(named)
        finally:
            store.close()
    whole = gen.root / ".graph.nq"  # every part, the shared triples, the vocabulary, loaded graphs: in one go
    with open(whole, "wb") as out:
        for key in keys:
            with open(gen.part(key).own_nt, "rb") as f:
                shutil.copyfileobj(f, out)
        with open(gen.shared_nt, "rb") as f:
            shutil.copyfileobj(f, out)
        out.write(vocabulary_nquads().encode("utf-8"))
        for entry in graph_files:
            out.write(G.entry_nquads(gen, entry))
    try:
        store = open_store(remote, auth=cfg.remote_auth) if remote else open_store(str(gen.store))
        try:
            store.load(str(whole), replace=True, format="nquads")
            return store.triple_count(), store.graph_triples(named)
        finally:
            store.close()
    finally:
        whole.unlink(missing_ok=True)
