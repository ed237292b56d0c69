"""Payloads of the API and the pages (the JSON twin of a page is exactly its payload).

Graph data comes from SPARQL (``web.queries``); search, similarity and gaps from the search engine.
"""
from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict, defaultdict
from typing import Optional

from . import labels, queries as q
from .ids import agency_iri, is_safe_iri, law_iri, local, page_path, plan_iri, position, short, unit_iri
from .resources import Resources


class NotFound(LookupError):
    pass


# ----------------------------------------------------------------------------- small helpers

def _period(start, end) -> str:
    return f"{start}—{end}" if start and end else str(start or end or "")


def plan_ref(iri: str, title: str = "", **extra) -> dict:
    return {"id": short(iri), "iri": iri, "url": page_path(iri), "title": title, **extra}


def unit_ref(row: dict, prefix: str = "u") -> dict:
    """A unit from a query row with u, kind, number, text, title and <prefix>_file/<prefix>_line."""
    iri = row["u"]
    return {"id": local(iri), "iri": iri, "url": page_path(iri), "kind": row.get("kind"),
            "kind_label": labels.KIND.get(row.get("kind"), row.get("kind")), "number": row.get("number"),
            "title": row.get("title") or "", "text": row.get("text") or "",
            "file": row.get(f"{prefix}_file"), "line": row.get(f"{prefix}_line")}


def agency_ref(iri: str, label: str = "", **extra) -> dict:
    return {"id": short(iri), "iri": iri, "url": page_path(iri), "label": label or short(iri), **extra}


def _unit_order(u: dict):
    kind_rank = {"goal": 0, "measure": 1, "key_project": 2}
    return kind_rank.get(u.get("kind"), 3), position(u["iri"])


def _domain_position(unit_iri: str) -> int:
    """Domain number in a unit IRI; key projects (no domain) sort last."""
    m = re.search(r"/domain/(\d+)/", unit_iri)
    return int(m.group(1)) if m else 1 << 20


def norm_name(name: str) -> str:
    """Indicator names compared without width, spaces or punctuation differences."""
    t = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s（）()、，,.。“”\"'：:]", "", t)


# ----------------------------------------------------------------------------- plans and domains

def plans_list(res: Resources) -> list[dict]:
    def load():
        store = res.store()
        counts: dict[str, dict] = defaultdict(dict)
        for r in q.plan_counts(store):
            counts[r["plan"]][r["kind"]] = r["n"]
        out = []
        for r in q.plans(store):
            c = counts.get(r["plan"], {})
            out.append(plan_ref(
                r["plan"], r["title"], region=r.get("region") or "", level=r.get("level") or "",
                level_label=labels.LEVEL.get(r.get("level"), r.get("level") or ""),
                plan_type=r.get("type") or "", plan_type_label=labels.PLAN_TYPE.get(r.get("type"), ""),
                period=_period(r.get("start"), r.get("end")), period_start=r.get("start"),
                period_end=r.get("end"), draft=bool(r.get("draft")), issued=r.get("issued"),
                doc_number=r.get("docnum"), title_inferred=bool(r.get("inferred")),
                file=r.get("p_file"), line=r.get("p_line"),
                counts={k: c.get(k, 0) for k in ("domains", "goals", "measures", "key_projects", "indicator_rows")}))
        return out
    return res.cached("plans", load)


def find_plan(res: Resources, pid: str) -> dict:
    target = plan_iri(pid)
    for p in plans_list(res):
        if p["iri"] == target or p["title"] == pid:
            return p
    raise NotFound(f"no plan {pid!r}")


