"""Payloads of agencies and the agency co-responsibility graph."""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict

from builds.aggregates import AGENCY_PREFIX
from graph.extract.agency_lexicon import types_by_key
from graph.rdf.iri import agency_from_id, is_safe_iri, short
from graph.views import agencies as views
from graph.views import sector_facts as F
from graph.views.sector_facts import agency_tail

from .. import labels
from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import NotFound, agency_ref, domain_position, plan_ref, unit_order, unit_ref
from .responsibility import agency_coverage
from .sectors import aggregates, match_plan, units_url

AGENCY_CAP = 120  # nodes a page lays out; above it the agencies are summed by type
SECTOR_NODE = "sector:"  # node id prefix of an agency type in an aggregated agency graph


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
        coverage=agency_coverage(res)["by_kind"],  # how rarely plans name an agency at all
    )


def co_agencies(res: Resources, A: str, top: int = 15) -> list[dict]:
    """The agencies sharing units with ``A`` (any role), most shared first: the neighbours of ``A`` in the
    co-responsibility graph of all plans, read from the precomputed facts (an agency is its type in its
    plan's region, so only the plans of its region can name it)."""
    agg = aggregates(res)
    tail = A.removeprefix(AGENCY_PREFIX)
    key = tail.rsplit("/", 1)[-1]
    shared: Counter = Counter()
    for plan in agg["plans"]:
        if agency_tail(plan["region"], key) != tail:
            continue
        for _path, masks in plan["resp"]:
            if key in masks:
                for other in masks:
                    if other != key:
                        shared[agency_tail(plan["region"], other)] += 1
    names = agg["labels"]["agencies"]
    nbrs = sorted(shared.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0])))[:top]
    return [agency_ref(AGENCY_PREFIX + t, names.get(t, t), shared_units=n) for t, n in nbrs]


def responsibility_rows(res: Resources, plans: list[dict] | None = None) -> list[dict]:
    """The rows of ``service.queries.responsibilities`` (one per unit, agency and role) of ``plans`` (default:
    every plan), made from the precomputed facts instead of the store (the same rows: tested)."""
    agg = aggregates(res)
    if plans is None:
        return res.cached("responsibility-rows", lambda: responsibility_rows(res, agg["plans"]))
    names = agg["labels"]["agencies"]
    return [row for plan in plans for row in F.responsibility_rows(plan, names)]


def scoped_plans(res: Resources, plan: str | None = None, region: str | None = None) -> list[dict]:
    """The plans of a drill-down: ``plan`` (its id, IRI or part of its title) and ``region`` (as written or a
    part of it, e.g. 杭州 for 杭州市)."""
    plans = aggregates(res)["plans"]
    if plan:
        plans = match_plan(plans, plan)
    if region:
        plans = [p for p in plans if p["region"] == region or region in p["region"]]
    return plans


def _roles(role: str | None) -> list[str] | None:
    return [x for x in (role or "").split(",") if x] or None


def agency_graph(
    res: Resources,
    plan: str | None = None,
    domain: str | None = None,
    view: str = "agencies",
    role: str | None = None,
    region: str | None = None,
):
    """The whole agency graph of a scope, without a cap (the downloads)."""
    rows = _scope_rows(res, plan, region)
    return views.build(rows, domain=domain, roles=_roles(role), view=view)


def _scope_rows(res: Resources, plan: str | None, region: str | None) -> list[dict]:
    """The responsibility rows of the plans a plan / region filter names (all plans without one)."""
    return responsibility_rows(res, scoped_plans(res, plan, region)) if plan or region else responsibility_rows(res)


def agency_graph_view(
    res: Resources,
    plan: str | None = None,
    domain: str | None = None,
    view: str = "agencies",
    role: str | None = None,
    region: str | None = None,
) -> dict:
    """The agency graph of a page: the graph of ``agency_graph`` while it has at most ``AGENCY_CAP`` nodes;
    above that the agencies are summed by type (a node per agency type), and ``aggregated`` says so."""
    rows = _scope_rows(res, plan, region)
    rows = views.filter_rows(rows, domain=domain, roles=_roles(role))
    agencies = {r["a"] for r in rows}
    domains = {views.domain_key(r) for r in rows} if view == "domains" else set()
    aggregated = None
    if len(agencies) + len(domains) > AGENCY_CAP:
        names = aggregates(res)["labels"]["sectors"]
        rows = [_as_sector(r, names) for r in rows]
        aggregated = {
            "agencies": len(agencies),
            "cap": AGENCY_CAP,
            "sectors": len({r["a"] for r in rows}),
        }
    G = views.build(rows, view=view)
    return {"graph": G, "aggregated": aggregated, "plans": len({r["plan"] for r in rows})}


def _as_sector(row: dict, names: dict[str, str]) -> dict:
    """A responsibility row with its agency replaced by the agency's type."""
    key = row["a"].rsplit("/", 1)[-1]
    return {**row, "a": f"{SECTOR_NODE}{key}", "label": names.get(key, key), "region": ""}


def agency_graph_page(
    res: Resources,
    plan: str | None = None,
    domain: str | None = None,
    view: str = "agencies",
    role: str | None = None,
    region: str | None = None,
) -> dict:
    """What the agency-graph page shows: Cytoscape.js elements with the page of every node, the summary,
    whether the agencies were summed by type, and the plans, regions and domains to filter by."""
    found = agency_graph_view(res, plan=plan, domain=domain, view=view, role=role, region=region)
    G = found["graph"]
    elements = views.to_cytoscape(G)
    role_scope = _role_scope(role)
    for node in elements["nodes"]:
        d = node["data"]
        if d["id"].startswith(SECTOR_NODE):
            key = d["id"][len(SECTOR_NODE) :]
            d["kind"] = "sector"
            scope = {k: v for k, v in (("region", region), ("plan", plan)) if v}
            d["url"] = units_url(scope, role_scope, sector=key)
        elif d.get("kind") == "agency":
            d["url"] = page_path(d["id"])
            t = types_by_key().get(d["id"].rsplit("/", 1)[-1])
            d["aliases"] = [t.zh, *t.names] if t else []  # what the page's search also finds it by (卫健委)
        else:
            d["url"] = "/domains#" + d["id"].split(":", 1)[-1]
    agg = aggregates(res)
    plans = sorted(agg["plans"], key=lambda p: (p["region"], p["title"]))
    summary = views.summary(G)
    urls = {node["data"]["id"]: node["data"]["url"] for node in elements["nodes"]}
    for key in ("top_degree", "top_betweenness"):
        for entry in summary[key]:
            entry["url"] = urls.get(entry["id"])
    return {
        "filters": {"plan": plan, "region": region, "domain": domain, "view": view, "role": role},
        "summary": summary,
        "elements": elements,
        "aggregated": found["aggregated"],
        "scope_plans": found["plans"],
        "plans": [{"id": short(p["iri"]), "title": p["title"]} for p in plans] if len(plans) <= 200 else [],
        "regions": sorted({p["region"] for p in plans if p["region"]}),
        "domains": [
            {"concept": k, "label": v}
            for k, v in agg["labels"]["concepts"].items()
            if k not in ("key-projects", "other")
        ],
    }


def _role_scope(role: str | None) -> str:
    """The sector view's role scope closest to a list of roles (lead; lead and partner; everything)."""
    roles = set(_roles(role) or ())
    return "lead" if roles == {"lead"} else "lead,partner" if roles == {"lead", "partner"} else "all"
