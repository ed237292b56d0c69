"""Analysts' own RDF beside the plans: files loaded into named graphs with ``plankg load``.

A loaded file is kept byte for byte in the generation (``graphs/<key><suffix>``) and listed in
``graphs/manifest.json`` (its graph IRIs and their triples, file name, sha256, format, loaded_at).
Every later generation — ``plankg build``, ``add``, ``remove``, the admin API, any caller of
``builds.writer`` — takes the current generation's files and manifest along (hard links, ``carry``)
and has the graphs in its store: a delta's store is a checkpoint that holds them already, a full build
loads them again from the files (``entry_nquads``). So loaded graphs survive adds, removes and rebuilds,
and a generation (a backup of it, ``previous``) holds the graphs it serves.

Loading or removing a graph is a generation of its own, like a delta: a checkpoint of the current store
with the graph dropped and/or loaded, every other file of the current generation hard-linked, then the
flip, under the data folder's lock. The file is parsed before anything else happens: a bad file
changes nothing and its error names file, line and reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from config import Config
from graph.fsutil import fsync_tree
from graph.parse import ParseError
from graph.rdf.graphs import ONTOLOGY_GRAPH, SHAPES_GRAPH, refusal, reserved, user_graph_iri, vocabulary_nquads
from graph.store import Store, open_store
from graph.store.formats import FILE_EXTENSIONS, OX_RDF_FORMATS, rdf_format_of
from graph.store.oxigraph import OxigraphStore
from graph.store.terms import serialized

from .errors import BuildError, CorpusError, NotStored
from .generations import cleanup_stale, current_generation, digest_problem, is_current, new_generation, publish
from .layout import DataFolder, Generation
from .lock import DataLock
from .parts import link_or_copy

LOADABLE = ("turtle", "ntriples", "nquads", "trig", "rdf-xml", "json-ld")
MANIFEST_SCHEMA = 1
_POSITION = re.compile(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ")


@dataclass
class GraphFile:
    """A file parsed and checked, ready to load: every quad in the graph it goes to."""

    name: str
    data: bytes
    format: str
    graph: str | None  # as asked (--graph), None: the file's own graph names or the default user graph
    nquads: bytes
    graphs: dict[str, int]  # IRI -> triples

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# ----------------------------------------------------------------------------------------- reading


def read_graph_file(path: str | Path, *, graph: str | None = None, format: str | None = None) -> GraphFile:
    """Read and parse an RDF file for ``load``. ParseError (file, line, reason) for a file that does not
    parse; CorpusError for a graph name that may not be used."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ParseError(p.name, f"cannot read the file: {e.strerror or e}") from None
    return parse_graph_file(p.name, data, graph=graph, format=format)


def parse_graph_file(name: str, data: bytes, *, graph: str | None = None, format: str | None = None) -> GraphFile:
    fmt = _format_of(name, format)
    if graph is not None and (why := refusal(graph)):
        raise CorpusError(f"cannot load {name} into that graph: {why}")
    fallback = graph or user_graph_iri(Path(name).stem)
    quads = _parse(name, data, fmt, base=fallback)
    out: set[ox.Quad] = set()
    counts: Counter[str] = Counter()
    for q in quads:
        g = q.graph_name
        if graph is None and isinstance(g, ox.BlankNode):
            raise CorpusError(f"{name}: a graph named by a blank node cannot be kept; pass --graph IRI")
        target = graph or (g.value if isinstance(g, ox.NamedNode) else fallback)
        quad = ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(target))
        if quad not in out:
            out.add(quad)
            counts[target] += 1
    if not out:
        raise ParseError(name, "no triples in the file")
    for iri in sorted(counts):
        if why := refusal(iri):
            raise CorpusError(f"cannot load {name}: {why}")
    nquads = serialized(ox.serialize(sorted(out, key=str), format=ox.RdfFormat.N_QUADS))
    return GraphFile(name, data, fmt, graph, nquads, dict(sorted(counts.items())))


def _format_of(name: str, format: str | None) -> str:
    try:
        fmt = rdf_format_of(format, name)
    except ValueError:
        fmt = ""
    if fmt not in LOADABLE:
        what = f"format {format!r}" if format else f"the suffix of {name!r}"
        raise ParseError(
            name,
            f"cannot load RDF of {what}; pass --format with one of {', '.join(LOADABLE)} "
            f"(suffixes {', '.join(s for s, f in FILE_EXTENSIONS.items() if f in LOADABLE)})",
        )
    return fmt