def plan_detail(res: Resources, pid: str) -> dict:
    plan = dict(find_plan(res, pid))
    store, P = res.store(), plan["iri"]
    agencies_of: dict[str, list] = defaultdict(list)
    for r in q.plan_unit_agencies(store, P):
        agencies_of[r["u"]].append(agency_ref(r["a"], r["label"], role=r["role"],
                                              role_label=labels.ROLE.get(r["role"], r["role"])))
    units_by_domain: dict[Optional[str], list] = defaultdict(list)
    for r in q.plan_units(store, P):
        u = unit_ref(r)
        u["agencies"] = sorted(agencies_of.get(r["u"], []), key=lambda a: (a["role"] != "lead", a["label"]))
        units_by_domain[r.get("d") if r["kind"] != "key_project" else None].append(u)
    domains = []
    for r in sorted(q.plan_domains(store, P), key=lambda r: position(r["d"])):
        units = sorted(units_by_domain.get(r["d"], []), key=_unit_order)
        domains.append({"id": local(r["d"]), "iri": r["d"], "anchor": f"domain-{position(r['d'])}",
                        "number": r["number"], "title": r["title"], "heading": r.get("heading") or "",
                        "concept": short(r["concept"]).replace("concept/", "") if r.get("concept") else "",
                        "concept_label": r.get("concept_label") or "", "file": r.get("d_file"), "line": r.get("d_line"),
                        "goals": [u for u in units if u["kind"] == "goal"],
                        "measures": [u for u in units if u["kind"] == "measure"]})
    tables: "OrderedDict[str, dict]" = OrderedDict()
    for r in sorted(q.plan_tables(store, P), key=lambda r: (position(r["t"]), position(r["row"]))):
        t = tables.setdefault(r["t"], {"iri": r["t"], "caption": r.get("caption") or "指标表", "rows": []})
        t["rows"].append(_indicator_row(r, file_key="r_file", line_key="r_line"))
    laws = [{**law_ref(r["l"], r["title"], r.get("type")), "citations": r["citations"]}
            for r in q.plan_laws(store, P)]
    plan.update(domains=domains, key_projects=sorted(units_by_domain.get(None, []), key=_unit_order),
                tables=list(tables.values()), laws=laws,
                agencies=len({a["iri"] for lst in agencies_of.values() for a in lst}))
    return plan


def domains_list(res: Resources) -> list[dict]:
    """Shared domain concepts, each with the domain of every plan that has it."""
    concepts: "OrderedDict[str, dict]" = OrderedDict()
    for r in sorted(q.domain_concepts(res.store()), key=lambda r: (r.get("concept") or "", r["plan_title"])):
        key = short(r["concept"]).replace("concept/", "") if r.get("concept") else "other"
        c = concepts.setdefault(key, {"concept": key, "iri": r.get("concept"), "label": r.get("label") or key,
                                      "domains": []})
        c["domains"].append({"iri": r["d"], "url": page_path(r["d"]), "title": r["title"], "number": r["number"],
                             "plan": plan_ref(r["plan"], r["plan_title"]), "goals": r["goals"],
                             "measures": r["measures"]})
    for c in concepts.values():
        c["plans"] = len({d["plan"]["iri"] for d in c["domains"]})
    return list(concepts.values())


# ----------------------------------------------------------------------------- units

def resolve_unit(res: Resources, uid: str) -> str:
    """Unit IRI from its path, IRI or search document id ('<file stem>:L<line>')."""
    iri = unit_iri(uid)
    if iri:
        return iri
    m = re.fullmatch(r"(.+):L(\d+)", uid or "")
    if m:
        rows = q.unit_at(res.store(), m.group(1) + ".txt", int(m.group(2)))
        if rows:
            return rows[0]["u"]
    raise NotFound(f"no unit {uid!r}")


def _indicator_row(r: dict, file_key: str = "i_file", line_key: str = "i_line") -> dict:
    value = r.get("value")
    return {"iri": r.get("i") or r.get("row"), "name": r.get("name") or "", "comparator": r.get("comparator"),
            "comparator_label": labels.COMPARATOR.get(r.get("comparator"), ""),
            "value": value, "unit": r.get("unit") or "", "year": r.get("year"), "baseline": r.get("baseline"),
            "baseline_year": r.get("baseline_year"), "qualitative": r.get("qualitative") or "",
            "baseline_text": r.get("baseline_text") or "", "target_text": r.get("target_text") or r.get("text") or "",
            "file": r.get(file_key), "line": r.get(line_key)}


def law_ref(iri: str, title: str, doc_type=None) -> dict:
    code = labels.doc_type_code(doc_type)
    return {"id": short(iri), "iri": iri, "url": page_path(iri), "title": title, "type": code,
            "type_label": labels.DOC_TYPE.get(code, code)}


