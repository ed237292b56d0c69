"""Payloads of the responsibility views across plans: the sector graph and the sector × domain matrix
(``sector_view``), the units behind a node, an edge or a cell (``sector_units``) and the downloads.

Everything is computed from the generation's precomputed aggregates (``builds.aggregates``): the default
view reads the stored totals, a filtered one sums the stored counts of its plans. A store changed by
SPARQL Update no longer matches them: the aggregates are then made from the store (``service.sector_queries``).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import networkx as nx

from builds import aggregates as A
from graph.rdf.iri import plan_from_id, short
from graph.views import agencies as graph_views
from graph.views import sectors as S
from graph.views.sector_facts import facts_from_rows

from .. import labels
from .. import sector_queries as SQ
from ..resources import Resources
from .common import period_text

SECTOR_CAP = 80  # nodes of the sector graph (the lexicon has 72 agency types)
EDGE_CAP = 120  # edges drawn; the downloads hold them all
PHONE_NODES = 16  # the busiest types drawn at phone width (the pairs table and the matrix hold every type)
PLAN_LIST_CAP = 100  # plans offered for the drill-down when the scope has at most this many
UNITS_PATH = "/sectors/units"  # the route of ``sector_units`` (web.routes)
AGENCY_GRAPH_PATH = "/agency-graph"
ROLE_SCOPES = tuple(S.THRESHOLD)  # all, lead,partner, lead
FACET_LABELS = {"plan_type": labels.PLAN_TYPE, "level": labels.LEVEL}


def aggregates(res: Resources) -> dict:
    """The generation's aggregates (cached per generation; dropped when SPARQL Update changes the store)."""
    return res.cached("sector-aggregates", lambda: _load(res))


def _load(res: Resources) -> dict:
    gen = res.generation
    if gen.layout is not None and gen.data_version == 0:
        found = A.load(gen.layout, lambda: agency_labels(res.store()))
        if found is not None:
            return found
    return from_store(res.store())


def agency_labels(store) -> dict[str, str]:
    """Agency id → label, from the store."""
    prefix = A.AGENCY_PREFIX
    return {r["a"][len(prefix) :]: r["label"] for r in SQ.agency_labels(store) if r["a"].startswith(prefix)}


def from_store(store) -> dict:
    """The aggregates made from the store's triples (the same as the build's, tested)."""
    plans = facts_from_rows(SQ.plans(store), SQ.domains(store), SQ.unit_counts(store), SQ.responsibilities(store))
    data = A.assemble([dict(p, agg=S.plan_aggregates(p)) for p in plans], agency_labels(store))
    types = {r["key"]: r.get("label") for r in SQ.type_labels(store)}
    concepts = {r["key"]: r["label"] for r in SQ.concept_labels(store)}
    lab = data["labels"]
    lab["sectors"] = {k: types.get(k) or v for k, v in lab["sectors"].items()}
    lab["concepts"] = {k: concepts.get(k) or v for k, v in lab["concepts"].items()}
    return data


# ----------------------------------------------------------------------------- scope


def scope_filters(args: dict) -> dict:
    """The plan filters of parsed parameters (empty ones left out): ``S.FILTERS`` and ``plan``."""
    return {k: args[k] for k in (*S.FILTERS, "plan") if args.get(k)}


def match_plan(plans: list[dict], plan: str) -> list[dict]:
    """The plans named by ``plan``: a plan id, its IRI or a part of its title."""
    key = plan_from_id(plan) if re.fullmatch(r"[0-9a-f]{12}", plan) else plan
    return [p for p in plans if p["iri"] == key or p["iri"].endswith("/" + key) or key in p["title"]]


def scope(res: Resources, filters: dict) -> tuple[list[dict], dict]:
    """The plans of ``filters`` and their summed counts (the stored totals when there is no filter)."""
    agg = aggregates(res)
    if not filters:
        return agg["plans"], agg["total"]
    plans = S.select_plans(agg["plans"], filters)
    if filters.get("plan"):
        plans = match_plan(plans, filters["plan"])
    return plans, S.merge(plans)


def units_url(filters: dict, role: str, **which: str | None) -> str:
    """The list of the units behind a node (sector), an edge (sector, with) or a cell (sector, domain)."""
    return UnitsLink(filters, role)(**which)


