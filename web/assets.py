"""Static assets (``/static/``): content-hashed URLs, precompressed bodies, long cache lifetimes.

``url_for('static', filename=…)`` gets ``?v=<hash of the file's content>`` (a ``url_defaults`` hook, so the
templates need nothing), and a request carrying the current ``v`` is answered with
``Cache-Control: public, max-age=31536000, immutable``: a new file content is a new URL. Without it (or
with an old ``v``) the answer must be revalidated (``no-cache``). Each file is read once per process (again
when its size or mtime changes) and gzipped once when it is text over ``MIN_COMPRESS`` bytes; the strong
ETag is the content hash (``-gz`` for the gzipped variant) and ``If-None-Match`` gives 304.

Behind the nginx front (``web.front``) nginx serves ``/static/`` itself from a precompressed copy
(``precompress``), with the same Cache-Control rule.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import mimetypes
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request
from werkzeug.security import safe_join

STATIC = Path(__file__).resolve().parent / "static"
MIN_COMPRESS = 1024  # bytes: smaller bodies are sent as they are
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
TEXT_TYPES = ("application/javascript", "application/json", "image/svg+xml", "application/xml")


def compressible(mimetype: str | None) -> bool:
    """Text worth gzipping (JSON, HTML, CSS, JS, RDF syntaxes, SPARQL results, CSV/TSV)."""
    m = (mimetype or "").split(";")[0].strip().lower()
    return (
        m.startswith("text/")
        or m in TEXT_TYPES
        or m.endswith(("+json", "+xml"))
        or m in ("application/n-triples", "application/n-quads", "application/rdf+xml", "application/trig")
    )


def gzip_bytes(body: bytes) -> bytes:
    """Deterministic gzip (no timestamp in the header): the same body always gives the same bytes,
    which a strong ETag needs."""
    return gzip.compress(body, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gz: bytes | None  # the gzipped body, when it is text over MIN_COMPRESS bytes and gzip saves something
    version: str  # content hash (the ``v`` of its URL and its ETag)
    mimetype: str
    mtime: float
    stamp: tuple[int, int]  # (size, mtime_ns) of the file it was read from


class StaticFiles:
    """The files of one static folder, read and compressed once per process."""

    def __init__(self, folder: Path = STATIC):
        self.folder = Path(folder)
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> Asset | None:
        path = safe_join(str(self.folder), filename)
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        asset = self._assets.get(filename)
        if asset is not None and asset.stamp == stamp:
            return asset
        body = Path(path).read_bytes()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        gz = gzip_bytes(body) if compressible(mimetype) and len(body) >= MIN_COMPRESS else None
        asset = Asset(
            body,
            gz if gz is not None and len(gz) < len(body) else None,
            hashlib.sha256(body).hexdigest()[:16],
            mimetype,
            st.st_mtime,
            stamp,
        )
        with self._lock:
            self._assets[filename] = asset
        return asset

    def version(self, filename: str) -> str | None:
        asset = self.get(filename)
        return asset.version if asset else None


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def cache_control(asset: Asset) -> str:
    return IMMUTABLE if request.args.get("v") == asset.version else REVALIDATE


def static_response(files: StaticFiles, filename: str) -> Response:
    asset = files.get(filename)
    if asset is None:
        abort(404)
    use_gz = asset.gz is not None and accepts_gzip()
    etag = asset.version + ("-gz" if use_gz else "")
    headers = {"Cache-Control": cache_control(asset), "Vary": "Accept-Encoding"}
    if request.if_none_match.contains_weak(etag) or request.if_none_match.star_tag:
        resp = Response(status=304, headers=headers)
    else:
        resp = Response(asset.gz if use_gz else asset.body, mimetype=asset.mimetype, headers=headers)
        if use_gz:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.last_modified = dt.datetime.fromtimestamp(int(asset.mtime), dt.UTC)
    return resp


def install(app: Flask) -> StaticFiles:
    """Serve ``/static/`` from ``StaticFiles`` and version every ``url_for('static', …)``."""
    files = StaticFiles(Path(app.static_folder or STATIC))

    def static(filename: str):
        return static_response(files, filename)

    app.view_functions["static"] = static

    @app.url_defaults
    def _version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            v = files.version(values["filename"])
            if v:
                values["v"] = v

    app.extensions["plankg_static"] = files
    return files


def precompress(source: Path, target: Path) -> int:
    """Copy the static folder ``source`` to ``target`` with a ``.gz`` beside every compressible file over
    ``MIN_COMPRESS`` bytes (nginx's gzip_static serves them); returns how many were compressed."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    n = 0
    for p in target.rglob("*"):
        mimetype = mimetypes.guess_type(p.name)[0]
        if p.is_file() and compressible(mimetype) and p.stat().st_size >= MIN_COMPRESS:
            gz = p.with_name(p.name + ".gz")
            gz.write_bytes(gzip_bytes(p.read_bytes()))
            shutil.copystat(p, gz)  # gzip_static wants the same mtime for both
            n += 1
    return n
