"""Responsibility facts per plan: what the sector views and the agency graph are computed from.

One dict per plan, made once per file when a build or delta derives it (``builds.aggregates``)::

    {"iri", "title", "region", "level", "type", "start", "end",
     "units": 128,                                # goals + measures + key projects
     "domains": [["儿童与健康", "children-health"], …],   # by position (the n of …/domain/n)
     "resp": [["domain/2/measure/5", {"health": 5, "education": 1}], …]}

``resp`` lists the units that name an agency, by their path below the plan, with a bit mask of the
roles each agency type plays there (lead 4, partner 2, mentioned 1). A mention's agency is the agency
of its type in the plan's region (``graph.rdf.mentions``), so the type key names it within the plan.

``plan_facts`` reads a ``graph.model.Plan`` or its ``to_dict`` form (a part's parsed.json);
``facts_from_rows`` makes the same from SPARQL rows (a store changed by SPARQL Update, or a generation
without the precomputed files). ``responsibility_rows`` gives back, from the facts, exactly the rows of
``service.queries.responsibilities`` (one per unit, agency and role).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from graph.rdf import iri
from graph.rdf.ns import ID

# what the facts mean: bump it with any change here or in ``graph.views.sectors.plan_aggregates``, so that the
# next delta derives the kept files' facts again (their parts are reused while the parts fingerprint holds)
FACTS_VERSION = 1
ROLE_BIT = {"lead": 4, "partner": 2, "mentioned": 1}
ROLES = ("lead", "partner", "mentioned")
UNKNOWN = "unknown"  # the key of a mention whose type the lexicon does not give (graph.rdf.mentions)
KEY_PROJECTS = "key-projects"  # the matrix column of key projects (they have no domain)
NO_CONCEPT = "other"  # the column of domains without a shared concept
CONCEPT_NS = str(ID) + "concept/"


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name)


def strongest(mask: int) -> str:
    """lead > partner > mentioned."""
    return "lead" if mask & 4 else "partner" if mask & 2 else "mentioned"


def rank(mask: int) -> int:
    """3 for lead, 2 for partner, 1 for a mention (0: none)."""
    return 3 if mask & 4 else 2 if mask & 2 else 1 if mask & 1 else 0


def _masks(mentions: Iterable[Any]) -> dict[str, int]:
    masks: dict[str, int] = {}
    for m in mentions:
        key = _get(m, "key") or UNKNOWN
        masks[key] = masks.get(key, 0) | ROLE_BIT.get(_get(m, "role") or "mentioned", 1)
    return masks


def plan_facts(plan: Any) -> dict:
    """The facts of one plan (a ``graph.model.Plan`` or its ``to_dict``)."""
    domains: list[list[str]] = []
    resp: list[list] = []
    units = 0

    def unit(path: str, u: Any) -> None:
        nonlocal units
        units += 1
        masks = _masks(_get(u, "agencies") or ())
        if masks:
            resp.append([path, dict(sorted(masks.items()))])

    for n, d in enumerate(_get(plan, "domains") or (), 1):
        domains.append([_get(d, "title") or "", _get(d, "concept") or ""])
        for kind in ("goals", "measures"):
            for k, u in enumerate(_get(d, kind) or (), 1):
                unit(f"domain/{n}/{kind[:-1]}/{k}", u)
    for k, u in enumerate(_get(plan, "key_projects") or (), 1):
        unit(f"key-project/{k}", u)
    title = _get(plan, "title")
    return {
        "iri": str(iri.plan_hash_iri(title)),
        "title": title,
        "region": _get(plan, "region") or "",
        "level": _get(plan, "level") or "",
        "type": _get(plan, "plan_type") or "",
        "start": _get(plan, "period_start"),
        "end": _get(plan, "period_end"),
        "units": units,
        "domains": domains,
        "resp": resp,
    }


def file_facts(parsed: Any) -> list[dict]:
    """The facts of every plan of a parsed file (``ParsedFile`` or its ``to_dict``)."""
    return [plan_facts(p) for p in _get(parsed, "plans") or ()]


def column(plan: dict, path: str) -> str:
    """The matrix column of a unit: its domain's concept key, ``key-projects`` or ``other``."""
    if not path.startswith("domain/"):
        return KEY_PROJECTS
    pos = int(path.split("/", 2)[1])
    domains = plan["domains"]
    concept = domains[pos - 1][1] if 0 < pos <= len(domains) else ""
    return concept or NO_CONCEPT


