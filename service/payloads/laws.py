"""Payloads of cited laws and policy documents."""

from __future__ import annotations

from collections import OrderedDict

from graph.rdf.iri import is_safe_iri, law_from_id

from .. import queries as q
from ..resources import Resources
from .common import NotFound, domain_position, law_ref, plan_ref, unit_order, unit_ref


def laws_list(res: Resources) -> list[dict]:
    return [
        {**law_ref(r["l"], r["title"], r.get("type")), "plans": r["plans"], "citations": r["citations"]}
        for r in q.laws(res.store())
    ]


def law_detail(res: Resources, lid: str) -> dict:
    L = law_from_id(lid)
    if not is_safe_iri(L):
        raise NotFound(lid)
    store = res.store()
    info = q.law(store, L)
    if not info:
        raise NotFound(f"no law {lid!r}")
    by_plan: OrderedDict[str, dict] = OrderedDict()
    for r in sorted(
        q.law_citations(store, L),
        key=lambda r: (
            r["plan_title"],
            domain_position(r.get("u") or ""),
            unit_order({"iri": r.get("u") or "", "kind": r.get("kind")}),
        ),
    ):
        p = by_plan.setdefault(r["plan"], {**plan_ref(r["plan"], r["plan_title"]), "in_preamble": False, "units": []})
        if r.get("u"):
            p["units"].append({**unit_ref(r), "domain": r.get("domain_title") or "重点项目"})
        else:
            p["in_preamble"] = True
    return {
        **law_ref(L, info[0]["title"], info[0].get("type")),
        "alt_labels": info[0].get("alt_labels") or "",
        "plans": list(by_plan.values()),
    }
