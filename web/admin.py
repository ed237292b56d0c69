"""Admin API under /api/admin/: add, replace and remove plan files of the running service.

* ``GET /api/admin/plans``: stored source files and plans of the current generation;
* ``POST /api/admin/plans``: one plan file (.txt .docx .doc .wps .pdf .html .htm), as
  ``multipart/form-data`` (any one file field, usually ``file``), or ``application/json``
  ``{"path": "…"}`` naming a file inside the upload folder (``PLANKG_UPLOAD_DIR``); a file whose plans
  have the titles of stored plans replaces their file;
  the same bytes again changes nothing (200, ``"status": "unchanged"``);
* ``DELETE /api/admin/plans/<id>``: a stored file by file name, plan title, plan IRI or plan id;
* ``POST /api/admin/preview``: a dry run of adding one or more plan files (``multipart/form-data``, any
  number of file fields, together at most ``PLANKG_MAX_UPLOAD``): per file its outline as the parser found
  it (plans, sections, domains, labels, counts, warnings, stray lines), the agencies, cited documents and
  indicators extraction found, and what ``POST /api/admin/plans`` of the files, one by one in that order,
  would do (``new``, ``replace`` + the stored files, ``unchanged``) or its ``error`` (file, line, reason,
  status) — 200 even when some files are bad; 400 only without any file. Nothing is written, no lock taken
  (``builds.preview``).

Every call needs ``Authorization: Bearer <PLANKG_ADMIN_TOKEN>`` (403 when no token is configured:
the admin API is off; 401 for a missing or wrong token). A change builds a complete new generation
with the server's already loaded models and flips ``current``; the server switches to it at once,
requests in flight finish on the previous one. Bad input changes nothing: 400 (file, line, reason),
413 (over ``PLANKG_MAX_UPLOAD``), 409 (ambiguous change, or another change still running after
``PLANKG_ADMIN_LOCK_WAIT`` seconds), 422 (SHACL violation).
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from flask import Blueprint, jsonify, request

from builds import corpus, preview
from builds.errors import BuildError, Busy, CorpusError
from graph.parse import FileTooLarge, ParseError, SourceFile, read_source_bytes

from .http import resources, settings

log = logging.getLogger("plankg.admin")

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

MULTIPART_OVERHEAD = 64 * 1024  # form boundaries and part headers around the one file


class AdminError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.headers, self.extra = status, headers or {}, extra


def _error(status: int, message: str, headers: dict | None = None, **extra):
    resp = jsonify({"error": message, "status": status, **extra})
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


@bp.errorhandler(AdminError)
def _admin_error(e: AdminError):
    return _error(e.status, str(e), e.headers, **e.extra)


@bp.before_request
def _authorise():
    token = settings().admin_token
    if not token:
        raise AdminError(403, "the admin API is disabled: set PLANKG_ADMIN_TOKEN to enable it")
    auth = request.headers.get("Authorization", "")
    given = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise AdminError(
            401,
            "the admin API needs Authorization: Bearer <admin token>",
            {"WWW-Authenticate": 'Bearer realm="plankg-admin"'},
        )


def _parse_error(e) -> AdminError:
    status = 413 if isinstance(e, FileTooLarge) else 400
    return AdminError(status, str(e), file=e.file, line=e.line or None, reason=e.reason)


def _limit() -> int:
    return int(settings().max_upload)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _bound_multipart() -> None:
    """A multipart body over the upload limit is refused unread (413), a chunked one once it passes it."""
    limit = _limit()
    size = request.content_length
    if size is not None and size > limit + MULTIPART_OVERHEAD:
        raise AdminError(413, f"the upload is {_mb(size)}, over the {_mb(limit)} limit for a plan file")
    request.max_content_length = limit + MULTIPART_OVERHEAD  # also for chunked bodies


def _uploaded():
    """Every file of the multipart body (any field name; empty file inputs left out)."""
    files = [f for key in request.files for f in request.files.getlist(key)]
    return [f for f in files if f.filename or f.content_length]


def _from_multipart():
    """(name, bytes) of the one uploaded file."""
    files = _uploaded()
    if len(files) != 1:
        raise AdminError(400, f"send exactly one plan file per request (got {len(files)})")
    f = files[0]
    data = f.stream.read(_limit() + 1)
    if len(data) > _limit():
        raise AdminError(
            413, f"{f.filename}: the file is over the {_mb(_limit())} limit for a plan file", file=f.filename
        )
    return f.filename or "", data, "upload"


def _from_path():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("path"), str) or not body["path"].strip():
        raise AdminError(400, 'send {"path": "<file inside the upload folder>"}')
    folder = settings().upload_dir
    if not folder:
        raise AdminError(
            403, "adding files by path is disabled: set PLANKG_UPLOAD_DIR to the folder files may be taken from"
        )
    base = Path(folder).resolve()
    given = body["path"].strip()
    target = (base / given).resolve()  # symlinks and .. are resolved before the check
    if target == base or not target.is_relative_to(base):
        raise AdminError(
            403,
            f"{given}: the path is outside the upload folder; only files inside PLANKG_UPLOAD_DIR may be added",
            path=given,
        )
    try:
        data = read_source_bytes(target)
    except ParseError as e:
        raise _parse_error(e) from None
    return target.name, data, str(target)


def _answer_errors(operation):
    """Run a corpus operation; its errors become the HTTP answers the module docstring lists."""
    try:
        return operation()
    except ParseError as e:
        raise _parse_error(e) from None
    except Busy as e:
        raise AdminError(409, str(e), {"Retry-After": "10"}) from None
    except CorpusError as e:
        raise AdminError(e.status, str(e)) from None
    except BuildError as e:
        raise AdminError(422, str(e)) from None


@bp.get("/plans")
def list_plans():
    return jsonify(corpus.listing(resources().cfg))


@bp.post("/plans")
def add_plan():
    mime = request.mimetype
    if mime == "multipart/form-data":
        _bound_multipart()
        name, data, origin = _from_multipart()
    elif mime == "application/json":
        name, data, origin = _from_path()
    else:
        raise AdminError(
            415,
            "send one plan file as multipart/form-data, or application/json "
            '{"path": "<file inside the upload folder>"}',
        )
    res = resources()
    src = _answer_errors(lambda: SourceFile(corpus.check_upload_name(name), data, origin))
    result = _answer_errors(
        lambda: corpus.add(res.cfg, [src], lock_wait=settings().admin_lock_wait, live_encoders=res.live_encoders())
    )
    log.info("admin add %s: %s → %s", name, result["status"], result.get("generation"))
    res.check_reload(force=True)
    resp = jsonify(result)
    resp.status_code = 200 if result["status"] == "unchanged" else 201
    return resp


@bp.post("/preview")
def preview_plans():
    """What adding the uploaded files would find and do (``builds.preview``); changes nothing."""
    if request.mimetype != "multipart/form-data":
        raise AdminError(415, "send the plan files to preview as multipart/form-data")
    _bound_multipart()
    files = _uploaded()
    if not files:
        raise AdminError(400, "send one or more plan files to preview (multipart/form-data)")
    sources = []
    for f in files:
        data = f.stream.read(_limit() + 1)
        if len(data) > _limit():
            raise AdminError(413, f"{f.filename}: the upload is over the {_mb(_limit())} limit", file=f.filename)
        sources.append(SourceFile(f.filename or "", data, "upload"))
    result = preview.preview(resources().cfg, sources)
    log.info("admin preview of %d files: %s", len(sources), result["summary"])
    return jsonify(result)


@bp.delete("/plans/<path:pid>", merge_slashes=False)  # a plan IRI may be given as is
def remove_plan(pid):

    res = resources()
    result = _answer_errors(
        lambda: corpus.remove(res.cfg, pid, lock_wait=settings().admin_lock_wait, live_encoders=res.live_encoders())
    )
    log.info("admin remove %s → %s", pid, result.get("generation"))
    res.check_reload(force=True)
    return jsonify(result)
