"""The whole check of a draft: per draft plan its peers, then unit by unit counterparts and suggestions, the
topics it misses, its targets against the peers', and a summary a drafter reads first."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import numpy as np

from embeddings.results import SIMILAR_THRESHOLD

from .corpus import CorpusView
from .counterparts import best_per_plan, unit_entry
from .drafts import Draft, domain_label, table_indicators
from .targets import POSITIONS, compare_targets, target_of
from .topics import missing_topics


def _targets(draft: Draft, k: int) -> list[dict]:
    """Every indicator target of draft plan ``k``: from unit text, then from its indicator tables."""
    out: list[dict[str, Any]] = []
    seen: set[tuple] = set()
    for u in draft.plan_units(k):
        for ind in u.indicators:
            out.append({"name": ind.name, "concept": ind.concept, "unit_id": u.id, "line": u.line, "ind": ind})
    for ind, line in table_indicators(draft.plans[k]):
        out.append({"name": ind.name, "concept": ind.concept, "unit_id": None, "line": line, "ind": ind})
    result = []
    for t in out:
        ind = t.pop("ind")
        t["target"] = target_of(ind)
        sig = (t["concept"], ind.value, ind.unit, ind.comparator, ind.year, ind.change_direction, ind.change_amount)
        if sig not in seen:
            seen.add(sig)
            result.append(t)
    return result


def _coverage(view: CorpusView, plan_type: str, peers, units: list[dict], missing: list[dict]) -> list[dict]:
    """Per domain concept: the draft's units, how many have counterparts, how many are new, the topics missed
    there, and how many peer plans of the draft's type have the domain (a domain the draft lacks shows too)."""
    peer_ids = {p.index for p in peers if p.plan_type == plan_type}
    have: dict[str, set[int]] = {}
    titles: dict[str, str] = {}
    for i in view.docs_of([p for p in peers if p.index in peer_ids]).tolist():
        d = view.docs[i]
        have.setdefault(d.domain_concept, set()).add(int(view.doc_plan[i]))
        titles.setdefault(d.domain_concept, d.domain_title)
    rows: dict[str, dict] = {}
    for u in units:
        r = rows.setdefault(
            u["domain"],
            {
                "domain": u["domain"],
                "domain_label": domain_label(u["domain"], u["domain_title"]),
                "units": 0,
                "with_counterparts": 0,
                "new": 0,
                "missing_topics": 0,
                "peer_plans": 0,
            },
        )
        r["units"] += 1
        r["with_counterparts" if u["counterparts"] else "new"] += 1
    for concept in have:
        rows.setdefault(
            concept,
            {
                "domain": concept,
                "domain_label": domain_label(concept, titles[concept]),
                "units": 0,
                "with_counterparts": 0,
                "new": 0,
                "missing_topics": 0,
                "peer_plans": 0,
            },
        )
    for m in missing:
        if m["domain"] in rows:
            rows[m["domain"]]["missing_topics"] += 1
    for concept, r in rows.items():
        r["peer_plans"] = len(have.get(concept, ()))
        r["share"] = round(r["with_counterparts"] / r["units"], 3) if r["units"] else 0.0
    # the draft's domains in its order, key projects after them, then domains only the peers have
    return sorted(rows.values(), key=lambda r: (r["units"] == 0, r["domain"] == "", -r["peer_plans"]))


def check_draft(
    view: CorpusView,
    draft: Draft,
    filters: dict | None,
    indicator_rows: list[dict],
    *,
    lock=None,
    reuse: bool = True,
    threshold: float | None = None,
    encoders=None,
    seconds: dict | None = None,
) -> dict:
    """The report of ``draft`` (see the README, "Checking a draft"): nothing is stored."""
    t0 = time.perf_counter()
    timing = dict(seconds or {})
    threshold = SIMILAR_THRESHOLD if threshold is None else threshold
    names = view.models(encoders)  # ValueError for an encoder the index does not have
    vectors, encoded = view.encode([u.text for u in draft.units], lock=lock, reuse=reuse, names=names)
    timing["encode"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    topics = view.topics()
    timing["topics"] = time.perf_counter() - t1
    rows_of = {u.id: r for r, u in enumerate(draft.units)}
    units: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    drafts: list[dict[str, Any]] = []
    compare_s = target_s = 0.0
    for k, plan in enumerate(draft.plans):
        t2 = time.perf_counter()
        peers = view.peers(filters, exclude_title=plan.title)
        peer_docs = view.docs_of(peers)
        groups = np.unique(view.doc_group[peer_docs]) if len(peer_docs) else np.zeros(0, np.int64)
        col = {int(g): c for c, g in enumerate(groups.tolist())}
        mine = draft.plan_units(k)
        idx = [rows_of[u.id] for u in mine]
        sim = (
            view.similarity({n: v[idx] for n, v in vectors.items()}, groups)
            if len(groups) and mine
            else np.zeros((len(mine), 0), np.float32)
        )
        hits = best_per_plan(view, sim, peer_docs, col, threshold)
        entries = [
            unit_entry(view, u, hits[r], plan.region, plan.level) | {"draft_plan": k} for r, u in enumerate(mine)
        ]
        whole = k not in draft.partial  # a bare list of measures misses every other topic: not listed
        lost = missing_topics(view, topics, plan.plan_type, peers, mine, sim, col) if len(groups) and whole else []
        for m in lost:
            m["draft_plan"] = k
        compare_s += time.perf_counter() - t2
        t3 = time.perf_counter()
        titles = {p.iri: p.title for p in peers}
        targets = [t | {"draft_plan": k} for t in compare_targets(_targets(draft, k), indicator_rows, titles)]
        target_s += time.perf_counter() - t3
        positions = Counter(t["position"] for t in targets)
        drafts.append(
            {
                "index": k,
                "title": plan.title,
                "type": plan.plan_type,
                "region": plan.region,
                "level": plan.level,
                "period": [plan.period_start, plan.period_end],
                "peers": [p.to_dict() for p in peers],
                "summary": {
                    "units": len(entries),
                    "with_counterparts": sum(1 for e in entries if e["counterparts"]),
                    "new": sum(1 for e in entries if e["new"]),
                    "missing_topics": len(lost),
                    "targets": len(targets),
                    **{f"{p}_targets": positions.get(p, 0) for p in POSITIONS},
                },
                "coverage": _coverage(view, plan.plan_type, peers, entries, lost),
            }
        )
        units += entries
        missing += lost
        indicators += targets
    timing["compare"] = compare_s
    timing["targets"] = target_s
    timing["total"] = timing.get("parse", 0.0) + time.perf_counter() - t0
    positions = Counter(t["position"] for t in indicators)
    return {
        "against": filters or {},
        "notices": list(draft.notices),
        "threshold": threshold,
        "encoders": names,
        "plans": [p.to_dict() for p in draft.plans],
        "drafts": drafts,
        "summary": {
            "plans": len(draft.plans),
            "peers": len({p["plan"] for d in drafts for p in d["peers"]}),
            "units": len(units),
            "with_counterparts": sum(1 for u in units if u["counterparts"]),
            "new": sum(1 for u in units if u["new"]),
            "missing_topics": len(missing),
            "targets": len(indicators),
            **{f"{p}_targets": positions.get(p, 0) for p in POSITIONS},
            "encoded": encoded,
        },
        "units": units,
        "indicators": indicators,
        "missing_topics": missing,
        "seconds": {k: round(v, 3) for k, v in timing.items()},
    }
