"""Payloads of indicator targets and their comparison across plans, grouped by indicator concept.

Every indicator points to a normalised concept (``pkg:indicatorConcept``, scheme ``id:scheme/indicators``):
"每千人口拥有3岁以下婴幼儿托位数" and "每千人拥有3岁以下婴幼儿托位数" are one concept, listed once
with the wordings seen. The comparison takes any wording (or the concept's label) and shows every
target of that concept; relative targets ("以2020年为基数下降20%") show the change, not a value.
"""

from __future__ import annotations

from urllib.parse import unquote

from graph.extract.indicator_concepts import concept_key, normal_name
from graph.rdf.indicators import concept_iri

from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import indicator_row, plan_ref

_DIRECTION = {"decrease": "下降", "increase": "提高"}
_PREFIX = str(concept_iri(""))


def norm_name(name: str) -> str:
    """Indicator names compared in their normal form (width, spaces, dashes, quotes, 每千人口/每千人 …)."""
    return normal_name(name)


def _key_of(concept: str | None, name: str) -> str:
    if concept and concept.startswith(_PREFIX):
        return unquote(concept[len(_PREFIX) :])
    return concept_key(name)


def change_text(r: dict) -> str:
    """The change of a relative target as text ("较2020年下降20%", "年均提高≥6%"); "" for any other."""
    direction = _DIRECTION.get(r.get("change_direction") or "")
    if not direction or r.get("change_amount") is None:
        return ""
    unit = str(r.get("change_unit") or "")
    per_year = unit.endswith("/年")
    base = f"较{r['baseline_year']}年" if r.get("baseline_year") else ("年均" if per_year else "")
    comparator = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "approx": "约"}.get(r.get("comparator") or "", "")
    return f"{base}{direction}{comparator}{r['change_amount']}{unit.removesuffix('/年')}"


def indicator_rows(res: Resources) -> list[dict]:
    def load():
        out = []
        for r in q.indicators(res.store()):
            row = indicator_row(r)
            key = _key_of(r.get("concept"), r["name"])
            row.update(
                source=r["source"],
                plan=plan_ref(r["plan"], r["plan_title"], region=r.get("region") or ""),
                unit_iri=r.get("u"),
                unit_url=page_path(r["u"]) if r.get("u") else None,
                file=r.get("i_file") or r.get("u_file"),
                line=r.get("i_line") or r.get("u_line"),
                key=key,
                concept={"key": key, "iri": r.get("concept") or str(concept_iri(key)), "label": r.get("concept_label")},
                year_inferred=bool(r.get("year_inferred")),
                change={
                    "direction": r.get("change_direction"),
                    "amount": r.get("change_amount"),
                    "unit": r.get("change_unit"),
                }
                if r.get("change_direction")
                else None,
                change_text=change_text(r),
            )
            out.append(row)
        return out

    return res.cached("indicators", load)


def indicators_list(res: Resources) -> list[dict]:
    """One item per indicator concept: its label, the wordings seen, how many plans and targets."""
    groups: dict[str, dict] = {}
    for r in indicator_rows(res):
        g = groups.setdefault(r["key"], {"label": r["concept"]["label"], "names": set(), "plans": set(), "targets": 0})
        g["names"].add(r["name"])
        g["plans"].add(r["plan"]["iri"])
        g["targets"] += 1
    out = [
        {
            "name": g["label"] or min(g["names"]),
            "concept": key,
            "names": sorted(g["names"]),
            "plans": len(g["plans"]),
            "targets": g["targets"],
        }
        for key, g in groups.items()
    ]
    return sorted(out, key=lambda g: (-g["plans"], -g["targets"], g["name"]))


def _matching(rows: list[dict], name: str) -> list[dict]:
    """The rows of the concept ``name`` is a wording (or the label) of; else of every concept with a
    wording that contains it."""
    key = concept_key(name)
    found = [r for r in rows if r["key"] == key]
    if found:
        return found
    n = normal_name(name)
    keys = {r["key"] for r in rows if n in (normal_name(r["name"]), normal_name(r["concept"]["label"] or ""))}
    if not keys and n:
        keys = {r["key"] for r in rows if n in normal_name(r["name"]) or n in normal_name(r["concept"]["label"] or "")}
    return [r for r in rows if r["key"] in keys]


def indicator_compare(res: Resources, name: str) -> dict:
    rows = sorted(_matching(indicator_rows(res), name), key=lambda r: (r["plan"]["title"], r["year"] or 0, r["source"]))
    concepts = {r["key"]: r["concept"] for r in rows}
    return {
        "name": name,
        "concepts": [concepts[k] for k in sorted(concepts)],
        "matched_names": sorted({r["name"] for r in rows}),
        "rows": rows,
        "plans": len({r["plan"]["iri"] for r in rows}),
    }
