"""Responsibility by sector (agency type) across plans: aggregates, filters, the sector graph and the
sector × domain matrix, from the plan facts of ``graph.views.sector_facts``.

* ``plan_aggregates(plan)``: one plan's counts, computed at build time (``builds.aggregates``)::

      {"sectors": {"health": [L, P, M]},               # units by the strongest role the type plays
       "cells": {"health": {"children-health": [L, P, M]}},
       "pairs": {"education|health": [n1, n2, n3]}}    # units naming both, each with a role of rank >= t

  (rank: lead 3, partner 2, mentioned 1; the role scopes ``all``, ``lead,partner`` and ``lead`` are the
  thresholds t = 1, 2, 3);
* ``merge(plans)``: the sum over plans, with the number of plans behind each sector and pair;
* ``select_plans`` / ``facets``: the plans of a filter (plan type, level, region, period) and, for each
  filter, the plans of each value under the other filters;
* ``sector_graph(total, t)``: a networkx graph (nodes: agency types; edge ``weight``: shared units, ``plans``);
  ``matrix(total, labels)``: rows of [L, P, M] per column; ``matrix_csv``;
* ``select_units``: the units behind a node, an edge or a cell, which are exactly the ones counted there.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from graph import concepts as C
from graph.extract import agency_types
from graph.rdf.vocab import concept_labels

from .sector_facts import KEY_PROJECTS, NO_CONCEPT, UNKNOWN, column, rank

THRESHOLD = {"all": 1, "lead,partner": 2, "lead": 3}
ROLE_SCOPE_LABEL = {"all": "牵头、配合与提及", "lead,partner": "牵头与配合", "lead": "仅牵头"}
FILTERS = ("plan_type", "level", "region", "period")
OTHER_SECTORS = "other-types"  # the node that stands for the types beyond a cap


# ----------------------------------------------------------------------------- per plan


def plan_aggregates(plan: dict) -> dict:
    """The counts of one plan's facts (see the module docstring)."""
    sectors: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    cells: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    pairs: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, masks in plan["resp"]:
        col = column(plan, path)
        ranks = {k: rank(m) for k, m in masks.items()}
        for key, r in ranks.items():
            sectors[key][3 - r] += 1
            cells[key][col][3 - r] += 1
        keys = sorted(ranks)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                counts = pairs[f"{a}|{b}"]
                for t in range(min(ranks[a], ranks[b])):
                    counts[t] += 1
    return {
        "agency_units": len(plan["resp"]),
        "sectors": {k: sectors[k] for k in sorted(sectors)},
        "cells": {k: {c: cells[k][c] for c in sorted(cells[k])} for k in sorted(cells)},
        "pairs": {p: pairs[p] for p in sorted(pairs)},
    }


def merge(plans: Iterable[dict]) -> dict:
    """The sum of the plans' ``agg``: sectors [L, P, M, plans(t=1), plans(t=2), plans(t=3)], cells [L, P, M],
    pairs [units(t=1), units(t=2), units(t=3), plans(t=1), plans(t=2), plans(t=3)], and the scope (plans,
    units, units naming an agency)."""
    sectors: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    cells: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    pairs: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    n = units = agency_units = 0
    for plan in plans:
        agg = plan["agg"]
        n += 1
        units += plan["units"]
        agency_units += agg["agency_units"]
        for key, lpm in agg["sectors"].items():
            s = sectors[key]
            for i in range(3):
                s[i] += lpm[i]
            for t in (1, 2, 3):
                if sector_units(lpm, t):
                    s[2 + t] += 1
        for key, cols in agg["cells"].items():
            row = cells[key]
            for col, lpm in cols.items():
                cell = row[col]
                for i in range(3):
                    cell[i] += lpm[i]
        for pair, counts in agg["pairs"].items():
            p = pairs[pair]
            for t in range(3):
                p[t] += counts[t]
                p[3 + t] += 1 if counts[t] else 0
    return {
        "plans": n,
        "units": units,
        "agency_units": agency_units,
        "sectors": {k: sectors[k] for k in sorted(sectors)},
        "cells": {k: {c: v for c, v in sorted(cols.items())} for k, cols in sorted(cells.items())},
        "pairs": {p: pairs[p] for p in sorted(pairs)},
    }


