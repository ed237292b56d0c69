"""PlanKG web service: JSON API (/api/), SPARQL endpoint (/sparql) and pages, under gunicorn behind nginx.

    plankg serve --port 8000                      # nginx on :8000 -> gunicorn (2 workers) on a unix socket
    plankg serve --front none                     # gunicorn alone on :8000
    gunicorn -k gthread 'server:create_app()'     # the same app under a gunicorn of your own

The front (``web.front``, ``PLANKG_FRONT``) reads every request whole before gunicorn sees it, so slow and
idle clients cannot hold the worker threads. Without nginx installed, ``plankg serve`` warns and serves with
gunicorn alone. The app (and its search models) is created once in the gunicorn master before the workers
fork, so the workers share the models' memory; each worker opens the store and starts its SPARQL query
workers. Settings come from ``config.Config`` (the ``PLANKG_*`` variables: ``plankg settings`` lists them).
"""

from __future__ import annotations

import ctypes
import gc
import json
import logging
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

from config import Config
from embeddings.encoders import configure_threads
from web.app import create_app
from web.front import Front, front_config, nginx_binary, port_free

__all__ = ["create_app", "serve", "JSONLimitsWorker"]

log = logging.getLogger("plankg.web")

KEEPALIVE_BEHIND_FRONT = 75  # s: longer than nginx keeps an idle upstream connection (60 s), so nginx never
# sends a request on a connection gunicorn is closing (a POST would then fail with 502)


class JSONLimitsWorker(ThreadWorker):
    """gunicorn's gthread worker, answering an over-long request line (414) or over-large headers (431)
    with JSON instead of gunicorn's HTML page. The request was not parsed, so its path is unknown: the
    answer is JSON whatever the path (the pages' own errors stay HTML)."""

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, (LimitRequestLine, LimitRequestHeaders)):
            return super().handle_error(req, client, addr, exc)
        status, reason, what = (
            (414, "URI Too Long", "the URL is too long")
            if isinstance(exc, LimitRequestLine)
            else (431, "Request Header Fields Too Large", "the request headers are too large")
        )
        self.log.warning("refused a request from %s: %s", (addr or ("",))[0], exc)
        body = (json.dumps({"error": f"{what}: {exc}", "status": status}) + "\n").encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n\r\n"
        ).encode("latin-1")
        try:
            write_nonblock(client, head + body)
        except Exception:  # noqa: BLE001 - the client went away
            self.log.debug("failed to send the error answer")


class FrontArbiter(Arbiter):
    """gunicorn's master, stopping the front first when it stops: nginx stops taking connections and
    finishes the requests in flight while the workers can still answer them."""

    front: Front | None = None

    def stop(self, graceful: bool = True) -> None:
        if self.front is not None:
            self.front.stop()
        super().stop(graceful)


class PlanKGApplication(BaseApplication):
    """gunicorn running the app, which is created (and its search models loaded) once in the master
    before the workers fork; each worker opens the store and starts its SPARQL query workers."""

    def __init__(self, cfg: Config, options: dict[str, Any], front: Front | None = None):
        self.options = options
        self.front = front
        self.application = create_app(cfg)
        self.application.extensions["plankg"].preload()
        super().__init__()

    def load_config(self) -> None:
        app, front = self.application, self.front

        def post_worker_init(worker):
            # torch re-makes its thread pool in a forked child on first use, and a first use from several
            # request threads at once fails ("Invalid thread pool!"): make it now, on this one thread
            configure_threads()  # PLANKG_THREADS, else every core (measured: better than sharing them out)
            app.extensions["plankg"].start_query_workers()  # query workers (and their in-memory copies)

        def when_ready(arbiter):  # gunicorn's socket is bound: nginx can forward to it
            if front is not None:
                try:
                    front.start()
                except RuntimeError as e:
                    arbiter.halt(reason=str(e), exit_status=1)

        def pre_fork(arbiter, worker):  # before each fork, a replaced worker's too
            freeze_heap()

        hooks = {"post_worker_init": post_worker_init, "when_ready": when_ready, "pre_fork": pre_fork}
        for key, val in {**hooks, **self.options}.items():
            if val is not None and key in self.cfg.settings:
                self.cfg.set(key, val)

    def load(self):
        return self.application

    def run(self) -> None:
        arbiter = FrontArbiter(self)
        arbiter.front = self.front
        arbiter.run()


