"""Plan model -> RDF: stable IRIs, determinism, content, and SHACL conformance / violations."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

from graph.model import ParsedFile
from graph.rdf import iri, plans_to_graph, to_ntriples_sorted, validate
from graph.rdf.ns import ELI, ID, PKG
from graph.rdf.validate import ShaclViolationError
from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_parsed_file, sample_plan


def build(*items, types=SAMPLE_AGENCY_TYPES):
    return plans_to_graph(list(items), types)


@pytest.fixture(scope="module")
def two_files():
    a = sample_parsed_file("a.txt")
    b = sample_parsed_file("b.txt", region="衢州市", plan_type="women")
    return a, b


@pytest.fixture(scope="module")
def g(two_files):
    return build(*two_files)


# ------------------------------------------------------------------ IRIs and determinism


def test_same_input_same_triples(two_files):
    a, b = two_files
    assert to_ntriples_sorted(build(a, b)) == to_ntriples_sorted(build(copy.deepcopy(a), copy.deepcopy(b)))


def test_independent_of_input_order(two_files):
    a, b = two_files
    assert to_ntriples_sorted(build(a, b)) == to_ntriples_sorted(build(b, a))
    # plans inside one file, in either order; bare Plans give the same plan subgraph too
    p1, p2 = a.plans[0], b.plans[0]
    one = ParsedFile("x.txt", "utf-8", [], [p1, p2], sha256="0" * 64)
    two = ParsedFile("x.txt", "utf-8", [], [p2, p1], sha256="0" * 64)
    assert to_ntriples_sorted(build(one)) == to_ntriples_sorted(build(two))


def test_no_blank_nodes_and_iri_scheme(g, two_files):
    for t in g:
        assert not any(isinstance(x, BNode) for x in t), t
    plans = sorted(g.subjects(RDF.type, PKG.Plan))
    assert len(plans) == 2
    for p in plans:
        assert re.fullmatch(re.escape(str(ID)) + r"plan/[0-9a-f]{12}", str(p))
    title = two_files[0].plans[0].title
    P = iri.plan(iri.plan_hash(title))
    assert (P, DCTERMS.title, Literal(title, lang="zh")) in g
    assert (P, PKG.hasDomain, URIRef(f"{P}/domain/1")) in g
    assert (URIRef(f"{P}/domain/1"), PKG.hasGoal, URIRef(f"{P}/domain/1/goal/2")) in g
    assert (URIRef(f"{P}/domain/2"), PKG.hasMeasure, URIRef(f"{P}/domain/2/measure/1")) in g
    assert (P, PKG.hasKeyProject, URIRef(f"{P}/key-project/1")) in g
    assert (P, PKG.hasIndicatorTable, URIRef(f"{P}/table/1")) in g
    assert (URIRef(f"{P}/table/1"), PKG.hasRow, URIRef(f"{P}/table/1/row/3")) in g
    # the model-object helpers agree with the builder
    plan = two_files[0].plans[0]
    assert iri.plan_iri(plan) == P
    d = plan.domains[0]
    assert iri.unit_iri(plan, d, d.measures[1]) == URIRef(f"{P}/domain/1/measure/2")
    assert iri.unit_iri(plan, None, plan.key_projects[0]) == URIRef(f"{P}/key-project/1")


def test_title_normalisation_makes_quote_and_space_variants_one_plan():
    assert iri.plan_hash("杭州市儿童发展“十四五”规划") == iri.plan_hash('杭州市儿童发展"十四五"规划 ')
    assert iri.plan_hash("规划（2021—2030年）") == iri.plan_hash("规划(2021-2030年)")
    assert iri.plan_hash("杭州市儿童发展规划") != iri.plan_hash("衢州市儿童发展规划")


def test_duplicate_titles_get_distinct_deterministic_iris():
    a = sample_parsed_file("a.txt")
    b = sample_parsed_file("b.txt")  # same title, other file
    g1, g2 = build(a, b), build(b, a)
    assert len(set(g1.subjects(RDF.type, PKG.Plan))) == 2
    assert to_ntriples_sorted(g1) == to_ntriples_sorted(g2)


# ------------------------------------------------------------------ content


def test_agencies_per_region_and_type(g):
    hz, qz = iri.agency("杭州市", "health"), iri.agency("衢州市", "health")
    assert hz != qz
    for a, label in ((hz, "杭州市卫生健康委员会"), (qz, "衢州市卫生健康委员会")):
        assert (a, RDF.type, ORG.Organization) in g and (a, RDF.type, PKG.Agency) in g
        assert (a, SKOS.prefLabel, Literal(label, lang="zh")) in g
        assert (a, ORG.classification, iri.agency_type("health")) in g
    assert (hz, SKOS.altLabel, Literal("杭州卫健委", lang="zh")) in g
    assert (hz, SKOS.altLabel, Literal("卫生健康部门", lang="zh")) in g
    t = iri.agency_type("health")
    assert (t, RDF.type, PKG.AgencyType) in g
    assert (t, SKOS.prefLabel, Literal("Health commission", lang="en")) in g
    assert (t, SKOS.altLabel, Literal("卫健委", lang="zh")) in g


def test_agency_shared_by_plans_of_one_region():
    a = sample_parsed_file("a.txt", region="衢州市", plan_type="women")
    b = sample_parsed_file("b.txt", region="衢州市", plan_type="children")
    g = build(a, b)
    assert len(set(g.subjects(RDF.type, PKG.Agency))) == 6
    users = set(g.subjects(PKG.involvesAgency, iri.agency("衢州市", "health")))
    assert len(users) == 6  # 2 measures + 1 key project in each plan


def test_responsibility_qualified_relation(g, two_files):
    P = iri.plan_iri(two_files[0].plans[0])
    U = URIRef(f"{P}/domain/1/measure/1")
    R = iri.responsibility(U, "health", "lead")
    A = iri.agency("杭州市", "health")
    assert (U, PKG.hasResponsibility, R) in g
    assert (R, RDF.type, PKG.Responsibility) in g
    assert (R, PKG.agency, A) in g and (R, PKG.role, Literal("lead")) in g
    assert (R, PKG.surface, Literal("杭州卫健委", lang="zh")) in g
    assert (U, PKG.involvesAgency, A) in g and (U, PKG.leadAgency, A) in g
    assert (U, PKG.partnerAgency, iri.agency("杭州市", "education")) in g
    roles = {str(o) for o in g.objects(None, PKG.role)}
    assert roles == {"lead", "partner", "mentioned"}


def test_laws_cited_with_canonical_title_and_type(g, two_files):
    P = iri.plan_iri(two_files[0].plans[0])
    L = iri.law("中华人民共和国民法典")
    assert (URIRef(f"{P}/domain/2/measure/1"), PKG.cites, L) in g
    assert (L, RDF.type, PKG.LegalDocument) in g and (L, RDF.type, ELI.LegalResource) in g
    assert (L, DCTERMS.title, Literal("中华人民共和国民法典", lang="zh")) in g
    assert (L, PKG.docType, PKG["doctype-law"]) in g
    assert (L, SKOS.altLabel, Literal("《民法典》", lang="zh")) in g
    outline = iri.law("中国儿童发展纲要（2021—2030年）")
    assert (P, PKG.cites, outline) in g and (outline, PKG.docType, PKG["doctype-outline"]) in g


def test_indicators_and_tables(g, two_files):
    P = iri.plan_iri(two_files[0].plans[0])
    I = URIRef(f"{P}/domain/1/goal/1/indicator/2")
    assert (URIRef(f"{P}/domain/1/goal/1"), PKG.hasIndicator, I) in g
    assert (I, PKG.indicatorName, Literal("5岁以下儿童死亡率", lang="zh")) in g
    v = g.value(I, PKG.targetValue)
    assert v.datatype == XSD.decimal and v.toPython() == Decimal("3.5")
    assert (I, PKG.targetYear, Literal("2030", datatype=XSD.gYear)) in g
    assert (I, PKG.comparator, Literal("lt")) in g
    assert g.value(I, PKG.baselineValue).toPython() == Decimal("4.1")
    assert (URIRef(f"{P}/domain/1/goal/2/indicator/1"), PKG.qualitativeTarget, Literal("逐年提升", lang="zh")) in g
    T = URIRef(f"{P}/table/1")
    assert (T, PKG.targetYear, Literal("2025", datatype=XSD.gYear)) in g
    r1, r3 = URIRef(f"{T}/row/1"), URIRef(f"{T}/row/3")
    assert (r1, RDF.type, PKG.TableRow) in g and (r1, RDF.type, PKG.Indicator) in g
    assert (r1, PKG.targetValue, Literal("3", datatype=XSD.decimal)) in g
    assert (r1, PKG.baselineValue, Literal("2.1", datatype=XSD.decimal)) in g
    assert (r1, PKG.baselineText, Literal("2.1", lang="zh")) in g
    # an unparsed row keeps its cells and the table's years
    assert (r3, PKG.targetText, Literal("逐年提高", lang="zh")) in g
    assert (r3, PKG.targetYear, Literal("2025", datatype=XSD.gYear)) in g
    assert g.value(r3, PKG.targetValue) is None


def test_plan_metadata_and_provenance(g, two_files):
    pf = two_files[0]
    plan = pf.plans[0]
    P = iri.plan_iri(plan)
    assert (P, PKG.planType, Literal("children")) in g
    assert (P, PKG.adminLevel, Literal("city")) in g
    assert (P, PKG.region, Literal("杭州市", lang="zh")) in g
    assert (P, PKG.periodStart, Literal("2021", datatype=XSD.gYear)) in g
    assert (P, PKG.periodEnd, Literal("2030", datatype=XSD.gYear)) in g
    assert (P, PKG.titleInferred, Literal(False)) in g and (P, PKG.draft, Literal(False)) in g
    assert (P, DCTERMS.issued, Literal("2021-08-02", datatype=XSD.date)) in g
    assert (P, ELI.id_local, Literal("杭政发〔2021〕8号")) in g
    org = g.value(P, DCTERMS.publisher)
    assert (org, SKOS.prefLabel, Literal("杭州市人民政府", lang="zh")) in g
    # every unit: exactly one span with file/line/offsets, pointing at the file entity with its sha256
    unit = plan.domains[0].measures[0]
    U = iri.unit_iri(plan, plan.domains[0], unit)
    spans = list(g.objects(U, PROV.wasDerivedFrom))
    assert spans == [iri.span("a.txt", unit.source.start, unit.source.end)]
    S = spans[0]
    assert (S, PKG.file, Literal("a.txt")) in g
    assert (S, PKG.line, Literal(unit.source.line)) in g
    assert (S, PKG.charStart, Literal(unit.source.start)) in g
    assert (S, PKG.charEnd, Literal(unit.source.end)) in g
    F = iri.source_file("a.txt")
    assert (S, PKG.sourceFile, F) in g
    assert (F, PKG.sha256, Literal(pf.sha256)) in g and (F, RDF.type, PROV.Entity) in g
    assert str(S) == f"{ID}source/a.txt#char={unit.source.start},{unit.source.end}"


def test_chinese_text_is_language_tagged(g):
    for p in (PKG.text, DCTERMS.title, PKG.indicatorName, PKG.region, PKG.surface):
        values = list(g.objects(None, p))
        assert values, p
        assert all(isinstance(v, Literal) and v.language == "zh" for v in values), p


def test_domain_concepts(g, two_files):
    plan = two_files[1].plans[0]
    D = URIRef(f"{iri.plan_iri(plan)}/domain/2")
    C = iri.concept("women-law")
    assert (D, PKG.domainConcept, C) in g
    assert (C, SKOS.prefLabel, Literal("妇女与法律保护", lang="zh")) in g
    assert (C, SKOS.broader, iri.concept("law")) in g
    assert (C, SKOS.inScheme, iri.DOMAIN_SCHEME) in g


def test_unknown_agency_type_and_concept_get_minimal_nodes():
    plan = sample_plan()
    plan.domains[0].concept = "children-t-1a2b3c4d"
    plan.domains[0].measures[0].agencies[0].key = "newtype"
    g = plans_to_graph([plan], [])
    t = iri.agency_type("newtype")
    assert (t, RDF.type, PKG.AgencyType) in g and (t, SKOS.notation, Literal("newtype")) in g
    c = iri.concept("children-t-1a2b3c4d")
    assert (c, SKOS.prefLabel, Literal(plan.domains[0].title, lang="zh")) in g
    assert validate(g)[0]


def test_agency_label_choice_is_order_independent():
    a = sample_parsed_file("a.txt")
    b = sample_parsed_file("b.txt", title="杭州市妇女发展规划", plan_type="women")
    for m in b.plans[0].domains[0].measures[0].agencies:
        if m.key == "health":
            m.label = "杭州市卫生健康委"
    g1, g2 = build(a, b), build(b, a)
    A = iri.agency("杭州市", "health")
    assert set(g1.objects(A, SKOS.prefLabel)) == {Literal("杭州市卫生健康委员会", lang="zh")}
    assert (A, SKOS.altLabel, Literal("杭州市卫生健康委", lang="zh")) in g1
    assert to_ntriples_sorted(g1) == to_ntriples_sorted(g2)


# ------------------------------------------------------------------ SHACL


def test_good_graph_conforms(g):
    conforms, text, violations = validate(g)
    assert conforms, text
    assert violations == 0


def _violations(graph):
    conforms, text, n = validate(graph)
    assert not conforms
    return n, text


def test_goal_without_text_is_a_violation():
    plan = sample_plan()
    plan.domains[0].goals[0].text = ""
    n, text = _violations(plans_to_graph([plan], SAMPLE_AGENCY_TYPES))
    assert n == 1 and "Result Path: pkg:text" in text and "exactly one non-empty pkg:text" in text
    # and with the triple missing altogether
    g = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES)
    U = next(iter(g.subjects(RDF.type, PKG.Goal)))
    g.remove((U, PKG.text, None))
    n, text = _violations(g)
    assert n == 1 and "exactly one non-empty pkg:text" in text


def test_span_with_line_zero_is_a_violation():
    plan = sample_plan()
    plan.domains[1].measures[0].source.line = 0
    n, text = _violations(plans_to_graph([plan], SAMPLE_AGENCY_TYPES))
    assert n >= 1 and "pkg:line >= 1" in text


def test_span_with_start_not_before_end_is_a_violation():
    plan = sample_plan()
    s = plan.domains[0].goals[1].source
    s.end = s.start
    n, text = _violations(plans_to_graph([plan], SAMPLE_AGENCY_TYPES))
    assert n >= 1 and "smaller than pkg:charEnd" in text


@pytest.mark.parametrize(
    "breakage, message",
    [
        (lambda p: setattr(p, "plan_type", "men"), "pkg:planType among"),
        (lambda p: setattr(p, "plan_type", ""), "pkg:planType among"),
        (lambda p: setattr(p, "domains", []), "at least one development domain"),
        (lambda p: setattr(p.domains[0].measures[0].agencies[0], "role", "boss"), "pkg:role among"),
        (lambda p: setattr(p.domains[0].measures[0], "number", 0), "positive integer"),
        (lambda p: setattr(p.domains[0], "title", ""), "non-empty dcterms:title"),
        (lambda p: setattr(p.domains[0].goals[0].indicators[0], "name", ""), "pkg:indicatorName"),
    ],
)
def test_other_breakages_are_violations(breakage, message):
    plan = sample_plan()
    breakage(plan)
    n, text = _violations(plans_to_graph([plan], SAMPLE_AGENCY_TYPES))
    assert n >= 1 and message in text, text


def test_structural_violations_on_edited_graphs():
    g = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES)
    P = next(iter(g.subjects(RDF.type, PKG.Plan)))
    D2 = URIRef(f"{P}/domain/2")
    G = URIRef(f"{P}/domain/1/goal/1")
    broken = Graph() + g
    broken.add((D2, PKG.hasGoal, G))  # a goal in two domains
    n, text = _violations(broken)
    assert "belongs to exactly one domain" in text
    broken = Graph() + g
    L = iri.law("中华人民共和国民法典")
    broken.set((L, PKG.docType, PKG.Plan))  # not a concept of the scheme
    broken.add((L, DCTERMS.title, Literal("民法典", lang="zh")))  # and two titles
    n, text = _violations(broken)
    assert n == 2 and "pkg:docType from pkg:DocumentTypeScheme" in text and "canonical dcterms:title" in text
    broken = Graph() + g
    I = URIRef(f"{G}/indicator/1")
    broken.set((I, PKG.targetValue, Literal("2.5")))  # string, not decimal
    broken.set((I, PKG.targetYear, Literal(2030)))  # integer, not gYear
    n, text = _violations(broken)
    assert n == 2


def test_build_with_validate_raises_on_violation():
    plan = sample_plan()
    plan.key_projects[0].text = "   "
    with pytest.raises(ShaclViolationError) as e:
        plans_to_graph([plan], SAMPLE_AGENCY_TYPES, validate=True)
    assert e.value.violations == 1
    good = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES, validate=True)
    with_onto = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES, validate=True, include_ontology=True)
    assert (PKG.Plan, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in with_onto
    assert len(with_onto) > len(good) > 100


# ------------------------------------------------------------------ the bundled corpus (parser present)


def _corpus():
    try:
        from graph.parse import parse_corpus
    except ImportError:
        pytest.skip("graph.parse not available")
    from tests.rdf_samples import extract_corpus

    return extract_corpus(parse_corpus(Path(__file__).resolve().parent.parent / "data" / "plans"))


def test_corpus_graph_conforms_and_counts_match_the_model():
    from tests.rdf_samples import corpus_agency_types

    parsed = _corpus()
    types = corpus_agency_types()
    g = plans_to_graph(parsed, types)
    conforms, text, _ = validate(g)
    assert conforms, text[:3000]
    plans = [p for pf in parsed for p in pf.plans]
    assert len(set(g.subjects(RDF.type, PKG.Plan))) == len(plans)
    for kind, cls in (
        ("domains", PKG.DevelopmentDomain),
        ("goals", PKG.Goal),
        ("measures", PKG.Measure),
        ("key_projects", PKG.KeyProject),
    ):
        assert len(set(g.subjects(RDF.type, cls))) == sum(p.counts()[kind] for p in plans), kind
    mentions = {(p.region, m.key, m.role) for p in plans for _, u in p.units() for m in u.agencies}
    agencies = {(r, k) for r, k, _ in mentions}
    assert len(set(g.subjects(RDF.type, PKG.Agency))) == len(agencies)
    # stable across a rebuild and a reversed input order
    assert to_ntriples_sorted(g) == to_ntriples_sorted(plans_to_graph(list(reversed(_corpus())), types))


# ------------------------------------------------------------------ mentions as data


def test_each_agency_mention_is_a_responsibility_with_surface_and_activity(g, two_files):
    from graph.extract import extractor_version

    P = iri.plan_iri(two_files[0].plans[0])
    U = URIRef(f"{P}/domain/1/measure/1")
    responsibilities = set(g.objects(U, PKG.hasResponsibility))
    assert len(responsibilities) == len(two_files[0].plans[0].domains[0].measures[0].agencies) == 3
    act = iri.activity(extractor_version())
    for R in responsibilities:
        assert len(list(g.objects(R, PKG.surface))) == 1
        assert (R, PROV.wasGeneratedBy, act) in g
    assert (act, RDF.type, PKG.ExtractionActivity) in g and (act, RDF.type, PROV.Activity) in g
    assert (act, PKG.extractorVersion, Literal(extractor_version())) in g
    assert (U, PKG.agencyStated, Literal(True)) in g
    # a unit without agencies says so
    G = URIRef(f"{P}/domain/1/goal/1")
    assert (G, PKG.agencyStated, Literal(False)) in g and not list(g.objects(G, PKG.hasResponsibility))


def test_unknown_responsible_units_get_one_node_each():
    from graph.model import AgencyMention

    plan = sample_plan()
    kp = plan.key_projects[0]
    kp.agencies = [
        AgencyMention("other", "某中心", "某中心", "lead"),
        AgencyMention("other", "某站", "某站", "partner"),
    ]
    kp.agencies.append(AgencyMention("other", "某所", "某所", "partner"))
    g = build(plan)
    U = iri.unit_iri(plan, None, kp)
    nodes = sorted(g.objects(U, PKG.hasResponsibility))
    assert [str(n).rsplit("/responsibility/", 1)[1] for n in nodes] == [
        "other/lead",
        "other/partner",
        "other/partner/2",
    ]
    assert {str(s) for n in nodes for s in g.objects(n, PKG.surface)} == {"某中心", "某站", "某所"}


def test_each_cited_title_is_a_citation(g, two_files):
    plan = two_files[0].plans[0]
    P = iri.plan_iri(plan)
    U = URIRef(f"{P}/domain/2/measure/1")
    C = iri.citation(U, 1)
    assert (U, PKG.hasCitation, C) in g and (C, RDF.type, PKG.Citation) in g
    assert (C, PKG.cites, iri.law("中华人民共和国民法典")) in g
    assert (C, PKG.surface, Literal("《民法典》", lang="zh")) in g
    assert (U, PKG.cites, iri.law("中华人民共和国民法典")) in g  # the shortcut stays
    # the preamble's citations belong to the plan
    assert (P, PKG.hasCitation, iri.citation(P, 1)) in g
    assert (iri.citation(P, 1), PKG.cites, iri.law("中国儿童发展纲要（2021—2030年）")) in g


def test_resolution_and_nesting_of_citations():
    from graph.extract import find_laws

    plan = sample_plan()
    m = plan.domains[1].measures[0]
    m.laws = find_laws("宣传《妇女儿童权益保护法》，落实《浙江省实施〈中华人民共和国妇女权益保障法〉办法》")
    g = build(plan)
    U = iri.unit_iri(plan, plan.domains[1], m)
    unresolved, outer, inner = (iri.citation(U, n) for n in (1, 2, 3))
    L = iri.law("妇女儿童权益保护法")
    assert (unresolved, PKG.cites, L) in g and (L, DCTERMS.title, Literal("妇女儿童权益保护法", lang="zh")) in g
    assert iri.law("中华人民共和国妇女儿童权益保护法") not in set(g.subjects())  # nothing invented
    assert (unresolved, PKG.resolution, Literal("unresolved")) in g and (L, PKG.resolution, Literal("unresolved")) in g
    [note] = g.objects(unresolved, PKG.resolutionNote)
    assert note.language == "en" and "not in the lexicon" in str(note)
    assert (outer, PKG.resolution, Literal("title")) in g
    assert (inner, PKG.cites, iri.law("中华人民共和国妇女权益保障法")) in g
    assert (inner, PKG.nestedIn, iri.law("浙江省实施〈中华人民共和国妇女权益保障法〉办法")) in g
    assert (inner, PKG.resolution, Literal("lexicon")) in g
    assert validate(g)[0]


def test_citation_violations():
    g = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES)
    C = next(iter(g.subjects(RDF.type, PKG.Citation)))
    broken = Graph() + g
    broken.remove((C, PKG.cites, None))
    assert "cites exactly one legal document" in _violations(broken)[1]
    broken = Graph() + g
    broken.add((C, PKG.resolution, Literal("unresolved")))
    assert "has a pkg:resolutionNote" in _violations(broken)[1]
    broken.add((C, PKG.resolutionNote, Literal("why", lang="en")))
    assert validate(broken)[0]
    broken = Graph() + g
    broken.remove((C, PROV.wasGeneratedBy, None))
    assert "generated by exactly one extraction activity" in _violations(broken)[1]
    broken = Graph() + g
    R = next(iter(g.subjects(RDF.type, PKG.Responsibility)))
    broken.add((R, PKG.surface, Literal("另一个写法", lang="zh")))
    assert "exactly one pkg:surface@zh" in _violations(broken)[1]


def test_label_violations():
    g = plans_to_graph([sample_plan()], SAMPLE_AGENCY_TYPES)
    A = next(iter(g.subjects(RDF.type, PKG.Agency)))
    broken = Graph() + g
    broken.remove((A, RDFS.label, None))
    assert "has an rdfs:label" in _violations(broken)[1]
    broken.add((A, RDFS.label, Literal("no language tag")))
    assert "has an rdfs:label" in _violations(broken)[1]


# ------------------------------------------------------------------ labels and language tags


def test_language_tags_follow_one_rule(g):
    for p in (PKG.role, PKG.resolution, PKG.planType, PKG.file, PKG.extractorVersion, DCTERMS.identifier):
        values = list(g.objects(None, p))
        assert all(isinstance(v, Literal) and v.language is None for v in values), p
    for p in (PKG.resolutionNote, PKG.titleEvidence):
        assert all(v.language == "en" for v in g.objects(None, p)), p
    assert all(v.language in ("zh", "en") for v in g.objects(None, RDFS.label))


LABEL_GAPS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?type WHERE {
  ?s a ?type . FILTER(isIRI(?s))
  FILTER NOT EXISTS { ?s rdfs:label ?l . FILTER(lang(?l) != "") }
}"""


