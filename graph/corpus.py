"""Changing the stored corpus without a full rebuild by hand: add, replace and remove plan files.

The corpus of a data folder is the ``sources/`` of its current generation (byte-identical copies of
the plan files, see ``graph.pipeline``). ``add`` = those sources + the new files (a stored file whose
plans have the same titles, or the same file name, is replaced) → a new generation → flip ``current``;
``remove`` = those sources − one file. Everything happens under the data folder's lock, so concurrent
changes are serialised (the second waits, or fails with ``Busy`` after its wait).

What makes it cheap: a change is a delta (``graph.pipeline.delta_locked``): only the added files
are parsed, extracted, turned into RDF and validated; the kept files' parts are hard-linked from
the current generation and the store is a checkpoint of the current one with the difference
applied. The embedding cache (keyed by text hash) means only new texts are encoded, and encoders
are loaded lazily: a change whose texts are all known loads no model at all; a server passes its
already loaded encoders. When the current generation cannot be reused (built by another version of
the parser, extractor or RDF code, or before parts existed) the change is a full build.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from .parse import ParseError
from .pipeline import SourceFile, build_locked, delta_locked, parse_sources
from .rdf.iri import normalise_title, plan_iri
from .settings import Settings

LOCK_NAME = ".plankg.lock"
DEFAULT_LOCK_WAIT = 600.0


class CorpusError(RuntimeError):
    """A change that cannot be made as asked (nothing was changed). ``status``: the HTTP status."""
    status = 409


class NotStored(CorpusError):
    status = 404


class Busy(CorpusError):
    """Another process is changing the corpus of this data folder."""
    status = 409


# ----------------------------------------------------------------------------------------- the lock

def lock_wait_default() -> float:
    try:
        return float(os.environ.get("PLANKG_LOCK_WAIT", DEFAULT_LOCK_WAIT))
    except ValueError:
        return DEFAULT_LOCK_WAIT


class DataLock:
    """Exclusive lock of a data folder (``flock`` on ``<data>/.plankg.lock``) held by every build,
    add and remove. The holder writes its pid and command into the file, for the message a waiting
    process prints. The kernel releases the lock when its holder dies, even by SIGKILL."""

    def __init__(self, data_dir: Path, *, wait: Optional[float] = None, what: str = "",
                 on_wait: Optional[Callable[[dict], None]] = None):
        self.path = Path(data_dir) / LOCK_NAME
        self.wait = lock_wait_default() if wait is None else max(0.0, float(wait))
        self.what = what
        self.on_wait = on_wait
        self._fh = None

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def __enter__(self) -> "DataLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    fh.close()
                    raise Busy(f"another change to {self.path.parent} is in progress ({describe(holder)}); "
                               f"gave up after waiting {self.wait:g} s — try again when it has finished") from None
                if not told and self.on_wait is not None:
                    self.on_wait(holder)
                told = True
                time.sleep(0.1)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "what": self.what,
                             "since": time.strftime("%Y-%m-%dT%H:%M:%S")}, ensure_ascii=False))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
        except OSError:
            pass
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()


def describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another process"
    return f"pid {holder['pid']}: {holder.get('what') or 'a build'}, since {holder.get('since', '?')}"


# ----------------------------------------------------------------------------------------- generations

def _target(link: Path) -> Optional[str]:
    try:
        return os.readlink(link) if link.is_symlink() else None
    except OSError:
        return None


def current_generation(settings: Settings) -> Optional[Path]:
    name = _target(settings.current)
    if not name:
        return None
    gen = settings.data_dir / name
    return gen if gen.is_dir() else None


def current_index_meta(settings: Settings) -> Optional[dict]:
    gen = current_generation(settings)
    if gen is None:
        return None
    try:
        return json.loads((gen / "index" / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_build(gen: Path) -> dict:
    try:
        return json.loads((gen / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def hold_generation(gen: Path):
    """Shared lock on ``gen/.readers`` for as long as the returned file stays open: while any
    process holds it, ``cleanup_stale`` leaves that generation alone (a server finishing requests on
    it). None when the folder cannot be locked."""
    try:
        fh = open(gen / ".readers", "rb")
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def _in_use(gen: Path) -> bool:
    try:
        fh = open(gen / ".readers", "rb")
    except OSError:
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        fh.close()


def cleanup_stale(settings: Settings) -> list[str]:
    """Remove what an interrupted build left behind: ``gen-*`` folders that are neither ``current``
    nor ``previous`` (unless a server still reads them), temporary symlinks and cache files.
    The caller holds the data folder's lock. Returns the names removed."""
    d = settings.data_dir
    if not d.is_dir():
        return []
    keep = {_target(d / "current"), _target(d / "previous")}
    removed = []
    for p in sorted(d.iterdir()):
        name = p.name
        if name.startswith("gen-") and p.is_dir() and not p.is_symlink():
            if name in keep or _in_use(p):
                continue
            shutil.rmtree(p, ignore_errors=True)
            removed.append(name)
        elif name.startswith((".current-", ".previous-", ".upload-")) and (p.is_symlink() or p.is_file()):
            p.unlink(missing_ok=True)
            removed.append(name)
    prev = d / "previous"
    if prev.is_symlink() and not prev.exists():
        prev.unlink(missing_ok=True)
    cache = d / "embedding-cache"
    if cache.is_dir():
        for p in cache.glob("*.tmp.npz"):
            p.unlink(missing_ok=True)
            removed.append(f"embedding-cache/{p.name}")
    return removed