def sector_units(entry: list[int], t: int) -> int:
    """Units of a merged sector entry (or a cell's [L, P, M]) in role scope t."""
    return sum(entry[: 4 - t])


def sector_plans(entry: list[int], t: int) -> int:
    """Plans naming the sector of a merged entry in role scope t."""
    return entry[2 + t]


# ----------------------------------------------------------------------------- filters


def period_of(plan: dict) -> str:
    return f"{plan['start']}-{plan['end']}" if plan.get("start") and plan.get("end") else ""


def _norm_period(s: str) -> str:
    return s.replace("—", "-").replace("–", "-").replace("－", "-").replace(" ", "")


def plan_matches(plan: dict, filters: dict, skip: str | None = None) -> bool:
    """Whether ``plan`` passes every filter but ``skip``: plan_type and level exact, region exact or a part
    of it (杭州 → 杭州市), period "2021-2030" or a year inside the period (the search filters' rules)."""
    for name in FILTERS:
        v = filters.get(name)
        if not v or name == skip:
            continue
        if name == "plan_type" and plan["type"] != v:
            return False
        if name == "level" and plan["level"] != v:
            return False
        if name == "region" and not (plan["region"] == v or v in plan["region"]):
            return False
        if name == "period":
            pv, own = _norm_period(v), period_of(plan)
            inside = pv.isdigit() and bool(own) and plan["start"] <= int(pv) <= plan["end"]
            if pv != own and not inside:
                return False
    return True


def select_plans(plans: Iterable[dict], filters: dict) -> list[dict]:
    return [p for p in plans if plan_matches(p, filters)]


def facets(plans: list[dict], filters: dict) -> dict[str, list[tuple[str, int]]]:
    """For each filter: (value, plans) under the other filters, by value (regions by count)."""
    out = {}
    for name in FILTERS:
        counts: Counter = Counter()
        for p in plans:
            if plan_matches(p, filters, skip=name):
                value = {"plan_type": p["type"], "level": p["level"], "region": p["region"]}.get(name, period_of(p))
                if value:
                    counts[value] += 1
        order = (lambda kv: (-kv[1], kv[0])) if name == "region" else (lambda kv: kv[0])
        out[name] = sorted(counts.items(), key=order)
    return out


# ----------------------------------------------------------------------------- labels


def sector_labels(keys: Iterable[str] = ()) -> dict[str, str]:
    """Chinese labels of agency types (the lexicon's), for the lexicon's types and ``keys``."""
    labels = {d["key"]: d["zh"] for d in agency_types()}
    labels[UNKNOWN] = "未归类部门"
    labels[OTHER_SECTORS] = "其他部门类型"
    for k in keys:
        labels.setdefault(k, k)
    return labels


def concept_label(key: str, titles: Iterable[str] = ()) -> str:
    """The Chinese label of a domain concept, as the build gives it (``graph.rdf.vocab.concept_labels``)."""
    if key == KEY_PROJECTS:
        return "重点项目"
    if key == NO_CONCEPT:
        return "其他领域"
    found = sorted(t for t in titles if t)
    return concept_labels(key, found[0] if found else "")[0]


def concept_titles(plans: Iterable[dict]) -> dict[str, set[str]]:
    titles: dict[str, set[str]] = defaultdict(set)
    for p in plans:
        for title, concept in p["domains"]:
            if concept:
                titles[concept].add(title)
    return titles


