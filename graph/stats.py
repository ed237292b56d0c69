"""Statistics of a built graph, all by SPARQL so they hold for any store behind the interface."""

from __future__ import annotations

from .rdf.ns import sparql_prefixes

PREFIXES = sparql_prefixes("pkg", "dcterms", "skos")

TOTALS = (
    PREFIXES
    + """
SELECT
  (COUNT(DISTINCT ?plan) AS ?plans) (COUNT(DISTINCT ?domain) AS ?domains)
  (COUNT(DISTINCT ?goal) AS ?goals) (COUNT(DISTINCT ?measure) AS ?measures)
  (COUNT(DISTINCT ?kp) AS ?key_projects)
WHERE {
  ?plan a pkg:Plan .
  OPTIONAL { ?plan pkg:hasDomain ?domain .
             OPTIONAL { ?domain pkg:hasGoal ?goal } OPTIONAL { ?domain pkg:hasMeasure ?measure } }
  OPTIONAL { ?plan pkg:hasKeyProject ?kp }
}"""
)

ENTITIES = (
    PREFIXES
    + """
SELECT
  (COUNT(DISTINCT ?agency) AS ?agencies) (COUNT(DISTINCT ?atype) AS ?agency_types)
  (COUNT(DISTINCT ?law) AS ?laws) (COUNT(DISTINCT ?ind) AS ?indicators)
WHERE {
  { ?u pkg:involvesAgency ?agency . OPTIONAL { ?agency <http://www.w3.org/ns/org#classification> ?atype } }
  UNION { ?x pkg:cites ?law }
  UNION { ?x pkg:hasIndicator ?ind }
  UNION { ?t pkg:hasRow ?ind }
}"""
)

PER_PLAN = (
    PREFIXES
    + """
SELECT ?title
  (COUNT(DISTINCT ?domain) AS ?domains) (COUNT(DISTINCT ?goal) AS ?goals)
  (COUNT(DISTINCT ?measure) AS ?measures) (COUNT(DISTINCT ?kp) AS ?key_projects)
WHERE {
  ?plan a pkg:Plan ; dcterms:title ?title .
  OPTIONAL { ?plan pkg:hasDomain ?domain .
             OPTIONAL { ?domain pkg:hasGoal ?goal } OPTIONAL { ?domain pkg:hasMeasure ?measure } }
  OPTIONAL { ?plan pkg:hasKeyProject ?kp }
} GROUP BY ?title ORDER BY ?title"""
)

TOP_AGENCIES = (
    PREFIXES
    + """
SELECT ?agency (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?u) AS ?units)
WHERE { ?u pkg:involvesAgency ?agency . ?agency skos:prefLabel ?label }
GROUP BY ?agency ORDER BY DESC(?units) ?agency LIMIT 10"""
)


def _row(store, query: str) -> dict:
    rows = store.query(query)
    return {k: (int(v) if v is not None else 0) for k, v in rows[0].items()} if rows else {}


def graph_stats(store) -> dict:
    stats = {"triples": store.triple_count()}
    stats.update(_row(store, TOTALS))
    stats.update(_row(store, ENTITIES))
    stats["per_plan"] = [{k: (int(v) if k != "title" else str(v)) for k, v in r.items()} for r in store.query(PER_PLAN)]
    stats["top_agencies"] = [{"name": str(r["name"]), "units": int(r["units"])} for r in store.query(TOP_AGENCIES)]
    return stats
