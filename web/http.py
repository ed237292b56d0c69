"""HTTP helpers shared by the blueprints: JSON encoding, errors, pagination, and request-encoding checks.

The routes themselves are declared once in ``web.routes``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import abort, current_app, jsonify, make_response, request, url_for
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup, escape

from config import Config
from service.payloads import NotFound
from service.resources import NotReady, Resources

from .front import body_limit
from .params import control_character


class JSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        return DefaultJSONProvider.default(o)


def resources() -> Resources:
    """What this server process holds open for the current generation (``service.resources``)."""
    return current_app.extensions["plankg"]


def settings() -> Config:
    """The app's configuration (``config.Config``)."""
    return current_app.extensions["plankg_config"]


def error_payload(status: int, message: str) -> dict:
    return {"error": message, "status": status}


def json_error(status: int, message: str):
    resp = jsonify(error_payload(status, message))
    resp.status_code = status
    return resp


def call(fn: Callable, kw: dict) -> tuple[int, Any]:
    """Run a view body; map the data layer's errors to HTTP statuses: (status, payload)."""
    try:
        return 200, fn(**kw)
    except NotFound as e:
        return 404, error_payload(404, str(e) or "not found")
    except NotReady as e:
        return 503, error_payload(503, str(e))
    except ValueError as e:
        return 400, error_payload(400, str(e))


def json_response(status: int, payload):
    """``payload`` as JSON with ``status`` (a ready Response passes through)."""
    if not isinstance(payload, (dict, list)):
        return payload
    resp = jsonify(payload)
    resp.status_code = status
    return resp


def api_view(fn: Callable):
    """A hand-written /api/ endpoint: its return value is the JSON body (or a ready Response)."""

    @wraps(fn)
    def view(**kw):
        return json_response(*call(fn, kw))

    return view


def json_url() -> str:
    path = request.path
    if path.endswith(".json"):
        return request.full_path.rstrip("?")
    qs = request.query_string.decode()
    return path + ".json" + (f"?{qs}" if qs else "")


_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _check_encoded(raw: bytes, what: str) -> None:
    """``raw`` is percent-encoded text (a query string, a form body, a path): every ``%`` must start
    an escape and the decoded text must be UTF-8. Otherwise 400 (Werkzeug would quietly turn the bad
    bytes into U+FFFD and pass on a value the client never sent)."""
    if _BAD_PERCENT.search(raw):
        abort(400, f"malformed percent-encoding in the {what}")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        abort(400, f"the {what} is not valid UTF-8 once percent-decoded")


def check_request_encoding() -> None:
    """before_request: reject malformed percent-encoding and non-UTF-8 text in the path, the query
    string and url-encoded form bodies, and control characters in the path, with 400 (never a 500, never
    silently replaced characters). Control characters in parameters: ``web.params``, ``web.sparql_endpoint``."""
    env = request.environ
    raw_uri = env.get("RAW_URI") or env.get("REQUEST_URI")
    if raw_uri:
        _check_encoded(raw_uri.split("?", 1)[0].encode("latin-1", "replace"), "URL path")
    else:
        try:
            env.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            abort(400, "the URL path is not valid UTF-8 once percent-decoded")
    bad = control_character(request.path)
    if bad is not None:
        abort(400, f"the URL path contains the control character U+{ord(bad):04X}")
    query = env.get("QUERY_STRING", "")
    if query:
        _check_encoded(query.encode("latin-1", "replace"), "query string")
    if request.method == "POST" and request.path.startswith("/sparql"):
        _limit_chunked_body()
        if request.mimetype == "application/x-www-form-urlencoded":
            _check_encoded(request.get_data(cache=True), "form body")


def _chunked(env: dict) -> bool:
    return "chunked" in env.get("HTTP_TRANSFER_ENCODING", "").lower()


