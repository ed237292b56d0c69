"""The Flask application factory: ``create_app(config)`` wires the blueprints to one ``Config``.

    app = create_app(Config.from_env(data_dir="var"))
    app.test_client().get("/api/health")

Each request is pinned to the build generation that was current when it started
(``service.resources``); pages and API answers are made by ``service.payloads``.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, render_template, request

from builds.generations import startup_cleanup
from builds.layout import DataFolder
from config import Config
from service import labels
from service.links import page_path, rdf_links
from service.resources import Resources

from . import admin, api, assets, caching, linked_data, pages, sparql_endpoint
from .http import (
    JSONProvider,
    check_request_encoding,
    drain_unread_body,
    highlight,
    json_error,
    snippet,
    with_allow,
)

log = logging.getLogger("plankg.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def create_app(cfg: Config | None = None) -> Flask:
    """The PlanKG web app over ``cfg`` (default: ``Config.from_env()``)."""
    cfg = cfg or Config.from_env()
    app = Flask(__name__)
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.config.update(MAX_CONTENT_LENGTH=int(cfg.max_body), JSON_SORT_KEYS=False)
    if not cfg.remote_store:
        removed = startup_cleanup(DataFolder(cfg.data_dir))
        if removed:
            log.warning("removed what an interrupted build left in %s: %s", cfg.data_dir, ", ".join(removed))
    app.extensions["plankg_config"] = cfg
    app.extensions["plankg"] = Resources(cfg)
    app.extensions["plankg_update_lock"] = threading.Lock()
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(sparql_endpoint.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(linked_data.bp)
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["snippet"] = snippet
    app.jinja_env.globals.update(labels=labels, page_path=page_path, rdf_links=rdf_links)

    @app.context_processor
    def _settings_for_templates():
        # what the pages may know of the settings: whether the admin API (and so the upload page) is on
        return {"admin_enabled": bool(cfg.admin_token)}

    app.before_request(check_request_encoding)  # 400 for bad percent-encoding / non-UTF-8 parameters

    @app.before_request
    def _pin_generation():
        # pin this request to the current generation (store + index + corpus of one build)
        app.extensions["plankg"].begin_request()

    @app.teardown_request
    def _release(_exc=None):
        app.extensions["plankg"].end_request()

    app.after_request(drain_unread_body)  # a refused body is read, so the front gets the answer, not a 502

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
        return with_allow(_error_answer(e), e)  # a 405 says which methods the resource has

    def _error_answer(e):
        if e.code in (400, 404) and request.path.startswith("/id/"):  # in the syntax asked for
            message = linked_data.WHY if e.code == 404 else e.description
            return linked_data.error_in_format(linked_data.preferred(), e.code, message)
        if request.path.startswith(("/api/", "/sparql")) or request.path.endswith(".json"):
            if request.path.startswith("/sparql"):
                return sparql_endpoint.text_response(e.code, e.description)
            return json_error(e.code, e.description)
        return render_template("error.html", error={"status": e.code, "error": e.description}, json_url=None), e.code

    assets.install(app)  # /static/: versioned URLs, precompressed, immutable
    caching.install(app, cfg.response_cache * 1024 * 1024)  # ETag / 304 / LRU / gzip, after the pinning hook
    return app
