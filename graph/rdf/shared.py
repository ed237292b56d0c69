"""The shared nodes of the graph: agencies, cited documents, publishers and concept schemes.

Every file contributes counts (labels, titles, types) to them; the contributions of all files are
merged and the shared triples made from the merge, so that "the most frequent label" is exact
whatever the order of files and however a corpus was changed (``builds.pipeline``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from rdflib import Graph, Literal

from . import iri
from .indicators import indicator_scheme_graph
from .labels import add_shared_labels
from .literals import en, pick, zh
from .ns import DCTERMS, ELI, ORG, PKG, PROV, RDF, RDFS, SKOS, bind_prefixes, doc_type_iri
from .vocab import agency_type_entry, agency_type_scheme_graph, domain_scheme_graph, load_agency_types


class Contributions:
    """What one file (or several, merged) says about the shared nodes: label, title and type counts
    of agencies and cited documents, domain concept titles, publishers. JSON-serialisable."""

    def __init__(self):
        # (region, key) -> {"labels": Counter, "surfaces": set}
        self.agencies: dict[tuple[str, str], dict] = defaultdict(lambda: {"labels": Counter(), "surfaces": set()})
        # normalised title -> {"titles": Counter, "types": Counter, "surfaces": set}, and where citations
        # recorded them "resolutions": Counter (lexicon | title | unresolved), "notes": set (why unresolved)
        self.laws: dict[str, dict] = defaultdict(lambda: {"titles": Counter(), "types": Counter(), "surfaces": set()})
        self.concepts: dict[str, set] = defaultdict(set)
        self.publishers: set[str] = set()
        # indicator concept key -> Counter of the indicator names used for it
        self.indicators: dict[str, Counter] = {}
        self.activities: set[str] = set()  # extractor versions of the mentions (graph.extract.extractor_version)

    def merge(self, other: Contributions) -> Contributions:
        for k, rec in other.agencies.items():
            mine = self.agencies[k]
            mine["labels"].update(rec["labels"])
            mine["surfaces"] |= rec["surfaces"]
        for key, rec in other.laws.items():
            mine = self.laws[key]
            mine["titles"].update(rec["titles"])
            mine["types"].update(rec["types"])
            mine["surfaces"] |= rec["surfaces"]
            if rec.get("resolutions"):
                mine.setdefault("resolutions", Counter()).update(rec["resolutions"])
            if rec.get("notes"):
                mine.setdefault("notes", set()).update(rec["notes"])
        for concept, titles in other.concepts.items():
            self.concepts[concept] |= titles
        self.publishers |= other.publishers
        for key, names in other.indicators.items():
            self.indicators.setdefault(key, Counter()).update(names)
        self.activities |= other.activities
        return self

    def to_json(self) -> dict:
        return {
            "agencies": [
                [r, k, dict(v["labels"]), sorted(v["surfaces"])] for (r, k), v in sorted(self.agencies.items())
            ],
            "laws": [
                [
                    k,
                    dict(v["titles"]),
                    dict(v["types"]),
                    sorted(v["surfaces"]),
                    dict(v.get("resolutions") or {}),
                    sorted(v.get("notes") or ()),
                ]
                for k, v in sorted(self.laws.items())
            ],
            "concepts": {k: sorted(v) for k, v in sorted(self.concepts.items())},
            "publishers": sorted(self.publishers),
            "indicators": {k: dict(v) for k, v in sorted(self.indicators.items())},
            "activities": sorted(self.activities),
        }

    @classmethod
    def from_json(cls, d: dict) -> Contributions:
        c = cls()
        for r, k, labels, surfaces in d.get("agencies", []):
            c.agencies[(r, k)] = {"labels": Counter(labels), "surfaces": set(surfaces)}
        for k, titles, types, surfaces, *rest in d.get("laws", []):
            c.laws[k] = {"titles": Counter(titles), "types": Counter(types), "surfaces": set(surfaces)}
            if rest:
                c.laws[k]["resolutions"], c.laws[k]["notes"] = Counter(rest[0]), set(rest[1])
        for k, titles in d.get("concepts", {}).items():
            c.concepts[k] = set(titles)
        c.publishers = set(d.get("publishers", []))
        c.indicators = {k: Counter(v) for k, v in d.get("indicators", {}).items()}
        c.activities = set(d.get("activities", []))
        return c


def shared_graph(c: Contributions, agency_types: Sequence[dict] | None = None) -> Graph:
    """Agencies, cited documents, publishers and concept schemes (domains, agency types, indicators)
    from merged contributions."""
    g = Graph()
    bind_prefixes(g)
    add = g.add
    for name in sorted(c.publishers):
        PUB = iri.organization(name)
        add((PUB, RDF.type, ORG.Organization))
        add((PUB, SKOS.prefLabel, zh(name)))

    for rec in c.laws.values():
        title = pick(rec["titles"])
        L = iri.law(title)
        add((L, RDF.type, PKG.LegalDocument))
        add((L, RDF.type, ELI.LegalResource))
        add((L, DCTERMS.title, zh(title)))
        add((L, PKG.docType, doc_type_iri(pick(rec["types"]))))
        if rec.get("resolutions"):
            add((L, PKG.resolution, Literal(pick(rec["resolutions"]))))
        for note in sorted(rec.get("notes") or ()):
            add((L, PKG.resolutionNote, en(note)))
        for s in rec["surfaces"] | set(rec["titles"]):
            if s != title:
                add((L, SKOS.altLabel, zh(s)))

    types = agency_types if agency_types is not None else load_agency_types()
    known = set()
    if types:
        g += agency_type_scheme_graph(types)
        known = {agency_type_entry(d)[0] for d in types}
    for (region, key), rec in c.agencies.items():
        A = iri.agency(region, key)
        add((A, RDF.type, PKG.Agency))
        add((A, RDF.type, ORG.Organization))
        label = pick(rec["labels"]) if rec["labels"] else (min(rec["surfaces"]) if rec["surfaces"] else key)
        add((A, SKOS.prefLabel, zh(label)))
        for s in rec["surfaces"] | set(rec["labels"]):
            if s and s != label:
                add((A, SKOS.altLabel, zh(s)))
        if region:
            add((A, PKG.region, zh(region)))
        T = iri.agency_type(key)
        add((A, ORG.classification, T))
        if key not in known:  # not in the lexicon: a minimal concept so the link is not dangling
            add((T, RDF.type, SKOS.Concept))
            add((T, RDF.type, PKG.AgencyType))
            add((T, SKOS.inScheme, iri.AGENCY_TYPE_SCHEME))
            add((T, SKOS.notation, Literal(key)))
            add((T, SKOS.prefLabel, Literal(key, lang="en")))

    for version in sorted(c.activities):
        act = iri.activity(version)
        add((act, RDF.type, PROV.Activity))
        add((act, RDF.type, PKG.ExtractionActivity))
        add((act, PKG.extractorVersion, Literal(version)))
        add((act, RDFS.label, zh(f"部门与引用文件抽取（抽取器版本 {version}）")))
        add((act, RDFS.label, en(f"Extraction of agencies and cited documents (extractor version {version})")))

    g += domain_scheme_graph([(k, min(titles)) for k, titles in c.concepts.items()])
    g += indicator_scheme_graph(c.indicators)
    add_shared_labels(g)
    return g