def startup_cleanup(settings: Settings) -> list[str]:
    """``cleanup_stale`` at server start, unless a build is running right now (it is then the one
    to clean up)."""
    if settings.remote_store or not settings.data_dir.is_dir():
        return []
    try:
        with DataLock(settings.data_dir, wait=0, what="server start: cleanup"):
            return cleanup_stale(settings)
    except Busy:
        return []


def check_generation(gen: Path, remote_store: bool = False) -> list[str]:
    """Problems of a generation folder (empty list: store, index, manifest and sources agree)."""
    problems = []
    report = read_build(gen)
    if not report:
        return ["build.json missing or unreadable"]
    if not remote_store and not (gen / "store").is_dir():
        problems.append("store missing")
    meta = None
    if report.get("index"):
        try:
            meta = json.loads((gen / "index" / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            problems.append("index/meta.json missing or unreadable")
    if meta is not None:
        if meta.get("corpus_hash") != report["index"].get("corpus_hash"):
            problems.append("index corpus hash differs from build.json")
        if meta.get("plankg_corpus_sha256") not in (None, report.get("corpus_sha256")):
            problems.append("index was built from another corpus than the store")

    for s in report.get("sources", []):
        f = gen / "sources" / s["file"]
        try:
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            problems.append(f"source {s['file']} missing")
            continue
        if digest != s["sha256"]:
            problems.append(f"source {s['file']} differs from its recorded sha256")
    return problems


# ----------------------------------------------------------------------------------------- stored sources

@dataclass
class StoredFile:
    name: str
    sha256: str
    size: int
    encoding: str
    plans: list[dict] = field(default_factory=list)    # {"title", "iri"}
    path: Optional[Path] = None

    def source(self) -> SourceFile:
        if self.path is None:
            raise CorpusError(f"the bytes of {self.name} are not stored in the current generation")
        return SourceFile(self.name, self.path.read_bytes(), str(self.path))

    def to_dict(self) -> dict:
        return {"file": self.name, "sha256": self.sha256, "bytes": self.size, "encoding": self.encoding,
                "plans": self.plans}


def stored_files(settings: Settings) -> list[StoredFile]:
    """The files of the current generation. A generation built before sources were kept there is
    completed from the corpus folder when files of the same name and sha256 are found in it."""
    gen = current_generation(settings)
    if gen is None:
        return []
    report = read_build(gen)
    entries = report.get("sources")
    if entries is None:      # older generation: corpus.json has the files and their hashes
        try:
            corpus = json.loads((gen / "corpus.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            corpus = []
        from .rdf.iri import plan_hash_iri
        entries = [{"file": f["file"], "sha256": f.get("sha256", ""), "bytes": None,
                    "encoding": f.get("encoding", ""),
                    "plans": [{"title": p["title"], "iri": str(plan_hash_iri(p["title"]))} for p in f["plans"]]}
                   for f in corpus]
    out = []

    for e in entries:
        path = gen / "sources" / e["file"]
        if not path.is_file():
            alt = settings.corpus / e["file"]
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
        raise ParseError(name or "(no name)", "not a usable file name (no path, no leading dot, "
                                              "no control or <>:\"|?* characters, at most 200 characters)")
    if not base.lower().endswith(".txt"):
        raise ParseError(base, "only .txt plan files can be added")
    return base


def _encoders_of_current(settings: Settings) -> Optional[str]:
    meta = current_index_meta(settings)
    if not meta:
        return None
    specs = [e["spec"] for e in meta.get("encoders", []) if e.get("spec")]
    return ",".join(specs) or None


def _has_index(settings: Settings) -> bool:
    gen = current_generation(settings)
    return gen is None or bool(read_build(gen).get("index"))


def add(settings: Settings, new: Sequence[SourceFile], *, encoders: Optional[str] = None,
        with_index: Optional[bool] = None, lock_wait: Optional[float] = None,
        on_wait: Optional[Callable[[dict], None]] = None, live_encoders=None, progress: bool = False) -> dict:
    """Add or replace plan files. Returns ``{"status": "added" | "replaced" | "unchanged", ...}``.

    Raises ParseError (bad file: nothing changed), CorpusError (the change is ambiguous), Busy."""
    if not new:
        raise ParseError("(no file)", "no plan file given")
    for src in new:
        check_upload_name(src.name)
    parsed_new = parse_sources(new)            # bad input is refused before anything else happens
    notices = [f"{pf.file}: {n}" for pf in parsed_new for n in pf.notices if n.startswith("not UTF-8")]
    with DataLock(settings.data_dir, wait=lock_wait, what="add " + " ".join(s.name for s in new), on_wait=on_wait):
        stored = stored_files(settings)
        by_sha = {f.sha256: f for f in stored}
        same = [(src, by_sha[src.sha256]) for src in new if src.sha256 in by_sha]
        todo = [(src, pf) for src, pf in zip(new, parsed_new) if src.sha256 not in by_sha]
        if not todo:
            return {"status": "unchanged", "generation": _gen_name(settings), "notices": notices,
                    "message": "; ".join(f"{src.name} is identical to the stored {f.name}" for src, f in same)
                               + ": nothing to do",
                    "unchanged": [f.name for _, f in same], "added": [], "replaced": []}
        new_titles = {normalise_title(p.title): pf.file for _, pf in todo for p in pf.plans}
        new_names = {src.name for src, _ in todo}
        replaced: list[StoredFile] = []
        for f in stored:
            if any(f is g for _, g in same):
                continue
            titles = {normalise_title(p["title"]) for p in f.plans}
            overlap = titles & set(new_titles)
            if f.name in new_names:
                replaced.append(f)
            elif overlap:
                rest = [p["title"] for p in f.plans if normalise_title(p["title"]) not in new_titles]
                if rest:
                    raise CorpusError(
                        f"{new_titles[next(iter(overlap))]} would replace only part of the stored file {f.name}, "
                        f"which also holds {'、'.join('《' + t + '》' for t in rest)}; add a file with all of "
                        f"its plans, or remove {f.name} first")
                replaced.append(f)
        if any(f.path is None for f in stored if f not in replaced):
            missing = [f.name for f in stored if f.path is None and f not in replaced]
            raise CorpusError(f"the current generation does not hold its source files ({', '.join(missing)}) "
                              "and they are not in the corpus folder either: run `plankg build` once")
        report = _change(settings, [f for f in stored if f not in replaced], todo,
                         with_index=_has_index(settings) if with_index is None else with_index,
                         encoders=encoders or _encoders_of_current(settings), live_encoders=live_encoders,
                         progress=progress)
    added_plans = [{"title": p.title, "iri": str(plan_iri(p)), "file": pf.file} for _, pf in todo for p in pf.plans]
    return {"status": "replaced" if replaced else "added", "generation": report["generation"],
            "added": [src.name for src, _ in todo], "replaced": [f.name for f in replaced],
            "replaced_plans": [p["title"] for f in replaced for p in f.plans],
            "unchanged": [f.name for _, f in same], "plans": added_plans, "notices": notices,
            "totals": {"files": report["files"], "plans": report["plans"], "triples": report["triples"]},
            "seconds": report["seconds"], "index": report.get("index")}


def _change(settings: Settings, keep: list[StoredFile], added: list[tuple[SourceFile, object]], **kw) -> dict:
    """The new generation for ``keep`` + ``added``: a delta on the current generation when its parts
    can be reused (same code and lexicons, parts and store present), else a full build."""
    from .parts import reusable_entries

    gen = current_generation(settings)
    entries = reusable_entries(gen) or []
    sha = {e["file"]: e["sha256"] for e in entries}
    reusable = bool(entries) and all(sha.get(f.name) == f.sha256 for f in keep) and \
        (bool(settings.remote_store) or (gen / "store").is_dir())
    if reusable and (keep or added):
        return delta_locked(settings, gen, entries, [f.name for f in keep], added, **kw)
    return build_locked(settings, [f.source() for f in keep] + [src for src, _ in added], **kw)


def _gen_name(settings: Settings) -> Optional[str]:
    gen = current_generation(settings)
    return gen.name if gen else None


def find(stored: list[StoredFile], target: str) -> tuple[StoredFile, Optional[dict]]:
    """The stored file named by ``target``: a file name, a plan title, a plan IRI or its short id
    (``plan/<h12>`` or ``<h12>``). Returns (file, plan or None when the file itself was named)."""
    t = target.strip()
    for f in stored:
        if t in (f.name, Path(f.name).stem):
            return f, None
    key = normalise_title(t)
    m = re.search(r"(?:^|/)(?:plan/)?([0-9a-f]{12})$", t)     # <h12>, plan/<h12> or an IRI (however slashed)
    plan_id = m.group(1) if m else None
    for f in stored:
        for p in f.plans:
            iri = p.get("iri", "")
            if t == p["title"] or key == normalise_title(p["title"]) or t == iri or \
                    (plan_id and iri.endswith("/plan/" + plan_id)):
                return f, p
    raise NotStored(f"no stored file or plan {target!r} (see `plankg list`)")


def remove(settings: Settings, target: str, *, lock_wait: Optional[float] = None,
           on_wait: Optional[Callable[[dict], None]] = None, live_encoders=None, progress: bool = False) -> dict:
    """Remove a stored file, named by itself or by one of its plans (title or IRI)."""
    with DataLock(settings.data_dir, wait=lock_wait, what=f"remove {target}", on_wait=on_wait):
        stored = stored_files(settings)
        f, plan = find(stored, target)
        if plan is not None and len(f.plans) > 1:
            others = [p["title"] for p in f.plans if p is not plan]
            raise CorpusError(f"plan 《{plan['title']}》 shares the file {f.name} with "
                              f"{'、'.join('《' + t + '》' for t in others)}; remove the file ({f.name}) "
                              "to remove them all, or add a new version of the file without that plan")
        rest = [g for g in stored if g is not f]
        if not rest:
            raise CorpusError(f"{f.name} is the only stored file: removing it would leave an empty store; "
                              "build another corpus instead (`plankg build`)")
        missing = [g.name for g in rest if g.path is None]
        if missing:
            raise CorpusError(f"the current generation does not hold its source files ({', '.join(missing)}): "
                              "run `plankg build` once")
        report = _change(settings, rest, [], with_index=_has_index(settings),
                         encoders=_encoders_of_current(settings), live_encoders=live_encoders, progress=progress)
    return {"status": "removed", "generation": report["generation"], "removed": [f.name],
            "removed_plans": [p["title"] for p in f.plans],
            "totals": {"files": report["files"], "plans": report["plans"], "triples": report["triples"]},
            "seconds": report["seconds"]}


def listing(settings: Settings) -> dict:
    """Stored files and plans of the current generation, and whether it is consistent."""
    gen = current_generation(settings)
    if gen is None:
        return {"generation": None, "files": [], "problems": []}
    report = read_build(gen)
    prev = _target(settings.data_dir / "previous")
    return {"generation": gen.name, "previous": prev, "built_at": report.get("built_at"),
            "corpus_sha256": report.get("corpus_sha256"), "triples": report.get("triples"),
            "plans": report.get("plans"), "index": bool(report.get("index")),
            "files": [f.to_dict() for f in stored_files(settings)], "problems": check_generation(gen, bool(settings.remote_store))}
