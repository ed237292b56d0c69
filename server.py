"""PlanKG web service: JSON API (/api/), SPARQL endpoint (/sparql) and pages.

    plankg serve --port 8000                      # gunicorn, gthread workers, app preloaded once
    gunicorn -k gthread 'server:create_app()'     # the same app under a gunicorn of your own

Configuration (environment or arguments): PLANKG_DATA (data folder with ``current``), PLANKG_STORE
(remote SPARQL endpoint instead of the embedded store), PLANKG_UPDATE_TOKEN (enables SPARQL Update
with ``Authorization: Bearer <token>``), PLANKG_QUERY_TIMEOUT (s, default 10), PLANKG_MAX_ROWS
(default 10000), PLANKG_MAX_BODY (bytes, default 1 MiB), PLANKG_QUERY_WORKERS (default 2),
PLANKG_ADMIN_TOKEN (enables the admin API /api/admin/), PLANKG_UPLOAD_DIR (folder the admin API may
add files from by path), PLANKG_MAX_UPLOAD (bytes, default 20 MiB), PLANKG_ADMIN_LOCK_WAIT (s, default 60),
PLANKG_QUERY_MEMORY (MiB of data per query worker process for a query, default 1024),
PLANKG_SPARQL_IN_MEMORY (auto | on | off: query workers copy the store into memory; auto: up to
4 M triples).
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Optional

from flask import Flask, request

from graph.settings import Settings, load_settings

log = logging.getLogger("plankg.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _max_plan_bytes() -> int:
    from graph.parse import MAX_BYTES
    return MAX_BYTES


def create_app(settings: Optional[Settings] = None, *, update_token: Optional[str] = None,
               query_timeout: Optional[float] = None, max_rows: Optional[int] = None,
               max_body: Optional[int] = None, query_workers: Optional[int] = None,
               query_memory_mb: Optional[int] = None) -> Flask:
    from web import admin, api, pages, sparql
    from web.resources import Resources
    from web.views import JSONProvider, check_request_encoding, highlight
    from web import labels
    from web.ids import page_path

    settings = settings or load_settings()
    token = update_token if update_token is not None else (os.environ.get("PLANKG_UPDATE_TOKEN") or None)
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.config.update(
        PLANKG_UPDATE_TOKEN=token,
        PLANKG_QUERY_TIMEOUT=query_timeout if query_timeout is not None else _env_float("PLANKG_QUERY_TIMEOUT", 10.0),
        PLANKG_MAX_ROWS=int(max_rows if max_rows is not None else _env_float("PLANKG_MAX_ROWS", 10000)),
        MAX_CONTENT_LENGTH=int(max_body if max_body is not None else _env_float("PLANKG_MAX_BODY", 1 << 20)),
        PLANKG_QUERY_MEMORY=int(query_memory_mb if query_memory_mb is not None
                                else _env_float("PLANKG_QUERY_MEMORY", 1024)),
        JSON_SORT_KEYS=False,
        PLANKG_ADMIN_TOKEN=os.environ.get("PLANKG_ADMIN_TOKEN") or None,
        PLANKG_UPLOAD_DIR=os.environ.get("PLANKG_UPLOAD_DIR") or None,
        PLANKG_MAX_UPLOAD=int(_env_float("PLANKG_MAX_UPLOAD", _max_plan_bytes())),
        PLANKG_ADMIN_LOCK_WAIT=_env_float("PLANKG_ADMIN_LOCK_WAIT", 60.0),
    )
    if not settings.remote_store:
        from graph.corpus import startup_cleanup
        removed = startup_cleanup(settings)
        if removed:
            log.warning("removed what an interrupted build left in %s: %s", settings.data_dir, ", ".join(removed))
    app.extensions["plankg"] = Resources(
        settings, writable=bool(token), query_timeout=app.config["PLANKG_QUERY_TIMEOUT"],
        query_workers=int(query_workers or _env_float("PLANKG_QUERY_WORKERS", 2)),
        query_memory_mb=app.config["PLANKG_QUERY_MEMORY"],
        sparql_in_memory=os.environ.get("PLANKG_SPARQL_IN_MEMORY") or "auto")
    app.extensions["plankg_update_lock"] = threading.Lock()
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.globals.update(labels=labels, page_path=page_path)

    app.before_request(check_request_encoding)   # 400 for bad percent-encoding / non-UTF-8 parameters

    @app.before_request
    def _reload():
        # pin this request to the current generation (store + index + corpus of one build)
        app.extensions["plankg"].begin_request()

    @app.teardown_request
    def _release(_exc=None):
        app.extensions["plankg"].end_request()

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    def _http_error(e):
        from web.views import json_error
        from flask import render_template
        if request.path.startswith(("/api/", "/sparql")) or request.path.endswith(".json"):
            if request.path.startswith("/sparql"):
                from web.sparql import text_response
                return text_response(e.code, e.description)
            return json_error(e.code, e.description)
        return render_template("error.html", error={"status": e.code, "error": e.description}, json_url=None), e.code

    return app


def serve(settings: Optional[Settings] = None, host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          threads: int = 8, **gunicorn_options) -> int:
    """Run the service under gunicorn (gthread workers). The app, and the search model with it, is
    loaded once in the master before the workers fork."""
    from gunicorn.app.base import BaseApplication

    settings = settings or load_settings()
    token = os.environ.get("PLANKG_UPDATE_TOKEN") or None
    if token and workers > 1:
        log.warning("SPARQL Update needs one worker process (the store is opened read-write once): using 1")
        workers = 1

    class PlanKGApplication(BaseApplication):
        def __init__(self):
            self.application = create_app(settings)
            # the model loads here, in the master; the store opens lazily in each worker (after fork)
            self.application.extensions["plankg"].preload()
            super().__init__()

        def load_config(self):
            app = self.application

            def post_worker_init(worker):       # query workers (and their in-memory copies) start now
                app.extensions["plankg"].start_query_workers()
            options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                       "post_worker_init": post_worker_init,
                       "worker_class": "gthread", "preload_app": True,
                       "timeout": int(self.application.config["PLANKG_QUERY_TIMEOUT"] + 60),
                       "graceful_timeout": 10, "accesslog": os.environ.get("PLANKG_ACCESS_LOG"),
                       "proc_name": "plankg", **gunicorn_options}
            for key, value in options.items():
                if value is not None and key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return self.application

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    PlanKGApplication().run()
    return 0
