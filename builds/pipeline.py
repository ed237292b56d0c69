"""The build, stage by stage: parse → extract → RDF → SHACL → store (+ search index) → flip ``current``.

Each build writes a fresh generation folder (``builds.layout``) and only then points ``current``
at it (an atomic symlink rename), so a failure at any stage leaves the previous store and index
untouched.

A full build (``build_locked``) derives everything; ``plankg add`` / ``remove`` (``builds.corpus``)
call ``delta_locked``, which hard-links the parts of the files it keeps, derives only the added
ones, recomputes the shared triples and applies the difference to a checkpoint of the previous
store. Builds are serialised by the data folder's lock (``builds.lock.DataLock``); stale
generations and temporary files of an interrupted build are removed by the next build or server
start (``builds.generations.cleanup_stale``), never served. Crash tests inject faults with
``PLANKG_FAULT`` (``builds.faults``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph

from config import Config
from embeddings.encoders import Encoder
from graph.extract import agency_types, extract_file
from graph.model import ParsedFile
from graph.parse import ParseError, SourceFile, corpus_files, parse_sources, read_sources
from graph.rdf.build import Contributions, FilePart, file_part, ntriples, shared_graph
from graph.rdf.validate import validate

from . import parts as P
from .aggregates import agency_labels
from .errors import BuildError
from .faults import fault
from .generations import cleanup_stale
from .layout import DataFolder, Generation
from .lock import DataLock
from .report import Timer
from .writer import Change, write_generation


def build(
    cfg: Config,
    files: list[Path] | None = None,
    *,
    with_index: bool = True,
    progress: bool = False,
    encoders: str | None = None,
    sources: list[SourceFile] | None = None,
    lock_wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
    live_encoders: Sequence[Encoder] | None = None,
) -> dict:
    """Build graph and index from ``sources`` (or ``files``, default: every .txt of the corpus folder)
    and publish them as the new current generation.

    Holds the data folder's lock (waiting up to ``lock_wait`` s, default ``PLANKG_LOCK_WAIT``;
    ``builds.errors.Busy`` after that)."""
    if sources is None:
        paths = files if files is not None else corpus_files(cfg.corpus)
        if not paths:
            raise ParseError(str(cfg.corpus), "no .txt plan files to build from")
        sources = read_sources(paths)
    what = f"build {len(sources)} files" if files is not None else f"build {cfg.corpus}"
    with DataLock(cfg.data_dir, wait=lock_wait, what=what, on_wait=on_wait):
        return build_locked(
            cfg, sources, with_index=with_index, progress=progress, encoders=encoders, live_encoders=live_encoders
        )


def build_locked(
    cfg: Config,
    sources: Sequence[SourceFile],
    *,
    with_index: bool = True,
    progress: bool = False,
    encoders: str | None = None,
    live_encoders: Sequence[Encoder] | None = None,
) -> dict:
    """``build`` for a caller that already holds the data folder's lock (``builds.corpus``)."""
    timer, t0 = Timer(), time.perf_counter()
    if not sources:
        raise ParseError(str(cfg.corpus), "no .txt plan files to build from")
    # one canonical order: an add gives exactly what a full build of the same files gives
    sources = sorted(sources, key=lambda src: src.name)
    cleanup_stale(DataFolder(cfg.data_dir))
    with timer.stage("parse"):
        parsed = parse_sources(sources, progress)
    with timer.stage("extract"):
        for pf in parsed:
            extract_file(pf)
    fault("parsed")
    with timer.stage("rdf"):
        parts = [file_part(pf) for pf in parsed]
        merged = Contributions()
        for part in parts:
            merged.merge(part.contributions)
        shared = shared_graph(merged, agency_types())
        graph = _union(shared, parts)
    with timer.stage("shacl"):
        _validate(graph)
    change = Change(
        kept=[],
        new=[(src, pf, part) for src, pf, part in zip(sources, parsed, parts, strict=True)],
        shared_nt=ntriples(shared),
        graph_triples=len(graph),
        agency_labels=agency_labels(shared),
    )
    return write_generation(
        cfg, change, timer, t0, with_index=with_index, progress=progress, encoders=encoders, live_encoders=live_encoders
    )


