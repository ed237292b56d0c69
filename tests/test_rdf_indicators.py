"""Indicators in RDF over the bundled plans: one concept per measure (GROUP BY pkg:indicatorConcept
compares plans), relative targets as changes, inferred years marked, SHACL, deterministic output.

The shared-2030 count: indicators with target year 2030 whose concept is targeted by at least two
plans. Measured on the bundled corpus (three plans run to 2030: 盘山 children, 曾都 women, 曾都
children): grouped by the name as written, over goals, key projects and tables only (what was
extracted before measures and concepts), it was 11 with the extractor before concepts and is 12 now;
grouped by concept over the same units it is 20, and with measures 32. The bound asserted below, 30,
leaves room for small extraction changes without letting the concepts or the measures silently stop
counting.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from graph.rdf import plans_to_graph, to_ntriples_sorted, validate
from graph.rdf.build import Contributions, file_part, shared_graph
from graph.rdf.indicators import INDICATOR_SCHEME, concept_iri
from graph.rdf.ns import PKG, RDF

CORPUS = Path(__file__).resolve().parent.parent / "data" / "plans"
SHARED_2030_LOWER_BOUND = 30  # measured: 32 (see the module docstring)

PREFIXES = """PREFIX pkg: <https://w3id.org/plankg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# indicators ?i of plan ?plan, from units of kind ?kind or table rows
INDICATORS_OF_PLANS = """
  { ?plan pkg:hasIndicatorTable/pkg:hasRow ?i . BIND("table" AS ?kind) }
  UNION { ?plan pkg:hasDomain/pkg:hasGoal ?u . ?u pkg:hasIndicator ?i . BIND("goal" AS ?kind) }
  UNION { ?plan pkg:hasDomain/pkg:hasMeasure ?u . ?u pkg:hasIndicator ?i . BIND("measure" AS ?kind) }
  UNION { ?plan pkg:hasKeyProject ?u . ?u pkg:hasIndicator ?i . BIND("key_project" AS ?kind) }
"""


def shared_2030(g: Graph, by: str, kinds=("goal", "measure", "key_project", "table")) -> list[tuple[str, int]]:
    """(group, plans) of the 2030 indicators targeted by two plans or more, grouped ``by`` concept or name."""
    key = "?i pkg:indicatorConcept ?k ." if by == "concept" else "?i pkg:indicatorName ?k ."
    kinds_in = ", ".join(f'"{k}"' for k in kinds)
    rows = g.query(
        PREFIXES
        + f"""
SELECT ?k (COUNT(DISTINCT ?plan) AS ?plans) WHERE {{
  {INDICATORS_OF_PLANS}
  FILTER(?kind IN ({kinds_in}))
  ?i pkg:targetYear ?year . FILTER(STR(?year) = "2030")
  {key}
}} GROUP BY ?k HAVING (COUNT(DISTINCT ?plan) >= 2) ORDER BY DESC(?plans) ?k"""
    )
    return [(str(r.k), int(r.plans)) for r in rows]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def parsed():
    from graph.extract import extract_file
    from graph.parse import parse_corpus

    return [extract_file(pf) for pf in parse_corpus(CORPUS)]


@pytest.fixture(scope="module")
def g(parsed) -> Graph:
    from graph.extract import agency_types

    return plans_to_graph(parsed, agency_types())


def test_group_by_concept_compares_plans(g):
    by_concept = shared_2030(g, "concept")
    before = shared_2030(g, "name", kinds=("goal", "key_project", "table"))
    concept_only = shared_2030(g, "concept", kinds=("goal", "key_project", "table"))
    print(
        f"shared 2030 indicators: {len(before)} by name (goals, key projects, tables), "
        f"{len(concept_only)} by concept (same units), {len(by_concept)} by concept with measures"
    )
    assert len(by_concept) >= SHARED_2030_LOWER_BOUND
    assert len(before) < len(concept_only) < len(by_concept)
    shared = {k for k, _ in by_concept}
    for key in (
        "compulsory-education-retention-rate",  # in all three 2030 plans
        "senior-secondary-gross-enrolment-rate",  # 高中阶段毛入学率 / 高中阶段教育毛入学率
        "vision-check-coverage",  # 0-6岁 / 0—6岁
        "myopia-rate-senior",  # 高中生近视率 / 高中阶段学生近视率
        "preschool-gross-enrolment-rate",  # 学前教育毛入园率 / 学前三年毛入园率
        "sleep-time-junior",  # measures only
    ):
        assert str(concept_iri(key)) in shared, key