def unit_detail(res: Resources, uid: str, with_counterparts: bool = True) -> dict:
    iri = resolve_unit(res, uid)
    store = res.store()
    rows = q.unit(store, iri)
    if not rows:
        raise NotFound(f"no unit {uid!r}")
    r = rows[0]
    u = unit_ref({**r, "u": iri})
    u.update(end_line=r.get("end_line"), char_start=r.get("char_start"), char_end=r.get("char_end"),
             plan=plan_ref(r["plan"], r["plan_title"]),
             domain={"iri": r.get("d"), "url": page_path(r["d"]) if r.get("d") else None,
                     "title": r.get("domain_title") or "",
                     "concept": short(r["concept"]).replace("concept/", "") if r.get("concept") else ""})
    u["agencies"] = sorted((agency_ref(a["a"], a["label"], role=a["role"],
                                       role_label=labels.ROLE.get(a["role"], a["role"]),
                                       region=a.get("region") or "", surfaces=a.get("surfaces") or "")
                            for a in q.unit_agencies(store, iri)), key=lambda a: (a["role"] != "lead", a["label"]))
    u["laws"] = [law_ref(x["l"], x["title"], x.get("type")) for x in q.unit_laws(store, iri)]
    u["indicators"] = [_indicator_row(x) for x in sorted(q.unit_indicators(store, iri), key=lambda x: position(x["i"]))]
    u["counterparts"] = None
    if with_counterparts:
        try:
            u["counterparts"] = similar(res, iri)["counterparts"]
        except Exception:  # noqa: BLE001 - no search index: the unit page still works
            u["counterparts"] = None
    return u


# ----------------------------------------------------------------------------- agencies

def agencies_list(res: Resources) -> list[dict]:
    rows = q.agencies(res.store())
    out = [agency_ref(r["a"], r["label"], region=r.get("region") or "", type=r.get("type") or "",
                      type_label=r.get("type_label") or "", units=r.get("units") or 0, lead=r.get("lead") or 0,
                      partner=r.get("partner") or 0, plans=r.get("plans") or 0) for r in rows]
    return sorted(out, key=lambda a: (-a["units"], a["label"]))


def agency_detail(res: Resources, aid: str) -> dict:
    A = agency_iri(aid)
    if not is_safe_iri(A):
        raise NotFound(aid)
    store = res.store()
    info = q.agency(store, A)
    if not info:
        raise NotFound(f"no agency {aid!r}")
    i = info[0]
    units = defaultdict(dict)   # unit iri -> unit with roles
    for r in q.agency_units(store, A):
        u = units[r["u"]] or {**unit_ref(r), "roles": [], "plan": plan_ref(r["plan"], r["plan_title"]),
                              "domain": r.get("domain_title") or "重点项目"}
        u["roles"].append(r["role"])
        units[r["u"]] = u
    by_plan: "OrderedDict[str, dict]" = OrderedDict()
    for u in sorted(units.values(), key=lambda u: (u["plan"]["title"], _domain_position(u["iri"]), _unit_order(u))):
        u["role"] = "lead" if "lead" in u["roles"] else "partner" if "partner" in u["roles"] else "mentioned"
        u["role_label"] = labels.ROLE[u["role"]]
        p = by_plan.setdefault(u["plan"]["iri"], {**u["plan"], "domains": OrderedDict()})
        p["domains"].setdefault(u["domain"], []).append(u)
    plans = [{**p, "domains": [{"title": t, "units": us} for t, us in p["domains"].items()]}
             for p in by_plan.values()]
    counts = {role: sum(1 for u in units.values() if u["role"] == role) for role in ("lead", "partner", "mentioned")}
    partners = co_agencies(res, A)
    return agency_ref(A, i["label"], region=i.get("region") or "", type=i.get("type") or "",
                      type_label=i.get("type_label") or "", alt_labels=i.get("alt_labels") or "",
                      units=len(units), counts=counts, plans=plans, co_agencies=partners)


def co_agencies(res: Resources, A: str, top: int = 15) -> list[dict]:
    from graph.views import agencies as views
    G = views.co_responsibility(views.bipartite(responsibility_rows(res)))
    if A not in G:
        return []
    nbrs = sorted(G[A].items(), key=lambda kv: (-kv[1]["weight"], G.nodes[kv[0]]["label"]))[:top]
    return [agency_ref(n, G.nodes[n]["label"], shared_units=d["weight"]) for n, d in nbrs]


def responsibility_rows(res: Resources) -> list[dict]:
    return res.cached("responsibilities", lambda: q.responsibilities(res.store()))


