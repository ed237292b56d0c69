"""Indicator targets of a draft against the same normalised indicators in the peer plans.

Each draft target (from unit text or an indicator table) is matched by indicator concept
(``graph.extract.indicator_concepts``) to the peers' targets, and gets a ``position``:

* ``weaker`` / ``stronger``: worse / better than the peers it can be compared with, in the indicator's
  direction: a ceiling such as a mortality rate is weaker when higher, a floor such as a coverage rate weaker
  when lower (``directions.tsv``: per concept, then by words of the name, then the comparator: ≤ is a ceiling,
  ≥ a floor; a relative target's own direction: 下降 is a ceiling);
* ``same``: equal to them;
* ``incomparable``: no peer target of the concept in the same unit of measure, a qualitative target, or a
  direction that cannot be told.

Peers of the draft's target year are compared when there are any, else peers of every year. Against several
peers the position is where the draft stands against the median of their values (the typical target).
"""

from __future__ import annotations

import functools
import statistics
import unicodedata
from collections import Counter
from importlib.resources import files
from urllib.parse import unquote

from graph.extract.indicator_concepts import concept_key, concept_of
from graph.rdf.indicators import concept_iri

POSITIONS = ("weaker", "stronger", "same", "incomparable")
_PREFIX = str(concept_iri(""))


@functools.cache
def _directions() -> tuple[dict[str, str], list[tuple[str, str]]]:
    concepts: dict[str, str] = {}
    words: list[tuple[str, str]] = []
    text = files(__package__).joinpath("directions.tsv").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 3 or cells[0] not in ("concept", "word") or cells[2] not in ("lower", "higher"):
            raise ValueError(f"directions.tsv:{n}: expected concept|word <TAB> key <TAB> lower|higher")
        if cells[0] == "concept":
            concepts[cells[1]] = cells[2]
        else:
            words.append((cells[1], cells[2]))
    return concepts, words


def direction(key: str, name: str, comparator: str | None = None, change: str | None = None) -> tuple[str, str]:
    """("lower" | "higher" | "unknown", how it was told): lower means a lower value is the better target."""
    concepts, words = _directions()
    if key in concepts:
        return concepts[key], "concept"
    for w, d in words:
        if w in (name or ""):
            return d, f"word {w}"
    if comparator in ("le", "lt"):
        return "lower", "comparator"
    if comparator in ("ge", "gt"):
        return "higher", "comparator"
    if change in ("decrease", "increase"):
        return ("lower" if change == "decrease" else "higher"), "change"
    return "unknown", ""


def _unit(u) -> str:
    return unicodedata.normalize("NFKC", str(u or "")).replace(" ", "")


def row_key(row: dict) -> str:
    """The concept key of an indicator row of ``service.queries.indicators``."""
    concept = row.get("concept") or ""
    if concept.startswith(_PREFIX):
        return unquote(concept[len(_PREFIX) :])
    return concept_key(row.get("name") or "")


def _num(v) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def target_of(ind) -> dict:
    """A draft ``graph.model.Indicator`` as the report shows a target."""
    return {
        "value": ind.value,
        "unit": ind.unit or "",
        "comparator": ind.comparator,
        "year": ind.year,
        "text": ind.text,
        "qualitative": ind.qualitative or "",
        "change": {"direction": ind.change_direction, "amount": ind.change_amount, "unit": ind.change_unit}
        if ind.change_direction
        else None,
    }


def peer_target(row: dict, plan_title: str) -> dict:
    return {
        "plan": row.get("plan"),
        "plan_title": plan_title,
        "name": row.get("name") or "",
        "value": _num(row.get("value")),
        "unit": row.get("unit") or "",
        "comparator": row.get("comparator"),
        "year": int(row["year"]) if _num(row.get("year")) is not None else None,
        "text": row.get("target_text") or row.get("text") or "",
        "qualitative": row.get("qualitative") or "",
        "change": {
            "direction": row.get("change_direction"),
            "amount": _num(row.get("change_amount")),
            "unit": row.get("change_unit"),
        }
        if row.get("change_direction")
        else None,
    }


