"""The drafting workbench over HTTP, declared in the route table (``web.routes``, route ``check``):

* ``GET /check``: the page (upload or paste a draft, choose the peers, read the report, download it);
* ``GET /api/check`` (= ``/check.json``): what the form offers, and with ``?against=`` the peer plans it selects;
* ``POST /api/check`` (= ``/check.json``): the check of a draft, as ``multipart/form-data`` (file fields, any
  name, up to ``service.check.drafts.MAX_FILES`` files, and/or a ``text`` field with pasted text; ``against``;
  ``format``), ``application/x-www-form-urlencoded`` (``text``, ``against``, ``format``) or ``application/json``
  (``{"text", "against", "format"}``). ``format``: ``json`` (default) the report; ``html`` a printable page,
  ``docx`` a Word document, ``csv`` the units and their counterparts — each as a download.

Nothing is stored: no file in the data folder, no change to the corpus. A draft that cannot be read is a 400
naming file, line and reason; a body over ``PLANKG_MAX_UPLOAD`` (per file, times the files allowed) a 413;
another check running for over a minute a 503 with ``Retry-After``.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, jsonify, request

from graph.parse import FileTooLarge, ParseError, SourceFile
from service.check import exports, parse_against, pasted, word
from service.check.drafts import MAX_FILES
from service.payloads import check as data
from service.resources import Resources

from .http import error_payload, settings
from .params import Param

AGAINST = Param(
    "against",
    "the peer plans: filters name=value separated by commas, e.g. plan_type=children,level=区县,period=2021-2030 "
    "(plan_type, level, period, region, plan; values as codes or in Chinese; | between alternatives)",
)
FORMATS = ("json", "html", "docx", "csv")
MIME = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}
MULTIPART_OVERHEAD = 64 * 1024


def _error(status: int, message: str, **headers: str) -> Response:
    resp = jsonify(error_payload(status, message))
    resp.status_code = status
    resp.headers.update(headers)
    return resp


def _limit() -> int:
    return int(settings().max_upload)


def _read() -> tuple[list[SourceFile], str, str, dict]:
    """The draft files (pasted text as one more), ``against``, ``format`` and the check's options of a POST."""
    mime = request.mimetype
    if mime == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValueError('send {"text": "<the draft>", "against": "…", "format": "json"} as JSON')
        fields = {k: body.get(k) for k in ("text", "against", "format", "encoders")}
        if any(v is not None and not isinstance(v, str) for v in fields.values()):
            raise ValueError("text, against, format and encoders must be strings")
        files = []
    elif mime in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = {k: request.form.get(k) for k in ("text", "against", "format", "encoders")}
        files = [f for key in request.files for f in request.files.getlist(key) if f.filename or f.content_length]
    else:
        raise ValueError("send the draft as multipart/form-data (files and/or text), form fields or JSON")
    if len(files) > MAX_FILES:
        raise ValueError(f"一次最多检查 {MAX_FILES} 个文件（收到 {len(files)} 个）")
    sources = []
    for f in files:
        blob = f.stream.read(_limit() + 1)
        if len(blob) > _limit():
            raise FileTooLarge(f.filename or "upload", f"the file is over the {_limit() // (1024 * 1024)} MB limit")
        sources.append(SourceFile(f.filename or "", blob, "upload"))
    text = fields.get("text") or ""
    if text.strip():
        sources.append(pasted(text))
    if not sources:
        raise ValueError("没有草稿：请上传规划文件（file）或粘贴规划文本（text）")
    against = fields.get("against") or request.args.get("against") or ""
    fmt = (fields.get("format") or request.args.get("format") or "json").strip().lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    AGAINST.parse(against)  # length and control characters, as for the GET parameter
    options = {"encoders": fields["encoders"]} if (fields.get("encoders") or "").strip() else {}
    return sources, against, fmt, options


