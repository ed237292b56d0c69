"""Mentions as data: each agency a unit names is a ``pkg:Responsibility``, each document a unit or a
plan's preamble cites is a ``pkg:Citation``, both with the surface as written, a ``pkg:SourceSpan``
(line, [charStart, charEnd) into the file's text) and the extraction activity that found them.

The shortcuts stay beside them (``pkg:involvesAgency``, ``pkg:leadAgency``, ``pkg:partnerAgency``,
``pkg:cites``), so queries written against them keep working. A unit says whether it names an agency at
all (``pkg:agencyStated``), so "no agency named" is a fact, not a missing triple.

IRIs: ``<unit>/responsibility/<key>/<role>`` (``/<n>`` for a second mention of that key and role: unknown
responsible units, key "other"), ``<unit or plan>/citation/<n>`` (n: position in the mention list, which
the extractor orders by first occurrence). The builder (``graph.rdf.build._Builder``) passes itself in.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import Literal, URIRef

from graph.extract import extractor_version
from graph.model import AgencyMention, LawMention, Unit

from ..titles import title_key
from . import iri
from .literals import en, zh
from .ns import PKG, PROV, RDF

_ROLE_SHORTCUT = {"lead": PKG.leadAgency, "partner": PKG.partnerAgency}


def written(b: Any, m: AgencyMention | LawMention) -> str:
    """The mention as written in the file (``source[charStart:charEnd]``, line breaks included) when its
    span and the file's text are known, else its surface as the extractor saw it."""
    text = getattr(b, "texts", {}).get(m.span.file, "") if m.span is not None else ""
    if m.span is not None and text and 0 <= m.span.start < m.span.end <= len(text):
        return text[m.span.start : m.span.end]
    return m.surface


def _mention(b: Any, node: URIRef, m: AgencyMention | LawMention) -> None:
    surface = written(b, m)
    if surface:
        b.add(node, PKG.surface, zh(surface))
    if m.span is not None:
        b.span(node, m.span)
    version = extractor_version()
    b.c.activities.add(version)
    b.add(node, PROV.wasGeneratedBy, iri.activity(version))


def responsibilities(b: Any, U: URIRef, u: Unit, region: str) -> None:
    """One ``pkg:Responsibility`` per agency mention of unit ``U``, the shortcuts, ``pkg:agencyStated``."""
    b.add(U, PKG.agencyStated, Literal(bool(u.agencies)))
    seen: Counter = Counter()
    for m in u.agencies:
        key, role = m.key or "unknown", m.role or "mentioned"
        rec = b.c.agencies[(region or "", key)]
        if m.label:
            rec["labels"][m.label] += 1
        if m.surface:
            rec["surfaces"].add(m.surface)
        seen[(key, role)] += 1
        A = iri.agency(region or "", key)
        R = iri.responsibility(U, key, role, seen[(key, role)])
        b.add(U, PKG.hasResponsibility, R)
        b.add(U, PKG.involvesAgency, A)
        if role in _ROLE_SHORTCUT:
            b.add(U, _ROLE_SHORTCUT[role], A)
        b.add(R, RDF.type, PKG.Responsibility)
        b.add(R, PKG.agency, A)
        b.add(R, PKG.role, Literal(role))
        _mention(b, R, m)


def citations(b: Any, S: URIRef, laws: list[LawMention]) -> None:
    """``S`` (a unit, or a plan for its preamble) ``pkg:cites`` each document, and ``pkg:hasCitation``
    one ``pkg:Citation`` per cited title: the document, the surface, the span, how the title resolved."""
    for n, m in enumerate(laws, 1):
        title = m.title or m.surface
        key = title_key(title)
        if not key:
            continue
        rec = b.c.laws[key]
        rec["titles"][title] += 1
        rec["types"][m.doc_type or "other"] += 1
        if m.surface:
            rec["surfaces"].add(m.surface)
        if m.resolution:
            rec.setdefault("resolutions", Counter())[m.resolution] += 1
        if m.note:
            rec.setdefault("notes", set()).add(m.note)
        L = iri.law(title)
        b.add(S, PKG.cites, L)
        C = iri.citation(S, n)
        b.add(S, PKG.hasCitation, C)
        b.add(C, RDF.type, PKG.Citation)
        b.add(C, PKG.cites, L)
        if m.resolution:
            b.add(C, PKG.resolution, Literal(m.resolution))
        if m.note:
            b.add(C, PKG.resolutionNote, en(m.note))
        if m.within:
            b.add(C, PKG.nestedIn, iri.law(m.within))
        _mention(b, C, m)