def test_every_named_node_has_a_language_tagged_label(g):
    assert list(g.query(LABEL_GAPS)) == []
    plan = next(iter(g.subjects(RDF.type, PKG.Plan)))
    title = next(iter(g.objects(plan, DCTERMS.title)))
    assert (plan, RDFS.label, title) in g


# ------------------------------------------------------------------ the bundled corpus: spans, labels, SHACL


@pytest.fixture(scope="module")
def corpus_graph():
    from tests.rdf_samples import corpus_agency_types

    parsed = _corpus()
    return parsed, plans_to_graph(parsed, corpus_agency_types())


MENTIONS = """
PREFIX pkg: <https://w3id.org/plankg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?m ?surface ?file ?start ?end ?line WHERE {
  VALUES ?class { pkg:Responsibility pkg:Citation }
  ?m a ?class ; pkg:surface ?surface .
  OPTIONAL { ?m prov:wasDerivedFrom ?span . ?span pkg:file ?file ; pkg:charStart ?start ; pkg:charEnd ?end ; pkg:line ?line }
}"""


def test_corpus_mention_spans_point_at_their_surface(corpus_graph):
    parsed, g = corpus_graph
    texts = {pf.file: pf.text for pf in parsed}
    rows = list(g.query(MENTIONS))
    assert len(rows) > 250
    for r in rows:
        assert r.file is not None, f"{r.m} has no span"
        text = texts[str(r.file)]
        start, end = int(r.start), int(r.end)
        assert text[start:end] == str(r.surface), (str(r.m), text[start:end], str(r.surface))
        assert int(r.line) == text.count("\n", 0, start) + 1
    kinds = {str(r.m).rsplit("/", 3)[-3] for r in rows} | {str(r.m).rsplit("/", 2)[-2] for r in rows}
    assert {"responsibility", "citation"} <= kinds


def test_corpus_labels_and_flags(corpus_graph):
    """(SHACL conformance and a byte-identical reversed rebuild, mention nodes included: the test above)"""
    parsed, g = corpus_graph
    assert list(g.query(LABEL_GAPS)) == []
    units = [u for pf in parsed for p in pf.plans for _, u in p.units()]
    stated = {str(o) for o in g.objects(None, PKG.agencyStated)}
    assert stated == {"true", "false"}
    assert len(list(g.subjects(PKG.agencyStated, Literal(False)))) == sum(1 for u in units if not u.agencies)
    resolutions = {str(o) for c in g.subjects(RDF.type, PKG.Citation) for o in g.objects(c, PKG.resolution)}
    assert resolutions == {"lexicon", "title", "unresolved"}
