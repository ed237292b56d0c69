"""Store interface of PlanKG: what the builder loads into and what the SPARQL endpoint serves from.

A store holds one RDF dataset (PlanKG uses the default graph). Implementations:
``graph.store.oxigraph.OxigraphStore`` (embedded pyoxigraph, persistent or in memory) and
``graph.store.http.SparqlHttpStore`` (a remote SPARQL 1.1 Protocol / Update / Graph Store server).
"""
from __future__ import annotations

import abc
import datetime as _dt
import os
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, Optional, Union

from rdflib import Graph

# ------------------------------------------------------------------ media types

SELECT_MIMES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_MIMES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "rdf-xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
# the media type written in Content-Type for each format
CANONICAL_MIME = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8", "ntriples": "application/n-triples",
    "json-ld": "application/ld+json", "rdf-xml": "application/rdf+xml",
    "nquads": "application/n-quads", "trig": "application/trig",
}
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "turtle"}

EXPORT_FORMATS = {  # export(format=...) names and aliases -> canonical
    "turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
    "json-ld": "json-ld", "jsonld": "json-ld", "nquads": "nquads", "nq": "nquads", "trig": "trig",
    "rdf-xml": "rdf-xml", "xml": "rdf-xml", "rdfxml": "rdf-xml",
}


class StoreError(Exception):
    """Base class of store errors."""


class QueryError(StoreError, ValueError):
    """The query or update is malformed or was rejected by the store."""


class UnsupportedMediaType(StoreError, ValueError):
    """The requested result media type does not fit the query form (e.g. CSV for a CONSTRUCT)."""


class QueryTimeout(StoreError, TimeoutError):
    """A query exceeded its time budget."""


class ReadOnlyStore(StoreError, PermissionError):
    pass


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    out = []
    for i, part in enumerate((accept or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q, -i))
    out.sort(key=lambda t: (t[1], t[2]), reverse=True)
    return [(m, q) for m, q, _ in out if q > 0]


def negotiate(accept: Optional[str], form: str) -> str:
    """Result format (key of CANONICAL_MIME) for an Accept header and a query form
    (``select``/``ask``/``graph``). Raises UnsupportedMediaType when nothing acceptable fits."""
    table = GRAPH_MIMES if form == "graph" else SELECT_MIMES
    if not accept or not accept.strip():
        return DEFAULT_FORMAT[form]
    for mime, _ in _parse_accept(accept):
        if mime in table:
            if form == "ask" and table[mime] in ("csv", "tsv"):
                continue  # CSV/TSV have no boolean form
            return table[mime]
        if mime in ("*/*", "application/*", "text/*"):
            return DEFAULT_FORMAT[form]
    raise UnsupportedMediaType(f"none of {accept!r} can serialise a {form.upper()} result")


def format_for_mime(mime: str, form: str) -> str:
    """Strict mapping of one media type (parameters ignored) to a format for a query form."""
    base = (mime or "").split(";")[0].strip().lower()
    table = GRAPH_MIMES if form == "graph" else SELECT_MIMES
    if base in table and not (form == "ask" and table[base] in ("csv", "tsv")):
        return table[base]
    raise UnsupportedMediaType(f"{mime!r} cannot serialise a {form.upper()} result")


# ------------------------------------------------------------------ python values

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                 "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                 "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def literal_to_python(value: str, datatype: Optional[str]) -> Any:
    """Python value of a literal: ints, Decimal, float, bool, date/datetime, gYear -> int; else str."""
    try:
        if datatype in _INT_TYPES:
            return int(value)
        if datatype == _XSD + "decimal":
            return Decimal(value)
        if datatype in (_XSD + "double", _XSD + "float"):
            return float(value)
        if datatype == _XSD + "boolean":
            return value.strip() in ("true", "1")
        if datatype == _XSD + "gYear":
            return int(value[:5] if value.startswith("-") else value[:4])
        if datatype == _XSD + "date":
            return _dt.date.fromisoformat(value[:10])
        if datatype == _XSD + "dateTime":
            return _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        pass
    return value


class SelectResult(list):
    """Rows of a SELECT (list of dicts variable -> python value, None when unbound) + ``variables``."""

    def __init__(self, rows=(), variables=()):
        super().__init__(rows)
        self.variables: list[str] = list(variables)


QueryResult = Union[SelectResult, bool, Graph]


# ------------------------------------------------------------------ the interface

class Store(abc.ABC):
    """One RDF dataset, queryable with SPARQL 1.1."""

    @abc.abstractmethod
    def load(self, graph_or_path, *, replace: bool = True, format: Optional[str] = None) -> int:
        """Load an rdflib Graph, a file path (format from the extension unless given), bytes/str
        data (``format`` required) or an iterable of rdflib triples. ``replace=True`` swaps the
        whole dataset atomically: readers see the old data or the new, never a mix, and on any
        error the old data stays. Returns the triple count afterwards."""

    @abc.abstractmethod
    def query(self, sparql: str, *, timeout: Optional[float] = None) -> QueryResult:
        """SELECT -> SelectResult (list of dicts of python values); ASK -> bool;
        CONSTRUCT/DESCRIBE -> rdflib.Graph."""

    @abc.abstractmethod
    def query_raw(self, sparql: str, accept_mime: str = "", *, timeout: Optional[float] = None) -> bytes:
        """Serialised results: SPARQL JSON/XML/CSV/TSV for SELECT/ASK, Turtle/N-Triples/JSON-LD/RDF-XML
        for graphs. ``accept_mime`` is one media type (strict) — an empty string picks the default."""

    def query_negotiated(self, sparql: str, accept: Optional[str] = None, *,
                         timeout: Optional[float] = None) -> tuple[bytes, str]:
        """For an HTTP endpoint: (body, content type) for an Accept header with q-values."""
        raise NotImplementedError

    @abc.abstractmethod
    def update(self, sparql_update: str, *, timeout: Optional[float] = None) -> None:
        """Run a SPARQL 1.1 Update."""

    def apply_delta(self, remove: str, insert: str, *, chunk_lines: int = 20_000) -> None:
        """Delete the N-Triples lines of ``remove``, then insert those of ``insert`` (SPARQL Update
        DELETE DATA / INSERT DATA, in pieces of ``chunk_lines``: not atomic across pieces)."""
        for op, text in (("DELETE DATA", remove), ("INSERT DATA", insert)):
            lines = [ln for ln in text.split("\n") if ln.strip()]
            for i in range(0, len(lines), chunk_lines):
                self.update(f"{op} {{\n" + "\n".join(lines[i:i + chunk_lines]) + "\n}")

    @abc.abstractmethod
    def triple_count(self) -> int:
        """Number of triples (quads across all graphs)."""

    @abc.abstractmethod
    def export(self, path_or_stream: Union[str, "os.PathLike[str]", BinaryIO, None], format: str = "turtle"
               ) -> Optional[bytes]:
        """Write the data as turtle / ntriples / json-ld (also nquads, trig, rdf-xml). Returns
        the bytes when ``path_or_stream`` is None."""

    @abc.abstractmethod
    def close(self) -> None:
        ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

