"""The payload of one goal, measure or key project."""

from __future__ import annotations

from graph.rdf.iri import position, short

from .. import labels
from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import NotFound, agency_ref, indicator_row, law_ref, plan_ref, resolve_unit, unit_ref
from .responsibility import agency_coverage, suggested_agencies
from .search import Linker, _doc_id_for, similar


def unit_detail(res: Resources, uid: str, with_counterparts: bool = True) -> dict:
    iri = resolve_unit(res, uid)
    store = res.store()
    rows = q.unit(store, iri)
    if not rows:
        raise NotFound(f"no unit {uid!r}")
    r = rows[0]
    u = unit_ref({**r, "u": iri})
    u.update(
        end_line=r.get("end_line"),
        char_start=r.get("char_start"),
        char_end=r.get("char_end"),
        locator=r.get("locator") or "",
        locator_label=labels.locator_label(r.get("locator") or ""),
        plan=plan_ref(r["plan"], r["plan_title"]),
        domain={
            "iri": r.get("d"),
            "url": page_path(r["d"]) if r.get("d") else None,
            "title": r.get("domain_title") or "",
            "concept": short(r["concept"]).replace("concept/", "") if r.get("concept") else "",
        },
    )
    u["agencies"] = sorted(
        (
            agency_ref(
                a["a"],
                a["label"],
                role=a["role"],
                role_label=labels.ROLE.get(a["role"], a["role"]),
                region=a.get("region") or "",
                surfaces=a.get("surfaces") or "",
            )
            for a in q.unit_agencies(store, iri)
        ),
        key=lambda a: (a["role"] != "lead", a["label"]),
    )
    u["laws"] = [law_ref(x["l"], x["title"], x.get("type")) for x in q.unit_laws(store, iri)]
    u["indicators"] = [indicator_row(x) for x in sorted(q.unit_indicators(store, iri), key=lambda x: position(x["i"]))]
    u["citation"] = citation(u["plan"]["title"], u["domain"]["title"], u["kind"], u["number"])
    u["in_plan_url"] = f"{u['plan']['url']}#{u['anchor']}"
    u["plan_agency_coverage"] = agency_coverage(res)["plans"].get(r["plan"], {}).get(u["kind"])
    u["counterparts"] = None
    u["suggested_agencies"] = []
    if with_counterparts:
        try:
            u["counterparts"] = similar(res, iri)["counterparts"]
        except Exception:  # noqa: BLE001 - no search index: the unit page still works
            u["counterparts"] = None
        if u["counterparts"] is not None and not u["agencies"]:
            u["suggested_agencies"] = suggested_agencies(res, _doc_id_for(res, iri), Linker(res))
    return u


def citation(plan_title: str, domain_title: str, kind: str, number) -> str:
    """How a drafter cites a unit: 《曾都区儿童发展规划（2021—2030年）》“儿童与安全”策略措施 3."""
    where = f"“{domain_title}”" if domain_title and kind != "key_project" else ""
    return f"《{plan_title}》{where}{labels.KIND_CITED.get(kind, kind)} {number}"
