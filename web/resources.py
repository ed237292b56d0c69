"""What a server process opens once and shares between request threads: the store, the SPARQL
query runner, the search engine (lazy, thread-safe) and the parsed corpus (corpus.json).

When ``current`` is flipped to a new build generation, everything is reopened on the next request.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, Optional

from graph.settings import Settings

log = logging.getLogger("plankg.web")


class NotReady(RuntimeError):
    """Something the request needs has not been built yet (no store, no index)."""


class Resources:
    def __init__(self, settings: Settings, *, writable: bool = False, query_timeout: float = 10.0,
                 query_workers: int = 2):
        self.settings = settings
        self.writable = writable
        self.query_timeout = query_timeout
        self.query_workers = query_workers
        self._lock = threading.RLock()
        self._engine_lock = threading.Lock()
        # the engine keeps small caches (query vectors, filter masks) that are not thread-safe
        self.search_lock = threading.RLock()
        self._store = None
        self._runner = None
        self._engine = None
        self._engine_error: Optional[str] = None
        self._corpus: Optional[list] = None
        self._cache: dict[str, Any] = {}
        self._generation = self._current_target()
        self._checked = time.monotonic()

    # --- generations
    def _current_target(self) -> Optional[str]:
        try:
            return os.path.realpath(self.settings.current) if self.settings.current.exists() else None
        except OSError:
            return None

    def check_reload(self, every: float = 2.0) -> None:
        """Reopen everything when ``current`` points at a new generation (checked at most every ``every`` s)."""
        now = time.monotonic()
        if now - self._checked < every:
            return
        self._checked = now
        target = self._current_target()
        if target != self._generation:
            log.info("new build generation %s: reopening store and index", target)
            with self._lock:
                self._generation = target
                self.close()

    @property
    def remote(self) -> bool:
        return bool(self.settings.remote_store)

    @property
    def store_path(self) -> Optional[str]:
        if self.remote:
            return None
        p = self.settings.current / "store"
        return os.path.realpath(p) if p.exists() else None

    # --- store
    def store(self):
        with self._lock:
            if self._store is None:
                from graph.store import open_store
                if self.remote:
                    self._store = open_store(self.settings.store_url, auth=self.settings.remote_auth)
                else:
                    path = self.store_path
                    if path is None:
                        raise NotReady(f"no graph built in {self.settings.data_dir}: run `plankg build` first")
                    self._store = open_store(path, read_only=not self.writable)
            return self._store

    def runner(self):
        """Query runner for the SPARQL endpoint (None for a remote store: it has its own limits)."""
        with self._lock:
            if self._runner is None and not self.remote:
                from .sparql_runner import ProcessQueryRunner, ThreadQueryRunner
                store = self.store()
                if getattr(store, "memory", False):
                    self._runner = ThreadQueryRunner(store.oxigraph, self.query_workers, self.query_timeout)
                else:
                    self._runner = ProcessQueryRunner(self.store_path, self.query_workers, self.query_timeout)
            return self._runner

    def data_changed(self) -> None:
        """After an update: query workers reopen their read-only snapshot, cached views are dropped."""
        self._cache = {}
        if self._runner is not None:
            self._runner.bump_generation()

    def cached(self, key: str, compute):
        """Per-generation memo of derived data (dropped on reload and after updates)."""
        cache = self._cache
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    # --- search engine
    def engine(self):
        if self._engine is not None:
            return self._engine
        with self._engine_lock:
            if self._engine is None:
                index = self.settings.index_dir
                if not index.exists():
                    raise NotReady("no search index built yet: run `plankg build` first")
                from embeddings.search import SearchEngine
                t = time.perf_counter()
                self._engine = SearchEngine.load(index)
                log.info("search engine loaded in %.1fs", time.perf_counter() - t)
            return self._engine

    def preload(self) -> None:
        """Load the search engine now (in the gunicorn master, before the workers fork)."""
        try:
            self.engine()
        except Exception as e:  # noqa: BLE001 - the service still serves the graph without search
            log.warning("search engine not loaded: %s", e)

    # --- corpus
    def corpus(self) -> list[dict]:
        with self._lock:
            if self._corpus is None:
                path = self.settings.current / "corpus.json"
                self._corpus = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
            return self._corpus

    def manifest(self) -> dict[str, Any]:
        p: Path = self.settings.manifest
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

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
            self._corpus = None
            self._cache = {}
            self._engine = None
