"""Payloads of agencies and the agency co-responsibility graph."""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict

from graph.rdf.iri import agency_from_id, is_safe_iri, plan_from_id
from graph.views import agencies as views

from .. import labels
from .. import queries as q
from ..resources import Resources
from .common import NotFound, agency_ref, domain_position, plan_ref, unit_order, unit_ref


def agencies_list(res: Resources) -> list[dict]:
    rows = q.agencies(res.store())
    out = [
        agency_ref(
            r["a"],
            r["label"],
            region=r.get("region") or "",
            type=r.get("type") or "",
            type_label=r.get("type_label") or "",
            units=r.get("units") or 0,
            lead=r.get("lead") or 0,
            partner=r.get("partner") or 0,
            plans=r.get("plans") or 0,
        )
        for r in rows
    ]
    return sorted(out, key=lambda a: (-a["units"], a["label"]))


def agency_detail(res: Resources, aid: str) -> dict:
    A = agency_from_id(aid)
    if not is_safe_iri(A):
        raise NotFound(aid)
    store = res.store()
    info = q.agency(store, A)
    if not info:
        raise NotFound(f"no agency {aid!r}")
    i = info[0]
    units: defaultdict[str, dict] = defaultdict(dict)  # unit iri -> unit with roles
    for r in q.agency_units(store, A):
        u = units[r["u"]] or {
            **unit_ref(r),
            "roles": [],
            "plan": plan_ref(r["plan"], r["plan_title"]),
            "domain": r.get("domain_title") or "重点项目",
        }
        u["roles"].append(r["role"])
        units[r["u"]] = u
    by_plan: OrderedDict[str, dict] = OrderedDict()
    for u in sorted(units.values(), key=lambda u: (u["plan"]["title"], domain_position(u["iri"]), unit_order(u))):
        u["role"] = "lead" if "lead" in u["roles"] else "partner" if "partner" in u["roles"] else "mentioned"
        u["role_label"] = labels.ROLE[u["role"]]
        p = by_plan.setdefault(u["plan"]["iri"], {**u["plan"], "domains": OrderedDict()})
        p["domains"].setdefault(u["domain"], []).append(u)
    plans = [{**p, "domains": [{"title": t, "units": us} for t, us in p["domains"].items()]} for p in by_plan.values()]
    counts = {role: sum(1 for u in units.values() if u["role"] == role) for role in ("lead", "partner", "mentioned")}
    partners = co_agencies(res, A)
    return agency_ref(
        A,
        i["label"],
        region=i.get("region") or "",
        type=i.get("type") or "",
        type_label=i.get("type_label") or "",
        alt_labels=i.get("alt_labels") or "",
        units=len(units),
        counts=counts,
        plans=plans,
        co_agencies=partners,
    )


def co_agencies(res: Resources, A: str, top: int = 15) -> list[dict]:
    G = views.co_responsibility(views.bipartite(responsibility_rows(res)))
    if A not in G:
        return []
    nbrs = sorted(G[A].items(), key=lambda kv: (-kv[1]["weight"], G.nodes[kv[0]]["label"]))[:top]
    return [agency_ref(n, G.nodes[n]["label"], shared_units=d["weight"]) for n, d in nbrs]


def responsibility_rows(res: Resources) -> list[dict]:
    return res.cached("responsibilities", lambda: q.responsibilities(res.store()))


def agency_graph(
    res: Resources, plan: str | None = None, domain: str | None = None, view: str = "agencies", role: str | None = None
):
    roles = [x for x in (role or "").split(",") if x] or None
    plan_key = plan_from_id(plan) if plan and re.fullmatch(r"[0-9a-f]{12}", plan) else plan
    return views.build(responsibility_rows(res), plan=plan_key, domain=domain, roles=roles, view=view)
