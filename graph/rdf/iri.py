"""Stable IRIs for PlanKG data: minted from content here, and parsed back (short ids, kinds).

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
``<unit>/responsibility/<agency key>/<role>[/<n>]``   an agency mention (n-th of that key and role, n > 1)
``<unit or plan>/citation/<n>``                         n-th citation in a unit's text or a plan's preamble
``id:activity/extract/<extractor version>``             the extraction that made the mentions
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
from urllib.parse import quote

from rdflib import URIRef

from ..titles import title_key
from .ns import ID


def short_hash(text: str, n: int = 12) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def _seg(key: str) -> str:
    """A path segment from a key (kept readable when it is already IRI-safe)."""
    return quote(str(key), safe="-._~")


def plan_hash(title: str, disambiguator: str = "") -> str:
    base = title_key(title)
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


def responsibility(unit_iri: URIRef, agency_key: str, role: str, n: int = 1) -> URIRef:
    """The n-th mention of an agency type in a role in one unit (n > 1 only for unknown responsible units,
    which share the key "other")."""
    tail = f"/{int(n)}" if n > 1 else ""
    return URIRef(f"{unit_iri}/responsibility/{_seg(agency_key)}/{_seg(role)}{tail}")


def citation(parent_iri: URIRef, n: int) -> URIRef:
    """The n-th document cited in a unit's text or (parent = plan) in a plan's preamble."""
    return URIRef(f"{parent_iri}/citation/{int(n)}")


def activity(version: str) -> URIRef:
    return ID[f"activity/extract/{_seg(version)}"]


def agency(region: str, key: str) -> URIRef:
    return ID[f"agency/{short_hash(title_key(region))}/{_seg(key)}"]


def agency_type(key: str) -> URIRef:
    return ID[f"agency-type/{_seg(key)}"]


def organization(name: str) -> URIRef:
    return ID[f"organization/{short_hash(title_key(name))}"]


def law(title: str) -> URIRef:
    return ID[f"law/{short_hash(title_key(title))}"]


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


# ------------------------------------------------------------------ parsing IRIs back
#
# Short id = the IRI without ``id:`` and without its kind prefix: ``<h12>`` for a plan,
# ``<region h12>/<type>`` for an agency, ``<h12>`` for a law; a unit keeps its whole path
# (``plan/<h12>/domain/2/measure/3``).

_UNIT_PATH = re.compile(r"^plan/[0-9a-f]+/(?:domain/\d+/(?:goal|measure)|key-project)/\d+$")
_DOMAIN_PATH = re.compile(r"^plan/([0-9a-f]+)/domain/(\d+)$")
_SAFE_IRI = re.compile(r'^[^\s<>"{}|^`\\]+$')


def local(value: str) -> str:
    """The IRI without the ``id:`` base (other strings unchanged).

    >>> local("https://w3id.org/plankg/id/plan/0123456789ab")
    'plan/0123456789ab'
    """
    return value[len(ID) :] if value and value.startswith(ID) else value


def is_safe_iri(value: str) -> bool:
    """Safe to put between <> in a SPARQL query."""
    return bool(value) and bool(_SAFE_IRI.match(value))


def plan_from_id(pid: str) -> str:
    """A plan IRI from its short id (an IRI is returned as it is)."""
    return pid if pid.startswith(ID) else f"{ID}plan/{pid}"


def agency_from_id(aid: str) -> str:
    return aid if aid.startswith(ID) else f"{ID}agency/{aid}"


def law_from_id(lid: str) -> str:
    return lid if lid.startswith(ID) else f"{ID}law/{lid}"


def unit_from_path(uid: str) -> str | None:
    """IRI of a unit from its path or IRI (None if it is not a unit path)."""
    path = local(uid)
    return ID + path if _UNIT_PATH.match(path) else None


def domain_of_path(path: str) -> tuple[str, int] | None:
    """(plan h12, domain position) of a domain path, else None."""
    m = _DOMAIN_PATH.match(path)
    return (m.group(1), int(m.group(2))) if m else None


def short(value: str) -> str:
    """The id used in URLs.

    >>> short("https://w3id.org/plankg/id/agency/38150fb2d76a/health")
    '38150fb2d76a/health'
    """
    path = local(value)
    for prefix in ("plan/", "agency/", "law/"):
        if path.startswith(prefix) and not _UNIT_PATH.match(path):
            return path[len(prefix) :]
    return path


def kind_of(value: str) -> str:
    """unit | domain | plan | agency | law, or "" for anything else."""
    path = local(value)
    if _UNIT_PATH.match(path):
        return "unit"
    if _DOMAIN_PATH.match(path):
        return "domain"
    for kind in ("plan", "agency", "law"):
        if path.startswith(kind + "/"):
            return kind
    return ""


def position(value: str) -> int:
    """Trailing number of an IRI (position in its list), for ordering."""
    m = re.search(r"(\d+)$", value or "")
    return int(m.group(1)) if m else 0
