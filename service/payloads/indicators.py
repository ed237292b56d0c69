"""Payloads of indicator targets and their comparison across plans."""

from __future__ import annotations

import re
import unicodedata

from .. import queries as q
from ..links import page_path
from ..resources import Resources
from .common import indicator_row, plan_ref


def norm_name(name: str) -> str:
    """Indicator names compared without width, spaces or punctuation differences."""
    t = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s（）()、，,.。“”\"'：:]", "", t)


def indicator_rows(res: Resources) -> list[dict]:
    def load():
        out = []
        for r in q.indicators(res.store()):
            row = indicator_row(r)
            row.update(
                source=r["source"],
                plan=plan_ref(r["plan"], r["plan_title"], region=r.get("region") or ""),
                unit_iri=r.get("u"),
                unit_url=page_path(r["u"]) if r.get("u") else None,
                file=r.get("i_file") or r.get("u_file"),
                line=r.get("i_line") or r.get("u_line"),
                key=norm_name(r["name"]),
            )
            out.append(row)
        return out

    return res.cached("indicators", load)


def indicators_list(res: Resources) -> list[dict]:
    groups: dict[str, dict] = {}
    for r in indicator_rows(res):
        g = groups.setdefault(r["key"], {"name": r["name"], "plans": set(), "targets": 0})
        g["plans"].add(r["plan"]["iri"])
        g["targets"] += 1
    out = [{"name": g["name"], "plans": len(g["plans"]), "targets": g["targets"]} for g in groups.values()]
    return sorted(out, key=lambda g: (-g["plans"], -g["targets"], g["name"]))


def indicator_compare(res: Resources, name: str) -> dict:
    key = norm_name(name)
    rows = [r for r in indicator_rows(res) if r["key"] == key]
    if not rows and key:
        rows = [r for r in indicator_rows(res) if key in r["key"]]
    rows = sorted(rows, key=lambda r: (r["plan"]["title"], r["year"] or 0, r["source"]))
    return {
        "name": name,
        "matched_names": sorted({r["name"] for r in rows}),
        "rows": rows,
        "plans": len({r["plan"]["iri"] for r in rows}),
    }
