"""Stable IRIs for PlanKG data.

Every IRI is a function of the content it names, never of processing order:

====================================================  =============================================
``id:plan/<h12>``                                       a plan; h12 = sha256(normalised title)[:12]
``id:plan/<h12>/domain/<n>``                            n-th domain (1-based position in the plan)
``id:plan/<h12>/domain/<n>/goal/<k>``                   k-th goal of that domain
``id:plan/<h12>/domain/<n>/measure/<k>``                k-th measure
``id:plan/<h12>/key-project/<k>``                       k-th key project
``id:plan/<h12>/section/<n>``                           n-th top-level section
``id:plan/<h12>/table/<t>`` / ``…/table/<t>/row/<r>``   indicator table / its r-th row (an indicator)
``<unit>/indicator/<i>``                                i-th indicator stated in a unit's text
``<unit>/responsibility/<agency key>/<role>``           qualified unit-agency relation
``id:agency/<h12 of region>/<agency type key>``         one agency per (region, agency type)
``id:agency-type/<key>``                                agency type concept
``id:organization/<h12 of name>``                       a publisher/issuer
``id:law/<h12 of normalised title>``                    a cited legal document
``id:concept/<key>``                                    domain concept (``children-law``, ``law``)
``id:source/<file name>``                               a source file
``id:source/<file name>#char=<start>,<end>``            a span of it (RFC 5147 fragment)
``id:scheme/domains`` / ``id:scheme/agency-types``      the two concept schemes
====================================================  =============================================

Positions (not the numbers as written) are used inside a plan so that a misnumbered list cannot
produce two nodes with one IRI; the number as written is the ``pkg:number`` literal.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

from .ns import ID

_QUOTES = str.maketrans({c: '"' for c in "“”„‟〝〞＂「」『』'‘’"})
_DASHES = re.compile(r"[‐‑‒–—―－~～〜]+")
_SPACE = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Title key: NFKC, no whitespace, unified quotes and dashes, no 《》 around it."""
    t = unicodedata.normalize("NFKC", title or "")
    t = t.translate(_QUOTES)
    t = _DASHES.sub("-", t)
    t = _SPACE.sub("", t)
    t = t.strip("《》<>")
    return t


def short_hash(text: str, n: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _seg(key: str) -> str:
    """A path segment from a key (kept readable when it is already IRI-safe)."""
    return quote(str(key), safe="-._~")


def plan_hash(title: str, disambiguator: str = "") -> str:
    base = normalise_title(title)
    return short_hash(base + ("|" + disambiguator if disambiguator else ""))


def plan(h: str) -> URIRef:
    return ID[f"plan/{h}"]


def section(plan_iri: URIRef, n: int) -> URIRef:
    return URIRef(f"{plan_iri}/section/{n}")


def domain(plan_iri: URIRef, n: int) -> URIRef:
    return URIRef(f"{plan_iri}/domain/{n}")


_KIND_SEG = {"goal": "goal", "measure": "measure", "key_project": "key-project"}


def unit(parent_iri: URIRef, kind: str, k: int) -> URIRef:
    """A goal/measure (parent = domain) or key project (parent = plan)."""
    return URIRef(f"{parent_iri}/{_KIND_SEG[kind]}/{k}")


def table(plan_iri: URIRef, t: int) -> URIRef:
    return URIRef(f"{plan_iri}/table/{t}")


def table_row(table_iri: URIRef, r: int) -> URIRef:
    return URIRef(f"{table_iri}/row/{r}")


def indicator(unit_iri: URIRef, i: int) -> URIRef:
    return URIRef(f"{unit_iri}/indicator/{i}")


def responsibility(unit_iri: URIRef, agency_key: str, role: str) -> URIRef:
    return URIRef(f"{unit_iri}/responsibility/{_seg(agency_key)}/{_seg(role)}")


def agency(region: str, key: str) -> URIRef:
    return ID[f"agency/{short_hash(normalise_title(region))}/{_seg(key)}"]


def agency_type(key: str) -> URIRef:
    return ID[f"agency-type/{_seg(key)}"]


def organization(name: str) -> URIRef:
    return ID[f"organization/{short_hash(normalise_title(name))}"]


def law(title: str) -> URIRef:
    return ID[f"law/{short_hash(normalise_title(title))}"]


def concept(key: str) -> URIRef:
    return ID[f"concept/{_seg(key)}"]


def source_file(file: str) -> URIRef:
    return ID[f"source/{_seg(file)}"]


def span(file: str, start: int, end: int) -> URIRef:
    return URIRef(f"{source_file(file)}#char={int(start)},{int(end)}")


DOMAIN_SCHEME = ID["scheme/domains"]
AGENCY_TYPE_SCHEME = ID["scheme/agency-types"]


# ------------------------------------------------------------------ from model objects

def _index(items, obj) -> int:
    """1-based position of ``obj`` in ``items`` (identity first, then equality)."""
    for i, it in enumerate(items, 1):
        if it is obj:
            return i
    for i, it in enumerate(items, 1):
        if it == obj:
            return i
    raise ValueError("object not found in its parent list")


def plan_iri(plan) -> URIRef:
    """IRI of a ``Plan`` as ``plans_to_graph`` mints it (when no two input plans share a title,
    which the build pipeline guarantees)."""
    return plan_hash_iri(plan.title)


def plan_hash_iri(title: str) -> URIRef:
    return globals()["plan"](plan_hash(title))


def domain_iri(plan_obj, domain_obj) -> URIRef:
    return domain(plan_iri(plan_obj), _index(plan_obj.domains, domain_obj))


def unit_iri(plan_obj, domain_obj, unit_obj) -> URIRef:
    """IRI of a goal / measure (``domain_obj`` given) or key project (``domain_obj`` None)."""
    if domain_obj is None:
        return unit(plan_iri(plan_obj), "key_project", _index(plan_obj.key_projects, unit_obj))
    d = domain_iri(plan_obj, domain_obj)
    for kind, items in (("goal", domain_obj.goals), ("measure", domain_obj.measures)):
        if any(u is unit_obj for u in items):
            return unit(d, kind, _index(items, unit_obj))
    kind = "goal" if unit_obj.kind == "goal" else "measure"
    return unit(d, kind, _index(domain_obj.goals if kind == "goal" else domain_obj.measures, unit_obj))
