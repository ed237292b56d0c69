"""The SPARQL queries behind the API and the pages. Everything is read from the store with SPARQL,
so the same code serves an embedded store and a remote endpoint (``PLANKG_STORE``)."""

from __future__ import annotations

from graph.rdf.iri import is_safe_iri
from graph.rdf.ns import sparql_prefixes

PREFIXES = sparql_prefixes("pkg", "dcterms", "skos", "prov", "org", "rdf", "rdfs", "eli")

# the units ?u of plan ?plan, with ?kind and domain ?d (unbound for key projects); use with ?plan bound
UNIT_OF_PLAN = """
  { ?plan pkg:hasDomain ?d . ?d pkg:hasGoal ?u . BIND("goal" AS ?kind) }
  UNION { ?plan pkg:hasDomain ?d . ?d pkg:hasMeasure ?u . BIND("measure" AS ?kind) }
  UNION { ?plan pkg:hasKeyProject ?u . BIND("key_project" AS ?kind) }
"""
# plan ?plan, domain ?d and ?kind of a unit ?u; put it after the pattern that binds ?u
PLAN_OF_UNIT = """{ ?plan pkg:hasDomain ?d . ?d pkg:hasGoal|pkg:hasMeasure ?u . ?d dcterms:title ?domain_title .
    OPTIONAL { ?d pkg:domainConcept ?concept } }
  UNION { ?plan pkg:hasKeyProject ?u }"""
KIND_OF_UNIT = """?u a ?cls .
  VALUES (?cls ?kind) { (pkg:Goal "goal") (pkg:Measure "measure") (pkg:KeyProject "key_project") }"""
UNIT_CONTEXT = PLAN_OF_UNIT + " " + KIND_OF_UNIT


def source(var: str, p: str) -> str:
    """?<p>_file and ?<p>_line: where ?<var> starts in its source file."""
    return (
        f"?{var} prov:wasDerivedFrom ?{p}_span . ?{p}_span a pkg:SourceSpan ; pkg:file ?{p}_file ; pkg:line ?{p}_line ."
    )


def iri(value: str) -> str:
    if not is_safe_iri(value):
        raise ValueError(f"not a usable IRI: {value!r}")
    return f"<{value}>"


def select(store, body: str) -> list[dict]:
    return list(store.query(PREFIXES + body))


def plans(store) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?plan ?title ?region ?level ?type ?start ?end ?draft ?issued ?docnum ?inferred ?publisher ?p_file ?p_line
WHERE {{
  ?plan a pkg:Plan ; dcterms:title ?title .
  OPTIONAL {{ ?plan pkg:region ?region }} OPTIONAL {{ ?plan pkg:adminLevel ?level }}
  OPTIONAL {{ ?plan pkg:planType ?type }} OPTIONAL {{ ?plan pkg:periodStart ?start }}
  OPTIONAL {{ ?plan pkg:periodEnd ?end }} OPTIONAL {{ ?plan pkg:draft ?draft }}
  OPTIONAL {{ ?plan dcterms:issued ?issued }} OPTIONAL {{ ?plan eli:id_local ?docnum }}
  OPTIONAL {{ ?plan pkg:titleInferred ?inferred }}
  OPTIONAL {{ SELECT ?plan (GROUP_CONCAT(DISTINCT ?issuer_name; separator="、") AS ?publisher) WHERE {{
    ?plan dcterms:publisher ?issuer . ?issuer skos:prefLabel ?issuer_name }} GROUP BY ?plan }}
  OPTIONAL {{ {source("plan", "p")} }}
}} ORDER BY ?p_file ?p_line""",
    )


def plan_counts(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?plan ?kind (COUNT(DISTINCT ?u) AS ?n) WHERE {
  { ?plan pkg:hasDomain ?u . BIND("domains" AS ?kind) }
  UNION { ?plan pkg:hasDomain/pkg:hasGoal ?u . BIND("goals" AS ?kind) }
  UNION { ?plan pkg:hasDomain/pkg:hasMeasure ?u . BIND("measures" AS ?kind) }
  UNION { ?plan pkg:hasKeyProject ?u . BIND("key_projects" AS ?kind) }
  UNION { ?plan pkg:hasIndicatorTable/pkg:hasRow ?u . BIND("indicator_rows" AS ?kind) }
} GROUP BY ?plan ?kind""",
    )


