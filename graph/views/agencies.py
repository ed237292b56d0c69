"""Agency responsibility graphs (networkx).

Input rows: one per (unit, agency, role), as returned by ``service.queries.responsibilities``: keys
u, kind, plan, plan_title, d, domain_title, concept, a, label, region, role.

* ``bipartite(rows)``: agencies and units, an edge per responsibility (attribute ``role``);
* ``co_responsibility(B)``: the projection on agencies; edge ``weight`` = number of shared units;
* ``agency_domain(rows)``: agencies and domain concepts, edge ``weight`` = number of units;
* ``add_centrality(G)``: degree, weighted degree and betweenness (distance = 1 / weight; above
  ``BETWEENNESS_EXACT`` nodes estimated from ``BETWEENNESS_SAMPLES`` sampled sources, fixed seed);
* ``to_cytoscape`` / ``to_graphml`` / ``to_gexf``: exports.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable

import networkx as nx
from networkx.algorithms import bipartite as bp

from graph.rdf.ns import ID

CONCEPT_NS = str(ID) + "concept/"
# exact betweenness is O(n·m): 6.7 s for the 633 agencies of the 10x corpus; above this many nodes it is
# estimated from sampled sources (Brandes' pivots), which keeps the ranking of the top nodes
BETWEENNESS_EXACT = 300
BETWEENNESS_SAMPLES = 100


def _concept_key(concept: str | None) -> str:
    return (concept or "")[len(CONCEPT_NS) :] if (concept or "").startswith(CONCEPT_NS) else (concept or "")


def domain_key(row: dict) -> str:
    """The domain node of a row in the agency–domain view (key projects count under ``key-projects``)."""
    return _concept_key(row.get("concept")) or ("key-projects" if row.get("kind") == "key_project" else "other")


def filter_rows(
    rows: Iterable[dict], plan: str | None = None, domain: str | None = None, roles: Iterable[str] | None = None
) -> list[dict]:
    """``plan``: plan IRI, its short id or part of its title. ``domain``: concept key
    (``children-health``), topic (``health``), concept IRI, domain IRI or part of a domain title.
    ``roles``: keep only these roles (lead / partner / mentioned)."""
    roles = set(roles) if roles else None
    out = []
    for r in rows:
        if plan and not (r["plan"] == plan or r["plan"].endswith("/" + plan) or plan in (r.get("plan_title") or "")):
            continue
        if domain:
            key = _concept_key(r.get("concept"))
            if not (
                domain in (r.get("concept"), r.get("d"))
                or key == domain
                or key.endswith("-" + domain)
                or domain in (r.get("domain_title") or "")
            ):
                continue
        if roles and r.get("role") not in roles:
            continue
        out.append(r)
    return out


def bipartite(rows: Iterable[dict]) -> nx.Graph:
    B = nx.Graph()
    for r in rows:
        a, u = r["a"], r["u"]
        if a not in B:
            B.add_node(a, bipartite=0, kind="agency", label=r.get("label") or a, region=r.get("region") or "")
        if u not in B:
            B.add_node(
                u,
                bipartite=1,
                kind=r.get("kind") or "unit",
                label=r.get("kind") or "unit",
                plan=r.get("plan") or "",
                plan_title=r.get("plan_title") or "",
                domain=r.get("domain_title") or "",
                concept=_concept_key(r.get("concept")),
            )
        roles = set(B.edges[a, u]["role"].split(",")) if B.has_edge(a, u) else set()
        roles.add(r.get("role") or "mentioned")
        B.add_edge(a, u, role=",".join(sorted(roles)))
    return B


def _agency_attrs(B: nx.Graph, a: str) -> dict:
    roles = Counter(role for _, _, d in B.edges(a, data=True) for role in d["role"].split(","))
    units = B.degree(a)
    return {
        "units": units,
        "lead": roles.get("lead", 0),
        "partner": roles.get("partner", 0),
        "mentioned": roles.get("mentioned", 0),
    }


def co_responsibility(B: nx.Graph) -> nx.Graph:
    """Agencies linked when they share units; ``weight`` = number of shared units."""
    agencies = [n for n, d in B.nodes(data=True) if d.get("bipartite") == 0]
    if not agencies:
        return nx.Graph()
    G = bp.weighted_projected_graph(B, agencies)
    for a in agencies:
        G.nodes[a].update(_agency_attrs(B, a))
    carried = {"lead", "partner"}
    for a, b, d in G.edges(data=True):  # shared units where both carry it (lead or partner), not mere mentions
        d["carried"] = sum(
            1
            for u in set(B[a]) & set(B[b])
            if carried & set(B.edges[a, u]["role"].split(",")) and carried & set(B.edges[b, u]["role"].split(","))
        )
    return G


def agency_domain(rows: Iterable[dict]) -> nx.Graph:
    """Agencies and domain concepts (key projects count under ``key-projects``)."""
    rows = list(rows)
    B = bipartite(rows)
    G = nx.Graph()
    weights: Counter = Counter()
    labels: dict[str, str] = {}
    seen = set()
    for r in rows:
        if (r["a"], r["u"]) in seen:
            continue
        seen.add((r["a"], r["u"]))
        key = domain_key(r)
        node = "domain:" + key
        labels.setdefault(node, r.get("domain_title") or ("重点项目" if key == "key-projects" else key))
        weights[(r["a"], node)] += 1
    for (a, node), w in weights.items():
        if a not in G:
            G.add_node(a, kind="agency", label=B.nodes[a]["label"], region=B.nodes[a]["region"], **_agency_attrs(B, a))
        if node not in G:
            G.add_node(node, kind="domain", label=labels[node], region="", units=0)
        G.nodes[node]["units"] += w
        G.add_edge(a, node, weight=w)
    return G


def add_centrality(G: nx.Graph) -> nx.Graph:
    if not len(G):
        return G
    degree = nx.degree_centrality(G)
    for _u, _v, d in G.edges(data=True):
        d["distance"] = 1.0 / max(1, d.get("weight", 1))
    size = G.number_of_nodes()
    if size > BETWEENNESS_EXACT:
        k = min(size, BETWEENNESS_SAMPLES)
        between = nx.betweenness_centrality(G, k=k, weight="distance", normalized=True, seed=0)
        G.graph["betweenness"] = f"estimated from {k} sampled sources of {size}"
    else:
        between = nx.betweenness_centrality(G, weight="distance", normalized=True)
        G.graph["betweenness"] = "exact"
    for n in G.nodes:
        G.nodes[n]["degree"] = G.degree(n)
        G.nodes[n]["strength"] = int(G.degree(n, weight="weight"))
        G.nodes[n]["degree_centrality"] = round(degree[n], 4)
        G.nodes[n]["betweenness"] = round(between[n], 4)
    return G


def build(
    rows: Iterable[dict],
    *,
    plan: str | None = None,
    domain: str | None = None,
    roles: Iterable[str] | None = None,
    view: str = "agencies",
) -> nx.Graph:
    """The graph shown by the agency-graph page: ``view`` = agencies (co-responsibility) or domains."""
    rows = filter_rows(rows, plan, domain, roles)
    if view == "domains":
        G = agency_domain(rows)
    elif view == "agencies":
        G = co_responsibility(bipartite(rows))
    else:
        raise ValueError("view must be 'agencies' or 'domains'")
    return add_centrality(G)


def _clean(G: nx.Graph) -> nx.Graph:
    """A copy whose attribute values GraphML/GEXF accept (no None, no lists)."""
    H = nx.Graph()
    H.graph.update({k: str(v) for k, v in G.graph.items() if v is not None})
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: ("" if v is None else v) for k, v in d.items()})
    for u, v, d in G.edges(data=True):
        H.add_edge(u, v, **{k: ("" if x is None else x) for k, x in d.items()})
    return H


def to_graphml(G: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(_clean(G), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(G: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(_clean(G), buf, encoding="utf-8")
    return buf.getvalue()


def to_cytoscape(G: nx.Graph) -> dict:
    """Cytoscape.js elements: {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}."""
    nodes = [{"data": {"id": n, **d}} for n, d in G.nodes(data=True)]
    edges = [
        {"data": {"id": f"e{i}", "source": u, "target": v, **{k: x for k, x in d.items() if k != "distance"}}}
        for i, (u, v, d) in enumerate(G.edges(data=True))
    ]
    return {"nodes": nodes, "edges": edges}


def summary(G: nx.Graph, top: int = 10) -> dict:
    agencies = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == "agency"]

    def by(key: str) -> list[dict]:
        ranked = sorted(agencies, key=lambda x: (-x[1].get(key, 0), x[1]["label"]))[:top]
        return [{"id": n, "label": d["label"], key: d.get(key, 0)} for n, d in ranked]

    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "agencies": len(agencies),
        "top_degree": by("degree"),
        "top_betweenness": by("betweenness"),
    }
