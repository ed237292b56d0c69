"""OpenAPI 3 description of the JSON API and the SPARQL endpoint (served at /api/openapi.json)."""
from __future__ import annotations


def _q(name: str, desc: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": desc,
            "schema": schema or {"type": "string"}}


def _p(name: str, desc: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": desc, "schema": {"type": "string"}}


PAGE = [_q("page", "page number (1-based)", {"type": "integer", "minimum": 1, "default": 1}),
        _q("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50})]
_TEXT = {"type": "string", "maxLength": 200}     # longer text parameters are a 400
FILTERS = [_q("plan", "plan id, IRI or part of its title", _TEXT),
           _q("plan_type", "children | women", {"type": "string", "enum": ["children", "women", "other"]}),
           _q("region", "region, e.g. 杭州市", _TEXT),
           _q("level", "province | city | county | district",
              {"type": "string", "enum": ["province", "city", "county", "district"]}),
           _q("domain", "domain concept, e.g. children-safety (or topic: safety)", _TEXT),
           _q("kind", "goal | measure | key_project", {"type": "string", "enum": ["goal", "measure", "key_project"]}),
           _q("agency", "agency type key or name", _TEXT),
           _q("law", "cited law title (part)"), _q("period", "e.g. 2021-2030 or a year")]
GRAPH = [_q("plan", "plan id, IRI or part of its title"), _q("domain", "domain concept key or topic"),
         _q("view", "agencies (co-responsibility) | domains (agency–domain)",
            {"type": "string", "enum": ["agencies", "domains"], "default": "agencies"}),
         _q("role", "comma-separated roles to keep: lead,partner,mentioned")]


def _ok(desc: str, ref: str | None = None, mime: str = "application/json") -> dict:
    schema = {"$ref": f"#/components/schemas/{ref}"} if ref else {"type": "object"}
    return {"200": {"description": desc, "content": {mime: {"schema": schema}}},
            "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
            "503": {"$ref": "#/components/responses/Error"}}


def _get(summary: str, params: list, desc: str, ref: str | None = None, mime: str = "application/json") -> dict:
    return {"get": {"summary": summary, "parameters": params, "responses": _ok(desc, ref, mime)}}


_ADMIN_ERRORS = {"401": {"description": "missing or wrong admin token"},
                 "403": {"description": "admin API disabled (no PLANKG_ADMIN_TOKEN), or a path outside PLANKG_UPLOAD_DIR"},
                 "409": {"description": "the change would replace part of a stored file's plans or remove the last "
                                        "file, or another change is still running (Retry-After)"}}
_SECURED = [{"adminToken": []}]
ADMIN_PATHS = {
    "/api/admin/plans": {
        "get": {"summary": "Stored source files and plans of the current generation (admin)", "security": _SECURED,
                "responses": {"200": {"description": "generation, files with sha256 and plans, problems"},
                              **_ADMIN_ERRORS}},
        "post": {"summary": "Add a plan file, or replace the stored file with plans of the same titles (admin)",
                 "security": _SECURED,
                 "requestBody": {"content": {
                     "multipart/form-data": {"schema": {"type": "object", "properties": {
                         "file": {"type": "string", "format": "binary", "description": "one .txt plan file"}}}},
                     "application/json": {"schema": {"type": "object", "required": ["path"], "properties": {
                         "path": {"type": "string", "description": "a file inside PLANKG_UPLOAD_DIR"}}}}}},
                 "responses": {"201": {"description": "added or replaced: new generation, plans, timings"},
                               "200": {"description": "unchanged: the same bytes are already stored"},
                               "400": {"description": "bad plan file (file, line, reason) or request"},
                               "413": {"description": "over PLANKG_MAX_UPLOAD"},
                               "415": {"description": "neither multipart/form-data nor JSON"},
                               "422": {"description": "SHACL violation"}, **_ADMIN_ERRORS}}},
    "/api/admin/plans/{id}": {
        "delete": {"summary": "Remove a stored file, named by file name, plan title, plan IRI or plan id (admin)",
                   "security": _SECURED,
                   "parameters": [_p("id", "file name, plan title, plan IRI or plan id")],
                   "responses": {"200": {"description": "removed: new generation"},
                                 "404": {"description": "no such stored file or plan"}, **_ADMIN_ERRORS}}},
}


def openapi_document(server: str = "") -> dict:
    paths = {
        "/api/search": _get("Search goals, measures and key projects (hybrid BM25 + dense)",
                            [_q("q", "query text (at most 200 characters)", _TEXT, required=True),
                             _q("k", "number of results (clamped to 1–100)",
                                {"type": "integer", "default": 10, "minimum": 1, "maximum": 100}),
                             _q("mode", "hybrid | bm25 | dense", {"type": "string", "enum": ["hybrid", "bm25", "dense"]})]
                            + FILTERS, "results, one per duplicate-text group", "SearchResults"),
        "/api/similar/{unit}": _get("Counterparts of a unit in the other plans",
                                    [_p("unit", "unit path (plan/…/measure/3), IRI or search id (file:L12)"),
                                     _q("threshold", "minimum calibrated similarity",
                                        {"type": "number", "minimum": -1, "maximum": 1})],
                                    "source unit and its counterparts"),
        "/api/gaps": _get("Plans with nothing on a topic",
                          [_q("q", "topic (at most 200 characters)", _TEXT, required=True)],
                          "gaps (uncovered plans) and coverage of every plan"),
        "/api/plans": _get("Plans", PAGE, "paginated list of plans", "Page"),
        "/api/plans/{id}": _get("One plan: domains with goals/measures, key projects, indicator tables, laws",
                                [_p("id", "plan id (12 hex digits) or IRI")], "the plan"),
        "/api/domains": _get("Domain concepts shared across plans", [], "concepts with each plan's domain"),
        "/api/units/{unit}": _get("One goal/measure/key project with agencies, laws, indicators, counterparts",
                                  [_p("unit", "unit path, IRI or search id")], "the unit"),
        "/api/agencies": _get("Agencies with unit counts", PAGE, "paginated list", "Page"),
        "/api/agencies/{id}": _get("One agency: its units by plan and domain, lead vs partner",
                                   [_p("id", "region hash/type key, e.g. 38150fb2d76a/health")], "the agency"),
        "/api/agency-graph": _get("Agency co-responsibility graph (Cytoscape.js elements + centrality)", GRAPH,
                                  "graph elements, summary and download links"),
        "/api/agency-graph.graphml": _get("The same graph as GraphML", GRAPH, "GraphML", mime="application/graphml+xml"),
        "/api/agency-graph.gexf": _get("The same graph as GEXF", GRAPH, "GEXF", mime="application/gexf+xml"),
        "/api/laws": _get("Cited laws and policy documents", PAGE, "paginated list", "Page"),
        "/api/laws/{id}": _get("One cited document and the plans/units citing it", [_p("id", "law id")], "the law"),
        "/api/indicators": _get("Indicator names with the number of plans targeting them", PAGE,
                                "paginated list", "Page"),
        "/api/indicators/compare": _get("One indicator across plans (targets, years, baselines)",
                                        [_q("name", "indicator name, e.g. 5岁以下儿童死亡率", required=True)],
                                        "rows per plan"),
        "/api/health": _get("Service status", [], "triples in the store, search engine state, query workers ready"),
        "/sparql": {
            "get": {"summary": "SPARQL 1.1 query (or service description without ?query)",
                    "parameters": [_q("query", "SPARQL query"), _q("default-graph-uri", "default graph (repeatable)"),
                                   _q("named-graph-uri", "named graph (repeatable)")],
                    "responses": {"200": {"description": "results (JSON, XML, CSV, TSV; Turtle, N-Triples, "
                                                         "JSON-LD, RDF/XML for graphs) by Accept",
                                          "headers": {"X-PlanKG-Truncated": {"schema": {"type": "string"},
                                                      "description": "'true' when rows were cut at the limit"}}},
                                  "400": {"description": "bad syntax, several queries, SERVICE"},
                                  "406": {"description": "no acceptable result format"},
                                  "503": {"description": "query timed out (it was stopped) or endpoint busy"}}},
            "post": {"summary": "SPARQL query or update (updates need Authorization: Bearer <token>)",
                     "requestBody": {"content": {
                         "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                             "query": {"type": "string"}, "update": {"type": "string"}}}},
                         "application/sparql-query": {"schema": {"type": "string"}},
                         "application/sparql-update": {"schema": {"type": "string"}}}},
                     "responses": {"200": {"description": "query results"}, "204": {"description": "update done"},
                                   "401": {"description": "update without a valid token"},
                                   "403": {"description": "updates disabled"},
                                   "415": {"description": "unsupported content type"}}}},
    }
    paths.update(ADMIN_PATHS)
    return {
        "openapi": "3.0.3",
        "info": {"title": "PlanKG API", "version": "1.0",
                 "description": "Knowledge graph and semantic search over Chinese local-government development "
                                "plans (儿童/妇女发展规划). Every HTML page has the same data at its path + .json."},
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Page": {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
                    "items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}, "pages": {"type": "integer"},
                    "next": {"type": "string", "nullable": True}, "prev": {"type": "string", "nullable": True}}},
                "SearchResults": {"type": "object", "properties": {
                    "query": {"type": "string"}, "results": {"type": "array", "items": {
                        "type": "object", "properties": {
                            "kind": {"type": "string"}, "number": {"type": "integer"}, "text": {"type": "string"},
                            "plan": {"type": "object"}, "domain": {"type": "object"}, "file": {"type": "string"},
                            "line": {"type": "integer"}, "iri": {"type": "string"}, "scores": {"type": "object"},
                            "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                            "plans": {"type": "array", "items": {"type": "object"}}}}}}},
                "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            },
            "responses": {"Error": {"description": "error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                               "description": "PLANKG_ADMIN_TOKEN"}},
        },
    }
