"""Changing the stored corpus without a full rebuild by hand: add, replace and remove plan files.

The corpus of a data folder is the ``sources/`` of its current generation (byte-identical copies of
the plan files, see ``graph.pipeline``). ``add`` = those sources + the new files (a stored file whose
plans have the same titles, or the same file name, is replaced) → a new generation → flip ``current``;
``remove`` = those sources − one file. Everything happens under the data folder's lock, so concurrent
changes are serialised (the second waits, or fails with ``Busy`` after its wait).

What makes it cheap: a change is a delta (``builds.pipeline.delta_locked``): only the added files
are parsed, extracted, turned into RDF and validated; the kept files' parts are hard-linked from
the current generation and the store is a checkpoint of the current one with the difference
applied. The embedding cache (keyed by text hash) means only new texts are encoded, and encoders
are loaded lazily: a change whose texts are all known loads no model at all; a server passes its
already loaded encoders. When the current generation cannot be reused (built by another version of
the parser, extractor or RDF code, or before parts existed) the change is a full build.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config import Config
from embeddings.encoders import Encoder
from graph.model import ParsedFile
from graph.parse import ParseError, SourceFile, parse_sources
from graph.parse.formats import supported_suffixes
from graph.rdf.iri import plan_hash_iri, plan_iri
from graph.titles import title_key

from . import graphs as loaded_graphs
from .errors import CorpusError, NotStored
from .generations import check_generation, current_generation, current_index_meta, previous_name
from .layout import DataFolder
from .lock import DataLock
from .parts import reusable_entries
from .pipeline import build_locked, delta_locked


@dataclass
class StoredFile:
    name: str
    sha256: str
    size: int
    encoding: str
    plans: list[dict] = field(default_factory=list)  # {"title", "iri"}
    path: Path | None = None

    def source(self) -> SourceFile:
        if self.path is None:
            raise CorpusError(f"the bytes of {self.name} are not stored in the current generation")
        return SourceFile(self.name, self.path.read_bytes(), str(self.path))

    def to_dict(self) -> dict:
        return {
            "file": self.name,
            "sha256": self.sha256,
            "bytes": self.size,
            "encoding": self.encoding,
            "plans": self.plans,
        }


def stored_files(cfg: Config) -> list[StoredFile]:
    """The files of the current generation. A generation built before sources were kept there is
    completed from the corpus folder when files of the same name and sha256 are found in it."""
    gen = current_generation(DataFolder(cfg.data_dir))
    if gen is None:
        return []
    report = gen.read_build()
    entries = report.get("sources")
    if entries is None:  # older generation: corpus.json has the files and their hashes
        try:
            corpus = json.loads((gen.root / "corpus.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            corpus = []
        entries = [
            {
                "file": f["file"],
                "sha256": f.get("sha256", ""),
                "bytes": None,
                "encoding": f.get("encoding", ""),
                "plans": [{"title": p["title"], "iri": str(plan_hash_iri(p["title"]))} for p in f["plans"]],
            }
            for f in corpus
        ]
    out = []

    for e in entries:
        stored = gen.source(e["file"])
        path: Path | None = stored
        if not stored.is_file():
            alt = cfg.corpus / e["file"]
            path = alt if alt.is_file() and hashlib.sha256(alt.read_bytes()).hexdigest() == e["sha256"] else None
        size = e.get("bytes")
        if size is None and path is not None:
            size = path.stat().st_size
        out.append(StoredFile(e["file"], e["sha256"], size or 0, e.get("encoding", ""), list(e["plans"]), path))
    return out


# ----------------------------------------------------------------------------------------- add / remove


def check_upload_name(name: str) -> str:
    """A file name as it will be stored (``sources/<name>``) and cited as provenance."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not base or base.startswith(".") or any(ord(c) < 32 or c in '<>:"|?*' for c in base) or len(base) > 200:
        raise ParseError(
            name or "(no name)",
            "not a usable file name (no path, no leading dot, "
            'no control or <>:"|?* characters, at most 200 characters)',
        )
    suffixes = supported_suffixes()
    if not base.lower().endswith(suffixes):
        raise ParseError(base, "not a plan file type that can be added; plan files can be " + ", ".join(suffixes))
    return base


