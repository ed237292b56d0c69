"""Fixtures that run the real service: gunicorn in a subprocess on a free loopback port.

* ``built_data_dir``: a data folder built once per test session with ``builds.pipeline.build`` on the
  bundled corpus (in ``var/test-server``, so the embedding cache survives between sessions;
  ``PLANKG_TEST_DATA`` overrides the folder), then copied to a folder of the session's own;
* ``live_server``: the service over that folder (update token ``UPDATE_TOKEN``, a short query
  timeout and a small row limit so the limits can be tested);
* ``start_server(data_dir, **env)``: start another one (stopped at the end of the session).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
UPDATE_TOKEN = "test-update-token"
LIVE_TIMEOUT_S = 4
LIVE_MAX_ROWS = 500


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    host: str
    port: int
    proc: subprocess.Popen
    log: Path
    token: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None, timeout: float = 60
    ) -> Reply:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def get(self, path: str, params: dict | None = None, headers: dict | None = None, **kw) -> Reply:
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        return self.request("GET", path, headers=headers, **kw)

    def post(self, path: str, body, content_type: str, headers: dict | None = None, **kw) -> Reply:
        return self.request("POST", path, body, {"Content-Type": content_type, **(headers or {})}, **kw)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def launch(
    data_dir: Path, log_dir: Path, *, token: str | None = None, env: dict | None = None, wait_s: float = 180
) -> Server:
    """Start ``plankg serve`` (gunicorn) on a free port and wait until it answers."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if k not in ("PLANKG_STORE", "PLANKG_UPDATE_TOKEN")}
    full_env.update({"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})})
    if token:
        full_env["PLANKG_UPDATE_TOKEN"] = token
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scripts.plankg",
                "serve",
                "--data",
                str(data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--threads",
                "8",
            ],
            cwd=str(ROOT),
            env=full_env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    server = Server("127.0.0.1", port, proc, log, token, env or {})
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{server.log_text()}")
        try:
            if server.get("/api/", timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"server did not start in {wait_s}s:\n{server.log_text()}")


@pytest.fixture(scope="session")
def built_data_dir(tmp_path_factory) -> Path:
    """The bundled corpus built once for this session (graph + search index + parts).

    Built in the shared folder (warm embedding cache), then copied (the current generation and the
    cache, ~25 MB) to a folder of this session: test sessions run side by side rebuild the shared folder,
    and a server following its ``current`` would switch to the other session's generation, whose store
    the other session's server holds open for writing (RocksDB's lock: every request a 500)."""
    from builds.lock import DataLock
    from builds.pipeline import build
    from config import Config
    from tests.corpus_util import copy_data

    shared = Path(os.environ.get("PLANKG_TEST_DATA") or ROOT / "var" / "test-server")
    build(Config.from_env(data_dir=shared), progress=False)
    with DataLock(shared, what="a test session copying the build"):  # no build switches it meanwhile
        return copy_data(shared, tmp_path_factory.mktemp("test-server") / "data")


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def start_server(server_logs):
    started: list[Server] = []

    def start(data_dir: Path, **kw) -> Server:
        s = launch(Path(data_dir), server_logs, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def live_server(built_data_dir, start_server) -> Server:
    return start_server(
        built_data_dir,
        token=UPDATE_TOKEN,
        env={"PLANKG_QUERY_TIMEOUT": str(LIVE_TIMEOUT_S), "PLANKG_MAX_ROWS": str(LIVE_MAX_ROWS)},
    )