def plan_domains(store, plan: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?d ?number ?title ?heading ?concept ?concept_label ?d_file ?d_line WHERE {{
  {iri(plan)} pkg:hasDomain ?d . ?d pkg:number ?number ; dcterms:title ?title .
  OPTIONAL {{ ?d pkg:heading ?heading }}
  OPTIONAL {{ ?d pkg:domainConcept ?concept .
             OPTIONAL {{ ?concept skos:prefLabel ?concept_label FILTER(lang(?concept_label) = "zh") }} }}
  OPTIONAL {{ {source("d", "d")} }}
}}""",
    )


def plan_units(store, plan: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?u ?kind ?d ?number ?text ?title ?u_file ?u_line WHERE {{
  BIND({iri(plan)} AS ?plan)
  {UNIT_OF_PLAN}
  ?u pkg:number ?number ; pkg:text ?text .
  OPTIONAL {{ ?u dcterms:title ?title }}
  OPTIONAL {{ {source("u", "u")} }}
}}""",
    )


def plan_unit_agencies(store, plan: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?u ?a ?label ?role WHERE {{
  BIND({iri(plan)} AS ?plan)
  {UNIT_OF_PLAN}
  ?u pkg:hasResponsibility ?r . ?r pkg:agency ?a ; pkg:role ?role . ?a skos:prefLabel ?label .
}}""",
    )


def plan_tables(store, plan: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?t ?caption ?row ?number ?name ?unit ?baseline_text ?target_text ?comparator ?value ?year
       ?baseline ?baseline_year ?qualitative ?r_file ?r_line WHERE {{
  {iri(plan)} pkg:hasIndicatorTable ?t . ?t pkg:hasRow ?row . ?row pkg:number ?number .
  OPTIONAL {{ ?t pkg:caption ?caption }}
  OPTIONAL {{ ?row pkg:indicatorName ?name }} OPTIONAL {{ ?row pkg:unitOfMeasure ?unit }}
  OPTIONAL {{ ?row pkg:baselineText ?baseline_text }} OPTIONAL {{ ?row pkg:targetText ?target_text }}
  OPTIONAL {{ ?row pkg:comparator ?comparator }} OPTIONAL {{ ?row pkg:targetValue ?value }}
  OPTIONAL {{ ?row pkg:targetYear ?year }} OPTIONAL {{ ?row pkg:baselineValue ?baseline }}
  OPTIONAL {{ ?row pkg:baselineYear ?baseline_year }} OPTIONAL {{ ?row pkg:qualitativeTarget ?qualitative }}
  OPTIONAL {{ {source("row", "r")} }}
}}""",
    )


def plan_laws(store, plan: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?l ?title ?type (COUNT(DISTINCT ?s) AS ?citations) WHERE {{
  BIND({iri(plan)} AS ?plan)
  {{ ?plan a pkg:Plan ; pkg:cites ?l . BIND(?plan AS ?s) }} UNION {{ {UNIT_OF_PLAN} ?u pkg:cites ?l . BIND(?u AS ?s) }}
  ?l dcterms:title ?title . OPTIONAL {{ ?l pkg:docType ?type }}
}} GROUP BY ?l ?title ?type ORDER BY DESC(?citations) ?title""",
    )


def domain_concepts(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?concept ?label ?plan ?plan_title ?d ?title ?number
       (COUNT(DISTINCT ?g) AS ?goals) (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?plan pkg:hasDomain ?d . ?plan dcterms:title ?plan_title . ?d dcterms:title ?title ; pkg:number ?number .
  OPTIONAL { ?d pkg:domainConcept ?concept .
             OPTIONAL { ?concept skos:prefLabel ?label FILTER(lang(?label) = "zh") } }
  OPTIONAL { ?d pkg:hasGoal ?g } OPTIONAL { ?d pkg:hasMeasure ?m }
} GROUP BY ?concept ?label ?plan ?plan_title ?d ?title ?number""",
    )