class UnitsLink:
    """``units_url`` for many nodes, edges and cells of one scope (its query string made once)."""

    def __init__(self, filters: dict, role: str):
        scope = {**filters, **({"role": role} if role != "all" else {})}
        self.tail = f"&{urlencode(scope)}" if scope else ""

    def __call__(self, **which: str | None) -> str:
        head = "&".join(f"{k}={quote(v, safe='')}" for k, v in which.items() if v)
        return f"{UNITS_PATH}?{head}{self.tail}" if head else f"{UNITS_PATH}?{self.tail[1:]}"


def _facets(plans: list[dict], filters: dict) -> dict:
    out = {}
    for name, values in S.facets(plans, filters).items():
        names = FACET_LABELS.get(name, {})
        out[name] = [
            {
                "value": v,
                "label": names.get(v, period_text(*v.split("-")) if name == "period" else v),
                "count": n,
            }
            for v, n in values
        ]
    return out


def _scope_info(plans: list[dict], total: dict) -> dict:
    info = {
        "plans": total["plans"],
        "units": total["units"],
        "agency_units": total["agency_units"],
        "agency_share": round(100 * total["agency_units"] / total["units"], 1) if total["units"] else 0.0,
        "sectors": len(total["sectors"]),
    }
    if len(plans) == 1:
        info["plan"] = {"id": short(plans[0]["iri"]), "title": plans[0]["title"]}
    return info


# ----------------------------------------------------------------------------- the sector view


def sector_view(res: Resources, filters: dict, role: str = "all") -> dict:
    """The sector graph (Cytoscape.js elements, capped), the matrix, the filters with their counts and the
    links to the units behind every node, edge and cell."""
    t = S.THRESHOLD[role]
    agg = aggregates(res)
    plans, total = scope(res, filters)
    total, collapsed = S.collapse(total, SECTOR_CAP, t)
    link = UnitsLink(filters, role)
    names = {**agg["labels"]["sectors"], S.OTHER_SECTORS: S.sector_labels()[S.OTHER_SECTORS]}
    G = S.sector_graph(total, t, names)
    edges = S.strongest_edges(G, EDGE_CAP)
    nodes = [
        {
            "data": {
                "id": key,
                "label": d["label"],
                "units": d["units"],
                "lead": d["lead"],
                "partner": d["partner"],
                "mentioned": d["mentioned"],
                "plans": d["plans"],
                "url": link(sector=key) if key != S.OTHER_SECTORS else None,
            }
        }
        for key, d in sorted(G.nodes(data=True), key=lambda kv: (-kv[1]["units"], kv[0]))
    ]
    edge_elements = []
    for a, b, d in edges:
        pair = total["pairs"].get(f"{a}|{b}") or [0] * 6
        edge_elements.append(
            {
                "data": {
                    "id": f"{a}|{b}",
                    "source": a,
                    "target": b,
                    "weight": d["weight"],
                    "plans": d["plans"],
                    "responsible": pair[1],  # units where both lead or partner
                    "url": link(sector=a, **{"with": b}) if S.OTHER_SECTORS not in (a, b) else None,
                }
            }
        )
    drawing = _drawing(nodes, edge_elements)
    m = S.matrix(total, t, names, agg["labels"]["concepts"])
    for row in m["rows"]:
        row["url"] = link(sector=row["sector"]) if row["sector"] != S.OTHER_SECTORS else None
    notices = []
    if collapsed:
        notices.append(
            f"共 {len(G) + collapsed - 1} 类部门，超过图的上限 {SECTOR_CAP}：图中显示条目最多的 {SECTOR_CAP - 1} 类，"
            f"其余 {collapsed} 类合并为“其他部门类型”。"
        )
    if G.number_of_edges() > len(edges):
        notices.append(
            f"共 {G.number_of_edges()} 对部门类型出现在同一条目中，图中只画出共同条目最多的 {len(edges)} 对；"
            "全部数据见下方 GraphML / GEXF 下载。"
        )
    cells_url = f"{UNITS_PATH}?sector={{sector}}&domain={{domain}}{link.tail}"  # a URL template for every cell
    return {
        "filters": {**{k: filters.get(k, "") for k in (*S.FILTERS, "plan")}, "role": role},
        "role_label": S.ROLE_SCOPE_LABEL[role],
        "scope": _scope_info(plans, total),
        "facets": _facets(aggregates(res)["plans"], filters),
        "graph": {
            "elements": {"nodes": nodes, "edges": edge_elements},
            "nodes": G.number_of_nodes(),
            "edges": len(edges),
            "edges_total": G.number_of_edges(),
            "node_cap": SECTOR_CAP,
            "edge_cap": EDGE_CAP,
            **drawing,
        },
        "notices": notices,
        "matrix": m,
        "cells_url": cells_url,
        "top_pairs": [
            {
                **p,
                "source_label": names.get(p["source"], p["source"]),
                "target_label": names.get(p["target"], p["target"]),
                "url": link(sector=p["source"], **{"with": p["target"]}),
            }
            for p in S.pairs_table(G, 12)
            if S.OTHER_SECTORS not in (p["source"], p["target"])
        ],
        "drill": _drill(plans, filters),
    }