def test_one_concept_many_wordings(g):
    C = concept_iri("childcare-places-per-1000")
    rows = g.query(
        PREFIXES
        + f"""
SELECT (COUNT(DISTINCT ?plan) AS ?plans) (COUNT(DISTINCT ?name) AS ?names) WHERE {{
  {INDICATORS_OF_PLANS} ?i pkg:indicatorConcept <{C}> ; pkg:indicatorName ?name .
}}"""
    )
    [(plans, names)] = [(int(r.plans), int(r.names)) for r in rows]  # type: ignore[union-attr]
    assert plans >= 5 and names >= 3
    assert (C, SKOS.prefLabel, Literal("每千人口拥有3岁以下婴幼儿托位数", lang="zh")) in g
    assert (
        C,
        SKOS.prefLabel,
        Literal("Childcare places for children under three per 1,000 population", lang="en"),
    ) in g
    for wording in ("每千人拥有3岁以下婴幼儿托位数", "每千人口3岁以下婴幼儿托位数"):
        assert (C, SKOS.altLabel, Literal(wording, lang="zh")) in g
    assert (C, SKOS.inScheme, INDICATOR_SCHEME) in g and (C, RDF.type, PKG.IndicatorConcept) in g
    # every indicator has exactly one concept, and every concept is in the scheme
    indicators = set(g.subjects(RDF.type, PKG.Indicator))
    assert all(len(list(g.objects(i, PKG.indicatorConcept))) == 1 for i in indicators)
    assert all((c, SKOS.inScheme, INDICATOR_SCHEME) in g for c in g.objects(None, PKG.indicatorConcept))


def test_relative_targets_are_changes(g):
    rows = list(
        g.query(
            PREFIXES
            + """
SELECT ?i ?dir ?amount ?unit ?base ?value WHERE {
  ?i pkg:indicatorName "儿童伤害死亡率"@zh ; pkg:changeDirection ?dir ; pkg:changeAmount ?amount ; pkg:changeUnit ?unit .
  OPTIONAL { ?i pkg:baselineYear ?base } OPTIONAL { ?i pkg:targetValue ?value }
}"""
        )
    )
    assert len(rows) == 2  # 盘山 and 曾都 children: 以2020年(数据)为基数下降20%
    for r in rows:
        assert (str(r.dir), r.amount.toPython(), str(r.unit), str(r.base), r.value) == (  # type: ignore[union-attr]
            "decrease",
            20,
            "%",
            "2020",
            None,
        )
    negative = [v for v in g.objects(None, PKG.targetValue) if v.toPython() < 0]
    assert negative == []


def test_inferred_years_are_marked(g):
    inferred = {bool(o.toPython()) for o in g.objects(None, PKG.targetYearInferred)}
    assert inferred == {True, False}
    with_year = set(g.subjects(PKG.targetYear, None)) & set(g.subjects(RDF.type, PKG.Indicator))
    assert with_year == set(g.subjects(PKG.targetYearInferred, None))
    # a table row's year is its column header's: written, not inferred
    rows = set(g.subjects(RDF.type, PKG.TableRow))
    assert rows and all(g.value(r, PKG.targetYearInferred) == Literal(False) for r in rows & with_year)


def test_corpus_graph_is_valid_and_deterministic(g, parsed):
    from graph.extract import agency_types

    conforms, text, _ = validate(g)
    assert conforms, text[:3000]
    assert to_ntriples_sorted(g) == to_ntriples_sorted(plans_to_graph(list(reversed(parsed)), agency_types()))


def test_concepts_are_shared_nodes_built_from_file_contributions(g, parsed):
    """A delta build merges per-file contributions (through JSON): the same concept scheme."""
    from graph.extract import agency_types

    merged = Contributions()
    own = Graph()
    for pf in parsed:
        part = file_part(pf)
        merged.merge(Contributions.from_json(part.contributions.to_json()))
        for t in part.triples:
            own.add(t)
        assert not any(s.startswith(str(concept_iri(""))) for s, _, _ in part.triples)  # never own triples
    assert to_ntriples_sorted(shared_graph(merged, agency_types()) + own) == to_ntriples_sorted(g)


def _violations(graph: Graph) -> tuple[int, str]:
    conforms, text, n = validate(graph)
    return (0 if conforms else n), text


def test_shacl_rejects_negative_values_and_values_on_relative_targets():
    from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_plan

    g = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES)
    I = next(i for i in g.subjects(PKG.targetValue, None) if (i, RDF.type, PKG.TableRow) not in g)
    assert _violations(g)[0] == 0
    broken = Graph() + g
    broken.set((I, PKG.targetValue, Literal("-20", datatype=XSD.decimal)))
    n, text = _violations(broken)
    assert n == 1 and "negative" in text
    # a measure that can be negative (a growth rate) may have a negative value
    signed = Graph() + broken
    signed.set((I, PKG.indicatorConcept, concept_iri("overweight-obesity-growth")))
    assert _violations(signed)[0] == 0
    relative = Graph() + g
    relative.add((I, PKG.changeDirection, Literal("decrease")))
    relative.add((I, PKG.changeAmount, Literal("-20", datatype=XSD.decimal)))
    n, text = _violations(relative)
    assert n == 2 and "relative target" in text and "changeAmount" in text
    no_concept = Graph() + g
    no_concept.remove((I, PKG.indicatorConcept, None))
    assert "pkg:indicatorConcept" in _violations(no_concept)[1]
    assert isinstance(I, URIRef)
