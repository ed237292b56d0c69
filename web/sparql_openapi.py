"""The OpenAPI description of the SPARQL endpoint (``web.sparql_endpoint``): its parameters, the result formats
by query form (``format=`` from ``graph.store.formats.FORMAT_PARAM``), its errors and its CORS; ``web.openapi``
puts it in /api/openapi.json."""

from __future__ import annotations

from graph.store.formats import FORMAT_PARAM


def _q(name: str, desc: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": desc, "schema": {"type": "string"}}


_TEXT = {"schema": {"type": "string"}}
_SPARQL_ERRORS = {  # text/plain answers, with Access-Control-Allow-Origin: * (except those of an update)
    "400": {
        "description": "bad syntax, several queries, SERVICE or LOAD, a format= that does not fit the query form, a "
        "graph IRI that is not absolute, a control character in a parameter, no query or update in a POST",
        "content": {"text/plain": _TEXT},
    },
    "406": {"description": "no acceptable result format for the query form", "content": {"text/plain": _TEXT}},
    "413": {"description": "request body over PLANKG_MAX_BODY", "content": {"text/plain": _TEXT}},
    "500": {"description": "the query worker failed", "content": {"text/plain": _TEXT}},
    "503": {
        "description": "query timed out or ran out of memory (it was stopped), result too large, or endpoint busy "
        "(Retry-After)",
        "content": {"text/plain": _TEXT},
    },
}
_RESULTS_JSON = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {
            "type": "object",
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
        "boolean": {"type": "boolean"},
    },
}
_SPARQL_OK = {
    "description": "SELECT/ASK: SPARQL results JSON (default), XML, CSV or TSV (not for ASK); CONSTRUCT/DESCRIBE: "
    "Turtle (default), N-Triples, JSON-LD or RDF/XML; by format= else by Accept. Without a query: the service "
    "description (Turtle or another RDF syntax; text/html: the query page)",
    "headers": {
        "X-PlanKG-Rows": {"schema": {"type": "string"}, "description": "results in the answer"},
        "X-PlanKG-Truncated": {"schema": {"type": "string"}, "description": "'true' when rows were cut at the limit"},
        "Access-Control-Allow-Origin": {"schema": {"type": "string"}, "description": "*"},
    },
    "content": {
        "application/sparql-results+json": {"schema": _RESULTS_JSON},
        "application/sparql-results+xml": _TEXT,
        "text/csv": _TEXT,
        "text/tab-separated-values": _TEXT,
        "text/turtle": _TEXT,
        "application/n-triples": _TEXT,
        "application/ld+json": {"schema": {}},
        "application/rdf+xml": _TEXT,
        "text/html": _TEXT,
    },
}
_FORMAT_DOC = (
    "result format, instead of Accept (also read from output= and results=, as SPARQLWrapper sends it; the first "
    "value that fits the query form wins): "
    + "; ".join(
        f"{name}: "
        + ", ".join(f"{form} {fmt}" for form, fmt in zip(("SELECT", "ASK", "graph"), forms, strict=True) if fmt)
        for name, forms in FORMAT_PARAM.items()
    )
    + "; or a media type. n3 gives Turtle (text/turtle). A value that fits nothing is a 400"
)
SPARQL_PATHS = {
    "/sparql": {
        "get": {
            "summary": "SPARQL 1.1 query (or the service description without ?query); CORS open to any origin",
            "parameters": [
                _q("query", "SPARQL query (tab, line feed and carriage return allowed; other control characters: 400)"),
                _q("default-graph-uri", "default graph, an absolute IRI (repeatable)"),
                _q("named-graph-uri", "named graph, an absolute IRI (repeatable)"),
                _q("format", _FORMAT_DOC),
            ],
            "responses": {"200": _SPARQL_OK, **_SPARQL_ERRORS},
        },
        "post": {
            "summary": "SPARQL query or update (updates need Authorization: Bearer <token> and are not open to "
            "other origins: the CORS preflight does not allow Authorization)",
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
                "200": _SPARQL_OK,
                "204": {"description": "update done"},
                "401": {"description": "update without a valid token", "content": {"text/plain": _TEXT}},
                "403": {"description": "updates disabled", "content": {"text/plain": _TEXT}},
                "415": {"description": "unsupported content type or charset", "content": {"text/plain": _TEXT}},
                **_SPARQL_ERRORS,
            },
        },
        "options": {
            "summary": "CORS preflight: Access-Control-Allow-Origin *, -Methods GET, POST, OPTIONS, -Headers "
            "(Accept, Content-Type and the others browser SPARQL clients send; never Authorization), -Max-Age",
            "responses": {"204": {"description": "no content; Allow and the Access-Control-Allow-* headers"}},
        },
    },
}
