"""The one media-type table: result and RDF formats, their MIME types, file extensions, the names
rdflib and pyoxigraph give them, and content negotiation (Accept with q-values).

>>> negotiate("text/csv;q=0.9, application/sparql-results+json", "select")
'json'
>>> rdf_format_of(None, "plans.ttl")
'turtle'
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

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
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "json-ld": "application/ld+json",
    "rdf-xml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
DEFAULT_FORMAT = {"select": "json", "ask": "json", "graph": "turtle"}

EXPORT_FORMATS = {  # export(format=...) names and aliases -> canonical
    "turtle": "turtle",
    "ttl": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "json-ld": "json-ld",
    "jsonld": "json-ld",
    "nquads": "nquads",
    "nq": "nquads",
    "trig": "trig",
    "rdf-xml": "rdf-xml",
    "xml": "rdf-xml",
    "rdfxml": "rdf-xml",
}


# file extensions of RDF files
FILE_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".ntriples": "ntriples",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "rdf-xml",
    ".owl": "rdf-xml",
    ".xml": "rdf-xml",
    ".n3": "n3",
}
# the names pyoxigraph and rdflib give the RDF formats
OX_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf-xml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}
OX_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDFLIB_NAMES = {
    "turtle": "turtle",
    "ntriples": "nt",
    "json-ld": "json-ld",
    "rdf-xml": "xml",
    "nquads": "nquads",
    "trig": "trig",
    "n3": "n3",
}
DATASET_FORMATS = {"nquads", "trig"}
# The ``format=`` parameter of SPARQL clients (SPARQLWrapper sends its return format as ``format=``,
# ``output=`` and ``results=``, the short name and for some formats the media type as well; Virtuoso,
# Fuseki and hand-written URLs use the same names): per name, the format it gives each query form.
# ``None``: the name does not fit that form (400). A media type as the value is read like Accept.
# ``xml`` is the XML of each form (SPARQL results XML, RDF/XML for graphs), ``json`` its JSON (SPARQL
# results JSON, JSON-LD for graphs). ``n3`` gives Turtle, served as text/turtle: every Turtle document is
# N3, the endpoint has no N3 writer, and N3 readers (SPARQLWrapper's and rdflib's among them) read Turtle.
FORMAT_FORMS = ("select", "ask", "graph")
FORMAT_PARAM: dict[str, tuple[str | None, str | None, str | None]] = {
    # name:        (SELECT, ASK, CONSTRUCT/DESCRIBE)
    "json": ("json", "json", "json-ld"),
    "xml": ("xml", "xml", "rdf-xml"),
    "csv": ("csv", None, None),
    "tsv": ("tsv", None, None),
    "rdf": (None, None, "rdf-xml"),
    "rdfxml": (None, None, "rdf-xml"),
    "rdf-xml": (None, None, "rdf-xml"),
    "rdf+xml": (None, None, "rdf-xml"),
    "turtle": (None, None, "turtle"),
    "ttl": (None, None, "turtle"),
    "n3": (None, None, "turtle"),
    "ntriples": (None, None, "ntriples"),
    "n-triples": (None, None, "ntriples"),
    "nt": (None, None, "ntriples"),
    "jsonld": (None, None, "json-ld"),
    "json-ld": (None, None, "json-ld"),
}
FORMAT_PARAM_NAMES = ("format", "output", "results")  # the parameters clients put it in


class UnsupportedMediaType(ValueError):
    """The requested result media type does not fit the query form (e.g. CSV for a CONSTRUCT)."""


def parse_accept(accept: str) -> list[tuple[str, float]]:
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


def negotiate(accept: str | None, form: str) -> str:
    """Result format (key of CANONICAL_MIME) for an Accept header and a query form
    (``select``/``ask``/``graph``). Raises UnsupportedMediaType when nothing acceptable fits."""
    table = GRAPH_MIMES if form == "graph" else SELECT_MIMES
    if not accept or not accept.strip():
        return DEFAULT_FORMAT[form]
    for mime, _ in parse_accept(accept):
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


def format_param(value: str, form: str) -> str:
    """The result format a ``format=`` value (a name of ``FORMAT_PARAM`` or a media type) gives a query
    form (``select``/``ask``/``graph``); UnsupportedMediaType naming the values that fit otherwise.

    >>> format_param("xml", "graph"), format_param("xml", "select"), format_param("n3", "graph")
    ('rdf-xml', 'xml', 'turtle')
    """
    name = value.strip().lower()
    if name in FORMAT_PARAM:
        fmt = FORMAT_PARAM[name][FORMAT_FORMS.index(form)]
        if fmt is not None:
            return fmt
    elif "/" in name:
        try:
            return format_for_mime(name, form)
        except UnsupportedMediaType:
            pass
    what = "CONSTRUCT/DESCRIBE" if form == "graph" else form.upper()
    fits = ", ".join(k for k, v in FORMAT_PARAM.items() if v[FORMAT_FORMS.index(form)] is not None)
    known = "does not fit" if name in FORMAT_PARAM or "/" in name else "is not a known format for"
    raise UnsupportedMediaType(f"format={value} {known} {what} results; use one of {fits} or a media type")


def rdf_format_of(fmt: str | None, path: str | None = None) -> str:
    """The canonical RDF format for a format name or alias, else for a file's extension."""
    if fmt:
        f = EXPORT_FORMATS.get(fmt.lower(), fmt.lower())
        if f not in OX_RDF_FORMATS:
            raise ValueError(f"unknown RDF format {fmt!r}")
        return f
    if path:
        ext = "".join(Path(path).suffixes[-1:]).lower()
        if ext in FILE_EXTENSIONS:
            return FILE_EXTENSIONS[ext]
    raise ValueError(f"cannot tell the RDF format of {path!r}; pass format=")
