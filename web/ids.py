"""IRIs <-> short ids used in URLs, and the page path of any PlanKG IRI.

Short id = the IRI without ``https://w3id.org/plankg/id/`` and without its kind prefix:
``/plans/<h12>``, ``/agencies/<region h12>/<type>``, ``/laws/<h12>``; a unit keeps its whole path
(``/units/plan/<h12>/domain/2/measure/3``).
"""
from __future__ import annotations

import re
from typing import Optional

ID = "https://w3id.org/plankg/id/"
PKG = "https://w3id.org/plankg/ontology#"
_UNIT = re.compile(r"^plan/[0-9a-f]+/(?:domain/\d+/(?:goal|measure)|key-project)/\d+$")
_DOMAIN = re.compile(r"^plan/([0-9a-f]+)/domain/(\d+)$")
_SAFE_IRI = re.compile(r'^[^\s<>"{}|^`\\]+$')


def local(iri: str) -> str:
    return iri[len(ID):] if iri and iri.startswith(ID) else iri


def is_safe_iri(iri: str) -> bool:
    """Safe to put between <> in a SPARQL query."""
    return bool(iri) and bool(_SAFE_IRI.match(iri))


def plan_iri(pid: str) -> str:
    return pid if pid.startswith(ID) else f"{ID}plan/{pid}"


def agency_iri(aid: str) -> str:
    return aid if aid.startswith(ID) else f"{ID}agency/{aid}"


def law_iri(lid: str) -> str:
    return lid if lid.startswith(ID) else f"{ID}law/{lid}"


def unit_iri(uid: str) -> Optional[str]:
    """IRI of a unit from its path or IRI (None if it is not a unit path)."""
    path = local(uid)
    return ID + path if _UNIT.match(path) else None


def short(iri: str) -> str:
    """The id used in URLs."""
    path = local(iri)
    for prefix in ("plan/", "agency/", "law/"):
        if path.startswith(prefix) and not _UNIT.match(path):
            return path[len(prefix):]
    return path


def kind_of(iri: str) -> str:
    path = local(iri)
    if _UNIT.match(path):
        return "unit"
    if _DOMAIN.match(path):
        return "domain"
    for kind in ("plan", "agency", "law"):
        if path.startswith(kind + "/"):
            return kind
    return ""


def page_path(iri: str) -> Optional[str]:
    """Site path of the page about ``iri`` (None when there is none)."""
    kind = kind_of(iri)
    if kind == "unit":
        return "/units/" + local(iri)
    if kind == "domain":
        m = _DOMAIN.match(local(iri))
        return f"/plans/{m.group(1)}#domain-{m.group(2)}"
    if kind == "plan":
        return "/plans/" + short(iri)
    if kind == "agency":
        return "/agencies/" + short(iri)
    if kind == "law":
        return "/laws/" + short(iri)
    return None


def position(iri: str) -> int:
    """Trailing number of an IRI (position in its list), for ordering."""
    m = re.search(r"(\d+)$", iri or "")
    return int(m.group(1)) if m else 0
