"""HTTP caching and compression of the app's answers, keyed on the build generation.

A GET (or HEAD) of a page or of ``/api/`` — not ``/api/admin/``, ``/api/health``, ``/sparql`` (queries may
call NOW() or RAND()), the dumps or the static files (``web.assets``), nor anything sent with
``Authorization`` — has a strong ETag: a hash of (generation, SPARQL Update count of that generation, scheme
and host, path and query, the ``Accept`` header, gzip or not). ``Accept`` stands in for the negotiated media
type, which is only known once the view has run: two Accept headers that negotiate the same type get two
ETags, never one ETag for two bodies. ``Last-Modified`` is the generation's build time (or the time this
process first saw its last SPARQL Update). ``If-None-Match`` / ``If-Modified-Since`` give 304 before the
view runs, and a 200 is kept in an in-process LRU (``PLANKG_RESPONSE_CACHE`` MiB) under the same key, so a
repeated query is answered without running the view again. ``Cache-Control: no-cache``: clients keep the
answer and revalidate it. Publishing a new generation (build, add, remove, the admin API) changes every
ETag, and the LRU drops the older generations' answers.

Every answer over ``MIN_COMPRESS`` bytes of a text type is gzipped when the client accepts gzip (cached
answers are compressed once), unless it already has a Content-Encoding or is streamed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request

from .assets import MIN_COMPRESS, REVALIDATE, accepts_gzip, compressible, gzip_bytes
from .response_cache import Entry, ResponseCache

UNCACHED_PREFIXES = ("/api/admin/", "/api/health", "/sparql", "/downloads/", "/static/")
VARY = ("Accept", "Accept-Encoding")
# headers that the cache sets per answer, never stored with the entry
PER_ANSWER = {"content-length", "content-encoding", "etag", "last-modified", "cache-control"}


@dataclass(frozen=True)
class Key:
    etag: str  # without the gzip suffix: the entry's key in the LRU
    generation: str  # "<gen name>#<update count>"
    last_modified: dt.datetime
    gzip: bool  # the client accepts gzip

    @property
    def tag(self) -> str:
        return self.etag + ("-gz" if self.gzip else "")


_update_seen: dict[tuple[str, int], dt.datetime] = {}


def _built_at(gen) -> dt.datetime:
    """When the generation's data last changed: its build time, or when this process first saw its last
    SPARQL Update. Whole seconds (HTTP dates have no more)."""
    if gen.data_version:
        return _update_seen.setdefault((gen.name, gen.data_version), dt.datetime.now(dt.UTC).replace(microsecond=0))
    raw = (gen.manifest() or {}).get("built_at")
    try:
        return dt.datetime.strptime(str(raw), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return dt.datetime.fromtimestamp(int(os.stat(gen.path).st_mtime), dt.UTC)


def request_key() -> Key | None:
    """The cache key of this request, or None when its answer is not cached."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return None
    if request.path.startswith(UNCACHED_PREFIXES):
        return None
    res = current_app.extensions["plankg"]
    if res.remote:  # another program changes that store: nothing here knows when
        return None
    gen = res.generation
    if not gen.name:
        return None
    generation = f"{gen.name}#{gen.data_version}"
    accept = " ".join(request.headers.get("Accept", "").split())
    parts = (generation, request.scheme, request.host, request.path, request.query_string.decode("latin-1"), accept)
    etag = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return Key(etag, generation, _built_at(gen), accepts_gzip())


def _validators(resp: Response, key: Key) -> Response:
    resp.set_etag(key.tag)
    resp.last_modified = key.last_modified
    resp.headers["Cache-Control"] = REVALIDATE
    for h in VARY:
        resp.vary.add(h)
    return resp


def _not_modified(key: Key) -> bool:
    inm = request.if_none_match
    if inm:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        return inm.star_tag or inm.contains_weak(key.tag)
    ims = request.if_modified_since
    return ims is not None and key.last_modified <= ims


def _encode(resp: Response, body: bytes, gz: bytes | None, use_gzip: bool) -> None:
    if use_gzip and gz is not None:
        resp.set_data(gz)
        resp.headers["Content-Encoding"] = "gzip"
    else:
        resp.set_data(body)


def _compressed(body: bytes, mimetype: str | None) -> bytes | None:
    if len(body) < MIN_COMPRESS or not compressible(mimetype):
        return None
    gz = gzip_bytes(body)
    return gz if len(gz) < len(body) else None


def _plain_body(resp: Response) -> bytes | None:
    """The whole body, when it is in memory and not encoded yet (else None: leave it alone)."""
    if resp.direct_passthrough or resp.is_streamed or "Content-Encoding" in resp.headers:
        return None
    if resp.status_code in (204, 206, 304) or resp.status_code < 200:
        return None
    return resp.get_data()


def before_request() -> Response | None:
    """304, or the cached answer, without running the view."""
    key = request_key()
    if key is None:
        return None
    g.plankg_cache_key = key
    if _not_modified(key):
        g.plankg_cache_done = True
        return _validators(Response(status=304), key)
    cache: ResponseCache = current_app.extensions["plankg_response_cache"]
    entry = cache.get(key.etag) if cache.max_bytes else None
    if entry is None:
        return None
    g.plankg_cache_done = True
    resp = Response(status=entry.status, headers=list(entry.headers))
    _encode(resp, entry.body, entry.gz, key.gzip)
    resp.headers["X-PlanKG-Cache"] = "hit"
    return _validators(resp, key)


def after_request(resp: Response) -> Response:
    """Validators on cacheable 200s (kept in the LRU), then gzip for whatever can take it."""
    if g.get("plankg_cache_done"):
        return resp
    key: Key | None = g.get("plankg_cache_key")
    body = _plain_body(resp)
    if body is None:
        return resp
    gz = _compressed(body, resp.mimetype)
    if key is not None and resp.status_code == 200 and "Set-Cookie" not in resp.headers:
        cache: ResponseCache = current_app.extensions["plankg_response_cache"]
        if cache.max_bytes:
            headers = tuple((k, v) for k, v in resp.headers.items() if k.lower() not in PER_ANSWER)
            cache.put(key.etag, Entry(key.generation, 200, headers, body, gz))
        _validators(resp, key)
    if gz is not None:
        resp.vary.add("Accept-Encoding")
        _encode(resp, body, gz, accepts_gzip())
    return resp


def install(app: Flask, max_bytes: int) -> ResponseCache:
    """Register the hooks on ``app``: after the hooks that pin the request to its generation, so that the
    key names the generation the answer comes from."""
    cache = ResponseCache(max_bytes)
    app.extensions["plankg_response_cache"] = cache
    app.before_request(before_request)
    app.after_request(after_request)
    return cache
