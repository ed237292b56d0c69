"""The build, stage by stage: parse → extract → RDF → SHACL → store (+ search index) → flip ``current``.

Each build writes a fresh generation folder and only then points ``current`` at it (an atomic
symlink rename), so a failure at any stage leaves the previous store and index untouched.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Optional

from .extract import extract_unit, find_laws, table_indicator
from .model import ParsedFile
from .parse import ParseError, corpus_files, parse_file
from .settings import Settings


class BuildError(RuntimeError):
    """The build could not produce a valid graph; nothing already stored was changed."""


def _progress(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm
    return tqdm(items, desc=desc, unit="file", leave=False)


def parse_files(paths: Iterable[Path], progress: bool = False) -> list[ParsedFile]:
    """Parse every file; a bad file raises ParseError naming it (after all files were tried)."""
    parsed, errors = [], []
    for path in _progress(list(paths), "parse", progress):
        try:
            parsed.append(parse_file(path))
        except ParseError as e:
            errors.append(e)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise ParseError(errors[0].file, "; ".join(str(e) for e in errors) + f" ({len(errors)} bad files)",
                         errors[0].line)
    titles: dict[str, str] = {}
    for pf in parsed:
        for plan in pf.plans:
            if plan.title in titles:
                raise ParseError(pf.file, f"duplicate plan title {plan.title!r}, already in {titles[plan.title]}",
                                 plan.source.line)
            titles[plan.title] = pf.file
    return parsed


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


def build(settings: Settings, files: Optional[list[Path]] = None, *, with_index: bool = True,
          progress: bool = False, encoders: Optional[str] = None) -> dict:
    """Build graph and index from ``files`` (default: every .txt of the corpus folder) and publish them."""
    from .rdf.build import plans_to_graph
    from .rdf.validate import validate
    from .extract import agency_types
    from .store import open_store

    timer, t0 = Timer(), time.perf_counter()
    paths = files if files is not None else corpus_files(settings.corpus)
    if not paths:
        raise ParseError(str(settings.corpus), "no .txt plan files to build from")
    with timer.stage("parse"):
        parsed = parse_files(paths, progress)
    with timer.stage("extract"):
        for pf in parsed:
            extract_file(pf)
    with timer.stage("rdf"):
        graph = plans_to_graph(parsed, agency_types())
    with timer.stage("shacl"):
        conforms, report, violations = validate(graph)
    if not conforms:
        raise BuildError(f"SHACL validation failed with {violations} violation(s); nothing was stored.\n{report[:4000]}")

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    digest = corpus_hash(parsed)
    gen = settings.data_dir / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{digest[:8]}-{os.getpid()}"
    try:
        gen.mkdir()
        with timer.stage("store"):
            if settings.remote_store:
                store = open_store(settings.remote_store, auth=settings.remote_auth)
            else:
                store = open_store(str(gen / "store"))
            store.load(graph, replace=True)
            triples = store.triple_count()
            store.close()
        index_info = None
        if with_index:
            from embeddings.build import build_index
            with timer.stage("index"):
                index_info = build_index(parsed, gen / "index", encoders=encoders, progress=progress,
                                         cache_dir=settings.data_dir / "embedding-cache")
        report = _report(parsed, graph, triples, digest, timer, t0, index_info)
        (gen / "build.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        (gen / "corpus.json").write_text(json.dumps([pf.to_dict() for pf in parsed], ensure_ascii=False),
                                         encoding="utf-8")
        _publish(settings, gen)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    return report


def _publish(settings: Settings, gen: Path) -> None:
    """Point ``current`` at ``gen`` atomically, then remove older generations."""
    link = settings.current
    tmp = settings.data_dir / f".current-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(gen.name)
    os.replace(tmp, link)
    for old in settings.data_dir.glob("gen-*"):
        if old.name != gen.name:
            shutil.rmtree(old, ignore_errors=True)


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
