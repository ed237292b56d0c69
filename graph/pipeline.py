"""The build, stage by stage: parse → extract → RDF → SHACL → store (+ search index) → flip ``current``.

Each build writes a fresh generation folder and only then points ``current`` at it (an atomic
symlink rename), so a failure at any stage leaves the previous store and index untouched.

A generation is self-contained::

    gen-<time>-<corpus sha256[:8]>-<pid>-<rand>/
        sources/*.txt     byte-identical copies of the plan files it was built from
        store/            the RDF store (pyoxigraph / RocksDB)
        index/            the search index (meta.json records the corpus sha256 too)
        build.json        the build report: counts, timings, sources (name, sha256, plans)
        corpus.json       the parsed plan model
        .readers          flock'ed (shared) by every process serving this generation

so ``plankg add`` / ``remove`` (``graph.corpus``) rebuild from the current generation's sources
plus or minus some files. Builds are serialised by a lock file in the data folder
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

from .extract import extract_unit, find_laws, table_indicator
from .model import ParsedFile
from .fsutil import fsync_path, fsync_tree
from .parse import ParseError, corpus_files, parse_bytes, read_source_bytes
from .rdf.iri import plan_iri
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


def corpus_hash(parsed: list[ParsedFile]) -> str:
    h = hashlib.sha256()
    for pf in sorted(parsed, key=lambda p: p.file):
        h.update(f"{pf.file}\0{pf.sha256}\n".encode())
    return h.hexdigest()


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
    from .corpus import cleanup_stale, current_index_meta
    from .rdf.build import plans_to_graph
    from .rdf.validate import validate
    from .extract import agency_types
    from .store import open_store

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
        graph = plans_to_graph(parsed, agency_types())
    with timer.stage("shacl"):
        conforms, report, violations = validate(graph)
    if not conforms:
        raise BuildError(f"SHACL validation failed with {violations} violation(s); nothing was stored.\n{report[:4000]}")

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    digest = corpus_hash(parsed)
    hints_meta = current_index_meta(settings)
    gen = settings.data_dir / (f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{digest[:8]}-{os.getpid()}"
                               f"-{uuid.uuid4().hex[:6]}")
    gen.mkdir()
    try:
        (gen / ".readers").touch()
        with timer.stage("sources"):
            src_dir = gen / "sources"
            src_dir.mkdir()
            for src in sources:
                (src_dir / src.name).write_bytes(src.data)
        with timer.stage("store"):
            if settings.remote_store:
                store = open_store(settings.remote_store, auth=settings.remote_auth)
            else:
                store = open_store(str(gen / "store"))
            store.load(graph, replace=True)
            triples = store.triple_count()
            store.close()
        _fault("store")
        index_info = None
        if with_index:
            from embeddings.build import build_index, hints_from_meta
            with timer.stage("index"):
                index_info = build_index(parsed, gen / "index", encoders=encoders, progress=progress,
                                         cache_dir=settings.data_dir / "embedding-cache",
                                         hints=hints_from_meta(hints_meta), live=live_encoders,
                                         extra_meta={"plankg_corpus_sha256": digest})
            _fault("index")
        report = _report(parsed, graph, triples, digest, timer, t0, index_info)
        report["generation"] = gen.name
        report["sources"] = [{"file": pf.file, "sha256": pf.sha256, "bytes": len(src.data), "encoding": pf.encoding,
                              "notices": [n for n in pf.notices if n.startswith("not UTF-8")],
                              "plans": [{"title": p.title, "iri": str(plan_iri(p))} for p in pf.plans]}
                             for pf, src in zip(parsed, sources)]
        (gen / "corpus.json").write_text(json.dumps([pf.to_dict() for pf in parsed], ensure_ascii=False),
                                         encoding="utf-8")
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


def _report(parsed, graph, triples, digest, timer, t0, index_info) -> dict:
    plans = [p for pf in parsed for p in pf.plans]
    agencies = {(m.label) for p in plans for _, u in p.units() for m in u.agencies}
    laws = {m.title for p in plans for _, u in p.units() for m in u.laws}
    indicators = sum(len(u.indicators) for p in plans for _, u in p.units())
    table_rows = sum(len(t.rows) for p in plans for t in p.tables)
    timer.seconds["total"] = round(time.perf_counter() - t0, 3)
    return {
        "files": len(parsed), "plans": len(plans), "corpus_sha256": digest,
        "counts": {p.title: p.counts() for p in plans},
        "totals": {k: sum(p.counts()[k] for p in plans) for k in ("domains", "goals", "measures", "key_projects")},
        "agencies": len(agencies), "agency_types": len({m.key for p in plans for _, u in p.units() for m in u.agencies}),
        "laws": len(laws), "indicators": indicators, "table_rows": table_rows,
        "triples": triples, "graph_triples": len(graph), "seconds": timer.seconds, "index": index_info,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
