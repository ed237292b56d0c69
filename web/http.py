"""HTTP helpers shared by the blueprints: JSON encoding, the ``.json`` twin of every page, pagination,
errors, and request-encoding checks.

JSON twin scheme (one, everywhere, like Datasette): a page at ``/path`` has its data at
``/path.json`` (``/`` -> ``/.json``), with the same query string. The JSON of a page is the same
payload the matching ``/api/…`` endpoint returns.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from decimal import Decimal
from functools import wraps
from typing import Callable
from urllib.parse import unquote_to_bytes

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup, escape

from service.payloads import NotFound
from config import Config
from service.resources import NotReady, Resources


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


def _call(fn, kw):
    """Run a view body; map the data layer's errors to HTTP statuses."""
    try:
        return 200, fn(**kw)
    except NotFound as e:
        return 404, error_payload(404, str(e) or "not found")
    except NotReady as e:
        return 503, error_payload(503, str(e))
    except ValueError as e:
        return 400, error_payload(400, str(e))


def api_view(fn: Callable):
    """An /api/ endpoint: its return value is the JSON body (or a ready Response)."""
    @wraps(fn)
    def view(**kw):
        status, payload = _call(fn, kw)
        if not isinstance(payload, dict) and not isinstance(payload, list):
            return payload
        resp = jsonify(payload)
        resp.status_code = status
        return resp
    return view


def page(bp, rule: str, template: str, **options):
    """Register ``rule`` (HTML, rendered with ``template``) and ``rule + '.json'`` (its data)."""
    def deco(fn: Callable):
        def render(as_json: bool, kw: dict):
            status, payload = _call(fn, kw)
            if not isinstance(payload, (dict, list)):
                return payload
            if as_json:
                resp = jsonify(payload)
                resp.status_code = status
                return resp
            if status != 200:
                return render_template("error.html", error=payload, json_url=json_url()), status
            return render_template(template, data=payload, json_url=json_url())

        @wraps(fn)
        def html_view(**kw):
            return render(False, kw)

        def json_view(**kw):
            return render(True, kw)

        bp.add_url_rule(rule, fn.__name__, html_view, **options)
        bp.add_url_rule(rule + ".json", fn.__name__ + "_json", json_view, **options)
        return html_view
    return deco


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
    string and url-encoded form bodies with 400 (never a 500, never silently replaced characters)."""
    env = request.environ
    raw_uri = env.get("RAW_URI") or env.get("REQUEST_URI")
    if raw_uri:
        _check_encoded(raw_uri.split("?", 1)[0].encode("latin-1", "replace"), "URL path")
    else:
        try:
            env.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            abort(400, "the URL path is not valid UTF-8 once percent-decoded")
    query = env.get("QUERY_STRING", "")
    if query:
        _check_encoded(query.encode("latin-1", "replace"), "query string")
    if request.method == "POST" and request.path.startswith("/sparql"):
        _limit_chunked_body()
        if request.mimetype == "application/x-www-form-urlencoded":
            _check_encoded(request.get_data(cache=True), "form body")


def _limit_chunked_body() -> None:
    """MAX_CONTENT_LENGTH holds for a chunked body too (one without Content-Length). Werkzeug only
    checks the declared length, so a chunked body would be read into memory whatever its size."""
    env = request.environ
    limit = request.max_content_length
    if limit is None or env.get("CONTENT_LENGTH") or "chunked" not in env.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    data = env["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413, f"the request body is over the {limit} byte limit")
    env["wsgi.input"] = io.BytesIO(data)
    env["CONTENT_LENGTH"] = str(len(data))


def int_arg(name: str, default: int, lo: int = 1, hi: int = 1000) -> int:
    try:
        value = int(request.args.get(name) or default)      # an empty form field: the default
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer") from None
    return max(lo, min(hi, value))      # out of range: the nearest bound


def paginate(items: list, default_per_page: int = 50) -> dict:
    """?page=&per_page= over a list: items of the page, total, and next/prev links."""
    per_page = int_arg("per_page", default_per_page, 1, 500)
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    page_no = int_arg("page", 1, 1, pages)
    start = (page_no - 1) * per_page

    def link(n):
        if not 1 <= n <= pages or n == page_no:
            return None
        args = {**request.args.to_dict(), "page": n, "per_page": per_page}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {"items": items[start:start + per_page], "total": total, "page": page_no, "per_page": per_page,
            "pages": pages, "next": link(page_no + 1), "prev": link(page_no - 1)}


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
