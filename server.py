"""PlanKG web service: JSON API (/api/), SPARQL endpoint (/sparql) and pages, under gunicorn.

    plankg serve --port 8000                      # gunicorn, gthread workers, app preloaded once
    gunicorn -k gthread 'server:create_app()'     # the same app under a gunicorn of your own

Settings come from ``config.Config`` (the ``PLANKG_*`` variables: ``plankg settings`` lists them).
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from config import Config
from web.app import create_app

__all__ = ["create_app", "serve"]

log = logging.getLogger("plankg.web")


class PlanKGApplication(BaseApplication):
    """gunicorn running the app, which is created (and its search models loaded) once in the master
    before the workers fork; each worker opens the store and starts its SPARQL query workers."""

    def __init__(self, cfg: Config, options: dict[str, Any]):
        self.options = options
        self.application = create_app(cfg)
        self.application.extensions["plankg"].preload()
        super().__init__()

    def load_config(self) -> None:
        app = self.application

        def post_worker_init(worker):  # query workers (and their in-memory copies) start now
            app.extensions["plankg"].start_query_workers()

        options = {"post_worker_init": post_worker_init, **self.options}
        for key, value in options.items():
            if value is not None and key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(
    cfg: Config | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    threads: int = 8,
    **gunicorn_options: Any,
) -> int:
    """Run the service under gunicorn (gthread workers)."""
    cfg = cfg or Config.from_env()
    if cfg.update_token and workers > 1:
        log.warning("SPARQL Update needs one worker process (the store is opened read-write once): using 1")
        workers = 1
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": True,
        "timeout": int(cfg.query_timeout + 60),
        "graceful_timeout": 10,
        "accesslog": cfg.access_log,
        "proc_name": "plankg",
        **gunicorn_options,
    }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    PlanKGApplication(cfg, options).run()
    return 0
