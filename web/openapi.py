"""OpenAPI 3 description of the JSON API and the SPARQL endpoint (served at /api/openapi.json).

The resources of the route table (``web.routes``) are documented from their declarations; the endpoints
written by hand (index, health, graph downloads, admin) are described here, /sparql in ``web.sparql_openapi``,
the linked-data ones (/id/, /ontology, /shapes, /.well-known/void, /downloads/) in ``web.linked_data``.
"""

from __future__ import annotations

import copy

from service.payloads.search import SEARCH_SCHEMA

from .check import OPENAPI_POST as CHECK_POST
from .check import OPENAPI_SCHEMAS as CHECK_SCHEMAS
from .linked_data import OPENAPI_PATHS
from .params import PathParam, openapi_path
from .responsibility import SECTOR_SCOPE
from .route_adapters import GRAPH_PARAMS
from .routes import ROUTES, Route
from .sparql_openapi import SPARQL_PATHS


def _q(name: str, desc: str, schema: dict | None = None, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": desc,
        "schema": schema or {"type": "string"},
    }


def _responses(desc: str, ref: str | None = None, mime: str = "application/json", not_found: bool = True) -> dict:
    schema = {"$ref": f"#/components/schemas/{ref}"} if ref else {"type": "object"}
    out = {
        "200": {"description": desc, "content": {mime: {"schema": schema}}},
        "400": {"$ref": "#/components/responses/Error"},
    }
    if not_found:
        out["404"] = {"$ref": "#/components/responses/Error"}
    out["503"] = {"$ref": "#/components/responses/Error"}
    return out


# table routes whose query parameters name things of the graph: 404 when one is not there (a route with path
# variables always may answer 404)
NOT_FOUND_BY_QUERY = {"compare"}


def route_path(route: Route) -> str:
    """Where ``route``'s JSON is documented: its /api path, or the .json twin of a page-only route."""
    return "/api" + openapi_path(route.rule) if route.api else openapi_path(route.rule) + ".json"


def route_entry(route: Route) -> dict:
    """The OpenAPI path item of a table route."""
    twin = (
        f" The page {openapi_path(route.rule)} shows it; {openapi_path(route.rule)}.json is the same JSON."
        if route.template and route.api
        else ""
    )
    return {
        "get": {
            "summary": route.summary,
            "operationId": route.name,
            "description": f"{route.answer[:1].upper()}{route.answer[1:]}.{twin}",
            "parameters": [p.openapi() for p in route.path + route.params],
            "responses": _responses(
                route.answer, route.schema, not_found=bool(route.path) or route.name in NOT_FOUND_BY_QUERY
            ),
        }
    }