def delta_locked(
    cfg: Config,
    prev: Generation,
    entries: Sequence[dict],
    keep: Sequence[str],
    added: Sequence[tuple[SourceFile, ParsedFile]],
    *,
    with_index: bool = True,
    progress: bool = False,
    encoders: str | None = None,
    live_encoders: Sequence[Encoder] | None = None,
) -> dict:
    """A change without a full rebuild: the files named in ``keep`` are taken from generation
    ``prev`` as they are (their parts, sources and triples), ``added`` are parsed files to add, and
    every other file of ``prev`` is removed. Only the added files are extracted, turned into RDF and
    validated (with the recomputed shared nodes); the store is a checkpoint of ``prev``'s with the
    difference applied. Same result as a full build of the same files (tested). The caller holds the
    data folder's lock; ``entries`` are ``builds.parts.reusable_entries(prev)``, which it checked."""
    timer, t0 = Timer(), time.perf_counter()
    by_file = {e["file"]: e for e in entries}
    kept = [by_file[name] for name in keep]
    gone = [e for name, e in by_file.items() if name not in set(keep)]
    cleanup_stale(DataFolder(cfg.data_dir))
    with timer.stage("extract"):
        for _, pf in added:
            extract_file(pf)
    fault("parsed")
    with timer.stage("rdf"):
        new_parts = [(src, pf, file_part(pf)) for src, pf in added]
        merged = Contributions()
        kept_parts = {e["file"]: P.read_part(prev, e["key"]) for e in kept}  # part.json, read once
        for part in kept_parts.values():
            merged.merge(Contributions.from_json(part["contributions"]))
        for _, _, new_part in new_parts:
            merged.merge(new_part.contributions)
        shared = shared_graph(merged, agency_types())
        check = _union(shared, [new_part for _, _, new_part in new_parts])
    with timer.stage("shacl"):
        _validate(check)
    with timer.stage("diff"):
        shared_nt = ntriples(shared)
        old_shared = set(ntriples_lines(prev.shared_nt.read_text(encoding="utf-8")))
        new_shared = set(ntriples_lines(shared_nt))
        remove = [ln for e in gone for ln in ntriples_lines(prev.part(e["key"]).own_nt.read_text(encoding="utf-8"))]
        remove += sorted(old_shared - new_shared)
        insert = [ln for _, _, new_part in new_parts for ln in ntriples_lines(ntriples(new_part.triples))]
        insert += sorted(new_shared - old_shared)
    graph_triples = (
        len(new_shared)
        + sum(part["summary"]["triples"] for part in kept_parts.values())
        + sum(len(new_part.triples) for _, _, new_part in new_parts)
    )
    change = Change(
        kept=kept,
        new=new_parts,
        shared_nt=shared_nt,
        graph_triples=graph_triples,
        prev=prev,
        kept_summaries={name: part["summary"] for name, part in kept_parts.items()},
        agency_labels=agency_labels(shared),
        delta=("\n".join(remove), "\n".join(insert)),
        info={
            "added": [src.name for src, _ in added],
            "removed": [e["file"] for e in gone],
            "kept": len(kept),
            "triples_removed": len(remove),
            "triples_added": len(insert),
        },
    )
    return write_generation(
        cfg, change, timer, t0, with_index=with_index, progress=progress, encoders=encoders, live_encoders=live_encoders
    )


def _union(shared: Graph, parts: Sequence[FilePart]) -> Graph:
    """The shared triples and the own triples of ``parts`` in one graph (what SHACL validates)."""
    graph = Graph()
    for t in shared:
        graph.add(t)
    for part in parts:
        for t in part.triples:
            graph.add(t)
    return graph


def ntriples_lines(text: str) -> list[str]:
    """The non-blank lines of an N-Triples document."""
    return [ln for ln in text.split("\n") if ln.strip()]


def _validate(graph: Graph) -> None:
    conforms, report, violations = validate(graph)
    if not conforms:
        raise BuildError(
            f"SHACL validation failed with {violations} violation(s); nothing was stored.\n{report[:4000]}"
        )
