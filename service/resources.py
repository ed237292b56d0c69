"""What a server process opens and shares between request threads, per build generation: the store,
the SPARQL query runner, the search engine and the build manifest (build.json).

A ``ServedGeneration`` holds all of them for one ``gen-…`` folder, so a request sees a store and a search
index that belong together. Each request is pinned to the generation that was current when it
started (``begin_request`` / ``end_request``): when ``current`` is flipped (``plankg build``, ``add``,
``remove``, the admin API), new requests go to the new generation while requests in flight finish on
the old one, which is closed once its last request is done. While a process serves a generation it
holds a shared lock on ``gen/.readers``, so that a concurrent add does not delete it underneath.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import IO, Any

from builds.generations import hold_generation
from builds.layout import DataFolder, Generation
from config import Config
from embeddings.encoders import LockedEncoder
from embeddings.engine import SearchEngine
from graph.store import Store, open_store

from . import dumps
from .sparql.runner import ProcessQueryRunner, ThreadQueryRunner

log = logging.getLogger("plankg.web")


IN_MEMORY_AUTO_MAX = 4_000_000  # triples: ~1.6 GB per query worker


class NotReady(RuntimeError):
    """Something the request needs has not been built yet (no store, no index)."""


class ServedGeneration:
    """Store, query runner, search engine and corpus of one generation folder (``path``; None when
    nothing is built yet)."""

    def __init__(self, owner: Resources, path: str | None):
        self.owner = owner
        self.path = path
        self.layout = Generation(Path(path)) if path else None
        self.name = os.path.basename(path) if path else None
        self._lock = threading.RLock()
        self._engine_lock = threading.Lock()
        self._store: Store | None = None
        self._runner: ThreadQueryRunner | ProcessQueryRunner | None = None
        self._engine: SearchEngine | None = None
        self._manifest: dict | None = None
        self._cache: dict[str, Any] = {}
        self.data_version = 0  # bumped by every SPARQL Update of this generation's store
        self.refs = 0
        self.retired = False
        self.closed = False
        self._hold: IO[bytes] | None = None
        self._hold_pid: int | None = None

    def __repr__(self) -> str:
        return f"ServedGeneration({self.name!r}, refs={self.refs}, retired={self.retired})"

    def hold(self) -> None:
        """Take this process's shared lock on the folder (once per process: not in the gunicorn
        master, whose copy would outlive every worker's use of the generation)."""
        if self.layout is None or self._hold_pid == os.getpid():
            return
        with self._lock:
            if self._hold_pid != os.getpid():
                self._hold = hold_generation(self.layout)
                self._hold_pid = os.getpid()

    # --- store
    @property
    def store_path(self) -> str | None:
        if self.owner.remote or self.layout is None:
            return None
        p = self.layout.store
        return str(p) if p.is_dir() else None

    def store(self):
        with self._lock:
            if self._store is None:
                cfg = self.owner.cfg
                if cfg.remote_store:
                    self._store = open_store(cfg.remote_store, auth=cfg.remote_auth)
                else:
                    path = self.store_path
                    if path is None:
                        raise NotReady(f"no graph built in {cfg.data_dir}: run `plankg build` first")
                    self._store = open_store(path, read_only=not self.owner.writable)
            return self._store

    def runner(self):
        with self._lock:
            if self._runner is None and not self.owner.remote:
                store = self.store()
                if getattr(store, "memory", False):
                    self._runner = ThreadQueryRunner(store.oxigraph, self.owner.query_workers, self.owner.query_timeout)
                else:
                    path = self.store_path
                    assert path is not None  # store() above opened it
                    self._runner = ProcessQueryRunner(
                        path,
                        self.owner.query_workers,
                        self.owner.query_timeout,
                        memory_mb=self.owner.query_memory_mb,
                        in_memory=self.owner.use_in_memory(self.manifest()),
                    )
            return self._runner

    def start_query_workers(self, wait: bool = False) -> None:
        """Create the query runner now (in-memory workers then copy the store in the background);
        ``wait``: until they are ready (a generation switch, while requests still go to the old one)."""
        if self.owner.remote or self.store_path is None:
            return
        try:
            runner = self.runner()
            if wait and hasattr(runner, "wait_ready"):
                runner.wait_ready(runner.start_timeout)
        except Exception as e:  # noqa: BLE001 - the first query will start a worker and report it
            log.warning("query workers of %s not started: %s", self.name, e)

    def query_workers(self) -> dict | None:
        """The query runner's state, or None before it was created (or for a remote store)."""
        runner = self._runner
        return runner.state() if runner is not None else None

    def data_changed(self) -> None:
        self._cache = {}
        self.data_version += 1
        if self._runner is not None:
            self._runner.bump_generation()
        if self.layout is not None and self.name:
            dumps.remove(self.layout.dumps)
            dumps.remove(dumps.temp_folder(self.name))

    def dumps_folder(self) -> Path:
        """Where this generation's downloads are written (``service.dumps``): its ``dumps/`` folder, or a
        temporary one when that cannot be written."""
        if self.layout is None or not self.name:
            raise NotReady(f"no graph built in {self.owner.cfg.data_dir}: run `plankg build` first")
        folder = self.layout.dumps
        return folder if dumps.writable(folder) else dumps.temp_folder(self.name)

    def cached(self, key: str, compute):
        cache = self._cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    # --- search engine
    @property
    def index_dir(self) -> Path | None:
        return self.layout.index if self.layout else None

    def engine(self):
        if self._engine is not None:
            return self._engine
        with self._engine_lock:
            if self._engine is None:
                index = self.index_dir
                if index is None or not (index / "meta.json").exists():
                    raise NotReady("no search index built yet: run `plankg build` first")
                t = time.perf_counter()
                # the models of the previous generation are reused (same specs): no reload
                self._engine = SearchEngine.load(index, encoders=dict(self.owner.encoders))
                self.owner.encoders.update(self._engine.encoders)
                log.info("search engine of %s loaded in %.1fs", self.name, time.perf_counter() - t)
            return self._engine

    # --- manifest
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            manifest = self.layout.read_build() if self.layout else {}
            if not manifest:
                return {}
            self._manifest = manifest
        return self._manifest

    def close(self) -> None:
        with self._lock:
            if self._runner is not None:
                self._runner.close()
            if self._store is not None:
                try:
                    self._store.close()
                except Exception:  # noqa: BLE001
                    pass
            self._runner = self._store = None
            self._manifest = None
            self._cache = {}
            self._engine = None
            self.closed = True
            if self._hold is not None and self._hold_pid == os.getpid():
                self._hold.close()
            self._hold, self._hold_pid = None, None


