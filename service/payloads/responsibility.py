"""Who carries a unit when its plan names nobody: suggestions from counterparts that do name agencies."""

from __future__ import annotations

from graph.extract.agency_lexicon import types_by_key

from .. import queries as q
from ..links import page_path
from ..resources import Resources


def _type_label(key: str) -> str:
    t = types_by_key().get(key)
    return t.zh if t else key


# looser than a counterpart (embeddings.results.SIMILAR_THRESHOLD): a suggestion shows its evidence
SUGGEST_THRESHOLD = 0.35
SUGGEST_PER_PLAN = 5


def suggested_agencies(res: Resources, doc_id: str, link, limit: int = 6) -> list[dict]:
    """Agency types that other plans name on units similar to ``doc_id``, most plans first, each with its
    evidence (plan, agency as written, unit, similarity).

    A suggestion, not a fact of the unit: it only says who other plans make responsible for similar text.
    """
    hits = res.engine().similar(doc_id, per_plan=SUGGEST_PER_PLAN, threshold=SUGGEST_THRESHOLD)
    by_type: dict[str, dict] = {}
    for h in hits:
        doc = h.doc
        for name, key in zip(doc.agencies, doc.agency_keys, strict=False):
            s = by_type.setdefault(key, {"type": key, "label": _type_label(key), "plans": set(), "evidence": []})
            s["plans"].add(doc.plan_title)
            url = page_path(iri) if (iri := link.unit(doc.iri, doc.file, doc.line)) else None
            s["evidence"].append({"plan": doc.plan_title, "agency": name, "unit": url, "similarity": h.score})
    ranked = sorted(by_type.values(), key=lambda s: (-len(s["plans"]), -len(s["evidence"]), s["label"]))
    return [{**s, "plans": len(s["plans"])} for s in ranked[:limit]]


def agency_coverage(res: Resources) -> dict:
    """How many units name an agency at all, per plan and kind and in total (cached per generation)."""

    def compute() -> dict:
        per_plan: dict[str, dict] = {}
        total = {"units": 0, "named": 0, "carried": 0}
        by_kind: dict[str, dict] = {}
        for r in q.agency_coverage(res.store()):
            row = {"units": int(r["units"]), "named": int(r["named_units"]), "carried": int(r["carried_units"])}
            per_plan.setdefault(r["plan"], {})[r["kind"]] = row
            k = by_kind.setdefault(r["kind"], {"units": 0, "named": 0, "carried": 0})
            for key, v in row.items():
                k[key] += v
                total[key] += v
        return {"total": total, "by_kind": by_kind, "plans": per_plan}

    return res.cached("agency_coverage", compute)