_POPULATION = {key: zh for key, zh, _ in C.POPULATIONS.values()}
_TOPIC_ORDER = {t: i for i, t in enumerate(C.TOPICS)}
_GROUP_ORDER = {key: i for i, key in enumerate(dict.fromkeys(k for k, _, _ in C.POPULATIONS.values()))}


def column_info(key: str, label: str) -> dict:
    """A matrix column: its key, full label, the population group it sits under and a short label."""
    if key in (KEY_PROJECTS, NO_CONCEPT):
        return {"key": key, "label": label, "group": "", "short": label, "order": (98 + (key == NO_CONCEPT), 0, key)}
    pop, _, topic = key.partition("-")
    group = _POPULATION.get(pop, "")
    short = C.TOPICS[topic][0] if topic in C.TOPICS else label.removeprefix(group).removeprefix("与") or label
    return {
        "key": key,
        "label": label,
        "group": group,
        "short": short,
        "order": (_GROUP_ORDER.get(pop, 50), _TOPIC_ORDER.get(topic, 90), key),
    }


# ----------------------------------------------------------------------------- views


def collapse(total: dict, cap: int, t: int) -> tuple[dict, int]:
    """``total`` with at most ``cap`` sectors: the ones with the most units in scope t stay, the others are
    summed into ``other-types`` (pairs between two of them dropped). Returns it and how many were summed."""
    ranked = sorted(total["sectors"], key=lambda k: (-sector_units(total["sectors"][k], t), k))
    if len(ranked) <= cap:
        return total, 0
    keep = set(ranked[: cap - 1])

    def name(k: str) -> str:
        return k if k in keep else OTHER_SECTORS

    sectors: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for k, v in total["sectors"].items():
        s = sectors[name(k)]
        for i in range(6):  # the summed plan counts are an upper bound: a plan can count for several types
            s[i] += v[i]
    cells: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for k, cols in total["cells"].items():
        for col, lpm in cols.items():
            for i in range(3):
                cells[name(k)][col][i] += lpm[i]
    pairs: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for pair, v in total["pairs"].items():
        a, b = sorted(map(name, pair.split("|")))
        if a != b:
            p = pairs[f"{a}|{b}"]
            for i in range(6):
                p[i] += v[i]
    out = dict(total, sectors=dict(sectors), cells={k: dict(c) for k, c in cells.items()}, pairs=dict(pairs))
    return out, len(ranked) - len(keep)


def sector_graph(total: dict, t: int, labels: dict[str, str]) -> nx.Graph:
    """Agency types (node attributes: label, units in scope t, lead / partner / mentioned, plans) linked by
    the units they share (``weight``) and the plans showing the pair (``plans``)."""
    G = nx.Graph()
    for key, v in total["sectors"].items():
        units = sector_units(v, t)
        if units:
            G.add_node(
                key,
                kind="sector",
                label=labels.get(key, key),
                units=units,
                lead=v[0],
                partner=v[1],
                mentioned=v[2],
                plans=sector_plans(v, t),
            )
    for pair, v in total["pairs"].items():
        a, b = pair.split("|")
        if v[t - 1] and a in G and b in G:
            G.add_edge(a, b, weight=v[t - 1], plans=v[3 + t - 1])
    for n in G.nodes:
        G.nodes[n]["degree"] = G.degree(n)
        G.nodes[n]["strength"] = int(G.degree(n, weight="weight"))
    return G


def strongest_edges(G: nx.Graph, cap: int) -> list[tuple[str, str, dict]]:
    """The ``cap`` edges with the most shared units (then plans), in that order."""
    edges = sorted(G.edges(data=True), key=lambda e: (-e[2]["weight"], -e[2]["plans"], e[0], e[1]))
    return edges[:cap]


