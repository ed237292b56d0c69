"""``rdfs:label`` on every named node, derived from what the graph already says about it.

Generic clients (a SPARQL browser, a linked-data viewer) look for ``rdfs:label``; PlanKG's own terms say
``dcterms:title``, ``skos:prefLabel``, ``pkg:indicatorName`` … So after the triples of a file (``own_labels``)
and the shared nodes (``add_shared_labels``) are made, each typed subject without an ``rdfs:label`` gets
one, in Chinese (``@zh``), from its title or name; concepts and schemes get theirs from every
``skos:prefLabel`` (``@zh`` and ``@en``). The labels follow the language-tag rule of ontology/README.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef

from .literals import zh
from .ns import DCTERMS, ORG, PKG, RDF, RDFS, SKOS

_KIND_ZH = {PKG.Goal: "目标", PKG.Measure: "措施", PKG.KeyProject: "重点项目"}
_ROLE_ZH = {"lead": "牵头", "partner": "配合", "mentioned": "提及"}
_HEAD = 24  # characters of a unit's text in its label when it has no title


def _first(props: dict, p) -> str:
    values = props.get(p) or []
    return str(values[0]) if values else ""


def _unit_label(types: set, props: dict) -> str:
    kind = next((z for c, z in _KIND_ZH.items() if c in types), "条目")
    head = _first(props, DCTERMS.title)
    if not head:
        text = _first(props, PKG.text)
        head = text if len(text) <= _HEAD else text[:_HEAD] + "…"
    return f"{kind}{_first(props, PKG.number)}：{head}" if head else f"{kind}{_first(props, PKG.number)}"


def _label(types: set, props: dict) -> str:
    """The Chinese label of an own node, or "" (then it gets none)."""
    if PKG.Plan in types:
        return _first(props, DCTERMS.title)
    if PKG.PlanUnit in types:
        return _unit_label(types, props)
    if PKG.Section in types or PKG.DevelopmentDomain in types:
        word = "章节" if PKG.Section in types else "发展领域"
        return _first(props, DCTERMS.title) or f"{word}{_first(props, PKG.number)}"
    if PKG.Indicator in types or PKG.TableRow in types:
        return _first(props, PKG.indicatorName)
    if PKG.IndicatorTable in types:
        return _first(props, PKG.caption) or "指标表"
    if PKG.Responsibility in types:
        role = _ROLE_ZH.get(_first(props, PKG.role), "")
        surface = _first(props, PKG.surface)
        return f"{surface}（{role}）" if surface and role else surface
    if PKG.Citation in types:
        return _first(props, PKG.surface)
    if PKG.SourceSpan in types:
        return (
            f"{_first(props, PKG.file)} 第{_first(props, PKG.line)}行，"
            f"字符 {_first(props, PKG.charStart)}–{_first(props, PKG.charEnd)}"
        )
    if PKG.SourceFile in types:
        return f"源文件 {_first(props, DCTERMS.identifier)}"
    return ""


def own_labels(triples: Iterable[tuple]) -> list[tuple]:
    """The ``rdfs:label`` triples a file's own nodes lack, in the order their subjects first appear."""
    props: dict[URIRef, dict] = {}
    for s, p, o in triples:
        props.setdefault(s, {}).setdefault(p, []).append(o)
    out = []
    for s, ps in props.items():
        if RDF.type not in ps or any(isinstance(v, Literal) and v.language for v in ps.get(RDFS.label, ())):
            continue
        label = _label(set(ps[RDF.type]), ps)
        if label:
            out.append((s, RDFS.label, zh(label)))
    return out


def add_shared_labels(g: Graph) -> None:
    """Labels of the shared nodes: agencies, issuers and concepts from their ``skos:prefLabel`` (every
    language), cited documents from their ``dcterms:title``."""
    for s in sorted(set(g.subjects(RDF.type, None)), key=str):
        if any(isinstance(v, Literal) and v.language for v in g.objects(s, RDFS.label)):
            continue
        types = set(g.objects(s, RDF.type))
        if types & {PKG.Agency, ORG.Organization, SKOS.Concept, SKOS.ConceptScheme}:
            for lab in sorted(g.objects(s, SKOS.prefLabel), key=lambda v: (str(v), repr(v))):
                if isinstance(lab, Literal) and lab.language:
                    g.add((s, RDFS.label, lab))
        elif PKG.LegalDocument in types:
            for title in sorted(g.objects(s, DCTERMS.title), key=str):
                g.add((s, RDFS.label, title))