_ADMIN_ERRORS = {
    "401": {"description": "missing or wrong admin token"},
    "403": {"description": "admin API disabled (no PLANKG_ADMIN_TOKEN), or a path outside PLANKG_UPLOAD_DIR"},
    "409": {
        "description": "the change would replace part of a stored file's plans or remove the last "
        "file, or another change is still running (Retry-After)"
    },
}
_SECURED: list[dict] = [{"adminToken": []}]
ADMIN_PATHS = {
    "/api/admin/plans": {
        "get": {
            "summary": "Stored source files and plans of the current generation (admin)",
            "security": _SECURED,
            "responses": {"200": {"description": "generation, files with sha256 and plans, problems"}, **_ADMIN_ERRORS},
        },
        "post": {
            "summary": "Add a plan file, or replace the stored file with plans of the same titles (admin)",
            "security": _SECURED,
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "one plan file (.txt .docx .doc .wps .pdf .html .htm)",
                                }
                            },
                        }
                    },
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["path"],
                            "properties": {
                                "path": {"type": "string", "description": "a file inside PLANKG_UPLOAD_DIR"}
                            },
                        }
                    },
                }
            },
            "responses": {
                "201": {"description": "added or replaced: new generation, plans, timings"},
                "200": {"description": "unchanged: the same bytes are already stored"},
                "400": {"description": "bad plan file (file, line, reason) or request"},
                "413": {"description": "over PLANKG_MAX_UPLOAD"},
                "415": {"description": "neither multipart/form-data nor JSON"},
                "422": {"description": "SHACL violation"},
                **_ADMIN_ERRORS,
            },
        },
    },
    "/api/admin/preview": {
        "post": {
            "summary": "Dry run of adding plan files: outline, counts and what adding each would do (admin)",
            "description": "Nothing is written. Each file is judged against the corpus as it would be once the good "
            "files before it were added, one request each, in order. A bad file has its own error "
            "(file, line, reason, status) and does not hide the others.",
            "security": _SECURED,
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                    "description": "one or more plan files, together at most PLANKG_MAX_UPLOAD",
                                }
                            },
                        }
                    }
                }
            },
            "responses": {
                "200": {
                    "description": "generation, stored counts, per file: action (new | replace | unchanged | "
                    "error), replaces, error, outline (plans with counts, sections, domains, labels, stray "
                    "lines, warnings; extracted agencies, laws, indicators), and a summary"
                },
                "400": {"description": "no file in the request"},
                "413": {"description": "over PLANKG_MAX_UPLOAD"},
                "415": {"description": "not multipart/form-data"},
                **_ADMIN_ERRORS,
            },
        }
    },
    "/api/admin/plans/{id}": {
        "delete": {
            "summary": "Remove a stored file, named by file name, plan title, plan IRI or plan id (admin)",
            "security": _SECURED,
            "parameters": [PathParam("id", "file name, plan title, plan IRI or plan id").openapi()],
            "responses": {
                "200": {"description": "removed: new generation"},
                "404": {"description": "no such stored file or plan"},
                **_ADMIN_ERRORS,
            },
        }
    },
}


def _graph_file(fmt: str, mime: str) -> dict:
    return {
        "get": {
            "summary": f"The agency graph as {fmt} (the filters of /api/agency-graph)",
            "parameters": [p.openapi() for p in GRAPH_PARAMS],
            "responses": _responses(fmt, mime=mime, not_found=False),
        }
    }


def _sector_file(what: str, mime: str) -> dict:
    return {
        "get": {
            "summary": f"The {what} of /api/sectors as a download (its scope and role parameters)",
            "parameters": [p.openapi() for p in SECTOR_SCOPE],
            "responses": _responses(what, mime=mime, not_found=False),
        }
    }