def replaced_by(
    stored: Sequence[StoredFile], new: Sequence[tuple[str, Sequence[str]]], keep: Sequence[StoredFile] = ()
) -> list[StoredFile]:
    """The stored files that adding ``new`` files ((name, plan titles) each) replaces: a stored file
    of the same name, or one whose plans have titles of the new plans (``keep``: stored files that stay
    whatever they hold). CorpusError when a new file would replace only some plans of a stored file.
    ``add`` and the dry run (``builds.preview``) both decide by this rule."""
    new_titles = {title_key(t): name for name, titles in new for t in titles}
    new_names = {name for name, _ in new}
    replaced: list[StoredFile] = []
    for f in stored:
        if any(f is g for g in keep):
            continue
        overlap = {title_key(p["title"]) for p in f.plans} & set(new_titles)
        if f.name in new_names:
            replaced.append(f)
        elif overlap:
            rest = [p["title"] for p in f.plans if title_key(p["title"]) not in new_titles]
            if rest:
                raise CorpusError(
                    f"{new_titles[next(iter(overlap))]} would replace only part of the stored file {f.name}, "
                    f"which also holds {'、'.join('《' + t + '》' for t in rest)}; add a file with all of "
                    f"its plans, or remove {f.name} first"
                )
            replaced.append(f)
    return replaced


def _encoders_of_current(cfg: Config) -> str | None:
    meta = current_index_meta(DataFolder(cfg.data_dir))
    if not meta:
        return None
    specs = [e["spec"] for e in meta.get("encoders", []) if e.get("spec")]
    return ",".join(specs) or None


def _has_index(cfg: Config) -> bool:
    gen = current_generation(DataFolder(cfg.data_dir))
    return gen is None or bool(gen.read_build().get("index"))


def add(
    cfg: Config,
    new: Sequence[SourceFile],
    *,
    encoders: str | None = None,
    with_index: bool | None = None,
    lock_wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
    live_encoders: Sequence[Encoder] | None = None,
    progress: bool = False,
) -> dict:
    """Add or replace plan files. Returns ``{"status": "added" | "replaced" | "unchanged", ...}``.

    Raises ParseError (bad file: nothing changed), CorpusError (the change is ambiguous), Busy."""
    if not new:
        raise ParseError("(no file)", "no plan file given")
    for src in new:
        check_upload_name(src.name)
    parsed_new = parse_sources(new)  # bad input is refused before anything else happens
    notices = [f"{pf.file}: {n}" for pf in parsed_new for n in pf.notices if n.startswith("not UTF-8")]
    with DataLock(cfg.data_dir, wait=lock_wait, what="add " + " ".join(s.name for s in new), on_wait=on_wait):
        stored = stored_files(cfg)
        by_sha = {f.sha256: f for f in stored}
        same = [(src, by_sha[src.sha256]) for src in new if src.sha256 in by_sha]
        todo = [(src, pf) for src, pf in zip(new, parsed_new, strict=True) if src.sha256 not in by_sha]
        if not todo:
            return {
                "status": "unchanged",
                "generation": _gen_name(cfg),
                "notices": notices,
                "message": "; ".join(f"{src.name} is identical to the stored {f.name}" for src, f in same)
                + ": nothing to do",
                "unchanged": [f.name for _, f in same],
                "added": [],
                "replaced": [],
            }
        replaced = replaced_by(
            stored, [(src.name, [p.title for p in pf.plans]) for src, pf in todo], keep=[g for _, g in same]
        )
        if any(f.path is None for f in stored if f not in replaced):
            missing = [f.name for f in stored if f.path is None and f not in replaced]
            raise CorpusError(
                f"the current generation does not hold its source files ({', '.join(missing)}) "
                "and they are not in the corpus folder either: run `plankg build` once"
            )
        report = _change(
            cfg,
            [f for f in stored if f not in replaced],
            todo,
            with_index=_has_index(cfg) if with_index is None else with_index,
            encoders=encoders or _encoders_of_current(cfg),
            live_encoders=live_encoders,
            progress=progress,
        )
    added_plans = [{"title": p.title, "iri": str(plan_iri(p)), "file": pf.file} for _, pf in todo for p in pf.plans]
    return {
        "status": "replaced" if replaced else "added",
        "generation": report["generation"],
        "added": [src.name for src, _ in todo],
        "replaced": [f.name for f in replaced],
        "replaced_plans": [p["title"] for f in replaced for p in f.plans],
        "unchanged": [f.name for _, f in same],
        "plans": added_plans,
        "notices": notices,
        "totals": {"files": report["files"], "plans": report["plans"], "triples": report["triples"]},
        "seconds": report["seconds"],
        "index": report.get("index"),
    }


