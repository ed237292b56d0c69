"""A remote store spoken to over SPARQL 1.1 Protocol, Update and Graph Store Protocol (stdlib urllib).

Endpoint layout defaults to ``oxigraph serve``: ``<base>/query``, ``<base>/update``, ``<base>/store``.
``load(replace=True)`` PUTs N-Quads to the store endpoint without graph parameter, which Oxigraph
applies to the whole dataset in one transaction (a body that fails to parse leaves the data as it
was). Other servers may need ``store_endpoint=`` and may only replace the default graph.
"""
from __future__ import annotations

import io
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Optional

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.graph import ConjunctiveGraph

from .base import (CANONICAL_MIME, EXPORT_FORMATS, QueryError, QueryResult, QueryTimeout, SelectResult, Store,
                   StoreError, literal_to_python)

__all__ = ["SparqlHttpStore"]

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "rdf-xml": ox.RdfFormat.RDF_XML,
}
_DATASET_FORMATS = {"nquads", "trig"}
_QUERY_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8")


def _binding_value(b: Optional[dict]):
    if b is None:
        return None
    t = b.get("type")
    if t == "uri":
        return b["value"]
    if t == "bnode":
        return "_:" + b["value"]
    if t in ("literal", "typed-literal"):
        if "xml:lang" in b:
            return b["value"]
        return literal_to_python(b["value"], b.get("datatype"))
    return b.get("value")


class SparqlHttpStore(Store):
    def __init__(self, url: str, *, query_endpoint: Optional[str] = None, update_endpoint: Optional[str] = None,
                 store_endpoint: Optional[str] = None, timeout: float = 60.0,
                 headers: Optional[dict] = None, auth: Optional[str] = None):
        base = url.rstrip("/")
        for suffix in ("/query", "/sparql"):
            if base.endswith(suffix):
                query_endpoint = query_endpoint or base
                base = base[: -len(suffix)]
                break
        self.base = base
        self.query_endpoint = query_endpoint or base + "/query"
        self.update_endpoint = update_endpoint or base + "/update"
        self.store_endpoint = store_endpoint or base + "/store"
        self.timeout = timeout
        self.headers = dict(headers or {})
        if auth:
            self.headers["Authorization"] = auth

    def __repr__(self) -> str:
        return f"SparqlHttpStore({self.base!r})"

    # --- transport
    def _request(self, method: str, url: str, *, data: Optional[bytes] = None, content_type: Optional[str] = None,
                 accept: Optional[str] = None, timeout: Optional[float] = None) -> tuple[bytes, str]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout if timeout is not None else self.timeout) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:2000]
            if e.code in (400, 422):
                raise QueryError(f"{method} {url}: HTTP {e.code}: {body}") from e
            raise StoreError(f"{method} {url}: HTTP {e.code}: {body}") from e
        except (socket.timeout, TimeoutError) as e:
            raise QueryTimeout(f"{method} {url} timed out") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, (socket.timeout, TimeoutError)):
                raise QueryTimeout(f"{method} {url} timed out") from e
            raise StoreError(f"{method} {url}: {e.reason}") from e

    def _post_query(self, sparql: str, accept: str, timeout: Optional[float]) -> tuple[bytes, str]:
        return self._request("POST", self.query_endpoint, data=sparql.encode("utf-8"),
                             content_type="application/sparql-query; charset=utf-8", accept=accept, timeout=timeout)

    # --- Store API
    def query(self, sparql: str, *, timeout: Optional[float] = None) -> QueryResult:
        body, ctype = self._post_query(sparql, _QUERY_ACCEPT, timeout)
        mime = ctype.split(";")[0].strip().lower()
        if mime in ("application/sparql-results+json", "application/json"):
            doc = json.loads(body.decode("utf-8"))
            if "boolean" in doc:
                return bool(doc["boolean"])
            names = doc.get("head", {}).get("vars", [])
            rows = SelectResult(variables=names)
            for b in doc.get("results", {}).get("bindings", []):
                rows.append({n: _binding_value(b.get(n)) for n in names})
            return rows
        g = Graph()
        fmt = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
               "application/ld+json": "json-ld", "application/rdf+xml": "xml"}.get(mime, "nt")
        if body:
            g.parse(data=body, format=fmt)
        return g

    def query_raw(self, sparql: str, accept_mime: str = "", *, timeout: Optional[float] = None) -> bytes:
        return self._post_query(sparql, accept_mime or "*/*", timeout)[0]

    def query_negotiated(self, sparql: str, accept: Optional[str] = None, *,
                         timeout: Optional[float] = None) -> tuple[bytes, str]:
        return self._post_query(sparql, accept or "*/*", timeout)

    def update(self, sparql_update: str, *, timeout: Optional[float] = None) -> None:
        self._request("POST", self.update_endpoint, data=sparql_update.encode("utf-8"),
                      content_type="application/sparql-update; charset=utf-8", timeout=timeout)

    @staticmethod
    def _nquads(src, fmt: Optional[str]) -> bytes:
        if isinstance(src, (Dataset, ConjunctiveGraph)):
            return src.serialize(format="nquads", encoding="utf-8")
        if isinstance(src, Graph):
            return src.serialize(format="nt", encoding="utf-8")
        if isinstance(src, (str, os.PathLike)) and (fmt is None or os.path.isfile(os.fspath(src))):
            from .oxigraph import _format_name
            f = _RDF_FORMATS[_format_name(fmt, os.fspath(src))]
            return ox.serialize(ox.parse(path=os.fspath(src), format=f), format=ox.RdfFormat.N_QUADS)
        if isinstance(src, (bytes, str)) or hasattr(src, "read"):
            if fmt is None:
                raise ValueError("format= is required to load raw data")
            data = src.read() if hasattr(src, "read") else src
            f = _RDF_FORMATS[EXPORT_FORMATS.get(fmt, fmt)]
            return ox.serialize(ox.parse(data, format=f), format=ox.RdfFormat.N_QUADS)
        from .oxigraph import _quads
        return ox.serialize(list(_quads(src)), format=ox.RdfFormat.N_QUADS)

    def load(self, graph_or_path, *, replace: bool = True, format: Optional[str] = None) -> int:
        data = self._nquads(graph_or_path, format)   # fully built before anything is sent
        self._request("PUT" if replace else "POST", self.store_endpoint, data=data,
                      content_type="application/n-quads")
        return self.triple_count()

    def triple_count(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
        return int(rows[0]["n"]) if rows else 0

    def export(self, path_or_stream=None, format: str = "turtle") -> Optional[bytes]:
        fmt = EXPORT_FORMATS.get(format.lower(), format.lower())
        if fmt not in _RDF_FORMATS:
            raise ValueError(f"unknown RDF format {format!r}")
        url = self.store_endpoint if fmt in _DATASET_FORMATS else self.store_endpoint + "?default"
        body, _ = self._request("GET", url, accept=CANONICAL_MIME[fmt].split(";")[0])
        if path_or_stream is None:
            return body
        if isinstance(path_or_stream, (str, os.PathLike)):
            with open(path_or_stream, "wb") as f:
                f.write(body)
        elif isinstance(path_or_stream, io.TextIOBase):
            path_or_stream.write(body.decode("utf-8"))
        else:
            path_or_stream.write(body)
        return None

    def close(self) -> None:
        pass
