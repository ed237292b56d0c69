"""Example queries shown on the SPARQL page: a few quick ones, then the analyst's cookbook
(``service/cookbook``). Label columns come before IRI columns."""

from __future__ import annotations

from graph.rdf.ns import sparql_prefixes

from .cookbook import COOKBOOK

_P = sparql_prefixes("pkg", "dcterms", "skos")

EXAMPLES = [
    {
        "id": "agencies-by-measures",
        "title": "各部门负责的措施数（按数量排序）",
        "query": _P
        + """
SELECT ?name (COUNT(DISTINCT ?m) AS ?measures)
       (COUNT(DISTINCT ?led) AS ?as_lead) ?agency WHERE {
  ?m a pkg:Measure ; pkg:hasResponsibility ?r .
  ?r pkg:agency ?agency ; pkg:role ?role .
  ?agency skos:prefLabel ?name .
  BIND(IF(?role = "lead", ?m, ?unbound) AS ?led)
}
GROUP BY ?agency ?name
ORDER BY DESC(?measures)
LIMIT 50""",
    },
    {
        "id": "laws-by-plan",
        "title": "各规划引用的法律法规",
        "query": _P
        + """
SELECT ?plan_title ?law_title (COUNT(DISTINCT ?unit) AS ?citing_units) WHERE {
  ?plan a pkg:Plan ; dcterms:title ?plan_title .
  { ?plan pkg:cites ?law . BIND(?plan AS ?unit) }
  UNION { ?plan pkg:hasDomain/(pkg:hasGoal|pkg:hasMeasure) ?unit . ?unit pkg:cites ?law }
  UNION { ?plan pkg:hasKeyProject ?unit . ?unit pkg:cites ?law }
  ?law dcterms:title ?law_title .
}
GROUP BY ?plan_title ?law_title
ORDER BY ?plan_title DESC(?citing_units)""",
    },
    {
        "id": "measures-without-agency",
        "title": "没有任何责任部门的措施",
        "query": _P
        + """
SELECT ?plan_title ?domain ?number ?text WHERE {
  ?plan dcterms:title ?plan_title ; pkg:hasDomain ?d .
  ?d dcterms:title ?domain ; pkg:hasMeasure ?m .
  ?m pkg:number ?number ; pkg:text ?text .
  FILTER NOT EXISTS { ?m pkg:involvesAgency ?any }
}
ORDER BY ?plan_title ?domain ?number
LIMIT 200""",
    },
    {
        "id": "targets-2030",
        "title": "2030 年的指标目标值",
        "query": _P
        + """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?plan_title ?indicator ?comparator ?value ?unit WHERE {
  ?i a pkg:Indicator ; pkg:indicatorName ?indicator ; pkg:targetYear ?year .
  FILTER(STR(?year) = "2030")
  OPTIONAL { ?i pkg:comparator ?comparator } OPTIONAL { ?i pkg:targetValue ?value }
  OPTIONAL { ?i pkg:unitOfMeasure ?unit }
  { ?plan pkg:hasIndicatorTable/pkg:hasRow ?i }
  UNION { ?plan pkg:hasDomain/(pkg:hasGoal|pkg:hasMeasure) ?u . ?u pkg:hasIndicator ?i }
  ?plan dcterms:title ?plan_title .
}
ORDER BY ?indicator ?plan_title""",
    },
    {
        "id": "plans",
        "title": "全部规划及其地区、期限",
        "query": _P
        + """
SELECT ?title ?region ?level ?start ?end ?plan WHERE {
  ?plan a pkg:Plan ; dcterms:title ?title .
  OPTIONAL { ?plan pkg:region ?region } OPTIONAL { ?plan pkg:adminLevel ?level }
  OPTIONAL { ?plan pkg:periodStart ?start } OPTIONAL { ?plan pkg:periodEnd ?end }
}
ORDER BY ?title""",
    },
]

EXAMPLES += [r.as_example() for r in COOKBOOK]
