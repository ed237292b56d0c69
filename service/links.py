"""The page of every PlanKG IRI on this site (``/plans/…``, ``/units/…``, ``/agencies/…``, ``/laws/…``)."""

from __future__ import annotations

from graph.rdf.iri import domain_of_path, kind_of, local, short


def page_path(iri: str) -> str | None:
    """Site path of the page about ``iri`` (None when there is none).

    >>> page_path("https://w3id.org/plankg/id/plan/0123456789ab/domain/2")
    '/plans/0123456789ab#domain-2'
    """
    kind = kind_of(iri)
    if kind == "unit":
        return "/units/" + local(iri)
    if kind == "domain":
        found = domain_of_path(local(iri))
        assert found is not None
        return f"/plans/{found[0]}#domain-{found[1]}"
    if kind in ("plan", "agency", "law"):
        return {"plan": "/plans/", "agency": "/agencies/", "law": "/laws/"}[kind] + short(iri)
    return None
