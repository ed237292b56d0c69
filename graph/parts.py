"""Per-file parts of a generation: what an add, replace or remove reuses instead of rebuilding.

A generation keeps, for every source file, what the build derived from it alone::

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
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .model import ParsedFile
from .rdf.build import FilePart, ntriples
from .rdf.iri import plan_iri

PARTS_SCHEMA = 1
ROOT = Path(__file__).resolve().parent.parent
# what derives a part: parsing, extraction (code and lexicons), RDF minting, search documents
_DERIVING = ["graph/model.py", "graph/concepts.py", "graph/parse", "graph/extract", "graph/rdf",
             "embeddings/documents.py", "ontology/shapes.ttl"]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    h = hashlib.sha256(f"parts{PARTS_SCHEMA}".encode())
    for rel in _DERIVING:
        p = ROOT / rel
        files = sorted(q for q in p.rglob("*") if q.suffix in (".py", ".tsv", ".ttl")) if p.is_dir() else [p]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def part_key(name: str, sha256: str) -> str:
    return hashlib.sha256(f"{name}\0{sha256}".encode()).hexdigest()[:24]


def summarize(pf: ParsedFile, part: FilePart, size: int) -> dict:
    """What the build report needs of one file (``size``: its bytes), without its parsed model."""
    units = [u for p in pf.plans for _, u in p.units()]
    return {
        "file": pf.file, "sha256": pf.sha256, "bytes": size, "encoding": pf.encoding,
        "notices": list(pf.notices or ()),
        "plans": [{"title": p.title, "iri": str(plan_iri(p)), "counts": p.counts()} for p in pf.plans],
        "agency_labels": sorted({m.label or "" for u in units for m in u.agencies}),
        "agency_keys": sorted({m.key or "" for u in units for m in u.agencies}),
        "laws": sorted({m.title or "" for u in units for m in u.laws}),
        "indicators": sum(len(u.indicators) for u in units),
        "table_rows": sum(len(t.rows) for p in pf.plans for t in p.tables),
        "triples": len(part.triples),
    }


def write_part(parts_dir: Path, pf: ParsedFile, part: FilePart, docs: Iterable, summary: dict) -> dict:
    """Write one file's part; returns its entry for build.json (file, sha256, key)."""
    from embeddings.documents import write_docs

    key = part_key(pf.file, pf.sha256)
    d = parts_dir / key
    d.mkdir(parents=True)
    (d / "own.nt").write_text(ntriples(part.triples), encoding="utf-8")
    (d / "part.json").write_text(json.dumps({"schema": PARTS_SCHEMA, "key": key, "summary": summary,
                                             "contributions": part.contributions.to_json()},
                                            ensure_ascii=False), encoding="utf-8")
    write_docs(list(docs), d / "docs.jsonl")
    (d / "parsed.json").write_text(json.dumps(pf.to_dict(), ensure_ascii=False), encoding="utf-8")
    return {"file": pf.file, "sha256": pf.sha256, "key": key}


def link_part(src_gen: Path, dst_gen: Path, key: str) -> None:
    """Reuse a part of another generation (hard links; a copy where links are not possible)."""
    src, dst = src_gen / "parts" / key, dst_gen / "parts" / key
    dst.mkdir(parents=True)
    for f in src.iterdir():
        link_or_copy(f, dst / f.name)


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        import shutil
        shutil.copyfile(src, dst)


def read_part(gen: Path, key: str) -> dict:
    return json.loads((gen / "parts" / key / "part.json").read_text(encoding="utf-8"))


def own_path(gen: Path, key: str) -> Path:
    return gen / "parts" / key / "own.nt"


def read_docs(gen: Path, key: str) -> list:
    from embeddings.documents import read_docs as _read
    return _read(gen / "parts" / key / "docs.jsonl")


def read_parsed(gen: Path) -> list[dict]:
    """The parsed plan model of every file of a generation (``ParsedFile.to_dict`` dicts)."""
    from .corpus import read_build
    return [json.loads((gen / "parts" / e["key"] / "parsed.json").read_text(encoding="utf-8"))
            for e in (read_build(gen).get("parts") or {}).get("files", [])]


def reusable_entries(gen: Optional[Path]) -> Optional[list[dict]]:
    """The part entries of ``gen`` when a change may reuse them (same fingerprint, every part
    present), else None."""
    from .corpus import read_build
    if gen is None:
        return None
    parts = read_build(gen).get("parts") or {}
    entries = parts.get("files")
    if parts.get("fingerprint") != fingerprint() or not entries or not (gen / "shared.nt").is_file():
        return None
    if not all((gen / "parts" / e["key"] / "part.json").is_file() for e in entries):
        return None
    return entries