def unit(store, u: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?kind ?number ?text ?title ?plan ?plan_title ?d ?domain_title ?concept ?u_file ?u_line ?end_line
       ?char_start ?char_end ?locator WHERE {{
  BIND({iri(u)} AS ?u)
  ?u pkg:number ?number ; pkg:text ?text .
  {UNIT_CONTEXT}
  ?plan dcterms:title ?plan_title .
  OPTIONAL {{ ?u dcterms:title ?title }}
    OPTIONAL {{ {source("u", "u")} OPTIONAL {{ ?u_span pkg:endLine ?end_line }}
             OPTIONAL {{ ?u_span pkg:charStart ?char_start ; pkg:charEnd ?char_end }}
             OPTIONAL {{ ?u_span pkg:locator ?locator }} }}
}}""",
    )


def unit_agencies(store, u: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?a ?label ?role ?region (GROUP_CONCAT(DISTINCT ?surface; separator="、") AS ?surfaces) WHERE {{
  {iri(u)} pkg:hasResponsibility ?r . ?r pkg:agency ?a ; pkg:role ?role . ?a skos:prefLabel ?label .
  OPTIONAL {{ ?a pkg:region ?region }} OPTIONAL {{ ?r pkg:surface ?surface }}
}} GROUP BY ?a ?label ?role ?region""",
    )


def unit_laws(store, u: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?l ?title ?type WHERE {{
  {iri(u)} pkg:cites ?l . ?l dcterms:title ?title . OPTIONAL {{ ?l pkg:docType ?type }}
}} ORDER BY ?title""",
    )


def unit_indicators(store, u: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?i ?name ?comparator ?value ?unit ?year ?baseline ?baseline_year ?qualitative ?text WHERE {{
  {iri(u)} pkg:hasIndicator ?i .
  OPTIONAL {{ ?i pkg:indicatorName ?name }} OPTIONAL {{ ?i pkg:comparator ?comparator }}
  OPTIONAL {{ ?i pkg:targetValue ?value }} OPTIONAL {{ ?i pkg:unitOfMeasure ?unit }}
  OPTIONAL {{ ?i pkg:targetYear ?year }} OPTIONAL {{ ?i pkg:baselineValue ?baseline }}
  OPTIONAL {{ ?i pkg:baselineYear ?baseline_year }} OPTIONAL {{ ?i pkg:qualitativeTarget ?qualitative }}
  OPTIONAL {{ ?i pkg:text ?text }}
}}""",
    )


def unit_at(store, file: str, line: int) -> list[dict]:
    """The unit whose source span starts at file:line (search document ids are file stem + line)."""
    safe = file.replace("\\", "\\\\").replace('"', '\\"')
    return select(
        store,
        f"""
SELECT ?u WHERE {{
  ?u a pkg:PlanUnit ; prov:wasDerivedFrom ?s . ?s pkg:file "{safe}" ; pkg:line {int(line)} .
}} LIMIT 1""",
    )


def unit_sources(store) -> list[dict]:
    """Every unit with its source file and line (to map search documents to unit IRIs)."""
    return select(
        store,
        f"""
SELECT ?u ?u_file ?u_line WHERE {{ ?u a pkg:PlanUnit . {source("u", "u")} }}""",
    )


def agencies(store) -> list[dict]:
    return select(
        store,
        """
SELECT ?a ?label ?region ?type ?type_label ?units ?lead ?partner ?plans WHERE {
  ?a a pkg:Agency ; skos:prefLabel ?label .
  OPTIONAL { ?a pkg:region ?region }
  OPTIONAL { ?a org:classification ?t . ?t skos:notation ?type .
             OPTIONAL { ?t skos:prefLabel ?type_label FILTER(lang(?type_label) = "zh") } }
  { SELECT ?a (COUNT(DISTINCT ?u) AS ?units) (COUNT(DISTINCT ?lu) AS ?lead) (COUNT(DISTINCT ?pu) AS ?partner)
    WHERE { ?a a pkg:Agency .
            OPTIONAL { ?u pkg:involvesAgency ?a } OPTIONAL { ?lu pkg:leadAgency ?a }
            OPTIONAL { ?pu pkg:partnerAgency ?a } } GROUP BY ?a }
  { SELECT ?a (COUNT(DISTINCT ?plan) AS ?plans) WHERE {
      ?a a pkg:Agency .
      OPTIONAL { ?u pkg:involvesAgency ?a .
                 { ?plan pkg:hasDomain/(pkg:hasGoal|pkg:hasMeasure) ?u } UNION { ?plan pkg:hasKeyProject ?u } }
    } GROUP BY ?a }
}""",
    )


