"""The build, stage by stage: parse → extract → RDF → SHACL → store (+ search index) → flip ``current``.

Each build writes a fresh generation folder and only then points ``current`` at it (an atomic
symlink rename), so a failure at any stage leaves the previous store and index untouched.

A generation is self-contained::

    gen-<time>-<corpus sha256[:8]>-<pid>-<rand>/
        sources/*.txt     byte-identical copies of the plan files it was built from
        parts/<key>/      what was derived from each file alone (``graph.parts``)
        shared.nt         the shared triples (agencies, cited documents, schemes)
        store/            the RDF store (pyoxigraph / RocksDB)
        index/            the search index (meta.json records the corpus sha256 too)
        build.json        the build report: counts, timings, sources (name, sha256, plans), parts
        .readers          flock'ed (shared) by every process serving this generation

A full build (``build_locked``) derives everything; ``plankg add`` / ``remove`` (``graph.corpus``)
call ``delta_locked``, which hard-links the parts of the files it keeps, derives only the added
ones, recomputes the shared triples and applies the difference to a checkpoint of the previous
store. Builds are serialised by a lock file in the data folder
(``graph.corpus.DataLock``); stale generations and temporary files of an interrupted build are
removed by the next build or server start (``graph.corpus.cleanup_stale``), never served.

``PLANKG_FAULT=<stage>`` (testing only) kills the process with SIGKILL at that stage
(``parsed``, ``store``, ``index``, ``manifest``, ``flip``, ``published``); ``PLANKG_FAULT=error:<stage>``
raises an exception there instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from rdflib import Graph

from .extract import extract_unit, find_laws, table_indicator
from .model import ParsedFile
from .fsutil import fsync_path, fsync_tree
from .parse import ParseError, corpus_files, parse_bytes, read_source_bytes
from .settings import Settings


class BuildError(RuntimeError):
    """The build could not produce a valid graph; nothing already stored was changed."""


def _progress(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=desc, unit="file", leave=False)


@dataclass
class SourceFile:
    """A plan file to build from: its name (kept as the provenance file name and as
    ``sources/<name>`` in the generation) and its exact bytes."""
    name: str
    data: bytes
    origin: str = ""      # where it was read from (a path), for messages

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_sources(paths: Iterable[Path]) -> list[SourceFile]:
    """Read plan files (size checked before reading); a bad one raises ParseError naming it
    (after all were tried)."""
    out, errors = [], []
    for path in paths:
        path = Path(path)
        try:
            out.append(SourceFile(path.name, read_source_bytes(path), str(path)))
        except ParseError as e:
            errors.append(e)
    _raise_all(errors)
    return out


def _raise_all(errors: list[ParseError]) -> None:
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    raise ParseError(errors[0].file, errors[0].reason + "; " + "; ".join(str(e) for e in errors[1:])
                     + f" ({len(errors)} bad files)", errors[0].line)


def parse_sources(sources: Sequence[SourceFile], progress: bool = False) -> list[ParsedFile]:
    """Parse every source; bad ones raise ParseError naming file, line and reason (all are tried
    first). Two files of one name or two plans of one title are refused."""
    from .rdf.iri import normalise_title

    names: dict[str, str] = {}
    for src in sources:
        if src.name in names:
            raise ParseError(src.name, f"two files named {src.name} in one corpus "
                                       f"({names[src.name] or 'one'} and {src.origin or 'another'})")
        names[src.name] = src.origin
    parsed, errors = [], []
    for src in _progress(list(sources), "parse", progress):
        try:
            parsed.append(parse_bytes(src.data, src.name))
        except ParseError as e:
            errors.append(e)
    _raise_all(errors)
    titles: dict[str, str] = {}
    for pf in parsed:
        for plan in pf.plans:
            key = normalise_title(plan.title)
            if key in titles:
                where = "twice in this file" if titles[key] == pf.file else f"already in {titles[key]}"
                raise ParseError(pf.file, f"duplicate plan title {plan.title!r}, {where}", plan.source.line)
            titles[key] = pf.file
    return parsed


def parse_files(paths: Iterable[Path], progress: bool = False) -> list[ParsedFile]:
    """Parse every file; a bad file raises ParseError naming it (after all files were tried)."""
    return parse_sources(read_sources(paths), progress)


def extract_file(parsed: ParsedFile) -> ParsedFile:
    """Agencies, laws and indicators for every unit and table row of a parsed file (in place)."""
    for plan in parsed.plans:
        plan.preamble_laws = find_laws(plan.preamble)
        for _, unit in plan.units():
            extract_unit(unit, plan.region, plan.level, plan.period_end)
        for table in plan.tables:
            for row in table.rows:
                row.indicator = table_indicator(row, table)
    return parsed


class Timer:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        t0 = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - t0, 3)


def _fault(stage: str) -> None:
    """Test hook: ``PLANKG_FAULT=<stage>`` kills this process here, ``error:<stage>`` raises."""
    fault = os.environ.get("PLANKG_FAULT", "")
    if not fault:
        return
    if fault == stage:
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == f"error:{stage}":
        raise RuntimeError(f"injected failure at stage {stage!r} (PLANKG_FAULT)")


def build(settings: Settings, files: Optional[list[Path]] = None, *, with_index: bool = True,
          progress: bool = False, encoders: Optional[str] = None, sources: Optional[list[SourceFile]] = None,
          lock_wait: Optional[float] = None, on_wait: Optional[Callable[[dict], None]] = None,
          live_encoders=None) -> dict:
    """Build graph and index from ``sources`` (or ``files``, default: every .txt of the corpus folder)
    and publish them as the new current generation.

    Holds the data folder's lock (waiting up to ``lock_wait`` s, default ``$PLANKG_LOCK_WAIT`` or
    10 min; ``graph.corpus.Busy`` after that)."""
    from .corpus import DataLock

    if sources is None:
        paths = files if files is not None else corpus_files(settings.corpus)
        if not paths:
            raise ParseError(str(settings.corpus), "no .txt plan files to build from")
        sources = read_sources(paths)
    what = f"build {len(sources)} files" if files is not None else f"build {settings.corpus}"
    with DataLock(settings.data_dir, wait=lock_wait, what=what, on_wait=on_wait):
        return build_locked(settings, sources, with_index=with_index, progress=progress, encoders=encoders,
                            live_encoders=live_encoders)


def build_locked(settings: Settings, sources: Sequence[SourceFile], *, with_index: bool = True,
                 progress: bool = False, encoders: Optional[str] = None, live_encoders=None) -> dict:
    """``build`` for a caller that already holds the data folder's lock (``graph.corpus``)."""
    from .corpus import cleanup_stale
    from .extract import agency_types
    from .rdf.build import Contributions, file_part, ntriples, shared_graph

    timer, t0 = Timer(), time.perf_counter()
    if not sources:
        raise ParseError(str(settings.corpus), "no .txt plan files to build from")
    # one canonical order: an add gives exactly what a full build of the same files gives
    sources = sorted(sources, key=lambda src: src.name)
    cleanup_stale(settings)
    with timer.stage("parse"):
        parsed = parse_sources(sources, progress)
    with timer.stage("extract"):
        for pf in parsed:
            extract_file(pf)
    _fault("parsed")
    with timer.stage("rdf"):
        parts = [file_part(pf) for pf in parsed]
        merged = Contributions()
        for part in parts:
            merged.merge(part.contributions)
        shared = shared_graph(merged, agency_types())
        graph = _union(shared, parts)
    with timer.stage("shacl"):
        _validate(graph)
    change = _Change(kept=[], new=[(src, pf, part) for src, pf, part in zip(sources, parsed, parts)],
                     shared_nt=ntriples(shared), graph_triples=len(graph))
    return _write_generation(settings, change, timer, t0, with_index=with_index, progress=progress,
                             encoders=encoders, live_encoders=live_encoders)


