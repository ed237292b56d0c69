"""Payloads of plans and domain concepts."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from graph.rdf.iri import local, plan_from_id, position, short

from .. import labels
from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import NotFound, agency_ref, indicator_row, law_ref, period_text, plan_ref, unit_order, unit_ref


def plans_list(res: Resources) -> list[dict]:
    def load():
        store = res.store()
        counts: dict[str, dict] = defaultdict(dict)
        for r in q.plan_counts(store):
            counts[r["plan"]][r["kind"]] = r["n"]
        out = []
        for r in q.plans(store):
            c = counts.get(r["plan"], {})
            out.append(
                plan_ref(
                    r["plan"],
                    r["title"],
                    region=r.get("region") or "",
                    level=r.get("level") or "",
                    level_label=labels.LEVEL.get(r.get("level") or "", r.get("level") or ""),
                    plan_type=r.get("type") or "",
                    plan_type_label=labels.PLAN_TYPE.get(r.get("type") or "", ""),
                    period=period_text(r.get("start"), r.get("end")),
                    period_start=r.get("start"),
                    period_end=r.get("end"),
                    draft=bool(r.get("draft")),
                    issued=r.get("issued"),
                    doc_number=r.get("docnum"),
                    publisher=r.get("publisher") or "",
                    title_inferred=bool(r.get("inferred")),
                    file=r.get("p_file"),
                    line=r.get("p_line"),
                    counts={k: c.get(k, 0) for k in ("domains", "goals", "measures", "key_projects", "indicator_rows")},
                )
            )
        return out

    return res.cached("plans", load)


def find_plan(res: Resources, pid: str) -> dict:
    target = plan_from_id(pid)
    for p in plans_list(res):
        if p["iri"] == target or p["title"] == pid:
            return p
    raise NotFound(f"no plan {pid!r}")


def plan_detail(res: Resources, pid: str) -> dict:
    plan = dict(find_plan(res, pid))
    store, P = res.store(), plan["iri"]
    agencies_of: dict[str, list] = defaultdict(list)
    for r in q.plan_unit_agencies(store, P):
        agencies_of[r["u"]].append(
            agency_ref(r["a"], r["label"], role=r["role"], role_label=labels.ROLE.get(r["role"], r["role"]))
        )
    units_by_domain: dict[str | None, list] = defaultdict(list)
    for r in q.plan_units(store, P):
        u = unit_ref(r)
        u["agencies"] = sorted(agencies_of.get(r["u"], []), key=lambda a: (a["role"] != "lead", a["label"]))
        units_by_domain[r.get("d") if r["kind"] != "key_project" else None].append(u)
    domains = []
    for r in sorted(q.plan_domains(store, P), key=lambda r: position(r["d"])):
        units = sorted(units_by_domain.get(r["d"], []), key=unit_order)
        domains.append(
            {
                "id": local(r["d"]),
                "iri": r["d"],
                "anchor": f"domain-{position(r['d'])}",
                "number": r["number"],
                "title": r["title"],
                "heading": r.get("heading") or "",
                "concept": short(r["concept"]).replace("concept/", "") if r.get("concept") else "",
                "concept_label": r.get("concept_label") or "",
                "file": r.get("d_file"),
                "line": r.get("d_line"),
                "goals": [u for u in units if u["kind"] == "goal"],
                "measures": [u for u in units if u["kind"] == "measure"],
            }
        )
    tables: OrderedDict[str, dict] = OrderedDict()
    for r in sorted(q.plan_tables(store, P), key=lambda r: (position(r["t"]), position(r["row"]))):
        t = tables.setdefault(r["t"], {"iri": r["t"], "caption": r.get("caption") or "指标表", "rows": []})
        t["rows"].append(indicator_row(r, file_key="r_file", line_key="r_line"))
    laws = [{**law_ref(r["l"], r["title"], r.get("type")), "citations": r["citations"]} for r in q.plan_laws(store, P)]
    plan.update(
        domains=domains,
        key_projects=sorted(units_by_domain.get(None, []), key=unit_order),
        tables=list(tables.values()),
        laws=laws,
        agencies=len({a["iri"] for lst in agencies_of.values() for a in lst}),
    )
    return plan


def domains_list(res: Resources) -> list[dict]:
    """Shared domain concepts, each with the domain of every plan that has it."""
    concepts: OrderedDict[str, dict] = OrderedDict()
    for r in sorted(q.domain_concepts(res.store()), key=lambda r: (r.get("concept") or "", r["plan_title"])):
        key = short(r["concept"]).replace("concept/", "") if r.get("concept") else "other"
        c = concepts.setdefault(
            key, {"concept": key, "iri": r.get("concept"), "label": r.get("label") or key, "domains": []}
        )
        c["domains"].append(
            {
                "iri": r["d"],
                "url": page_path(r["d"]),
                "title": r["title"],
                "number": r["number"],
                "plan": plan_ref(r["plan"], r["plan_title"]),
                "goals": r["goals"],
                "measures": r["measures"],
            }
        )
    for c in concepts.values():
        c["plans"] = len({d["plan"]["iri"] for d in c["domains"]})
    return list(concepts.values())
