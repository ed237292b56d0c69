"""The PlanKG ontology, shapes and domain scheme: parse in rdflib and pyoxigraph, labelled, consistent."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph import concepts as C
from graph.rdf.ns import DOMAINS_TTL, ELI, ONTOLOGY_TTL, ORG, PKG, PROV, SHAPES_TTL
from graph.rdf.vocab import domain_scheme_graph, ontology_graph, populations

FILES = [ONTOLOGY_TTL, SHAPES_TTL, DOMAINS_TTL]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parses_in_rdflib_and_pyoxigraph_with_same_triples(path):
    g = Graph()
    g.parse(path, format="turtle")
    assert len(g) > 20
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(g)
    # and the same triples: parse oxigraph's N-Triples dump back with rdflib
    back = Graph()
    back.parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
    assert isomorphic(back, g)


def _terms(onto: Graph, kinds):
    return sorted({s for k in kinds for s in onto.subjects(RDF.type, k) if str(s).startswith(str(PKG))})


def test_every_class_and_property_has_zh_en_labels_and_comment(onto):
    terms = _terms(onto, (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty))
    assert len(terms) > 60
    missing = []
    for t in terms:
        labels = {l.language for l in onto.objects(t, RDFS.label) if isinstance(l, Literal)}
        comments = {c.language for c in onto.objects(t, RDFS.comment) if isinstance(c, Literal)}
        if not {"zh", "en"} <= labels or not {"zh", "en"} <= comments:
            missing.append(str(t))
    assert not missing, missing


def test_required_classes_and_properties_exist(onto):
    classes = [
        "Plan",
        "DevelopmentDomain",
        "PlanUnit",
        "Goal",
        "Measure",
        "KeyProject",
        "Indicator",
        "IndicatorTable",
        "TableRow",
        "Agency",
        "AgencyType",
        "Responsibility",
        "LegalDocument",
        "DocumentType",
        "DomainConcept",
        "SourceSpan",
        "SourceFile",
        "Section",
    ]
    for c in classes:
        assert (PKG[c], RDF.type, OWL.Class) in onto, c
    objprops = [
        "hasDomain",
        "hasGoal",
        "hasMeasure",
        "hasKeyProject",
        "hasIndicator",
        "hasIndicatorTable",
        "hasRow",
        "domainConcept",
        "hasResponsibility",
        "agency",
        "involvesAgency",
        "leadAgency",
        "partnerAgency",
        "cites",
        "docType",
        "sourceFile",
        "hasSection",
    ]
    for p in objprops:
        assert (PKG[p], RDF.type, OWL.ObjectProperty) in onto, p
    dataprops = [
        "number",
        "text",
        "titleInferred",
        "region",
        "adminLevel",
        "planType",
        "periodStart",
        "periodEnd",
        "draft",
        "role",
        "indicatorName",
        "comparator",
        "targetValue",
        "unitOfMeasure",
        "targetYear",
        "baselineValue",
        "baselineYear",
        "file",
        "line",
        "charStart",
        "charEnd",
        "sha256",
    ]
    for p in dataprops:
        assert (PKG[p], RDF.type, OWL.DatatypeProperty) in onto, p


def test_reuses_standard_vocabularies(onto):
    sub = lambda a, b: (PKG[a], RDFS.subClassOf, b) in onto  # noqa: E731
    assert sub("Plan", ELI.LegalResource)
    assert sub("LegalDocument", ELI.LegalResource)
    assert sub("Agency", ORG.Organization)
    assert sub("AgencyType", SKOS.Concept) and sub("DocumentType", SKOS.Concept)
    assert sub("SourceSpan", PROV.Entity) and sub("SourceFile", PROV.Entity)
    for k in ("Goal", "Measure", "KeyProject"):
        assert sub(k, PKG.PlanUnit)
    assert (PKG.sourceFile, RDFS.subPropertyOf, PROV.wasDerivedFrom) in onto
    assert (PKG.leadAgency, RDFS.subPropertyOf, PKG.involvesAgency) in onto
    XSD = "http://www.w3.org/2001/XMLSchema#"
    assert (PKG.targetValue, RDFS.range, URIRef(XSD + "decimal")) in onto
    assert (PKG.targetYear, RDFS.range, URIRef(XSD + "gYear")) in onto


def test_document_type_scheme(onto):
    concepts = set(onto.subjects(SKOS.inScheme, PKG.DocumentTypeScheme))
    notations = {str(onto.value(c, SKOS.notation)) for c in concepts}
    assert notations == {"law", "regulation", "plan", "outline", "opinion", "standard", "other"}
    for c in concepts:
        assert (c, RDF.type, PKG.DocumentType) in onto
        assert {l.language for l in onto.objects(c, SKOS.prefLabel)} == {"zh", "en"}


def test_domains_ttl_is_generated_from_concepts_py():
    on_disk = Graph().parse(DOMAINS_TTL, format="turtle")
    assert isomorphic(on_disk, domain_scheme_graph()), "run: python -m graph.rdf.vocab"
    from graph.rdf import iri

    for topic in C.TOPICS:
        assert (iri.concept(topic), SKOS.topConceptOf, iri.DOMAIN_SCHEME) in on_disk
        for pop, _, _ in populations():
            c = iri.concept(f"{pop}-{topic}")
            assert (c, SKOS.broader, iri.concept(topic)) in on_disk
            zh, en = C.concept_labels(f"{pop}-{topic}")
            assert (c, SKOS.prefLabel, Literal(zh, lang="zh")) in on_disk
            assert (c, SKOS.prefLabel, Literal(en, lang="en")) in on_disk
    # the concept keys the corpus domains map to are all in the scheme
    for title in ("儿童与法律保护", "儿童与法律", "妇女与法律", "儿童与社会环境", "妇女参与决策和管理", "儿童与家庭"):
        key = C.concept_of(title, "children")
        assert (iri.concept(key), RDF.type, SKOS.Concept) in on_disk, key


def test_shapes_are_valid_shacl():
    import pyshacl

    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True, inference="none")
    assert conforms, text


def test_every_pkg_term_used_by_the_builder_is_declared(onto):
    from graph.rdf import plans_to_graph
    from tests.rdf_samples import SAMPLE_AGENCY_TYPES, sample_parsed_file

    g = plans_to_graph([sample_parsed_file()], SAMPLE_AGENCY_TYPES)
    used = {p for _, p, _ in g} | set(g.objects(None, RDF.type))
    undeclared = sorted(str(t) for t in used if str(t).startswith(str(PKG)) and (t, None, None) not in onto)
    assert not undeclared, undeclared


def test_mention_and_label_terms(onto):
    """Mentions as data (issue 13): citations, the extraction activity, resolution and agency flags."""
    sub = lambda a, b: (PKG[a], RDFS.subClassOf, b) in onto  # noqa: E731
    assert sub("Citation", PROV.Entity) and sub("Responsibility", PROV.Entity)
    assert sub("ExtractionActivity", PROV.Activity)
    for p in ("hasCitation", "nestedIn"):
        assert (PKG[p], RDF.type, OWL.ObjectProperty) in onto, p
    for p in ("agencyStated", "resolution", "resolutionNote", "extractorVersion"):
        assert (PKG[p], RDF.type, OWL.DatatypeProperty) in onto, p
    shapes = Graph().parse(SHAPES_TTL, format="turtle")
    SH = "http://www.w3.org/ns/shacl#"
    targets = set(shapes.objects(None, URIRef(SH + "targetClass")))
    assert {
        PKG.Citation,
        PKG.Responsibility,
        PKG.ExtractionActivity,
        PKG.Plan,
        PKG.Agency,
        PKG.LegalDocument,
    } <= targets
    assert SKOS.Concept in targets  # labels on every concept


def test_every_concept_and_scheme_has_zh_and_en_labels():
    from graph.rdf.vocab import agency_type_scheme_graph, load_agency_types

    for g in (Graph().parse(DOMAINS_TTL, format="turtle"), agency_type_scheme_graph(load_agency_types())):
        nodes = set(g.subjects(RDF.type, SKOS.Concept)) | set(g.subjects(RDF.type, SKOS.ConceptScheme))
        assert nodes
        for n in nodes:
            assert {l.language for l in g.objects(n, RDFS.label)} == {"zh", "en"}, n
