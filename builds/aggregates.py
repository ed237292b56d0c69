"""Responsibility aggregates of a generation, precomputed by every build and delta so that the server reads
them instead of querying the whole store (``graph.views.sector_facts`` and ``graph.views.sectors``).

::

    parts/<key>/sectors.json   per file: {"version", "file", "plans": [plan facts + "agg": its counts]}
    aggregates.json            per generation: {"schema", "version", "plans": [the files' plans],
                               "total": the counts of all plans, "labels": {"sectors", "concepts", "agencies"}}

A build derives every file's part; a delta (``plankg add`` / ``remove``) derives the added files' only and
takes the kept ones' from their parts (hard-linked from the previous generation), so the totals are a sum
over the plans of the new corpus, never an update of the old totals. A kept part written before this file
existed (or by another ``FACTS_VERSION``) is derived again from its ``parsed.json``. A generation made by
``plankg load`` (named graphs only: the default graph, which the aggregates count, is unchanged) copies
the parts; ``load`` gives back the aggregates assembled from them when ``aggregates.json`` is missing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rdflib import Graph

from graph.rdf.ns import ID, PKG, RDF, SKOS
from graph.views import sectors as S
from graph.views.sector_facts import FACTS_VERSION, file_facts

from .layout import Generation

SCHEMA = 1
AGENCY_PREFIX = f"{ID}agency/"


def part_facts(parsed: Any) -> list[dict]:
    """The plans of one parsed file (a ``ParsedFile`` or its ``to_dict``), each with its counts."""
    return [dict(p, agg=S.plan_aggregates(p)) for p in file_facts(parsed)]


def write_part(gen: Generation, key: str, file: str, plans: list[dict]) -> None:
    """Write the part's sectors.json (a new file: a stale one may be a hard link into another generation)."""
    path = gen.part(key).sectors_json
    tmp = path.with_name(path.name + ".tmp")
    body = {"version": FACTS_VERSION, "file": file, "plans": plans}
    tmp.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def read_part(gen: Generation, key: str) -> list[dict] | None:
    """The part's plans, or None when it has none of this ``FACTS_VERSION``."""
    try:
        data = json.loads(gen.part(key).sectors_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("plans") if isinstance(data, dict) and data.get("version") == FACTS_VERSION else None


def part_plans(gen: Generation, entry: dict) -> list[dict]:
    """The plans of a part of ``gen``, derived again from its parsed.json (and written) when missing."""
    plans = read_part(gen, entry["key"])
    if plans is None:
        parsed = json.loads(gen.part(entry["key"]).parsed_json.read_text(encoding="utf-8"))
        plans = part_facts(parsed)
        write_part(gen, entry["key"], entry["file"], plans)
    return plans


def agency_labels(shared: Graph) -> dict[str, str]:
    """Agency id (``<h12 of region>/<type>``) → its ``skos:prefLabel``, from the shared triples."""
    out = {}
    for a in shared.subjects(RDF.type, PKG.Agency):
        label = shared.value(a, SKOS.prefLabel)
        if label is not None and str(a).startswith(AGENCY_PREFIX):
            out[str(a)[len(AGENCY_PREFIX) :]] = str(label)
    return dict(sorted(out.items()))


def assemble(plans: Sequence[dict], agencies: dict[str, str]) -> dict:
    """The generation's aggregates from its plans (with ``agg``) and the agencies' labels."""
    plans = sorted(plans, key=lambda p: p["iri"])
    total = S.merge(plans)
    titles = S.concept_titles(plans)
    columns = {c for row in total["cells"].values() for c in row}
    return {
        "schema": SCHEMA,
        "version": FACTS_VERSION,
        "plans": plans,
        "total": total,
        "labels": {
            "sectors": {k: v for k, v in S.sector_labels(total["sectors"]).items() if k in total["sectors"]},
            "concepts": {c: S.concept_label(c, titles.get(c, ())) for c in sorted(columns | set(titles))},
            "agencies": agencies,
        },
    }


def write(gen: Generation, entries: Iterable[dict], new: dict[str, Any], agencies: dict[str, str]) -> dict:
    """Write every part's facts that is not there yet (``new``: part key → its ``ParsedFile``) and the
    generation's aggregates.json; returns what the build report says of them."""
    plans: list[dict] = []
    derived = 0
    for entry in entries:
        parsed = new.get(entry["key"])
        if parsed is not None:
            found = part_facts(parsed)
            write_part(gen, entry["key"], entry["file"], found)
            derived += 1
        else:
            found = part_plans(gen, entry)
        plans.extend(found)
    data = assemble(plans, agencies)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    gen.aggregates_json.write_text(text, encoding="utf-8")
    return {
        "plans": len(plans),
        "units_with_agency": data["total"]["agency_units"],
        "sectors": len(data["total"]["sectors"]),
        "parts_derived": derived,
        "bytes": len(text.encode("utf-8")),
    }


def load(gen: Generation, agencies: Callable[[], dict[str, str]] | None = None) -> dict | None:
    """The aggregates of ``gen``: its aggregates.json, else (a generation of ``plankg load``, or one written
    before it existed) assembled from its parts with ``agencies()`` for the labels; None when neither is
    there (the caller then reads the store)."""
    try:
        data = json.loads(gen.aggregates_json.read_text(encoding="utf-8"))
        if data.get("schema") == SCHEMA and data.get("version") == FACTS_VERSION:
            return data
    except (OSError, ValueError):
        pass
    if agencies is None:
        return None
    entries = (gen.read_build().get("parts") or {}).get("files") or []
    plans: list[dict] = []
    for e in entries:
        found = read_part(gen, e["key"])
        if found is None:
            return None
        plans.extend(found)
    return assemble(plans, agencies()) if entries else None