HAND_WRITTEN = {
    "/api/": {
        "get": {
            "summary": "Index: links to the API's list resources, OpenAPI and SPARQL",
            "responses": {
                "200": {
                    "description": "name and links",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "OpenAPI 3 document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/health": {
        "get": {
            "summary": "Service status",
            "responses": _responses(
                "triples in the store, search engine state, query workers ready", "Health", not_found=False
            ),
        }
    },
    "/api/agency-graph.graphml": _graph_file("GraphML", "application/graphml+xml"),
    "/api/agency-graph.gexf": _graph_file("GEXF", "application/gexf+xml"),
    "/api/sectors.graphml": _sector_file("sector graph in GraphML (every edge)", "application/graphml+xml"),
    "/api/sectors.gexf": _sector_file("sector graph in GEXF (every edge)", "application/gexf+xml"),
    "/api/sectors.csv": _sector_file("sector × domain matrix in CSV", "text/csv"),
    "/sparql.json": {
        "get": {
            "summary": "The SPARQL endpoint's address and example queries",
            "responses": {
                "200": {
                    "description": "endpoint and examples",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/upload.json": {
        "get": {
            "summary": "The upload page's data: whether the admin API is on, accepted file types, the upload limit, "
            "and the admin endpoints the page calls (the page /upload previews and adds plan files)",
            "responses": {
                "200": {
                    "description": "admin_enabled, formats, max_upload, endpoints",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}

_CHOICES = {
    "plans": {
        "type": "array",
        "description": "plans to filter by",
        "items": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}}},
    },
    "domains": {
        "type": "array",
        "description": "domains to filter by",
        "items": {"type": "object", "properties": {"concept": {"type": "string"}, "label": {"type": "string"}}},
    },
}
SCHEMAS = {
    "Page": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "next": {"type": "string", "nullable": True, "description": "the next page of this /api resource"},
            "prev": {"type": "string", "nullable": True, "description": "the previous page of this /api resource"},
        },
    },
    "SearchResults": {**SEARCH_SCHEMA, "properties": {**SEARCH_SCHEMA["properties"], **_CHOICES}},
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "triples", "search_loaded", "query_workers", "build", "process"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "triples": {"type": "integer", "description": "triples in the default graph"},
            "search_loaded": {"type": "boolean"},
            "query_workers": {
                "type": "object",
                "nullable": True,
                "description": "the SPARQL query workers (null before the first query or for a remote store); "
                "all_ready: every worker is up and none is being started or copied (after a runaway query was "
                "killed, its replacement is started at once)",
                "required": ["kind", "size", "ready", "all_ready"],
                "properties": {
                    "kind": {"type": "string", "enum": ["process", "thread"]},
                    "in_memory": {"type": "boolean"},
                    "size": {"type": "integer"},
                    "ready": {"type": "integer"},
                    "starting": {"type": "integer"},
                    "all_ready": {"type": "boolean"},
                },
            },
            "build": {"type": "object", "description": "built_at, plans, files, triples of the current generation"},
            "process": {
                "type": "object",
                "description": "the worker process that answered: its pid, objects frozen out of the garbage "
                "collector (inherited from the server's master), and its response cache's fill",
                "required": ["pid", "gc_frozen", "response_cache"],
                "properties": {
                    "pid": {"type": "integer"},
                    "gc_frozen": {"type": "integer"},
                    "response_cache": {
                        "type": "object",
                        "nullable": True,
                        "properties": {
                            k: {"type": "integer"} for k in ("entries", "bytes", "max_bytes", "hits", "misses")
                        },
                    },
                },
            },
        },
    },
}


# what any request can get before it reaches its view (``web.http.check_request_encoding``, gunicorn)
MALFORMED = {"description": "malformed URL: bad percent-encoding, not UTF-8, or a control character"}
TOO_LONG = {"description": "the request line is too long (over the server's limit, about 4 KB)"}


def add_common_answers(paths: dict) -> dict:
    """Every operation may answer 400 (a malformed URL) and 414 (too long a URL); a page that also
    answers RDF by Accept (``Route.rdf``) answers its HTML page as well."""
    pages = {openapi_path(r.rule) for r in ROUTES if r.rdf is not None and r.template}
    for path, item in paths.items():
        for op in item.values():
            op["responses"].setdefault("400", MALFORMED)
            op["responses"].setdefault("414", TOO_LONG)
            ok = op["responses"].get("200", {})
            if path in pages and "content" in ok:
                ok["content"].setdefault("text/html", {"schema": {"type": "string"}})
    return paths


def openapi_document(server: str = "") -> dict:
    """The whole document; ``server`` is the site's root URL."""
    paths = {route_path(r): route_entry(r) for r in ROUTES}
    paths.update(HAND_WRITTEN)
    paths.update(SPARQL_PATHS)
    paths.update(ADMIN_PATHS)
    paths.update(OPENAPI_PATHS)
    paths["/api/check"] = {**paths["/api/check"], "post": CHECK_POST}  # the draft check is posted
    paths = add_common_answers(copy.deepcopy(paths))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "PlanKG API",
            "version": "1.0",
            "description": "Knowledge graph and semantic search over Chinese local-government development "
            "plans (儿童/妇女发展规划). Every HTML page has the same data at its path + .json.",
        },
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **CHECK_SCHEMAS},
            "responses": {
                "Error": {
                    "description": "error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer", "description": "PLANKG_ADMIN_TOKEN"}
            },
        },
    }
