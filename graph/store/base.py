"""Store interface of PlanKG: what the builder loads into and what the SPARQL endpoint serves from.

A store holds one RDF dataset: the plan data in the default graph, the ontology and shapes and analysts'
graphs in named graphs (``graph.rdf.graphs``). Implementations:
``graph.store.oxigraph.OxigraphStore`` (embedded pyoxigraph, persistent or in memory) and
``graph.store.http.SparqlHttpStore`` (a remote SPARQL 1.1 Protocol / Update / Graph Store server).
"""

from __future__ import annotations

import abc
import datetime as _dt
import os
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from rdflib import Graph

from .formats import (  # noqa: F401
    CANONICAL_MIME,
    DEFAULT_FORMAT,
    EXPORT_FORMATS,
    GRAPH_MIMES,
    SELECT_MIMES,
    UnsupportedMediaType,
    format_for_mime,
    negotiate,
    parse_accept,
)


class StoreError(Exception):
    """Base class of store errors."""


class QueryError(StoreError, ValueError):
    """The query or update is malformed or was rejected by the store."""


class QueryTimeout(StoreError, TimeoutError):
    """A query exceeded its time budget."""


class ReadOnlyStore(StoreError, PermissionError):
    pass


# ------------------------------------------------------------------ python values

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


def literal_to_python(value: str, datatype: str | None) -> Any:
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


QueryResult = SelectResult | bool | Graph


# ------------------------------------------------------------------ the interface


class Store(abc.ABC):
    """One RDF dataset, queryable with SPARQL 1.1."""

    @abc.abstractmethod
    def load(self, graph_or_path, *, replace: bool = True, format: str | None = None) -> int:
        """Load an rdflib Graph, a file path (format from the extension unless given), bytes/str
        data (``format`` required) or an iterable of rdflib triples. ``replace=True`` swaps the
        whole dataset atomically: readers see the old data or the new, never a mix, and on any
        error the old data stays. Returns the triple count afterwards."""

    @abc.abstractmethod
    def query(self, sparql: str, *, timeout: float | None = None) -> QueryResult:
        """SELECT -> SelectResult (list of dicts of python values); ASK -> bool;
        CONSTRUCT/DESCRIBE -> rdflib.Graph."""

    @abc.abstractmethod
    def query_raw(self, sparql: str, accept_mime: str = "", *, timeout: float | None = None) -> bytes:
        """Serialised results: SPARQL JSON/XML/CSV/TSV for SELECT/ASK, Turtle/N-Triples/JSON-LD/RDF-XML
        for graphs. ``accept_mime`` is one media type (strict) — an empty string picks the default."""

    def query_negotiated(
        self, sparql: str, accept: str | None = None, *, timeout: float | None = None
    ) -> tuple[bytes, str]:
        """For an HTTP endpoint: (body, content type) for an Accept header with q-values."""
        raise NotImplementedError

    @abc.abstractmethod
    def update(self, sparql_update: str, *, timeout: float | None = None) -> None:
        """Run a SPARQL 1.1 Update."""

    def apply_delta(self, remove: str, insert: str, *, chunk_lines: int = 20_000) -> None:
        """Delete the N-Triples lines of ``remove``, then insert those of ``insert`` (SPARQL Update
        DELETE DATA / INSERT DATA, in pieces of ``chunk_lines``: not atomic across pieces)."""
        for op, text in (("DELETE DATA", remove), ("INSERT DATA", insert)):
            lines = [ln for ln in text.split("\n") if ln.strip()]
            for i in range(0, len(lines), chunk_lines):
                self.update(f"{op} {{\n" + "\n".join(lines[i : i + chunk_lines]) + "\n}")

    @abc.abstractmethod
    def triple_count(self) -> int:
        """Number of triples in the default graph (the plan data and the ontology; what the N-Triples,
        Turtle and JSON-LD exports hold). Named graphs: ``graph_triples``."""

    def graph_triples(self, graphs: list[str]) -> dict[str, int]:
        """Number of triples in each of the named ``graphs`` (IRIs; 0 for a graph that is not there)."""
        if not graphs:
            return {}
        values = " ".join(f"<{g}>" for g in graphs)
        rows = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        )
        assert isinstance(rows, SelectResult)
        found = {str(r["g"]): int(r["n"]) for r in rows}
        return {g: found.get(g, 0) for g in graphs}

    @abc.abstractmethod
    def export(self, path_or_stream: str | os.PathLike[str] | BinaryIO | None, format: str = "turtle") -> bytes | None:
        """Write the data as turtle / ntriples / json-ld (also nquads, trig, rdf-xml). Returns
        the bytes when ``path_or_stream`` is None."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