def delta_locked(settings: Settings, prev: Path, entries: Sequence[dict], keep: Sequence[str],
                 added: Sequence[tuple[SourceFile, ParsedFile]], *, with_index: bool = True,
                 progress: bool = False, encoders: Optional[str] = None, live_encoders=None) -> dict:
    """A change without a full rebuild: the files named in ``keep`` are taken from generation
    ``prev`` as they are (their parts, sources and triples), ``added`` are parsed files to add, and
    every other file of ``prev`` is removed. Only the added files are extracted, turned into RDF and
    validated (with the recomputed shared nodes); the store is a checkpoint of ``prev``'s with the
    difference applied. Same result as a full build of the same files (tested). The caller holds the
    data folder's lock; ``entries`` are ``graph.parts.reusable_entries(prev)``, which it checked."""
    from . import parts as P
    from .corpus import cleanup_stale
    from .extract import agency_types
    from .rdf.build import Contributions, file_part, ntriples, shared_graph

    timer, t0 = Timer(), time.perf_counter()
    by_file = {e["file"]: e for e in entries}
    kept = [by_file[name] for name in keep]
    gone = [e for name, e in by_file.items() if name not in set(keep)]
    cleanup_stale(settings)
    with timer.stage("extract"):
        for _, pf in added:
            extract_file(pf)
    _fault("parsed")
    with timer.stage("rdf"):
        new_parts = [(src, pf, file_part(pf)) for src, pf in added]
        merged = Contributions()
        kept_parts = {e["file"]: P.read_part(prev, e["key"]) for e in kept}     # part.json, read once
        for part in kept_parts.values():
            merged.merge(Contributions.from_json(part["contributions"]))
        for _, _, part in new_parts:
            merged.merge(part.contributions)
        shared = shared_graph(merged, agency_types())
        check = _union(shared, [part for _, _, part in new_parts])
    with timer.stage("shacl"):
        _validate(check)
    with timer.stage("diff"):
        shared_nt = ntriples(shared)
        old_shared = set(_lines((prev / "shared.nt").read_text(encoding="utf-8")))
        new_shared = set(_lines(shared_nt))
        remove = [ln for e in gone for ln in _lines(P.own_path(prev, e["key"]).read_text(encoding="utf-8"))]
        remove += sorted(old_shared - new_shared)
        insert = [ln for _, _, part in new_parts for ln in _lines(ntriples(part.triples))]
        insert += sorted(new_shared - old_shared)
    graph_triples = len(new_shared) + sum(part["summary"]["triples"] for part in kept_parts.values()) \
        + sum(len(part.triples) for _, _, part in new_parts)
    change = _Change(kept=kept, new=new_parts, shared_nt=shared_nt, graph_triples=graph_triples, prev=prev,
                     kept_summaries={name: part["summary"] for name, part in kept_parts.items()},
                     delta=("\n".join(remove), "\n".join(insert)),
                     info={"added": [src.name for src, _ in added], "removed": [e["file"] for e in gone],
                           "kept": len(kept), "triples_removed": len(remove), "triples_added": len(insert)})
    return _write_generation(settings, change, timer, t0, with_index=with_index, progress=progress,
                             encoders=encoders, live_encoders=live_encoders)


