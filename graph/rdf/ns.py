"""Namespaces and file locations of the PlanKG RDF vocabulary."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD

PKG = Namespace("https://w3id.org/plankg/ontology#")  # the ontology (classes, properties)
ID = Namespace("https://w3id.org/plankg/id/")  # the data (plans, agencies, ...)
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")

ONTOLOGY_DIR = Path(str(files("ontology")))  # the top-level ``ontology`` package (package data)
ONTOLOGY_TTL = ONTOLOGY_DIR / "plankg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
DOMAINS_TTL = ONTOLOGY_DIR / "domains.ttl"

PREFIXES = {
    "pkg": str(PKG),
    "id": str(ID),
    "eli": str(ELI),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "time": str(TIME),
    "qb": str(QB),
}

DOC_TYPES = ("law", "regulation", "plan", "outline", "opinion", "standard", "other")
PLAN_TYPES = ("children", "women", "other")
ROLES = ("lead", "partner", "mentioned")


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a SPARQL query (all known prefixes when no names are given)."""
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in (names or PREFIXES))


def doc_type_iri(doc_type: str):
    """Concept of pkg:DocumentTypeScheme for a LawMention.doc_type (unknown types -> other)."""
    return PKG[f"doctype-{doc_type if doc_type in DOC_TYPES else 'other'}"]


def bind_prefixes(graph) -> None:
    for p, ns in PREFIXES.items():
        graph.bind(p, ns, override=True)
