"""Per-file parts of a generation: what an add, replace or remove reuses instead of rebuilding.

A generation keeps, for every source file, what the build derived from it alone
(paths: ``builds.layout.PartPaths``)::

    parts/<key>/own.nt       its own triples (``graph.rdf.build.file_part``)
    parts/<key>/part.json    file name, sha256, contributions to the shared nodes, summary counts
    parts/<key>/docs.jsonl   its search documents (``embeddings.documents``)
    parts/<key>/parsed.json  its parsed plan model (``ParsedFile.to_dict``)
    shared.nt                the shared triples of the whole corpus (agencies, laws, schemes)

``key`` depends on the file's name and bytes only, so a later generation hard-links the parts of
the files it keeps. Parts are only reused while ``fingerprint()`` (parts schema + the code and
lexicons that derive them) is unchanged; after an upgrade the next change is a full build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import embeddings.documents
import graph
from embeddings.documents import SearchDoc, write_docs
from embeddings.documents import read_docs as read_docs_file
from graph.model import ParsedFile
from graph.rdf.build import FilePart, ntriples
from graph.rdf.iri import plan_iri
from graph.rdf.ns import DOMAINS_TTL, ONTOLOGY_TTL, SHAPES_TTL

from .layout import Generation

PARTS_SCHEMA = 1
_GRAPH = Path(graph.__file__).resolve().parent
# what derives a part: parsing, extraction (code and lexicons), RDF minting, search documents
_DERIVING = [
    _GRAPH / "model.py",
    _GRAPH / "titles.py",
    _GRAPH / "concepts.py",
    _GRAPH / "parse",
    _GRAPH / "extract",
    _GRAPH / "rdf",
    Path(embeddings.documents.__file__).resolve(),
]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    h = hashlib.sha256(f"parts{PARTS_SCHEMA}".encode())
    for p in _DERIVING:
        files = sorted(q for q in p.rglob("*") if q.suffix in (".py", ".tsv", ".ttl")) if p.is_dir() else [p]
        for f in files:
            h.update(f"{f.parent.name}/{f.name}".encode() + b"\0" + f.read_bytes())
    for ttl in (SHAPES_TTL, ONTOLOGY_TTL, DOMAINS_TTL):  # shapes validate parts; the ontology sits beside them
        h.update(f"{ttl.name}".encode() + b"\0" + ttl.read_bytes())
    return h.hexdigest()[:16]


def part_key(name: str, sha256: str) -> str:
    return hashlib.sha256(f"{name}\0{sha256}".encode()).hexdigest()[:24]


def summarize(pf: ParsedFile, part: FilePart, size: int) -> dict:
    """What the build report needs of one file (``size``: its bytes), without its parsed model."""
    units = [u for p in pf.plans for _, u in p.units()]
    return {
        "file": pf.file,
        "sha256": pf.sha256,
        "bytes": size,
        "format": pf.format,
        "encoding": pf.encoding,
        "notices": list(pf.notices or ()),
        "warnings": [f"{pf.file}:{w.line}: {w.message}" for w in pf.warnings],
        "plans": [{"title": p.title, "iri": str(plan_iri(p)), "counts": p.counts()} for p in pf.plans],
        "agency_labels": sorted({m.label or "" for u in units for m in u.agencies}),
        "agency_keys": sorted({m.key or "" for u in units for m in u.agencies}),
        "laws": sorted({m.title or "" for u in units for m in u.laws}),
        "indicators": sum(len(u.indicators) for u in units),
        "table_rows": sum(len(t.rows) for p in pf.plans for t in p.tables),
        "triples": len(part.triples),
    }


def write_part(gen: Generation, pf: ParsedFile, part: FilePart, docs: Iterable[SearchDoc], summary: dict) -> dict:
    """Write one file's part; returns its entry for build.json (file, sha256, key)."""
    key = part_key(pf.file, pf.sha256)
    d = gen.part(key)
    d.root.mkdir(parents=True)
    d.own_nt.write_text(ntriples(part.triples), encoding="utf-8")
    d.part_json.write_text(
        json.dumps(
            {"schema": PARTS_SCHEMA, "key": key, "summary": summary, "contributions": part.contributions.to_json()},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    write_docs(list(docs), d.docs_jsonl)
    d.parsed_json.write_text(json.dumps(pf.to_dict(), ensure_ascii=False), encoding="utf-8")
    return {"file": pf.file, "sha256": pf.sha256, "key": key}


def link_part(src_gen: Generation, dst_gen: Generation, key: str) -> None:
    """Reuse a part of another generation (hard links; a copy where links are not possible)."""
    src, dst = src_gen.part(key).root, dst_gen.part(key).root
    dst.mkdir(parents=True)
    for f in src.iterdir():
        link_or_copy(f, dst / f.name)


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def read_part(gen: Generation, key: str) -> dict:
    return json.loads(gen.part(key).part_json.read_text(encoding="utf-8"))


def read_docs(gen: Generation, key: str) -> list[SearchDoc]:
    return read_docs_file(gen.part(key).docs_jsonl)


def read_parsed(gen: Generation) -> list[dict]:
    """The parsed plan model of every file of a generation (``ParsedFile.to_dict`` dicts)."""
    return [
        json.loads(gen.part(e["key"]).parsed_json.read_text(encoding="utf-8"))
        for e in (gen.read_build().get("parts") or {}).get("files", [])
    ]


def reusable_entries(gen: Generation | None) -> list[dict] | None:
    """The part entries of ``gen`` when a change may reuse them (same fingerprint, every part
    present), else None."""
    if gen is None:
        return None
    parts = gen.read_build().get("parts") or {}
    entries = parts.get("files")
    if parts.get("fingerprint") != fingerprint() or not entries or not gen.shared_nt.is_file():
        return None
    if not all(gen.part(e["key"]).part_json.is_file() for e in entries):
        return None
    return entries
