"""The ontology and the SHACL shapes as pages (``/ontology``, ``/shapes``): every class and property of
``ontology/plankg.ttl`` with its Chinese and English labels and comments, domain, range, and one real
example from the store (found by SPARQL); every shape of ``ontology/shapes.ttl`` with its constraints and
messages. Both files are read from the package (``graph.rdf.vocab``), so the pages do not depend on what
the store holds of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from graph.rdf.iri import is_safe_iri
from graph.rdf.ns import ONTOLOGY_TTL, OWL, RDF, RDFS, SH, SHAPES_TTL, SKOS
from graph.rdf.vocab import ontology_graph, shapes_graph

from .describe import Description, construct, labels, linked_iris
from .links import ONTOLOGY_IRI, ONTOLOGY_NS, SHAPES_IRI, SHAPES_NS, link_path, rdf_links
from .rdfview import curie, node_label, term_label, value

KINDS = (  # (rdf:type, key, Chinese heading)
    (OWL.Class, "classes", "类"),
    (OWL.ObjectProperty, "object_properties", "对象属性"),
    (OWL.DatatypeProperty, "datatype_properties", "数据属性"),
    (OWL.AnnotationProperty, "annotation_properties", "注释属性"),
)
CONSTRAINT_ZH = {  # in the order they are listed
    "minCount": "最少个数",
    "maxCount": "最多个数",
    "datatype": "数据类型",
    "class": "取值的类",
    "nodeKind": "节点类型",
    "in": "取值之一",
    "pattern": "正则表达式",
    "minLength": "最短长度",
    "maxLength": "最长长度",
    "minInclusive": "最小值",
    "maxInclusive": "最大值",
    "lessThan": "小于",
    "lessThanOrEquals": "不大于",
    "minExclusive": "大于",
    "maxExclusive": "小于",
    "hasValue": "必须取值",
    "languageIn": "语言之一",
    "uniqueLang": "每种语言至多一个",
    "node": "符合形状",
    "not": "不得符合",
    "or": "至少符合其一",
    "and": "全部符合",
    "xone": "恰好符合其一",
    "closed": "封闭",
    "severity": "严重程度",
}


def declaration_order(path) -> dict[str, int]:
    """{local name: position} of the terms declared at the start of a line in a Turtle file (``pkg:Plan a …``)."""
    text = path.read_text(encoding="utf-8")
    return {m.group(1): i for i, m in enumerate(re.finditer(r"^\w+:([\w-]+)\s+a\s", text, re.M))}


def _text(g: Graph, s, p, lang: str) -> str:
    for o in g.objects(s, p):
        if isinstance(o, Literal) and (o.language or "") == lang:
            return str(o)
    return ""


def _link(iri: str) -> dict:
    return {"iri": iri, "curie": curie(iri), "label": term_label(iri), "url": link_path(iri)}


def _links(iris: Iterable) -> list[dict]:
    return [_link(str(i)) for i in sorted(iris, key=lambda i: curie(str(i))) if isinstance(i, URIRef)]


def _own(store, iris: set[str]) -> Graph:
    """The triples of ``iris`` (their labels and names), in one query per 100 of them."""
    todo = sorted(i for i in iris if is_safe_iri(i))
    found = []
    for i in range(0, len(todo), 100):
        values = " ".join(f"<{x}>" for x in todo[i : i + 100])
        found += construct(store, f"CONSTRUCT {{ ?n ?p ?o }} WHERE {{ VALUES ?n {{ {values} }} ?n ?p ?o }}")
    found += labels(store, linked_iris(found, "") | set(todo))
    return Description("", found, 0, 0).graph


def _examples(store, classes: list[str], props: list[str]) -> dict[str, dict]:
    """One instance of each class and one triple of each property, found in the store."""
    picks: dict[str, object] = {}
    for c in classes:
        rows = store.query(f"SELECT ?s WHERE {{ ?s a <{c}> }} LIMIT 1")
        if rows:
            picks[c] = rows[0]["s"]
    for p in props:
        rows = store.query(f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }} LIMIT 1")
        if rows:
            picks[p] = rows[0]["s"]
    nodes = {s for s in picks.values() if isinstance(s, str) and s.startswith("http")}
    g = _own(store, nodes)
    out = {}
    for t, s in picks.items():
        if not (isinstance(s, str) and s.startswith("http")):
            continue
        ex: dict = {"subject": {"iri": s, "label": node_label(g, s), "url": link_path(s)}}
        if t in props:
            objs = list(g.objects(URIRef(s), URIRef(t)))
            if objs:
                ex["object"] = value(g, sorted(objs, key=str)[0])
        out[t] = ex
    return out


def ontology_page(store, counts: tuple[dict[str, int], dict[str, int]] | None = None) -> dict:
    """The ontology page's payload. ``counts``: (instances per class, triples per property) of the data."""
    g = ontology_graph()
    order = declaration_order(ONTOLOGY_TTL)
    onto = URIRef(ONTOLOGY_IRI)
    class_counts, prop_counts = counts or ({}, {})

    def ours(s) -> bool:
        return isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)

    def key(s) -> tuple:
        name = str(s)[len(ONTOLOGY_NS) :]
        return order.get(name, 1 << 20), name

    terms: dict[str, list] = {k: sorted({s for s in g.subjects(RDF.type, t) if ours(s)}, key=key) for t, k, _ in KINDS}
    typed = {s for lst in terms.values() for s in lst}
    others = sorted({s for s in g.subjects() if ours(s) and s not in typed}, key=key)
    props = [str(p) for k in ("object_properties", "datatype_properties") for p in terms[k]]
    examples = _examples(store, [str(c) for c in terms["classes"]], props) if store is not None else {}

    def entry(s, kind: str) -> dict:
        name = str(s)[len(ONTOLOGY_NS) :]
        e: dict[str, Any] = {
            "name": name,
            "iri": str(s),
            "curie": curie(str(s)),
            "kind": kind,
            "label_zh": _text(g, s, RDFS.label, "zh") or _text(g, s, SKOS.prefLabel, "zh"),
            "label_en": _text(g, s, RDFS.label, "en") or _text(g, s, SKOS.prefLabel, "en"),
            "comment_zh": _text(g, s, RDFS.comment, "zh"),
            "comment_en": _text(g, s, RDFS.comment, "en"),
            "types": _links(o for o in g.objects(s, RDF.type) if o not in (OWL.Class,)),
            "example": examples.get(str(s)),
        }
        if kind == "classes":
            e.update(
                super=_links(g.objects(s, RDFS.subClassOf)),
                sub=_links(g.subjects(RDFS.subClassOf, s)),
                properties=_links(g.subjects(RDFS.domain, s)),
                see_also=_links(g.objects(s, RDFS.seeAlso)),
                count=class_counts.get(str(s), 0),
            )
        elif kind.endswith("properties"):
            e.update(
                super=_links(g.objects(s, RDFS.subPropertyOf)),
                domain=_links(g.objects(s, RDFS.domain)),
                range=_links(g.objects(s, RDFS.range)),
                count=prop_counts.get(str(s), 0),
            )
        else:
            e.update(
                scheme=_links(g.objects(s, SKOS.inScheme)),
                notation=str(g.value(s, SKOS.notation) or ""),
                narrower=_links(g.objects(s, SKOS.hasTopConcept)),
            )
        return e

    return {
        "iri": ONTOLOGY_IRI,
        "namespace": ONTOLOGY_NS,
        "prefix": "pkg",
        "label_zh": _text(g, onto, RDFS.label, "zh"),
        "label_en": _text(g, onto, RDFS.label, "en"),
        "comment_zh": _text(g, onto, RDFS.comment, "zh"),
        "comment_en": _text(g, onto, RDFS.comment, "en"),
        "version": str(g.value(onto, OWL.versionInfo) or ""),
        "sections": [
            {"key": k, "title": title, "terms": [entry(s, k) for s in terms[k]]} for _, k, title in KINDS if terms[k]
        ]
        + (
            [{"key": "concepts", "title": "概念与概念体系", "terms": [entry(s, "concepts") for s in others]}]
            if others
            else []
        ),
        "formats": rdf_links(ONTOLOGY_IRI),
        "shapes": "/shapes",
    }


