"""The SPARQL behind the responsibility views: the plan facts read from a store (when the precomputed
aggregates of the generation cannot be used: the store was changed by SPARQL Update), and the text of the
units a list shows.

The patterns start from the responsibilities and reach a unit's plan through ``?x ?p ?u`` with ``?p`` among
the three unit links (a domain's goals and measures, a plan's key projects): on the 10x corpus that takes
about 1 s where the ``UNION`` of ``service.queries.UNIT_CONTEXT`` takes about a minute.
"""

from __future__ import annotations

from .queries import iri, select

UNIT_LINK = "?x ?link ?u . VALUES ?link { pkg:hasGoal pkg:hasMeasure pkg:hasKeyProject }"


def plans(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?plan ?title ?region ?level ?type ?start ?end WHERE {
  ?plan a pkg:Plan ; dcterms:title ?title .
  OPTIONAL { ?plan pkg:region ?region } OPTIONAL { ?plan pkg:adminLevel ?level }
  OPTIONAL { ?plan pkg:planType ?type } OPTIONAL { ?plan pkg:periodStart ?start }
  OPTIONAL { ?plan pkg:periodEnd ?end }
}""",
    )


def domains(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?plan ?d ?title ?concept WHERE {
  ?plan a pkg:Plan ; pkg:hasDomain ?d . ?d dcterms:title ?title .
  OPTIONAL { ?d pkg:domainConcept ?concept }
}""",
    )


def unit_counts(store) -> list[dict]:
    """Goals, measures and key projects per plan (``n``)."""
    return select(
        store,
        """
SELECT ?plan (COUNT(DISTINCT ?u) AS ?n) WHERE {
  { ?plan pkg:hasDomain ?d . ?d pkg:hasGoal|pkg:hasMeasure ?u } UNION { ?plan pkg:hasKeyProject ?u }
} GROUP BY ?plan""",
    )


def responsibilities(store) -> list[dict]:
    """Every (plan, unit, agency, role)."""
    return select(
        store,
        f"""
SELECT DISTINCT ?plan ?u ?a ?role WHERE {{
  ?u pkg:hasResponsibility ?r . ?r pkg:agency ?a ; pkg:role ?role .
  {UNIT_LINK}
  OPTIONAL {{ ?plan0 pkg:hasDomain ?x }}
  BIND(COALESCE(?plan0, ?x) AS ?plan)
}}""",
    )


def agency_labels(store) -> list[dict]:
    return select(store, "SELECT ?a ?label WHERE { ?a a pkg:Agency ; skos:prefLabel ?label }")


def type_labels(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?key ?label WHERE { ?t a pkg:AgencyType ; skos:notation ?key .
  OPTIONAL { ?t skos:prefLabel ?label FILTER(lang(?label) = "zh") } }""",
    )


def concept_labels(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?key ?label WHERE { ?c a pkg:DomainConcept ; skos:notation ?key ; skos:prefLabel ?label
  FILTER(lang(?label) = "zh") }""",
    )


def unit_texts(store, units: list[str]) -> dict[str, dict]:
    """Number, text and title of each unit (``units``: IRIs), by IRI. Two plain joins on ``VALUES``: an
    ``OPTIONAL`` after ``VALUES`` makes Oxigraph scan (about 1 s for 50 units at 10x)."""
    if not units:
        return {}
    values = " ".join(iri(u) for u in units)
    out: dict[str, dict] = {}
    for r in select(
        store, f"SELECT ?u ?number ?text WHERE {{ VALUES ?u {{ {values} }} ?u pkg:number ?number ; pkg:text ?text }}"
    ):
        out[r["u"]] = {"number": r["number"], "text": r["text"], "title": ""}
    for r in select(store, f"SELECT ?u ?title WHERE {{ VALUES ?u {{ {values} }} ?u dcterms:title ?title }}"):
        if r["u"] in out:
            out[r["u"]]["title"] = r["title"]
    return out