class Resources:
    """The generations of one data folder as seen by one server process. The methods act on the
    generation pinned to the calling request thread (or the current one outside requests)."""

    def __init__(self, cfg: Config, *, writable: bool | None = None):
        self.cfg = cfg
        self.folder = DataFolder(cfg.data_dir)
        self.writable = bool(cfg.update_token) if writable is None else writable
        self.sparql_in_memory = cfg.sparql_in_memory
        self.query_timeout = cfg.query_timeout
        self.query_workers = cfg.query_workers
        self.query_memory_mb = cfg.query_memory
        self._lock = threading.RLock()
        self._switch_lock = threading.Lock()
        # held while the admin API encodes new texts with the live models (one add at a time); searches do
        # not take it: SearchEngine guards its own caches and never holds a lock while a model encodes
        self.search_lock = threading.RLock()
        self.encoders: dict[str, Any] = {}  # loaded models, shared by the engines of all generations
        self._local = threading.local()
        self._current = ServedGeneration(self, self._current_target())
        self._checked = time.monotonic()

    def use_in_memory(self, manifest: dict) -> bool:
        """Do the query workers copy the store into memory? ``on`` / ``off``, or ``auto``: when the
        generation has at most ``IN_MEMORY_AUTO_MAX`` triples (~400 bytes each, per worker)."""
        if self.sparql_in_memory in ("1", "on", "true", "yes"):
            return True
        if self.sparql_in_memory in ("0", "off", "false", "no"):
            return False
        triples = manifest.get("triples")
        return isinstance(triples, int) and triples <= IN_MEMORY_AUTO_MAX

    # --- generations
    def _current_target(self) -> str | None:
        try:
            return os.path.realpath(self.folder.current) if self.folder.current.exists() else None
        except OSError:
            return None

    @property
    def generation(self) -> ServedGeneration:
        """The generation this thread's request is pinned to, else the current one."""
        gen = getattr(self._local, "gen", None)
        return gen if gen is not None else self._current

    def check_reload(self, every: float = 1.0, force: bool = False) -> None:
        """Switch to the generation ``current`` points at, if it changed (checked at most every
        ``every`` s). The new generation's search engine is loaded before new requests are sent to
        it, so store and index switch together; requests in flight stay on the old one."""
        now = time.monotonic()
        if not force and now - self._checked < every:
            return
        self._checked = now
        target = self._current_target()
        if target == self._current.path:
            return
        if not self._switch_lock.acquire(blocking=force):
            return  # another thread is switching; this request stays on the old one
        try:
            if target == self._current.path:
                return
            new = ServedGeneration(self, target)
            new.hold()
            if self._current._engine is not None or self._current.path is None:
                try:  # warm it up while requests still go to the old generation
                    new.engine()
                except Exception as e:  # noqa: BLE001 - served without search; engine() says why
                    log.warning("search engine of %s not loaded: %s", new.name, e)
            if self._current._runner is not None:
                new.start_query_workers(wait=True)
            log.info("new build generation %s: switching from %s", new.name, self._current.name)
            with self._lock:
                old, self._current = self._current, new
                old.retired = True
                close_now = old.refs == 0
            if close_now:
                old.close()
        finally:
            self._switch_lock.release()

    def begin_request(self) -> None:
        self.check_reload()
        with self._lock:
            gen = self._current
            gen.refs += 1
        gen.hold()
        self._local.gen = gen

    def end_request(self) -> None:
        gen = getattr(self._local, "gen", None)
        if gen is None:
            return
        self._local.gen = None
        with self._lock:
            gen.refs -= 1
            close_now = gen.retired and gen.refs == 0 and not gen.closed
        if close_now:
            gen.close()

    @property
    def remote(self) -> bool:
        return bool(self.cfg.remote_store)

    @property
    def store_path(self) -> str | None:
        return self.generation.store_path

    # --- what the views use (all on the pinned generation)
    def store(self):
        return self.generation.store()

    def runner(self):
        """Query runner for the SPARQL endpoint (None for a remote store: it has its own limits)."""
        return self.generation.runner()

    def data_changed(self) -> None:
        """After an update: query workers reopen their read-only snapshot, cached views are dropped."""
        self.generation.data_changed()

    def cached(self, key: str, compute):
        """Per-generation memo of derived data (dropped after updates)."""
        return self.generation.cached(key, compute)

    def engine(self):
        return self.generation.engine()

    @property
    def _engine(self):
        return self.generation._engine

    def preload(self) -> None:
        """Load the search engine now (in the gunicorn master, before the workers fork)."""
        try:
            self.engine()
        except Exception as e:  # noqa: BLE001 - the service still serves the graph without search
            log.warning("search engine not loaded: %s", e)

    def manifest(self) -> dict[str, Any]:
        return self.generation.manifest()

    def start_query_workers(self) -> None:
        """In a server's worker process, after the fork: start the SPARQL query workers."""
        self._current.start_query_workers()

    def live_encoders(self) -> list:
        """The loaded models, wrapped so that two adds never encode at once (searches run beside them)."""
        try:
            engine = self.engine()
        except Exception:  # noqa: BLE001
            return []
        return [LockedEncoder(e, self.search_lock) for e in engine.encoders.values()]

    def close(self) -> None:
        with self._lock:
            self._current.close()
            self._current = ServedGeneration(self, self._current_target())