def compare(draft: dict, peer: dict, way: str) -> str:
    """The draft target against one peer target (see the module docstring)."""
    dv, pv = _num(draft["value"]), _num(peer["value"])
    if dv is not None and pv is not None:
        if _unit(draft["unit"]) != _unit(peer["unit"]):
            return "incomparable"
        if dv == pv:
            return "same"
        if way == "unknown":
            return "incomparable"
        better = dv < pv if way == "lower" else dv > pv
        return "stronger" if better else "weaker"
    dc, pc = draft.get("change"), peer.get("change")
    if dv is None and pv is None and dc and pc and dc.get("amount") is not None and pc.get("amount") is not None:
        if dc["direction"] != pc["direction"] or _unit(dc.get("unit")) != _unit(pc.get("unit")):
            return "incomparable"
        if float(dc["amount"]) == float(pc["amount"]):
            return "same"
        good = way if way != "unknown" else ("lower" if dc["direction"] == "decrease" else "higher")
        improving = (dc["direction"] == "decrease") == (good == "lower")
        bigger = float(dc["amount"]) > float(pc["amount"])
        return "stronger" if bigger == improving else "weaker"
    return "incomparable"


def overall(draft: dict, peers: list[dict], way: str) -> tuple[str, list[dict]]:
    """The position of the draft target against ``peers`` (each with its own ``position``), and the peers it
    was judged against: those of its target year when any of them is comparable, else all comparable ones.

    A value is compared with the median of those peers' values (the typical target, not the most ambitious);
    relative targets (no value) take the position most of those peers give."""
    comparable = [p for p in peers if p["position"] != "incomparable"]
    same_year = [p for p in comparable if draft.get("year") and p["year"] == draft["year"]]
    basis = same_year or comparable
    if not basis:
        return "incomparable", []
    marks = {p["position"] for p in basis}
    if marks == {"same"}:
        return "same", basis
    dv = _num(draft["value"])
    values = [p["value"] for p in basis if p["value"] is not None]
    if dv is not None and values:
        if way == "unknown":
            return "incomparable", basis
        median = statistics.median(values)
        if dv == median:
            return "same", basis
        return ("stronger" if (dv < median) == (way == "lower") else "weaker"), basis
    votes = Counter(p["position"] for p in basis)
    if votes["weaker"] == votes["stronger"]:
        return "same", basis
    return ("weaker" if votes["weaker"] > votes["stronger"] else "stronger"), basis


def compare_targets(draft_targets: list[dict], peer_rows: list[dict], peer_titles: dict[str, str]) -> list[dict]:
    """``draft_targets``: [{"name", "concept", "unit_id", "line", "target": target_of(...)}];
    ``peer_rows``: indicator rows of ``service.queries.indicators`` (``row_key`` gives their concept);
    ``peer_titles``: plan IRI -> title of the peer plans (rows of other plans are left out)."""
    by_key: dict[str, list[dict]] = {}
    for r in peer_rows:
        if r.get("plan") in peer_titles:
            by_key.setdefault(row_key(r), []).append(r)
    out = []
    for t in draft_targets:
        d = t["target"]
        way, how = direction(t["concept"], t["name"], d["comparator"], (d.get("change") or {}).get("direction"))
        peers = []
        seen = set()
        for r in by_key.get(t["concept"], []):
            p = peer_target(r, peer_titles[r["plan"]])
            sig = (p["plan"], p["value"], p["unit"], p["comparator"], p["year"], str(p["change"]))
            if sig in seen:  # the same target in a table and in the text
                continue
            seen.add(sig)
            p["position"] = compare(d, p, way)
            peers.append(p)
        peers.sort(key=lambda p: (p["plan_title"], p["year"] or 0, p["value"] if p["value"] is not None else 0))
        position, basis = overall(d, peers, way)
        for p in peers:
            p["compared"] = any(p is b for b in basis)
        c = concept_of(t["concept"])
        out.append(
            {
                "name": t["name"],
                "concept": t["concept"],
                "concept_label": c.zh if c else t["name"],
                "unit_id": t.get("unit_id"),
                "line": t.get("line"),
                "draft": d,
                "direction": way,
                "direction_from": how,
                "peers": peers,
                "compared_with": len(basis),
                "position": position,
            }
        )
    return out