def _parse(name: str, data: bytes, fmt: str, *, base: str) -> list[ox.Quad]:
    try:
        return list(ox.parse(data, format=OX_RDF_FORMATS[fmt], base_iri=base))
    except SyntaxError as e:
        reason = _POSITION.sub("", str(e.msg or e))
        if "LoadDocumentCallback" in reason:
            reason = "the JSON-LD @context is remote and is not fetched (no network at run time); inline it"
        if e.lineno and e.offset:
            reason = f"column {e.offset}: {reason}"
        raise ParseError(name, f"not valid {fmt}: {reason}", e.lineno or 0) from None
    except (ValueError, OSError) as e:
        raise ParseError(name, f"not valid {fmt}: {e}") from None


# ----------------------------------------------------------------------------------------- manifest


def entries(gen: Generation | None) -> list[dict]:
    """The loaded graphs of a generation (entries of ``graphs/manifest.json``; [] when none)."""
    if gen is None:
        return []
    try:
        doc = json.loads(gen.graphs_manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(doc.get("files", []))


def graph_iris(files: list[dict]) -> list[str]:
    return sorted({g for e in files for g in e["graphs"]})


def _write_manifest(gen: Generation, files: list[dict]) -> None:
    gen.graphs.mkdir(exist_ok=True)
    doc = {"schema": MANIFEST_SCHEMA, "files": sorted(files, key=lambda e: (min(e["graphs"]), e["file"]))}
    gen.graphs_manifest.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def carry(src: Generation | None, dst: Generation) -> list[dict]:
    """Take the loaded graphs of ``src`` (the current generation) into the new generation ``dst``:
    the files as hard links, the manifest as it is. Returns its entries."""
    files = entries(src)
    if src is None or not files:
        return []
    dst.graphs.mkdir()
    for e in files:
        link_or_copy(src.graph_file(e["stored"]), dst.graph_file(e["stored"]))
    _write_manifest(dst, files)
    return files


def entry_nquads(gen: Generation, entry: dict) -> bytes:
    """The quads of a loaded file, in their graphs (a full build loads them again)."""
    path = gen.graph_file(entry["stored"])
    try:
        data = path.read_bytes()
        return parse_graph_file(entry["file"], data, graph=entry.get("graph"), format=entry["format"]).nquads
    except (OSError, ParseError, CorpusError) as e:
        raise BuildError(
            f"the loaded graph file {entry['file']} ({', '.join(entry['graphs'])}) cannot be loaded again: {e}; "
            f"remove it with `plankg load --remove {entry['file']}`"
        ) from None


def refresh_vocabulary(store: Store) -> None:
    """Put the ontology and shapes named graphs (and the ontology's triples in the default graph) into a
    store taken over from another generation: they are those of this code, whatever it held."""
    store.update(f"DROP SILENT GRAPH <{ONTOLOGY_GRAPH}> ; DROP SILENT GRAPH <{SHAPES_GRAPH}>")
    store.load(vocabulary_nquads().encode("utf-8"), replace=False, format="nquads")


def problems(gen: Generation) -> list[str]:
    """Loaded graph files missing or changed (for ``check_generation``)."""
    found = [
        digest_problem(gen.graph_file(e["stored"]), e["sha256"], f"loaded graph file {e['file']}") for e in entries(gen)
    ]
    return [p for p in found if p]


# ----------------------------------------------------------------------------------------- load / remove


def load(
    cfg: Config,
    gf: GraphFile,
    *,
    lock_wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
) -> dict:
    """Load a parsed file (``read_graph_file``) into its named graphs of a new generation. A graph loaded
    before is replaced (its whole content: the graph holds the file and nothing else)."""
    with DataLock(cfg.data_dir, wait=lock_wait, what=f"load {gf.name}", on_wait=on_wait):
        prev = _current(cfg)
        files = entries(prev)
        replaced = [e for e in files if set(e["graphs"]) & set(gf.graphs)]
        for e in replaced:
            if rest := sorted(set(e["graphs"]) - set(gf.graphs)):
                raise CorpusError(
                    f"{gf.name} would replace only part of the loaded file {e['file']}, which also holds "
                    f"{', '.join(rest)}; load a file with all of its graphs, "
                    f"or `plankg load --remove {e['file']}` first"
                )
        if [(e["sha256"], e["graphs"]) for e in replaced] == [(gf.sha256, gf.graphs)]:
            return {"status": "unchanged", "generation": prev.name, "file": gf.name, "graphs": gf.graphs}
        stored = f"{gf.sha256[:16]}{Path(gf.name).suffix.lower() or '.' + gf.format}"
        entry = {
            "file": gf.name,
            "stored": stored,
            "sha256": gf.sha256,
            "bytes": len(gf.data),
            "format": gf.format,
            "graph": gf.graph,
            "graphs": gf.graphs,
            "triples": sum(gf.graphs.values()),
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        kept = [e for e in files if e not in replaced]
        report = _generation(
            cfg,
            prev,
            kept + [entry],
            drop=list(gf.graphs),
            insert=gf.nquads,
            new_file=(stored, gf.data),
            change={"loaded": gf.name, "graphs": list(gf.graphs), "replaced": [e["file"] for e in replaced]},
        )
    return {
        "status": "replaced" if replaced else "loaded",
        "generation": report["generation"],
        "file": gf.name,
        "graphs": gf.graphs,
        "replaced": [e["file"] for e in replaced],
        "triples": report["triples"],
        "seconds": report["seconds"]["total"],
    }


def remove(
    cfg: Config,
    target: str,
    *,
    lock_wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
) -> dict:
    """Drop a loaded graph (named by its IRI) or every graph of a loaded file (named by its file name)."""
    if why := reserved(target):
        raise CorpusError(f"cannot remove that graph: {why}")
    with DataLock(cfg.data_dir, wait=lock_wait, what=f"load --remove {target}", on_wait=on_wait):
        prev = _current(cfg)
        files = entries(prev)
        entry = next((e for e in files if target in e["graphs"]), None) or next(
            (e for e in files if target == e["file"]), None
        )
        if entry is None:
            raise NotStored(f"no loaded graph or file {target!r} (see `plankg list`)")
        if target in entry["graphs"] and len(entry["graphs"]) > 1:
            others = ", ".join(g for g in entry["graphs"] if g != target)
            raise CorpusError(
                f"{target} was loaded from {entry['file']} together with {others}; "
                f"remove them all with `plankg load --remove {entry['file']}`"
            )
        report = _generation(
            cfg,
            prev,
            [e for e in files if e is not entry],
            drop=list(entry["graphs"]),
            insert=None,
            new_file=None,
            change={"removed": entry["file"], "graphs": list(entry["graphs"])},
        )
    return {
        "status": "removed",
        "generation": report["generation"],
        "file": entry["file"],
        "graphs": entry["graphs"],
        "triples": report["triples"],
        "seconds": report["seconds"]["total"],
    }


def _link(src: str, dst: str) -> None:
    link_or_copy(Path(src), Path(dst))


def _current(cfg: Config) -> Generation:
    gen = current_generation(DataFolder(cfg.data_dir))
    if gen is None or not gen.read_build():
        raise CorpusError(f"no graph built yet in {cfg.data_dir}: run `plankg build` first")
    if not cfg.remote_store and not gen.store.is_dir():
        raise CorpusError(f"the current generation {gen.name} has no store: run `plankg build`")
    return gen


def _generation(
    cfg: Config,
    prev: Generation,
    files: list[dict],
    *,
    drop: list[str],
    insert: bytes | None,
    new_file: tuple[str, bytes] | None,
    change: dict,
) -> dict:
    """A new generation: ``prev`` with the graphs of ``drop`` dropped and ``insert`` (N-Quads) loaded,
    its graphs ``files``; every other file a hard link into ``prev``; then the flip."""
    t0 = time.perf_counter()
    folder = DataFolder(cfg.data_dir)
    cleanup_stale(folder)
    report = prev.read_build()
    gen = new_generation(folder, report.get("corpus_sha256") or "0" * 8)
    try:
        for sub in (prev.sources, prev.derived, prev.parts, prev.index):
            if sub.is_dir():
                shutil.copytree(sub, gen.root / sub.name, copy_function=_link)
        for kept in ("shared_nt", "aggregates_json"):  # the plans are unchanged by a load
            if getattr(prev, kept).is_file():
                link_or_copy(getattr(prev, kept), getattr(gen, kept))
        if files:
            gen.graphs.mkdir()
            for e in files:
                if new_file is not None and e["stored"] == new_file[0]:
                    gen.graph_file(e["stored"]).write_bytes(new_file[1])
                else:
                    link_or_copy(prev.graph_file(e["stored"]), gen.graph_file(e["stored"]))
            _write_manifest(gen, files)
        if cfg.remote_store:
            store = open_store(cfg.remote_store, auth=cfg.remote_auth)
        else:
            OxigraphStore.checkpoint(prev.store, gen.store)
            store = open_store(str(gen.store))
        try:
            if drop:
                store.update(" ; ".join(f"DROP SILENT GRAPH <{g}>" for g in drop))
            if insert:
                store.load(insert, replace=False, format="nquads")
            refresh_vocabulary(store)
            report["triples"] = store.triple_count()
            report["graphs"] = store.graph_triples([ONTOLOGY_GRAPH, SHAPES_GRAPH] + graph_iris(files))
        finally:
            store.close()
        report.pop("delta", None)
        report["graph_change"] = dict(change, base=prev.name)
        report["generation"] = gen.name
        report["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        report["seconds"] = {"total": round(time.perf_counter() - t0, 3)}
        gen.build_json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        fsync_tree(gen.root)
        publish(folder, gen)
    except BaseException:
        if not is_current(folder, gen):
            shutil.rmtree(gen.root, ignore_errors=True)
        raise
    cleanup_stale(folder)
    return report
