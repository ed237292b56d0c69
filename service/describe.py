"""What the graph says about one IRI: the RDF a linked-data client gets when it dereferences
``https://w3id.org/plankg/id/…`` (``/id/…`` on this site), read with SPARQL CONSTRUCT through the store API,
so an embedded store and a remote endpoint answer alike.

A description holds
* the node's own triples (subject = the IRI) and the closure of the blank nodes they reach;
* for a document IRI (no ``#``), the triples of the hash IRIs inside it that point at it (a source file's
  ``…#char=s,e`` spans);
* the incoming links (subject, predicate), at most ``INCOMING_LIMIT`` of them;
* the ``rdfs:label`` / ``skos:prefLabel`` / ``dcterms:title`` of every other IRI in it and of its classes
  (classes and other ontology terms from ``ontology/plankg.ttl``, read from the package files).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.rdf.iri import is_safe_iri
from graph.rdf.ns import DCTERMS, ID, RDF, RDFS, SKOS, bind_prefixes, sparql_prefixes
from graph.rdf.vocab import ontology_graph
from graph.store.terms import serialized

INCOMING_LIMIT = 500
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
_LABEL_VALUES = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
_CHUNK = 150  # IRIs per label query
_ANY = "<urn:plankg:any>"  # (_ANY|!_ANY)* is any path


@dataclass
class Description:
    """The RDF about ``iri`` (pyoxigraph triples, ``iri``'s own first; ``graph``: the same as an rdflib Graph) and
    how many incoming links it has (``incoming_shown`` of them are in it)."""

    iri: str
    triples: list[ox.Quad]
    incoming_total: int
    incoming_shown: int

    @property
    def truncated(self) -> bool:
        return self.incoming_total > self.incoming_shown

    @functools.cached_property
    def graph(self) -> Graph:
        g = Graph()
        bind_prefixes(g)
        if self.triples:
            g.parse(data=serialized(ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES)), format="nt")
        return g


def candidates(local_id: str, raw_local: str | None = None) -> list[str]:
    """The IRIs a request path after ``/id/`` may name, most likely first: the path as sent (percent-escapes
    kept, as IRIs are minted), with ``%23`` as ``#`` (a hash IRI asked for by its full text), and the decoded
    path as it is and re-escaped (``graph.rdf.iri`` escapes every reserved character of a segment)."""
    options = []
    if raw_local:
        options += [raw_local, raw_local.replace("%23", "#")]
    options += [local_id, quote(local_id, safe="/#=,-._~"), quote(local_id, safe="/-._~")]
    out: list[str] = []
    for o in options:
        iri = str(ID) + o
        if o and iri not in out and is_safe_iri(iri) and o.isprintable() and _valid_iri(iri):
            out.append(iri)
    return out


def _valid_iri(iri: str) -> bool:
    """An IRI the store accepts (RFC 3987: no '[' in a path, well-formed percent escapes)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def exists(store, iri: str) -> bool:
    """Whether the store's default graph has ``iri`` as a subject or an object."""
    if not is_safe_iri(iri):
        return False
    return bool(store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))


def find(store, iris: Iterable[str]) -> str | None:
    """The first of ``iris`` the store knows."""
    return next((i for i in iris if exists(store, i)), None)


def construct(store, body: str) -> list[ox.Quad]:
    """The triples of a CONSTRUCT query (pyoxigraph quads of the default graph)."""
    data = store.query_raw(sparql_prefixes("pkg", "rdfs", "skos", "dcterms") + body, "application/n-triples")
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)) if data else []


def own_triples(store, iri: str) -> list[ox.Quad]:
    """Triples with ``iri`` as subject, plus the blank nodes they lead to (and theirs)."""
    return construct(
        store,
        f"""CONSTRUCT {{ <{iri}> ?p ?o . ?b ?bp ?bo }} WHERE {{
  {{ <{iri}> ?p ?o }}
  UNION {{ <{iri}> ?p0 ?b0 . FILTER(isBlank(?b0)) ?b0 ({_ANY}|!{_ANY})* ?b . FILTER(isBlank(?b)) ?b ?bp ?bo }}
}}""",
    )


def hash_members(store, iri: str) -> list[ox.Quad]:
    """The triples of ``<iri>#…`` resources that link to ``iri`` (spans of a source file)."""
    if "#" in iri:
        return []
    prefix = (iri + "#").replace("\\", "\\\\").replace('"', '\\"')
    return construct(
        store,
        f"""CONSTRUCT {{ ?h ?p ?o }} WHERE {{
  {{ SELECT DISTINCT ?h WHERE {{ ?h ?link <{iri}> . FILTER(STRSTARTS(STR(?h), "{prefix}")) }} }}
  ?h ?p ?o }}""",
    )


def incoming(store, iri: str, limit: int = INCOMING_LIMIT) -> tuple[list[ox.Quad], int]:
    """(at most ``limit`` triples pointing at ``iri``, how many there are in all)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{iri}> }}")
    total = int(rows[0]["n"]) if rows else 0
    found = construct(
        store,
        f"""CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{
  {{ SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT {int(limit)} }} }}""",
    )
    return found, total


@functools.cache
def _ontology_labels() -> tuple[ox.Quad, ...]:
    """The labels ``ontology/plankg.ttl`` gives its own terms."""
    onto, wanted = ontology_graph(), set(LABEL_PROPERTIES)
    lines = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in onto if p in wanted and isinstance(s, URIRef))
    return tuple(ox.parse(lines.encode(), format=ox.RdfFormat.N_TRIPLES))


def labels(store, iris: Iterable[str]) -> list[ox.Quad]:
    """``rdfs:label``, ``skos:prefLabel`` and ``dcterms:title`` of ``iris`` in the store, plus those the
    ontology gives its own terms."""
    out: list[ox.Quad] = []
    todo = sorted({str(i) for i in iris if is_safe_iri(str(i))})
    for i in range(0, len(todo), _CHUNK):
        values = " ".join(f"<{x}>" for x in todo[i : i + _CHUNK])
        body = f"VALUES ?n {{ {values} }} VALUES ?lp {{ {_LABEL_VALUES} }} ?n ?lp ?l"
        out += construct(store, f"CONSTRUCT {{ ?n ?lp ?l }} WHERE {{ {body} }}")
    wanted = set(todo)
    out += [q for q in _ontology_labels() if isinstance(q.subject, ox.NamedNode) and q.subject.value in wanted]
    return out


def linked_iris(triples: Iterable[ox.Quad], iri: str) -> set[str]:
    """Every IRI of ``triples`` but ``iri`` and the predicates: what a description labels."""
    found = set()
    for q in triples:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value != iri:
                found.add(term.value)
    return found


def describe(store, iri: str, *, incoming_limit: int = INCOMING_LIMIT) -> Description | None:
    """The description of ``iri`` (None when the store does not know it)."""
    if not exists(store, iri):
        return None
    own = own_triples(store, iri)
    back, total = incoming(store, iri, incoming_limit)
    found = own + hash_members(store, iri) + back
    rdf_type = ox.NamedNode(str(RDF.type))
    classes = {q.object.value for q in own if q.predicate == rdf_type and isinstance(q.object, ox.NamedNode)}
    found += labels(store, linked_iris(found, iri) | classes)
    unique = list(dict.fromkeys(found))  # in order, once each
    return Description(iri, unique, total, min(len(back), total))
