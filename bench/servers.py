"""Scratch servers on loopback for tests and benchmarks: ``oxigraph serve``, Virtuoso and ``plankg serve``.

Each starts in its own folder on free ports and is stopped (by its process id) on exit::

    with oxigraph_server(tmp) as url:            # http://127.0.0.1:PORT  (/query /update /store)
        store = open_store(url)
    with virtuoso_server(tmp) as v:              # v.url, v.store_options() for SparqlHttpStore
        store = SparqlHttpStore(v.url, **v.store_options())

Binaries: ``oxigraph`` from PyPI ``oxigraph`` (.venv/bin, $PLANKG_OXIGRAPH_BIN or PATH); ``virtuoso-t``
from Debian ``virtuoso-opensource`` ($PLANKG_VIRTUOSO_BIN or PATH).

    with plankg_server(data, ["--front", "none", "--workers", "1"], {"PLANKG_RESPONSE_CACHE": "0"}) as s:
        urllib.request.urlopen(s.url + "/api/search?q=...")
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIRTUOSO_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")


def oxigraph_bin() -> str | None:
    cands = [
        os.environ.get("PLANKG_OXIGRAPH_BIN"),
        shutil.which("oxigraph"),
        shutil.which("oxigraph", path=os.path.dirname(sys.executable)),
        shutil.which("oxigraph", path=sysconfig.get_path("scripts")),
        shutil.which("oxigraph", path=str(ROOT / ".venv" / "bin")),
    ]
    return next((c for c in cands if c and os.access(c, os.X_OK)), None)


def virtuoso_bin() -> str | None:
    c = os.environ.get("PLANKG_VIRTUOSO_BIN") or shutil.which("virtuoso-t")
    return c if c and VIRTUOSO_INI.exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float, log: Path | None = None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception as exc:  # noqa: BLE001
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-800:] if log and log.exists() else ""
                raise RuntimeError(f"server exited with {proc.returncode}: {tail}") from exc
            time.sleep(0.2)
    raise RuntimeError(f"server not ready after {seconds}s: {url}")


def _stop(proc: subprocess.Popen):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def oxigraph_server(folder, binary: str | None = None):
    binary = binary or oxigraph_bin()
    if not binary:
        raise RuntimeError("oxigraph server binary not found (pip install oxigraph)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url + "/query?query=ASK%7B%7D", proc, 30, log)
        yield url
    finally:
        _stop(proc)


@dataclass
class Virtuoso:
    url: str  # http://127.0.0.1:PORT (SPARQL at /sparql)
    folder: Path
    user: str = "dba"
    password: str = "dba"
    graph: str = "urn:plankg:graph"

    def store_options(self) -> dict:
        """SparqlHttpStore options for this server: digest-authenticated update and Graph Store endpoints,
        the data in one named graph that every query gets as its default graph."""
        return {
            "query_endpoint": self.url + "/sparql",
            "update_endpoint": self.url + "/sparql-auth",
            "store_endpoint": self.url + "/sparql-graph-crud-auth",
            "username": self.user,
            "password": self.password,
            "auth_scheme": "digest",
            "graph": self.graph,
        }

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.glob("virtuoso*.db"))


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int, buffers: int) -> str:
    out, section = [], ""
    for line in VIRTUOSO_INI.read_text(encoding="utf-8", errors="replace").splitlines():
        s = line.strip()
        if s.startswith("["):
            section = s
        key = s.split("=", 1)[0].strip() if "=" in s and not s.startswith(";") else ""
        val = None
        if section in ("[Database]", "[TempDatabase]") and key in (
            "DatabaseFile",
            "ErrorLogFile",
            "LockFile",
            "TransactionFile",
            "xa_persistent_file",
        ):
            val = str(folder / Path(s.split("=", 1)[1].strip()).name)
        elif section == "[Parameters]" and key == "ServerPort":
            val = str(sql_port)
        elif section == "[Parameters]" and key == "DirsAllowed":
            val = f"., {folder}, /usr/share/virtuoso-opensource-7/vad"
        elif section == "[Parameters]" and key == "NumberOfBuffers":
            val = str(buffers)
        elif section == "[Parameters]" and key == "MaxDirtyBuffers":
            val = str(buffers * 3 // 4)
        elif section == "[HTTPServer]" and key == "ServerPort":
            val = str(http_port)
        elif section == "[SPARQL]" and key == "ResultSetMaxRows":
            val = "10000000"
        elif section == "[SPARQL]" and key == "MaxQueryCostEstimationTime":
            val = "0"
        elif section == "[SPARQL]" and key == "MaxQueryExecutionTime":
            val = "600"
        elif section == "[Plugins]" and key.startswith("Load"):
            continue
        out.append(f"{key} = {val}" if val is not None else line)
    return "\n".join(out) + "\n"


@contextmanager
def virtuoso_server(folder, binary: str | None = None, buffers: int = 170000):
    """A fresh Virtuoso (its own db folder, loopback ports); ``buffers`` × 8 KiB of page cache."""
    binary = binary or virtuoso_bin()
    if not binary:
        raise RuntimeError("virtuoso-t not found (apt-get install virtuoso-opensource)")
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_virtuoso_ini(folder, sql_port, http_port, buffers), encoding="utf-8")
    log = folder / "stdout.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=str(folder), stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{http_port}"
    try:
        _wait(url + "/sparql?query=ASK%7B%7D", proc, 120, folder / "virtuoso.log")
        yield Virtuoso(url, folder)
    finally:
        _stop(proc)


@dataclass
class PlanKGServer:
    """A ``plankg serve`` started by ``plankg_server``: its address, process and log."""

    port: int
    proc: subprocess.Popen
    log: Path
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, n: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""


@contextmanager
def plankg_server(
    data: Path,
    args: list[str] | tuple[str, ...] = (),
    env: dict | None = None,
    logs: Path | None = None,
    code: Path = ROOT,
):
    """``plankg serve --data DATA ARGS…`` on a free loopback port, with ``env`` added to the environment
    and the project's code taken from ``code`` (another checkout: this one's virtualenv runs it);
    yields a ``PlanKGServer`` once ``/api/health`` answers and its SPARQL query workers are ready, and stops
    it (SIGTERM to its process id, then SIGKILL) on exit."""
    port = free_port()
    folder = Path(logs or tempfile.mkdtemp(prefix="plankg-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"serve-{port}.log"
    full_env = {**os.environ, "PYTHONPATH": str(code), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    full_env.update(env or {})
    argv = [sys.executable, "-m", "scripts.plankg", "serve", "--data", str(Path(data).resolve()), "--port", str(port)]
    argv += args
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=str(code), env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = PlanKGServer(port, proc, log)
    try:
        deadline = time.time() + 600
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"plankg serve exited with {proc.returncode}: {server.log_tail()}")
            try:
                with urllib.request.urlopen(server.url + "/api/health", timeout=10) as r:
                    health = json.loads(r.read())
                if (health.get("query_workers") or {}).get("all_ready", True):
                    break
            except Exception:  # noqa: BLE001 - not up yet
                pass
            if time.time() > deadline:
                raise RuntimeError(f"plankg serve not ready after 600 s: {server.log_tail()}")
            time.sleep(0.5)
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