def kind_of_path(path: str) -> str:
    return "key_project" if path.startswith("key-project/") else path.split("/")[2]


def agency_tail(region: str, key: str) -> str:
    """The agency's id (``<h12 of region>/<type>``) as ``graph.rdf.iri.agency`` mints it."""
    return str(iri.agency(region, key))[len(str(ID)) + len("agency/") :]


def responsibility_rows(plan: dict, agency_labels: dict[str, str]) -> list[dict]:
    """The rows ``service.queries.responsibilities`` gives for this plan's units (without duplicates)."""
    out = []
    base = plan["iri"]
    for path, masks in plan["resp"]:
        kind = kind_of_path(path)
        row: dict[str, Any] = {"u": f"{base}/{path}", "kind": kind, "plan": base, "plan_title": plan["title"]}
        if kind != "key_project":
            pos = int(path.split("/", 2)[1])
            title, concept = plan["domains"][pos - 1]
            row.update(d=f"{base}/domain/{pos}", domain_title=title)
            if concept:
                row["concept"] = CONCEPT_NS + concept
        for key, mask in masks.items():
            tail = agency_tail(plan["region"], key)
            agency = {"a": f"{ID}agency/{tail}", "label": agency_labels.get(tail, key)}
            if plan["region"]:
                agency["region"] = plan["region"]
            for role in ROLES:
                if mask & ROLE_BIT[role]:
                    out.append({**row, **agency, "role": role})
    return out


# ----------------------------------------------------------------------------- from the store


def facts_from_rows(plans: list[dict], domains: list[dict], units: list[dict], resp: list[dict]) -> list[dict]:
    """Plan facts from SPARQL rows (``service.queries`` sector_* queries): ``plans`` (plan, title, region,
    level, type, start, end), ``domains`` (plan, d, title, concept), ``units`` (plan, n: its unit count) and
    ``resp`` (plan, u, a, role)."""
    by_plan: dict[str, dict] = {}
    for p in plans:
        by_plan[p["plan"]] = {
            "iri": p["plan"],
            "title": p.get("title") or "",
            "region": p.get("region") or "",
            "level": p.get("level") or "",
            "type": p.get("type") or "",
            "start": _int(p.get("start")),
            "end": _int(p.get("end")),
            "units": 0,
            "domains": [],
            "resp": [],
        }
    positions: dict[str, dict[int, list[str]]] = defaultdict(dict)
    for d in domains:
        pos = int(str(d["d"]).rsplit("/", 1)[1])
        concept = str(d.get("concept") or "")
        positions[d["plan"]][pos] = [d.get("title") or "", concept.removeprefix(CONCEPT_NS)]
    for plan, found in positions.items():
        if plan in by_plan:
            by_plan[plan]["domains"] = [found.get(n, ["", ""]) for n in range(1, max(found) + 1)]
    for u in units:
        if u["plan"] in by_plan:
            by_plan[u["plan"]]["units"] = int(u["n"])
    masks: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in resp:
        plan = r["plan"]
        if plan not in by_plan:
            continue
        path = r["u"][len(plan) + 1 :]
        key = unquote(str(r["a"]).rsplit("/", 1)[1])
        m = masks[plan][path]
        m[key] = m.get(key, 0) | ROLE_BIT.get(r.get("role") or "mentioned", 1)
    for plan, units_of in masks.items():
        by_plan[plan]["resp"] = [[path, dict(sorted(m.items()))] for path, m in sorted(units_of.items(), key=_order)]
    return sorted(by_plan.values(), key=lambda p: p["iri"])


def _order(item: tuple[str, Any]) -> tuple:
    """Units in document order: domains by position, goals before measures, then key projects."""
    parts = item[0].split("/")
    if parts[0] == "domain":
        return (0, int(parts[1]), parts[2] != "goal", int(parts[3]))
    return (1, 0, False, int(parts[-1]))


def _int(value: Any) -> int | None:
    try:
        return int(str(value)[:4]) if value not in (None, "") else None
    except ValueError:
        return None
