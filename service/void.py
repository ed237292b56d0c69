"""The VoID description of the dataset (``/.well-known/void``): what it is, where it came from, its size and
shape (class and property partitions counted by SPARQL on the store), and where to get it (SPARQL endpoint,
dumps, dereferenceable IRIs).

``void_stats(store)`` counts (slow on a big store: cache it per generation); ``void_graph(stats, …)`` writes
the description for the site's address.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF

from graph.rdf.ns import DCTERMS, ID, PKG, PROV, RDF, XSD, bind_prefixes

from .links import ONTOLOGY_IRI

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
MIT = URIRef("https://spdx.org/licenses/MIT.html")

TITLE = {"zh": "规划知识图谱（PlanKG）", "en": "PlanKG: a knowledge graph of Chinese local development plans"}
DESCRIPTION = {
    "zh": "地方政府儿童、妇女发展规划的知识图谱：规划、发展领域、目标、措施、重点项目、指标及指标表、责任部门、"
    "引用的法律政策文件，每个节点都可追溯到源文件的行号与字符区间。",
    "en": "Chinese local-government development plans for children and women as linked data: plans, development "
    "domains, goals, measures, key projects, indicators and indicator tables, responsible agencies and the legal "
    "documents the plans cite, each node traceable to a line and character span of its source file.",
}
RIGHTS = {
    "zh": "数据提取自地方人民政府公开发布的规划和通知（公开的政府文件），原文件没有附带开放数据许可："
    "再利用时请注明来源文件（dcterms:source）并遵守原发布机关的规定。生成数据的 PlanKG 软件以 MIT 许可发布。",
    "en": "The data is extracted from plans and notices published by local people's governments (public government "
    "documents); the source documents carry no open-data licence: cite the source files (dcterms:source) and "
    "follow the terms of the publishing authorities when reusing it. The PlanKG software that produces it is "
    "released under the MIT licence.",
}
DUMPS = ("plankg.nq", "plankg.ttl")  # under /downloads/
SERVED_FORMATS = ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads")


@dataclass
class VoidStats:
    """Counts of the default graph (the plan data) and the named graphs of a store."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: dict[str, int] = field(default_factory=dict)  # class -> distinct instances
    properties: dict[str, int] = field(default_factory=dict)  # predicate -> triples
    sources: list[str] = field(default_factory=list)  # the pkg:SourceFile IRIs
    examples: list[str] = field(default_factory=list)  # a few plans
    named_graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples


def _one(store, query: str) -> int:
    rows = store.query(query)
    return int(rows[0]["n"]) if rows else 0


def void_stats(store) -> VoidStats:
    """Count the store with SPARQL (``triples`` is ``store.triple_count()``: the same default graph)."""
    return VoidStats(
        triples=store.triple_count(),
        entities=_one(
            store,
            f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}',
        ),
        distinct_subjects=_one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=_one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        classes={
            str(r["c"]): int(r["n"])
            for r in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")
        },
        properties={
            str(r["p"]): int(r["n"]) for r in store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
        },
        sources=sorted(str(r["f"]) for r in store.query(f"SELECT ?f WHERE {{ ?f a <{PKG.SourceFile}> }}")),
        examples=sorted(str(r["p"]) for r in store.query(f"SELECT ?p WHERE {{ ?p a <{PKG.Plan}> }} LIMIT 3")),
        named_graphs={
            str(r["g"]): int(r["n"])
            for r in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        },
    )


def namespace_of(iri: str) -> str:
    """``http://purl.org/dc/terms/`` of ``http://purl.org/dc/terms/title``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _both(g: Graph, s, p, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((s, p, Literal(text, lang=lang)))


def void_graph(stats: VoidStats, *, root: str, manifest: dict, generation: str | None) -> Graph:
    """The VoID description, for a site at ``root`` (``http://host:port``, no trailing slash)."""
    g = Graph()
    bind_prefixes(g)
    for prefix, ns in (("void", VOID), ("foaf", FOAF), ("sd", SD)):
        g.bind(prefix, ns)
    doc = URIRef(f"{root}/.well-known/void")
    ds = URIRef(f"{doc}#plankg")
    g.add((doc, RDF.type, VOID.DatasetDescription))
    _both(g, doc, DCTERMS.title, {"zh": "PlanKG 数据集的 VoID 描述", "en": "VoID description of PlanKG"})
    g.add((doc, FOAF.primaryTopic, ds))

    g.add((ds, RDF.type, VOID.Dataset))
    _both(g, ds, DCTERMS.title, TITLE)
    _both(g, ds, DCTERMS.description, DESCRIPTION)
    _both(g, ds, DCTERMS.rights, RIGHTS)
    g.add((ds, FOAF.homepage, URIRef(f"{root}/")))
    for src in stats.sources:
        g.add((ds, DCTERMS.source, URIRef(src)))
    built = manifest.get("built_at")
    software = URIRef(f"{doc}#software")
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, FOAF.name, Literal("PlanKG")))
    g.add((software, DCTERMS.license, MIT))
    if built:
        when = Literal(built, datatype=XSD.dateTime)
        build = URIRef(f"{doc}#build")
        g.add((ds, DCTERMS.modified, when))
        g.add((ds, PROV.generatedAtTime, when))
        g.add((ds, PROV.wasGeneratedBy, build))
        g.add((build, RDF.type, PROV.Activity))
        g.add((build, PROV.endedAtTime, when))
        g.add((build, PROV.wasAssociatedWith, software))
        if generation or manifest.get("generation"):
            g.add((build, DCTERMS.identifier, Literal(manifest.get("generation") or generation)))
        for src in stats.sources:
            g.add((build, PROV.used, URIRef(src)))

    g.add((ds, VOID.triples, Literal(stats.triples)))
    g.add((ds, VOID.entities, Literal(stats.entities)))
    g.add((ds, VOID.distinctSubjects, Literal(stats.distinct_subjects)))
    g.add((ds, VOID.distinctObjects, Literal(stats.distinct_objects)))
    g.add((ds, VOID.classes, Literal(len(stats.classes))))
    g.add((ds, VOID.properties, Literal(len(stats.properties))))
    g.add((ds, VOID.uriSpace, Literal(str(ID))))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{root}/sparql")))
    for name in DUMPS:
        g.add((ds, VOID.dataDump, URIRef(f"{root}/downloads/{name}")))
    for f in SERVED_FORMATS:
        g.add((ds, VOID.feature, FORMATS[f]))
    for ex in stats.examples:
        g.add((ds, VOID.exampleResource, URIRef(ex)))
    vocabularies = {namespace_of(t) for t in [*stats.classes, *stats.properties]}
    vocabularies.discard(str(ID))
    for vocabulary in sorted(v for v in vocabularies if v):
        g.add((ds, VOID.vocabulary, URIRef(ONTOLOGY_IRI if vocabulary == str(PKG) else vocabulary)))
    for cls, n in sorted(stats.classes.items()):
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n)))
    for prop, n in sorted(stats.properties.items()):
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(n)))
    for i, (graph_iri, n) in enumerate(sorted(stats.named_graphs.items()), 1):
        sub = URIRef(f"{doc}#graph-{i}")
        g.add((doc, FOAF.topic, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph_iri)))
        g.add((sub, VOID.triples, Literal(n)))
        g.add((sub, VOID.sparqlEndpoint, URIRef(f"{root}/sparql")))
        g.add((sub, VOID.dataDump, URIRef(f"{root}/downloads/plankg.nq")))
    return g
