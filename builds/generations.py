"""Generations of a data folder: which one is current, publishing a new one, holding one while
it is served, checking one, and removing what an interrupted build left behind."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import IO

from graph.fsutil import fsync_path

from .errors import Busy
from .layout import GENERATION_PREFIX, DataFolder, Generation
from .lock import DataLock


def _target(link: Path) -> str | None:
    try:
        return os.readlink(link) if link.is_symlink() else None
    except OSError:
        return None


def current_generation(folder: DataFolder) -> Generation | None:
    name = _target(folder.current)
    if not name:
        return None
    gen = folder.generation(name)
    return gen if gen.root.is_dir() else None


def previous_name(folder: DataFolder) -> str | None:
    return _target(folder.previous)


def current_index_meta(folder: DataFolder) -> dict | None:
    gen = current_generation(folder)
    return gen.read_index_meta() if gen is not None else None


def new_generation(folder: DataFolder, digest: str) -> Generation:
    """A fresh, empty generation folder (unique name: time, corpus digest, pid, random)."""
    name = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{digest[:8]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    gen = folder.generation(name)
    gen.root.mkdir()
    gen.readers.touch()
    return gen


def is_current(folder: DataFolder, gen: Generation) -> bool:
    return _target(folder.current) == gen.name


def _point(folder: DataFolder, link: Path, target: str) -> None:
    """Atomically make ``link`` a symlink to ``target`` (a sibling folder name)."""
    tmp = folder.root / f".{link.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.symlink_to(target)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def publish(folder: DataFolder, gen: Generation) -> None:
    """Point ``current`` at ``gen`` atomically; ``previous`` keeps the generation it replaces
    (a roll-back point; older ones are removed by ``cleanup_stale``)."""
    old = _target(folder.current)
    if old and old != gen.name and folder.generation(old).root.is_dir():
        _point(folder, folder.previous, old)
    _point(folder, folder.current, gen.name)
    fsync_path(folder.root)


def hold_generation(gen: Generation) -> IO[bytes] | None:
    """Shared lock on ``gen/.readers`` for as long as the returned file stays open: while any
    process holds it, ``cleanup_stale`` leaves that generation alone (a server finishing requests on
    it). None when the folder cannot be locked."""
    try:
        fh = open(gen.readers, "rb")
    except OSError:
        return None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def _in_use(gen: Generation) -> bool:
    try:
        fh = open(gen.readers, "rb")
    except OSError:
        return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        fh.close()


def cleanup_stale(folder: DataFolder) -> list[str]:
    """Remove what an interrupted build left behind: ``gen-*`` folders that are neither ``current``
    nor ``previous`` (unless a server still reads them), temporary symlinks and cache files.
    The caller holds the data folder's lock. Returns the names removed."""
    d = folder.root
    if not d.is_dir():
        return []
    keep = {_target(folder.current), _target(folder.previous)}
    removed = []
    for p in sorted(d.iterdir()):
        name = p.name
        if name.startswith(GENERATION_PREFIX) and p.is_dir() and not p.is_symlink():
            if name in keep or _in_use(Generation(p)):
                continue
            shutil.rmtree(p, ignore_errors=True)
            removed.append(name)
        elif name.startswith((".current-", ".previous-", ".upload-")) and (p.is_symlink() or p.is_file()):
            p.unlink(missing_ok=True)
            removed.append(name)
    if folder.previous.is_symlink() and not folder.previous.exists():
        folder.previous.unlink(missing_ok=True)
    cache = folder.embedding_cache
    if cache.is_dir():
        for p in cache.glob("*.tmp.npz"):
            p.unlink(missing_ok=True)
            removed.append(f"{cache.name}/{p.name}")
    return removed


def startup_cleanup(folder: DataFolder) -> list[str]:
    """``cleanup_stale`` at server start, unless a build is running right now (it is then the one
    to clean up)."""
    if not folder.root.is_dir():
        return []
    try:
        with DataLock(folder.root, wait=0, what="server start: cleanup"):
            return cleanup_stale(folder)
    except Busy:
        return []


def check_generation(gen: Generation, remote_store: bool = False) -> list[str]:
    """Problems of a generation folder (empty list: store, index, manifest and sources agree)."""
    problems = []
    report = gen.read_build()
    if not report:
        return ["build.json missing or unreadable"]
    if not remote_store and not gen.store.is_dir():
        problems.append("store missing")
    meta = None
    if report.get("index"):
        meta = gen.read_index_meta()
        if meta is None:
            problems.append("index/meta.json missing or unreadable")
    if meta is not None:
        if meta.get("corpus_hash") != report["index"].get("corpus_hash"):
            problems.append("index corpus hash differs from build.json")
        if meta.get("plankg_corpus_sha256") not in (None, report.get("corpus_sha256")):
            problems.append("index was built from another corpus than the store")

    for s in report.get("sources", []):
        problem = digest_problem(gen.source(s["file"]), s["sha256"], f"source {s['file']}")
        if problem:
            problems.append(problem)
    return problems


def digest_problem(path: Path, sha256: str, what: str) -> str | None:
    """'<what> missing' / '<what> differs from its recorded sha256', or None when the file is intact."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return f"{what} missing"
    return None if digest == sha256 else f"{what} differs from its recorded sha256"