def agency_graph(res: Resources, plan: Optional[str] = None, domain: Optional[str] = None,
                 view: str = "agencies", role: Optional[str] = None):
    from graph.views import agencies as views
    roles = [x for x in (role or "").split(",") if x] or None
    plan_key = plan_iri(plan) if plan and re.fullmatch(r"[0-9a-f]{12}", plan) else plan
    return views.build(responsibility_rows(res), plan=plan_key, domain=domain, roles=roles, view=view)


# ----------------------------------------------------------------------------- laws

def laws_list(res: Resources) -> list[dict]:
    return [{**law_ref(r["l"], r["title"], r.get("type")), "plans": r["plans"], "citations": r["citations"]}
            for r in q.laws(res.store())]


def law_detail(res: Resources, lid: str) -> dict:
    L = law_iri(lid)
    if not is_safe_iri(L):
        raise NotFound(lid)
    store = res.store()
    info = q.law(store, L)
    if not info:
        raise NotFound(f"no law {lid!r}")
    by_plan: "OrderedDict[str, dict]" = OrderedDict()
    for r in sorted(q.law_citations(store, L), key=lambda r: (r["plan_title"], _domain_position(r.get("u") or ""),
                                                                      _unit_order({"iri": r.get("u") or "", "kind": r.get("kind")}))):
        p = by_plan.setdefault(r["plan"], {**plan_ref(r["plan"], r["plan_title"]), "in_preamble": False, "units": []})
        if r.get("u"):
            p["units"].append({**unit_ref(r), "domain": r.get("domain_title") or "重点项目"})
        else:
            p["in_preamble"] = True
    return {**law_ref(L, info[0]["title"], info[0].get("type")), "alt_labels": info[0].get("alt_labels") or "",
            "plans": list(by_plan.values())}


# ----------------------------------------------------------------------------- indicators

def indicator_rows(res: Resources) -> list[dict]:
    def load():
        out = []
        for r in q.indicators(res.store()):
            row = _indicator_row(r)
            row.update(source=r["source"], plan=plan_ref(r["plan"], r["plan_title"], region=r.get("region") or ""),
                       unit_iri=r.get("u"), unit_url=page_path(r["u"]) if r.get("u") else None,
                       file=r.get("i_file") or r.get("u_file"), line=r.get("i_line") or r.get("u_line"),
                       key=norm_name(r["name"]))
            out.append(row)
        return out
    return res.cached("indicators", load)


def indicators_list(res: Resources) -> list[dict]:
    groups: dict[str, dict] = {}
    for r in indicator_rows(res):
        g = groups.setdefault(r["key"], {"name": r["name"], "plans": set(), "targets": 0})
        g["plans"].add(r["plan"]["iri"])
        g["targets"] += 1
    out = [{"name": g["name"], "plans": len(g["plans"]), "targets": g["targets"]} for g in groups.values()]
    return sorted(out, key=lambda g: (-g["plans"], -g["targets"], g["name"]))


def indicator_compare(res: Resources, name: str) -> dict:
    key = norm_name(name)
    rows = [r for r in indicator_rows(res) if r["key"] == key]
    if not rows and key:
        rows = [r for r in indicator_rows(res) if key in r["key"]]
    rows = sorted(rows, key=lambda r: (r["plan"]["title"], r["year"] or 0, r["source"]))
    return {"name": name, "matched_names": sorted({r["name"] for r in rows}), "rows": rows,
            "plans": len({r["plan"]["iri"] for r in rows})}


# ----------------------------------------------------------------------------- search

SEARCH_FILTERS = {"plan": "plan", "plan_type": "plan_type", "region": "region", "level": "level",
                  "domain": "domain_concept", "kind": "kind", "agency": "agency", "law": "law", "period": "period"}


class Linker:
    """IRIs for search documents: their own, else found by source file:line / plan title in the graph."""

    def __init__(self, res: Resources):
        self.res = res

    def unit(self, iri: str, file: str, line) -> str:
        if iri:
            return iri
        table = self.res.cached("unit_by_source", lambda: {(r["u_file"], r["u_line"]): r["u"]
                                                           for r in q.unit_sources(self.res.store())})
        return table.get((file, line), "")

    def plan(self, iri: str, title: str, **extra) -> dict:
        if not iri:
            iri = next((p["iri"] for p in plans_list(self.res) if p["title"] == title), "")
        return plan_ref(iri, title, **extra) if iri else {"id": "", "iri": "", "url": None, "title": title, **extra}