def _union(shared: Graph, parts) -> Graph:
    """The shared triples and the own triples of ``parts`` in one graph (what SHACL validates)."""
    graph = Graph()
    for t in shared:
        graph.add(t)
    for part in parts:
        for t in part.triples:
            graph.add(t)
    return graph


def _lines(text: str) -> list[str]:
    return [ln for ln in text.split("\n") if ln.strip()]


def _validate(graph) -> None:
    from .rdf.validate import validate
    conforms, report, violations = validate(graph)
    if not conforms:
        raise BuildError(f"SHACL validation failed with {violations} violation(s); nothing was stored.\n{report[:4000]}")


@dataclass
class _Change:
    """What a new generation is made of: parts kept from ``prev`` (entries of its build.json)
    and new ones (source, parsed and extracted file, its ``FilePart``); the shared triples; for a
    delta, the N-Triples to remove from and insert into a checkpoint of ``prev``'s store."""
    kept: list
    new: list
    shared_nt: str
    graph_triples: int
    prev: Optional[Path] = None
    delta: Optional[tuple[str, str]] = None
    info: Optional[dict] = None
    kept_summaries: Optional[dict] = None


def _write_generation(settings: Settings, change: _Change, timer: "Timer", t0: float, *, with_index: bool,
                      progress: bool, encoders: Optional[str], live_encoders) -> dict:
    from . import parts as P
    from .corpus import cleanup_stale, current_index_meta
    from embeddings.documents import docs_from_plans

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prev = change.prev
    summaries = dict(change.kept_summaries or {})
    for src, pf, part in change.new:
        summaries[pf.file] = P.summarize(pf, part, len(src.data))
    names = sorted(summaries)
    digest = _corpus_digest(summaries)
    hints_meta = current_index_meta(settings)
    gen = settings.data_dir / (f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{digest[:8]}-{os.getpid()}"
                               f"-{uuid.uuid4().hex[:6]}")
    gen.mkdir()
    try:
        (gen / ".readers").touch()
        with timer.stage("sources"):
            src_dir = gen / "sources"
            src_dir.mkdir()
            for e in change.kept:
                P.link_or_copy(prev / "sources" / e["file"], src_dir / e["file"])
            for src, _, _ in change.new:
                (src_dir / src.name).write_bytes(src.data)
        with timer.stage("parts"):
            entries = {e["file"]: {"file": e["file"], "sha256": e["sha256"], "key": e["key"]} for e in change.kept}
            for e in change.kept:
                P.link_part(prev, gen, e["key"])
            new_docs = {}
            for src, pf, part in change.new:
                new_docs[pf.file] = docs_from_plans([pf])
                entries[pf.file] = P.write_part(gen / "parts", pf, part, new_docs[pf.file], summaries[pf.file])
            (gen / "shared.nt").write_text(change.shared_nt, encoding="utf-8")
        with timer.stage("store"):
            triples = _fill_store(settings, gen, change, [entries[n]["key"] for n in names])
        _fault("store")
        index_info = None
        if with_index:
            from embeddings.build import build_index, hints_from_meta
            with timer.stage("index"):
                docs = [d for n in names
                        for d in (new_docs[n] if n in new_docs else P.read_docs(gen, entries[n]["key"]))]
                index_info = build_index(None, gen / "index", encoders=encoders, progress=progress,
                                         cache_dir=settings.data_dir / "embedding-cache",
                                         hints=hints_from_meta(hints_meta), live=live_encoders,
                                         extra_meta={"plankg_corpus_sha256": digest}, docs=docs)
            _fault("index")
        report = _report([summaries[n] for n in names], triples, change.graph_triples, digest, timer, t0,
                         index_info)
        report["generation"] = gen.name
        report["parts"] = {"schema": P.PARTS_SCHEMA, "fingerprint": P.fingerprint(),
                           "files": [entries[n] for n in names]}
        if change.info is not None:
            report["delta"] = dict(change.info, base=prev.name)
        (gen / "build.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        _fault("manifest")
        with timer.stage("sync"):
            fsync_tree(gen)
        _fault("flip")
        _publish(settings, gen)
    except BaseException:
        if not (settings.current.is_symlink() and os.readlink(settings.current) == gen.name):
            shutil.rmtree(gen, ignore_errors=True)
        raise
    _fault("published")
    cleanup_stale(settings)
    report["seconds"]["total"] = round(time.perf_counter() - t0, 3)
    return report


def _fill_store(settings: Settings, gen: Path, change: _Change, keys: list[str]) -> int:
    """Fill the generation's store (or the remote one): a bulk load of every part for a full build,
    a checkpoint of the previous store plus the difference for a delta."""
    from . import parts as P
    from .store import open_store

    remote = settings.remote_store
    if change.delta is not None:
        if remote:
            store = open_store(remote, auth=settings.remote_auth)
        else:
            from .store.oxigraph import OxigraphStore
            OxigraphStore.checkpoint(change.prev / "store", gen / "store")
            store = open_store(str(gen / "store"))
        try:
            store.apply_delta(*change.delta)
            return store.triple_count()
        finally:
            store.close()
    whole = gen / ".graph.nt"            # every part + the shared triples, loaded in one go
    with open(whole, "wb") as out:
        for key in keys:
            with open(P.own_path(gen, key), "rb") as f:
                shutil.copyfileobj(f, out)
        with open(gen / "shared.nt", "rb") as f:
            shutil.copyfileobj(f, out)
    try:
        store = open_store(remote, auth=settings.remote_auth) if remote else open_store(str(gen / "store"))
        try:
            store.load(str(whole), replace=True, format="ntriples")
            return store.triple_count()
        finally:
            store.close()
    finally:
        whole.unlink(missing_ok=True)


def _corpus_digest(summaries: dict) -> str:
    h = hashlib.sha256()
    for name in sorted(summaries):
        h.update(f"{name}\0{summaries[name]['sha256']}\n".encode())
    return h.hexdigest()


def _point(settings: Settings, name: str, target: str) -> None:
    """Atomically make ``data_dir/name`` a symlink to ``target`` (a sibling folder name)."""
    link = settings.data_dir / name
    tmp = settings.data_dir / f".{name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.symlink_to(target)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _publish(settings: Settings, gen: Path) -> None:
    """Point ``current`` at ``gen`` atomically; ``previous`` keeps the generation it replaces
    (a roll-back point; older ones are removed by ``cleanup_stale``)."""
    link = settings.current
    old = os.readlink(link) if link.is_symlink() else None
    if old and old != gen.name and (settings.data_dir / old).is_dir():
        _point(settings, "previous", old)
    _point(settings, "current", gen.name)
    fsync_path(settings.data_dir)


def _report(summaries: list[dict], triples: int, graph_triples: int, digest: str, timer: Timer, t0: float,
            index_info) -> dict:
    plans = [p for s in summaries for p in s["plans"]]
    union = lambda key: len({v for s in summaries for v in s[key]})   # noqa: E731
    timer.seconds["total"] = round(time.perf_counter() - t0, 3)
    return {
        "files": len(summaries), "plans": len(plans), "corpus_sha256": digest,
        "counts": {p["title"]: p["counts"] for p in plans},
        "totals": {k: sum(p["counts"][k] for p in plans) for k in ("domains", "goals", "measures", "key_projects")},
        "agencies": union("agency_labels"), "agency_types": union("agency_keys"), "laws": union("laws"),
        "indicators": sum(s["indicators"] for s in summaries),
        "table_rows": sum(s["table_rows"] for s in summaries),
        "triples": triples, "graph_triples": graph_triples, "seconds": timer.seconds, "index": index_info,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": [{"file": s["file"], "sha256": s["sha256"], "bytes": s["bytes"], "encoding": s["encoding"],
                     "notices": [n for n in s["notices"] if n.startswith("not UTF-8")],
                     "plans": [{"title": p["title"], "iri": p["iri"]} for p in s["plans"]]} for s in summaries],
    }
