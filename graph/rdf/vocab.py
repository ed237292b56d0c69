"""Vocabulary graphs: the ontology, the SHACL shapes, the domain-concept scheme (generated from
``graph/concepts.py``) and the agency-type scheme (from the extractor's lexicon).

``python -m graph.rdf.vocab`` rewrites ``ontology/domains.ttl`` from ``graph/concepts.py``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable

from rdflib import Graph, Literal

from graph import concepts as C
from graph.extract import agency_types

from . import iri
from .ns import DOMAINS_TTL, ONTOLOGY_TTL, PKG, RDF, RDFS, SHAPES_TTL, SKOS, bind_prefixes


def _load(path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


@functools.cache
def _cached(path: str) -> Graph:
    return _load(path)


def ontology_graph() -> Graph:
    """A fresh copy of ``ontology/plankg.ttl``."""
    return _copy(_cached(str(ONTOLOGY_TTL)))


def shapes_graph() -> Graph:
    return _copy(_cached(str(SHAPES_TTL)))


def _copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    for p, ns in g.namespaces():
        out.bind(p, ns, override=True)
    return out


def populations() -> list[tuple[str, str, str]]:
    """(key, zh, en) of each population, in declaration order, without duplicates."""
    seen, out = set(), []
    for key, zh, en in C.POPULATIONS.values():
        if key not in seen:
            seen.add(key)
            out.append((key, zh, en))
    return out


def concept_labels(key: str, fallback_zh: str = "") -> tuple[str, str]:
    """(zh, en) labels for a concept key; handles topic-only keys, 'general-*' and unknown topics."""
    if key in C.TOPICS:
        zh, en, _ = C.TOPICS[key]
        return zh, en
    pop, _, topic = key.partition("-")
    if topic in C.TOPICS and pop in {p for p, _, _ in populations()}:
        return C.concept_labels(key)
    tz, te = (C.TOPICS[topic][0], C.TOPICS[topic][1]) if topic in C.TOPICS else (fallback_zh or topic, topic)
    if pop == "general" or pop not in {p for p, _, _ in populations()}:
        return tz, (te if topic in C.TOPICS else f"{pop.title()}: {te}")
    pz, pe = next((z, e) for p, z, e in populations() if p == pop)
    return f"{pz}与{tz}" if not tz.startswith(pz) else tz, f"{pe}: {te}"


def add_concept(g: Graph, key: str, fallback_zh: str = "") -> None:
    """Add one domain concept (and its broader topic concept) to ``g``."""
    c = iri.concept(key)
    zh, en = concept_labels(key, fallback_zh)
    g.add((c, RDF.type, SKOS.Concept))
    g.add((c, RDF.type, PKG.DomainConcept))
    g.add((c, SKOS.inScheme, iri.DOMAIN_SCHEME))
    g.add((c, SKOS.notation, Literal(key)))
    for lab in (Literal(zh, lang="zh"), Literal(en, lang="en")):
        g.add((c, SKOS.prefLabel, lab))
        g.add((c, RDFS.label, lab))
    if key in C.TOPICS:
        g.add((c, SKOS.topConceptOf, iri.DOMAIN_SCHEME))
        g.add((iri.DOMAIN_SCHEME, SKOS.hasTopConcept, c))
        g.add((c, PKG.topic, Literal(key)))
        return
    pop, _, topic = key.partition("-")
    g.add((c, PKG.population, Literal(pop)))
    g.add((c, PKG.topic, Literal(topic)))
    if topic in C.TOPICS:
        add_concept(g, topic)
        g.add((c, SKOS.broader, iri.concept(topic)))
        g.add((iri.concept(topic), SKOS.narrower, c))
    else:  # unknown topic: a top concept of its own
        g.add((c, SKOS.topConceptOf, iri.DOMAIN_SCHEME))
        g.add((iri.DOMAIN_SCHEME, SKOS.hasTopConcept, c))


def domain_scheme_graph(extra: Iterable[tuple[str, str]] = ()) -> Graph:
    """The domain concept scheme: every population x topic of ``graph/concepts.py`` plus the topics,
    plus ``extra`` (key, zh fallback label) pairs for keys met in data (e.g. unknown ``t-…`` topics)."""
    g = Graph()
    bind_prefixes(g)
    s = iri.DOMAIN_SCHEME
    g.add((s, RDF.type, SKOS.ConceptScheme))
    for lab, lang in (("发展领域概念", "zh"), ("Development domain concepts", "en")):
        g.add((s, SKOS.prefLabel, Literal(lab, lang=lang)))
        g.add((s, RDFS.label, Literal(lab, lang=lang)))
    g.add(
        (
            s,
            RDFS.comment,
            Literal(
                "跨规划共享的发展领域概念：人群（儿童、妇女等）与主题（健康、教育等）的组合，"
                "每个组合概念的上位概念为与人群无关的主题概念。",
                lang="zh",
            ),
        )
    )
    g.add(
        (
            s,
            RDFS.comment,
            Literal(
                "Development-domain concepts shared across plans: a population "
                "(children, women, ...) combined with a topic (health, education, ...); "
                "each is narrower than its population-independent topic concept.",
                lang="en",
            ),
        )
    )
    for topic in C.TOPICS:
        add_concept(g, topic)
        for pop, _, _ in populations():
            add_concept(g, f"{pop}-{topic}")
    for key, fallback in sorted(set(extra)):
        add_concept(g, key, fallback)
    return g


def agency_type_entry(d: dict) -> tuple[str, str, str, list[str]]:
    """(key, zh, en, aliases) from one ``graph.extract.agency_types()`` entry (tolerant of key names)."""
    key = d.get("key") or d.get("id")
    zh = d.get("zh") or d.get("label_zh") or d.get("zh_label") or d.get("name_zh") or d.get("label") or key
    en = d.get("en") or d.get("label_en") or d.get("en_label") or d.get("name_en") or key
    aliases = d.get("aliases") or d.get("alias") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    return str(key), str(zh), str(en), sorted({str(a) for a in aliases} - {str(zh)})


def load_agency_types() -> list[dict]:
    """The agency types of the extraction lexicon (``graph.extract.agency_types()``)."""
    return list(agency_types())


def agency_type_scheme_graph(types: Iterable[dict]) -> Graph:
    g = Graph()
    s = iri.AGENCY_TYPE_SCHEME
    g.add((s, RDF.type, SKOS.ConceptScheme))
    for lab in (Literal("部门类型", lang="zh"), Literal("Agency types", lang="en")):
        g.add((s, SKOS.prefLabel, lab))
        g.add((s, RDFS.label, lab))
    for d in types:
        key, zh, en, aliases = agency_type_entry(d)
        c = iri.agency_type(key)
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, RDF.type, PKG.AgencyType))
        g.add((c, SKOS.inScheme, s))
        g.add((c, SKOS.topConceptOf, s))
        g.add((s, SKOS.hasTopConcept, c))
        g.add((c, SKOS.notation, Literal(key)))
        for lab in (Literal(zh, lang="zh"), Literal(en, lang="en")):
            g.add((c, SKOS.prefLabel, lab))
            g.add((c, RDFS.label, lab))
        for a in aliases:
            g.add((c, SKOS.altLabel, Literal(a, lang="zh")))
    return g


HEADER = (
    "# Domain concept scheme of PlanKG, GENERATED from graph/concepts.py by\n"
    "#   python -m graph.rdf.vocab\n# Do not edit by hand.\n"
)


def write_domains_ttl(path=DOMAINS_TTL) -> None:
    text = domain_scheme_graph().serialize(format="turtle")
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + text)


if __name__ == "__main__":  # pragma: no cover
    write_domains_ttl(sys.argv[1] if len(sys.argv) > 1 else DOMAINS_TTL)
    print(f"wrote {sys.argv[1] if len(sys.argv) > 1 else DOMAINS_TTL}")
