"""The named graphs of a PlanKG store, and what the reserved ones hold.

=======================================================  ==========================================================
``https://w3id.org/plankg/graph/ontology``                ``ontology/plankg.ttl`` + the SKOS schemes
                                                          (``ontology/domains.ttl``, the agency-type scheme)
``https://w3id.org/plankg/graph/shapes``                  ``ontology/shapes.ttl``
``https://w3id.org/plankg/graph/user/<file stem>``        default IRI of an analyst's graph (``plankg load``)
(the default graph)                                       the plan data, and the triples of ``plankg.ttl``
=======================================================  ==========================================================

The triples of ``plankg.ttl`` are in the default graph too, so that ``ASK { ?c a owl:Class }`` holds on the
endpoint's default dataset and T-box labels join the data without ``GRAPH`` (the schemes are there already:
``graph.rdf.shared``). Analysts' graphs are only in their named graphs. Every build loads
``vocabulary_nquads()`` beside the data (``builds.writer``).

>>> user_graph_iri("行政区划 2024")
'https://w3id.org/plankg/graph/user/行政区划%202024'
>>> refusal(SHAPES_GRAPH)
'https://w3id.org/plankg/graph/shapes is reserved for the SHACL shapes of PlanKG'
>>> refusal("https://example.org/g") is None
True
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nt import _nt_row

from .ns import DOMAINS_TTL
from .vocab import agency_type_scheme_graph, load_agency_types, ontology_graph, shapes_graph

GRAPH_NS = "https://w3id.org/plankg/graph/"
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
SHAPES_GRAPH = GRAPH_NS + "shapes"
USER_GRAPH_NS = GRAPH_NS + "user/"
GENID = "https://w3id.org/plankg/.well-known/genid/"  # Skolem IRIs of the ontology's blank nodes, if it has any
RESERVED_GRAPHS = {
    ONTOLOGY_GRAPH: "the ontology and concept schemes of PlanKG",
    SHAPES_GRAPH: "the SHACL shapes of PlanKG",
}
DEFAULT_GRAPH_NAMES = ("", "default", "DEFAULT")  # how a user might name the default graph

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")


def user_graph_iri(stem: str) -> str:
    """The default graph IRI of a loaded file: ``…/graph/user/<stem>`` (letters of any script kept,
    other characters percent-encoded)."""
    return USER_GRAPH_NS + "".join(c if c.isalnum() or c in "-._~" else quote(c, safe="") for c in stem)


def reserved(iri: str) -> str | None:
    """Why ``iri`` names a graph of PlanKG's own (None: it does not). The default graph holds the
    plans, and the ``…/graph/`` names other than ``…/graph/user/…`` belong to PlanKG."""
    if iri.strip() in DEFAULT_GRAPH_NAMES:
        return "the default graph holds the plan data; load into a named graph (--graph IRI)"
    if iri in RESERVED_GRAPHS:
        return f"{iri} is reserved for {RESERVED_GRAPHS[iri]}"
    if iri.startswith(GRAPH_NS) and not iri.startswith(USER_GRAPH_NS):
        return f"{iri} is in PlanKG's own graph namespace; analysts' graphs go under {USER_GRAPH_NS}"
    return None


def refusal(iri: str) -> str | None:
    """Why an analyst's graph may not be named ``iri`` (None: it may): reserved, or not an absolute IRI."""
    if why := reserved(iri):
        return why
    if not _ABSOLUTE_IRI.fullmatch(iri):
        return f"{iri!r} is not an absolute IRI"
    return None


@functools.cache
def _domains() -> Graph:
    return Graph().parse(DOMAINS_TTL, format="turtle")


def ontology_named_graph() -> Graph:
    """What ``<…/graph/ontology>`` holds: the ontology, the domain-concept scheme, the agency types."""
    g = ontology_graph()
    g += _domains()
    g += agency_type_scheme_graph(load_agency_types())
    return g


def _skolemized(g: Graph) -> Graph:
    """``g`` with any blank node replaced by a Skolem IRI derived from the graph's canonical form: the same
    triples in every build, so that a delta's default graph is a full build's and reloading it adds nothing."""
    if not any(isinstance(term, BNode) for t in g for term in t):
        return g
    out = Graph()
    for t in to_canonical_graph(g):
        out.add(tuple(URIRef(GENID + str(x)) if isinstance(x, BNode) else x for x in t))  # type: ignore[arg-type]
    return out


@functools.cache
def vocabulary_nquads() -> str:
    """N-Quads of what every build loads beside the data: the ontology in the default graph, and the
    ontology and shapes named graphs (lines sorted; blank nodes of the shapes carry rdflib's labels,
    unique in this process, so the text may be concatenated with other N-Quads)."""
    lines = {_nt_row(t) for t in _skolemized(ontology_graph())}
    for name, graph in ((ONTOLOGY_GRAPH, ontology_named_graph()), (SHAPES_GRAPH, shapes_graph())):
        lines.update(_nt_row(t)[: -len(".\n")] + f"<{name}> .\n" for t in graph)
    return "".join(sorted(lines))
