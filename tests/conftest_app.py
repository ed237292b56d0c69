"""In-process fixtures: the Flask app (``web.app.create_app``) over a small build, driven by Flask's
test client through the same interface as the real server of ``conftest_server`` (``get``, ``post``,
``request`` returning a ``Reply``), so a test of the app's logic needs no gunicorn and no model.

* ``hash_data_dir``: the bundled corpus built once per session with the model-free ``hash`` encoder;
* ``app``: the app over it (update token ``UPDATE_TOKEN``, the live server's query limits);
* ``client``: that app's test client, wrapped as a ``Server``-like object;
* ``app_server(data_dir, token=None, env=None)``: another app in process, with the call of
  ``conftest_server.start_server`` (settings from the environment plus ``env``), closed at the end;
* ``live_or_app(request, live, app)``: for a module whose tests mostly run in process: the fixture
  ``live`` when the test asks for it (``@pytest.mark.usefixtures(live)``, which also puts it in the
  ``server`` tier), else ``app``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest_server import LIVE_MAX_ROWS, LIVE_TIMEOUT_S, UPDATE_TOKEN, Reply

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "plans"


class AppClient:
    """Flask's test client with the request helpers of ``conftest_server.Server``."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = UPDATE_TOKEN
        self.url = "http://localhost"

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None, timeout: float = 60
    ) -> Reply:
        data = body.encode("utf-8") if isinstance(body, str) else body
        resp = self.client.open(path, method=method, data=data, headers=headers or {})
        return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.get_data())

    def get(self, path: str, params: dict | None = None, headers: dict | None = None, **kw) -> Reply:
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        return self.request("GET", path, headers=headers, **kw)

    def post(self, path: str, body, content_type: str, headers: dict | None = None, **kw) -> Reply:
        return self.request("POST", path, body, {"Content-Type": content_type, **(headers or {})}, **kw)


@pytest.fixture(scope="session")
def hash_data_dir(tmp_path_factory) -> Path:
    """The bundled corpus built with the model-free hash encoder (a few seconds, no model)."""
    from builds.pipeline import build
    from config import Config

    data = tmp_path_factory.mktemp("hash-build") / "data"
    build(Config(data_dir=data, corpus=CORPUS), encoders="hash")
    return data


@pytest.fixture(scope="session")
def app(hash_data_dir):
    from config import Config
    from web.app import create_app

    application = create_app(
        Config(
            data_dir=hash_data_dir,
            corpus=CORPUS,
            update_token=UPDATE_TOKEN,
            query_timeout=LIVE_TIMEOUT_S,
            max_rows=LIVE_MAX_ROWS,
        )
    )
    yield application
    application.extensions["plankg"].close()


@pytest.fixture(scope="session")
def client(app) -> AppClient:
    return AppClient(app)


@pytest.fixture(scope="session")
def app_server():
    """``app_server(data_dir, token=None, env=None)``: an in-process app over ``data_dir`` whose settings
    come from the environment and ``env``, as ``start_server`` gives them to ``plankg serve``."""
    from config import Config
    from web.app import create_app

    started = []

    def start(data_dir: Path, *, token: str | None = None, env: dict | None = None) -> AppClient:
        environ = {k: v for k, v in os.environ.items() if k not in ("PLANKG_STORE", "PLANKG_UPDATE_TOKEN")}
        environ.update(env or {})
        if token:
            environ["PLANKG_UPDATE_TOKEN"] = token
        application = create_app(Config.from_env(environ, data_dir=Path(data_dir)))
        started.append(application)
        c = AppClient(application)
        c.token = token
        return c

    yield start
    for application in started:
        application.extensions["plankg"].close()


def live_or_app(request, live: str, app: str):
    """The fixture named ``live`` if the test uses it (e.g. ``@pytest.mark.usefixtures(live)``), else ``app``."""
    return request.getfixturevalue(live if live in request.fixturenames else app)
