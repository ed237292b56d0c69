"""The one place that spells the data folder's layout.

::

    <data>/                            DataFolder
      current -> gen-…                 the generation being served (one atomic symlink)
      previous -> gen-…                the one it replaced: a roll-back point
      gen-<time>-<sha8>-<pid>-<rand>/  Generation
        sources/<file>                 byte-identical copies of the plan files
        derived/<file>.txt             the text extracted from a .docx/.doc/.pdf/.html file (units point into it)
        parts/<key>/                   per file: own.nt, part.json, docs.jsonl, parsed.json, sectors.json
        aggregates.json                responsibility by agency type across plans (builds.aggregates)
        shared.nt                      the shared triples (agencies, cited documents, schemes)
        graphs/manifest.json           analysts' RDF loaded with `plankg load`: IRIs, file, sha256, triples
        graphs/<key>.<ext>             each loaded file, byte for byte (hard links shared by later generations)
        store/                         the RDF store (pyoxigraph / RocksDB)
        index/meta.json …              the search index
        build.json                     the build report
        dumps/plankg.{nq,ttl}.gz       the store as downloads, written by the server on first request
        .readers                       flock'ed (shared) by every process serving this generation
      embedding-cache/                 vectors and tokens by text
      .plankg.lock                     held by the one build/add/remove running

>>> gen = Generation(Path("/d/gen-1"))
>>> gen.part("ab12").own_nt
PosixPath('/d/gen-1/parts/ab12/own.nt')
>>> DataFolder(Path("/d")).current
PosixPath('/d/current')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENERATION_PREFIX = "gen-"
LOCK_NAME = ".plankg.lock"


@dataclass(frozen=True)
class PartPaths:
    """One source file's part inside a generation."""

    root: Path

    @property
    def own_nt(self) -> Path:
        return self.root / "own.nt"

    @property
    def part_json(self) -> Path:
        return self.root / "part.json"

    @property
    def docs_jsonl(self) -> Path:
        return self.root / "docs.jsonl"

    @property
    def parsed_json(self) -> Path:
        return self.root / "parsed.json"

    @property
    def sectors_json(self) -> Path:
        """The file's responsibility facts and counts per plan (``builds.aggregates``)."""
        return self.root / "sectors.json"


@dataclass(frozen=True)
class Generation:
    """The paths of one generation folder."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    def source(self, file: str) -> Path:
        return self.sources / file

    @property
    def derived(self) -> Path:
        return self.root / "derived"

    def derived_text(self, file: str) -> Path:
        """The extracted text of a non-.txt source file (units' lines and offsets point into it)."""
        return self.derived / f"{file}.txt"

    @property
    def parts(self) -> Path:
        return self.root / "parts"

    def part(self, key: str) -> PartPaths:
        return PartPaths(self.parts / key)

    @property
    def shared_nt(self) -> Path:
        return self.root / "shared.nt"

    @property
    def aggregates_json(self) -> Path:
        """The responsibility aggregates of the whole generation (``builds.aggregates``)."""
        return self.root / "aggregates.json"

    @property
    def graphs(self) -> Path:
        """The analysts' RDF files loaded into named graphs (``builds.graphs``)."""
        return self.root / "graphs"

    @property
    def graphs_manifest(self) -> Path:
        return self.graphs / "manifest.json"

    def graph_file(self, stored: str) -> Path:
        return self.graphs / stored

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def index_meta(self) -> Path:
        return self.index / "meta.json"

    @property
    def build_json(self) -> Path:
        return self.root / "build.json"

    @property
    def dumps(self) -> Path:
        """Downloads of the store (``service.dumps``), made once per generation when first asked for."""
        return self.root / "dumps"

    @property
    def readers(self) -> Path:
        return self.root / ".readers"

    def read_build(self) -> dict[str, Any]:
        """build.json ({} when missing or unreadable)."""
        return _read_json(self.build_json) or {}

    def read_index_meta(self) -> dict[str, Any] | None:
        return _read_json(self.index_meta)


@dataclass(frozen=True)
class DataFolder:
    """The paths of a data folder (``PLANKG_DATA``)."""

    root: Path

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def previous(self) -> Path:
        return self.root / "previous"

    @property
    def lock(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def embedding_cache(self) -> Path:
        return self.root / "embedding-cache"

    def generation(self, name: str) -> Generation:
        return Generation(self.root / name)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