def _change(cfg: Config, keep: list[StoredFile], added: list[tuple[SourceFile, ParsedFile]], **kw) -> dict:
    """The new generation for ``keep`` + ``added``: a delta on the current generation when its parts
    can be reused (same code and lexicons, parts and store present), else a full build."""
    gen = current_generation(DataFolder(cfg.data_dir))
    entries = reusable_entries(gen) or []
    sha = {e["file"]: e["sha256"] for e in entries}
    reusable = (
        bool(entries)
        and all(sha.get(f.name) == f.sha256 for f in keep)
        and (bool(cfg.remote_store) or (gen is not None and gen.store.is_dir()))
    )
    if reusable and gen is not None and (keep or added):
        return delta_locked(cfg, gen, entries, [f.name for f in keep], added, **kw)
    return build_locked(cfg, [f.source() for f in keep] + [src for src, _ in added], **kw)


def _gen_name(cfg: Config) -> str | None:
    gen = current_generation(DataFolder(cfg.data_dir))
    return gen.name if gen else None


def find(stored: list[StoredFile], target: str) -> tuple[StoredFile, dict | None]:
    """The stored file named by ``target``: a file name, a plan title, a plan IRI or its short id
    (``plan/<h12>`` or ``<h12>``). Returns (file, plan or None when the file itself was named)."""
    t = target.strip()
    for f in stored:
        if t in (f.name, Path(f.name).stem):
            return f, None
    key = title_key(t)
    m = re.search(r"(?:^|/)(?:plan/)?([0-9a-f]{12})$", t)  # <h12>, plan/<h12> or an IRI (however slashed)
    plan_id = m.group(1) if m else None
    for f in stored:
        for p in f.plans:
            iri = p.get("iri", "")
            if (
                t == p["title"]
                or key == title_key(p["title"])
                or t == iri
                or (plan_id and iri.endswith("/plan/" + plan_id))
            ):
                return f, p
    raise NotStored(f"no stored file or plan {target!r} (see `plankg list`)")


def remove(
    cfg: Config,
    target: str,
    *,
    lock_wait: float | None = None,
    on_wait: Callable[[dict], None] | None = None,
    live_encoders: Sequence[Encoder] | None = None,
    progress: bool = False,
) -> dict:
    """Remove a stored file, named by itself or by one of its plans (title or IRI)."""
    with DataLock(cfg.data_dir, wait=lock_wait, what=f"remove {target}", on_wait=on_wait):
        stored = stored_files(cfg)
        f, plan = find(stored, target)
        if plan is not None and len(f.plans) > 1:
            others = [p["title"] for p in f.plans if p is not plan]
            raise CorpusError(
                f"plan 《{plan['title']}》 shares the file {f.name} with "
                f"{'、'.join('《' + t + '》' for t in others)}; remove the file ({f.name}) "
                "to remove them all, or add a new version of the file without that plan"
            )
        rest = [g for g in stored if g is not f]
        if not rest:
            raise CorpusError(
                f"{f.name} is the only stored file: removing it would leave an empty store; "
                "build another corpus instead (`plankg build`)"
            )
        missing = [g.name for g in rest if g.path is None]
        if missing:
            raise CorpusError(
                f"the current generation does not hold its source files ({', '.join(missing)}): run `plankg build` once"
            )
        report = _change(
            cfg,
            rest,
            [],
            with_index=_has_index(cfg),
            encoders=_encoders_of_current(cfg),
            live_encoders=live_encoders,
            progress=progress,
        )
    return {
        "status": "removed",
        "generation": report["generation"],
        "removed": [f.name],
        "removed_plans": [p["title"] for p in f.plans],
        "totals": {"files": report["files"], "plans": report["plans"], "triples": report["triples"]},
        "seconds": report["seconds"],
    }


def listing(cfg: Config) -> dict:
    """Stored files and plans of the current generation, and whether it is consistent."""
    folder = DataFolder(cfg.data_dir)
    gen = current_generation(folder)
    if gen is None:
        return {"generation": None, "files": [], "graphs": [], "problems": []}
    report = gen.read_build()
    prev = previous_name(folder)
    return {
        "generation": gen.name,
        "previous": prev,
        "built_at": report.get("built_at"),
        "corpus_sha256": report.get("corpus_sha256"),
        "triples": report.get("triples"),
        "plans": report.get("plans"),
        "index": bool(report.get("index")),
        "files": [f.to_dict() for f in stored_files(cfg)],
        "graphs": loaded_graphs.entries(gen),  # analysts' RDF (``plankg load``)
        "problems": check_generation(gen, bool(cfg.remote_store)) + loaded_graphs.problems(gen),
    }