def agency(store, a: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?label ?region ?type ?type_label (GROUP_CONCAT(DISTINCT ?alt; separator="、") AS ?alt_labels) WHERE {{
  {iri(a)} a pkg:Agency ; skos:prefLabel ?label .
  OPTIONAL {{ {iri(a)} pkg:region ?region }}
  OPTIONAL {{ {iri(a)} org:classification ?t . ?t skos:notation ?type .
             OPTIONAL {{ ?t skos:prefLabel ?type_label FILTER(lang(?type_label) = "zh") }} }}
  OPTIONAL {{ {iri(a)} skos:altLabel ?alt }}
}} GROUP BY ?label ?region ?type ?type_label""",
    )


def agency_units(store, a: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?u ?kind ?number ?text ?title ?role ?plan ?plan_title ?d ?domain_title ?u_file ?u_line WHERE {{
  ?u pkg:hasResponsibility ?r . ?r pkg:agency {iri(a)} ; pkg:role ?role .
  {UNIT_CONTEXT}
  ?u pkg:number ?number ; pkg:text ?text . ?plan dcterms:title ?plan_title .
  OPTIONAL {{ ?u dcterms:title ?title }}
  OPTIONAL {{ {source("u", "u")} }}
}}""",
    )


def responsibilities(store) -> list[dict]:
    """Every (unit, agency, role) with the unit's plan and domain: input of the agency graph."""
    return select(
        store,
        f"""
SELECT ?u ?kind ?plan ?plan_title ?d ?domain_title ?concept ?a ?label ?region ?role WHERE {{
  ?u pkg:hasResponsibility ?r . ?r pkg:agency ?a ; pkg:role ?role . ?a skos:prefLabel ?label .
  OPTIONAL {{ ?a pkg:region ?region }}
  {UNIT_CONTEXT}
  ?plan dcterms:title ?plan_title .
  }}""",
    )


def laws(store) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?l ?title ?type (COUNT(DISTINCT ?plan) AS ?plans) (COUNT(DISTINCT ?s) AS ?citations) WHERE {{
  ?l a pkg:LegalDocument ; dcterms:title ?title . OPTIONAL {{ ?l pkg:docType ?type }}
  OPTIONAL {{
    {{ ?plan a pkg:Plan ; pkg:cites ?l . BIND(?plan AS ?s) }}
    UNION {{ ?u pkg:cites ?l . {PLAN_OF_UNIT} BIND(?u AS ?s) }}
  }}
}} GROUP BY ?l ?title ?type ORDER BY DESC(?plans) DESC(?citations) ?title""",
    )


def law(store, lw: str) -> list[dict]:
    return select(
        store,
        f"""
SELECT ?title ?type (GROUP_CONCAT(DISTINCT ?alt; separator="、") AS ?alt_labels) WHERE {{
  {iri(lw)} a pkg:LegalDocument ; dcterms:title ?title .
  OPTIONAL {{ {iri(lw)} pkg:docType ?type }}
  OPTIONAL {{ {iri(lw)} skos:altLabel ?alt }}
}} GROUP BY ?title ?type""",
    )


def law_citations(store, lw: str) -> list[dict]:
    """Plans citing the document in their preamble (no ?u) and units citing it."""
    plans = select(
        store,
        f"""
SELECT ?plan ?plan_title WHERE {{ ?plan pkg:cites {iri(lw)} ; a pkg:Plan ; dcterms:title ?plan_title . }}""",
    )
    units = select(
        store,
        f"""