def freeze_heap() -> None:
    """Move the master's objects (models, tokenizers, indexes, vocabularies) out of the collector's reach before
    the workers fork. A worker's full collection writes to the header of every object it tracks: the first one
    copied ~100 MiB of the master's pages into each worker at once (measured: shared -> private dirty), and a
    copied page is never shared again. Frozen objects are not collected, which suits objects that live as long
    as the process."""
    gc.collect()
    gc.freeze()


M_ARENA_MAX = -8  # glibc's mallopt parameter


def limit_malloc_arenas(n: int) -> bool:
    """At most ``n`` glibc malloc arenas in this process and the workers it forks (set before their threads
    start): with one arena per thread, 8 request threads and the models' threads each keep their own freed
    memory, and a mixed load's PSS crept up 3x faster (docs/benchmarks.md). False where it is not glibc."""
    if n <= 0:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, int(n)))
    except (OSError, AttributeError):
        return False


def choose_front(cfg: Config, front: str | None) -> str | None:
    """The nginx binary to use, or None for gunicorn alone (with a warning when nginx was wanted)."""
    if (front or cfg.front) != "nginx":
        return None
    binary = nginx_binary()
    if binary is None:
        log.warning(
            "nginx is not installed: serving with gunicorn alone, where slow or idle clients can hold up "
            "every worker thread (install Debian's nginx-light, or set PLANKG_FRONT=none to silence this)"
        )
    return binary


def serve(
    cfg: Config | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    threads: int = 8,
    front: str | None = None,
    **gunicorn_options: Any,
) -> int:
    """Run the service: gunicorn (gthread workers), behind nginx unless ``front`` (or ``PLANKG_FRONT``)
    is ``none`` or nginx is missing."""
    cfg = cfg or Config.from_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    workers = cfg.workers if workers is None else workers
    if workers < 1 or threads < 1:
        log.error("--workers and --threads must be at least 1 (got %s and %s)", workers, threads)
        return 2
    if cfg.update_token and workers > 1:
        log.warning("SPARQL Update needs one worker process (the store is opened read-write once): using 1")
        workers = 1
    binary = choose_front(cfg, front)
    if binary is not None and not port_free(host, port):
        log.error("cannot listen on %s:%s: the address is in use", host, port)
        return 1
    nginx = Front(binary, cfg, host, port) if binary else None
    limit_malloc_arenas(cfg.malloc_arenas)  # before the models load and any thread starts
    options = {
        "bind": f"unix:{nginx.socket}" if nginx else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": JSONLimitsWorker,
        "preload_app": True,
        "timeout": int(cfg.query_timeout + 60),
        "graceful_timeout": 10,
        "accesslog": cfg.access_log,
        "proc_name": "plankg",
        "limit_request_line": 8190,  # gunicorn's most (its default is 4094): the same 8 KiB as nginx's
        **({"keepalive": KEEPALIVE_BEHIND_FRONT} if nginx else {}),
        **gunicorn_options,
    }
    try:
        if nginx:
            nginx.prepare()
        log.info("serving with %d worker process(es) x %d threads%s", workers, threads, " behind nginx" * bool(nginx))
        PlanKGApplication(cfg, options, nginx).run()
    except RuntimeError as e:
        log.error("%s", e)
        return 1
    finally:
        if nginx:
            nginx.cleanup()
    return 0


def front_config_text(cfg: Config, host: str, port: int, folder: Path = Path("/run/plankg")) -> str:
    """The nginx config ``plankg serve`` would generate (``folder``: where it would keep its files; each run
    of ``plankg serve`` makes a fresh one under the temp dir)."""
    return front_config(cfg, host, port, folder).render()
