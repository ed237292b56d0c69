"""OpenAPI 3 description of the JSON API and the SPARQL endpoint (served at /api/openapi.json).

The resources of the route table (``web.routes``) are documented from their declarations; the endpoints
written by hand (index, health, graph downloads, /sparql, admin) are described here, the linked-data ones
(/id/, /ontology, /shapes, /.well-known/void, /downloads/) in ``web.linked_data``.
"""

from __future__ import annotations

from .linked_data import OPENAPI_PATHS
from .params import PathParam, openapi_path
from .routes import GRAPH_PARAMS, ROUTES, Route


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
            "responses": _responses(route.answer, route.schema, not_found=bool(route.path)),
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
            "responses": _responses("triples in the store, search engine state, query workers ready", not_found=False),
        }
    },
    "/api/agency-graph.graphml": _graph_file("GraphML", "application/graphml+xml"),
    "/api/agency-graph.gexf": _graph_file("GEXF", "application/gexf+xml"),
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

SPARQL_PATHS = {
    "/sparql": {
        "get": {
            "summary": "SPARQL 1.1 query (or service description without ?query)",
            "parameters": [
                _q("query", "SPARQL query"),
                _q("default-graph-uri", "default graph (repeatable)"),
                _q("named-graph-uri", "named graph (repeatable)"),
            ],
            "responses": {
                "200": {
                    "description": "results (JSON, XML, CSV, TSV; Turtle, N-Triples, "
                    "JSON-LD, RDF/XML for graphs) by Accept",
                    "headers": {
                        "X-PlanKG-Truncated": {
                            "schema": {"type": "string"},
                            "description": "'true' when rows were cut at the limit",
                        }
                    },
                },
                "400": {"description": "bad syntax, several queries, SERVICE"},
                "406": {"description": "no acceptable result format"},
                "503": {"description": "query timed out (it was stopped) or endpoint busy"},
            },
        },
        "post": {
            "summary": "SPARQL query or update (updates need Authorization: Bearer <token>)",
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/sparql-update": {"schema": {"type": "string"}},
                }
            },
            "responses": {
                "200": {"description": "query results"},
                "204": {"description": "update done"},
                "401": {"description": "update without a valid token"},
                "403": {"description": "updates disabled"},
                "415": {"description": "unsupported content type"},
            },
        },
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
    "SearchResults": {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "mode": {"type": "string"},
            "k": {"type": "integer"},
            "filters": {"type": "object", "additionalProperties": {"type": "string"}},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string"},
                        "number": {"type": "integer"},
                        "text": {"type": "string"},
                        "plan": {"type": "object"},
                        "domain": {"type": "object"},
                        "file": {"type": "string"},
                        "line": {"type": "integer"},
                        "iri": {"type": "string"},
                        "scores": {"type": "object"},
                        "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                        "plans": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            **_CHOICES,
        },
    },
    "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
}


def openapi_document(server: str = "") -> dict:
    """The whole document; ``server`` is the site's root URL."""
    paths = {route_path(r): route_entry(r) for r in ROUTES}
    paths.update(HAND_WRITTEN)
    paths.update(SPARQL_PATHS)
    paths.update(ADMIN_PATHS)
    paths.update(OPENAPI_PATHS)
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
            "schemas": SCHEMAS,
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