def _limit_chunked_body() -> None:
    """MAX_CONTENT_LENGTH holds for a chunked body too (one without Content-Length). Werkzeug only
    checks the declared length, so a chunked body would be read into memory whatever its size."""
    env = request.environ
    limit = request.max_content_length
    if limit is None or env.get("CONTENT_LENGTH") or not _chunked(env):
        return
    data = env["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413, f"the request body is over the {limit} byte limit")
    env["wsgi.input"] = io.BytesIO(data)
    env["CONTENT_LENGTH"] = str(len(data))


def drain_unread_body(resp):
    """after_request, under gunicorn: read and drop what is left of a request body before answering.

    gunicorn drains at most 64 KiB of a body the app left unread, then closes the connection; the nginx
    front, still sending the body it had buffered, then answers 502 instead of the app's 413, 401 or 400.
    The front has already taken the body in (up to ``web.front.body_limit``), so reading it is local."""
    env = request.environ
    body = env.get("wsgi.input")
    if "gunicorn.socket" not in env or body is None:
        return resp  # other servers' input streams are not bounded by the request (a read could block)
    if not env.get("CONTENT_LENGTH") and not _chunked(env):
        return resp
    budget = body_limit(settings())
    declared = env.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > budget:
        return resp  # more than the front lets through: let gunicorn close the connection
    while budget > 0:
        chunk = body.read(min(budget, 1 << 16))
        if not chunk:
            break
        budget -= len(chunk)
    return resp


def with_allow(answer, error):
    """The error answer (a view's return value) as a Response; for a 405, with the ``Allow`` header that
    Werkzeug's MethodNotAllowed knows (the methods the URL's rules accept) and a custom answer loses."""
    resp = make_response(answer)
    methods = getattr(error, "valid_methods", None)
    if error.code == 405 and methods:
        order = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
        resp.headers["Allow"] = ", ".join(sorted(methods, key=lambda m: (order + (m,)).index(m)))
    return resp


def paginate(items: list, page_no: int, per_page: int) -> dict:
    """Page ``page_no`` (clamped to the last page) of ``items``, ``per_page`` a page; links come from ``with_links``."""
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    page_no = min(page_no, pages)
    start = (page_no - 1) * per_page
    return {
        "items": items[start : start + per_page],
        "total": total,
        "page": page_no,
        "per_page": per_page,
        "pages": pages,
        "next": None,
        "prev": None,
    }


def with_links(page: dict, endpoint: str) -> dict:
    """``page`` with its next/prev links to ``endpoint`` (same path and query, other page number)."""

    def link(n: int) -> str | None:
        if not 1 <= n <= page["pages"]:
            return None
        args = {**request.args.to_dict(), "page": n, "per_page": page["per_page"]}
        return url_for(endpoint, **(request.view_args or {}), **args)

    return {**page, "next": link(page["page"] + 1), "prev": link(page["page"] - 1)}


def highlight(text: str, spans) -> Markup:
    """Escape ``text`` and wrap the [start, end) ``spans`` in <mark> (overlaps merged)."""
    text = text or ""
    merged: list[list[int]] = []
    clipped = ((max(0, int(a)), min(len(text), int(b))) for a, b in (spans or []))
    for a, b in sorted((a, b) for a, b in clipped if b > a):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out.append(escape(text[pos:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def snippet(text: str, spans, width: int = 120) -> dict:
    """A window of about ``width`` characters around the first highlight (the start without one):
    {"text", "highlights" (shifted into it), "cut": whether the text is longer}."""
    text = text or ""
    if len(text) <= width:
        return {"text": text, "highlights": list(spans or []), "cut": False}
    first = min((int(a) for a, _ in spans), default=0) if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = start + width
    shifted = [
        [max(0, int(a) - start), min(width, int(b) - start)] for a, b in spans or [] if int(b) > start and int(a) < end
    ]
    return {
        "text": ("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""),
        "highlights": [[a + (1 if start else 0), b + (1 if start else 0)] for a, b in shifted],
        "cut": True,
    }
