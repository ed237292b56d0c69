"""Plan model -> RDF (PlanKG ontology, ``ontology/plankg.ttl``).

``plans_to_graph(parsed_files, agency_types=None)`` turns parsed files (or bare ``Plan`` objects)
into an rdflib Graph. The output is deterministic: no blank nodes, every IRI is minted from
content (see ``graph.rdf.iri``), and whenever several values compete for one slot (an agency's
preferred label, a cited document's canonical title and type) the choice is "most frequent,
then smallest", which does not depend on input order.

The graph is the disjoint union of two kinds of triples, which is what lets a plan be added or
removed without rebuilding everything (``graph.delta``):

* **own** triples of one file (``file_part``): its plans, sections, domains, units, indicators,
  tables, source spans and source-file node; their subjects belong to that file alone;
* **shared** triples (``shared_graph``): agencies, cited documents, publishers and the concept
  schemes, computed from every file's ``Contributions`` (label and title counts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nt import _nt_row

from graph.model import GOAL, KEY_PROJECT, MEASURE, Domain, ParsedFile, Plan, Source, Unit

from ..parse.formats import media_type_of
from ..titles import title_key
from . import indicators, iri, labels, mentions
from .literals import decimal_literal, en, pick, tagged, year_literal, zh  # noqa: F401 (re-exported)
from .ns import DCTERMS, ELI, PKG, PROV, RDF, XSD
from .shared import Contributions, shared_graph
from .validate import assert_valid
from .vocab import ontology_graph

__all__ = [
    "plans_to_graph",
    "to_ntriples_sorted",
    "iter_plans",
    "Contributions",
    "FilePart",
    "file_part",
    "shared_graph",
    "ntriples",
]

_KIND_CLASS = {GOAL: PKG.Goal, MEASURE: PKG.Measure, KEY_PROJECT: PKG.KeyProject}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- inputs


def iter_plans(items: ParsedFile | Plan | Iterable[ParsedFile | Plan]):
    """(ParsedFile or None, Plan) pairs from parsed files and/or bare plans."""
    if isinstance(items, (ParsedFile, Plan)):
        items = [items]
    for it in items:
        if isinstance(it, ParsedFile):
            for p in it.plans:
                yield it, p
        elif isinstance(it, Plan):
            yield None, it
        else:
            raise TypeError(f"expected ParsedFile or Plan, got {type(it).__name__}")


# ----------------------------------------------------------------------------- builder


@dataclass
class FilePart:
    """The own triples of one file (deduplicated, in emission order) and its contributions."""

    file: str
    triples: list
    contributions: Contributions


class _Builder:
    """Emits the own triples of the plans it is given into ``self.triples`` and records their
    contributions to the shared nodes in ``self.c``."""

    def __init__(self):
        self.triples: list = []
        self.c = Contributions()
        self.files: dict[str, dict] = {}
        self.texts: dict[str, str] = {}

    # --- helpers
    def add(self, s, p, o):
        self.triples.append((s, p, o))

    def opt(self, s, p, value, conv=zh):
        if value is None or value == "":
            return
        lit = conv(value)
        if lit is not None:
            self.add(s, p, lit)

    def note_file(self, file: str, pf: ParsedFile | None = None):
        entry = self.files.setdefault(file, {"sha256": set(), "encoding": set(), "notices": set(), "format": set()})
        if pf is not None:
            entry["format"].add(media_type_of(pf.format))
            if pf.sha256:
                entry["sha256"].add(pf.sha256)
            if pf.encoding:
                entry["encoding"].add(pf.encoding)
            entry["notices"].update(pf.notices or ())

    def span(self, subject: URIRef, src: Source) -> URIRef:
        sp = iri.span(src.file, src.start, src.end)
        self.note_file(src.file)
        self.add(subject, PROV.wasDerivedFrom, sp)
        self.add(sp, RDF.type, PKG.SourceSpan)
        self.add(sp, PKG.file, Literal(src.file))
        self.add(sp, PKG.sourceFile, iri.source_file(src.file))
        self.add(sp, PKG.line, Literal(int(src.line)))
        if src.end_line:
            self.add(sp, PKG.endLine, Literal(int(src.end_line)))
        self.add(sp, PKG.charStart, Literal(int(src.start)))
        self.add(sp, PKG.charEnd, Literal(int(src.end)))
        if src.locator:
            self.add(sp, PKG.locator, Literal(src.locator))
        return sp

    def cite(self, subject: URIRef, laws):
        mentions.citations(self, subject, laws)

    # --- plan parts
    def plan(self, p: Plan, h: str):
        P = iri.plan(h)
        self.note_file(p.file)
        self.add(P, RDF.type, PKG.Plan)
        self.add(P, DCTERMS.title, zh(p.title))
        self.add(P, PKG.titleInferred, Literal(bool(p.title_inferred)))
        self.opt(P, PKG.titleEvidence, p.title_evidence, en)
        self.opt(P, PKG.region, p.region)
        self.opt(P, PKG.adminLevel, p.level, Literal)
        self.opt(P, PKG.planType, p.plan_type, Literal)
        self.opt(P, PKG.periodStart, p.period_start, year_literal)
        self.opt(P, PKG.periodEnd, p.period_end, year_literal)
        self.add(P, PKG.draft, Literal(bool(p.draft)))
        if p.date:
            self.add(P, DCTERMS.issued, Literal(p.date, datatype=XSD.date) if _DATE.match(p.date) else Literal(p.date))
        self.opt(P, ELI.id_local, p.doc_number, Literal)
        if p.issuer:
            self.c.publishers.add(p.issuer)
            self.add(P, DCTERMS.publisher, iri.organization(p.issuer))
        self.span(P, p.source)
        self.cite(P, p.preamble_laws)

        for n, s in enumerate(p.sections, 1):
            S = iri.section(P, n)
            self.add(P, PKG.hasSection, S)
            self.add(S, RDF.type, PKG.Section)
            self.add(S, PKG.number, Literal(int(s.number)))
            self.add(S, DCTERMS.title, zh(s.title))
            self.opt(S, PKG.sectionRole, s.role, Literal)
            self.span(S, s.source)

        for n, d in enumerate(p.domains, 1):
            self.domain(P, p, n, d)
        for k, u in enumerate(p.key_projects, 1):
            U = iri.unit(P, KEY_PROJECT, k)
            self.add(P, PKG.hasKeyProject, U)
            self.unit(U, u, p.region, KEY_PROJECT)
        for t, tab in enumerate(p.tables, 1):
            indicators.table(self, P, t, tab)

    def domain(self, P: URIRef, p: Plan, n: int, d: Domain):
        D = iri.domain(P, n)
        self.add(P, PKG.hasDomain, D)
        self.add(D, RDF.type, PKG.DevelopmentDomain)
        self.add(D, PKG.number, Literal(int(d.number)))
        self.add(D, DCTERMS.title, zh(d.title))
        self.opt(D, PKG.heading, d.heading)
        if d.concept:
            self.add(D, PKG.domainConcept, iri.concept(d.concept))
            self.c.concepts[d.concept].add(d.title)
        self.span(D, d.source)
        for kind, units, prop in ((GOAL, d.goals, PKG.hasGoal), (MEASURE, d.measures, PKG.hasMeasure)):
            for k, u in enumerate(units, 1):
                U = iri.unit(D, kind, k)
                self.add(D, prop, U)
                self.unit(U, u, p.region, kind)

    def unit(self, U: URIRef, u: Unit, region: str, kind: str | None = None):
        kind = kind or u.kind
        self.add(U, RDF.type, _KIND_CLASS.get(kind, PKG.PlanUnit))
        self.add(U, RDF.type, PKG.PlanUnit)
        self.add(U, PKG.number, Literal(int(u.number)))
        self.add(U, PKG.text, zh(u.text))
        self.opt(U, DCTERMS.title, u.title)
        self.span(U, u.source)
        for r in u.responsible:
            self.opt(U, PKG.responsibleText, r)

        mentions.responsibilities(self, U, u, region)
        self.cite(U, u.laws)
        indicators.unit_indicators(self, U, u.indicators)

    # --- the source-file nodes of the files seen (own triples of those files)
    def file_nodes(self):
        for file, e in sorted(self.files.items()):
            F = iri.source_file(file)
            self.add(F, RDF.type, PKG.SourceFile)
            self.add(F, RDF.type, PROV.Entity)
            self.add(F, DCTERMS.identifier, Literal(file))
            for v in sorted(e["sha256"]):
                self.add(F, PKG.sha256, Literal(v))
            for v in sorted(e["encoding"]):
                self.add(F, PKG.encoding, Literal(v))
            for v in sorted(e["format"]):
                self.add(F, DCTERMS.format, Literal(v))
            for v in sorted(e["notices"]):
                self.add(F, PKG.parseNotice, tagged(v))


def _plan_hashes(pairs) -> list[str]:
    """One hash per plan: of its normalised title, or, when several input plans share a title,
    of title + file + start offset (deterministic for a given set of inputs)."""
    by_title = Counter(title_key(p.title) for _, p in pairs)
    out = []
    for _, p in pairs:
        if by_title[title_key(p.title)] > 1:
            out.append(iri.plan_hash(p.title, f"{p.file}#{p.source.start}"))
        else:
            out.append(iri.plan_hash(p.title))
    dup = [h for h, c in Counter(out).items() if c > 1]
    if dup:
        raise ValueError(f"the same plan (title, file, offset) appears twice in the input: {dup}")
    return out


def _unique(triples: list) -> list:
    return list(dict.fromkeys(triples))


def file_part(
    items: ParsedFile | Plan | Iterable[ParsedFile | Plan], hashes: Sequence[str] | None = None, file: str = ""
) -> FilePart:
    """Own triples and contributions of one parsed file (or of some plans). ``hashes``: the plan
    hashes to mint IRIs with (default: as ``plans_to_graph`` would for these plans alone, which is
    the same as for the whole corpus when no two plans share a title)."""
    pairs = list(iter_plans(items))
    b = _Builder()
    for pf, _ in pairs:
        if pf is not None:
            b.note_file(pf.file, pf)
            b.texts[pf.file] = pf.text  # what mention spans point into (graph.rdf.mentions.written)
    for (_, p), h in zip(pairs, hashes if hashes is not None else _plan_hashes(pairs), strict=True):
        b.plan(p, h)
    b.file_nodes()
    b.triples += labels.own_labels(b.triples)
    name = file or (pairs[0][0].file if pairs and pairs[0][0] is not None else "")
    return FilePart(name, _unique(b.triples), b.c)


def plans_to_graph(
    parsed_files: Iterable[ParsedFile | Plan] | ParsedFile | Plan,
    agency_types: list[dict] | None = None,
    *,
    validate: bool = False,
    include_ontology: bool = False,
) -> Graph:
    """Build the PlanKG graph.

    ``parsed_files``: ``ParsedFile`` objects and/or bare ``Plan`` objects (any order; the result
    does not depend on it). ``agency_types``: the extractor's lexicon (``graph.extract.agency_types()``,
    dicts with key / zh / en / aliases); when None it is imported if available. ``validate=True``
    runs the SHACL shapes and raises ``graph.rdf.validate.ShaclViolationError`` on any violation.
    ``include_ontology`` adds the triples of ``ontology/plankg.ttl``.
    """
    items = [parsed_files] if isinstance(parsed_files, (ParsedFile, Plan)) else list(parsed_files)
    part = file_part(items, _plan_hashes(list(iter_plans(items))))
    g = shared_graph(part.contributions, agency_types)
    for t in part.triples:
        g.add(t)
    if include_ontology:
        g += ontology_graph()
    if validate:
        assert_valid(g)
    return g


def ntriples(triples: Iterable) -> str:
    """N-Triples text of rdflib triples (rdflib's own row writer, one line each)."""
    return "".join(_nt_row(t) for t in triples)


def to_ntriples_sorted(graph: Graph) -> str:
    """Canonical text of a blank-node-free graph: N-Triples lines, sorted (byte-identical for
    identical graphs, so builds can be diffed)."""
    text = graph.serialize(format="nt")
    lines = sorted({ln for ln in text.splitlines() if ln.strip()})
    return "\n".join(lines) + ("\n" if lines else "")
