"""RDF shown to people: compact names (``pkg:Plan``), Chinese labels of terms, links on this site, and the
payload of the generic resource page (``/resource/…``) made from a ``service.describe.Description``."""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef

from graph.rdf.iri import local
from graph.rdf.ns import DCTERMS, ID, PKG, PREFIXES, RDF, RDFS, SH, SKOS
from graph.rdf.vocab import ontology_graph

from .describe import LABEL_PROPERTIES, Description, linked_iris
from .links import SHAPES_NS, link_path, page_path, rdf_links

# Chinese names of the terms of other vocabularies that PlanKG data uses
TERM_ZH = {
    str(RDF.type): "类型",
    str(RDFS.label): "名称",
    str(RDFS.comment): "说明",
    str(RDFS.seeAlso): "参见",
    str(SKOS.prefLabel): "首选名称",
    str(SKOS.altLabel): "别名",
    str(SKOS.notation): "代码",
    str(SKOS.inScheme): "所属概念体系",
    str(SKOS.broader): "上位概念",
    str(SKOS.narrower): "下位概念",
    str(SKOS.topConceptOf): "顶层概念所属体系",
    str(SKOS.hasTopConcept): "顶层概念",
    str(SKOS.Concept): "SKOS 概念",
    str(SKOS.ConceptScheme): "SKOS 概念体系",
    str(DCTERMS.title): "标题",
    str(DCTERMS.publisher): "发布机关",
    str(DCTERMS.issued): "发布日期",
    str(DCTERMS.format): "媒体类型",
    str(DCTERMS.identifier): "标识符",
    str(DCTERMS.hasPart): "包含",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "来源",
    "http://www.w3.org/ns/prov#Entity": "PROV 实体",
    "http://www.w3.org/ns/org#classification": "部门类型",
    "http://www.w3.org/ns/org#Organization": "组织机构",
    "http://data.europa.eu/eli/ontology#LegalResource": "ELI 法律资源",
    "http://data.europa.eu/eli/ontology#id_local": "文号",
}
_NAME_PROPERTIES = (PKG.indicatorName, PKG.caption, PKG.heading)
_NAMESPACES = {**PREFIXES, "pkgsh": SHAPES_NS, "sh": str(SH)}


def curie(iri: str) -> str:
    """``pkg:Plan`` for a term of a known vocabulary, ``id:plan/…`` for data, else the IRI.

    >>> curie("https://w3id.org/plankg/ontology#Plan")
    'pkg:Plan'
    """
    matches = [(len(ns), prefix, ns) for prefix, ns in _NAMESPACES.items() if iri.startswith(ns)]
    if not matches:
        return iri
    _, prefix, ns = max(matches)
    return f"{prefix}:{iri[len(ns) :]}"


@functools.cache
def _ontology_labels() -> dict[str, dict[str, str]]:
    """{term IRI: {lang: label}} of the ontology's own terms."""
    out: dict[str, dict[str, str]] = {}
    g = ontology_graph()
    for p in (SKOS.prefLabel, RDFS.label):
        for s, lab in g.subject_objects(p):
            if isinstance(lab, Literal):
                out.setdefault(str(s), {}).setdefault(lab.language or "", str(lab))
    return out


def term_label(iri: str) -> str:
    """The Chinese name of an ontology or vocabulary term (its compact name when it has none)."""
    labels = _ontology_labels().get(iri, {})
    return labels.get("zh") or TERM_ZH.get(iri) or labels.get("en") or curie(iri)


def best_label(g: Graph, node) -> str:
    """The label ``g`` gives ``node``: Chinese first, then any language, by ``LABEL_PROPERTIES`` order."""
    found = [o for p in LABEL_PROPERTIES for o in g.objects(node, p) if isinstance(o, Literal)]
    for o in found:
        if (o.language or "").lower().startswith("zh"):
            return str(o)
    plain = [o for o in found if not o.language]
    return str((plain or found)[0]) if found else ""


def node_label(g: Graph, iri: str) -> str:
    """A name for a data node: its label, else its name-like properties, else its text, else its id."""
    node = URIRef(iri)
    label = best_label(g, node)
    if label:
        return label
    for p in _NAME_PROPERTIES:
        for o in g.objects(node, p):
            return str(o)
    if (node, RDF.type, PKG.SourceSpan) in g:
        file, line = g.value(node, PKG.file), g.value(node, PKG.line)
        start, end = g.value(node, PKG.charStart), g.value(node, PKG.charEnd)
        return f"{file} 第 {line} 行（字符 {start}–{end}）"
    text = g.value(node, PKG.text)
    if text is not None:
        return str(text) if len(str(text)) <= 60 else str(text)[:60] + "…"
    if (node, RDF.type, PKG.Responsibility) in g:
        return f"{g.value(node, PKG.surface) or ''}（{g.value(node, PKG.role) or ''}）"
    return local(iri) if iri.startswith(str(ID)) else term_label(iri)


def term(g: Graph, iri: str) -> dict:
    """An IRI as a link: ``{"iri", "curie", "label", "url"}``."""
    if iri.startswith(str(ID)):
        label = node_label(g, iri)
    else:
        label = best_label(g, URIRef(iri)) or term_label(iri)
    return {"iri": iri, "curie": curie(iri), "label": label, "url": link_path(iri)}


def value(g: Graph, o) -> dict:
    """An object of a triple: a linked term (``kind: iri``), a literal or a blank node (``kind: blank``)."""
    if isinstance(o, URIRef):
        return {"kind": "iri", **term(g, str(o))}
    if isinstance(o, Literal):
        dt = str(o.datatype) if o.datatype else ""
        return {"kind": "literal", "value": str(o), "lang": o.language or "", "datatype": curie(dt) if dt else ""}
    return {"kind": "blank", "value": "_:" + str(o), "properties": []}