REASONS = (  # the parser's reasons a drafter meets most, in Chinese (the original follows in brackets)
    (
        "no plan structure found",
        "没有找到规划结构：需要“发展领域”部分（如“二、发展领域、主要目标和策略措施”）及其下编号的领域"
        "（如“（一）儿童与健康”）",
    ),
    ("the development-domain section has domains but no goals", "发展领域部分有领域标题，但没有找到编号的目标或措施"),
    ("not a plan file type", "不是可读取的规划文件类型"),
    ("no plan title", "文件中没有规划标题，也无法推断"),
    ("duplicate plan title", "同一标题的规划出现了两次"),
)


def _reason(reason: str) -> str:
    for start, zh in REASONS:
        if reason.startswith(start) or start in reason:
            return f"{zh}（{reason}）"
    return reason


def _download(report: dict, fmt: str) -> Response:
    body: str | bytes = (
        word.to_docx(report) if fmt == "docx" else (exports.to_html if fmt == "html" else exports.to_csv)(report)
    )
    stem = "起草检查-" + (report["drafts"][0]["title"] if report["drafts"] else "草稿")
    disposition = f"attachment; filename=\"draft-check.{fmt}\"; filename*=UTF-8''{quote(stem)}.{fmt}"
    return Response(body, content_type=MIME[fmt], headers={"Content-Disposition": disposition})


def check_resource(res: Resources, args: dict):
    """The payload of route ``check``: the form (GET) or the check of the posted draft (POST)."""
    if request.method != "POST":
        form = data.check_form(res)
        against = args.get("against") or ""
        if against:
            filters = parse_against(against)
            view = data.corpus_view(res)
            form["peers"] = [p.to_dict() for p in view.peers(filters)]
        form["against_given"] = against
        return form
    limit = _limit() * MAX_FILES + MULTIPART_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        return _error(413, f"the draft is over the {limit // (1024 * 1024)} MB limit of one check")
    request.max_content_length = limit
    try:
        sources, against, fmt, options = _read()
        report = data.check(res, sources, against, **options)
    except FileTooLarge as e:
        return _error(413, f"草稿文件过大：{e}")
    except ParseError as e:
        raise ValueError(
            f"草稿无法读取（{e.file}{f' 第 {e.line} 行' if e.line else ''}）：{_reason(e.reason)}"
        ) from None
    except data.Busy as e:
        return _error(503, str(e), **{"Retry-After": "30"})
    return report if fmt == "json" else _download(report, fmt)


# ----------------------------------------------------------------------------- OpenAPI (web.openapi adds these)

_S, _N, _I, _B = {"type": "string"}, {"type": "number"}, {"type": "integer"}, {"type": "boolean"}


def _obj(props: dict, required: tuple[str, ...] = ()) -> dict:
    out: dict = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _arr(items: dict) -> dict:
    return {"type": "array", "items": items}