def _drawing(nodes: list[dict], edges: list[dict]) -> dict:
    """Where the page draws each node (x, y, radius r, label lines; px, py for the phone's drawing of the
    ``PHONE_NODES`` busiest) and the view boxes of both drawings; nodes come busiest first."""
    if not nodes:
        return {"box": [0, 0, 1, 1], "phone_box": [0, 0, 1, 1], "phone_nodes": 0, "phone_edges": 0}
    top = max(n["data"]["units"] for n in nodes)
    keys = [n["data"]["id"] for n in nodes]
    full, phone = S.rings(keys), S.rings(keys[:PHONE_NODES], per_ring=6, gap=92, stretch=1.0)
    for n in nodes:
        d = n["data"]
        d["r"] = round(7 + 21 * (d["units"] / top) ** 0.5)
        d["lines"] = S.label_lines(d["label"])
        d["x"], d["y"] = full[d["id"]]
        if d["id"] in phone:
            d["px"], d["py"] = phone[d["id"]]

    def box(x: str, y: str) -> list[int]:
        placed = [n["data"] for n in nodes if x in n["data"]]
        x0 = min(d[x] - d["r"] for d in placed) - 60
        x1 = max(d[x] + d["r"] for d in placed) + 60
        y0 = min(d[y] - d["r"] for d in placed) - 10
        y1 = max(d[y] + d["r"] + 8 + 16 * len(d["lines"]) for d in placed) + 6
        return [x0, y0, x1 - x0, y1 - y0]

    kept = set(phone)
    return {
        "box": box("x", "y"),
        "phone_box": box("px", "py"),
        "phone_nodes": len(kept),
        "phone_edges": sum(1 for e in edges if e["data"]["source"] in kept and e["data"]["target"] in kept),
    }


def _drill(plans: list[dict], filters: dict) -> dict:
    """Where the per-agency graph of one plan or region is."""
    out: dict = {"path": AGENCY_GRAPH_PATH, "plans_total": len(plans)}
    if filters.get("region"):
        out["region_url"] = f"{AGENCY_GRAPH_PATH}?{urlencode({'region': filters['region']})}"
    if len(plans) <= PLAN_LIST_CAP:
        out["plans"] = [
            {"id": short(p["iri"]), "title": p["title"]} for p in sorted(plans, key=lambda p: (p["region"], p["title"]))
        ]
    return out


def sector_graph(res: Resources, filters: dict, role: str = "all") -> nx.Graph:
    """The whole sector graph of a scope (every edge, no cap): for GraphML and GEXF."""
    _, total = scope(res, filters)
    G = S.sector_graph(total, S.THRESHOLD[role], aggregates(res)["labels"]["sectors"])
    G.graph.update({"name": "PlanKG sector co-responsibility", "role_scope": role})
    return G


def matrix_csv(res: Resources, filters: dict, role: str = "all") -> str:
    agg = aggregates(res)
    _, total = scope(res, filters)
    t = S.THRESHOLD[role]
    return S.matrix_csv(S.matrix(total, t, agg["labels"]["sectors"], agg["labels"]["concepts"]), t)


def graph_file(G: nx.Graph, fmt: str) -> bytes:
    return graph_views.to_graphml(G) if fmt == "graphml" else graph_views.to_gexf(G)
