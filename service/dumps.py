"""Downloadable dumps of the store (``/downloads/plankg.nq``, ``/downloads/plankg.ttl``), gzip'd.

A dump is written once per generation, on the first request for it, into the generation's ``dumps/``
folder (``builds.layout.Generation.dumps``; a temporary folder when that one is not writable), by one writer
at a time across processes (``flock``), atomically (a temporary file renamed into place). A published
generation's data only changes through SPARQL Update, and the server then drops its dumps (``remove``).
"""

from __future__ import annotations

import fcntl
import gzip
import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

# file name -> export format; N-Quads holds every graph, Turtle the default graph (the plan data)
DUMPS = {"plankg.nq": "nquads", "plankg.ttl": "turtle"}
_thread_lock = threading.Lock()


def gz_name(name: str) -> str:
    return name + ".gz"


def temp_folder(generation: str) -> Path:
    """Where the dumps of ``generation`` go when its own folder is read-only."""
    return Path(tempfile.gettempdir()) / f"plankg-dumps-{os.getuid()}" / generation


def _write(store, fmt: str, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
            store.export(gz, format=fmt)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def dump_file(store, folder: Path, name: str, *, version: Callable[[], object] = lambda: None) -> Path:
    """``folder/<name>.gz``: the store exported in the format of ``name`` and gzip'd, written when missing.
    ``version()`` changes when the data changes: a dump written meanwhile is thrown away and written again."""
    if name not in DUMPS:
        raise KeyError(name)
    target = folder / gz_name(name)
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(folder / ".lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        for _ in range(3):
            if target.is_file():
                return target
            before = version()
            _write(store, DUMPS[name], target)
            if version() == before:
                return target
            target.unlink(missing_ok=True)
        raise RuntimeError("the data kept changing while the dump was written")


def remove(folder: Path | None) -> None:
    """Drop the dumps in ``folder`` (after the data changed)."""
    if folder is not None:
        for name in DUMPS:
            (folder / gz_name(name)).unlink(missing_ok=True)


def writable(folder: Path) -> bool:
    """Whether dumps can be written into ``folder`` (made when missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def chunks(path: Path, size: int = 1 << 16):
    """The decompressed bytes of the gzip file ``path``, piece by piece (for a client without gzip)."""
    with gzip.open(path, "rb") as f:
        while True:
            block = f.read(size)
            if not block:
                return
            yield block
