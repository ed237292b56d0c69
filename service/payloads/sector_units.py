"""Payload of the units behind a node, an edge or a cell of the sector view (/sectors/units): exactly the units
counted there (``graph.views.sectors.select_units`` on the precomputed facts), one page of them with their text
read from the store."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from graph.rdf.iri import short
from graph.rdf.ns import ID
from graph.views import sectors as S
from graph.views.sector_facts import ROLE_BIT, ROLES, agency_tail, kind_of_path, rank, strongest

from .. import labels
from .. import sector_queries as SQ
from ..links import page_path
from ..resources import Resources
from .sectors import aggregates, scope


def _check(value: str | None, known: Iterable[str], what: str, param: str) -> None:
    known = set(known)
    if value and value not in known:
        sample = "、".join(sorted(known)[:12])
        raise ValueError(f"{param}: {what} {value!r} does not occur in the plans (some that do: {sample})")


def sector_units(
    res: Resources,
    sector: str,
    filters: dict,
    role: str = "all",
    other: str | None = None,
    domain: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """The units counted in a node (``sector``), an edge (``sector`` and ``other``) or a cell (``sector`` and
    ``domain``: a concept key, ``key-projects`` or ``other``) of the sector view, one page of them with
    their text."""
    agg = aggregates(res)
    names = agg["labels"]["sectors"]
    concepts = agg["labels"]["concepts"]
    _check(sector, names, "agency type", "sector")
    _check(other, names, "agency type", "with")
    _check(domain, concepts, "domain", "domain")
    if other == sector:
        raise ValueError("with: give another agency type than sector")
    plans, _ = scope(res, filters)
    t = S.THRESHOLD[role]
    found = sorted(
        S.select_units(plans, sector, t, other=other, col=domain),
        key=lambda x: (x[0]["title"], _doc_order(x[1])),
    )
    pages = max(1, -(-len(found) // per_page))
    page = min(page, pages)
    chosen = found[(page - 1) * per_page : page * per_page]
    texts = SQ.unit_texts(res.store(), [f"{p['iri']}/{path}" for p, path, _ in chosen])
    agencies = agg["labels"]["agencies"]
    items = [_unit_item(p, path, masks, names, agencies, texts, (sector, other)) for p, path, masks in chosen]
    title = names[sector] + (f" 与 {names[other]}" if other else "") + (f" · {concepts[domain]}" if domain else "")
    return {
        "title": title,
        "sector": {"key": sector, "label": names[sector]},
        "with": {"key": other, "label": names[other]} if other else None,
        "domain": {"key": domain, "label": concepts[domain]} if domain else None,
        "role": role,
        "role_label": S.ROLE_SCOPE_LABEL[role],
        "filters": {k: filters.get(k, "") for k in (*S.FILTERS, "plan")},
        "scope_plans": len(plans),
        "items": items,
        "total": len(found),
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "back": sectors_url(filters, role),
    }


def sectors_url(filters: dict, role: str) -> str:
    """The sector view of the same scope."""
    params = {**filters, **({"role": role} if role != "all" else {})}
    return "/sectors" + (f"?{urlencode(params)}" if params else "")


def _doc_order(path: str) -> tuple:
    parts = path.split("/")
    if parts[0] == "domain":
        return (0, int(parts[1]), parts[2] != "goal", int(parts[3]))
    return (1, 0, False, int(parts[-1]))


def _unit_item(plan: dict, path: str, masks: dict, names: dict, agency_names: dict, texts: dict, chosen: tuple) -> dict:
    """A unit of the list: its text, plan, domain and every agency it names, the chosen types first."""
    u = f"{plan['iri']}/{path}"
    kind = kind_of_path(path)
    text = texts.get(u, {})
    agencies = []
    for key, mask in sorted(masks.items(), key=lambda kv: (kv[0] not in chosen, -rank(kv[1]), kv[0])):
        tail = agency_tail(plan["region"], key)
        role = strongest(mask)
        agencies.append(
            {
                "key": key,
                "type_label": names.get(key, key),
                "label": agency_names.get(tail) or names.get(key, key),
                "url": page_path(f"{ID}agency/{tail}"),
                "role": role,
                "role_label": labels.ROLE[role],
                "roles": [r for r in ROLES if mask & ROLE_BIT[r]],
                "selected": key in chosen,
            }
        )
    if kind == "key_project":
        domain = labels.KIND["key_project"]
    else:
        domain = plan["domains"][int(path.split("/")[1]) - 1][0]
    return {
        "iri": u,
        "url": page_path(u),
        "kind": kind,
        "kind_label": labels.KIND.get(kind, kind),
        "number": text.get("number"),
        "title": text.get("title") or "",
        "text": text.get("text") or "",
        "plan": {
            "id": short(plan["iri"]),
            "title": plan["title"],
            "url": page_path(plan["iri"]),
            "region": plan["region"],
        },
        "domain": domain,
        "agencies": agencies,
    }
