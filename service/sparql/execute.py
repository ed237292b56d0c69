"""Run one SPARQL query on a pyoxigraph.Store and serialise at most ``max_rows`` results.

Imports only pyoxigraph and the standard library: it runs inside the query worker processes
(``service.sparql.worker``) as well as in-process for in-memory stores.
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

RESULT_MIME = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
RDF_FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "json-ld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "rdf-xml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
}


class QueryError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class Deadline(Exception):
    pass


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            d["datatype"] = t.datatype.value
        return d
    return {"type": "literal", "value": str(t)}  # RDF-star triple terms: their N-Triples text


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def _csv_value(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return t.value if isinstance(t, (ox.NamedNode, ox.Literal)) else str(t)


def serialize_select(variables: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode(
            "utf-8"
        )
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out += [
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            ]
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(variables)
        for row in rows:
            w.writerow([_csv_value(t) for t in row])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"format {fmt!r} cannot carry a SELECT result", 406)


def serialize_ask(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": bool(value)}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>"
        ).encode()
    raise QueryError(f"format {fmt!r} cannot carry an ASK result", 406)


def _nodes(iris: list[str], what: str) -> list:
    """The protocol's graph IRIs as nodes; QueryError 400 for one that is not an absolute IRI."""
    nodes = []
    for iri in iris:
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError as e:
            raise QueryError(f"{what} {iri!r} is not an absolute IRI ({e})", 400) from None
    return nodes


def execute(store: ox.Store, req: dict, deadline: float | None = None) -> tuple[dict, bytes]:
    """req: query, format, max_rows, base_iri, default_graph (list|None), named_graphs (list|None),
    union_default (bool). Returns (info, body); info has mime, truncated, rows.
    ``deadline`` (monotonic seconds) is checked between rows (the in-process fallback only)."""
    kw: dict[str, Any] = {}
    if req.get("default_graph") is not None or req.get("named_graphs") is not None:
        # a protocol dataset replaces the store's: graphs not named are not in it
        kw["default_graph"] = _nodes(req.get("default_graph") or [], "default-graph-uri")
        kw["named_graphs"] = _nodes(req.get("named_graphs") or [], "named-graph-uri")
    elif req.get("union_default"):
        kw["use_default_graph_as_union"] = True
    max_rows = int(req.get("max_rows") or 0) or None
    fmt = req["format"]
    try:
        res = store.query(req["query"], base_iri=req.get("base_iri") or None, **kw)
        truncated, n = False, 0
        if isinstance(res, ox.QueryBoolean):
            return {"mime": RESULT_MIME[fmt], "truncated": False, "rows": 1}, serialize_ask(bool(res), fmt)
        items = []
        for item in res:
            if max_rows is not None and n >= max_rows:
                truncated = True
                break
            items.append(item)
            n += 1
            if deadline is not None and not (n & 127) and time.monotonic() > deadline:
                raise Deadline()
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows = [[sol[v] for v in names] for sol in items]
            body = serialize_select(names, rows, fmt)
            mime = RESULT_MIME[fmt]
        else:
            rdf_format, mime = RDF_FORMATS[fmt]
            data = ox.serialize(items, format=rdf_format, prefixes=req.get("prefixes") or {}) if items else b""
            assert data is not None  # no output given: serialize returns the bytes
            body = data
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {e}", 400) from e
    except (ValueError, TypeError) as e:
        raise QueryError(f"query evaluation failed: {e}", 400) from e
    except (OSError, RuntimeError) as e:
        raise QueryError(f"query evaluation failed: {e}", 500) from e
    return {"mime": mime, "truncated": truncated, "rows": n}, body