SELECT ?plan ?plan_title ?u ?kind ?number ?text ?d ?domain_title ?u_file ?u_line WHERE {{
  ?u pkg:cites {iri(lw)} ; pkg:number ?number ; pkg:text ?text .
  {UNIT_CONTEXT}
  ?plan dcterms:title ?plan_title .
  OPTIONAL {{ {source("u", "u")} }}
}}""",
    )
    return plans + units


def indicators(store) -> list[dict]:
    """Every indicator (table rows and targets stated in unit text) with its plan, source and
    normalised concept (``?concept``, its Chinese ``?concept_label``; relative targets: ``?change_*``)."""
    return select(
        store,
        f"""
SELECT ?i ?source ?name ?comparator ?value ?unit ?year ?year_inferred ?baseline ?baseline_year ?qualitative
       ?target_text ?text ?change_direction ?change_amount ?change_unit ?concept ?concept_label
       ?plan ?plan_title ?region ?u ?i_file ?i_line ?u_file ?u_line WHERE {{
  {{ ?plan pkg:hasIndicatorTable ?t . ?t pkg:hasRow ?i . BIND("table" AS ?source) }}
  UNION {{ ?u pkg:hasIndicator ?i . {PLAN_OF_UNIT} BIND("text" AS ?source) }}
  ?i pkg:indicatorName ?name . ?plan dcterms:title ?plan_title .
  OPTIONAL {{ ?plan pkg:region ?region }}
  OPTIONAL {{ ?i pkg:indicatorConcept ?concept .
    OPTIONAL {{ ?concept skos:prefLabel ?concept_label FILTER(LANG(?concept_label) = "zh") }} }}
  OPTIONAL {{ ?i pkg:targetYearInferred ?year_inferred }} OPTIONAL {{ ?i pkg:text ?text }}
  OPTIONAL {{ ?i pkg:changeDirection ?change_direction }} OPTIONAL {{ ?i pkg:changeAmount ?change_amount }}
  OPTIONAL {{ ?i pkg:changeUnit ?change_unit }}
  OPTIONAL {{ ?i pkg:comparator ?comparator }} OPTIONAL {{ ?i pkg:targetValue ?value }}
  OPTIONAL {{ ?i pkg:unitOfMeasure ?unit }} OPTIONAL {{ ?i pkg:targetYear ?year }}
  OPTIONAL {{ ?i pkg:baselineValue ?baseline }} OPTIONAL {{ ?i pkg:baselineYear ?baseline_year }}
  OPTIONAL {{ ?i pkg:qualitativeTarget ?qualitative }} OPTIONAL {{ ?i pkg:targetText ?target_text }}
  OPTIONAL {{ {source("i", "i")} }}
  OPTIONAL {{ ?u pkg:hasIndicator ?i . {source("u", "u")} }}
}}""",
    )


def agency_coverage(store) -> list[dict]:
    """Per plan and kind: how many units there are and how many name an agency (any role / lead or partner)."""
    return select(
        store,
        """
SELECT ?plan ?kind (COUNT(DISTINCT ?u) AS ?units) (COUNT(DISTINCT ?named) AS ?named_units)
       (COUNT(DISTINCT ?carried) AS ?carried_units) WHERE {
  ?plan a pkg:Plan .
  { ?plan pkg:hasDomain ?d . ?d pkg:hasGoal ?u . BIND("goal" AS ?kind) }
  UNION { ?plan pkg:hasDomain ?d . ?d pkg:hasMeasure ?u . BIND("measure" AS ?kind) }
  UNION { ?plan pkg:hasKeyProject ?u . BIND("key_project" AS ?kind) }
  OPTIONAL { ?u pkg:hasResponsibility ?r }
  OPTIONAL { ?u pkg:hasResponsibility ?r2 . ?r2 pkg:role ?role FILTER(?role IN ("lead", "partner")) }
  BIND(IF(BOUND(?r), ?u, ?none) AS ?named) BIND(IF(BOUND(?r2), ?u, ?none) AS ?carried)
} GROUP BY ?plan ?kind""",
    )