# ----------------------------------------------------------------------------- shapes


def _path_text(g: Graph, path) -> str:
    if isinstance(path, URIRef):
        return curie(str(path))
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(g, inverse)
    if (path, RDF.first, None) in g:
        return " / ".join(_path_text(g, p) for p in Collection(g, path))
    return "（复合路径）"


def _constraint_value(g: Graph, o, depth: int = 0) -> dict:
    if o == RDF.nil or (isinstance(o, BNode) and (o, RDF.first, None) in g):
        return {"kind": "list", "entries": [_constraint_value(g, x, depth) for x in Collection(g, o)]}
    if isinstance(o, BNode):  # a shape inside a constraint (sh:or, sh:not, sh:node …)
        path = g.value(o, SH.path)
        return {
            "kind": "shape",
            "path": _path_text(g, path) if path is not None else "",
            "constraints": _constraints(g, o, {SH.path}, depth + 1) if depth < 4 else [],
        }
    if isinstance(o, URIRef):
        return {"kind": "iri", **_link(str(o))}
    return {"kind": "literal", "value": str(o)}


def _constraints(g: Graph, node, skip: set, depth: int = 0) -> list[dict]:
    out = []
    order = list(CONSTRAINT_ZH)
    for p, o in sorted(g.predicate_objects(node), key=lambda po: (_rank(order, po[0]), str(po[0]), str(po[1]))):
        if p in skip or not str(p).startswith(str(SH)):
            continue
        name = str(p)[len(str(SH)) :]
        out.append({"name": name, "label": CONSTRAINT_ZH.get(name, name), "value": _constraint_value(g, o, depth)})
    return out


