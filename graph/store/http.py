"""A remote store spoken to over SPARQL 1.1 Protocol, Update and Graph Store Protocol (stdlib urllib).

Endpoint layout defaults to ``oxigraph serve``: ``<base>/query``, ``<base>/update``, ``<base>/store``.
``load(replace=True)`` PUTs N-Quads to the store endpoint without graph parameter, which Oxigraph
applies to the whole dataset in one transaction (a body that fails to parse leaves the data as it
was).

Other engines differ in ways that are options here, not special cases elsewhere:

* ``graph=IRI``: keep the data in one named graph. Loads PUT/POST N-Triples to
  ``<store endpoint>?graph=IRI`` (the input's named graphs — ontology, shapes, analysts' graphs — each to
  its own ``?graph=``), every query is sent with ``default-graph-uri=IRI`` (so queries over the
  default graph see exactly the PlanKG data, not the engine's own system graphs), counts and exports read
  that graph. Needed for Virtuoso, Fuseki without a union default graph, QLever, most managed services.
* ``query_form=True``: send queries and updates as ``application/x-www-form-urlencoded`` (``query=`` /
  ``update=``) instead of ``application/sparql-query`` bodies (Virtuoso 7 does not answer the latter).
* ``username`` / ``password`` / ``auth_scheme`` ("basic" | "digest"): HTTP authentication, e.g. Virtuoso's
  ``/sparql-auth`` and ``/sparql-graph-crud-auth`` (digest); ``auth=`` sets a ready Authorization header.
* ``load_chunk_triples=N``: send loads bigger than N triples in pieces (DROP SILENT GRAPH, then one
  POST per piece; the replace is then not atomic); ``retry_on=("SR172", …)``: retry a request whose
  error names one of these (Virtuoso rolls back a deadlocked transaction, "SR172: Transaction
  deadlocked", seen loading 1.7 M triples).
* ``flavor="virtuoso"`` fills in all of the above for a Virtuoso base URL (``/sparql``,
  ``/sparql-auth``, ``/sparql-graph-crud-auth``, digest, form posts, graph ``urn:plankg:graph``,
  200 000-triple load pieces, retry on SR172).

CONSTRUCT / DESCRIBE queries ask for N-Triples first, SELECT / ASK for SPARQL JSON (some engines pick
JSON for a graph result otherwise).
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.graph import ConjunctiveGraph

from .base import QueryError, QueryResult, QueryTimeout, SelectResult, Store, StoreError, literal_to_python
from .formats import (
    CANONICAL_MIME,
    DATASET_FORMATS,
    EXPORT_FORMATS,
    GRAPH_MIMES,
    OX_RDF_FORMATS,
    RDFLIB_NAMES,
    rdf_format_of,
)
from .terms import ox_quads, serialized

__all__ = ["SparqlHttpStore"]

_QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_PROLOGUE = re.compile(r"""(?:\s+|\#[^\n]*\n?|(?:PREFIX\s+[^\s:]*:\s*|BASE\s+)<[^>]*>)*""", re.I)

FLAVORS: dict[str, dict[str, Any]] = {
    "virtuoso": {
        "query_endpoint": "/sparql",
        "update_endpoint": "/sparql-auth",
        "store_endpoint": "/sparql-graph-crud-auth",
        "auth_scheme": "digest",
        "query_form": True,
        "graph": "urn:plankg:graph",
        "load_chunk_triples": 200_000,
        "retry_on": ("SR172", "deadlock"),
    },
    "oxigraph": {},
}


def _line_chunks(data: bytes, lines: int) -> list[bytes]:
    """N-Triples split into pieces of at most ``lines`` lines (one triple per line)."""
    out, start, n = [], 0, 0
    pos = data.find(b"\n")
    while pos >= 0:
        n += 1
        if n == lines:
            out.append(data[start : pos + 1])
            start, n = pos + 1, 0
        pos = data.find(b"\n", pos + 1)
    if start < len(data):
        out.append(data[start:])
    return out or [data]


def query_form(sparql: str) -> str:
    """SELECT / ASK / CONSTRUCT / DESCRIBE (upper case) of a query; "" when not recognised."""
    m = _PROLOGUE.match(sparql)
    m = _FORM.match(sparql, m.end() if m else 0)
    return m.group(1).upper() if m else ""


def _binding_value(b: dict | None):
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
    def __init__(
        self,
        url: str,
        *,
        query_endpoint: str | None = None,
        update_endpoint: str | None = None,
        store_endpoint: str | None = None,
        timeout: float = 60.0,
        headers: dict | None = None,
        auth: str | None = None,
        graph: str | None = None,
        query_form: bool | None = None,
        username: str | None = None,
        password: str | None = None,
        auth_scheme: str | None = None,
        flavor: str | None = None,
        load_chunk_triples: int | None = None,
        retry_on: Sequence[str] | None = None,
    ):
        base = url.rstrip("/")
        for suffix in ("/query", "/sparql"):
            if base.endswith(suffix):
                query_endpoint = query_endpoint or base
                base = base[: -len(suffix)]
                break
        if flavor and flavor not in FLAVORS:
            raise ValueError(f"unknown store flavor {flavor!r} (known: {', '.join(FLAVORS)})")
        preset = dict(FLAVORS[flavor]) if flavor else {}
        pick = lambda v, k, d=None: v if v is not None else preset.get(k, d)  # noqa: E731
        rel = lambda v, k, d: v or (base + preset[k] if k in preset else base + d)  # noqa: E731
        self.base = base
        self.query_endpoint = rel(query_endpoint, "query_endpoint", "/query")
        self.update_endpoint = rel(update_endpoint, "update_endpoint", "/update")
        self.store_endpoint = rel(store_endpoint, "store_endpoint", "/store")
        self.graph = pick(graph, "graph")
        self.query_form = bool(pick(query_form, "query_form", False))
        self.load_chunk_triples = int(pick(load_chunk_triples, "load_chunk_triples", 0) or 0)
        self.retry_on = tuple(pick(retry_on, "retry_on", ()) or ())
        self.timeout = timeout
        self.headers = dict(headers or {})
        if auth:
            self.headers["Authorization"] = auth
        handlers: list[urllib.request.BaseHandler] = []
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if username is not None:
            scheme = (pick(auth_scheme, "auth_scheme", "basic") or "basic").lower()
            pm = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            pm.add_password(None, base + "/", username, password or "")
            if scheme == "digest":
                self._digest = urllib.request.HTTPDigestAuthHandler(pm)
                handlers.append(self._digest)
            elif scheme == "basic":
                handlers.append(urllib.request.HTTPBasicAuthHandler(pm))
            else:
                raise ValueError(f"auth_scheme must be basic or digest, not {scheme!r}")
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"SparqlHttpStore({self.base!r})"

    # --- transport
    def _request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        timeout: float | None = None,
    ) -> tuple[bytes, str]:
        headers = dict(self.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        for attempt in range(4):
            try:
                return self._request_once(method, url, data, headers, timeout)
            except StoreError as e:  # a transient server error named in ``retry_on``: the
                if attempt == 3 or not any(m in str(e) for m in self.retry_on):  # transaction was rolled back
                    raise
                time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")

    def _request_once(
        self, method: str, url: str, data: bytes | None, headers: dict, timeout: float | None
    ) -> tuple[bytes, str]:
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            if self._digest is not None and data and len(data) > 65536:
                self._preauthorize(req)
            with self._opener.open(req, timeout=timeout if timeout is not None else self.timeout) as resp:
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:2000]
            if e.code in (400, 422):
                raise QueryError(f"{method} {url}: HTTP {e.code}: {body}") from e
            raise StoreError(f"{method} {url}: HTTP {e.code}: {body}") from e
        except TimeoutError as e:
            raise QueryTimeout(f"{method} {url} timed out") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, (socket.timeout, TimeoutError)):
                raise QueryTimeout(f"{method} {url} timed out") from e
            raise StoreError(f"{method} {url}: {e.reason}") from e

    def _preauthorize(self, req: urllib.request.Request) -> None:
        """Digest auth for a big body: a server answers the first, unauthenticated request with 401 and
        closes the connection while the body is still being sent (broken pipe). Fetch the challenge
        with a bodiless GET first and send the big request authorised."""
        probe = urllib.request.Request(req.full_url, method="GET")
        try:
            urllib.request.urlopen(probe, timeout=self.timeout).close()
            return  # no challenge: nothing to do
        except urllib.error.HTTPError as e:
            challenge = e.headers.get("WWW-Authenticate", "") if e.code == 401 else ""
            e.close()
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() != "digest":
            return
        chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        assert self._digest is not None  # only called with digest authentication
        auth = self._digest.get_authorization(req, chal)
        if auth:
            req.add_unredirected_header("Authorization", "Digest " + auth)

    def _dataset_url(self, url: str) -> str:
        if not self.graph:
            return url
        return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"default-graph-uri": self.graph})

    def _post_query(self, sparql: str, accept: str, timeout: float | None) -> tuple[bytes, str]:
        if self.query_form:
            fields = {"query": sparql}
            if self.graph:
                fields["default-graph-uri"] = self.graph
            return self._request(
                "POST",
                self.query_endpoint,
                data=urllib.parse.urlencode(fields).encode("ascii"),
                content_type="application/x-www-form-urlencoded",
                accept=accept,
                timeout=timeout,
            )
        return self._request(
            "POST",
            self._dataset_url(self.query_endpoint),
            data=sparql.encode("utf-8"),
            content_type="application/sparql-query; charset=utf-8",
            accept=accept,
            timeout=timeout,
        )

    def _graph_url(self, url: str, graph: str | None = None) -> str:
        return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"graph": graph or self.graph})

    # --- Store API
    def query(self, sparql: str, *, timeout: float | None = None) -> QueryResult:
        accept = _GRAPH_ACCEPT if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _QUERY_ACCEPT
        body, ctype = self._post_query(sparql, accept, timeout)
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
        fmt = RDFLIB_NAMES[GRAPH_MIMES.get(mime, "ntriples")]
        if body:
            g.parse(data=body, format=fmt)
        return g

    def query_raw(self, sparql: str, accept_mime: str = "", *, timeout: float | None = None) -> bytes:
        return self._post_query(sparql, accept_mime or "*/*", timeout)[0]

    def query_negotiated(
        self, sparql: str, accept: str | None = None, *, timeout: float | None = None
    ) -> tuple[bytes, str]:
        return self._post_query(sparql, accept or "*/*", timeout)

    def update(self, sparql_update: str, *, timeout: float | None = None) -> None:
        # with ``graph``, updates name it as their default graph (Virtuoso's reading of
        # default-graph-uri on updates: INSERT DATA without GRAPH {} lands there)
        if self.query_form:
            fields = {"update": sparql_update}
            if self.graph:
                fields["default-graph-uri"] = self.graph
            self._request(
                "POST",
                self.update_endpoint,
                data=urllib.parse.urlencode(fields).encode("ascii"),
                content_type="application/x-www-form-urlencoded",
                timeout=timeout,
            )
            return
        self._request(
            "POST",
            self._dataset_url(self.update_endpoint),
            data=sparql_update.encode("utf-8"),
            content_type="application/sparql-update; charset=utf-8",
            timeout=timeout,
        )

    @staticmethod
    def _nquads(src, fmt: str | None) -> bytes:
        if isinstance(src, (Dataset, ConjunctiveGraph)):
            return src.serialize(format="nquads", encoding="utf-8")
        if isinstance(src, Graph):
            return src.serialize(format="nt", encoding="utf-8")
        if isinstance(src, (str, os.PathLike)) and (fmt is None or os.path.isfile(os.fspath(src))):
            f = OX_RDF_FORMATS[rdf_format_of(fmt, os.fspath(src))]
            return serialized(ox.serialize(ox.parse(path=os.fspath(src), format=f), format=ox.RdfFormat.N_QUADS))
        if isinstance(src, (bytes, str)) or hasattr(src, "read"):
            if fmt is None:
                raise ValueError("format= is required to load raw data")
            data = src.read() if hasattr(src, "read") else src
            f = OX_RDF_FORMATS[EXPORT_FORMATS.get(fmt, fmt)]
            return serialized(ox.serialize(ox.parse(data, format=f), format=ox.RdfFormat.N_QUADS))
        return serialized(ox.serialize(list(ox_quads(src)), format=ox.RdfFormat.N_QUADS))

    def load(self, graph_or_path, *, replace: bool = True, format: str | None = None) -> int:
        data = self._nquads(graph_or_path, format)  # fully built before anything is sent
        named: dict[str, list[ox.Triple]] = {}
        if self.graph:  # the default graph's triples go to ``graph``, named graphs to their own (GSP)
            if not isinstance(graph_or_path, Graph) or isinstance(graph_or_path, (Dataset, ConjunctiveGraph)):
                triples: list[ox.Triple] = []
                for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
                    t = ox.Triple(q.subject, q.predicate, q.object)
                    dft = isinstance(q.graph_name, ox.DefaultGraph)
                    (triples if dft else named.setdefault(getattr(q.graph_name, "value", ""), [])).append(t)
                data = serialized(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            url = self._graph_url(self.store_endpoint)
            if self.load_chunk_triples and data.count(b"\n") > self.load_chunk_triples:
                # pieces: empty the graph, then POST each (not atomic). Not PUT for the first piece:
                # Virtuoso's PUT (delete + insert in one transaction) deadlocked or hung at 1.7 M triples
                if replace:
                    self.update(f"DROP SILENT GRAPH <{self.graph}>")
                for chunk in _line_chunks(data, self.load_chunk_triples):
                    self._request("POST", url, data=chunk, content_type="application/n-triples")
            else:
                self._request("PUT" if replace else "POST", url, data=data, content_type="application/n-triples")
            for name, triples in sorted(named.items()):
                body = serialized(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
                self._request(
                    "PUT" if replace else "POST",
                    self._graph_url(self.store_endpoint, name),
                    data=body,
                    content_type="application/n-triples",
                )
        else:
            self._request(
                "PUT" if replace else "POST", self.store_endpoint, data=data, content_type="application/n-quads"
            )
        return self.triple_count()

    def triple_count(self) -> int:
        if self.graph:
            rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # default graph = self.graph
        else:
            rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(rows, SelectResult)
        return int(rows[0]["n"]) if rows else 0

    def export(self, path_or_stream=None, format: str = "turtle") -> bytes | None:
        fmt = EXPORT_FORMATS.get(format.lower(), format.lower())
        if fmt not in OX_RDF_FORMATS:
            raise ValueError(f"unknown RDF format {format!r}")
        if self.graph:
            url = self._graph_url(self.store_endpoint)
            # fetch N-Triples (the format every engine writes faithfully; Virtuoso's Turtle loses
            # datatypes) and write the requested format here
            body, _ = self._request("GET", url, accept="application/n-triples")
            if fmt != "ntriples":
                body = serialized(
                    ox.serialize(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), format=OX_RDF_FORMATS[fmt])
                )
            return self._write_export(body, path_or_stream)
        else:
            url = self.store_endpoint if fmt in DATASET_FORMATS else self.store_endpoint + "?default"
        body, _ = self._request("GET", url, accept=CANONICAL_MIME[fmt].split(";")[0])
        return self._write_export(body, path_or_stream)

    @staticmethod
    def _write_export(body: bytes, path_or_stream) -> bytes | None:
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