def properties(g: Graph, node, skip=(RDF.type,), depth: int = 0) -> list[dict]:
    """The properties of ``node`` in ``g`` with their values, types first, then by compact name."""
    by_p: dict[str, list] = {}
    for pred, obj in g.predicate_objects(node):
        if pred not in skip:
            by_p.setdefault(str(pred), []).append(obj)
    out = []
    for p in sorted(by_p, key=lambda x: (x not in map(str, LABEL_PROPERTIES), curie(x))):
        objects = sorted(by_p[p], key=_object_order)
        vals = [value(g, o) for o in objects]
        for v, o in zip(vals, objects, strict=True):
            if isinstance(o, BNode) and depth < 3:
                v["properties"] = properties(g, o, skip=(), depth=depth + 1)
        out.append({"property": {**term(g, p), "label": term_label(p)}, "objects": vals})
    return out


def _object_order(o) -> tuple:
    """Chinese before English, then numbers as numbers, then text."""
    lang = getattr(o, "language", None) or ""
    return (not lang.startswith("zh"), lang, _natural(str(o)))


def see_also(g: Graph, iri: str) -> list[dict]:
    """Pages of this site about the node, besides its own: an indicator's comparison across plans."""
    node, out = URIRef(iri), []
    path = page_path(iri)
    if path:
        out.append({"label": "专页", "url": path})
    name = g.value(node, PKG.indicatorName)
    if name is not None:
        out.append({"label": f"跨规划比较「{name}」", "url": "/indicators/compare?name=" + quote(str(name), safe="")})
    if (node, RDF.type, PKG.DomainConcept) in g:
        out.append({"label": "各规划的这一领域", "url": "/domains#" + str(g.value(node, SKOS.notation) or "")})
    return out


_PLAN = re.compile(re.escape(str(ID)) + r"plan/[0-9a-f]+")


def plan_of(iri: str) -> str | None:
    """The plan a node belongs to, by its IRI (``id:plan/<h>/domain/2`` → ``id:plan/<h>``)."""
    m = _PLAN.match(iri)
    return m.group(0) if m else None


def plans_around(d: Description) -> set[str]:
    """The plans of the nodes a description links to (but the node's own plan when it is one)."""
    return {p for x in linked_iris(d.triples, d.iri) if (p := plan_of(x)) and p != x and p != d.iri}


def _in_plan(t: dict, plans: dict[str, str], own: str | None) -> dict:
    """``t`` with the title of its plan as ``context`` (a domain title alone says little)."""
    p = plan_of(t.get("iri") or "")
    return {**t, "context": plans.get(p, "") if p and p != t["iri"] and p != own else ""}


def resource_view(d: Description, plans: dict[str, str] | None = None) -> dict:
    """The payload of the generic resource page of a described node; ``plans``: titles of the plans around it
    (shown beside the nodes of other plans)."""
    g, node = d.graph, URIRef(d.iri)
    plans, own = plans or {}, plan_of(d.iri)
    members = sorted(
        {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(d.iri + "#")},
        key=lambda s: _natural(str(s)),
    )
    incoming: dict[str, list[dict]] = {}
    for s, p in sorted(g.subject_predicates(node), key=lambda sp: (curie(str(sp[1])), _natural(str(sp[0])))):
        if not str(s).startswith(d.iri + "#"):
            incoming.setdefault(str(p), []).append(_in_plan(term(g, str(s)), plans, own))
    props = properties(g, node)
    for prop in props:
        prop["objects"] = [_in_plan(v, plans, own) if v["kind"] == "iri" else v for v in prop["objects"]]
    return {
        "iri": d.iri,
        "id": local(d.iri),
        "label": node_label(g, d.iri),
        "types": [term(g, c) for c in sorted(str(t) for t in g.objects(node, RDF.type))],
        "properties": props,
        **member_table(g, d.iri, members),
        "incoming": [
            {"property": {**term(g, p), "label": term_label(p)}, "subjects": subjects}
            for p, subjects in incoming.items()
        ],
        "incoming_total": d.incoming_total,
        "incoming_shown": d.incoming_shown,
        "truncated": d.truncated,
        "triples": len(g),
        "see_also": see_also(g, d.iri),
        "formats": rdf_links(d.iri),
    }


def member_table(g: Graph, iri: str, members: list) -> dict:
    """The hash resources of a document (a source file's spans) as a table: one column per property they
    have (but their type and the link back to the document), one row each."""
    values: dict[str, set] = {}
    for m in members:
        for p, o in g.predicate_objects(m):
            if p != RDF.type and str(o) != iri:
                values.setdefault(str(p), set()).add(o)
    # a column with one value for every member (the file name of a file's spans) says nothing
    columns = sorted(
        (p for p, seen in values.items() if len(members) < 2 or len(seen) > 1),
        key=lambda p: (_MEMBER_ORDER.get(p, 99), curie(p)),
    )
    rows = [
        {
            **term(g, str(m)),
            "fragment": str(m)[len(iri) :],
            "cells": [[value(g, o) for o in sorted(g.objects(m, URIRef(c)), key=_object_order)] for c in columns],
        }
        for m in members
    ]
    return {"member_columns": [{**term(g, c), "label": term_label(c)} for c in columns], "members": rows}


_MEMBER_ORDER = {str(p): i for i, p in enumerate((PKG.line, PKG.endLine, PKG.charStart, PKG.charEnd, PKG.locator))}


def _natural(text: str) -> list:
    """Sort key with numbers compared as numbers (``row/2`` before ``row/10``)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]