_TARGET = _obj(
    {
        "value": {"type": "number", "nullable": True},
        "unit": _S,
        "comparator": {"type": "string", "nullable": True},
        "year": {"type": "integer", "nullable": True},
        "text": _S,
        "qualitative": _S,
        "change": {"type": "object", "nullable": True, "description": "a relative target: direction, amount, unit"},
    }
)
OPENAPI_SCHEMAS = {
    "CheckForm": _obj(
        {
            "plans": _arr(
                _obj(
                    {
                        "plan": _S,
                        "plan_title": _S,
                        "type": _S,
                        "region": _S,
                        "level": _S,
                        "period": _S,
                        "units": _I,
                        "url": _S,
                    }
                )
            ),
            "against": _obj({"plan_type": _arr(_S), "level": _arr(_S), "period": _arr(_S)}),
            "against_given": _S,
            "peers": _arr(_obj({"plan": _S, "plan_title": _S})),
            "formats": _arr(_S),
            "max_files": _I,
            "max_units": _I,
        }
    ),
    "CheckReport": _obj(
        {
            "plans": _arr({"type": "object", "description": "each draft plan as `plankg parse --json` gives it"}),
            "drafts": _arr(
                _obj(
                    {
                        "title": _S,
                        "type": _S,
                        "region": _S,
                        "level": _S,
                        "peers": _arr(_obj({})),
                        "summary": _obj({}),
                        "coverage": _arr(_obj({})),
                    }
                )
            ),
            "summary": _obj({k: _I for k in (*exports.SUMMARY, "same_targets", "incomparable_targets", "encoded")}),
            "units": _arr(
                _obj(
                    {
                        "id": _S,
                        "kind": _S,
                        "number": _I,
                        "domain": _S,
                        "domain_title": _S,
                        "text": _S,
                        "new": _B,
                        "counterparts": _arr(
                            _obj(
                                {
                                    "plan": _S,
                                    "plan_title": _S,
                                    "unit": _S,
                                    "text": _S,
                                    "similarity": _N,
                                    "diff": _arr(_arr(_S)),
                                },
                                ("plan", "plan_title", "unit", "text", "similarity"),
                            )
                        ),
                        "suggested_agencies": _arr(
                            _obj({"name": _S, "type": _S, "plans": _I, "in_draft": _B}, ("name", "type", "plans"))
                        ),
                        "suggested_laws": _arr(_obj({"title": _S, "plans": _I, "in_draft": _B}, ("title", "plans"))),
                    },
                    ("id", "kind", "number", "domain", "text", "counterparts", "suggested_agencies", "suggested_laws"),
                )
            ),
            "indicators": _arr(
                _obj(
                    {
                        "name": _S,
                        "concept": _S,
                        "draft": _TARGET,
                        "peers": _arr(
                            _obj(
                                {
                                    "plan_title": _S,
                                    "value": {"type": "number", "nullable": True},
                                    "unit": _S,
                                    "comparator": {"type": "string", "nullable": True},
                                    "year": {"type": "integer", "nullable": True},
                                    "position": _S,
                                }
                            )
                        ),
                        "position": {"type": "string", "enum": ["weaker", "stronger", "same", "incomparable"]},
                    },
                    ("name", "draft", "peers", "position"),
                )
            ),
            "missing_topics": _arr(
                _obj(
                    {
                        "label": _S,
                        "domain": _S,
                        "plans": _I,
                        "keywords": _arr(_S),
                        "examples": _arr(_obj({"plan_title": _S, "text": _S}, ("plan_title", "text"))),
                    },
                    ("label", "domain", "plans", "examples"),
                )
            ),
            "seconds": _obj({}),
        },
        ("plans", "units", "indicators", "missing_topics"),
    ),
}
_FIELDS = {
    "text": {"type": "string", "description": "pasted draft text (any layout the parser reads)"},
    "against": {"type": "string", "description": AGAINST.description},
    "format": {"type": "string", "enum": list(FORMATS), "default": "json"},
    "encoders": {
        "type": "string",
        "description": "compare with these encoders of the index only (comma-separated, e.g. m3e-small): faster for "
        "a draft of new wording; default all, as search",
    },
}
OPENAPI_POST = {
    "summary": "Check a draft plan against the plans of the graph (nothing is stored)",
    "operationId": "check_draft",
    "description": "Parses and extracts the draft as `plankg add` would, then per unit its best counterpart in each "
    "peer plan with a character diff, the agencies and laws they name, the topics ≥ 2 peer plans of the draft's "
    "type cover and the draft does not, and its indicator targets against the peers' (weaker, stronger, same, "
    "incomparable). The same input with format=html|docx|csv downloads the report.",
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": _obj(
                    {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": f"up to {MAX_FILES} plan files (.txt .docx .doc .wps .pdf .html .htm)",
                        },
                        **_FIELDS,
                    }
                )
            },
            "application/x-www-form-urlencoded": {"schema": _obj(_FIELDS)},
            "application/json": {"schema": _obj(_FIELDS, ("text",))},
        },
    },
    "responses": {
        "200": {
            "description": "the report (format=json), or the report as a download",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CheckReport"}},
                **{MIME[f]: {"schema": {"type": "string", "format": "binary"}} for f in ("html", "docx", "csv")},
            },
        },
        "400": {"$ref": "#/components/responses/Error"},
        "413": {"$ref": "#/components/responses/Error"},
        "503": {"$ref": "#/components/responses/Error"},
    },
}
