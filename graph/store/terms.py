"""Terms between rdflib and pyoxigraph, and pyoxigraph terms as plain Python values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .base import literal_to_python


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def ox_quads(items: Iterable) -> Iterable[ox.Quad]:
    for t in items:
        if isinstance(t, ox.Quad):
            yield t
        elif isinstance(t, ox.Triple):
            yield ox.Quad(t.subject, t.predicate, t.object)
        elif len(t) == 4 and t[3] is not None:
            g = t[3]
            g = g.identifier if isinstance(g, Graph) else g
            yield ox.Quad(to_ox(t[0]), to_ox(t[1]), to_ox(t[2]), to_ox(g))
        else:
            yield ox.Quad(to_ox(t[0]), to_ox(t[1]), to_ox(t[2]))


def serialized(data: bytes | None) -> bytes:
    """What a pyoxigraph ``serialize``/``dump`` without an output returns: the bytes (typed
    ``bytes | None`` because, given an output, they write there and return None)."""
    assert data is not None
    return data


def ox_to_python(term) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return term.value
        return literal_to_python(term.value, term.datatype.value if term.datatype else None)
    return str(term)