def _plan_member(p, link: Linker) -> dict:
    iri = link.unit(p.doc_iri, p.file, p.line)
    return {"doc_id": p.doc_id, "iri": iri, "url": page_path(iri) if iri else None,
            "plan": link.plan(p.plan_iri, p.plan_title, region=p.region, plan_type=p.plan_type),
            "kind": p.kind, "number": p.number,
            "domain": p.domain_title, "file": p.file, "line": p.line, "in_filter": p.in_filter}


def hit_dict(hit, link: Linker) -> dict:
    d = hit.doc
    iri = link.unit(d.iri, d.file, d.line)
    return {"rank": hit.rank, "id": d.id, "iri": iri, "url": page_path(iri) if iri else None,
            "kind": d.kind, "kind_label": labels.KIND.get(d.kind, d.kind), "number": d.number, "title": d.title,
            "text": d.text,
            "plan": link.plan(d.plan_iri, d.plan_title, region=d.region, plan_type=d.plan_type),
            "domain": {"title": d.domain_title, "concept": d.domain_concept},
            "file": d.file, "line": d.line, "score": round(float(hit.score), 6),
            "scores": {k: round(float(v), 6) for k, v in hit.scores.items()},
            "ranks": hit.ranks, "relevance": None if hit.relevance is None else round(float(hit.relevance), 4),
            "matched_terms": list(hit.matched_terms), "highlights": [list(h) for h in hit.highlights],
            "agencies": list(d.agencies), "laws": list(d.laws),
            "plans": [_plan_member(p, link) for p in hit.plans]}


def search(res: Resources, query: str, k: int = 10, mode: Optional[str] = None, filters: Optional[dict] = None) -> dict:
    engine = res.engine()
    f = {SEARCH_FILTERS[key]: v for key, v in (filters or {}).items() if v and key in SEARCH_FILTERS}
    if f.get("plan") and re.fullmatch(r"[0-9a-f]{12}", f["plan"]):
        f["plan"] = plan_iri(f["plan"])
    kw = {"mode": mode} if mode else {}
    with res.search_lock:
        hits = engine.search(query, k=k, filters=f, **kw) if query.strip() else []
    return {"query": query, "mode": mode or "hybrid", "k": k, "filters": filters or {},
            "results": [hit_dict(h, Linker(res)) for h in hits]}


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


def similar(res: Resources, uid: str, threshold: Optional[float] = None) -> dict:
    engine = res.engine()
    doc_id = _doc_id_for(res, uid)
    src = engine.doc(doc_id)
    kw = {"threshold": threshold} if threshold is not None else {}
    with res.search_lock:
        hits = engine.similar(doc_id, **kw)
    link = Linker(res)
    counterparts = []
    for h in hits:
        d = h.doc
        iri = link.unit(d.iri, d.file, d.line)
        counterparts.append({
            "id": d.id, "iri": iri, "url": page_path(iri) if iri else None, "kind": d.kind,
            "kind_label": labels.KIND.get(d.kind, d.kind), "number": d.number, "text": d.text,
            "plan": link.plan(d.plan_iri, d.plan_title, region=d.region),
            "domain": d.domain_title, "file": d.file, "line": d.line, "score": h.score, "same_text": h.same_text,
            "shared_agencies": h.shared_agencies, "agencies_only_here": h.agencies_only_target,
            "agencies_only_source": h.agencies_only_source, "shared_laws": h.shared_laws})
    src_iri = link.unit(src.iri, src.file, src.line)
    return {"source": {"id": src.id, "iri": src_iri, "url": page_path(src_iri) if src_iri else None,
                       "kind": src.kind, "number": src.number, "text": src.text,
                       "plan": link.plan(src.plan_iri, src.plan_title),
                       "file": src.file, "line": src.line},
            "counterparts": counterparts}


def gaps(res: Resources, query: str) -> dict:
    engine = res.engine()
    with res.search_lock:
        cov = engine.coverage(query) if query.strip() else []
    link = Linker(res)
    items = [{**link.plan(c.plan_iri, c.plan_title, region=c.region, plan_type=c.plan_type), "covered": c.covered, "best_relevance": c.best_relevance,
              "best_unit": c.best_doc_id, "best_text": c.best_text} for c in cov]
    return {"query": query, "gaps": [i for i in items if not i["covered"]], "coverage": items}