def matrix(total: dict, t: int, labels: dict[str, str], col_labels: dict[str, str]) -> dict:
    """Rows (sectors with units in scope t, most first) × columns (concepts by population and topic, then
    key projects and domains without a concept); each cell [L, P, M] (0 when empty)."""
    cols = sorted(
        (column_info(c, col_labels.get(c, c)) for c in {c for row in total["cells"].values() for c in row}),
        key=lambda c: c["order"],
    )
    rows = []
    for key, v in total["sectors"].items():
        units = sector_units(v, t)
        if not units:
            continue
        row = total["cells"].get(key, {})
        rows.append(
            {
                "sector": key,
                "label": labels.get(key, key),
                "units": units,
                "cells": [row.get(c["key"]) or 0 for c in cols],
            }
        )
    rows.sort(key=lambda r: (-r["units"], r["sector"]))
    groups: list[dict] = []
    for c in cols:
        del c["order"]
        if groups and groups[-1]["label"] == c["group"]:
            groups[-1]["span"] += 1
        else:
            groups.append({"label": c["group"], "span": 1})
    top = max((sector_units(cell, t) for r in rows for cell in r["cells"] if cell), default=0)
    return {"columns": cols, "groups": groups, "rows": rows, "max": top}


def matrix_csv(m: dict, t: int) -> str:
    """The matrix as CSV (UTF-8 with a BOM for spreadsheets): one row per sector, one column per concept,
    each cell the units in role scope t."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["部门类型", "type"] + [c["label"] for c in m["columns"]])
    w.writerow(["", ""] + [c["key"] for c in m["columns"]])
    for r in m["rows"]:
        w.writerow([r["label"], r["sector"]] + [sector_units(c, t) if c else 0 for c in r["cells"]])
    return "\ufeff" + buf.getvalue()


def select_units(
    plans: Iterable[dict], sector: str, t: int, other: str | None = None, col: str | None = None
) -> Iterator[tuple[dict, str, dict[str, int]]]:
    """(plan, unit path, role masks) of the units counted in a node (``sector``), an edge (``other``) or a
    cell (``col``) in role scope t."""
    for plan in plans:
        for path, masks in plan["resp"]:
            if rank(masks.get(sector, 0)) < t:
                continue
            if other is not None and rank(masks.get(other, 0)) < t:
                continue
            if col is not None and column(plan, path) != col:
                continue
            yield plan, path, masks


def pairs_table(G: nx.Graph, top: int) -> list[dict[str, Any]]:
    """The pairs sharing the most units, for the page's list (the graph's table alternative)."""
    return [
        {"source": a, "target": b, "weight": d["weight"], "plans": d["plans"]} for a, b, d in strongest_edges(G, top)
    ]


def rings(keys: list[str], per_ring: int = 8, gap: float = 100.0, stretch: float = 1.45) -> dict[str, tuple[int, int]]:
    """A deterministic concentric layout: ``keys`` in order (the busiest first) on rings around the first one,
    ring r holding ``per_ring`` × r of them, evenly spread (the last ring too), each ring turned half a step
    from the one inside it; stretched sideways to fit a wide page. Returns key → (x, y) around (0, 0)."""
    out: dict[str, tuple[int, int]] = {}
    if not keys:
        return out
    out[keys[0]] = (0, 0)
    i, r = 1, 1
    while i < len(keys):
        ring = keys[i : i + per_ring * r]
        for j, key in enumerate(ring):
            angle = -math.pi / 2 + 2 * math.pi * (j + 0.5 * (r % 2)) / len(ring)
            out[key] = (round(r * gap * stretch * math.cos(angle)), round(r * gap * math.sin(angle)))
        i += len(ring)
        r += 1
    return out


def label_lines(label: str, width: int = 5) -> list[str]:
    """A node label for a drawing: without the trailing 部门, in lines of at most ``width`` characters."""
    text = label.removesuffix("部门") or label
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    if len(lines) > 1 and len(lines[-1]) == 1:  # no line of one character: the last two share out
        lines[-2:] = [lines[-2][:-1], lines[-2][-1] + lines[-1]]
    return lines