def _rank(order: list[str], p) -> int:
    name = str(p)[len(str(SH)) :]
    return order.index(name) if name in order else len(order)


def _path_order(text: str) -> list[str]:
    """The ``sh:path`` of each property shape in a block of the shapes file, in order (``^`` for inverse)."""
    paths = []
    for m in re.finditer(r"sh:path\s+(\[\s*sh:inversePath\s+(\S+)\s*\]|[^\s;]+)", text):
        paths.append("^" + m.group(2) if m.group(2) else m.group(1))
    return paths


def shapes_page() -> dict:
    """The shapes page's payload: node shapes in file order, their targets and property constraints."""
    g = shapes_graph()
    text = SHAPES_TTL.read_text(encoding="utf-8")
    order = declaration_order(SHAPES_TTL)
    blocks = re.split(r"(?m)^(?=pkgsh:)", text)
    block_of = {m.group(1): b for b in blocks if (m := re.match(r"pkgsh:([\w-]+)", b))}
    shapes = sorted(
        (s for s in g.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)),
        key=lambda s: (order.get(str(s)[len(SHAPES_NS) :], 1 << 20), str(s)),
    )
    skip = {SH.path, SH.message, SH.severity, SH.property, SH.targetClass, SH.name, SH.description}
    out = []
    for s in shapes:
        name = str(s)[len(SHAPES_NS) :]
        wanted = _path_order(block_of.get(name, ""))
        props = []
        for ps in g.objects(s, SH.property):
            path = _path_text(g, g.value(ps, SH.path))
            severity = g.value(ps, SH.severity)
            props.append(
                {
                    "path": path,
                    "path_url": link_path(str(g.value(ps, SH.path)))
                    if isinstance(g.value(ps, SH.path), URIRef)
                    else None,
                    "constraints": _constraints(g, ps, skip),
                    "severity": str(severity)[len(str(SH)) :] if severity is not None else "Violation",
                    "message": " ".join(str(m) for m in g.objects(ps, SH.message)),
                }
            )
        props.sort(key=lambda p: (wanted.index(p["path"]) if p["path"] in wanted else 1 << 20, p["path"]))
        out.append(
            {
                "name": name,
                "iri": str(s),
                "curie": curie(str(s)),
                "targets": _links(g.objects(s, SH.targetClass)),
                "comment": " ".join(str(c) for c in g.objects(s, RDFS.comment)),
                "constraints": _constraints(g, s, skip),
                "message": " ".join(str(m) for m in g.objects(s, SH.message)),
                "properties": props,
            }
        )
    return {"iri": SHAPES_IRI, "namespace": SHAPES_NS, "shapes": out, "formats": rdf_links(SHAPES_IRI)}
