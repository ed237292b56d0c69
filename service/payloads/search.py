"""Payloads of search, counterparts (similar) and gaps, from the search engine."""

from __future__ import annotations

import re
from typing import Any

from graph.rdf.iri import plan_from_id

from .. import labels
from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import NotFound, plan_ref, resolve_unit
from .plans import plans_list

SEARCH_FILTERS = {
    "plan": "plan",
    "plan_type": "plan_type",
    "region": "region",
    "level": "level",
    "domain": "domain_concept",
    "kind": "kind",
    "agency": "agency",
    "law": "law",
    "period": "period",
}


_HIT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rank": {"type": "integer"},
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "number": {"type": "integer"},
        "text": {"type": "string"},
        "plan": {"type": "object"},
        "domain": {"type": "object"},
        "file": {"type": "string"},
        "line": {"type": "integer"},
        "iri": {"type": "string"},
        "scores": {"type": "object"},
        "relevance": {"type": "number", "nullable": True},
        "floor_score": {"type": "number", "nullable": True, "description": "compared with the answer's floor"},
        "matched_terms": {"type": "array", "items": {"type": "string"}},
        "highlights": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "plans": {"type": "array", "items": {"type": "object"}, "description": "every unit of this very text"},
        "near": {
            "type": "array",
            "items": {"type": "object"},
            "description": "units of near-identical text (a template edited a little), folded into this result",
        },
    },
}
SEARCH_SCHEMA: dict[str, Any] = {  # OpenAPI 3.0 schema of search()'s answer (web.openapi adds the form's choices)
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "mode": {"type": "string", "enum": ["hybrid", "bm25", "dense"]},
        "k": {"type": "integer"},
        "offset": {"type": "integer", "description": "results skipped: this page starts at rank offset + 1"},
        "expand": {"type": "boolean", "description": "whether the thesaurus' plan terms were searched as well"},
        "group": {"type": "string", "nullable": True, "enum": ["plan", None]},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "total": {
            "type": "integer",
            "description": "every result above the relevance floor, not only this page (near-identical texts "
            "once; with group=plan every plan's unit, and the groups' counts add up to it)",
        },
        "floor": {"type": "number", "nullable": True, "description": "the relevance floor of floor_score"},
        "expansions": {
            "type": "array",
            "description": "everyday words of the query (matched, [start, end) in it) and the plan terms searched too",
            "items": {
                "type": "object",
                "properties": {
                    "matched": {"type": "string"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                    "label": {"type": "string"},
                    "terms": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "results": {"type": "array", "items": _HIT},
        "closest": {"type": "array", "items": _HIT, "description": "total 0: the nearest few below the floor"},
        "groups": {
            "type": "array",
            "nullable": True,
            "description": "group=plan: per plan (its id, title, url), its count and best results",
            "items": {
                "type": "object",
                "properties": {"count": {"type": "integer"}, "results": {"type": "array", "items": _HIT}},
            },
        },
        "facets": {
            "type": "array",
            "description": "per filter (plan, plan_type, level, domain, kind, agency type): how many units above "
            "the floor each value has; value is what the filter parameter of that name takes",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "label": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "value": {"type": "string"},
                                "label": {"type": "string"},
                                "count": {"type": "integer"},
                                "selected": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
    },
}


class Linker:
    """IRIs for search documents: their own, else found by source file:line / plan title in the graph."""

    def __init__(self, res: Resources):
        self.res = res

    def unit(self, iri: str, file: str, line) -> str:
        if iri:
            return iri
        table = self.res.cached(
            "unit_by_source", lambda: {(r["u_file"], r["u_line"]): r["u"] for r in q.unit_sources(self.res.store())}
        )
        return table.get((file, line), "")

    def plan(self, iri: str, title: str, **extra) -> dict:
        if not iri:
            iri = next((p["iri"] for p in plans_list(self.res) if p["title"] == title), "")
        return plan_ref(iri, title, **extra) if iri else {"id": "", "iri": "", "url": None, "title": title, **extra}


def _plan_member(p, link: Linker) -> dict:
    iri = link.unit(p.doc_iri, p.file, p.line)
    return {
        "doc_id": p.doc_id,
        "iri": iri,
        "url": page_path(iri) if iri else None,
        "plan": link.plan(p.plan_iri, p.plan_title, region=p.region, plan_type=p.plan_type),
        "kind": p.kind,
        "number": p.number,
        "domain": p.domain_title,
        "file": p.file,
        "line": p.line,
        "in_filter": p.in_filter,
    }


def hit_dict(hit, link: Linker) -> dict:
    d = hit.doc
    iri = link.unit(d.iri, d.file, d.line)
    return {
        "rank": hit.rank,
        "id": d.id,
        "iri": iri,
        "url": page_path(iri) if iri else None,
        "kind": d.kind,
        "kind_label": labels.KIND.get(d.kind, d.kind),
        "number": d.number,
        "title": d.title,
        "text": d.text,
        "plan": link.plan(d.plan_iri, d.plan_title, region=d.region, plan_type=d.plan_type),
        "domain": {"title": d.domain_title, "concept": d.domain_concept},
        "file": d.file,
        "line": d.line,
        "score": round(float(hit.score), 6),
        "scores": {k: round(float(v), 6) for k, v in hit.scores.items()},
        "ranks": hit.ranks,
        "relevance": None if hit.relevance is None else round(float(hit.relevance), 4),
        "floor_score": None if hit.floor_score is None else round(float(hit.floor_score), 4),
        "matched_terms": list(hit.matched_terms),
        "highlights": [list(h) for h in hit.highlights],
        "agencies": list(d.agencies),
        "laws": list(d.laws),
        "plans": [_plan_member(p, link) for p in hit.plans if not p.near],
        "near": [_plan_member(p, link) for p in hit.plans if p.near],
    }


FACET_LABELS = {
    "plan": "规划",
    "plan_type": "规划类型",
    "level": "行政级别",
    "domain": "领域",
    "kind": "条目类型",
    "agency": "写明的部门",
}


def facets(res: Resources, page_facets: dict, filters: dict) -> list[dict]:
    """The engine's facet counts with Chinese labels and the filter value each one sets."""
    from graph.extract.agency_lexicon import types_by_key

    from .plans import domains_list

    engine = res.engine()
    plans = res.cached("search_plan_ids", lambda: {d.plan_id: d for d in engine.docs})
    domains = {d["concept"]: d["label"] for d in domains_list(res)}
    names: dict[str, Any] = {
        "plan_type": labels.PLAN_TYPE,
        "level": labels.LEVEL,
        "kind": labels.KIND,
        "domain": domains,
        "agency": {k: t.zh for k, t in types_by_key().items()},
    }
    out = []
    for name, items in page_facets.items():
        values = []
        for value, count in items:
            if name == "plan":
                d = plans.get(value)
                if d is None:
                    continue
                ref = plan_ref(d.plan_iri, d.plan_title)
                value, label = ref["id"], d.plan_title
            else:
                label = names[name].get(value, value)
            values.append({"value": value, "label": label, "count": count, "selected": filters.get(name) == value})
        out.append({"name": name, "label": FACET_LABELS[name], "values": values})
    return out


def _expansion(e) -> dict:
    return {"matched": e.matched, "start": e.start, "end": e.end, "label": e.label, "terms": list(e.terms)}


def empty_search(
    query: str, k: int, mode: str, filters: dict, offset: int = 0, expand: bool = True, group=None
) -> dict:
    """The answer's shape without results (no query: only the form)."""
    return {
        "query": query,
        "mode": mode,
        "k": k,
        "offset": offset,
        "expand": expand,
        "group": group,
        "filters": filters,
        "total": 0,
        "floor": None,
        "expansions": [],
        "results": [],
        "closest": [],
        "groups": [] if group else None,
        "facets": [],
    }


def search(
    res: Resources,
    query: str,
    k: int = 10,
    mode: str | None = None,
    filters: dict | None = None,
    offset: int = 0,
    expand: bool = True,
    group: str | None = None,
) -> dict:
    """One page of results above the relevance floor (``SearchEngine.query``): ``total`` counts them all.

    No lock: the engine is thread-safe, so concurrent searches reach the encoders together."""
    mode = mode or "hybrid"
    out = empty_search(query, k, mode, filters or {}, offset, expand, group)
    if not query.strip():
        return out
    engine = res.engine()
    f = {SEARCH_FILTERS[key]: v for key, v in (filters or {}).items() if v and key in SEARCH_FILTERS}
    if f.get("plan") and re.fullmatch(r"[0-9a-f]{12}", f["plan"]):
        f["plan"] = plan_from_id(f["plan"])
    page = engine.query(query, k=k, offset=offset, filters=f, mode=mode, expand=expand, group_by=group)
    link = Linker(res)
    out.update(
        total=page.total,
        floor=None if page.floor is None else round(float(page.floor), 4),
        expansions=[_expansion(e) for e in page.expansions],
        results=[hit_dict(h, link) for h in page.hits],
        closest=[hit_dict(h, link) for h in page.closest],
        facets=facets(res, page.facets, filters or {}),
        groups=None
        if page.groups is None
        else [
            {
                **link.plan(g.plan_iri, g.plan_title, region=g.region, plan_type=g.plan_type),
                "count": g.count,
                "results": [hit_dict(h, link) for h in g.hits],
            }
            for g in page.groups
        ],
    )
    return out


def _doc_id_for(res: Resources, uid: str) -> str:
    engine = res.engine()
    if uid in getattr(engine, "_by_id", {}):
        return uid
    iri = resolve_unit(res, uid)
    link = Linker(res)
    by_iri = res.cached("doc_by_iri", lambda: {link.unit(d.iri, d.file, d.line): d.id for d in engine.docs})
    if iri in by_iri:
        return by_iri[iri]
    raise NotFound(f"unit {uid!r} is not in the search index")


def similar(res: Resources, uid: str, threshold: float | None = None) -> dict:
    engine = res.engine()
    doc_id = _doc_id_for(res, uid)
    src = engine.doc(doc_id)
    kw = {"threshold": threshold} if threshold is not None else {}
    hits = engine.similar(doc_id, **kw)
    link = Linker(res)
    counterparts = []
    for h in hits:
        d = h.doc
        iri = link.unit(d.iri, d.file, d.line)
        counterparts.append(
            {
                "id": d.id,
                "iri": iri,
                "url": page_path(iri) if iri else None,
                "kind": d.kind,
                "kind_label": labels.KIND.get(d.kind, d.kind),
                "number": d.number,
                "text": d.text,
                "plan": link.plan(d.plan_iri, d.plan_title, region=d.region),
                "domain": d.domain_title,
                "file": d.file,
                "line": d.line,
                "score": h.score,
                "same_text": h.same_text,
                "shared_agencies": h.shared_agencies,
                "agencies_only_here": h.agencies_only_target,
                "agencies_only_source": h.agencies_only_source,
                "shared_laws": h.shared_laws,
            }
        )
    src_iri = link.unit(src.iri, src.file, src.line)
    return {
        "source": {
            "id": src.id,
            "iri": src_iri,
            "url": page_path(src_iri) if src_iri else None,
            "kind": src.kind,
            "number": src.number,
            "text": src.text,
            "plan": link.plan(src.plan_iri, src.plan_title),
            "file": src.file,
            "line": src.line,
        },
        "counterparts": counterparts,
    }


def gaps(res: Resources, query: str) -> dict:
    engine = res.engine()
    cov = engine.coverage(query) if query.strip() else []
    link = Linker(res)
    items = [
        {
            **link.plan(c.plan_iri, c.plan_title, region=c.region, plan_type=c.plan_type),
            "covered": c.covered,
            "best_relevance": c.best_relevance,
            "best_unit": c.best_doc_id,
            "best_text": c.best_text,
        }
        for c in cov
    ]
    return {"query": query, "gaps": [i for i in items if not i["covered"]], "coverage": items}
