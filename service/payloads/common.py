"""Shared pieces of the payloads: references to plans, units, agencies and laws; errors."""

from __future__ import annotations

import re

from embeddings.documents import file_of_stem
from graph.rdf.iri import local, position, short, unit_from_path

from .. import labels
from .. import queries as q
from ..links import page_path
from ..resources import Resources


class NotFound(LookupError):
    pass


def period_text(start, end) -> str:
    return f"{start}—{end}" if start and end else str(start or end or "")


def plan_ref(iri: str, title: str = "", **extra) -> dict:
    return {"id": short(iri), "iri": iri, "url": page_path(iri), "title": title, **extra}


def unit_anchor(iri: str) -> str:
    """The unit's anchor on its plan page, unique in the plan: 'd3-measure-5', 'key-project-2'."""
    m = re.search(r"/domain/(\d+)/([\w-]+)/(\d+)$", iri)
    if m:
        return f"d{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.search(r"/([\w-]+)/(\d+)$", iri)
    return f"{m.group(1)}-{m.group(2)}" if m else local(iri)


def unit_ref(row: dict, prefix: str = "u") -> dict:
    """A unit from a query row with u, kind, number, text, title and <prefix>_file/<prefix>_line."""
    iri = row["u"]
    return {
        "id": local(iri),
        "iri": iri,
        "url": page_path(iri),
        "anchor": unit_anchor(iri),
        "kind": row.get("kind"),
        "kind_label": labels.KIND.get(row.get("kind") or "", row.get("kind")),
        "number": row.get("number"),
        "title": row.get("title") or "",
        "text": row.get("text") or "",
        "file": row.get(f"{prefix}_file"),
        "line": row.get(f"{prefix}_line"),
    }


def agency_ref(iri: str, label: str = "", **extra) -> dict:
    return {"id": short(iri), "iri": iri, "url": page_path(iri), "label": label or short(iri), **extra}


def unit_order(u: dict):
    kind_rank = {"goal": 0, "measure": 1, "key_project": 2}
    return kind_rank.get(u.get("kind") or "", 3), position(u["iri"])


def domain_position(unit_iri: str) -> int:
    """Domain number in a unit IRI; key projects (no domain) sort last."""
    m = re.search(r"/domain/(\d+)/", unit_iri)
    return int(m.group(1)) if m else 1 << 20


def indicator_row(r: dict, file_key: str = "i_file", line_key: str = "i_line") -> dict:
    value = r.get("value")
    return {
        "iri": r.get("i") or r.get("row"),
        "name": r.get("name") or "",
        "comparator": r.get("comparator"),
        "comparator_label": labels.COMPARATOR.get(r.get("comparator") or "", ""),
        "value": value,
        "unit": r.get("unit") or "",
        "year": r.get("year"),
        "baseline": r.get("baseline"),
        "baseline_year": r.get("baseline_year"),
        "qualitative": r.get("qualitative") or "",
        "baseline_text": r.get("baseline_text") or "",
        "target_text": r.get("target_text") or r.get("text") or "",
        "file": r.get(file_key),
        "line": r.get(line_key),
    }


def law_ref(iri: str, title: str, doc_type=None) -> dict:
    code = labels.doc_type_code(doc_type)
    return {
        "id": short(iri),
        "iri": iri,
        "url": page_path(iri),
        "title": title,
        "type": code,
        "type_label": labels.DOC_TYPE.get(code, code),
    }


def resolve_unit(res: Resources, uid: str) -> str:
    """Unit IRI from its path, IRI or search document id ('<file stem>:L<line>')."""
    iri = unit_from_path(uid)
    if iri:
        return iri
    m = re.fullmatch(r"(.+):L(\d+)", uid or "")
    if m:
        rows = q.unit_at(res.store(), file_of_stem(m.group(1)), int(m.group(2)))
        if rows:
            return rows[0]["u"]
    raise NotFound(f"no unit {uid!r}")
